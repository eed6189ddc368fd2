"""The hardening probes of issue 20 as rows of ``benchmarks.load_sessions``: each sends what the public probe sent
to the page on loopback and counts the answers that were the expected one, with the resident memory (RSS) of
the process before, at its peak and after. The server runs in this process, so its RSS includes the probing
clients; they share one pooled HTTP client and stream large bodies, so they hold little. Memory Python frees is
not always given back to the system, so an RSS that stays up after a probe is a ceiling, not a leak.

1. oversized inputs: a 20 MB body to every endpoint, the queue and MCP; four 5 MB queries at once; the list and
   text fields of ``recommend`` just over their bounds;
2. uploads and cross-origin writes: a 50 MB upload from another origin and from none, the API called from
   another origin, and the files Gradio's upload folder gained;
4. a catalog user's history read through anonymous ``recommend`` calls with their ``user_id`` (every genre times
   five year ranges, k=100) where the operator keeps catalog users private (the bookshop example);
5. bursts and growth: new sessions all at once, more chats at once than may wait for the model, many anonymous
   sessions (each a new session and a like), tokens used after ``forget``;
6. the page's private events called by name, the OpenAPI schemas and the monitoring dashboard.

Probe 3, the prompt leak, is ``benchmarks.eval_secrecy`` (docs/secrecy.md).
"""

from __future__ import annotations

import json
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import psutil

HUGE = 20_000_000
EVIL = {"Origin": "http://evil.example"}
HEADER = ["| probe | requests | expected answer | got it | RSS MB before / peak / after | wall s |",
          "|---|---|---|---|---|---|"]


@dataclass
class Row:
    name: str
    expected: str
    requests: int = 0
    got: int = 0
    note: str = ""
    rss: tuple[float, float, float] = (0.0, 0.0, 0.0)  # MB: before, peak, after
    wall: float = 0.0

    def line(self) -> str:
        note = f" ({self.note})" if self.note else ""
        before, peak, after = self.rss
        return (f"| {self.name} | {self.requests} | {self.expected} | {self.got}{note} | "
                f"{before:.0f} / {peak:.0f} / {after:.0f} | {self.wall:.1f} |")

    @property
    def held(self) -> bool:
        return self.got == self.requests


def rss_mb() -> float:
    return psutil.Process().memory_info().rss / 2**20


class Watch:
    """The process's RSS before, at its peak (sampled every 20 ms) and after a block, and the block's wall time."""

    def __init__(self, row: Row):
        self.row, self.done = row, threading.Event()

    def sample(self) -> None:
        while not self.done.wait(0.02):
            self.peak = max(self.peak, rss_mb())

    def __enter__(self) -> Row:
        self.before = self.peak = rss_mb()
        self.clock = time.monotonic()
        threading.Thread(target=self.sample, daemon=True).start()
        return self.row

    def __exit__(self, *exc) -> None:
        self.done.set()
        after = rss_mb()
        self.row.rss, self.row.wall = (self.before, max(self.peak, after), after), time.monotonic() - self.clock


def streamed(size: int, chunk: int = 65_536) -> Iterator[bytes]:
    for start in range(0, size, chunk):
        yield b"x" * min(chunk, size - start)


def sized(size: int) -> dict:
    return {"content": streamed(size), "headers": {"Content-Type": "application/json", "Content-Length": str(size)}}


def call(client: httpx.Client, name: str, data: list | None = None, **post) -> tuple[int, object, httpx.Headers]:
    """``POST /gradio_api/call/<name>`` and, once taken, its result: (status, answer, the POST's headers). The
    answer is the endpoint's return value, or the refusal's text."""
    post = post if "content" in post else {"json": {"data": data or []}, **post}
    posted = client.post(f"gradio_api/call/{name}", **post)
    if posted.status_code != 200:
        return posted.status_code, posted.text, posted.headers
    result = client.get(f"gradio_api/call/{name}/{posted.json()['event_id']}").text
    return 200, json.loads(result.rsplit("data: ", 1)[-1])[0], posted.headers


def files_in(folder: Path) -> int:
    return sum(1 for _ in folder.rglob("*")) if folder.exists() else 0


def at_once(jobs: list[Callable[[], object]]) -> list:
    """Run every job in its own thread, all released together; their results (or errors) in order."""
    results: list = [None] * len(jobs)
    start = threading.Barrier(len(jobs))

    def run(n: int) -> None:
        start.wait()
        try:
            results[n] = jobs[n]()
        except httpx.HTTPError as exc:
            results[n] = exc

    threads = [threading.Thread(target=run, args=(n,), daemon=True) for n in range(len(jobs))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(300)
    return results


def pooled(url: str) -> httpx.Client:
    """One client for every probe, with a connection for each simultaneous caller."""
    return httpx.Client(base_url=url, timeout=300, limits=httpx.Limits(max_connections=None))


def oversized(client: httpx.Client, names: tuple[str, ...]) -> Row:
    row = Row("1. a 20 MB body to each endpoint, the queue and MCP; four 5 MB queries at once; each recommend "
              "field just over its bound", "413, or an error naming the field")
    over, many = "x" * 4001, ["Fantasy"] * 21
    fields = ([over, None, None, None, None, None, None, 3], ["", many, None, None, None, None, None, 3],
              ["", None, many, None, None, None, None, 3], ["", None, None, None, None, [over], None, 3])
    with Watch(row):
        refused = [call(client, name, **sized(HUGE))[0] for name in names]
        refused += [client.post(path, **sized(HUGE)).status_code for path in ("gradio_api/queue/join",
                                                                             "gradio_api/mcp/")]
        refused += [answer[0] for answer in at_once([lambda: call(client, "recommend", **sized(HUGE // 4))] * 4)]
        answers = [call(client, "recommend", data)[1] for data in fields]
    row.requests = len(refused) + len(answers)
    row.got = refused.count(413) + sum("at most" in str(answer.get("error", "")) for answer in answers)
    return row


def uploads(client: httpx.Client, upload_folder: Path) -> Row:
    row = Row("2. a 50 MB upload from another origin and from none; the API called from another origin",
              "404 (no upload route); 403")
    before = files_in(upload_folder)
    with Watch(row), tempfile.TemporaryFile() as big:
        big.truncate(50_000_000)
        statuses = []
        for headers in (EVIL, {}):
            big.seek(0)
            statuses.append(client.post("gradio_api/upload", files={"files": ("big.bin", big)},
                                        headers=headers).status_code)
        statuses.append(call(client, "new_session", headers=EVIL)[0])
    row.requests, row.got = len(statuses), sum(s == e for s, e in zip(statuses, (404, 404, 403)))
    row.note = f"{files_in(upload_folder) - before} files added to the upload folder"
    return row


def private_history(client: httpx.Client, catalog) -> Row:
    """The probe that read 217 of MovieLens user 1's 272 ratings, against a catalog whose users are private."""
    users = [user for (user,) in catalog.db.execute("select distinct user_id from interactions").fetchall()]
    user = max(users, key=lambda u: len(catalog.history(u)))
    rated = {item for item, _, _ in catalog.history(user)}
    years = [(None, 1989), (1990, 1999), (2000, 2009), (2010, 2019), (2020, None)]
    row = Row(f"4. user {user}'s history through recommend(user_id, each genre × 5 year ranges, k=100), catalog "
              "users private", "an error, no item")
    found: set[int] = set()
    with Watch(row):
        for genre in catalog.genres:
            for low, high in years:
                answer = call(client, "recommend", ["", [genre], None, low, high, None, user, 100])[1]
                row.requests += 1
                row.got += "private" in answer.get("error", "")
                found |= {i for item in answer.get("items", []) for i in item["because_ids"]} & rated
    row.note = f"{len(found)} of their {len(rated)} items recovered"
    return row


def burst(client: httpx.Client, sessions: int) -> Row:
    row = Row(f"5. {sessions} new sessions at once", "a token")
    with Watch(row):
        answers = at_once([lambda: call(client, "new_session")] * sessions)
    statuses = [a[0] if isinstance(a, tuple) else type(a).__name__ for a in answers]
    row.requests, row.got = sessions, statuses.count(200)
    refused = {s: statuses.count(s) for s in set(statuses) - {200}}
    row.note = ", ".join(f"{n} answered {s}" for s, n in sorted(refused.items(), key=str)) or "none refused"
    return row


def model_line(client: httpx.Client, chats: int, room: int) -> Row:
    row = Row(f"5. {chats} chats at once, {room} may wait for the model", "a reply, or 429 with Retry-After")
    tokens = [call(client, "new_session")[1] for _ in range(chats)]
    with Watch(row):
        answers = at_once([lambda token=token: call(client, "chat", ["recommend a novel", token, True])
                           for token in tokens])
    replied = sum(isinstance(a, tuple) and a[0] == 200 and "text" in a[1] for a in answers)
    told = [a for a in answers if isinstance(a, tuple) and a[0] == 429 and "Retry-After" in a[2]]
    row.requests, row.got = chats, replied + len(told)
    waits = sorted(int(a[2]["Retry-After"]) for a in told)
    row.note = f"{replied} replied, {len(told)} told to retry" + (f" after {waits[0]}-{waits[-1]} s" if waits else "")
    return row


def anonymous(client: httpx.Client, demo, agent, sessions: int, item: int) -> Row:
    """Anonymous sessions, each a new session and a like (a stored conversation), from 4 callers at a time; the
    RSS is also noted after each quarter of them."""
    row = Row(f"5. {sessions} anonymous sessions, each a new session and a like", "a token, then a note")
    quarter, marks = sessions // 4, []

    def caller() -> int:
        noted = 0
        for _ in range(quarter // 4):
            token = call(client, "new_session")[1]
            noted += str(call(client, "feedback", [token, item, True])[1]).startswith("Noted")
        return noted

    with Watch(row):
        for _ in range(4):
            row.got += sum(at_once([caller] * 4))
            marks.append(f"{rss_mb():.0f}")
    row.requests = 16 * (quarter // 4)
    row.note = (f"RSS after each quarter {' / '.join(marks)} MB; page state kept for "
                f"{len(demo.state_holder.session_data)} sessions, {agent.sessions.in_use()} session locks held "
                "afterwards")
    return row


def after_forget(client: httpx.Client, sessions: int, item: int) -> Row:
    row = Row(f"5. {sessions} tokens used again after forget", "refused")
    with Watch(row):
        for _ in range(sessions):
            token = call(client, "new_session")[1]
            call(client, "feedback", [token, item, True])
            call(client, "forget", [token])
            row.got += "not a valid session token" in str(call(client, "feedback", [token, item, True])[1])
    row.requests = sessions
    return row


def hidden(client: httpx.Client, demo) -> Row:
    row = Row("6. the page's private events by name; the OpenAPI schemas; the monitoring dashboard", "404; 404; 403")
    private = sorted({fn.api_name for fn in demo.fns.values() if fn.api_visibility == "private" and fn.api_name})
    with Watch(row):
        got = [call(client, name, [None])[0] == 404 for name in private]
        got += [client.get(path).status_code == status
                for path, status in (("openapi.json", 404), ("gradio_api/openapi.json", 404), ("monitoring", 403))]
    row.requests, row.got = len(got), sum(got)
    row.note = f"{len(private)} private events"
    return row
