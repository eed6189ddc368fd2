"""The groundedness benchmark's claim extractor (benchmarks/claims.py) on hand-written true and false sentences,
over the tiny synthetic catalog (tests/synthetic.py: 36 films in three clusters, 30 users who rate their own
cluster 4-5 and three others 1-2)."""

from __future__ import annotations

import pytest

from benchmarks import claims as C


@pytest.fixture(scope="module")
def checker(tiny_catalog):
    return C.ClaimChecker(tiny_catalog)


@pytest.fixture(scope="module")
def by_title(tiny_catalog):
    return {item.title: item for item in tiny_catalog.all_items()}


def card(item, reason="") -> dict:
    return {"id": item.id, "title": item.title, "year": item.year, "genres": list(item.genres), "reason": reason}


def bad(claims) -> list:
    return [c for c in claims if not c.supported]


def kinds(claims) -> list[str]:
    return sorted(c.kind for c in bad(claims))


# --- sentences ------------------------------------------------------------------------------------------
def test_sentences_keep_abbreviations_decimals_and_list_lines():
    text = "E.T. the Extra-Terrestrial is rated 4.2/5. Dr. No is older!\n1. Silver Space (1950): A film. Fine."
    assert C.split_sentences(text) == ["E.T. the Extra-Terrestrial is rated 4.2/5.", "Dr. No is older!",
                                       "1. Silver Space (1950): A film.", "Fine."]


# --- titles and years ---------------------------------------------------------------------------------
def test_a_catalog_title_with_its_year_is_supported(checker, by_title):
    item = by_title["Silver Space"]
    claims = checker.check_reply("Silver Space (1950) is a sci-fi adventure.", [card(item)], ["tell me about it"])
    assert not bad(claims)
    assert {"title", "year", "genre"} <= {c.kind for c in claims}


def test_a_wrong_year_beside_a_title_is_unsupported(checker, by_title):
    item = by_title["Silver Space"]
    claims = checker.check_reply("Silver Space (1951) is worth a look.", [card(item)], ["x"])
    assert [c.text for c in bad(claims)] == ["Silver Space (1951)"]


def test_a_wrong_year_for_the_subject_is_unsupported(checker, by_title):
    item = by_title["Dark Fear"]
    assert not bad(checker.check_reply("It came out in 1996.", [card(item)], ["x"]))
    assert kinds(checker.check_reply("It came out in 1987.", [card(item)], ["x"])) == ["year"]


def test_a_title_the_catalog_lacks_is_unsupported(checker):
    claims = checker.check_reply('If you liked Inception, try "The Matrix" (1999) too.', [], ["hello"])
    assert sorted(c.text for c in bad(claims)) == ["Inception", "The Matrix"]


def test_a_title_written_in_the_title_words_is_not_a_descriptor(checker, by_title):
    item = by_title["Dark Fear"]  # 'dark' is a mood word, but here it is part of the title
    claims = checker.check_reply("Dark Fear is a horror film.", [card(item)], ["x"])
    assert not bad(claims)


# --- genres -------------------------------------------------------------------------------------------
def test_a_genre_the_item_lacks_is_unsupported(checker, by_title):
    item = by_title["Silver Space"]
    claims = checker.check_reply("Silver Space is a horror film.", [card(item)], ["x"])
    assert [(c.kind, c.text) for c in bad(claims)] == [("genre", "horror")]


def test_a_list_introduced_with_the_wrong_genre_is_unsupported(checker, by_title):
    cards = [card(by_title[t]) for t in ("Silver Space", "Last Space", "Quiet Space")]
    assert not bad(checker.check_reply("Here are three sci-fi picks for you.", cards, ["sci-fi please"]))
    claims = checker.check_reply("Here are five second-generation comedies for you.", cards, ["sci-fi please"])
    assert kinds(claims) == ["genre", "number"]


def test_a_wish_the_person_never_made_is_unsupported(checker, by_title):
    item = by_title["Silver Space"]
    said = checker.check_reply("It fits what you asked for: sci-fi.", [card(item)], ["some sci-fi please"])
    assert not bad(said)
    unsaid = checker.check_reply("It fits what you asked for: adventure.", [card(item)], ["some sci-fi please"])
    assert kinds(unsaid) == ["genre"]


# --- people and content -------------------------------------------------------------------------------
def test_a_director_and_a_character_the_data_lacks_are_unsupported(checker, by_title):
    item = by_title["Silver Space"]
    claims = checker.check_reply("Silver Space was directed by Steven Spielberg and follows a man named Jack.",
                                 [card(item)], ["who directed it?"])
    assert {"Steven Spielberg", "Jack"} <= {c.text for c in bad(claims) if c.kind == "person"}
    assert any(c.kind == "descriptor" and "crew" in c.text for c in bad(claims))


def test_saying_the_catalog_does_not_record_something_is_supported(checker, by_title):
    item = by_title["Silver Space"]
    for text in ("The catalog doesn't say who directed it.", "I don't know how long it is or who is in the cast.",
                 "I don't know that movie: it is not in the catalog."):
        assert not bad(checker.check_reply(text, [card(item)], ["who directed it?"])), text


def test_only_the_clause_that_says_so_is_a_meta_statement(checker, by_title):
    item = by_title["Silver Space"]
    claims = checker.check_reply("I don't know who directed it, but it is very violent.", [card(item)], ["x"])
    assert [c.text for c in bad(claims)] == ["violence: violent"]


def test_descriptors_in_the_items_own_text_or_implied_by_its_genres_are_supported(checker, by_title):
    love = by_title["Red Love"]  # 'two people falling in love in a small town'; Romance|Drama
    assert not bad(checker.check_reply("It is a romantic story set in a small town.", [card(love)], ["x"]))
    fear = by_title["Quiet Fear"]  # Horror|Thriller
    assert not bad(checker.check_reply("Quiet Fear is scary and suspenseful.", [card(fear)], ["x"]))


def test_plot_and_themes_the_catalog_has_no_text_for_are_unsupported(checker, by_title):
    item = by_title["Silver Space"]
    claims = checker.check_reply("It tells the story of a lonely pilot and explores themes of friendship.",
                                 [card(item)], ["what's it about?"])
    assert kinds(claims) == ["descriptor", "descriptor"]
    assert kinds(checker.check_reply("Silver Space is a funny film.", [card(item)], ["x"])) == ["descriptor"]


def test_content_said_of_no_item_is_unsupported_and_small_talk_claims_nothing(checker):
    drift = checker.check_reply("It's a classic that explores themes of love, family, and the dangers of violence.",
                                [], ["what can you do?"])
    assert bad(drift)
    hello = checker.check_reply("Hi! I'm CineBot. I can recommend films and tell you about them. What do you like?",
                                [], ["hi"])
    assert hello == []


def test_questions_claim_nothing(checker, by_title):
    item = by_title["Silver Space"]
    assert checker.check_reply("Would you like something scarier and more violent?", [card(item)], ["x"]) == []


# --- ratings, co-liking, standing ---------------------------------------------------------------------
def test_rating_counts_and_means_are_checked_against_the_interactions(checker, by_title):
    item = by_title["Silver Space"]
    count, mean = checker.count(item.id), checker.mean(item.id)
    assert not bad(checker.check_reply(f"It was rated by {count} users, {mean:.1f}/5 on average.", [card(item)], ["x"]))
    assert kinds(checker.check_reply(f"It was rated by {count + 7} users.", [card(item)], ["x"])) == ["rating"]
    wrong = 1.2 if mean > 3 else 4.8
    assert kinds(checker.check_reply(f"Its average rating is {wrong}.", [card(item)], ["x"])) == ["rating"]


def test_n_of_the_m_who_loved_x_also_loved_y(checker, by_title):
    x, y = by_title["Silver Space"], by_title["Last Space"]
    fans = checker.lovers(x.id)
    both = len(fans & checker.lovers(y.id))
    true = f"{both} of the {len(fans)} people who loved Silver Space also loved Last Space."
    false = f"{both + 1} of the {len(fans)} people who loved Silver Space also loved Last Space."
    assert not bad(checker.check_reply(true, [card(y)], ["x"]))
    assert kinds(checker.check_reply(false, [card(y)], ["x"])) == ["rating"]


def test_its_fans_liked_this_one_too_needs_people_who_loved_both(checker, by_title):
    same = checker.check_reply("You said you liked Silver Space, and its fans liked this one too.",
                               [card(by_title["Last Space"])], ["i loved silver space"])
    assert not bad(same) and any(c.kind == "similarity" for c in same)
    other = checker.check_reply("You said you liked Silver Space, and its fans liked this one too.",
                                [card(by_title["Dark Fear"])], ["i loved silver space"])
    assert kinds(other) == ["similarity"]
    unsaid = checker.check_reply("You said you liked Silver Space, and its fans liked this one too.",
                                 [card(by_title["Last Space"])], ["anything"])
    assert kinds(unsaid) == ["user_said"]


def test_acclaim_and_runtime_are_never_in_the_catalog(checker, by_title):
    item = by_title["Silver Space"]
    claims = checker.check_reply("It won an Oscar and runs 120 minutes.", [card(item)], ["is it long?"])
    assert kinds(claims) == ["descriptor", "number"]


def test_counts_of_cards_and_numbers_from_the_person(checker, by_title):
    cards = [card(by_title[t]) for t in ("Silver Space", "Last Space")]
    assert not bad(checker.check_reply("Here are 2 films to try.", cards, ["x"]))
    assert kinds(checker.check_reply("Here are 4 films to try.", cards, ["x"])) == ["number"]
    assert not bad(checker.check_reply("Here are 4 films to try.", cards, ["give me 4 films"]))


def test_ordinals_pick_the_subject_from_the_last_list(checker, by_title):
    shown = [by_title[t].id for t in ("Silver Space", "Red Love", "Dark Fear")]
    assert not bad(checker.check_reply("The third one is a horror film.", [], ["is the third scary?"], shown=shown))
    assert kinds(checker.check_reply("The second one is a horror film.", [], ["x"], shown=shown)) == ["genre"]


def test_card_reasons_not_in_the_text_are_checked(checker, by_title):
    item = by_title["Silver Space"]
    claims = checker.check_reply("Here you go.", [card(item, "A horror movie from 1950.")], ["x"])
    assert kinds(claims) == ["genre"]


def test_other_names_the_data_lacks_are_unsupported_and_names_in_the_title_are_not(checker, by_title):
    item = by_title["Silver Space"]
    claims = checker.check_reply("Silver Space follows Captain Dorothy across the Orion belt.", [card(item)], ["x"])
    assert {"Captain Dorothy", "Orion"} <= {c.text for c in bad(claims) if c.kind in ("person", "name")}
    assert not bad(checker.check_reply("It is a sci-fi film, like Silver Space itself.", [card(item)], ["x"]))


def test_how_the_bot_chose_is_not_a_claim_about_the_item(checker, by_title):
    cards = [card(by_title[t]) for t in ("Silver Space", "Last Space")]
    assert not bad(checker.check_reply("Based on your love for Silver Space, here are two more.", cards,
                                       ["i love silver space"]))


# --- the benchmark's own measures (no model) ------------------------------------------------------------
def test_shared_reason_sentences_and_gold_items():
    from benchmarks import eval_grounding as E

    same = {"intent": "recommend", "items": [
        {"id": 1, "title": "Red Sun", "genres": ["Drama"], "reason": "Red Sun is a drama from 1990. It fits your wish."},
        {"id": 2, "title": "Blue Moon", "genres": ["Drama"], "reason": "Blue Moon is a drama from 1991. It fits your wish."},
        {"id": 3, "title": "Sea", "genres": ["Comedy"], "reason": "Fans of Blue Moon loved it."}]}
    read = E.readability([same])
    assert (read["cards"], read["shared"], read["shared_masked"]) == (3, 2, 2)
    assert read["lengths"] == [11, 11, 6]
    different = {"intent": "recommend", "items": [
        {"id": 1, "title": "Red Sun", "genres": ["Drama"], "reason": "Red Sun is a drama from 1990."},
        {"id": 2, "title": "Blue Moon", "genres": ["Drama"], "reason": "Blue Moon is a drama from 1991."}]}
    assert (E.readability([different])["shared"], E.readability([different])["shared_masked"]) == (0, 2)
    assert E.gold_item({"say": "why the third one?", "kind": "explain"}, [7, 8, 9], None) == 9
    assert E.gold_item({"say": "why that one?", "kind": "explain"}, [7, 8, 9], 8) == 8
    assert E.gold_item({"say": "is it long?", "kind": "about", "expect": {"pick": 2}}, [7, 8, 9], None) == 8
    assert E.gold_item({"say": "x", "kind": "about", "expect": {"pick": 5}}, [7, 8, 9], None) is None


def test_the_conversations_file_is_large_enough():
    from benchmarks import eval_grounding as E

    conversations = E.load_conversations()
    turns = [t for c in conversations for t in c["turns"]]
    assert len(turns) >= 220
    assert sum(len(c["turns"]) for c in conversations if c["catalog"] == "bookshop") >= 30
    assert sum(1 for t in turns if t.get("marked")) >= 40
    assert {t["kind"] for t in turns} == {"recommend", "about", "explain", "chat"}
    assert all(t["say"] == t["say"].lower() or not t.get("marked") or t["say"][0].isupper() for t in turns)
