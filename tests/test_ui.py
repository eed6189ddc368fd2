"""The page's building blocks and its API over HTTP: inert text, start-up progress and readiness, the
documented endpoints through gradio_client, the page mounted inside FastAPI."""

import threading
import time
from types import SimpleNamespace

import httpx
import pytest
from page_helpers import free_port, served, startup  # noqa: F401

from chat_app.events import ToolCall
from chat_app.llm.fake import FakeChatModel
from chat_app.page.text import card_markdown, md, md_lines, profile_markdown, reply_markdown, tool_message
from chat_app.startup import AgentStartup
from settings import Settings


def test_catalog_user_and_model_text_is_escaped_markdown():
    item = {"title": "<script>alert(1)</script> ![x](http://198.51.100.7/x.png)", "year": 1999,
            "genres": ["Drama"], "reason": "<b>x</b> [link](http://198.51.100.7/)"}
    text = card_markdown(1, item)
    for raw in ("<script>", "<b>", "![x](", "[link](", "http://"):
        assert raw not in text
    assert md("a*b_c`d<e>&[f](g)!h") == r"a\*b\_c\`d\<e\>\&\[f\]\(g\)\!h"
    assert "<i>" not in profile_markdown({"user_id": None, "top_rated": ["<i>A</i>"], "shown": 0})


def test_invisible_characters_in_catalog_and_user_text_are_dropped():
    title = "Toy\u200bStory \u202egnp.exe\u2066 \ufeffBabe\u00ad"
    assert md(title) == "ToyStory gnp\\.exe Babe"
    assert "\u200b" not in card_markdown(1, {"title": title, "year": None, "genres": [], "reason": "\u200d"})


def test_numbered_lines_stay_a_list_and_notes_are_not_repeated():
    text = "Here you go:\n\n1. Alien (1979): scary\n2. Heat (1995): tense"
    assert md_lines(text).splitlines()[2:] == [r"1. Alien \(1979\)\: scary", r"2. Heat \(1995\)\: tense"]
    shown = reply_markdown("Picks (only 3 match)", ["only 3 match", "your message was long"])
    assert shown.count("only 3 match") == 1 and "your message was long" in shown


def test_the_recommender_call_is_a_collapsed_tool_message():
    message = tool_message(ToolCall("genres Sci-Fi, years 1980-1989", 20, 0.0123), "movies")
    assert message["metadata"] == {"title": "Called the recommender: 20 candidates", "status": "done",
                                   "duration": 0.012}
    assert "Sci\\-Fi" in message["content"] and "20 candidate movies" in message["content"]


def test_startup_reports_failure_instead_of_crashing():
    def broken(progress):
        raise FileNotFoundError("model file missing")

    failed = AgentStartup(Settings(), build=broken).start()
    assert failed.wait(10) is None and "model file missing" in failed.status
    assert failed.readiness()["failed"] and "model file missing" in failed.loading_text()


def test_startup_progress_shows_steps_and_an_estimate(tmp_path, capsys):
    release, agent = threading.Event(), SimpleNamespace(llm=FakeChatModel())

    def slow(progress):
        progress("opening the catalog")
        progress("loading the model")
        release.wait(10)
        return agent

    loading = AgentStartup(Settings(data_dir=tmp_path), build=slow).start()
    time.sleep(0.2)
    state = loading.readiness()
    assert not state["ready"] and state["status"] == "loading the model" and state["ready_in_s"] >= 5
    assert [s["step"] for s in state["steps"]] == ["opening the catalog", "loading the model"]
    assert "ready in about" in loading.loading_text()
    release.set()
    assert loading.wait(10) is agent and loading.readiness()["ready"] and loading.loading_text() == ""
    assert "[startup" in capsys.readouterr().out
    # the next estimate comes from this start's duration (under 5 s), not from the first-start guess
    assert AgentStartup(Settings(data_dir=tmp_path), build=slow).ready_in() == 5


def test_gradio_client_chats_through_a_new_session(served):
    from gradio_client import Client

    client = Client(served, verbose=False)
    token = client.predict(api_name="/new_session")
    reply = client.predict("recommend some romance", token, api_name="/chat")
    assert reply["tool_called"] and len(reply["items"]) == 5
    assert all("Romance" in item["genres"] for item in reply["items"])
    note = client.predict(token, reply["items"][0]["id"], True, api_name="/feedback")
    assert note.startswith("Noted")
    assert client.predict(token, api_name="/forget").startswith("Forgotten")
    picks = client.predict("", ["Horror"], None, 1950, None, None, None, 3, api_name="/recommend")
    assert len(picks["items"]) == 3 and all("Horror" in i["genres"] for i in picks["items"])


def test_ready_endpoint_and_status_api(served):
    from gradio_client import Client

    ready = httpx.get(served + "ready")
    assert ready.status_code == 200 and ready.json()["ready"]
    assert Client(served, verbose=False).predict(api_name="/status")["ready"]


def test_the_app_mounts_inside_fastapi(startup):  # noqa: F811
    import uvicorn
    from gradio_client import Client

    from examples.mount_fastapi import make_app

    port = free_port()
    server = uvicorn.Server(uvicorn.Config(make_app(startup), host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    try:
        for _ in range(100):
            if server.started:
                break
            time.sleep(0.1)
        assert httpx.get(f"http://127.0.0.1:{port}/cinebot/ready").json()["ready"]
        client = Client(f"http://127.0.0.1:{port}/cinebot/", verbose=False)
        reply = client.predict("hello", client.predict(api_name="/new_session"), api_name="/chat")
        assert reply["intent"] in ("chat", "recommend") and reply["text"]
    finally:
        server.should_exit = True
        thread.join(10)


@pytest.mark.parametrize("token", ["", "api", "client-session", "x" * 24 + "." + "y" * 22])
def test_the_api_has_no_shared_or_made_up_sessions(served, token):
    from gradio_client import Client

    client = Client(served, verbose=False)
    assert "new_session" in client.predict("hello", token, api_name="/chat")["error"]
    assert "new_session" in client.predict(token, 1, True, api_name="/feedback")
