"""What an event or an edit is about: a package, a grid, a category or one of your grids.

Streams in the log and keys in the projection tables are the text form of a ``Target``
(``package:3324``, ``grid:222``, ``category:1``, ``localgrid:mine``, ``stack:myproject``,
``pypi:requests``). This module is the one
place that builds or reads that form; everything else holds a ``Target``.
"""

from __future__ import annotations

from dataclasses import dataclass

KINDS = ("package", "grid", "category", "localgrid", "stack", "pypi")
UPSTREAM_KINDS = ("package", "grid", "category")  # those with an upstream id


@dataclass(frozen=True, slots=True)
class Target:
    kind: str  # one of KINDS
    ident: str  # the upstream id as text, or a local grid's slug

    @classmethod
    def package(cls, ident: int | str) -> Target:
        return cls("package", str(ident))

    @classmethod
    def grid(cls, ident: int | str) -> Target:
        return cls("grid", str(ident))

    @classmethod
    def local_grid(cls, slug: str) -> Target:
        return cls("localgrid", slug)

    @classmethod
    def parse(cls, key: str | bytes) -> Target:
        """``"package:3324"`` -> ``Target("package", "3324")``; refuses anything else."""
        text = key.decode() if isinstance(key, bytes) else key
        kind, sep, ident = text.partition(":")
        if not sep or kind not in KINDS or not ident:
            raise ValueError(f"{text!r} is not a target (kind:id)")
        return cls(kind, ident)

    @property
    def key(self) -> str:
        return f"{self.kind}:{self.ident}"

    @property
    def raw(self) -> bytes:
        return self.key.encode()

    @classmethod
    def stack(cls, name: str) -> Target:
        """One of your stacks (a project's dependencies, ``catalog.stacks.judge``)."""
        return cls("stack", name)

    @classmethod
    def pypi(cls, name: str) -> Target:
        """A PyPI project that is no package of the catalogue (a stack's dependency)."""
        return cls("pypi", name)

    @property
    def id(self) -> int | None:
        """The upstream id (None for your own grids and stacks, and PyPI projects)."""
        return int(self.ident) if self.kind in UPSTREAM_KINDS else None

    @property
    def is_grid(self) -> bool:
        return self.kind in ("grid", "localgrid")

    def __str__(self) -> str:
        return self.key


#: The key prefix of each kind, for scanning a table by kind (``PREFIX["package"]``).
PREFIX: dict[str, bytes] = {kind: f"{kind}:".encode() for kind in KINDS}
#: The same, as text, for stream names.
STREAM_PREFIX: dict[str, str] = {kind: f"{kind}:" for kind in KINDS}


def key_of(resource: str, ident: int | str) -> str:
    """The stream name of an upstream record; hot paths call this instead of a Target."""
    return f"{resource}:{ident}"


def raw_key(resource: str, ident: int | str) -> bytes:
    return f"{resource}:{ident}".encode()
