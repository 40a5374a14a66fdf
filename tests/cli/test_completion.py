"""Shell completion: what click's bash protocol answers for the values a command names
(packages, grids, stacks, Django releases), read from the store the command line names."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

from catalog.catalog import Catalog
from catalog.edits import commands as edits
from catalog.stacks.files import read_stack
from catalog.stacks.record import record_stack
from cli.main import djp

STACKS = Path(__file__).resolve().parents[1] / "support" / "fixtures" / "stacks"


def complete(*words: str, env: dict[str, str] | None = None) -> list[str]:
    """The candidates for the last of ``words`` (``djp`` first), as bash would get them."""
    result = CliRunner().invoke(
        djp,
        [],
        prog_name="djp",
        env={
            "_DJP_COMPLETE": "bash_complete",
            "COMP_WORDS": " ".join(words),
            "COMP_CWORD": str(len(words) - 1),
            **(env or {}),
        },
        catch_exceptions=False,
    )
    assert result.exit_code == 0, result.output
    return [line.partition(",")[2] for line in result.output.splitlines() if line]


def test_package_slugs_from_the_store(snapshot_store):
    store = str(snapshot_store)
    assert complete("djp", "--store", store, "show", "django-me") == ["django-messages"]
    got = complete("djp", "--store", store, "compare", "django-messages", "django-m")
    assert got == ["django-mbtiles", "django-messages", "django-mongoengine-filter",
                   "django-mptt-comments"]  # fmt: skip
    assert complete("djp", "--store", store, "edit", "arec") == ["arecibo"]
    # $DJP_STORE names the store as --store does
    assert complete("djp", "show", "arec", env={"DJP_STORE": store}) == ["arecibo"]


def test_grids_yours_too_until_deleted(snapshot_store):
    store = str(snapshot_store)
    with Catalog.open(snapshot_store) as catalog:
        edits.create_local_grid(catalog, "hea-mine", "Mine")
    assert complete("djp", "--store", store, "grid", "hea") == ["hea-mine", "healt-checkers"]
    assert complete("djp", "--store", store, "history", "--grid", "hea-") == ["hea-mine"]
    assert complete("djp", "--store", store, "history", "hea") == []  # packages, without --grid
    assert complete("djp", "--store", store, "grid-edit", "add", "hea-mine", "arec") == ["arecibo"]
    with Catalog.open(snapshot_store) as catalog:
        edits.delete_local_grid(catalog, "hea-mine", None)
    assert complete("djp", "--store", store, "packages", "--grid", "hea") == ["healt-checkers"]


def test_stacks_and_django_releases(snapshot_store):
    with Catalog.open(snapshot_store) as catalog:
        record_stack(catalog, "mysite", read_stack([STACKS / "reqs" / "requirements.txt"]), None)
    store = str(snapshot_store)
    assert complete("djp", "--store", store, "stack", "--forget", "my") == ["mysite"]
    assert complete("djp", "readiness", "--django", "4.") == ["4.0", "4.1", "4.2"]


def test_no_store_or_a_broken_one_completes_nothing_and_creates_nothing(tmp_path):
    missing = tmp_path / "none"
    assert complete("djp", "--store", str(missing), "show", "dj") == []
    assert not missing.exists()
    broken = tmp_path / "broken"
    broken.mkdir()
    (broken / "data.mdb").write_bytes(b"not lmdb at all" * 100)
    assert complete("djp", "--store", str(broken), "show", "dj") == []
