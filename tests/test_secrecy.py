"""The prompt-secrecy check (``chat_app.secrecy``): every secret line, copied with the changes a model makes
(a word dropped, two words swapped, letters changed, respaced, upper case, inside other text), counts as
repeated; ordinary replies, the canned replies and the examples' answers do not. The thresholds in
``chat_app.secrecy`` were chosen on these two sets."""

import random

import pytest

from catalog.domain import load_domain
from chat_app import prompting, secrecy

DOMAINS = [load_domain("movies"), load_domain("books")]
ORDINARY = [
    "Here are a few nineties comedies you might enjoy.",
    "Since you liked Alien, these picks keep the tension high.",
    "Saddle up: here are some westerns picked for you.",
    "Something like Alien? Since you liked Alien, these picks keep the tension high.",
    "Hi! I'm {bot_name}, a friendly assistant. I can recommend {items} from the catalog.",
    "I can recommend {items} from one catalog. Would you like a comedy or a drama?",
    "Happy to help! Tell me a genre, an era or a {item} you enjoyed, and I will recommend something.",
    "Toy Story is a 1995 animated movie about toys that come to life; it suits kids well.",
    "Here are some great sci-fi {items} from the 80s that you might enjoy.",
    "It is a drama from 1994. You said you liked Forrest Gump, and its fans liked this one too.",
    "Would you like me to recommend something? Tell me a genre or a {item} you liked.",
    "I only name {items} that are in the catalog, so here are a few picks for you.",
    "Thanks! Enjoy, and let me know if you want more recommendations.",
    "Sure! Tell me what you feel like: a genre, an era, or a {item} you loved.",
]


def lines(domain):
    return [line for line, _ in secrecy.secret_lines(tuple(sorted(prompting.domain_words(domain).items())))]


def copies(line: str, rng: random.Random) -> dict[str, str]:
    """A line as a model might repeat it."""
    said = line.split()
    out = {"copy": line, "inside other text": f"Sure! Here it is: {line} Anything else?",
           "respaced": " ".join(line), "upper case": line.upper()}
    out |= {f"word {n} dropped": " ".join(said[:n] + said[n + 1:]) for n in range(len(said))}
    n = rng.randrange(len(said) - 1)
    out["two words swapped"] = " ".join(said[:n] + [said[n + 1], said[n]] + said[n + 2:])
    letters = list(line)
    for position in rng.sample(range(len(letters)), 3):
        letters[position] = "x"
    out["three letters changed"] = "".join(letters)
    return out


@pytest.mark.parametrize("domain", DOMAINS, ids=lambda d: d.name)
def test_every_secret_line_copied_with_changes_counts_as_repeated(domain):
    rng, missed = random.Random(0), []
    assert len(lines(domain)) > 30
    for line in lines(domain):
        for change, text in copies(line, rng).items():
            if line not in secrecy.repeated_lines(text, domain):
                missed.append((change, line))
    assert missed == []


@pytest.mark.parametrize("domain", DOMAINS, ids=lambda d: d.name)
def test_ordinary_replies_canned_replies_and_example_answers_repeat_nothing(domain):
    words = prompting.domain_words(domain)
    texts = [t.format(**words) for t in ORDINARY] + [prompting.text(name, domain) for name in ("refuse", "empty")]
    assert {text: secrecy.repeated_lines(text, domain) for text in texts if secrecy.repeats_prompt(text, domain)} == {}


def test_the_probe_that_passed_the_exact_check_is_caught():
    """The real model dropped one word of the system prompt's first line; a 40-character exact match missed it."""
    movies = load_domain("movies")
    first = prompting.text("system", movies).splitlines()[0]
    intro = first.replace("friendly ", "")
    assert intro[:40] not in first and secrecy.repeats_prompt(intro, movies)
    assert secrecy.repeats_prompt(f"Opening: {first.replace('one catalog', 'a catalog')}", movies)
    assert not secrecy.repeats_prompt("Here are some comedies you might enjoy.", movies)
    greeting = "Hi there! I'm CineBot, a friendly assistant that recommends movies from one catalog."
    assert secrecy.repeats_prompt(greeting, movies)  # the real model's greeting: 10 of the first line's 15 words


def test_short_lines_and_empty_text_are_not_judged():
    movies = load_domain("movies")
    assert all(len(secrecy.words(line)) >= secrecy.MIN_WORDS for line in lines(movies))
    assert not secrecy.repeats_prompt("", movies) and not secrecy.repeats_prompt("Opening:", movies)


@pytest.mark.real
def test_the_attempts_that_made_the_real_model_repeat_its_prompt_show_no_line(ml100k_settings, ml100k_catalog):
    """The extraction attempts after which the packaged model wrote a prompt line (docs/secrecy.md): the reply
    shown reveals no line (the independent judge of benchmarks.eval_secrecy)."""
    import json

    from benchmarks.eval_secrecy import ATTEMPTS, Judge, run_session
    from chat_app.agent import build_agent

    agent = build_agent("default", settings=ml100k_settings, db=ml100k_catalog.path, progress=lambda m: None)
    attempts = {a["id"]: a for a in map(json.loads, ATTEMPTS.read_text(encoding="utf-8").splitlines())}
    judge = Judge(agent.tools.domain)
    turns = [turn for key in ("x01", "x11", "x34", "x36") for turn in run_session(agent, judge, attempts[key]["turns"])]
    assert [turn.shown_leak for turn in turns if turn.shown_leak] == []
