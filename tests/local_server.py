"""A local HTTP server on a free port, in a thread: the base of the stand-ins for remote APIs."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


class JsonHandler(BaseHTTPRequestHandler):
    """A quiet handler that answers JSON."""

    content_type = "application/json"

    def log_message(self, *args: Any) -> None:
        pass

    def send_json(self, status: int, body: Any) -> None:
        if status == 204:  # No Content: no body
            self.send_response(status)
            self.end_headers()
            return
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", self.content_type)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)


class AwsJsonHandler(JsonHandler):
    """A stand-in for an AWS API of the JSON protocol: POST /, the operation in X-Amz-Target.

    Subclasses answer their operations in `answer(operation, body)` with (HTTP status, JSON body); the class
    attribute `state` is what they answer from, and its `on_request`, if set, runs first.
    """

    state: Any
    content_type = "application/x-amz-json-1.1"

    def do_POST(self) -> None:  # noqa: N802 - http.server's name
        body = json.loads(self.rfile.read(int(self.headers.get("Content-Length") or 0)) or b"{}")
        operation = (self.headers.get("X-Amz-Target") or "").rsplit(".", 1)[-1]
        self.record(operation, body)
        if self.state.on_request:
            self.state.on_request(self.state)
        self.send_json(*self.answer(operation, body))

    def record(self, operation: str, body: dict[str, Any]) -> None:
        self.state.requests.append((operation, body))

    def answer(self, operation: str, body: dict[str, Any]) -> tuple[int, Any]:
        """What AWS says of an operation the stand-in does not serve; subclasses serve theirs."""
        return self.error("UnknownOperationException", f"{operation} is not in the stub")

    @staticmethod
    def error(kind: str, message: str) -> tuple[int, Any]:
        return 400, {"__type": kind, "message": message}


class LocalServer:
    """`with LocalServer(handler_class) as url:` serves requests with `handler_class` until the block ends."""

    def __init__(self, handler: type[BaseHTTPRequestHandler]) -> None:
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> str:
        self.thread.start()
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def __exit__(self, *exc: Any) -> None:
        self.server.shutdown()
        self.server.server_close()
