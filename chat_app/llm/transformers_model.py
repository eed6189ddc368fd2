"""A transformers causal LM behind the chat-model interface (CUDA with nf4, or the CPU with
``--runtime transformers``): streaming generation, option scoring, and a prefix cache that reuses the KV
cache of the longest already-computed prompt prefix (system prompt, tool description, earlier turns)
instead of prefilling it again."""

from __future__ import annotations

import copy
import threading
from collections import OrderedDict
from collections.abc import Iterator

import torch
from transformers import DynamicCache, StoppingCriteria, StoppingCriteriaList, TextIteratorStreamer

from .base import ChatModel, common_prefix, longest_prefix


class PrefixCache:
    """A few KV caches keyed by the token ids they cover; lookups return a private, cropped copy."""

    def __init__(self, size: int = 4):
        self.size = size
        self.entries: OrderedDict[tuple[int, ...], DynamicCache] = OrderedDict()

    def lookup(self, ids: list[int]) -> tuple[int, DynamicCache | None]:
        best_n, best_key = longest_prefix(self.entries, ids)
        best_n = min(best_n, len(ids) - 1)  # the last prompt token must be run to get its logits
        if best_key is None or best_n <= 0:
            return 0, None
        self.entries.move_to_end(best_key)
        cache = copy.deepcopy(self.entries[best_key])
        extra = cache.get_seq_length() - best_n
        if extra > 0:
            cache.crop(-extra)  # transformers 5: a negative count removes that many tokens from the end
        return best_n, cache

    def store(self, ids: list[int], cache: DynamicCache) -> None:
        length = cache.get_seq_length()
        self.entries[tuple(ids[:length])] = copy.deepcopy(cache)
        while len(self.entries) > self.size:
            self.entries.popitem(last=False)


class _StopWhenSet(StoppingCriteria):
    def __init__(self, event: threading.Event):
        self.event = event

    def __call__(self, input_ids, scores, **kwargs) -> bool:
        return self.event.is_set()


class TransformersChatModel(ChatModel):
    """One local model; calls are serialised (one generation at a time on one machine)."""

    def __init__(self, model, tokenizer, name: str = "local", load_seconds: float = 0.0, cache_size: int = 4):
        self.model, self.tokenizer, self.name = model, tokenizer, name
        self.load_seconds = load_seconds
        self.prefix_cache = PrefixCache(cache_size)
        self._lock = threading.Lock()

    @property
    def device(self) -> torch.device:
        return self.model.device

    def tokenize(self, text: str) -> list[int]:
        return self.tokenizer(text, add_special_tokens=False)["input_ids"]

    def prompt_ids(self, messages: list[dict]) -> list[int]:
        return self.tokenize(self.tokenizer.apply_chat_template(messages, add_generation_prompt=True, tokenize=False))

    def clear_cache(self) -> None:
        """Forget every computed prefix (for cold-start measurements)."""
        self.prefix_cache.entries.clear()

    @torch.inference_mode()
    def _prefill(self, ids: list[int]) -> tuple[DynamicCache, torch.Tensor]:
        """KV cache and last-position log-probabilities for a prompt, reusing a cached prefix."""
        done, cache = self.prefix_cache.lookup(ids)
        cache = cache if cache is not None else DynamicCache(config=self.model.config)
        tail = torch.tensor([ids[done:]], device=self.device)
        out = self.model(input_ids=tail, past_key_values=cache, use_cache=True, logits_to_keep=1)
        self.prefix_cache.store(ids, out.past_key_values)
        return out.past_key_values, torch.log_softmax(out.logits[0, -1].float(), dim=-1)

    def _stream(self, messages: list[dict], max_new_tokens: int) -> Iterator[str]:
        ids = self.prompt_ids(messages)
        with self._lock:
            done, cache = self.prefix_cache.lookup(ids)
            streamer = TextIteratorStreamer(self.tokenizer, skip_prompt=True, skip_special_tokens=True,
                                            timeout=600)
            inputs = torch.tensor([ids], device=self.device)
            outcome: dict = {}
            stop = threading.Event()

            def run():
                try:
                    with torch.inference_mode():
                        outcome["out"] = self.model.generate(
                            input_ids=inputs, attention_mask=torch.ones_like(inputs), past_key_values=cache,
                            max_new_tokens=max_new_tokens, do_sample=False, streamer=streamer,
                            stopping_criteria=StoppingCriteriaList([_StopWhenSet(stop)]),
                            return_dict_in_generate=True, pad_token_id=self.tokenizer.eos_token_id)
                except Exception as exc:  # surfaced to the caller below, after the stream ends
                    outcome["error"] = exc
                    streamer.end()

            worker = threading.Thread(target=run, daemon=True)
            worker.start()
            try:
                yield from streamer
            finally:  # also when the caller stops reading early: end generation before releasing the model
                stop.set()
                worker.join()
            if "error" in outcome:
                raise outcome["error"]
            out = outcome["out"]
            if out.past_key_values is not None:
                self.prefix_cache.store(out.sequences[0].tolist(), out.past_key_values)

    @torch.inference_mode()
    def _choice_logprobs(self, messages: list[dict], options: list[str]) -> dict[str, float]:
        with self._lock:
            cache, first = self._prefill(self.prompt_ids(messages))
            scores = {}
            for option in options:
                tokens = self.tokenize(option)
                total = float(first[tokens[0]])
                if len(tokens) > 1:
                    branch = copy.deepcopy(cache)
                    out = self.model(input_ids=torch.tensor([tokens[:-1]], device=self.device),
                                     past_key_values=branch, use_cache=True)
                    logprobs = torch.log_softmax(out.logits[0].float(), dim=-1)
                    total += float(sum(logprobs[n, t] for n, t in enumerate(tokens[1:])))
                scores[option] = total
            return scores

    @torch.inference_mode()
    def _choice_logprobs_many(self, conversations: list[list[dict]], options: list[str]) -> list[dict[str, float]]:
        """Option scores for many prompts that share a prefix (re-ranking candidates): the prefix is
        computed once and the differing tails run as one padded batch."""
        first_tokens = [self.tokenize(o) for o in options]
        if len(conversations) < 2 or any(len(t) != 1 for t in first_tokens):
            return [self._choice_logprobs(c, options) for c in conversations]
        prompts = [self.prompt_ids(c) for c in conversations]
        shared = min(min(len(p) for p in prompts) - 1,
                     min(common_prefix(prompts[0], p) for p in prompts[1:]))
        with self._lock:
            cache, _ = self._prefill(prompts[0][: shared + 1])
            cache.crop(-1)  # keep exactly the shared prefix
            tails = [p[shared:] for p in prompts]
            width = max(len(t) for t in tails)
            pad = self.tokenizer.pad_token_id or self.tokenizer.eos_token_id
            tokens = torch.tensor([t + [pad] * (width - len(t)) for t in tails], device=self.device)
            mask = torch.tensor([[1] * (shared + len(t)) + [0] * (width - len(t)) for t in tails], device=self.device)
            cache.batch_repeat_interleave(len(tails))
            # Run the decoder alone and apply the output head only at each tail's last token.
            hidden = self.model.get_decoder()(input_ids=tokens, attention_mask=mask, past_key_values=cache,
                                              use_cache=True).last_hidden_state
            last = torch.tensor([len(t) - 1 for t in tails], device=self.device)
            logits = self.model.get_output_embeddings()(hidden[torch.arange(len(tails)), last])
            logprobs = torch.log_softmax(logits.float(), dim=-1)
            return [{o: float(row[t[0]]) for o, t in zip(options, first_tokens)} for row in logprobs]

