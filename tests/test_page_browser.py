"""The page in Chromium: a three-turn conversation that shows the recommender call and the wishes in force,
chips that take a wish away, cards and thumbs, undo and retry, one session per tab. Every request to a host
other than loopback is aborted and must not happen."""

import subprocess
import sys

import pytest
from page_helpers import (ARTIFACTS, REPO, Guarded, browser, free_port, launch, loading_startup, send,  # noqa: F401
                          served, startup)

from settings import REPO_ROOT

DOCS = REPO / "docs"


def three_turns(page, timeout_ms: int) -> None:
    """Ask for sci-fi, then more like the second pick, then why the first; check what the page shows."""
    from playwright.sync_api import expect

    send(page, "recommend me some sci-fi movies", 1, timeout_ms)
    expect(page.locator("#chat")).to_contain_text("Called the recommender")
    expect(page.locator("#chips")).to_contain_text("Sci-Fi")
    expect(page.locator("#understood")).to_contain_text("Sci-Fi")
    expect(page.locator("#card-4")).to_be_visible()
    send(page, "more like the second one", 2, timeout_ms)
    expect(page.locator("#chips")).to_contain_text("like ")
    send(page, "why the first one?", 3, timeout_ms)
    page.get_by_text("Called the recommender").last.click()  # open the latest tool message
    expect(page.locator("#chat .thought-group").last.get_by_text("Asked for")).to_be_visible()
    page.wait_for_timeout(500)  # let the tool message finish opening before a screenshot


def screenshot(page, path) -> None:
    """The whole page, with the chat scrolled to its first message."""
    page.locator("#chat .bubble-wrap").evaluate("chat => { chat.scrollTop = 0; }")
    page.wait_for_timeout(300)
    page.screenshot(path=str(path), full_page=True)


def card_titles(page) -> list[str]:
    titles = []
    for n in range(sum(page.locator(f"#card-{n}").is_visible() for n in range(5))):
        first_line = page.locator(f"#card-{n} .card-text").first.inner_text().split("\n")[0]
        titles.append(first_line.split(". ", 1)[1].rsplit(" (", 1)[0])
    return titles


def test_three_turns_with_the_fake_model(served, browser, tiny_catalog):
    from playwright.sync_api import expect

    with Guarded(browser) as guarded:
        page = guarded.context.new_page()
        page.goto(served)
        three_turns(page, 60_000)
        ARTIFACTS.mkdir(exist_ok=True)
        screenshot(page, ARTIFACTS / "conversation-fake.png")
        titles = card_titles(page)
        assert all("Sci-Fi" in tiny_catalog.resolve_title(t).genres for t in titles)

        page.locator("#chips button", has_text="Sci-Fi").click()  # a chip clicked away
        expect(page.locator("#understood")).to_contain_text("Removed")
        expect(page.locator("#chips")).not_to_contain_text("Sci-Fi")
        page.locator("#like-0").click()
        expect(page.locator("#status")).to_contain_text("Noted")
        expect(page.locator("#chips")).to_contain_text("♥")
        page.locator("#chat button[aria-label='Like']").last.click()  # thumbs on the latest reply
        expect(page.locator("#status")).to_contain_text("of that reply")

        page.locator("#chat button[aria-label='Undo']").last.click()
        expect(page.locator("#message textarea")).to_have_value("why the first one?")
        expect(page.locator("#chat .user")).to_have_count(2)
        page.locator("#message textarea").fill("")
        page.locator("#chat button[aria-label='Retry']").last.click()
        expect(page.locator("#status")).to_contain_text("Turn 2 answered", timeout=60_000)
        expect(page.locator("#chat .user")).to_have_count(2)

        page.locator("#examples button").first.click()  # an example fills the message box
        expect(page.locator("#message textarea")).not_to_have_value("")

        page.reload()  # the tab keeps its session: the conversation and the picks come back
        expect(page.locator("#chat .user")).to_have_count(2, timeout=30_000)
        expect(page.locator("#card-0")).to_be_visible()
        other = guarded.context.new_page()  # another tab starts its own session
        other.goto(served)
        expect(other.locator("#profile")).to_contain_text("new user", timeout=30_000)
        assert other.locator("#chat .user").count() == 0
        page.locator("#forget").click()
        expect(page.locator("#status")).to_contain_text("Forgotten")
        expect(page.locator("#chat .user")).to_have_count(0)
        assert guarded.foreign == []


def test_the_page_shows_loading_progress_then_the_assistant(browser, startup, tmp_path):  # noqa: F811
    from playwright.sync_api import expect

    still, release = loading_startup(tmp_path, startup.agent)
    demo, url = launch(still)
    try:
        with Guarded(browser) as guarded:
            page = guarded.context.new_page()
            page.goto(url)
            expect(page.locator("#status")).to_contain_text("Loading the assistant", timeout=10_000)
            expect(page.locator("#status")).to_contain_text("loading the model")
            expect(page.locator("#status")).to_contain_text("ready in about")
            page.locator("#message textarea").fill("recommend some romance")
            page.locator("#message textarea").press("Enter")  # waits for the assistant, then answers
            release.set()
            expect(page.locator("#status")).to_contain_text("Turn 1 answered", timeout=30_000)
            expect(page.locator("#title")).to_contain_text("RecBot")
            assert guarded.foreign == []
    finally:
        release.set()
        demo.close()


@pytest.mark.real
@pytest.mark.slow
def test_three_turns_with_the_real_model(browser, ml100k_catalog, ml100k_settings):
    """The README's tour: docs/screenshot-conversation.png is taken here."""
    port = free_port()
    app = subprocess.Popen([sys.executable, "app.py", "--port", str(port), "--model", "default",
                            "--db", str(ml100k_catalog.path), "--data-dir", str(ml100k_settings.data_dir)],
                           cwd=REPO_ROOT)
    try:
        with Guarded(browser, height=2050) as guarded:
            page = guarded.context.new_page()
            wait_for_page(page, f"http://127.0.0.1:{port}/", 120)
            three_turns(page, 600_000)
            screenshot(page, DOCS / "screenshot-conversation.png")
            assert all("Sci-Fi" in ml100k_catalog.resolve_title(t).genres for t in card_titles(page))
            assert guarded.foreign == []
    finally:
        app.terminate()
        app.wait(30)


def wait_for_page(page, url: str, seconds: int) -> None:
    import time

    deadline = time.monotonic() + seconds
    while True:
        try:
            page.goto(url)
            return
        except Exception:
            if time.monotonic() > deadline:
                raise
            time.sleep(1)
