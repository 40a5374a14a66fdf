"""The catalogue commands: sync, packages, show, grids, grid, categories."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from functools import partial

import pytest

from catalog.catalog import Catalog
from catalog.edits import commands as edits
from catalog.text import counted
from eventstore import Store
from tests.support.cli import run_djp
from tests.support.fakeapi import FakeApi, FakeApiServer, Fault


@pytest.fixture
def server():
    with FakeApiServer(FakeApi.recorded()) as running:
        yield running


@pytest.fixture
def synced(server, store_path):
    code, _, err = run_djp("--store", store_path, "sync", "--base-url", server.base_url)
    assert code == 0, err
    return store_path


@pytest.mark.slow
def test_sync_summary_and_json(server, synced):
    code, out, _ = run_djp("--store", synced, "sync", "--base-url", server.base_url, "--json")
    finished = json.loads(out)
    assert code == 0
    assert finished["type"] == "SyncFinished" and finished["outcome"] == "complete"
    assert finished["counts"]["unchanged"] == 77 and finished["counts"]["requests"] == 3


def test_sync_text_summary(server, store_path):
    code, out, _ = run_djp("--store", store_path, "sync", "--base-url", server.base_url)
    assert code == 0
    assert out.startswith("complete: 77 records (77 new, 0 changed, 0 back, 0 vanished, 0 skipped)")


def test_failed_sync_exits_1_with_one_line(store_path):
    code, out, err = run_djp(
        "--store", store_path, "sync", "--base-url", "http://127.0.0.1:9/api/v4/", "--json"
    )
    assert code == 1
    assert json.loads(out)["outcome"] == "failed"
    assert err.count("\n") == 1 and "connection failed" in err


def test_packages_query_sort_and_json(synced):
    code, out, _ = run_djp("--store", synced, "packages", "--query", "mongo", "--json")
    rows = [json.loads(line) for line in out.splitlines()]
    assert code == 0 and rows
    assert all("mongo" in (r["title"] + r["slug"] + r["repo_description"]).lower() for r in rows)
    # as Django's order_by: a leading - is descending, none ascending
    _, out, _ = run_djp("--store", synced, "packages", "--sort=-watchers", "--json")
    watchers = [json.loads(line)["repo_watchers"] for line in out.splitlines()]
    assert watchers == sorted(watchers, reverse=True) and len(watchers) == 75
    assert len(set(watchers)) > 10
    _, out, _ = run_djp("--store", synced, "packages", "--sort", "watchers", "--json")
    assert [json.loads(line)["repo_watchers"] for line in out.splitlines()] == sorted(watchers)


def test_counts_say_one_thing_in_the_singular(synced):
    _, _, err = run_djp("--store", synced, "packages", "--query", "django-messages")
    assert err.strip() == "1 package"
    _, _, err = run_djp("--store", synced, "packages", "--query", "nothing-matches-this")
    assert err.strip() == "0 packages"
    assert counted(1, "dependency", "dependencies") == "1 dependency"
    assert counted(1_200, "dependency", "dependencies") == "1,200 dependencies"
    assert counted(2, "event") == "2 events"


def test_packages_by_grid_and_category(synced):
    _, out, _ = run_djp("--store", synced, "packages", "--grid", "71", "--json")
    rows = [json.loads(line) for line in out.splitlines()]
    assert rows and all(71 in r["grids"] for r in rows)
    _, out, _ = run_djp("--store", synced, "packages", "--category", "apps", "--json")
    assert all(json.loads(line)["category"] == 1 for line in out.splitlines())


@pytest.mark.slow
def test_bad_sort_field_is_one_line(synced):
    code, _, err = run_djp("--store", synced, "packages", "--sort", "stars")
    assert code == 1 and err.startswith("djp: cannot sort by 'stars'; choose one of title")


def test_show_by_slug_and_id_json_matches_the_api(server, synced):
    body = server.api.data["packages"][4404]
    _, by_slug, _ = run_djp("--store", synced, "show", body["slug"], "--json")
    _, by_id, _ = run_djp("--store", synced, "show", "4404", "--json")
    assert by_slug == by_id
    shown = json.loads(by_id)
    assert shown["category"] == 1 and shown["grids"] == [71]
    assert shown["last_updated"] == body["last_updated"]  # same instant, same offset
    assert shown["modified"] == body["modified"]
    assert "last_fetched" not in shown


def test_show_text_and_unknown(synced):
    code, out, _ = run_djp("--store", synced, "show", "django-address-model")
    assert code == 0 and "django-address-model" in out and "watchers" in out
    code, _, err = run_djp("--store", synced, "show", "nope")
    assert code == 1 and err == (
        "djp: no package 'nope' in the catalogue "
        "(djp packages --query nope searches titles and descriptions)\n"
    )
    code, _, err = run_djp("--store", synced, "show", "django-mesages")  # a typo
    assert code == 1 and "did you mean django-messages" in err


def test_grids_grid_and_categories(synced):
    _, out, _ = run_djp("--store", synced, "grids", "--json")
    [grid] = [json.loads(line) for line in out.splitlines()]
    assert grid["slug"] == "healt-checkers" and grid["packages"][:2] == [5810, 976]
    code, out, _ = run_djp("--store", synced, "grid", "healt-checkers")
    assert code == 0 and "Health checkers" in out and "packages (6 not fetched yet)" in out
    _, out, _ = run_djp("--store", synced, "categories", "--json")
    assert json.loads(out)["title"] == "App"


def test_a_category_not_fetched_is_named_by_its_id(synced):
    # snorky's recorded category is 2; the recorded API pages hold only category 1 (App)
    _, out, _ = run_djp("--store", synced, "show", "snorky")
    assert "category  #2 (not fetched yet)" in out
    _, out, _ = run_djp("--store", synced, "packages", "--query", "snorky")
    assert " #2 " in out.splitlines()[1]
    _, out, _ = run_djp("--store", synced, "compare", "snorky", "wagtail-whoosh")
    [row] = [line for line in out.splitlines() if line.startswith("category")]
    assert row.split() == ["category", "#2", "(not", "fetched", "yet)", "App"]


def test_on_a_terminal_a_list_fits_its_width(synced, monkeypatch):
    _, out, _ = run_djp("--store", synced, "packages")  # piped: every column
    assert "category" in out.splitlines()[0] and max(map(len, out.splitlines())) > 80
    monkeypatch.setattr("cli.browse.terminal_width", lambda: 80)
    _, out, _ = run_djp("--store", synced, "packages")
    lines = out.splitlines()
    assert lines[0].split() == ["id", "title", "★", "watchers", "last", "commit", "Dj", "5.2"]
    # the column a sort or a qualifier reads stays, whatever the width
    _, out, _ = run_djp("--store", synced, "packages", "--sort", "-license")
    assert "licence" in out.splitlines()[0] and max(map(len, out.splitlines())) <= 80
    _, out, _ = run_djp("--store", synced, "packages", "--query", "is:stale django:4.2:no")
    assert out.splitlines()[0].split()[-3:] == ["commit", "Dj", "4.2"]  # the django: release
    monkeypatch.setattr("cli.browse.terminal_width", lambda: 200)
    _, out, _ = run_djp("--store", synced, "packages", "--query", "rest", "--django", "5.2")
    assert out.splitlines()[0].split()[-4:] == ["released", "licence", "Dj", "5.2"]
    monkeypatch.setattr("cli.browse.terminal_width", lambda: 80)
    assert max(map(len, lines)) <= 80
    with Catalog.open(synced) as catalog:  # a grid whose title is longer than 80 cells
        edits.create_local_grid(catalog, "long", "A grid of mine with a title " + "x" * 60)
    monkeypatch.setattr("cli.browse.terminal_width", lambda: None)  # piped
    _, out, _ = run_djp("--store", synced, "grids")
    assert len(next(line for line in out.splitlines() if " long " in line)) > 80
    monkeypatch.setattr("cli.browse.terminal_width", lambda: 80)
    _, out, _ = run_djp("--store", synced, "grids")
    line = next(line for line in out.splitlines() if " long " in line)
    assert len(line) == 80 and line.endswith("…")
    monkeypatch.setattr("cli.browse.terminal_width", lambda: 60)
    _, out, _ = run_djp("--store", synced, "grid", "healt-checkers")
    header = next(line for line in out.splitlines() if line.lstrip().startswith("id "))
    assert len(header) <= 60 and "watchers" in header  # the title gave up cells, not a column


def test_first_read_on_an_empty_store_without_network_loads_the_snapshot(store_path, monkeypatch):
    monkeypatch.setenv("DJP_API_URL", "http://127.0.0.1:9/api/v4/")
    code, out, err = run_djp("--store", store_path, "categories")
    assert code == 0 and "App" in out
    assert "loaded the catalogue snapshot that ships with djp" in err


def test_a_store_with_only_a_failed_sync_is_filled_like_an_empty_one(store_path, monkeypatch):
    monkeypatch.setenv("DJP_API_URL", "http://127.0.0.1:9/api/v4/")
    code, _, err = run_djp("--store", store_path, "sync")
    assert code == 1 and "failed after" in err  # offline: the log holds the failed sync
    code, out, err = run_djp("--store", store_path, "packages", "--query", "django-messages")
    assert code == 0 and "django-messages" in out  # not "0 packages" for good
    assert "loaded the catalogue snapshot that ships with djp" in err
    assert run_djp("--store", store_path, "verify")[0] == 0


def test_remote_text_is_printed_inert(server, store_path):
    server.api.data["packages"][4404]["title"] = "evil\x1b[31m[bold]x[/bold]"
    run_djp("--store", store_path, "sync", "--base-url", server.base_url)
    _, out, _ = run_djp("--store", store_path, "packages", "--query", "evil")
    assert "\x1b" not in out and "evil\\x1b[31m[bold]x[/bold]" in out


@pytest.mark.slow
def test_ctrl_c_during_sync_leaves_a_sound_store(server, store_path):

    # the packages page hangs far longer than a loaded machine takes to send Ctrl-C (at 3 s,
    # a test process starved of CPU sent it after the sync had ended)
    server.api.faults.append(Fault("slow", path="/api/v4/packages/", delay=30.0))
    env = dict(os.environ, DJP_STORE=str(store_path))
    proc = subprocess.Popen(
        [sys.executable, "-m", "cli.main", "sync", "--base-url", server.base_url],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        # Ctrl-C reaches it as from a terminal, even when the runner was started in the
        # background of a script (which ignores SIGINT, and a child inherits that)
        preexec_fn=partial(signal.signal, signal.SIGINT, signal.SIG_DFL),
    )
    deadline = time.monotonic() + 30
    # categories and grids are stored; the packages page is hanging when Ctrl-C comes
    while not any(r.startswith("/api/v4/packages/") for r in server.api.requests):
        assert time.monotonic() < deadline, "sync never reached the packages"
        time.sleep(0.02)
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=30)
    assert proc.returncode == 130 and err.strip().endswith("djp: interrupted")
    with Store.open(store_path) as store:
        assert store.verify().ok
        last = list(store.read_all())[-1]
        assert last.type == "SyncFinished" and last.event.error == "interrupted"
        assert last.event.outcome == "partial" and last.event.counts.records == 2
