"""Start the chat page: ``python app.py [--port 7860] [--model default] ...`` (``--help`` lists all)."""

from __future__ import annotations

import argparse
import sys

from settings import Settings, add_arguments

OPTIONS = ("host", "port", "share", "model", "llm_url", "device", "quantization", "source", "interactions",
           "mapping", "db", "data_dir", "ml100k_dir", "recommender", "rerank_weight", "runtime", "llm_reasons")


def parse_settings(argv: list[str] | None = None) -> Settings:
    parser = argparse.ArgumentParser(prog="python app.py", description="CineBot: a conversational movie recommender.")
    add_arguments(parser, *OPTIONS)
    return Settings.from_args(parser.parse_args(argv))


def main(argv: list[str] | None = None) -> int:
    settings = parse_settings(argv)
    from chat_app.page.serve import serve_options
    from chat_app.startup import AgentStartup
    from chat_app.ui import create_app

    startup = AgentStartup(settings).start()
    demo = create_app(startup)
    url = f"http://{settings.host}:{settings.port}"
    print(f"The chat page: {url} (model: {settings.llm_url or settings.model}); readiness: {url}/ready", flush=True)
    demo.launch(server_name=settings.host, server_port=settings.port, share=settings.share, **serve_options(startup))
    return 0


if __name__ == "__main__":
    sys.exit(main())
