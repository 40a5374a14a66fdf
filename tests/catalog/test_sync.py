"""Syncing over loopback HTTP from a fake API serving recorded pages, with faults."""

from __future__ import annotations

import asyncio
import collections
import copy
import json
from datetime import datetime

import pytest

from catalog.api import decode_record
from catalog.read.queries import record_json
from catalog.upstream.client import ClientConfig
from catalog.upstream.sync import sync_catalog, sync_package
from eventstore import RecordChanged, RecordSeen, RecordVanished, SyncFinished
from tests.support.fakeapi import Fault


def config(server, **kwargs) -> ClientConfig:
    base = dict(base_url=server.base_url, page_size=20, backoff_seconds=0.01, read_timeout=5.0)
    base.update(kwargs)
    return ClientConfig(**base)


def upstream_state(catalog):
    return {k: v.record for k, v in catalog.projection.dump()["upstream"].items() if not v.vanished}


def served_state(server):
    out = {}
    for plural, resource in (
        ("packages", "package"),
        ("grids", "grid"),
        ("categories", "category"),
    ):
        for ident, body in server.api.data[plural].items():
            out[f"{resource}:{ident}".encode()] = decode_record(resource, json.dumps(body).encode())
    return out


def events_of(catalog, since=0):
    return [e for e in catalog.store.read_all(since + 1)]


async def test_first_sync_stores_every_record(server, catalog):
    report = await sync_catalog(catalog, config(server))
    assert report.outcome == "complete", report.error
    served = served_state(server)
    assert report.counts.new == report.counts.records == len(served)
    assert upstream_state(catalog) == served
    types = collections.Counter(e.type for e in events_of(catalog))
    assert types == {"SyncStarted": 1, "RecordSeen": len(served), "SyncFinished": 1}
    # 75 packages in pages of 20 is 4 requests, plus grids and categories
    assert report.counts.requests == 6
    assert catalog.store.verify().ok


async def test_every_recorded_record_survives_a_sync_to_json(server, catalog):
    await sync_catalog(catalog, config(server))
    for ident, body in server.api.data["packages"].items():
        out = record_json(catalog.projection.entry("package", ident).record)
        for name in (
            "title",
            "slug",
            "repo_url",
            "repo_description",
            "pypi_url",
            "pypi_version",
            "documentation_url",
            "repo_watchers",
            "participants",
            "commits_over_52",
        ):
            assert out[name] == body[name], (ident, name)
        for name in ("last_updated", "created", "modified"):
            assert (out[name] is None) == (body[name] is None)
            if body[name]:
                assert out[name] == body[name] or _same_instant(out[name], body[name])


def _same_instant(a: str, b: str) -> bool:

    return datetime.fromisoformat(a) == datetime.fromisoformat(b)


async def test_second_sync_without_changes_appends_two_events(server, catalog):
    await sync_catalog(catalog, config(server))
    before = catalog.store.last_seq
    report = await sync_catalog(catalog, config(server))
    assert report.outcome == "complete"
    assert catalog.store.last_seq == before + 2
    assert [e.type for e in events_of(catalog, before)] == ["SyncStarted", "SyncFinished"]
    assert report.counts.unchanged == report.counts.records and report.counts.new == 0


async def test_last_fetched_alone_is_not_a_change(server, catalog):
    await sync_catalog(catalog, config(server))
    for body in server.api.data["packages"].values():
        body["last_fetched"] = "2026-11-26T01:02:03.456789-05:00"
    before = catalog.store.last_seq
    await sync_catalog(catalog, config(server))
    assert catalog.store.last_seq == before + 2


async def test_changed_record_is_one_event_with_the_right_fields(server, catalog):
    await sync_catalog(catalog, config(server))
    body = server.api.data["packages"][4404]
    old_version, old_watchers = body["pypi_version"], body["repo_watchers"]
    body["pypi_version"] = "2.0.0"
    body["repo_watchers"] = old_watchers + 40
    before = catalog.store.last_seq
    report = await sync_catalog(catalog, config(server))
    assert report.counts.changed == 1
    new = events_of(catalog, before)
    assert [e.type for e in new] == ["SyncStarted", "RecordChanged", "SyncFinished"]
    change = new[1]
    assert change.stream == "package:4404" and change.version == 2
    assert isinstance(change.event, RecordChanged)
    assert {k: (v.before, v.after) for k, v in change.event.changes.items()} == {
        "pypi_version": (old_version, "2.0.0"),
        "repo_watchers": (old_watchers, old_watchers + 40),
    }
    assert catalog.projection.entry("package", 4404).record.repo_watchers == old_watchers + 40


async def test_vanished_and_seen_again(server, catalog):
    await sync_catalog(catalog, config(server))
    body = server.api.data["packages"].pop(4321)
    report = await sync_catalog(catalog, config(server))
    assert report.counts.vanished == 1
    assert catalog.projection.entry("package", 4321).vanished
    last = catalog.store.read_stream("package:4321")[-1]
    assert isinstance(last.event, RecordVanished)
    server.api.data["packages"][4321] = body
    report = await sync_catalog(catalog, config(server))
    assert report.counts.returned == 1
    seen = catalog.store.read_stream("package:4321")[-1]
    assert isinstance(seen.event, RecordSeen) and seen.event.again
    assert not catalog.projection.entry("package", 4321).vanished


async def test_429_with_retry_after_is_retried(server, catalog):
    server.api.faults.append(Fault("429", path="/api/v4/packages/", retry_after="0"))
    report = await sync_catalog(catalog, config(server))
    assert report.outcome == "complete"
    assert report.counts.requests == 7  # one more than without the fault
    assert upstream_state(catalog) == served_state(server)


async def test_503_html_fails_clearly_and_loses_nothing(server, catalog):
    await sync_catalog(catalog, config(server))
    kept = upstream_state(catalog)
    server.api.data["packages"][4404]["repo_watchers"] += 1
    # the grid listing works, then every packages page answers a maintenance page
    server.api.faults.append(Fault("503", path="/api/v4/packages/", times=100))
    before = catalog.store.last_seq
    report = await sync_catalog(catalog, config(server, max_attempts=3))
    assert report.outcome == "partial"
    assert report.error.startswith("http://127.0.0.1:")
    assert "failed after 3 attempts: HTTP 503 with text/html: '<!DOCTYPE html>" in report.error
    assert "Down for maintenance" in report.error
    assert upstream_state(catalog) == kept  # nothing lost, nothing marked vanished
    finished = events_of(catalog, before)[-1].event
    assert isinstance(finished, SyncFinished) and finished.outcome == "partial"
    assert catalog.store.verify().ok
    server.api.faults.clear()
    report = await sync_catalog(catalog, config(server))
    assert report.outcome == "complete" and report.counts.changed == 1


async def test_first_request_failing_is_a_failed_sync(server, catalog):
    server.api.faults.append(Fault("503", path="/api/v4/", times=100))
    report = await sync_catalog(catalog, config(server, max_attempts=2))
    assert report.outcome == "failed"
    assert catalog.store.last_seq == 2  # SyncStarted and SyncFinished only


@pytest.mark.slow
async def test_slow_reply_past_read_timeout_is_retried(server, catalog):
    server.api.faults.append(Fault("slow", path="/api/v4/grids/", delay=1.0))
    report = await sync_catalog(catalog, config(server, read_timeout=0.3))
    assert report.outcome == "complete"
    assert upstream_state(catalog) == served_state(server)


@pytest.mark.slow
async def test_always_slow_ends_in_a_timeout_error(server, catalog):
    server.api.faults.append(Fault("slow", path="/api/v4/categories/", delay=0.6, times=3))
    report = await sync_catalog(catalog, config(server, read_timeout=0.2, max_attempts=2))
    assert report.outcome == "failed"
    assert report.error.endswith("failed after 2 attempts: timed out")


async def test_truncated_body_is_retried(server, catalog):
    server.api.faults.append(Fault("truncate", path="/api/v4/packages/", after=1))
    report = await sync_catalog(catalog, config(server))
    assert report.outcome == "complete"
    assert upstream_state(catalog) == served_state(server)
    seen = collections.Counter(e.stream for e in events_of(catalog) if e.type == "RecordSeen")
    assert set(seen.values()) == {1}


async def test_html_instead_of_json_says_what_came_back(server, catalog):
    server.api.faults.append(Fault("html200", path="/api/v4/categories/"))
    report = await sync_catalog(catalog, config(server))
    assert report.outcome == "failed"
    assert "did not answer with a list page (HTTP 200 with text/html: " in report.error
    assert "Checking your browser" in report.error


async def test_unknown_path_html_404(server, catalog):
    report = await sync_catalog(catalog, config(server, base_url=server.base_url + "nope/"))
    assert report.outcome == "failed"
    assert "answered HTTP 404 with text/html" in report.error


async def test_record_of_wrong_type_is_skipped_and_reported(server, catalog):
    await sync_catalog(catalog, config(server))
    bad = copy.deepcopy(server.api.data["packages"][4404])
    bad["repo_watchers"] = "lots"
    server.api.raw_records["packages"] = {4404: json.dumps(bad).encode()}
    server.api.data["packages"][4321]["repo_forks"] += 1
    report = await sync_catalog(catalog, config(server))
    assert report.outcome == "complete"
    assert report.counts.skipped == 1 and report.counts.changed == 1
    [skipped] = report.skipped
    assert (skipped.resource, skipped.id) == ("package", 4404)
    assert "Expected `int`, got `str`" in skipped.reason and "repo_watchers" in skipped.reason
    # the previously stored record is neither changed nor vanished
    entry = catalog.projection.entry("package", 4404)
    assert not entry.vanished and isinstance(entry.record.repo_watchers, int)
    finished = events_of(catalog)[-1].event
    assert finished.skipped == report.skipped


async def test_record_created_mid_crawl_shifts_pages_but_nothing_is_missed(server, catalog):
    newest = copy.deepcopy(server.api.data["packages"][4404])
    newest.update(id=9999, slug="created-mid-crawl", title="created mid crawl")
    # created after the first page of packages was served: every later record moves down one
    server.api.faults.append(Fault("insert", path="/api/v4/packages/", after=1, record=newest))
    report = await sync_catalog(catalog, config(server, concurrency=1))
    assert report.outcome == "complete", report.error
    assert report.counts.requests > 6  # the missing record cost a second pass
    assert upstream_state(catalog) == served_state(server)
    seen = collections.Counter(e.stream for e in events_of(catalog) if e.type == "RecordSeen")
    assert set(seen.values()) == {1}, "a record was stored twice"
    assert "package:9999" in seen


async def test_interrupted_sync_keeps_whole_pages_and_the_next_completes(server, catalog):
    # the second page hangs longer than any loaded machine takes to cancel
    server.api.faults.append(Fault("slow", path="/api/v4/packages/", after=1, delay=30.0))
    task = asyncio.ensure_future(sync_catalog(catalog, config(server, concurrency=1)))
    while not any(
        e.type == "RecordSeen" and e.stream.startswith("package:") for e in catalog.store.read_all()
    ):
        await asyncio.sleep(0.02)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    last = events_of(catalog)[-1].event
    assert isinstance(last, SyncFinished) and last.outcome == "partial"
    assert last.error == "interrupted"
    assert catalog.store.verify().ok
    stored = len(upstream_state(catalog))
    assert 2 < stored < len(served_state(server))
    report = await sync_catalog(catalog, config(server))
    assert report.outcome == "complete"
    assert report.counts.new == len(served_state(server)) - stored
    assert upstream_state(catalog) == served_state(server)


async def test_refresh_one_package_by_slug(server, catalog):
    await sync_catalog(catalog, config(server))
    server.api.data["packages"][4404]["repo_forks"] += 3
    before = catalog.store.last_seq
    report = await sync_package(catalog, "django-address-model", config(server))
    assert report.outcome == "complete" and report.counts.changed == 1
    assert report.counts.requests == 1
    assert [e.type for e in events_of(catalog, before)] == [
        "SyncStarted",
        "RecordChanged",
        "SyncFinished",
    ]


async def test_refresh_of_a_package_that_is_gone_marks_it_vanished(server, catalog):
    await sync_catalog(catalog, config(server))
    server.api.data["packages"].pop(4404)
    report = await sync_package(catalog, "4404", config(server))
    assert report.outcome == "complete" and report.counts.vanished == 1
    assert catalog.projection.entry("package", 4404).vanished
    report = await sync_package(catalog, "no-such-package", config(server))
    assert report.outcome == "failed" and report.error == "no package 'no-such-package' upstream"
