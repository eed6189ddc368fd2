"""Title clean-up shared by importers and lookups ("Godfather, The (1972)" -> "The Godfather", 1972)."""

from __future__ import annotations

import re
import unicodedata

MAX_QUERY_CHARS = 200   # no title is longer; lookups read at most this much of what they are given

_TRAILING_YEAR = re.compile(r"\s*\((\d{4})\)\s*$")
_TRAILING_ARTICLE = re.compile(r"^(?P<body>.+?), (?P<article>The|A|An|Les|La|Le|L'|Il|Das|Der|Die|El)$")
_SURROGATES = re.compile("[\ud800-\udfff]")
_CONTROLS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
_QUERY_YEAR = re.compile(r"^(?P<title>.*\S)\s*[(\[]?(?P<year>(?:18|19|20)\d\d)[)\]]?\s*$")
NUMBER_WORDS = {"one": "1", "two": "2", "three": "3", "four": "4", "five": "5", "six": "6", "seven": "7",
                "eight": "8", "nine": "9", "ten": "10", "eleven": "11", "twelve": "12",
                "ii": "2", "iii": "3", "iv": "4", "v": "5", "vi": "6", "vii": "7", "viii": "8", "blvd": "boulevard", "mr": "mister", "mrs": "missus",
                "dr": "doctor", "vs": "versus"}


def clean_text(text: str, one_line: bool = False) -> str:
    """NFC text with lone surrogates replaced by U+FFFD, control characters and bidi overrides dropped; ``one_line``
    also folds every run of white space (line breaks included) into one space."""
    text = unicodedata.normalize("NFC", _SURROGATES.sub("\ufffd", text))
    text = _CONTROLS.sub("", text)
    return " ".join(text.split()) if one_line else text.strip()


def split_title(raw: str) -> tuple[str, int | None]:
    """Return the display title and the year written at its end, if any."""
    raw = raw.strip()
    match = _TRAILING_YEAR.search(raw)
    year = int(match.group(1)) if match else None
    title = raw[: match.start()] if match else raw
    article = _TRAILING_ARTICLE.match(title)
    if article:
        sep = "" if article["article"].endswith("'") else " "
        title = f"{article['article']}{sep}{article['body']}"
    return title.strip(), year


def normalize(text: str) -> str:
    """Lower-case, accent-free, punctuation-free form used for fuzzy matching."""
    text = unicodedata.normalize("NFKD", text)
    text = "".join(c for c in text if not unicodedata.combining(c)).lower()
    text = re.sub(r"[^a-z0-9]+", " ", text)
    return re.sub(r"^(the|a|an) ", "", text.strip())


def canonical(text: str) -> str:
    """``normalize`` plus the spellings people swap: apostrophes, "&"/"and", numerals, "part"."""
    text = normalize(re.sub(r"['’`]", "", text).replace("&", " and "))
    words = [NUMBER_WORDS.get(w, w) for w in text.split() if w != "part"]
    return " ".join(words)


def title_variants(title: str) -> set[str]:
    """Canonical ways to write a catalog title: as is, without its subtitle, or either bracketed part."""
    head = title.split(":")[0]
    forms = [title, head, re.sub(r"\s+or$", "", head.strip())]  # "Dr. Strangelove or: How I Learned…"
    bracket = re.match(r"^(.*?)\s*\((.+)\)\s*$", title)
    if bracket:
        forms += [split_title(bracket.group(1))[0], split_title(bracket.group(2))[0]]
    forms += [re.sub(r"['’]", " ", form) for form in forms]  # "python's" read as two words, as free text splits it
    return {v for v in map(canonical, forms) if v}


def query_forms(text: str) -> list[tuple[str, int | None]]:
    """Canonical forms of a title as someone wrote it, each with the year it must have (or None): whole,
    and without a trailing year ("Fargo (1996)", "Fargo 1996"). A subtitle is never dropped here, so
    "Star Wars: The Last Jedi" is not "Star Wars"."""
    text = clean_text(text[:MAX_QUERY_CHARS], one_line=True)
    forms = [(text, None)]
    dated = _QUERY_YEAR.match(text)
    if dated:
        forms.append((dated["title"].rstrip(" ,-–"), int(dated["year"])))
    forms = [(canonical(form), year) for form, year in forms]
    return list(dict.fromkeys(f for f in forms if f[0]))
