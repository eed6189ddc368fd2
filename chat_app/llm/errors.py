"""The one exception callers of a chat model see: any model failure (not found, damaged, failed while running)."""


class LLMError(Exception):
    """A model problem worded for the user (one line, no traceback needed)."""
