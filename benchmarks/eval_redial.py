"""``python -m benchmarks.eval_redial --split test --out docs/redial-eval.md``: the agent on real people's words.

Replays the ReDial conversations (``benchmarks.redial``) turn by turn through ``Agent.respond``: each USER message
goes to the agent, and the human recommender's next turn stands in for the agent's reply (its films become what
the person was shown, catalog films by id and the others as stand-ins with negative ids). Every message is scored
against the annotation in ``benchmarks/data/redial_{dev,test}.jsonl`` (written by annotators who did not see the
reader; ``benchmarks/data/README.md``):

- decision: new picks or not (intent ``recommend`` or another), and the intent itself;
- titles: the (title, liked/disliked) pairs the message added to the state that the person really said (precision),
  and the catalog titles written out that were linked (recall, any polarity and with polarity);
- titles the catalog lacks that were linked to a catalog item anyway (the share of such titles);
- genres wanted and excluded, in the state carried from turn to turn;
- reactions: each annotated reaction to a shown film (seen, liked, disliked, chosen, asked) found for that film.

The learned parts are fitted on the dev half, so its figures flatter them; ``--held-out`` scores each dev message
with an intent prior and reaction kinds fitted without its fold of conversations, the figures rules are chosen on.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
import uuid
from collections import Counter
from pathlib import Path

from catalog import Item
from chat_app.agent import clean_message
from chat_app.events import Reply
from chat_app.state import Wishes
from settings import Settings, add_arguments

from . import redial
from .report import write_report

DATA = Path(__file__).parent / "data"
KINDS = ("seen", "liked", "disliked", "chosen", "asked")
POSITIVE = {"liked", "similar"}


def annotations(split: str) -> dict[str, list[dict]]:
    """The annotated USER turns of a half, per conversation id, in order."""
    out: dict[str, list[dict]] = {}
    for line in (DATA / f"redial_{split}.jsonl").read_text(encoding="utf-8").splitlines():
        row = json.loads(line)
        out.setdefault(row["conversation_id"], []).append(row)
    return out


def shown_items(row: dict, catalog) -> list[Item]:
    """The films on the table before a message: catalog items, and stand-ins (negative ids) for the others."""
    out = []
    for n, film in enumerate(row["shown"]):
        item = catalog.item(film["id"]) if film.get("id") else None
        out.append(item or Item(-1 - n, f"redial-{n}", film["title"], film.get("year"), (), ""))
    return out


def polarity(kinds) -> str:
    kinds = set(kinds)
    return "liked" if kinds & POSITIVE else "disliked" if "disliked" in kinds else "neutral"


def gold_pairs(row: dict, shown: list[Item]) -> set[tuple[int, str]]:
    """(catalog id, polarity) for every catalog film the message named or reacted to."""
    pairs = {(t["id"], polarity(t["kinds"])) for t in row["titles"] if t["id"]}
    pairs |= {(shown[r["shown"]].id, polarity(r["kinds"])) for r in row["reactions"] if shown[r["shown"]].id > 0}
    return pairs


def predicted_pairs(change: dict) -> set[tuple[int, str]]:
    return ({(i, "liked") for i in change.get("liked", []) + change.get("similar_to", [])}
            | {(i, "disliked") for i in change.get("disliked", [])})


def predicted_reactions(change: dict) -> set[tuple[int, str]]:
    return {(r["item"], kind) for r in change.get("reactions", []) for kind in r["kinds"]}


def score_turn(row: dict, reply, shown: list[Item], tally: Counter, mistakes: list) -> None:
    change, gold_intent = reply.change, row["intent"]
    tally["turns"] += 1
    tally["decision"] += (reply.intent == "recommend") == (gold_intent == "recommend")
    tally["intent"] += reply.intent == gold_intent
    if (reply.intent == "recommend") != (gold_intent == "recommend"):
        mistakes.append(("decision", row, f"{reply.intent} (gold {gold_intent})"))
    # titles
    gold, predicted = gold_pairs(row, shown), predicted_pairs(change)
    polar = {p for p in gold if p[1] != "neutral"}
    tally["added"] += len(predicted)
    tally["added right"] += len(predicted & gold)
    tally["polar"] += len(polar)
    tally["polar found"] += len(polar & predicted)
    for pair in predicted - gold:
        mistakes.append(("title added", row, f"{pair}"))
    written = {t["id"] for t in row["titles"] if t["id"]}
    linked = {item for item, _ in change.get("links", [])}
    tally["written"] += len(written)
    tally["written linked"] += len(written & linked)
    # titles the catalog lacks
    for title in (t["title"] for t in row["titles"] if not t["id"]):
        tally["unknown"] += 1
        wrong = [words for item, words in change.get("links", [])
                 if item not in written and _overlaps(words, title)]
        tally["unknown mapped"] += bool(wrong)
        if wrong:
            mistakes.append(("unknown title linked", row, f"{title!r} -> {wrong}"))
    # reactions
    for reaction in row["reactions"]:
        item = shown[reaction["shown"]].id
        for kind in set(reaction["kinds"]) & set(KINDS):
            tally["reactions"] += 1
            found = (item, kind) in predicted_reactions(change)
            tally["reactions found"] += found
            if not found:
                said = sorted((next((n for n, s in enumerate(shown) if s.id == i), "?"), k)
                              for i, k in predicted_reactions(change))
                mistakes.append(("reaction missed", row, f"{kind} of shown #{reaction['shown']} of {len(shown)}; "
                                                         f"read: {said}"))
    tally["reactions predicted"] += len(predicted_reactions(change))
    gold_reactions = {(shown[r["shown"]].id, k) for r in row["reactions"] for k in r["kinds"]}
    tally["reactions predicted right"] += len(predicted_reactions(change) & gold_reactions)


def score_state(row: dict, wishes: dict, tally: Counter, mistakes: list) -> None:
    state = row["state"]
    gold_wanted = set(state["genres"]) | set(state.get("required_genres", []))
    wanted = set(wishes.get("genres", [])) | set(wishes.get("required_genres", []))
    tally["wanted gold"] += len(gold_wanted)
    tally["wanted predicted"] += len(wanted)
    tally["wanted right"] += len(gold_wanted & wanted)
    tally["excluded gold"] += len(state["exclude_genres"])
    tally["excluded right"] += len(set(state["exclude_genres"]) & set(wishes.get("exclude_genres", [])))
    if missed := set(state["exclude_genres"]) - set(wishes.get("exclude_genres", [])):
        mistakes.append(("excluded genre missed", row, ", ".join(sorted(missed))))
    if state.get("required_genres"):
        tally["all-of gold"] += 1
        tally["all-of right"] += set(state["required_genres"]) == set(wishes.get("required_genres", []))


def dev_folds(folds: int = 5) -> dict[str, int]:
    """Each dev conversation's fold (grouped, sizes balanced by ``GroupKFold``), shared by the held-out parts."""
    from sklearn.model_selection import GroupKFold

    ids = [conversation_id for conversation_id, rows in annotations("dev").items() for _ in rows]
    return {ids[n]: fold for fold, (_, held) in enumerate(GroupKFold(folds).split(ids, groups=ids)) for n in held}


class HeldOutPrior:
    """The decision's learned prior as a held-out half would meet it (``--held-out``): each ReDial dev message is
    scored by a prior fitted on every source but the fold of dev conversations it belongs to. The shipped prior
    is fitted on the whole dev half, so its dev figures are training figures; rules chosen on dev are compared
    with this one. Any other message gets the shipped prior."""

    def __init__(self, shipped, max_chars: int, folds: dict[str, int]):
        from sklearn.linear_model import LogisticRegression

        from chat_app.intents import REGULARISATION, message_features

        from .train_reader import intent_rows

        self.shipped, self.held = shipped, {}
        rows = intent_rows()
        x = message_features(shipped.encoder, [r["message"] for r in rows], [r["after_recommendation"] for r in rows])
        intents = [r["intent"] for r in rows]
        fold_of = [folds.get(r["group"].removeprefix("redial-")) if r["group"].startswith("redial-") else None
                   for r in rows]
        for fold in set(folds.values()):
            out = [n for n, f in enumerate(fold_of) if f == fold]
            kept = [n for n, f in enumerate(fold_of) if f != fold]
            model = LogisticRegression(C=REGULARISATION, max_iter=3000).fit(x[kept], [intents[n] for n in kept])
            for n, probabilities in zip(out, model.predict_proba(x[out])):
                message = clean_message(rows[n]["message"], max_chars)[0]
                self.held[(message, rows[n]["after_recommendation"])] = dict(zip(map(str, model.classes_),
                                                                                 map(float, probabilities)))

    def probabilities(self, message: str, after_picks: bool) -> dict[str, float] | None:
        return self.held.get((message, after_picks)) or self.shipped.probabilities(message, after_picks)


def held_out_kinds(shipped, encoder, folds: dict[str, int]) -> dict[int, object]:
    """The reaction kinds as a held-out half would meet them (``--held-out``): per fold, the shipped model's C
    and thresholds refitted on every source but that fold's dev conversations."""
    import numpy as np

    from chat_app.reactions import KINDS, KindsModel
    from chat_app.textfeatures import features

    from .train_reader import KINDS_C, fit, kinds_examples

    contexts, labels, groups, knowns = kinds_examples()
    y = np.array([[k in kinds for k in KINDS] for kinds in labels], dtype=bool)
    known = np.array([[k in kinds for k in KINDS] for kinds in knowns], dtype=bool)
    x, fold_of = features(contexts, encoder), np.array([folds.get(g, -1) for g in groups])
    thresholds = shipped.variants["encoder"][2]
    models = {}
    for fold in set(folds.values()):
        fitted = [fit(x[(fold_of != fold) & known[:, k]], y[(fold_of != fold) & known[:, k], k], KINDS_C)
                  for k in range(len(KINDS))]
        weights = np.vstack([m.coef_[0] for m in fitted]).astype(np.float32)
        bias = np.array([m.intercept_[0] for m in fitted], dtype=np.float32)
        models[fold] = KindsModel({**shipped.variants, "encoder": (weights, bias, thresholds)}, shipped.encoder_name)
    return models


def _overlaps(words: str, title: str) -> bool:
    a, b = set(words.lower().split()), set(title.lower().split())
    return bool(a & b - {"the", "a", "an", "of", "and"})


def replay(agent, conversation: redial.Conversation, rows: list[dict], tally: Counter, mistakes: list,
           fast: bool = False) -> None:
    """One conversation through ``agent.respond``; the human recommender's turns stand in for the agent's replies.
    ``fast``: only ``agent.understand`` (read and decide, the state carried here), no reply written."""
    by_turn = {row["turn"]: row for row in rows}
    session, wishes, previous = uuid.uuid4().hex, Wishes(), Wishes()
    for turn in conversation.turns:
        row = by_turn.get(turn.index)
        if turn.participant != "USER" or row is None:
            continue
        shown = shown_items(row, agent.catalog)
        if fast:
            change, intent = agent.understand(clean_message(turn.text, agent.settings.max_message_chars)[0], wishes,
                                              shown)
            if intent in ("recommend", "chat") and change.apply(wishes, previous) != wishes:
                previous, wishes = wishes, change.apply(wishes, previous)
            reply = Reply("", intent=intent, wishes=wishes.as_dict(), change=change.as_dict())
        else:
            reply = agent.respond(session, turn.text, shown)
        score_turn(row, reply, shown, tally, mistakes)
        score_state(row, reply.wishes, tally, mistakes)
        if fast:
            continue
        answer = " ".join(t.text for t in conversation.turns[turn.index + 1:]
                          if t.participant == "AGENT" and t.index < _next_user(conversation, turn.index))
        with agent.sessions.editing(session) as state:  # the human recommender answered, not the agent
            state.messages[-1]["content"] = answer


def _next_user(conversation: redial.Conversation, index: int) -> int:
    return next((t.index for t in conversation.turns[index + 1:] if t.participant == "USER"), len(conversation.turns))


def ratio(tally: Counter, part: str, whole: str) -> str:
    return f"{tally[part] / tally[whole]:.3f}" if tally[whole] else "n/a"


def table(rows: dict[str, Counter]) -> str:
    measures = [("decision (new picks or not)", "decision", "turns"), ("intent", "intent", "turns"),
                ("titles added: precision", "added right", "added"),
                ("titles written out: linked (recall)", "written linked", "written"),
                ("titles with a polarity: found (recall)", "polar found", "polar"),
                ("titles the catalog lacks linked anyway (lower is better)", "unknown mapped", "unknown"),
                ("genres wanted: recall", "wanted right", "wanted gold"),
                ("genres wanted: precision", "wanted right", "wanted predicted"),
                ("genres excluded: recall", "excluded right", "excluded gold"),
                ("all-of genres exactly right", "all-of right", "all-of gold"),
                ("reactions found for the right shown film (recall)", "reactions found", "reactions"),
                ("reactions predicted that are right (precision)", "reactions predicted right", "reactions predicted")]
    names = list(rows)
    lines = ["| measure | " + " | ".join(names) + " | counted over |", "|---" * (len(names) + 2) + "|"]
    for label, part, whole in measures:
        lines.append(f"| {label} | " + " | ".join(ratio(rows[n], part, whole) for n in names)
                     + f" | {', '.join(f'{rows[n][whole]}' for n in names)} {whole} |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    from chat_app.agent import build_agent

    parser = argparse.ArgumentParser(prog="python -m benchmarks.eval_redial", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--split", choices=["dev", "test", "both"], default="test")
    parser.add_argument("--limit", type=int, help="only the first N conversations of each half")
    parser.add_argument("--fast", action="store_true", help="read and decide only (no replies written)")
    parser.add_argument("--errors", type=Path, help="write the dev half's mistakes here (never the test half's)")
    parser.add_argument("--held-out", action="store_true",
                        help="score the dev half with an intent prior and reaction kinds fitted without each "
                             "message's fold of conversations")
    parser.add_argument("--out", type=Path)
    add_arguments(parser, "model", "llm_url", "db", "data_dir")
    args = parser.parse_args(argv)
    settings = Settings.from_args(args)
    agent = build_agent(settings.model, settings=settings, progress=lambda m: print(m, file=sys.stderr))
    folds, kinds, reader = dev_folds() if args.held_out else {}, {}, agent.tools.reader
    if agent.decider.prior:
        agent.decider.prior.model()
        if args.held_out:
            agent.decider.prior = HeldOutPrior(agent.decider.prior.model(), settings.max_message_chars, folds)
    if args.held_out and reader.kinds:
        kinds = held_out_kinds(reader.kinds, reader.encoder(), folds)
    shipped_kinds = reader.kinds
    conversations = {c.id: c for c in redial.load()}
    results, seconds = {}, {}
    for split in (["dev", "test"] if args.split == "both" else [args.split]):
        tally, mistakes, started = Counter(), [], time.perf_counter()
        rows = annotations(split)
        for conversation_id in sorted(rows, key=int)[:args.limit]:
            reader.kinds = kinds.get(folds.get(conversation_id), shipped_kinds) if split == "dev" else shipped_kinds
            replay(agent, conversations[conversation_id], rows[conversation_id], tally, mistakes, args.fast)
        results[split], seconds[split] = tally, (time.perf_counter() - started) / max(1, tally["turns"])
        if split == "dev" and args.errors:
            write_mistakes(args.errors, mistakes, conversations)
    held = "; dev scored with the intent prior and reaction kinds held out by conversation fold" if args.held_out else ""
    report = (f"Model: {settings.llm_url or settings.model}{' (read and decide only)' if args.fast else ''}{held}. "
              f"{sum(r['turns'] for r in results.values())} USER turns of "
              f"{', '.join(results)}; seconds per turn: "
              f"{', '.join(f'{s} {seconds[s]:.2f}' for s in results)}.\n\n" + table(results))
    print(report)
    write_report(args.out, "The agent on real conversations (ReDial)", "benchmarks.eval_redial", argv, report)
    return 0


def write_mistakes(path: Path, mistakes: list, conversations: dict) -> None:
    lines = []
    for kind, row, detail in mistakes:
        text = conversations[row["conversation_id"]].turns[row["turn"]].text
        lines.append(f"{kind}\t{row['conversation_id']}:{row['turn']}\t{detail}\t{text[:300]}")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


if __name__ == "__main__":
    sys.exit(main())
