"""Every input has a bound. Each field of the page's API and MCP tools is bounded once (``page.limits``) and
checked before any work; the request body as a whole is refused before it is read (``page.guard``), on every
endpoint. Uploads, writes from another origin, the page's private events by name and the OpenAPI schemas are
refused too. Memory is measured with tracemalloc (the peak of what the call itself allocates)."""

import ast
import asyncio
import tracemalloc

import httpx
import pytest
from page_helpers import launch, startup  # noqa: F401

from chat_app.page.api import NAMES, PageApi
from chat_app.page.keys import SessionKeys
from chat_app.page.limits import Limits

HUGE = 20_000_000  # characters, as in the probe that grew the server by 2.4 GB
SMALL_PEAK = 2_000_000  # bytes a refused call may allocate (the oversized value itself is made before counting)


def peak(call, tries: int = 3):
    """The call's result and the peak bytes it allocated: the least of a few tries, since tracemalloc also counts
    what other threads of the test process (a model loading in the background) allocate meanwhile."""
    peaks = []
    for _ in range(tries):
        tracemalloc.start()
        try:
            result = call()
            peaks.append(tracemalloc.get_traced_memory()[1])
        finally:
            tracemalloc.stop()
    return result, min(peaks)


def test_limits_name_the_field_and_its_bound():
    limits = Limits(chars=10, items=2)
    assert limits.problems(texts={"query": "short", "none": None}, lists={"genres": ["a", "b"], "none": None}) == []
    assert limits.problems(texts={"query": "x" * 11}) == ["query: at most 10 characters (got 11)"]
    assert limits.problems(texts={"query": ["x"]}) == ["query: must be text"]
    assert limits.problems(lists={"genres": ["a", "b", "c"]}) == ["genres: at most 2 entries (got 3)"]
    assert limits.problems(lists={"titles": ["x" * 6, "y" * 6]}) == ["titles: at most 10 characters in all"]
    assert limits.problems(lists={"genres": "Drama"}) == ["genres: must be a list of text"]
    assert limits.problems(lists={"genres": [1]}) == ["genres: must be a list of text"]


@pytest.fixture(scope="module")
def api(startup):  # noqa: F811
    return PageApi(startup, SessionKeys.of(startup.settings))


@pytest.mark.parametrize("field,call", [
    ("query", lambda api, big: api.recommend(query=big)),
    ("genres", lambda api, big: api.recommend(genres=[big])),
    ("exclude_genres", lambda api, big: api.recommend(exclude_genres=["Drama"] * 100_000)),
    ("similar_to", lambda api, big: api.recommend(similar_to=[big[:3000], big[:3000]])),
    ("item_id", lambda api, big: {"error": api.feedback(api.new_session(), big, True)}),
])
def test_an_oversized_field_gets_a_clear_error_before_any_work(api, field, call):
    big = "9" * HUGE
    answer, allocated = peak(lambda: call(api, big))
    assert answer["error"].startswith(f"{field}: at most")
    assert allocated < SMALL_PEAK


@pytest.fixture(scope="module")
def page(startup):  # noqa: F811
    demo, url = launch(startup)
    yield demo, url
    demo.close()


def call_api(url: str, name: str, data: list, **post) -> tuple[int, object]:
    """The documented API over plain HTTP (``POST /gradio_api/call/<name>``, then its result)."""
    with httpx.Client(base_url=url, timeout=60) as client:
        posted = client.post(f"gradio_api/call/{name}", json={"data": data}, **post)
        if posted.status_code != 200:
            return posted.status_code, posted.json()
        result = client.get(f"gradio_api/call/{name}/{posted.json()['event_id']}").text
        return 200, result.rsplit("data: ", 1)[1]


def body(size: int, chunk: int = 65_536):
    """A request body of ``size`` bytes, sent in chunks (so the test itself holds little of it)."""
    for start in range(0, size, chunk):
        yield b"x" * min(chunk, size - start)


@pytest.mark.parametrize("name", NAMES)
def test_every_endpoint_refuses_an_oversized_body_before_reading_it(page, startup, name):  # noqa: F811
    _, url = page
    headers = {"Content-Type": "application/json", "Content-Length": str(HUGE)}
    (status, answer), allocated = peak(lambda: call_api(url, name, [], content=body(HUGE), headers=headers))
    assert status == 413 and f"at most {startup.settings.max_request_bytes} bytes" in answer["error"]
    assert allocated < SMALL_PEAK


def test_a_body_without_a_length_is_bounded_too(page):
    _, url = page
    answer, allocated = peak(lambda: httpx.post(url + "gradio_api/queue/join", content=body(HUGE // 2),
                                                headers={"Content-Type": "application/json"}))
    assert answer.status_code == 413 and allocated < SMALL_PEAK


def test_fields_over_their_bounds_are_refused_over_http_and_mcp(page, startup):  # noqa: F811
    from mcp import ClientSession
    from mcp.client.streamable_http import streamablehttp_client

    _, url = page
    long_query = "space " * 1000
    status, answer = call_api(url, "recommend", [long_query, None, None, None, None, None, None, 3])
    assert status == 200 and "query: at most 4000 characters" in answer

    async def over_mcp() -> str:
        async with streamablehttp_client(url + "gradio_api/mcp/") as (read, write, _):
            async with ClientSession(read, write) as session:
                await session.initialize()
                result = await session.call_tool("recommend", {"query": long_query, "genres": ["Drama"] * 50})
                return result.content[0].text

    answer = ast.literal_eval(asyncio.run(over_mcp()))
    assert "query: at most 4000 characters" in answer["error"] and "genres: at most 20 entries" in answer["error"]


def test_no_upload_no_private_event_by_name_no_cross_origin_write(page):
    demo, url = page
    evil = {"Origin": "http://evil.example"}
    for headers in (evil, {}):
        upload = httpx.post(url + "gradio_api/upload", files={"files": ("big.bin", b"x" * 100_000)}, headers=headers)
        assert upload.status_code == 404 and "no uploads" in upload.json()["error"]
    private = [fn.api_name for fn in demo.fns.values() if fn.api_visibility == "private" and fn.api_name]
    assert private and all(call_api(url, name, [None])[0] == 404 for name in private)
    assert call_api(url, "new_session", [], headers=evil)[0] == 403
    same_origin = {"Origin": url.rstrip("/")}
    assert call_api(url, "new_session", [], headers=same_origin)[0] == 200


def test_no_schema_and_no_monitoring_are_served(page):
    _, url = page
    for path in ("openapi.json", "gradio_api/openapi.json", "monitoring"):
        assert httpx.get(url + path).status_code in (403, 404)
    assert httpx.get(url + "gradio_api/info").status_code == 200  # what gradio_client needs stays
