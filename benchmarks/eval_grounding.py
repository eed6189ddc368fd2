"""``python -m benchmarks.eval_grounding --model default --out docs/groundedness.md --dump replies.txt``

Groundedness and readability of what the bot says, measured from the outside.

The scripted conversations in ``benchmarks/data/grounding_conversations.yaml`` (movies: ``data/catalog.db``;
bookshop: ``data/shop.db``, built from ``examples/bookshop``) go turn by turn through the public API
(``chat_app.build_agent(model=..., db=...)`` and ``agent.respond(session_id, message)``). Every reply, its text and
its cards, is scored by ``benchmarks.claims`` (a rule-based extractor that shares no code with the bot): atomic
claims (titles, names, years, numbers, ratings, genres, co-liking, standing, plot and content words) and whether
the catalog, the person's own words or the item's own description backs each one.

The table gives, per scripted kind (recommend / about / explain / chat) and catalog: replies, claims per reply,
unsupported claims per reply, and the share of replies with any unsupported claim; then readability: the share of
cards whose reason shares a sentence with another card of the same reply (and the same with titles, years,
numbers and genre words masked, which catches one template filled in five times), the reason length in words,
and over the marked about-questions (lower case, pronouns and ordinals after picks) the share answered without
"I don't know that ..." / "not in the catalog", and the share whose reply is about the intended item.

The slow part (the model) and the scoring are apart: ``--save-replies FILE`` keeps every reply as JSON lines, and
``--from-replies FILE`` scores a saved run again without the model (for changes to the extractor).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import statistics
import sys
import time
import uuid
from collections import Counter, defaultdict
from pathlib import Path

import yaml

from catalog.store import Catalog

from . import claims as claimlib
from .report import write_report

REPO = Path(__file__).resolve().parents[1]
CONVERSATIONS = Path(__file__).parent / "data" / "grounding_conversations.yaml"
DBS = {"movies": REPO / "data" / "catalog.db", "bookshop": REPO / "data" / "shop.db"}
BOOKSHOP = REPO / "examples" / "bookshop"
KINDS = ("recommend", "about", "explain", "chat")
IDK = re.compile(r"\bI don'?t know (that|the|this)\b|\bnot in the catalog\b|\bcould you check the title\b", re.I)
ORDINALS = {"first": 1, "1st": 1, "second": 2, "2nd": 2, "third": 3, "3rd": 3, "fourth": 4, "4th": 4,
            "fifth": 5, "5th": 5, "last": -1}


def load_conversations(path: Path = CONVERSATIONS) -> list[dict]:
    return yaml.safe_load(path.read_text(encoding="utf-8"))["conversations"]


def ensure_bookshop(db: Path) -> None:
    """Build the bookshop catalog the way its README says, once."""
    if db.exists():
        return
    import subprocess

    subprocess.run([sys.executable, "-m", "catalog", "build", "--source", str(BOOKSHOP / "items.csv"),
                    "--interactions", str(BOOKSHOP / "interactions.csv"), "--mapping",
                    str(BOOKSHOP / "mapping.json"), "--db", str(db)], check=True, cwd=REPO)


def ordinal(text: str) -> int | None:
    """'why the third one?' -> 3; 'number 3' -> 3."""
    for word in re.findall(r"[a-z0-9]+", text.lower()):
        if word in ORDINALS:
            return ORDINALS[word]
    match = re.search(r"\bnumber\s+(\d)\b|#\s*(\d)\b", text.lower())
    return int(match[1] or match[2]) if match else None


def gold_item(turn: dict, last_list: list[int], focus: int | None) -> int | None:
    """The item a turn is about by the script: its ``expect``, else for explain turns the ordinal it names (or the
    item in focus); None when the script names none or the ordinal is past the list."""
    expect = turn.get("expect")
    if expect is None and turn["kind"] == "explain":
        n = ordinal(turn["say"])
        expect = {"pick": n} if n else {"same": True}
    if not expect:
        return None
    if "id" in expect:
        return int(expect["id"])
    if "pick" in expect:
        n = int(expect["pick"])
        if n == -1:
            return last_list[-1] if last_list else None
        return last_list[n - 1] if 0 < n <= len(last_list) else None
    return focus


# --- running the conversations -----------------------------------------------------------------------
def run_conversations(model: str, conversations: list[dict], limit: int | None, log=print,
                      save: Path | None = None) -> list[dict]:
    """Every scripted turn through the agent; one record per reply (what the scorer needs, and timings), each
    appended to ``save`` as soon as it is made."""
    from chat_app import build_agent

    records: list[dict] = []
    agents: dict[str, object] = {}
    run = uuid.uuid4().hex[:8]
    for conversation in conversations:
        name = conversation["catalog"]
        if name not in agents:
            db = DBS[name]
            if name == "bookshop":
                ensure_bookshop(db)
            agents[name] = build_agent(model=model, db=db, progress=lambda m: log(f"  [{name}] {m}"))
            prior = getattr(getattr(agents[name], "decider", None), "prior", None)
            if prior is not None and hasattr(prior, "model"):
                prior.model()  # wait for the intent prior, so the first turns decide as later ones do
        agent = agents[name]
        session = f"grounding-{run}-{conversation['id']}"
        said: list[str] = []
        last_list: list[int] = []
        focus: int | None = None
        for n, turn in enumerate(conversation["turns"]):
            if limit is not None and len(records) >= limit:
                return records
            said.append(turn["say"])
            gold = gold_item(turn, last_list, focus)
            started = time.perf_counter()
            try:
                reply = agent.respond(session, turn["say"])
                text, intent, raw_items = reply.text, reply.intent, reply.items
            except Exception as error:  # noqa: BLE001 - one failed turn is recorded, not the end of the run
                text, intent, raw_items = "", "error", []
                log(f"  turn failed: {type(error).__name__}: {error}")
            seconds = time.perf_counter() - started
            items = [{k: item.get(k) for k in ("id", "title", "year", "genres", "reason")} for item in raw_items]
            records.append({
                "conversation": conversation["id"], "catalog": name, "turn": n, "say": turn["say"],
                "kind": turn["kind"], "marked": bool(turn.get("marked")), "gold": gold,
                "user_messages": list(said), "shown_before": list(last_list), "focus_before": focus,
                "text": text, "items": items, "intent": intent, "seconds": round(seconds, 2),
            })
            if save is not None:
                with save.open("a", encoding="utf-8") as handle:
                    handle.write(json.dumps(records[-1]) + "\n")
            reply_intent = intent
            log(f"{len(records):4d} {conversation['id']:<22} {turn['kind']:<9} -> {reply_intent:<9} "
                f"{seconds:5.1f}s  {turn['say'][:50]!r}")
            if gold is not None:
                focus = gold
            if reply_intent == "recommend" and items:
                last_list = [item["id"] for item in items]
                focus = None
        if hasattr(agent, "forget"):
            agent.forget(session)
    return records


def replay_context(records: list[dict], conversations: list[dict]) -> list[dict]:
    """Recompute, from the script and the saved replies, what each turn is checked against: the gold item, the
    last list shown before it and the item in focus (so a saved run is scored by the current rules)."""
    turns = {(c["id"], n): t for c in conversations for n, t in enumerate(c["turns"])}
    state: dict[str, tuple[list[int], int | None]] = {}
    for record in records:
        last_list, focus = state.get(record["conversation"], ([], None))
        turn = turns.get((record["conversation"], record["turn"]), {"say": record["say"], "kind": record["kind"]})
        gold = gold_item(turn, last_list, focus)
        record.update(gold=gold, shown_before=list(last_list), focus_before=focus)
        if gold is not None:
            focus = gold
        if record["intent"] == "recommend" and record["items"]:
            last_list, focus = [i["id"] for i in record["items"]], None
        state[record["conversation"]] = (last_list, focus)
    return records


# --- scoring -------------------------------------------------------------------------------------------
def score_records(records: list[dict]) -> list[dict]:
    """Attach the extractor's claims to every record (``claims``: list of dicts)."""
    catalogs: dict[str, Catalog] = {}
    for record in records:
        name = record["catalog"]
        if name not in catalogs:
            catalogs[name] = Catalog(DBS[name])
        checker = claimlib.checker_for(catalogs[name])
        result = checker.check_reply(record["text"], record["items"], record["user_messages"],
                                     shown=record["shown_before"], focus=record["focus_before"])
        record["claims"] = [c.as_dict() for c in result]
    return records


def _sentences(reason: str) -> list[str]:
    return [s for s in (claimlib.norm_sentence(x) for x in claimlib.split_sentences(reason or "")) if s]


def _masked(sentence: str, item: dict) -> str:
    """A reason sentence with the card's own title, years, numbers and genre words masked."""
    text = sentence
    if item.get("title") and claimlib.norm_sentence(item["title"]):
        text = re.sub(rf"\b{re.escape(claimlib.norm_sentence(item['title']))}\b", "<title>", text)
    text = re.sub(r"\d+(\.\d+)?", "<n>", text)
    for genre in item.get("genres") or []:
        text = re.sub(rf"\b{re.escape(claimlib.norm_sentence(genre))}\b", "<genre>", text)
    return re.sub(r"(<genre>\s*)+", "<genre> ", text).strip()


def readability(records: list[dict]) -> dict:
    """Cards whose reason shares a sentence with another card in the same reply; reason lengths."""
    cards = shared = shared_masked = 0
    lengths: list[int] = []
    for record in records:
        items = [i for i in record["items"] if i.get("reason")]
        if record["intent"] != "recommend" or len(items) < 2:
            lengths += [len(i["reason"].split()) for i in items if record["intent"] == "recommend"]
            continue
        plain = [set(_sentences(i["reason"])) for i in items]
        masked = [{_masked(s, i) for s in _sentences(i["reason"])} for i in items]
        for n, item in enumerate(items):
            cards += 1
            lengths.append(len(item["reason"].split()))
            others = [m for k, m in enumerate(plain) if k != n]
            shared += any(plain[n] & o for o in others)
            others_masked = [m for k, m in enumerate(masked) if k != n]
            shared_masked += any(masked[n] & o for o in others_masked)
    return {"cards": cards, "shared": shared, "shared_masked": shared_masked, "lengths": lengths}


def answered(records: list[dict], catalogs: dict[str, Catalog]) -> dict:
    """Over the marked about-questions: answered without 'I don't know that', and about the intended item."""
    out = Counter()
    for record in records:
        if not record["marked"]:
            continue
        out["marked"] += 1
        out["answered"] += not IDK.search(record["text"])
        gold = record["gold"]
        if gold is None:
            continue
        out["with gold"] += 1
        item = catalogs[record["catalog"]].item(gold)
        ids = {i["id"] for i in record["items"]}
        named = item is not None and claimlib.norm_sentence(item.title) in claimlib.norm_sentence(record["text"])
        out["right item"] += (gold in ids or named) and not IDK.search(record["text"])
    return out


def _shingles(text: str, n: int = 6) -> set[tuple[str, ...]]:
    words = claimlib.norm_sentence(text).split()
    return {tuple(words[i:i + n]) for i in range(len(words) - n + 1)}


def parroting(records: list[dict]) -> Counter:
    """Chat replies that repeat six words in a row of an earlier reply in the conversation or of the person's own
    message, and replies (any kind) that say one sentence twice."""
    out = Counter()
    earlier: dict[str, list[str]] = defaultdict(list)
    for record in records:
        text = record["text"] or ""
        prose = "\n".join(line for line in text.splitlines() if not re.match(r"\s*\d+[.)]\s", line))
        sentences = [claimlib.norm_sentence(x) for x in claimlib.split_sentences(prose)]
        sentences = [x for x in sentences if len(x.split()) >= 3]
        out["replies"] += 1
        out["self-repeating"] += len(sentences) != len(set(sentences))
        if record["kind"] == "chat":
            out["chat"] += 1
            before = set().union(*(_shingles(t) for t in earlier[record["conversation"]])) if \
                earlier[record["conversation"]] else set()
            out["chat parrots an earlier reply"] += bool(_shingles(text) & before)
            out["chat echoes the message"] += bool(_shingles(text, 4) & _shingles(record["say"], 4))
        earlier[record["conversation"]].append(text)
    return out


def _rate(part: float, whole: float, digits: int = 2) -> str:
    return f"{part / whole:.{digits}f}" if whole else "n/a"


def groundedness_table(records: list[dict]) -> str:
    groups: dict[str, list[dict]] = defaultdict(list)
    for record in records:
        groups[f"{record['catalog']} / {record['kind']}"].append(record)
        groups[f"{record['catalog']} / all"].append(record)
        groups[f"all / {record['kind']}"].append(record)
        groups["all / all"].append(record)
    order = [f"{c} / {k}" for c in ("movies", "bookshop", "all") for k in (*KINDS, "all")]
    lines = ["| catalog / kind | replies | claims per reply | unsupported per reply | replies with any unsupported |"
             " unsupported claims |", "|---|---:|---:|---:|---:|---:|"]
    for name in order:
        rows = groups.get(name)
        if not rows:
            continue
        total = sum(len(r["claims"]) for r in rows)
        bad = sum(1 for r in rows for c in r["claims"] if not c["supported"])
        any_bad = sum(1 for r in rows if any(not c["supported"] for c in r["claims"]))
        label = f"**{name}**" if name.endswith("/ all") else name
        lines.append(f"| {label} | {len(rows)} | {_rate(total, len(rows))} | {_rate(bad, len(rows))} | "
                     f"{_rate(any_bad, len(rows))} | {bad} |")
    return "\n".join(lines)


def intent_table(records: list[dict]) -> str:
    groups: dict[str, list[dict]] = defaultdict(list)
    for record in records:
        groups[record["intent"] or "(none)"].append(record)
    lines = ["| bot's intent | replies | unsupported per reply | replies with any unsupported |", "|---|---:|---:|---:|"]
    for name in sorted(groups):
        rows = groups[name]
        bad = sum(1 for r in rows for c in r["claims"] if not c["supported"])
        any_bad = sum(1 for r in rows if any(not c["supported"] for c in r["claims"]))
        lines.append(f"| {name} | {len(rows)} | {_rate(bad, len(rows))} | {_rate(any_bad, len(rows))} |")
    return "\n".join(lines)


def kinds_table(records: list[dict]) -> str:
    total, bad = Counter(), Counter()
    for record in records:
        for claim in record["claims"]:
            total[claim["kind"]] += 1
            bad[claim["kind"]] += not claim["supported"]
    lines = ["| claim kind | claims | unsupported | share unsupported |", "|---|---:|---:|---:|"]
    for kind in sorted(total, key=lambda k: (-bad[k], -total[k])):
        lines.append(f"| {kind} | {total[kind]} | {bad[kind]} | {_rate(bad[kind], total[kind])} |")
    return "\n".join(lines)


def readability_table(records: list[dict], catalogs: dict[str, Catalog]) -> str:
    lines = ["| measure | movies | bookshop | all | target |", "|---|---:|---:|---:|---|"]
    parts = {name: [r for r in records if r["catalog"] == name] for name in ("movies", "bookshop")}
    parts["all"] = records
    read = {name: readability(rows) for name, rows in parts.items()}
    asked = {name: answered(rows, catalogs) for name, rows in parts.items()}

    def row(label, fn, target=""):
        lines.append(f"| {label} | " + " | ".join(fn(name) for name in ("movies", "bookshop", "all")) + f" | {target} |")

    row("cards (in replies of two or more picks)", lambda n: str(read[n]["cards"]))
    row("cards whose reason shares a sentence with another card of the same reply",
        lambda n: _rate(read[n]["shared"], read[n]["cards"], 3), "0")
    row("the same, with titles, years, numbers and genres masked (one template filled in)",
        lambda n: _rate(read[n]["shared_masked"], read[n]["cards"], 3))
    row("reason length in words: mean",
        lambda n: f"{statistics.mean(read[n]['lengths']):.1f}" if read[n]["lengths"] else "n/a")
    row("reason length in words: median",
        lambda n: f"{statistics.median(read[n]['lengths']):.0f}" if read[n]["lengths"] else "n/a")
    row("marked about-questions", lambda n: str(asked[n]["marked"]))
    row("answered without \"I don't know that\" / \"not in the catalog\"",
        lambda n: _rate(asked[n]["answered"], asked[n]["marked"], 3), ">= 0.95")
    row("answered about the intended item (its card, or its title in the text)",
        lambda n: _rate(asked[n]["right item"], asked[n]["with gold"], 3))
    said = {name: parroting(rows) for name, rows in parts.items()}
    row("chat replies", lambda n: str(said[n]["chat"]))
    row("chat replies repeating 6+ words in a row of an earlier reply in the conversation",
        lambda n: _rate(said[n]["chat parrots an earlier reply"], said[n]["chat"], 3))
    row("chat replies echoing 4+ words in a row of the message they answer",
        lambda n: _rate(said[n]["chat echoes the message"], said[n]["chat"], 3))
    row("replies (all kinds) that say one sentence twice outside the list of picks",
        lambda n: _rate(said[n]["self-repeating"], said[n]["replies"], 3))
    return "\n".join(lines)


def examples(records: list[dict], n: int = 12) -> str:
    """The most frequent unsupported claims, as the extractor wrote them."""
    counter = Counter((c["kind"], c["text"]) for r in records for c in r["claims"] if not c["supported"])
    lines = ["| kind | unsupported claim (as extracted) | times |", "|---|---|---:|"]
    for (kind, text), times in counter.most_common(n):
        lines.append(f"| {kind} | {text.replace('|', '/')[:90]} | {times} |")
    return "\n".join(lines)


def dump(records: list[dict], path: Path) -> None:
    """Every reply with its claims, unsupported ones marked, for reading by hand."""
    out = []
    for n, record in enumerate(records, 1):
        bad = [c for c in record["claims"] if not c["supported"]]
        out.append(f"=== #{n} [{record['catalog']}] {record['conversation']} turn {record['turn']} | kind "
                   f"{record['kind']} | intent {record['intent']}{' | MARKED' if record['marked'] else ''}"
                   f" | gold {record['gold']} | {record['seconds']}s")
        out.append(f"USER: {record['say']}")
        out.append("BOT: " + record["text"].replace("\n", "\n     "))
        for item in record["items"]:
            if item.get("reason") and claimlib.norm_sentence(item["reason"]) not in claimlib.norm_sentence(record["text"]):
                out.append(f"  card {item['id']} {item['title']} ({item['year']}): {item['reason']}")
        out.append(f"claims: {len(record['claims'])}, unsupported: {len(bad)}")
        for claim in record["claims"]:
            mark = "  UNSUPPORTED" if not claim["supported"] else "  ok"
            if claim["supported"] and claim["kind"] in ("title",):
                continue  # the dump stays readable: supported titles are many
            out.append(f"{mark:>13} {claim['kind']}: {claim['text']!r} — {claim['why']}")
        out.append("")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(out), encoding="utf-8")


def report(records: list[dict], model: str, seconds: float | None) -> str:
    catalogs = {name: Catalog(DBS[name]) for name in {r["catalog"] for r in records}}
    turns = f"{len(records)} replies in {len({r['conversation'] for r in records})} scripted conversations"
    timing = (f"; {seconds / len(records):.1f} s per reply on average" if seconds and records else "")
    return "\n\n".join([
        f"Model: {model}. {turns}{timing}. Claims extracted and checked by `benchmarks/claims.py` "
        "(rule-based, no code shared with the bot; its docstring lists what it cannot see).",
        "## Groundedness (by the scripted kind of each message)", groundedness_table(records),
        "## By the bot's own intent", intent_table(records),
        "## Claims by kind", kinds_table(records),
        "## Most frequent unsupported claims", examples(records),
        "## Readability", readability_table(records, catalogs),
    ])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.eval_grounding", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--model", default="default", help="the chat model ('default': the packaged 0.5B)")
    parser.add_argument("--limit", type=int, help="only the first N replies")
    parser.add_argument("--conversations", type=Path, default=CONVERSATIONS)
    parser.add_argument("--out", type=Path, help="write the report (Markdown) here")
    parser.add_argument("--dump", type=Path, help="write every reply with its claims here, for reading")
    parser.add_argument("--save-replies", type=Path, help="keep the raw replies (JSON lines) here, one per reply "
                        "as it is made (the file is started afresh)")
    parser.add_argument("--from-replies", type=Path, nargs="+", help="score replies saved by --save-replies (no "
                        "model); several files (shards) are merged in the script's order; where two files hold the same turn, the "
                        "first file named wins")
    parser.add_argument("--catalog", choices=sorted(DBS), help="only the conversations on this catalog")
    parser.add_argument("--only", help="only these conversations (ids, comma-separated)")
    parser.add_argument("--shard", default="1/1", help="K/N: run only every N-th conversation starting at the K-th "
                        "(several processes share a slow machine's cores); merge with --from-replies")
    args = parser.parse_args(argv)
    os.environ.setdefault("ML100K_DIR", str(REPO.parent / "shared" / "datasets" / "ml-100k"))

    conversations = load_conversations(args.conversations)
    order = {c["id"]: n for n, c in enumerate(conversations)}
    seconds = None
    if args.from_replies:
        records = [json.loads(line) for path in args.from_replies
                   for line in path.read_text(encoding="utf-8").splitlines() if line]
        records.sort(key=lambda r: (order.get(r["conversation"], len(order)), r["turn"]))
        complete = {}  # a conversation run twice (two processes reached it) counts once: its first whole run
        for r in records:
            complete.setdefault((r["conversation"], r["turn"]), r)
        records = list(complete.values())
        records = replay_context(records[:args.limit] if args.limit else records, conversations)
        seconds = sum(r.get("seconds", 0) for r in records) or None
    else:
        k, n = (int(x) for x in args.shard.split("/"))
        mine = [c for i, c in enumerate(conversations) if i % n == k - 1
                and (args.catalog is None or c["catalog"] == args.catalog)
                and (args.only is None or c["id"] in args.only.split(","))]
        log = lambda m: print(m, file=sys.stderr, flush=True)  # noqa: E731
        if args.save_replies:
            args.save_replies.parent.mkdir(parents=True, exist_ok=True)
            args.save_replies.write_text("", encoding="utf-8")
        records = run_conversations(args.model, mine, args.limit, log, args.save_replies)
        seconds = sum(r["seconds"] for r in records)
    score_records(records)
    body = report(records, args.model, seconds)
    print(body)
    write_report(args.out, "Groundedness and readability of the replies", "benchmarks.eval_grounding", argv, body)
    if args.dump:
        dump(records, args.dump)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
