"""One writer per session: no lost updates, forget wins over a turn in flight, strangers' sessions untouched."""

import threading
import time

import pytest

from chat_app.agent import Agent
from chat_app.llm.fake import FakeChatModel
from chat_app.sessions import SessionStore
from chat_app.stages import MAX_REPLY_CHARS
from recommender.service import Recommender
from settings import Settings


class SlowModel(FakeChatModel):
    """Takes its time writing, so other calls land in the middle of a turn."""

    def stream(self, messages, max_new_tokens=200):
        for piece in super().stream(messages, max_new_tokens):
            time.sleep(0.05)
            yield piece


@pytest.fixture
def agent(tiny_catalog, encoder, tmp_path):
    recommender = Recommender.for_catalog(tiny_catalog, "ease", encoder=encoder)
    return Agent(tiny_catalog, recommender, SlowModel(choices=[]), SessionStore(tmp_path / "s.db"),
                 Settings(data_dir=tmp_path))


def in_background(target, *args):
    thread = threading.Thread(target=target, args=args)
    thread.start()
    return thread


def test_a_like_during_a_turn_is_not_lost(agent, tiny_catalog):
    item = tiny_catalog.all_items()[0].id
    turn = in_background(agent.respond, "s", "recommend some romance")
    time.sleep(0.05)
    assert "liked" in agent.feedback("s", item, True)
    turn.join()
    session = agent.sessions.get("s")
    assert item in session.wishes.liked and session.wishes.genres == ("Romance",)


def test_concurrent_turns_on_one_session_are_all_stored(agent):
    threads = [in_background(agent.respond, "s", f"recommend something, request {n}") for n in range(3)]
    for thread in threads:
        thread.join()
    users = [m["content"] for m in agent.sessions.get("s").messages if m["role"] == "user"]
    assert sorted(users) == [f"recommend something, request {n}" for n in range(3)]


def test_forget_wins_over_a_turn_in_flight(agent):
    agent.respond("s", "recommend some horror")
    turn = in_background(agent.respond, "s", "something older")
    time.sleep(0.05)
    agent.forget("s")
    turn.join()
    assert not agent.sessions.exists("s")
    agent.respond("s", "hello again")  # the session starts afresh afterwards
    assert len(agent.sessions.get("s").messages) == 2


def test_forget_touches_no_other_session_of_the_same_persona(agent):
    for session in ("mine", "theirs"):
        agent.set_user(session, 3)
        agent.respond(session, "recommend something")
    agent.forget("mine")
    assert not agent.sessions.exists("mine") and agent.sessions.exists("theirs")


def test_questions_about_unknown_titles_are_not_answered_with_another_item(agent):
    reply = agent.respond("s", "tell me about The Zorblax Chronicles")
    assert reply.intent == "about" and not reply.items and "don't know" in reply.text


def test_a_model_that_ignores_its_token_limit_cannot_store_a_huge_reply(tiny_catalog, encoder, tmp_path):
    chatty = FakeChatModel(reply=lambda messages: "word " * 200_000)
    recommender = Recommender.for_catalog(tiny_catalog, "ease", encoder=encoder)
    agent = Agent(tiny_catalog, recommender, chatty, SessionStore(tmp_path / "s.db"), Settings(data_dir=tmp_path))
    for message in ("hello", "recommend something"):
        reply = agent.respond("s", message)
        assert reply.text.count("word") * len("word ") <= MAX_REPLY_CHARS


@pytest.mark.parametrize("message", ["\ud800\udfff lone surrogates \ud83d", "\x00\x07 control", "ｆｕｌｌｗｉｄｔｈ",
                                     "🎬" * 3000, "a" * 50_000])
def test_odd_messages_get_an_answer_and_are_stored(agent, message):
    reply = agent.respond("s", message)
    assert reply.text
    stored = agent.sessions.get("s").messages[-2]["content"]
    stored.encode("utf-8")  # valid Unicode on disk


def test_idle_conversations_expire_and_their_tokens_with_them(tmp_path):
    store = SessionStore(tmp_path / "s.db")
    for session_id in ("idle", "in-use"):
        with store.editing(session_id) as session:
            session.messages.append({"role": "user", "content": "hello"})
    store.db.execute("update sessions set updated = ? where id = 'idle'", [time.time() - 7200])
    now, hour = time.time(), 3600
    assert store.admits("in-use", issued=now - 2 * hour, idle_seconds=hour)  # an old token of a conversation in use
    assert not store.admits("idle", issued=now - 2 * hour, idle_seconds=hour)
    assert store.admits("never-used", issued=now, idle_seconds=hour)  # a young token before its first message
    assert store.expire(hour) == 1 and not store.exists("idle") and store.exists("in-use")
    assert store.expire(0, every_seconds=hour) == 0  # swept a moment ago: nothing runs
    store.forget("in-use")
    assert not store.admits("in-use", issued=now, idle_seconds=hour)  # forget revokes


def test_the_lock_table_holds_only_sessions_in_use(agent):
    threads = [in_background(agent.respond, f"s{n}", "hello") for n in range(20)]
    for thread in threads:
        thread.join()
    assert agent.sessions.in_use() == 0
