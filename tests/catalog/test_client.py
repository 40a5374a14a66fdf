"""The API client's retry policy, with a recorded sleep instead of real waiting."""

from __future__ import annotations

import httpx
import pytest

from catalog.upstream.client import (
    USER_AGENT,
    ApiClient,
    ApiError,
    ClientConfig,
    retry_after_seconds,
)


def _client(handler, waits, **kwargs):
    async def sleep(seconds):
        waits.append(seconds)

    cfg = ClientConfig(base_url="http://api.test/api/v4/", **kwargs)
    return ApiClient(cfg, transport=httpx.MockTransport(handler), sleep=sleep)


async def test_retry_after_is_honoured_and_headers_are_sent():
    seen, waits = [], []

    def handler(request):
        seen.append(request)
        if len(seen) == 1:
            return httpx.Response(429, headers={"Retry-After": "7"}, text="slow down")
        return httpx.Response(200, json={"count": 0, "next": None, "previous": None, "results": []})

    async with _client(handler, waits) as api:
        page = await api.page("package", 0)
    assert page.count == 0 and waits == [pytest.approx(7.0, abs=0.5)]  # held back until then
    assert seen[0].headers["accept"] == "application/json"
    assert seen[0].headers["user-agent"] == USER_AGENT
    assert seen[0].url.params["limit"] == "500"


async def test_backoff_grows_with_jitter_and_is_bounded_in_attempts():
    waits = []

    def handler(request):
        return httpx.Response(
            502, text="<html>bad gateway</html>", headers={"content-type": "text/html"}
        )

    async with _client(handler, waits, max_attempts=4, backoff_seconds=1.0) as api:
        with pytest.raises(ApiError, match="failed after 4 attempts: HTTP 502 with text/html"):
            await api.page("grid", 0)
    assert len(waits) == 3
    for attempt, wait in enumerate(waits):
        assert 0.5 * 2**attempt <= wait <= 2**attempt


async def test_total_retry_time_is_bounded():
    waits = []

    def handler(request):
        return httpx.Response(503, headers={"Retry-After": "50"})

    async with _client(handler, waits, max_attempts=10, max_retry_seconds=60) as api:
        with pytest.raises(ApiError, match="after 2 attempts"):
            await api.page("grid", 0)
    assert waits == [50.0]


async def test_client_errors_are_not_retried():
    waits = []

    def handler(request):
        return httpx.Response(
            403, text="<html>Forbidden by CDN</html>", headers={"content-type": "text/html"}
        )

    async with _client(handler, waits) as api:
        with pytest.raises(
            ApiError, match="HTTP 403 with text/html: '<html>Forbidden by CDN</html>'"
        ):
            await api.page("package", 0)
    assert waits == []


def test_retry_after_forms():
    assert retry_after_seconds("12") == 12.0
    assert retry_after_seconds("Wed, 21 Oct 2015 07:28:00 GMT") == 0.0
    assert retry_after_seconds("soon") is None
    assert retry_after_seconds(None) is None
