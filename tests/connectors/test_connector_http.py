"""The fetcher's caps against hostile loopback servers: size, gzip bombs, trickling, redirects, SSRF."""

from __future__ import annotations

import asyncio
import gzip
import ipaddress
import time
from http.server import BaseHTTPRequestHandler

import pytest
from connector_testkit import LoopbackServer, Reply
from newsmon.connectors.errors import (
    BlockedAddress,
    FeedTimeout,
    HttpStatusError,
    InvalidUrl,
    ResponseTooLarge,
    TooManyRedirects,
)
from newsmon.connectors.http import AddressGuard, Fetcher, Response

from newsmon.settings.connector import ConnectorSettings


def fetch(url: str, **options) -> Response:
    settings = ConnectorSettings(
        **{
            "allowed_hosts": ["127.0.0.1"],
            "per_host_min_delay_seconds": 0.0,
            "request_timeout_seconds": 2.0,
            **options,
        }
    )

    async def go() -> Response:
        fetcher = Fetcher(settings)
        try:
            return await fetcher.get(url)
        finally:
            await fetcher.aclose()

    return asyncio.run(go())


def endless(server: LoopbackServer, chunk: bytes, pause: float = 0.0):
    """A chunked response that never ends (until the client hangs up or the server closes)."""

    def handler(request: BaseHTTPRequestHandler) -> None:
        request.send_response(200)
        request.send_header("Content-Type", "application/rss+xml")
        request.send_header("Transfer-Encoding", "chunked")
        request.end_headers()
        try:
            while not server.closing.is_set():
                request.wfile.write(b"%x\r\n%s\r\n" % (len(chunk), chunk))
                request.wfile.flush()
                if pause:
                    server.closing.wait(pause)
        except OSError:
            pass  # the client gave up: that is the point
        request.close_connection = True

    return handler


def test_declared_oversize_is_refused_before_reading(http_server):
    http_server.routes["/big"] = Reply(b"x" * 2000)
    with pytest.raises(ResponseTooLarge):
        fetch(http_server.url("/big"), max_response_bytes=1000)
    assert fetch(http_server.url("/big"), max_response_bytes=2000).body == b"x" * 2000


def test_endless_body_is_cut_while_streaming(http_server):
    http_server.routes["/endless"] = endless(http_server, b"<item>" * 1000)
    started = time.monotonic()
    with pytest.raises(ResponseTooLarge):
        fetch(http_server.url("/endless"), max_response_bytes=100_000)
    assert time.monotonic() - started < 2


def test_gzip_bomb_stops_at_the_decompressed_cap(http_server):
    bomb = gzip.compress(b"\0" * 50_000_000, compresslevel=9)
    assert len(bomb) < 100_000
    http_server.routes["/bomb"] = Reply(
        bomb, headers={"Content-Encoding": "gzip", "Content-Type": "text/xml"}
    )
    with pytest.raises(ResponseTooLarge, match="decompressed"):
        fetch(http_server.url("/bomb"), max_response_bytes=1_000_000)
    small = gzip.compress(b"<rss/>")
    http_server.routes["/small"] = Reply(small, headers={"Content-Encoding": "gzip"})
    assert fetch(http_server.url("/small")).body == b"<rss/>"


def test_trickling_server_hits_the_total_deadline(http_server):
    http_server.routes["/trickle"] = endless(http_server, b"<", pause=0.05)
    started = time.monotonic()
    with pytest.raises(FeedTimeout):
        fetch(http_server.url("/trickle"), request_timeout_seconds=1.0)
    assert time.monotonic() - started < 3


def test_redirects_are_followed_manually_and_capped(http_server):
    http_server.routes["/loop"] = Reply(status=302, headers={"Location": "/loop"})
    with pytest.raises(TooManyRedirects):
        fetch(http_server.url("/loop"))
    for hop in range(4):
        http_server.routes[f"/r{hop}"] = Reply(status=301, headers={"Location": f"/r{hop + 1}"})
    http_server.routes["/r4"] = Reply(b"end")
    with pytest.raises(TooManyRedirects):
        fetch(http_server.url("/r0"), max_redirects=3)
    response = fetch(http_server.url("/r0"), max_redirects=4)
    assert (response.body, response.final_url) == (b"end", http_server.url("/r4"))


def test_error_status_carries_retry_after(http_server):
    http_server.routes["/busy"] = Reply(b"slow down", status=429, headers={"Retry-After": "120"})
    with pytest.raises(HttpStatusError) as caught:
        fetch(http_server.url("/busy"))
    assert (caught.value.status, caught.value.retry_after, caught.value.body) == (429, 120.0, b"slow down")


def test_private_addresses_are_refused_unless_allowed(http_server):
    http_server.routes["/feed"] = Reply(b"ok")
    with pytest.raises(BlockedAddress):
        fetch(http_server.url("/feed"), allowed_hosts=[])
    with pytest.raises(BlockedAddress):  # a host name resolving to loopback
        fetch(f"http://localhost:{http_server.port}/feed", allowed_hosts=[])
    assert fetch(f"http://localhost:{http_server.port}/feed", allowed_hosts=["127.0.0.0/8"]).body == b"ok"
    with pytest.raises(InvalidUrl):
        fetch("file:///etc/passwd")


def test_every_redirect_hop_is_checked(http_server):
    http_server.routes["/to-metadata"] = Reply(
        status=302, headers={"Location": "http://169.254.169.254/latest/"}
    )
    with pytest.raises(BlockedAddress):
        fetch(http_server.url("/to-metadata"))
    http_server.routes["/to-other-loopback"] = Reply(
        status=302, headers={"Location": f"http://127.0.0.2:{http_server.port}/"}
    )
    with pytest.raises(BlockedAddress):  # 127.0.0.1 is allowed, the rest of loopback is not
        fetch(http_server.url("/to-other-loopback"), allowed_hosts=["127.0.0.1"])


@pytest.mark.parametrize(
    "address,forbidden",
    [
        ("10.1.2.3", True),
        ("172.16.0.1", True),
        ("192.168.1.1", True),
        ("127.0.0.1", True),
        ("::1", True),
        ("::ffff:127.0.0.1", True),
        ("169.254.169.254", True),
        ("100.100.100.200", True),
        ("fd00:ec2::254", True),
        ("224.0.0.1", True),
        ("0.0.0.0", True),
        ("240.0.0.1", True),
        ("8.8.8.8", False),
        ("2606:4700::1111", False),
    ],
)
def test_address_policy(address, forbidden):
    assert AddressGuard([]).forbidden(ipaddress.ip_address(address)) is forbidden
    assert AddressGuard(["0.0.0.0/0", "::/0"]).forbidden(ipaddress.ip_address(address)) is False
