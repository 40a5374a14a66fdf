"""Verdicts a CI gate can trust, and the upgrade plan (``djp stack``), over PyPI pages recorded
in December 2026 (``fixtures/pypi/current``, release pages built from each release's own
metadata; variants say so where they are built).

Each dependency is judged at one release (pin, lock, the newest a range allows, the latest)
for the Django the stack itself requires; five verdicts; a release whose page cannot be read
fails ``--check`` (closed); the plan answers the smallest release ready, clear, and both.
"""

from __future__ import annotations

import copy
import json
from pathlib import Path

import msgspec
import pytest

from catalog.catalog import Catalog
from catalog.pypi.cache import CACHE_DB, CacheEntry
from catalog.upstream.sync import load_snapshot
from tests.support.cli import run_djp
from tests.support.fakepypi import FakePypiServer, current, current_pypi

PROJECTS = ("django", "django-storages", "django-debug-toolbar", "factory-boy", "click",
            "wagtail", "boto3", "django-crispy-forms", "sentry-sdk", "django-redis")  # fmt: skip


@pytest.fixture
def store(store_path):
    with Catalog.open(store_path) as catalog:
        load_snapshot(catalog)
    return store_path


@pytest.fixture
def pypi():
    with FakePypiServer(current_pypi(*PROJECTS)) as server:
        yield server


def project(tmp_path: Path, text: str, name: str = "requirements.txt") -> Path:
    directory = tmp_path / "site"
    directory.mkdir(exist_ok=True)
    (directory / name).write_text(text)
    return directory


def stack(store, pypi, directory, *args):
    return run_djp("--store", store, "stack", str(directory), *args, "--pypi-url", pypi.base_url)


def rows(out: str) -> dict[str, dict]:
    return {row["name"]: row for row in map(json.loads, out.splitlines())}


def age_the_cache(store, days: int) -> None:
    """Make every PyPI fetch recorded in the store look ``days`` old."""
    with Catalog.open(store) as catalog:
        db = catalog.store.database(CACHE_DB)

        def age(txn):
            for key, raw in list(txn.cursor(db=db)):
                entry = msgspec.msgpack.decode(raw, type=CacheEntry)
                entry.fetched -= days * 86400
                txn.put(key, msgspec.msgpack.encode(entry), db=db)

        catalog.store.write(age)


def release_requests(pypi) -> list[str]:
    return [path for path, _ in pypi.state.requests if path.count("/") == 4]


def test_a_range_is_judged_at_the_newest_release_it_allows_for_the_stacks_own_django(
    store, pypi, tmp_path
):
    site = project(
        tmp_path,
        "Django>=6.0,<6.1\n"
        "django-debug-toolbar>=4.2,<5  # the toolbar of 2024\n"
        "wagtail>=7.4,<7.5\n"
        "click\n",
    )
    code, out, err = stack(store, pypi, site, "--json")
    assert code == 0, err
    got = rows(out)
    assert {n: (r["judged"], r["judged_because"]) for n, r in got.items()} == {
        "django": ("6.0.10", "range"),
        "django-debug-toolbar": ("4.4.6", "range"),  # not 8.0.0, which the range excludes
        "wagtail": ("7.4.4", "range"),  # not 8.0.1
        "click": ("8.5.1", "latest"),
    }
    assert {r["target_django"] for r in got.values()} == {"6.0"}  # not the LTS, 5.2
    toolbar = got["django-debug-toolbar"]
    assert (toolbar["django"], toolbar["django_evidence"]) == (
        "undeclared",
        "declares 4.2-5.0; requires Django>=4.2.9",
    )
    assert got["wagtail"]["django"] == "yes" and got["click"]["django"] == "n/a"
    assert all(r["checked"] for r in got.values())
    code, text, _ = stack(store, pypi, site, "--no-pypi")
    assert "Django 6.0, from Django<6.1,>=6.0 in" in text.splitlines()[0]
    assert "4.4.6 range" in text and "n/a" in text


def test_the_target_comes_from_a_pin_and_the_five_verdicts(store, pypi, tmp_path):
    site = project(
        tmp_path,
        "Django==5.2.19\n"
        "django-storages==1.14.6\n"  # declares 3.2-5.1, requires Django>=3.2
        "wagtail==2.9.1\n"  # requires Django<3.1
        "factory-boy==3.3.3\n"  # Django only in its dev extra, classifiers 4.2-5.1
        "sentry-sdk[django]==2.19.0\n"  # Django in the extra asked for, no classifiers
        "click==8.1.7\n"
        "boto3==1.9.0\n",  # one of 2,160 releases
    )
    code, out, err = stack(store, pypi, site, "--json")
    assert code == 0, err
    got = rows(out)
    assert got["django"]["target_django"] == "5.2" and got["django"]["django"] is None
    verdicts = {n: r["django"] for n, r in got.items() if n != "django"}
    assert verdicts == {
        "django-storages": "undeclared",
        "wagtail": "no",
        "factory-boy": "undeclared",
        "sentry-sdk": "unknown",
        "click": "n/a",
        "boto3": "n/a",
    }
    assert got["django-storages"]["django_evidence"] == (
        "declares 3.2, 4.1, 4.2, 5.0, 5.1; requires Django>=3.2"  # not 4.0: no span
    )
    assert got["wagtail"]["django_evidence"] == "requires Django<3.1,>=2.1"
    assert got["boto3"]["judged"] == "1.9.0" and got["boto3"]["checked"] is True
    assert all(r["judged_because"] == "pinned" for r in got.values())
    # --check fails on the "no" alone; --strict on undeclared and unknown too
    code, _, err = stack(store, pypi, site, "--check", "--no-pypi")
    assert code == 1
    lines = err.strip().splitlines()
    assert any("wagtail==2.9.1 is not ready for Django 5.2" in line for line in lines)
    assert not any("storages" in line for line in lines)
    assert lines[-1].startswith("site: 1 problem in 1 dependency")
    code, _, err = stack(store, pypi, site, "--check", "--strict", "--no-pypi")
    assert code == 1
    assert "django-storages==1.14.6 is undeclared for Django 5.2" in err
    assert "sentry-sdk==2.19.0 is unknown for Django 5.2" in err
    assert "site: 4 problems in 4 dependencies" in err


def test_without_the_extra_a_package_that_needs_django_only_there_is_n_a(store, pypi, tmp_path):
    site = project(tmp_path, "sentry-sdk==2.19.0\n")
    _, out, _ = stack(store, pypi, site, "--json", "--django", "5.2")
    assert rows(out)["sentry-sdk"]["django"] == "n/a"


def test_a_mirror_without_release_pages_fails_closed_and_is_asked_again(store, tmp_path):
    served = current_pypi(*PROJECTS, release_pages=False)
    site = project(tmp_path, "wagtail==2.9.1\ndjango-storages==1.14.4\nclick\n")
    with FakePypiServer(served) as pypi:
        code, out, err = stack(store, pypi, site, "--json", "--django", "5.2", "--check")
        assert code == 1
        got = rows(out)
        wagtail = got["wagtail"]
        assert wagtail["checked"] is False and wagtail["django"] == "unknown"  # not 8.0.1's yes
        assert "its release page could not be read" in wagtail["django_evidence"]
        assert "404" in wagtail["unchecked"]
        assert got["click"]["checked"] is True  # the latest: its page is the project's
        assert "wagtail==2.9.1 not checked" in err and "django-storages==1.14.4 not checked" in err
        assert "site: 2 problems in 2 dependencies" in err
        asked = len(release_requests(pypi))
        stack(store, pypi, site, "--json", "--django", "5.2")
        assert len(release_requests(pypi)) == asked + 2  # a failure is not a fact for a day


def test_advisories_print_aliases_and_fix_versions(store, tmp_path):
    served = current_pypi(*PROJECTS)
    # variant: crispy forms 1.9.0's page with an advisory (not a real one)
    page = copy.deepcopy(current("django-crispy-forms==1.9.0"))
    page["vulnerabilities"] = [
        {"id": "PYSEC-TEST-1", "aliases": ["CVE-TEST-1", "GHSA-test-0001"],
         "fixed_in": ["1.11.1"], "summary": "a variant advisory"},
        {"id": "GHSA-test-0001", "aliases": ["PYSEC-TEST-1"], "fixed_in": ["1.11.1"]},
    ]  # fmt: skip
    served.releases[("django-crispy-forms", "1.9.0")] = page
    site = project(tmp_path, "django-crispy-forms==1.9.0\n")
    with FakePypiServer(served) as pypi:
        code, out, err = stack(store, pypi, site, "--json", "--django", "3.0", "--check")
        assert code == 1
        assert rows(out)["django-crispy-forms"]["vulnerabilities"] == [
            {"id": "PYSEC-TEST-1", "aliases": ["CVE-TEST-1", "GHSA-test-0001"],
             "fix_versions": ["1.11.1"]},
        ]  # fmt: skip
        assert "PYSEC-TEST-1 (CVE-TEST-1, GHSA-test-0001) fixed in 1.11.1" in err
        code, out, _ = stack(store, pypi, site, "--json", "--django", "3.2", "--plan")
        plan = rows(out)["django-crispy-forms"]["plan"]
        # 1.11.1 fixes it; 1.12.0 first declares 3.2 (and 2.x, which dropped 3.2, is not it)
        assert (plan["ready"], plan["clear"], plan["move_to"]) == ("1.12.0", "1.11.1", "1.12.0")


def test_the_plan_answers_ready_clear_and_move_to(store, pypi, tmp_path):
    site = project(
        tmp_path,
        "# our stack\n"
        "django-debug-toolbar>=4.2,<5  # pinned below 5 for now\n"
        "django-storages==1.14.6\n"
        "wagtail>=7.4,<7.5\n"
        "django-crispy-forms==1.9.0 ; python_version >= '3'\n",
    )
    code, out, err = stack(store, pypi, site, "--plan", "--json", "--django", "5.2")
    assert code == 0, err
    plans = {n: r["plan"] for n, r in rows(out).items()}
    assert plans["django-debug-toolbar"] == {
        "ready": "5.1.0", "clear": "4.4.6", "move_to": "5.1.0",
        "reason": "5.1.0 first declares Django 5.2",
    }  # fmt: skip
    assert plans["django-storages"] == {
        "ready": None, "clear": "1.14.6", "move_to": None,
        "reason": "no release declares Django 5.2; newest 1.14.6 declares up to 5.1",
    }  # fmt: skip
    assert plans["wagtail"]["move_to"] == "7.4.4" and plans["wagtail"]["reason"] == "already fine"
    assert plans["django-crispy-forms"]["ready"] == "2.4"
    # read again the same day: nothing is asked
    asked = len(pypi.state.requests)
    code, text, _ = stack(store, pypi, site, "--plan", "--django", "5.2")
    assert len(pypi.state.requests) == asked
    assert "move to" in text and "5.1.0" in text
    # the dependency file with each move applied, comments and order kept
    code, out, err = stack(
        store, pypi, site, "--plan", "--format", "requirements", "--django", "5.2"
    )
    assert out.splitlines() == [
        "# our stack",
        "django-debug-toolbar>=5.1.0  # pinned below 5 for now",
        "django-storages==1.14.6",
        "wagtail>=7.4,<7.5",
        "django-crispy-forms==2.4 ; python_version >= '3'",
    ]


def test_a_plan_without_release_pages_answers_nothing_it_could_not_check(store, tmp_path):
    served = current_pypi(*PROJECTS, release_pages=False)
    site = project(tmp_path, "django-debug-toolbar>=4.2,<5\n")
    with FakePypiServer(served) as pypi:
        _, out, _ = stack(store, pypi, site, "--plan", "--json", "--django", "5.2")
    plan = rows(out)["django-debug-toolbar"]["plan"]
    assert plan["move_to"] is None and "not checked" in plan["reason"]
    # a hint, not an answer: the latest's facts are the project page's, always read
    assert plan["reason"].endswith("the latest, 8.0.0, is ready for Django 5.2 and is clear")


def test_a_hostile_release_page_leaves_that_release_unchecked_and_the_rest_judged(
    store, tmp_path, monkeypatch
):
    served = current_pypi(*PROJECTS)
    # variants: wagtail 2.9.1's page malformed, crispy 1.9.0's describing another release,
    # storages 1.14.4's larger than the cap
    served.releases[("wagtail", "2.9.1")] = b'{"info": {"name": '
    other = copy.deepcopy(current("django-crispy-forms==1.10.0"))
    served.releases[("django-crispy-forms", "1.9.0")] = other
    served.releases[("django-storages", "1.14.4")] = b'{"pad": "' + b" " * 2 * 2**20 + b'"}'
    site = project(
        tmp_path,
        "wagtail==2.9.1\ndjango-crispy-forms==1.9.0\ndjango-storages==1.14.4\nclick==8.1.7\n",
    )
    with FakePypiServer(served) as pypi:
        monkeypatch.setenv("DJP_MAX_RESPONSE_MB", "1")
        code, out, err = stack(store, pypi, site, "--json", "--django", "3.0", "--check")
    assert code == 1
    got = rows(out)
    for name in ("wagtail", "django-crispy-forms", "django-storages"):
        assert got[name]["checked"] is False and got[name]["django"] == "unknown", name
    assert "describes version '1.10.0'" in got["django-crispy-forms"]["unchecked"]
    assert got["click"]["checked"] is True and got["click"]["django"] == "n/a"
    errors = [line for line in err.splitlines() if line.startswith("djp: ")]
    assert len(errors) == 3 and all("\n" not in e for e in errors)
    assert "site: 3 problems in 3 dependencies" in err


def test_check_fails_closed_when_pypi_cannot_be_asked(store, pypi, tmp_path):
    site = project(tmp_path, "click==8.5.1\n")
    code, _, err = stack(store, pypi, site, "--check")
    assert code == 0, err  # checked: the latest, from its project page
    age_the_cache(store, days=2)  # the facts are due again, and PyPI does not answer
    code, _, err = run_djp(
        "--store", store, "stack", str(site), "--check", "--pypi-url", "http://127.0.0.1:9"
    )
    assert code == 1  # the facts in the store are old: nothing was checked now
    assert "PyPI could not be asked" in err
    code, _, err = run_djp("--store", store, "stack", str(site), "--check", "--no-pypi")
    assert code == 0, err  # the facts in the store, as asked


def test_facts_recorded_before_every_release_was_kept_are_read_whole_again(store, pypi, tmp_path):
    """A store from before: boto3's facts kept its newest 500 releases and its ETag is cached;
    the project page is asked again without the ETag (a 304 would keep the old facts), and the
    old pin is then known."""
    from eventstore import PypiFacts, PypiObserved

    site = project(tmp_path, "boto3==1.9.0\n")
    stack(store, pypi, site, "--json")
    with Catalog.open(store) as catalog:
        entry = catalog.tables().pypi[b"pypi:boto3"]
        facts = entry.observed.facts
        old = msgspec.structs.replace(
            facts, releases=dict(list(facts.releases.items())[-500:]), releases_complete=False
        )
        catalog.store.append(
            "pypi:boto3", [PypiObserved(target="pypi:boto3", name="boto3", state="ok", facts=old)]
        )
    assert isinstance(old, PypiFacts)
    age_the_cache(store, days=2)
    pypi.pypi.requests.clear()
    _, out, _ = stack(store, pypi, site, "--json")
    asked = dict(pypi.pypi.requests)
    assert asked["/pypi/boto3/json"] == ""  # no If-None-Match
    boto3 = rows(out)["boto3"]
    assert boto3["checked"] is True and boto3["judged"] == "1.9.0"


def test_the_plan_honours_the_python_the_project_requires(store, pypi, tmp_path):
    site = project(
        tmp_path,
        '[project]\nname = "site"\nrequires-python = ">=3.9"\n'
        'dependencies = ["django-redis>=6.0.0,<7", "django-crispy-forms~=1.9"]\n',
        name="pyproject.toml",
    )
    code, out, err = stack(store, pypi, site, "--plan", "--json", "--django", "6.0")
    assert code == 0, err
    plans = {n: r["plan"] for n, r in rows(out).items()}
    assert plans["django-redis"]["ready"] is None  # 7.0.0 declares 6.0 but needs Python 3.10
    assert plans["django-redis"]["reason"] == (
        "7.0.0, the first to declare Django 6.0, requires Python >=3.10; the stack's oldest is 3.9"
    )
    assert plans["django-crispy-forms"]["move_to"] == "2.5"  # >=3.9: it runs there
    code, out, _ = stack(store, pypi, site, "--plan", "--format", "requirements", "--django", "6.0")
    assert 'dependencies = ["django-redis>=6.0.0,<7", "django-crispy-forms>=2.5"]' in out


def test_ignore_leaves_a_private_package_out_of_the_gate(store, pypi, tmp_path):
    site = project(tmp_path, "click==8.5.1\nour-private-lib==1.0\n")
    code, _, err = stack(store, pypi, site, "--check")
    assert code == 1 and "our-private-lib==1.0 not checked: not on PyPI" in err
    code, _, err = stack(store, pypi, site, "--check", "--ignore", "Our_Private_Lib")
    assert code == 0, err
    assert "site: left out of the check: our-private-lib" in err
