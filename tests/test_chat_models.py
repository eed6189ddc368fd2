"""One contract for every chat model, run against each backend: the fake (always), a scripted
OpenAI-compatible server (always), llama.cpp with the packaged 0.5B, llama_cpp.server with it (``real``),
and transformers (``real`` and ``slow``).

A backend's test class gives two fixtures: ``model`` and ``broken``, a model of the same backend whose
calls fail inside the backend (a raised RuntimeError, a dead server)."""

import math

import pytest
from pydantic import BaseModel
from test_remote_llm import Handler, free_port, llama_server, server, stub_server  # noqa: F401 (fixtures)

from chat_app.llm.errors import LLMError
from chat_app.llm.fake import FakeChatModel
from chat_app.llm.remote import RemoteChatModel
from settings import Settings

SYSTEM = {"role": "system", "content": "You are a film expert. Answer yes or no, in lower case. " * 3}
QUESTION = [SYSTEM, {"role": "user", "content": "Is Toy Story an animated film?"}]
QUESTIONS = [[SYSTEM, {"role": "user", "content": f"Is {title} an animated film?"}]
             for title in ("Shrek", "Heat", "Fargo")]
JSON_REQUEST = [{"role": "user", "content": 'Reply with JSON only, like {"title": "Heat", "stars": 4}: '
                                            "the movie Fargo with 5 stars."}]


class Pick(BaseModel):
    title: str
    stars: int


def scripted_reply(messages: list[dict]) -> str:
    """What the fake and the scripted server answer: JSON when asked for it, else a sentence."""
    if "JSON" in messages[-1]["content"]:
        return '{"title": "Fargo", "stars": 5}'
    return "yes, it is one of the best loved animated films"


def fail(*args, **kwargs):
    raise RuntimeError("the backend broke")


class ChatModelContract:
    def test_stream_yields_text_pieces(self, model):
        pieces = list(model.stream(QUESTION, max_new_tokens=12))
        assert pieces and all(isinstance(p, str) and p for p in pieces) and "".join(pieces).strip()

    def test_complete_is_the_joined_stream(self, model):
        assert model.complete(QUESTION, max_new_tokens=12) == "".join(model.stream(QUESTION, max_new_tokens=12))

    def test_choice_logprobs_give_every_option_a_finite_float(self, model):
        options = ["yes", "no", "maybe not"]
        scores = model.choice_logprobs(QUESTION, options)
        assert list(scores) == options
        assert all(isinstance(v, float) and math.isfinite(v) and v <= 1e-6 for v in scores.values())

    def test_many_equals_one_by_one(self, model):
        many = model.choice_logprobs_many(QUESTIONS, ["yes", "no"])
        one_by_one = [model.choice_logprobs(c, ["yes", "no"]) for c in QUESTIONS]
        assert len(many) == len(QUESTIONS)
        for batched, single in zip(many, one_by_one):
            assert batched.keys() == single.keys()
            assert all(batched[o] == pytest.approx(single[o], abs=0.15) for o in single)

    def test_complete_json_returns_a_valid_instance(self, model):
        assert isinstance(model.complete_json(JSON_REQUEST, Pick, max_new_tokens=40), Pick)

    def test_failures_raise_llm_error(self, broken):
        calls = [lambda: list(broken.stream(QUESTION, 8)), lambda: broken.complete(QUESTION, 8),
                 lambda: broken.choice_logprobs(QUESTION, ["yes", "no"]),
                 lambda: broken.choice_logprobs_many(QUESTIONS, ["yes", "no"]),
                 lambda: broken.complete_json(JSON_REQUEST, Pick)]
        for call in calls:
            with pytest.raises(LLMError) as error:
                call()
            assert str(error.value) and "\n" not in str(error.value)


class TestFake(ChatModelContract):
    @pytest.fixture
    def model(self):
        return FakeChatModel(reply=scripted_reply)

    @pytest.fixture
    def broken(self):
        return FakeChatModel(reply=fail, chooser=fail)


class TestRemoteScripted(ChatModelContract):
    @pytest.fixture
    def model(self, server):
        Handler.answer = lambda body: scripted_reply(body["messages"])
        Handler.top_logprobs = {"yes": -0.1, "no": -2.4, "Yes": -3.0}
        return RemoteChatModel(server)

    @pytest.fixture
    def broken(self):
        return RemoteChatModel(f"http://127.0.0.1:{free_port()}/v1", timeout=2)


class LocalRuntimeContract(ChatModelContract):
    """A packaged model loaded once per class through the app's loader; ``broken`` makes its inner
    ``failing`` methods raise."""

    runtime: str
    failing: tuple[str, ...]

    @pytest.fixture(scope="class")
    def loaded(self):
        from chat_app.llm.loader import load_chat_model

        return load_chat_model(Settings.from_env(model="default", device="cpu", runtime=self.runtime), print)

    @pytest.fixture
    def model(self, loaded):
        return loaded

    @pytest.fixture
    def broken(self, loaded, monkeypatch):
        inner, *methods = self.failing
        for method in methods:
            monkeypatch.setattr(getattr(loaded, inner), method, fail)
        loaded.clear_cache()
        return loaded


@pytest.mark.real
class TestLlamaCpp(LocalRuntimeContract):
    runtime = "llama.cpp"
    failing = ("llm", "eval", "create_completion")


@pytest.mark.real
class TestLlamaCppServer(ChatModelContract):
    @pytest.fixture
    def model(self, llama_server):
        return RemoteChatModel(llama_server, model="qwen-0.5b")

    @pytest.fixture
    def broken(self):
        return RemoteChatModel(f"http://127.0.0.1:{free_port()}/v1", timeout=2)


@pytest.mark.real
@pytest.mark.slow
class TestTransformers(LocalRuntimeContract):
    runtime = "transformers"
    failing = ("model", "forward")
