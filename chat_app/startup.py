"""Build the agent in a background thread so the page is up at once and can say what is loading.

Every step ``build_agent`` and the model loader report is printed with the time since start and kept for
the page and ``/ready``; a step still running after ``HEARTBEAT`` seconds is printed again, so the terminal
is never silent for long. How long the last successful start took (``startup.json`` in the data folder)
gives the "ready in about N s" estimate.
"""

from __future__ import annotations

import json
import threading
import time
import traceback
from pathlib import Path

from catalog.errors import CatalogError
from settings import Settings

from .llm.errors import LLMError

HEARTBEAT = 10.0
FIRST_START_GUESS = 90.0  # seconds, when no start was recorded yet (catalog build and model conversion)
RECORD = "startup.json"


class AgentStartup:
    def __init__(self, settings: Settings, build=None):
        from .agent import build_agent

        self.settings = settings
        self._build = build or (lambda progress: build_agent(settings.model, settings=settings, progress=progress))
        self.agent = None
        self.error: str | None = None
        self.status = "starting"
        self.steps: list[tuple[str, float]] = []   # (what, seconds since start when it began)
        self._started = time.monotonic()
        self._finished: float | None = None
        self._done = threading.Event()
        self._record = Path(settings.data_dir) / RECORD

    def start(self) -> "AgentStartup":
        self._started = time.monotonic()
        threading.Thread(target=self._run, name="agent-startup", daemon=True).start()
        threading.Thread(target=self._heartbeat, name="agent-startup-heartbeat", daemon=True).start()
        return self

    def _run(self) -> None:
        try:
            self.agent = self._build(self._progress)
            self._finished = self.elapsed()
            self.status = "ready"
            self._print(f"ready after {self._finished:.1f} s")
            self._save_duration(self._finished)
        except Exception as exc:  # shown on the page and by /ready; the process keeps serving them
            self.error = f"{type(exc).__name__}: {exc}"
            self.status = f"failed: {self.error}"
            if isinstance(exc, (LLMError, CatalogError)):  # worded for people: one line is the whole story
                self._print(f"error: {exc}")
            else:
                traceback.print_exc()
        finally:
            self._done.set()

    def _progress(self, message: str) -> None:
        """A step of the build, or of the background work that goes on after it (then "ready" stays)."""
        if self._finished is None:
            self.steps.append((message, self.elapsed()))
            self.status = message
            self._print(message)
        else:
            print(f"[after start-up] {message}", flush=True)

    def _heartbeat(self) -> None:
        while not self._done.wait(HEARTBEAT):
            self._print(f"still {self.status}")

    def _print(self, message: str) -> None:
        print(f"[startup {self.elapsed():6.1f} s] {message}", flush=True)

    def elapsed(self) -> float:
        return (self._finished if self._finished is not None else time.monotonic() - self._started)

    def wait(self, timeout: float | None = None):
        """The agent once ready (None if it failed or the timeout passed)."""
        self._done.wait(timeout)
        return self.agent

    @property
    def ready(self) -> bool:
        return self.agent is not None

    def ready_in(self) -> int | None:
        """Seconds until ready, estimated from the last start (None once ready or failed); at least 5."""
        if self.ready or self.error:
            return None
        return max(5, round(self._expected() - self.elapsed()))

    def _expected(self) -> float:
        try:
            return float(json.loads(self._record.read_text())["seconds"])
        except (OSError, ValueError, KeyError, TypeError):
            return FIRST_START_GUESS

    def _save_duration(self, seconds: float) -> None:
        try:
            self._record.parent.mkdir(parents=True, exist_ok=True)
            self._record.write_text(json.dumps({"seconds": round(seconds, 1)}))
        except OSError:
            pass  # only the next estimate is affected

    def readiness(self) -> dict:
        """Loading state for ``/ready`` and the ``status`` API: ready, failed, what runs, the steps, an estimate."""
        marks = [at for _, at in self.steps] + [self.elapsed()]
        return {"ready": self.ready, "failed": self.error is not None, "status": self.status,
                "error": self.error, "elapsed_s": round(self.elapsed(), 1), "ready_in_s": self.ready_in(),
                "steps": [{"step": what, "seconds": round(marks[n + 1] - at, 1)}
                          for n, (what, at) in enumerate(self.steps)]}

    def loading_text(self) -> str:
        """One line for people: what is loading and when it should be ready; once ready, the model's notice ("" if
        it runs as it should)."""
        if self.error:
            return f"The assistant could not start: {self.error}"
        if self.ready:
            return self.agent.llm.notice
        return (f"Loading the assistant ({self.elapsed():.0f} s): {self.status}; "
                f"ready in about {self.ready_in()} s")
