"""Start the CineBot page: ``python app.py [--port 7860] [--model default] ...`` (``--help`` lists all)."""

from __future__ import annotations

import argparse
import sys

from settings import Settings, add_arguments

OPTIONS = ("host", "port", "share", "model", "llm_url", "device", "quantization", "source", "interactions",
           "mapping", "db", "data_dir", "ml100k_dir", "recommender", "rerank_weight")


def parse_settings(argv: list[str] | None = None) -> Settings:
    parser = argparse.ArgumentParser(prog="python app.py", description="CineBot: a conversational movie recommender.")
    add_arguments(parser, *OPTIONS)
    return Settings.from_args(parser.parse_args(argv))


def main(argv: list[str] | None = None) -> int:
    settings = parse_settings(argv)
    from chat_app.startup import AgentStartup
    from chat_app.ui import create_app

    demo = create_app(AgentStartup(settings).start())
    print(f"CineBot on http://{settings.host}:{settings.port} (model: {settings.llm_url or settings.model})", flush=True)
    demo.launch(server_name=settings.host, server_port=settings.port, share=settings.share)
    return 0


if __name__ == "__main__":
    sys.exit(main())
