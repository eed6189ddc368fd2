"""``python -m benchmarks.eval_decisions``: how often the turn decision is right on a labelled set of
messages (dev: ``prompts/intent_examples.jsonl``, which the learned prior is fitted on, so its figures are
training figures; test: ``benchmarks/data/decisions_test.jsonl``, never looked at), per intent, with a confusion table and latency."""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections import Counter
from pathlib import Path

from settings import Settings, add_arguments

from .report import write_report

from chat_app.decide import INTENTS, Decider, combine, cue_intent

DATA = Path(__file__).parent / "data"
INTENT_EXAMPLES = Path(__file__).parents[1] / "prompts" / "intent_examples.jsonl"  # dev: what the prior learns from
SHOWN = [1, 2, 3, 4, 5]  # a list of picks was shown (MovieLens ids; any five catalog items serve)
VARIANTS = ("llm", "llm+calibration", "cue words", "learned prior", "decision without state", "decision (all)")


def predictions(decider: Decider, reader, catalog, row: dict) -> tuple[dict[str, str], float]:
    """What each variant predicts for one labelled message, and the full decision's latency."""
    shown = SHOWN if row["after_recommendation"] else []
    titles = [i.label for i in catalog.items(shown)]
    raw = decider.label_logprobs(row["message"], titles)
    null = decider.null_logprobs(bool(shown))
    cue = cue_intent(row["message"])
    started = time.perf_counter()
    change = reader.read(row["message"], None, catalog.items(shown))
    final, _ = decider.decide(row["message"], titles, change)
    latency = time.perf_counter() - started
    pick = lambda scores: max(scores, key=scores.get)  # noqa: E731
    learned = decider.prior.probabilities(row["message"], bool(shown))
    return {"llm": pick(raw), "llm+calibration": pick(combine(raw, null, None)), "cue words": cue or "recommend",
            "learned prior": pick(learned),
            "decision without state": decider.decide(row["message"], titles)[0], "decision (all)": final}, latency


def evaluate(decider: Decider, reader, catalog, rows: list[dict]) -> dict:
    confusion, latencies, mistakes = Counter(), [], []
    correct = Counter()
    for row in rows:
        predicted, latency = predictions(decider, reader, catalog, row)
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


def held_out_authors(llm, domain, reader, catalog, rows: list[dict], encoder) -> str:
    """Accuracy on each dev author's messages with the prior fitted on the other authors' (how the decision's
    thresholds were chosen, and what a new author's phrasing can expect)."""
    from chat_app.intents import IntentClassifier

    lines = ["| author left out | messages | decision accuracy | learned prior alone |", "|---|---|---|---|"]
    total = right = 0
    for author in sorted({r["author"] for r in rows}):
        prior = IntentClassifier.fit(encoder, [r for r in rows if r["author"] != author])
        held = [r for r in rows if r["author"] == author]
        result = evaluate(Decider(llm, domain, prior), reader, catalog, held)
        total, right = total + len(held), right + len(held) - len(result["mistakes"])
        lines.append(f"| {author} | {len(held)} | {result['accuracy']:.3f} | {result['variants']['learned prior']:.3f} |")
    return "\n".join(lines + [f"| all | {total} | **{right / total:.3f}** | |"])


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
    from catalog.build import open_or_build
    from catalog.domain import domain_of
    from catalog.embeddings import default_encoder
    from chat_app.intents import LearnedPrior
    from chat_app.llm.loader import load_chat_model
    from chat_app.reader import MessageReader

    parser = argparse.ArgumentParser(prog="python -m benchmarks.eval_decisions", description=__doc__)
    parser.add_argument("--split", choices=["dev", "test"], default="test",
                        help="test: the untouched half (report this); dev: the half rules were chosen on")
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--limit", type=int, help="only the first N messages")
    parser.add_argument("--mistakes", action="store_true", help="list every mistake (use on dev only)")
    parser.add_argument("--leave-one-author-out", action="store_true",
                        help="dev only: fit the prior on every author but one and score the one left out, per author")
    parser.add_argument("--out", type=Path, help="also write the report as Markdown")
    add_arguments(parser, "model", "data_dir", "db", "ml100k_dir", "device", "llm_url")
    args = parser.parse_args(argv)
    settings = Settings.from_args(args)
    if args.leave_one_author_out and args.split != "dev":
        parser.error("--leave-one-author-out reads the dev authors: add --split dev")
    path = INTENT_EXAMPLES if args.split == "dev" else DATA / "decisions_test.jsonl"
    rows = [json.loads(line) for line in path.read_text().splitlines() if line.strip()][: args.limit]
    catalog = open_or_build(settings)
    domain = domain_of(catalog)
    llm = load_chat_model(settings, progress=lambda m: print(m, file=sys.stderr))
    reader = MessageReader(catalog, domain, encoder=default_encoder)
    if args.leave_one_author_out:
        report = held_out_authors(llm, domain, reader, catalog, rows, default_encoder())
        print(report)
        write_report(args.out, "Turn decision, leave one dev author out", "benchmarks.eval_decisions", argv, report)
        return 0
    prior = LearnedPrior(default_encoder, Path(settings.data_dir) / "intents.npz")
    result = evaluate(Decider(llm, domain, prior), reader, catalog, rows)
    report = format_report(result)
    print(json.dumps(result) if args.json else report)
    if args.mistakes:
        for m in result["mistakes"]:
            print(f"  {m['expected']:>9} -> {m['predicted']:<9} {m['message']}")
    write_report(args.out, f"Turn decision accuracy ({args.split} half, {path.name})", "benchmarks.eval_decisions",
                 argv, report)
    return 0


if __name__ == "__main__":
    sys.exit(main())
