"""The served-model path (``--llm-url``) against a tiny OpenAI-compatible server on loopback."""

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from chat_app.llm.errors import LLMError
from chat_app.llm.remote import RemoteChatModel
from chat_app.llm.structured import choose


class Handler(BaseHTTPRequestHandler):
    answer = "recommend"

    def log_message(self, *args):
        pass

    def do_POST(self):
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        Handler.last_request = body
        chunk = {"id": "x", "object": "chat.completion.chunk", "created": 0, "model": body["model"],
                 "choices": [{"index": 0, "delta": {"role": "assistant", "content": ""}, "finish_reason": None}]}
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.end_headers()
        for piece in [Handler.answer[:3], Handler.answer[3:]]:
            chunk["choices"][0]["delta"] = {"content": piece}
            self.wfile.write(f"data: {json.dumps(chunk)}\n\n".encode())
        chunk["choices"][0] = {"index": 0, "delta": {}, "finish_reason": "stop"}
        self.wfile.write(f"data: {json.dumps(chunk)}\n\ndata: [DONE]\n\n".encode())


@pytest.fixture(scope="module")
def server():
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}/v1"
    httpd.shutdown()


def test_remote_model_streams_and_chooses(server):
    model = RemoteChatModel(server, model="served-model")
    messages = [{"role": "user", "content": "hello"}]
    assert list(model.stream(messages)) == ["rec", "ommend"]
    assert Handler.last_request["model"] == "served-model" and Handler.last_request["stream"] is True
    option, probs = choose(model, messages, ["chat", "recommend"])
    assert option == "recommend" and probs["recommend"] == 1.0


def test_unreachable_server_gives_a_clear_error():
    model = RemoteChatModel("http://127.0.0.1:9/v1", timeout=2)
    with pytest.raises(LLMError, match="failed"):
        model.complete([{"role": "user", "content": "hello"}])
