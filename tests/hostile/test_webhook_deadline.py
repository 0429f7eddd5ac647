"""A webhook receiver that drips its answer must not hold a delivery past the sink's timeout: the timeout is
a total deadline per attempt (status line, headers and body), not a per-read one."""

from __future__ import annotations

import socket
import socketserver
import threading
import time
from collections.abc import Iterator

import pytest
from newsmon.connectors.sinks.webhook import RetryPolicy, WebhookSink

from tests.serving import serve_in_background

TIMEOUT = 1.0
DRIP_INTERVAL = 0.3  # well under httpx's per-read timeout (TIMEOUT): only a total deadline stops it
BODY = b'{"ok": true, "padding": "' + b"x" * 100 + b'"}'
DRIPPED_HEADERS = b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n" % len(
    BODY
)


class DrippingReceiver:
    """A loopback HTTP server answering every POST a byte every DRIP_INTERVAL seconds, from `dripped_from`
    on (the bytes before it are sent at once): 0 drips the status line, len(DRIPPED_HEADERS) the body."""

    def __init__(self, dripped_from: int) -> None:
        self.stop = threading.Event()
        self.requests = 0
        receiver = self

        class Handler(socketserver.BaseRequestHandler):
            def handle(self) -> None:
                connection: socket.socket = self.request
                received = b""
                while b"\r\n\r\n" not in received:
                    chunk = connection.recv(4096)
                    if not chunk:
                        return
                    received += chunk
                receiver.requests += 1
                answer = DRIPPED_HEADERS + BODY
                try:
                    connection.sendall(answer[:dripped_from])
                    for index in range(dripped_from, len(answer)):
                        if receiver.stop.wait(DRIP_INTERVAL):
                            return
                        connection.sendall(answer[index : index + 1])
                except OSError:
                    return  # the client gave up: what the test expects

        self._server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}/hook"
        self._thread = serve_in_background(self._server)

    def close(self) -> None:
        self.stop.set()
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)


@pytest.fixture(params=[0, len(DRIPPED_HEADERS)], ids=["dripped-status-line", "dripped-body"])
def dripping(request: pytest.FixtureRequest) -> Iterator[DrippingReceiver]:
    receiver = DrippingReceiver(request.param)
    yield receiver
    receiver.close()


def test_a_dripping_webhook_times_out_at_the_total_deadline(dripping: DrippingReceiver):
    sink = WebhookSink(
        dripping.url,
        secret=None,
        timeout_seconds=TIMEOUT,
        retry=RetryPolicy(max_attempts=2, backoff_initial_seconds=0.01, backoff_max_seconds=0.01),
        rate_per_second=1000.0,
    )
    try:
        started = time.monotonic()
        outcome = sink.deliver(b"{}", "alert-1", threading.Event())
        elapsed = time.monotonic() - started
    finally:
        sink.close()
    # The whole answer takes over 40 s to drip; each of the two attempts is cut at TIMEOUT.
    assert (outcome.delivered, outcome.attempts, outcome.reason) == (False, 2, "timeout"), outcome
    assert dripping.requests == 2
    assert 2 * TIMEOUT <= elapsed < 2 * TIMEOUT + 1.5, elapsed
