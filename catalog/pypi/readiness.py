"""What PyPI says of one package, digested: its licence and development status, the latest
release and its age, yanks and advisories, the Django and Python verdicts
(``catalog.pypi.verdicts``) computed when first asked, and the health rules, each with its
evidence."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from packaging.version import InvalidVersion, Version

from catalog.pypi.facts import aware
from catalog.pypi.verdicts import (
    DJANGO_RELEASES,
    Verdict,
    django_ties,
    judge_django,
    python_verdict,
    supported_django,
)
from eventstore import PypiFacts, PypiObserved

# --- licence and development status ---------------------------------------------------------

#: ``License ::`` classifiers as the short names people use.
LICENSE_CLASSIFIERS = {
    "MIT License": "MIT",
    "BSD License": "BSD",
    "Apache Software License": "Apache-2.0",
    "GNU General Public License v3 (GPLv3)": "GPL-3.0",
    "GNU General Public License v2 (GPLv2)": "GPL-2.0",
    "GNU General Public License (GPL)": "GPL",
    "GNU Lesser General Public License v3 (LGPLv3)": "LGPL-3.0",
    "GNU Lesser General Public License v2 (LGPLv2)": "LGPL-2.0",
    "GNU Affero General Public License v3": "AGPL-3.0",
    "Mozilla Public License 2.0 (MPL 2.0)": "MPL-2.0",
    "ISC License (ISCL)": "ISC",
    "Python Software Foundation License": "PSF",
    "The Unlicense (Unlicense)": "Unlicense",
}
#: The ``license`` field's most common wordings of one licence (case and spacing aside):
#: "MIT License" is MIT, as its classifier would be. Anything else is shown as written.
LICENSE_WORDINGS = {
    wording.casefold(): name
    for name, wordings in {
        "MIT": ("MIT License", "MIT Licence", "The MIT License", "The MIT License (MIT)"),
        "BSD": ("BSD License", "BSD Licence", "BSD-style", "BSD style"),
        "BSD-3-Clause": ("New BSD", "New BSD License", "BSD 3-Clause", "3-Clause BSD"),
        "BSD-2-Clause": ("Simplified BSD", "BSD 2-Clause", "2-Clause BSD"),
        "Apache-2.0": (
            "Apache 2.0",
            "Apache 2",
            "Apache License 2.0",
            "Apache License, Version 2.0",
            "Apache License Version 2.0",
            "Apache Software License",
            "Apache Software License 2.0",
        ),
        "GPL-2.0": ("GPL2", "GPLv2", "GPL v2"),
        "GPL-3.0": ("GPL3", "GPLv3", "GPL v3"),
        "LGPL-3.0": ("LGPLv3", "LGPL v3"),
    }.items()
    for wording in wordings
}
SHORT_LICENSE = 40  # longer ``license`` text is the licence itself: "custom"
#: The titles a whole licence text starts with (its first line, or its first two joined, up
#: to a comma: "GNU GENERAL PUBLIC LICENSE / Version 3, 29 June 2007"), case and spacing aside.
LICENSE_TITLES = LICENSE_WORDINGS | {
    title.casefold(): name
    for title, name in (
        ("BSD 3-Clause License", "BSD-3-Clause"),
        ("BSD 2-Clause License", "BSD-2-Clause"),
        ("Apache License Version 2.0", "Apache-2.0"),
        ("GNU General Public License Version 3", "GPL-3.0"),
        ("GNU General Public License Version 2", "GPL-2.0"),
        ("GNU Lesser General Public License Version 3", "LGPL-3.0"),
        ("GNU Affero General Public License Version 3", "AGPL-3.0"),
        ("Mozilla Public License Version 2.0", "MPL-2.0"),
        ("Mozilla Public License, version 2.0", "MPL-2.0"),
        ("ISC License", "ISC"),
    )
}


def licence(
    expression: str | None,
    license_text: str | None,
    classifiers: Iterable[str],
    *,
    whole_text: bool = False,
) -> str:
    """The licence in a word: the PEP 639 expression, else a short ``license`` (its common
    wordings as short names: "The MIT License" is MIT), else the ``License ::`` classifiers,
    else the short name of a whole licence text by its title ("MIT License" and a copyright
    below it), or "custom" (``whole_text`` when the text was cut before it got here), or for
    a ``license`` that names a file, "see" it ("see LICENSE.txt"), else "unknown"."""
    if expression and expression.strip():
        return expression.strip()
    text = (license_text or "").strip()
    if text.startswith("License :: "):  # a classifier written into the licence field
        classifiers, text = [text, *classifiers], ""
    whole_text = whole_text or len(text) > SHORT_LICENSE or "\n" in text
    names_a_file = not whole_text and _LICENSE_FILE.fullmatch(text) is not None
    if text and text.upper() != "UNKNOWN" and not whole_text and not names_a_file:
        return LICENSE_WORDINGS.get(" ".join(text.split()).casefold(), text)
    names = []
    for classifier in classifiers:
        if classifier.startswith("License :: "):
            leaf = classifier.split(" :: ")[-1]
            names.append(LICENSE_CLASSIFIERS.get(leaf, leaf))
    if names:
        return " OR ".join(dict.fromkeys(names))
    if names_a_file:  # "LICENSE.txt": where the licence is, not which
        return text if text.casefold().startswith("see ") else f"see {text}"
    if text and text.upper() != "UNKNOWN":
        return _titled(text) or "custom"
    return "unknown"


#: A ``license`` field that names the file holding the licence ("LICENSE.txt", "see
#: LICENSE file"): the classifiers say more; without them it reads "see LICENSE.txt".
_LICENSE_FILE = re.compile(
    r"(see\s+)?(the\s+)?(LICEN[CS]E|COPYING)(\.[A-Za-z]{1,4})?(\s+file)?", re.IGNORECASE
)


def _titled(text: str) -> str | None:
    """The short name of a whole licence text by its title (``LICENSE_TITLES``)."""
    lines = [" ".join(line.split()) for line in text.splitlines() if line.strip()][:2]
    if not lines:
        return None
    candidates = [lines[0], " ".join(lines).split(",")[0]]
    return next(
        (LICENSE_TITLES[c.casefold()] for c in candidates if c.casefold() in LICENSE_TITLES), None
    )


def development_status(classifiers: Iterable[str]) -> tuple[int, str] | None:
    """``Development Status :: 5 - Production/Stable`` -> (5, "Production/Stable")."""
    for classifier in classifiers:
        if classifier.startswith("Development Status :: "):
            number, _, name = classifier.split(" :: ", 1)[1].partition(" - ")
            if number.isdigit():
                return int(number), name
    return None


def newer(a: str, b: str) -> bool:
    """Whether version ``a`` is newer than ``b`` (unparseable versions never are)."""
    try:
        return Version(a) > Version(b)
    except InvalidVersion:
        return False


# --- one package's PyPI summary ---------------------------------------------------------------


def releases_within(releases: dict, now: datetime, days: int = 365) -> int:
    """How many releases were first uploaded in the ``days`` before ``now``."""
    return sum(
        1 for when in releases.values() if timedelta(0) <= now - aware(when) <= timedelta(days)
    )


class Digest:
    """What the app and the command line show of one package's recorded PyPI facts, derived
    once; readiness verdicts are worked out when first asked and kept."""

    __slots__ = (
        "_django",
        "_python",
        "advisories",
        "advisories_left_out",
        "dev_status",
        "facts",
        "latest",
        "license",
        "name",
        "released",
        "releases_last_year",
        "requires_python",
        "state",
        "yanked",
        "yanked_reason",
    )  # fmt: skip

    def __init__(self, name: str, state: str, facts: PypiFacts | None, now: datetime) -> None:
        self.name, self.state, self.facts = name, state, facts
        self._django: dict[str, Verdict] = {}
        self._python: dict[str, Verdict] = {}
        f = facts or PypiFacts(name=name)
        self.latest = f.latest
        self.released = aware(f.released)
        self.releases_last_year = releases_within(f.releases, now)
        self.license = (
            licence(f.license_expression, f.license, f.classifiers, whole_text=f.license_is_long)
            if facts is not None
            else ""
        )
        self.requires_python = f.requires_python
        self.dev_status = development_status(f.classifiers)
        self.yanked, self.yanked_reason = f.yanked, f.yanked_reason
        self.advisories = f.vulnerabilities
        self.advisories_left_out = f.vulnerabilities_left_out

    @property
    def inactive(self) -> bool:
        return self.dev_status is not None and self.dev_status[0] == 7

    def django(self, x: str) -> Verdict:
        return self._verdict(self._django, x, self._judge_django)

    def python(self, y: str) -> Verdict:
        return self._verdict(self._python, y, self._judge_python)

    def _verdict(self, cache: dict[str, Verdict], version: str, judge) -> Verdict:
        verdict = cache.get(version)
        if verdict is None:
            if self.facts is None:
                verdict = Verdict("unknown", "not on PyPI")
            else:
                verdict = judge(self.facts, version)
            cache[version] = verdict
        return verdict

    @staticmethod
    def _judge_django(facts: PypiFacts, x: str) -> Verdict:
        return judge_django(django_ties(tuple(facts.classifiers), tuple(facts.requires_dist)), x)

    @staticmethod
    def _judge_python(facts: PypiFacts, y: str) -> Verdict:
        return python_verdict(facts.classifiers, facts.requires_python, y)


def digest_of(observed: PypiObserved | None, now: datetime) -> Digest | None:
    """The digest of a package's last ``PypiObserved`` (None before the first fetch)."""
    if observed is None:
        return None
    return Digest(observed.name, observed.state, observed.facts, now)


# --- health: rule by rule, each with its evidence -----------------------------------------


@dataclass(frozen=True)
class Rule:
    name: str
    ok: bool | None  # None: cannot tell
    evidence: str


YEAR = timedelta(days=365)
#: A failed rule in a few words (``djp stack``'s notes).
FAILED = {
    "commit within a year": "no commit in a year",
    "release within a year": "no release in a year",
    "supports a supported Django": "no supported Django",
    "latest release not yanked": "latest release yanked",
    "no open advisory": "advisories on the latest release",
    "not Inactive": "Inactive",
    "on PyPI": "not on PyPI",
}


def health(last_commit: datetime | None, digest: Digest | None, now: datetime) -> list[Rule]:
    """The health rules of a package, each with what decided it; no score."""
    rules = []
    if last_commit is None:
        rules.append(Rule("commit within a year", None, "no commit date from the repository"))
    else:
        rules.append(
            Rule(
                "commit within a year",
                now - last_commit <= YEAR,
                f"last commit {last_commit.date().isoformat()}",
            )
        )
    if digest is None or digest.facts is None:
        why = "not on PyPI" if digest is not None else "PyPI not fetched yet"
        return [*rules, Rule("on PyPI", False if digest else None, why)]
    if digest.released is None:
        rules.append(Rule("release within a year", None, "no upload date for the latest release"))
    else:
        rules.append(
            Rule(
                "release within a year",
                now - digest.released <= YEAR,
                f"{digest.latest} released {digest.released.date().isoformat()}",
            )
        )
    supported = supported_django(now.date())
    ready = [r.version for r in supported if digest.django(r.version).verdict == "yes"]
    blocked = [r.version for r in supported if digest.django(r.version).verdict == "no"]
    names = ", ".join(r.version for r in supported)
    if ready:
        rule = Rule("supports a supported Django", True, f"ready for {', '.join(ready)}")
    elif supported and len(blocked) == len(supported):
        rule = Rule("supports a supported Django", False, f"not ready for any of {names}")
    else:
        rule = Rule("supports a supported Django", None, f"none of {names} declared")
    rules.append(rule)
    yanked = f"{digest.latest} yanked" + (
        f": {digest.yanked_reason}" if digest.yanked_reason else ""
    )
    rules.append(
        Rule(
            "latest release not yanked",
            not digest.yanked,
            yanked if digest.yanked else f"{digest.latest} not yanked",
        )
    )
    ids = ", ".join(a.id for a in digest.advisories)
    rules.append(
        Rule(
            "no open advisory",
            not digest.advisories,
            f"{len(digest.advisories)} for {digest.latest}: {ids}"
            if ids
            else f"none for {digest.latest}",
        )
    )
    status = digest.dev_status
    rules.append(
        Rule(
            "not Inactive",
            None if status is None else status[0] != 7,
            f"Development Status :: {status[0]} - {status[1]}"
            if status
            else "no development status",
        )
    )
    return rules


def pypi_summary(
    name: str, state: str, facts: PypiFacts | None, fetched: datetime | None, now: datetime
) -> dict[str, Any]:
    """What ``djp show --json`` says of a package's PyPI project (``state``: ok, missing,
    error); verdicts for every Django release in the table."""
    out: dict[str, Any] = {"name": name, "state": state, "fetched": fetched}
    if facts is None:
        return out
    d = Digest(name, state, facts, now)
    out.update(
        latest=d.latest or None,
        released=d.released,
        releases_last_year=d.releases_last_year,
        license=d.license,
        requires_python=d.requires_python or None,
        dev_status=f"{d.dev_status[0]} - {d.dev_status[1]}" if d.dev_status else None,
        yanked=d.yanked,
        yanked_reason=d.yanked_reason or None,
        vulnerabilities=[a.id for a in d.advisories],
        django={r.version: d.django(r.version).verdict for r in DJANGO_RELEASES},
    )
    return out
