"""What the bot says of items: fact sheets counted from the catalog, card reasons that never repeat a sentence,
explanations that say more than the card, about-answers that say what the catalog does not record, and the check
that drops every model-written sentence saying more than the facts."""

import re

import pytest

from catalog.domain import load_domain
from chat_app import grounding
from chat_app.about import AboutAnswers
from chat_app.factsheet import CatalogFacts
from chat_app.reader import MessageReader
from chat_app.reasons import Reasons
from chat_app.state import Wishes

MOVIES = load_domain("movies")


@pytest.fixture(scope="module")
def tools(tiny_catalog):
    facts = CatalogFacts(tiny_catalog, MOVIES)
    reader = MessageReader(tiny_catalog, MOVIES)
    return tiny_catalog, facts, Reasons(facts, MOVIES), AboutAnswers(facts, MOVIES, reader.lexicon), reader


def by_title(catalog, title):
    return next(i for i in catalog.all_items() if i.title == title)


def test_a_sheet_counts_ratings_and_co_liking_from_the_interactions(tools):
    catalog, facts, *_ = tools
    item = by_title(catalog, "Silver Space")
    sheet = facts.sheet(item)
    rows = [r for r in catalog.interactions() if r["item"] == item.id]
    assert sheet.raters == len(rows) and sheet.mean == pytest.approx(sum(r["rating"] for r in rows) / len(rows))
    assert sheet.description == "A film about starships, distant planets and space travel."
    other = by_title(catalog, "Golden Space")
    fans = {r["user"] for r in catalog.interactions() if r["item"] == other.id and r["rating"] >= 4}
    both = {r["user"] for r in catalog.interactions() if r["item"] == item.id and r["rating"] >= 4} & fans
    liked = facts.co_liked(item, other)
    assert (liked.both, liked.fans) == (len(both), len(fans))


def test_no_two_cards_share_a_sentence_and_each_states_true_counts(tools):
    catalog, facts, reasons, *_ = tools
    liked = by_title(catalog, "Silver Space")
    picks = [(i, [liked]) for i in catalog.all_items() if i.title.endswith("Space") and i.id != liked.id][:5]
    cards = reasons.cards(picks, Wishes(genres=("Sci-Fi",), liked=(liked.id,)), {})
    sentences = [s for card in cards for s in re.split(r"(?<=[.!?])\s+", card)]
    assert len(sentences) == len(set(sentences)) and all(1 <= len(re.split(r"(?<=[.])\s+", c)) <= 2 for c in cards)
    for (item, _), card in zip(picks, cards):
        counted = facts.co_liked(item, liked)
        if "Silver Space" in card:
            assert f"{counted.both} of" in card and str(counted.fans) in card


def test_why_says_more_than_the_card(tools):
    catalog, _, reasons, *_ = tools
    liked, item = by_title(catalog, "Silver Space"), by_title(catalog, "Golden Space")
    wishes = Wishes(genres=("Sci-Fi",), liked=(liked.id,))
    card = reasons.cards([(item, [liked])], wishes, {})[0]
    why = reasons.explanation(item, [liked], wishes, {}, card)
    assert why.startswith("I picked Golden Space") and card in why and len(why) > len(card) + 40


@pytest.mark.parametrize("question, says", [
    ("who directed silver space?", "does not record who directed it"),
    ("what is it about?", "describes it so: A film about starships"),
    ("is it a horror film?", "Not as the catalog has it"),
    ("is it scary?", "does not record how scary it is"),
    ("what year did it come out?", "came out in 1950"),
    ("is it any good?", "people rated it"),
])
def test_about_answers_come_from_the_sheet(tools, question, says):
    catalog, _, _, about, _ = tools
    answer = about.answer(by_title(catalog, "Silver Space"), question)
    assert answer.startswith("Silver Space (1950) is a") and says in answer


def facts_for(tools, *titles):
    catalog, facts, *_ = tools
    items = [by_title(catalog, t) for t in titles]
    return grounding.Facts({i.id for i in items}, {g for i in items for g in i.genres},
                           " ".join(facts.sheet(i).known_text() for i in items))


@pytest.mark.parametrize("sentence, kept", [
    ("Silver Space is a sci-fi pick you might enjoy.", True),
    ("Hope you enjoy it!", True),
    ("It is a film about starships and distant planets.", True),        # the description says so
    ("Golden Space is great too.", False),                              # a title not in play
    ("It tells the story of a man named Jack.", False),                 # an invented plot and name
    ("It came out in 1999.", False),                                    # a year the facts do not hold
    ("A thrilling horror film.", False),                                # a genre it does not have
    ("Directed by Steven Spielberg.", False),
    ("It explores themes of love, friendship and the human condition.", False),
])
def test_the_check_keeps_only_sentences_the_facts_back(tools, sentence, kept):
    _, _, _, _, reader = tools
    text = grounding.check(sentence, facts_for(tools, "Silver Space"), reader.titles, reader.lexicon, {"film"})
    assert (text == sentence) is kept


def test_every_drop_is_counted(tools):
    _, _, _, _, reader = tools
    before = dict(grounding.STATS)
    grounding.check("Hope you enjoy it! It is about a detective in Paris.", facts_for(tools, "Silver Space"),
                    reader.titles, reader.lexicon)
    assert grounding.STATS["sentences"] - before.get("sentences", 0) == 2
    assert grounding.STATS["dropped"] - before.get("dropped", 0) == 1
