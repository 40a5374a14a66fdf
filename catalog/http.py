"""Bounded HTTP GETs for every remote djp reads (the Django Packages API, PyPI).

A remote is not trusted to be well behaved. Every request has a total deadline, body included
(a body sent one byte a second ends in a timeout, not a hang); a body larger than a cap, counted
while it is decompressed (a gzip bomb never grows past the cap in memory), is an error, and so
is a body encoded more than once (``gzip, gzip``) or in a coding djp does not read; redirects
are followed only to the same scheme and host, a bounded number of times (a redirect to another
host, or a loop, is one line). Timeouts, connection errors, 429 and 5xx are retried with
exponential backoff and jitter, honouring ``Retry-After``, bounded in attempts and in total
time. A 429 holds back every request of the client until its ``Retry-After`` has passed; one
that asks for longer than the client may wait is a ``ThrottledError``.
"""

from __future__ import annotations

import asyncio
import functools
import random
import re
import ssl
import time
import zlib
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from email.utils import parsedate_to_datetime

import httpx

from catalog.text import counted, safe_text


class FetchError(Exception):
    """A remote could not give what was asked; ``str()`` is one line for the user."""


class UnreachableError(FetchError):
    """Every attempt failed before an answer came (no connection, or timed out)."""


class ThrottledError(FetchError):
    """The host answered 429 and asked for a wait past what this client may wait."""


#: The codings a body may come in: one of these, or none.
CODINGS = {"gzip", "x-gzip", "deflate"}


@functools.cache
def ssl_context() -> ssl.SSLContext:
    """httpx's default context (certifi's roots), made once: making it takes ~50 ms, which
    every new client (opening a package refreshes its PyPI facts) would pay on the UI's loop."""
    return httpx.create_ssl_context()


#: Attempts at a host that has not answered once before it is called unreachable.
UNREACHED_ATTEMPTS = 2


@dataclass
class HttpLimits:
    connect_timeout: float = 5.0
    read_timeout: float = 30.0  # between two bytes
    request_deadline: float = 60.0  # one request, redirects and body included
    max_response_bytes: int = 50 * 2**20  # after decompression
    max_redirects: int = 5
    max_attempts: int = 5
    max_retry_seconds: float = 60.0
    backoff_seconds: float = 0.5
    max_backoff_seconds: float = 20.0


@dataclass
class Reply:
    """A final answer: its URL (after redirects), status, headers and whole body."""

    url: httpx.URL
    status: int
    headers: httpx.Headers
    content: bytes

    def describe(self) -> str:
        kind = self.headers.get("content-type", "no content type").split(";")[0]
        return f"HTTP {self.status} with {kind}: {snippet(self.content)!r}"


def snippet(body: bytes) -> str:
    text = body[:120].decode("utf-8", "replace")
    return safe_text(re.sub(r"\s+", " ", text).strip())


def retry_after_seconds(value: str | None) -> float | None:
    """``Retry-After`` as seconds: a number of seconds or an HTTP date."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - time.time())


class BoundedHttp:
    """GETs under ``HttpLimits``; counts requests and bytes. ``async with`` closes it."""

    def __init__(
        self,
        base_url: str,
        limits: HttpLimits,
        headers: dict[str, str],
        *,
        transport: httpx.AsyncBaseTransport | None = None,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
        deadline_at: float | None = None,
    ) -> None:
        self.limits = limits
        self.requests = 0
        self.bytes = 0
        self.reached = False  # the host answered once: later failures are worth retrying
        self._sleep = sleep
        # a 429's Retry-After holds back every request until then (``time.monotonic()``);
        # ``deadline_at`` is when the whole run ends (a sync): no wait goes past it
        self._resume_at = 0.0
        self.deadline_at = deadline_at
        self._http = httpx.AsyncClient(
            base_url=base_url,
            verify=ssl_context(),
            headers={"Accept-Encoding": "gzip, deflate", **headers},
            timeout=httpx.Timeout(limits.read_timeout, connect=limits.connect_timeout),
            transport=transport,
            follow_redirects=False,  # followed here, same host only
        )

    @property
    def base_url(self) -> httpx.URL:
        return self._http.base_url

    async def __aenter__(self) -> BoundedHttp:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self._http.aclose()

    async def get(
        self,
        path: str,
        params: dict | None = None,
        headers: dict | None = None,
        *,
        attempts: int | None = None,
    ) -> Reply:
        """GET with retries (``attempts`` at most, when given, else the limits'); returns any
        final answer that is not 429/5xx."""
        cfg = self.limits
        max_attempts = min(attempts or cfg.max_attempts, cfg.max_attempts)
        started = time.monotonic()
        waited = 0.0
        url = self._http.base_url.join(path)
        if params:
            url = url.copy_merge_params(params)
        answered = False  # any answer at all, even a 503: the host is there
        for attempt in range(1, max_attempts + 1):
            wait = None
            await self._hold_back(url)
            try:
                reply = await self._fetch(url, headers)
            except TimeoutError:
                reason = f"no whole answer within {cfg.request_deadline:g} s"
            except httpx.TimeoutException:
                reason = "timed out"
            except httpx.TransportError as exc:
                reason = (
                    f"connection failed ({type(exc).__name__}: {safe_text(exc) or 'no detail'})"
                )
            else:
                answered = self.reached = True
                if reply.status != 429 and reply.status < 500:
                    return reply
                reason = reply.describe()
                wait = retry_after_seconds(reply.headers.get("retry-after"))
                if reply.status == 429:  # about this client: every request waits
                    self._throttle(url, wait if wait is not None else cfg.backoff_seconds)
                    wait = 0.0  # the wait is _hold_back's, before the next attempt
            if wait is None:
                wait = min(cfg.max_backoff_seconds, cfg.backoff_seconds * 2 ** (attempt - 1))
                wait *= random.uniform(0.5, 1.0)  # jitter: many clients do not retry in step
            spent = max(time.monotonic() - started, waited)
            # a host that never answered (no network, a wrong address) is given up on after
            # UNREACHED_ATTEMPTS, not after the backoff of every attempt
            never = not self.reached and attempt >= UNREACHED_ATTEMPTS
            if attempt == max_attempts or never or spent + wait > cfg.max_retry_seconds:
                error = FetchError if answered else UnreachableError
                raise error(f"{url} failed after {counted(attempt, 'attempt')}: {reason}")
            if wait > 0:
                await self._sleep(wait)
            waited += wait
        raise AssertionError("unreachable")

    def _throttle(self, url: httpx.URL, wait: float) -> None:
        resume_at = time.monotonic() + wait
        self._resume_at = max(self._resume_at, resume_at)
        limit = self._wait_limit()
        if resume_at > limit:
            raise ThrottledError(
                f"{url.host} answered 429 Too Many Requests and asked djp to wait "
                f"{wait:,.0f} s, longer than it may ({max(limit - time.monotonic(), 0):,.0f} s "
                "left); stopped asking"
            )

    def _wait_limit(self) -> float:
        """When waiting must end: the run's deadline, else the retries' budget from now."""
        if self.deadline_at is not None:
            return self.deadline_at
        return time.monotonic() + self.limits.max_retry_seconds

    async def _hold_back(self, url: httpx.URL) -> None:
        """Wait while the host's last 429 holds every request back."""
        pause = self._resume_at - time.monotonic()
        if pause <= 0:
            return
        if self._resume_at > self._wait_limit():
            raise ThrottledError(
                f"{url.host} asked djp to wait {pause:,.0f} s more (429 Too Many Requests); "
                "stopped asking"
            )
        await self._sleep(pause)

    async def _fetch(self, url: httpx.URL, headers: dict | None) -> Reply:
        """One request (following same-host redirects) within the deadline and size cap."""
        cfg = self.limits
        seen = {str(url)}
        async with asyncio.timeout(cfg.request_deadline):
            for _ in range(cfg.max_redirects + 1):
                self.requests += 1
                async with self._http.stream("GET", url, headers=headers) as response:
                    if response.is_redirect and response.status_code != 304:
                        url = self._redirect(url, response.headers.get("location", ""), seen)
                        continue
                    body = await self._body(url, response)
                    self.bytes += response.num_bytes_downloaded
                    return Reply(url, response.status_code, response.headers, bytes(body))
        raise FetchError(f"{url} redirected more than {cfg.max_redirects} times; stopped")

    async def _body(self, url: httpx.URL, response: httpx.Response) -> bytearray:
        """The whole body, decoded here (not by httpx, which decodes a chunk whole however
        large it grows): at most ``max_response_bytes`` are ever held."""
        cap = self.limits.max_response_bytes
        if response.is_stream_consumed:  # read already (a mock transport's): httpx decoded it
            if len(response.content) > cap:
                raise FetchError(f"{url} sent more than {cap / 2**20:g} MB")
            return bytearray(response.content)
        coding = response.headers.get("content-encoding", "").strip().lower()
        codings = [c.strip() for c in coding.split(",") if c.strip() not in ("", "identity")]
        if len(codings) > 1 or (codings and codings[0] not in CODINGS):
            raise FetchError(
                f"{url} answered with Content-Encoding {safe_text(coding[:60])!r}: djp reads "
                "one gzip or deflate coding, not this"
            )
        # gzip or zlib, told apart by the header (32); a bare deflate stream is refused below
        decoder = zlib.decompressobj(zlib.MAX_WBITS | 32) if codings else None
        body = bytearray()

        def too_large() -> FetchError:
            return FetchError(
                f"{url} sent more than {cap / 2**20:g} MB; stopped reading "
                "(raise DJP_MAX_RESPONSE_MB to allow more)"
            )

        try:
            async for raw in response.aiter_raw():
                if decoder is None:
                    body += raw
                else:
                    data = raw
                    while data:
                        body += decoder.decompress(data, cap + 1 - len(body))
                        if len(body) > cap:
                            raise too_large()
                        data = decoder.unconsumed_tail
                if len(body) > cap:
                    raise too_large()
            if decoder is not None:
                body += decoder.flush()
        except zlib.error as exc:
            raise FetchError(f"{url} sent a body that is not valid {codings[0]} ({exc})") from None
        if len(body) > cap:
            raise too_large()
        return body

    @staticmethod
    def _redirect(url: httpx.URL, location: str, seen: set[str]) -> httpx.URL:
        if not location:
            raise FetchError(f"{url} redirected nowhere (no Location)")
        target = url.join(location)
        if (target.scheme, target.host, target.port) != (url.scheme, url.host, url.port):
            raise FetchError(
                f"{url} redirected to {safe_text(target.scheme)}://{safe_text(target.host)}, "
                "another host or scheme: not followed"
            )
        if str(target) in seen:
            raise FetchError(f"{url} redirects in a loop ({safe_text(target)}); stopped")
        seen.add(str(target))
        return target
