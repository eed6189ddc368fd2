"""Find the catalog titles a person names in free text ("I adore toy story, Babe and aladdin").

Precision comes first: a word that happens to be a title ("heat", "speed", "kids") counts only when the
person writes it like a title (capitalised mid-sentence) or next to a cue that introduces titles ("loved",
"like", "than", a list of other titles). Exact matches over word windows come first, then fuzzy matches for
typos in longer phrases. Matching reads at most ``MAX_CHARS`` characters, so a huge message stays fast.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cached_property

from rapidfuzz import fuzz, process

from .store import Catalog, Item
from .titles import canonical, normalize, title_variants
from .words import everyday_words, ordinary_words

MAX_CHARS = 800
MAX_WORDS = 8
FUZZY_CUTOFF = 90       # for phrases under 8 characters; one slip in a longer one is allowed (85)
GREETINGS = {"good morning", "good evening", "good afternoon", "good night", "goodnight", "hello", "hi", "hey",
             "goodbye", "bye", "thank you", "thanks"}
# Words that introduce a title nearby: a lower-case common word right after one of these is read as a title.
CUES = set("""loved love loves like liked likes enjoyed enjoy adore adored adores hated hate hates disliked
dislike saw seen watched watch rewatched fan fans than as including especially about back
favourite favorite favorites favourites stand despised despise detested fond classic remember mean
original remake
ame adoro aimé adoré encanto encantó mochte geliebt odio detesto déteste amei adorei gostei aime piace mag
not kiffé kiffe vein style spirit similar reminds reminiscent luv luvd liekd likd meant forget drop remove""".split())
GENRE_CUES = CUES - {"not", "forget", "drop", "remove"}  # "not war", "forget the war part": the genre
POSSESSIVES = {"my", "our", "his", "her", "their", "your"}
# "I am from Brazil", "for Halloween": a place or a day
PLACES = {"from", "in", "to", "at", "visiting", "near", "de", "en", "aus", "for", "on", "this", "over"}
# Words right after a title that show it was one ("heat was great", "titanic? hated it").
AFTER_CUES = {"was", "were", "is", "hated", "loved", "sucked", "rocks", "rocked", "ruled", "bored", "blew", "fand",
              "yes", "too"}
# Common words that are never read as a title on their own, however they are written.
COMMON = set("""a an the and or but if so of to in on at by for with from up down out over under again then
once here there when where why how all any both each few more most other some such no nor not only own same
than too very can will just don should now i me my we our you your he him his she her it its they them their
what which who whom this that these those am is are was were be been being have has had having do does did
doing would could ought i'm you're it's that's let's ok okay yes yeah yep nope hi hello hey thanks thank please
maybe something anything nothing everything someone good great best better new old older newer recent
movie movies film films watch watching tonight today night day time one two three four five six seven eight
nine ten first second third last next kind sort type lot bit really much many little big long short show
tell give find need want get got make made see look looking think know go going come take around else
same different similar other others another instead too also about love loved loves hate hated hates like liked
likes enjoy enjoyed fan fans""".split())
ARTICLES = {"the", "a", "an"}
# Words after which a lower-case word describes ("not too heavy", "so funny"): an adjective, not a title.
INTENSIFIERS = {"too", "very", "pretty", "quite", "less", "overly", "super", "kinda", "somewhat", "extremely"}
QUESTION = re.compile(r"\?|^\W*(?:who|what|when|where|which|how|is|was|does|did|tell me|describe)\b", re.I)
OLDER = {"original", "older", "old", "first"}
VERSION = re.compile(r"\b(original|older|old|first|newer|new|remake|recent|later|(?:19|20)\d\d)\s+$")
YEAR_AFTER = re.compile(r"\s*\(?((?:19|20)\d\d)\)?")  # "Sabrina (1954)", "Carrie 2013": right after a title
# A subtitle of its own after a title, another film: after a colon, or after a dash in capitals to its end
# ("Mission: Impossible - Fallout", not "Fargo - great film").
SUBTITLE = re.compile(r"\s*(?::\s*[A-Z0-9]|\s[-–—]\s*(?:[A-Z0-9][\w'’]*\s*)+(?:[.!?,;)]|$))")
ORDINALS = ["first", "second", "third", "fourth", "fifth", "sixth"]
ORDINAL = re.compile(rf"\b({'|'.join(ORDINALS)})\s+$")
LINKING = {"is", "are", "was", "were", "include", "includes"}  # "my favourite movies are ..." (with the item words)


@dataclass(frozen=True)
class Mention:
    item: Item
    start: int          # character span in the text
    end: int
    exact: bool


@dataclass(frozen=True)
class _Word:
    norm: str
    start: int
    end: int
    capitalised: bool


class TitleIndex:
    """Normalised title variants of one catalog -> item ids, most popular first."""

    def __init__(self, catalog: Catalog, ignore: set[str] = frozenset(), item_words: set[str] = frozenset()):
        """``ignore``: words that also mean something else (genres, "film"): a title only next to a cue.
        ``item_words``: what the catalog's items are called ("movies"), skipped between a cue and a title."""
        self.catalog = catalog
        self.ignore = {normalize(w) for w in ignore}
        self.fillers = ARTICLES | LINKING | {normalize(w) for w in item_words}

    @cached_property
    def variants(self) -> dict[str, list[int]]:
        """Variant -> item ids: whole titles before shortened ones ("die hard" is Die Hard, not Die Hard: With
        a Vengeance), then the most popular first."""
        ranked: dict[str, list[tuple[int, int, int]]] = {}
        popularity = self.catalog.popularity
        for item in self.catalog.all_items():
            full = canonical(item.title)
            for variant in title_variants(item.title):
                if variant:
                    rank = (0 if variant == full else 1, -popularity.get(item.id, 0), item.id)
                    ranked.setdefault(variant, []).append(rank)
        return {v: [item_id for *_, item_id in sorted(ids)] for v, ids in ranked.items()}

    @cached_property
    def prefixes(self) -> dict[str, int]:
        """The first two or three words of longer titles, where only one title starts so ("butch cassidy")."""
        seen: dict[str, set[int]] = {}
        for item in self.catalog.all_items():
            words = canonical(item.title).split()
            for size in (2, 3):
                if len(words) > size and sum(w not in COMMON and len(w) >= 3 for w in words[:size]) >= 2:
                    seen.setdefault(" ".join(words[:size]), set()).add(item.id)
        return {p: next(iter(ids)) for p, ids in seen.items() if len(ids) == 1 and p not in self.variants}

    @cached_property
    def short_names(self) -> dict[str, int]:
        """What people shorten one title to, where no other title shortens the same: a rare word before any
        subtitle ("shawshank", "lebowski"), and for the best-known quarter of the catalog the part after a series
        name ("life of brian", "the last crusade", "wrath of khan") or a dotted initialism ("E.T.", matched only
        with its dots). Read as a title only where a cue or the writing vouches for it."""
        ordinary, popularity = ordinary_words(), self.catalog.popularity
        counts = sorted(popularity.values(), reverse=True)
        known = counts[len(counts) // 4] if counts else 0
        seen: dict[str, set[int]] = {}
        for item in self.catalog.all_items():
            title = item.title.split(" (")[0]
            words = canonical(title).split()
            head = canonical(title.split(":")[0]).split()  # a subtitle's word names later films too ("Annihilation")
            for word in set(head) if ordinary and len(words) > 1 else ():
                if len(word) >= 5 and word.isalpha() and word not in ordinary and word not in COMMON:
                    seen.setdefault(word, set()).add(item.id)
            if popularity.get(item.id, 0) <= known:
                continue
            parts = re.split(r":|\band the\b|['’]s\b", title, maxsplit=1)
            tail = canonical(parts[-1]).split()
            if len(parts) > 1 and len(tail) >= 2 and not all(w in COMMON for w in tail):
                seen.setdefault(" ".join(tail), set()).add(item.id)
            initials = re.match(r"(?:[A-Za-z]\.){2,}", title)
            if initials:
                seen.setdefault(initials[0].lower(), set()).add(item.id)
        return {name: next(iter(ids)) for name, ids in seen.items()
                if len(ids) == 1 and name not in self.variants and name not in self.ignore}

    @cached_property
    def series(self) -> dict[str, list[int]]:
        """A title's head without its number -> the items of that series, oldest first ("die hard 3" is the third
        Die Hard film, "star trek 2" The Wrath of Khan)."""
        out: dict[str, list[tuple[int, int]]] = {}
        for item in self.catalog.all_items():
            head = re.sub(r"\s+\d$", "", canonical(item.title.split(":")[0]))
            if head:
                out.setdefault(head, []).append((item.year or 0, item.id))
        return {head: [i for _, i in sorted(ids)] for head, ids in out.items() if len(ids) > 1}

    @cached_property
    def _by_label(self) -> dict[str, list[int]]:
        out: dict[str, list[int]] = {}
        for item in self.catalog.all_items():
            out.setdefault(normalize(item.label), []).append(item.id)
        return out

    def twins(self, ids) -> set[int]:
        """The given items and every item listed twice under the same title and year (MovieLens has some)."""
        out = set()
        for item in self.catalog.items(ids):
            out.update(self._by_label.get(normalize(item.label), [item.id]))
        return out

    @cached_property
    def _fuzzy_choices(self) -> list[str]:
        return [v for v in self.variants if len(v) >= 6]

    def named_in(self, text: str) -> set[int]:
        """Every item whose title appears in ``text`` word for word, however it is written or said of: the
        safety net that keeps a title a person typed out of their picks even where ``find`` (which must
        be precise) does not take it as a mention. A lone common or genre word is no title here."""
        words = canonical(text[-4 * MAX_CHARS:]).split()
        found = set()
        for size in range(1, MAX_WORDS + 1):
            for start in range(len(words) - size + 1):
                phrase = " ".join(words[start:start + size])
                if size == 1 and (phrase in COMMON or phrase in self.ignore or len(phrase) < 3):
                    continue
                ids = self.variants.get(phrase)
                if ids:
                    found.add(ids[0])
        return found

    def find(self, text: str) -> list[Mention]:
        """Non-overlapping title mentions in ``text``, in order of appearance."""
        text = text[:MAX_CHARS]
        words = _words(text)
        taken = [False] * len(words)
        found: list[Mention] = []
        sizes = list(range(min(MAX_WORDS, len(words)), 0, -1))
        # Exact titles first, twice, then typos, then single words once more: a list's titles vouch for the
        # others ("the fugitive and the firm", "holy grail & life of brian").
        for fuzzy, size in [(False, n) for n in sizes] * 2 + [(True, n) for n in sizes] + [(True, 1)] * bool(sizes):
            for start in range(len(words) - size + 1):
                if any(taken[start:start + size]):
                    continue
                mention = self._match(text, words, start, size, taken, fuzzy)
                if mention is not None:
                    found.append(mention)
                    taken[start:start + size] = [True] * size
        found += [more for mention in found for more in self._sequels(text, mention)]
        return sorted(found, key=lambda m: m.start)

    def _sequels(self, text: str, mention: Mention) -> list[Mention]:
        """"godfather 1 and 2", "die hard 2, 3": the bare numbers after a numbered title name its series' others."""
        head = re.fullmatch(r"(.+) [1-9]", canonical(text[mention.start:mention.end]))
        out, end = [], mention.end
        while head and (more := re.match(r"\s*(?:,|and|&|\+|/|or)\s*([1-9])\b(?!\s*(?:years?|\.\d))", text[end:])):
            sequel = self._numbered(f"{head[1]} {more[1]}")
            if sequel is not None:
                out.append(Mention(self.catalog.item(sequel), end + more.start(1), end + more.end(1), True))
            end += more.end()
        return out

    def _numbered(self, phrase: str) -> int | None:
        """"die hard 3": the third of the series named by the head, oldest first."""
        numbered = re.fullmatch(r"(.+) ([1-9])", phrase)
        if numbered is None:
            return None
        films, number = self.series.get(numbered[1], []), int(numbered[2])
        return films[number - 1] if number <= len(films) else None

    def _match(self, text: str, words: list[_Word], start: int, size: int, taken: list[bool],
               fuzzy: bool) -> Mention | None:
        window = words[start:start + size]
        phrase = canonical(" ".join(w.norm for w in window))
        if not phrase or not self._plausible(window, words, start, text, taken) \
                or _inside_longer_name(text, words, start, size):
            return None
        ids = self.variants.get(phrase)
        if ids is None and size >= 2 and phrase in self.prefixes and self._prefix_vouched(window, text):
            ids = [self.prefixes[phrase]]
        if ids is None:  # "E.T." is looked up as written, with its dots
            written = text[window[0].start:window[-1].end + 1].lower() if "." in text else phrase
            name = written if written in self.short_names else phrase
            if name in self.short_names and self._vouched(window, words, start, text, taken):
                ids = [self.short_names[name]]
        if ids is None and (sequel := self._numbered(phrase)) is not None:
            ids = [sequel]
        exact = ids is not None
        if not exact and not fuzzy:
            return None
        if not exact and len(phrase) >= 6 and window[0].norm not in COMMON and window[-1].norm not in COMMON:
            cutoff = FUZZY_CUTOFF if len(phrase) < 8 else 85
            hit = process.extractOne(phrase, self._fuzzy_choices, scorer=fuzz.ratio, score_cutoff=cutoff)
            same_words = len(phrase) >= 12 or len(hit[0].split()) == size if hit else False  # "lass die" no "lassie"
            numbered = hit and re.search(r" \d+$", phrase) and phrase.split()[-1] != hit[0].split()[-1]
            same_words = same_words and not numbered  # "men in black 2" is no typo of "men in black"
            # a slip changes letters, not a whole word: "halloween resurrection" is no "alien resurrection"
            same_words = same_words and all(max(fuzz.ratio(word, other) for other in hit[0].split()) >= 70
                                            for word in phrase.split() if len(word) >= 4)
            if hit is not None and same_words and abs(len(hit[0]) - len(phrase)) <= (4 if len(phrase) >= 12 else 3):
                ids = self.variants[hit[0]]
        if not ids or self._described(window, words, start, text, ids[0]):
            return None
        end = window[-1].end
        year = YEAR_AFTER.match(text[end:])
        if year and len(ids) > 1:  # "Sabrina (1954)" picks the right one of two
            dated = [i for i in ids if self.catalog.item(i).year == int(year.group(1))]
            ids = dated or ids
        ordinal = ORDINAL.search(text[:window[0].start].lower())
        films = self.series.get(phrase, [])
        if ordinal and len(films) > ORDINALS.index(ordinal[1]):  # "the second Godfather film"
            ids = [films[ORDINALS.index(ordinal[1])]]
        version = VERSION.search(text[:window[0].start].lower())
        if version and len(ids) > 1 and version[1].isdigit():  # "the 1962 Cape Fear"
            ids = [i for i in ids if self.catalog.item(i).year == int(version[1])] or ids
        elif version and len(ids) > 1:  # "the original Sabrina", "the newer Cape Fear"
            by_year = sorted(ids, key=lambda i: self.catalog.item(i).year or 0)
            ids = by_year if version[1] in OLDER else by_year[::-1]
        return Mention(self.catalog.item(ids[0]), window[0].start, end, exact)

    def _plausible(self, window: list[_Word], words: list[_Word], start: int, text: str, taken: list[bool]) -> bool:
        """Whether a window may be a title: written like one, or next to a cue or another title."""
        norms = [w.norm for w in window]
        if len(window) > 1 and norms[0] in ARTICLES:
            return False  # the window without its article is tried too
        if len(window) == len(words) <= 4 and not any(n in COMMON for n in norms):
            return True  # the whole message is the title ("Fargo?")
        if self._asked_about(norms, text):
            return True  # "who directed jaws?", "is the shining scary?"
        cued, titled = self._introduced(window, words, start, text, taken), _titled(window, text)
        if titled and len(window) == 1 and start and words[start - 1].norm in PLACES and not cued:
            titled = False
        if len(window) == 1 and not titled and start and words[start - 1].norm in POSSESSIVES | {"s"}:
            return False  # "my kids", "her family"
        if not titled and start + len(window) < len(words) and words[start + len(window)].norm in {"one", "ones"}:
            return False  # "not the stupid one": a description of a pick
        following = words[start + len(window)].norm if start + len(window) < len(words) else ""
        if all(n in self.ignore for n in norms) and following in self.ignore | {"stuff", "ones", "kind"}:
            return False  # "war films", "horror stuff": the genre, not the title
        if len(window) > 1 and norms[-1] in {"part", "bit", "thing"}:
            return False  # "forget the war part"
        if norms[0] == "i" and not cued:
            return False  # "I can't sleep after": a title that starts with "I" needs a cue
        if len(window) > 1 and norms[0] == "s":
            return False  # "son's sleepover" is no "s sleepover"
        if len(window) == 1 and norms[0] in self.ignore and not _cued(words, start, self.fillers, GENRE_CUES):
            return False  # "World War II", "the kids hated it": the genre unless a cue before it says title
        if len(window) == 1 and following == "of" and not titled:
            return False  # "a fan of", "a kind of"
        if all(n in COMMON or n in self.ignore or n.isdigit() for n in norms):
            return (cued or titled) and canonical(" ".join(norms)) in self.variants  # "Last Love", "Night Love"
        if not cued and " ".join(norms) in GREETINGS:
            return False  # "Good morning! Can you help me ...": a greeting, not the 1971 film
        if len(window) >= 3 or titled:
            return True
        if any(n in self.ignore for n in norms):
            return cued
        return len(window) == 2 or cued

    def _prefix_vouched(self, window: list[_Word], text: str) -> bool:
        """A title's first words stand for it when written like a title or when one of them is no everyday word:
        "butch cassidy" is a title, "as everyone says" is not Everyone Says I Love You."""
        return _titled(window, text) or not all(w.norm in everyday_words() for w in window)

    def _described(self, window: list[_Word], words: list[_Word], start: int, text: str, item_id: int) -> bool:
        """A lone lower-case word used as a description: right after "a"/"an" when the title has no such article
        ("not a fan" is not The Fan), or right after an intensifier ("not too heavy" is not Heavy)."""
        if _titled(window, text) or not start or len(window) > 1 or text[words[start - 1].end:window[0].start].strip():
            return False  # "a good will hunting vibe", "horror too, alien is one of my favs"
        before = words[start - 1].norm
        if before in {"a", "an"}:
            return not self.catalog.item(item_id).title.lower().startswith(f"{before} ")
        return before in INTENSIFIERS

    def _asked_about(self, norms: list[str], text: str) -> bool:
        """A question naming a well-known title whole, in any case ("how long is titanic")."""
        phrase = canonical(" ".join(norms))
        ids = self.variants.get(phrase)
        if not ids or phrase in self.ignore or not QUESTION.search(text):
            return False
        item = self.catalog.item(ids[0])
        return canonical(item.title) == phrase and self.catalog.popularity.get(item.id, 0) >= self.well_known

    @cached_property
    def well_known(self) -> int:
        """The popularity above which an item is among the best-known quarter of the catalog."""
        counts = sorted(self.catalog.popularity.values(), reverse=True)
        return counts[len(counts) // 4] if counts else 0

    def _introduced(self, window: list[_Word], words: list[_Word], start: int, text: str, taken: list[bool]) -> bool:
        """Whether the words around a window introduce a title: a cue before, a verb after, a list, quotes, its
        year in brackets ("Twilight (1998)")."""
        described = start + len(window) < len(words) and words[start + len(window)].norm in AFTER_CUES \
            or re.match(r"\s*\((?:19|20)\d\d\)", text[window[-1].end:]) is not None
        return described or _cued(words, start, self.fillers) or _in_list(text, words, start, len(window), taken) \
            or _quoted(text, window[0].start, window[-1].end)

    def _vouched(self, window: list[_Word], words: list[_Word], start: int, text: str, taken: list[bool]) -> bool:
        return _titled(window, text) or self._introduced(window, words, start, text, taken)


def _inside_longer_name(text: str, words: list[_Word], start: int, size: int) -> bool:
    """Part of a longer title or name written in capitals ("Black Panther", "Man of Steel", "Michael Bay", "Ender's
    Game"), or followed by a number, a numeral or a subtitle of its own ("Blade Runner 2049", "Men in Black II"):
    another film."""
    end = start + size
    if end < len(words) and SUBTITLE.match(text[words[end - 1].end:]):
        return True  # "The Naked Gun: From the Files of Police Squad!", "Mission: Impossible - Fallout"
    following = end
    while following < len(words) - 1 and words[following].norm in ("of", "the", "a") and following - end < 2:
        following += 1  # "The Phantom of the Opera"
    if end < len(words) and _joined(text, words[end - 1], words[end]) and (
            re.fullmatch(r"\d{1,4}|[ivx]{2,4}", words[end].norm) or _name_word(text, words[following], True)):
        return True
    if not start or not _joined(text, words[start - 1], words[start]):
        return False
    previous = words[start - 1]
    if previous.norm == "s" and start >= 2 and text[words[start - 2].end:previous.start] in ("'", "’"):
        return _name_word(text, words[start - 2], False)  # "Ender's Game"
    if previous.norm in ("of", "the") and start >= 2 and _joined(text, words[start - 2], previous):
        return _name_word(text, words[start - 2], False)  # "Man of Steel"
    return _name_word(text, previous, False)


def _joined(text: str, left: _Word, right: _Word) -> bool:
    """Only a space (or an apostrophe or colon) between two words: no comma, no sentence break."""
    return text[left.end:right.start].strip() in ("", "'", "’", ":")


def _name_word(text: str, word: _Word, following: bool) -> bool:
    """A capitalised word that can belong to a name: not "I", not a cue or a common word starting a sentence
    ("Loved Heat", "Yes Heat was great"), not the article before a title."""
    if not word.capitalised or word.norm == "i" or word.norm in CUES:
        return False
    if _sentence_start(text, word.start):
        return not following and word.norm not in COMMON
    return following or word.norm not in ARTICLES


def _titled(window: list[_Word], text: str) -> bool:
    """Written like a title: a capital letter that does not merely start a sentence."""
    return any(w.capitalised and (i or not _sentence_start(text, w.start)) for i, w in enumerate(window))


def _words(text: str) -> list[_Word]:
    out = []
    for match in re.finditer(r"[^\W_]+(?:['’][^\W_]+)*|&", text):
        token = match.group(0)
        if token == "&":
            out.append(_Word("and", match.start(), match.end(), False))
            continue
        for part in re.finditer(r"[^'’]+", token):
            norm = normalize(part.group(0))
            if norm:
                s = match.start() + part.start()
                out.append(_Word(norm, s, s + len(part.group(0)), part.group(0)[:1].isupper()))
    return out


def _sentence_start(text: str, position: int) -> bool:
    before = text[:position].rstrip()
    return not before or before[-1] in ".!?\n:;\"“("


def _cued(words: list[_Word], start: int, fillers: set[str], cues: set[str] = CUES) -> bool:
    """A cue among the two words before, past a run of ``fillers`` (articles, item words, "are") right before
    the window ("my favourite movies are alien and glory")."""
    position = start
    while position and words[position - 1].norm in fillers:
        position -= 1
    before = [w for w in words[max(0, position - 4):position] if w.norm not in ARTICLES][-2:]
    return any(w.norm in cues for w in before)


def _in_list(text: str, words: list[_Word], start: int, size: int, taken: list[bool]) -> bool:
    """Next to another title in a list: "Heat, Casino and Goodfellas", "the fugitive and the firm"."""
    joiners = {"and", "or", "plus", "y", "et", "und", "e"}
    before = [n for n in range(start - 1, max(-1, start - 4), -1) if words[n].norm not in ARTICLES]
    after = [n for n in range(start + size, min(len(words), start + size + 3)) if words[n].norm not in ARTICLES]
    for side, gap in ((before, (lambda n: (n, start))), (after, (lambda n: (start + size - 1, n)))):
        if side and taken[side[0]] and re.search(r"[,;/&+]", text[slice(*_span(words, *gap(side[0])))]):
            return True  # "Heat, Casino": adjacent titles need punctuation between ("star wars fan" is none)
        if side and words[side[0]].norm in joiners and len(side) > 1 and taken[side[1]]:
            return True
    return False


def _span(words: list[_Word], left: int, right: int) -> tuple[int, int]:
    """The characters between word ``left`` and word ``right``."""
    return words[left].end, words[right].start


def _quoted(text: str, start: int, end: int) -> bool:
    return start > 0 and end < len(text) and text[start - 1] in "\"'“‘*" and text[end] in "\"'”’*"
