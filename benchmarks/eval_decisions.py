"""``python -m benchmarks.eval_decisions``: how often the turn decision is right on a labelled set of
messages (``chat_app/eval_data/decisions.jsonl``), per intent, with a confusion table and latency."""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections import Counter
from pathlib import Path

from settings import Settings, add_arguments

from chat_app.decide import INTENTS, combine, cue_intent, decide, label_logprobs, null_logprobs

DATA = Path(__file__).parent / "eval_data" / "decisions.jsonl"
SHOWN = ["Fargo (1996)", "Heat (1995)", "Alien (1979)", "Casablanca (1942)", "Toy Story (1995)"]


VARIANTS = ("llm", "llm+calibration", "cue words", "decision (all)")


def predictions(llm, row: dict) -> tuple[dict[str, str], float]:
    """What each variant predicts for one labelled message, and the full decision's latency."""
    shown = SHOWN if row["after_recommendation"] else []
    raw = label_logprobs(llm, row["message"], shown)
    null = null_logprobs(llm, bool(shown))
    cue = cue_intent(row["message"])
    started = time.perf_counter()
    final, _ = decide(llm, row["message"], shown)
    latency = time.perf_counter() - started
    pick = lambda scores: max(scores, key=scores.get)  # noqa: E731
    return {"llm": pick(raw), "llm+calibration": pick(combine(raw, null, None)),
            "cue words": cue or "recommend", "decision (all)": final}, latency


def evaluate(llm, rows: list[dict]) -> dict:
    confusion, latencies, mistakes = Counter(), [], []
    correct = Counter()
    for row in rows:
        predicted, latency = predictions(llm, row)
        latencies.append(latency)
        for variant, intent in predicted.items():
            correct[variant] += intent == row["intent"]
        final = predicted["decision (all)"]
        confusion[(row["intent"], final)] += 1
        if final != row["intent"]:
            mistakes.append({"message": row["message"], "expected": row["intent"], "predicted": final})
    per_intent = {i: confusion[(i, i)] / max(1, sum(confusion[(i, p)] for p in INTENTS)) for i in INTENTS}
    tool_right = sum(n for (truth, pred), n in confusion.items() if (truth == "recommend") == (pred == "recommend"))
    return {"messages": len(rows), "accuracy": correct["decision (all)"] / len(rows),
            "variants": {v: correct[v] / len(rows) for v in VARIANTS},
            "tool_decision_accuracy": tool_right / len(rows), "per_intent": per_intent,
            "confusion": {f"{t}->{p}": n for (t, p), n in sorted(confusion.items())},
            "mean_latency_s": sum(latencies) / len(latencies), "mistakes": mistakes}


def format_report(result: dict) -> str:
    lines = [f"messages: {result['messages']}  accuracy: {result['accuracy']:.3f}  "
             f"tool call right (recommend vs not): {result['tool_decision_accuracy']:.3f}  "
             f"mean decision latency: {result['mean_latency_s']:.2f} s", "",
             "| variant | accuracy |", "|---|---|",
             *[f"| {v} | {a:.3f} |" for v, a in result["variants"].items()], "",
             "Confusion of the full decision:", "",
             "| expected \\ predicted | " + " | ".join(INTENTS) + " | recall |", "|---" * (len(INTENTS) + 2) + "|"]
    for truth in INTENTS:
        cells = [str(result["confusion"].get(f"{truth}->{p}", 0)) for p in INTENTS]
        lines.append(f"| {truth} | " + " | ".join(cells) + f" | {result['per_intent'][truth]:.2f} |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    from chat_app.llm.loader import load_chat_model

    parser = argparse.ArgumentParser(prog="python -m benchmarks.eval_decisions", description=__doc__)
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--limit", type=int, help="only the first N messages")
    parser.add_argument("--out", type=Path, help="also write the report as Markdown")
    add_arguments(parser, "model", "data_dir", "device", "llm_url")
    args = parser.parse_args(argv)
    rows = [json.loads(line) for line in DATA.read_text().splitlines() if line.strip()][: args.limit]
    llm = load_chat_model(Settings.from_args(args), progress=lambda m: print(m, file=sys.stderr))
    result = evaluate(llm, rows)
    print(json.dumps(result) if args.json else format_report(result))
    if not args.json:
        for m in result["mistakes"]:
            print(f"  {m['expected']:>9} -> {m['predicted']:<9} {m['message']}")
    if args.out:
        args.out.write_text(format_report(result) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
