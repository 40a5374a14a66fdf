"""Bounded HTTP GETs for every remote djp reads (the Django Packages API, PyPI).

A remote is not trusted to be well behaved. Every request has a total deadline, body included
(a body sent one byte a second ends in a timeout, not a hang); a body larger than a cap, counted
after decompression (a gzip bomb), is an error; redirects are followed only to the same scheme
and host, a bounded number of times (a redirect to another host, or a loop, is one line).
Timeouts, connection errors, 429 and 5xx are retried with exponential backoff and jitter,
honouring ``Retry-After``, bounded in attempts and in total time.
"""

from __future__ import annotations

import asyncio
import functools
import random
import re
import ssl
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from email.utils import parsedate_to_datetime

import httpx

from catalog.text import counted, safe_text


class FetchError(Exception):
    """A remote could not give what was asked; ``str()`` is one line for the user."""


class UnreachableError(FetchError):
    """Every attempt failed before an answer came (no connection, or timed out)."""


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
    ) -> None:
        self.limits = limits
        self.requests = 0
        self.bytes = 0
        self.reached = False  # the host answered once: later failures are worth retrying
        self._sleep = sleep
        self._http = httpx.AsyncClient(
            base_url=base_url,
            verify=ssl_context(),
            headers=headers,
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
            await self._sleep(wait)
            waited += wait
        raise AssertionError("unreachable")

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
                    body = bytearray()
                    async for chunk in response.aiter_bytes():
                        body += chunk
                        if len(body) > cfg.max_response_bytes:
                            raise FetchError(
                                f"{url} sent more than {cfg.max_response_bytes / 2**20:g} MB; "
                                "stopped reading (raise DJP_MAX_RESPONSE_MB to allow more)"
                            )
                    self.bytes += response.num_bytes_downloaded
                    return Reply(url, response.status_code, response.headers, bytes(body))
        raise FetchError(f"{url} redirected more than {cfg.max_redirects} times; stopped")

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
