"""The chat-model interface over an OpenAI-compatible server (vLLM, TGI, llama.cpp server) through
LangChain's ``ChatOpenAI``: how a deployment outgrows one machine.

Servers do not score given continuations, so options are scored from the ``top_logprobs`` of the answer's
first token where the server returns them (an option's score is that of the longest listed token it starts
with; an unlisted option gets the lowest listed log-probability, an upper bound). A server that returns no
log-probabilities, or rejects the request for them, is asked for the answer, which is parsed instead.
"""

from __future__ import annotations

from collections.abc import Iterator

from .base import ChatModel, Messages
from .errors import LLMError

TOP_LOGPROBS = 20  # the most OpenAI's API allows
ANSWER_TOKENS = 8  # enough to spell any option
PARSED_OTHER = -30.0  # the score of the options a parsed answer did not name


class RemoteChatModel(ChatModel):
    def __init__(self, base_url: str, model: str = "default", api_key: str = "not-needed", timeout: float = 120,
                 concurrency: int = 8):
        from langchain_openai import ChatOpenAI

        self.name = f"{model}@{base_url}"
        self.client = ChatOpenAI(base_url=base_url, model=model, api_key=api_key, timeout=timeout,
                                 temperature=0, max_retries=1)
        self.concurrency = concurrency
        self.logprobs = True  # until the server rejects them

    def _stream(self, messages: Messages, max_new_tokens: int) -> Iterator[str]:
        for chunk in self.client.stream(messages, **limit(max_new_tokens)):
            if isinstance(chunk.content, str):
                yield chunk.content

    def _choice_logprobs(self, messages: Messages, options: list[str]) -> dict[str, float]:
        return self._choice_logprobs_many([messages], options)[0]

    def _choice_logprobs_many(self, conversations: list[Messages], options: list[str]) -> list[dict[str, float]]:
        """Requests run concurrently (a server batches them)."""
        return [self._scores(reply, options) for reply in self._answers(conversations)]

    def _answers(self, conversations: list[Messages]) -> list:
        import openai

        config = {"max_concurrency": self.concurrency}
        if self.logprobs:
            try:
                return self.client.batch(conversations, config, logprobs=True, top_logprobs=TOP_LOGPROBS,
                                         **limit(ANSWER_TOKENS))
            except openai.BadRequestError:
                self.logprobs = False
        return self.client.batch(conversations, config, **limit(ANSWER_TOKENS))

    def _scores(self, reply, options: list[str]) -> dict[str, float]:
        content = (reply.response_metadata.get("logprobs") or {}).get("content") or []
        scores = first_token_scores(content[0], options) if content else None
        return scores or parsed_scores(reply.content if isinstance(reply.content, str) else "", options, self.name)


def limit(max_new_tokens: int) -> dict:
    """The token limit under both names: ``ChatOpenAI`` sends only ``max_completion_tokens``, which older
    servers (llama.cpp's among them) ignore."""
    return {"max_tokens": max_new_tokens, "extra_body": {"max_tokens": max_new_tokens}}


def first_token_scores(first: dict, options: list[str]) -> dict[str, float] | None:
    """Scores from the first answer token's alternatives; None when no option is among them."""
    listed = {t["token"]: t["logprob"] for t in first.get("top_logprobs") or []}
    listed.setdefault(first["token"], first["logprob"])
    scores = {}
    for option in options:
        matching = [token for token in listed if token and (option.startswith(token) or token.startswith(option))]
        if matching:
            scores[option] = listed[max(matching, key=len)]
    if not scores:
        return None
    floor = min(listed.values())
    return {option: scores.get(option, floor) for option in options}


def parsed_scores(answer: str, options: list[str], name: str) -> dict[str, float]:
    """The option the answer starts with (else names), scored 0 against ``PARSED_OTHER`` for the others."""
    text = answer.strip().lower()
    chosen = next((o for o in options if text.startswith(o.lower())), None)
    chosen = chosen or next((o for o in options if o.lower() in text), None)
    if chosen is None:
        raise LLMError(f"{name} answered {answer.strip()[:60]!r}, which names none of the options {options}")
    return {o: 0.0 if o == chosen else PARSED_OTHER for o in options}
