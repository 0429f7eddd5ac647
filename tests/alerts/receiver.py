"""A real loopback webhook receiver for the sink tests: records every request, verifies signatures, dedupes by
alert_id like a well-behaved receiver, and can fail on purpose (HTTP 500s, or be down: connection refused)."""

from __future__ import annotations

import hashlib
import hmac
import json
import threading
import time
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from newsmon.broker import free_port
from tests.serving import serve_in_background


class Receiver:
    def __init__(self, secret: str | None = None) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}/hook"
        self.secret = secret
        self.fail_next = 0  # answer this many requests with HTTP 500
        self.status = 200
        self.requests: list[dict] = []  # every request: alert_id, answered status, signature ok, time
        self.bodies: dict[str, dict] = {}  # acknowledged alert bodies by alert_id (the receiver's dedupe)
        self._lock = threading.Lock()
        self._server: ThreadingHTTPServer | None = None

    def start(self) -> Receiver:
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 - http.server API
                body = self.rfile.read(int(self.headers["Content-Length"]))
                receiver._record(self, body)

            def log_message(self, *args: object) -> None:
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        serve_in_background(self._server)
        return self

    def stop(self) -> None:
        """Down: further requests are refused at the TCP level until `start` again."""
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def _record(self, handler: BaseHTTPRequestHandler, body: bytes) -> None:
        signed = handler.headers.get("X-Newsmon-Signature")
        timestamp = handler.headers.get("X-Newsmon-Timestamp", "")
        expected = (
            "sha256="
            + hmac.new(self.secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256).hexdigest()
            if self.secret
            else None
        )
        # A receiver refuses a request signed more than 5 minutes ago: a replay.
        fresh = timestamp.isdigit() and abs(time.time() - int(timestamp)) <= 300
        with self._lock:
            if self.fail_next > 0:
                self.fail_next -= 1
                status = 500
            else:
                status = self.status
            alert_id = handler.headers.get("X-Newsmon-Alert-Id")
            self.requests.append(
                {
                    "alert_id": alert_id,
                    "status": status,
                    "signed_ok": signed == expected and fresh,
                    "at": time.monotonic(),
                }
            )
            if status == 200:
                self.bodies.setdefault(alert_id, json.loads(body))
        handler.send_response(status)
        handler.send_header("Content-Length", "0")
        handler.end_headers()

    def acknowledged(self) -> Counter[str]:
        """How many times each alert_id was acknowledged (2xx): exactly once each when nothing is resent."""
        with self._lock:
            return Counter(request["alert_id"] for request in self.requests if request["status"] == 200)
