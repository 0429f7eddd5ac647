"""Loopback servers of the tests, served from a daemon thread."""

from __future__ import annotations

import socketserver
import threading

# serve_forever looks for shutdown() once per poll interval, 0.5 s by default: every test stopping a server
# waited up to that long for it.
SHUTDOWN_POLL_SECONDS = 0.05


def serve_in_background(server: socketserver.BaseServer) -> threading.Thread:
    """Serve `server` from a daemon thread until `server.shutdown()`, which then returns within 0.05 s."""
    thread = threading.Thread(
        target=server.serve_forever, kwargs={"poll_interval": SHUTDOWN_POLL_SECONDS}, daemon=True
    )
    thread.start()
    return thread
