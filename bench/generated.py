"""GENERATED catalogue data for benchmarks: API-shaped, clearly labelled, not real packages."""

from __future__ import annotations

import json
import random

from catalog.api import decode_record
from catalog.upstream.sync import SyncSession

API = "https://djangopackages.org/api/v4/"


def generated_api_data(packages: int, grids: int, seed: int = 6000) -> dict[str, dict[int, dict]]:
    """Bodies shaped like API v4 records; every title and description says it is generated."""
    rng = random.Random(seed)
    categories = {
        i: {
            "id": i,
            "title": f"Generated category {i}",
            "slug": f"generated-{i}",
            "description": "GENERATED for benchmarking",
            "title_plural": f"Generated categories {i}",
            "show_pypi": True,
            "created": "2010-08-14T22:47:52-04:00",
            "modified": "2022-03-04T21:48:41.249944-05:00",
        }
        for i in range(1, 6)
    }
    members: dict[int, list[int]] = {g: [] for g in range(1, grids + 1)}
    package_bodies = {}
    for i in range(1, packages + 1):
        in_grids = rng.sample(range(1, grids + 1), k=rng.randint(0, 3))
        for g in in_grids:
            members[g].append(i)
        package_bodies[i] = {
            "id": i,
            "title": f"generated-package-{i}",
            "slug": f"generated-package-{i}",
            "category": f"{API}categories/{1 + i % 5}/",
            "grids": [f"{API}grids/{g}/" for g in in_grids],
            "repo_url": f"https://github.com/generated/package-{i}",
            "repo_description": f"GENERATED package {i} for benchmarking; not a real package.",
            "repo_watchers": rng.randint(0, 10000),
            "repo_forks": rng.randint(0, 1500),
            "pypi_url": f"generated-package-{i}",
            "pypi_version": f"{rng.randint(0, 5)}.{rng.randint(0, 20)}.{rng.randint(0, 9)}",
            "documentation_url": rng.choice([None, "", f"https://generated-{i}.example/"]),
            "last_updated": (
                f"202{rng.randint(0, 6)}-0{rng.randint(1, 9)}-1{rng.randint(0, 9)}T10:00:00-04:00"
            ),
            "last_fetched": "2026-11-01T02:01:31.866243-04:00",
            "created": "2019-08-11T05:09:22.643448-04:00",
            "modified": "2026-01-28T15:58:53.900767-05:00",
            "commits_over_52": [rng.choice([0, 0, 0, 1, 2, 5]) for _ in range(52)],
            "participants": [f"gen-user-{rng.randint(1, 3000)}" for _ in range(rng.randint(0, 6))],
        }
    grid_bodies = {
        g: {
            "id": g,
            "title": f"Generated grid {g}",
            "slug": f"generated-grid-{g}",
            "description": "GENERATED grid for benchmarking",
            "is_locked": False,
            "packages": [f"{API}packages/{p}/" for p in members[g]],
            "header": False,
            "created": "2023-12-27T12:40:58.914633-05:00",
            "modified": "2023-12-27T12:40:58.914646-05:00",
        }
        for g in range(1, grids + 1)
    }
    return {"packages": package_bodies, "grids": grid_bodies, "categories": categories}


def sync_generated(catalog, packages: int, grids: int) -> None:
    """Store a GENERATED catalogue through the real sync path (one page of 500 at a time)."""
    data = generated_api_data(packages, grids)
    run = SyncSession(catalog, "generated:", "full")
    for resource, plural in (
        ("category", "categories"),
        ("grid", "grids"),
        ("package", "packages"),
    ):
        records = [decode_record(resource, json.dumps(b).encode()) for b in data[plural].values()]
        for i in range(0, len(records), 500):
            run.apply_page(resource, records[i : i + 500])
    run.finish("complete")


def generated_pypi_documents(packages: int) -> dict[str, dict]:
    """``generated_pypi_document`` for packages 1..``packages``, by name (the same every run)."""
    rng = random.Random(6000)
    return {
        f"generated-package-{i}": generated_pypi_document(i, rng) for i in range(1, packages + 1)
    }


def generated_pypi_document(i: int, rng: random.Random) -> dict:
    """A GENERATED ``/pypi/generated-package-I/json`` document shaped like PyPI's (a few
    hundred releases for one package in a hundred, a dozen or so for the rest; two files a
    release; a description of a few KB). Not a real project."""
    name = f"generated-package-{i}"
    count = rng.randint(200, 500) if rng.random() < 0.01 else rng.randint(1, 25)
    releases = {}
    for n in range(count):
        version = f"{n // 100}.{(n // 10) % 10}.{n % 10}"
        day = f"20{10 + n * 15 // max(count, 1):02d}-0{rng.randint(1, 9)}-1{rng.randint(0, 9)}"
        releases[version] = [
            {
                "comment_text": "",
                "digests": {"md5": "0" * 32, "sha256": f"{rng.getrandbits(256):064x}"},
                "downloads": -1,
                "filename": f"{name.replace('-', '_')}-{version}{suffix}",
                "has_sig": False,
                "md5_digest": "0" * 32,
                "packagetype": kind,
                "python_version": "py3" if kind == "bdist_wheel" else "source",
                "requires_python": ">=3.8",
                "size": rng.randint(10_000, 900_000),
                "upload_time": f"{day}T10:00:00",
                "upload_time_iso_8601": f"{day}T10:00:00.000000Z",
                "url": f"https://files.example/generated/{name}-{version}{suffix}",
                "yanked": False,
                "yanked_reason": None,
            }
            for kind, suffix in (("bdist_wheel", "-py3-none-any.whl"), ("sdist", ".tar.gz"))
        ]
    latest = list(releases)[-1]
    djangos = rng.choice([[], ["3.2", "4.0"], ["4.2", "5.0", "5.1", "5.2"], ["5.2", "6.0"]])
    return {
        "info": {
            "name": name,
            "version": latest,
            "summary": f"GENERATED package {i} for benchmarking; not a real project.",
            "description": "GENERATED. " + "Lorem ipsum dolor sit amet. " * rng.randint(20, 200),
            "license": rng.choice(["MIT", "BSD", "", "Apache 2.0", None]),
            "classifiers": [
                "Development Status :: 5 - Production/Stable",
                "Framework :: Django",
                *(f"Framework :: Django :: {v}" for v in djangos),
                "License :: OSI Approved :: MIT License",
                "Programming Language :: Python :: 3",
            ],
            "requires_dist": rng.choice([None, ["Django>=4.2"], ["django (>=3.2)", "pytz"]]),
            "requires_python": ">=3.8",
            "yanked": False,
            "yanked_reason": None,
        },
        "last_serial": rng.randint(1, 10**8),
        "releases": releases,
        "urls": releases[latest],
        "vulnerabilities": [],
    }


def generated_release_pages(documents: dict[str, dict]) -> dict[tuple[str, str], dict]:
    """GENERATED ``/pypi/NAME/VERSION/json`` pages for ``generated_pypi_document``'s
    projects, so that an upgrade plan has something to search: the oldest two fifths of a
    project's releases declare Django 3.2-4.0, the next two fifths 4.2-5.1, the newest what
    the latest declares; the oldest quarter carry one GENERATED advisory, fixed in the first
    release after them. Not real releases."""
    pages = {}
    for name, document in documents.items():
        versions = list(document["releases"])
        latest_info = document["info"]
        fixed = versions[len(versions) // 4] if len(versions) > 3 else None
        for n, version in enumerate(versions):
            share = n / max(len(versions), 1)
            if share < 0.4:
                djangos = ["3.2", "4.0"]
            elif share < 0.8:
                djangos = ["4.2", "5.0", "5.1"]
            else:
                djangos = None  # the latest's
            info = dict(latest_info, version=version)
            if djangos is not None:
                info["classifiers"] = [
                    c
                    for c in latest_info["classifiers"]
                    if not c.startswith("Framework :: Django ::")
                ] + [f"Framework :: Django :: {v}" for v in djangos]
            advisories = []
            if fixed is not None and n < len(versions) // 4:
                advisories = [{"id": f"GENERATED-{name}-1", "aliases": [], "fixed_in": [fixed],
                               "summary": "GENERATED advisory: not a real one"}]  # fmt: skip
            pages[(name, version)] = {"info": info, "urls": document["releases"][version],
                                      "vulnerabilities": advisories}  # fmt: skip
    return pages
