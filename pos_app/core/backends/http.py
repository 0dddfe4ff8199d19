"""The HTTP plumbing every adapter shares: one reused client, explicit timeouts, capped reads,
path-segment encoding, and the mapping of transport failures to plain errors.

Whether a failure leaves an operation's outcome unknown depends on whether the request may
have reached the service: a refused connection never did, a read timeout may have.
"""

from __future__ import annotations

import json
import logging
import threading
import time
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote

import httpx

from pos_app.core.errors import BadResponse, OutcomeUnknown, ServiceUnavailable
from pos_app.core.i18n import _

log = logging.getLogger(__name__)

#: Answers larger than this are cut off and refused (a hostile or broken server).
MAX_BODY_BYTES = 1 << 20

DEFAULT_TIMEOUT = httpx.Timeout(connect=3.0, read=10.0, write=5.0, pool=3.0)
#: Seconds a whole answer may take to arrive. httpx's read timeout is per read, so an answer
#: that trickles in a byte at a time would otherwise hold the till forever.
DEFAULT_DEADLINE = 20.0


def segment(value: str) -> str:
    """Percent-encode ``value`` as exactly one URL path segment.

    Everything but unreserved characters is encoded, and so are the dots of ``.`` and ``..``
    so that no client or server can treat them as a step up the path.
    """
    encoded = quote(value, safe="")
    if encoded in {".", ".."} or "." in encoded:
        encoded = encoded.replace(".", "%2E")
    return encoded


@dataclass
class Answer:
    """A service's HTTP answer, read in full (up to the cap)."""

    status: int
    headers: httpx.Headers
    body: bytes
    _json: Any = field(default=None, repr=False)
    _parsed: bool = field(default=False, repr=False)

    def json(self, service: str) -> Any:
        """The body as JSON, or :class:`BadResponse` with a plain message."""
        if not self._parsed:
            try:
                self._json = json.loads(self.body.decode("utf-8"))
            except (UnicodeDecodeError, json.JSONDecodeError, RecursionError):
                raise BadResponse(_("{service} answered something that is not JSON (HTTP "
                                    "{status}).").format(service=service, status=self.status),
                                  service=service) from None
            self._parsed = True
        return self._json

    def json_or_none(self) -> Any:
        try:
            return json.loads(self.body.decode("utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError, RecursionError):
            return None


class _LazyTLSTransport(httpx.BaseTransport):
    """httpx's transport with TLS verification on, made at the first request: building its
    SSL context (the CA bundle) costs ~17 ms, which a command talking plain HTTP to the
    sandbox on loopback never needs."""

    def __init__(self) -> None:
        self._transport: httpx.HTTPTransport | None = None

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        if self._transport is None:
            self._transport = httpx.HTTPTransport(verify=True)
        return self._transport.handle_request(request)

    def close(self) -> None:
        if self._transport is not None:
            self._transport.close()


class _PlainHTTPTransport(httpx.HTTPTransport):
    """httpx's transport for plain HTTP only, without the SSL context ``HTTPTransport()``
    always builds (the process's first one costs ~10 ms: OpenSSL reads its configuration).
    Mounted for one loopback host's ``http://`` URLs, so TLS never goes through it."""

    def __init__(self) -> None:  # not super().__init__(): that builds the SSL context
        import httpcore

        self._pool = httpcore.ConnectionPool(ssl_context=None, max_connections=100,
                                             max_keepalive_connections=20,
                                             keepalive_expiry=5.0)


def _loopback_mount(base_url: str) -> dict[str, httpx.BaseTransport] | None:
    """For a plain-HTTP base URL on a loopback host: that host's requests need no TLS."""
    url = httpx.URL(base_url)
    if url.scheme != "http" or url.host not in ("127.0.0.1", "localhost", "::1"):
        return None
    host = f"[{url.host}]" if ":" in url.host else url.host
    return {f"http://{host}": _PlainHTTPTransport()}


class ServiceHttp:
    """One ``httpx.Client`` per service, reused across calls.

    TLS verification stays on; redirects are not followed (a redirect to another host must
    never carry credentials there).
    """

    def __init__(self, service: str, base_url: str, *,
                 timeout: httpx.Timeout = DEFAULT_TIMEOUT,
                 headers: dict[str, str] | None = None,
                 deadline: float | None = None) -> None:
        self.service = service
        self.base_url = base_url.rstrip("/")
        self.deadline = DEFAULT_DEADLINE if deadline is None else deadline
        self._options: dict[str, Any] = {
            "timeout": timeout, "follow_redirects": False,
            "headers": {"User-Agent": _user_agent(), **(headers or {})}}
        self._made: httpx.Client | None = None
        self._lock = threading.Lock()

    @property
    def _client(self) -> httpx.Client:
        """The client, made on the first request: a command that asks one service of five
        builds one client, not five."""
        with self._lock:
            if self._made is None:
                self._made = httpx.Client(**self._options, transport=_LazyTLSTransport(),
                                          mounts=_loopback_mount(self.base_url))
            return self._made

    def close(self) -> None:
        with self._lock:
            made, self._made = self._made, None
        if made is not None:
            made.close()

    def url(self, *segments: str, base: str | None = None) -> str:
        """The base URL joined with already-fixed path parts and encoded dynamic segments."""
        return (base or self.base_url).rstrip("/") + "".join("/" + s for s in segments)

    def request(self, method: str, url: str, *, mutating: bool,
                json_body: Any = None, data: dict[str, str] | None = None,
                headers: dict[str, str] | None = None,
                deadline: float | None = None) -> Answer:
        """Send one request and read its answer, turning transport failures into errors.

        ``mutating`` says whether a lost answer leaves a change in doubt
        (:class:`OutcomeUnknown`) or simply failed (:class:`ServiceUnavailable`).
        ``deadline`` bounds the whole answer in seconds (default: :attr:`deadline`).
        """
        name = self.service
        end = time.monotonic() + (self.deadline if deadline is None else deadline)
        try:
            with self._client.stream(method, url, json=json_body, data=data,
                                     headers=headers) as response:
                body = bytearray()
                for chunk in response.iter_bytes():
                    body.extend(chunk)
                    if len(body) > MAX_BODY_BYTES:
                        log.info("%s: answer over %d bytes; not read", name, MAX_BODY_BYTES)
                        message = _("{service} sent an answer larger than {size} KiB; it was "
                                    "not read.").format(service=name,
                                                        size=MAX_BODY_BYTES // 1024)
                        if mutating:  # the request did reach the service
                            raise OutcomeUnknown(message, service=name)
                        raise BadResponse(message, service=name)
                    if time.monotonic() > end:
                        raise httpx.ReadTimeout("the answer did not arrive in time")  # i18n-skip
                return Answer(response.status_code, response.headers, bytes(body))
        except (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout) as exc:
            log.info("%s: cannot connect: %s", name, type(exc).__name__)
            raise ServiceUnavailable(_("No connection to {service}.").format(service=name),
                                     _("Check the network; nothing was charged."),
                                     service=name) from None
        except (httpx.ReadTimeout, httpx.WriteTimeout) as exc:
            log.info("%s: timed out: %s", name, type(exc).__name__)
            if mutating:
                raise OutcomeUnknown(_no_answer(name), service=name, landing=True) from None
            raise ServiceUnavailable(_no_answer(name),
                                     _("Try again in a moment; nothing was changed."),
                                     service=name) from None
        except (httpx.RemoteProtocolError, httpx.ReadError, httpx.WriteError) as exc:
            log.info("%s: connection lost: %s", name, type(exc).__name__)
            if mutating:
                raise OutcomeUnknown(_("The connection to {service} was lost before it "
                                       "answered.").format(service=name),
                                     service=name, landing=True) from None
            raise ServiceUnavailable(_("The connection to {service} was lost.").format(
                service=name), _("Try again; nothing was changed."), service=name) from None
        except httpx.UnsupportedProtocol:
            raise ServiceUnavailable(_("The address set for {service} is not an http(s) "
                                       "URL.").format(service=name),
                                     _("Check the service address in the settings."),
                                     service=name) from None
        except httpx.HTTPError as exc:
            log.info("%s: HTTP error: %s", name, type(exc).__name__)
            if mutating:
                raise OutcomeUnknown(_("The request to {service} failed midway.").format(
                    service=name), service=name, landing=True) from None
            raise ServiceUnavailable(_("The request to {service} failed.").format(
                service=name), service=name) from None


def _no_answer(service: str) -> str:
    return _("{service} did not answer in time.").format(service=service)


def retry_after_seconds(headers: httpx.Headers) -> float | None:
    """``Retry-After`` in seconds (only the delta form; dates are ignored)."""
    value = headers.get("Retry-After")
    if value is None:
        return None
    try:
        seconds = float(value)
    except ValueError:
        return None
    return max(0.0, min(seconds, 3600.0))


def _user_agent() -> str:
    from pos_app import __version__

    return f"pos-app/{__version__}"
