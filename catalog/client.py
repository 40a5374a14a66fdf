"""An httpx client for the Django Packages API v4: paging, retries, and one-line errors.

Retries with exponential backoff and jitter on timeouts, connection errors, 429 and 5xx,
honouring ``Retry-After``, bounded both in attempts and in total time. Replies that are not
the JSON the API promises (an HTML error page, a CDN page, a truncated body) become an
``ApiError`` that says what came back.
"""

from __future__ import annotations

import asyncio
import random
import re
import time
from dataclasses import dataclass
from email.utils import parsedate_to_datetime

import httpx
import msgspec

from catalog import VERSION
from catalog.api import PATHS, ApiPage, page_decoder
from catalog.text import safe_text

DEFAULT_BASE_URL = "https://djangopackages.org/api/v4/"
USER_AGENT = f"djp/{VERSION} (Django Packages terminal client; python-httpx)"


class ApiError(Exception):
    """The API could not give what was asked; ``str()`` is one line for the user."""


@dataclass
class ClientConfig:
    base_url: str = DEFAULT_BASE_URL
    page_size: int = 500
    concurrency: int = 4
    connect_timeout: float = 5.0
    read_timeout: float = 30.0
    max_attempts: int = 5
    max_retry_seconds: float = 60.0
    backoff_seconds: float = 0.5
    max_backoff_seconds: float = 20.0

    def __post_init__(self) -> None:
        if not self.base_url.endswith("/"):
            self.base_url += "/"


def _snippet(body: bytes) -> str:
    text = body[:120].decode("utf-8", "replace")
    return safe_text(re.sub(r"\s+", " ", text).strip())


def _describe(response: httpx.Response) -> str:
    kind = response.headers.get("content-type", "no content type").split(";")[0]
    return f"HTTP {response.status_code} with {kind}: {_snippet(response.content)!r}"


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


class ApiClient:
    """Use as ``async with ApiClient(config) as api``; counts requests and bytes."""

    def __init__(
        self,
        config: ClientConfig | None = None,
        *,
        transport: httpx.AsyncBaseTransport | None = None,
        sleep=asyncio.sleep,
    ) -> None:
        self.config = config or ClientConfig()
        self.requests = 0
        self.bytes = 0
        self._sleep = sleep
        self._http = httpx.AsyncClient(
            base_url=self.config.base_url,
            headers={"Accept": "application/json", "User-Agent": USER_AGENT},
            timeout=httpx.Timeout(self.config.read_timeout, connect=self.config.connect_timeout),
            transport=transport,
            follow_redirects=True,
        )

    async def __aenter__(self) -> ApiClient:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self._http.aclose()

    async def get(self, path: str, params: dict | None = None) -> httpx.Response:
        """GET with retries; returns any final response that is not 429/5xx."""
        cfg = self.config
        started = time.monotonic()
        waited = 0.0
        url = self._http.base_url.join(path)
        for attempt in range(1, cfg.max_attempts + 1):
            wait = None
            try:
                self.requests += 1
                response = await self._http.get(path, params=params)
            except httpx.TimeoutException:
                reason = "timed out"
            except httpx.TransportError as exc:
                reason = (
                    f"connection failed ({type(exc).__name__}: {safe_text(exc) or 'no detail'})"
                )
            else:
                self.bytes += len(response.content)
                if response.status_code != 429 and response.status_code < 500:
                    return response
                reason = _describe(response)
                wait = retry_after_seconds(response.headers.get("retry-after"))
            if wait is None:
                wait = min(cfg.max_backoff_seconds, cfg.backoff_seconds * 2 ** (attempt - 1))
                wait *= random.uniform(0.5, 1.0)  # jitter: many clients do not retry in step
            spent = max(time.monotonic() - started, waited)
            if attempt == cfg.max_attempts or spent + wait > cfg.max_retry_seconds:
                raise ApiError(f"{url} failed after {attempt} attempts: {reason}")
            await self._sleep(wait)
            waited += wait
        raise AssertionError("unreachable")

    async def page(self, resource: str, offset: int) -> ApiPage:
        path = f"{PATHS[resource]}/"
        response = await self.get(path, {"limit": self.config.page_size, "offset": offset})
        if response.status_code != 200:
            raise ApiError(f"{response.request.url} answered {_describe(response)}")
        try:
            return page_decoder.decode(response.content)
        except (msgspec.DecodeError, msgspec.ValidationError) as exc:
            raise ApiError(
                f"{response.request.url} did not answer with a list page "
                f"({_describe(response)}; {exc})"
            ) from None

    async def detail(self, resource: str, key: str | int) -> bytes | None:
        """One record's raw JSON, or None when the API says it does not exist."""
        response = await self.get(f"{PATHS[resource]}/{key}/")
        if response.status_code == 200:
            return response.content
        if response.status_code == 404 and response.headers.get("content-type", "").startswith(
            "application/json"
        ):
            return None
        raise ApiError(f"{response.request.url} answered {_describe(response)}")
