"""The page's event handlers. Each takes the tab's session token first and acts only on the session that
token was issued for; each returns (or yields) a dict of the ``Parts`` it changes."""

from __future__ import annotations

import time

import gradio as gr

from chat_app.agent import clean_message
from chat_app.stages import SHOW
from chat_app.startup import AgentStartup
from chat_app.wishes_text import chips

from .keys import SessionKeys
from .layout import PRIVATE_NOTE, Parts
from .text import card_markdown, md, md_lines, profile_markdown, understood_markdown, visible
from .turns import View, run_turn, stored_cards, stored_history, take_back

BAD_TOKEN = "This page's session is not valid. Reload the page to start a new conversation."


class Actions:
    def __init__(self, startup: AgentStartup, keys: SessionKeys, parts: Parts):
        self.startup, self.keys, self.p = startup, keys, parts

    # --- what the handlers show -------------------------------------------------------------------------
    def status_text(self) -> str:
        return md(self.startup.loading_text())

    def page_parts(self, agent) -> dict:
        domain, p = agent.tools.domain, self.p
        return {p.title: f"## {md(domain.bot_name)}: {md(domain.items)} you can talk about",
                p.message: gr.Textbox(placeholder=domain.placeholder, interactive=True),
                p.examples: gr.Dataset(samples=[[e] for e in domain.examples])}

    def session_parts(self, agent, session_id: str) -> dict:
        profile = agent.profile(session_id)
        labels = [[visible(c.label)] for c in chips(profile["wishes"], agent.catalog)]
        return {self.p.profile: profile_markdown(profile),
                self.p.chips: gr.Dataset(samples=labels, visible=bool(labels))}

    def card_parts(self, items: list[dict]) -> dict:
        p = self.p
        return ({p.cards[n]: gr.Column(visible=n < len(items)) for n in range(SHOW)}
                | {p.card_texts[n]: card_markdown(n + 1, items[n]) if n < len(items) else "" for n in range(SHOW)})

    def fresh_page(self, token: str) -> dict:
        """Everything a tab shows for the session of a good (or new) ``token`` (empty parts while loading). The
        message box opens here, so no message is sent before the tab has its token."""
        p, agent, session_id = self.p, self.startup.agent, self.keys.signed(token).session_id
        parts = {p.token: token, p.status: self.status_text(), p.view: View(), p.understood: "", p.chatbot: [],
                 p.timer: gr.Timer(active=agent is None and not self.startup.error),
                 p.message: gr.Textbox(interactive=True)}
        if agent is None:
            return parts | {p.chips: gr.Dataset(samples=[], visible=False)} | self.card_parts([])
        cards = stored_cards(agent, session_id)
        return (parts | self.page_parts(agent) | self.session_parts(agent, session_id) | self.card_parts(cards)
                | {p.chatbot: stored_history(agent, session_id), p.view: View(picks=[c["id"] for c in cards])})

    def good(self, token) -> bool:
        """Whether the tab's token is good: fully checked once the assistant (and its session store) is loaded,
        only its signature before."""
        agent = self.startup.agent
        return bool(self.keys.session_id(token, agent.sessions) if agent else self.keys.signed(token))

    def checked(self, handler):
        """``handler(agent, session_id, *args)`` run only for a good token and a loaded assistant."""
        def run(token, *args):
            agent = self.startup.agent
            if agent is None:
                return {self.p.status: self.status_text() if self.keys.signed(token) else BAD_TOKEN}
            session_id = self.keys.session_id(token, agent.sessions)
            if session_id is None:
                return {self.p.status: BAD_TOKEN}
            return handler(agent, session_id, *args)
        return run

    # --- handlers ---------------------------------------------------------------------------------------
    def open_page(self, token):
        """The tab's own session when its token is good, else a new one."""
        return self.fresh_page(token if self.good(token) else self.keys.issue())

    def tick(self, token):
        """Runs while the page waits for the assistant: the progress, then the page's texts once it is loaded."""
        p = self.p
        if not self.startup.ready and not self.startup.error:
            return {p.status: self.status_text()}
        parts = {p.status: self.status_text() or "The assistant is ready.", p.timer: gr.Timer(active=False)}
        if self.startup.agent is None:
            return parts
        if not self.good(token):  # revoked or expired while the assistant loaded
            return self.fresh_page(self.keys.issue()) | parts
        session_id = self.keys.signed(token).session_id
        return parts | self.page_parts(self.startup.agent) | self.session_parts(self.startup.agent, session_id)

    def converse(self, text, history, token, view):
        """Stream one turn. A made-up, altered, revoked or expired token gets a new session (and an empty chat)."""
        p = self.p
        text, _ = clean_message(text, self.startup.settings.max_message_chars)
        if not text:
            yield {p.status: "Type a message first."}
            return
        history = list(history or []) + [{"role": "user", "content": md_lines(text)}]
        yield {p.chatbot: history, p.message: ""}
        while not self.startup.ready and not self.startup.error:  # first start: wait, showing progress
            yield {p.status: self.status_text()}
            time.sleep(1.0)
        agent = self.startup.agent
        if agent is None:
            yield {p.status: self.status_text()}
            return
        if not self.good(token):
            token, history, view = self.keys.issue(), history[-1:], View()
        session_id = self.keys.signed(token).session_id
        yield {p.chatbot: history, p.token: token, p.view: view}
        for step in run_turn(agent, session_id, text, history, view):
            parts = {p.chatbot: step.history, p.view: view}
            if step.status is not None:
                parts[p.status] = md(step.status)
            if step.picks is not None:
                parts |= self.card_parts(step.picks)
            if step.reply is not None:
                parts |= self.session_parts(agent, session_id)
                parts[p.understood] = understood_markdown(step.reply.understood)
            yield parts

    def rate(self, n: int, liked: bool):
        """A card's Like / Not for me."""
        def handler(agent, session_id, view):
            if n >= len(view.picks):
                return {self.p.status: "That card is empty."}
            note = agent.feedback(session_id, view.picks[n], liked)
            return ({self.p.status: md(note + " The next recommendations will take this into account.")}
                    | self.session_parts(agent, session_id))
        return self.checked(handler)

    def rate_message(self, token, view, data: gr.LikeData):
        """The chat's thumbs: they rate the items the reply presented."""
        def handler(agent, session_id, view):
            ids = view.presented.get(data.index, [])
            if data.liked not in (True, False):
                return {}
            domain = agent.tools.domain
            if not ids:
                return {self.p.status: md(f"That message presents no {domain.items}; "
                                          "thumbs rate the picks of a reply.")}
            for item_id in ids:
                agent.feedback(session_id, item_id, data.liked)
            what = f"the {domain.item}" if len(ids) == 1 else f"the {len(ids)} {domain.items}"
            verb = "liked" if data.liked else "did not like"
            return ({self.p.status: md(f"Noted: you {verb} {what} of that reply. "
                                       "The next recommendations will take this into account.")}
                    | self.session_parts(agent, session_id))
        return self.checked(handler)(token, view)

    def remove_chip(self, agent, session_id, sample):
        """A chip clicked away: that one wish is removed and the next turn goes on without it."""
        label = sample[0] if isinstance(sample, (list, tuple)) and sample else str(sample)
        chip = next((c for c in chips(agent.profile(session_id)["wishes"], agent.catalog) if visible(c.label) == label),
                    None)
        if chip is not None:
            agent.remove_wish(session_id, chip.slot, chip.value)
        return ({self.p.understood: md(f"Removed “{label}”: the next answer uses the wishes above.")}
                | self.session_parts(agent, session_id))

    def choose_user(self, agent, session_id, value):
        """Chat as a catalog user, where the operator allows it (the event can be called without the page)."""
        if self.startup.settings.private_users:
            return {self.p.status: md(PRIVATE_NOTE)}
        typed = "" if value is None else str(value).strip()
        note = agent.set_user(session_id, typed or None)
        return {self.p.status: md(note)} | self.session_parts(agent, session_id)

    def forget_me(self, agent, session_id):
        """Delete this session's data and go on in a new session."""
        note = agent.forget(session_id)
        return self.fresh_page(self.keys.issue()) | {self.p.status: md(f"{note} A new conversation starts here.")}

    def new_conversation(self):
        """The chat's Clear button: a new session; the old one stays stored until forgotten."""
        return self.fresh_page(self.keys.issue()) | {self.p.status: "A new conversation starts here."}

    def undo(self, token, history, view, data: gr.UndoData):
        """Take the last turn back and put its message in the box again."""
        def handler(agent, session_id, view):
            taken = take_back(agent, session_id, view, data.index)
            if taken is None:
                return {self.p.status: "There is nothing to take back."}
            text, restored = taken
            said = ("Took back your last message and what it changed." if restored else
                    "Took back your last message; the wishes it set stay (click a chip to remove one).")
            return ({self.p.chatbot: history[:data.index], self.p.message: text, self.p.view: view,
                     self.p.status: said}
                    | self.session_parts(agent, session_id) | self.card_parts(stored_cards(agent, session_id)))
        return self.checked(handler)(token, view)

    def retry(self, token, history, view, data: gr.RetryData):
        """Take the last turn back and send its message again (a new answer: shown picks are not repeated)."""
        agent = self.startup.agent
        if agent is None or not self.good(token):
            yield {self.p.status: self.status_text() if agent is None else BAD_TOKEN}
            return
        taken = take_back(agent, self.keys.signed(token).session_id, view, data.index)
        if taken is None:
            yield {self.p.status: "There is nothing to retry."}
            return
        yield from self.converse(taken[0], history[:data.index], token, view)
