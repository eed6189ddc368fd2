"""Text for the page. Everything shown comes from a user, the catalog or the model, so it is turned into
Markdown that can only ever be text: every ASCII punctuation mark is backslash-escaped, so no link, image,
HTML tag, autolink, emphasis, code or formula can form, whatever the text says; invisible format characters
(zero-width spaces and joiners, direction overrides, soft hyphens) are dropped, so nothing shown hides or
reorders text."""

from __future__ import annotations

import re
import unicodedata

from chat_app.events import ToolCall

PUNCTUATION = re.compile(r"([!-/:-@\[-`{-~])")
NUMBERED = re.compile(r"(\d{1,3})\. (.*)")


def visible(text) -> str:
    """``text`` without its invisible format characters."""
    return "".join(c for c in str(text) if unicodedata.category(c) != "Cf")


def md(text) -> str:
    """``text`` as Markdown that renders exactly as its ``visible`` characters."""
    return PUNCTUATION.sub(r"\\\1", visible(text))


def md_lines(text) -> str:
    """Multi-line text (a reply, a message) as inert Markdown; "1. …" lines stay a numbered list."""
    lines = []
    for line in str(text).split("\n"):
        numbered = NUMBERED.fullmatch(line)
        lines.append(f"{numbered[1]}. {md(numbered[2])}" if numbered else md(line))
    return "\n".join(lines)


def reply_markdown(text: str, notes: list[str]) -> str:
    """A reply with the notes it does not already say (a cut message, an unknown title) in italics."""
    extra = [n for n in notes if n not in text]
    return md_lines(text) + "".join(f"\n\n_{md(n)}_" for n in extra)


def card_markdown(n: int, item: dict) -> str:
    genres = ", ".join(item["genres"]) or "no genre listed"
    year = f" ({item['year']})" if item.get("year") else ""
    return f"**{n}\\. {md(item['title'])}**{md(year)}  \n_{md(genres)}_  \n{md(item['reason'])}"


def profile_markdown(profile: dict) -> str:
    who = f"catalog user {profile['user_id']}" if profile["user_id"] is not None else "a new user"
    lines = [f"You are chatting as **{md(who)}**."]
    if profile["top_rated"]:
        lines.append("Their top rated: " + "; ".join(md(v) for v in profile["top_rated"]) + ".")
    if profile["shown"]:
        lines.append(f"{profile['shown']} picks shown so far.")
    return "  \n".join(lines)


def understood_markdown(phrases: list[str]) -> str:
    """What the last message changed, as one line."""
    if not phrases:
        return "_Your last message changed no wish._"
    return "**Your last message:** " + " · ".join(md(p) for p in phrases)


def tool_message(call: ToolCall, items: str) -> dict:
    """The recommender call as a collapsed tool message: the arguments in words, the candidates, the time."""
    return {"role": "assistant",
            "content": f"**Asked for:** {md(call.arguments)}  \n**Got:** {call.candidates} candidate {md(items)}",
            "metadata": {"title": f"Called the recommender: {call.candidates} candidates", "status": "done",
                         "duration": round(call.seconds, 3)}}
