"""The exception the LLM runtime raises for a model that cannot be found, verified or loaded."""


class LLMError(Exception):
    """A model problem worded for the user (one line, no traceback needed)."""
