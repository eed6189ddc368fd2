"""The turn's decision: call the recommender, or answer directly (explain, about an item, chat, refuse).

First the plain cases: "why …?" after picks explains, "tell me about …" answers about an item, and a
message that changes the wishes or asks for more gets new picks (unless it is plainly off topic: "write a
script to delete old files" mentions no era). Otherwise the LLM chooses by the log-probability of each label, so it
can never answer outside the options; a small model is strongly biased towards some labels, so its scores
are calibrated against content-free messages (Zhao et al., 2021, "Calibrate before use") and combined
with a prior: the intent classifier learned from labelled messages (``intents.py``) where one is given,
else unambiguous cue words. A fixed guard refuses requests for the hidden instructions before any model
sees them.
"""

from __future__ import annotations

import math
import re
from functools import cache

from catalog.domain import Domain

from . import prompting
from .intents import LearnedPrior
from .state import Change

INTENTS = ["recommend", "explain", "about", "chat", "refuse"]
CALIBRATION = 0.5        # share of the content-free log-probabilities subtracted
CUE_CONFIDENCE = 0.7     # prior mass on the intent a cue word points to
STATE_FLOOR = 0.5        # a message that changes the wishes gets picks unless the learned prior rules that out
FILTER_FLOOR = 0.3       # ... or, when it sets a genre, an era or a count, unless the prior is this sure
CHOSEN_DOUBT = 0.5       # a pick read as chosen settles the turn unless the prior finds a request this likely
LLM_WEIGHT = 0.75        # weight of the LLM's calibrated log-probabilities beside the learned prior (chosen on dev)
CONTENT_FREE = ("N/A", "", "[MASK]")
INJECTION = re.compile(
    r"(ignore|disregard|forget|override)\b.{0,40}\b(instructions|rules|prompt|guidelines|restrictions?)"
    r"|system (?:prompt|message)|(your|the) (hidden |secret )?(instructions|prompt|rules)\b|jailbreak|developer mode"
    r"|everything above|do anything now|you are now (?:a|an|my)\b|pretend (?:to be|you are)|act as (?:a|an)\b"
    r"|new persona|role-?play as|from now on,? you(?:'re| are)\b|forget (?:that )?you(?:'re| are) a|(?:no|without) (?:restrictions|filters|limits)"
    r"|unrestricted mode|unfiltered mode",
    re.I | re.S)
# Topics no catalog here serves: the state reader's guesses ("old log files" is no era) are not trusted then.
OFF_TOPIC = re.compile(
    r"\b(?:code|script|function|bash|python|javascript|java|sql|html|css|program(?:ming)?|compile|debug|regex|"
    r"math|equation|square root|integral|capital of|weather|forecast|election|president|stock|bitcoin|crypto|"
    r"laptop|phone|iphone|recipe|cook(?:ing)?|medicine|ibuprofen|doctor|symptoms?|flight|hotel|visa|translate|"
    r"homework|essay|tax(?:es)?|capitale? de|capital de|recette|receta|rezept|ricetta|"
    r"forget (?:about )?(?:the )?(?:movies|films)|write (?:me )?(?:a |an )?(?:short )?(?:story|poem|script|song|letter|"
    r"email)|what time (?:is it|does)|wie sp[aä]t|qu[eé] hora|quelle heure|che ore|streaming service|tickets?|"
    r"where (?:can|do) i (?:stream|buy|rent)|news|dating|partita|football|soccer|restaurant|pizza place|ramen|"
    r"tiempo (?:har[aá]|hace)|wetter|m[eé]t[eé]o)\b|"
    r"\d+\s*(?:times|plus|minus|divided by|por|mal|fois|per|vezes|[x*/+-])\s*\d+", re.I)
# Other things than the catalog's items ("any good podcasts?"); the domain's own item words are left out.
OTHER_MEDIA = ("album", "podcast", "video game", "song", "book", "novel", "tv show", "tv series", "livro", "libro",
               "buch")  # not a bare "series": "the best of the Alien series" asks for films
EXPLAIN = re.compile(r"\bwhy\b|\breason\b|\bexplain\b|what made you|what makes you think|how come|on what basis|"
                     r"justify|how did you (?:come up|choose|pick|decide)|what (?:does|do) .{1,40} have to do with|"
                     r"how (?:is|are) (?:it|this|that|these|those) related|doing (?:on|in) (?:a|this|the|my) (?:\w+ )?list|"
                     r"supposed to be|connection between|what connects|in common with|"
                     r"\bon (?:there|here|the list|this list|your list)\b.{0,30}\bbecause\b|"
                     r"what links|\bbc i said|because i said|logic behind|made you|got to do with|"
                     r"\bhow(?: does| do| is| are|'s)? (?:each of )?(?:these|those|they|it|this|that|number \d|#\d|"
                     r"the \w+ one)\b[^?]{0,30}\b(?:relates?|fits?|match(?:es)?)\b|"
                     r"\bhow(?: is|'s) (?:this|that|number \d|#\d|the \w+ one) (?:an? \w+|\w+(?:-\w+)? exactly)\b|"
                     r"pourquoi|por ?qu[eéê]|warum|wieso|weshalb|perch[eé]|c'entra|waarom|dlaczego|\bnaze\b", re.I)
ABOUT = re.compile(r"^\W*(?:(?:wait|so|ok|okay|and|hmm+|oh|but|also|btw|quick question)\W+)*"
                   r"(?:how (?:scary|violent|gory|funny|sad|good|bad|long|old) (?:is|was|are)\b|how many (?:oscars|awards)|"
                   r"what year|when (?:did|was|is)|what genres?|what kind of|is \w.*\?|tell me (?:more )?about|"
                   r"describe|what(?:'s| is) .+ about|what do you know about|which year|who (?:is|was|stars|directed|"
                   r"plays|composed|wrote|'?s in)|how (?:long|old) is|is .+ (?:ok|okay|suitable|good|too \w+) for|"
                   r"what(?:'?s| is) the (?:plot|runtime|genre|story|rating|year|length) of|what(?:'s| is) \w[\w' ]{0,40}\?$|"
                   r"did .+ win|de quoi parle|wann kam|cu[aá]ndo (?:sali[oó]|se estren[oó])|quand est sorti|"
                   r"is there (?:a lot of |much )?(?:violence|sex|gore|swearing) in|how does .+ end\b|"
                   r"quem (?:dirige|dirigiu|fez)|qui a r[eé]alis[eé]|de que a[nñ]o|qui[eé]n dirigi[oó]|chi ha diretto|"
                   r"finisce bene)", re.I)
# After a list of picks, these refine it ("same thing but less violent", "make it scarier").
REFINE = re.compile(r"\b(?:anything (?:with|starring)|something with|same (?:thing|kind|vibe)|less \w+|more \w+|"
                    r"\w+i(?:er|est)\b|make (?:it|them)|no \w+s\b|nothing (?:too|with|by)|under \d|shorter|longer|"
                    r"lighter|darker|funnier|scarier|happier|sadder)", re.I)
CUES = [
    ("refuse", OFF_TOPIC),
    ("explain", EXPLAIN),
    ("about", ABOUT),
    ("chat", re.compile(r"^\W*(hi|hello|hey|hiya|yo|howdy|greetings|thanks|thank you|thx|ty|cheers|bye|goodbye|"
                        r"see you|good (morning|afternoon|evening|night)|ok|okay|cool|nice|haha|lol|awesome|great|"
                        r"perfect|interesting|bonjour|salut|merci|hola|gracias|hallo|danke|ciao|grazie)\b|"
                        r"\b(your name|who are you|are you (?:a |an )?(?:bot|ai|human|robot|real)|how are you|"
                        r"how'?s your day|what can you do|you'?re (?:pretty |really |so )?(?:good|great|smart|awesome|"
                        r"funny)|i'?m (?:new here|bored|back)|my favou?rite director|eres un (?:robot|bot)|"
                        r"bist du (?:ein|eine)|qu[eé] puedes hacer|which languages|your favou?rite (?:movie|film)|"
                        r"can you remember|nice list|free to use|who made you|are you chatgpt)\b", re.I)),
    ("recommend", re.compile(r"\b(recomm?end|recomend|suggest|find me|show me|give me|what should i watch|"
                             r"in the mood|something|more like|older|newer|other ones|different ones|"
                             r"what else|anything else|what now|any more|got more|movies?|films?|any \w+s\?|moar|"
                             r"\brec\b|shud i watch|noch was|altri|mais op[cç]|o que mais|consigli|empfiehl|conseill)",
                             re.I)),
]


# Leaving, or settling on a pick: no request, whatever else the message names.
FAREWELL = re.compile(r"\b(?:bye|goodbye|gotta go|got to go|see ya|cya|ttyl|talk (?:to you )?later|good ?night)\b|"
                      r"^\W*(?:ok(?:ay)?\W+)?(?:i'?ll|i will|we'?ll|we will|gonna|going to) (?:watch|try|check out|go with|take|"
                      r"pick)\b[^?]*$", re.I)


# A request for (other) picks, whatever else the message says of the shown ones.
MORE_PICKS = re.compile(r"\b(?:recomm?end|suggest|give me|show me|more|else|another|other|others|similar|instead|"
                        r"anything|something)\b|\bany \w+s\s*\?", re.I)
# Thanks or a goodbye at the end, no question after it ("no thanks" declines): the person is done for now.
CLOSING = re.compile(r"(?<!no )\b(?:thanks?|thank you|thx|ty|cheers|appreciate (?:it|that|the)|have a (?:good|great|nice))\b"
                     r"[^?]*$", re.I)


class Decider:
    """Decides each turn's intent with one chat model; keeps that model's calibration."""

    def __init__(self, llm, domain: Domain, prior: LearnedPrior | None = None):
        self.llm, self.domain, self.prior = llm, domain, prior
        self._null: dict[bool, dict[str, float]] = {}
        words = "|".join(re.escape(w) for w in sorted(domain.item_words, key=len, reverse=True))
        self._items_for = re.compile(rf"\b(?:{words})\s+(?:for|to watch|on)\b", re.I)  # "movies for a long flight"
        others = "|".join(m for m in OTHER_MEDIA if m not in domain.item_words and m != domain.item)
        self._other_media = re.compile(rf"\b(?:recomm?end|suggest|any|some|good|best|which|what|um|una?)\s+"
                                       rf"(?:\w+\s+){{0,2}}(?:{others})s?\b(?!\s+(?:is|was|are|did|does|plays?|played)\b)",
                                       re.I)  # "what song plays at the end of Titanic?" is about the film

    def decide(self, message: str, shown_titles: list[str], change: Change | None = None) -> tuple[str, dict]:
        """The intent of ``message`` and the probability of each option."""
        if INJECTION.search(message):
            return "refuse", certain("refuse")
        asked = cue_intent(message)
        cue = "recommend" if asked == "refuse" and self._items_for.search(message) else asked
        if self._other_media.search(message):
            return "refuse", certain("refuse")  # "Which video games are like Star Wars?"
        reactions = change.reactions if change else []
        reacted = {kind for r in reactions for kind in r["kinds"]}
        named = change is not None and (change.mentioned or change.unknown_titles or change.namesakes
                                        or "asked" in reacted or re.search(
            r"\b(?:first|second|third|fourth|fifth|last) (?:one|pick|movie|film|item|book)\b", message, re.I)) \
            and not change.similar_to
        if cue == "explain" and shown_titles or cue == "about" and named and ABOUT.search(message):
            return cue, certain(cue)  # plainly worded questions
        filters = change is not None and change.sets_filters()
        more_picks = MORE_PICKS.search(message)
        asks_more = more_picks or filters
        # the learned prior costs a sentence encoding: computed once, and only where a rule below needs it
        learned = cache(lambda: self.prior.probabilities(message, bool(shown_titles)) if self.prior else None)
        refused = lambda: learned() is not None and max(learned(), key=learned().get) == "refuse"  # noqa: E731
        chosen = any("chosen" in r["kinds"] and "disliked" not in r["kinds"] for r in reactions)
        doubted = lambda: learned() is not None and learned().get("recommend", 0.0) >= CHOSEN_DOUBT  # noqa: E731
        if chosen and not asks_more and not refused() and not doubted():  # "great picks. now write a poem" refuses
            return "chat", certain("chat")  # settles on a pick ("I'll give the second one a go, thanks!")
        closing = bool(shown_titles) and CLOSING.search(message) and asked in (None, "chat", "recommend")
        questioned = "asked" in reacted or "?" in message and not more_picks  # "seen it. is he in it?"
        if reacted & {"seen", "disliked"} and not questioned and not FAREWELL.search(message) and not closing:
            return "recommend", certain("recommend")  # "seen it", "not for me": a replacement
        if closing and not asks_more and not refused():
            return "chat", certain("chat")  # "loved both, thanks for the suggestions!": done for now
        if FAREWELL.search(message) and asked in (None, "chat", "recommend") \
                and not re.search(r"\b(?:recomm?end|suggest|give me|show me|more|else|another)\b", message, re.I):
            return "chat", certain("chat")
        quiet = change is None or not (change.changes_wishes() or change.mentioned or change.more)
        if cue in ("chat", "refuse") and quiet and (cue == "refuse" or len(message.split()) <= 4):
            return cue, certain(cue)  # greetings, thanks, off-topic asks
        refines = bool(shown_titles) and REFINE.search(message) and cue in (None, "recommend")
        wants_picks = change is not None and (change.changes_wishes() or change.more or refines) and cue != "refuse"
        stated = filters and cue in (None, "recommend") and "?" not in message and not closing  # "pre-1960 if you can"
        # (a genre or an era beside thanks may be a description, "loved it as a kid, thanks!": the prior weighs it)
        if wants_picks and (stated or self.prior is None):
            return "recommend", certain("recommend")
        floor = FILTER_FLOOR if filters else STATE_FLOOR
        if wants_picks and (learned() is None or learned().get("recommend", 0.0) >= floor):
            return "recommend", certain("recommend")
        scores = combine(self.label_logprobs(message, shown_titles), self.null_logprobs(bool(shown_titles)), cue,
                         learned())
        return max(scores, key=scores.get), scores

    def label_logprobs(self, message: str, shown_titles: list[str]) -> dict[str, float]:
        return self.llm.choice_logprobs(decision_messages(message, shown_titles, self.domain), INTENTS)

    def null_logprobs(self, after_picks: bool) -> dict[str, float]:
        """Mean label log-probabilities for content-free messages (the model's bias), computed once."""
        if after_picks not in self._null:
            shown = [self.domain.calibration_example or f"{self.domain.item} 1"] if after_picks else []
            runs = [self.label_logprobs(text, shown) for text in CONTENT_FREE]
            self._null[after_picks] = {i: sum(r[i] for r in runs) / len(runs) for i in INTENTS}
        return self._null[after_picks]


def combine(logprobs: dict[str, float], null: dict[str, float] | None, cue: str | None,
            learned: dict[str, float] | None = None) -> dict[str, float]:
    """Probabilities from calibrated label log-probabilities plus a prior: the learned one when given, else the
    cue word's."""
    scores = {i: logprobs[i] - (CALIBRATION * null[i] if null else 0.0) for i in INTENTS}
    if learned is not None:
        top = max(scores.values())
        norm = top + math.log(sum(math.exp(s - top) for s in scores.values()))
        scores = {i: math.log(learned.get(i, 0.0) + 1e-6) + LLM_WEIGHT * (scores[i] - norm) for i in INTENTS}
    elif cue is not None:
        for intent in INTENTS:
            share = CUE_CONFIDENCE if intent == cue else (1 - CUE_CONFIDENCE) / (len(INTENTS) - 1)
            scores[intent] += math.log(share)
    top = max(scores.values())
    total = sum(math.exp(s - top) for s in scores.values())
    return {i: math.exp(s - top) / total for i, s in scores.items()}


def certain(intent: str) -> dict[str, float]:
    """The probabilities of a decision made by rule."""
    return {i: float(i == intent) for i in INTENTS}


def cue_intent(message: str) -> str | None:
    return next((intent for intent, pattern in CUES if pattern.search(message)), None)


def decision_messages(message: str, shown_titles: list[str], domain: Domain) -> list[dict]:
    """Instructions, then the examples as earlier turns (small models follow the turns they see)."""
    turns = [{"role": "system", "content": prompting.text("decide", domain)}]
    for shown, example, label in prompting.examples("decide_examples"):
        turns += [{"role": "user", "content": _turn(shown, example)}, {"role": "assistant", "content": label}]
    shown = ", ".join(title.rsplit(" (", 1)[0] for title in shown_titles[:3]) or "nothing"
    return turns + [{"role": "user", "content": _turn(shown, prompting.as_data(message))}]


def _turn(shown: str, message: str) -> str:
    return f"Shown so far: {shown}\nMessage: {message}"
