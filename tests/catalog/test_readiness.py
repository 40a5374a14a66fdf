"""Readiness verdicts, licences and development status, from recorded PyPI responses
(``tests/support/fixtures/pypi``, copied from shared/data/pypi) and variants built here from
them (each variant says what it changed)."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest

from catalog.pypi.readiness import development_status, licence
from catalog.pypi.verdicts import DJANGO_RELEASES, django_verdict, python_verdict, supported_django

PYPI = Path(__file__).resolve().parents[1] / "support" / "fixtures" / "pypi"


def info(name: str) -> dict:
    return json.loads((PYPI / f"{name}.json").read_text())["info"]


DRF = info("djangorestframework")  # classifiers 2.2-4.0, django (>=2.2), python >=3.6
CRISPY = info("django-crispy-forms")  # classifiers 2.2, 3.2, 4.0, no Django requirement
NANGO = info("nango")  # no classifiers, no requirement, an MIT classifier


@pytest.mark.parametrize(
    "meta, x, verdict, evidence",
    [
        (DRF, "3.2", "yes", "classifier Framework :: Django :: 3.2"),
        (DRF, "4.0", "yes", "classifier Framework :: Django :: 4.0"),
        # declared up to 4.0 and required >=2.2: not said yet, not refused
        (DRF, "4.1", "undeclared", "declares 2.2-4.0; requires Django>=2.2"),
        (DRF, "5.2", "undeclared", "declares 2.2-4.0; requires Django>=2.2"),
        (CRISPY, "3.1", "undeclared", "declares 2.2, 3.2, 4.0; no Django requirement"),
        (CRISPY, "4.2", "undeclared", "declares 2.2, 3.2, 4.0; no Django requirement"),
        (NANGO, "4.2", "n/a", "no Django classifiers and no Django requirement"),
    ],
)
def test_django_verdicts_of_recorded_packages(meta, x, verdict, evidence):
    got = django_verdict(meta["classifiers"], meta["requires_dist"] or [], x)
    assert (got.verdict, got.evidence) == (verdict, evidence)


def test_a_requirement_that_excludes_x_is_no_even_with_a_classifier():
    # variant of djangorestframework: requires_dist narrowed to Django (<4.1,>=3.2)
    requires = ["Django (<4.1,>=3.2)"]
    assert django_verdict(DRF["classifiers"], requires, "4.1").verdict == "no"
    no = django_verdict(DRF["classifiers"], requires, "2.2")
    assert (no.verdict, no.evidence) == ("no", "requires Django<4.1,>=3.2")
    assert django_verdict(DRF["classifiers"], requires, "4.0").verdict == "yes"


def test_a_bare_requirement_on_django_is_named_as_one():
    # variant: "Django" with no version, and no classifiers (it named no requirement before)
    got = django_verdict([], ["Django"], "5.2")
    assert (got.verdict, got.evidence) == (
        "unknown",
        "requires Django (any version); no Django version classifiers",
    )


def test_an_extra_and_a_marker_that_does_not_apply_exclude_nothing():
    requires = ['django>=5.0; extra == "async"', 'django<2; python_version < "3"']
    assert django_verdict(DRF["classifiers"], requires, "3.2").verdict == "yes"


def test_only_requirements_that_name_django_count():
    # variant: a package's many requirements, of which two name Django (one with an extra and
    # spaces); names that only start with "django" or differ in case and separators are others
    requires = [
        "djangorestframework>=3.14",
        "django-filter (>=23)",
        "django_js_asset<1",
        "  Django[argon2] (>=4.2)",
        "DJANGO<5.1 ; python_version >= '3.8'",
        "not a requirement <<",
        "psycopg[binary]>=3.1",
    ]
    assert django_verdict([], requires, "4.1").evidence == "requires Django<5.1,>=4.2"
    assert django_verdict([], requires, "5.0").verdict == "unknown"
    assert django_verdict([], requires, "5.1").verdict == "no"


def test_a_requirement_with_a_patch_floor_still_allows_its_series():
    assert django_verdict(["Framework :: Django :: 4.2"], ["django>=4.2.1"], "4.2").verdict == "yes"


def test_a_major_only_classifier_covers_its_feature_releases():
    got = django_verdict(["Framework :: Django :: 5"], [], "5.1")
    assert (got.verdict, got.evidence) == ("yes", "classifier Framework :: Django :: 5")
    assert django_verdict(["Framework :: Django :: 5"], [], "6.0").verdict == "undeclared"


def test_extras_asked_for_bring_their_requirements():
    # sentry-sdk's shape: Django only in the "django" extra, no Django classifiers
    requires = ["urllib3>=1.26.11", 'django>=1.8; extra == "django"']
    assert django_verdict([], requires, "5.2").verdict == "n/a"
    asked = django_verdict([], requires, "5.2", extras=["django"])
    assert (asked.verdict, asked.evidence) == (
        "unknown",
        "requires Django>=1.8; no Django version classifiers",
    )
    narrowed = ['django<4; extra == "django"']
    assert django_verdict([], narrowed, "5.2", extras=["django"]).verdict == "no"
    assert django_verdict([], narrowed, "5.2").verdict == "n/a"


def test_a_bare_framework_classifier_names_django_but_no_version():
    got = django_verdict(["Framework :: Django"], [], "5.2")
    assert (got.verdict, got.evidence) == (
        "unknown",
        "a Framework :: Django classifier without versions",
    )


def test_a_requirement_alone_never_says_yes():
    got = django_verdict([], ["django>=3.2"], "5.2")
    assert got.verdict == "unknown" and "no Django version classifiers" in got.evidence


@pytest.mark.parametrize(
    "y, verdict, evidence",
    [
        ("3.8", "yes", "classifier Programming Language :: Python :: 3.8"),
        ("3.11", "undeclared", "declares Python 3.6-3.10, not 3.11"),
        ("3.5", "no", "requires Python >=3.6"),
    ],
)
def test_python_verdicts(y, verdict, evidence):
    got = python_verdict(DRF["classifiers"], DRF["requires_python"], y)
    assert (got.verdict, got.evidence) == (verdict, evidence)


def test_licences_in_order_of_trust():
    assert licence(None, DRF["license"], DRF["classifiers"]) == "BSD"
    assert licence(None, NANGO["license"], NANGO["classifiers"]) == "MIT"  # empty: classifier
    # variants: a PEP 639 expression wins; UNKNOWN and a whole licence text do not count
    assert licence("BSD-3-Clause", "BSD", DRF["classifiers"]) == "BSD-3-Clause"
    assert licence(None, "UNKNOWN", []) == "unknown"
    # common wordings of the free-text field read as the short name, anything else as written
    assert licence(None, "The MIT  license", []) == "MIT"
    assert licence(None, "BSD License", []) == "BSD"
    assert licence(None, "Apache License, Version 2.0", []) == "Apache-2.0"
    assert licence(None, "GPLv3", []) == "GPL-3.0"
    assert licence(None, "MIT/X11", []) == "MIT/X11"
    assert licence(None, "Copyright (c) 2020 ...\nPermission is hereby granted", []) == "custom"


def test_a_whole_licence_text_reads_as_its_title():
    # django-node-assets' licence field (PyPI, 0.9.15) is the MIT licence's whole text
    text = (
        "MIT License\n        \n        Copyright (c) 2026 Andrey Butenko\n        \n        Perm"
    )
    assert licence(None, text, [], whole_text=True) == "MIT"
    # variants: the first lines of the GPL's, Apache's and BSD's texts
    gpl = "          GNU GENERAL PUBLIC LICENSE\n             Version 3, 29 June 2007"
    assert licence(None, gpl, [], whole_text=True) == "GPL-3.0"
    apache = "\n  Apache License\n  Version 2.0, January 2004\n  http://www.apache.org/licenses/"
    assert licence(None, apache, [], whole_text=True) == "Apache-2.0"
    assert (
        licence(None, "BSD 3-Clause License\n\nCopyright (c) 2019, Someone", []) == "BSD-3-Clause"
    )
    # classifiers still come first; an unknown title is still "custom"
    assert licence(None, text, ["License :: OSI Approved :: BSD License"]) == "BSD"
    assert licence(None, "My Own License\nYou may do as you like", []) == "custom"
    assert licence(None, "", ["License :: OSI Approved :: Apache Software License"]) == "Apache-2.0"
    # django-balancer's licence field holds a classifier (PyPI, 0.5): read as one
    assert licence(None, "License :: OSI Approved :: BSD License", []) == "BSD"


def test_a_licence_field_naming_a_file():
    # cartridge-stripe's licence field (PyPI) names its file: "LICENSE.txt"; variants below
    assert licence(None, "LICENSE.txt", ["License :: OSI Approved :: BSD License"]) == "BSD"
    assert licence(None, "LICENSE.txt", []) == "see LICENSE.txt"
    assert licence(None, "see LICENSE file", []) == "see LICENSE file"
    assert licence(None, "COPYING", []) == "see COPYING"
    assert licence(None, "Licence.md", ["Programming Language :: Python"]) == "see Licence.md"
    # a licence's name is still the name, even with "license" in it
    assert licence(None, "MIT License", []) == "MIT"
    assert licence(None, "License to kill", []) == "License to kill"


def test_development_status():
    assert development_status(DRF["classifiers"]) == (5, "Production/Stable")
    assert development_status(["Development Status :: 7 - Inactive"]) == (7, "Inactive")
    assert development_status([]) is None


def test_the_django_table_covers_every_feature_release_since_2_2():
    versions = [r.version for r in DJANGO_RELEASES]
    assert versions[0] == "2.2" and versions == sorted(
        versions, key=lambda v: tuple(map(int, v.split(".")))
    )
    assert [r.version for r in supported_django(date(2026, 11, 28))] == ["5.2", "6.0", "6.1"]
    assert [r.version for r in supported_django(date(2026, 1, 15))] == ["4.2", "5.2", "6.0"]


# --- the exclusion check probes a few versions: it must agree with probing every one -------

from hypothesis import given  # noqa: E402
from hypothesis import strategies as st  # noqa: E402
from packaging.specifiers import SpecifierSet  # noqa: E402

from catalog.pypi.verdicts import excludes  # noqa: E402

_versions = st.builds(
    lambda a, b, c, n: ".".join(str(x) for x in (a, b, c)[:n]),
    st.integers(3, 5),
    st.integers(0, 3),
    st.integers(0, 12),
    st.integers(1, 3),
)
_clauses = st.builds(
    lambda op, v: f"{op}{v}", st.sampled_from(["<", "<=", ">", ">=", "==", "!=", "~="]), _versions
).filter(lambda c: not (c.startswith("~=") and c.count(".") == 0))


@given(st.lists(_clauses, min_size=1, max_size=3), st.sampled_from(["3.2", "4.0", "4.1", "5.2"]))
def test_excludes_agrees_with_probing_every_patch(clauses, feature):
    specifier = SpecifierSet(",".join(clauses))
    every = [feature, *(f"{feature}.{p}" for p in range(0, 60))]
    expected = not any(specifier.contains(v, prereleases=True) for v in every)
    assert excludes(specifier, feature) == expected
