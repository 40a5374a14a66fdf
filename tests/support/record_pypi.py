"""Record the PyPI fixtures of ``fixtures/pypi/current`` (run by hand, with network:
``python -m tests.support.record_pypi``; the suite never runs it).

For each project: its page, ``GET https://pypi.org/pypi/NAME/json``, trimmed to what djp reads
(``info`` whole; per release only its files' ``filename``, ``upload_time_iso_8601``, ``yanked``
and ``yanked_reason``; ``vulnerabilities`` whole), saved as ``NAME.json``.

For the releases a test judges or a plan reads: a release page, ``NAME==VERSION.json``, in the
shape of ``/pypi/NAME/VERSION/json``. The machine that recorded them is behind a PyPI that
answers 404 to release pages (as some mirrors and proxies do) and to PEP 658's ``.metadata``
files, so each is built from that release's own core metadata read from its first wheel
(``*.dist-info/METADATA``), or its sdist's ``PKG-INFO`` when it has no wheel: classifiers,
``requires_dist``, ``requires_python``, and ``yanked`` from the project page's files. Its
``vulnerabilities`` are ``[]`` (a release page's own list could not be read): each document
says so in ``_recorded``, and tests that need advisories build labelled variants.
"""

from __future__ import annotations

import email.parser
import gzip
import io
import json
import sys
import tarfile
import zipfile
from datetime import UTC, datetime
from pathlib import Path

import httpx

OUT = Path(__file__).resolve().parent / "fixtures" / "pypi" / "current"

#: project -> the releases whose pages are built (None: every final release from the first
#: version listed onwards, as a plan's search may read any of them)
PROJECTS: dict[str, list[str] | tuple[str]] = {
    "django-storages": ["1.14.6", "1.14.4"],
    "django-debug-toolbar": ("4.4.6",),
    "factory-boy": ["3.3.3"],
    "click": ["8.1.7", "8.5.1"],
    "wagtail": ["2.9.1", "7.4.4", "8.0.1"],
    "boto3": ["1.9.0"],
    "django-crispy-forms": ("1.9.0",),
    "sentry-sdk": ["2.19.0"],
    "django-redis": ["6.0.0", "7.0.0"],
    "django-csp": ["3.8", "4.0"],
    "django": ["5.2.19", "6.0.10"],
}

#: project -> Django: also the release pages djp's search for the smallest release ready for
#: that Django reads (the package screen's "ready for X"), found by running the search
SEARCHED = {"django-debug-toolbar": "5.2"}

KEPT_FILE_KEYS = ("filename", "upload_time_iso_8601", "yanked", "yanked_reason")


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    when = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    with httpx.Client(timeout=60, headers={"User-Agent": "djp fixture recorder"}) as http:
        only = set(sys.argv[1:])  # names given: only those
        for name, versions in PROJECTS.items():
            if only and name not in only:
                continue
            reply = http.get(f"https://pypi.org/pypi/{name}/json").raise_for_status()
            page = reply.json()
            for files in page["releases"].values():  # a proxy may answer relative links
                for f in files:
                    f["url"] = str(reply.url.join(f["url"]))
            _project(name, page, when)
            if isinstance(versions, tuple):
                versions = _from(page, versions[0])
            for version in versions:
                _release(http, name, version, page, when)
            if name in SEARCHED:
                versions = _searched(http, name, page, SEARCHED[name], when)
            print(name, len(versions), "release pages", file=sys.stderr)


def _project(name: str, page: dict, when: str) -> None:
    trimmed = {
        "_recorded": f"GET https://pypi.org/pypi/{name}/json on {when}, trimmed: per release "
        "only each file's " + ", ".join(KEPT_FILE_KEYS),
        "info": page["info"],
        "releases": {
            v: [{k: f.get(k) for k in KEPT_FILE_KEYS} for f in files]
            for v, files in page["releases"].items()
        },
        "urls": [{k: f.get(k) for k in KEPT_FILE_KEYS} for f in page["urls"]],
        "vulnerabilities": page["vulnerabilities"],
    }
    text = json.dumps(trimmed, indent=1) + "\n"
    if len(text) > 200_000:  # boto3's 2,000 releases: kept gzipped
        (OUT / f"{name}.json.gz").write_bytes(gzip.compress(text.encode()))
    else:
        (OUT / f"{name}.json").write_text(text)


def _searched(http: httpx.Client, name: str, page: dict, django: str, when: str) -> list[str]:
    """Build the pages the search for the smallest release ready for ``django`` reads."""
    from catalog.pypi.facts import facts_from_json
    from catalog.pypi.fetch import release_ask
    from catalog.pypi.releases import Needed, smallest_ready
    from projections.fold import ReleaseEntry, Tables, release_key
    from projections.targets import Target

    facts = facts_from_json(page, name)
    tables = Tables()
    read = []
    while True:
        try:
            answer = smallest_ready(tables, name, facts, django, set())
            print(name, "ready for", django, answer, file=sys.stderr)
            return sorted(set(read))
        except Needed as exc:
            read.append(exc.version)
            path = OUT / f"{name}=={exc.version}.json"
            if not path.exists():
                _release(http, name, exc.version, page, when)
            observed = release_ask(Target.pypi(name), name, exc.version).observe(
                json.loads(path.read_text())
            )
            tables.releases[release_key(name, exc.version)] = ReleaseEntry(observed=observed, seq=0)


def _from(page: dict, first: str) -> list[str]:
    from packaging.version import Version

    start = Version(first)
    out = [v for v in page["releases"] if page["releases"][v]]
    out = [v for v in out if not Version(v).is_prerelease and Version(v) >= start]
    return sorted(out, key=Version)


def _release(http: httpx.Client, name: str, version: str, page: dict, when: str) -> None:
    files = page["releases"][version]
    wheels = [f for f in files if f["filename"].endswith(".whl")]
    if wheels:
        source = wheels[0]["url"]
        text = _wheel_metadata(http.get(source).raise_for_status().content)
    else:
        sdist = next(f for f in files if f["packagetype"] == "sdist")
        source = sdist["url"]
        text = _pkg_info(http.get(source).raise_for_status().content, sdist["filename"])
    meta = email.parser.Parser().parsestr(text)
    info = {
        "name": meta["Name"],
        "version": meta["Version"],
        "classifiers": meta.get_all("Classifier") or [],
        "requires_dist": meta.get_all("Requires-Dist") or None,
        "requires_python": meta.get("Requires-Python"),
        "yanked": all(f["yanked"] for f in files),
        "yanked_reason": next((f["yanked_reason"] for f in files if f["yanked"]), None),
    }
    document = {
        "_recorded": f"built on {when} from {source} (the release's own core metadata): "
        "this machine's PyPI answers 404 to /pypi/NAME/VERSION/json. vulnerabilities: [] "
        "here means the release page's own list was not read",
        "info": info,
        "urls": [{k: f.get(k) for k in KEPT_FILE_KEYS} for f in files],
        "vulnerabilities": [],
    }
    (OUT / f"{name}=={version}.json").write_text(json.dumps(document, indent=1) + "\n")


def _wheel_metadata(data: bytes) -> str:
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        member = next(n for n in z.namelist() if n.endswith(".dist-info/METADATA"))
        return z.read(member).decode()


def _pkg_info(data: bytes, filename: str) -> str:
    if filename.endswith(".zip"):
        with zipfile.ZipFile(io.BytesIO(data)) as z:
            member = min((n for n in z.namelist() if n.endswith("PKG-INFO")), key=len)
            return z.read(member).decode()
    with tarfile.open(fileobj=io.BytesIO(data)) as t:
        member = min((m for m in t.getmembers() if m.name.endswith("PKG-INFO")),
                     key=lambda m: len(m.name))  # fmt: skip
        return t.extractfile(member).read().decode()


if __name__ == "__main__":
    main()
