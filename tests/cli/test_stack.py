"""``djp stack`` over a loopback fake PyPI: per-dependency facts, --json, --check, the stack
kept in the log (re-reading records what changed, --list, --forget and undo), no fresh
request within a day, a dependency PyPI lacks, a malformed file recording nothing.

The store holds the shipped snapshot with two packages pointed at the recorded PyPI projects
(``djangorestframework``, ``django-crispy-forms``) so they match the stack's dependencies.
Release documents are variants built from the recorded project documents (each says how).
"""

from __future__ import annotations

import copy
import json
import shutil
import time
from pathlib import Path

import msgspec
import pytest

from catalog.catalog import Catalog
from catalog.upstream.sync import load_snapshot
from eventstore import Edited, ReleaseObserved, Store
from tests.support.builders import point_at_pypi, sync_records
from tests.support.cli import run_djp
from tests.support.fakepypi import FakePypi, FakePypiServer, recorded

STACKS = Path(__file__).resolve().parents[1] / "support" / "fixtures" / "stacks"
POINTED = {4404: "djangorestframework", 359: "django-crispy-forms"}


@pytest.fixture
def store(store_path):
    with Catalog.open(store_path) as catalog:
        load_snapshot(catalog)
        point_at_pypi(catalog, POINTED)
    return store_path


def release(name: str, version: str, **info) -> dict:
    """A variant: the recorded project document's info at ``version``, with ``info`` set."""
    project = recorded(name)
    document = {
        "info": dict(project["info"], version=version, yanked=False, yanked_reason=None),
        "urls": project["releases"][version],
        "vulnerabilities": info.pop("vulnerabilities", []),
    }
    document["info"].update(info)
    return document


@pytest.fixture
def pypi():
    served = FakePypi(documents={n: recorded(n) for n in POINTED.values()})
    # variants: DRF 3.4.4 yanked; crispy forms 1.6.0 with two advisories (one alias pair)
    served.releases[("djangorestframework", "3.4.4")] = release(
        "djangorestframework", "3.4.4", yanked=True, yanked_reason="security fix in 3.4.5"
    )
    served.releases[("django-crispy-forms", "1.6.0")] = release(
        "django-crispy-forms",
        "1.6.0",
        vulnerabilities=[
            {"id": "PYSEC-2099-7", "aliases": ["GHSA-xxxx"], "fixed_in": ["1.7.0"]},
            {"id": "GHSA-xxxx", "aliases": ["PYSEC-2099-7"], "fixed_in": ["1.7.0"]},
            {"id": "GHSA-yyyy", "aliases": [], "fixed_in": ["1.7.0"]},
        ],
    )
    with FakePypiServer(served) as server:
        yield server


@pytest.fixture
def project(tmp_path) -> Path:
    """The requirements set, copied into a project directory named ``mysite``."""
    shutil.copytree(STACKS / "reqs", tmp_path / "mysite")
    return tmp_path / "mysite"


def stack(store, pypi, *args):
    return run_djp("--store", store, "stack", *args, "--pypi-url", pypi.base_url)


def test_each_dependency_with_pin_latest_package_yank_advisories_and_verdict(store, pypi, project):
    code, out, err = stack(
        store, pypi, str(project / "requirements.txt"), "--json", "--django", "4.1"
    )
    assert code == 0, err
    rows = {r["name"]: r for r in map(json.loads, out.splitlines())}
    drf = rows["djangorestframework"]
    assert drf == drf | {
        "requirement": "djangorestframework==3.4.4",
        "pinned": "3.4.4",
        "latest": "3.13.1",
        "package": "django-address-model",  # the djp package with that PyPI name
        "yanked": True,
        "vulnerabilities": [],
        "django": "undeclared",  # declares 2.2-4.0, requires Django>=2.2: not refused
        "judged": "3.4.4",
        "judged_because": "pinned",
        "checked": True,
        "license": "BSD",
    }
    crispy = rows["django-crispy-forms"]
    assert crispy["vulnerabilities"] == [
        {"id": "PYSEC-2099-7", "aliases": ["GHSA-xxxx"], "fix_versions": ["1.7.0"]},
        {"id": "GHSA-yyyy", "aliases": [], "fix_versions": ["1.7.0"]},
    ]
    assert crispy["yanked"] is False
    assert crispy["package"] == "django-messages" and crispy["license"] == "MIT"
    assert rows["requests"]["package"] is None  # not a Django package: fine
    assert rows["requests"]["state"] == "missing"  # this fake PyPI lacks it: "not on PyPI"
    assert rows["django-local"]["state"] == "not from PyPI"
    assert rows["whitenoise"]["pinned"] == "3.2.1"  # from the constraints file
    assert set(drf) >= {"name", "requirement", "pinned", "latest", "package", "yanked",
                        "vulnerabilities", "django", "license"}  # fmt: skip
    asked = {path for path, _ in pypi.pypi.requests}
    assert "/pypi/djangorestframework/3.4.4/json" in asked
    assert "/pypi/django-local/json" not in asked  # not from PyPI: not asked


def test_check_exits_1_with_one_line_per_problem(store, pypi, project):
    code, out, err = stack(
        store, pypi, str(project / "requirements.txt"), "--check", "--django", "4.1"
    )
    assert code == 1
    problems = err.splitlines()
    assert "mysite: djangorestframework==3.4.4 is yanked (security fix in 3.4.5)" in problems
    assert (
        "mysite: django-crispy-forms==1.6.0 has 2 advisories: PYSEC-2099-7 (GHSA-xxxx) fixed in"
        " 1.7.0; GHSA-yyyy fixed in 1.7.0" in problems
    )
    # declared up to 4.0 and allowed by its requirement: not a "no" (--strict says it)
    assert not any("is not ready" in p for p in problems)
    assert "mysite: requests==2.11.0 not checked: not on PyPI" in problems  # fail closed
    assert problems[-1].startswith("mysite: ") and " problems in " in problems[-1]
    assert "stack mysite: Django 4.1, --django" in out
    local = next(line for line in out.splitlines() if line.startswith("django-local "))
    assert local.rstrip().endswith("not from PyPI: editable")  # listed, not an error
    clean = project / "clean.txt"
    clean.write_text("djangorestframework==3.13.1\n")
    code, _, err = stack(store, pypi, str(clean), "--check", "--django", "4.0", "--name", "clean")
    assert code == 0, err


def test_on_a_terminal_the_columns_fit_its_width(store, pypi, project, monkeypatch):
    stack(store, pypi, str(project / "requirements.txt"), "--django", "4.1")
    _, out, _ = run_djp("--store", store, "stack", "--show", "mysite", "--no-pypi")
    header = out.splitlines()[1]  # piped: every column
    assert header.split() == ["dependency", "judged", "latest", "djp", "package", "Django",
                              "licence", "notes"]  # fmt: skip
    monkeypatch.setattr("cli.stack.terminal_width", lambda: 80)
    _, out, _ = run_djp("--store", store, "stack", "--show", "mysite", "--no-pypi")
    lines = out.splitlines()
    assert lines[1].split() == ["dependency", "judged", "Django", "notes"]
    drf = next(line for line in lines if line.startswith("djangorestframework "))
    # --show judges for the project's own Django (django==1.10), which DRF's requirement excludes
    assert lines[0].startswith("stack mysite: Django 1.10, from Django==1.10 in requirements.txt")
    assert drf.split()[:4] == ["djangorestframework", "3.4.4", "pinned", "no"]
    assert drf.index("not ready") < 80  # the verdict and the notes start on the first line


def test_the_target_django_comes_from_the_projects_own_pin(store, pypi, tmp_path):
    shutil.copytree(STACKS / "uvproj", tmp_path / "uvsite")
    code, out, _ = stack(store, pypi, str(tmp_path / "uvsite" / "uv.lock"))
    assert "Django 4.2, from Django==4.2.11 in uv.lock" in out.splitlines()[0]
    assert code == 0
    _, out, _ = stack(store, pypi, str(tmp_path / "uvsite" / "uv.lock"), "--json")
    because = {r["name"]: r["judged_because"] for r in map(json.loads, out.splitlines())}
    assert because["django"] == "lock"  # a lock's version, not a pin of the project's


def test_the_stack_is_kept_and_reading_again_records_only_what_changed(store, pypi, project):
    path = project / "requirements.txt"
    stack(store, pypi, str(path), "--django", "4.1")
    requests_before = len(pypi.pypi.requests)
    code, _, err = stack(store, pypi, str(path))  # again, unchanged, within the day
    assert code == 0 and "unchanged since the last reading" in err
    assert len(pypi.pypi.requests) == requests_before  # fresh facts: no request
    path.write_text(
        path.read_text().replace("djangorestframework==3.4.4", "djangorestframework==3.13.1")
        + "django-extensions==1.7.1\n"
    )
    stack(store, pypi, str(path))
    with Store.open(store) as opened:
        edits = [e.event for e in opened.read_stream("stack:mysite") if isinstance(e.event, Edited)]
        releases = [
            e.event for e in opened.read_all(1, opened.last_seq)
            if isinstance(e.event, ReleaseObserved)
        ]  # fmt: skip
    assert len(edits) == 2
    assert set(edits[1].changes) == {"dep:djangorestframework", "dep:django-extensions"}
    # the latest release: the project's page describes it, no release page is asked
    assert ("djangorestframework", "3.13.1") not in {(r.name, r.version) for r in releases}
    assert "/pypi/djangorestframework/3.13.1/json" not in {path for path, _ in pypi.pypi.requests}
    code, out, _ = run_djp("--store", store, "history", "stack:mysite")
    assert "djangorestframework pinned 3.4.4 -> 3.13.1" in out
    assert "added django-extensions (django-extensions==1.7.1)" in out
    code, out, _ = run_djp("--store", store, "stack", "--list")
    assert out.startswith("mysite") and "13 dependencies" in out
    code, out, err = run_djp("--store", store, "verify")  # a stack is not damage
    assert code == 0 and out.startswith("ok:"), err


def test_forget_is_an_edit_undo_brings_it_back(store, pypi, project):
    stack(store, pypi, str(project / "requirements.txt"))
    code, out, _ = run_djp("--store", store, "stack", "--forget", "mysite")
    assert code == 0 and "djp undo brings it back" in out
    assert "no stacks yet" in run_djp("--store", store, "stack", "--list")[1]
    code, _, err = run_djp("--store", store, "stack", "--show", "mysite", "--no-pypi")
    assert code == 1 and "no stack 'mysite'" in err
    assert run_djp("--store", store, "undo")[0] == 0
    assert run_djp("--store", store, "stack", "--list")[1].startswith("mysite")


def test_a_malformed_file_records_nothing(store, pypi, project):
    bad = project / "requirements.txt"
    bad.write_text(bad.read_text() + "django-broken>=>2\n")
    with Store.open(store) as opened:
        before = opened.last_seq
    code, _out, err = stack(store, pypi, str(bad))
    assert code == 1 and err.count("\n") == 1
    assert err.startswith("djp: ") and "requirements.txt:17: " in err
    with Store.open(store) as opened:
        assert opened.last_seq == before
    assert pypi.pypi.requests == []


@pytest.mark.slow
def test_a_variant_advisory_appears_after_the_day_passes(store, pypi, project):
    """Facts older than a day are asked again; a new advisory is recorded once, and the
    changes report names it first, under the stack."""
    path = project / "requirements.txt"
    stack(store, pypi, str(path))
    with Catalog.open(store) as catalog:  # a sync after the stack was read
        record = catalog.projection.entry("package", 4404).record
        sync_records(catalog, "package", [record], complete=False)
    docs = pypi.pypi.documents
    docs["djangorestframework"]["info"]["version"] = "3.15.0"  # a variant: a new release
    variant = copy.deepcopy(pypi.pypi.releases[("djangorestframework", "3.4.4")])
    variant["vulnerabilities"] = [{"id": "GHSA-zzzz", "fixed_in": ["3.4.5"]}]  # a variant
    pypi.pypi.releases[("djangorestframework", "3.4.4")] = variant
    with Catalog.open(store) as catalog:  # make every fetch look two days old
        from catalog.pypi.cache import CACHE_DB, CacheEntry

        db = catalog.store.database(CACHE_DB)

        def age(txn):
            for key, raw in list(txn.cursor(db=db)):
                entry = msgspec.msgpack.decode(raw, type=CacheEntry)
                entry.fetched -= 2 * 86400
                txn.put(key, msgspec.msgpack.encode(entry), db=db)

        catalog.store.write(age)
    _code, out, _ = stack(store, pypi, str(path), "--json")
    drf = next(r for r in map(json.loads, out.splitlines()) if r["name"] == "djangorestframework")
    assert drf["vulnerabilities"] == [{"id": "GHSA-zzzz", "aliases": [], "fix_versions": ["3.4.5"]}]
    assert drf["latest"] == "3.15.0"
    _, out, _ = run_djp("--store", store, "changes")
    lines = out.splitlines()
    assert lines[1] == "your stack mysite:"  # before everything else
    assert "  djangorestframework: new release 3.15.0" in lines
    assert "  djangorestframework==3.4.4 (pinned): 1 new advisory: GHSA-zzzz" in lines


def test_the_verdict_judges_the_pinned_release_and_names_a_ready_upgrade(store, pypi, project):
    # a variant: 3.4.4's page declares Django 1.8-1.10 (the latest, 3.13.1, declares 2.2-4.0)
    old = [
        "Framework :: Django :: 1.8",
        "Framework :: Django :: 1.9",
        "Framework :: Django :: 1.10",
    ]
    pypi.pypi.releases[("djangorestframework", "3.4.4")] = release(
        "djangorestframework",
        "3.4.4",
        classifiers=["License :: OSI Approved :: BSD License", *old],
        requires_dist=None,
    )
    path = str(project / "requirements.txt")
    code, out, _ = stack(store, pypi, path, "--json", "--django", "4.0")
    rows = {r["name"]: r for r in map(json.loads, out.splitlines())}
    drf = rows["djangorestframework"]
    # judged on its own page, not the latest's (which declares 4.0): declared up to 1.10
    assert (drf["django"], drf["judged_because"], drf["checked"]) == ("undeclared", "pinned", True)
    assert rows["redis"]["django"] is None and not rows["redis"]["checked"]  # not on PyPI
    code, _, err = stack(store, pypi, path, "--check", "--strict", "--django", "4.0")
    assert code == 1
    assert (
        "mysite: djangorestframework==3.4.4 is undeclared for Django 4.0: declares 1.8-1.10;"
        " no Django requirement" in err.splitlines()
    )
    with Catalog.open(store) as catalog:
        [observed] = [
            e.event
            for e in catalog.store.read_stream("package:4404")
            if isinstance(e.event, ReleaseObserved)
        ]
    assert observed.metadata and observed.classifiers == old  # only what the rules read
    assert observed.requires_dist == []
    _, out, _ = run_djp("--store", store, "history", "django-address-model")
    lines = out.splitlines()
    at = next(i for i, line in enumerate(lines) if line.endswith("PyPI release 3.4.4"))
    assert [line.split(":")[0].strip() for line in lines[at + 1 : at + 5]] == [
        "advisories", "Django versions declared", "release on PyPI", "yanked"
    ]  # fmt: skip
    assert lines[at + 2].strip() == "Django versions declared: — → 1.8, 1.9, 1.10"
    _, out, _ = run_djp("--store", store, "log")  # named by its PyPI name, not the djp slug
    summary = "ReleaseObserved PyPI release djangorestframework==3.4.4: not yanked, 0 advisories"
    assert any(line.endswith(summary) for line in out.splitlines())


def test_a_release_recorded_before_its_metadata_is_asked_again_without_its_etag(
    store, pypi, project
):
    """A store written before djp recorded a release's metadata: its event lacks it and its
    cache entry is fresh; reading the stack asks the page again, whole, and judges the pin."""
    with Catalog.open(store) as catalog:
        catalog.store.append(
            "package:4404",
            [ReleaseObserved(target="package:4404", name="djangorestframework",
                             version="3.4.4", state="ok", yanked=True)],
        )  # fmt: skip
        from catalog.pypi.cache import CACHE_DB, CacheEntry

        db = catalog.store.database(CACHE_DB)
        entry = msgspec.msgpack.encode(CacheEntry(etag='"then"', fetched=time.time()))
        catalog.store.write(
            lambda txn: txn.put(b"release:djangorestframework==3.4.4", entry, db=db)
        )
    code, out, _ = stack(store, pypi, str(project / "requirements.txt"), "--json")
    assert code == 0
    asked = dict(pypi.pypi.requests)
    assert asked["/pypi/djangorestframework/3.4.4/json"] == ""  # no If-None-Match
    drf = next(r for r in map(json.loads, out.splitlines()) if r["name"] == "djangorestframework")
    assert drf["judged_because"] == "pinned" and drf["checked"] is True


def test_a_yank_is_known_from_the_project_when_the_release_page_fails(store, tmp_path):
    document = recorded("djangorestframework")  # a variant: 3.4.4's files yanked
    for f in document["releases"]["3.4.4"]:
        f.update(yanked=True, yanked_reason="broken")
    served = FakePypi(documents={"djangorestframework": document})
    served.no_release_pages.add("djangorestframework")  # its release pages answer 404
    path = tmp_path / "site" / "requirements.txt"
    path.parent.mkdir()
    path.write_text("djangorestframework==3.4.4\ndjangorestframework-unknown==1.0\n")
    with FakePypiServer(served) as server:
        code, out, _ = stack(store, server, str(path), "--json", "--django", "5.2")
        _, text, _ = stack(store, server, str(path), "--django", "5.2")
    assert code == 0
    rows = {r["name"]: r for r in map(json.loads, out.splitlines())}
    drf = rows["djangorestframework"]
    assert drf["yanked"] is True and drf["state"] == "ok"
    # no release page: unchecked, never judged by the latest release (fail closed)
    assert drf["checked"] is False and drf["django"] == "unknown"
    assert drf["problems"][0].startswith("djangorestframework==3.4.4 not checked: its release page")
    assert drf["problems"][1] == "djangorestframework==3.4.4 is yanked (broken)"
    line = next(line for line in text.splitlines() if line.startswith("djangorestframework "))
    assert "not checked: its release page could not be read" in line
    assert rows["djangorestframework-unknown"]["state"] == "missing"


def test_a_dependency_that_names_django_nowhere_has_no_verdict_column(store, tmp_path):
    """nango (as recorded) has no Django classifier and no Django requirement: its verdict
    is "n/a", in the table and in --json alike, not "unknown" beside the real unknowns."""
    project = tmp_path / "site"
    project.mkdir()
    (project / "requirements.txt").write_text("nango\ndjango-crispy-forms\n")
    served = FakePypi(documents={"nango": recorded("nango")})
    served.documents["django-crispy-forms"] = recorded("django-crispy-forms")
    with FakePypiServer(served) as server:
        code, out, err = stack(store, server, str(project / "requirements.txt"), "--django", "5.2")
        assert code == 0, err
        lines = {line.split()[0]: line.split() for line in out.splitlines()[1:-1]}
        assert "n/a" in lines["nango"] and "unknown" not in lines["nango"]
        assert "undeclared" in lines["django-crispy-forms"]  # declares 2.2, 3.2, 4.0
        _, out, _ = stack(store, server, str(project / "requirements.txt"), "--json")
        by_name = {r["name"]: r for r in map(json.loads, out.splitlines())}
        assert by_name["nango"]["django"] == "n/a"


def test_a_directory_or_none_reads_the_projects_files(store, pypi, project, monkeypatch):
    """``djp stack DIR`` and, from the project, ``djp stack`` read its dependency files: one
    stack, and reading it by another path records no change."""
    code, _, err = stack(store, pypi, str(project), "--no-pypi")
    assert code == 0, err
    first = err.splitlines()[0]
    assert first.startswith("stack mysite: 12 dependencies from requirements.txt, requirements/")
    monkeypatch.chdir(project)
    code, _, err = stack(store, pypi, "--no-pypi")
    assert code == 0 and "(unchanged since the last reading)" in err.splitlines()[0]
    files = [str(project / "requirements.txt"), *map(str, (project / "requirements").glob("*"))]
    code, _, err = stack(store, pypi, *sorted(files), "--no-pypi")
    assert code == 0 and "(unchanged since the last reading)" in err.splitlines()[0]


def test_export_of_edits_says_it_leaves_stacks_out(store, pypi, project, tmp_path):
    assert stack(store, pypi, str(project), "--no-pypi")[0] == 0
    code, out, _ = run_djp("--store", store, "export-edits", str(tmp_path / "edits.jsonl"))
    assert code == 0 and out.endswith("(not 1 stack: djp stack reads stacks from their files)\n")
    assert (tmp_path / "edits.jsonl").read_text() == ""  # the stack's reading is not in it


def test_a_file_in_requirements_keeps_its_folder(store, pypi, project):
    """cookiecutter-django's layout: ``requirements/local.txt`` read alone is the project's
    (the stack is named after it), and its sources and files keep the folder."""
    code, out, err = stack(
        store, pypi, str(project / "requirements" / "base.txt"), "--json", "--no-pypi"
    )
    assert code == 0, err
    assert run_djp("--store", store, "stack", "--list")[1].startswith("mysite")
    sources = {r["name"]: r["source"] for r in map(json.loads, out.splitlines())}
    assert sources["requests"] == "requirements/base.txt:1"
    _, out, _ = run_djp("--store", store, "history", "stack:mysite")
    assert "note: read from requirements/base.txt" in out
