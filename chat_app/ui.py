"""The Gradio page: a streaming chat, the five picks as cards with like and dislike buttons, and a side
panel to pick a user, see what the bot knows and forget it.

``create_app`` returns the Blocks, so another app can mount it (``gr.mount_gradio_app``). Scripts call
``/chat`` (message, session id -> reply as JSON) and ``/feedback`` through ``gradio_client``.
"""

from __future__ import annotations

import html
import time
import uuid

import gradio as gr

from .stages import SHOW
from .startup import AgentStartup

TITLE = "CineBot: movie recommendations you can talk to"
# Each browser tab keeps its own session id in sessionStorage: a reload, or a restart of the server, finds the
# conversation again (it is stored in SQLite), while another tab starts its own. The chat event reads the id
# too, so a message sent before the page finished loading still lands in the tab's session.
TAB_ID = """(() => {
  let id = window.sessionStorage.getItem("cinebot-session");
  if (!id) {
    id = window.crypto && crypto.randomUUID ? crypto.randomUUID().replaceAll("-", "")
                                            : Math.random().toString(36).slice(2) + Date.now().toString(36);
    window.sessionStorage.setItem("cinebot-session", id);
  }
  return id;
})()"""
EXAMPLES = ["Recommend me some sci-fi movies", "Something older", "Not horror", "Why the first one?",
            "More like the second one"]


def escape(text) -> str:
    """Show catalog and user text as text: no HTML from a title or a message ever runs in the page."""
    return html.escape(str(text), quote=False)


def card_markdown(n: int, item: dict) -> str:
    genres = ", ".join(item["genres"]) or "no genre listed"
    year = f" ({item['year']})" if item.get("year") else ""
    return f"**{n}. {escape(item['title'])}**{escape(year)}  \n_{escape(genres)}_  \n{escape(item['reason'])}"


def profile_markdown(profile: dict) -> str:
    who = f"user {profile['user_id']}" if profile["user_id"] is not None else "a new user"
    lines = [f"**You are chatting as {who}.**"]
    if profile["top_rated"]:
        lines.append("- Top rated: " + "; ".join(escape(v) for v in profile["top_rated"]))
    return "\n".join(lines)


def create_app(startup: AgentStartup) -> gr.Blocks:
    with gr.Blocks(title="CineBot") as demo:
        session = gr.Textbox(visible=False)  # filled from the tab's sessionStorage (see TAB_ID)
        picks = gr.State([])
        gr.Markdown(f"## {TITLE}")
        status = gr.Markdown(elem_id="status")
        with gr.Row():
            with gr.Column(scale=3):
                chatbot = gr.Chatbot(height=460, elem_id="chat", label="Chat", buttons=["copy"],
                                     feedback_options=None)
                message = gr.Textbox(placeholder="Ask for a movie: a genre, an era, a film you liked…",
                                     show_label=False, elem_id="message", submit_btn=True)
                gr.Examples(EXAMPLES, inputs=message)
                cards, card_texts, like_buttons, dislike_buttons = [], [], [], []
                with gr.Row(elem_id="cards"):
                    for n in range(SHOW):
                        with gr.Column(visible=False, min_width=150, elem_classes="card", elem_id=f"card-{n}") as card:
                            card_texts.append(gr.Markdown(elem_classes="card-text"))
                            with gr.Row():
                                like_buttons.append(gr.Button("Like", size="sm", elem_classes="like"))
                                dislike_buttons.append(gr.Button("Not for me", size="sm", elem_classes="dislike"))
                        cards.append(card)
            with gr.Column(scale=1):
                gr.Markdown("### Who is watching?")
                user_id = gr.Number(None, label="Catalog user id (empty: new user)", precision=0, elem_id="user-id")
                use_user = gr.Button("Use this user")
                profile = gr.Markdown(elem_id="profile")
                forget = gr.Button("Forget me", variant="stop")

        def agent_or_none():
            return startup.agent

        def loading_text() -> str:
            if startup.error:
                return f"The assistant could not start: {escape(startup.error)}"
            return "" if startup.ready else f"Loading the assistant: {escape(startup.status)}…"

        def open_session(session_id):
            session_id = session_id or uuid.uuid4().hex
            agent = agent_or_none()
            history = []
            if agent is not None:
                stored = agent.sessions.get(session_id).messages
                history = [{"role": m["role"], "content": escape(m["content"])} for m in stored[-20:]]
            text = profile_markdown(agent.profile(session_id)) if agent else ""
            return session_id, history, loading_text(), text

        def cards_update(items):
            updates = [gr.update(visible=n < len(items)) for n in range(SHOW)]
            texts = [card_markdown(n + 1, items[n]) if n < len(items) else "" for n in range(SHOW)]
            return updates + texts

        def chat_turn(text, history, session_id, shown):
            session_id = session_id or uuid.uuid4().hex  # the page's load event may not have finished yet
            history = list(history or []) + [{"role": "user", "content": escape(text)},
                                             {"role": "assistant", "content": ""}]

            def frame(status_text=gr.update(), cards=None, profile_text=gr.update()):
                """One update of every output of the chat event (cards and profile unchanged by default)."""
                return (history, "", status_text, shown, *(cards or [gr.update()] * (2 * SHOW)), profile_text,
                        session_id)

            while not startup.ready and not startup.error:  # first start: wait, showing progress
                history[-1]["content"] = loading_text()
                yield frame(loading_text())
                time.sleep(1.0)
            agent = agent_or_none()
            if agent is None:
                history[-1]["content"] = loading_text()
                yield frame(loading_text(), cards_update([]))
                return
            streamed = ""
            for event in agent.respond_stream(session_id, text):
                if event.kind == "status":
                    yield frame(f"_{escape(event.text)}_")
                elif event.kind == "token":
                    streamed += event.text
                    history[-1]["content"] = escape(streamed)
                    yield frame()
                else:
                    reply = event.reply
                    history[-1]["content"] = escape(reply.text)
                    items = reply.items if reply.tool_called else []
                    shown = [i["id"] for i in items] if items else shown
                    timing = f"answered in {reply.timings.get('total', 0):.1f} s"
                    yield frame(timing, cards_update(items) if items else None,
                                profile_markdown(agent.profile(session_id)))

        def rate(n: int, liked: bool):
            def handler(session_id, shown):
                agent = agent_or_none()
                if agent is None or n >= len(shown):
                    return loading_text(), gr.update()
                note = agent.feedback(session_id, shown[n], liked)
                return escape(note) + " The next recommendations will take this into account.", \
                    profile_markdown(agent.profile(session_id))
            return handler

        def choose_user(value, session_id):
            agent = agent_or_none()
            if agent is None:
                return loading_text(), gr.update()
            note = agent.set_user(session_id, int(value) if value not in (None, "") else None)
            return escape(note), profile_markdown(agent.profile(session_id))

        def forget_me(session_id):
            agent = agent_or_none()
            if agent is None:
                return loading_text(), gr.update(), [], [], *cards_update([])
            note = agent.forget(session_id)
            return escape(note), profile_markdown(agent.profile(session_id)), [], [], *cards_update([])

        def chat_api(text: str, session_id: str) -> dict:
            """Send one message in a session and get the reply (text, items, tool_called, timings…)."""
            agent = startup.wait(timeout=600)
            if agent is None:
                return {"error": loading_text() or "the assistant is not ready"}
            return agent.respond(session_id or "api", text).as_dict()

        def feedback_api(session_id: str, item_id: int, liked: bool) -> str:
            """Like or dislike an item in a session."""
            agent = startup.wait(timeout=600)
            return agent.feedback(session_id, int(item_id), bool(liked)) if agent else loading_text()

        card_outputs = cards + card_texts
        demo.load(open_session, inputs=session, outputs=[session, chatbot, status, profile], js=f"(session) => {TAB_ID}",
                  api_visibility="private")
        timer = gr.Timer(2.0)
        timer.tick(lambda: (loading_text(), gr.Timer(active=not startup.ready and not startup.error)),
                   outputs=[status, timer], api_visibility="private")
        message.submit(chat_turn, inputs=[message, chatbot, session, picks],
                       outputs=[chatbot, message, status, picks, *card_outputs, profile, session],
                       js=f"(text, history, session, shown) => [text, history, {TAB_ID}, shown]",
                       api_visibility="private", concurrency_limit=1, concurrency_id="model")
        for n in range(SHOW):
            like_buttons[n].click(rate(n, True), inputs=[session, picks], outputs=[status, profile], api_visibility="private")
            dislike_buttons[n].click(rate(n, False), inputs=[session, picks], outputs=[status, profile],
                                     api_visibility="private")
        use_user.click(choose_user, inputs=[user_id, session], outputs=[status, profile], api_visibility="private")
        forget.click(forget_me, inputs=[session], outputs=[status, profile, chatbot, picks, *card_outputs],
                     api_visibility="private")
        gr.api(chat_api, api_name="chat", concurrency_limit=1, concurrency_id="model")
        gr.api(feedback_api, api_name="feedback")
    demo.queue(max_size=64, default_concurrency_limit=4)
    return demo
