"""``python -m benchmarks.bench_llm --out docs/llm-benchmark.md``: the chat-model runtimes side by side.

Each runtime runs twice, each time in a fresh subprocess: first into an empty cache folder (the first start:
joining and checking the packaged model, plus the checkpoint conversion for transformers, and loading),
then from that cache (the second start) for the measurements: load time (imports included), peak resident
memory, and on one prompt of about 1,050 tokens the cold time to first token (nothing cached), prefill
tokens/s (prompt tokens / cold TTFT), decode tokens/s, and the time to first token with the system prompt's
KV cache already computed. Each timing is the best of ``--repeat`` runs after one warm-up call (other
processes on the machine only ever make a run slower).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from settings import Settings

from .report import write_report

RUNTIMES = {  # name: (label, settings)
    "transformers-0.5b": ("transformers fp32, 0.5B", {"model": "default", "runtime": "transformers",
                                                     "quantization": "none"}),
    "llamacpp-0.5b": ("llama.cpp, 0.5B Q4_K_M", {"model": "default", "runtime": "llama.cpp"}),
    "llamacpp-1.5b": ("llama.cpp, 1.5B Q4_K_M", {"model": "qwen-1.5b", "runtime": "llama.cpp"}),
}
SYSTEM = ("You are a movie recommender. You answer briefly, you only name movies from the catalog, and you "
          "explain each pick from its genres, its year and the user's own ratings. ") * 28
TURN = "I loved Fargo and Heat. List ten crime films from the nineties, one line each, and tell me why."
DECODE_TOKENS = 64
NOTES = """\
Load s: a fresh process from the cache to a ready model, imports included. First start: the same into an
empty cache folder (join the packaged chunks and check their sha256; for transformers also the one-off GGUF
to fp16 checkpoint conversion). Peak RSS: the measuring process's maximum resident memory. Prefill tok/s:
prompt tokens / cold TTFT. TTFT prefix cached: the same prompt after another turn with the same system prompt
(llama.cpp keeps the previous prompt's KV cache and saved states; transformers its prefix cache). llama.cpp
runs the GGUF's own Q4_K_M weights; transformers runs them dequantized to fp32. llama.cpp's threads wait for
each other by spinning, so other busy processes on the same cores slow it much more than torch: compare
figures taken on a quiet machine."""


def settings_for(name: str, data_dir: Path) -> Settings:
    return Settings(data_dir=data_dir, device="cpu", **RUNTIMES[name][1])


def first_start(name: str, data_dir: Path) -> dict:
    from chat_app.llm.loader import load_chat_model

    started = time.perf_counter()
    load_chat_model(settings_for(name, data_dir), progress=lambda m: None)
    return {"first_start_s": time.perf_counter() - started}


def measure(name: str, data_dir: Path, repeat: int) -> dict:
    from chat_app.llm.loader import load_chat_model

    started = time.perf_counter()
    model = load_chat_model(settings_for(name, data_dir), progress=lambda m: None)
    load = time.perf_counter() - started
    prompt = [{"role": "system", "content": SYSTEM}, {"role": "user", "content": TURN}]
    model.complete([{"role": "user", "content": "Hi."}], max_new_tokens=2)  # warm-up
    cold, decode = [], []
    for _ in range(repeat):
        model.clear_cache()
        ttft, tokens_s = timed_stream(model, prompt, DECODE_TOKENS)
        cold.append(ttft)
        decode.append(tokens_s)
    cached = []
    for _ in range(repeat):
        model.clear_cache()
        model.complete([{"role": "system", "content": SYSTEM}, {"role": "user", "content": "Hello."}], 1)
        cached.append(timed_stream(model, prompt, 2)[0])
    n_prompt = len(model.prompt_ids(prompt))
    peak_rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**20  # kB on Linux
    return {"runtime": RUNTIMES[name][0], "load_s": load, "peak_rss_gib": peak_rss, "prompt_tokens": n_prompt,
            "prefill_tok_s": n_prompt / min(cold), "decode_tok_s": max(decode), "ttft_cold_s": min(cold),
            "ttft_prefix_cached_s": min(cached), "features": llama_features() if "llama" in name else "",
            "settings": "safe" if model.notice else "default"}


def llama_features() -> str:
    """What the installed llama.cpp was compiled with ("AVX2 = 1 | FMA = 1 | ..."), the switches that are on."""
    import llama_cpp

    info = llama_cpp.llama_print_system_info().decode()
    return " ".join(part.split("=")[0].strip() for part in info.split("|") if part.strip().endswith("= 1"))


def timed_stream(model, messages: list[dict], max_new_tokens: int) -> tuple[float, float]:
    """Seconds to the first piece, and decode tokens/s after it."""
    started = time.perf_counter()
    first, pieces = None, []
    for piece in model.stream(messages, max_new_tokens):
        first = first or time.perf_counter()
        pieces.append(piece)
    end = time.perf_counter()
    generated = len(model.tokenize("".join(pieces)))
    return first - started, (generated - 1) / (end - first) if generated > 1 and end > first else 0.0


def run_one(name: str, data_dir: Path, *flags: str) -> dict:
    command = [sys.executable, "-m", "benchmarks.bench_llm", "--one", name, "--data-dir", str(data_dir), *flags]
    out = subprocess.run(command, capture_output=True, text=True)
    if out.returncode != 0:
        raise SystemExit(f"{name} failed: {out.stderr.strip()[-2000:]}")
    return json.loads(out.stdout.strip().splitlines()[-1])


def format_report(rows: list[dict], load: tuple[float, float]) -> str:
    import llama_cpp
    import transformers

    lines = [f"Load average {load[0]:.1f} before and {load[1]:.1f} after the run. llama-cpp-python "
             f"{llama_cpp.__version__} ({rows[0].get('features') or 'llama.cpp features not read'}), transformers "
             f"{transformers.__version__}. Prompt: {rows[0]['prompt_tokens']} tokens (system prompt and one turn); "
             f"{DECODE_TOKENS} tokens decoded.", "",
             "| runtime | load s | first start s (empty cache) | peak RSS GiB | prefill tok/s | decode tok/s | "
             "TTFT cold s | TTFT prefix cached s |", "|---|---|---|---|---|---|---|---|"]
    for r in rows:
        lines.append(f"| {r['runtime']} | {r['load_s']:.2f} | {r['first_start_s']:.1f} | {r['peak_rss_gib']:.2f} | "
                     f"{r['prefill_tok_s']:.0f} | {r['decode_tok_s']:.1f} | {r['ttft_cold_s']:.2f} | "
                     f"{r['ttft_prefix_cached_s']:.2f} |")
    return "\n".join(lines + ["", NOTES])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.bench_llm", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runtimes", nargs="+", default=list(RUNTIMES), choices=list(RUNTIMES))
    parser.add_argument("--repeat", type=int, default=3, help="runs per timing; the best is reported")
    parser.add_argument("--out", type=Path, help="also write the report as Markdown to this file")
    parser.add_argument("--one", choices=list(RUNTIMES), help=argparse.SUPPRESS)
    parser.add_argument("--data-dir", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--first-start", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.one:
        if args.first_start:
            print(json.dumps(first_start(args.one, args.data_dir)))
        else:
            print(json.dumps(measure(args.one, args.data_dir, args.repeat)))
        return 0
    rows, load_before = [], os.getloadavg()[0]
    for name in args.runtimes:
        with tempfile.TemporaryDirectory(prefix="bench-llm-") as empty:
            started = run_one(name, Path(empty), "--first-start")
            rows.append({**run_one(name, Path(empty), "--repeat", str(args.repeat)), **started})
            print(json.dumps(rows[-1]), file=sys.stderr)
    report = format_report(rows, (load_before, os.getloadavg()[0]))
    print(report)
    write_report(args.out, "Chat model runtimes on the CPU", "benchmarks.bench_llm", argv, report)
    return 0


if __name__ == "__main__":
    sys.exit(main())
