"""A scripted chat model for tests: the same interface as the real ones (loader spec ``fake``), no weights."""

from __future__ import annotations

import re
from collections import deque
from collections.abc import Callable, Iterator

from .base import ChatModel


class FakeChatModel(ChatModel):
    """Replies and choices come from queues given by the test; when a queue is empty, ``reply`` and
    ``chooser`` decide (defaults: a fixed sentence, and the option named in the last user message or else
    the first option). Every call is recorded in ``calls``."""

    name = "fake"

    def __init__(self, replies=(), choices=(), reply: Callable[[list[dict]], str] | None = None,
                 chooser: Callable[[list[dict], list[str]], str] | None = None):
        self.replies, self.choices = deque(replies), deque(choices)
        self.reply = reply or (lambda messages: "Here is what I found in the catalog.")
        self.chooser = chooser or _named_or_first
        self.calls: list[tuple[str, list[dict]]] = []

    def _stream(self, messages: list[dict], max_new_tokens: int) -> Iterator[str]:
        self.calls.append(("stream", messages))
        text = self.replies.popleft() if self.replies else self.reply(messages)
        for n, word in enumerate(text.split(" ")):
            yield word if n == 0 else " " + word

    def _choice_logprobs(self, messages: list[dict], options: list[str]) -> dict[str, float]:
        self.calls.append(("choice", messages))
        chosen = self.choices.popleft() if self.choices else self.chooser(messages, options)
        return {option: 0.0 if option == chosen else -5.0 for option in options}


def _named_or_first(messages: list[dict], options: list[str]) -> str:
    """The option the user's own words name (inside <user_text> when the prompt marks it), else the first."""
    last = next((m["content"] for m in reversed(messages) if m["role"] == "user"), "")
    match = re.search(r"<user_text>(.*?)</user_text>", last, re.S)
    words = (match.group(1) if match else last).lower()
    return next((o for o in options if o.lower() in words), options[0])
