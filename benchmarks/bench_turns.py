"""``python -m benchmarks.bench_turns``: seconds per stage and per turn of the agent on this machine, for a
fixed conversation (a new user, then an existing one), printed as a table of medians per intent.
"first pick" is the time from the message to the picks being known (the page shows the cards then); "reasons
done" the time until the last card's reason is final (later than the first pick only with ``--llm-reasons``, where
the model rewords each reason after the cards are shown)."""

from __future__ import annotations

import argparse
import sys
import time
import uuid
from collections import defaultdict
from pathlib import Path

import numpy as np

from settings import Settings, add_arguments

from .report import write_report

CONVERSATION = [
    (None, "hi there!"),
    (None, "recommend me some sci-fi movies from the 80s"),
    (None, "something older"),
    (None, "not horror"),
    (None, "why the first one?"),
    (None, "more like the second one"),
    (None, "what year is Fargo from?"),
    (None, "write me a python script"),
    (1, "recommend me something"),
    (1, "any comedies?"),
    (1, "thanks!"),
]
STAGES = ("read", "decide", "retrieve", "rerank", "explain", "first pick", "reasons done", "generate", "total")


def main(argv: list[str] | None = None) -> int:
    from chat_app.agent import build_agent

    parser = argparse.ArgumentParser(prog="python -m benchmarks.bench_turns", description=__doc__)
    parser.add_argument("--repeat", type=int, default=2, help="how many times to run the conversation")
    parser.add_argument("--out", type=Path, help="also write the table as Markdown")
    add_arguments(parser, "model", "llm_url", "device", "db", "data_dir", "rerank_weight", "llm_reasons")
    args = parser.parse_args(argv)
    settings = Settings.from_args(args)
    agent = build_agent(settings.model, settings=settings, progress=lambda m: print(m, file=sys.stderr))
    if agent.decider.prior:
        agent.decider.prior.model()  # loads in the background at start-up; time turns, not that
    timings = defaultdict(lambda: defaultdict(list))
    for _ in range(args.repeat):
        sessions = {None: uuid.uuid4().hex, 1: uuid.uuid4().hex}
        agent.set_user(sessions[1], 1)
        for user, message in CONVERSATION:
            started, picks = time.perf_counter(), []
            for event in agent.respond_stream(sessions[user], message):
                if event.kind == "picks":
                    picks.append(time.perf_counter() - started)
                reply = getattr(event, "reply", None)
            if picks:
                timings["recommend"]["first pick"].append(picks[0])
                timings["recommend"]["reasons done"].append(picks[-1])
            for stage in STAGES:
                if stage in reply.timings:
                    timings[reply.intent][stage].append(reply.timings[stage])
    lines = [f"model: {settings.llm_url or settings.model}, re-rank weight {settings.rerank_weight}, "
             f"LLM-worded reasons {'on' if settings.llm_reasons else 'off'}; "
             f"median seconds over {args.repeat} runs of a {len(CONVERSATION)}-turn conversation",
             "| intent | turns | " + " | ".join(STAGES) + " |", "|---" * (len(STAGES) + 2) + "|"]
    for intent, stages in sorted(timings.items()):
        cells = [f"{np.median(stages[s]):.2f}" if stages.get(s) else "" for s in STAGES]
        lines.append(f"| {intent} | {len(stages['total'])} | " + " | ".join(cells) + " |")
    report = "\n".join(lines)
    print(report)
    write_report(args.out, "Turn latency", "benchmarks.bench_turns", argv, report)
    return 0


if __name__ == "__main__":
    sys.exit(main())
