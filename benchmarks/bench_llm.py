"""``python -m benchmarks.bench_llm``: speed of the chat model on this machine, one table row per precision.

Each precision runs in a fresh subprocess so load time and resident memory are its own. Columns: load time
from the converted cache, RSS after load, prefill and decode tokens/s, time to first token of a typical
turn with and without the prefix KV cache, and whether greedy output equals fp32's. ``--first-load``
also times the one-off join + GGUF conversion into an empty cache folder.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from settings import Settings, add_arguments

PRECISIONS = {"fp32": "none", "int8-dynamic": "int8", "nf4-bitsandbytes": "nf4"}
SYSTEM = ("You are a movie recommender. You answer briefly, you only name movies from the catalog, and you "
          "explain each pick from its genres, its year and the user's own ratings. ") * 6
TURN = "I loved Fargo and Heat. Recommend me a crime film from the nineties and tell me why."


def measure(settings: Settings, precision: str) -> dict:
    import psutil

    from chat_app.llm.loader import load_local_model

    started = time.perf_counter()
    model = load_local_model(settings.model, settings.replace(device="cpu", quantization=PRECISIONS[precision]),
                             progress=lambda m: None)
    load = time.perf_counter() - started
    rss = psutil.Process().memory_info().rss / 2**30
    long_prompt = [{"role": "system", "content": SYSTEM * 2}, {"role": "user", "content": TURN}]
    n_prompt = len(model.prompt_ids(long_prompt))
    model.use_prefix_cache = False
    started = time.perf_counter()
    model.complete(long_prompt, max_new_tokens=1)
    prefill = n_prompt / (time.perf_counter() - started)
    turn = [{"role": "system", "content": SYSTEM}, {"role": "user", "content": TURN}]
    cold_ttft, answer, decode = _timed_stream(model, turn, 48)
    model.use_prefix_cache = True
    model.complete([{"role": "system", "content": SYSTEM}, {"role": "user", "content": "Hello."}], 1)  # warm prefix
    warm_ttft, _, _ = _timed_stream(model, turn, 4)
    return {"precision": precision, "load_s": load, "rss_gib": rss, "prompt_tokens": n_prompt,
            "prefill_tok_s": prefill, "decode_tok_s": decode, "ttft_cold_s": cold_ttft,
            "ttft_prefix_cached_s": warm_ttft, "answer": answer}


def _timed_stream(model, messages, max_new_tokens) -> tuple[float, str, float]:
    started = time.perf_counter()
    first, pieces = None, []
    for piece in model.stream(messages, max_new_tokens):
        first = first or time.perf_counter()
        pieces.append(piece)
    end = time.perf_counter()
    text = "".join(pieces)
    generated = len(model.tokenizer(text, add_special_tokens=False)["input_ids"])
    decode = (generated - 1) / (end - first) if first and generated > 1 and end > first else 0.0
    return (first or end) - started, text, decode


def first_load(settings: Settings) -> float:
    """Seconds to join, verify, convert and load the packaged model into an empty cache folder."""
    from chat_app.llm.loader import load_local_model

    with tempfile.TemporaryDirectory() as empty:
        started = time.perf_counter()
        load_local_model(settings.model, settings.replace(data_dir=empty, device="cpu"), progress=lambda m: None)
        return time.perf_counter() - started


def format_table(rows: list[dict], reference: str | None) -> str:
    lines = ["| precision | load s (cached) | RSS GiB | prefill tok/s | decode tok/s | TTFT cold s | "
             "TTFT prefix-cached s | same answer as fp32 |", "|---|---|---|---|---|---|---|---|"]
    for r in rows:
        same = "yes" if r["answer"] == reference else "no"
        lines.append(f"| {r['precision']} | {r['load_s']:.1f} | {r['rss_gib']:.2f} | {r['prefill_tok_s']:.0f} | "
                     f"{r['decode_tok_s']:.1f} | {r['ttft_cold_s']:.2f} | {r['ttft_prefix_cached_s']:.2f} | {same} |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.bench_llm", description=__doc__)
    parser.add_argument("--precisions", nargs="+", default=list(PRECISIONS), choices=list(PRECISIONS))
    parser.add_argument("--first-load", action="store_true", help="also time the one-off conversion")
    parser.add_argument("--out", type=Path, help="also write the report as Markdown to this file")
    parser.add_argument("--one", choices=list(PRECISIONS), help=argparse.SUPPRESS)
    add_arguments(parser, "model", "data_dir")
    args = parser.parse_args(argv)
    settings = Settings.from_args(args)
    if args.one:
        print(json.dumps(measure(settings, args.one)))
        return 0
    from chat_app.llm.packaged import packaged_checkpoint  # make sure the cache exists before timing cached loads

    if settings.model in ("default", "qwen-1.5b"):
        packaged_checkpoint(settings.model, settings.data_dir / "models", progress=lambda m: None)
    rows = []
    for precision in args.precisions:
        command = [sys.executable, "-m", "chat_app.bench_llm", "--one", precision, "--model", settings.model,
                   "--data-dir", str(settings.data_dir)]
        out = subprocess.run(command, capture_output=True, text=True)
        if out.returncode != 0:
            print(f"{precision}: failed: {out.stderr.strip().splitlines()[-1:]}", file=sys.stderr)
            continue
        rows.append(json.loads(out.stdout.strip().splitlines()[-1]))
    reference = next((r["answer"] for r in rows if r["precision"] == "fp32"), None)
    report = [f"model: {settings.model}; prompt of the prefill row: {rows[0]['prompt_tokens'] if rows else '?'} tokens",
              format_table(rows, reference)]
    if args.first_load:
        report.append(f"\nfirst start (join + sha256 + GGUF conversion + load): {first_load(settings):.1f} s")
    print("\n".join(report))
    if args.out:
        args.out.write_text("\n".join(report) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
