"""MovieLens 100K importer.

Sources, in order: a directory of the official ``u.*`` files (flag or ``ML100K_DIR``), the copy shipped
inside the ``recbole`` package (located with ``importlib.util.find_spec``, never imported), and a download
from GroupLens when the network allows. The data's licence forbids redistribution, so it is read from
those places at build time and never stored in this repository.
"""

from __future__ import annotations

import hashlib
import importlib.util
import io
import urllib.request
import zipfile
from datetime import datetime
from pathlib import Path

from .errors import CatalogError
from .files import read_text
from .records import RATING_SCALE, TIMESTAMP_RANGE, YEAR_RANGE, CatalogData, item_text, number, where
from .titles import split_title

OFFICIAL_FILES = ("u.data", "u.item", "u.user", "u.genre")
# MD5s of the official release, used when the directory carries no MD5SUMS file of its own.
OFFICIAL_MD5 = {
    "u.data": "6e47046882bad158b0efbb84cd5cb987",
    "u.item": "c9e7f390115d79079537301d5204f3f7",
    "u.user": "1b53539edc13caad0282c8500608a319",
    "u.genre": "a7578bdb37758741ae9429d2c736af18",
}
DOWNLOAD_URL = "https://files.grouplens.org/datasets/movielens/ml-100k.zip"


def recbole_dir() -> Path | None:
    """The ml-100k atomic files shipped in the recbole package, if it is installed."""
    spec = importlib.util.find_spec("recbole")
    if spec is None or not spec.submodule_search_locations:
        return None
    folder = Path(list(spec.submodule_search_locations)[0]) / "dataset_example" / "ml-100k"
    return folder if (folder / "ml-100k.inter").exists() else None


def load_ml100k(official_dir: Path | None = None, download_dir: Path | None = None) -> CatalogData:
    """Read ML-100K from the first available source."""
    if official_dir is not None:
        return load_official(Path(official_dir))
    packaged = recbole_dir()
    if packaged is not None:
        return load_recbole(packaged)
    if download_dir is not None:
        return load_official(download_official(Path(download_dir)))
    raise CatalogError("MovieLens 100K not found: pass --ml100k-dir, set ML100K_DIR, "
                       "or `pip install --no-deps recbole==1.2.1`")


def verify_md5(folder: Path) -> None:
    expected = dict(OFFICIAL_MD5)
    sums = folder / "MD5SUMS"
    if sums.exists():
        for line in sums.read_text().splitlines():
            if line.strip():
                digest, name = line.split()
                expected[name] = digest
    for name in OFFICIAL_FILES:
        path = folder / name
        if not path.exists():
            raise CatalogError(f"{path}: missing (expected the official MovieLens 100K files)")
        actual = hashlib.md5(path.read_bytes()).hexdigest()
        if actual != expected[name]:
            raise CatalogError(f"{path}: MD5 {actual} does not match the official {expected[name]}")


def load_official(folder: Path) -> CatalogData:
    if not folder.is_dir():
        raise CatalogError(f"{folder}: not a directory")
    verify_md5(folder)
    genre_names = [line.split("|")[0] for line in _lines(folder / "u.genre") if line]
    items = []
    for n, line in enumerate(_lines(folder / "u.item"), 1):
        if not line:
            continue
        cols = _fields(line, "|", 5 + len(genre_names), where(folder / "u.item", n))
        title, year = split_title(cols[1])
        if year is None and cols[2]:
            year = datetime.strptime(cols[2], "%d-%b-%Y").year
        genres = [g for g, flag in zip(genre_names, cols[5:]) if flag == "1" and g != "unknown"]
        items.append(_item(cols[0], title, year, genres, {"imdb_url": cols[4], "release_date": cols[2]},
                           where(folder / "u.item", n)))
    users = [
        {"id": int(uid), "key": uid, "age": int(age), "gender": gender, "occupation": occ, "zip": zipc}
        for uid, age, gender, occ, zipc in (line.split("|") for line in _lines(folder / "u.user") if line)
    ]
    interactions = [_interaction(*_fields(line, "\t", 4, where(folder / "u.data", n)), where(folder / "u.data", n))
                    for n, line in enumerate(_lines(folder / "u.data"), 1) if line]
    return CatalogData(items, users, interactions, {"source": "ml-100k", "domain": "movies",
                                                     "source_path": str(folder.resolve()),
                                                     "source_kind": "official u.* files (MD5 checked)"})


def load_recbole(folder: Path) -> CatalogData:
    items = []
    for n, row in _atomic_rows(folder / "ml-100k.item"):
        title, title_year = split_title(row["movie_title"])
        year = int(row["release_year"]) if row.get("release_year", "").isdigit() else title_year
        genres = [g for g in row["class"].split() if g != "unknown"]
        items.append(_item(row["item_id"], title, year, genres, {}, where(folder / "ml-100k.item", n)))
    users = [
        {"id": int(r["user_id"]), "key": r["user_id"], "age": int(r["age"]), "gender": r["gender"],
         "occupation": r["occupation"], "zip": r["zip_code"]}
        for _, r in _atomic_rows(folder / "ml-100k.user")
    ]
    interactions = [_interaction(r["user_id"], r["item_id"], r["rating"], r["timestamp"],
                                 where(folder / "ml-100k.inter", n))
                    for n, r in _atomic_rows(folder / "ml-100k.inter")]
    return CatalogData(items, users, interactions, {"source": "ml-100k", "domain": "movies",
                                                     "source_path": str(folder.resolve()),
                                                     "source_kind": "recbole package copy"})


def download_official(target: Path) -> Path:
    """Fetch the official zip into ``target`` (once) and return the folder holding the u.* files."""
    folder = target / "ml-100k"
    if not (folder / "u.data").exists():
        try:
            with urllib.request.urlopen(DOWNLOAD_URL, timeout=30) as response:
                payload = response.read()
        except OSError as exc:
            raise CatalogError(f"could not download MovieLens 100K ({exc}); "
                               "pass --ml100k-dir or install recbole==1.2.1 with --no-deps") from exc
        zipfile.ZipFile(io.BytesIO(payload)).extractall(target)
    return folder


def _item(item_id: str, title: str, year: int | None, genres: list[str], attrs: dict, at: str) -> dict:
    item_id = int(number(item_id, "item id", at, whole=True))
    if year is not None:
        year = int(number(year, "year", at, YEAR_RANGE))
    return {"id": item_id, "key": str(item_id), "title": title, "year": year, "genres": genres,
            "text": item_text(title, year, genres), "attrs": attrs}


def _interaction(user: str, item: str, rating: str, ts: str, at: str) -> dict:
    return {"user_id": int(number(user, "user id", at, whole=True)),
            "item_id": int(number(item, "item id", at, whole=True)),
            "rating": number(rating, "rating", at, RATING_SCALE),
            "ts": int(number(ts, "timestamp", at, TIMESTAMP_RANGE))}


def _fields(line: str, separator: str, count: int, at: str) -> list[str]:
    cols = line.split(separator)
    if len(cols) != count:
        raise CatalogError(f"{at}: expected {count} fields, got {len(cols)}")
    return cols


def _lines(path: Path) -> list[str]:
    return read_text(path, "latin-1").splitlines()


def _atomic_rows(path: Path):
    """(line number, row) pairs of a RecBole atomic file, whose header names columns as ``name:type``."""
    lines = read_text(path).splitlines()
    header = [name.split(":")[0] for name in lines[0].split("\t")] if lines else []
    for n, line in enumerate(lines[1:], 2):
        if line:
            yield n, dict(zip(header, _fields(line, "\t", len(header), where(path, n))))
