"""HTTP fetching with every cap the connector relies on.

Owns: the SSRF guard (every URL and every redirect hop is resolved and checked), manual redirects, a total
deadline per request (a trickling server cannot hold a poll forever), a cap on *decompressed* body bytes
enforced while streaming (so a gzip bomb stops at the cap), conditional-GET headers and per-host politeness.
"""

from __future__ import annotations

import asyncio
import email.utils
import ipaddress
import socket
import time
import zlib
from collections.abc import Iterable
from dataclasses import dataclass, field
from urllib.parse import urljoin, urlsplit

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

from newsmon.settings.connector import ConnectorSettings

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
_REDIRECTS = frozenset({301, 302, 303, 307, 308})
# Cloud metadata endpoints that are not already link-local/private.
_METADATA = (ipaddress.ip_network("100.100.100.200/32"), ipaddress.ip_network("fd00:ec2::254/128"))
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


class AddressGuard:
    """Refuses hosts that resolve to non-public addresses unless `allowed` (host names or CIDRs) opens
    them."""

    def __init__(self, allowed: Iterable[str]) -> None:
        self._names: set[str] = set()
        self._networks: list[ipaddress.IPv4Network | ipaddress.IPv6Network] = []
        for entry in allowed:
            try:
                self._networks.append(ipaddress.ip_network(entry, strict=False))
            except ValueError:
                self._names.add(entry.lower().rstrip("."))

    def allows_name(self, host: str) -> bool:
        return host.lower().rstrip(".") in self._names

    def forbidden(self, address: IPAddress) -> bool:
        if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
            address = address.ipv4_mapped
        if any(address in network for network in self._networks):
            return False
        return (
            not address.is_global
            or address.is_multicast
            or address.is_reserved
            or any(address in network for network in _METADATA)
        )

    async def check(self, url: str) -> None:
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise InvalidUrl(f"not an http(s) URL: {url!r}", url)
        host = parts.hostname.lower().rstrip(".")
        if self.allows_name(host):
            return
        try:
            port = parts.port or (443 if parts.scheme == "https" else 80)
            infos = await asyncio.get_running_loop().getaddrinfo(host, port, type=socket.SOCK_STREAM)
        except (socket.gaierror, UnicodeError, ValueError) as exc:
            raise ConnectFailed(f"cannot resolve {host}: {exc}", url) from exc
        for info in infos:
            address = ipaddress.ip_address(str(info[4][0]).split("%")[0])
            if self.forbidden(address):
                raise BlockedAddress(f"{host} resolves to non-public address {address}", url)


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
            limits=httpx.Limits(
                max_connections=max(100, settings.max_concurrent_feeds * 2), max_keepalive_connections=50
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
            await self.guard.check(current)
            request = self._client.build_request("GET", current, headers=headers)
            response = await self._client.send(request, stream=True)
            try:
                self._check_peer(response, current)
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

    def _check_peer(self, response: httpx.Response, url: str) -> None:
        # The name was checked before connecting; checking the connected address too defeats DNS rebinding
        # (a second resolution answering differently) before a single byte of the response is read.
        stream = response.extensions.get("network_stream")
        peer = stream.get_extra_info("server_addr") if stream is not None else None
        if not peer:
            return
        if self.guard.allows_name(urlsplit(url).hostname or ""):
            return
        address = ipaddress.ip_address(str(peer[0]).split("%")[0])
        if self.guard.forbidden(address):
            raise BlockedAddress(f"connected to non-public address {address}", url)

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
