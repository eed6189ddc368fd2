"""Sessions belong to their owner, and what the page shows is text.

Session tokens are issued and signed by the server; the page's private events, called the raw way with a
guessed id, a made-up token or an altered one, act on no one's session. In Chromium, catalog titles, model
replies and messages that carry Markdown images, HTML images and links load nothing and link nowhere:
every request to a host other than loopback is aborted (nothing is sent) and recorded, and there must be
none. 198.51.100.7 is a documentation address.
"""

import csv
import stat
import time

import pytest
from page_helpers import Guarded, browser, call_event, launch, send, startup, tiny_startup  # noqa: F401

import synthetic
from chat_app.llm.fake import FakeChatModel
from chat_app.page.api import BAD_SESSION, PRIVATE_USERS, PageApi
from chat_app.page.layout import PRIVATE_NOTE
from chat_app.page.text import md
from chat_app.page.keys import SECRET_FILE, SessionKeys
from settings import Settings

HOST = "198.51.100.7"
TITLE_IMAGE = f"![x](http://{HOST}/title.png)"
TITLE_HTML = f'<img src="http://{HOST}/title2.png">'
REPLY = f"![r](http://{HOST}/reply.png) [click](http://{HOST}/c) http://{HOST}/auto done."
MESSAGE = f"recommend sci-fi ![u](http://{HOST}/user.png) <img src=x onerror=\"window.__pwned=true\">"


def test_tokens_are_signed_and_the_secret_is_kept_private(tmp_path):
    keys = SessionKeys(tmp_path, idle_seconds=3600)
    token = keys.issue()
    ticket = keys.signed(token)
    assert ticket.session_id and token.startswith(ticket.session_id) and keys.issue() != token
    assert abs(ticket.issued - time.time()) < 5  # the issue time is part of the signed token
    assert SessionKeys(tmp_path, 3600).signed(token) == ticket  # the secret survives a restart
    assert stat.S_IMODE((tmp_path / SECRET_FILE).stat().st_mode) == 0o600
    session_id, issued, mac = token.split(".")
    altered = token[:-1] + ("A" if token[-1] != "A" else "B")
    younger = f"{session_id}.{int(issued) + 86400:010d}.{mac}"
    for bad in ["", None, 42, "api", session_id, f"{session_id}.{mac}", altered, token + "x", younger,
                f"{'a' * 24}.{issued}.{mac}", "\ud800" * 47, SessionKeys(tmp_path / "other", 3600).issue()]:
        assert keys.signed(bad) is None


def test_api_calls_need_a_token_from_new_session(startup):  # noqa: F811
    api = PageApi(startup, SessionKeys.of(startup.settings))
    mine, theirs = api.new_session(), api.new_session()
    item = api.chat("recommend some romance", theirs)["items"][0]["id"]
    assert api.feedback(theirs, item, True).startswith("Noted")
    for token in ["", None, "api", api.keys.signed(theirs).session_id, mine[:-2] + "xx"]:
        assert api.chat("hello", token) == {"error": BAD_SESSION}
        assert api.feedback(token, item, False) == BAD_SESSION and api.forget(token) == BAD_SESSION
    liked = startup.agent.profile(api.keys.signed(theirs).session_id)["wishes"].liked
    assert liked == (item,) and not startup.agent.profile(api.keys.signed(mine).session_id)["wishes"].liked
    assert api.forget(theirs).startswith("Forgotten")
    assert api.chat("hello", theirs) == {"error": BAD_SESSION} and api.forget(theirs) == BAD_SESSION  # revoked


def test_tokens_end_when_their_conversation_is_idle(startup, monkeypatch):  # noqa: F811
    api = PageApi(startup, SessionKeys.of(startup.settings))
    with monkeypatch.context() as past:
        past.setattr(time, "time", lambda now=time.time(): now - api.keys.idle_seconds - 60)
        unused, in_use = api.new_session(), api.new_session()
    startup.agent.respond(api.keys.signed(in_use).session_id, "recommend some romance")
    assert api.chat("hello", unused) == {"error": BAD_SESSION}
    assert api.chat("hello", in_use)["text"]


def test_where_catalog_users_are_private_nobody_reads_their_histories(startup):  # noqa: F811
    """The operator's choice (``private_users``): no persona on the page, no user_id in recommend."""
    import gradio as gr

    from chat_app.page import layout
    from chat_app.page.actions import Actions
    from chat_app.page.turns import View
    from chat_app.startup import AgentStartup
    from chat_app.ui import create_app

    private = AgentStartup(startup.settings.replace(private_users=True), build=lambda progress: startup.agent).start()
    assert private.wait(10) is startup.agent
    api = PageApi(private, SessionKeys.of(private.settings))
    assert api.recommend(genres=["Drama"], user_id=1) == {"error": PRIVATE_USERS}
    assert api.recommend(genres=["Drama"], k=3)["items"]
    with gr.Blocks():
        parts, _ = layout.build("private", View(), 100, personas=False)
    token = api.new_session()
    act = Actions(private, api.keys, parts)
    chosen = act.checked(act.choose_user)(token, "1")
    assert chosen[parts.status] == md(PRIVATE_NOTE)
    assert startup.agent.profile(api.keys.signed(token).session_id)["user_id"] is None
    demo = create_app(private)
    assert not next(b for b in demo.blocks.values() if getattr(b, "elem_id", None) == "user-id").visible


@pytest.fixture(scope="module")
def page_app(startup):  # noqa: F811
    demo, url = launch(startup)
    yield demo, url
    demo.close()


def test_private_events_cannot_reach_another_session(page_app, startup):  # noqa: F811
    """What a client with curl can do: call the page's load, forget, chip and like events by index."""
    demo, url = page_app
    api = PageApi(startup, SessionKeys.of(startup.settings))
    victim = api.new_session()
    victim_id = api.keys.signed(victim).session_id
    reply = api.chat("recommend some sci-fi", victim)
    before = startup.agent.sessions.get(victim_id)
    for guess in [victim_id, "", "api", victim[:-1] + "Q"]:
        loaded = call_event(url, demo, None, [guess], trigger="load")
        assert victim_id not in str(loaded) and "recommend some sci-fi" not in str(loaded)
        assert "not valid" in str(call_event(url, demo, "forget", [guess]))
        assert "not valid" in str(call_event(url, demo, "chips", [guess, None]))
        assert "not valid" in str(call_event(url, demo, "like-0", [guess, None]))
    after = startup.agent.sessions.get(victim_id)
    assert after.messages == before.messages and after.wishes == before.wishes and reply["items"]
    # with its own token, the owner's tab can forget it
    assert "Forgotten" in str(call_event(url, demo, "forget", [victim]))
    assert not startup.agent.sessions.exists(victim_id)


@pytest.fixture(scope="module")
def hostile_startup(tmp_path_factory, encoder):
    """A catalog whose titles and descriptions carry Markdown and HTML images and links, and a model that
    writes Markdown images and links (the agent itself drops model replies with HTML)."""
    from catalog.build import build_catalog

    folder = tmp_path_factory.mktemp("hostile")
    rows = synthetic.items()
    for row in rows:
        if row["title"] == "Silver Space":
            row["title"] = f"{TITLE_IMAGE} Silver Space"
        if row["title"] == "Last Space":
            row["title"] = f"{TITLE_HTML} Last Space"
        row["description"] += f' <img src="http://{HOST}/about.png"> {REPLY}'
    _, interactions = synthetic.write(folder)
    items = folder / "hostile-items.csv"
    with items.open("w", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    catalog = build_catalog(Settings(data_dir=folder, source=str(items), interactions=interactions), encoder=encoder)
    return tiny_startup(folder, catalog, encoder, FakeChatModel(reply=lambda messages: REPLY))


def test_hostile_text_loads_nothing_from_another_host(hostile_startup, browser):
    from playwright.sync_api import expect

    demo, url = launch(hostile_startup)
    try:
        with Guarded(browser) as guarded:
            page = guarded.context.new_page()
            page.goto(url)
            page.evaluate("window.__pwned = false")
            send(page, MESSAGE, 1, 60_000)
            page.locator("#like-0").click()
            expect(page.locator("#status")).to_contain_text("Noted")
            send(page, "why the first one?", 2, 60_000)
            send(page, "just chat with me", 3, 60_000)  # the fake model picks the option the message names
            page.get_by_text("Called the recommender").last.click()
            page.wait_for_timeout(500)  # give any image the page might load time to ask for it
            assert guarded.foreign == []
            assert page.locator(f"img[src*='{HOST}'], img[src='x'], a[href*='{HOST}']").count() == 0
            assert page.evaluate("window.__pwned") is False
            shown = page.locator("body").inner_text()
            assert TITLE_IMAGE in shown and TITLE_HTML in shown and "[click](" in shown
            page.reload()  # the stored conversation, shown again, is text too
            expect(page.locator("#chat .user")).to_have_count(3, timeout=30_000)
            assert page.locator(f"img[src*='{HOST}'], a[href*='{HOST}']").count() == 0
            assert guarded.foreign == []
    finally:
        demo.close()
