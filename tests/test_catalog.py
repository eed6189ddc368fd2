import contextlib
import io
import json
import os
import shutil
from pathlib import Path

import numpy as np
import pytest

import synthetic
from catalog import Catalog, CatalogError
from catalog.__main__ import main as catalog_cli
from catalog.build import build_catalog
from catalog.embeddings import embeddings_path, item_embeddings
from catalog.titles import normalize, split_title
from settings import Settings


def test_split_title_moves_the_article_and_reads_the_year():
    assert split_title("Godfather, The (1972)") == ("The Godfather", 1972)
    assert split_title("Toy Story (1995)") == ("Toy Story", 1995)
    assert split_title("Untitled") == ("Untitled", None)
    assert normalize("The Godfather") == "godfather"


def test_tiny_catalog_counts_and_fields(tiny_catalog):
    info = tiny_catalog.info()
    assert (info["items"], info["users"], info["interactions"]) == (36, 30, 330)
    item = tiny_catalog.item(1)
    assert item.title == "Silver Space" and item.year == 1950
    assert item.genres == ("Sci-Fi", "Adventure")
    assert item.attrs == {"studio": "Acme", "description": "A film about starships, distant planets and space travel."}
    assert "starships" in item.text and item.key == "m1"


def test_title_search_finds_exact_full_text_and_typos(tiny_catalog):
    assert tiny_catalog.resolve_title("silver space").title == "Silver Space"
    assert tiny_catalog.resolve_title("Silvr Spce").title == "Silver Space"
    assert tiny_catalog.resolve_title("The Matrix") is None
    titles = [item.title for item, _ in tiny_catalog.search("night", limit=3)]
    assert all("Night" in t for t in titles) and len(titles) == 3


TINY_REAL = {"silver space": "Silver Space", "SILVER SPACE": "Silver Space", "the golden fear": "Golden Fear",
             "Cold Spaec": "Cold Space", "night love": "Night Love", "Wild Love (1991)": "Wild Love",
             "wild love 1990": "Wild Love", "brokn love": "Broken Love"}
TINY_MADE_UP = ["The Zorblax Chronicles", "Tell me about The Zorblax Chronicles", "something funny", "a movie",
                "tonight", "night", "silver", "space", "Tell me about Silver Space", "Silver Space Returns",
                "Wild Love (1970)", "Purple Space", "The Matrix", ""]


def test_title_resolution_says_no_to_made_up_titles(tiny_catalog):
    assert {q: getattr(tiny_catalog.resolve_title(q), "title", None) for q in TINY_REAL} == TINY_REAL
    assert {q: tiny_catalog.resolve_title(q) for q in TINY_MADE_UP} == dict.fromkeys(TINY_MADE_UP)


def test_title_lookups_are_fast_and_take_any_text(tiny_catalog):
    import time

    odd = ["x" * 4000, "silver space " * 400, "Silver\ud800Space", "\x00\x07", "\U0010ffff", "🎬" * 100, "\u202e"]
    started = time.perf_counter()
    for text in odd:
        tiny_catalog.search(text)
        tiny_catalog.resolve_title(text)
    assert time.perf_counter() - started < 0.5
    assert tiny_catalog.resolve_title("Silver\ud800Space").title == "Silver Space"  # U+FFFD reads as a space


def test_history_is_oldest_first(tiny_catalog):
    history = tiny_catalog.history(1)
    assert len(history) == 11
    assert [ts for _, _, ts in history] == sorted(ts for _, _, ts in history)


def test_embeddings_are_stored_and_reused(tiny_catalog, encoder):
    path = embeddings_path(tiny_catalog.path)
    assert path.exists()

    class Counting:
        calls = 0

        def encode(self, texts):
            Counting.calls += len(texts)
            return encoder.encode(texts)

    ids, vectors = item_embeddings(tiny_catalog, Counting())
    assert Counting.calls == 0
    assert vectors.shape == (36, encoder.dim) and np.allclose(np.linalg.norm(vectors, axis=1), 1)
    assert list(ids) == list(tiny_catalog.item_ids)


def test_changed_item_text_is_re_encoded_alone(tmp_path, encoder):
    items, interactions = synthetic.write(tmp_path)
    settings = Settings(data_dir=tmp_path, source=str(items), interactions=interactions)
    build_catalog(settings, encoder=encoder)
    text = items.read_text().replace("Silver Space", "Silver Galaxy")
    items.write_text(text)
    seen = []

    class Recorder:
        def encode(self, texts):
            seen.extend(texts)
            return encoder.encode(texts)

    build_catalog(settings, encoder=Recorder())
    assert len(seen) == 1 and seen[0].startswith("Silver Galaxy")


def _build(tmp_path, files: dict[str, str | bytes], *extra: str) -> tuple[int, str, Path]:
    """Write ``files`` into ``tmp_path`` and run `catalog build` over an existing database there; return the
    exit code, stderr and the database path. The database must be untouched unless the build succeeds."""
    for name, content in files.items():
        path = tmp_path / name
        path.write_bytes(content if isinstance(content, bytes) else content.encode("utf-8"))
    db, previous = tmp_path / "catalog.db", tmp_path / "previous.csv"
    previous.write_text(HEADER + TINY_ITEMS_TEXT)
    assert _run_cli(["build", "--source", str(previous), "--db", str(db), "--no-embeddings"])[0] == 0
    before = db.read_bytes()
    args = ["build", "--source", str(tmp_path / next(iter(files))), "--db", str(db), "--no-embeddings"]
    if "interactions.csv" in files:
        args += ["--interactions", str(tmp_path / "interactions.csv")]
    if "mapping.json" in files:
        args += ["--mapping", str(tmp_path / "mapping.json")]
    rc, err = _run_cli(args + list(extra))
    if rc:
        assert db.read_bytes() == before
    assert list(tmp_path.glob("*.tmp*")) == []
    return rc, err, db


def _run_cli(args: list[str]) -> tuple[int, str]:
    err = io.StringIO()
    with contextlib.redirect_stderr(err), contextlib.redirect_stdout(io.StringIO()):
        rc = catalog_cli(args)
    return rc, err.getvalue()


TINY_ITEMS_TEXT = "".join(f"{r['id']},{r['title']},{r['year']},{r['genres']},{r['description'].replace(',', '')},"
                          f"{r['studio']}\n" for r in synthetic.items()[:3])
HEADER = "id,title,year,genres,description,studio\n"
INTERACTIONS = "user_id,item_id,rating,timestamp\n"
def _items(*rows: str) -> str:
    return HEADER + TINY_ITEMS_TEXT + "".join(row + "\n" for row in rows)


def _interactions(*rows: str) -> str:
    return INTERACTIONS + "".join(row + "\n" for row in rows)


# Each bad input from issue 13 and its neighbours: the files, extra CLI arguments, and the one line expected.
BAD_INPUTS = {
    "latin-1 bytes": ({"items.csv": _items("m9,Am\xe9lie,2001,Comedy,x,Acme").encode("latin-1")}, (),
                      "items.csv line 5 is not valid UTF-8; pass --encoding latin-1"),
    "unknown encoding": ({"items.csv": _items()}, ("--encoding", "klingon"), "unknown text encoding 'klingon'"),
    "year inf": ({"items.csv": _items("m9,Odd,inf,Drama,x,Acme")}, (),
                 "line 5, column 'year': year 'inf' is not a finite number"),
    "year 1e30": ({"items.csv": _items("m9,Odd,1e30,Drama,x,Acme")}, (), "year '1e30' is outside 1800..2100"),
    "year -50000": ({"items.csv": _items("m9,Odd,-50000,Drama,x,Acme")}, (), "year '-50000' is outside 1800..2100"),
    "year nan": ({"items.csv": _items("m9,Odd,nan,Drama,x,Acme")}, (), "year 'nan' is not a finite number"),
    "year 1999.5": ({"items.csv": _items("m9,Odd,1999.5,Drama,x,Acme")}, (), "year '1999.5' is not a whole number"),
    "year word": ({"items.csv": _items("m9,Odd,nineteen,Drama,x,Acme")}, (),
                  "line 5, column 'year': year 'nineteen' is not a number"),
    "rating 99": ({"items.csv": _items(), "interactions.csv": _interactions("u1,m1,99,1")}, (),
                  "interactions.csv line 2, column 'rating': rating '99' is outside 1..5"),
    "rating -7": ({"items.csv": _items(), "interactions.csv": _interactions("u1,m1,-7,1")}, (),
                  "rating '-7' is outside 1..5"),
    "rating inf": ({"items.csv": _items(), "interactions.csv": _interactions("u1,m1,inf,1")}, (),
                   "rating 'inf' is not a finite number"),
    "rating nan": ({"items.csv": _items(), "interactions.csv": _interactions("u1,m1,nan,1")}, (),
                   "rating 'nan' is not a finite number"),
    "rating 6 on a 1..5 mapping": ({"items.csv": _items(), "interactions.csv": _interactions("u1,m1,6,1"),
                                    "mapping.json": '{"interactions": {"rating_scale": [1, 5]}}'}, (),
                                   "rating '6' is outside 1..5"),
    "timestamp 1e30": ({"items.csv": _items(), "interactions.csv": _interactions("u1,m1,4,1e30")}, (),
                       "column 'timestamp': timestamp '1e30' is outside 0..4.10244e+09"),
    "timestamp -inf": ({"items.csv": _items(), "interactions.csv": _interactions("u1,m1,4,-inf")}, (),
                       "timestamp '-inf' is not a finite number"),
    "empty user": ({"items.csv": _items(), "interactions.csv": _interactions(" ,m1,4,1")}, (),
                   "line 2, column 'user_id': empty user"),
    "unknown item": ({"items.csv": _items(), "interactions.csv": _interactions("u1,m1,5,1", "u1,nope,4,2")}, (),
                     "line 3, column 'item_id': item 'nope' is not in the items file"),
    "empty id": ({"items.csv": _items("  ,Odd,1990,Drama,x,Acme")}, (), "line 5, column 'id': empty id"),
    "duplicate id": ({"items.csv": _items("m1,Again,1990,Drama,x,Acme")}, (), "duplicate id 'm1'"),
    "missing column": ({"items.csv": _items().replace("title", "name", 1)}, (), "missing column 'title'"),
    "header only": ({"items.csv": HEADER}, (), "no items"),
    "empty file": ({"items.csv": ""}, (), "the file is empty"),
    "duplicate column": ({"items.csv": _items().replace("studio", "title", 1)}, (), "names a column twice"),
    "more fields": ({"items.csv": _items("m9,Broken,1990,Drama,x,Acme,extra")}, (), "more fields than the header"),
    "fewer fields": ({"items.csv": _items("m9,Broken,1990")}, (), "line 5: 3 fields, fewer fields than the header"),
    "unclosed quote": ({"items.csv": _items('m9,"Open title,1990,Drama,x,Acme', *(f"m{n},T{n},1990,Drama,x,Acme"
                                                                                   for n in range(10, 60)))}, (),
                       "line 5: a quoted field that starts on this line is never closed"),
    "text after a quote": ({"items.csv": _items('m9,"Heat" (remake),1990,Drama,x,Acme')}, (),
                           "line 5: text follows a closing quote"),
    "quote swallowing rows": ({"items.csv": _items('m9,"Open,1990,Drama,x,Acme', 'm10,Shut",1990,Drama,x,Acme')},
                              (), "line 5, column 'title': the title runs over several lines"),
    "mapping not an object": ({"items.csv": _items(), "mapping.json": "[1, 2]"}, (),
                              "mapping.json: the mapping must be a JSON object, not list"),
    "mapping part not an object": ({"items.csv": _items(), "mapping.json": '{"items": "title"}'}, (),
                                   "\"items\" must be a JSON object of field -> column"),
    "mapping not JSON": ({"items.csv": _items(), "mapping.json": "{items:"}, (), "mapping.json: not valid JSON"),
    "empty genre separator": ({"items.csv": _items(), "mapping.json": '{"items": {"genre_separator": ""}}'}, (),
                              "\"items\".genre_separator must be a non-empty string"),
    "unknown mapping field": ({"items.csv": _items(), "mapping.json": '{"items": {"titel": "title"}}'}, (),
                              "unknown field 'titel' in \"items\""),
    "bad rating scale": ({"items.csv": _items(), "mapping.json": '{"interactions": {"rating_scale": [5, 1]}}'}, (),
                         "rating_scale must be [low, high] or \"any\""),
    "infinite rating scale": ({"items.csv": _items(),
                               "mapping.json": '{"interactions": {"rating_scale": [1, Infinity]}}'}, (),
                              "bound inf is not a finite number"),
    "domain not a name": ({"items.csv": _items(), "mapping.json": '{"domain": ["books"]}'}, (),
                          "\"domain\" must be a lower-case name"),
    "JSONL NaN year": ({"items.jsonl": '{"id": "a", "title": "A", "year": NaN}\n'}, (),
                       "items.jsonl line 1, column 'year': year nan is not a finite number"),
    "JSONL list id": ({"items.jsonl": '{"id": ["a"], "title": "A"}\n'}, (),
                      "line 1, column 'id': id ['a'] is not text"),
    "JSONL nested too deeply": ({"items.jsonl": '{"id": "a", "title": ' + "[" * 100_000 + "\n"}, (),
                                "items.jsonl line 1: not valid JSON"),
    "JSONL not an object": ({"items.jsonl": "[1]\n"}, (), "line 1: expected a JSON object"),
    "overlong title": ({"items.csv": _items("m9," + "x" * 400 + ",1990,Drama,x,Acme")}, (),
                       "the title is longer than 300 characters"),
    "unsupported file type": ({"items.xlsx": "x"}, (), "unsupported file type"),
}


@pytest.mark.parametrize("files, extra, message", BAD_INPUTS.values(), ids=BAD_INPUTS.keys())
def test_bad_input_gives_one_line_naming_the_place_and_keeps_the_old_db(tmp_path, files, extra, message):
    rc, err, _ = _build(tmp_path, files, *extra)
    assert rc == 1 and "Traceback" not in err and len(err.strip().splitlines()) == 1
    assert message in err, err


GOOD_INPUTS = {
    "latin-1 with --encoding": ({"items.csv": _items("m9,Am\xe9lie,2001,Comedy,x,Acme").encode("latin-1")},
                                ("--encoding", "latin-1"), "Amélie"),
    "byte order mark": ({"items.csv": "\ufeff" + _items("m9,Amélie,2001,Comedy,x,Acme")}, (), "Amélie"),
    "CRLF line ends": ({"items.csv": _items("m9,Amélie,2001,Comedy,x,Acme").replace("\n", "\r\n")}, (), "Amélie"),
    "quoted comma and newline in a description": (
        {"items.csv": _items('m9,"Amélie, the film",2001,Comedy,"two\nlines, ""quoted""",Acme')}, (),
        "Amélie, the film"),
    "lone surrogate and controls in JSONL": (
        {"items.jsonl": '{"id": "a", "title": "Am\\u00e9lie\\ud800 \\u0007 \\n  Two"}\n'}, (), "Amélie\ufffd Two"),
    "rating 9 on a 1..10 mapping": ({"items.csv": _items("m9,Amélie,2001,Comedy,x,Acme"),
                                     "interactions.csv": _interactions("u1,m9,9,1"),
                                     "mapping.json": '{"interactions": {"rating_scale": [1, 10]}}'}, (), "Amélie"),
    "rating -7 when the mapping allows any": ({"items.csv": _items("m9,Amélie,2001,Comedy,x,Acme"),
                                               "interactions.csv": _interactions("u1,m9,-7,1"),
                                               "mapping.json": '{"interactions": {"rating_scale": "any"}}'}, (),
                                              "Amélie"),
    "year 1605 in the mapping's range": ({"items.csv": _items("m9,Don Quixote,1605,Novel,x,Acme"),
                                          "mapping.json": '{"items": {"year_range": [1400, 2100]}}'}, (),
                                         "Don Quixote"),
}


@pytest.mark.parametrize("files, extra, title", GOOD_INPUTS.values(), ids=GOOD_INPUTS.keys())
def test_odd_but_valid_input_builds(tmp_path, files, extra, title):
    rc, err, db = _build(tmp_path, files, *extra)
    assert rc == 0, err
    catalog = Catalog(db)
    assert title in [item.title for item in catalog.all_items()]
    assert catalog.resolve_title(title).title == title


def test_interactions_with_unknown_item_leave_no_database_and_no_temp_file(tmp_path, tiny_settings, capsys):
    bad = tmp_path / "interactions.csv"
    bad.write_text("user_id,item_id,rating,timestamp\nu1,m1,5,1\nu1,nope,4,2\n")
    rc = catalog_cli(["build", "--source", tiny_settings.source, "--interactions", str(bad),
                      "--db", str(tmp_path / "x.db"), "--no-embeddings"])
    assert rc == 1 and "line 3, column 'item_id': item 'nope'" in capsys.readouterr().err
    assert not (tmp_path / "x.db").exists()
    assert list(tmp_path.glob("*.tmp*")) == []


def test_an_interrupted_build_removes_its_temporary_file(tmp_path, tiny_settings, monkeypatch):
    import catalog.writer

    def interrupted(db, data):
        db["items"].insert({"id": 1})
        raise KeyboardInterrupt

    monkeypatch.setattr(catalog.writer, "_write", interrupted)
    rc, err = _run_cli(["build", "--source", tiny_settings.source, "--db", str(tmp_path / "x.db"), "--no-embeddings"])
    assert rc == 130 and "interrupted" in err
    assert list(tmp_path.iterdir()) == []


def test_a_killed_builds_temporary_file_is_removed_by_the_next_build(tmp_path, tiny_settings):
    import subprocess
    import sys

    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    stale = tmp_path / f"x.db.{int(dead.stdout)}.abc123.tmp.db"
    live = tmp_path / f"x.db.{os.getpid()}.def456.tmp.db"  # a build still running in this process: kept
    for path in (stale, stale.with_name(stale.name + "-journal"), live):
        path.write_bytes(b"half a database")
    rc, _ = _run_cli(["build", "--source", tiny_settings.source, "--db", str(tmp_path / "x.db"), "--no-embeddings"])
    assert rc == 0
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(["x.db", live.name])


def test_mapping_names_the_domain_and_the_example_shop_is_books(tmp_path):
    from settings import REPO_ROOT

    example = REPO_ROOT / "examples" / "bookshop"
    assert catalog_cli(["build", "--source", str(example / "items.csv"), "--interactions",
                        str(example / "interactions.csv"), "--mapping", str(example / "mapping.json"),
                        "--db", str(tmp_path / "shop.db"), "--no-embeddings"]) == 0
    info = Catalog(tmp_path / "shop.db").info()
    assert info["interactions"] > 0 and info["domain"] == "books" and json.loads(info["rating_scale"]) == [1, 5]
    assert json.loads((example / "mapping.json").read_text())["domain"] == "books"


def test_missing_source_and_missing_db(tmp_path, capsys):
    assert catalog_cli(["build", "--source", str(tmp_path / "none.csv"), "--db", str(tmp_path / "a.db")]) == 1
    assert "none.csv: file not found" in capsys.readouterr().err
    assert catalog_cli(["info", "--db", str(tmp_path / "a.db")]) == 1
    assert "no catalog at" in capsys.readouterr().err
    with pytest.raises(CatalogError):
        Catalog(tmp_path / "a.db")


def test_jsonl_catalog_with_mapping(tmp_path, capsys):
    items = tmp_path / "books.jsonl"
    items.write_text("\n".join(json.dumps(r) for r in [
        {"isbn": "A1", "name": "Dune", "published": 1965, "tags": ["Sci-Fi", "Classic"], "blurb": "Desert planet."},
        {"isbn": "B2", "name": "Emma", "published": 1815, "tags": ["Romance"], "pages": 474},
    ]))
    mapping = tmp_path / "mapping.json"
    mapping.write_text(json.dumps({"items": {"id": "isbn", "title": "name", "year": "published",
                                             "genres": "tags", "description": "blurb"}}))
    db = tmp_path / "books.db"
    assert catalog_cli(["build", "--source", str(items), "--mapping", str(mapping), "--db", str(db),
                        "--no-embeddings"]) == 0
    capsys.readouterr()
    assert catalog_cli(["info", "--db", str(db), "--json"]) == 0
    info = json.loads(capsys.readouterr().out)
    assert (info["items"], info["users"], info["interactions"]) == (2, 0, 0) and info["source"] == "file"
    emma = Catalog(db).resolve_title("emma")
    assert emma.year == 1815 and emma.genres == ("Romance",) and emma.attrs == {"pages": 474}


def test_official_files_with_a_wrong_checksum_are_refused(tmp_path, capsys):
    from conftest import SHARED_ML100K

    if not (SHARED_ML100K / "u.data").exists():
        pytest.skip("official MovieLens files not present")
    copy = tmp_path / "ml"
    shutil.copytree(SHARED_ML100K, copy)
    (copy / "u.data").write_text("1\t1\t5\t1\n")
    assert catalog_cli(["build", "--ml100k-dir", str(copy), "--db", str(tmp_path / "m.db")]) == 1
    assert "u.data: MD5" in capsys.readouterr().err


@pytest.mark.real
def test_real_movielens_counts_and_known_rows(ml100k_catalog):
    info = ml100k_catalog.info()
    assert (info["items"], info["users"], info["interactions"]) == (1682, 943, 100000)
    toy = ml100k_catalog.item(1)
    assert (toy.title, toy.year) == ("Toy Story", 1995)
    assert set(toy.genres) == {"Animation", "Children's", "Comedy"}
    assert ml100k_catalog.resolve_title("the godfather").label == "The Godfather (1972)"
    assert ml100k_catalog.resolve_title("Fargo").label == "Fargo (1996)"
    assert ml100k_catalog.resolve_title("star wars").year == 1977
    assert ml100k_catalog.user(1)["occupation"] == "technician"
    assert ml100k_catalog.meta()["domain"] == "movies"
    _, vectors = item_embeddings(ml100k_catalog)
    assert vectors.shape == (1682, 384)


# Titles as people write them, with the catalog label they mean, and titles that are not in ML-100K.
ML_REAL = {
    "star wars": "Star Wars (1977)", "godfather": "The Godfather (1972)", "silence of the lambs":
    "The Silence of the Lambs (1991)", "shawshank redemtion": "The Shawshank Redemption (1994)", "Fargo":
    "Fargo (1996)", "12 monkeys": "Twelve Monkeys (1995)", "Twelve Monkeys": "Twelve Monkeys (1995)",
    "toy story": "Toy Story (1995)", "pulp fictoin": "Pulp Fiction (1994)", "forest gump": "Forrest Gump (1994)",
    "raiders of the lost ark": "Raiders of the Lost Ark (1981)", "empire strikes back":
    "The Empire Strikes Back (1980)", "return of the jedi": "Return of the Jedi (1983)", "indepedence day":
    "Independence Day (ID4) (1996)", "the usual suspects": "The Usual Suspects (1995)", "braveheat":
    "Braveheart (1995)", "titanic": "Titanic (1997)", "schindlers list": "Schindler's List (1993)",
    "casablanka": "Casablanca (1942)", "jurasic park": "Jurassic Park (1993)", "terminator 2":
    "Terminator 2: Judgment Day (1991)", "the terminator": "The Terminator (1984)", "back to the future":
    "Back to the Future (1985)", "alien": "Alien (1979)", "aliens": "Aliens (1986)", "blade runner":
    "Blade Runner (1982)", "die hard": "Die Hard (1988)", "men in black": "Men in Black (1997)",
    "english patient": "The English Patient (1996)", "scream": "Scream (1996)", "groundhog day":
    "Groundhog Day (1993)", "good will hunting": "Good Will Hunting (1997)", "apollo 13": "Apollo 13 (1995)",
    "mission impossible": "Mission: Impossible (1996)", "Fargo (1996)": "Fargo (1996)", "godfather part 2":
    "The Godfather: Part II (1974)", "goodfelas": "GoodFellas (1990)", "princess bride":
    "The Princess Bride (1987)", "wizard of oz": "The Wizard of Oz (1939)", "se7en": "Seven (Se7en) (1995)",
    "the rock": "The Rock (1996)", "Star Wars: A New Hope": "Star Wars (1977)",
}
ML_MADE_UP = [
    "The Zorblax Chronicles", "something funny", "a movie", "tonight", "Tell me about The Zorblax Chronicles",
    "tell me about fargo", "The Matrix", "Gladiator", "Inception", "The Dark Knight", "Quantum Pancake",
    "The Velvet Algorithm", "Captain Nebula", "Shadows over Glimmerdale", "anything", "something scary",
    "a good comedy", "recommend me a movie", "what should I watch", "hello", "more like that", "not horror",
    "the first one", "something older", "sci-fi from the 80s", "Return of the Zorblax", "Midnight Pancakes",
    "The Lighthouse Keeper's Daughter", "Blade Runner 2049", "Terminator 3", "Apollo 12", "Toy Story 4",
    "Heat (1972)", "Star Wars: The Last Jedi", "movies like star wars", "surprise me", "Frozen", "Shrek",
    "Finding Nemo", "Mad Max Fury Road", "Interstellar", "I liked it",
]


@pytest.mark.real
def test_title_resolution_precision_and_recall_on_movielens(ml100k_catalog):
    answers = {q: ml100k_catalog.resolve_title(q) for q in [*ML_REAL, *ML_MADE_UP]}
    right = [q for q in ML_REAL if answers[q] and answers[q].label == ML_REAL[q]]
    given = [q for q, item in answers.items() if item is not None]
    precision, recall = len(right) / len(given), len(right) / len(ML_REAL)
    print(f"title resolution on ML-100K: precision {precision:.3f} ({len(right)}/{len(given)}), "
          f"recall {recall:.3f} ({len(right)}/{len(ML_REAL)}) over {len(ML_REAL)} real and "
          f"{len(ML_MADE_UP)} made-up titles")
    assert precision >= 0.95 and recall >= 0.85, {q: getattr(a, "label", None) for q, a in answers.items()
                                                  if (q in ML_REAL) != (q in right)}


@pytest.mark.real
def test_recbole_copy_matches_the_official_files(tmp_path):
    from catalog.movielens import load_recbole, recbole_dir

    folder = recbole_dir()
    assert folder is not None, "recbole==1.2.1 should be installed with --no-deps"
    data = load_recbole(folder)
    assert (len(data.items), len(data.users), len(data.interactions)) == (1682, 943, 100000)
    assert (data.items[0]["title"], data.items[0]["year"]) == ("Toy Story", 1995)
