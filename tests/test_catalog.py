import json
import shutil

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


@pytest.mark.parametrize("edit, message", [
    (lambda t: t.replace("title", "name", 1), "missing column 'title'"),
    (lambda t: t.replace(",1950,", ",nineteen,", 1), "line 2: year 'nineteen' is not a number"),
    (lambda t: t + "m1,Again,1990,Drama,x,Acme\n", "duplicate id 'm1'"),
    (lambda t: t.splitlines()[0] + "\n", "no items"),
    (lambda t: t + "m99,Broken,1990,Drama,x,Acme,extra\n", "more fields than the header"),
])
def test_bad_items_file_gives_one_clear_line_and_keeps_the_old_db(tmp_path, tiny_catalog, capsys, edit, message):
    items = tmp_path / "items.csv"
    items.write_text(edit((tiny_catalog.path.parent / "items.csv").read_text()))
    db = tmp_path / "catalog.db"
    shutil.copy(tiny_catalog.path, db)
    before = db.read_bytes()
    rc = catalog_cli(["build", "--source", str(items), "--db", str(db), "--no-embeddings"])
    err = capsys.readouterr().err
    assert rc == 1 and message in err and "Traceback" not in err and len(err.strip().splitlines()) == 1
    assert db.read_bytes() == before


def test_interactions_with_unknown_item_is_refused(tmp_path, tiny_settings, capsys):
    bad = tmp_path / "interactions.csv"
    bad.write_text("user_id,item_id,rating,timestamp\nu1,m1,5,1\nu1,nope,4,2\n")
    rc = catalog_cli(["build", "--source", tiny_settings.source, "--interactions", str(bad),
                      "--db", str(tmp_path / "x.db"), "--no-embeddings"])
    assert rc == 1 and "line 3: item 'nope' is not in the items file" in capsys.readouterr().err
    assert not (tmp_path / "x.db").exists()
    assert list(tmp_path.glob("*.tmp*")) == []


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


def test_example_catalog_in_the_repo_builds(tmp_path, capsys):
    from settings import REPO_ROOT

    example = REPO_ROOT / "examples" / "bookshop"
    assert catalog_cli(["build", "--source", str(example / "items.csv"), "--interactions",
                        str(example / "interactions.csv"), "--mapping", str(example / "mapping.json"),
                        "--db", str(tmp_path / "shop.db"), "--no-embeddings"]) == 0
    assert Catalog(tmp_path / "shop.db").info()["interactions"] > 0


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
    _, vectors = item_embeddings(ml100k_catalog)
    assert vectors.shape == (1682, 384)


@pytest.mark.real
def test_recbole_copy_matches_the_official_files(tmp_path):
    from catalog.movielens import load_recbole, recbole_dir

    folder = recbole_dir()
    assert folder is not None, "recbole==1.2.1 should be installed with --no-deps"
    data = load_recbole(folder)
    assert (len(data.items), len(data.users), len(data.interactions)) == (1682, 943, 100000)
    assert (data.items[0]["title"], data.items[0]["year"]) == ("Toy Story", 1995)
