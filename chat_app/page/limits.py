"""Bounds on every field of the page's API and MCP tools, defined once from the settings and checked before any
work. A text field holds at most ``max_message_chars`` characters (``chat`` reads a longer message up to there,
as the agent does; any other text field is refused); a list field holds at most ``max_list_items`` entries of
text, with at most as many characters in all as one message. The body of a request as a whole is bounded
before it is read (``page.guard``)."""

from __future__ import annotations

from dataclasses import dataclass

from settings import Settings


@dataclass(frozen=True)
class Limits:
    chars: int   # characters in one text field, or in all entries of one list field together
    items: int   # entries in one list field

    @classmethod
    def of(cls, settings: Settings) -> "Limits":
        return cls(settings.max_message_chars, settings.max_list_items)

    def problems(self, texts: dict | None = None, lists: dict | None = None) -> list[str]:
        """One sentence per field that breaks its bound or is not text (None and empty values pass)."""
        found = []
        for name, value in (texts or {}).items():
            if value is not None and not isinstance(value, str):
                found.append(f"{name}: must be text")
            elif value is not None and len(value) > self.chars:
                found.append(f"{name}: at most {self.chars} characters (got {len(value)})")
        for name, values in (lists or {}).items():
            if values is None:
                continue
            if not isinstance(values, list) or not all(isinstance(v, str) for v in values):
                found.append(f"{name}: must be a list of text")
            elif len(values) > self.items:
                found.append(f"{name}: at most {self.items} entries (got {len(values)})")
            elif sum(map(len, values)) > self.chars:
                found.append(f"{name}: at most {self.chars} characters in all")
        return found
