"""``python -m benchmarks.simulate``: a simulated-user evaluation in the style of iEvaLM and InteRecAgent.

A simulated user holds a hidden target: a movie they rated 4 or 5 that the recommender's ``random``
protocol held out. Over up to five turns they describe it vaguely, one hint a turn: its genre, its decade,
a movie they liked that resembles it, another of its genres, another liked movie that resembles it. A
session ends when the target is among the five picks. Reported per configuration: hit@5 within five turns,
the average number of turns used (five for a miss), and NDCG@5 of the target in the last list. Seeded, so
the numbers repeat. Configurations: the agent with the LLM re-rank, the agent without it, and the
recommender tool alone (the same parsed constraints, no LLM).
"""

from __future__ import annotations

import argparse
import json
import math
import sys
import uuid
from pathlib import Path

import numpy as np

from catalog.build import open_or_build
from recommender.data import ItemTable
from .recommender_eval import SplitData
from recommender.models import make_model
from recommender.service import Recommender
from .splits import split
from settings import Settings, add_arguments

from chat_app.agent import SHOW, Agent
from chat_app.decide import INTENTS
from chat_app.llm.fake import FakeChatModel
from chat_app.sessions import SessionStore

MAX_TURNS = 5
CONFIGS = ("agent + LLM re-rank", "agent, no re-rank", "recommender alone")


def hints(catalog, model, items: ItemTable, target: int, liked: list[int], rng) -> list[str]:
    """Five vague descriptions of the target, from the catalog's facts and the user's own likes."""
    item = catalog.item(target)
    genres = list(item.genres) or ["good"]
    cols = items.columns(liked)
    strength = model.affinity(cols, items.columns([target]))[:, 0] if len(cols) else np.zeros(0)
    similar = [catalog.item(int(items.ids[cols[n]])).title for n in np.argsort(-strength)[:2]] if len(cols) else []
    decade = f"{item.year // 10 * 10}s" if item.year else "any era"
    first = rng.choice(genres)
    second = rng.choice([g for g in genres if g != first] or genres)
    return [f"I'm looking for a {first.lower()} movie.",
            f"Only ones from the {decade}, I think.",
            f"More like {similar[0]}." if similar else "Show me other ones.",
            f"Other ones, maybe also {second.lower()}.",
            f"More like {similar[1]}." if len(similar) > 1 else "Show me different ones."]


def sample_users(catalog, users: int, seed: int):
    """(user, target, liked training items, split data) for seeded users of the random protocol."""
    items, interactions = ItemTable.from_catalog(catalog), catalog.interactions()
    data = SplitData.make(items, interactions, "random", seed)
    train = interactions[split(interactions, "random", seed)[0]]
    rng = np.random.default_rng(seed)
    picked = rng.choice(len(data.rows), size=min(users, len(data.rows)), replace=False)
    for index in picked:
        user = int(data.train.user_ids[data.rows[index]])
        mine = train[(train["user"] == user) & (train["rating"] >= 4)]
        target = int(rng.choice(sorted(data.relevant[index])))
        yield user, target, mine["item"].tolist(), data


def run_session(respond, turns: list[str]):
    """Yield (turn number, the latest list shown) as the simulated user speaks."""
    shown = []
    for n, message in enumerate(turns, 1):
        shown = respond(message) or shown
        yield n, shown


def evaluate(settings: Settings, llm, users: int, seed: int, rerank_weight: float) -> dict:
    catalog = open_or_build(settings)
    outcomes = {config: [] for config in CONFIGS}
    recommender = None
    for n, (user, target, liked, data) in enumerate(sample_users(catalog, users, seed), 1):
        if recommender is None:
            model = make_model(settings.recommender).fit(data.train.matrix)
            full = Recommender.for_catalog(catalog, settings.recommender)
            recommender = Recommender(data.items, model, data.train, full.text, full.encoder)
        turns = hints(catalog, recommender.model, data.items, target, liked, np.random.default_rng(seed + n))
        for config in CONFIGS:
            respond = _responder(config, catalog, recommender, llm, settings, rerank_weight, user)
            used, rank = MAX_TURNS, None
            for turn, shown in run_session(respond, turns):
                if target in shown[:SHOW]:
                    used, rank = turn, shown.index(target)
                    break
            outcomes[config].append({"user": user, "target": target, "turns": used, "rank": rank})
        print(f"user {n}/{users}: " + ", ".join(
            f"{c}: {'hit at turn ' + str(outcomes[c][-1]['turns']) if outcomes[c][-1]['rank'] is not None else 'miss'}"
            for c in CONFIGS), file=sys.stderr)
    return {config: summarise(rows) for config, rows in outcomes.items()} | {"raw": outcomes}


def _responder(config, catalog, recommender, llm, settings, rerank_weight, user):
    """``respond(message) -> item ids`` for one configuration, in a fresh session of ``user``."""
    if config == "recommender alone":  # the same turn pipeline with every turn routed to the tool, no LLM
        llm = FakeChatModel(chooser=lambda messages, options: "recommend" if options == INTENTS else options[0])
    weight = rerank_weight if config == "agent + LLM re-rank" else 0.0
    agent = Agent(catalog, recommender, llm, SessionStore(Path(settings.data_dir) / "simulate-sessions.db"),
                  settings.replace(rerank_weight=weight, generate_intro=False))
    session = f"sim-{uuid.uuid4().hex[:8]}"
    agent.set_user(session, user)

    def respond(message):
        reply = agent.respond(session, message)
        return [item["id"] for item in reply.items] if reply.tool_called else []
    return respond


def summarise(rows: list[dict]) -> dict[str, float]:
    hits = [r for r in rows if r["rank"] is not None]
    return {"users": len(rows), "hit@5": len(hits) / len(rows),
            "avg_turns": float(np.mean([r["turns"] for r in rows])),
            "ndcg@5": float(np.mean([1 / math.log2(r["rank"] + 2) if r["rank"] is not None else 0.0 for r in rows]))}


def write_outputs(result: dict, folder: Path, command: str) -> str:
    lines = ["| configuration | users | hit@5 within 5 turns | average turns | NDCG@5 at the last turn |",
             "|---|---|---|---|---|"]
    for config in CONFIGS:
        r = result[config]
        lines.append(f"| {config} | {r['users']} | {r['hit@5']:.3f} | {r['avg_turns']:.2f} | {r['ndcg@5']:.3f} |")
    table = "\n".join(lines)
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "simulated-users.md").write_text(f"# Simulated-user evaluation\n\nCommand: `{command}`\n\n{table}\n")
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(7, 3.6))
    x = np.arange(len(CONFIGS))
    ax.bar(x - 0.2, [result[c]["hit@5"] for c in CONFIGS], 0.4, label="hit@5 within 5 turns")
    ax.bar(x + 0.2, [result[c]["ndcg@5"] for c in CONFIGS], 0.4, label="NDCG@5 at the last turn")
    ax.set_xticks(x, CONFIGS)
    ax.set_ylim(0, 1)
    ax.set_title(f"Simulated users (n={result[CONFIGS[0]]['users']}), MovieLens 100K")
    ax.legend()
    fig.tight_layout()
    fig.savefig(folder / "simulated-users.png", dpi=120)
    return table


def main(argv: list[str] | None = None) -> int:
    from chat_app.llm.loader import load_chat_model

    parser = argparse.ArgumentParser(prog="python -m benchmarks.simulate", description=__doc__)
    parser.add_argument("--users", type=int, default=30)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--docs", type=Path, help="write the Markdown table and the PNG plot into this folder")
    add_arguments(parser, "model", "llm_url", "device", "db", "data_dir", "ml100k_dir", "recommender", "rerank_weight")
    args = parser.parse_args(argv)
    settings = Settings.from_args(args)
    llm = load_chat_model(settings, progress=lambda m: print(m, file=sys.stderr))
    weight = settings.rerank_weight or 0.5
    result = evaluate(settings, llm, args.users, args.seed, weight)
    if args.docs:
        print(write_outputs(result, args.docs, "python -m benchmarks.simulate " + " ".join(argv or sys.argv[1:])))
    else:
        print(json.dumps({k: v for k, v in result.items() if k != "raw"}, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
