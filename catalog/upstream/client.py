"""The Django Packages API v4 client: pages and records over ``catalog.http``'s bounded GETs.

Replies that are not the JSON the API promises (an HTML error page, a CDN page, a truncated
body) become an ``ApiError`` that says what came back. A listing whose ``count`` is beyond
anything plausible is refused before a single page more is asked for.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import quote

import msgspec

from catalog import VERSION
from catalog.api import PATHS, ApiPage, deep_nesting, page_decoder
from catalog.config import DEFAULT_API_URL, Config
from catalog.http import BoundedHttp, FetchError, HttpLimits, retry_after_seconds

USER_AGENT = f"djp/{VERSION} (Django Packages terminal client; python-httpx)"

#: The API client's failures are fetch failures: one line for the user.
ApiError = FetchError

__all__ = ["ApiClient", "ApiError", "ClientConfig", "retry_after_seconds"]


#: Environment variables that change the limits (README, "Limits").
@dataclass
class ClientConfig(HttpLimits):
    base_url: str = DEFAULT_API_URL
    page_size: int = 500
    concurrency: int = 4
    max_records: int = 100_000  # per listing; the catalogue holds about 5,800 packages
    sync_deadline: float = 900.0  # a whole sync

    def __post_init__(self) -> None:
        if not self.base_url.endswith("/"):
            self.base_url += "/"

    @classmethod
    def from_config(cls, config: Config, **kwargs) -> ClientConfig:
        """The API's limits from djp's settings (``catalog.config``)."""
        return cls(
            base_url=config.api_url,
            request_deadline=config.request_deadline,
            sync_deadline=config.sync_deadline,
            max_response_bytes=int(config.max_response_mb * 2**20),
            **kwargs,
        )


class ApiClient(BoundedHttp):
    """Use as ``async with ApiClient(config) as api``; counts requests and bytes."""

    def __init__(self, config: ClientConfig | None = None, **kwargs) -> None:
        self.config = config or ClientConfig()
        headers = {"Accept": "application/json", "User-Agent": USER_AGENT}
        super().__init__(self.config.base_url, self.config, headers, **kwargs)

    async def page(self, resource: str, offset: int) -> ApiPage:
        reply = await self.get(
            f"{PATHS[resource]}/", {"limit": self.config.page_size, "offset": offset}
        )
        if reply.status != 200:
            raise ApiError(f"{reply.url} answered {reply.describe()}")
        try:
            page = decode_page(reply.content)
        except (msgspec.DecodeError, msgspec.ValidationError, UnicodeDecodeError) as exc:
            raise ApiError(
                f"{reply.url} did not answer with a list page ({reply.describe()}; {exc})"
            ) from None
        except RecursionError:
            raise ApiError(f"{reply.url} answered JSON nested too deep to read") from None
        if not 0 <= page.count <= self.config.max_records:
            raise ApiError(
                f"{reply.url} claims {page.count:,} records, beyond any plausible catalogue "
                f"(at most {self.config.max_records:,}); nothing more was fetched"
            )
        return page

    async def detail(self, resource: str, key: str | int) -> bytes | None:
        """One record's raw JSON, or None when the API says it does not exist."""
        reply = await self.get(f"{PATHS[resource]}/{quote(str(key), safe='')}/")
        if reply.status == 200:
            return reply.content
        if reply.status == 404 and reply.headers.get("content-type", "").startswith(
            "application/json"
        ):
            return None
        raise ApiError(f"{reply.url} answered {reply.describe()}")


def decode_page(content: bytes) -> ApiPage:
    """A list page with its records left raw, so that one bad record skips alone."""
    try:
        return page_decoder.decode(content)
    except RecursionError:
        with deep_nesting():
            return page_decoder.decode(content)
