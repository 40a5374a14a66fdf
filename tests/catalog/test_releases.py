"""The searches over a project's releases (``catalog.pypi.releases``): the smallest release
ready for a Django, clear of advisories, and both; pure, over release pages in a table.

Recorded pages (``fixtures/pypi/current``) where they exist; generated release histories in
the property test (labelled: not real projects)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from catalog.pypi.facts import facts_from_json
from catalog.pypi.fetch import release_ask
from catalog.pypi.releases import Needed, Planner, final_releases, release_facts, smallest_ready
from eventstore import Advisory, PypiFacts, ReleaseObserved
from projections.fold import ReleaseEntry, Tables, release_key
from projections.targets import Target
from tests.support.fakepypi import CURRENT, current

TABLE = ("2.2", "3.0", "3.1", "3.2", "4.0", "4.1", "4.2", "5.0", "5.1", "5.2", "6.0", "6.1")


def recorded_tables(name: str) -> tuple[PypiFacts, Tables]:
    """A project's recorded page and every release page recorded for it, as the log would
    hold them."""
    facts = facts_from_json(current(name), name)
    tables = Tables()
    for path in CURRENT.glob(f"{name}==*.json"):
        version = path.name[len(name) + 2 : -len(".json")]
        observed = release_ask(Target.pypi(name), name, version).observe(current(path.stem))
        tables.releases[release_key(name, version)] = ReleaseEntry(observed=observed, seq=1)
    return facts, tables


def planner(name, facts, tables, django, start_python=None, failed=None) -> Planner:
    return Planner(name, facts, final_releases(facts), django, (), start_python,
                   lambda v: release_facts(tables, name, v, facts), failed or set())  # fmt: skip


def index_of(p: Planner, version: str) -> int:
    return next(i for i, v in enumerate(p.releases) if str(v) == version)


def test_support_dropped_later_never_makes_the_answer_a_release_without_it():
    facts, tables = recorded_tables("django-crispy-forms")
    p = planner("django-crispy-forms", facts, tables, "3.2")
    ready, why = p.ready(index_of(p, "1.9.0"))
    # 1.12.0 first declares 3.2; 2.1 and later dropped it, and the latest (2.7) lacks it
    assert str(p.releases[ready]) == "1.12.0" and why == ""
    ready, _ = p.ready(index_of(p, "1.13.0"))
    assert str(p.releases[ready]) == "1.13.0"  # the start itself, already ready


def test_a_python_the_answer_does_not_run_on_is_said():
    facts, tables = recorded_tables("django-debug-toolbar")
    p = planner("django-debug-toolbar", facts, tables, "6.0", start_python="3.9")
    ready, why = p.ready(index_of(p, "4.4.6"))
    # 6.2.0 first declares 6.0 and requires Python >=3.10
    assert ready is None and why.startswith("6.2.0, the first to declare Django 6.0, requires")


def test_django_itself_is_ready_at_the_targets_series_and_clear_past_its_fixes():
    facts = facts_from_json(current("django"), "django")
    tables = Tables()
    for version, advisories in (("5.2.19", []), ("6.0.10", [])):
        tables.releases[release_key("django", version)] = ReleaseEntry(
            observed=ReleaseObserved(target="pypi:django", name="django", version=version,
                                     state="ok", metadata=True,
                                     vulnerabilities=advisories), seq=1)  # fmt: skip
    # a variant: 5.2.19 with an advisory fixed in 6.0.10 (not a real one)
    tables.releases[release_key("django", "5.2.19")].observed.vulnerabilities = [
        Advisory(id="PYSEC-TEST-9", fixed_in=["6.0.10"])
    ]
    p = planner("django", facts, tables, "6.0")
    start = index_of(p, "5.2.19")
    try:
        p.ready(start)
    except Needed as exc:  # a binary search over Django's releases: it names what it needs
        assert exc.version.startswith(("5.", "6."))
    p = planner("django", facts, tables, "5.2")
    assert p.ready(start) == (start, "")  # of 5.2's series: ready as it is
    clear, _ = p.clear(start)
    assert str(p.releases[clear]) == "6.0.10"


def test_the_package_screens_search_reads_a_handful_of_pages():
    facts, tables = recorded_tables("django-debug-toolbar")
    assert smallest_ready(tables, "django-debug-toolbar", facts, "5.2", set()) == ("5.1.0", "")
    empty = Tables()
    try:
        smallest_ready(empty, "django-debug-toolbar", facts, "5.2", set())
    except Needed:
        pass
    else:
        raise AssertionError("a search without pages must ask for one")
    version, why = smallest_ready(empty, "django-debug-toolbar", facts, "9.9", set())
    assert version is None and "no release declares Django 9.9" in why  # the latest says


# --- property: over generated histories (GENERATED, not real projects) ----------------------


def generated(declared_per_release: list[list[str]], advisories: list[bool]):
    releases = [f"1.{i}" for i in range(len(declared_per_release))]
    when = datetime(2020, 1, 1, tzinfo=UTC)
    facts = PypiFacts(
        name="generated",
        latest=releases[-1],
        releases={v: when + timedelta(days=i) for i, v in enumerate(releases)},
        classifiers=[f"Framework :: Django :: {d}" for d in declared_per_release[-1]],
    )
    tables = Tables()
    for i, (version, declared) in enumerate(zip(releases, declared_per_release, strict=True)):
        fixed = releases[min(i + 1, len(releases) - 1)]
        tables.releases[release_key("generated", version)] = ReleaseEntry(
            observed=ReleaseObserved(
                target="pypi:generated", name="generated", version=version, state="ok",
                metadata=True, classifiers=[f"Framework :: Django :: {d}" for d in declared],
                vulnerabilities=[Advisory(id=f"GEN-{i}", fixed_in=[fixed])] if advisories[i]
                else [],
            ), seq=1,
        )  # fmt: skip
    return facts, tables


histories = st.integers(1, 30).flatmap(
    lambda n: st.tuples(
        st.lists(st.lists(st.sampled_from(TABLE), max_size=4, unique=True), min_size=n,
                 max_size=n),
        st.lists(st.booleans(), min_size=n, max_size=n),
        st.sampled_from(TABLE),
        st.integers(0, n - 1),
    )
)  # fmt: skip


@settings(max_examples=200, deadline=None)
@given(histories)
def test_every_answer_is_read_and_checked_itself_and_the_smallest_when_support_only_grows(case):
    declared, advisories, django, start = case
    facts, tables = generated(declared, advisories)
    p = planner("generated", facts, tables, django)
    x = tuple(int(n) for n in django.split("."))
    ready, _ = p.ready(start)
    truly = [i for i in range(start, len(declared)) if django in declared[i]]
    if ready is not None:
        assert ready >= start and django in declared[ready]  # never a release without it
    newest = [max((tuple(int(n) for n in d.split(".")) for d in ds), default=()) for ds in declared]
    if all(a <= b for a, b in zip(newest[start:], newest[start + 1 :], strict=False)):
        # support only grows: the search finds the smallest (or says there is none)
        if truly and newest[-1] >= x:
            assert ready == truly[0]
        elif not truly:
            assert ready is None
    clear, _ = p.clear(start)
    if clear is not None:
        assert clear >= start and not advisories[clear]
    move, _ = p.move_to(start)
    if move is not None:
        assert django in declared[move] and not advisories[move]
