"""``python -m benchmarks.bench_start``: the whole app as a person starts it: seconds from launching ``app.py``
to ``GET /ready`` answering 200, the agent's own ready time from its start-up log, the seconds of a few turns
through the ``/chat`` API right after, and the process's peak resident memory (VmHWM, Linux) at the end.
Run it after a first start, so the catalog, the recommender and the model cache exist."""

from __future__ import annotations

import argparse
import re
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path

from settings import REPO_ROOT

from .report import write_report

TURNS = ["hi", "recommend me some sci-fi from the 80s", "nothing later than 1985", "why the first one?",
         "more please"]


def wait_ready(port: int, started: float, timeout: float) -> float | None:
    while time.monotonic() - started < timeout:
        try:
            if urllib.request.urlopen(f"http://127.0.0.1:{port}/ready", timeout=1).status == 200:
                return time.monotonic() - started
        except OSError:
            pass
        time.sleep(0.1)
    return None


def main(argv: list[str] | None = None) -> int:
    from gradio_client import Client

    parser = argparse.ArgumentParser(prog="python -m benchmarks.bench_start", description=__doc__)
    parser.add_argument("--db", type=Path, help="catalog database (as for app.py)")
    parser.add_argument("--port", type=int, default=7871)
    parser.add_argument("--out", type=Path, help="also write the table as Markdown")
    args = parser.parse_args(argv)
    command = [sys.executable, "app.py", "--port", str(args.port)] + (["--db", str(args.db)] if args.db else [])
    started = time.monotonic()
    app = subprocess.Popen(command, cwd=REPO_ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    log: list[str] = []
    threading.Thread(target=lambda: log.extend(app.stdout), daemon=True).start()
    try:
        ready = wait_ready(args.port, started, timeout=300)
        if ready is None:
            print("the app did not answer /ready within 300 s:\n" + "".join(log), file=sys.stderr)
            return 1
        client = Client(f"http://127.0.0.1:{args.port}/", verbose=False)
        token = client.predict(api_name="/new_session")
        rows = []
        for message in TURNS:
            clock = time.monotonic()
            client.predict(message, token, api_name="/chat")
            rows.append(f"| turn: {message} | {time.monotonic() - clock:.2f} s |")
        peak = int(re.search(r"VmHWM:\s+(\d+)", Path(f"/proc/{app.pid}/status").read_text())[1]) / 2**20
    finally:
        app.terminate()
        app.wait(10)
    agent = next((m[1] for line in log if (m := re.search(r"ready after ([\d.]+) s", line))), "?")
    table = "\n".join(["| measure | value |", "|---|---|",
                       f"| launch to GET /ready = 200 (imports, Gradio and MCP launch included) | {ready:.2f} s |",
                       f"| agent ready (start-up log) | {agent} s |", *rows,
                       f"| peak resident memory of the app after these turns | {peak:.2f} GiB |"])
    print(table)
    write_report(args.out, "Start-up and memory of the whole app", "benchmarks.bench_start", argv, table)
    return 0


if __name__ == "__main__":
    sys.exit(main())
