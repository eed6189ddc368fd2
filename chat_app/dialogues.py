"""Scripted dialogue tests: ``python -m chat_app.dialogues run PATH... [--model fake|default] [--json]``.

A dialogue is a YAML file::

    name: sci-fi then older
    user: 42                      # optional: chat as this catalog user
    turns:
      - say: recommend me some sci-fi movies
        expect: {tool_called: true, items: 5, genre_all: Sci-Fi}
      - like: 1                   # like pick 1 of the latest list (dislike: N works too)
      - say: something older
        expect: {year_max: 1985, excludes_previous: true}

Expectations: ``tool_called`` (bool), ``intent``, ``items`` (count), ``genre_all`` / ``genre_any`` /
``genre_none`` (a genre every pick has / one pick has / no pick has; a list for several), ``year_min`` /
``year_max`` (every pick's year), ``older_than_previous`` / ``newer_than_previous``, ``contains_title`` /
``excludes_title``, ``similar_to`` (the tool was asked for items like this title; a list for several),
``mentions`` /
``not_mentions`` (reply text, case-insensitive), ``note`` (words in the notes under the reply), ``mentions_pick``
(the reply names pick N of the previous list), ``excludes_previous`` (no pick repeats the previous list), ``wishes_have`` / ``wishes_lack`` (a mapping of
state slots to a genre, a title or ``pick N`` of the previous list, or a list of them: ``{seen: pick 2}``). Every
reply is also checked to name only real catalog items. The runner prints a table per turn and a summary
and exits non-zero when an expectation fails.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import uuid
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from settings import Settings, add_arguments

from .decide import INTENTS, cue_intent
from .llm.fake import FakeChatModel


@dataclass
class TurnResult:
    dialogue: str
    turn: int
    action: str
    intent: str = ""
    tool_called: bool = False
    picks: list[str] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)
    checked: int = 0
    seconds: float = 0.0


def rule_chooser(messages: list[dict], options: list[str]) -> str:
    """The fake model's stand-in for a competent LLM: cue words decide, re-ranking says yes."""
    if options == INTENTS:
        message = messages[-1]["content"].split("Message:", 1)[-1]
        return cue_intent(message) or "chat"
    return options[0]


def load_dialogue(path: Path) -> dict:
    try:
        data = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise ValueError(f"{path}: cannot read the dialogue ({exc})") from None
    if not isinstance(data, dict) or not isinstance(data.get("turns"), list) or not data["turns"]:
        raise ValueError(f"{path}: a dialogue needs a list of turns")
    data.setdefault("name", Path(path).stem)
    return data


def check(expect: dict, reply, previous: list[dict], catalog) -> list[str]:
    """The failed expectations of one turn, worded for a person."""
    failures = []
    items = reply.items if reply.tool_called else []
    years = [i["year"] for i in items if i.get("year")]
    text = reply.text.lower()
    checks = {
        "tool_called": lambda v: reply.tool_called == v,
        "intent": lambda v: reply.intent == v,
        "items": lambda v: len(items) == v,
        "genre_all": lambda v: bool(items) and all(g in i["genres"] for i in items for g in _as_list(v)),
        "genre_none": lambda v: all(g not in i["genres"] for i in items for g in _as_list(v)),
        "genre_any": lambda v: any(v in i["genres"] for i in items),
        "similar_to": lambda v: all(_title_id(catalog, t) in reply.tool_args.get("similar_to", []) +
                                    reply.tool_args.get("liked", []) for t in _as_list(v)),
        "older_than_previous": lambda v: bool(years) and bool(previous) and
        max(years) < min(i["year"] for i in previous if i.get("year")),
        "newer_than_previous": lambda v: bool(years) and bool(previous) and
        min(years) > max(i["year"] for i in previous if i.get("year")),
        "year_min": lambda v: bool(years) and min(years) >= v,
        "year_max": lambda v: bool(years) and max(years) <= v,
        "contains_title": lambda v: _title_id(catalog, v) in {i["id"] for i in items},
        "excludes_title": lambda v: not {_title_id(catalog, t) for t in _as_list(v)} & {i["id"] for i in items},
        "mentions": lambda v: str(v).lower() in text,
        "not_mentions": lambda v: str(v).lower() not in text,
        "note": lambda v: str(v).lower() in " ".join(reply.notes).lower(),
        "mentions_pick": lambda v: len(previous) >= v and previous[v - 1]["title"].lower() in text,
        "excludes_previous": lambda v: not v or not ({i["id"] for i in items} & {i["id"] for i in previous}),
        "wishes_have": lambda v: all(_held(reply.wishes, slot, value, previous, catalog) for slot, value in v.items()),
        "wishes_lack": lambda v: not any(_held(reply.wishes, slot, value, previous, catalog)
                                         for slot, value in v.items()),
    }
    for key, value in expect.items():
        if key not in checks:
            failures.append(f"unknown expectation {key!r}")
        elif not checks[key](value):
            failures.append(f"{key}={value!r} (got intent={reply.intent}, tool={reply.tool_called}, "
                            f"picks={[i['title'] for i in items]})")
    for item in reply.items:
        real = catalog.item(item["id"])
        if real is None or real.title != item["title"]:
            failures.append(f"not a catalog item: {item['title']!r}")
    return failures


def _held(wishes: dict, slot: str, value, previous: list[dict], catalog) -> bool:
    """Whether the wishes' ``slot`` holds ``value``: a genre, a title, or ``pick N`` of the previous list."""
    held = wishes.get(slot) or []
    for one in _as_list(value):
        if isinstance(one, str) and one.startswith("pick "):
            n = int(one.split()[1])
            one = previous[n - 1]["id"] if len(previous) >= n else None
        elif slot not in ("genres", "required_genres", "exclude_genres"):
            one = _title_id(catalog, one)
        if one not in held:
            return False
    return True


def _as_list(value) -> list:
    return value if isinstance(value, list) else [value]


def _title_id(catalog, title: str) -> int | None:
    item = catalog.resolve_title(title)
    return item.id if item else None


def run_dialogue(agent, dialogue: dict) -> list[TurnResult]:
    session = f"dialogue-{uuid.uuid4().hex[:8]}"
    if dialogue.get("user") is not None:
        agent.set_user(session, int(dialogue["user"]))
    previous: list[dict] = []
    results = []
    for n, turn in enumerate(dialogue["turns"], 1):
        if "like" in turn or "dislike" in turn:
            liked = "like" in turn
            index = int(turn["like" if liked else "dislike"]) - 1
            result = TurnResult(dialogue["name"], n, f"{'like' if liked else 'dislike'} pick {index + 1}")
            if index >= len(previous):
                result.failures.append(f"no pick {index + 1} to rate")
            else:
                agent.feedback(session, previous[index]["id"], liked)
            results.append(result)
            continue
        reply = agent.respond(session, str(turn.get("say", "")))
        expect = turn.get("expect") or {}
        failures = check(expect, reply, previous, agent.catalog)
        results.append(TurnResult(dialogue["name"], n, f"say: {turn.get('say', '')}"[:60], reply.intent,
                                  reply.tool_called, [i["title"] for i in reply.items if reply.tool_called],
                                  failures, len(expect), reply.timings.get("total", 0.0)))
        if reply.tool_called and reply.items:
            previous = reply.items
    return results


def summary(results: list[TurnResult], dialogues: int) -> dict:
    return {"dialogues": dialogues, "turns": len(results),
            "expectations": sum(r.checked for r in results),
            "failed": sum(len(r.failures) for r in results),
            "results": [r.__dict__ for r in results]}


def format_table(results: list[TurnResult]) -> str:
    lines = ["| dialogue | turn | action | intent | tool | picks | s | result |", "|---|---|---|---|---|---|---|---|"]
    for r in results:
        verdict = "ok" if not r.failures else "FAIL: " + "; ".join(r.failures)
        picks = ", ".join(r.picks[:3]) + ("…" if len(r.picks) > 3 else "")
        lines.append(f"| {r.dialogue} | {r.turn} | {r.action} | {r.intent} | {'yes' if r.tool_called else 'no'} | "
                     f"{picks} | {r.seconds:.1f} | {verdict} |")
    return "\n".join(lines)


def dialogue_files(paths: list[Path]) -> list[Path]:
    files = []
    for path in paths:
        files += sorted(path.glob("*.yaml")) if path.is_dir() else [path]
    return files


def main(argv: list[str] | None = None) -> int:
    from .agent import build_agent

    parser = argparse.ArgumentParser(prog="python -m chat_app.dialogues", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    commands = parser.add_subparsers(dest="command", required=True)
    run = commands.add_parser("run", help="run dialogue files (or folders of them)")
    run.add_argument("paths", nargs="+", type=Path)
    run.add_argument("--json", action="store_true", help="print one JSON object")
    add_arguments(run, "model", "llm_url", "device", "db", "data_dir", "ml100k_dir", "recommender", "rerank_weight")
    args = parser.parse_args(argv)
    settings = Settings.from_args(args)
    try:
        dialogues = [load_dialogue(p) for p in dialogue_files(args.paths)]
    except ValueError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    llm = FakeChatModel(chooser=rule_chooser) if settings.model == "fake" and not settings.llm_url else None
    agent = build_agent(settings.model, settings=settings, llm=llm, progress=lambda m: print(m, file=sys.stderr))
    results = [r for d in dialogues for r in run_dialogue(agent, d)]
    report = summary(results, len(dialogues))
    if args.json:
        print(json.dumps(report))
    else:
        print(format_table(results))
        print(f"\n{report['dialogues']} dialogues, {report['turns']} turns, {report['expectations']} expectations, "
              f"{report['failed']} failed")
    return 1 if report["failed"] else 0


if __name__ == "__main__":
    sys.exit(main())
