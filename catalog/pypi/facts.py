"""What djp records of a PyPI JSON document: the facts the readiness rules read
(``PypiFacts``), its advisories grouped by alias, every value bounded in size."""

from __future__ import annotations

from datetime import UTC, datetime

from eventstore import Advisory, PypiFacts

#: Releases kept of a project: every one it has published (boto3 has over 2,000); only a
#: hostile document passes this, and what it leaves out is counted (``releases_left_out``).
RELEASES_KEPT = 50_000
ADVISORIES_KEPT = 1000  # a release's; a flood of them (20,000 in one answer) is cut here


# --- facts from a response ------------------------------------------------------------------


def aware(when: datetime | None) -> datetime | None:
    """``when`` with an offset: a time without one is UTC (PyPI's ``upload_time`` is). Facts
    recorded before djp checked this may hold such times; readers pass them through here."""
    return when.replace(tzinfo=UTC) if when is not None and when.tzinfo is None else when


def upload_time(text: object) -> datetime | None:
    """An upload time as UTC: None when it is not an ISO 8601 time, or is one that UTC
    cannot hold (``9999-12-31T23:59:59-12:00`` is in the year 10000)."""
    if not isinstance(text, str) or len(text) > 64:
        return None
    try:
        return aware(datetime.fromisoformat(text.replace("Z", "+00:00"))).astimezone(UTC)
    except (ValueError, OverflowError):
        return None


def _uploaded(files: object) -> datetime | None:
    """The earliest upload time of a release's files."""
    times = []
    if isinstance(files, list):
        for f in files:
            when = upload_time(f.get("upload_time_iso_8601") if isinstance(f, dict) else None)
            if when is not None:
                times.append(when)
    return min(times) if times else None


def clip_text(value: object, limit: int = 500) -> str:
    return value[:limit] if isinstance(value, str) else ""


def _strings(value: object, limit: int = 500) -> list[str]:
    return [v[:500] for v in value[:limit] if isinstance(v, str)] if isinstance(value, list) else []


def advisories(vulnerabilities: object) -> tuple[list[Advisory], int]:
    """Advisories of a release: withdrawn ones dropped, one per alias group, at most
    ``ADVISORIES_KEPT``; and how many more there were."""
    out: list[Advisory] = []
    seen: set[str] = set()
    left_out = 0
    for item in vulnerabilities if isinstance(vulnerabilities, list) else []:
        if not isinstance(item, dict) or item.get("withdrawn") or not item.get("id"):
            continue
        ids = {str(item["id"]), *(_strings(item.get("aliases")))}
        if ids & seen:
            continue
        seen |= ids
        if len(out) >= ADVISORIES_KEPT:
            left_out += 1
            continue
        out.append(
            Advisory(
                id=str(item["id"])[:100],
                aliases=sorted(ids - {str(item["id"])})[:20],
                fixed_in=_strings(item.get("fixed_in"), 50),
                summary=clip_text(item.get("summary") or item.get("details"), 300),
            )
        )
    return out, left_out


def facts_from_json(document: object, name: str) -> PypiFacts:
    """The facts djp records from a ``/pypi/NAME/json`` document (raises ``ValueError`` when
    it is not one)."""
    if not isinstance(document, dict) or not isinstance(document.get("info"), dict):
        raise ValueError("not a PyPI project document (no info)")
    info = document["info"]
    releases = document.get("releases") if isinstance(document.get("releases"), dict) else {}
    dated = {v[:100]: t for v, files in releases.items() if (t := _uploaded(files))}
    ordered = sorted(dated.items(), key=lambda kv: kv[1])
    newest = ordered[-RELEASES_KEPT:]
    license_text = info.get("license") if isinstance(info.get("license"), str) else ""
    kept, left_out = advisories(document.get("vulnerabilities"))
    return PypiFacts(
        name=name,
        latest=clip_text(info.get("version"), 100),
        released=_uploaded(document.get("urls")),
        releases=dict(newest),
        releases_left_out=len(ordered) - len(newest),
        releases_complete=True,
        license_expression=clip_text(info.get("license_expression"), 200),
        license=license_text[:200],
        license_is_long=len(license_text) > 200 or "\n" in license_text.strip(),
        classifiers=_strings(info.get("classifiers"), 1000),
        requires_dist=_strings(info.get("requires_dist"), 1000),
        requires_python=clip_text(info.get("requires_python"), 200),
        yanked=bool(info.get("yanked")),
        yanked_reason=clip_text(info.get("yanked_reason"), 300),
        vulnerabilities=kept,
        vulnerabilities_left_out=left_out,
        yanked_versions=_yanked_versions(releases),
    )


#: The classifiers the readiness rules read (a release event keeps only these).
READINESS_CLASSIFIERS = ("Framework :: Django", "Programming Language :: Python")


def release_metadata(info: dict) -> dict:
    """The fields of a ``ReleaseObserved`` that the readiness rules read, from the ``info`` of
    a ``/pypi/NAME/VERSION/json`` document (that release's own metadata)."""
    classifiers = _strings(info.get("classifiers"), 1000)
    return {
        "metadata": True,
        "classifiers": [c for c in classifiers if c.startswith(READINESS_CLASSIFIERS)],
        "requires_dist": _strings(info.get("requires_dist"), 1000),
        "requires_python": clip_text(info.get("requires_python"), 200),
    }


def _yanked_versions(releases: dict) -> dict[str, str]:
    """Releases whose every file is yanked -> the reason (up to ``RELEASES_KEPT``)."""
    out: dict[str, str] = {}
    for version, files in releases.items():
        if (
            isinstance(files, list)
            and files
            and all(isinstance(f, dict) and f.get("yanked") for f in files)
        ):
            out[str(version)[:100]] = clip_text(files[0].get("yanked_reason"), 300)
            if len(out) >= RELEASES_KEPT:
                break
    return out
