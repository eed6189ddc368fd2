"""Read a request's constraints from the user's words, grounded in the catalog: genres (wanted and not),
years and decades, "like <title>", "more like the second one", "older", "newer", and stated likes.

A small LLM extracts these unreliably, so this is deterministic; the LLM decides whether to call the tool.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from catalog import Catalog

GENRE_WORDS = {
    "sci-fi": "Sci-Fi", "scifi": "Sci-Fi", "sci fi": "Sci-Fi", "science fiction": "Sci-Fi", "science-fiction": "Sci-Fi",
    "action": "Action", "adventure": "Adventure", "animated": "Animation", "animation": "Animation",
    "cartoon": "Animation", "kids": "Children's", "children": "Children's", "family": "Children's",
    "comedy": "Comedy", "comedies": "Comedy", "funny": "Comedy", "crime": "Crime", "gangster": "Crime",
    "documentary": "Documentary", "documentaries": "Documentary", "drama": "Drama", "fantasy": "Fantasy",
    "noir": "Film-Noir", "horror": "Horror", "scary": "Horror", "musical": "Musical", "mystery": "Mystery",
    "mysteries": "Mystery", "romance": "Romance", "romantic": "Romance", "love story": "Romance",
    "thriller": "Thriller", "war": "War", "western": "Western",
}
NEGATION = r"(?:not|no|without|except|nothing|hate|hated|dislike|don'?t (?:like|want)|avoid|skip|but not|none of)"
ORDINALS = {"first": 0, "1st": 0, "second": 1, "2nd": 1, "third": 2, "3rd": 2, "fourth": 3, "4th": 3,
            "fifth": 4, "5th": 4, "last": -1}
NUMBERS = {"one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9,
           "ten": 10}
DECADE_WORDS = {"twenties": 1920, "thirties": 1930, "forties": 1940, "fifties": 1950, "sixties": 1960,
                "seventies": 1970, "eighties": 1980, "nineties": 1990}
PLAIN_WORDS = set("""recommend recomend suggest some any movie movies film films please something want would like
loved love liked enjoyed adored hated hate disliked didn don dont really watch watching good great best give
show find need more other others another ones one the and but for with from that this those these them are you
can could tonight maybe also just not without only older newer recent latest new old classic similar what
should pick picks get got have has was were kind sort type lot bit very""".split())
REFERENCE = r"(?:the\s+)?(?:first|second|third|fourth|fifth|1st|2nd|3rd|4th|5th|last|that|this|those|these|it|them)\b"
REFINEMENT = re.compile(r"\b(older|newer|recent|more|another|other|else|instead|but|not|without|only|different|"
                        r"similar|less|again|those|them|that one|this one)\b", re.I)
LIKE_TITLE = re.compile(r"\b(?:like|similar to|in the style of|along the lines of|such as)\s+(.+?)"
                        r"(?=\s+(?:but|and|from|with|without|please|that|which|or)\b|[,.!?;]|$)", re.I)
STATED = re.compile(r"\bi (?:really )?(loved|love|liked|like|enjoyed|adored|hated|hate|disliked|"
                    r"did ?n[o']t like|do ?n[o']t like)\s+(.+?)(?=\s+(?:and|but)\s+i\b|[,.!?;]|$)", re.I)


@dataclass
class Request:
    """What the user asked for, as tool arguments plus session updates."""

    genres: list[str] = field(default_factory=list)
    exclude_genres: list[str] = field(default_factory=list)
    year_min: int | None = None
    year_max: int | None = None
    similar_to: list[int] = field(default_factory=list)
    liked: list[int] = field(default_factory=list)
    disliked: list[int] = field(default_factory=list)
    count: int | None = None
    query: str | None = None   # the message, when it describes what is wanted beyond the parsed constraints
    refinement: bool = False

    def tool_args(self) -> dict:
        args = {"genres": self.genres, "exclude_genres": self.exclude_genres, "year_min": self.year_min,
                "year_max": self.year_max, "similar_to": self.similar_to, "query": self.query}
        return {k: v for k, v in args.items() if v not in (None, [], "")}


def parse_request(message: str, catalog: Catalog, last_items: list[int] | None = None) -> Request:
    request = Request(refinement=bool(REFINEMENT.search(message)))
    titled = _titles(message, catalog, last_items or [], request)
    text = " " + titled.lower() + " "
    catalog_genres = {g.lower(): g for g in catalog.genres}
    words = {**{w: g for w, g in GENRE_WORDS.items() if g.lower() in catalog_genres}, **catalog_genres}
    for word in sorted(words, key=len, reverse=True):
        pattern = rf"\b{re.escape(word)}(?:s|es)?\b"
        for match in re.finditer(pattern, text):
            genre = words[word]
            before = text[max(0, match.start() - 30):match.start()]
            negated = re.search(rf"\b{NEGATION}\b(?:\s+\w+){{0,2}}\s*$", before)
            target = request.exclude_genres if negated else request.genres
            if genre not in request.genres + request.exclude_genres:
                target.append(genre)
        text = re.sub(pattern, " ", text)
    _years(text, catalog, last_items, request)
    if len(set(re.findall(r"[a-z]{3,}", text)) - PLAIN_WORDS) >= 2:
        request.query = message
    count = re.search(r"\b(\d{1,2}|" + "|".join(NUMBERS) + r")\s+(?:more\s+)?(?:movies|films|picks|titles|ones)\b", text)
    if count:
        value = NUMBERS.get(count.group(1)) or int(count.group(1))
        request.count = max(1, min(10, value))
    return request


def _years(text: str, catalog: Catalog, last_items: list[int] | None, request: Request) -> None:
    if m := re.search(r"\bbetween (\d{4}) and (\d{4})\b", text):
        request.year_min, request.year_max = sorted((int(m.group(1)), int(m.group(2))))
        return
    decade = re.search(r"\b(?:the\s+)?(?:(19|20)(\d)0'?s|'?(\d)0'?s)\b", text)
    if decade:
        century = decade.group(1) or "19"
        start = int(century + (decade.group(2) or decade.group(3)) + "0")
        request.year_min, request.year_max = start, start + 9
    for word, start in DECADE_WORDS.items():
        if re.search(rf"\b{word}\b", text):
            request.year_min, request.year_max = start, start + 9
    if m := re.search(r"\b(?:before|older than|earlier than|pre-?)\s*(\d{4})\b", text):
        request.year_max = int(m.group(1)) - 1
    if m := re.search(r"\b(?:after|since|newer than|later than|post-?)\s*(\d{4})\b", text):
        request.year_min = int(m.group(1)) + (0 if "since" in m.group(0) else 1)
    if m := re.search(r"\b(?:from|in|of)\s+(\d{4})\b", text):
        request.year_min = request.year_max = int(m.group(1))
    years = [item.year for item in catalog.items(last_items or []) if item.year]
    if re.search(r"\b(older|earlier|classic|old)\b", text):
        request.year_min, request.year_max = None, (min(years) - 1) if years else 1979
    if re.search(r"\b(newer|more recent)\b", text) and years:
        request.year_min, request.year_max = max(years) + 1, None
    elif re.search(r"\b(newer|recent|latest)\b", text):
        newest = max((item.year for item in catalog.all_items() if item.year), default=None)
        request.year_min, request.year_max = (newest - 3 if newest else None), None


def _titles(message: str, catalog: Catalog, last_items: list[int], request: Request) -> str:
    """Fill similar/liked/disliked items and return the message with the matched titles blanked out."""
    lowered = message.lower()
    for word, index in ORDINALS.items():
        if re.search(rf"\b(?:the\s+)?{word}\s+(?:one|movie|film|pick)\b", lowered) and last_items:
            if abs(index) <= len(last_items) - (0 if index < 0 else 1):
                target = last_items[index]
                negative = re.search(rf"\b{NEGATION}\b[^.]*\b{word}\b", lowered)
                (request.disliked if negative else request.similar_to).append(target)
    if re.search(r"\b(?:not|no[t]? like) (?:that|this) one\b", lowered) and last_items:
        request.disliked.append(last_items[0])
    spans = []
    for match in LIKE_TITLE.finditer(message):
        if re.match(REFERENCE, match.group(1), re.I):
            continue
        item = _resolve(match.group(1), catalog)
        if item is not None and item.id not in request.similar_to:
            request.similar_to.append(item.id)
            spans.append(match.span(1))
    for match in STATED.finditer(message):
        item = _resolve(match.group(2), catalog)
        if item is None:
            continue
        negative = re.match(r"hate|hated|disliked|did|do", match.group(1), re.I)
        (request.disliked if negative else request.liked).append(item.id)
        spans.append(match.span(2))
    for start, end in sorted(spans, reverse=True):
        message = message[:start] + " " * (end - start) + message[end:]
    return message


def _resolve(phrase: str, catalog: Catalog):
    """The catalog item a phrase names, trying shorter word windows from its start ("Fargo a lot")."""
    words = re.sub(r"^(?:the movie|the film|movies?|films?)\s+", "", phrase.strip(), flags=re.I).split()
    for end in range(min(len(words), 8), 0, -1):
        candidate = " ".join(words[:end]).strip("\"'“”")
        if len(candidate) < 3 or candidate.lower() in {"the", "one", "that", "this", "those", "them", "it"}:
            continue
        item = catalog.resolve_title(candidate)
        if item is not None:
            return item
    return None
