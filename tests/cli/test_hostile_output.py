"""What the command line prints is inert on a terminal: no escape sequence, C1 control, bidi
override or zero-width character reaches it raw, and JSON stays valid and exact."""

from __future__ import annotations

import json
import re

import msgspec
import pytest

from catalog.catalog import Catalog
from catalog.upstream.sync import load_snapshot
from tests.support.builders import sync_records
from tests.support.cli import run_djp

HOSTILE = "evil\x1b[31m\x9b31m\u202egnp.exe\u200b\ufeff[bold]x[/bold]"
RAW = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u200b-\u200f\u2028-\u202e\u2060-\u2069\ufeff]")


def strings(value):
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from strings(item)


@pytest.fixture
def store(tmp_path):
    path = tmp_path / "store"
    with Catalog.open(path) as catalog:
        load_snapshot(catalog)
        record = catalog.projection.entry("package", 4404).record
        sync_records(
            catalog,
            "package",
            [msgspec.structs.replace(record, title=HOSTILE, participants=[HOSTILE])],
            complete=False,
        )
    return path


@pytest.mark.parametrize(
    "argv",
    [
        ["packages", "--json"],
        ["show", "4404", "--json"],
        ["history", "4404", "--json"],
        ["log", "--json"],
    ],
)
def test_json_output_escapes_what_a_terminal_would_act_on(store, argv):
    code, out, err = run_djp("--store", store, *argv)
    assert code == 0, err
    assert RAW.search(out) is None
    parsed = [json.loads(line) for line in out.splitlines()]  # valid JSON, the text intact
    assert any(HOSTILE in text for text in strings(parsed))


def test_json_keeps_the_exact_text(store):
    _, out, _ = run_djp("--store", store, "show", "4404", "--json")
    assert json.loads(out)["title"] == HOSTILE


@pytest.mark.parametrize("argv", [["packages"], ["show", "4404"], ["history", "4404"], ["log"]])
def test_text_output_shows_every_control_as_visible_text(store, argv):
    code, out, _ = run_djp("--store", store, *argv)
    assert code == 0 and RAW.search(out.replace("\n", "")) is None
