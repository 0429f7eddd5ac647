"""HTTP fetching with every cap the connector relies on.

Owns: the SSRF guard (every URL and every redirect hop is resolved once and checked, and the connection
goes to the checked address), manual redirects, a total deadline per request (a trickling server cannot hold
a poll forever), a cap on *decompressed* body bytes enforced while streaming (so a gzip bomb stops at the
cap), conditional-GET headers and per-host politeness.
"""

from __future__ import annotations

import asyncio
import contextvars
import email.utils
import ipaddress
import socket
import time
import typing
import zlib
from collections.abc import Iterable
from dataclasses import dataclass, field
from urllib.parse import urljoin, urlsplit

import httpcore
import httpx
from newsmon.connectors.errors import (
    BlockedAddress,
    ConnectFailed,
    FeedTimeout,
    FetchError,
    HttpStatusError,
    InvalidUrl,
    ResponseTooLarge,
    TooManyRedirects,
)
from newsmon.connectors.politeness import HostPoliteness
from newsmon.connectors.urls import DEFAULT_PORTS

from newsmon.settings.connector import ConnectorSettings

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network
_REDIRECTS = frozenset({301, 302, 303, 307, 308})
# Refused whatever they contain: cloud metadata endpoints that are not already link-local/private, and the
# local-use NAT64 prefix (RFC 8215), which translates into the operator's own IPv4 network at a prefix length
# of its choosing (so the embedded address cannot be located reliably).
_ALWAYS_REFUSED = (
    ipaddress.ip_network("100.100.100.200/32"),
    ipaddress.ip_network("fd00:ec2::254/128"),
    ipaddress.ip_network("64:ff9b:1::/48"),
)
# IPv6 forms with the IPv4 address in the last 32 bits (6to4 and Teredo have properties of their own).
_NAT64 = ipaddress.ip_network("64:ff9b::/96")
_IPV4_COMPATIBLE = ipaddress.ip_network("::/96")
_KEPT_HEADERS = (
    "content-type",
    "last-modified",
    "etag",
    "date",
    "cache-control",
    "retry-after",
    "content-language",
    "expires",
)


@dataclass(frozen=True)
class Response:
    url: str
    final_url: str
    status: int
    headers: dict[str, str] = field(default_factory=dict)  # lower-case names, only the ones in _KEPT_HEADERS
    body: bytes = b""


@dataclass(frozen=True)
class CheckedTarget:
    """Where one request may connect: `host` and `port` as the HTTP client will ask for them, and the
    addresses that name resolved to when the guard checked it."""

    host: str
    port: int
    addresses: tuple[IPAddress, ...]


def parse_retry_after(value: str | None) -> float | None:
    """Seconds to wait from a Retry-After header (delta-seconds or HTTP-date)."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - time.time())


def embedded_ipv4(address: ipaddress.IPv6Address) -> tuple[ipaddress.IPv4Address, ...]:
    """The IPv4 addresses an IPv6 address carries in a transition form (mapped, compatible, 6to4, Teredo
    server and client, well-known NAT64 prefix); empty for an ordinary IPv6 address."""
    if address.ipv4_mapped is not None:
        return (address.ipv4_mapped,)
    if address.sixtofour is not None:
        return (address.sixtofour,)
    if address.teredo is not None:
        return address.teredo
    if address in _NAT64 or address in _IPV4_COMPATIBLE:
        return (ipaddress.IPv4Address(int(address) & 0xFFFFFFFF),)
    return ()


def _non_public(address: IPAddress) -> bool:
    if isinstance(address, ipaddress.IPv6Address):
        # Python's is_global does not look inside these forms (and, depending on its version, calls 6to4
        # global), yet a relay or translator delivers the packets to the embedded IPv4 address.
        if any(_non_public(inner) for inner in embedded_ipv4(address)) or address.is_site_local:
            return True
    return (
        not address.is_global
        or address.is_multicast
        or address.is_reserved
        or any(address in network for network in _ALWAYS_REFUSED)
    )


def _parse_allowed(entry: str) -> tuple[IPNetwork | str, int | None]:
    """An `allowed_hosts` entry as (network or lower-case host name, port or None)."""
    text = entry.strip()
    try:
        # A bare address or CIDR range opens every port of it, as it always has (tests, the demo and the
        # benchmarks allow 127.0.0.1 for loopback servers on ephemeral ports).
        return ipaddress.ip_network(text, strict=False), None
    except ValueError:
        pass
    host, port = text, None
    head, colon, tail = text.rpartition(":")
    if colon and tail.isdigit() and (head.startswith("[") or ":" not in head):
        host, port = head, int(tail)
        if not 0 < port < 65536:
            raise ValueError(f"allowed_hosts entry {entry!r}: port out of range")
    if host.startswith("[") and host.endswith("]"):
        host = host[1:-1]
    try:
        return ipaddress.ip_network(host, strict=False), port
    except ValueError:
        return host.lower().rstrip("."), port


class AddressGuard:
    """Refuses hosts that resolve to non-public addresses unless an `allowed` entry opens them.

    Entries: an address or CIDR range (any port), `address:port` / `[v6]:port` / `cidr:port` (that port
    only), a host name (the scheme's default port only: 80 for http, 443 for https) or `name:port` (that
    port only). A name entry lets the name resolve to anything; an address entry opens those addresses
    whatever name leads there."""

    def __init__(self, allowed: Iterable[str]) -> None:
        self._names: set[tuple[str, int | None]] = set()
        self._networks: list[tuple[IPNetwork, int | None]] = []
        for entry in allowed:
            target, port = _parse_allowed(entry)
            if isinstance(target, str):
                self._names.add((target, port))
            else:
                self._networks.append((target, port))

    def allows_name(self, host: str, port: int, default_port: int) -> bool:
        """True when `host` is allowed at `port` by a name entry (one without a port: `default_port` only)."""
        host = host.lower().rstrip(".")
        return (host, port) in self._names or (port == default_port and (host, None) in self._names)

    def forbidden(self, address: IPAddress, port: int | None = None) -> bool:
        """True when `address` is not public and no entry opens it (at `port`; None: port-less entries
        only)."""
        if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
            address = address.ipv4_mapped  # a dual-stack socket reaches this very IPv4 host
        if any(
            address in network and (allowed_port is None or allowed_port == port)
            for network, allowed_port in self._networks
        ):
            return False
        return _non_public(address)

    async def check(self, url: str) -> CheckedTarget:
        """Resolve `url`'s host once and check every address; the result is what the connection may use."""
        try:
            parsed = httpx.URL(url)
        except httpx.InvalidURL as exc:
            raise InvalidUrl(f"not an http(s) URL: {url!r} ({exc})", url) from exc
        if parsed.scheme not in DEFAULT_PORTS or not parsed.raw_host:
            raise InvalidUrl(f"not an http(s) URL: {url!r}", url)
        # The host exactly as the HTTP client will hand it to the network backend (IDNA-encoded, no brackets).
        host = parsed.raw_host.decode("ascii")
        default_port = DEFAULT_PORTS[parsed.scheme]
        port = parsed.port or default_port
        addresses = await self._resolve(host, port, url)
        if not self.allows_name(host, port, default_port):
            for address in addresses:
                if self.forbidden(address, port):
                    raise BlockedAddress(f"{host}:{port} resolves to non-public address {address}", url)
        return CheckedTarget(host=host, port=port, addresses=addresses)

    @staticmethod
    async def _resolve(host: str, port: int, url: str) -> tuple[IPAddress, ...]:
        try:
            return (ipaddress.ip_address(host),)
        except ValueError:
            pass
        try:
            infos = await asyncio.get_running_loop().getaddrinfo(host, port, type=socket.SOCK_STREAM)
        except (socket.gaierror, UnicodeError, ValueError) as exc:
            raise ConnectFailed(f"cannot resolve {host}: {exc}", url) from exc
        addresses = tuple(dict.fromkeys(ipaddress.ip_address(str(info[4][0])) for info in infos))
        if not addresses:
            raise ConnectFailed(f"cannot resolve {host}: no addresses", url)
        return addresses


# The target the guard checked for the request being sent in this task; the network backend connects to
# its addresses and never resolves the name a second time (which DNS rebinding would answer differently).
_CHECKED: contextvars.ContextVar[CheckedTarget | None] = contextvars.ContextVar(
    "newsmon_checked_target", default=None
)


class _PinnedBackend(httpcore.AsyncNetworkBackend):
    """Opens TCP connections only to addresses the guard checked for the current request."""

    def __init__(self) -> None:
        self._inner = httpcore.AnyIOBackend()

    async def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: typing.Iterable[httpcore.SOCKET_OPTION] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        checked = _CHECKED.get()
        if checked is None or (checked.host, checked.port) != (host, port):
            # Fail closed: a connection nobody checked (a client used outside Fetcher._follow).
            raise BlockedAddress(f"connection to {host}:{port} was not checked by the address guard", host)
        for address in checked.addresses[:-1]:
            try:
                return await self._inner.connect_tcp(
                    str(address), port, timeout, local_address, socket_options
                )
            except httpcore.ConnectError:
                continue  # the next resolved address may answer
        return await self._inner.connect_tcp(
            str(checked.addresses[-1]), port, timeout, local_address, socket_options
        )


class _PinnedTransport(httpx.AsyncHTTPTransport):
    """httpx's own transport, over a connection pool that uses `_PinnedBackend`."""

    def __init__(self, limits: httpx.Limits) -> None:
        super().__init__(limits=limits, trust_env=False)
        # httpx has no parameter for the network backend: the pool it built is replaced by one with the same
        # settings plus ours (request/response mapping and error translation stay httpx's).
        self._pool = httpcore.AsyncConnectionPool(
            ssl_context=httpx.create_ssl_context(trust_env=False),
            max_connections=limits.max_connections,
            max_keepalive_connections=limits.max_keepalive_connections,
            keepalive_expiry=limits.keepalive_expiry,
            network_backend=_PinnedBackend(),
        )


class _Decoder:
    """Content-Encoding decoding with a bound on output, so a bomb never inflates past the cap in memory."""

    def __init__(self, encoding: str, url: str) -> None:
        encoding = encoding.strip().lower()
        if encoding in ("", "identity"):
            self._zlib = None
        elif encoding in ("gzip", "x-gzip", "deflate"):
            self._zlib = zlib.decompressobj(wbits=47)  # 32 + 15: auto-detect gzip or zlib header
        else:
            raise FetchError(f"unsupported content-encoding {encoding!r}", url)
        self._url = url

    def feed(self, chunk: bytes, limit: int) -> bytes:
        """Decode `chunk`, returning at most `limit` + 1 bytes (one more than allowed signals overflow)."""
        if self._zlib is None:
            return chunk
        try:
            out = self._zlib.decompress(chunk, limit + 1)
        except zlib.error as exc:
            raise FetchError(f"corrupt compressed body: {exc}", self._url) from exc
        if self._zlib.unconsumed_tail:
            return out + b"\0"  # more output was pending: we are over the limit
        return out


class Fetcher:
    """GET with SSRF checks on every hop, manual redirects, a total deadline and a decompressed-size cap."""

    def __init__(self, settings: ConnectorSettings, politeness: HostPoliteness | None = None) -> None:
        self._settings = settings
        self.guard = AddressGuard(settings.allowed_hosts)
        self._politeness = politeness or HostPoliteness(
            settings.per_host_concurrency, settings.per_host_min_delay_seconds
        )
        self._client = httpx.AsyncClient(
            follow_redirects=False,
            trust_env=False,  # proxies from the environment would bypass the address guard
            timeout=httpx.Timeout(settings.request_timeout_seconds, connect=settings.connect_timeout_seconds),
            transport=_PinnedTransport(
                httpx.Limits(
                    max_connections=max(100, settings.max_concurrent_feeds * 2), max_keepalive_connections=50
                )
            ),
            headers={"User-Agent": settings.user_agent, "Accept-Encoding": "gzip, deflate"},
        )

    async def aclose(self) -> None:
        await self._client.aclose()

    async def get(
        self, url: str, *, accept: str = "*/*", etag: str | None = None, last_modified: str | None = None
    ) -> Response:
        """Fetch `url`. Returns 2xx and 304 responses; raises a `FetchError` for everything else."""
        headers = {"Accept": accept}
        if etag:
            headers["If-None-Match"] = etag
        if last_modified:
            headers["If-Modified-Since"] = last_modified
        host = (urlsplit(url).hostname or "").lower()
        async with self._politeness.slot(host):
            try:
                async with asyncio.timeout(self._settings.request_timeout_seconds):
                    return await self._follow(url, headers)
            except (TimeoutError, httpx.TimeoutException) as exc:
                raise FeedTimeout(
                    f"no complete response within {self._settings.request_timeout_seconds:.0f}s",
                    url,
                ) from exc
            except httpx.HTTPError as exc:
                raise ConnectFailed(f"{type(exc).__name__}: {exc}", url) from exc

    async def _follow(self, url: str, headers: dict[str, str]) -> Response:
        current = url
        for _hop in range(self._settings.max_redirects + 1):
            # A refused hop raises here, before any connection: a refused address never yields a body, and
            # the body of the redirect that pointed there is never read.
            checked = await self.guard.check(current)
            request = self._client.build_request("GET", current, headers=headers)
            token = _CHECKED.set(checked)
            try:
                response = await self._client.send(request, stream=True)
            finally:
                _CHECKED.reset(token)
            try:
                location = response.headers.get("location")
                if response.status_code in _REDIRECTS and location:
                    current = urljoin(current, location.strip())
                    continue
                body = await self._read_capped(response, current)
            finally:
                await response.aclose()
            kept = {name: response.headers[name] for name in _KEPT_HEADERS if name in response.headers}
            if response.status_code >= 300 and response.status_code != 304:
                raise HttpStatusError(
                    f"HTTP {response.status_code}",
                    current,
                    status=response.status_code,
                    retry_after=parse_retry_after(response.headers.get("retry-after")),
                    body=body,
                )
            return Response(url=url, final_url=current, status=response.status_code, headers=kept, body=body)
        raise TooManyRedirects(f"more than {self._settings.max_redirects} redirects", url)

    async def _read_capped(self, response: httpx.Response, url: str) -> bytes:
        cap = self._settings.max_response_bytes
        declared = response.headers.get("content-length", "")
        encoding = response.headers.get("content-encoding", "")
        if declared.isdigit() and int(declared) > cap and not encoding:
            raise ResponseTooLarge(f"Content-Length {declared} exceeds {cap} bytes", url)
        decoder = _Decoder(encoding, url)
        chunks: list[bytes] = []
        size = 0
        async for raw in response.aiter_raw():
            data = decoder.feed(raw, cap - size)
            size += len(data)
            if size > cap:
                raise ResponseTooLarge(
                    f"body exceeds {cap} bytes (decompressed)", url, body=b"".join(chunks)[:4096]
                )
            chunks.append(data)
        return b"".join(chunks)
