import socket
import threading
import time

import pytest

from chat_app.agent import Agent
from chat_app.llm.fake import FakeChatModel
from chat_app.sessions import SessionStore
from chat_app.startup import AgentStartup
from chat_app.ui import card_markdown, create_app, escape, profile_markdown
from recommender.service import Recommender
from settings import Settings


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for_port(port: int, seconds: float) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.5)
    raise TimeoutError(f"nothing listens on port {port} after {seconds} s")


@pytest.fixture(scope="module")
def startup(tiny_catalog, encoder, tmp_path_factory):
    folder = tmp_path_factory.mktemp("ui")
    settings = Settings(data_dir=folder)

    def build(progress):
        progress("building the tiny agent")
        recommender = Recommender.for_catalog(tiny_catalog, "ease", encoder=encoder)
        return Agent(tiny_catalog, recommender, FakeChatModel(), SessionStore(folder / "sessions.db"), settings)

    started = AgentStartup(settings, build=build).start()
    assert started.wait(60) is not None
    return started


@pytest.fixture(scope="module")
def served(startup):
    demo = create_app(startup)
    port = free_port()
    demo.launch(server_name="127.0.0.1", server_port=port, prevent_thread_lock=True, quiet=True)
    yield f"http://127.0.0.1:{port}/"
    demo.close()


def test_text_from_the_catalog_or_the_user_is_escaped():
    item = {"title": "<script>alert(1)</script>", "year": 1999, "genres": ["Drama"], "reason": "<b>x</b>"}
    text = card_markdown(1, item)
    assert "<script>" not in text and "&lt;script&gt;" in text and "<b>" not in text
    assert escape("<img src=x onerror=alert(1)>") == "&lt;img src=x onerror=alert(1)&gt;"
    profile = {"user_id": None, "top_rated": [], "liked": ["<i>A</i>"], "disliked": [], "tastes": []}
    assert "<i>" not in profile_markdown(profile)


def test_startup_reports_failure_instead_of_crashing():
    def broken(progress):
        raise FileNotFoundError("model file missing")

    failed = AgentStartup(Settings(), build=broken).start()
    assert failed.wait(10) is None and "model file missing" in failed.status


def test_gradio_client_calls_the_named_chat_endpoint(served):
    from gradio_client import Client

    client = Client(served, verbose=False)
    reply = client.predict("recommend some romance", "client-session", api_name="/chat")
    assert reply["tool_called"] and len(reply["items"]) == 5
    assert all("Romance" in item["genres"] for item in reply["items"])
    note = client.predict("client-session", reply["items"][0]["id"], True, api_name="/feedback")
    assert note.startswith("Noted")


def test_the_app_mounts_inside_fastapi(startup):
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
        client = Client(f"http://127.0.0.1:{port}/cinebot/", verbose=False)
        reply = client.predict("hello", "mounted", api_name="/chat")
        assert reply["intent"] in ("chat", "recommend") and reply["text"]
    finally:
        server.should_exit = True
        thread.join(10)


# --- in a real browser ---------------------------------------------------------------------------
CHROMIUM = "/usr/bin/chromium"
ARTIFACTS = __import__("pathlib").Path(__file__).resolve().parents[1] / "test-artifacts"


@pytest.fixture(scope="module")
def browser():
    import os

    if not os.path.exists(CHROMIUM):
        if os.environ.get("CI"):
            pytest.fail("Debian's chromium is missing: `make test` installs it")
        pytest.skip("Debian's chromium is not installed")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=[
            "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
            "--disable-component-update", "--disable-sync"])
        yield browser
        browser.close()


def recommendation_turn(browser, url: str, screenshot: str, timeout_ms: int, page=None) -> list[str]:
    """Ask for sci-fi, see text stream in and five cards appear, like one, save a screenshot."""
    from playwright.sync_api import expect

    own_page = page is None
    page = page or browser.new_page(viewport={"width": 1300, "height": 1100})
    page.goto(url)
    box = page.locator("#message textarea")
    box.fill("recommend me some sci-fi movies")
    box.press("Enter")
    bot = page.locator("#chat .bot").last
    expect(bot).not_to_be_empty(timeout=timeout_ms)
    expect(page.locator("#card-4")).to_be_visible(timeout=timeout_ms)
    titles = [page.locator(f"#card-{n} .card-text").first.inner_text().split("\n")[0] for n in range(5)]
    page.locator("#card-0 .like").click()
    expect(page.locator("#status")).to_contain_text("Noted", timeout=30_000)
    expect(page.locator("#profile")).to_contain_text("Liked")
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / screenshot), full_page=True)
    if own_page:
        page.close()
    return titles


def test_browser_recommendation_turn_with_the_fake_model(served, browser, tiny_catalog):
    from playwright.sync_api import expect

    context = browser.new_context(viewport={"width": 1300, "height": 1100})
    page = context.new_page()
    titles = recommendation_turn(browser, served, "browser-fake.png", 60_000, page=page)
    assert len(titles) == 5
    page.reload()  # the tab keeps its session: the conversation comes back
    expect(page.locator("#chat .user").first).to_contain_text("sci-fi", timeout=30_000)
    other = context.new_page()  # another tab starts its own session
    other.goto(served)
    expect(other.locator("#profile")).to_contain_text("new user", timeout=30_000)
    assert other.locator("#chat .user").count() == 0
    context.close()
    for title in titles:
        name = title.split(". ", 1)[1].rsplit(" (", 1)[0]
        assert "Sci-Fi" in tiny_catalog.resolve_title(name).genres


def test_html_in_a_message_is_shown_as_text(served, browser):
    page = browser.new_page()
    page.goto(served)
    page.evaluate("window.__pwned = false")
    box = page.locator("#message textarea")
    box.fill("<img src=x onerror=\"window.__pwned=true\"> hello")
    box.press("Enter")
    from playwright.sync_api import expect

    expect(page.locator("#chat .user").last).to_contain_text("<img src=x", timeout=30_000)
    assert page.evaluate("window.__pwned") is False
    page.close()


@pytest.mark.real
@pytest.mark.slow
def test_browser_recommendation_turn_with_the_real_model(browser, ml100k_catalog, ml100k_settings):
    import subprocess
    import sys

    from settings import REPO_ROOT

    port = free_port()
    app = subprocess.Popen([sys.executable, "app.py", "--port", str(port), "--model", "default",
                            "--db", str(ml100k_catalog.path)], cwd=REPO_ROOT)
    try:
        wait_for_port(port, 120)
        titles = recommendation_turn(browser, f"http://127.0.0.1:{port}/", "browser-real.png", 300_000)
        for title in titles:
            name = title.split(". ", 1)[1].rsplit(" (", 1)[0]
            assert "Sci-Fi" in ml100k_catalog.resolve_title(name).genres
    finally:
        app.terminate()
        app.wait(30)
