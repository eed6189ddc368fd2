"""Bursts get a clear answer: each kind of event has its own waiting line, a full line answers 429 with
Retry-After and a sentence (the page shows it), cheap calls are not turned away behind turns for the model,
and the page state Gradio keeps per client session is bounded."""

import json
import threading
import time

import httpx
import pytest
from page_helpers import launch, tiny_startup

from chat_app.llm.fake import FakeChatModel
from chat_app.page import capacity


@pytest.fixture(scope="module")
def stuck_model(tiny_catalog, encoder, tmp_path_factory):
    """A page whose model answers only once ``release`` is set, so turns pile up in the model's line."""
    release = threading.Event()
    model = FakeChatModel(reply=lambda messages: release.wait(60) and "Here you go.")
    demo, url = launch(tiny_startup(tmp_path_factory.mktemp("capacity"), tiny_catalog, encoder, model))
    yield demo, url, model, release
    release.set()
    demo.close()


def post(url: str, name: str, data: list) -> httpx.Response:
    return httpx.post(f"{url}gradio_api/call/{name}", json={"data": data}, timeout=30)


def answer(url: str, name: str, data: list):
    """The endpoint's return value (the call joins the queue, then its result is read)."""
    event = post(url, name, data).json()["event_id"]
    return json.loads(httpx.get(f"{url}gradio_api/call/{name}/{event}", timeout=30).text.rsplit("data: ", 1)[1])[0]


CHAT = "let's just chat a while, I have been talking to bots all week and you seem like the nicest"  # the model answers


def test_a_full_model_line_answers_429_with_retry_after_and_cheap_calls_still_pass(stuck_model, monkeypatch):
    _, url, model, release = stuck_model
    monkeypatch.setattr(capacity, "WAITING_TURNS", 2)
    session = answer(url, "new_session", [])
    assert post(url, "chat", [CHAT, session, True]).status_code == 200
    for _ in range(100):  # until that turn is with the model, out of the line
        if any(kind == "stream" for kind, _ in model.calls):
            break
        time.sleep(0.1)
    waiting = [post(url, "chat", [CHAT, session, True]) for _ in range(2)]
    assert [answer.status_code for answer in waiting] == [200, 200]
    full = post(url, "chat", [CHAT, session, True])
    assert full.status_code == 429 and int(full.headers["Retry-After"]) >= 1
    assert "try again in about" in full.json()["detail"]
    assert all(post(url, "new_session", []).status_code == 200 for _ in range(5))  # another line
    release.set()


def test_a_burst_of_new_sessions_is_not_turned_away(stuck_model):
    _, url, _, _ = stuck_model
    answers: list[int] = []
    start = threading.Barrier(60)

    def ask() -> None:
        start.wait()
        answers.append(post(url, "new_session", []).status_code)

    threads = [threading.Thread(target=ask) for _ in range(60)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert answers == [200] * 60


def test_the_page_state_gradio_keeps_is_bounded(stuck_model):
    demo, _, _, _ = stuck_model
    assert demo.state_holder.capacity == capacity.STATE_SESSIONS < 10_000  # Gradio's own default
