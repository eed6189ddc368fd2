"""Read one message into a ``Change`` of the dialogue state, grounded in the catalog.

Deterministic on purpose: a 0.5B model fills a schema unreliably (measured in docs/state-eval.md), while
this reader only ever produces catalog genres, real item ids and sane year bounds. Titles come from
``catalog.mentions``; genres and era words from the catalog's domain profile.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass

from rapidfuzz import fuzz, process
from rapidfuzz.distance import OSA

from catalog import Catalog, Item
from catalog.domain import Domain
from catalog.embeddings import Encoder
from catalog.mentions import MAX_CHARS, VERSION, Mention, TitleIndex
from catalog.namesakes import namesakes_of, points_to_catalog

from .reactions import (BARE_POINTERS, KINDS, PLURAL, SINGULAR, KindsModel, Target, clauses, context, default_model,
                        shown_targets)
from .state import YEARS_CLEARED, Change, Wishes

AFTER_NEGATIVE = re.compile(r"^\s*[?!.…]*\s*[^.;!?]{0,40}?\b(?:was|were|is|are|felt|seemed)?\s*(?:so |way |really |too |pretty )*"
                            r"(?:garbage|trash|terrible|awful|boring|gross|bad|overrated|dull|meh|the worst|dumb|stupid|"
                            r"lame|mid|crap|rubbish|dreadful|bored me|put me to sleep|a snooze|"
                            r"too (?:intense|scary|violent|slow|long|much)|not for me|"
                            r"(?:and |but )?(?:honestly,? )?(?:i |we |they |he |she )?(?:hated?|disliked?|didn'?t like|"
                            r"did not like|couldn'?t stand|could not stand|can'?t stand|didn'?t (?:love|enjoy)|"
                            r"did not (?:love|enjoy)|wasn'?t (?:great|good|for me|a fan))(?: (?:it|them|that|those))?|"
                            r"messy|disturbing|cringe|"
                            r"sucked|a letdown|horrible|no me gusto|je deteste|j'ai deteste|non mi e piaciuto|"
                            r"nao gostei|odiei|tedious|tiresome|forgettable|disappointing|a (?:chore|slog)|weak|mediocre|so-so|"
                            r"not (?:that |very |so )?(?:good|great)|"
                            r"fand ich (?:doof|schlecht|langweilig|schrecklich|furchtbar|grauenhaft|nervig)|"
                            r"mochte ich (?:gar |uberhaupt )?nicht|hat mir (?:gar |uberhaupt )?nicht gefallen)\b")
AFTER_POSITIVE = re.compile(r"^\s*[?!.…]*\s*(?:was|were|is|are)\s+(?:so |really |pretty |absolutely |just )*"
                            r"(?:great|amazing|awesome|brilliant|fantastic|good|fun|wonderful|perfect|excellent|"
                            r"the best|a classic|my favou?rite|lovely|superb|incredible)\b")
CLAUSE_END = r"(?:[.;!?]|(?<!anything )(?<!everything )\bbut\b|\bhowever\b|\bthough\b|\byet\b|\bwhereas\b|\bpero\b|\bmais\b|\baber\b)"
NEGATIVE = (r"no me (?:gusto|gustaron|encanto)|no(?: \w+){0,3} like|(?:stay|steer|keep \w+) (?:away from|clear of)|"
            r"away from|hated?|hates|dislike[sd]?|despised?|detested?|loathed?|can'?t stand|cannot stand|couldn'?t stand|"
            r"could not stand|did(?:n'?t| not|nt) (?:really |much |particularly )?(?:like|enjoy|care for|love)|"
            r"do(?:n'?t| not|nt) (?:really |much |particularly |usually |generally )?(?:like|want|enjoy|love|care for)|not (?:a )?(?:big )?fan of|"
            r"not (?:really |that |too |so |very |much )?into|not in the mood for|no more|nothing(?: \w+){0,2} like|not like|anything but|other than|avoid|skip|"
            r"leave out|is(?:n'?t| not)|are(?:n'?t| not)|geen|"
            r"without|except|no|not|nothing|never|none|boring|awful|terrible|overrated|sick of|tired of|"
            r"enough (?:of )?|rather not|less|sin|nada de|pas de|sans|pas|keine?n?|ohne|niente|senza|odio|odie|"
            r"can'?t deal with|cannot deal with|can'?t handle|can'?t do|not (?:big|keen) on|no fan of|"
            r"neither(?: of us)? (?:liked|enjoyed|loved)|none of us (?:liked|enjoyed)|nobody liked|neither|nor|"
            r"detesto|je deteste|j'ai deteste|deteste|non mi e piaciuto|nao gostei|nicht gemocht|"
            r"mag (?:ich )?nicht|ni de broma")
# "haven't seen X" says nothing of taste: neither a like nor a dislike (ReDial's people say it of most picks).
UNSEEN = re.compile(r"\b(?:have ?n[o'’]?t|havent|has ?n[o'’]?t|never|not|did ?n[o'’]?t|didnt|yet to|not yet)\s+"
                    r"(?:\w+\s+){0,2}?(?:seen|saw|see|watched|watch)\b")
# "anything rated R or horror": a genre further down an "or" list takes the list's negation ("don't want").
LIST_JOIN = re.compile(r"\b(?:or|nor)\s+$")
LISTED = 10
# "horror movies scare me", "horror because they terrify me": a genre judged by what it does to the person.
AFTER_GENRE_NEGATIVE = re.compile(r"^(?:(?!\bbut\b)[^.;!?]){0,30}?\b(?:terrif(?:y|ies|ied)|scares? me|scared of them|"
                                  r"freak(?:s)? me out|give[s]? me nightmares|"
                                  r"(?:is|are) too (?:scary|mushy|sappy|gory|violent|cheesy))\b")
AUDIENCE = re.compile(r"\b(?:kids?|children|childrens|family|little ones)\b")  # who it is for, not what it is
NEUTRAL_LIKED = 0.7  # below this share of its threshold, a title only seen, chosen or asked about is no taste
# "not sure", "don't mind" and the like negate nothing.
NOT_NEGATION = re.compile(r"\b(?:not (?:sure|too sure|fussy|picky|bothered)|(?:do ?n[o']?t|wouldn'?t) mind|"
                          r"no (?:idea|clue|problem|worries)|not only|never mind|nothing (?:else|more)|"
                          r"(?:is|are|does|do)(?:n'?t| not) (?:have|need) to be|needn'?t be)\b")
POSITIVE = (r"lo+ved?|loves|lik(?:e|ed|es)|liekd|likd|luv+d?|lurve[ds]?|enjoy(?:ed|s)?|ador(?:e|ed|es)|fan of|fond of|favou?rites?|"
            r"great|amazing|awesome|brilliant|the best|into|dig|dug|rewatch(?:ed)?|j'ai adoré|j'adore|me encant[oó]|"
            r"adoro|mochte|liebe|ho amato|mi e piaciuto|mi piace|amei|adorei|gostei|me gusto|me gusta|j'aime|"
            r"ich mag|gefiel|geliebt")
SIMILAR = re.compile(r"\b(?:like|similar to|in the (?:vein|style|spirit) of|along the lines of|such as|"
                     r"comparable to|reminds? me of|same (?:vibe|feel) as|in the same vein as|a la|à la|"
                     r"something like|stuff like|more like|comme|como|wie)\s*$")
QUESTION_ABOUT = re.compile(r"\b(?:why|what year|when (?:was|did|is)|who (?:is|was|stars|directed|'s)|"
                            r"tell me (?:more )?about|what(?:'s| is) .{0,40}about|is|was|how (?:long|old))\s*$")
RESET = re.compile(r"\b(?:start(?:ing)? (?:over|again|afresh|fresh|from scratch)|from scratch|clean slate|"
                   r"(?:forget|scrap|clear|reset|ignore|drop) (?:everything|all (?:of )?(?:that|this|it)|it all|"
                   r"all my (?:wishes|preferences))|something (?:completely|totally|entirely|really) different|"
                   r"new search|let'?s start fresh|on recommence|de (?:cero|nuevo)|von vorne|ricominciamo|"
                   r"reset)\b")
UNDO = re.compile(r"^\W*(?:(?:hmm+|um+|uh+|ok(?:ay)?|oh|ah|wait|no|nah|actually|sorry|erm)[\s,.!]+)*"
                  r"(?:(?:no,?\s*)?(?:forget|scratch|ignore|disregard|cancel|undo|take back|never ?mind)"
                  r"(?: about)? (?:that|this|it|what i (?:just )?(?:said|wrote|typed)|my last (?:message|request|"
                  r"one)|the last (?:thing|bit|part|one))|undo|never ?mind|oops|my bad)\b(?!\s+(?:part|bit|thing|"
                  r"genre|year|decade|era))")
MORE = re.compile(r"\b(?:more|others?|another|else|keep (?:going|them coming)|next|additional|again|"
                  r"new ones|different ones|otra|autres?|plus|weitere|altri|altre)\b")
CLEAR_YEARS = re.compile(r"\b(?:(?:any|whatever) (?:year|decade|era|time period|period)s?|all (?:years|decades|eras)|"
                         r"(?:years?|decades?|eras?|dates?|when it (?:was )?(?:came out|made)|release date|"
                         r"how old (?:it is|they are)|age) (?:does ?n[o']?t|do ?n[o']?t|doesnt|dont|no longer) "
                         r"matters?|(?:do ?n[o']?t|does ?n[o']?t|no longer) (?:care|mind|matter) (?:about |what |which "
                         r")?(?:the )?(?:year|decade|era|date|period|when)|(?:drop|forget|remove|ignore|lose|"
                         r"scrap|never ?mind|skip|clear|no) (?:about )?(?:the |that |any )?(?:year|decade|date|era|"
                         r"time period|period)(?: (?:limit|range|filter|restriction|thing|part|bit|constraint)s?)?|"
                         r"(?:year|decade|era)s? (?:is|are) (?:fine|ok|okay|whatever)|regardless of (?:the )?"
                         r"(?:year|decade|era)|n'importe quelle (?:annee|epoque)|cualquier (?:ano|epoca|decada)|"
                         r"qualsiasi (?:anno|epoca)|egal (?:welches|aus welchem) jahr|qualquer (?:ano|epoca)|"
                         r"from any (?:year|decade|era))\b")
CLEAR_GENRES = re.compile(r"\b(?:any|whatever|all) genres?\b|\bgenres? (?:does ?n[o']?t|do ?n[o']?t|no longer) "
                          r"matters?\b|\b(?:fine|ok|okay|open) with any genre\b|\bdrop the genres?\b")
DROP = (r"(?:do ?n[o']?t|does ?n[o']?t|no longer) care (?:about|for)|forget(?: about)?|drop|never ?mind|"
        r"ignore|remove|scrap|lose|instead of|rather than|not fussed about|not bothered about|"
        r"en vez de|en lugar de|au lieu de|plutot que|statt|anstatt|invece di|em vez de|lass (?:die|den|das)|"
        r"not .{0,12}anymore|no longer")
# Said of a genre the user had ruled out: the exclusion goes, nothing is added.
ALLOWED = re.compile(r"\b(?:(?:do ?n[o']?t|wouldn'?t) mind|(?:a bit of|some) |(?:ok|okay|fine) with|can have)\s*"
                     r"(?:the |a |an |some )?$")
ALLOWED_AFTER = re.compile(r"^\W*(?:e?s\W*)?(?:after all|(?:is|are) (?:allowed|back on))\b")
FORGET_ITEM = r"forget|drop|remove|scrap|scratch|take (?:off|out)|never ?mind|ignore|cross off"
ADD_TOO = re.compile(r"\b(?:too|also|as well)\b")
DROP_AFTER = re.compile(r"^\s*(?:part|bit|thing|stuff|idea|genre|filter|wish)?\s*(?:does ?n[o']?t|do ?n[o']?t|"
                        r"no longer) matters?")
REPLACE = re.compile(r"\b(?:instead|switch(?:ing)?|change (?:it |that )?to|rather|actually|how about|what about|"
                     r"let'?s (?:do|go|try|have|switch|watch)|make it|i'?d prefer|prefer|go with|now|"
                     r"in the mood for|changed my mind|change of plans?|new plan|on second thought|^\W*ok(?:ay|k+)?|plut[oô]t|mejor|lieber|"
                     r"en cambio|this time|not .{0,20}anymore|no longer|go back to|settled|only)\b")
CORRECTION = re.compile(r"\bi (?:meant|mean)\b|\bmeant to say\b|\bi wanted to say\b|\bno,? wait\b|\bwait,? no\b")
ADD = re.compile(r"\b(?:also|too|as well|plus|and|or|both|either|add|with some|mixed with|bit of|en plus|"
                 r"tambi[eé]n|auch|anche|y|et|und)\b")
NOT_GENRE = re.compile(r"\blive[- ]action\b|(?<!for )\b(?:my|our|his|her|their|the) (?:kids?|children|family)\b(?! (?:movies?|films?|stuff))|"
                       r"\b(?:pre|post)-?war\b|"
                       r"\bwar(?= (?:toll|super|gut|schlecht|langweilig|klasse|genial|spitze|sehr|so|echt|ganz|nicht)\b)")
COUNT_WORDS = {"half a dozen": 6, "a dozen": 12, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6,
               "seven": 7, "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "a couple": 2, "a couple of": 2, "couple": 2, "a few": 3, "a pair of": 2, "deux": 2,
               "trois": 3, "quatre": 4, "cinq": 5, "dos": 2, "tres": 3, "cuatro": 4, "cinco": 5, "seis": 6,
               "dois": 2, "duas": 2, "quatro": 4, "zwei": 2, "drei": 3, "vier": 4, "funf": 5, "sechs": 6, "due": 2,
               "tre": 3, "quattro": 4, "cinque": 5, "sei": 6}
NUMBER_ALONE = re.compile(r"^\W*(?:(?:ok(?:ay)?|hmm+|um+|maybe|just|only|like|so|and|then|actually|let'?s go with|"
                          r"go with|give (?:me|us)|show (?:me|us)|gimme|dame|da|me da|dimmi|donne[- ]moi|gib mir|"
                          r"zeig mir|say|pode me dar|me de|und|et|y|e|bitte|please|pls|por favor)\W+)*(\d{1,2}|[a-z]+)(?:\W+(?:or so|of (?:them|em)|"
                          r"please|pls|plz|por favor|porfa|bitte|merci|s'il vous plait|grazie|obrigad[oa]|thanks|"
                          r"films?|filmes?|peliculas|titoli|titles|movies|picks|options|vorschlage|suggestions|is enough|stuck|"
                          r"would be \w+|will (?:do|suffice)|max|tops|only|are enough|enough|reichen|genugen|suffisent|suffit|"
                          r"bastan|basta|alcanzan)\b)*\W*$")
DECADE_WORDS = {"twenties": 1920, "thirties": 1930, "forties": 1940, "fifties": 1950, "sixties": 1960,
                "seventies": 1970, "eighties": 1980, "nineties": 1990, "cincuenta": 1950, "sesenta": 1960,
                "setenta": 1970, "ochenta": 1980, "noventa": 1990, "cinquanta": 1950, "sessanta": 1960,
                "settanta": 1970, "ottanta": 1980, "novanta": 1990, "annees trente": 1930, "annees quarante": 1940,
                "annees cinquante": 1950, "annees soixante-dix": 1970, "annees soixante": 1960,
                "annees quatre-vingt-dix": 1990, "annees quatre-vingt": 1980, "cinquenta": 1950, "sessenta": 1960,
                "oitenta": 1980, **{f"{german}{end}": 1900 + 10 * n for n, german in enumerate(
                    ("zwanziger", "dreissiger", "vierziger", "funfziger", "sechziger", "siebziger", "achtziger",
                     "neunziger"), start=2) for end in ("", "n", "jahre", "jahren", "jahrn")}}
SHORTHAND = [(re.compile(pattern, re.I), words) for pattern, words in (
    (r"\b(?:nothin|nuthin|nothign|nohting)\b", "nothing"),
    (r"\b(?:smth|sth|smthg|smthng|somethin|somthing|sumthin)\b", "something"), (r"\b(?:abt|bout)\b", "about"),
    (r"\bw/o\b", "without"), (r"\bnvm\b", "never mind"), (r"\bb4\b", "before"))]
YEAR = r"((?:18|19|20)\d\d|'\d\d\b(?!\s*s))"
DECADE = (r"(?:the\s+|den\s+|des\s+|los\s+)?(?:(early|mid|late|debut des|fin des|principios de los|finales de los|"
          r"fruhen|spaten|inizio degli|fine degli|inicio dos|final dos)[\s-]+)?"
          r"(?:(?:(18|19|20)(\d)0\s*'?\s*s)|'?(\d)0\s*'?\s*s\b|"
          r"(" + "|".join(sorted(DECADE_WORDS, key=len, reverse=True)) + r")|(?:annees|anos|anni|decada de los|les annees|die|los|las)\s+(?:(?:19)?(\d)0)\b|"
          r"(\d)0ern?(?:\s+jahren?)?)")
EARLY = {"early", "debut des", "principios de los", "fruhen", "inizio degli", "inicio dos"}
LATE = {"late", "fin des", "finales de los", "spaten", "fine degli", "final dos"}

UPPER = (r"before|pre-?|prior to|older than|earlier than|up to|until|till|through|no later than|not after|"
         r"nothing (?:after|later than|newer than|more recent than|past|beyond|since)|no (?:newer|later) than|"
         r"not (?:newer|later) than|at the latest|max(?:imum)?|antes de|avant|vor|nada (?:de )?despues de|"
         r"nicht neuer als|nicht nach|nichts nach|nichts neuer als|pas apres|no despues de")
LOWER = (r"after|post-?|since|newer than|later than|more recent than|from|no (?:earlier|older) than|"
         r"not (?:before|older than|earlier than|prior to)|nothing (?:before|older than|earlier than|prior to)|"
         r"at least|min(?:imum)?|despues de|apres|nach|depuis|desde|nada (?:de )?antes de|ab|nicht alter als|"
         r"nicht vor|nichts vor|nichts alter als|pas avant|no antes de")
INCLUSIVE_UPPER = r"up to|until|till|through|no later than|not after|nothing|no (?:newer|later)|not (?:newer|later)|" \
                  r"at the latest|max|nada|nicht|pas|no despues"
INCLUSIVE_LOWER = r"since|from|no (?:earlier|older)|not|nothing|at least|min|desde|depuis|nada|ab|nicht|pas|no antes"
NOT_AFTER_NEGATION = r"(?<!nothing )(?<!no )(?<!not )(?<!nada de )(?<!nada )(?<!pas )(?<!nichts )"


@dataclass
class _Era:
    low: int
    high: int


class MessageReader:
    """``read(message, wishes, shown) -> Change``: one instance per catalog. ``encoder`` gives the sentence
    encoder the learned reaction model reads with (loaded on first need); ``kinds`` is that model."""

    def __init__(self, catalog: Catalog, domain: Domain, encoder: Callable[[], Encoder] | None = None,
                 kinds: KindsModel | None = None):
        self.catalog, self.domain = catalog, domain
        self.encoder, self.kinds = encoder, kinds or default_model()
        self.lexicon = {fold(w): g for w, g in domain.genre_lexicon(catalog.genres).items()}  # word -> genres
        items = {fold(w) for w in domain.item_words}
        self.titles = TitleIndex(catalog, ignore=set(self.lexicon) | items, item_words=items)
        self.namesakes = namesakes_of(catalog, domain.namesakes)
        self._genre_words = "|".join(re.escape(w) for w in sorted(self.lexicon, key=len, reverse=True))
        self._genre_pattern = re.compile(rf"\b({self._genre_words})(?:e?s)?(?:-?(?:filme?|films?|movies?))?\b")
        self._fuzzy_genres = [w for w in self.lexicon if len(w) >= 5]

    def read(self, message: str, wishes: Wishes | None = None, shown: list[Item] | None = None) -> Change:
        """``shown``: the items the person saw just before (the latest picks); stand-ins for items outside the
        catalog have negative ids."""
        wishes, shown, message = wishes or Wishes(), shown or [], _spelled_out(message)
        change = Change()
        text = fold(message)
        undo = UNDO.search(text)
        if undo:
            rest = message[undo.end():].lstrip(" ,.;:!-")
            change = self.read(rest, wishes, shown) if len(rest.split()) >= 2 else Change()
            change.undo, change.more = True, True
            return change
        change.reset = bool(RESET.search(text))
        mentions = self.titles.find(message)
        correction = _correction(text)
        # "sorry, I meant Aliens": the last change is taken back and this one made instead
        change.undo = bool(correction and mentions and not re.search(r"\w", text[:correction.start()].replace("sorry", "")))
        blanked, found = _blank(message, mentions), mentions
        if correction and any(m.start >= correction.end() for m in mentions):
            mentions = [m for m in mentions if m.start >= correction.end()]  # "like Men in Black - no wait, I mean ..."
        mentions = self._namesakes(message, mentions, wishes, shown, change)
        relative, uncued = self._titles(message, mentions, change)
        change.mentioned = [m.item.id for m in mentions]
        change.links = [(m.item.id, message[m.start:m.end]) for m in mentions]
        self._reactions(message[:MAX_CHARS], shown, [m for m in mentions if m.item.id in uncued], mentions, change)
        change.unknown_titles = self._unknown(message, found)
        rest = fold(blanked)
        self._count(rest, change)  # before the genres go: "half a dozen thrillers"
        rest = self._genres(rest, wishes, change)
        self._years(rest, shown, relative, change, wishes)
        change.more = bool(MORE.search(rest)) or change.changes_wishes()
        if len(_content_words(rest, self.domain)) >= 2:
            change.text = message.strip()[:300]
        return change

    # --- titles ---------------------------------------------------------------------------------
    def _namesakes(self, message: str, mentions: list[Mention], wishes: Wishes, shown: list[Item],
                   change: Change) -> list[Mention]:
        """The mentions kept once titles that a later film also goes by are weighed (``catalog.namesakes``): a
        bare name the later film usually means is left out, one that may mean either is taken as the catalog's
        film; both are reported. A year, a version word or the bot having shown or been told of the film
        decides."""
        known = wishes.named_items | {item.id for item in shown}
        kept = []
        for mention in mentions:
            later = self.namesakes.get(mention.item.id)
            said = points_to_catalog(message, mention) if later else True
            if said is True or mention.item.id in known:
                kept.append(mention)
                continue
            linked = said is None and not later.usually_meant
            if linked:
                kept.append(mention)
            change.namesakes.append({"item": mention.item.id, "label": mention.item.label, "year": mention.item.year,
                                     "later": later.label, "words": message[mention.start:mention.end],
                                     "linked": linked})
        return kept

    def _titles(self, message: str, mentions: list[Mention], change: Change) -> tuple[dict[str, int], set[int]]:
        """Sort named titles into liked / disliked / similar where a word says which; return the titles used as
        year anchors, and those nothing around them judges (what is said of those is learned: ``_reactions``)."""
        anchors: dict[str, int] = {}
        uncued: set[int] = set()
        folded = fold(message)
        masked = folded  # titles blanked out: the "Never" of "Tomorrow Never Dies" judges no title after it
        for mention in mentions:
            masked = masked[:mention.start] + "_" * (mention.end - mention.start) + masked[mention.end:]
        previous: tuple[Mention, int] | None = None
        for n, mention in enumerate(mentions):
            before = masked[:mention.start]
            clause = re.split(CLAUSE_END, before)[-1]
            segment = re.split(r",|\bso\b", clause)[-1]
            if re.search(r"\b(?:older|earlier|newer|later|more recent|before|after)\s+than\s*$|"
                         r"\b(?:before|after)\s*$", clause):
                anchors["max" if re.search(r"older|earlier|before", clause[-20:]) else "min"] = mention.item.year or 0
                continue
            if QUESTION_ABOUT.search(clause) and not re.search(POSITIVE + "|" + NEGATIVE, clause):
                continue
            after = folded[mention.end:mentions[n + 1].start] if n + 1 < len(mentions) else folded[mention.end:]
            if _unseen(segment, after):
                continue
            if n + 1 < len(mentions) and re.search(rf"\b(?:{POSITIVE}|{NEGATIVE})\s*(?:the\s+)?$", after):
                after = ""  # "liked A, hated B": the word after A is about B
            listed = previous is not None and re.fullmatch(r"[\s,&/]*(?:and|or|y|et|und|e)?[\s,&/]*(?:the\s+)?",
                                                             folded[previous[0].end:mention.start])
            if AFTER_NEGATIVE.search(after) and not re.search(POSITIVE, segment[-25:]):
                polarity = -1
            elif AFTER_POSITIVE.search(after):
                polarity = 1
            elif re.search(rf"\b(?:{POSITIVE}|{NEGATIVE})\b", segment):
                polarity = _polarity(segment)
            else:
                polarity = previous[1] if listed else _polarity(clause, cue_only=True)
            previous = (mention, polarity)
            if re.search(rf"\b(?:{FORGET_ITEM})\s*(?:about\s+)?(?:the\s+)?$", segment):
                change.forget.append(mention.item.id)  # "forget Aladdin, my sister liked it"
            elif polarity == 0 and not SIMILAR.search(clause) and not CORRECTION.search(clause):
                uncued.add(mention.item.id)  # ("sorry, I meant X" takes the place of the title before: a taste)
            elif polarity < 0:
                change.disliked.append(mention.item.id)
            elif SIMILAR.search(clause):
                change.similar_to.append(mention.item.id)
            else:
                change.liked.append(mention.item.id)
        return anchors, uncued

    def _reactions(self, message: str, shown: list[Item], uncued: list[Mention], mentions: list[Mention],
                   change: Change) -> None:
        """What the message says of the shown items it refers to and of the titles no word judged (learned:
        ``chat_app.reactions``): reactions to shown items, then seen, chosen, liked, disliked, more-like-this."""
        if self.kinds is None:
            change.liked += [m.item.id for m in uncued if m.item.id not in change.liked]
            return  # without the learned model, every title named with nothing said of it is a taste
        targets = shown_targets(message, shown)
        targeted = {t.item.id for t in targets}
        targets += [Target(m.item, ((m.start, m.end),), False) for m in uncued if m.item.id not in targeted]
        if not targets:
            return
        spans = [(m.start, m.end) for m in mentions]
        contexts = [context(message, t, [s for s in spans if s not in t.spans]) for t in targets]
        encoder = self.encoder() if self.encoder else None
        folded = fold(message)
        unseen = UNSEEN.search(folded)
        for target, scores in zip(targets, self.kinds.scores(contexts, encoder)):
            said = dict(zip(KINDS, scores))
            kinds = tuple(k for k, score in said.items() if score >= 1.0)
            if unseen:
                kinds = _without_unseen_judgement(folded, kinds)
            if target.shown and self._loose(message, target, spans):
                kinds = tuple(k for k in kinds if k in ("seen", "chosen", "asked"))
            if not target.shown and not _judged_otherwise(said):
                kinds = tuple(dict.fromkeys(kinds + ("liked",)))  # a title named with nothing against it is a taste
            if not kinds:
                continue
            if target.shown:
                change.reactions.append({"item": target.item.id, "kinds": list(kinds)})
            if target.item.id < 0:
                continue  # a stand-in for an item outside the catalog: nothing to remember
            judged = target.item.id in change.liked + change.disliked + change.similar_to + change.forget
            for kind, slot in (("seen", change.seen), ("chosen", change.chosen)):
                if kind in kinds:
                    _add(slot, target.item.id)
            if judged:
                continue
            if "similar" in kinds:
                change.similar_to.append(target.item.id)
            elif "disliked" in kinds:
                change.disliked.append(target.item.id)
            elif "liked" in kinds:
                change.liked.append(target.item.id)

    def _loose(self, message: str, target: Target, titles: list[tuple[int, int]]) -> bool:
        """Whether the message points at shown picks only with a pronoun, or (one pick shown) not at all, where
        the pronoun is about something else: a title named (before it or in its clause ("Oh, and Air Force One!
        Loved that one.", "if it helps, I adored X as well")), or a wish for something new (a genre or a year) when
        every pointer is a bare "it", "that", "both" ("It should be drama", "from 1970 up to 1979, both
        included"; not "it was so funny, I loved that one"). Such a pronoun says nothing of taste about the
        picks; having seen or chosen them still counts."""
        if any(not (SINGULAR.fullmatch(message[a:b]) or PLURAL.fullmatch(message[a:b])) for a, b in target.spans):
            return False  # named by its title or its place in the list
        pointer = min((a for a, _ in target.spans), default=0)
        clause = next(((a, b) for a, b in clauses(message) if a <= pointer < b), (0, len(message)))
        if any(not target.spans or start < pointer or clause[0] <= start < clause[1] for start, _ in titles):
            return True  # (with one pick shown and no pointer, any title named takes the message)
        fresh = self._genre_pattern.search(fold(message)) or re.search(r"\b(?:1[89]|20)\d\d\b|\b\d0'?s\b", message)
        pointers = [m[0].lower() for pattern in (SINGULAR, PLURAL) for m in pattern.finditer(message)]
        return bool(fresh) and all(p in BARE_POINTERS for p in pointers)

    def _unknown(self, message: str, mentions: list[Mention]) -> list[str]:
        """Capitalised or quoted phrases after a title cue that are not catalog titles."""
        unknown = []
        pattern = (r"(?:\b(?:" + POSITIVE + "|" + NEGATIVE + r"|like|seen|watched|about)\s+)"
                   r"((?:[A-Z0-9][\w'’:-]*)(?:\s+(?:of|the|a|and|in|on|to|&|[A-Z0-9][\w'’:-]*))*)"
                   r"|[\"“]([^\"”]{2,60})[\"”]")
        for match in re.finditer(pattern, message):
            phrase = (match.group(1) or match.group(2) or "").strip()
            span = match.span(1) if match.group(1) else match.span(2)
            words = phrase.split()
            if not words or all(w.lower() in _STOP for w in words):
                continue
            if any(m.start < span[1] and m.end > span[0] for m in mentions):
                continue
            if len(words) >= 2 or phrase[:1].isupper():
                unknown.append(phrase.rstrip(" ,.!?"))
        return unknown

    # --- genres ---------------------------------------------------------------------------------
    def _genres(self, text: str, wishes: Wishes, change: Change) -> str:
        if CLEAR_GENRES.search(text):
            change.clear_genres = True
        text = NOT_GENRE.sub(" ", self._typos(text))
        correction = _correction(text)
        found = False
        wanted: list[tuple[re.Match, tuple[str, ...]]] = []
        for match in self._genre_pattern.finditer(text):
            genres = self.lexicon[match.group(1)]
            before = text[:match.start()]
            clause = re.split(CLAUSE_END, before)[-1]
            segment = re.split(r",|\bso\b|\bjust\b|\bonly\b|\bi (?:want|like|love|prefer)\b", clause)[-1]
            corrected = correction and match.start() < correction.start() and _polarity(segment, window=5) > 0
            if not corrected and re.search(r"\bnot (?:too|overly|very|that|so)\s+$", before):
                for genre in genres:  # "a thriller but not too scary": no horror
                    _add(change.exclude_genres, genre)
                continue
            if corrected or re.search(r"\b(?:too|too much|too many|so much)\s+$", before):
                continue  # "I said comedy? I meant drama" ("not horror, I mean suspense" stays); "too scary" is a reason
            after = text[match.end():match.end() + 40]
            found = True
            moved_on = re.search(r"\b(?:not|no more|no)\b", segment) and re.match(r"\W*(?:e?s\W*)?(?:any ?more|now)\b", after)
            lifted = set(genres) <= set(wishes.exclude_genres) and (
                ALLOWED.search(segment[-30:]) or ALLOWED_AFTER.match(after)) and not ADD_TOO.search(after[:30])
            if re.search(rf"\b(?:{DROP})\b(?:[\s-]+\w+){{0,3}}[\s-]*$", clause) or DROP_AFTER.search(after) or moved_on \
                    or lifted:
                slot = change.drop_genres  # "I don't mind horror after all": no longer excluded, not wanted either
            elif _polarity(segment, window=LISTED if LIST_JOIN.search(segment) else 5) < 0 \
                    or AFTER_GENRE_NEGATIVE.match(after) or re.search(r"\bnot in the mood for (?:anything|something) with\b", segment):
                slot = change.exclude_genres
            else:
                slot = change.genres
                wanted.append((match, genres))
            for genre in genres:
                _add(slot, genre)
        self._all_of(text, wanted, change)
        narrowed = re.search(r"\b(?:only|settled)\b", text) and set(change.genres) < set(wishes.genres)
        if found and change.genres and wishes.genres and (not set(change.genres) <= set(wishes.genres) or narrowed):
            change.replace_genres = bool(REPLACE.search(text) or correction) and not re.search(
                r"\b(?:also|too|as well|plus|add|auch|aussi|tambien|anche|either)\b", text)
        return self._genre_pattern.sub(" ", text)

    @staticmethod
    def _all_of(text: str, wanted: list[tuple[re.Match, tuple[str, ...]]], change: Change) -> None:
        """Genres wanted together: one word meaning two ("rom-com"), two genre words side by side ("romantic
        comedy", "sci-fi horror"), or a genre beside an audience ("animated films for the kids": Animation is
        required, the kids' genre only helps)."""
        audience = {g for m, genres in wanted if AUDIENCE.search(m.group(0)) for g in genres}
        required: list[str] = []
        for n, (match, genres) in enumerate(wanted):
            if len(genres) > 1:
                required += genres
            if n + 1 < len(wanted) and re.fullmatch(r"[\s-]*", text[match.end():wanted[n + 1][0].start()]):
                required += genres + wanted[n + 1][1]
        if audience and len(wanted) > 1:
            required += [g for _, genres in wanted for g in genres]
        required = list(dict.fromkeys(g for g in required if g in change.genres and g not in audience))
        if required:
            change.required_genres = required
            change.genres = [g for g in change.genres if g not in required]

    def _typos(self, text: str) -> str:
        """Genre words with one slip ("comdies", "documentry", "scray") written correctly."""
        def fix(match: re.Match) -> str:
            word = match.group(0)
            if word in self.lexicon or len(word) < 5:
                return word
            swapped = [w for w in self._fuzzy_genres if sorted(w) == sorted(word) and OSA.distance(w, word) == 1]
            if swapped:  # two letters swapped
                return swapped[0]
            hit = process.extractOne(word, self._fuzzy_genres, scorer=fuzz.ratio, score_cutoff=85 if len(word) >= 6 else 88)
            return hit[0] if hit else word
        return re.sub(r"[a-z]{5,}", fix, text)

    # --- years ----------------------------------------------------------------------------------
    def _years(self, text: str, shown: list[Item], anchors: dict[str, int], change: Change, wishes: Wishes) -> None:
        if correction := _correction(text):
            text = text[correction.end():]  # "90s? I meant the 80s": only what was meant
        if CLEAR_YEARS.search(text):
            change.year_min = change.year_max = YEARS_CLEARED
            return
        text = re.sub(r"\b(nothing|anything|not|no)\s+(?:(?:that|which)\s+)?(?:from|made|released|dated|came out|"
                      r"is|was|'s)\s+(?:from\s+)?(before|after|older than|newer than|later than|earlier than|"
                      r"prior to)\b", r"\1 \2", text)
        low = high = None
        text = re.sub(r"\b(?:i'?m|i am|we'?re|we are)\s+after\b", "i want", text)  # "I'm after 70s dramas"
        text = re.sub(r"\bbetween\s+'?([2-9]\d)\s*(and|to|-)\s*'?([2-9]\d)\b(?!\s*(?:%|min|years? old))",
                      r"between 19\1 \2 19\3", text)  # "between 65 and 75"
        if m := re.search(rf"\b(?:between|from)\s+{YEAR}\s*(?:and|to|until|till|-|–)\s*{YEAR}\b|\b{YEAR}\s*(?:-|–|to)\s*{YEAR}\b", text):
            years = sorted(_year(y) for y in m.groups() if y)
            low, high = years[0], years[-1]
            text = text.replace(m.group(0), " ")
        for m in re.finditer(rf"{NOT_AFTER_NEGATION}\b({UPPER})\s*(?:the\s+)?(?:year\s+)?{YEAR}\b", text):
            high = _year(m.group(2)) - (0 if re.match(INCLUSIVE_UPPER, m.group(1)) else 1)
        for m in re.finditer(rf"\b{YEAR}\s+(?:or|and)\s+(?:earlier|before|older)\b", text):
            high = _year(m.group(1))
        for m in re.finditer(rf"{NOT_AFTER_NEGATION}\b({LOWER})\s*(?:the\s+)?(?:year\s+)?{YEAR}\b"
                             rf"(\s+on(?:wards?)?)?", text):
            word = m.group(1)
            open_ended = re.match(r"\s*(?:or (?:later|after|newer)|and (?:later|after|up|newer)|onwards?|\+)",
                                  text[m.end():])
            if word == "from" and not m.group(3) and not open_ended and high is None and low is None:
                low = high = _year(m.group(2))  # "from 1994": that year
                continue
            low = _year(m.group(2)) + (0 if re.match(INCLUSIVE_LOWER, word) else 1)
        for m in re.finditer(rf"\b{YEAR}\s*(?:or (?:later|after|newer)|and (?:later|after|up|newer)|onwards?\b|on\b|\+)",
                             text):
            low = _year(m.group(1))
        if low is None and high is None:
            for m in re.finditer(rf"\b(?:in|of|made in|released in|year|de|del|from)\s+{YEAR}\b|(?<!the )\b{YEAR}\s+"
                                 rf"(?:movies?|films?|ones?|releases?|stuff)\b", text):
                year = _year(m.group(1) or m.group(2))
                low = high = year
        eras = []
        for m in re.finditer(rf"{NOT_AFTER_NEGATION}(\b(?:{UPPER}|{LOWER})\s*)?\b" + DECADE, text):
            decade = _decade(m)
            if decade is None or re.search(r"\b(?:not|no|instead of|rather than|nicht|pas)\s+(?:the\s+|los\s+|les\s+)?$",
                                           text[:m.start()]):
                continue  # "the 70s, not the 90s"
            bound = (m.group(1) or "").strip()
            if bound.startswith("from") and not re.match(r"\s*(?:on|onwards?)\b", text[m.end():]):
                bound = ""  # "from the 80s" is the decade itself
            following = text[m.end():m.end() + 20]
            if not bound and re.match(r"\s*(?:or (?:later|after|newer)|and (?:later|after|up|newer)|onwards?|\+)", following):
                low = decade.low
                continue
            if not bound and re.match(r"\s*(?:or (?:earlier|before|older)|and (?:earlier|before|older))", following):
                high = decade.high
                continue
            if bound and re.fullmatch(UPPER, bound):
                high = decade.high if re.match(INCLUSIVE_UPPER, bound) else decade.low - 1
            elif bound and re.fullmatch(LOWER, bound):
                low = decade.low if re.match(INCLUSIVE_LOWER, bound) else decade.high + 1
            else:
                eras.append(decade)
        if eras and low is None and high is None:  # "the 60s or 70s": both
            low, high = min(e.low for e in eras), max(e.high for e in eras)
        if "max" in anchors and anchors["max"]:
            high = anchors["max"] - 1
        if "min" in anchors and anchors["min"]:
            low = anchors["min"] + 1
        if low is None and high is None:
            low, high = self._era_words(text, shown)
        additive = re.search(r"\b(?:either|also|too|as well|still|within (?:that|those|them))\b", text)
        narrows = (low is not None and wishes.year_max is not None and wishes.year_min is None and low <= wishes.year_max
                   or high is not None and wishes.year_min is not None and wishes.year_max is None
                   and high >= wishes.year_min) and not REPLACE.search(text)
        additive = additive or narrows  # "nothing after 1985", then "not older than 1975": 1975-1985
        if (low is None) != (high is None) and not additive:  # a new bound is a new era: the other bound goes
            low = YEARS_CLEARED if low is None else low
            high = YEARS_CLEARED if high is None else high
        change.year_min, change.year_max = low, high

    def _era_words(self, text: str, shown: list[Item]) -> tuple[int | None, int | None]:
        years = [item.year for item in shown if item.year]
        kinds = r"(?:\s+(?:movies?|films?|stuff|ones?|releases?|classics?|pictures?|flicks?|books?|titles?))"
        older = re.search(rf"\b(?:older|earlier|oldies|old{kinds}|old\W*$|old(?=\s*[,.!?;])|(?:something|anything|smth) "
                          rf"old|classics?|vintage|golden age|old-?school|"
                          r"anciens?|viejas?|alte|clasicos?|antiguos?|antiguas?|antigos?|antigas?|classicos?|vecchi)\b", text)
        newer = re.search(rf"\b(?:newer|more recent|recent|latest|new{kinds}|new\W*$|modern|current|contemporary|"
                          r"(?:last|past) (?:few|couple of) years|"
                          r"recientes?|recents?|neue)\b", text)
        if older and re.search(r"\b(?:is|'s|are|was|were)\s+(?:a |an |such a |true |real |total )?(?:\w+ )?"
                               r"classics?\b", text) and not re.search(r"\bold", text):
            older = None  # "the last one is a classic": praise, no era
        if older and re.search(r"\b(?:not|no|nothing|nothin|never|over|sick of|tired of|done with|enough of|"
                               r"no more)\s+(?:the |too |so |that |very )?(?:old|older)\b", text):
            older = None
        if older:
            comparative = re.match(r"older|earlier", older.group(0))
            if comparative and years:
                return YEARS_CLEARED, min(years) - 1  # older than the picks: the old lower bound goes
            return None, self.domain.era_words.get("old", {}).get("year_max")
        if newer and not re.search(r"\bnot (?:too |so )?(?:new|recent)\b", text):
            comparative = re.match(r"newer|more recent", newer.group(0))
            if comparative and years:
                return max(years) + 1, YEARS_CLEARED
            return self.domain.era_words.get("recent", {}).get("year_min"), None
        return None, None

    # --- count -----------------------------------------------------------------------------------
    def _count(self, text: str, change: Change) -> None:
        numbers = "|".join(sorted(COUNT_WORDS, key=len, reverse=True))
        items = "|".join(re.escape(fold(w)) for w in self.domain.item_words)
        m = re.search(rf"\b(?:just|only|give me|show me|top|list|suggest|recommend|need|want|pick|"
                      rf"gimme|maybe|like)?\s*\b(\d{{1,2}}|{numbers})\s+(?:more\s+|good\s+|other\s+|new\s+)?"
                      rf"(?:{items}|{self._genre_words}|picks?|ones?|suggestions?|titles?|options?|recommendations?|ideas?|"
                      rf"of them(?!\s+(?:is|are|was|has|have|hates?|likes?|loves?|wants?|can|does|do)\b)|please|pls|"
                      rf"max|tops|only)\b", text)
        if m and (re.search(r"\b(?:little|the|that|this|which|a|any|each|every|no|other|favou?rite)\s+$",
                            text[:m.start(1)]) or re.match(r"[\s-]*(?:years?|yrs?)\b", text[m.end(1):])):
            m = None  # "the little one please", "that one movie", "my 6 year old"
        if m and text[:m.start(1)].endswith("'"):
            m = None  # "before '85 please" is a year
        if m is None:
            m = re.search(rf"\b(?:just|only|top|give (?:me|us)|show (?:me|us)|gimme|make (?:it|that)|nur|seulement|solo|"
                          rf"say)\s+"
                          rf"(\d{{1,2}}|{numbers})\b(?!\s*(?:am|pm|years?|stars?|:))", text)
        if m is None:
            m = re.search(rf"^\W*(\d{{1,2}}|{numbers})\s+(?:would be|is|are|sounds?|will do)\s+(?:perfect|enough|"
                          rf"good|fine|plenty|great|ok|okay|nice|ideal|lovely|grand|super|will do)\b|^\W*(\d{{1,2}}|{numbers})\W*(?:please|pls)?\W*$",
                          text)
        if m is None:
            alone = NUMBER_ALONE.match(text)
            m = alone if alone and (alone.group(1).isdigit() or alone.group(1) in COUNT_WORDS) else None
        if m:
            number = next(g for g in m.groups() if g)
            value = COUNT_WORDS.get(number) or int(number)
            change.count = max(1, min(20, value))


def fold(text: str) -> str:
    """Lower case without accents or curly quotes: the form every pattern here is written for."""
    text = unicodedata.normalize("NFKD", text)
    text = "".join(c for c in text if not unicodedata.combining(c))
    return text.replace("’", "'").replace("‘", "'").lower()


def _spelled_out(message: str) -> str:
    """Shorthand written out ("smth" -> "something"), on the message itself: title positions found in it then hold
    in its folded form too."""
    for pattern, words in SHORTHAND:
        message = pattern.sub(words, message)
    return message


def _judged_otherwise(said: dict[str, float]) -> bool:
    """Whether the words around a title named without a cue say something other than a taste: plainly disliked,
    or only seen, chosen or asked about (the learned scores, 1.0 at each kind's threshold)."""
    if said["liked"] >= 1.0 or said["similar"] >= 1.0:
        return False
    return said["disliked"] >= 1.0 or (said["liked"] < NEUTRAL_LIKED and max(said["seen"], said["chosen"],
                                                                           said["asked"]) >= 1.0)


def _unseen(before: str, after: str) -> bool:
    """Whether a title is said not to have been seen, just before it ("I haven't seen X") or right after it
    ("X I have not seen")."""
    return bool(re.search(UNSEEN.pattern + r"\s*(?:the\s+)?$", before)
                or re.match(r"^[\s,.…-]*(?:(?:i|we)\s+)?" + UNSEEN.pattern, after))


def _without_unseen_judgement(text: str, kinds: tuple[str, ...]) -> tuple[str, ...]:
    """A message saying the person has not seen something is no dislike (and no 'seen') unless other words say so."""
    rest = re.sub(r"^\W*(?:no+|nope|nah)\b", " ", UNSEEN.sub(" ", text))  # "No, I've never seen it": an answer
    drop = set()
    if not re.search(rf"\b(?:{NEGATIVE})\b", NOT_NEGATION.sub(" ", rest)):
        drop.add("disliked")
    if not re.search(r"\b(?:seen|saw|watched)\b", rest):
        drop.add("seen")
    return tuple(k for k in kinds if k not in drop)


def _polarity(clause: str, window: int = 12, cue_only: bool = False) -> int:
    """-1 when the nearest sentiment cue before the end of ``clause`` is negative, else +1 (0 when no cue is
    there and ``cue_only``)."""
    clause = NOT_NEGATION.sub(" ", clause)
    words = clause.split()
    tail = " ".join(words[-window:])
    last_negative = max((m.end() for m in re.finditer(rf"\b(?:{NEGATIVE})(?:\b|$)", tail)), default=-1)
    last_positive = max((m.end() for m in re.finditer(rf"\b(?:{POSITIVE})\b", tail)), default=-1)
    if last_negative >= last_positive and last_negative >= 0:
        return -1
    return 0 if cue_only and last_positive < 0 else 1


def _year(text: str) -> int:
    """'1985' or "'85" as a year."""
    digits = int(text.strip("'"))
    return digits if digits >= 100 else (1900 + digits if digits >= 20 else 2000 + digits)


def _decade(m: re.Match) -> _Era | None:
    part, century, digit, short, word, foreign, german = m.group(2, 3, 4, 5, 6, 7, 8)
    if word:
        start = DECADE_WORDS[word]
    elif digit is not None:
        start = int(century + digit + "0")
    elif short or foreign or german:
        d = int(short or foreign or german)
        start = 1900 + d * 10 if d >= 2 else 2000 + d * 10
    else:
        return None
    if part in EARLY:
        return _Era(start, start + 4)
    if part in LATE:
        return _Era(start + 5, start + 9)
    if part == "mid":
        return _Era(start + 3, start + 6)
    return _Era(start, start + 9)


def _correction(text: str) -> re.Match | None:
    """"I meant ..." with something after it ("since 1990 I mean" corrects nothing before it)."""
    match = CORRECTION.search(text)
    return match if match and re.match(r"[^.!?;]*\w", text[match.end():]) else None


def _blank(message: str, mentions: list[Mention]) -> str:
    """The message with every title, and the word that picked its version ("the older Cape Fear"), blanked."""
    for m in sorted(mentions, key=lambda m: -m.start):
        version = VERSION.search(message[:m.start].lower())
        start = version.start() if version else m.start
        message = message[:start] + " " * (m.end - start) + message[m.end:]
    return message


def _add(values: list[str], value: str) -> None:
    if value not in values:
        values.append(value)


_STOP = set("""a an the i me my it this that something anything everything nothing movie movies film films one
ones stuff things thing lot lots very really so too""".split())
_PLAIN = set("""recommend recomend suggest suggestions some any please want would like loved love liked enjoyed
adored hated hate disliked didn don dont really watch watching good great best give show find need more other
others another ones one the and but for with from that this those these them are you can could tonight maybe
also just not without only older newer recent latest new old classic similar what should pick picks get got
have has was were kind sort type lot bit very something anything nothing else instead year years decade era
any whatever sure think guess perhaps probably please pls thanks thank hi hello hey okay yes yeah well now
how about let lets start over forget that scratch never mind switch change actually rather prefer mood feel
feeling fan fans stuff things thing too much many few couple sounds nice cool fun later earlier before after
since until than between from early late mid nothing anything also then just some pre post matter matters
doesn care mind anymore drop remove different completely totally entirely fresh scratch wait hmm ok okay
give gimme show list top only couple few please pls thx why tell about whats what who when where which
half dozen""".split())


def _content_words(text: str, domain: Domain) -> set[str]:
    words = set(re.findall(r"[a-z]{3,}", text))
    return words - _PLAIN - {fold(w) for w in domain.item_words} - set(DECADE_WORDS)
