"""The chat-model interface over an OpenAI-compatible server (vLLM, TGI, llama.cpp server) through
LangChain's ``ChatOpenAI``: how a deployment outgrows one machine."""

from __future__ import annotations

import math
from collections.abc import Iterator

from .errors import LLMError


class RemoteChatModel:
    load_seconds = 0.0

    def __init__(self, base_url: str, model: str = "default", api_key: str = "not-needed", timeout: float = 120):
        from langchain_openai import ChatOpenAI

        self.name = f"{model}@{base_url}"
        self.client = ChatOpenAI(base_url=base_url, model=model, api_key=api_key, timeout=timeout,
                                 temperature=0, max_retries=1)

    def stream(self, messages: list[dict], max_new_tokens: int = 200) -> Iterator[str]:
        try:
            for chunk in self.client.stream(messages, max_tokens=max_new_tokens):
                if chunk.content:
                    yield chunk.content
        except Exception as exc:  # network and server errors arrive as many types
            raise LLMError(f"the model server at {self.client.openai_api_base} failed: {exc}") from None

    def complete(self, messages: list[dict], max_new_tokens: int = 200) -> str:
        return "".join(self.stream(messages, max_new_tokens))

    def choice_logprobs(self, messages: list[dict], options: list[str]) -> dict[str, float]:
        """Servers rarely score given continuations: ask for the answer and parse it."""
        answer = self.complete(messages, max_new_tokens=8).strip().lower()
        chosen = next((o for o in options if answer.startswith(o.lower())), None)
        chosen = chosen or next((o for o in options if o.lower() in answer), options[0])
        return {o: 0.0 if o == chosen else -math.inf for o in options}

    def choice_logprobs_many(self, conversations: list[list[dict]], options: list[str]) -> list[dict[str, float]]:
        return [self.choice_logprobs(c, options) for c in conversations]

