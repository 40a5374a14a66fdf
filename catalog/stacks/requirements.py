"""``requirements*.txt`` (pip's format): one requirement a line, read with ``packaging``;
comments, ``\\`` continuations, ``--hash`` and other per-line options, ``-r``/``-c`` includes
(relative to the including file), ``-e`` and VCS/URL/path lines (kept, "not from PyPI").

Pip's file format has no public parser (pip's own is internal), so the line handling is here;
each requirement is ``packaging``'s."""

from __future__ import annotations

import re
from pathlib import Path

from packaging.requirements import InvalidRequirement, Requirement
from packaging.utils import (
    InvalidSdistFilename,
    InvalidWheelFilename,
    canonicalize_name,
    parse_sdist_filename,
    parse_wheel_filename,
)

from catalog.stacks.model import (
    MAX_INCLUDES,
    Dependency,
    Stack,
    StackFileError,
    exact_pin,
    first_line,
    read_text,
)

# --- reading one file and its includes ---------------------------------------------------

_VCS = re.compile(r"^(git|hg|svn|bzr)\+", re.I)
_URL = re.compile(r"^[a-z][a-z0-9+.-]*://", re.I)
#: Options that take a value on the same line and do not name a dependency.
_VALUE_OPTIONS = (
    "-i", "--index-url", "--extra-index-url", "-f", "--find-links", "--trusted-host",
    "--only-binary", "--no-binary", "--prefer-binary", "--use-feature", "--progress-bar",
    "--config-settings", "--global-option", "--pre", "--no-index", "--require-hashes",
)  # fmt: skip


class Requirements:
    def __init__(self, stack: Stack) -> None:
        self.stack = stack
        self.reading: list[Path] = []
        self.included = 0
        self.constraints: dict[str, str] = {}  # name -> exact version from -c files

    def read(self, path: Path, constraint: bool = False, where: str = "") -> None:
        """Read ``path`` (included by the line ``where``, which errors about the file itself
        name first)."""
        prefix = f"{where}: " if where else ""
        resolved = path.resolve()
        if resolved in self.reading:
            raise StackFileError(f"{prefix}{path} includes itself (through -r or -c)")
        if where:  # an included file (the top one is not counted)
            self.included += 1
            if self.included > MAX_INCLUDES:
                raise StackFileError(f"{prefix}more than {MAX_INCLUDES} included files")
        try:
            text = read_text(path)
        except StackFileError as exc:
            raise StackFileError(f"{prefix}{exc}") from None
        self.reading.append(resolved)
        try:
            for number, line in _logical_lines(text):
                self._line(path, number, line, constraint)
        finally:
            self.reading.pop()
        if not self.reading:  # the top file is done: constraints pin what they name
            for name, version in self.constraints.items():
                dep = self.stack.dependencies.get(name)
                if dep is not None and dep.pinned is None:
                    dep.pinned = version

    def _line(self, path: Path, number: int, line: str, constraint: bool) -> None:
        where = f"{path}:{number}"
        words = line.split()
        first = words[0]
        for option, is_constraint in (
            ("-r", False), ("--requirement", False), ("-c", True), ("--constraint", True),
        ):  # fmt: skip
            value = _option_value(words, option)
            if value is not None:
                if not value:
                    raise StackFileError(f"{where}: {option} names no file")
                if "://" in value:
                    raise StackFileError(
                        f"{where}: {option} {value}: djp reads no file from the network;"
                        " download it and name that file"
                    )
                self.read((path.parent / value), constraint or is_constraint, where)
                return
        editable = _option_value(words, "-e")
        if editable is None:
            editable = _option_value(words, "--editable")
        if editable is not None:
            self._unlisted(editable, "editable", where)
            return
        if first.startswith("-"):
            if first.split("=")[0] in _VALUE_OPTIONS:
                return
            raise StackFileError(f"{where}: unknown option {first.split('=')[0]}")
        text = _strip_options(line)
        if _VCS.match(text) or (_URL.match(text) and " @ " not in text):
            self._unlisted(text, "vcs" if _VCS.match(text) else "url", where)
            return
        archive = text.endswith((".whl", ".tar.gz", ".zip")) and " @ " not in text
        if text.startswith((".", "/", "~")) or archive:
            self._unlisted(text, "path", where)
            return
        try:
            requirement = Requirement(text)
        except InvalidRequirement as exc:
            raise StackFileError(f"{where}: {first_line(exc)}") from None
        name = canonicalize_name(requirement.name)
        if constraint:
            if (pinned := exact_pin(requirement)) is not None:
                self.constraints[name] = pinned
            return
        kind = "url" if requirement.url else "pypi"
        self.stack.add(Dependency(name, text, exact_pin(requirement), kind, where))

    def _unlisted(self, text: str, kind: str, where: str) -> None:
        """A dependency that is not from PyPI: listed under the name it gives, if any."""
        match = re.search(r"#egg=([A-Za-z0-9._-]+)", text)
        if match:
            name = canonicalize_name(match.group(1))
        else:
            stem = text.rstrip("/").split("/")[-1].split("@")[0].split("#")[0]
            name = _archive_name(stem) or canonicalize_name(re.sub(r"(\.git|\.zip)$", "", stem))
        self.stack.add(Dependency(name or text, text, None, kind, where))


def _archive_name(filename: str) -> str | None:
    """The project a wheel or sdist file name names (``pkg-1.0.tar.gz``: ``pkg``)."""
    try:
        if filename.endswith(".whl"):
            return parse_wheel_filename(filename)[0]
        if filename.endswith((".tar.gz", ".zip")):
            return parse_sdist_filename(filename)[0]
    except (InvalidWheelFilename, InvalidSdistFilename):
        pass
    return None


def _logical_lines(text: str):
    """(first line number, text) of each logical line: continuations joined, comments and
    blank lines dropped."""
    pending, start = "", 0
    for number, raw in enumerate(text.splitlines(), 1):
        line = raw
        if not pending:
            start = number
        if line.endswith("\\"):
            pending += line[:-1] + " "
            continue
        line = pending + line
        pending = ""
        line = re.sub(r"(^|\s)#.*$", "", line).strip()
        if line:
            yield start, line
    if pending.strip():
        line = re.sub(r"(^|\s)#.*$", "", pending).strip()
        if line:
            yield start, line


def _option_value(words: list[str], option: str) -> str | None:
    """``-r file`` / ``-rfile`` / ``--requirement=file`` -> ``file``; None when not that
    option."""
    first = words[0]
    if first == option:
        return words[1] if len(words) > 1 else ""
    if option.startswith("--") and first.startswith(option + "="):
        return first[len(option) + 1 :]
    if not option.startswith("--") and first.startswith(option) and len(first) > len(option):
        return first[len(option) :]
    return None


#: Where a line's per-requirement options start: one blank, then ``-x`` or ``--x``. A fixed
#: width at each position: linear in the line (``\s+`` here backtracked: 21 s for 80 KB).
_OPTION = re.compile(r"\s--?[a-z]")


def _strip_options(line: str) -> str:
    """A requirement line without its per-requirement options (``--hash=...``)."""
    match = _OPTION.search(" " + line)
    return (line[: match.start() - 1] if match else line).strip()
