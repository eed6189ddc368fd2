"""The page's components, laid out: chat and cards on the left, what the bot understood and who is asking on
the right. ``Parts`` are what the event handlers update; ``Controls`` only start events."""

from __future__ import annotations

from dataclasses import dataclass, fields

import gradio as gr

from chat_app.stages import SHOW

FORGET_NOTE = ("Deletes this conversation only: its messages, likes, dislikes and wishes. "
               "Catalog users' ratings are never touched.")
PRIVATE_NOTE = "This catalog's users are private: you chat as a new user."
ID_CHARS = 20  # a catalog user id


@dataclass
class Parts:
    token: gr.Textbox          # the tab's signed session token (hidden)
    view: gr.State
    timer: gr.Timer            # ticks while the assistant loads
    title: gr.Markdown
    status: gr.Markdown
    chatbot: gr.Chatbot
    message: gr.Textbox
    examples: gr.Dataset
    chips: gr.Dataset
    understood: gr.Markdown
    profile: gr.Markdown
    cards: tuple[gr.Column, ...]
    card_texts: tuple[gr.Markdown, ...]

    def all(self) -> list:
        out = []
        for f in fields(self):
            value = getattr(self, f.name)
            out += list(value) if isinstance(value, tuple) else [value]
        return out


@dataclass
class Controls:
    like: tuple[gr.Button, ...]
    dislike: tuple[gr.Button, ...]
    user_id: gr.Textbox
    use_user: gr.Button
    forget: gr.Button


def text_block(value: str = "", **kwargs) -> gr.Markdown:
    """Markdown without formulas (the text it shows is escaped Markdown, see ``page.text``)."""
    return gr.Markdown(value, latex_delimiters=[], **kwargs)


def build(title: str, view, max_chars: int, personas: bool) -> tuple[Parts, Controls]:
    """Lay out the page inside the Blocks being built: a message box of at most ``max_chars`` characters, and
    a way to chat as a catalog user only where ``personas`` are allowed."""
    token = gr.Textbox(visible=False)
    state = gr.State(view)
    timer = gr.Timer(2.0)
    heading = text_block(f"## {title}", elem_id="title")
    status = text_block(elem_id="status")
    with gr.Row(equal_height=False):
        with gr.Column(scale=3):
            chatbot = gr.Chatbot(height="60vh", min_height=420, elem_id="chat", label="Chat", show_label=False,
                                 buttons=[], latex_delimiters=[],
                                 allow_tags=False, sanitize_html=True, feedback_options=("Like", "Dislike"))
            message = gr.Textbox(show_label=False, elem_id="message", submit_btn=True, lines=1, interactive=False,
                                 max_length=max_chars)
            examples = gr.Dataset(components=[message], samples=[], label="Try", elem_id="examples")
            cards, texts, likes, dislikes = [], [], [], []
            with gr.Row(elem_id="cards"):
                for n in range(SHOW):
                    with gr.Column(visible=False, min_width=150, elem_classes="card", elem_id=f"card-{n}") as card:
                        texts.append(text_block(elem_classes="card-text"))
                        with gr.Row():
                            likes.append(gr.Button("Like", size="sm", min_width=50, elem_id=f"like-{n}"))
                            dislikes.append(gr.Button("Not for me", size="sm", min_width=80, elem_id=f"dislike-{n}"))
                    cards.append(card)
        with gr.Column(scale=1, min_width=300):
            text_block("### What I understood")
            chips = gr.Dataset(components=["textbox"], samples=[], label="Wishes in force: click one to remove it",
                               elem_id="chips", visible=False)
            understood = text_block(elem_id="understood")
            text_block("### Who is asking?")
            user_id = gr.Textbox(label="Chat as a catalog user: their id (empty: a new user)", placeholder="e.g. 42",
                                 elem_id="user-id", max_lines=1, max_length=ID_CHARS, visible=personas)
            use_user = gr.Button("Use this user", size="sm", visible=personas)
            if not personas:
                text_block(PRIVATE_NOTE, elem_classes="note")
            profile = text_block(elem_id="profile")
            forget = gr.Button("Forget me", variant="stop", size="sm", elem_id="forget")
            text_block(FORGET_NOTE, elem_classes="note")
    parts = Parts(token, state, timer, heading, status, chatbot, message, examples, chips, understood, profile,
                  tuple(cards), tuple(texts))
    return parts, Controls(tuple(likes), tuple(dislikes), user_id, use_user, forget)
