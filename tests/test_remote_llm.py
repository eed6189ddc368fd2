"""The served-model path (``--llm-url``): a scripted OpenAI-compatible server on loopback, and (marked
``real``) ``python -m llama_cpp.server`` serving the packaged GGUF. The fixtures here also serve the
remote backends of the contract suite in test_chat_models.py."""

import importlib.util
import json
import math
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from chat_app.llm.errors import LLMError
from chat_app.llm.remote import RemoteChatModel
from chat_app.llm.structured import choose

SERVER_EXTRAS = ("fastapi", "uvicorn", "sse_starlette", "starlette_context", "pydantic_settings")


class Handler(BaseHTTPRequestHandler):
    """Answers every chat request with ``answer`` (streamed or whole); with ``logprobs`` asked for and
    ``top_logprobs`` set, also the first token's alternatives; ``reject_logprobs`` answers such requests 400."""

    answer = "recommend"
    top_logprobs: dict[str, float] | None = None
    reject_logprobs = False
    requests: list[dict] = []

    def log_message(self, *args):
        pass

    def do_POST(self):
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        Handler.requests.append(body)
        answer = Handler.answer(body) if callable(Handler.answer) else Handler.answer  # text, or body -> text
        if body.get("logprobs") and self.reject_logprobs:
            return self._send(400, "application/json", json.dumps({"error": {"message": "logprobs unsupported"}}))
        if body.get("stream"):
            return self._send(200, "text/event-stream", self._events(body, answer))
        message = {"role": "assistant", "content": answer}
        choice = {"index": 0, "message": message, "finish_reason": "stop", "logprobs": None}
        if body.get("logprobs") and self.top_logprobs:
            first = max(self.top_logprobs, key=self.top_logprobs.get)
            choice["logprobs"] = {"content": [{"token": first, "logprob": self.top_logprobs[first], "bytes": None,
                                               "top_logprobs": [{"token": t, "logprob": lp, "bytes": None}
                                                                for t, lp in self.top_logprobs.items()]}]}
        self._send(200, "application/json", json.dumps(
            {"id": "x", "object": "chat.completion", "created": 0, "model": body["model"], "choices": [choice]}))

    def _events(self, body: dict, answer: str) -> str:
        chunk = {"id": "x", "object": "chat.completion.chunk", "created": 0, "model": body["model"],
                 "choices": [{"index": 0, "delta": {"role": "assistant", "content": ""}, "finish_reason": None}]}
        events = []
        for piece in [answer[:3], answer[3:]]:
            chunk["choices"][0]["delta"] = {"content": piece}
            events.append(f"data: {json.dumps(chunk)}\n\n")
        chunk["choices"][0] = {"index": 0, "delta": {}, "finish_reason": "stop"}
        return "".join(events) + f"data: {json.dumps(chunk)}\n\ndata: [DONE]\n\n"

    def _send(self, status: int, kind: str, text: str):
        data = text.encode()
        self.send_response(status)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)


@pytest.fixture(scope="session")
def stub_server():
    """URL of the scripted server (its ``Handler`` settings are class attributes: reset them after use)."""
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}/v1"
    httpd.shutdown()


@pytest.fixture
def server(stub_server, monkeypatch):
    for name in ("answer", "top_logprobs", "reject_logprobs"):
        monkeypatch.setattr(Handler, name, getattr(Handler, name))
    Handler.requests = []
    return stub_server


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="session")
def llama_server():
    """``python -m llama_cpp.server`` serving the packaged 0.5B GGUF on a free loopback port."""
    missing = [m for m in SERVER_EXTRAS if importlib.util.find_spec(m) is None]
    if importlib.util.find_spec("llama_cpp") is None or missing:
        pytest.skip(f"llama_cpp.server needs llama-cpp-python[server] (missing: {', '.join(missing) or 'llama_cpp'})")
    from chat_app.llm.packaged import packaged_gguf
    from settings import Settings

    gguf = packaged_gguf("default", Settings.from_env().data_dir / "models", progress=lambda m: None)
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "llama_cpp.server", "--model", str(gguf), "--model_alias", "qwen-0.5b",
         "--host", "127.0.0.1", "--port", str(port), "--n_ctx", "2048", "--verbose", "false"],
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    url = f"http://127.0.0.1:{port}/v1"
    try:
        deadline = time.monotonic() + 120
        while True:
            if process.poll() is not None:
                pytest.fail(f"llama_cpp.server exited: {process.stderr.read()[-2000:]}")
            try:
                urllib.request.urlopen(f"{url}/models", timeout=2)
                break
            except OSError:
                if time.monotonic() > deadline:
                    pytest.fail("llama_cpp.server did not answer within 120 s")
                time.sleep(0.3)
        yield url
    finally:
        process.terminate()
        process.wait(timeout=30)


# --- the scripted server -------------------------------------------------------------------------
def test_remote_model_streams_what_the_server_sends(server):
    model = RemoteChatModel(server, model="served-model")
    assert list(model.stream([{"role": "user", "content": "hello"}], max_new_tokens=7)) == ["rec", "ommend"]
    request = Handler.requests[-1]
    assert request["model"] == "served-model" and request["stream"] is True and request["max_tokens"] == 7


def test_choices_come_from_top_logprobs_when_the_server_returns_them(server):
    Handler.top_logprobs = {"rec": -0.2, "chat": -1.9, "The": -3.0}
    option, probs = choose(RemoteChatModel(server), [{"role": "user", "content": "hello"}], ["chat", "recommend"])
    assert option == "recommend" and math.isclose(probs["recommend"], 1 / (1 + math.exp(-1.7)))
    assert Handler.requests[-1]["logprobs"] is True and Handler.requests[-1]["top_logprobs"] == 20
    scores = RemoteChatModel(server).choice_logprobs([{"role": "user", "content": "hi"}], ["chat", "about"])
    assert scores == {"chat": -1.9, "about": -3.0}  # unlisted: the lowest listed, an upper bound


def test_without_logprobs_the_answer_is_parsed(server):
    Handler.answer = "Chat, I think"
    scores = RemoteChatModel(server).choice_logprobs([{"role": "user", "content": "hi"}], ["recommend", "chat"])
    assert scores["chat"] == 0.0 and scores["recommend"] < -10


def test_a_server_that_rejects_logprobs_is_asked_for_the_answer_from_then_on(server):
    Handler.reject_logprobs, Handler.answer = True, "recommend"
    model = RemoteChatModel(server)
    messages = [[{"role": "user", "content": str(n)}] for n in range(3)]
    assert [max(s, key=s.get) for s in model.choice_logprobs_many(messages, ["chat", "recommend"])] == ["recommend"] * 3
    assert model.logprobs is False and not Handler.requests[-1].get("logprobs")


@pytest.mark.parametrize("answer", ["", "Sorry, I cannot help with that."])
def test_an_empty_or_garbage_choice_answer_is_an_llm_error(server, answer):
    Handler.answer = answer
    with pytest.raises(LLMError, match="names none of the options"):
        RemoteChatModel(server).choice_logprobs([{"role": "user", "content": "hi"}], ["chat", "recommend"])


def test_unreachable_server_gives_a_clear_error():
    model = RemoteChatModel(f"http://127.0.0.1:{free_port()}/v1", timeout=2)
    with pytest.raises(LLMError, match="failed while writing a reply") as error:
        model.complete([{"role": "user", "content": "hello"}])
    assert "\n" not in str(error.value)


# --- a real llama.cpp server ---------------------------------------------------------------------
@pytest.mark.real
def test_llama_cpp_server_scores_choices_from_logprobs_and_streams(llama_server):
    model = RemoteChatModel(llama_server, model="qwen-0.5b")
    messages = [{"role": "system", "content": "Answer with one word: yes or no."},
                {"role": "user", "content": "Is Toy Story an animated film?"}]
    scores = model.choice_logprobs(messages, ["Yes", "No"])
    assert model.logprobs and all(math.isfinite(v) for v in scores.values())
    assert len(set(scores.values())) == 2  # graded log-probabilities, not a parsed 0 / -30
    pieces = list(model.stream([{"role": "user", "content": "Name three colours."}], max_new_tokens=12))
    assert len(pieces) >= 3 and "".join(pieces).strip()


@pytest.mark.real
def test_the_agent_runs_over_a_llama_cpp_server(llama_server, tiny_catalog, encoder, tmp_path):
    from chat_app.agent import Agent
    from chat_app.llm.loader import load_chat_model
    from chat_app.sessions import SessionStore
    from recommender.service import Recommender
    from settings import Settings

    settings = Settings(data_dir=tmp_path, llm_url=llama_server, model="qwen-0.5b")
    recommender = Recommender.for_catalog(tiny_catalog, "ease", encoder=encoder)
    agent = Agent(tiny_catalog, recommender, load_chat_model(settings), SessionStore(tmp_path / "s.db"), settings)
    picks = agent.respond("s", "recommend me a comedy")
    assert picks.intent == "recommend" and len(picks.items) == 5 and picks.text
    follow_up = agent.respond("s", "why the first one?")
    assert follow_up.intent != "error" and follow_up.text
