"""PyPI facts for the catalogue's packages: fetched politely, recorded only when they change.

For each package with a PyPI name, ``GET {pypi}/pypi/NAME/json`` through ``catalog.http``'s
bounded GETs (a deadline, a size cap, same-host redirects, retries). The ``ETag`` of each
answer is kept, and sent back as ``If-None-Match``: an unchanged project answers 304 and
nothing is appended. 404 is a state ("not on PyPI"), not an error. What PyPI says is appended
as ``PypiObserved`` only when the facts differ from the last ones recorded; one package is one
transaction, so an interrupted fetch keeps every package done.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from dataclasses import dataclass, field

import msgspec

from catalog import VERSION
from catalog.api import canonical_name, pypi_name
from catalog.catalog import Catalog
from catalog.config import DEFAULT_PYPI_URL, Config
from catalog.http import BoundedHttp, FetchError, HttpLimits, ThrottledError, UnreachableError
from catalog.pypi.cache import CACHE_DB, CacheEntry, cache_entry, stale
from catalog.pypi.facts import advisories, clip_text, facts_from_json, release_metadata
from catalog.pypi.releases import Needed, smallest_ready
from catalog.text import counted
from eventstore import PypiObserved, ReleaseObserved, WriteTransaction
from projections.fold import Tables, release_key
from projections.targets import Target

USER_AGENT = f"djp/{VERSION} (Django Packages terminal client; python-httpx)"


@dataclass
class PypiConfig(HttpLimits):
    base_url: str = DEFAULT_PYPI_URL
    concurrency: int = 4
    max_response_bytes: int = 20 * 2**20
    probe_attempts: int = 2  # the first request's: an unreachable PyPI is known quickly
    deadline: float = 900.0  # the whole fetch: past it, the rest is not asked

    @classmethod
    def from_config(cls, config: Config, **kwargs) -> PypiConfig:
        """PyPI's limits from djp's settings (``catalog.config``); its body cap is its own
        20 MB unless ``max_response_mb`` is set."""
        if config.explicit("max_response_mb"):
            kwargs.setdefault("max_response_bytes", int(config.max_response_mb * 2**20))
        return cls(
            base_url=config.pypi_url,
            concurrency=config.pypi_concurrency,
            request_deadline=config.request_deadline,
            deadline=config.sync_deadline,
            **kwargs,
        )


_json = msgspec.json.Decoder()
_JSON_KINDS = {type(None): "null", list: "array", str: "string", int: "number", float: "number",
               bool: "boolean"}  # fmt: skip


# --- fetching ---------------------------------------------------------------------------------


@dataclass
class PypiReport:
    fetched: int = 0
    not_modified: int = 0
    changed: int = 0  # events appended
    missing: int = 0
    errors: list[str] = field(default_factory=list)
    requests: int = 0
    unreachable: str | None = None  # why the rest was not asked: PyPI did not answer at all
    skipped: int = 0  # not asked, because PyPI was unreachable or the fetch was stopped
    stopped: str | None = None  # why the rest was not asked: throttled, or past the deadline
    missing_names: set[str] = field(default_factory=set)  # projects PyPI answered 404 for

    def add(self, other: PypiReport) -> PypiReport:
        """This report with a later run's counts added (one line for both)."""
        for name in ("fetched", "not_modified", "changed", "missing", "requests", "skipped"):
            setattr(self, name, getattr(self, name) + getattr(other, name))
        self.errors += other.errors
        self.unreachable = self.unreachable or other.unreachable
        self.stopped = self.stopped or other.stopped
        self.missing_names |= other.missing_names
        return self

    @property
    def failed(self) -> bool:
        """Something was not checked: an error, an unreachable PyPI, a stop."""
        return bool(self.errors or self.unreachable or self.stopped)

    def summary(self, asked: int) -> str:
        """One line for the command line and the app."""
        if self.unreachable:
            return (
                f"PyPI unreachable, {counted(asked, 'project')} not refreshed: {self.unreachable}"
            )
        line = (
            f"PyPI: {counted(asked, 'project')} asked, {self.fetched:,} answered, "
            f"{self.not_modified:,} unchanged (304), {self.missing:,} not on PyPI, "
            f"{counted(self.changed, 'event')} appended, {counted(len(self.errors), 'error')}, "
            f"{counted(self.requests, 'request')}"
        )
        if self.stopped:
            line += f"; {self.stopped}, {self.skipped:,} not asked (try again later)"
        return line


def pypi_targets(catalog: Catalog) -> dict[Target, str]:
    """Every present package with a PyPI name -> that name (normalized)."""
    out = {}
    for entry in catalog.projection.entries("package"):
        name = pypi_name(entry.record.pypi_url)
        if name:
            out[Target.package(entry.record.id)] = canonical_name(name)
    return out


@dataclass(frozen=True)
class Ask:
    """One question to PyPI: where to ask, the cache entry it keeps (ETag, when), the stream
    its event goes to, and how an answer (a document, or None for a 404) becomes that event."""

    key: bytes  # in CACHE_DB: a target (b"package:3324") or b"release.2:NAME==VERSION"
    stream: str
    path: str
    label: str  # for errors: "NAME" or "NAME==VERSION"
    observe: Callable[[object | None], object]  # raises ValueError for a document it rejects
    current: Callable[[Tables], object | None]  # what the projection holds now
    project: str = ""  # a project page's name (a release page's is "")
    #: whether what is recorded predates what djp now reads from this page (then the ETag
    #: is not sent: a 304 would keep it)
    outdated: Callable[[object], bool] = lambda current: False


def project_ask(target: Target, name: str) -> Ask:
    def observe(document: object | None) -> PypiObserved:
        if document is None:
            return PypiObserved(target=target.key, name=name, state="missing")
        facts = facts_from_json(document, name)
        return PypiObserved(target=target.key, name=name, state="ok", facts=facts)

    def current(tables: Tables) -> PypiObserved | None:
        entry = tables.pypi.get(target.raw)
        return entry.observed if entry is not None else None

    def outdated(current: object) -> bool:
        facts = getattr(current, "facts", None)
        return facts is not None and not facts.releases_complete

    return Ask(target.raw, target.key, f"pypi/{name}/json", name, observe, current, name, outdated)


def release_ask(target: Target, name: str, version: str) -> Ask:
    def observe(document: object | None) -> ReleaseObserved:
        if document is None:
            return ReleaseObserved(target=target.key, name=name, version=version, state="missing")
        if not isinstance(document, dict) or not isinstance(document.get("info"), dict):
            raise ValueError("not a PyPI release document (no info)")
        info = document["info"]
        if not same_version(info.get("version"), version):
            raise ValueError(f"it describes version {clip_text(info.get('version'), 40)!r}")
        kept, left_out = advisories(document.get("vulnerabilities"))
        return ReleaseObserved(
            target=target.key,
            name=name,
            version=version,
            state="ok",
            yanked=bool(info.get("yanked")),
            yanked_reason=clip_text(info.get("yanked_reason"), 300),
            vulnerabilities=kept,
            vulnerabilities_left_out=left_out,
            **release_metadata(info),
        )

    def current(tables: Tables) -> ReleaseObserved | None:
        entry = tables.releases.get(release_key(name, version))
        return entry.observed if entry is not None else None

    return Ask(
        RELEASE_PREFIX + release_key(name, version),
        target.key,
        f"pypi/{name}/{version}/json",
        f"{name}=={version}",
        observe,
        current,
    )


def same_version(said: object, version: str) -> bool:
    """Whether a release page's ``info.version`` is ``version`` (``1.0`` is ``1.0.0``); a
    page that does not say is taken at its word."""
    if said is None:
        return True
    if not isinstance(said, str):
        return False
    from packaging.version import InvalidVersion, Version

    try:
        return Version(said) == Version(version)
    except InvalidVersion:
        return said == version


#: The cache keys of release pages. Version 2 records each release's metadata: a store whose
#: entries predate it asks every page once more, without the ETag (a 304 would keep the old
#: event, which lacks the metadata).
RELEASE_PREFIX = b"release.2:"


async def fetch_pypi(
    catalog: Catalog,
    targets: dict[Target, str],
    config: PypiConfig | None = None,
    *,
    progress: Callable[[int, int], None] | None = None,
    transport=None,
) -> PypiReport:
    """Ask PyPI about ``targets`` (target -> name), a few at a time; append what changed."""
    asks = [project_ask(t, n) for t, n in targets.items()]
    return await ask_pypi(catalog, asks, config, progress=progress, transport=transport)


async def ask_pypi(
    catalog: Catalog,
    asks: list[Ask],
    config: PypiConfig | None = None,
    *,
    progress: Callable[[int, int], None] | None = None,
    transport=None,
) -> PypiReport:
    """Ask PyPI each question, a few at a time; append what changed, one transaction each."""
    config = config or PypiConfig()
    report = PypiReport()
    semaphore = asyncio.Semaphore(config.concurrency)
    done = 0
    headers = {"Accept": "application/json", "User-Agent": USER_AGENT}
    deadline_at = time.monotonic() + config.deadline
    async with BoundedHttp(
        config.base_url, config, headers, transport=transport, deadline_at=deadline_at
    ) as http:

        async def one(ask: Ask, attempts: int | None = None) -> None:
            nonlocal done
            async with semaphore:
                if report.unreachable or report.stopped:
                    report.skipped += 1
                else:
                    await _fetch_one(catalog, http, ask, report, attempts)
            done += 1
            if progress:
                progress(done, len(asks))

        try:
            async with asyncio.timeout(config.deadline):
                if asks:  # the first alone, and retried less: an unreachable PyPI is known fast
                    await one(asks[0], attempts=config.probe_attempts)
                await asyncio.gather(*(one(a) for a in asks[1:]))
        except TimeoutError:
            report.stopped = (
                f"stopped after {config.deadline:g} s (DJP_SYNC_DEADLINE sets the limit)"
            )
            report.skipped += len(asks) - done
        except asyncio.CancelledError:
            report.skipped += len(asks) - done
            raise
        finally:
            report.requests = http.requests
    return report


async def _fetch_one(
    catalog: Catalog, http: BoundedHttp, ask: Ask, report: PypiReport, attempts: int | None
) -> None:
    cached = cache_entry(catalog, ask.key)
    if cached.etag and ask.project and ask.outdated(current_of(catalog, ask)):
        cached.etag = ""  # recorded before djp kept what it keeps now: ask afresh
    headers = {"If-None-Match": cached.etag} if cached.etag else None
    failed = CacheEntry(etag=cached.etag, fetched=cached.fetched)
    try:
        reply = await http.get(ask.path, headers=headers, attempts=attempts)
    except ThrottledError as exc:  # about this client: the rest waits for another day
        report.stopped = report.stopped or str(exc)
        report.skipped += 1
        return
    except UnreachableError as exc:
        if not (report.fetched or report.not_modified or report.missing or report.errors):
            report.unreachable = str(exc)  # nothing ever answered: stop asking
            return
        report.errors.append(f"{ask.label}: {exc}")
        failed.error = str(exc)
        _remember(catalog, ask.key, failed)
        return
    except FetchError as exc:
        report.errors.append(f"{ask.label}: {exc}")
        failed.error = str(exc)
        _remember(catalog, ask.key, failed)
        return
    now = time.time()
    if reply.status == 304:
        report.not_modified += 1
        _remember(catalog, ask.key, CacheEntry(etag=cached.etag, fetched=now))
        return
    if reply.status == 404 and not ask.project:
        # a mirror that serves no release pages, or a release PyPI lost: unchecked, and
        # asked again next time (the project page says whether the release exists)
        error = f"{reply.url} answered 404: the release page is not served"
        report.errors.append(f"{ask.label}: {error}")
        failed.error = error
        _remember(catalog, ask.key, failed)
        return
    if reply.status == 404:
        report.missing += 1
        if ask.project:
            report.missing_names.add(ask.project)
        observed = ask.observe(None)
    elif reply.status == 200:
        try:
            document = _json.decode(reply.content)
            if not isinstance(document, dict):  # ``null``, a list...: not "not on PyPI"
                raise ValueError(f"a JSON {_JSON_KINDS.get(type(document), 'value')}")
            observed = ask.observe(document)
        except (msgspec.DecodeError, ValueError, RecursionError) as exc:
            report.errors.append(f"{ask.label}: {reply.url} is not a PyPI document ({exc})")
            _remember(catalog, ask.key, CacheEntry(fetched=cached.fetched, error=str(exc)))
            return
    else:
        error = f"{reply.url} answered {reply.describe()}"
        report.errors.append(f"{ask.label}: {error}")
        failed.error = error
        _remember(catalog, ask.key, failed)
        return
    report.fetched += 1
    etag = reply.headers.get("etag", "")[:200] if reply.status == 200 else ""
    if _record(catalog, ask, observed, CacheEntry(etag=etag, fetched=now)):
        report.changed += 1


async def read_ready_pages(
    catalog: Catalog, target: Target, name: str, django: str, config: PypiConfig, now
) -> PypiReport:
    """Read the release pages the search for a project's smallest release ready for Django
    ``django`` needs (``catalog.pypi.releases``), one a round, each when older than a day."""
    failed: set[str] = set()
    report = PypiReport()

    def needed(txn) -> str | None:
        tables = catalog.projection.tables(txn)
        entry = tables.pypi.get(target.raw)
        facts = entry.observed.facts if entry is not None else None
        if facts is None:
            return None
        try:
            smallest_ready(tables, name, facts, django, failed)
        except Needed as exc:
            return exc.version
        return None

    for _ in range(64):
        version = catalog.store.read(needed)
        if version is None or report.unreachable or report.stopped:
            return report
        ask = release_ask(target, name, version)
        if ask.key in stale(catalog, [ask.key], now):
            report.add(await ask_pypi(catalog, [ask], config))
        if not readable(current_of(catalog, ask)):
            failed.add(version)
    return report


def readable(observed: object) -> bool:
    """Whether a release's recorded page can be judged: read, with its metadata."""
    return isinstance(observed, ReleaseObserved) and observed.state == "ok" and observed.metadata


def current_of(catalog: Catalog, ask: Ask) -> object | None:
    return catalog.store.read(lambda txn: ask.current(catalog.projection.tables(txn)))


def _remember(catalog: Catalog, key: bytes, entry: CacheEntry) -> None:
    db = catalog.store.database(CACHE_DB)
    catalog.store.write(lambda txn: txn.put(key, msgspec.msgpack.encode(entry), db=db))


def _record(catalog: Catalog, ask: Ask, observed: object, entry: CacheEntry) -> bool:
    """Append ``observed`` when it differs from what is recorded, with the cache entry, in one
    transaction; True when it appended."""
    db = catalog.store.database(CACHE_DB)

    def body(tx: WriteTransaction) -> bool:
        tx.txn.put(ask.key, msgspec.msgpack.encode(entry), db=db)
        if ask.current(catalog.projection.tables(tx.txn)) == observed:
            return False
        tx.append_event(ask.stream, observed)
        return True

    return catalog.store.transaction(body)
