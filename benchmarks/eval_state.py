"""``python -m benchmarks.eval_state``: how well each message reader tracks the dialogue state.

Runs the annotated dialogues of ``benchmarks/data/state_{dev,test}.jsonl`` (written by people who did not
see the reader) through a reader, carrying the reader's own state from turn to turn as the agent does, and
compares the state after every turn with the annotation: per slot, and jointly (every slot right).
Readers: the deterministic reader, the LLM alone (JSON constrained to a schema of the catalog's genres),
and both (the LLM fills what the reader left empty, the reader's grounding validates it).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

from catalog.build import open_or_build
from catalog.domain import domain_of
from settings import Settings, add_arguments

from .report import write_report

DATA = Path(__file__).parent / "data"
SLOTS = ("genres", "exclude_genres", "year_min", "year_max", "liked", "disliked", "count")
READERS = ("reader", "llm", "both")
NOTE = ("Joint: every slot right after the turn. 'Own state carried': the reader's own state goes into the next "
        "turn, so a mistake counts again later (what a user lives with). 'Turn by turn': each turn starts from the "
        "annotated state. The LLM readers run on the first dialogues of each half only (seconds per turn). Each dev "
        "file is one author's; the rules were tuned on all of them (benchmarks/data/README.md says what each scored "
        "before any rule saw it).\n\n")


def by_author(split: str) -> dict[str, list[dict]]:
    """The dialogues of a half per file (each file has one author; ``state_dev*.jsonl`` make the dev half)."""
    return {path.name: [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
            for path in sorted(DATA.glob(f"state_{split}*.jsonl"))}


def predicted_slots(wishes, catalog) -> dict:
    label = lambda ids: sorted({catalog.item(i).label for i in ids if catalog.item(i)})  # noqa: E731
    return {"genres": sorted(wishes.genres + wishes.required_genres), "exclude_genres": sorted(wishes.exclude_genres),
            "year_min": wishes.year_min, "year_max": wishes.year_max,
            "liked": label(set(wishes.liked) | set(wishes.similar_to)), "disliked": label(wishes.disliked),
            "count": wishes.count}


def expected_slots(state: dict, catalog) -> dict:
    label = lambda ids: sorted({catalog.item(i).label for i in ids if catalog.item(i)})  # noqa: E731
    return {"genres": sorted(state.get("genres", [])), "exclude_genres": sorted(state.get("exclude_genres", [])),
            "year_min": state.get("year_min"), "year_max": state.get("year_max"),
            "liked": label(state.get("liked", [])), "disliked": label(state.get("disliked", [])),
            "count": state.get("count")}


def run(dialogues: list[dict], read, catalog, show_errors: bool = False, forced: bool = False) -> dict:
    """Per-slot and joint accuracy over every turn; ``read(message, wishes) -> Change``. The reader's own
    state carries over (a mistake counts again on later turns) unless ``forced``: then each turn starts
    from the annotated state, which scores every turn's reading on its own."""
    from chat_app.state import Wishes

    right = {slot: 0 for slot in SLOTS}
    joint = turns = 0
    errors = []
    for dialogue in dialogues:
        wishes, history = Wishes(), [Wishes()]
        for turn in dialogue["turns"]:
            change = read(turn["say"], wishes)
            previous = history[-2] if len(history) > 1 else Wishes()
            wishes = change.apply(wishes, previous)
            history = (history[:-1] if change.undo else history) + [wishes]
            got, want = predicted_slots(wishes, catalog), expected_slots(turn["state"], catalog)
            turns += 1
            ok = [slot for slot in SLOTS if got[slot] == want[slot]]
            for slot in ok:
                right[slot] += 1
            joint += len(ok) == len(SLOTS)
            if len(ok) < len(SLOTS) and show_errors:
                wrong = {s: (got[s], want[s]) for s in SLOTS if s not in ok}
                errors.append(f"{dialogue['id']}: {turn['say']!r} -> {wrong}")
            if len(ok) < len(SLOTS) and forced:
                wishes = _annotated(turn["state"], wishes)  # score the next turn on its own
                history[-1] = wishes
    return {"turns": turns, "joint": joint / turns, **{slot: right[slot] / turns for slot in SLOTS},
            "errors": errors}


def score(dialogues: list[dict], read, catalog, show_errors: bool = False) -> dict:
    """``run`` with the seconds per turn and the turn-by-turn joint accuracy beside it."""
    started = time.perf_counter()
    result = run(dialogues, read, catalog, show_errors)
    result["seconds"] = (time.perf_counter() - started) / result["turns"]
    result["turn_joint"] = run(dialogues, read, catalog, forced=True)["joint"]
    return result


def _annotated(state: dict, wishes):
    """The annotated state as wishes, so one mistake is not counted again on every later turn."""
    from dataclasses import replace

    return replace(wishes, genres=tuple(state.get("genres", [])), exclude_genres=tuple(state.get("exclude_genres", [])),
                   year_min=state.get("year_min"), year_max=state.get("year_max"),
                   liked=tuple(state.get("liked", [])), disliked=tuple(state.get("disliked", [])), similar_to=(),
                   count=state.get("count"))


def readers(catalog, llm):
    from catalog.embeddings import default_encoder
    from chat_app.llm_reader import LLMReader, combine
    from chat_app.reader import MessageReader

    domain = domain_of(catalog)
    rules = MessageReader(catalog, domain, encoder=default_encoder)
    out = {"reader": lambda message, wishes: rules.read(message, wishes)}
    if llm is not None:
        model = LLMReader(llm, catalog, domain, rules)
        out["llm"] = lambda message, wishes: model.read(message, wishes)
        out["both"] = lambda message, wishes: combine(rules.read(message, wishes), model.read(message, wishes))
    return out


def format_table(results: dict) -> str:
    lines = ["| reader | split | turns | joint, own state carried | joint, turn by turn | "
             + " | ".join(SLOTS) + " | seconds/turn |", "|---" * (len(SLOTS) + 6) + "|"]
    for (name, split), r in results.items():
        lines.append(f"| {name} | {split} | {r['turns']} | **{r['joint']:.3f}** | {r['turn_joint']:.3f} | "
                     + " | ".join(f"{r[s]:.3f}" for s in SLOTS) + f" | {r['seconds']:.3f} |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.eval_state", description=__doc__)
    parser.add_argument("--split", choices=["dev", "test", "both"], default="test")
    parser.add_argument("--readers", default="reader", help="comma-separated: " + ", ".join(READERS))
    parser.add_argument("--errors", action="store_true", help="print every wrong turn (use on dev only)")
    parser.add_argument("--llm-dialogues", type=int, default=20,
                        help="the LLM readers (seconds per turn on a CPU) run on this many dialogues of each half")
    parser.add_argument("--out", type=Path, help="also write the table as Markdown to this file")
    add_arguments(parser, "model", "llm_url", "db", "data_dir", "ml100k_dir")
    args = parser.parse_args(argv)
    settings = Settings.from_args(args)
    catalog = open_or_build(settings)
    wanted = args.readers.split(",")
    llm = None
    if {"llm", "both"} & set(wanted):
        from chat_app.llm.loader import load_chat_model

        llm = load_chat_model(settings, progress=lambda m: print(m, file=sys.stderr))
    available = readers(catalog, llm)
    results = {}
    for split in (["dev", "test"] if args.split == "both" else [args.split]):
        authors = by_author(split)
        dialogues = [dialogue for written in authors.values() for dialogue in written]
        for name, subset in authors.items() if "reader" in wanted and len(authors) > 1 else ():
            results[("reader", f"{split}: {name}")] = score(subset, available["reader"], catalog)
        for name in wanted:
            subset = dialogues if name == "reader" else dialogues[: args.llm_dialogues]
            result = results[(name, split)] = score(subset, available[name], catalog, args.errors)
            for line in result["errors"]:
                print(line)
    table = format_table(results)
    print(table)
    write_report(args.out, "Dialogue-state tracking", "benchmarks.eval_state", argv, NOTE + table)
    return 0


if __name__ == "__main__":
    sys.exit(main())
