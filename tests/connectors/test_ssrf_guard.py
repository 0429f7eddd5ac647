"""The SSRF guard: connections go to the address that was checked (DNS rebinding), allowlist entries are
scoped to ports, IPv6 forms embedding a private IPv4 are refused, and a refusal never carries a body."""

from __future__ import annotations

import asyncio
import ipaddress
import socket
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import httpcore
import pytest
from connector_testkit import LoopbackServer, Reply
from newsmon.connectors.errors import BlockedAddress, ConnectFailed, FetchError
from newsmon.connectors.http import AddressGuard, Fetcher, Response, _PinnedBackend, embedded_ipv4

from newsmon.settings.connector import ConnectorSettings
from tests.serving import serve_in_background


class InternalTwin:
    """A server on 127.0.0.2 at the loopback server's port: what a rebinding name or a refused redirect would
    reach. It answers with a body that must never come back to the fetcher."""

    def __init__(self, port: int) -> None:
        self.hits = 0
        twin = self

        class _Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: Any) -> None:
                pass

            def do_GET(self) -> None:
                twin.hits += 1
                self.send_response(200)
                self.send_header("Content-Length", "6")
                self.end_headers()
                self.wfile.write(b"secret")

        self._httpd = ThreadingHTTPServer(("127.0.0.2", port), _Handler)
        self._httpd.daemon_threads = True
        serve_in_background(self._httpd)

    def close(self) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()


@pytest.fixture
def internal_twin(http_server: LoopbackServer) -> Iterator[InternalTwin]:
    twin = InternalTwin(http_server.port)
    yield twin
    twin.close()


@pytest.fixture
def other_server() -> Iterator[LoopbackServer]:
    server = LoopbackServer()
    yield server
    server.close()


def fetch_all(urls: list[str], **options: Any) -> list[Response | FetchError]:
    """Fetch `urls` in turn with one Fetcher (one connection pool); each result or the FetchError raised."""
    settings = ConnectorSettings(
        **{"per_host_min_delay_seconds": 0.0, "request_timeout_seconds": 2.0, "connect_timeout_seconds": 1.0}
        | options
    )

    async def go() -> list[Response | FetchError]:
        fetcher = Fetcher(settings)
        results: list[Response | FetchError] = []
        try:
            for url in urls:
                try:
                    results.append(await fetcher.get(url))
                except FetchError as exc:
                    results.append(exc)
        finally:
            await fetcher.aclose()
        return results

    return asyncio.run(go())


def fetch(url: str, **options: Any) -> Response:
    (result,) = fetch_all([url], **options)
    if isinstance(result, FetchError):
        raise result
    return result


def resolve_in_turn(monkeypatch: pytest.MonkeyPatch, name: str, *answers: str) -> list[str]:
    """Make `name` resolve to `answers` one lookup after the other (the last one repeats), at the lowest
    level, so every resolver in the process sees it; returns the answers given so far."""
    real = socket.getaddrinfo
    given: list[str] = []

    def getaddrinfo(host: Any, port: Any, *args: Any, **kwargs: Any) -> Any:
        if (host.decode() if isinstance(host, bytes) else host) != name:  # anyio passes IDNA bytes
            return real(host, port, *args, **kwargs)
        answer = answers[min(len(given), len(answers) - 1)]
        given.append(answer)
        family = socket.AF_INET6 if ":" in answer else socket.AF_INET
        return [(family, socket.SOCK_STREAM, socket.IPPROTO_TCP, "", (answer, int(port or 0)))]

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    return given


def test_connection_goes_to_the_checked_address(http_server, internal_twin, monkeypatch):
    http_server.routes["/feed"] = Reply(b"ok")
    given = resolve_in_turn(monkeypatch, "rebind.test", "127.0.0.1", "127.0.0.2")
    url = f"http://rebind.test:{http_server.port}/feed"
    first, second = fetch_all([url, url], allowed_hosts=["127.0.0.1"])
    assert isinstance(first, Response) and first.body == b"ok"
    assert http_server.requests[0][1]["host"] == f"rebind.test:{http_server.port}"
    # The second lookup answered 127.0.0.2: it was made (and refused) by the next fetch's check only, never
    # by the connection of the first fetch.
    assert isinstance(second, BlockedAddress) and second.body == b""
    assert given == ["127.0.0.1", "127.0.0.2"]
    assert (http_server.hits("/feed"), internal_twin.hits) == (1, 0)


def test_connection_uses_the_checked_public_address(monkeypatch):
    given = resolve_in_turn(monkeypatch, "public.test", "93.184.216.34", "127.0.0.1")
    connected: list[tuple[str, int]] = []

    async def connect_tcp(self: Any, host: str, port: int, *args: Any, **kwargs: Any) -> Any:
        connected.append((host, port))
        raise httpcore.ConnectError("no network in tests")

    monkeypatch.setattr(httpcore.AnyIOBackend, "connect_tcp", connect_tcp)
    with pytest.raises(ConnectFailed):
        fetch("http://public.test/feed", allowed_hosts=[])
    assert (given, connected) == (["93.184.216.34"], [("93.184.216.34", 80)])


def test_a_connection_the_guard_did_not_check_is_refused(http_server):
    with pytest.raises(BlockedAddress):
        asyncio.run(_PinnedBackend().connect_tcp("127.0.0.1", http_server.port))


@pytest.mark.parametrize(
    "allowed,url,passes",
    [
        (["10.0.0.5"], "http://10.0.0.5:6379/", True),  # a bare address opens every port, as before
        (["10.0.0.0/8"], "https://10.1.2.3:8443/", True),
        (["10.0.0.5:8080"], "http://10.0.0.5:8080/", True),
        (["10.0.0.5:8080"], "http://10.0.0.5/", False),
        (["10.0.0.5:8080"], "http://10.0.0.6:8080/", False),
        (["10.0.0.0/8:8080"], "http://10.9.9.9:8080/", True),
        (["10.0.0.0/8:8080"], "http://10.9.9.9:8081/", False),
        (["[fd00::1]:8080"], "http://[fd00::1]:8080/", True),
        (["[fd00::1]:8080"], "http://[fd00::1]:8081/", False),
        (["[fd00::1]"], "http://[fd00::1]:8081/", True),
        (["localhost"], "http://localhost/", True),
        (["localhost"], "https://localhost/", True),
        (["localhost"], "http://localhost:443/", False),  # a port-less name: the scheme's default port only
        (["localhost"], "http://localhost:6379/", False),
        (["LocalHost.:6379"], "http://localhost:6379/", True),
        (["localhost:6379"], "http://localhost/", False),
        ([], "http://localhost/", False),
    ],
)
def test_allowlist_entries_are_scoped_to_ports(allowed, url, passes):
    async def check() -> bool:
        try:
            await AddressGuard(allowed).check(url)
        except BlockedAddress:
            return False
        return True

    assert asyncio.run(check()) is passes


def test_allowlist_port_out_of_range_is_a_configuration_error():
    with pytest.raises(ValueError, match="port out of range"):
        AddressGuard(["feeds.internal:70000"])


def test_redirect_to_another_port_is_refused(http_server, other_server):
    other_server.routes["/secret"] = Reply(b"secret")
    http_server.routes["/feed"] = Reply(b"ok")
    starts = [
        (f"http://localhost:{http_server.port}/hop", f"localhost:{http_server.port}"),
        (http_server.url("/hop"), f"127.0.0.1:{http_server.port}"),
    ]
    for target in (
        f"http://localhost:{other_server.port}/secret",
        f"http://127.0.0.1:{other_server.port}/secret",
    ):
        http_server.routes["/hop"] = Reply(b"moved", status=302, headers={"Location": target})
        for start, allowed in starts:
            with pytest.raises(BlockedAddress, match=f":{other_server.port} resolves") as caught:
                fetch(start, allowed_hosts=[allowed])
            assert caught.value.body == b""
    assert (http_server.hits("/hop"), other_server.hits("/secret")) == (4, 0)
    # a port-less name opens the scheme's default port only, not the loopback server's
    with pytest.raises(BlockedAddress):
        fetch(f"http://localhost:{http_server.port}/feed", allowed_hosts=["localhost"])
    # the forms the tests, the demo and the benchmarks use keep opening every port
    assert fetch(http_server.url("/hop"), allowed_hosts=["127.0.0.1"]).body == b"secret"
    assert fetch(f"http://localhost:{http_server.port}/feed", allowed_hosts=["127.0.0.0/8"]).body == b"ok"


@pytest.mark.parametrize(
    "address,embedded",
    [
        ("2002:a9fe:a9fe::1", "169.254.169.254"),  # 6to4
        ("2002:a00:1::", "10.0.0.1"),
        ("64:ff9b::7f00:1", "127.0.0.1"),  # NAT64 well-known prefix
        ("64:ff9b::a9fe:a9fe", "169.254.169.254"),
        (
            "2001:0:4136:e378:8000:63bf:f5ff:fffe",
            "10.0.0.1",
        ),  # Teredo: the client is the inverted last 32 bits
        ("::ffff:10.0.0.1", "10.0.0.1"),  # IPv4-mapped
        ("::a00:1", "10.0.0.1"),  # IPv4-compatible
    ],
)
def test_ipv6_embedding_a_private_ipv4_is_refused(address, embedded):
    ip = ipaddress.ip_address(address)
    assert ipaddress.ip_address(embedded) in embedded_ipv4(ip)
    assert AddressGuard([]).forbidden(ip)

    async def check() -> None:
        await AddressGuard([]).check(f"http://[{address}]/")

    with pytest.raises(BlockedAddress) as caught:
        asyncio.run(check())
    assert caught.value.body == b""


@pytest.mark.parametrize("address", ["64:ff9b:1::a00:1", "fec0::1"])
def test_local_nat64_and_site_local_are_refused(address):
    assert AddressGuard([]).forbidden(ipaddress.ip_address(address))


def test_ordinary_ipv6_embeds_nothing():
    public = ipaddress.ip_address("2606:4700::1111")
    assert embedded_ipv4(public) == ()
    assert not AddressGuard([]).forbidden(public)


def test_refused_redirect_and_refused_rebinding_carry_no_body(http_server, internal_twin, monkeypatch):
    http_server.routes["/to-internal"] = Reply(
        b"redirect body", status=302, headers={"Location": f"http://127.0.0.2:{http_server.port}/"}
    )
    http_server.routes["/to-metadata"] = Reply(
        b"redirect body", status=302, headers={"Location": "http://169.254.169.254/latest/"}
    )
    resolve_in_turn(monkeypatch, "rebind.test", "127.0.0.2")
    results = fetch_all(
        [
            http_server.url("/to-internal"),
            http_server.url("/to-metadata"),
            f"http://rebind.test:{http_server.port}/",
        ],
        allowed_hosts=["127.0.0.1"],
    )
    assert [type(result) for result in results] == [BlockedAddress] * 3
    assert [result.body for result in results] == [b""] * 3
    assert internal_twin.hits == 0
