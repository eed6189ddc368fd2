"""Reactions to shown items: which item a message is about is looked up; what it says of it is learned."""

import pytest

from catalog import Item
from chat_app.reactions import Target, context, default_model, shown_targets, title_span

SHOWN = [Item(-1 - n, f"s{n}", title, 1990 + n, (), "") for n, title in
         enumerate(["The Godfather", "Heat", "It", "Toy Story"])]


def about(message, shown=SHOWN):
    return [t.item.title for t in shown_targets(message, shown)]


@pytest.mark.parametrize("message, items", [
    ("seen the godfather already", ["The Godfather"]),
    ("the second one sounds great", ["Heat"]),
    ("I've seen all of them", ["The Godfather", "Heat", "It", "Toy Story"]),
    ("loved that one!", ["Toy Story"]),                 # a singular pronoun: the latest shown
    ("hmm, do you have anything from the 80s?", []),    # about none of them
    ("I can't stand It", ["It"]),                       # a short title only as written
    ("Great choices!", ["The Godfather", "Heat", "It", "Toy Story"]),
    ("I didnt like the scary ones.", ["The Godfather", "Heat", "It", "Toy Story"]),
    ("not interested in the 2 films you suggested", ["The Godfather", "Heat", "It", "Toy Story"]),
])
def test_which_shown_item_a_message_is_about(message, items):
    assert about(message) == items


def test_with_one_item_shown_the_message_is_about_it():
    assert about("seen it, meh", SHOWN[:1]) == ["The Godfather"]
    assert shown_targets("seen, meh", SHOWN[:1])[0].spans == ()


def test_a_title_is_found_with_a_slip_but_a_short_word_only_as_written():
    assert title_span("loved the godfahter", "The Godfather") is not None
    assert title_span("i can't do it tonight", "It") is None


def test_the_context_writes_the_item_as_it_and_keeps_its_own_clause():
    text = "I like the second one, but I can't stand It"
    heat, it = shown_targets(text, SHOWN[:3])[0], shown_targets(text, SHOWN[:3])[1]
    assert context(text, heat, []).startswith("__shown__ I like  it") and "stand" not in context(text, heat, [])
    assert "can't stand  it" in context(text, it, [])


@pytest.mark.parametrize("message, kind", [
    ("seen it already", "seen"),
    ("I'll watch that one tonight, thanks", "chosen"),
    ("what is it about?", "asked"),
    ("not my thing, too violent", "disliked"),
])
def test_the_shipped_model_reads_plain_reactions(message, kind):
    model = default_model()
    target = Target(SHOWN[0], (), True)
    assert kind in model.kinds([context(message, target, [])])[0]
