"""Fuzz the page's API and event handlers with odd input: any code point (lone surrogates included), control
characters, 10,000-character messages, odd ids and tokens. Every call answers in words, never raises, and
a message that has any text left after cleaning is stored as the turn's user message."""

import gradio as gr
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from page_helpers import startup  # noqa: F401

from chat_app.agent import clean_message
from chat_app.page import layout
from chat_app.page.actions import BAD_TOKEN, Actions
from chat_app.page.api import BAD_SESSION, PageApi
from chat_app.page.keys import SessionKeys
from chat_app.page.turns import View

ANY_CHAR = st.characters(exclude_categories=())  # every code point, surrogates included
ODD_TEXT = st.one_of(
    st.text(ANY_CHAR, max_size=300),
    st.builds(lambda piece: (piece * 10_000)[:10_000], st.text(ANY_CHAR, min_size=1, max_size=4)),
    st.sampled_from(["", " \n\t ", "\x00\x1b[31m", "\ud800", "a\udfff b", "\u202eevil", "🎬" * 10_000,
                     "recommend " + "sci-fi " * 1500, "<script>x</script>", "![x](http://198.51.100.7/x.png)"]),
)
ODD_ID = st.one_of(st.none(), st.booleans(), st.integers(), st.integers(min_value=2**63, max_value=2**80),
                   st.floats(allow_nan=True, allow_infinity=True), st.text(ANY_CHAR, max_size=30),
                   st.lists(st.integers(), max_size=2), st.dictionaries(st.text(max_size=3), st.integers(), max_size=2))
FUZZ = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                       HealthCheck.too_slow])


@pytest.fixture(scope="module")
def api(startup):  # noqa: F811
    return PageApi(startup, SessionKeys.of(startup.settings))


@pytest.fixture(scope="module")
def actions(startup, api):  # noqa: F811
    with gr.Blocks():
        parts, _ = layout.build("fuzz", View(), api.startup.settings.max_message_chars, personas=True)
    return Actions(startup, api.keys, parts)


@FUZZ
@given(message=ODD_TEXT)
def test_any_message_gets_a_clear_reply_and_is_stored(api, message):
    token = api.new_session()
    reply = api.chat(message, token)
    assert isinstance(reply["text"], str) and reply["text"].strip()
    reply["text"].encode("utf-8")  # valid Unicode, so valid JSON
    cleaned, _ = clean_message(message, api.startup.settings.max_message_chars)
    stored = api.startup.agent.sessions.get(api.keys.signed(token).session_id).messages
    if cleaned:
        assert stored[-2] == {"role": "user", "content": cleaned} and stored[-1]["role"] == "assistant"
    else:
        assert reply["intent"] == "empty" and stored == []


@FUZZ
@given(token=st.one_of(ODD_TEXT, ODD_ID))
def test_odd_tokens_get_a_clear_error(api, actions, token):
    assert api.chat("hello", token) == {"error": BAD_SESSION}
    assert api.feedback(token, 1, True) == BAD_SESSION and api.forget(token) == BAD_SESSION
    assert actions.checked(actions.forget_me)(token) == {actions.p.status: BAD_TOKEN}


@FUZZ
@given(item_id=ODD_ID, liked=st.one_of(st.booleans(), ODD_ID), user_id=st.one_of(ODD_ID, ODD_TEXT),
       chip=st.one_of(ODD_ID, st.lists(ODD_TEXT, max_size=2)))
def test_odd_ids_get_a_sentence(api, actions, item_id, liked, user_id, chip):
    token = api.new_session()
    assert isinstance(api.feedback(token, item_id, liked), str)
    status = actions.checked(actions.choose_user)(token, user_id)[actions.p.status]
    assert status.startswith(("Chatting as", "There is no user"))
    assert actions.p.understood in actions.checked(actions.remove_chip)(token, chip)
    assert isinstance(api.recommend(genres=[str(item_id)], user_id=None, k=3), dict)


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(message=ODD_TEXT)
def test_the_page_chat_event_streams_any_message(api, actions, message):
    token = api.new_session()
    frames = list(actions.converse(message, [], token, View()))
    assert frames and all(isinstance(frame, dict) for frame in frames)
    if clean_message(message, api.startup.settings.max_message_chars)[0]:
        assert "answered" in frames[-1][actions.p.status]
