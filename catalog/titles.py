"""Title clean-up shared by importers and lookups ("Godfather, The (1972)" -> "The Godfather", 1972)."""

from __future__ import annotations

import re
import unicodedata

_TRAILING_YEAR = re.compile(r"\s*\((\d{4})\)\s*$")
_TRAILING_ARTICLE = re.compile(r"^(?P<body>.+?), (?P<article>The|A|An|Les|La|Le|L'|Il|Das|Der|Die|El)$")


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
