"""An intent prior learned from labelled messages: logistic regression over the message's hashed word n-grams and
its sentence embedding, and whether a list of picks was just shown.

The 0.5B chat model alone picks the right intent for about a third of messages (docs/decision-eval.md), and cue
words written for one set of phrasings miss the next author's. The shipped weights (``chat_app/learned/
intents.npz``) are fitted by ``python -m benchmarks.train_reader`` on ``prompts/intent_examples.jsonl`` (seven
authors' dev messages), ``prompts/reaction_examples.jsonl`` and the annotated ReDial dev half (real people). With
another encoder (tests, another catalog's) the prior is fitted on the packaged examples at first use and kept
beside the database, keyed by the examples and the encoder. Loading MiniLM takes seconds, so ``LearnedPrior``
does it in the background after start-up (a turn that comes sooner waits for it).
"""

from __future__ import annotations

import hashlib
import json
import sys
import threading
from collections.abc import Callable
from pathlib import Path

import numpy as np

from catalog.embeddings import Encoder
from catalog.files import save_npz

from . import prompting
from .textfeatures import features

EXAMPLES = "intent_examples.jsonl"
SHIPPED = Path(__file__).parent / "learned" / "intents.npz"
REGULARISATION = 8.0     # sklearn's C for the packaged examples alone (train_reader chooses its own)


def examples() -> list[dict]:
    """The labelled messages: ``{"message", "intent", "after_recommendation"}`` per line."""
    text = (prompting.PROMPTS_DIR / EXAMPLES).read_text(encoding="utf-8")
    return [json.loads(line) for line in text.splitlines() if line.strip()]


class IntentClassifier:
    """``probabilities(message, after_picks) -> {intent: p}`` for the intents it was fitted on."""

    def __init__(self, encoder: Encoder, intents: list[str], weights: np.ndarray, bias: np.ndarray):
        self.encoder, self.intents, self.weights, self.bias = encoder, intents, weights, bias

    @classmethod
    def fit(cls, encoder: Encoder, rows: list[dict], c: float = REGULARISATION) -> IntentClassifier:
        from sklearn.linear_model import LogisticRegression

        x = message_features(encoder, [r["message"] for r in rows], [r["after_recommendation"] for r in rows])
        model = LogisticRegression(C=c, max_iter=3000).fit(x, [r["intent"] for r in rows])
        return cls(encoder, [str(c) for c in model.classes_], model.coef_.astype(np.float32),
                   model.intercept_.astype(np.float32))

    @classmethod
    def load_or_fit(cls, encoder: Encoder, cache: Path | None) -> IntentClassifier:
        """The shipped weights when they were fitted for this encoder; else fitted on the packaged examples, read
        from ``cache`` when it was written for the same examples and encoder (one without a ``name`` is never
        cached)."""
        name = getattr(encoder, "name", None)
        if name and SHIPPED.exists():
            with np.load(SHIPPED) as saved:
                if str(saved["encoder_name"]) == name:
                    return cls(encoder, [str(i) for i in saved["intents"]], saved["weights"], saved["bias"])
        rows = examples()
        key = hashlib.sha1(json.dumps([name, rows]).encode("utf-8")).hexdigest()
        if cache is not None and name and cache.exists():
            with np.load(cache) as saved:
                if str(saved["key"]) == key:
                    return cls(encoder, [str(i) for i in saved["intents"]], saved["weights"], saved["bias"])
        fitted = cls.fit(encoder, rows)
        if cache is not None and name:
            save_npz(cache, key=np.array(key), intents=np.array(fitted.intents), weights=fitted.weights,
                     bias=fitted.bias)
        return fitted

    def probabilities(self, message: str, after_picks: bool) -> dict[str, float]:
        logits = np.asarray(message_features(self.encoder, [message], [after_picks]) @ self.weights.T) + self.bias
        odds = np.exp(logits[0] - logits[0].max())
        return {intent: float(p) for intent, p in zip(self.intents, odds / odds.sum())}


def message_features(encoder: Encoder, messages: list[str], after: list[bool]):
    return features(list(messages), encoder, np.asarray(after, dtype=np.float32)[:, None])


class LearnedPrior:
    """An ``IntentClassifier`` made on first use, or ahead of it by ``warm()``; ``None`` (and one line on
    stderr) when the encoder cannot be loaded, so the decision falls back to its cue words."""

    def __init__(self, encoder: Callable[[], Encoder], cache: Path | None):
        self._encoder, self._cache = encoder, cache
        self._lock = threading.Lock()
        self._model: IntentClassifier | None = None
        self._failed = False

    def warm(self, progress: Callable[[str], None] = print) -> None:
        def run() -> None:
            fresh = self._cache is None or not self._cache.exists()
            progress("loading MiniLM for the intent prior in the background" +
                     (f" and fitting it on {len(examples())} examples (first start only)" if fresh else ""))
            if self.model() is not None:
                progress("the intent prior is ready")
        threading.Thread(target=run, name="intent-prior").start()  # joined at exit: torch aborts if cut off

    def model(self) -> IntentClassifier | None:
        with self._lock:
            if self._model is None and not self._failed:
                try:
                    self._model = IntentClassifier.load_or_fit(self._encoder(), self._cache)
                except Exception as exc:  # a missing or broken encoder package: decide without the prior
                    self._failed = True
                    print(f"the learned intent prior is off ({type(exc).__name__}: {exc})", file=sys.stderr)
            return self._model

    def probabilities(self, message: str, after_picks: bool) -> dict[str, float] | None:
        model = self.model()
        return model.probabilities(message, after_picks) if model else None
