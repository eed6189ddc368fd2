"""Embed the chat page in your own FastAPI app.

    uvicorn --factory examples.mount_fastapi:make_app --port 8000
    # the page is at http://127.0.0.1:8000/cinebot/, its readiness at /cinebot/ready, its MCP tools at
    # /cinebot/gradio_api/mcp/, and gradio_client talks to http://127.0.0.1:8000/cinebot/
"""

from __future__ import annotations

import gradio as gr
from fastapi import FastAPI

from chat_app.page.serve import serve_options
from chat_app.startup import AgentStartup
from chat_app.ui import create_app
from settings import Settings


def make_app(startup: AgentStartup | None = None) -> FastAPI:
    app = FastAPI(title="My site with a recommender chat")

    @app.get("/health")
    def health() -> dict:
        return {"ok": True}

    startup = startup or AgentStartup(Settings.from_env()).start()
    return gr.mount_gradio_app(app, create_app(startup), path="/cinebot", **serve_options(startup))
