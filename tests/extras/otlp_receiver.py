"""A local OTLP/HTTP trace receiver for tests: POST /v1/traces bodies decoded with opentelemetry-proto."""

from __future__ import annotations

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


class Receiver:
    """An http.server on 127.0.0.1 (a free port) keeping every decoded `ExportTraceServiceRequest` it was sent."""

    def __init__(self, request_type: Any) -> None:
        self.requests: list[Any] = []
        self.paths: list[str] = []
        self.content_types: list[str] = []
        received = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                message = request_type()
                message.ParseFromString(body)
                received.requests.append(message)
                received.paths.append(self.path)
                received.content_types.append(self.headers.get("Content-Type", ""))
                self.send_response(200)
                self.send_header("Content-Type", "application/x-protobuf")
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> Receiver:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()

    def spans(self) -> list[Any]:
        return [span for req in self.requests for rs in req.resource_spans for ss in rs.scope_spans
                for span in ss.spans]

    def resources(self) -> list[dict[str, Any]]:
        return [attrs(rs.resource.attributes) for req in self.requests for rs in req.resource_spans]


def value(v: Any) -> Any:
    which = v.WhichOneof("value")
    if which == "array_value":
        return [value(x) for x in v.array_value.values]
    return getattr(v, which)


def attrs(kvs: Any) -> dict[str, Any]:
    return {kv.key: value(kv.value) for kv in kvs}
