"""The conversational recommender: ``build_agent`` gives an ``Agent`` whose ``respond`` returns a ``Reply``.

The names load on first use, so a submodule (the CPU guard's child process, say) imports without the agent."""

from importlib import import_module

_EXPORTS = {"Agent": ".agent", "build_agent": ".agent", "Reply": ".events"}
__all__ = sorted(_EXPORTS)


def __getattr__(name: str):
    if name not in _EXPORTS:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(import_module(_EXPORTS[name], __name__), name)
