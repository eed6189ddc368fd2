"""Build the agent in a background thread so the page is up at once and can say what is loading."""

from __future__ import annotations

import threading
import traceback

from settings import Settings


class AgentStartup:
    def __init__(self, settings: Settings, build=None):
        from .agent import build_agent

        self.settings = settings
        self._build = build or (lambda progress: build_agent(settings.model, settings=settings, progress=progress))
        self.agent = None
        self.error: str | None = None
        self.status = "starting"
        self._done = threading.Event()

    def start(self) -> "AgentStartup":
        threading.Thread(target=self._run, name="agent-startup", daemon=True).start()
        return self

    def _run(self) -> None:
        try:
            self.agent = self._build(self._progress)
            self.status = "ready"
        except Exception as exc:  # shown on the page; the process keeps serving it
            self.error = f"{type(exc).__name__}: {exc}"
            self.status = f"failed: {self.error}"
            traceback.print_exc()
        finally:
            self._done.set()

    def _progress(self, message: str) -> None:
        self.status = message
        print(message, flush=True)

    def wait(self, timeout: float | None = None):
        """The agent once ready (None if it failed or the timeout passed)."""
        self._done.wait(timeout)
        return self.agent

    @property
    def ready(self) -> bool:
        return self.agent is not None
