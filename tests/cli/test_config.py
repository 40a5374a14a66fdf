"""One owner for configuration: defaults, the config file, the environment and options,
each documented variable tested through the real command line (``djp ...`` in-process)."""

from __future__ import annotations

import json

import pytest

from catalog.config import ConfigError, load_config
from tests.support.cli import run_djp
from tests.support.fakeapi import FakeApi, FakeApiServer, Fault


def test_each_setting_comes_from_the_last_place_that_sets_it(tmp_path):
    file = tmp_path / "config.toml"
    file.write_text("[settings]\nsync_deadline = 30\nrequest_deadline = 9\npypi_concurrency = 2\n")
    env = {"DJP_SYNC_DEADLINE": "45", "DJP_API_URL": "http://127.0.0.1:8/api/v4"}
    config = load_config(env, file, api_url="http://127.0.0.1:7/api/v4/")
    assert config.sync_deadline == 45.0  # the environment over the file
    assert config.request_deadline == 9.0 and config.pypi_concurrency == 2  # the file
    assert config.api_url == "http://127.0.0.1:7/api/v4/"  # the option over the environment
    assert config.max_response_mb == 50.0  # the default
    assert config.origins == {
        "store": "default",
        "api_url": "option --base-url",
        "pypi_url": "default",
        "request_deadline": f"config file {file}",
        "sync_deadline": "environment DJP_SYNC_DEADLINE",
        "max_response_mb": "default",
        "pypi_concurrency": f"config file {file}",
    }


@pytest.mark.parametrize(
    ("env", "file", "message"),
    [
        (
            {"DJP_SYNC_DEADLINE": "soon"},
            "",
            "sync_deadline = 'soon' (environment DJP_SYNC_DEADLINE)",
        ),
        ({"DJP_MAX_RESPONSE_MB": "-1"}, "", "not a positive number"),
        ({"DJP_PYPI_CONCURRENCY": "64"}, "", "not a whole number from 1 to 32"),
        ({"DJP_API_URL": "ftp://x/"}, "", "not an http:// or https:// URL"),
        ({}, "[settings]\ndeadline = 3\n", "[settings] has no deadline"),
        ({}, "[settings\n", "not TOML"),
        ({}, 'settings = "x"\n', "[settings] is not a table"),
    ],
)
def test_a_setting_that_cannot_be_used_is_one_line_naming_where(tmp_path, env, file, message):
    path = tmp_path / "config.toml"
    path.write_text(file)
    with pytest.raises(ConfigError, match=None) as raised:
        load_config(env, path)
    assert message in str(raised.value) and "\n" not in str(raised.value)


def test_djp_config_shows_each_value_and_its_origin(tmp_path, monkeypatch):
    file = tmp_path / "config.toml"
    file.write_text(f'[settings]\nstore = "{tmp_path / "from-file"}"\nrequest_deadline = 12\n')
    monkeypatch.setenv("DJP_CONFIG", str(file))
    monkeypatch.setenv("DJP_MAX_RESPONSE_MB", "3")
    code, out, err = run_djp("config")
    assert code == 0, err
    lines = {line.split()[0]: line.split(maxsplit=2)[1:] for line in out.splitlines()[:-1]}
    assert lines["store"] == [str(tmp_path / "from-file"), f"config file {file}"]
    assert lines["request_deadline"] == ["12.0", f"config file {file}"]
    assert lines["max_response_mb"] == ["3.0", "environment DJP_MAX_RESPONSE_MB"]
    assert lines["sync_deadline"] == ["900.0", "default"]
    assert out.splitlines()[-1].startswith(f"config file: {file}")
    code, out, _ = run_djp("--store", tmp_path / "opt", "config", "--json")
    rows = {r["name"]: r for r in map(json.loads, out.splitlines())}
    assert rows["store"]["origin"] == "option --store"
    assert rows["store"]["value"] == str(tmp_path / "opt")


def test_a_bad_setting_stops_every_command_in_one_line(monkeypatch, tmp_path):
    monkeypatch.setenv("DJP_REQUEST_DEADLINE", "0")
    code, out, err = run_djp("--store", tmp_path / "s", "packages")
    assert code == 1 and out == ""
    assert err.strip().splitlines() == [
        "djp: request_deadline = '0' (environment DJP_REQUEST_DEADLINE): not a positive number"
    ]


def test_the_store_comes_from_the_environment_or_the_config_file(
    snapshot_store, tmp_path, monkeypatch
):
    file = tmp_path / "config.toml"
    file.write_text(f'[settings]\nstore = "{snapshot_store}"\n')
    monkeypatch.setenv("DJP_CONFIG", str(file))
    code, out, err = run_djp("show", "django-messages")
    assert code == 0, err
    assert "django-messages" in out


@pytest.mark.slow
def test_djp_sync_deadline_ends_a_sync_against_a_slow_server(store_path, monkeypatch):
    monkeypatch.setenv("DJP_SYNC_DEADLINE", "1")
    with FakeApiServer(FakeApi.recorded()) as server:
        # the server would answer after 30 s: the 1 s deadline stops the sync first
        server.api.faults.append(Fault("slow", path="/api/v4/categories/", delay=30.0))
        code, _, err = run_djp(
            "--store", store_path, "sync", "--no-pypi", "--base-url", server.base_url
        )
    assert code == 1
    assert "the sync took longer than 1 s and was stopped" in err


@pytest.mark.slow
def test_djp_request_deadline_ends_a_drip_fed_answer(store_path, monkeypatch):
    monkeypatch.setenv("DJP_REQUEST_DEADLINE", "0.5")
    with FakeApiServer(FakeApi.recorded()) as server:
        server.api.faults.append(Fault("trickle", path="/api/v4/categories/", delay=0.2, times=9))
        code, _, err = run_djp(
            "--store", store_path, "sync", "--no-pypi", "--base-url", server.base_url
        )
    assert code == 1
    assert "no whole answer within 0.5 s" in err


def test_djp_max_response_mb_refuses_a_larger_body(store_path, monkeypatch):
    monkeypatch.setenv("DJP_MAX_RESPONSE_MB", "1")
    with FakeApiServer(FakeApi.recorded()) as server:
        server.api.faults.append(
            Fault("gzipbomb", path="/api/v4/categories/", size=2 * 2**20, times=9)
        )
        code, _, err = run_djp(
            "--store", store_path, "sync", "--no-pypi", "--base-url", server.base_url
        )
    assert code == 1
    assert "sent more than 1 MB; stopped reading" in err


def test_djp_api_url_is_where_the_sync_goes(store_path, monkeypatch):
    with FakeApiServer(FakeApi.recorded()) as server:
        monkeypatch.setenv("DJP_API_URL", server.base_url)
        code, _, err = run_djp("--store", store_path, "sync", "--no-pypi")
        assert code == 0, err
        assert any(r.startswith("/api/v4/packages/") for r in server.api.requests)
