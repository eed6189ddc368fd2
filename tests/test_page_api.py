"""Readiness while the assistant loads (``/ready``, ``status``, ``chat`` with ``wait`` false), and the MCP
tools an outside assistant sees and calls."""

import ast
import asyncio
import time

import httpx
import pytest
from page_helpers import launch, loading_startup, served, startup  # noqa: F401

from chat_app.page.api import PageApi
from chat_app.page.keys import SessionKeys

TOOLS = {"new_session", "chat", "feedback", "forget", "recommend", "status"}


@pytest.fixture
def loading(tmp_path, startup):  # noqa: F811
    still, release = loading_startup(tmp_path, startup.agent)
    yield still, release
    release.set()


def test_chat_answers_at_once_while_loading_when_asked_not_to_wait(loading):
    still, release = loading
    api = PageApi(still, SessionKeys.of(still.settings))
    token = api.new_session()
    clock = time.monotonic()
    answer = api.chat("recommend a comedy", token, wait=False)
    assert time.monotonic() - clock < 1
    assert "loading the model" in answer["error"] and "ready in about" in answer["error"]
    assert answer["ready_in_s"] >= 5
    assert "loading" in api.recommend(genres=["Comedy"])["error"]
    release.set()
    assert api.chat("recommend a comedy", token)["tool_called"]  # wait (the default) waits for the model


def test_ready_endpoint_says_loading_then_ready_over_http(loading):
    from gradio_client import Client

    still, release = loading
    demo, url = launch(still)
    try:
        state = httpx.get(url + "ready")
        assert state.status_code == 503 and state.json()["status"] == "loading the model"
        assert state.json()["ready_in_s"] >= 5 and state.json()["steps"][0]["step"] == "loading the model"
        client = Client(url, verbose=False)
        clock = time.monotonic()
        answer = client.predict("hello", client.predict(api_name="/new_session"), False, api_name="/chat")
        assert "ready in about" in answer["error"] and time.monotonic() - clock < 10
        release.set()
        still.wait(10)
        assert httpx.get(url + "ready").status_code == 200
        assert client.predict(api_name="/status")["ready"]
    finally:
        demo.close()


def test_mcp_lists_the_documented_tools_and_no_page_events(served):  # noqa: F811
    schema = httpx.get(served + "gradio_api/mcp/schema").json()
    assert {tool["name"] for tool in schema} == TOOLS
    chat = next(tool for tool in schema if tool["name"] == "chat")
    assert set(chat["inputSchema"]["properties"]) == {"message", "session", "wait"}
    assert all(tool["description"] for tool in schema)


def test_an_mcp_client_calls_the_recommender_and_the_chat(served):  # noqa: F811
    """The README's MCP example, run against the loopback page (Gradio gives a dict as its Python text)."""
    from mcp import ClientSession
    from mcp.client.streamable_http import streamablehttp_client

    async def use_tools() -> tuple[set, dict, dict]:
        async with streamablehttp_client(served + "gradio_api/mcp/") as (read, write, _):
            async with ClientSession(read, write) as session:
                await session.initialize()
                names = {tool.name for tool in (await session.list_tools()).tools}
                picks = await session.call_tool("recommend", {"genres": ["Horror"], "k": 3})
                token = (await session.call_tool("new_session", {})).content[0].text
                reply = await session.call_tool("chat", {"message": "recommend some romance", "session": token})
                return names, ast.literal_eval(picks.content[0].text), ast.literal_eval(reply.content[0].text)

    names, picks, reply = asyncio.run(use_tools())
    assert names == TOOLS
    assert len(picks["items"]) == 3 and all("Horror" in item["genres"] for item in picks["items"])
    assert reply["tool_called"] and all("Romance" in item["genres"] for item in reply["items"])
