"""A GGUF model run natively by llama.cpp (llama-cpp-python): the CPU default.

Every call first brings llama.cpp's KV cache to the prompt, reusing the longest prefix already computed:
the previous prompt (llama.cpp keeps it) or a saved state. States are saved at the end of each prompt's
context (every message but the last: the system prompt, few-shot turns, earlier turns), so the decision
prompt's examples and the shared system prompt are not prefilled again after another prompt ran.
"""

from __future__ import annotations

import ctypes
import json
import os
import threading
import time
from collections import OrderedDict
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import numpy as np
import psutil
from llama_cpp import (Llama, LlamaGrammar, llama_get_logits_ith, llama_state_seq_get_data,
                       llama_state_seq_get_size, llama_state_seq_set_data)
from llama_cpp.llama_chat_format import Jinja2ChatFormatter

from .base import ChatModel, Messages, T, common_prefix, longest_prefix
from .errors import LLMError


class LlamaCppChatModel(ChatModel):
    """One llama.cpp context; calls are serialised (one evaluation at a time)."""

    def __init__(self, path: Path, n_ctx: int = 4096, n_threads: int | None = None, n_gpu_layers: int = 0,
                 saved_states: int = 4, extra_bufts: bool = True):
        """``extra_bufts=False`` turns off llama.cpp's extra CPU buffer types (AMX, weight repacking)."""
        started = time.perf_counter()
        threads = n_threads or physical_cores()
        with model_params(use_extra_bufts=extra_bufts):
            self.llm = Llama(str(path), n_ctx=n_ctx, n_threads=threads, n_threads_batch=threads,
                             n_gpu_layers=n_gpu_layers, verbose=False)
        self.load_seconds = time.perf_counter() - started
        self.name = Path(path).stem
        template = self.llm.metadata.get("tokenizer.chat_template")
        if not template:
            raise LLMError(f"{self.name} has no chat template in its GGUF metadata")
        eos = self.llm.detokenize([self.llm.token_eos()], special=True).decode("utf-8", "replace")
        self._prompt_template = Jinja2ChatFormatter(template, eos_token=eos, bos_token="")
        self._context_template = Jinja2ChatFormatter(template, eos_token=eos, bos_token="",
                                                     add_generation_prompt=False)
        self.states = SavedStates(self.llm, saved_states)
        self._lock = threading.Lock()

    # --- tokens ----------------------------------------------------------------------------------------
    def tokenize(self, text: str, special: bool = False) -> list[int]:
        return self.llm.tokenize(text.encode("utf-8"), add_bos=False, special=special)

    def prompt_ids(self, messages: Messages) -> list[int]:
        """The prompt's tokens, ending with the assistant's header."""
        return self.tokenize(self._prompt_template(messages=messages).prompt, special=True)

    def _context_length(self, messages: Messages, ids: list[int]) -> int:
        """How many of ``ids`` cover every message but the last (0 for a single message)."""
        if len(messages) < 2:
            return 0
        context = self.tokenize(self._context_template(messages=messages[:-1]).prompt, special=True)
        return common_prefix(context, ids)

    def clear_cache(self) -> None:
        """Forget every computed prefix (for cold-start measurements)."""
        with self._lock:
            self.llm.reset()
            self.states.entries.clear()

    # --- evaluation ------------------------------------------------------------------------------------
    def _evaluate(self, messages: Messages) -> tuple[list[int], np.ndarray]:
        """Evaluate the prompt of ``messages`` reusing the longest computed prefix; its tokens and the
        log-probabilities of the next token."""
        llm, ids = self.llm, self.prompt_ids(messages)
        if len(ids) >= llm.n_ctx():
            raise LLMError(f"the prompt has {len(ids)} tokens, more than {self.name}'s context of {llm.n_ctx()}")
        live = common_prefix(llm.input_ids[: llm.n_tokens], ids)
        saved, key = longest_prefix(self.states.entries, ids)
        if saved > live:
            self.states.restore(key)
            live = saved
        llm.n_tokens = min(live, len(ids) - 1)  # the last token is always run, for fresh logits
        context = self._context_length(messages, ids)
        if context and tuple(ids[:context]) not in self.states.entries:
            llm.n_tokens = min(llm.n_tokens, context)
            llm.eval(ids[llm.n_tokens:context])  # also cuts the KV cache back to the context
            self.states.save(ids[:context])
        llm.eval(ids[llm.n_tokens:])
        return ids, self._next_logprobs()

    def _next_logprobs(self) -> np.ndarray:
        logits = np.ctypeslib.as_array(llama_get_logits_ith(self.llm.ctx, -1), shape=(self.llm.n_vocab(),))
        return log_softmax(logits.astype(np.float64))

    def _generate(self, messages: Messages, max_new_tokens: int, grammar=None) -> Iterator[str]:
        with self._lock:
            ids, _ = self._evaluate(messages)
            # The prompt is evaluated to its last token, so llama.cpp samples at once from those logits.
            for chunk in self.llm.create_completion(ids, max_tokens=max_new_tokens, temperature=0.0,
                                                    repeat_penalty=1.0, stream=True, grammar=grammar):
                yield chunk["choices"][0]["text"]

    def _stream(self, messages: Messages, max_new_tokens: int) -> Iterator[str]:
        return self._generate(messages, max_new_tokens)

    def _scores(self, messages: Messages, options: list[str]) -> dict[str, float]:
        """Options scored token by token after the prompt; the KV cache is cut back to the prompt after each."""
        ids, first = self._evaluate(messages)
        scores = {}
        for option in options:
            tokens = self.tokenize(option)
            if not tokens:
                raise LLMError(f"the option {option!r} has no tokens")
            total = first[tokens[0]]
            for previous, token in zip(tokens, tokens[1:]):
                self.llm.eval([previous])
                total += self._next_logprobs()[token]
            self.llm.n_tokens = len(ids)
            scores[option] = float(total)
        return scores

    def _choice_logprobs(self, messages: Messages, options: list[str]) -> dict[str, float]:
        with self._lock:
            return self._scores(messages, options)

    def _choice_logprobs_many(self, conversations: list[Messages], options: list[str]) -> list[dict[str, float]]:
        """One by one in token order, so each prompt shares the longest prefix with the one before."""
        with self._lock:
            prompts = [self.prompt_ids(c) for c in conversations]
            results: list[dict[str, float]] = [{} for _ in conversations]
            for n in sorted(range(len(conversations)), key=lambda n: prompts[n]):
                results[n] = self._scores(conversations[n], options)
            return results

    def _complete_json(self, messages: Messages, schema: type[T], max_new_tokens: int) -> T:
        """Decoding constrained by a grammar made from the schema: the text is always JSON of that shape."""
        grammar = LlamaGrammar.from_json_schema(json.dumps(schema.model_json_schema()), verbose=False)
        text = "".join(self._generate(messages, max_new_tokens, grammar))
        try:
            return schema.model_validate_json(text)
        except ValueError as exc:
            raise LLMError(f"{self.name} wrote JSON that does not fit {schema.__name__} "
                           f"(cut at {max_new_tokens} tokens?): {str(exc).splitlines()[0]}") from None


class SavedStates:
    """A few saved KV states of llama.cpp's sequence 0, keyed by the tokens they hold (least recently used
    dropped first). A state holds only the KV cache (about 12 kB a token for the 0.5B model), not logits."""

    def __init__(self, llm, size: int = 4):
        self.llm, self.size = llm, size
        self.entries: OrderedDict[tuple[int, ...], bytes] = OrderedDict()

    def save(self, ids: list[int]) -> None:
        """Save the current state, which must hold exactly ``ids``."""
        size = llama_state_seq_get_size(self.llm.ctx, 0)
        buffer = (ctypes.c_uint8 * size)()
        written = llama_state_seq_get_data(self.llm.ctx, buffer, size, 0)
        if not written:
            raise RuntimeError("llama.cpp could not copy the KV state")
        self.entries[tuple(ids)] = ctypes.string_at(buffer, written)
        while len(self.entries) > self.size:
            self.entries.popitem(last=False)

    def restore(self, key: tuple[int, ...]) -> None:
        data = self.entries[key]
        self.entries.move_to_end(key)
        buffer = (ctypes.c_uint8 * len(data)).from_buffer_copy(data)
        if llama_state_seq_set_data(self.llm.ctx, buffer, len(data), 0) == 0:
            raise RuntimeError("llama.cpp could not restore a saved KV state")
        self.llm.input_ids[: len(key)] = key
        self.llm.n_tokens = len(key)


@contextmanager
def model_params(**fields):
    """llama-cpp-python's ``Llama`` with these ``llama_model_params`` fields set (it has no argument for some)."""
    import llama_cpp.llama as module

    default = module.llama_cpp.llama_model_default_params

    def params():
        value = default()
        for name, setting in fields.items():
            setattr(value, name, setting)
        return value

    module.llama_cpp.llama_model_default_params = params
    try:
        yield
    finally:
        module.llama_cpp.llama_model_default_params = default


def log_softmax(logits: np.ndarray) -> np.ndarray:
    shifted = logits - logits.max()
    return shifted - np.log(np.exp(shifted).sum())


def physical_cores() -> int:
    """Physical cores this process may use (llama.cpp gains nothing from SMT siblings)."""
    usable = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
    return max(1, min(psutil.cpu_count(logical=False) or usable, usable))
