"""The page's front door: which requests reach Gradio at all (an ASGI middleware, see ``serve.serve_options``).

* A request body over ``max_request_bytes`` is refused (413) before it is read: no field is parsed, so a 20 MB
  query costs nothing.
* A request that changes state (any method but GET, HEAD and OPTIONS) from a web page of another origin is
  refused (403). A multipart or form POST needs no CORS preflight, so without this any site the user visits
  could call the page's API. The request's ``Origin`` must name the host it was sent to (a reverse proxy in
  front of the page must pass the ``Host`` header on).
* Only the routes that the page and its API use accept such requests: joining the queue, the documented API
  by name, cancelling, resetting and MCP. Everything else is 404: file upload (the page has no upload
  component), screen recordings, the page's private events called by name.
* The OpenAPI schemas are not served (Gradio's monitoring dashboard is switched off where it is launched).
"""

from __future__ import annotations

from collections.abc import Collection
from urllib.parse import urlsplit

from starlette.datastructures import Headers
from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

READ_ONLY = {"GET", "HEAD", "OPTIONS"}
OPEN_ROUTES = ("/gradio_api/queue/join", "/gradio_api/cancel", "/gradio_api/reset")
MCP = "/gradio_api/mcp"
HIDDEN = ("/openapi.json", "/gradio_api/openapi.json")


class Guard:
    def __init__(self, app: ASGIApp, max_bytes: int, api_names: Collection[str]):
        self.app, self.max_bytes = app, max_bytes
        self.calls = {f"/gradio_api/call/{v}{name}" for name in api_names for v in ("", "v2/")}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers, method, path = Headers(scope=scope), scope["method"], route_path(scope)
        refusal = self.refusal(method, path, headers)
        if refusal is None and method not in READ_ONLY:
            body, refusal = await self.read_body(receive, headers)
            receive = replay(body, receive)
        if refusal is not None:
            status, message = refusal
            await JSONResponse({"error": message, "detail": message}, status_code=status)(scope, receive, send)
            return
        await self.app(scope, receive, send)

    def refusal(self, method: str, path: str, headers: Headers) -> tuple[int, str] | None:
        """(status, sentence) for a request that is refused before it is read, else None."""
        path = path.rstrip("/") or "/"
        if path in HIDDEN:
            return 404, "Not served."
        if method in READ_ONLY:
            return None
        if not (path in OPEN_ROUTES or path in self.calls or path == MCP or path.startswith(MCP + "/")):
            return 404, "No such route: this page takes no uploads, and its API is the documented one."
        origin = headers.get("origin")
        if origin is not None and urlsplit(origin).netloc.lower() != headers.get("host", "").lower():
            return 403, "Cross-origin requests are refused: call the API from a script, not from another site."
        length = headers.get("content-length", "0")
        if not length.isdigit() or int(length) > self.max_bytes:
            return 413, self.too_large()
        return None

    async def read_body(self, receive: Receive, headers: Headers) -> tuple[bytes, tuple[int, str] | None]:
        """The whole body (at most ``max_bytes``), read before the app sees it: a body sent without a length, or
        longer than its stated length, is bounded too."""
        chunks, size = [], 0
        while True:
            message = await receive()
            if message["type"] != "http.request":
                return b"", (400, "The request ended before its body.")
            size += len(message.get("body", b""))
            if size > self.max_bytes:
                return b"", (413, self.too_large())
            chunks.append(message.get("body", b""))
            if not message.get("more_body"):
                return b"".join(chunks), None

    def too_large(self) -> str:
        return f"The request is too large: its body may have at most {self.max_bytes} bytes."


def route_path(scope: Scope) -> str:
    """The path inside the app, without the prefix it is mounted under."""
    root, path = scope.get("root_path", ""), scope["path"]
    return path[len(root):] if root and path.startswith(root) else path


def replay(body: bytes, receive: Receive) -> Receive:
    """A ``receive`` that gives the body already read, then whatever the client sends next (a disconnect)."""
    sent = False

    async def again() -> Message:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()

    return again
