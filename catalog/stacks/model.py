"""What a stack is made of: the dependencies a project declares, as read from its files
(``catalog.stacks.files``, ``catalog.stacks.requirements``), and the bounded reading of such a
file. A file that cannot be read raises ``StackFileError`` naming the file and the line."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from packaging.requirements import Requirement

from catalog.errors import UserError

MAX_FILE_BYTES = 5 * 2**20
MAX_INCLUDES = 50  # -r/-c files read from one top file (a loop is refused before this)


class StackFileError(UserError):
    """A dependency file that cannot be read; one line with the file and the line."""


@dataclass
class Dependency:
    name: str  # canonical (PEP 503)
    requirement: str  # as declared ("django-x[extra]>=1.2; python_version>'3.8'")
    pinned: str | None = None  # an exact version (== pin, a lock, a constraint's == pin)
    kind: str = "pypi"  # pypi, url, vcs, path, editable: only pypi ones are looked up
    source: str = ""  # file:line

    def as_dict(self) -> dict[str, Any]:
        return {
            "requirement": self.requirement,
            "pinned": self.pinned,
            "kind": self.kind,
            "source": self.source,
        }


@dataclass
class Stack:
    files: list[str] = field(default_factory=list)
    dependencies: dict[str, Dependency] = field(default_factory=dict)  # name -> dependency

    def add(self, dep: Dependency) -> None:
        """The first declaration of a name is kept; a later exact pin (a lock) fills in."""
        have = self.dependencies.get(dep.name)
        if have is None:
            self.dependencies[dep.name] = dep
        elif have.pinned is None and dep.pinned is not None:
            have.pinned = dep.pinned


def read_text(path: Path) -> str:
    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            raise StackFileError(f"{path}: {size:,} bytes, more than a dependency file holds")
        return path.read_text(encoding="utf-8-sig")  # a byte order mark is not text
    except UnicodeDecodeError as exc:
        raise StackFileError(f"{path}: not UTF-8 text ({exc.reason})") from None
    except OSError as exc:
        raise StackFileError(f"{path}: {exc.strerror or exc}") from None


def exact_pin(requirement: Requirement) -> str | None:
    """The version an ``==`` (or ``===``) pin names exactly, when it names one."""
    specs = list(requirement.specifier)
    if len(specs) == 1 and specs[0].operator in ("==", "===") and "*" not in specs[0].version:
        return specs[0].version
    return None


def first_line(exc: Exception) -> str:
    return str(exc).splitlines()[0] if str(exc) else type(exc).__name__
