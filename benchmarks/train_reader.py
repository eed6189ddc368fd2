"""``python -m benchmarks.train_reader``: fit the reader's learned parts on the annotated dev data and ship them.

- ``chat_app/learned/intents.npz``: the decision's learned prior (``chat_app.intents``), from
  ``prompts/intent_examples.jsonl``, ``prompts/reaction_examples.jsonl`` and the ReDial dev half.
- ``chat_app/learned/kinds.npz``: what a message says of an item (``chat_app.reactions``), from the ReDial dev
  half (real conversations, read from ``../shared/datasets/redial-iard``), ``prompts/reaction_examples.jsonl``
  (reactions to the bot's own lists, written for this project) and the titles of the project's own dev dialogues
  (``benchmarks/data/state_dev*.jsonl``: liked or disliked, nothing else).

Every choice (regularisation, each kind's threshold) is made by cross-validation over the dev conversations,
grouped by conversation; the test half is never read here. ``--out`` writes the cross-validated figures as tables.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import numpy as np

from catalog import Item
from chat_app import reactions
from chat_app.reactions import KINDS, Target, context, shown_targets
from chat_app.textfeatures import features

from . import redial
from .eval_redial import annotations
from .report import write_report

REACTION_EXAMPLES = Path(__file__).parents[1] / "prompts" / "reaction_examples.jsonl"
DATA = Path(__file__).parent / "data"
JUDGED = {"liked", "disliked"}  # what a state annotation speaks to (its "liked" holds "like X" too: not "similar")
C_GRID = (0.5, 1.0, 4.0)
KINDS_C = 4.0  # what C_GRID chose for the shipped kinds (docs/reader-training.md); the held-out replay refits with it
INTENT_C_GRID = (2.0, 8.0, 32.0)
PARTS = ["kinds", "intents"]
FOLDS = 5


def stand_ins(films: list[dict]) -> list[Item]:
    return [Item(-1 - n, f"film-{n}", f["title"], f.get("year"), (), "") for n, f in enumerate(films)]


def turn_examples(text: str, shown: list[Item], gold_shown: dict[int, set], titles: list[dict]) -> list[tuple[str, set]]:
    """(context, kinds) for every target a message has: the shown items the lookup finds (gold kinds, or none),
    the shown items it misses but the annotator marked (the whole message), and every title written out."""
    found = shown_targets(text, shown)
    spans = [(text.find(t["title"]), text.find(t["title"]) + len(t["title"])) for t in titles if t["title"] in text]
    out = []
    for target in found:
        index = shown.index(target.item)
        out.append((context(text, target, spans), gold_shown.get(index, set())))
    missed = set(gold_shown) - {shown.index(t.item) for t in found}
    for index in sorted(missed):
        out.append((context(text, Target(shown[index], (), True), spans), gold_shown[index]))
    for title, span in zip((t for t in titles if t["title"] in text), spans):
        target = Target(Item(0, "named", title["title"], None, (), ""), (span,), False)
        out.append((context(text, target, [s for s in spans if s != span]), set(title["kinds"])))
    return out


def redial_examples() -> tuple[list[str], list[set], list[str]]:
    """Contexts, kinds and conversation ids (for grouped folds) from the ReDial dev half."""
    conversations = {c.id: c for c in redial.load()}
    contexts, labels, groups = [], [], []
    for conversation_id, rows in annotations("dev").items():
        for row in rows:
            text = conversations[conversation_id].turns[row["turn"]].text
            gold = {r["shown"]: set(r["kinds"]) for r in row["reactions"]}
            for ctx, kinds in turn_examples(text, stand_ins(row["shown"]), gold, row["titles"]):
                contexts.append(ctx)
                labels.append(kinds)
                groups.append(conversation_id)
    return contexts, labels, groups


def written_examples() -> tuple[list[str], list[set], list[str]]:
    """The same from ``prompts/reaction_examples.jsonl``: ``{"say", "shown": [titles], "reactions": [{"shown": n,
    "kinds": [...]}], "titles": [{"title", "kinds"}]}`` per line."""
    contexts, labels, groups = [], [], []
    if not REACTION_EXAMPLES.exists():
        return contexts, labels, groups
    for n, line in enumerate(REACTION_EXAMPLES.read_text(encoding="utf-8").splitlines()):
        row = json.loads(line)
        shown = stand_ins([{"title": t} for t in row["shown"]])
        gold = {r["shown"]: set(r["kinds"]) for r in row.get("reactions", [])}
        for ctx, kinds in turn_examples(row["say"], shown, gold, row.get("titles", [])):
            contexts.append(ctx)
            labels.append(kinds)
            groups.append(f"written-{n // 10}")
    return contexts, labels, groups


def state_examples() -> tuple[list[str], list[set], list[str], list[set]]:
    """The titles of the project's own dev dialogues (``state_dev*.jsonl``), labelled from the annotated state:
    liked, disliked or neither. Those sets say nothing of seen, chosen or asked: only the judged kinds count."""
    from catalog.build import open_or_build
    from catalog.domain import domain_of
    from chat_app.reader import MessageReader, _spelled_out
    from settings import Settings

    catalog = open_or_build(Settings.from_env())
    titles = MessageReader(catalog, domain_of(catalog)).titles
    contexts, labels, groups = [], [], []
    for path in sorted(DATA.glob("state_dev*.jsonl")):
        for line in path.read_text(encoding="utf-8").splitlines():
            dialogue = json.loads(line)
            for turn in dialogue["turns"]:
                text = _spelled_out(turn["say"])
                mentions = titles.find(text)
                spans = [(m.start, m.end) for m in mentions]
                for mention, span in zip(mentions, spans):
                    kinds = {"liked"} if mention.item.id in turn["state"]["liked"] else \
                        {"disliked"} if mention.item.id in turn["state"]["disliked"] else set()
                    target = Target(mention.item, (span,), False)
                    contexts.append(context(text, target, [s for s in spans if s != span]))
                    labels.append(kinds)
                    groups.append(dialogue["id"])
    return contexts, labels, groups, [JUDGED] * len(contexts)


def fit(x, y: np.ndarray, c: float):
    from sklearn.linear_model import LogisticRegression

    if y.min() == y.max():  # a kind never (or always) seen in a fold
        return None
    return LogisticRegression(C=c, solver="liblinear", class_weight="balanced").fit(x, y)


def cross_validated(x, labels: np.ndarray, known: np.ndarray, groups: list[str], c: float) -> np.ndarray:
    """Out-of-fold probabilities per kind, folds grouped by conversation; each kind learns only from the examples
    whose annotation speaks to it (``known``)."""
    from sklearn.model_selection import GroupKFold

    out = np.zeros(labels.shape)
    for train, held in GroupKFold(FOLDS).split(x, labels, groups):
        for k in range(labels.shape[1]):
            rows = train[known[train, k]]
            model = fit(x[rows], labels[rows, k], c)
            out[held, k] = model.predict_proba(x[held])[:, 1] if model else labels[rows, k].mean()
    return out


def best_threshold(probabilities: np.ndarray, truth: np.ndarray) -> tuple[float, float]:
    """The threshold with the best F1, and that F1."""
    best = (0.5, 0.0)
    for threshold in np.arange(0.2, 0.85, 0.05):
        predicted = probabilities >= threshold
        tp = (predicted & truth).sum()
        f1 = 2 * tp / max(1, predicted.sum() + truth.sum())
        best = max(best, (float(threshold), float(f1)), key=lambda pair: pair[1])
    return best


def fit_variant(x, y: np.ndarray, known: np.ndarray, groups: list[str], name: str,
                report: list[str]) -> dict[str, np.ndarray]:
    """Weights, biases and thresholds per kind, with C and the thresholds chosen by grouped cross-validation."""
    scores = {}
    for c in C_GRID:
        oof = cross_validated(x, y, known, groups, c)
        fitted = [best_threshold(oof[known[:, k], k], y[known[:, k], k]) for k in range(len(KINDS))]
        scores[c] = (np.mean([f1 for _, f1 in fitted]), [t for t, _ in fitted], [f1 for _, f1 in fitted])
    c = max(scores, key=lambda key: scores[key][0])
    mean, thresholds, f1s = scores[c]
    report.append(f"| kinds, {name} | {x.shape[0]} | {c:g} | {mean:.3f} | "
                  + " | ".join(f"{f:.2f} ({t:.2f}, {int(y[known[:, n], n].sum())})"
                               for n, (f, t) in enumerate(zip(f1s, thresholds))) + " |")
    models = [fit(x[known[:, k]], y[known[:, k], k], c) for k in range(len(KINDS))]
    return {f"{name}_weights": np.vstack([m.coef_[0] for m in models]).astype(np.float32),
            f"{name}_bias": np.array([m.intercept_[0] for m in models], dtype=np.float32),
            f"{name}_thresholds": np.array(thresholds, dtype=np.float32)}


def kinds_examples() -> tuple[list[str], list[set], list[str], list[set]]:
    """Every source's contexts, kinds, groups (conversation ids for ReDial) and the kinds each annotation speaks to."""
    contexts, labels, groups = (a + b for a, b in zip(redial_examples(), written_examples()))
    every = [set(KINDS)] * len(contexts)
    more = state_examples()
    return contexts + more[0], labels + more[1], groups + more[2], every + more[3]


def train_kinds(report: list[str]) -> None:
    from catalog.embeddings import default_encoder

    contexts, labels, groups, knowns = kinds_examples()
    y = np.array([[k in kinds for k in KINDS] for kinds in labels], dtype=bool)
    known = np.array([[k in kinds for k in KINDS] for kinds in knowns], dtype=bool)
    encoder = default_encoder()
    saved = {**fit_variant(features(contexts), y, known, groups, "ngrams", report),
             **fit_variant(features(contexts, encoder), y, known, groups, "encoder", report)}
    reactions.MODEL.parent.mkdir(parents=True, exist_ok=True)
    np.savez_compressed(reactions.MODEL, encoder_name=np.array(encoder.name), **saved)


def intent_rows() -> list[dict]:
    """Labelled messages from every annotated dev source, each with a group for the folds (author or conversation)."""
    from chat_app.intents import examples

    rows = [{**r, "group": f"author-{r.get('author', 1)}"} for r in examples()]
    for line in REACTION_EXAMPLES.read_text(encoding="utf-8").splitlines() if REACTION_EXAMPLES.exists() else []:
        row = json.loads(line)
        rows.append({"message": row["say"], "intent": row["intent"], "after_recommendation": bool(row["shown"]),
                     "group": f"written-{row.get('author', '')}"})
    conversations = {c.id: c for c in redial.load()}
    for conversation_id, turns in annotations("dev").items():
        for row in turns:
            rows.append({"message": conversations[conversation_id].turns[row["turn"]].text, "intent": row["intent"],
                         "after_recommendation": bool(row["shown"]), "group": f"redial-{conversation_id}"})
    return rows


def train_intents(report: list[str]) -> None:
    """The decision's learned prior (``chat_app.intents``), C chosen by grouped cross-validation."""
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import GroupKFold

    from catalog.embeddings import default_encoder
    from chat_app.intents import SHIPPED, message_features

    encoder, rows = default_encoder(), intent_rows()
    x = message_features(encoder, [r["message"] for r in rows], [r["after_recommendation"] for r in rows])
    intents = np.array([r["intent"] for r in rows])
    groups = [r["group"] for r in rows]
    real = np.array([g.startswith("redial") for g in groups])
    accuracy = {}
    for c in INTENT_C_GRID:
        right = np.zeros(len(rows), bool)
        for train, held in GroupKFold(FOLDS).split(x, intents, groups):
            model = LogisticRegression(C=c, max_iter=3000).fit(x[train], intents[train])
            right[held] = model.predict(x[held]) == intents[held]
        accuracy[c] = right.mean()
        report.append(f"| intents | {len(rows)} | {c:g} | {right.mean():.3f} | ReDial dev {right[real].mean():.3f} "
                      f"| the others {right[~real].mean():.3f} |")
    model = LogisticRegression(C=max(accuracy, key=accuracy.get), max_iter=3000).fit(x, intents)
    np.savez_compressed(SHIPPED, encoder_name=np.array(encoder.name), intents=model.classes_.astype(str),
                        weights=model.coef_.astype(np.float32), bias=model.intercept_.astype(np.float32))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.train_reader", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", type=Path, help="write the cross-validated figures to this file")
    parser.add_argument("--parts", nargs="+", default=PARTS, choices=PARTS)
    args = parser.parse_args(argv)
    kinds, intents = [], []
    if "kinds" in args.parts:
        train_kinds(kinds)
    if "intents" in args.parts:
        train_intents(intents)
    body = ("What a message says of an item (kinds): F1 per kind, cross-validated over the dev conversations "
            "(threshold chosen, positive examples in brackets); the row with the encoder is the one the app uses "
            "with MiniLM.\n\n| model | contexts | C | mean F1 | " + " | ".join(KINDS) + " |\n|---" * 1
            + "|---" * (len(KINDS) + 3) + "|\n" + "\n".join(kinds)
            + "\n\nThe decision's learned prior: accuracy, cross-validated over authors and conversations.\n\n"
              "| model | messages | C | accuracy | real people | written to order |\n|---|---|---|---|---|---|\n"
            + "\n".join(intents))
    print(body)
    write_report(args.out, "The reader's learned parts, as trained", "benchmarks.train_reader", argv, body)
    return 0


if __name__ == "__main__":
    sys.exit(main())
