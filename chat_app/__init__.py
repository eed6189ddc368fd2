"""The conversational recommender: ``build_agent`` gives an ``Agent`` whose ``respond`` returns a ``Reply``."""

from .agent import Agent, build_agent
from .events import Reply

__all__ = ["Agent", "Reply", "build_agent"]
