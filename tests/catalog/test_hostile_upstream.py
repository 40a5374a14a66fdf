"""A hostile or broken upstream, served on loopback: one bad record never breaks a sync, a
listing cannot empty the catalogue, and nothing runs without bounds.

Every attack here ended in a traceback, a hang, a store emptied or a sync that never ended
before djp bounded it.
"""

from __future__ import annotations

import json

import pytest

from catalog.upstream import session as sync_session
from catalog.upstream.client import ClientConfig
from catalog.upstream.sync import sync_catalog
from eventstore import SyncFinished
from tests.support.cli import run_djp
from tests.support.fakeapi import FakeApi, FakeApiServer, Fault

PKG = 4404  # django-address-model


def config(server, **kwargs) -> ClientConfig:
    base = dict(base_url=server.base_url, page_size=20, backoff_seconds=0.01, max_attempts=2)
    base.update(kwargs)
    return ClientConfig(**base)


def raw_body(server, edit) -> None:
    """Serve package 4404 as the raw bytes ``edit(json_text)`` returns."""
    text = json.dumps(server.api.data["packages"][PKG])
    raw = edit(text)
    server.api.raw_records.setdefault("packages", {})[PKG] = (
        raw if isinstance(raw, bytes) else raw.encode()
    )


def last_event(catalog):
    return catalog.event(catalog.last_seq).event


# --- one bad record -------------------------------------------------------------------------

ATTACKS = {
    "an integer beyond 64 bits": lambda t: t.replace(
        '"repo_watchers": 14', '"repo_watchers": 123456789012345678901234567890'
    ),
    "an id beyond 64 bits in a URL": lambda t: t.replace(
        "/categories/1/", "/categories/123456789012345678901234567890/"
    ),
    "a datetime out of range": lambda t: t.replace(
        '"created": "', '"created": "0001-01-01T00:00:00+14:00", "was": "'
    ),
    "invalid UTF-8 in a string": lambda t: t.encode().replace(b'"title": "', b'"title": "\xff\xfe'),
    "JSON nested 1,000 deep": lambda t: t[:-1] + ', "deep": ' + "[" * 1000 + "]" * 1000 + "}",
    "a slug too long for an index key": lambda t: t.replace(
        '"slug": "django-address-model"', '"slug": "' + "a" * 600 + '"'
    ),
}


@pytest.mark.parametrize("attack", sorted(ATTACKS))
@pytest.mark.slow
async def test_one_bad_record_is_skipped_and_the_rest_of_its_page_lands(server, catalog, attack):
    raw_body(server, ATTACKS[attack])
    report = await sync_catalog(catalog, config(server, page_size=500))
    assert report.outcome == "complete", report.error
    assert [(s.resource, s.id) for s in report.skipped] == [("package", PKG)]
    assert catalog.projection.entry("package", PKG) is None
    assert len(catalog.projection.entries("package")) == len(server.api.data["packages"]) - 1
    assert isinstance(last_event(catalog), SyncFinished)
    assert catalog.store.verify().ok and catalog.projection.differences() == []
    again = await sync_catalog(catalog, config(server, page_size=500))  # and the next one too
    assert again.outcome == "complete" and again.counts.new == 0


async def test_a_record_the_store_cannot_hold_is_skipped_not_a_failed_page(server, catalog):
    # past validation: a value too large for the store's key is caught when it is written
    def oversized(resource, raw):
        record = decode(resource, raw)
        if record.id == PKG:
            record.slug = "x" * 600  # an index key LMDB refuses
        return record

    decode = sync_session.decode_record
    sync_session.decode_record = oversized
    try:
        report = await sync_catalog(catalog, config(server))
    finally:
        sync_session.decode_record = decode
    assert report.outcome == "complete"
    assert [s.id for s in report.skipped] == [PKG]
    assert "cannot be stored" in report.skipped[0].reason
    assert len(catalog.projection.entries("package")) == len(server.api.data["packages"]) - 1


# --- the listing cannot empty the catalogue ---------------------------------------------------


async def synced(server, catalog) -> int:
    report = await sync_catalog(catalog, config(server))
    assert report.outcome == "complete"
    return len(catalog.projection.entries("package"))


@pytest.mark.parametrize("keep", [0, 1])
@pytest.mark.slow
async def test_an_implausibly_small_listing_marks_nothing_vanished(server, catalog, keep):
    before = await synced(server, catalog)
    packages = server.api.data["packages"]
    server.api.data["packages"] = dict(list(packages.items())[:keep])
    report = await sync_catalog(catalog, config(server))
    assert report.counts.vanished == 0
    assert len(catalog.projection.entries("package")) == before
    assert any("shrank from" in w and "nothing was marked vanished" in w for w in report.warnings)


async def test_a_count_that_disagrees_with_the_records_marks_nothing_vanished(server, catalog):
    before = await synced(server, catalog)
    server.api.data["packages"].pop(PKG)  # one really gone, but the count lies
    server.api.counts["packages"] = len(server.api.data["packages"]) + 5
    report = await sync_catalog(catalog, config(server))
    assert report.counts.vanished == 0 and len(catalog.projection.entries("package")) == before
    assert any("listing said" in w for w in report.warnings)


async def test_a_plausible_shrink_still_marks_what_vanished(server, catalog):
    await synced(server, catalog)
    server.api.data["packages"].pop(PKG)
    report = await sync_catalog(catalog, config(server))
    assert report.counts.vanished == 1 and report.warnings == []


async def test_duplicate_ids_across_pages_are_reported_and_the_sync_finishes(server, catalog):
    await synced(server, catalog)
    other = sorted(server.api.data["packages"])[0]  # the oldest: on the last page
    raw_body(server, lambda t: json.dumps(dict(json.loads(t), id=other)))  # 4404 says "other"
    report = await sync_catalog(catalog, config(server))
    assert report.outcome == "complete", report.error
    assert report.counts.duplicates >= 1
    assert report.counts.vanished == 0  # the listing held fewer distinct records than it said
    assert any("repeated" in w for w in report.warnings)


# --- no run without bounds --------------------------------------------------------------------


async def test_an_absurd_count_is_refused_before_any_more_requests(server, catalog):
    for count in (10**7, 10**15):
        server.api.counts["packages"] = count
        server.api.requests.clear()
        report = await sync_catalog(catalog, config(server))
        assert report.outcome == "partial"
        assert f"claims {count:,} records" in report.error
        assert sum(r.startswith("/api/v4/packages/") for r in server.api.requests) == 1


async def test_a_plausible_but_false_count_stops_at_the_first_short_page(server, catalog):
    server.api.counts["packages"] = 90_000  # 4,500 pages of 20 if djp believed it
    report = await sync_catalog(catalog, config(server))
    asked = sum(r.startswith("/api/v4/packages/") for r in server.api.requests)
    assert asked < 20, asked
    assert report.counts.vanished == 0
    assert len(catalog.projection.entries("package")) == len(server.api.data["packages"])


async def test_a_redirect_to_another_host_is_not_followed(server, catalog):
    with FakeApiServer(FakeApi()) as canary:  # stands in for a metadata address
        server.api.faults.append(
            Fault("redirect", path="/api/v4/categories/", location=canary.base_url)
        )
        report = await sync_catalog(catalog, config(server))
        assert canary.api.requests == []
    assert report.outcome == "failed"
    assert "another host or scheme: not followed" in report.error
    assert report.error.count("\n") == 0


async def test_a_redirect_loop_is_one_line(server, catalog):
    server.api.faults.append(Fault("redirect", path="/api/v4/categories/", times=50))
    report = await sync_catalog(catalog, config(server))
    assert report.outcome == "failed" and "redirects in a loop" in report.error


async def test_a_same_host_redirect_is_followed(server, catalog):
    server.api.faults.append(
        Fault("redirect", path="/api/v4/categories/", location="/api/v4/categories/?limit=20")
    )
    report = await sync_catalog(catalog, config(server))
    assert report.outcome == "complete", report.error


@pytest.mark.slow
async def test_a_body_sent_a_byte_a_second_ends_at_the_request_deadline(server, catalog):
    server.api.faults.append(Fault("trickle", path="/api/v4/categories/", delay=0.2, times=5))
    report = await sync_catalog(
        catalog, config(server, request_deadline=1.0, max_retry_seconds=1.5)
    )
    assert report.outcome == "failed" and "no whole answer within 1 s" in report.error


@pytest.mark.slow
async def test_the_whole_sync_has_a_deadline(server, catalog):
    server.api.faults.append(Fault("slow", path="/api/v4/packages/", delay=3.0, times=10))
    report = await sync_catalog(catalog, config(server, sync_deadline=1.0, read_timeout=10))
    assert report.outcome == "partial"
    assert "took longer than 1 s" in report.error
    assert catalog.store.verify().ok


async def test_a_gzip_bomb_is_stopped_at_the_size_cap(server, catalog):
    server.api.faults.append(
        Fault("gzipbomb", path="/api/v4/categories/", size=20 * 2**20)  # 20 MB unpacked
    )
    report = await sync_catalog(catalog, config(server, max_response_bytes=2**20))
    assert report.outcome == "failed"
    assert "sent more than 1 MB; stopped reading" in report.error


@pytest.mark.slow
def test_warnings_reach_the_command_line(server, store_path):
    code, _, _ = run_djp("--store", store_path, "sync", "--base-url", server.base_url)
    assert code == 0
    server.api.data["packages"] = {}
    code, out, _ = run_djp("--store", store_path, "sync", "--base-url", server.base_url)
    assert code == 0
    assert "  warning: the packages listing shrank from" in out
    code, out, _ = run_djp("--store", store_path, "log", "--limit", "1")
    assert "1 warning" in out
