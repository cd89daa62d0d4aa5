"""A real, local OpenAI-compatible HTTP server for tests and benches: /v1/chat/completions, streamed or not.

It listens on 127.0.0.1 only, in a thread (stdlib `http.server`). Each request goes to a handler that
returns a `Reply`: text and/or tool calls (streamed as server-sent events when the client asks for a
stream, with a usage chunk at the end), or an error status (429, 500...). Every request body and its
headers are kept for assertions.
"""

from __future__ import annotations

import json
import re
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclass
class Reply:
    text: str = ""
    tool_calls: list[tuple[str, Any]] = field(default_factory=list)
    """(function name, arguments as a dict, or a raw string sent as is, malformed or not)."""
    status: int = 200
    prompt_tokens: int = 100
    completion_tokens: int = 20
    error: str = ""
    """The error message sent with a non-200 status."""
    empty: bool = False
    """A 200 stream that carries nothing (llama-cpp-python's answer to a prompt over its context window)."""
    usage: bool = True
    """Whether the stream ends with a usage chunk when asked for one (llama-cpp-python never sends one)."""


def agent_of(body: dict[str, Any]) -> str:
    """The agent a request comes from (teamtui's system prompt says "You are NAME")."""
    found = re.search(r"You are (\w+)", str(body["messages"][0]["content"]))
    return found.group(1) if found else ""


class FakeOpenAI:
    def __init__(self, handler: Callable[[dict[str, Any]], Reply], piece: int = 12, chunk_delay: float = 0.0,
                 slots: str = "") -> None:
        self.handler = handler
        self.piece = piece
        self.chunk_delay = chunk_delay
        """Seconds between streamed chunks (a model generating slowly)."""
        self.slots = slots
        """"" (calls in parallel), "interrupt" (one at a time: a new request ends the stream in flight with
        [DONE] and no finish reason, as llama-cpp-python does by default) or "queue" (one at a time, in turn)."""
        self.context: int | None = None
        """The context window `GET /v1/models` reports (as vLLM's `max_model_len`); None: no such route."""
        self.slot = threading.Lock()
        self.generation = 0
        self.interrupted = 0
        self.most_at_once = 0
        self._streaming = 0
        self.bodies: list[dict[str, Any]] = []
        self.headers: list[dict[str, str]] = []
        self.lock = threading.Lock()
        server = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                pass

            def do_GET(self) -> None:
                if self.path.endswith("/models") and server.context is not None:
                    self._json(200, {"object": "list", "data": [{"id": "whatever", "object": "model",
                                                                  "max_model_len": server.context}]})
                else:
                    self._json(404, {"error": {"message": "not found", "type": "invalid_request_error"}})

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = json.loads(self.rfile.read(length) or b"{}")
                with server.lock:
                    server.bodies.append(body)
                    server.headers.append(dict(self.headers))
                if not self.path.endswith("/chat/completions"):
                    self._json(404, {"error": {"message": "not found", "type": "invalid_request_error"}})
                    return
                reply = server.handler(body)
                if reply.status != 200:
                    self._json(reply.status, {"error": {"message": reply.error or f"status {reply.status}", "type": "error",
                                                        "code": str(reply.status)}})
                elif body.get("stream"):
                    self._stream(body, reply)
                else:
                    self._json(200, _completion(body, reply))

            def _json(self, status: int, obj: dict[str, Any]) -> None:
                data = json.dumps(obj).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                if status == 429:
                    self.send_header("Retry-After", "0")
                self.end_headers()
                self.wfile.write(data)

            def _stream(self, body: dict[str, Any], reply: Reply) -> None:
                self.send_response(200)
                self.send_header("Content-Type", "text/event-stream")
                self.send_header("Cache-Control", "no-cache")
                self.end_headers()
                if server.slots == "queue":
                    with server.slot:
                        self._send(body, reply, None)
                    return
                with server.lock:
                    server.generation += 1
                    mine = server.generation
                self._send(body, reply, mine if server.slots == "interrupt" else None)

            def _send(self, body: dict[str, Any], reply: Reply, mine: int | None) -> None:
                with server.lock:
                    server._streaming += 1
                    server.most_at_once = max(server.most_at_once, server._streaming)
                try:
                    for chunk in [] if reply.empty else _chunks(body, reply, server.piece):
                        if mine is not None and server.generation != mine:  # a newer request took the slot
                            with server.lock:
                                server.interrupted += 1
                            break
                        self.wfile.write(b"data: " + json.dumps(chunk).encode() + b"\n\n")
                        self.wfile.flush()
                        if server.chunk_delay:
                            time.sleep(server.chunk_delay)
                    self.wfile.write(b"data: [DONE]\n\n")
                    self.wfile.flush()
                finally:
                    with server.lock:
                        server._streaming -= 1

        self.httpd = _Server(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.port = self.httpd.server_address[1]
        self.url = f"http://127.0.0.1:{self.port}/v1"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def __enter__(self) -> FakeOpenAI:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


class _Server(ThreadingHTTPServer):
    def handle_error(self, request: Any, client_address: Any) -> None:
        import sys

        if not isinstance(sys.exc_info()[1], ConnectionError):  # a client that gave up (a time-out test) is fine
            super().handle_error(request, client_address)


def _args(a: Any) -> str:
    return a if isinstance(a, str) else json.dumps(a)


def _completion(body: dict[str, Any], reply: Reply) -> dict[str, Any]:
    msg: dict[str, Any] = {"role": "assistant", "content": reply.text or None}
    if reply.tool_calls:
        msg["tool_calls"] = [{"id": f"call_{i}", "type": "function", "function": {"name": n, "arguments": _args(a)}}
                             for i, (n, a) in enumerate(reply.tool_calls)]
    return {"id": "chatcmpl-fake", "object": "chat.completion", "created": 1, "model": body.get("model", "m"),
            "choices": [{"index": 0, "message": msg,
                         "finish_reason": "tool_calls" if reply.tool_calls else "stop"}],
            "usage": {"prompt_tokens": reply.prompt_tokens, "completion_tokens": reply.completion_tokens,
                      "total_tokens": reply.prompt_tokens + reply.completion_tokens}}


def _chunks(body: dict[str, Any], reply: Reply, piece: int) -> list[dict[str, Any]]:
    base = {"id": "chatcmpl-fake", "object": "chat.completion.chunk", "created": 1, "model": body.get("model", "m")}
    out: list[dict[str, Any]] = []

    def delta(d: dict[str, Any], finish: str | None = None) -> None:
        out.append({**base, "choices": [{"index": 0, "delta": d, "finish_reason": finish}]})

    delta({"role": "assistant", "content": ""})
    for i in range(0, len(reply.text), piece):
        delta({"content": reply.text[i:i + piece]})
    for i, (name, a) in enumerate(reply.tool_calls):
        args = _args(a)
        delta({"tool_calls": [{"index": i, "id": f"call_{i}", "type": "function",
                               "function": {"name": name, "arguments": ""}}]})
        step = max(1, len(args) // 3)
        for j in range(0, len(args), step):
            delta({"tool_calls": [{"index": i, "function": {"arguments": args[j:j + step]}}]})
    delta({}, "tool_calls" if reply.tool_calls else "stop")
    if reply.usage and (body.get("stream_options") or {}).get("include_usage"):
        out.append({**base, "choices": [], "usage": {
            "prompt_tokens": reply.prompt_tokens, "completion_tokens": reply.completion_tokens,
            "total_tokens": reply.prompt_tokens + reply.completion_tokens}})
    return out
