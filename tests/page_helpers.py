"""Shared by the page tests: a tiny agent behind ``AgentStartup``, the page served on loopback with the same
options as ``app.py``, Chromium through Playwright with every non-loopback request aborted and recorded,
and a raw caller of the page's private events (what an attacker with curl can do).

Import the fixtures into a test module: ``from page_helpers import browser, served, startup  # noqa: F401``.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import time
from pathlib import Path
from urllib.parse import urlparse

import pytest

from chat_app.agent import Agent
from chat_app.llm.fake import FakeChatModel
from chat_app.sessions import SessionStore
from chat_app.startup import AgentStartup
from recommender.service import Recommender
from settings import Settings

REPO = Path(__file__).resolve().parents[1]
ARTIFACTS = REPO / "test-artifacts"
LOOPBACK = {"127.0.0.1", "localhost", "::1"}
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--disable-default-apps", "--disable-extensions"]


def tiny_startup(folder: Path, catalog, encoder, llm=None) -> AgentStartup:
    """An agent over ``catalog`` with a fake model, built in the background like the app's."""
    settings = Settings(data_dir=folder, intent_prior=False)

    def build(progress):
        progress("building the tiny agent")
        recommender = Recommender.for_catalog(catalog, "ease", encoder=encoder)
        return Agent(catalog, recommender, llm or FakeChatModel(), SessionStore(folder / "sessions.db"), settings)

    started = AgentStartup(settings, build=build).start()
    assert started.wait(60) is not None
    return started


def loading_startup(folder: Path, agent):
    """A start that stays on "loading the model" until ``release.set()``; then it has ``agent``."""
    import threading

    release = threading.Event()

    def build(progress):
        progress("loading the model")
        release.wait(60)
        return agent

    return AgentStartup(Settings(data_dir=folder), build=build).start(), release


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def launch(startup: AgentStartup):
    """The page on a loopback port, served as app.py serves it; returns (demo, url)."""
    from chat_app.page.serve import launch_options
    from chat_app.ui import create_app

    demo = create_app(startup)
    port = free_port()
    demo.launch(server_name="127.0.0.1", server_port=port, prevent_thread_lock=True, quiet=True,
                **launch_options(startup))
    return demo, f"http://127.0.0.1:{port}/"


@pytest.fixture(scope="module")
def startup(tiny_catalog, encoder, tmp_path_factory):
    return tiny_startup(tmp_path_factory.mktemp("page"), tiny_catalog, encoder)


@pytest.fixture(scope="module")
def served(startup):
    demo, url = launch(startup)
    yield url
    demo.close()


def chromium_path() -> str | None:
    """Debian's chromium (or $CHROMIUM); None when there is none."""
    for candidate in (os.environ.get("CHROMIUM"), shutil.which("chromium"), shutil.which("chromium-browser"),
                      "/usr/bin/chromium"):
        if candidate and os.path.exists(candidate):
            return candidate
    return None


@pytest.fixture(scope="module")
def browser():
    path = chromium_path()
    if path is None:
        pytest.skip("no Chromium found for the browser tests: install Debian's package (`apt-get install chromium`, "
                    "as root) or set CHROMIUM=/path/to/chromium")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=path, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


class Guarded:
    """A browser context whose requests to any host but loopback are aborted (never sent) and recorded."""

    def __init__(self, browser, width: int = 1300, height: int = 1100):
        self.context = browser.new_context(viewport={"width": width, "height": height})
        self.foreign: list[str] = []
        self.context.route("**/*", self._route)

    def _route(self, route) -> None:
        url = route.request.url
        if urlparse(url).scheme in ("http", "https", "ws", "wss") and urlparse(url).hostname not in LOOPBACK:
            self.foreign.append(url)
            route.abort()
        else:
            route.continue_()

    def __enter__(self) -> "Guarded":
        return self

    def __exit__(self, *exc) -> None:
        self.context.close()


def send(page, text: str, turn: int, timeout_ms: int) -> None:
    """Type a message, send it and wait until the page answered it (its ``turn``-th message)."""
    from playwright.sync_api import expect

    box = page.locator("#message textarea")
    box.fill(text)
    box.press("Enter")
    expect(page.locator("#status")).to_contain_text(f"Turn {turn} answered", timeout=timeout_ms)


def call_event(url: str, demo, target_elem_id: str | None, data: list, trigger: str = "click") -> list:
    """Call one of the page's private events the raw way (``/gradio_api/queue/join``); returns its outputs."""
    import httpx

    fn_index = event_index(demo, target_elem_id, trigger)
    session_hash = f"probe{time.monotonic_ns()}"
    with httpx.Client(base_url=url, timeout=30) as client:
        joined = client.post("gradio_api/queue/join", json={"data": data, "fn_index": fn_index, "event_data": None,
                                                            "session_hash": session_hash, "trigger_id": None})
        joined.raise_for_status()
        with client.stream("GET", "gradio_api/queue/data", params={"session_hash": session_hash}) as events:
            for line in events.iter_lines():
                if line.startswith("data:"):
                    message = json.loads(line[5:])
                    if message.get("msg") == "process_completed":
                        assert message.get("success"), message
                        return message["output"]["data"]
    raise AssertionError("the event never completed")


def event_index(demo, elem_id: str | None, trigger: str) -> int:
    """The index of the event ``trigger`` on the component ``elem_id`` (None: the page's load event)."""
    ids = {block._id for block in demo.blocks.values() if getattr(block, "elem_id", None) == elem_id}
    for index, fn in demo.fns.items():
        for target, name in fn.targets:
            if name == trigger and (target in ids if elem_id else name == "load"):
                return index
    raise LookupError(f"no {trigger} event on {elem_id}")
