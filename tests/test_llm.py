import hashlib
import math

import pytest
from pydantic import BaseModel

from chat_app.llm.errors import LLMError
from chat_app.llm.fake import FakeChatModel
from chat_app.llm.loader import checkpoint_for, load_kwargs, resolve_device, resolve_quantization
from chat_app.llm.packaged import join_parts
from chat_app.llm.structured import ask_json, choose, extract_json_object

CHAT = [{"role": "system", "content": "You recommend movies."}, {"role": "user", "content": "hello"}]


class Pick(BaseModel):
    title: str
    stars: int


def test_fake_model_streams_scripted_replies_and_records_calls():
    fake = FakeChatModel(replies=["one two three"])
    assert list(fake.stream(CHAT)) == ["one", " two", " three"]
    assert fake.complete(CHAT) == "Here is what I found in the catalog."
    assert [kind for kind, _ in fake.calls] == ["stream", "stream"]


def test_choose_normalises_probabilities_and_picks_the_best():
    fake = FakeChatModel(choices=["chat"])
    option, probs = choose(fake, CHAT, ["recommend", "chat"])
    assert option == "chat" and math.isclose(sum(probs.values()), 1.0) and probs["chat"] > 0.99
    assert choose(FakeChatModel(), [{"role": "user", "content": "please recommend"}], ["chat", "recommend"])[0] \
        == "recommend"


@pytest.mark.parametrize("text, expected", [
    ('{"title": "Fargo", "stars": 5}', {"title": "Fargo", "stars": 5}),
    ('Sure! ```json\n{"title": "Heat", "stars": 4,}\n``` hope it helps', {"title": "Heat", "stars": 4}),
    ('{broken {"title": "Up", "stars": 3}', {"title": "Up", "stars": 3}),
    ('{"a": "brace } in a string"}', {"a": "brace } in a string"}),
    ("no json here", None),
    ("[1, 2, 3]", None),
    ('{"unterminated": ', None),
])
def test_extract_json_object_tolerates_what_small_models_write(text, expected):
    assert extract_json_object(text) == expected


def test_ask_json_retries_once_then_falls_back():
    fallback = Pick(title="fallback", stars=0)
    good = FakeChatModel(replies=["oops", '{"title": "Fargo", "stars": 5}'])
    assert ask_json(good, CHAT, Pick, fallback) == (Pick(title="Fargo", stars=5), True)
    assert "not valid" in good.calls[1][1][-1]["content"]
    garbage = FakeChatModel(replies=['{"title": "X", "stars": "many"}', "still garbage"])
    assert ask_json(garbage, CHAT, Pick, fallback) == (fallback, False)


def test_sha256_check_refuses_a_corrupted_part(tmp_path):
    parts = []
    for n, payload in enumerate([b"abc", b"def"]):
        parts.append(tmp_path / f"part{n}.bin")
        parts[-1].write_bytes(payload)
    good = hashlib.sha256(b"abcdef").hexdigest()
    assert join_parts(parts, tmp_path / "out" / "m.gguf", good, progress=lambda m: None).read_bytes() == b"abcdef"
    parts[1].write_bytes(b"deX")
    target = tmp_path / "bad" / "m.gguf"
    with pytest.raises(LLMError, match="corrupted"):
        join_parts(parts, target, good, progress=lambda m: None)
    assert not target.exists() and not target.with_suffix(".partial").exists()


def test_cuda_gets_bitsandbytes_nf4_with_double_quantization(monkeypatch):
    import torch

    monkeypatch.setattr(torch.cuda, "is_available", lambda: True)
    monkeypatch.setattr(torch.cuda, "is_bf16_supported", lambda *a, **k: True)
    device = resolve_device("auto")
    assert device == "cuda" and resolve_quantization(device, "auto") == "nf4"
    kwargs = load_kwargs(device, "nf4")
    config = kwargs["quantization_config"]
    assert kwargs["device_map"] == "auto" and kwargs["dtype"] == torch.bfloat16
    assert config.load_in_4bit and config.bnb_4bit_quant_type == "nf4" and config.bnb_4bit_use_double_quant
    assert config.bnb_4bit_compute_dtype == torch.bfloat16
    assert load_kwargs(device, "int8")["quantization_config"].load_in_8bit
    monkeypatch.setattr(torch.cuda, "is_bf16_supported", lambda *a, **k: False)
    assert load_kwargs(device, "nf4")["quantization_config"].bnb_4bit_compute_dtype == torch.float16


def test_cpu_defaults_to_fp32_and_refuses_a_missing_cuda(monkeypatch):
    import torch

    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    assert resolve_device("auto") == "cpu" and resolve_quantization("cpu", "auto") == "none"
    assert load_kwargs("cpu", "none")["dtype"] == torch.float32
    with pytest.raises(LLMError, match="no CUDA device"):
        resolve_device("cuda")


def test_model_specs_that_cannot_work_fail_with_a_clear_message(tmp_path):
    with pytest.raises(LLMError, match="does not exist"):
        checkpoint_for(str(tmp_path / "missing.gguf"), tmp_path, print)
    with pytest.raises(LLMError, match="no config.json"):
        checkpoint_for(str(tmp_path), tmp_path, print)
    with pytest.raises(LLMError, match="not found"):
        checkpoint_for("./nowhere/model", tmp_path, print)
    assert checkpoint_for("Qwen/Qwen2.5-0.5B-Instruct", tmp_path, print) == "Qwen/Qwen2.5-0.5B-Instruct"


def test_hub_model_without_network_fails_clearly(tmp_path, monkeypatch):
    from chat_app.llm.loader import load_local_model
    from settings import Settings

    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    with pytest.raises(LLMError, match="could not load model"):
        load_local_model("nobody-here/no-such-model", Settings(data_dir=tmp_path, device="cpu"), lambda m: None)


# --- the real packaged model ---------------------------------------------------------------------
@pytest.fixture(scope="session")
def real_llm():
    from chat_app.llm.loader import load_chat_model
    from settings import Settings

    return load_chat_model(Settings.from_env(model="default", device="cpu"), progress=print)


@pytest.mark.real
def test_real_model_streams_and_reuses_the_prefix_cache(real_llm):
    messages = [{"role": "system", "content": "You are a helpful movie assistant. " * 10},
                {"role": "user", "content": "Name one colour."}]
    real_llm.prefix_cache.entries.clear()
    pieces = list(real_llm.stream(messages, max_new_tokens=8))
    assert len(pieces) >= 2 and "".join(pieces).strip()
    done, cache = real_llm.prefix_cache.lookup(real_llm.prompt_ids(messages))
    assert done > 20 and cache is not None
    real_llm.use_prefix_cache = False
    try:
        uncached = real_llm.complete(messages, max_new_tokens=8)
    finally:
        real_llm.use_prefix_cache = True
    assert real_llm.complete(messages, max_new_tokens=8) == uncached == "".join(pieces)


@pytest.mark.real
def test_real_model_gives_a_valid_structured_choice(real_llm):
    messages = [{"role": "system", "content": "Answer with one word: yes or no."},
                {"role": "user", "content": "Is Toy Story an animated film?"}]
    option, probs = choose(real_llm, messages, ["yes", "no"])
    assert option in ("yes", "no") and math.isclose(sum(probs.values()), 1.0)
    pick, _ = ask_json(real_llm, [{"role": "user", "content": 'Reply with JSON {"title": str, "stars": int} '
                                   "for the movie Fargo with 5 stars."}], Pick, Pick(title="?", stars=0))
    assert isinstance(pick, Pick)


@pytest.mark.real
@pytest.mark.slow
def test_bitsandbytes_4bit_loads_the_converted_copy_on_cpu():
    from chat_app.llm.loader import load_local_model
    from settings import Settings

    model = load_local_model("default", Settings.from_env(device="cpu", quantization="nf4"), lambda m: None)
    assert "Linear4bit" in {type(m).__name__ for m in model.model.modules()}
    assert model.complete([{"role": "user", "content": "Say hi."}], max_new_tokens=3).strip()
