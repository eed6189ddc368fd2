"""The Gradio page: a streaming chat that shows its work (the recommender call as a tool message, the wishes
in force as removable chips, what the last message changed), the picks as cards with Like / Not for me,
thumbs, retry and undo on the chat, and a side panel to chat as a catalog user or forget the conversation.

``create_app(startup)`` returns the Blocks, so another app can mount it; serve it with
``chat_app.page.serve.serve_options(startup)`` (the look, MCP tools, ``GET /ready``). The documented API
(``new_session``, ``chat``, ``feedback``, ``forget``, ``recommend``, ``status``) is ``chat_app.page.api``.

Each browser tab keeps a signed session token (``chat_app.page.keys``) in its sessionStorage: a reload finds
the conversation again, another tab starts its own, and every page event checks the token, so none can act
on a session whose token it was not given.
"""

from __future__ import annotations

import gradio as gr

from .page import capacity, layout
from .page.actions import Actions
from .page.api import PageApi
from .page.capacity import MODEL_EVENT
from .page.keys import SessionKeys
from .page.turns import View
from .stages import SHOW
from .startup import AgentStartup

TITLE = "Recommendations you can talk to"
STORAGE_KEY = "chatrec-session"
READ_TOKEN = f"() => window.sessionStorage.getItem({STORAGE_KEY!r}) || ''"
KEEP_TOKEN = f"(token) => {{ if (token) window.sessionStorage.setItem({STORAGE_KEY!r}, token); }}"


def create_app(startup: AgentStartup) -> gr.Blocks:
    keys = SessionKeys.of(startup.settings)
    with gr.Blocks(title=TITLE) as demo:
        settings = startup.settings
        p, controls = layout.build(TITLE, View(), settings.max_message_chars, personas=not settings.private_users)
        act = Actions(startup, keys, p)
        every = p.all()
        private = {"api_visibility": "private", "show_progress": "hidden"}  # the status line shows progress
        demo.load(act.open_page, inputs=p.token, outputs=every, js=READ_TOKEN, **private)
        p.token.change(None, inputs=p.token, js=KEEP_TOKEN, **private)
        p.timer.tick(act.tick, inputs=p.token, outputs=every, **private)
        p.message.submit(act.converse, inputs=[p.message, p.chatbot, p.token, p.view], outputs=every,
                         **private, **MODEL_EVENT)
        p.chatbot.retry(act.retry, inputs=[p.token, p.chatbot, p.view], outputs=every, **private, **MODEL_EVENT)
        p.chatbot.undo(act.undo, inputs=[p.token, p.chatbot, p.view], outputs=every, **private)
        p.chatbot.clear(act.new_conversation, outputs=every, **private)
        p.chatbot.like(act.rate_message, inputs=[p.token, p.view], outputs=every, **private)
        p.examples.click(lambda sample: sample[0], inputs=p.examples, outputs=p.message, **private)
        p.chips.click(act.checked(act.remove_chip), inputs=[p.token, p.chips], outputs=every, **private)
        for n in range(SHOW):
            controls.like[n].click(act.rate(n, True), inputs=[p.token, p.view], outputs=every, **private)
            controls.dislike[n].click(act.rate(n, False), inputs=[p.token, p.view], outputs=every, **private)
        controls.use_user.click(act.checked(act.choose_user), inputs=[p.token, controls.user_id], outputs=every,
                                **private)
        controls.forget.click(act.checked(act.forget_me), inputs=p.token, outputs=every, **private)
        PageApi(startup, keys).register()
    demo.queue(default_concurrency_limit=4)
    capacity.bound_lines(demo)
    demo.state_session_capacity = capacity.STATE_SESSIONS
    return demo
