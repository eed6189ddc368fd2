"""The chat-model interface every backend implements (fake, llama.cpp, transformers, remote server).

A backend subclasses ``ChatModel`` and implements ``_stream`` and ``_choice_logprobs``; it may override
``_choice_logprobs_many`` (to reuse a shared prompt prefix) and ``_complete_json`` (to constrain decoding).
The public methods wrap those hooks: any failure inside a backend reaches callers as one-line ``LLMError``,
a generation is cut at ``max_new_tokens`` pieces and ``MAX_CHARS_PER_TOKEN`` characters per token even when
the backend ignores the limit, and option scores are checked to cover every option with a finite number.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from contextlib import closing, contextmanager
from typing import TypeVar

import numpy as np
from pydantic import BaseModel

from .errors import LLMError

Messages = list[dict]
T = TypeVar("T", bound=BaseModel)

MAX_CHARS_PER_TOKEN = 16  # far above the longest common token; caps a runaway reply at a few kB


class ChatModel:
    name: str = "model"
    load_seconds: float = 0.0
    notice: str = ""  # one line for the person using it, when the model runs in a degraded way

    def stream(self, messages: Messages, max_new_tokens: int = 200) -> Iterator[str]:
        """Text pieces of the assistant's reply as they are generated (greedy)."""
        pieces, chars = max_new_tokens, max_new_tokens * MAX_CHARS_PER_TOKEN
        with boundary(self.name, "writing a reply"), closing(self._stream(messages, max_new_tokens)) as stream:
            for piece in stream:
                if not isinstance(piece, str):
                    raise LLMError(f"{self.name} produced {type(piece).__name__} instead of text")
                if not piece:
                    continue
                if pieces <= 0 or chars <= 0:
                    return  # the backend went past max_new_tokens (a backend within it ends on its own)
                piece = piece[:chars]
                yield piece
                pieces, chars = pieces - 1, chars - len(piece)

    def complete(self, messages: Messages, max_new_tokens: int = 200) -> str:
        return "".join(self.stream(messages, max_new_tokens))

    def choice_logprobs(self, messages: Messages, options: list[str]) -> dict[str, float]:
        """Log-probability of each option as the start of the assistant's answer."""
        with boundary(self.name, "scoring options"):
            scores = self._choice_logprobs(messages, list(options))
        return checked_scores(self.name, scores, options)

    def choice_logprobs_many(self, conversations: list[Messages], options: list[str]) -> list[dict[str, float]]:
        """``choice_logprobs`` for each conversation (re-ranking: many prompts sharing a prefix)."""
        with boundary(self.name, "scoring options"):
            results = self._choice_logprobs_many(conversations, list(options))
        if len(results) != len(conversations):
            raise LLMError(f"{self.name} scored {len(results)} of {len(conversations)} prompts")
        return [checked_scores(self.name, scores, options) for scores in results]

    def complete_json(self, messages: Messages, schema: type[T], max_new_tokens: int = 256) -> T:
        """A validated ``schema`` instance written by the model."""
        with boundary(self.name, "writing JSON"):
            value = self._complete_json(messages, schema, max_new_tokens)
        if not isinstance(value, schema):
            raise LLMError(f"{self.name} returned {type(value).__name__} instead of {schema.__name__}")
        return value

    # --- what a backend implements -------------------------------------------------------------------
    def _stream(self, messages: Messages, max_new_tokens: int) -> Iterator[str]:
        raise NotImplementedError

    def _choice_logprobs(self, messages: Messages, options: list[str]) -> dict[str, float]:
        raise NotImplementedError

    def _choice_logprobs_many(self, conversations: list[Messages], options: list[str]) -> list[dict[str, float]]:
        return [self._choice_logprobs(c, options) for c in conversations]

    def _complete_json(self, messages: Messages, schema: type[T], max_new_tokens: int) -> T:
        from .structured import parse_json_reply

        return parse_json_reply(self, messages, schema, max_new_tokens)


@contextmanager
def boundary(name: str, doing: str):
    """Re-raise any exception from a backend as ``LLMError`` with one sentence saying what failed."""
    try:
        yield
    except LLMError:
        raise
    except Exception as exc:  # RuntimeError, KeyError, ValueError, struct.error, MemoryError, server errors…
        raise LLMError(f"{name} failed while {doing}: {reason(exc)}") from exc


def reason(exc: BaseException) -> str:
    if isinstance(exc, MemoryError):
        return "out of memory"
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
    return f"{type(exc).__name__}: {text[:200]}" if text else type(exc).__name__


def checked_scores(name: str, scores, options: list[str]) -> dict[str, float]:
    """``scores`` for exactly ``options``, each a finite float, else ``LLMError``."""
    if not isinstance(scores, dict):
        raise LLMError(f"{name} returned no option scores")
    checked = {}
    for option in options:
        value = scores.get(option)
        try:
            value = float(value)
        except (TypeError, ValueError):
            value = math.nan
        if not math.isfinite(value):
            raise LLMError(f"{name} gave no usable score for the option {option!r}")
        checked[option] = value
    return checked


def common_prefix(a, b) -> int:
    """Length of the longest common prefix of two token sequences."""
    n = min(len(a), len(b))
    diff = np.flatnonzero(np.asarray(a[:n]) != np.asarray(b[:n]))
    return int(diff[0]) if len(diff) else n


def longest_prefix(keys, ids) -> tuple[int, tuple[int, ...] | None]:
    """The key (a token tuple) sharing the longest prefix with ``ids``, and that length (0, None if none)."""
    best, best_key, query = 0, None, np.asarray(ids)
    for key in keys:
        n = common_prefix(key, query)
        if n > best:
            best, best_key = n, key
    return best, best_key
