"""``djp mcp`` through the official SDK's in-process client and a real stdio subprocess,
over the recorded catalogue (the shipped snapshot) with recorded PyPI facts (issue 30)."""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

pytest.importorskip("mcp")

from mcp import Client
from mcp.client.stdio import StdioServerParameters

from catalog.catalog import Catalog
from catalog.pypi.fetch import PypiConfig, fetch_pypi, pypi_targets
from catalog.read.browse import Browser
from catalog.upstream.sync import load_snapshot
from cli.mcp_answers import Served
from cli.mcp_server import build_server
from tests.support.builders import point_at_pypi
from tests.support.cli import run_djp
from tests.support.fakepypi import FakePypi, FakePypiServer, recorded

ROOT = Path(__file__).resolve().parents[2]
POINTED = {4404: "djangorestframework", 359: "django-crispy-forms", 4321: "nango"}
READ_TOOLS = {"search_packages", "get_package", "compare_packages", "list_grids", "get_grid",
              "readiness", "check_stack", "plan_upgrade", "package_history", "changes",
              "refresh_package"}  # fmt: skip
EDIT_TOOLS = {"set_status", "add_note", "tag", "add_to_grid", "undo"}


@pytest.fixture
def store(store_path):
    served = FakePypi(documents={n: recorded(n) for n in POINTED.values()})
    with FakePypiServer(served) as pypi, Catalog.open(store_path) as catalog:
        load_snapshot(catalog)
        point_at_pypi(catalog, POINTED)
        wanted = {t: n for t, n in pypi_targets(catalog).items() if t.id in POINTED}
        asyncio.run(fetch_pypi(catalog, wanted, PypiConfig(base_url=pypi.base_url)))
    return store_path


def call(store, tool: str, args: dict, *, allow_edits: bool = False):
    async def go():
        with Catalog.open(store) as catalog:
            served = Served(catalog, Browser(catalog), allow_edits)
            async with Client(build_server(served)) as client:
                return await client.call_tool(tool, args)

    return asyncio.run(go())


def data(result) -> dict:
    assert not result.is_error, [c.text for c in result.content]
    return result.structured_content


def error(result) -> str:
    assert result.is_error
    return result.content[0].text


def test_the_read_only_server_offers_the_read_tools_and_no_edit(store):
    async def go(allow_edits):
        with Catalog.open(store) as catalog:
            served = Served(catalog, Browser(catalog), allow_edits)
            async with Client(build_server(served)) as client:
                return {t.name for t in (await client.list_tools()).tools}

    assert asyncio.run(go(False)) == READ_TOOLS
    assert asyncio.run(go(True)) == READ_TOOLS | EDIT_TOOLS


def test_search_get_compare_and_readiness_speak_the_command_lines_keys(store):
    found = data(call(store, "search_packages", {"query": "address", "django": "4.0"}))
    first = found["packages"][0]
    assert first["slug"] == "django-address-model" and first["latest"] == "3.13.1"
    assert first["django"] == {"version": "4.0", "verdict": "yes",
                               "evidence": "classifier Framework :: Django :: 4.0"}  # fmt: skip
    assert first["license"] == "BSD" and first["status"] == "none"
    package = data(call(store, "get_package", {"package": "django-address-model"}))
    shown = json.loads(run_djp("--store", store, "show", "django-address-model", "--json")[1])
    assert set(shown) <= set(package) and package["pypi"] == shown["pypi"]
    assert package["readiness"]["5.2"]["verdict"] == "undeclared"
    assert {r["rule"] for r in package["health"]} >= {"commit within a year"}
    compared = data(call(store, "compare_packages",
                         {"packages": ["django-address-model", "django-messages"]}))  # fmt: skip
    watchers = next(r for r in compared["rows"] if r["attribute"] == "watchers")
    assert watchers["best"] == ["django-messages"]
    ready = data(call(store, "readiness", {"django": "5.2", "query": "address"}))
    evidence = "declares 2.2-4.0; requires Django>=2.2"
    assert {"slug": "django-address-model", "verdict": "undeclared",
            "evidence": evidence} in ready["packages"]  # fmt: skip
    assert ready["counts"]["undeclared"] == 1


def test_grids_history_and_limits(store):
    grids = data(call(store, "list_grids", {}))
    assert grids["total"] >= 1 and grids["grids"][0]["slug"]
    grid = data(call(store, "get_grid", {"grid": grids["grids"][0]["slug"]}))
    assert "packages" in grid and grid["slug"] == grids["grids"][0]["slug"]
    capped = data(call(store, "search_packages", {"query": "", "limit": 10_000}))
    assert capped["note"] == "limit 10000 is capped at 500" and len(capped["packages"]) <= 500
    history = data(call(store, "package_history", {"package": "django-address-model"}))
    assert history["events"][0]["kind"] == "first seen"


def test_errors_are_one_sentence(store):
    assert "did you mean" in error(call(store, "get_package", {"package": "django-adress-model"}))
    assert "not a feature release" in error(call(store, "readiness", {"django": "9.9"}))
    assert "no such file or directory" in error(call(store, "check_stack", {"path": "/nope"}))
    wrong = error(call(store, "search_packages", {"query": 5}))
    assert "valid string" in wrong  # the SDK's schema error
    assert error(call(store, "set_status", {"package": "x", "status": "using"})) == (
        "Unknown tool: set_status"  # read-only by default: the writing tools are absent
    )
    bad_filter = error(call(store, "search_packages", {"query": "is:nonsense"}))
    assert bad_filter.endswith("is:nonsense is not a filter; try is:edited, is:stale, "
                               "is:shortlisted, is:using, is:evaluating, is:rejected, "
                               "is:conflict, is:vanished, is:starred, is:vulnerable, is:yanked, "
                               "is:inactive, is:unreleased, is:not-on-pypi")  # fmt: skip


def test_check_stack_and_plan_read_the_stores_facts(store, tmp_path):
    (tmp_path / "site").mkdir()
    (tmp_path / "site" / "requirements.txt").write_text("djangorestframework==3.13.1\nclick\n")
    got = data(call(store, "check_stack", {"path": str(tmp_path / "site"), "django": "4.0"}))
    deps = {d["name"]: d for d in got["dependencies"]}
    assert deps["djangorestframework"]["django"] == "yes" and deps["djangorestframework"]["checked"]
    assert deps["click"]["checked"] is False  # no facts in the store: unchecked, said
    plan = data(call(store, "plan_upgrade", {"path": str(tmp_path / "site"), "django": "4.0"}))
    drf = next(d for d in plan["dependencies"] if d["name"] == "djangorestframework")
    assert drf["plan"]["move_to"] == "3.13.1"


def test_hostile_text_comes_back_as_data(store):
    with Catalog.open(store) as catalog:
        from catalog.edits.commands import edit_package

        edit_package(catalog, "4404", {"notes": "[bold red]x[/] \x1b[31mred"})
    package = data(call(store, "get_package", {"package": "4404"}))
    assert package["local"]["notes"] == "[bold red]x[/] \x1b[31mred"


def test_an_edit_through_the_server_is_in_history_and_undone_by_djp_undo(store):
    done = data(call(store, "set_status", {"package": "django-messages", "status": "shortlisted",
                                           "note": "for the API"}, allow_edits=True))  # fmt: skip
    assert done["event"] > 0
    _, out, _ = run_djp("--store", store, "history", "django-messages")
    assert "note: via djp mcp: for the API" in out
    assert "status: none → shortlisted" in out
    assert "bogus" not in out
    refused = call(store, "set_status", {"package": "django-messages", "status": "bogus"},
                   allow_edits=True)  # fmt: skip
    assert "status" in error(refused)
    code, out, _ = run_djp("--store", store, "undo")
    assert code == 0
    shown = json.loads(run_djp("--store", store, "show", "django-messages", "--json")[1])
    assert shown["local"]["status"] == "none"


def test_a_real_stdio_subprocess(store):
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    params = StdioServerParameters(
        command=sys.executable, args=["-m", "cli.main", "--store", str(store), "mcp"], env=env
    )

    async def go():
        async with Client(params) as client:
            tools = {t.name for t in (await client.list_tools()).tools}
            found = await client.call_tool("search_packages", {"query": "messages"})
            return tools, found

    tools, found = asyncio.run(go())
    assert tools == READ_TOOLS
    assert data(found)["packages"][0]["slug"] == "django-messages"


def test_a_request_over_a_megabyte_is_refused_and_the_server_goes_on(store):
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    big = json.dumps({"jsonrpc": "2.0", "id": 7, "method": "tools/call",
                      "params": {"name": "search_packages",
                                 "arguments": {"query": "x" * 2_000_000}}})  # fmt: skip
    init = json.dumps({"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {
        "protocolVersion": "2025-06-18", "capabilities": {},
        "clientInfo": {"name": "test", "version": "1"}}})  # fmt: skip
    listed = json.dumps({"jsonrpc": "2.0", "id": 8, "method": "tools/list"})
    proc = subprocess.run(
        [sys.executable, "-m", "cli.main", "--store", str(store), "mcp"],
        input="\n".join([init, big, listed]) + "\n", capture_output=True, text=True, env=env,
        timeout=120,
    )  # fmt: skip
    answers = {m.get("id"): m for m in map(json.loads, proc.stdout.splitlines())}
    assert "refused" in answers[7]["error"]["message"]
    assert "tools" in answers[8]["result"]
    assert all(line.startswith("{") for line in proc.stdout.splitlines())  # logs: stderr


def test_without_the_sdk_one_line_says_how_to_install(store, monkeypatch):
    import importlib.util

    real = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, "find_spec",
                        lambda name, *a: None if name == "mcp" else real(name, *a))  # fmt: skip
    code, _, err = run_djp("--store", store, "mcp")
    assert code == 1 and err == "djp: djp mcp needs the MCP SDK: pip install 'djp[mcp]'\n"


def test_resources_undo_and_another_process_writing(store):
    async def go():
        with Catalog.open(store) as catalog:
            served = Served(catalog, Browser(catalog), True)
            async with Client(build_server(served)) as client:
                resource = await client.read_resource("djp://package/django-messages")
                before = await client.call_tool("get_package", {"package": "django-messages"})
                # another process edits the store (as a djp edit in another terminal would)
                subprocess.run(
                    [sys.executable, "-m", "cli.main", "--store", str(store), "edit",
                     "django-messages", "notes=from elsewhere"],
                    check=True, capture_output=True, env=dict(os.environ, PYTHONPATH=str(ROOT)),
                )  # fmt: skip
                after = await client.call_tool("get_package", {"package": "django-messages"})
                undone = await client.call_tool("undo", {})
                again = await client.call_tool("get_package", {"package": "django-messages"})
                return resource, before, after, undone, again

    resource, before, after, undone, again = asyncio.run(go())
    assert json.loads(resource.contents[0].text)["slug"] == "django-messages"
    assert data(before)["local"]["notes"] == ""
    assert data(after)["local"]["notes"] == "from elsewhere"  # seen on the next call
    assert data(undone)["summary"].startswith("undid edit")
    assert data(again)["local"]["notes"] == ""


def test_changes_refresh_and_the_other_edits(store):
    changed = data(call(store, "changes", {}))  # the snapshot's sync, then the PyPI facts
    shown = json.loads(run_djp("--store", store, "changes", "--json")[1])
    assert changed == shown and changed["pypi_first"] == 3
    served = FakePypi(documents={"djangorestframework": recorded("djangorestframework")})
    served.documents["djangorestframework"]["info"]["license_expression"] = "BSD-3-Clause"

    async def go(pypi):
        with Catalog.open(store) as catalog:
            config = PypiConfig(base_url=pypi.base_url)
            state = Served(catalog, Browser(catalog), True, config)
            async with Client(build_server(state)) as client:
                refreshed = await client.call_tool("refresh_package", {"package": "4404"})
                noted = await client.call_tool("add_note", {"package": "4404", "text": "try it"})
                tagged = await client.call_tool("tag", {"package": "4404", "tags": ["api"]})
                grid = await client.call_tool(
                    "add_to_grid", {"grid": "healt-checkers", "packages": ["4404"]}
                )
                shown = await client.call_tool("get_package", {"package": "4404"})
                return refreshed, noted, tagged, grid, shown

    with FakePypiServer(served) as pypi:
        refreshed, noted, tagged, grid, shown = asyncio.run(go(pypi))
    assert data(refreshed)["pypi"]["license"] == "BSD-3-Clause"  # variant: asked again
    assert data(noted)["event"] and data(tagged)["event"] and data(grid)["event"]
    local = data(shown)["local"]
    assert local["notes"] == "try it" and local["tags"] == ["api"]
