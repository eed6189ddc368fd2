"""Start the chat page: ``python app.py [--port 7860] [--model default] ...`` (``--help`` lists all)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from settings import Settings, add_arguments

OPTIONS = ("host", "port", "share", "model", "llm_url", "device", "quantization", "source", "interactions",
           "mapping", "db", "data_dir", "ml100k_dir", "recommender", "rerank_weight", "runtime", "llm_reasons",
           "private_users", "session_idle_days")


def parse_settings(argv: list[str] | None = None) -> Settings:
    parser = argparse.ArgumentParser(prog="python app.py", description="CineBot: a conversational movie recommender.")
    add_arguments(parser, *OPTIONS)
    return Settings.from_args(parser.parse_args(argv))


def check_model_file(settings: Settings) -> str | None:
    """One line saying why a model file given by path cannot be used, before anything starts."""
    from chat_app.llm.errors import LLMError
    from chat_app.llm.modelfile import check_gguf_tensors

    if settings.llm_url or not settings.model.endswith(".gguf"):
        return None
    try:
        check_gguf_tensors(Path(settings.model).expanduser())
    except LLMError as exc:
        return str(exc)
    return None


def check_cpu(settings: Settings) -> str | None:
    """One line saying that the llama.cpp model crashes on this CPU whatever its settings, and the way out."""
    from chat_app.llm.errors import LLMError
    from chat_app.llm.loader import check_cpu

    try:
        check_cpu(settings)
    except LLMError as exc:
        return str(exc)
    return None


def main(argv: list[str] | None = None) -> int:
    settings = parse_settings(argv)
    problem = check_model_file(settings) or check_cpu(settings)
    if problem:
        print(f"error: {problem}", file=sys.stderr)
        return 2
    from chat_app.page.serve import launch_options
    from chat_app.startup import AgentStartup
    from chat_app.ui import create_app

    startup = AgentStartup(settings).start()
    demo = create_app(startup)
    url = f"http://{settings.host}:{settings.port}"
    print(f"The chat page: {url} (model: {settings.llm_url or settings.model}); readiness: {url}/ready", flush=True)
    demo.launch(server_name=settings.host, server_port=settings.port, share=settings.share, **launch_options(startup))
    return 0


if __name__ == "__main__":
    sys.exit(main())
