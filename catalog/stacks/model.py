"""What a stack is made of: the dependencies a project declares, as read from its files
(``catalog.stacks.files``, ``catalog.stacks.requirements``), and the bounded reading of such a
file. A file that cannot be read raises ``StackFileError`` naming the file and the line."""

from __future__ import annotations

import bisect
import codecs
import os
import re
import stat
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from packaging.requirements import Requirement

from catalog.errors import UserError

MAX_FILE_BYTES = 5 * 2**20
MAX_INCLUDES = 50  # -r/-c files read from one top file (a loop is refused before this)
MAX_GROUP_DEPTH = 50  # [dependency-groups] include-group chains
MAX_REQUIREMENT = 10_000  # characters of one requirement, its options left out
MAX_NAME = 200  # characters of a project's name

#: The user and password of a URL (``https://user:token@host/``): never stored or shown.
_CREDENTIALS = re.compile(r"(?<=://)([^/@\s:]*)(:[^/@\s]*)?@")


def redact(text: str) -> str:
    """``text`` with the credentials of every URL in it hidden as pip hides them: a password
    becomes ``***``, and a user alone (it may be a token) too."""
    if "@" not in text:
        return text
    return _CREDENTIALS.sub(lambda m: f"{m[1]}:***@" if m[2] is not None else "***@", text)


class StackFileError(UserError):
    """A dependency file that cannot be read; one line with the file and the line (and no
    credentials a URL of it held)."""

    def __init__(self, message: str) -> None:
        super().__init__(redact(message))


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
    python: str | None = None  # the Python the project requires (``requires-python``)

    def add(self, dep: Dependency) -> None:
        """The first declaration of a name is kept; a later exact pin (a lock) fills in.
        Credentials in a URL are replaced by ``***`` before anything is kept."""
        if len(dep.requirement) > MAX_REQUIREMENT or len(dep.name) > MAX_NAME:
            raise StackFileError(
                f"{dep.source or 'a dependency'}: a requirement of {len(dep.requirement):,} "
                f"characters; djp reads up to {MAX_REQUIREMENT:,} (names up to {MAX_NAME})"
            )
        dep.requirement, dep.name = redact(dep.requirement), redact(dep.name)
        have = self.dependencies.get(dep.name)
        if have is None:
            self.dependencies[dep.name] = dep
        elif have.pinned is None and dep.pinned is not None:
            have.pinned = dep.pinned


def read_text(path: Path) -> str:
    """A dependency file's text: a regular file only (not a device, a FIFO or a socket), of
    at most ``MAX_FILE_BYTES``, counted while reading (a file can grow under us)."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK)  # a FIFO must not block the open
        with os.fdopen(fd, "rb") as file:
            if not stat.S_ISREG(os.fstat(fd).st_mode):
                raise StackFileError(f"{path}: not a regular file; djp reads only files")
            data = file.read(MAX_FILE_BYTES + 1)
    except OSError as exc:
        raise StackFileError(f"{path}: {exc.strerror or exc}") from None
    if len(data) > MAX_FILE_BYTES:
        raise StackFileError(
            f"{path}: more than {MAX_FILE_BYTES // 2**20} MB, more than a dependency file holds"
        )
    return decode(path, data)


def decode(path: Path, data: bytes) -> str:
    """Text as pip reads it: a byte order mark decides (UTF-8, UTF-16, UTF-32), else UTF-8;
    what cannot be decoded names its line."""
    encoding = "utf-8"
    for bom, name in (
        (codecs.BOM_UTF32_LE, "utf-32"), (codecs.BOM_UTF32_BE, "utf-32"),
        (codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16"),
        (codecs.BOM_UTF16_BE, "utf-16"),
    ):  # fmt: skip
        if data.startswith(bom):
            encoding = name
            break
    try:
        return data.decode(encoding)
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1 if encoding.startswith("utf-8") else None
        where = f"{path}:{line}" if line else str(path)
        raise StackFileError(f"{where}: not {encoding.upper()} text ({exc.reason})") from None


class LineIndex:
    """Where things stand in a file's text, found without scanning it again for each (TOML
    values carry no line numbers): a quoted string, a ``key =`` or a whole line -> the first
    line that holds it."""

    _QUOTED = re.compile(r'"((?:[^"\\\n]|\\.)*)"|\'([^\'\n]*)\'')
    _KEY = re.compile(r"^\s*([A-Za-z0-9_.-]+)\s*=", re.M)

    def __init__(self, path: Path, text: str) -> None:
        self.path, self.text = path, text
        self.starts = [0] + [m.end() for m in re.finditer("\n", text)]
        self.whole: dict[str, int] = {}
        self.quoted: dict[str, int] = {}
        self.keys: dict[str, int] = {}
        for number, line in enumerate(text.splitlines(), 1):
            self.whole.setdefault(line.strip(), number)
        for match in self._QUOTED.finditer(text):
            value = match.group(1) if match.group(1) is not None else match.group(2)
            self.quoted.setdefault(value, self.number_at(match.start()))
        for match in self._KEY.finditer(text):
            self.keys.setdefault(match.group(1), self.number_at(match.start(1)))

    def number_at(self, offset: int) -> int:
        return bisect.bisect_right(self.starts, offset)

    def where(self, needle: str, *, whole: bool = False) -> str:
        """``path:N`` of the first line holding ``needle`` (or, ``whole``, being it)."""
        if whole:
            number = self.whole.get(needle)
        else:
            number = self.quoted.get(needle) or self.keys.get(needle)
            if number is None and needle:
                offset = self.text.find(needle)
                number = self.number_at(offset) if offset >= 0 else None
        return f"{self.path}:{number}" if number else str(self.path)


def exact_pin(requirement: Requirement) -> str | None:
    """The version an ``==`` (or ``===``) pin names exactly, when it names one."""
    specs = list(requirement.specifier)
    if len(specs) == 1 and specs[0].operator in ("==", "===") and "*" not in specs[0].version:
        return specs[0].version
    return None


def first_line(exc: Exception) -> str:
    return str(exc).splitlines()[0] if str(exc) else type(exc).__name__
