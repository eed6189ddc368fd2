"""``python -m benchmarks.simulate``: simulated users who describe a hidden target over up to five turns.

Each simulated user holds a target: a movie they rated 4 or 5 that the recommender's ``random`` protocol
held out of training. Turn by turn they say what they loved (the training items most similar to the
target), its genre, its era, another loved movie, and a second genre or "got any more?" — each line drawn
from a bank of phrasings written by someone who never saw the message reader
(``benchmarks/data/sim_phrasings.json``; ``--split test`` uses the half never looked at while tuning, ``dev2`` a
third author's bank written later, to tell a change that fails the test half's phrasing from one that fails all).
Titles are written casually (lower case, no article, no subtitle) as people do.

Both new users (chatting with no history) and existing users (chatting as their catalog user) are run.
Configurations: the agent with the LLM deciding each turn, the agent with every turn sent to the
recommender, and the true-state bound: the recommender called directly with exactly the facts the user
gave so far. hit@5 within five turns and the average number of turns are reported; the agent's hit rate
over the bound's is the conversation layer's loss, made visible.
"""

from __future__ import annotations

import argparse
import json
import math
import sys
import uuid
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from catalog.build import open_or_build
from chat_app.agent import Agent
from chat_app.decide import INTENTS
from chat_app.llm.fake import FakeChatModel
from chat_app.sessions import SessionStore
from chat_app.stages import SHOW
from recommender.data import ItemTable
from recommender.models import make_model
from recommender.query import Query
from recommender.service import Recommender
from settings import Settings, add_arguments

from .report import machine
from .recommender_eval import SplitData
from .splits import split

MAX_TURNS = 5
PHRASINGS = Path(__file__).parent / "data" / "sim_phrasings.json"
CONFIGS = ("agent (LLM decides)", "agent (every turn to the recommender)", "true-state bound")
DECADE_WORDS = {1920: "twenties", 1930: "thirties", 1940: "forties", 1950: "fifties", 1960: "sixties",
                1970: "seventies", 1980: "eighties", 1990: "nineties"}


@dataclass
class Said:
    """The facts a simulated user has given so far: what the true-state bound recommends from."""

    genres: list[str] = field(default_factory=list)
    year_min: int | None = None
    year_max: int | None = None
    liked: list[int] = field(default_factory=list)
    disliked: list[int] = field(default_factory=list)


@dataclass
class Script:
    lines: list[str]
    facts: list[Said]     # the facts after each line


def casual(title: str, rng, catalog) -> str:
    """A title as people type it: sometimes lower case, without its article or subtitle (kept where the
    shorter title is another film's: nobody calls Alien: Resurrection "alien")."""
    head = title.split(":")[0]
    meant = catalog.resolve_title(head)
    text = head if rng.random() < 0.5 and (meant is None or meant.title == title) else title
    if rng.random() < 0.5:
        text = " ".join(w for n, w in enumerate(text.split()) if n or w.lower() not in {"the", "a", "an"})
    return text.lower() if rng.random() < 0.5 else text


def script(catalog, target: int, loved: list[int], disliked: int | None, bank: dict, rng) -> Script:
    """Five lines describing the target, and what each leaves the user having said."""
    item = catalog.item(target)
    genres = [g for g in item.genres if g.lower() != "unknown"] or ["Drama"]
    first = genres[int(rng.integers(len(genres)))]
    second = next((g for g in genres if g != first), None)
    decade = (item.year or 1990) // 10 * 10
    pick = lambda key: bank[key][int(rng.integers(len(bank[key])))]  # noqa: E731
    said, lines, facts = Said(), [], []

    def say(line: str, **values):
        lines.append(line.format(**values))
        facts.append(Said(list(said.genres), said.year_min, said.year_max, list(said.liked), list(said.disliked)))

    titles = [catalog.item(i).title for i in loved]
    opening = pick("opening_loved")
    said.liked += loved[:2] if "{title2}" in opening and len(loved) > 1 else loved[:1]
    say(opening, title=casual(titles[0], rng, catalog), title2=casual(titles[1 % len(titles)], rng, catalog))
    said.genres.append(first)
    say(pick("genre"), genre=first.lower())
    said.year_min, said.year_max = decade, decade + 9
    say(pick("era"), decade=f"{decade % 100:02d}s", decade_word=DECADE_WORDS.get(decade, f"{decade}s"),
        year_low=decade, year_high=decade + 9)
    unused = [i for i in loved if i not in said.liked]
    if unused:
        said.liked.append(unused[0])
        say(pick("another_loved"), title=casual(catalog.item(unused[0]).title, rng, catalog))
    elif disliked is not None:
        said.disliked.append(disliked)
        say(pick("dislike"), disliked=casual(catalog.item(disliked).title, rng, catalog))
    else:
        say(pick("more"))
    if second is not None:
        said.genres.append(second)
        say(pick("second_genre"), genre=second.lower())
    else:
        say(pick("more"))
    return Script(lines, facts)


def sample_users(catalog, users: int, seed: int):
    """(user, target, loved training items most like the target, a disliked item, split data) per user."""
    items, interactions = ItemTable.from_catalog(catalog), catalog.interactions()
    data = SplitData.make(items, interactions, "random", seed)
    train = interactions[split(interactions, "random", seed)[0]]
    model = make_model("ease").fit(data.train.matrix)
    rng = np.random.default_rng(seed)
    for index in rng.choice(len(data.rows), size=min(users, len(data.rows)), replace=False):
        user = int(data.train.user_ids[data.rows[index]])
        mine = train[train["user"] == user]
        liked = mine[mine["rating"] >= 4]["item"].tolist()
        low = mine[mine["rating"] <= 2]["item"].tolist()
        target = int(rng.choice(sorted(data.relevant[index])))
        cols = items.columns(liked)
        strength = model.affinity(cols, items.columns([target]))[:, 0] if len(cols) else np.zeros(0)
        loved = [int(items.ids[cols[n]]) for n in np.argsort(-strength)[:3]]
        if loved:
            yield user, target, loved, (int(low[0]) if low else None), data, model


def bound_hits(recommender: Recommender, facts: list[Said], user: int | None) -> list[list[int]]:
    """The true-state bound's five picks after each turn (shown items excluded, as the agent does)."""
    shown, out = [], []
    for said in facts:
        named = said.liked + said.disliked
        query = Query(user_id=user, genres=said.genres, year_min=said.year_min, year_max=said.year_max,
                      liked=said.liked, disliked=said.disliked, exclude=shown + named, k=SHOW)
        picks = recommender.recommend(query).item_ids
        shown += picks
        out.append(picks)
    return out


def agent_picks(agent: Agent, lines: list[str], user: int | None) -> list[list[int]]:
    session = f"sim-{uuid.uuid4().hex[:10]}"
    if user is not None:
        agent.set_user(session, user)
    out = []
    for line in lines:
        reply = agent.respond(session, line)
        out.append([i["id"] for i in reply.items] if reply.tool_called else [])
    return out


def first_hit(picks_per_turn: list[list[int]], target: int) -> tuple[int, int | None]:
    for turn, picks in enumerate(picks_per_turn, 1):
        if target in picks[:SHOW]:
            return turn, picks.index(target)
    return MAX_TURNS, None


def evaluate(settings: Settings, llm, users: int, seed: int, split_name: str) -> dict:
    catalog = open_or_build(settings)
    bank = json.loads(PHRASINGS.read_text(encoding="utf-8"))[split_name]
    rows = {(kind, config): [] for kind in ("new", "existing") for config in CONFIGS}
    recommender, agents = None, {}
    for n, (user, target, loved, disliked, data, model) in enumerate(sample_users(catalog, users, seed), 1):
        if recommender is None:
            full = Recommender.for_catalog(catalog, settings.recommender)
            recommender = Recommender(data.items, model, data.train, full.text, full.encoder)
            always = FakeChatModel(chooser=lambda messages, options: "recommend" if options == INTENTS else options[0])
            store = SessionStore(Path(settings.data_dir) / "simulate-sessions.db")
            plain = settings.replace(rerank_weight=0.0, generate_intro=False)
            agents = {CONFIGS[0]: Agent(catalog, recommender, llm, store, plain),
                      CONFIGS[1]: Agent(catalog, recommender, always, store, plain.replace(intent_prior=False))}
        rng = np.random.default_rng(seed * 1000 + n)
        plan = script(catalog, target, loved, disliked, bank, rng)
        for kind, as_user in (("new", None), ("existing", user)):
            for config in CONFIGS:
                picks = bound_hits(recommender, plan.facts, as_user) if config == CONFIGS[2] else \
                    agent_picks(agents[config], plan.lines, as_user)
                turns, rank = first_hit(picks, target)
                named = sum(len(set(shown) & set(said.liked + said.disliked)) for shown, said in zip(picks, plan.facts))
                rows[(kind, config)].append({"user": user, "target": target, "turns": turns, "rank": rank,
                                             "named_picks": named, "lines": plan.lines if n <= 3 else None})
        print(f"user {n}/{users}: " + ", ".join(
            f"{kind}/{config.split(' (')[0] if config != CONFIGS[2] else 'bound'}"
            f"{'' if config == CONFIGS[2] else '(' + config.split('(')[1]}="
            f"{'hit' if rows[(kind, config)][-1]['rank'] is not None else 'miss'}"
            for kind in ("new", "existing") for config in CONFIGS), file=sys.stderr)
    return {f"{kind} | {config}": summarise(r) for (kind, config), r in rows.items()} | {"raw": rows}


def summarise(rows: list[dict]) -> dict[str, float]:
    hits = [r for r in rows if r["rank"] is not None]
    return {"users": len(rows), "hit@5": len(hits) / len(rows), "avg_turns": float(np.mean([r["turns"] for r in rows])),
            "named_picks": sum(r["named_picks"] for r in rows),
            "ndcg@5": float(np.mean([1 / math.log2(r["rank"] + 2) if r["rank"] is not None else 0.0 for r in rows]))}


def format_table(result: dict) -> str:
    lines = ["| users | configuration | n | hit@5 within 5 turns | share of the bound | average turns | "
             "picks the user had named |", "|---|---|---|---|---|---|---|"]
    for kind in ("new", "existing"):
        bound = result[f"{kind} | {CONFIGS[2]}"]["hit@5"]
        for config in CONFIGS:
            r = result[f"{kind} | {config}"]
            share = f"{r['hit@5'] / bound:.2f}" if bound else "–"
            lines.append(f"| {kind} | {config} | {r['users']} | {r['hit@5']:.3f} | {share} | {r['avg_turns']:.2f} | "
                         f"{r['named_picks']} |")
    return "\n".join(lines)


def write_outputs(result: dict, folder: Path, command: str, split_name: str) -> str:
    table = format_table(result)
    examples = next(iter(result["raw"].values()))[:3]
    sample = "\n".join(f"- user {r['user']}: " + " / ".join(f"“{line}”" for line in r["lines"]) for r in examples)
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "simulated-users.md").write_text(
        f"# Simulated-user evaluation\n\nCommand: `{command}`\n\nMachine: {machine()}.\n\nPhrasings: the "
        f"`{split_name}` half of `benchmarks/data/sim_phrasings.json`.\n\n{table}\n\nExample conversations:\n\n"
        f"{sample}\n")
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(7.5, 3.6))
    x = np.arange(len(CONFIGS))
    for offset, kind in ((-0.2, "new"), (0.2, "existing")):
        ax.bar(x + offset, [result[f"{kind} | {c}"]["hit@5"] for c in CONFIGS], 0.4, label=f"{kind} users")
    ax.set_xticks(x, [c.replace(" (", "\n(") for c in CONFIGS])
    ax.set_ylim(0, 1)
    ax.set_ylabel("hit@5 within 5 turns")
    ax.set_title(f"Simulated users (n={result[f'new | {CONFIGS[0]}']['users']} each), MovieLens 100K")
    ax.legend()
    fig.tight_layout()
    fig.savefig(folder / "simulated-users.png", dpi=120)
    return table


def main(argv: list[str] | None = None) -> int:
    from chat_app.llm.loader import load_chat_model

    parser = argparse.ArgumentParser(prog="python -m benchmarks.simulate", description=__doc__)
    parser.add_argument("--users", type=int, default=100)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--split", choices=["dev", "dev2", "test"], default="test")
    parser.add_argument("--docs", type=Path, help="write the Markdown table and the PNG plot into this folder")
    add_arguments(parser, "model", "llm_url", "device", "db", "data_dir", "ml100k_dir", "recommender")
    args = parser.parse_args(argv)
    settings = Settings.from_args(args)
    llm = load_chat_model(settings, progress=lambda m: print(m, file=sys.stderr))
    result = evaluate(settings, llm, args.users, args.seed, args.split)
    if args.docs:
        command = "python -m benchmarks.simulate " + " ".join(argv if argv is not None else sys.argv[1:])
        print(write_outputs(result, args.docs, command, args.split))
    else:
        print(json.dumps({k: v for k, v in result.items() if k != "raw"}, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
