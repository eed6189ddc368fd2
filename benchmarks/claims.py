"""An independent claim extractor and verifier for what the bot says (the groundedness benchmark's yardstick).

``ClaimChecker(catalog).check_reply(text, items, user_messages, shown=..., focus=...)`` splits a reply (its text,
and each card's reason where the text does not already carry it) into sentences and clauses, extracts atomic
claims and checks each against the catalog (``catalog.store.Catalog``: items, years, genres, the item's own
description text and attributes, and the ratings), the person's own words in the conversation so far, and
nothing else. It shares no code with the bot: its word lists are ``benchmarks/data/claim_words.yaml`` (with
their provenance) and titles are matched with its own normalisation and rapidfuzz.

Claim kinds and when each is supported:

- ``title``: a catalog title named (supported), or a title-like name the catalog lacks (quoted, followed by a
  year in brackets, on a numbered list line, or after 'like', 'watch', 'such as', 'called', ...): unsupported.
- ``person``: a person-like name (a known given name plus a capitalised word, an honorific, or a name after
  'directed by', 'starring', 'named', ...): supported only when the name is in the item's own text or title, in a
  title named in the same sentence, or in the person's messages. MovieLens records no people at all.
- ``year``: a year or a range/decade. A year beside a title must be that item's year; 'from 1984' / 'a 1984 film'
  must be the subject's year (every card's, for a list); a range or decade must hold the subject (every card), or
  have been asked for by the person; a year with no subject must be one the person wrote or the catalog's first
  or last year.
- ``number``: counts ('five picks' must be the number of cards or a number the person wrote), prices and other
  attributes (must equal the item's attribute), 'only N items match <filters>' (counted in the catalog; items
  already shown or named may be missing), runtimes and page counts (the catalogs have none: unsupported), any
  other number (supported only when the person wrote it).
- ``rating``: '4.2/5', 'an average of 4.2', 'rated by 300 users', '300 people loved it' (a rating >= 4 on a 1-5
  scale, generally the top quarter of the scale, counts as loved/liked), 'N of the M people who loved X also loved
  Y', 'N%'. Checked against the interactions (means to the shown precision, counts exactly, 'over N' as a bound).
  'You gave X 5/5' needs the person to have written that rating.
- ``genre``: a genre word attributed to an item (the nearest title in the clause, else the clause's subject):
  the item must have it. For a list ('Here are some sci-fi films'), every card must have one of the genres named
  and each genre named must be held by some card. Genre words after 'you asked for' need the person to have
  asked for them (and the subject to have them); genre words inside 'only N items match genres ...' belong to
  that count.
- ``similarity``: 'people who liked X also liked Y', 'its fans liked this one too', 'similar to X', 'close to X',
  'like X': co-liking needs at least max(1, 5% of X's fans) people who loved both; similarity needs a shared
  genre or that co-liking. ``user_said``: 'you said you liked X', 'you asked for X': X must be in the person's
  messages.
- ``standing``: 'popular' (top quarter by number of ratings), 'highly rated' / 'well liked' / 'great' (mean rating
  at least 3.75 of 5, scaled to the catalog's scale), 'among the top N% of dramas' / 'one of the most popular'
  (within the top N% (10% when unsaid) of the genre's items by mean rating or by number of ratings), 'classic'
  (at least 20 years older than the catalog's newest item and in the top quarter by ratings).
- ``descriptor``: plot, theme, mood, violence, crew, cast, runtime, acclaim, source, audience and music words
  (word lists in the data file), one claim per kind per clause. Supported when every such word is in the
  subject's own description text (the bookshop's blurbs; MovieLens has none), or is a word the subject's genres
  imply ('funny' for a comedy, 'scary' for a horror film). Acclaim (awards, critics) is never supported.

Statements that the catalog does not record something ('the catalog doesn't say who directed it', 'I don't know
that movie') are supported meta-statements: a clause with such words yields no descriptor, person or standing
claim. Questions ('Would you like something older?') and the bot speaking of itself ('I can recommend ...') claim
nothing about items.

Known limits (what a reader has to check by hand): it reads words, not meaning, so a paraphrase outside the word
lists ('a man on the run from his past') passes unseen, and a listed word used in another sense ('a dark room')
is counted; it does not resolve pronouns across sentences beyond the clause's subject (the reply's one card, the
card of a list line, the cards of a list, ordinals such as 'the third one' against the last list shown, and the
conversation's item in focus); a wrong but catalog-backed statement about the wrong item (the bot answering about
the first pick when asked about the third) is checked against whatever item the words name or the reply carries;
lower-case titles in the bot's text are not seen; single-word titles at the start of a sentence count only when
a verb like 'is' follows; opinions it has no rule for ('a great choice for tonight') are not claims; a co-liking
statement is backed by a loose threshold, not by the recommender's own scores; people's names not in its list of
given names and not after a cue are missed, and a first name that is also a word ('Will') is only caught in a
pair.
"""

from __future__ import annotations

import math
import re
from dataclasses import asdict, dataclass, field
from functools import cached_property
from pathlib import Path

import numpy as np
import yaml
from rapidfuzz import fuzz

WORDS_FILE = Path(__file__).parent / "data" / "claim_words.yaml"
ORDINAL_WORDS = {"first": 1, "second": 2, "third": 3, "fourth": 4, "fifth": 5, "sixth": 6, "seventh": 7,
                 "eighth": 8, "ninth": 9, "tenth": 10, "last": -1, "1st": 1, "2nd": 2, "3rd": 3, "4th": 4, "5th": 5}
NUMBER_WORDS = {"two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9,
                "ten": 10, "eleven": 11, "twelve": 12, "twenty": 20}
DECADE_WORDS = {"twenties": 1920, "thirties": 1930, "forties": 1940, "fifties": 1950, "sixties": 1960,
                "seventies": 1970, "eighties": 1980, "nineties": 1990}
ITEM_NOUNS = r"(?:movies?|films?|picks?|titles?|books?|novels?|items?|suggestions?|recommendations?|options?|ones?)"
PEOPLE_NOUNS = r"(?:people|users?|viewers?|readers?|customers?|fans|raters?|members?|persons?)"
LIKE_VERBS = r"(?:liked|loved|enjoyed|rated (?:it |them )?highly|gave it (?:a )?(?:4|5|four|five)(?: or (?:5|five))?)"
SMALL_WORDS = {"of", "the", "a", "an", "and", "in", "on", "to", "for", "with", "at", "from", "by", "or", "&", "is",
               "de", "la", "le", "du", "des", "von", "van", "der", "i", "ii", "iii", "iv", "vs"}
TITLE_CUES = re.compile(r"\b(?:like|liked|love|loved|enjoyed|watch|watching|try|trying|read|reading|such as|including|called|titled|"
                        r"recommend|suggest|check out|the film|the movie|the book|the novel)\s*$", re.I)
WISH_CUES = re.compile(r"\byou (?:said|asked|wanted|want|mentioned|told me|like|liked|love|loved|enjoyed|gave|"
                       r"were looking|are looking|'re looking|requested)\b|\byour (?:request|wish|favou?rite)|"
                       r"\bas requested\b", re.I)
STOP_WORDS = {"that", "this", "with", "from", "they", "their", "them", "there", "which", "who", "whom", "what",
              "when", "where", "about", "into", "over", "after", "before", "while", "some", "very", "also", "just",
              "have", "has", "been", "were", "will", "would", "could", "should", "your", "story", "tells", "film",
              "movie", "book", "novel", "follows", "place", "takes", "centers", "centres", "revolves", "around"}
PERSON_BEFORE = re.compile(r"\b(?:named|called|directed by|written by|starring|stars|co-stars|played by|actor|actress|"
                           r"director|author)\s+$", re.I)
SELF_CUES = re.compile(r"^\s*(?:i|i'm|i am|i can|i'll|i will|i'd|i'?ve|my|me|we|we'll|let me|feel free|"
                       r"you can ask|ask me)\b", re.I)


@dataclass
class Claim:
    kind: str            # title, person, year, number, rating, genre, similarity, user_said, standing, descriptor
    text: str            # the words of the reply that make the claim
    supported: bool
    why: str             # what backs it, or what is missing
    subject: str = ""    # the item it is about, as the extractor understood it
    sentence: str = ""

    def as_dict(self) -> dict:
        return asdict(self)


@dataclass
class Mention:
    start: int           # character offsets in the clause
    end: int
    item_ids: list[int]  # catalog items with this title (several items may share a title)
    text: str
    year: int | None = None


@dataclass
class Context:
    """What a clause is checked against: its subject items and the conversation."""
    subject: list            # catalog Items: one (an item), several (a list), or none
    plural: bool = False
    user_text: str = ""
    cards: list = field(default_factory=list)


# 'higher than 93% of the sci-fi movies here', 'among the best 2% of ...', 'one of the better-rated dramas'
STANDING_SHARE = re.compile(r"\b(?:(higher than|above|better than)\s+(\d+)\s*%|among the best\s+(\d+)\s*%|one of the "
                            r"(better)[- ]rated)\s+(?:of\s+)?(?:the\s+)?([\w' -]+?)(?=[,.;:]|$)", re.I)


def norm_sentence(text: str) -> str:
    """Lower case, punctuation to spaces, spaces collapsed (for comparing sentences and titles)."""
    text = text.lower().replace("&", " and ").replace("’", "'")
    return " ".join(re.sub(r"[^\w\s']", " ", text).replace("'", "").split())


def norm_title(text: str) -> str:
    text = norm_sentence(text)
    return re.sub(r"^(?:the|a|an) ", "", text)


ABBREVIATIONS = re.compile(r"\b(?:Mr|Mrs|Ms|Dr|St|Jr|Sr|vs|etc|Prof|No|Vol|e\.g|i\.e)\.$", re.I)


def split_sentences(text: str) -> list[str]:
    """Sentences, with lines as boundaries and list lines kept whole; 'Dr.', 'E.T.' and '4.2' do not end one."""
    out: list[str] = []
    for line in re.split(r"\n+", text or ""):
        line = line.strip()
        if not line:
            continue
        start = 0
        head = re.match(r"^\s*\d+[.)]\s+.*?\(\d{4}\)\s*:", line)  # '3. Mars Attacks! (1996):' is one title
        for match in re.finditer(r"[.!?]+[\"”')\]]*(?=\s+[\"“(\[]?[A-Z0-9])", line):
            if head and match.end() <= head.end():
                continue
            if re.match(r"\s*\(\d{4}\)", line[match.end():]):
                continue  # 'When Harry Met Sally... (1989)': the year still belongs to the title
            piece = line[start:match.end()]
            before = line[:match.end()].rstrip("\"”')]")
            if ABBREVIATIONS.search(before) or re.search(r"\b[A-Z]\.[A-Z]\.$|\b[A-Z]\.$", before) \
                    or re.match(r"^\s*\d+[.)]$", piece):
                continue
            out.append(piece.strip())
            start = match.end()
        if line[start:].strip():
            out.append(line[start:].strip())
    return [s for s in out if re.search(r"\w", s)]


def split_clauses(sentence: str) -> list[str]:
    """Clauses: at ';', ' but ', ', and ', ' while ', ' — '."""
    parts = re.split(r";\s+|\s+[—–]\s+|,?\s+but\s+|,\s+and\s+(?=(?:it|its|this|that|people|fans|those|you|"
                     r"it's|there)\b)|,?\s+while\s+|,?\s+although\s+|,?\s+though\s+", sentence)
    return [p for p in parts if p and p.strip()]


def _phrase_pattern(phrases: list[str]) -> re.Pattern:
    alternatives = []
    for phrase in sorted(set(phrases), key=len, reverse=True):
        body = re.escape(phrase.lower().rstrip("*")).replace(r"\ ", r"[\s-]+")
        alternatives.append(body + (r"\w*" if phrase.endswith("*") else "") + r"\b")
    return re.compile(r"(?<![\w-])(?:" + "|".join(alternatives) + ")", re.I)


class Words:
    """The word lists of ``claim_words.yaml``, compiled."""

    def __init__(self, path: Path = WORDS_FILE):
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        self.data = data
        self.genre_synonyms: dict[str, list[str]] = data["genre_synonyms"]
        self.genre_implied: dict[str, list[str]] = data["genre_implied"]
        self.descriptors = {kind: _phrase_pattern(words) for kind, words in data["descriptors"].items()}
        self.meta = _phrase_pattern(data["meta_negation"])
        self.person_cues = data["person_cues"]
        self.person_titles = set(data["person_titles"])
        self.first_names = set(data["first_names"])
        self.weak_genre_words = {w.lower() for w in data.get("weak_genre_words", [])}
        self.plot_framing = {w.lower() for w in data.get("plot_framing", [])}
        self.not_names = set(data["not_names"])


class ClaimChecker:
    """Claims in a reply and whether the catalog backs each one (see the module's docstring)."""

    def __init__(self, catalog, words: Words | None = None):
        self.catalog = catalog
        self.words = words or Words()

    # --- catalog facts ---------------------------------------------------------------------------
    @cached_property
    def items(self) -> dict:
        return {item.id: item for item in self.catalog.all_items()}

    @cached_property
    def genre_names(self) -> list[str]:
        return list(self.catalog.genres)

    @cached_property
    def genre_pattern(self) -> tuple[re.Pattern, dict[str, set[str]]]:
        """One pattern for every genre word this catalog knows, and word -> genre names."""
        lookup: dict[str, set[str]] = {}
        for genre in self.genre_names:
            words = {genre.lower(), genre.lower().replace("-", " "), genre.lower().replace(" ", "-")}
            words |= {w.lower() for w in self.words.genre_synonyms.get(genre, [])}
            for word in words:
                lookup.setdefault(norm_sentence(word), set()).add(genre)
        # a genre this catalog lacks ('five comedies' in a bookshop without comedy) is held by none of its items;
        # its everyday words ('war', 'nature') are left out where the catalog has no such genre
        for genre, synonyms in self.words.genre_synonyms.items():
            if genre in self.genre_names:
                continue
            for word in synonyms:
                if norm_sentence(word) not in lookup and word.lower() not in self.words.weak_genre_words:
                    lookup[norm_sentence(word)] = {genre}
        raw = {w for w in lookup} | {w.lower() for genre in self.genre_names
                                     for w in [genre, *self.words.genre_synonyms.get(genre, [])]}
        raw |= {w.lower() for words in self.words.genre_synonyms.values() for w in words if norm_sentence(w) in lookup}
        pattern = re.compile(r"(?<![\w-])(?:" + "|".join(
            re.escape(w).replace(r"\ ", r"[\s/-]+").replace("'", "['’]?") for w in sorted(raw, key=len, reverse=True))
            + r")(?![\w-])", re.I)
        return pattern, lookup

    @cached_property
    def ratings(self) -> dict:
        """Per item: an array of (user, rating); the rating scale; the 'loved' threshold."""
        data = self.catalog.interactions()
        by_item: dict[int, np.ndarray] = {}
        if len(data):
            order = np.argsort(data["item"], kind="stable")
            data = data[order]
            ids, starts = np.unique(data["item"], return_index=True)
            for n, item_id in enumerate(ids):
                end = starts[n + 1] if n + 1 < len(starts) else len(data)
                by_item[int(item_id)] = data[starts[n]:end]
        low, high = (float(data["rating"].min()), float(data["rating"].max())) if len(data) else (1.0, 5.0)
        scale = self._scale() or (low, high)
        return {"by_item": by_item, "scale": scale, "loved": scale[0] + 0.75 * (scale[1] - scale[0])}

    def _scale(self) -> tuple[float, float] | None:
        try:
            value = self.catalog.meta().get("rating_scale")
            if value:
                low, high = (float(x) for x in re.findall(r"[\d.]+", value)[:2])
                return low, high
        except Exception:  # noqa: BLE001 - the scale is optional
            return None
        return None

    def count(self, item_id: int) -> int:
        return len(self.ratings["by_item"].get(item_id, ()))

    def mean(self, item_id: int) -> float | None:
        rows = self.ratings["by_item"].get(item_id)
        return float(rows["rating"].mean()) if rows is not None and len(rows) else None

    def lovers(self, item_id: int) -> set[int]:
        rows = self.ratings["by_item"].get(item_id)
        if rows is None:
            return set()
        return set(rows["user"][rows["rating"] >= self.ratings["loved"]].tolist())

    @cached_property
    def count_rank(self) -> dict[int, float]:
        """Item id -> share of items with at least as many ratings (0.01 = the top 1%)."""
        counts = {i: self.count(i) for i in self.items}
        values = np.array(sorted(counts.values()))
        return {i: float((values >= c).mean()) for i, c in counts.items()}

    @cached_property
    def min_count(self) -> int:
        counts = [self.count(i) for i in self.items]
        return max(1, min(10, int(np.median(counts)) if counts else 1))

    def rank_in(self, item_id: int, genre: str | None) -> tuple[float, float]:
        """(share by mean rating, share by number of ratings) of items in ``genre`` at or above this one."""
        pool = [i for i, it in self.items.items() if genre is None or genre in it.genres]
        rated = [i for i in pool if self.count(i) >= self.min_count and self.mean(i) is not None]
        mine = self.mean(item_id)
        by_mean = (sum(1 for i in rated if self.mean(i) >= mine) / len(rated)) if rated and mine is not None else 1.0
        counts = [self.count(i) for i in pool]
        by_count = (sum(1 for c in counts if c >= self.count(item_id)) / len(counts)) if counts else 1.0
        return by_mean, by_count

    def beats(self, item_id: int, genre: str | None) -> list[float]:
        """The share of ``genre``'s rated items with a lower mean rating than this one, counting as rated an item
        with at least 1, 5, 10, 20 or 50 ratings (a claim like 'higher than 90% of the dramas here' does not say
        which; it is backed when one of these readings holds)."""
        mine = self.mean(item_id)
        if mine is None:
            return []
        pool = [i for i, it in self.items.items() if (genre is None or genre in it.genres) and self.mean(i) is not None]
        out = []
        for least in (1, 5, 10, 20, 50):
            rated = [self.mean(i) for i in pool if self.count(i) >= least]
            if rated and self.count(item_id) >= least:
                out.append(sum(m < mine for m in rated) / len(rated))
        return out

    @cached_property
    def newest_year(self) -> int:
        return max((it.year for it in self.items.values() if it.year), default=0)

    @cached_property
    def oldest_year(self) -> int:
        return min((it.year for it in self.items.values() if it.year), default=0)

    def description(self, item) -> str:
        """The item's own words beyond its title, year and genres (the bookshop's blurb; '' for MovieLens)."""
        parts = [str(v) for k, v in (item.attrs or {}).items() if k not in {"imdb_url", "release_date", "price"}]
        text = item.text or ""
        header = re.match(r"^.*?Genres:[^.]*\.\s*", text)
        rest = text[header.end():] if header else ""
        if rest and rest not in parts:
            parts.append(rest)
        return " ".join(parts)

    # --- titles ----------------------------------------------------------------------------------
    @cached_property
    def title_index(self) -> dict[str, list[int]]:
        """Normalised title variants -> item ids ('the terminator', 'terminator', 'terminator 2')."""
        index: dict[str, list[int]] = {}
        for item in self.items.values():
            title = item.title
            variants = {norm_sentence(title), norm_title(title)}
            bare = re.sub(r"\s*\([^)]*\)\s*", " ", title).strip()
            variants |= {norm_sentence(bare), norm_title(bare)}
            for inner in re.findall(r"\(([^)]*)\)", title):
                if len(norm_sentence(inner)) >= 4 and not inner.strip().isdigit():
                    variants.add(norm_title(inner))
            if ":" in bare:
                head = bare.split(":")[0]
                if len(norm_title(head)) >= 4:
                    variants |= {norm_sentence(head), norm_title(head)}
            if re.search(r"\.\.\.$", title):
                variants.add(norm_title(title.rstrip(".")))
            for variant in variants:
                if variant:
                    index.setdefault(variant, []).append(item.id)
        return index

    @cached_property
    def longest_title(self) -> int:
        return max((len(v.split()) for v in self.title_index), default=1)

    def find_titles(self, clause: str) -> list[Mention]:
        """Catalog titles written in the clause (the first word capitalised or a digit), longest first."""
        tokens = [(m.start(), m.end(), m.group()) for m in re.finditer(r"[\w'’.&/:-]+", clause)]
        found: list[Mention] = []
        n = 0
        while n < len(tokens):
            start, _, word = tokens[n]
            word = word.strip(".:")
            if not word or not (word[0].isupper() or word[0].isdigit()):
                n += 1
                continue
            best = None
            for size in range(min(self.longest_title, len(tokens) - n), 0, -1):
                end = tokens[n + size - 1][1]
                span = clause[start:end].rstrip(".:,")
                key = norm_sentence(span)
                ids = self.title_index.get(key) or self.title_index.get(norm_title(span))
                if not ids:
                    continue
                if size == 1 and not self._single_word_ok(clause, start, end, word):
                    continue
                if size <= 2 and PERSON_BEFORE.search(clause[:start]):
                    continue  # 'a man named Jack', 'starring Tom Hanks': a person, not the film 'Jack'
                if size == 1 and word in self.words.first_names and re.match(r"\s+[A-Z][a-z]", clause[end:]):
                    continue  # 'Michael Bayliss' is a person, not the film 'Michael'

                best = Mention(start, start + len(span), list(ids), span)
                break
            if best:
                year = re.match(r"[.…!?]*\s*\((\d{4})\)", clause[best.end:])
                if year:
                    best.year = int(year[1])
                found.append(best)
                while n < len(tokens) and tokens[n][0] < best.end:
                    n += 1
            else:
                n += 1
        return found

    def _single_word_ok(self, clause: str, start: int, end: int, word: str) -> bool:
        """A one-word title counts mid-sentence when capitalised; at the start only before a year or a verb."""
        if re.match(r"\s*\(\d{4}\)", clause[end:]):
            return True  # 'Friday (1995)'
        if word in self.words.not_names or word.lower() in NUMBER_WORDS or word.lower() in ORDINAL_WORDS:
            return False
        if word.lower() in {g.lower() for g in self.genre_names}:
            return False
        rest = clause[end:]
        if re.match(r"\s*\(\d{4}\)", rest):
            return True
        at_start = not re.search(r"[A-Za-z0-9]", re.sub(r"^\s*(?:\d+[.)]\s*)", "", clause[:start]))
        if at_start or re.search(r"[.!?:]\s*$", clause[:start]):
            return bool(re.match(r"\s*(?:is|was|'s|’s|has|follows|tells|,|:|\()", rest))
        return True

    def unknown_titles(self, clause: str, mentions: list[Mention], skip: list[tuple[int, int]]) -> list[str]:
        """Title-like names the catalog lacks: quoted, before '(YYYY)', or after a title cue."""
        out = []
        taken = [(m.start, m.end) for m in mentions] + skip

        def free(a, b):
            return not any(a < e and b > s for s, e in taken)

        for match in re.finditer(r"[\"“*]([^\"”*\n]{2,80})[\"”*]", clause):
            if free(match.start(1), match.end(1)) and not self.title_index.get(norm_sentence(match[1])):
                if re.search(r"[A-Z]", match[1]) and len(match[1].split()) <= 10:
                    out.append(match[1])
                    taken.append((match.start(), match.end()))
        cap = r"(?:[A-Z0-9][\w'’.&-]*)"
        span = rf"{cap}(?:\s+(?:{cap}|of|the|a|an|and|in|on|to|for|with|at|from))*"
        for match in re.finditer(rf"({span})\s*\((\d{{4}})\)", clause):
            words = match[1]
            if free(match.start(1), match.end(1)):
                out.append(words)
                taken.append((match.start(), match.end()))
        for match in re.finditer(rf"({span})", clause):
            a, b = match.start(1), match.end(1)
            if not free(a, b) or not TITLE_CUES.search(clause[:a]):
                continue
            words = match[1].strip()
            first = words.split()[0]
            if first in self.words.not_names or first.lower() in NUMBER_WORDS or norm_sentence(words) in \
                    {norm_sentence(g) for g in self.genre_names} | set(self.genre_pattern[1]):
                continue
            if first in self.words.first_names or first in self.words.person_titles:
                continue
            out.append(words)
            taken.append((a, b))
        return out

    # --- the reply -------------------------------------------------------------------------------
    def check_reply(self, text: str, items: list[dict], user_messages: list[str], shown: list[int] | None = None,
                    focus: int | None = None) -> list[Claim]:
        """Every claim in the reply's text and in the cards' reasons the text does not already carry."""
        cards = [self.items[i["id"]] for i in items or [] if i.get("id") in self.items]
        user_text = "\n".join(user_messages or [])
        shown_items = [self.items[i] for i in shown or [] if i in self.items]
        list_items = cards if len(cards) > 1 else shown_items
        default = cards[:1] if len(cards) == 1 else (
            [self.items[focus]] if focus in self.items and not cards else [])
        claims: list[Claim] = []
        in_text = norm_sentence(text or "")
        for line in re.split(r"\n+", text or ""):
            listed = re.match(r"^\s*(\d+)[.)]\s+(.*)$", line)
            card = self.line_card(listed, cards) if listed else None
            for n, sentence in enumerate(split_sentences(line)):
                # the sentences after a list line's first one are about the same card ('It is close to X.')
                claims += self.check_sentence(sentence, cards, list_items, default, user_text, shown_items,
                                              card=card if n else None)
        for item in items or []:
            reason = item.get("reason") or ""
            if not reason or norm_sentence(reason) in in_text or item.get("id") not in self.items:
                continue
            own = [self.items[item["id"]]]
            for sentence in split_sentences(reason):
                claims += self.check_sentence(sentence, cards, list_items, own, user_text, shown_items,
                                              card=own[0])
        return claims

    def line_card(self, listed, cards: list):
        """The card a numbered list line is about: the title it starts with, else its number."""
        mentions = self.find_titles(listed[2])
        first = mentions[0] if mentions and mentions[0].start <= 2 else None
        hit = [c for c in cards if first and c.id in first.item_ids]
        hit.sort(key=lambda c: (norm_title(c.title) != norm_title(first.text), c.year != first.year))  # "Alien (1979)"
        if hit:
            return hit[0]
        if first:
            return self.items[first.item_ids[0]]
        if cards and 0 < int(listed[1]) <= len(cards):
            return cards[int(listed[1]) - 1]
        return None

    def check_sentence(self, sentence: str, cards: list, list_items: list, default: list, user_text: str,
                       shown_items: list, card=None) -> list[Claim]:
        body = sentence
        subject = list(default)
        plural = False
        line = re.match(r"^\s*(\d+)[.)]\s+(.*)$", sentence)
        if card is not None:
            subject = [card]
        elif line:
            body = line[2]
            found = self.line_card(line, cards)
            if found is not None:
                subject = [found]
        elif len(cards) > 1:
            subject, plural = list(cards), True
        ctx = Context(subject, plural, user_text, cards)
        claims: list[Claim] = []
        question = sentence.rstrip().endswith("?")
        for clause in split_clauses(body):
            claims += self.check_clause(clause, sentence, ctx, list_items, question)
        return claims

    def check_clause(self, clause: str, sentence: str, ctx: Context, list_items: list, question: bool) -> list[Claim]:
        claims: list[Claim] = []
        meta = bool(self.words.meta.search(clause))
        mentions = self.find_titles(clause)
        subject, plural = ctx.subject, ctx.plural
        ordinal = re.search(r"\b(?:the\s+)?(first|second|third|fourth|fifth|sixth|seventh|eighth|ninth|tenth|last|"
                            r"1st|2nd|3rd|4th|5th)\s+(?:one|pick|film|movie|book|title|suggestion|choice)\b|"
                            r"\b(?:number|#)\s*(\d)\b", clause, re.I)
        if ordinal and list_items:
            n = ORDINAL_WORDS.get((ordinal[1] or "").lower()) or int(ordinal[2] or 0)
            if n == -1 or 0 < n <= len(list_items):
                subject, plural = [list_items[n - 1 if n > 0 else -1]], False
        other_item = re.search(r"\b(?:fans of|(?:who|that) (?:loved|liked|enjoyed)|you (?:liked|loved|rated|gave))\s+$",
                               clause[:mentions[0].start], re.I) if mentions else None  # "fans of X loved this"
        if len(mentions) == 1 and not plural and not WISH_CUES.search(clause[:mentions[0].start]) and not other_item:
            only = mentions[0]
            if not (subject and subject[0].id in only.item_ids):
                subject = [self.items[i] for i in only.item_ids[:1]]
        self_talk = bool(SELF_CUES.match(clause)) and not mentions and not re.search(
            r"\b(?:it|this one|that one|the film|the movie|the book)\b", clause, re.I)
        wish = WISH_CUES.search(clause)
        wish_at = wish.start() if wish else None
        names = sentence  # names may sit anywhere in the sentence (a title named before 'its fans')

        # titles, and the years written beside them
        for m in mentions:
            items = [self.items[i] for i in m.item_ids]
            label = items[0].title
            if wish_at is not None and m.start > wish_at and re.search(
                    r"you (?:said|mentioned|told me|gave|asked|wanted)", clause[wish_at:m.start], re.I):
                said = self.user_named(m.text, items[0], ctx.user_text)
                claims.append(Claim("user_said", clause[wish_at:m.end], said,
                                    "the person named it" if said else "the person never named it", label, sentence))
            claims.append(Claim("title", m.text, True, "a catalog title", label, sentence))
            if m.year:
                ok = any(it.year == m.year for it in items)
                claims.append(Claim("year", f"{m.text} ({m.year})", ok,
                                    "the catalog's year" if ok else f"the catalog says {items[0].year}", label, sentence))
        skip = [(m.start, m.end) for m in mentions]
        persons, person_spans = self.find_persons(clause, skip)
        year_skip = []
        for title in self.unknown_titles(clause, mentions, skip + person_spans):
            claims.append(Claim("title", title, False, "no catalog item has this title", "", sentence))
            for match in re.finditer(re.escape(title) + r"[\"”*]?\s*\(\d{4}\)", clause):
                year_skip.append((match.start(), match.end()))  # the year of a title the catalog lacks: one claim

        taken = skip + person_spans
        # people, and other names (places, characters, organisations)
        if not meta:
            for name in persons:
                ok, why = self.person_backed(name, subject, mentions, ctx.user_text)
                claims.append(Claim("person", name, ok, why, self._label(subject), sentence))
            for name, span in self.find_names(clause, taken + [(a, a + len(t)) for t in
                                                               self.unknown_titles(clause, mentions, taken)
                                                               for a in [clause.find(t)] if a >= 0]):
                ok, why = self.person_backed(name, subject, mentions, ctx.user_text)
                claims.append(Claim("name", name, ok, why.replace("no such person", "no such name"),
                                    self._label(subject), sentence))
                taken.append(span)

        # counts and recommender notes
        claims += self.check_match_counts(clause, sentence, ctx, list_items)
        ratings, rating_spans = self.check_ratings(clause, sentence, subject, mentions, ctx.user_text)
        claims += ratings
        taken += rating_spans
        if not meta and not question and not self_talk:  # a share in a standing is checked there
            taken += [m.span() for m in STANDING_SHARE.finditer(clause)]
        claims += self.check_numbers(clause, sentence, subject, ctx, taken, plural)
        claims += self.check_years(clause, sentence, subject, plural, mentions, ctx.user_text, wish_at, year_skip)

        if question or self_talk:
            return claims
        claims += self.check_similarity(clause, sentence, subject, mentions, ctx)
        claims += self.check_genres(clause, sentence, subject, plural, mentions, ctx.user_text, wish_at)
        if not meta:
            claims += self.check_standing(clause, sentence, subject, plural)
            claims += self.check_descriptors(clause, sentence, subject, plural, taken, wish_at)
        return claims

    @staticmethod
    def _label(subject: list) -> str:
        return "; ".join(it.title for it in subject[:5])

    # --- the user's words ------------------------------------------------------------------------
    def user_named(self, text: str, item, user_text: str) -> bool:
        said = norm_sentence(user_text)
        for form in {norm_title(text), norm_title(item.title), norm_title(re.sub(r"\([^)]*\)", "", item.title))}:
            if form and (form in said or fuzz.partial_ratio(form, said) >= 88):
                return True
        return False

    def user_genres(self, user_text: str) -> set[str]:
        """Genres the person asked for: genre words, and words that imply one ('a laugh', 'space', 'scary')."""
        pattern, lookup = self.genre_pattern
        out = set()
        for match in pattern.finditer(user_text):
            out |= lookup.get(norm_sentence(match.group()), set())
        for word, genres in self.words.genre_implied.items():
            if re.search(rf"(?<![\w-]){re.escape(word)}\w*", user_text, re.I):
                out |= set(genres)
        words = [w for w in re.findall(r"[a-z-]{5,}", user_text.lower())]
        for key, genres in lookup.items():
            if len(key) >= 5 and " " not in key and any(fuzz.ratio(w, key) >= 85 for w in words):
                out |= genres  # 'a thriler': a typo the bot read as a genre the person meant
        return out

    def user_years(self, user_text: str) -> list[tuple[int, int]]:
        """Year spans the person wrote: years, decades ('80s', 'the eighties', '1990s')."""
        spans = []
        text = user_text.lower()
        for match in re.finditer(r"\b(1[89]\d\d|20[0-3]\d)s?\b", text):
            year = int(match[1])
            spans.append((year, year + 9) if match[0].endswith("s") else (year, year))
            before = text[max(0, match.start() - 25):match.start()]
            if re.search(r"(?:before|pre-?|older than|earlier than)\s*$", before):
                spans.append((0, year - 1))
            elif re.search(r"(?:up to|until|no later than|not after|nothing after)\s*$", before):
                spans.append((0, year))
            elif re.search(r"(?:after|post-?|newer than|later than)\s*$", before):
                spans.append((year + 1, 9999))
            elif re.search(r"(?:since|from|not before|nothing before)\s*$", before):
                spans.append((year, 9999))
        for match in re.finditer(r"(?<!\d)'?([2-9]0)s\b", text):
            year = 1900 + int(match[1])
            spans.append((year, year + 9))
        for word, year in DECADE_WORDS.items():
            if word in text:
                spans.append((year, year + 9))
        return spans

    def user_numbers(self, user_text: str) -> set[float]:
        out = {float(x) for x in re.findall(r"\d+(?:\.\d+)?", user_text)}
        out |= {float(v) for w, v in NUMBER_WORDS.items() if re.search(rf"\b{w}\b", user_text, re.I)}
        return out

    # --- people ----------------------------------------------------------------------------------
    def find_persons(self, clause: str, skip: list[tuple[int, int]]) -> tuple[list[str], list[tuple[int, int]]]:
        names, spans = [], []

        def free(a, b):
            return not any(a < e and b > s for s, e in skip + spans)

        cap = r"[A-Z][a-z][\w'’-]*"
        for match in re.finditer(rf"\b({cap})((?:\s+(?:[A-Z]\.\s*)?{cap}){{1,2}})", clause):
            first = match[1]
            rest = match[2].split()
            if first in self.words.first_names and free(match.start(), match.end()) and \
                    not any(r in self.words.not_names for r in rest):
                names.append(match[0])
                spans.append((match.start(), match.end()))
        titles = "|".join(map(re.escape, sorted(self.words.person_titles)))
        for match in re.finditer(rf"\b(?:{titles})\.?\s+{cap}(?:\s+{cap})?", clause):
            if free(match.start(), match.end()):
                names.append(match[0])
                spans.append((match.start(), match.end()))
        cues = "|".join(re.escape(c) for c in sorted(self.words.person_cues, key=len, reverse=True))
        for match in re.finditer(rf"\b(?i:{cues})\s+({cap}(?:\s+{cap}){{0,2}})", clause):
            a, b = match.start(1), match.end(1)
            words = match[1].split()
            cue = match[0][:a - match.start()].strip().lower()
            if not free(a, b) or words[0] in self.words.not_names:
                continue
            if cue == "by" and len(words) < 2:
                continue
            if norm_sentence(match[1]) in self.genre_pattern[1] or words[0].lower() in NUMBER_WORDS:
                continue
            names.append(match[1])
            spans.append((a, b))
        return names, spans

    def find_names(self, clause: str, taken: list[tuple[int, int]]) -> list[tuple[str, tuple[int, int]]]:
        """Capitalised words inside a clause that no other rule explains ('Dorothy', 'the land of Oz', 'MIT')."""
        out = []
        genre_words = self.genre_pattern[1]
        for match in re.finditer(r"(?<![\w'’-])[A-Z][\w'’-]*(?:\s+[A-Z][\w'’-]*)*", clause):
            a, b = match.start(), match.end()
            if any(a < e and b > s for s, e in taken):
                continue
            before = clause[:a].rstrip()
            if not before or before.endswith((":", "(", '"', "“", "-", "—", ".", "!", "?")) or \
                    re.fullmatch(r"\d+[.)]", before):
                continue  # the first word of a sentence, a line or a quotation
            if any(pattern.fullmatch(match[0]) for pattern in self.words.descriptors.values()):
                continue  # 'an Oscar': a descriptor word, checked as one
            words = [w.strip("'’") for w in match[0].split()]
            if all(w in self.words.not_names or norm_sentence(w) in genre_words or w.lower() in NUMBER_WORDS or
                   w.lower() in ORDINAL_WORDS or re.fullmatch(ITEM_NOUNS, w.lower()) or re.fullmatch(r"[IVX]+", w)
                   or w.lower() in {"genres", "genre", "catalog", "catalogue", "movie", "film", "book"}
                   for w in words):
                continue
            out.append((match[0], (a, b)))
        return out

    def person_backed(self, name: str, subject: list, mentions: list[Mention], user_text: str) -> tuple[bool, str]:
        tokens = [t for t in re.findall(r"[A-Za-z]+", name) if t not in self.words.person_titles]
        haystacks = [("the person's words", user_text)]
        for item in subject:
            haystacks += [("the item's own text", f"{item.title} {self.description(item)}")]
        for m in mentions:
            haystacks += [("a title named here", m.text)]
        for label, text in haystacks:
            low = norm_sentence(text)
            if tokens and all(re.search(rf"\b{t.lower()}\b", low) for t in tokens):
                return True, f"in {label}"
        return False, "no such person in the catalog's data or the conversation"

    # --- numbers ---------------------------------------------------------------------------------
    def check_match_counts(self, clause: str, sentence: str, ctx: Context, list_items: list) -> list[Claim]:
        """'only 16 items match genres Comedy or Sci-Fi, years 1980-1989' and 'no item ... matches ...'."""
        out = []
        for match in re.finditer(r"\b(?:only\s+)?(\d+|no)\s+(?:items?|movies?|films?|books?)\s+(?:in the catalog\s+)?"
                                 r"(?:is left that\s+)?match(?:es)?\s+(.+?)(?:\s+and has not been.*)?$", clause, re.I):
            number = 0 if match[1].lower() == "no" else int(match[1])
            filters = match[2].strip().rstrip(").;")
            genres = re.search(r"genres\s+(.+?)(?:,\s*(?:not|years)\b|$)", filters)
            wanted = [g.strip() for g in re.split(r"\s+or\s+", genres[1])] if genres else []
            excluded = re.search(r"\bnot\s+(.+?)(?:,\s*years\b|$)", filters)
            unwanted = [g.strip() for g in excluded[1].split(",")] if excluded else []
            years = re.search(r"years\s+(\d{4}|…|\.\.\.)\s*-\s*(\d{4}|…|\.\.\.)", filters)
            low = int(years[1]) if years and years[1].isdigit() else None
            high = int(years[2]) if years and years[2].isdigit() else None
            pool = [it for it in self.items.values()
                    if (not wanted or set(wanted) & set(it.genres)) and not set(unwanted) & set(it.genres)
                    and (low is None or (it.year or 0) >= low) and (high is None or (it.year and it.year <= high))
                    and it.title.strip().lower() not in {"", "unknown"}]
            removable = {it.id for it in list_items} | {it.id for it in ctx.cards}
            removable |= {i for it in pool if self.user_named(it.title, it, ctx.user_text) for i in [it.id]}
            floor = len([it for it in pool if it.id not in removable])
            ok = floor <= number <= len(pool)
            out.append(Claim("number", match[0], ok, f"the catalog has {len(pool)} such items"
                             + (f" ({floor} not yet shown or named)" if floor != len(pool) else ""), "", sentence))
        return out

    def check_ratings(self, clause: str, sentence: str, subject: list, mentions: list[Mention],
                      user_text: str) -> tuple[list[Claim], list[tuple[int, int]]]:
        out, spans = [], []
        label = self._label(subject)
        one = subject[0] if len(subject) == 1 else None
        low, high = self.ratings["scale"]
        # N of the M people who loved X also loved Y / N% of those who liked X also liked Y
        for match in re.finditer(rf"\b(\d+)(%| of the (\d+))\s+(?:{PEOPLE_NOUNS}\s+)?(?:who|that)\s+{LIKE_VERBS}\s+"
                                 rf"(.+?)\s+(?:also\s+)?{LIKE_VERBS}\s+(.+?)(?:[.,;]|$)", clause, re.I):
            x = self._item_in(match[4], mentions) or self._title_before(sentence, match[0])
            y = self._item_in(match[5], mentions) or one
            spans.append((match.start(), match.end()))
            if not x or not y:
                out.append(Claim("rating", match[0], False, "could not tell which items it compares", label, sentence))
                continue
            fans, both = self.lovers(x.id), self.lovers(x.id) & self.lovers(y.id)
            if match[2] == "%":
                ok = bool(fans) and abs(100 * len(both) / len(fans) - int(match[1])) <= 1
            else:
                ok = int(match[1]) == len(both) and int(match[3]) == len(fans)
            out.append(Claim("rating", match[0], ok, f"{len(both)} of the {len(fans)} who loved {x.title} loved "
                             f"{y.title}", label, sentence))
        # N of its M fans (here) also loved this / N of the M fans of X / N of the M people who loved it (X named
        # before in the sentence) / "(N of M)" after "people who loved X ... this too"
        for match in re.finditer(rf"\b(\d+) of (?:the |its )?(\d+)(?:\s+(?:{PEOPLE_NOUNS}|fans)(?:\s+of\s+(.+?))?)?"
                                 rf"(?:\s+(?:here|who {LIKE_VERBS}\s+(?:it|this one)))?(?=[\s,.;)]|$)", clause, re.I):
            if any(a <= match.start() < b for a, b in spans):
                continue
            spans.append((match.start(), match.end()))
            named = self.find_titles(clause[match.end(2):]) if match[3] else []  # "fans of Star Wars here"
            x = self.items[named[0].item_ids[0]] if named else self._title_before(sentence, match[0])
            if x is None or not one or x.id == one.id:
                out.append(Claim("rating", match[0], False, "could not tell which items it compares", label, sentence))
                continue
            fans, both = self.lovers(x.id), self.lovers(x.id) & self.lovers(one.id)
            ok = int(match[1]) == len(both) and int(match[2]) == len(fans)
            out.append(Claim("rating", match[0], ok, f"{len(both)} of the {len(fans)} who loved {x.title} loved "
                             f"{one.title}", label, sentence))
        # 4.2/5, 4.2 out of 5, average rating of 4.2, rated 4.2
        for match in re.finditer(r"\b(\d(?:\.\d+)?)\s*(?:/|out of)\s*(\d+|five|ten)\b|\b(?:average|mean|rating of|"
                                 r"rated|scores?|scored)\s+(?:rating\s+)?(?:of\s+|is\s+|at\s+)?(?:about\s+|around\s+)?"
                                 r"(\d\.\d+|\d)\b(?!\s*(?:users|people|times|ratings))", clause, re.I):
            if any(a <= match.start() < b for a, b in spans):
                continue
            value = float(match[1] or match[3])
            outof = {"five": 5, "ten": 10}.get(str(match[2]).lower(), None) if match[2] else None
            outof = outof or (float(match[2]) if match[2] and match[2].isdigit() else high)
            spans.append((match.start(), match.end()))
            if re.search(r"\byou gave\b", clause[:match.start()], re.I):
                ok = value in self.user_numbers(user_text)
                out.append(Claim("rating", match[0], ok, "the person wrote this rating" if ok else
                                 "the person never gave this rating", label, sentence))
                continue
            if not one:
                out.append(Claim("rating", match[0], False, "a rating of no identifiable item", label, sentence))
                continue
            mean = self.mean(one.id)
            scaled = value * high / outof if outof else value
            digits = len(match[1] or match[3]) - 2 if "." in (match[1] or match[3]) else 0
            ok = mean is not None and abs(mean - scaled) <= (0.5 * 10 ** -digits if digits else 0.5) + 1e-9
            out.append(Claim("rating", match[0], ok, f"mean rating {mean:.2f} of {self.count(one.id)}"
                             if mean is not None else "no ratings", label, sentence))
        spans += [m.span() for m in re.finditer(rf"(?:/|\bout of)\s*{high:g}\b", clause)]  # the scale's top
        # rated by 300 users / 300 ratings / 300 people loved it / rated highly by 300
        for match in re.finditer(rf"\b(?:(over|more than|about|around|nearly|almost|some|at least)\s+)?(\d[\d,]*)\s+"
                                 rf"(?:{PEOPLE_NOUNS}|ratings|reviews|votes)(?:\s+(?:have\s+)?({LIKE_VERBS}|rated|"
                                 rf"reviewed))?|\brated(?: highly)?(?: by)?\s+(?:(over|more than|about|around)\s+)?"
                                 rf"(\d[\d,]*)\s+{PEOPLE_NOUNS}", clause, re.I):
            if any(a <= match.start() < b for a, b in spans):
                continue
            number = int((match[2] or match[5]).replace(",", ""))
            hedge = (match[1] or match[4] or "").lower()
            words = (match[3] or "") + re.sub(r"\d[\d,]*", " ", match[0])  # the count's own digits say nothing
            loved = bool(re.search(r"lik|lov|enjoy|highly|\b[45]\b|four|five", words, re.I))
            spans.append((match.start(), match.end()))
            if not one:
                if number in self.user_numbers(user_text):
                    continue
                out.append(Claim("rating", match[0], False, "a count of no identifiable item", label, sentence))
                continue
            actual = len(self.lovers(one.id)) if loved else self.count(one.id)
            ok = self._close(number, actual, hedge)
            out.append(Claim("rating", match[0], ok, f"{actual} {'loved it' if loved else 'ratings'} in the catalog",
                             label, sentence))
        return out, spans

    @staticmethod
    def _close(number: int, actual: int, hedge: str) -> bool:
        if hedge in {"over", "more than"}:
            return actual > number
        if hedge == "at least":
            return actual >= number
        if hedge in {"nearly", "almost"}:
            return number * 0.85 <= actual <= number
        if hedge in {"about", "around", "some"}:
            return abs(actual - number) <= max(1, 0.1 * actual)
        return actual == number

    def _title_before(self, sentence: str, phrase: str):
        """The item named last before ``phrase`` in the sentence ("You liked X, and 30 of the 120 who loved it ...")."""
        at = sentence.find(phrase)
        before = [m for m in self.find_titles(sentence) if m.start < at] if at > 0 else []
        return self.items[before[-1].item_ids[0]] if before else None

    def _item_in(self, text: str, mentions: list[Mention]):
        for m in mentions:
            if m.text in text:
                return self.items[m.item_ids[0]]
        if re.search(r"\b(it|this one|this|that one)\b", text, re.I):
            return None
        found = self.find_titles(text)
        return self.items[found[0].item_ids[0]] if found else None

    def check_numbers(self, clause: str, sentence: str, subject: list, ctx: Context, taken: list[tuple[int, int]],
                      plural: bool) -> list[Claim]:
        out = []
        label = self._label(subject)
        one = subject[0] if len(subject) == 1 else None
        user_numbers = self.user_numbers(ctx.user_text)
        blocked = list(taken)
        for match in re.finditer(r"\b(?:only\s+)?(?:\d+|no)\s+(?:items?|movies?|films?|books?)\s+(?:in the catalog\s+)?"
                                 r"(?:is left that\s+)?match.*$|\btop\s+\d+\s*%", clause, re.I):
            blocked.append((match.start(), match.end()))
        # prices
        for match in re.finditer(r"[$£€]\s?(\d+(?:\.\d\d)?)|\b(\d+(?:\.\d\d)?)\s*(?:dollars|euros|pounds|usd|eur)\b",
                                 clause, re.I):
            blocked.append((match.start(), match.end()))
            value = float(match[1] or match[2])
            ok = bool(one) and any(self._equal(value, v) for v in (one.attrs or {}).values())
            out.append(Claim("number", match[0], ok, "the item's price" if ok else "not the item's price", label,
                             sentence))
        # runtimes and lengths
        for match in re.finditer(r"\b(\d+(?:\.\d+)?|an?|one|two|three)\s*(?:-\s*)?(?:hours?|hrs?|minutes?|mins?|"
                                 r"pages?)\b(?:\s+and\s+\d+\s+minutes?)?", clause, re.I):
            blocked.append((match.start(), match.end()))
            ok = bool(one) and any(re.search(r"runtime|length|pages|minutes", k, re.I) for k in (one.attrs or {}))
            out.append(Claim("number", match[0], ok, "the catalog records no length" if not ok else
                             "a length attribute exists", label, sentence))
        # counts of items: 'five picks', '3 movies'
        words = "|".join(NUMBER_WORDS)
        plurals = "|".join(re.escape(w) for w in sorted(self.genre_pattern[1], key=len, reverse=True)
                           if w.endswith("s") and " " not in w)
        nouns = f"(?:{ITEM_NOUNS}|{plurals})" if plurals else ITEM_NOUNS
        for match in re.finditer(rf"\b(\d+|{words})\s+(?:[a-z-]+\s+){{0,2}}?{nouns}\b", clause, re.I):
            if any(a <= match.start() < b for a, b in blocked):
                continue
            blocked.append((match.start(), match.end()))
            raw = match[1].lower()
            value = int(raw) if raw.isdigit() else NUMBER_WORDS[raw]
            if raw.isdigit() and 1800 <= value <= 2035:
                continue  # 'a 1994 animated film': a year, checked apart
            ok = value == len(ctx.cards) or value in user_numbers
            out.append(Claim("number", match[0], ok, f"{len(ctx.cards)} cards in this reply", label, sentence))
        # any other digits (not years, list numbers, ordinals, numbers inside titles or counted above)
        for match in re.finditer(r"(?<![\w.$£€/-])(\d+(?:[.,]\d+)?)(?![\w/]|\.\d|\s*(?:-|to)\s*\d{4}|s\b)", clause):
            a = match.start()
            if any(s <= a < e for s, e in blocked):
                continue
            value = float(match[1].replace(",", ""))
            if 1800 <= value <= 2035 and "." not in match[1]:
                continue  # years are checked apart
            if re.match(r"^\s*\d+[.)]\s", clause[a:]) and not clause[:a].strip():
                continue  # a list number
            attr = one is not None and any(self._equal(value, v) for v in (one.attrs or {}).values())
            ok = value in user_numbers or attr
            out.append(Claim("number", match[0], ok, "one of the item's attributes" if attr else
                             "a number the person wrote" if ok else "a number the catalog does not back", label,
                             sentence))
        return out

    @staticmethod
    def _equal(value: float, attr) -> bool:
        try:
            return abs(float(str(attr).replace(",", "")) - value) < 0.005
        except ValueError:
            return False

    # --- years -----------------------------------------------------------------------------------
    def check_years(self, clause: str, sentence: str, subject: list, plural: bool, mentions: list[Mention],
                    user_text: str, wish_at: int | None, skip=()) -> list[Claim]:
        out = []
        label = self._label(subject)
        spans = [(m.start, m.end + 8) for m in mentions] + list(skip)  # titles with their '(YYYY)'
        asked = self.user_years(user_text)
        patterns = [
            ("range", r"\b(?:between\s+)?(1[89]\d\d|20[0-3]\d)\s*(?:-|–|to|and)\s*(1[89]\d\d|20[0-3]\d)\b"),
            ("from", r"\bfrom\s+(1[89]\d\d|20[0-3]\d)\s+on(?:wards?)?\b|\b(?:since|after)\s+(1[89]\d\d|20[0-3]\d)\b"),
            ("upto", r"\b(?:up to|before|until|no later than)\s+(1[89]\d\d|20[0-3]\d)\b"),
            ("decade", r"\b(?:the\s+)?(?:(?:early|mid|late)[\s-]+)?(1[89]\d0|20[0-3]0)s\b|\b(?:the\s+)?'?([1-9]0)s\b|"
                       r"\b(?:the\s+)?(twenties|thirties|forties|fifties|sixties|seventies|eighties|nineties)\b"),
            ("year", r"(?<![\d-])(1[89]\d\d|20[0-3]\d)(?![\d-]|s\b)"),
        ]
        decades = []  # 'the 50s and 60s' is one span of years: each decade is checked against both
        for match in re.finditer(patterns[3][1], clause, re.I):
            word = [g for g in match.groups() if g][0].lower()
            start = DECADE_WORDS.get(word) or (int(word) if len(word) == 4 else 1900 + int(word))
            decades.append((start, start + 9))
        for kind, pattern in patterns:
            for match in re.finditer(pattern, clause, re.I):
                if any(a <= match.start() < b for a, b in spans):
                    continue
                spans.append((match.start(), match.end()))
                groups = [g for g in match.groups() if g]
                if kind == "range":
                    low, high = int(groups[0]), int(groups[1])
                elif kind == "from":
                    low, high = int(groups[0]) + (1 if "after" in match[0].lower() else 0), 9999
                elif kind == "upto":
                    low, high = 0, int(groups[0]) - (1 if "before" in match[0].lower() else 0)
                elif kind == "decade":
                    word = groups[0].lower()
                    start = DECADE_WORDS.get(word) or (int(word) if len(word) == 4 else 1900 + int(word))
                    low, high = start, start + 9
                    if re.search(r"early", match[0], re.I):
                        high = start + 4
                    elif re.search(r"late", match[0], re.I):
                        low = start + 5
                else:
                    low = high = int(groups[0])
                era = (kind == "from" and re.search(r"\b(?:newer|recent|modern|new|latest)\b", user_text, re.I)) or (
                    kind == "upto" and re.search(r"\b(?:older|old|classics?|oldies|vintage)\b", user_text, re.I))
                said = bool(era) or any(a <= high and b >= low for a, b in asked) if kind in ("year", "decade") else \
                    bool(era) or any(
                    (a, b) == (low, high) or (a <= low and high <= b) or (low <= a and b <= high and a != b)
                    or (kind in ("from", "upto") and (a == b) and a in (low, high, low - 1, high + 1))
                    for a, b in asked)
                in_wish = wish_at is not None and match.start() > wish_at
                if subject and kind != "year":
                    ranges = decades if kind == "decade" and len(decades) > 1 else [(low, high)]
                    fits = all(it.year and any(a <= it.year <= b for a, b in ranges) for it in subject)
                    ok = fits and (said or not in_wish)
                    why = ("the subject's year is in it" if fits else "the subject's year is outside it") + (
                        "" if said or not in_wish else "; the person never asked for it")
                elif subject:
                    ok = all(it.year == low for it in subject) or (plural and said)
                    if not ok and not plural and len(mentions) > 1:
                        ok = any(self.items[i].year == low for m in mentions for i in m.item_ids)
                    why = "the subject's year" if ok else f"the catalog says {', '.join(str(it.year) for it in subject[:5])}"
                elif mentions:
                    ok = said or any(self.items[i].year == low for m in mentions for i in m.item_ids)
                    why = "the year of a title named here" if ok else "not the year of any title named here"
                else:
                    ok = said or low in (self.newest_year, self.oldest_year) or high in (self.newest_year,)
                    why = "the person's own words" if said else (
                        "the catalog's first or last year" if ok else "a year of no identifiable item")
                out.append(Claim("year", match[0], ok, why, label, sentence))
        return out

    # --- genres ----------------------------------------------------------------------------------
    def check_genres(self, clause: str, sentence: str, subject: list, plural: bool, mentions: list[Mention],
                     user_text: str, wish_at: int | None) -> list[Claim]:
        pattern, lookup = self.genre_pattern
        asked = self.user_genres(user_text)
        skip = [(m.start, m.end) for m in mentions]
        for match in re.finditer(r"\bmatch(?:es)?\s+genres\b.*$|\bgenres\s+[A-Z][\w' -]+(?:\s+or\s+[A-Z][\w' -]+)*",
                                 clause):
            if re.search(r"\bmatch", clause[max(0, match.start() - 40):match.end()]):
                skip.append((match.start(), match.end()))
        found = []
        for match in pattern.finditer(clause):
            if any(a <= match.start() < b for a, b in skip):
                continue
            before = clause[max(0, match.start() - 12):match.start()].lower()
            if re.search(r"\b(?:no|not|without|non|except|but)\s*$", before):
                continue  # 'no horror' is a wish or a statement of absence, checked as the subject's lack below
            found.append((match, lookup[norm_sentence(match.group())]))
        if not found:
            return []
        out = []
        if plural and subject:
            named = set().union(*(g for _, g in found))
            words = ", ".join(m.group() for m, _ in found)
            if wish_at is not None:
                ok = named <= asked | {g for it in subject for g in it.genres}
                out.append(Claim("genre", words, ok, "the person asked for it" if ok else "the person never asked "
                                 "for it", self._label(subject), sentence))
                return out
            every = all(named & set(it.genres) for it in subject)
            each = all(any(g in it.genres for it in subject) for g in named if not
                       any(g in alternatives and len(alternatives) > 1 for _, alternatives in found))
            groups_held = all(any(alternatives & set(it.genres) for it in subject) for _, alternatives in found)
            ok = every and each and groups_held
            missing = [it.title for it in subject if not named & set(it.genres)]
            why = "every card has one and each genre named is on some card" if ok else (
                f"not on {', '.join(missing[:3])}" if missing else "a genre named is on no card")
            out.append(Claim("genre", words, ok, why, self._label(subject), sentence))
            return out
        for match, genres in found:
            target = self._nearest(match.start(), mentions) or (subject[0] if subject else None)
            in_wish = wish_at is not None and match.start() > wish_at
            if target is None:
                if in_wish or genres & asked or not re.search(r"\b(?:it|this|that|its)\b", clause, re.I):
                    continue  # a genre in general ('I can find comedies'), not said of an item
                out.append(Claim("genre", match.group(), False, "said of no identifiable item", "", sentence))
                continue
            has = bool(genres & set(target.genres))
            ok = has and (not in_wish or bool(genres & asked) or not re.search(r"you (?:asked|wanted|said)",
                                                                                clause[wish_at:], re.I))
            why = (f"{target.title} is {'/'.join(sorted(genres & set(target.genres)))}" if has else
                   f"{target.title} is {', '.join(target.genres) or 'of no genre'}")
            if has and not ok:
                why += "; the person never asked for it"
            out.append(Claim("genre", match.group(), ok, why, target.title, sentence))
        return out

    def _nearest(self, at: int, mentions: list[Mention]):
        before = [m for m in mentions if m.end <= at]
        if before:
            return self.items[before[-1].item_ids[0]]
        after = [m for m in mentions if m.start >= at and m.start - at <= 25]
        return self.items[after[0].item_ids[0]] if after else None

    # --- similarity, co-liking, what the person said --------------------------------------------
    def co_liked(self, x: int, y: int) -> tuple[bool, int, int]:
        fans = self.lovers(x)
        both = len(fans & self.lovers(y))
        return both >= max(1, math.ceil(0.05 * len(fans))), both, len(fans)

    def check_similarity(self, clause: str, sentence: str, subject: list, mentions: list[Mention],
                         ctx: Context) -> list[Claim]:
        out = []
        targets = subject
        label = self._label(subject)
        # 'people who liked X also liked Y', 'its fans liked this one too', 'fans of X also enjoyed'
        co = re.search(rf"\b(?:{PEOPLE_NOUNS}|those|anyone|everyone)\s+(?:who|that)\s+{LIKE_VERBS}\s+(.+?)\s+"
                       rf"(?:also\s+)?(?:{LIKE_VERBS}|tend to (?:like|love|enjoy))\s*(.*)$|\b(?:its|their|his|her)\s+"
                       rf"fans\s+(?:also\s+)?(?:liked|loved|enjoyed)|\bfans of\s+(.+?)\s+(?:also\s+)?(?:liked|loved|"
                       rf"enjoyed|tend to)", clause, re.I)
        if co and not re.match(r"\s*\d", clause[max(0, co.start() - 12):co.start()][-4:]):
            x_text = co[1] or co[3] or ""
            x = self._item_in(x_text, mentions) if x_text else None
            if x is None and re.fullmatch(r"\s*(?:it|this one|this|that one)\s*", x_text, re.I):
                # "You liked X, and 30 of the 120 people who loved it ..."; "People who loved it also loved A and B"
                x = self._title_before(sentence, co[0]) or (subject[0] if len(subject) == 1 else None)
            if x is None:
                earlier = [m for m in self.find_titles(sentence) if sentence.find(m.text) < sentence.find(co[0])]
                x = self.items[earlier[-1].item_ids[0]] if earlier else None
            named = [self.items[m.item_ids[0]] for m in self.find_titles(co[2])] if co[2] else []
            ys = named or ([self._item_in(co[2], mentions)] if co[2] and self._item_in(co[2], mentions) else targets)
            if x is None or not ys:
                out.append(Claim("similarity", co[0], False, "could not tell which items it links", label, sentence))
            else:
                for y in ys:
                    if y.id == x.id:
                        out.append(Claim("similarity", co[0], False, f"links {x.title} with itself", y.title,
                                         sentence))
                        continue
                    ok, both, fans = self.co_liked(x.id, y.id)
                    out.append(Claim("similarity", co[0], ok, f"{both} of the {fans} who loved {x.title} loved "
                                     f"{y.title}", y.title, sentence))
        # 'similar to X', 'close to X', 'in the vein of X', 'movies like X', 'if you liked X'
        for match in re.finditer(r"\b(?:similar to|close to|in the vein of|reminiscent of|along the lines of|"
                                 r"(?:movies?|films?|books?|novels?|picks?|ones?|something|anything|more)\s+like|"
                                 r"if you (?:liked|loved|enjoyed))\s+(.+?)(?:[,.;]|$)", clause, re.I):
            x = self._item_in(match[1], mentions)
            if x is None:
                continue
            for y in targets:
                if y.id == x.id:
                    continue
                shared = set(x.genres) & set(y.genres)
                ok, both, fans = self.co_liked(x.id, y.id)
                out.append(Claim("similarity", match[0], bool(shared) or ok,
                                 f"shares {', '.join(sorted(shared))}" if shared else
                                 f"no shared genre; {both} of the {fans} who loved {x.title} loved it", y.title,
                                 sentence))
        return out

    # --- standing --------------------------------------------------------------------------------
    def check_standing(self, clause: str, sentence: str, subject: list, plural: bool) -> list[Claim]:
        out = []
        if not subject:
            return out
        low, high = self.ratings["scale"]
        good = low + 0.6875 * (high - low)  # 3.75 on 1-5
        pattern_genre, lookup = self.genre_pattern
        for match in re.finditer(r"\b(?:among|in) the top\s+(\d+)\s*%(?:\s+of\s+(?:all\s+)?([\w' -]+?))?(?=[,.;]|$|\s+"
                                 r"(?:in|by|on|for)\b)|\bone of the (?:most (?:popular|rated|loved|liked)|best[- ]"
                                 r"(?:loved|rated|liked)|highest[- ]rated|top[- ]rated|best)(?:\s+([\w' -]+?))?(?=[,.;]"
                                 r"|$|\s+(?:in|of|from|on)\b)", clause, re.I):
            share = int(match[1]) / 100 if match[1] else 0.10
            genre_words = match[2] or match[3] or ""
            genre = None
            g = pattern_genre.search(genre_words)
            if g:
                genre = sorted(lookup[norm_sentence(g.group())])[0]
            for it in subject:
                by_mean, by_count = self.rank_in(it.id, genre)
                ok = min(by_mean, by_count) <= share
                out.append(Claim("standing", match[0], ok, f"top {by_mean:.0%} by mean rating, {by_count:.0%} by "
                                 f"number of ratings{' among ' + genre if genre else ''}", it.title, sentence))
        # 'higher than 93% of the sci-fi movies here', 'among the best 2% of ...', 'one of the better-rated dramas'
        for match in STANDING_SHARE.finditer(clause):
            g = pattern_genre.search(match[5])
            genre = sorted(lookup[norm_sentence(g.group())])[0] if g else None
            for it in subject:
                readings = self.beats(it.id, genre)
                if match[2]:
                    ok = any(abs(b - int(match[2]) / 100) <= 0.02 for b in readings)
                elif match[3]:
                    ok = any(1 - b <= int(match[3]) / 100 + 0.01 for b in readings)
                else:
                    ok = any(b >= 0.5 for b in readings)
                why = ", ".join(f"{b:.0%}" for b in readings)
                out.append(Claim("standing", match[0], ok, f"higher than {why} of the {genre or 'catalog'}'s rated "
                                 "items (at least 1, 5, 10, 20, 50 ratings)", it.title, sentence))
        checks = [
            (r"\b(?:very |quite |hugely |really )?popular\b|\bcrowd[- ]pleaser\b|\bwidely (?:seen|watched|read)\b",
             "popular"),
            (r"\bhighly[- ]rated\b|\brated highly\b|\bwell[- ](?:liked|rated|received|loved)\b|\btop[- ]rated\b|"
             r"\bloved by (?:many|fans|viewers|readers|audiences|people)\b|\bfan[- ]favou?rite\b|"
             r"\b(?:is|'s|was)\s+(?:an?\s+)?(?:really\s+|very\s+)?(?:great|excellent|brilliant|fantastic|"
             r"amazing|outstanding|superb|wonderful)\b|\bmust[- ]see\b|\bworth (?:watching|reading|a watch|a read)\b",
             "rated"),
            (r"\b(?:a|an|the)\s+(?:\w+\s+)?classic\b|\bclassics\b", "classic"),
        ]
        for pattern, kind in checks:
            for match in re.finditer(pattern, clause, re.I):
                if kind == "classic" and self.genre_pattern[0].search(match[0]) is None and \
                        re.search(r"classic (?:rock|style)", match[0], re.I):
                    continue
                for it in subject:
                    mean, count, rank = self.mean(it.id), self.count(it.id), self.count_rank.get(it.id, 1.0)
                    if kind == "popular":
                        ok, why = rank <= 0.25, f"{count} ratings, top {rank:.0%} by number of ratings"
                    elif kind == "rated":
                        ok = mean is not None and mean >= good and count >= min(self.min_count, 5)
                        why = f"mean rating {mean:.2f} of {count}" if mean is not None else "no ratings"
                    else:
                        ok = bool(it.year) and it.year <= self.newest_year - 20 and rank <= 0.25
                        why = f"{it.year}, top {rank:.0%} by number of ratings"
                    out.append(Claim("standing", match[0], ok, why, it.title, sentence))
        return out

    # --- descriptors -----------------------------------------------------------------------------
    def check_descriptors(self, clause: str, sentence: str, subject: list, plural: bool,
                          taken: list[tuple[int, int]], wish_at: int | None) -> list[Claim]:
        out = []
        for kind, pattern in self.words.descriptors.items():
            words = []
            for match in pattern.finditer(clause):
                if any(a <= match.start() < b for a, b in taken):
                    continue
                if wish_at is not None and match.start() > wish_at:
                    continue  # the person's own wish, repeated ('you wanted something scary')
                if re.match(r"based on\s+(?:your|what|the (?:genres?|catalog|ratings?|data|wishes)|my|popularity|"
                            r"ratings|how)", clause[match.start():], re.I):
                    continue  # 'based on your taste': how the bot chose, not the item's source
                words.append(match.group().lower())
            if not words:
                continue
            if kind == "crew" and re.search(r"\b(?:i|we)\s+(?:directed|wrote)\b", clause, re.I):
                continue
            if not subject:
                out.append(Claim("descriptor", f"{kind}: {', '.join(dict.fromkeys(words))}", False,
                                 "said of no identifiable item; the catalog cannot back it", "", sentence))
                continue
            missing = []
            for word in dict.fromkeys(words):
                if not all(self.descriptor_backed(word, it, kind, clause) for it in subject):
                    missing.append(word)
            ok = not missing
            why = "in the item's description or implied by its genres" if ok else (
                f"not in the catalog's data: {', '.join(missing)}")
            out.append(Claim("descriptor", f"{kind}: {', '.join(dict.fromkeys(words))}", ok, why,
                             self._label(subject), sentence))
        return out

    def descriptor_backed(self, word: str, item, kind: str, clause: str = "") -> bool:
        if kind == "acclaim":
            return False
        if word in self.words.plot_framing:
            return self.paraphrases(clause, word, item)
        implied = self.words.genre_implied.get(word) or self.words.genre_implied.get(word.replace(" ", "-"))
        if implied and set(implied) & set(item.genres):
            return True
        text = norm_sentence(self.description(item))
        if not text:
            return False
        stems = [w[:5] if len(w) > 5 else w for w in norm_sentence(word).split() if w not in SMALL_WORDS]
        return bool(stems) and all(re.search(rf"\b{re.escape(s)}", text) for s in stems)

    def paraphrases(self, clause: str, phrase: str, item) -> bool:
        """A framing phrase ('tells the story of', 'set in') is backed when the item has a description and at least
        half of the content words after it in the clause are in that description (or the title)."""
        description = self.description(item)
        if not description:
            return False
        text = norm_sentence(f"{item.title} {description}")
        at = re.search(r"[\s-]+".join(map(re.escape, phrase.split())), clause, re.I)
        rest = norm_sentence(clause[at.end():] if at else clause)
        content = [w for w in rest.split() if len(w) > 3 and w not in SMALL_WORDS and w not in STOP_WORDS][:8]
        if not content:
            return True
        hits = sum(1 for w in content if re.search(rf"\b{re.escape(w[:5])}", text))
        return hits * 2 >= len(content)


_CHECKERS: dict[int, ClaimChecker] = {}


def checker_for(catalog) -> ClaimChecker:
    """One checker per catalog object (its indexes are built once)."""
    if id(catalog) not in _CHECKERS:
        _CHECKERS[id(catalog)] = ClaimChecker(catalog)
    return _CHECKERS[id(catalog)]


def check_reply(text: str, items: list[dict], user_messages: list[str], catalog, shown=None, focus=None) -> list[Claim]:
    """The claims in one reply (see ``ClaimChecker.check_reply``)."""
    return checker_for(catalog).check_reply(text, items, user_messages, shown=shown, focus=focus)


def unsupported(claims: list[Claim]) -> list[Claim]:
    return [c for c in claims if not c.supported]
