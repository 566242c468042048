"""The one SSRF-safe outbound HTTP client (brand scrape, reference images, webhooks).

Every request resolves its host *itself*, refuses the whole name if any resolved address is
private, loopback, link-local, multicast, reserved or a cloud-metadata address, and then
connects to the vetted IP (keeping ``Host`` and TLS SNI/certificate checks on the original
name). Because the connection goes to the address that was checked, there is no DNS-rebinding
window between "check" and "connect". Redirects are followed by hand, each hop re-vetted.

Loopback is reachable only when ``settings.STUDIO_OUTBOUND_ALLOW_LOOPBACK`` is on (tests, local
sites, webhook receivers on the same machine); private ranges and metadata never are.

Usage::

    from brands.scrape.http import SafeClient, safe_get, OutboundRefused, FetchFailed

    response = safe_get("https://example.com/logo.png", max_bytes=5_000_000, timeout=10)
    with SafeClient() as client:          # shares connections and the robots.txt cache
        page = client.get(url, check_robots=True)
"""

from __future__ import annotations

import ipaddress
import socket
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from urllib.parse import urljoin, urlsplit

import httpx
from django.conf import settings
from protego import Protego

USER_AGENT = "CreativeStudioBot/1.0 (+brand onboarding; respects robots.txt)"
ROBOTS_AGENT = "CreativeStudioBot"

Resolver = Callable[..., list]

# Addresses that are "global" by the registry but still must never be reached.
_EXTRA_BLOCKED = [
    ipaddress.ip_network("100.64.0.0/10"),  # carrier-grade NAT, used by some cloud metadata
    ipaddress.ip_network("192.0.0.0/24"),
    ipaddress.ip_network("198.18.0.0/15"),
    ipaddress.ip_network("fd00:ec2::254/128"),  # AWS IMDS over IPv6
]
_METADATA = {
    ipaddress.ip_address("169.254.169.254"),
    ipaddress.ip_address("169.254.170.2"),
    ipaddress.ip_address("100.100.100.200"),
    ipaddress.ip_address("fd00:ec2::254"),
}


class OutboundRefused(Exception):
    """The request was not sent: the destination or the response broke a safety rule."""

    def __init__(self, reason: str, *, url: str = ""):
        super().__init__(reason)
        self.reason = reason
        self.url = url


class FetchFailed(Exception):
    """The request was sent (or tried) but failed. ``retryable`` says whether trying later helps."""

    def __init__(self, reason: str, *, retryable: bool, url: str = "", status: int | None = None):
        super().__init__(reason)
        self.reason = reason
        self.retryable = retryable
        self.url = url
        self.status = status


@dataclass
class FetchedResponse:
    """A fully read, size-capped response."""

    url: str  # the final URL after redirects
    status: int
    headers: httpx.Headers
    content: bytes
    elapsed_ms: int = 0
    redirects: list[str] = field(default_factory=list)

    @property
    def content_type(self) -> str:
        return self.headers.get("content-type", "").split(";")[0].strip().lower()

    @property
    def text(self) -> str:
        charset = "utf-8"
        for part in self.headers.get("content-type", "").split(";")[1:]:
            key, _, value = part.strip().partition("=")
            if key.lower() == "charset" and value:
                charset = value.strip('"')
        try:
            return self.content.decode(charset, errors="replace")
        except LookupError:
            return self.content.decode("utf-8", errors="replace")

    def json(self):
        import json

        return json.loads(self.content)


def address_refusal(ip: ipaddress.IPv4Address | ipaddress.IPv6Address, *,
                    allow_loopback: bool) -> str | None:
    """Why ``ip`` must not be contacted, or None when it may be."""
    if isinstance(ip, ipaddress.IPv6Address):
        mapped = ip.ipv4_mapped or ip.sixtofour
        if mapped is not None:
            return address_refusal(mapped, allow_loopback=allow_loopback)
    if ip in _METADATA:
        return f"{ip} is a cloud metadata address"
    if ip.is_loopback:
        return None if allow_loopback else f"{ip} is a loopback address"
    if ip.is_link_local:
        return f"{ip} is a link-local address"
    if ip.is_multicast:
        return f"{ip} is a multicast address"
    if ip.is_unspecified:
        return f"{ip} is an unspecified address"
    if ip.is_private:
        return f"{ip} is a private address"
    if ip.is_reserved or any(ip in net for net in _EXTRA_BLOCKED) or not ip.is_global:
        return f"{ip} is a reserved address"
    return None


def vet_host(host: str, port: int, *, resolver: Resolver, allow_loopback: bool) -> str:
    """Resolve ``host`` and return one address to connect to, refusing if *any* is unsafe.

    Refusing on any bad address (not just skipping it) closes the trick of a name that
    resolves to one public and one private address.
    """
    host = host.strip("[]")
    try:
        literal = ipaddress.ip_address(host)
    except ValueError:
        literal = None
    if literal is not None:
        addresses = [literal]
    else:
        if (host.lower() == "localhost" or host.lower().endswith(".localhost")) \
                and not allow_loopback:
            raise OutboundRefused(f"{host} is a loopback name")
        try:
            infos = resolver(host, port, type=socket.SOCK_STREAM)
        except (socket.gaierror, UnicodeError, OSError) as exc:
            raise FetchFailed(f"could not resolve {host}: {exc}", retryable=True) from exc
        addresses = []
        for info in infos:
            raw = info[4][0]
            try:
                addresses.append(ipaddress.ip_address(raw.split("%")[0]))
            except ValueError as exc:
                raise OutboundRefused(f"{host} resolved to an unparseable address {raw!r}") from exc
        if not addresses:
            raise FetchFailed(f"{host} has no addresses", retryable=True)
    for ip in addresses:
        reason = address_refusal(ip, allow_loopback=allow_loopback)
        if reason:
            raise OutboundRefused(f"{host} refused: {reason}")
    return str(addresses[0])


class _PinnedTransport(httpx.BaseTransport):
    """Vets every request's host and connects to the vetted IP, keeping Host and SNI."""

    def __init__(self, *, resolver: Resolver, allow_loopback: bool, allowed_ports: Iterable[int],
                 inner: httpx.BaseTransport | None = None):
        self._resolver = resolver
        self._allow_loopback = allow_loopback
        self._allowed_ports = set(allowed_ports)
        self._fixed_inner = inner
        # One connection pool per original host: pools are keyed by the (pinned) IP, and a TLS
        # connection made for one SNI name must never carry another host's requests.
        self._pools: dict[str, httpx.BaseTransport] = {}

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        url = request.url
        if url.scheme not in ("http", "https"):
            raise OutboundRefused(f"scheme {url.scheme!r} is not allowed", url=str(url))
        port = url.port or (443 if url.scheme == "https" else 80)
        host = url.host
        ip = vet_host(host, port, resolver=self._resolver, allow_loopback=self._allow_loopback)
        if self._allowed_ports and port not in self._allowed_ports:
            raise OutboundRefused(f"port {port} is not allowed", url=str(url))
        if ip != host.strip("[]"):
            request.url = url.copy_with(host=ip)
            if url.scheme == "https":
                request.extensions = {**request.extensions, "sni_hostname": host}
        # ``Host`` was set from the original URL when the request was built; keep it.
        return self._transport_for(host).handle_request(request)

    def _transport_for(self, host: str) -> httpx.BaseTransport:
        if self._fixed_inner is not None:
            return self._fixed_inner
        if host not in self._pools:
            self._pools[host] = httpx.HTTPTransport(retries=0)
        return self._pools[host]

    def close(self) -> None:
        for transport in [*self._pools.values(), self._fixed_inner]:
            if transport is not None:
                transport.close()


class SafeClient:
    """An httpx client that only talks to public addresses (see module docstring).

    ``resolver`` defaults to ``socket.getaddrinfo``; tests inject a fake one so that no traffic
    ever goes to a non-loopback address.
    """

    def __init__(
        self,
        *,
        resolver: Resolver | None = None,
        allow_loopback: bool | None = None,
        timeout: float | None = None,
        max_bytes: int | None = None,
        max_redirects: int | None = None,
        user_agent: str = USER_AGENT,
        transport: httpx.BaseTransport | None = None,
        allowed_ports: Iterable[int] | None = None,
    ):
        """``transport`` replaces the socket-level transport *behind* the safety checks
        (tests use ``httpx.MockTransport`` to see exactly what would be sent). ``allowed_ports``
        restricts destination ports (default: any port on a vetted address)."""
        self.allow_loopback = (
            settings.STUDIO_OUTBOUND_ALLOW_LOOPBACK if allow_loopback is None else allow_loopback
        )
        self.timeout = timeout or settings.STUDIO_OUTBOUND_TIMEOUT
        self.max_bytes = max_bytes or settings.STUDIO_OUTBOUND_MAX_BYTES
        self.max_redirects = (
            settings.STUDIO_OUTBOUND_MAX_REDIRECTS
            if max_redirects is None else max_redirects
        )
        self.resolver = resolver or socket.getaddrinfo
        self._robots: dict[str, Protego | None] = {}
        self._client = httpx.Client(
            transport=_PinnedTransport(
                resolver=self.resolver, allow_loopback=self.allow_loopback,
                allowed_ports=allowed_ports or (), inner=transport,
            ),
            headers={"User-Agent": user_agent, "Accept-Encoding": "gzip, deflate"},
            follow_redirects=False,
            trust_env=False,  # never route through an environment proxy we did not vet
        )

    def __enter__(self) -> SafeClient:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def close(self) -> None:
        self._client.close()

    # -- robots.txt ---------------------------------------------------------------------------
    def allowed_by_robots(self, url: str) -> bool:
        """True when the site's robots.txt lets our agent fetch ``url`` (missing file: yes)."""
        parts = urlsplit(url)
        origin = f"{parts.scheme}://{parts.netloc}"
        if origin not in self._robots:
            parser: Protego | None = None
            try:
                response = self.get(origin + "/robots.txt", check_robots=False,
                                    max_bytes=500_000, timeout=min(self.timeout, 5.0))
                if response.status == 200:
                    parser = Protego.parse(response.text)
                elif response.status in (401, 403):
                    parser = Protego.parse("User-agent: *\nDisallow: /\n")
            except FetchFailed:
                parser = None
            self._robots[origin] = parser
        parser = self._robots[origin]
        return True if parser is None else parser.can_fetch(url, ROBOTS_AGENT)

    def robots_sitemaps(self, url: str) -> list[str]:
        parts = urlsplit(url)
        parser = self._robots.get(f"{parts.scheme}://{parts.netloc}")
        return list(parser.sitemaps) if parser else []

    # -- fetching -----------------------------------------------------------------------------
    def get(
        self,
        url: str,
        *,
        check_robots: bool = False,
        max_bytes: int | None = None,
        timeout: float | None = None,
        headers: dict[str, str] | None = None,
    ) -> FetchedResponse:
        """GET ``url`` with every safety rule applied; any HTTP status is returned, not raised.

        Raises ``OutboundRefused`` (nothing or no more was sent) or ``FetchFailed``.
        """
        return self.request("GET", url, check_robots=check_robots, max_bytes=max_bytes,
                            timeout=timeout, headers=headers)

    def request(
        self,
        method: str,
        url: str,
        *,
        check_robots: bool = False,
        max_bytes: int | None = None,
        timeout: float | None = None,
        headers: dict[str, str] | None = None,
        content: bytes | None = None,
    ) -> FetchedResponse:
        limit = max_bytes or self.max_bytes
        budget = timeout or self.timeout
        deadline = time.monotonic() + budget
        started = time.monotonic()
        redirects: list[str] = []
        current = url
        for _hop in range(self.max_redirects + 1):
            parts = urlsplit(current)
            if parts.scheme not in ("http", "https") or not parts.hostname:
                raise OutboundRefused(f"{current!r} is not an http(s) URL", url=current)
            if parts.username or parts.password:
                raise OutboundRefused("URLs with credentials are not allowed", url=current)
            if check_robots and not self.allowed_by_robots(current):
                raise OutboundRefused("disallowed by robots.txt", url=current)
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise FetchFailed("timed out", retryable=True, url=current)
            try:
                with self._client.stream(
                    method, current, headers=headers, content=content,
                    timeout=httpx.Timeout(remaining, connect=min(remaining, 5.0)),
                ) as response:
                    if response.is_redirect and method in ("GET", "HEAD"):
                        location = response.headers.get("location", "")
                        redirects.append(current)
                        current = urljoin(current, location)
                        continue
                    declared = response.headers.get("content-length")
                    if declared and declared.isdigit() and int(declared) > limit:
                        raise FetchFailed(f"response larger than {limit} bytes",
                                          retryable=False, url=current)
                    body = bytearray()
                    for chunk in response.iter_bytes():
                        body.extend(chunk)
                        if len(body) > limit:
                            raise FetchFailed(f"response larger than {limit} bytes",
                                              retryable=False, url=current)
                        if time.monotonic() > deadline:
                            raise FetchFailed("timed out", retryable=True, url=current)
                    return FetchedResponse(
                        url=current, status=response.status_code, headers=response.headers,
                        content=bytes(body), redirects=redirects,
                        elapsed_ms=int((time.monotonic() - started) * 1000),
                    )
            except OutboundRefused as exc:
                exc.url = exc.url or current
                raise
            except httpx.TimeoutException as exc:
                raise FetchFailed("timed out", retryable=True, url=current) from exc
            except httpx.TransportError as exc:
                raise FetchFailed(f"connection failed: {exc}", retryable=True,
                                  url=current) from exc
        raise OutboundRefused(f"more than {self.max_redirects} redirects", url=url)


def safe_get(url: str, *, max_bytes: int | None = None, timeout: float | None = None,
             resolver: Resolver | None = None, check_robots: bool = False) -> FetchedResponse:
    """One-off safe GET (see ``SafeClient.get``)."""
    with SafeClient(resolver=resolver, timeout=timeout, max_bytes=max_bytes) as client:
        return client.get(url, check_robots=check_robots)
