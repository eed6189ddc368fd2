"""What every way of serving the page passes to Gradio (``launch`` in app.py and the tests,
``mount_gradio_app`` in examples/mount_fastapi.py): the look, the MCP server, the ``/ready`` route, the front
door (``guard``) and no monitoring dashboard.

The theme names system fonts only: the page loads nothing from another host (no web fonts).
"""

from __future__ import annotations

import gradio as gr
from starlette.middleware import Middleware

from chat_app.startup import AgentStartup

from .api import NAMES, ready_route
from .capacity import STATE_SESSIONS
from .guard import Guard

THEME = gr.themes.Soft(font=["ui-sans-serif", "system-ui", "Segoe UI", "Roboto", "sans-serif"],
                       font_mono=["ui-monospace", "SFMono-Regular", "Menlo", "monospace"])
CSS = """
#chat .message-wrap { padding-top: 2.4em; }  /* room for the Clear button */
#status { min-height: 1.5em; color: var(--body-text-color-subdued); }
#status p { margin: 0; }
.card { border: 1px solid var(--border-color-primary); border-radius: var(--radius-lg); padding: 10px !important;
        background: var(--background-fill-secondary); }
.card .card-text p { margin: 0 0 4px 0; font-size: var(--text-sm); }
.card .row { flex-wrap: nowrap; gap: 6px; }
.card button { min-width: 0 !important; padding: 2px 4px; font-size: var(--text-xs); white-space: nowrap; }
#understood p, #profile p, .note p { margin: 0; font-size: var(--text-sm); }
.note { color: var(--body-text-color-subdued); }
"""


def serve_options(startup: AgentStartup) -> dict:
    """Keyword arguments for ``gr.mount_gradio_app``; ``launch_options`` for ``Blocks.launch``."""
    guard = Middleware(Guard, max_bytes=startup.settings.max_request_bytes, api_names=NAMES)
    return {"theme": THEME, "css": CSS, "mcp_server": True, "enable_monitoring": False,
            "app_kwargs": {"routes": [ready_route(startup)], "middleware": [guard]}}


def launch_options(startup: AgentStartup) -> dict:
    """Keyword arguments for ``Blocks.launch``: launch also sets how many sessions' page state Gradio keeps
    (``mount_gradio_app`` keeps what ``create_app`` set)."""
    return serve_options(startup) | {"state_session_capacity": STATE_SESSIONS}
