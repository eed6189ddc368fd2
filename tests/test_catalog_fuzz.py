"""Hypothesis over catalog files: whatever the rows, numbers, encodings and quotes, a build either succeeds
with clean values or stops with one CatalogError line, never another exception, and a failed build leaves
the previous database byte for byte as it was, with no temporary file beside it."""

import csv
import io
import json
import math
import os
import re
import shutil
import tempfile
import unicodedata
from pathlib import Path

from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from catalog import CatalogError
from catalog.build import build_catalog
from catalog.titles import MAX_QUERY_CHARS, canonical, title_variants
from settings import Settings

# FUZZ_EXAMPLES=5000 for a longer hunt; 300 keeps the suite at about ten seconds.
FUZZ = settings(max_examples=int(os.environ.get("FUZZ_EXAMPLES", 300)), deadline=None,
                suppress_health_check=[HealthCheck.too_slow])
COLUMNS = ["id", "title", "year", "genres", "description", "studio"]
# Characters that break files: delimiters, quotes, line ends, a BOM, NUL, surrogates, accents.
TRICKY = st.sampled_from(list(',;|\t\n\r"\' \\') + ["\ufeff", "\x00", "\x85", "\u2028", "é", "\ud800", "🎬"])
WILD_TEXT = st.text(st.one_of(TRICKY, st.characters(codec=None, exclude_categories=())), max_size=12)
WILD_NUMBER = st.one_of(st.integers(-10**30, 10**30), st.floats(), st.sampled_from(
    ["", " ", "inf", "-inf", "nan", "NaN", "1e30", "-50000", "1995.5", "99", "-7", "１２"])).map(str)
WILD = st.one_of(WILD_TEXT, WILD_NUMBER)
# Values a real catalog has, punctuation and non-Latin letters included.
SANE = {
    "id": st.sampled_from(["m1", "m2", "m3", "B-004", "x 5", "6"]),
    "title": st.from_regex(r"[A-Za-zé'\"&:,.!? 0-9漢🎬-]{1,30}", fullmatch=True).filter(lambda t: t.strip()),
    "year": st.one_of(st.integers(1800, 2100).map(str), st.just("")),
    "genres": st.lists(st.sampled_from(["Drama", "Sci-Fi", "Children's", "Film-Noir"]), max_size=3).map("|".join),
    "description": st.text(max_size=20),
    "studio": st.sampled_from(["Acme", "", "Ünïcode, Ltd."]),
    "user_id": st.sampled_from(["u1", "u2", "3"]),
    "rating": st.one_of(st.integers(1, 5).map(str), st.just(""), st.just("4.5")),
    "timestamp": st.one_of(st.integers(0, 4_102_444_800).map(str), st.just("")),
}
JSON_VALUE = st.recursive(st.none() | st.booleans() | st.floats() | st.integers(-10**20, 10**20) | WILD_TEXT,
                          lambda inner: st.lists(inner, max_size=3) | st.dictionaries(WILD_TEXT, inner, max_size=3),
                          max_leaves=4)
MAPPING = st.one_of(*[
    st.fixed_dictionaries({}, optional={
        "domain": st.sampled_from(["books", "movies", "Books", "", 7]),
        "items": st.fixed_dictionaries({}, optional={
            "genre_separator": st.sampled_from(["|", ";", "", 3]),
            "year_range": st.sampled_from([[1400, 2100], [2100, 1400], [1, "inf"], "any", [1900]]),
            "title": st.sampled_from(["title", "name", ""])}),
        "interactions": st.fixed_dictionaries({}, optional={
            "rating_scale": st.sampled_from([[1, 5], [0, 10], "any", [5, 1], [float("nan"), 1], None])})}),
] * 3, JSON_VALUE)  # shaped like a mapping three times as often as any JSON


@st.composite
def catalog_files(draw) -> dict:
    """Files of one catalog (items, maybe interactions and a mapping) as bytes, and the --encoding to use.
    Each kind of damage (odd values, hand-made quoting, another encoding, stray bytes) is drawn per file,
    so clean files come up often enough for the success path to be tested too."""
    damage = draw(st.fixed_dictionaries({k: st.booleans() for k in ("values", "quoting", "encoding", "bytes")}))
    encoding = draw(st.sampled_from(["utf-8", "latin-1", "utf-16", "cp1252"])) if damage["encoding"] else "utf-8"
    kind = draw(st.sampled_from([".csv", ".tsv", ".jsonl"]))

    def value(column: str, sane=None):
        sane = SANE[column] if sane is None else sane
        return draw(st.one_of(sane, WILD) if damage["values"] else sane)

    items = [{c: value(c) for c in COLUMNS} for _ in range(draw(st.integers(1, 5)))]
    files = {"items" + kind: _render(draw, kind, COLUMNS, items, damage)}
    if draw(st.booleans()):
        keys = st.sampled_from([item["id"] for item in items])
        rows = [{c: value(c, keys if c == "item_id" else None) for c in ("user_id", "item_id", "rating", "timestamp")}
                for _ in range(draw(st.integers(1, 4)))]
        files["interactions" + kind] = _render(draw, kind, list(rows[0]), rows, damage)
    if draw(st.booleans()):
        files["mapping.json"] = json.dumps(draw(MAPPING)).encode()
    return {"files": files, "encoding": encoding}


def _render(draw, kind: str, columns: list[str], rows: list[dict], damage: dict) -> bytes:
    if kind == ".jsonl":
        lines = [json.dumps({k: draw(JSON_VALUE) if damage["values"] and draw(st.booleans()) else v
                             for k, v in row.items()}) for row in rows]
        text = "\n".join(lines)
    elif damage["quoting"]:  # joined by hand: quotes and delimiters inside values break the rows
        sep = "\t" if kind == ".tsv" else ","
        text = "\n".join(sep.join(map(str, r)) for r in [columns] + [[row[c] for c in columns] for row in rows])
    else:
        out = io.StringIO()
        writer = csv.writer(out, delimiter="\t" if kind == ".tsv" else ",", lineterminator=draw(
            st.sampled_from(["\n", "\r\n"])))
        writer.writerows([columns] + [[row[c] for c in columns] for row in rows])
        text = out.getvalue()
    if draw(st.booleans()):
        text = "\ufeff" + text
    encoding = draw(st.sampled_from(["utf-8", "latin-1", "utf-16"])) if damage["encoding"] else "utf-8"
    data = text.encode(encoding, errors="surrogatepass" if encoding == "utf-8" else "replace")
    if damage["bytes"]:
        cut = draw(st.integers(0, len(data)))
        data = data[:cut] + draw(st.binary(min_size=1, max_size=3)) + data[cut:]
    return data


def _check_clean(catalog) -> None:
    """What a successful build promises downstream: text that encodes, finite numbers in range."""
    scale = json.loads(catalog.meta().get("rating_scale", "[1, 5]"))
    for item in catalog.all_items():
        assert item.title and item.title == " ".join(item.title.split())
        assert not {unicodedata.category(c) for c in item.title} & {"Cc", "Cs"}
        for text in (item.title, item.text, json.dumps(item.attrs)):
            text.encode("utf-8")
        assert item.year is None or 1 <= item.year <= 2100
        found = catalog.resolve_title(item.title)
        if canonical(item.title) and len(item.title) <= MAX_QUERY_CHARS:
            assert canonical(item.title) in title_variants(found.title)
        catalog.search(item.title)
    for _, _, rating, ts in catalog.interactions():
        assert math.isfinite(rating) and (scale == "any" or scale[0] <= rating <= scale[1]) and ts >= 0


@FUZZ
@given(case=catalog_files())
def test_any_catalog_file_builds_cleanly_or_gives_one_error_line(case, tiny_catalog):
    with tempfile.TemporaryDirectory() as temp:
        folder = Path(temp)
        paths = {Path(name).stem: folder / name for name in case["files"]}   # items, interactions, mapping
        for name, data in case["files"].items():
            (folder / name).write_bytes(data)
        db = folder / "catalog.db"
        shutil.copy(tiny_catalog.path, db)
        before = db.read_bytes()
        built = Settings(data_dir=folder, db=db, source=str(paths["items"]), interactions=paths.get("interactions"),
                         mapping=paths.get("mapping"))
        try:
            catalog = build_catalog(built, embed=False, encoding=case["encoding"])
        except CatalogError as exc:
            event(re.sub(r"'.*|line \d+|\S*/|\d+", "", str(exc))[:60])   # the kind of refusal, for statistics
            assert str(exc).strip() and len(str(exc).splitlines()) == 1
            assert db.read_bytes() == before
        else:
            event("built")
            _check_clean(catalog)
            catalog.db.conn.close()
        assert [p.name for p in folder.iterdir() if ".tmp" in p.name] == []


@FUZZ
@given(text=st.one_of(WILD_TEXT, st.text(max_size=5000), st.sampled_from(["Silver Space", "silvr spce", "night"])))
def test_title_lookups_take_any_text(text, tiny_catalog):
    item = tiny_catalog.resolve_title(text)
    assert item is None or canonical(text[:MAX_QUERY_CHARS]).split() and isinstance(item.title, str)
    assert all(isinstance(hit.title, str) for hit, _ in tiny_catalog.search(text))
