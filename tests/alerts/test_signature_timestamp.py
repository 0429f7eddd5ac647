"""The signature scheme as a receiver sees it: X-Newsmon-Timestamp signed together with the body, so that a
captured request cannot be replayed later, not even with a fresh timestamp."""

import hashlib
import hmac
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from newsmon.connectors.sinks.webhook import RetryPolicy, WebhookSink, signature

from newsmon.broker import free_port
from tests.serving import serve_in_background

SECRET = "s3cret"


# The check README.md shows receivers, verbatim.
def verify(secret: bytes, headers: dict[str, str], body: bytes) -> bool:
    timestamp = headers.get("X-Newsmon-Timestamp", "")
    if not timestamp.isdigit() or abs(time.time() - int(timestamp)) > 300:
        return False  # unsigned, or signed over 5 minutes ago: a replay
    mac = hmac.new(secret, timestamp.encode() + b"." + body, hashlib.sha256).hexdigest()
    return hmac.compare_digest(f"sha256={mac}".encode(), headers.get("X-Newsmon-Signature", "").encode())


def posted_by_the_sink(body: bytes) -> tuple[dict[str, str], bytes]:
    """Headers and body of one request the webhook sink really sends."""
    captured: list[tuple[dict[str, str], bytes]] = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802 - http.server API
            captured.append((dict(self.headers), self.rfile.read(int(self.headers["Content-Length"]))))
            self.send_response(204)
            self.end_headers()

        def log_message(self, *args: object) -> None:
            pass

    port = free_port()
    server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
    serve_in_background(server)
    sink = WebhookSink(
        f"http://127.0.0.1:{port}/hook",
        secret=SECRET,
        timeout_seconds=2.0,
        retry=RetryPolicy(max_attempts=1, backoff_initial_seconds=0.1, backoff_max_seconds=0.1),
        rate_per_second=100.0,
    )
    try:
        assert sink.deliver(body, "a1", threading.Event()).delivered
    finally:
        sink.close()
        server.shutdown()
        server.server_close()
    return captured[0]


def test_a_receiver_verifying_with_the_timestamp_accepts_the_sinks_request():
    headers, body = posted_by_the_sink(b'{"alert_id": "a1"}')
    assert abs(int(headers["X-Newsmon-Timestamp"]) - time.time()) < 5
    assert verify(SECRET.encode(), headers, body)
    assert not verify(b"another secret", headers, body)
    assert not verify(SECRET.encode(), headers, body + b" ")


def test_a_replay_with_a_changed_timestamp_fails():
    headers, body = posted_by_the_sink(b'{"alert_id": "a1"}')
    replayed = headers | {"X-Newsmon-Timestamp": str(int(headers["X-Newsmon-Timestamp"]) + 60)}
    assert not verify(SECRET.encode(), replayed, body)


def test_a_replay_of_the_signed_request_as_it_was_is_refused_after_5_minutes():
    old = int(time.time()) - 301
    body = b'{"alert_id": "a1"}'
    headers = {"X-Newsmon-Timestamp": str(old), "X-Newsmon-Signature": signature(body, SECRET, old)}
    assert not verify(SECRET.encode(), headers, body)
    recent = int(time.time()) - 299
    headers = {"X-Newsmon-Timestamp": str(recent), "X-Newsmon-Signature": signature(body, SECRET, recent)}
    assert verify(SECRET.encode(), headers, body)


def test_an_unsigned_request_fails():
    assert not verify(SECRET.encode(), {}, b"{}")
