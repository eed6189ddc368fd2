"""``python -m benchmarks.bench_builds --out docs/llama-builds.md``: llama.cpp builds compared on this CPU.

Each build of llama-cpp-python is compiled once into ``~/.cache/chatrec/bench-builds/<name>`` (3-7 minutes on
2 cores) and measured by ``benchmarks.bench_llm`` in a fresh process that imports it first: prefill and decode
speed of the packaged 0.5B model, and whether the app's CPU guard had to fall back to its safe settings (a
build whose default settings crash on this CPU). ``portable`` is the build ``make`` installs (its flags are read
from the Makefile, the one place they live); ``native`` is llama.cpp's own default (``-march=native``: AMX
kernels on a Sapphire Rapids Xeon); ``avx512`` adds AVX-512 (VBMI, VNNI, BF16) and AVX-VNNI to the portable
set, without AMX.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

from .report import write_report

CACHE = Path.home() / ".cache" / "chatrec" / "bench-builds"
REPO = Path(__file__).resolve().parents[1]
AVX512 = ("-DGGML_AVX512=ON -DGGML_AVX512_VBMI=ON -DGGML_AVX512_VNNI=ON -DGGML_AVX512_BF16=ON -DGGML_AVX_VNNI=ON")


def portable_flags() -> str:
    return subprocess.run(["make", "-s", "-C", str(REPO), "llama-args"], capture_output=True, text=True,
                          check=True).stdout.strip()


def builds() -> dict[str, str | None]:
    """Build name -> CMAKE_ARGS (None: the one installed in this environment)."""
    portable = portable_flags()
    return {"portable": None, "native": "-DLLAVA_BUILD=OFF",
            "avx512": portable.replace("-DGGML_AVX_VNNI=OFF -DGGML_AVX512=OFF", AVX512)}


def installed(name: str, flags: str | None) -> Path | None:
    """The folder holding the build (compiled when missing or made with other flags); None for the venv's own."""
    if flags is None:
        return None
    folder = CACHE / name
    if (folder / "flags.txt").exists() and (folder / "flags.txt").read_text() == flags:
        return folder / "lib"
    version = next(line.split("==")[1] for line in (REPO / "requirements.txt").read_text().splitlines()
                   if line.startswith("llama-cpp-python=="))
    print(f"compiling llama-cpp-python {version} as {name!r}: {flags}", file=sys.stderr)
    with tempfile.TemporaryDirectory() as wheels:
        pip = [sys.executable, "-m", "pip"]
        subprocess.run(pip + ["wheel", "--no-deps", "--no-cache-dir", "--no-binary", "llama-cpp-python", "-w", wheels,
                              f"llama-cpp-python=={version}"], env={**os.environ, "CMAKE_ARGS": flags}, check=True)
        subprocess.run(pip + ["install", "--no-deps", "--upgrade", "--target", str(folder / "lib"),
                              *map(str, Path(wheels).glob("*.whl"))], check=True)
    (folder / "flags.txt").write_text(flags)
    return folder / "lib"


def measure(name: str, lib: Path | None, data_dir: Path, repeat: int) -> dict:
    env = dict(os.environ)
    if lib is not None:
        env["PYTHONPATH"] = os.pathsep.join([str(lib), str(REPO)])
    command = [sys.executable, "-m", "benchmarks.bench_llm", "--one", "llamacpp-0.5b", "--data-dir", str(data_dir),
               "--repeat", str(repeat)]
    out = subprocess.run(command, capture_output=True, text=True, env=env, cwd=REPO)
    if out.returncode != 0:
        return {"build": name, "error": out.stderr.strip().splitlines()[-1][:200] if out.stderr.strip() else
                f"exit status {out.returncode}"}
    return {"build": name, **json.loads(out.stdout.strip().splitlines()[-1])}


def format_report(rows: list[dict], flags: dict[str, str | None]) -> str:
    portable = next((r for r in rows if r["build"] == "portable" and "error" not in r), None)
    lines = ["| build | CMAKE_ARGS | llama.cpp features | settings | prefill tok/s | decode tok/s | "
             "prefill vs portable | decode vs portable |", "|---|---|---|---|---|---|---|---|"]
    for r in rows:
        shown = flags[r["build"]] or portable_flags()  # the Makefile's (`make -s llama-args`)
        if "error" in r:
            lines.append(f"| {r['build']} | `{shown}` | | failed: {r['error']} | | | | |")
            continue
        rel = [f"{r[k] / portable[k]:.2f}" if portable else "" for k in ("prefill_tok_s", "decode_tok_s")]
        lines.append(f"| {r['build']} | `{shown}` | {r['features']} | {r['settings']} | {r['prefill_tok_s']:.0f} | "
                     f"{r['decode_tok_s']:.1f} | {rel[0]} | {rel[1]} |")
    return "\n".join(lines + ["", "Settings: `default`, or `safe` where the CPU guard's probe of the default "
                              "settings crashed (no extra buffer types: no AMX, no weight repacking). llama.cpp "
                              "features: what the build reports it was compiled with (llama_print_system_info). "
                              "Best of the runs, as in docs/llm-benchmark.md."])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.bench_builds", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--builds", nargs="+", default=["portable", "native", "avx512"])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--out", type=Path)
    args = parser.parse_args(argv)
    flags = builds()
    rows = []
    with tempfile.TemporaryDirectory(prefix="bench-builds-") as data:
        for name in args.builds:
            rows.append(measure(name, installed(name, flags[name]), Path(data), args.repeat))
            print(json.dumps(rows[-1]), file=sys.stderr)
    report = format_report(rows, flags)
    print(report)
    write_report(args.out, "llama.cpp builds on this CPU", "benchmarks.bench_builds", argv, report)
    return 0


if __name__ == "__main__":
    sys.exit(main())
