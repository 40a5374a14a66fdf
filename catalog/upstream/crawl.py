"""Crawling one resource of the API: pages a few at a time, applied as they come.

A short (or empty) page is the end of the listing, whatever its ``count`` says, and pages
past it are not fetched. Records created during the crawl shift pages under it: it crawls
again from the top (at most ``MAX_EXTRA_ROUNDS`` times), de-duplicating by id.
"""

from __future__ import annotations

import asyncio
import math

from catalog.upstream.client import ApiClient
from catalog.upstream.session import Listing, ProgressCallback, SyncProgress, SyncSession

MAX_EXTRA_ROUNDS = 2  # re-crawls when records went missing because pages shifted


async def crawl(
    run: SyncSession, api: ApiClient, resource: str, progress: ProgressCallback | None
) -> Listing:
    """Fetch every page of one resource. Pages are asked for a few at a time; a short (or
    empty) page is the end, whatever ``count`` says, and pages past it are not fetched."""
    size = api.config.page_size
    started = run.clock()
    done = 0
    duplicates_before = run.counts.duplicates

    def report(total: int) -> None:
        if progress:
            progress(
                SyncProgress(
                    resource,
                    done,
                    total,
                    run.counts.records,
                    api.requests,
                    api.bytes,
                    run.clock() - started,
                )
            )

    first = await api.page(resource, 0)
    listing = Listing(count=first.count)
    run.apply_page(resource, run.decode(resource, first.results, listing.seen))
    done = 1
    total = max(1, math.ceil(first.count / size)) if len(first.results) >= size else 1
    report(total)
    offsets = list(range(size, total * size, size))
    for round_ in range(MAX_EXTRA_ROUNDS + 1):
        before = len(listing.seen)
        done += await fetch_pages(run, api, resource, offsets, listing)
        report(max(total, done))
        if round_ == 0:  # a re-crawl sees every record again: only the first pass tells
            listing.duplicates = run.counts.duplicates - duplicates_before
        held = len(listing.seen) + len(run.skipped_ids(resource))
        if held >= listing.count:
            listing.complete = True
            return listing
        if round_ and len(listing.seen) == before:
            # a whole re-crawl found nothing new: the listing repeats records instead of
            # holding what its count says (reported, not crawled forever)
            listing.complete = True
            return listing
        # Records were created (or deleted) during the crawl and pages shifted under us:
        # crawl again, from the top, with one more page; what we saw is de-duplicated.
        pages = math.ceil(listing.count / size) + 1
        offsets = list(range(0, pages * size, size))
        total = done + len(offsets)
    return listing


async def fetch_pages(
    run: SyncSession,
    api: ApiClient,
    resource: str,
    offsets: list[int],
    listing: Listing,
) -> int:
    """Fetch the pages at ``offsets`` (a few at a time) and apply each as it comes; stop
    asking past the first short page. Returns how many pages were applied."""
    size = api.config.page_size
    semaphore = asyncio.Semaphore(api.config.concurrency)
    end = math.inf  # the offset past the last record, once a short page showed it

    async def fetch(offset: int):
        async with semaphore:
            if offset >= end:
                return offset, None
            return offset, await api.page(resource, offset)

    done = 0
    tasks = [asyncio.ensure_future(fetch(o)) for o in offsets]
    try:
        for next_page in asyncio.as_completed(tasks):
            offset, page = await next_page
            if page is None:
                continue
            # records created during the crawl raise the count: take the largest seen
            listing.count = max(listing.count, page.count)
            if len(page.results) < size:
                end = min(end, offset + len(page.results))
            run.apply_page(resource, run.decode(resource, page.results, listing.seen))
            done += 1
    finally:
        for task in tasks:
            task.cancel()
    return done
