"""The message reader and the dialogue state, table-driven over the tiny synthetic catalog.

Titles there: "<Word> Space" (Sci-Fi, Adventure), "<Word> Love" (Romance, Drama), "<Word> Fear" (Horror,
Thriller) for Silver, Last, Quiet, Red, Broken, Golden, Night, Lost, Bright, Cold, Wild, Dark; years 1950-1994.
"""

from dataclasses import replace

import pytest

from catalog.domain import load_domain
from chat_app.agent import unknown_notes
from chat_app.reader import MessageReader
from chat_app.state import Change, Wishes


@pytest.fixture(scope="module")
def reader(tiny_catalog):
    return MessageReader(tiny_catalog, load_domain("movies"))


@pytest.fixture(scope="module")
def ids(tiny_catalog):
    return {item.title: item.id for item in tiny_catalog.all_items()}


def after(reader, messages, shown=()):
    """The wishes after reading each message in turn, as the agent carries them."""
    wishes, previous = Wishes(), Wishes()
    for message in messages:
        change = reader.read(message, wishes, list(shown))
        new = change.apply(wishes, previous)
        if new != wishes:
            previous, wishes = wishes, new
    return wishes


STATES = [
    # (messages, expected slots)
    (["some scifi please"], {"genres": ("Sci-Fi",)}),
    (["science fiction, but nothing scary"], {"genres": ("Sci-Fi",), "exclude_genres": ("Horror",)}),
    (["a romance would be nice", "pre-1960 if you can"], {"genres": ("Romance",), "year_max": 1959}),
    (["nothing later than 1985"], {"year_max": 1985, "year_min": None}),
    (["nothing older than 1970"], {"year_min": 1970, "year_max": None}),
    (["nothing before the 70s"], {"year_min": 1970}),
    (["after 1970"], {"year_min": 1971}),
    (["from 1962"], {"year_min": 1962, "year_max": 1962}),
    (["between 1960 and 1965"], {"year_min": 1960, "year_max": 1965}),
    (["early 80s"], {"year_min": 1980, "year_max": 1984}),
    (["the sixties or seventies"], {"year_min": 1960, "year_max": 1979}),
    (["de los ochenta"], {"year_min": 1980, "year_max": 1989}),
    (["old classics"], {"year_max": 1979}),
    (["thrillers from the 80s", "the year doesn't matter anymore"], {"genres": ("Thriller",), "year_min": None,
                                                                      "year_max": None}),
    (["romance", "let's switch to horror"], {"genres": ("Horror",)}),
    (["romance", "westerns instead"], {"genres": ("Romance",)}),  # no Western in this catalog: nothing to switch to
    (["romance", "maybe some scifi too"], {"genres": ("Romance", "Sci-Fi")}),
    (["romance and horror", "I don't care about horror anymore"], {"genres": ("Romance",), "exclude_genres": ()}),
    (["no horror pls", "actually horror is fine"], {"genres": ("Horror",), "exclude_genres": ()}),
    (["not into horror, i want dramas"], {"genres": ("Drama",), "exclude_genres": ("Horror",)}),
    (["romance from the 80s", "something completely different"], {"genres": (), "year_min": None}),
    (["romance", "from the 60s", "forget that"], {"genres": ("Romance",), "year_min": None}),
    (["romance", "hmm scratch that"], {"genres": ()}),
    (["just give me 3 romances"], {"genres": ("Romance",), "count": 3}),
    (["horror", "two is enough"], {"count": 2}),
    (["ich liebe horrorfilme"], {"genres": ("Horror",)}),
    (["quelque chose de drôle des années 80"], {"year_min": 1980, "year_max": 1989}),
    (["documentry pls"], {"genres": ()}),  # no Documentary here: a typo of an absent genre adds nothing
    (["my kids love scary stuff"], {"genres": ("Horror",)}),
    (["algo de los 90"], {"year_min": 1990, "year_max": 1999}),
    (["pas avant 1985 s'il vous plaît"], {"year_min": 1985, "year_max": None}),
    (["no antes de 1970"], {"year_min": 1970, "year_max": None}),
    (["horror", "Fünf Vorschläge reichen"], {"count": 5}),
    (["horror", "quatre suffisent"], {"count": 4}),
    (["romance", "Ah, und Drama wäre auch okay"], {"genres": ("Romance", "Drama")}),
    (["romance", "okay, horror then"], {"genres": ("Horror",)}),
    (["something from the 90s", "sorry I meant the 70s not the 90s"], {"year_min": 1970, "year_max": 1979}),
    (["romance", "wait, I said romance? I meant horror"], {"genres": ("Horror",)}),
    (["since 1990 I mean"], {"year_min": 1990}),
    (["something old, honestly"], {"year_max": 1979}),
    (["from 1970 or later"], {"year_min": 1970, "year_max": None}),
    (["Silver Space was too scary"], {"genres": (), "exclude_genres": ()}),
    (["romance", "also keep it away from horror"], {"genres": ("Romance",), "exclude_genres": ("Horror",)}),
    (["something edge of my seat"], {"genres": ("Thriller",)}),
    (["the era of black and white, so before 1960"], {"year_max": 1959}),
    (["anything good between 65 and 75?"], {"year_min": 1965, "year_max": 1975}),
    (["I'm after 70s dramas"], {"genres": ("Drama",), "year_min": 1970, "year_max": 1979}),
    (["Und nichts nach 1985."], {"year_min": None, "year_max": 1985}),
    (["horror", "Bitte fünf Vorschläge."], {"count": 5}),
    (["horror", "change of plan: romance"], {"genres": ("Romance",)}),
    (["terror por favor", "mejor cambiemos: ciencia ficción en vez de terror"], {"genres": ("Sci-Fi",)}),
    (["Also one of them hates horror so no horror."], {"count": None, "exclude_genres": ("Horror",)}),
    (["pre-war, before 1939 I mean. Right now I want romance."], {"year_max": 1938, "genres": ("Romance",)}),
    (["anything but horror or romance please"], {"genres": (), "exclude_genres": ("Horror", "Romance")}),
    (["no horror pls", "oh go on, I don't mind horror after all"], {"genres": (), "exclude_genres": ()}),
    (["no dramas", "scrap the no-drama thing, a bit of drama is fine"], {"genres": (), "exclude_genres": ()}),
    (["romance, but skip the horror films"], {"genres": ("Romance",), "exclude_genres": ("Horror",)}),
    (["a romance that isn't a horror"], {"genres": ("Romance",), "exclude_genres": ("Horror",)}),
    (["nothing newer than 1985", "not older than 1975 tho"], {"year_min": 1975, "year_max": 1985}),
    (["nothing newer than 1985", "actually after 1990"], {"year_min": 1991, "year_max": None}),
    (["romance", "smth totally different"], {"genres": ()}),
    (["romance and horror", "dont care abt horror anymore"], {"genres": ("Romance",)}),
    (["romance", "nvm that"], {"genres": ()}),
    (["half a dozen thrillers"], {"genres": ("Thriller",), "count": 6}),
    (["nothing too scary for the little one please"], {"count": None}),
    (["something for my 6 year old"], {"count": None}),
    (["scray movies from the 80s"], {"genres": ("Horror",), "year_min": 1980}),
    (["nothing before '85 please"], {"year_min": 1985, "count": None}),
    (["Liebesfilme aus den Achtzigern"], {"genres": ("Romance",), "year_min": 1980, "year_max": 1989}),
    (["recent stuff please, I'm over the old stuff"], {"year_min": 1995, "year_max": None}),
    (["not horror though, I mean proper suspense"], {"genres": ("Thriller",), "exclude_genres": ("Horror",)}),
    (["I didn't like Red Love, too much romance"], {"genres": ()}),
    (["I'm in the mood for a romance - no wait, a horror"], {"genres": ("Horror",)}),
    (["romance and horror", "OK, we've settled it: romance only."], {"genres": ("Romance",)}),
    (["I'm not in the mood for anything with romance in it"], {"genres": (), "exclude_genres": ("Romance",)}),
    (["something set in space, but no scifi"], {"genres": (), "exclude_genres": ("Sci-Fi",)}),
    (["romance", "hmm, no, go back to horror"], {"genres": ("Horror",)}),
    (["I don't really like horror movies"], {"genres": (), "exclude_genres": ("Horror",)}),
    (["a thriller but not too scary?"], {"genres": ("Thriller",), "exclude_genres": ("Horror",)}),
    (["We don't want anything rated R or horror."], {"genres": (), "exclude_genres": ("Horror",)}),
    (["I haven't seen a lot of horror movies because they terrify me"], {"genres": (), "exclude_genres": ("Horror",)}),
    (["I love horror but it scares me a bit"], {"genres": ("Horror",), "exclude_genres": ()}),
    (["I'm not sure, maybe a thriller or a romance"], {"genres": ("Thriller", "Romance"), "exclude_genres": ()}),
]


@pytest.mark.parametrize("messages,expected", STATES, ids=[" / ".join(m) for m, _ in STATES])
def test_state_after_messages(reader, messages, expected):
    wishes = after(reader, messages)
    for slot, value in expected.items():
        got = getattr(wishes, slot)
        assert (tuple(sorted(got)) if isinstance(got, tuple) else got) == \
               (tuple(sorted(value)) if isinstance(value, tuple) else value), slot


TITLES = [
    ("I adore silver space, last love and quiet fear", {"liked": ["Silver Space", "Last Love", "Quiet Fear"]}),
    ("What would a fan of Golden Love enjoy?", {"liked": ["Golden Love"]}),
    ("i hated Red Fear but loved Red Love", {"liked": ["Red Love"], "disliked": ["Red Fear"]}),
    ("something like Broken Space", {"similar_to": ["Broken Space"]}),
    ("couldn't stand night love", {"disliked": ["Night Love"]}),
    ("cold fear was way too gross", {"disliked": ["Cold Fear"]}),
    ("silvr spacе and lost love were great", {"liked": ["Silver Space", "Lost Love"]}),
    ("no me gustó nada Red Fear", {"disliked": ["Red Fear"]}),
    ("Quiet Love mochte ich gar nicht", {"disliked": ["Quiet Love"]}),
    ("However, I found Golden Space rather tedious.", {"disliked": ["Golden Space"]}),
    ("we liked Red Love, a friend hated Red Fear", {"liked": ["Red Love"], "disliked": ["Red Fear"]}),
    ("no cheesy stuff like Cold Fear", {"disliked": ["Cold Fear"]}),
    ("forget Silver Space, my sister liked it not me", {"forget": ["Silver Space"]}),
    ("smth like broken space", {"similar_to": ["Broken Space"]}),  # shorthand before a title keeps its clause
    ("nvm, i hated Red Fear and loved Red Love", {"liked": ["Red Love"], "disliked": ["Red Fear"]}),
    ("Like Red Love - wait, no, I mean like Cold Fear.", {"similar_to": ["Cold Fear"]}),
    ("why Silver Space?", {}),
    ("I haven't seen Red Love but I hated Red Fear", {"disliked": ["Red Fear"]}),  # not seen is no taste
    ("Cold Fear I have not seen", {}),
    ("tell me about wild love", {}),
]


@pytest.mark.parametrize("message,expected", TITLES, ids=[m for m, _ in TITLES])
def test_titles_are_sorted_by_what_the_user_says_of_them(reader, ids, message, expected):
    change = reader.read(message)
    for slot in ("liked", "disliked", "similar_to", "forget"):
        assert sorted(change.__dict__[slot]) == sorted(ids[t] for t in expected.get(slot, [])), slot


def test_i_meant_another_title_takes_the_last_one_back(reader, ids):
    wishes = after(reader, ["romance please", "I loved Silver Space", "sorry, I meant Golden Space"])
    assert wishes.liked == (ids["Golden Space"],) and wishes.genres == ("Romance",)


def test_forgetting_a_title_takes_it_out_of_the_wishes(reader, ids):
    wishes = after(reader, ["I loved Silver Space and Red Love", "forget silver space, my sister liked it not me"])
    assert wishes.liked == (ids["Red Love"],)


@pytest.mark.parametrize("message", ["I loved The Zorblax Chronicles", "my favourite is \"Moon Bandits\""])
def test_unknown_titles_are_reported_not_guessed(reader, message):
    change = reader.read(message)
    assert change.unknown_titles and not change.liked


@pytest.mark.parametrize("message", ["something for tonight", "a lost cause, this weather", "i love a quiet night",
                                     "red wine and a cold night", "hello"])
def test_ordinary_words_are_not_titles(reader, message):
    assert reader.titles.find(message) == []


def test_references_to_picks(reader, tiny_catalog):
    shown = tiny_catalog.all_items()[:5]
    assert reader.read("more like the second one", shown=shown).similar_to == [shown[1].id]
    assert reader.read("not the first one please", shown=shown).disliked == [shown[0].id]
    older = reader.read("something older", shown=shown)
    assert older.year_max == min(i.year for i in shown) - 1


@pytest.mark.parametrize("message", ["any more?", "anything else?", "other suggestions in that vein?", "keep going"])
def test_asking_for_more_changes_nothing_but_asks(reader, message):
    change = reader.read(message, Wishes(genres=("Romance",)))
    assert change.more and not change.changes_wishes()


def test_a_huge_or_odd_message_is_read_quickly_and_safely(reader):
    reader.read("x" * 50_000 + " silver space")
    reader.read("\ud800 odd \x00 unicode ✨ 𝔰𝔠𝔦𝔣𝔦")


def test_named_items_are_never_recommended_back():
    wishes = Wishes(liked=(1,), disliked=(2,), similar_to=(3,))
    query = wishes.query(None, exclude=sorted(wishes.named_items))
    assert set(query.exclude) == {1, 2, 3}


def test_undo_returns_the_previous_state():
    first, second = Wishes(genres=("Romance",)), Wishes(genres=("Romance",), year_min=1960, year_max=1969)
    assert Change(undo=True).apply(second, first) == first


def test_feedback_moves_an_item_between_likes_and_dislikes():
    wishes = Wishes(liked=(1, 2)).like(2, False)
    assert wishes.liked == (1,) and wishes.disliked == (2,)
    assert wishes.without("disliked", "2").disliked == ()


def test_the_llm_reader_is_grounded_and_combined_only_where_the_rules_found_nothing(tiny_catalog, ids):
    import json

    from chat_app.llm.fake import FakeChatModel
    from chat_app.llm_reader import LLMReader, combine

    rules = MessageReader(tiny_catalog, load_domain("movies"))
    answer = {"wanted_genres": ["Horror"], "unwanted_genres": [], "year_min": 1960, "year_max": 3000,
              "liked_titles": ["Silver Space", "The Zorblax Chronicles"], "disliked_titles": [], "count": 99,
              "start_over": False}
    model = LLMReader(FakeChatModel(reply=lambda m: json.dumps(answer)), tiny_catalog, load_domain("movies"), rules)
    change = model.read("whatever")
    assert change.genres == ["Horror"] and change.year_min == 1960 and change.year_max is None
    assert change.liked == [ids["Silver Space"]] and change.unknown_titles == ["The Zorblax Chronicles"]
    assert change.count is None  # 99 picks is no count
    merged = combine(rules.read("romance please"), change)
    assert merged.genres == ["Romance"] and merged.liked == [ids["Silver Space"]]
    broken = LLMReader(FakeChatModel(reply=lambda m: "no json here"), tiny_catalog, load_domain("movies"), rules)
    assert not broken.read("whatever").changes_wishes()


MOVIELENS_MENTIONS = [
    ("really liked monty python's life of brian", ["Monty Python's Life of Brian"]),
    ("My favorite movies are alien and glory.", ["Alien", "Glory"]),
    ("big star wars fan here", ["Star Wars"]),
    ("a comedy, but not the stupid one", []),
    ("something in the vein of fargo", ["Fargo"]),
    ("me gustó mucho Laura y Sunset Boulevard", ["Laura", "Sunset Blvd."]),
    ("loved heat, casino and goodfellas", ["Heat", "Casino", "GoodFellas"]),
    ("like die hard 3 or speed", ["Die Hard: With a Vengeance", "Speed"]),
    ("star trek 2 was great", ["Star Trek: The Wrath of Khan"]),
    ("oh not dumb & dumber though", ["Dumb & Dumber"]),
    ("a film for my son's sleepover", []),
    ("soldiers, World War II ideally", []),
    ("i liekd gattaca and contact alot", ["Gattaca", "Contact"]),
    ("Ach, lass die Komödie", []),
    ("something like shawshank", ["The Shawshank Redemption"]),
    ("loved raiders of the lost ark and the last crusade", ["Raiders of the Lost Ark",
                                                            "Indiana Jones and the Last Crusade"]),
    ("loved the abyss and e.t.", ["The Abyss", "E.T. the Extra-Terrestrial"]),
    ("star trek 6 and star trek 4 both great", ["Star Trek VI: The Undiscovered Country",
                                                "Star Trek IV: The Voyage Home"]),
    ("godfather 1 and 2 ❤️", ["The Godfather", "The Godfather: Part II"]),
    ("and the original sabrina, the audrey hepburn one", ["Sabrina"]),
    ("not a fan of musicals though", []),
    ("not war tho", []),
    ("Actually forget the war part", []),
    ("Not Home Alone though, the kids hated it.", ["Home Alone"]),
    ("I want a scary film for Halloween, like Scream.", ["Scream"]),
    ("I'd like a love story and a true story", []),
    ("And Chinatown, of course.", ["Chinatown"]),
    ("The second Godfather film is a masterpiece.", ["The Godfather: Part II"]),
    ("But definitely no horror, I can't sleep after.", []),
    ("Twilight (1998) was good", ["Twilight"]),
    ("I have not seen The Naked Gun: From the Files of Police Squad!", []),  # the catalog has only the third
    ("loved Mission: Impossible - Fallout", []),
    ("have you seen Halloween Resurrection?", []),                            # no slip of Alien: Resurrection
    ("I saw Annihilation recently, liked it a lot", []),                      # not Mortal Kombat: Annihilation
    ("loved Mission: Impossible and Heat - great films", ["Mission: Impossible", "Heat"]),
    ("No way, I'm definitely not a fan.", []),                                # a fan, not The Fan
    ("loved a bronx tale", ["A Bronx Tale"]),
    ("Know anything that's not too heavy?", []),                              # an adjective, not Heavy
    ("They are not as good as everyone says", []),                            # not Everyone Says I Love You
    ("something like butch cassidy", ["Butch Cassidy and the Sundance Kid"]),
]


@pytest.mark.parametrize("word,year", [("older", 1962), ("original", 1962), ("newer", 1991), ("1962", 1962)])
def test_a_version_word_picks_among_same_titles(ml100k_catalog, word, year):
    reader = MessageReader(ml100k_catalog, load_domain("movies"))
    change = reader.read(f"I loved the {word} Cape Fear")
    assert [ml100k_catalog.item(i).year for i in change.liked] == [year]
    assert change.year_min is None and change.year_max is None  # the version word is no era


@pytest.mark.parametrize("message,titles", MOVIELENS_MENTIONS, ids=[m for m, _ in MOVIELENS_MENTIONS])
def test_titles_named_in_free_text_on_movielens(ml100k_catalog, message, titles):
    reader = MessageReader(ml100k_catalog, load_domain("movies"))
    assert [m.item.title for m in reader.titles.find(message)] == titles


@pytest.mark.parametrize("message", ["No, I have never seen it.", "I havent seen that one", "haven't seen it yet"])
def test_not_having_seen_a_pick_is_no_dislike(reader, tiny_catalog, message):
    pick = tiny_catalog.item(1)
    change = reader.read(message, shown=[pick])
    assert pick.id not in change.disliked and pick.id not in change.seen
    assert not any("disliked" in r["kinds"] for r in change.reactions)


@pytest.fixture(scope="module")
def namesake_reader(tiny_catalog, ids):
    """"Red Fear" is also the name of a later film that people usually mean; "Cold Love" of one that may be meant."""
    label = {item.title: item.label for item in tiny_catalog.all_items()}
    films = ({"catalog": label["Red Fear"], "newer": [{"title": "Red Fear", "year": 2015}], "usually": "newer"},
             {"catalog": label["Cold Love"], "newer": [{"title": "Cold Love", "year": 2011}], "usually": "either"})
    return MessageReader(tiny_catalog, replace(load_domain("movies"), namesakes=films))


def test_a_name_a_later_film_usually_has_is_left_out_and_said(namesake_reader, ids):
    change = namesake_reader.read("I loved Red Fear and Silver Space")
    assert change.liked == [ids["Silver Space"]] and ids["Red Fear"] not in change.mentioned
    assert [(n["later"], n["linked"]) for n in change.namesakes] == [("Red Fear (2015)", False)]
    assert not change.unknown_titles
    assert "Red Fear (2015), which is not in the catalog" in " ".join(unknown_notes(change, "movie"))


def test_a_name_either_film_may_have_is_taken_and_said(namesake_reader, ids):
    change = namesake_reader.read("I loved Cold Love")
    assert change.liked == [ids["Cold Love"]] and change.namesakes[0]["linked"]
    assert "I took “Cold Love” to be" in unknown_notes(change, "movie")[0]


@pytest.mark.parametrize("message,taken", [("I loved the original Red Fear", True), ("I loved Red Fear ({year})", True),
                                           ("I loved the 2015 Red Fear", False), ("I loved the new Cold Love", False)])
def test_a_year_or_version_word_decides_between_namesakes(namesake_reader, tiny_catalog, ids, message, taken):
    title = "Red Fear" if "Red" in message else "Cold Love"
    change = namesake_reader.read(message.format(year=tiny_catalog.item(ids["Red Fear"]).year))
    assert (ids[title] in change.liked) is taken


def test_a_shown_pick_is_the_catalog_film_whatever_its_name(namesake_reader, tiny_catalog, ids):
    change = namesake_reader.read("I loved Red Fear", shown=[tiny_catalog.item(ids["Red Fear"])])
    assert ids["Red Fear"] in change.liked and not change.namesakes


@pytest.mark.parametrize("message,judged", [
    ("I have seen that one, it was good! Funny and entertaining", True),   # a genre word in a reaction
    ("I didnt like the scary ones.", True),
    ("It should be horror", False),                                          # a wish with a bare "it"
    ("Oh, and Golden Love! Loved that one.", False),                         # the pronoun is the title's
    ("if it helps, I adored Golden Love as well", False),
])
def test_a_pronoun_beside_a_wish_or_another_title_says_nothing_of_the_pick(reader, tiny_catalog, message, judged):
    picks = [tiny_catalog.item(1), tiny_catalog.item(2)]
    change = reader.read(message, shown=picks)
    said = {kind for r in change.reactions for kind in r["kinds"]} & {"liked", "disliked"}
    assert bool(said) == judged
