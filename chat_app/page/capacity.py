"""How much the page lets wait and keeps at once; each figure was chosen by measurement (docs/load-test.md,
``python -m benchmarks.load_sessions``).

Gradio's queue has one size for every event: a burst of cheap calls filled it and was turned away, and turns
for the model waited behind them. Here each kind of event has its own waiting line: an event that finds its
line full is refused at once with HTTP 429 and ``Retry-After`` (the seconds the events ahead of it should
take, from the mean time of that event so far), which the page shows as a sentence and an API caller can wait
for. Gradio also keeps each client session's page state; beyond ``STATE_SESSIONS`` the least recently used is
dropped, so anonymous sessions cannot grow the server without bound.
"""

from __future__ import annotations

import math

import gradio as gr
from fastapi import HTTPException

MODEL = "model"  # the concurrency group of every event that uses the model
MODEL_EVENT = {"concurrency_limit": 1, "concurrency_id": MODEL}  # one turn at a time
# Turns take 0.3-1.4 s with the default model on 2 cores (docs/turn-latency.md): the last of 32 waits under a
# minute; longer, and a 429 with Retry-After is the clearer answer.
WAITING_TURNS = 32
# Anything else ends in milliseconds: 500 new sessions asked for at once were all answered, in 26 s on 2 cores.
WAITING_OTHER = 512
# About 100 KB of page state each: 10,000 anonymous sessions grew the server by 98 MB for the first 2,500 and 12 MB
# for the next 7,500 (docs/load-test.md).
STATE_SESSIONS = 1000
FIRST_GUESS = 5.0  # seconds per event before one has finished


def busy(waiting: int, seconds: float, turns: bool) -> HTTPException:
    what = "answering other people" if turns else "busy"
    return HTTPException(status_code=429, headers={"Retry-After": str(math.ceil(seconds))},
                         detail=f"The assistant is {what}: {waiting} requests are waiting. Please try again "
                                f"in about {math.ceil(seconds)} s.")


def bound_lines(demo: gr.Blocks) -> None:
    """Give every kind of event in ``demo`` its own waiting line (after ``demo.queue()``)."""
    queue = demo._queue
    queue.max_size = None  # the lines below bound it
    push = queue.push

    async def push_if_room(body, request, username):
        fn = demo.fns.get(body.fn_index) if isinstance(body.fn_index, int) else None
        line = queue.event_queue_per_concurrency_id.get(fn.concurrency_id) if fn else None
        if line is not None:
            room = WAITING_TURNS if fn.concurrency_id == MODEL else WAITING_OTHER
            if len(line.queue) >= room:
                each = queue.process_time_per_fn[fn].avg_time or FIRST_GUESS
                raise busy(len(line.queue), each * len(line.queue) / (line.concurrency_limit or 1),
                           fn.concurrency_id == MODEL)
        return await push(body, request, username)

    queue.push = push_if_room
