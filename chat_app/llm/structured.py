"""Structured answers from models that write invalid JSON sometimes: pick among options by their
log-probabilities (never unparseable), or parse and validate JSON with one retry."""

from __future__ import annotations

import json
import math
import re
from typing import TypeVar

from pydantic import BaseModel, ValidationError

from .errors import LLMError

T = TypeVar("T", bound=BaseModel)


def choose(model, messages: list[dict], options: list[str]) -> tuple[str, dict[str, float]]:
    """The most likely option and the normalised probability of each."""
    probs = normalise(model.choice_logprobs(messages, options))
    return max(options, key=lambda o: probs[o]), probs


def normalise(logprobs: dict[str, float]) -> dict[str, float]:
    """Probabilities over the options from their log-probabilities."""
    top = max(logprobs.values())
    weights = {o: math.exp(lp - top) if lp > -math.inf else 0.0 for o, lp in logprobs.items()}
    total = sum(weights.values())
    return {o: w / total for o, w in weights.items()}


def extract_json_object(text: str) -> dict | None:
    """The first JSON object in ``text`` (tolerating code fences, prose around it, trailing commas)."""
    start = text.find("{")
    while start != -1:
        depth, in_string, escaped = 0, False, False
        for end in range(start, len(text)):
            ch = text[end]
            if in_string:
                escaped = ch == "\\" and not escaped
                in_string = not (ch == '"' and not escaped)
                continue
            if ch == '"':
                in_string = True
            elif ch == "{":
                depth += 1
            elif ch == "}":
                depth -= 1
                if depth == 0:
                    candidate = re.sub(r",\s*([}\]])", r"\1", text[start:end + 1])
                    try:
                        value = json.loads(candidate)
                        return value if isinstance(value, dict) else None
                    except json.JSONDecodeError:
                        break
        start = text.find("{", start + 1)
    return None


def parse_json_reply(model, messages: list[dict], schema: type[T], max_new_tokens: int = 256) -> T:
    """A validated ``schema`` instance from a model's free text, with one retry that shows the error."""
    attempt = list(messages)
    for _ in range(2):
        text = model.complete(attempt, max_new_tokens=max_new_tokens)
        data = extract_json_object(text)
        try:
            if data is not None:
                return schema.model_validate(data)
            problem = "no JSON object found"
        except ValidationError as exc:
            problem = exc.errors()[0]["msg"]
        retry = f"That was not valid ({problem}). Reply with one JSON object only."
        attempt = attempt + [{"role": "assistant", "content": text}, {"role": "user", "content": retry}]
    raise LLMError(f"{model.name} wrote no valid {schema.__name__} JSON twice ({problem})")
