"""A project's dependencies, read from the files that declare them.

- ``requirements*.txt`` (pip's format): one requirement a line, read with ``packaging``;
  comments, ``\\`` continuations, ``--hash`` and other per-line options, ``-r``/``-c`` includes
  (relative to the including file), ``-e`` and VCS/URL/path lines (kept, "not on PyPI");
- ``pyproject.toml`` (``tomllib``): ``[project] dependencies`` and ``optional-dependencies``,
  ``[dependency-groups]`` (with ``include-group``), Poetry's ``[tool.poetry.dependencies]``,
  its groups and ``dev-dependencies``;
- ``uv.lock`` (``tomllib``): every locked package at its exact version;
- ``pylock.toml`` (PEP 751, ``packaging.pylock``).

Pip's file format has no public parser (pip's own is internal), so the line handling is here;
each requirement is ``packaging``'s. A file that cannot be read raises ``StackFileError``
naming the file and the line; nothing is recorded then.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from packaging.pylock import Pylock, PylockUnsupportedVersionError, PylockValidationError
from packaging.requirements import InvalidRequirement, Requirement
from packaging.specifiers import InvalidSpecifier, SpecifierSet
from packaging.utils import (
    InvalidSdistFilename,
    InvalidWheelFilename,
    canonicalize_name,
    parse_sdist_filename,
    parse_wheel_filename,
)
from packaging.version import InvalidVersion, Version

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


def read_stack(paths: list[Path]) -> Stack:
    stack = Stack()
    for path in paths:
        read_file(path, stack)
    return stack


def read_file(path: Path, stack: Stack) -> None:
    name = path.name
    if name == "pyproject.toml":
        _pyproject(path, stack)
    elif name == "uv.lock":
        _uv_lock(path, stack)
    elif name == "pylock.toml" or (name.startswith("pylock.") and name.endswith(".toml")):
        _pylock(path, stack)
    elif path.suffix in (".txt", ".in") or "requirements" in name or "constraints" in name:
        _Requirements(stack).read(path)
    else:
        raise StackFileError(
            f"{path}: not a dependency file djp reads (requirements*.txt, pyproject.toml, "
            "uv.lock, pylock.toml)"
        )
    stack.files.append(str(path))


def _text(path: Path) -> str:
    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            raise StackFileError(f"{path}: {size:,} bytes, more than a dependency file holds")
        return path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise StackFileError(f"{path}: not UTF-8 text ({exc.reason})") from None
    except OSError as exc:
        raise StackFileError(f"{path}: {exc.strerror or exc}") from None


def _exact(requirement: Requirement) -> str | None:
    """The version an ``==`` (or ``===``) pin names exactly, when it names one."""
    specs = list(requirement.specifier)
    if len(specs) == 1 and specs[0].operator in ("==", "===") and "*" not in specs[0].version:
        return specs[0].version
    return None


# --- requirements files ------------------------------------------------------------------

_VCS = re.compile(r"^(git|hg|svn|bzr)\+", re.I)
_URL = re.compile(r"^[a-z][a-z0-9+.-]*://", re.I)
#: Options that take a value on the same line and do not name a dependency.
_VALUE_OPTIONS = (
    "-i", "--index-url", "--extra-index-url", "-f", "--find-links", "--trusted-host",
    "--only-binary", "--no-binary", "--prefer-binary", "--use-feature", "--progress-bar",
    "--config-settings", "--global-option", "--pre", "--no-index", "--require-hashes",
)  # fmt: skip


class _Requirements:
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
        self.included += 1
        if self.included > MAX_INCLUDES:
            raise StackFileError(f"{prefix}more than {MAX_INCLUDES} included files")
        try:
            text = _text(path)
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
            raise StackFileError(f"{where}: {_first_line(exc)}") from None
        name = canonicalize_name(requirement.name)
        if constraint:
            if (pinned := _exact(requirement)) is not None:
                self.constraints[name] = pinned
            return
        kind = "url" if requirement.url else "pypi"
        self.stack.add(Dependency(name, text, _exact(requirement), kind, where))

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


def _strip_options(line: str) -> str:
    """A requirement line without its per-requirement options (``--hash=...``)."""
    return re.split(r"\s+--?[a-z]", " " + line, maxsplit=1)[0].strip()


def _first_line(exc: Exception) -> str:
    return str(exc).splitlines()[0] if str(exc) else type(exc).__name__


# --- TOML files ----------------------------------------------------------------------------


def _toml(path: Path) -> dict:
    try:
        return tomllib.loads(_text(path))
    except tomllib.TOMLDecodeError as exc:
        # the line is an attribute from Python 3.14; before, it is only in the message
        match = re.search(r"\(at line (\d+), column \d+\)$", str(exc))
        line = getattr(exc, "lineno", None) or (match.group(1) if match else None)
        message = getattr(exc, "msg", None) or re.sub(r"\s*\(at line.*\)$", "", str(exc))
        where = f"{path}:{line}" if line else str(path)
        return _raise(f"{where}: not valid TOML ({message})")


def _raise(message: str):
    raise StackFileError(message)


def _line_of(path: Path, needle: str, *, whole: bool = False) -> str:
    """``path:N`` of the first line holding ``needle`` (or, ``whole``, being it): TOML values
    carry no line numbers."""
    for number, line in enumerate(_text(path).splitlines(), 1):
        if needle and (line.strip() == needle if whole else needle in line):
            return f"{path}:{number}"
    return str(path)


def _pep508(path: Path, stack: Stack, text: Any, group: str) -> None:
    if not isinstance(text, str):
        raise StackFileError(f"{_line_of(path, group)}: {group} holds {text!r}, not a requirement")
    try:
        requirement = Requirement(text)
    except InvalidRequirement as exc:
        raise StackFileError(f"{_line_of(path, text)}: {_first_line(exc)}") from None
    kind = "url" if requirement.url else "pypi"
    name = canonicalize_name(requirement.name)
    stack.add(Dependency(name, text, _exact(requirement), kind, _line_of(path, text)))


def _pyproject(path: Path, stack: Stack) -> None:
    data = _toml(path)
    project = data.get("project") or {}
    for text in project.get("dependencies") or []:
        _pep508(path, stack, text, "dependencies")
    for extra, items in (project.get("optional-dependencies") or {}).items():
        for text in items or []:
            _pep508(path, stack, text, extra)
    groups = data.get("dependency-groups") or {}

    def group_items(name: str, seen: tuple[str, ...]) -> None:
        if name in seen:
            raise StackFileError(f"{_line_of(path, name)}: dependency group {name} includes itself")
        if name not in groups:
            raise StackFileError(f"{_line_of(path, name)}: no dependency group {name!r}")
        for item in groups[name] or []:
            if isinstance(item, dict) and "include-group" in item:
                group_items(str(item["include-group"]), (*seen, name))
            else:
                _pep508(path, stack, item, name)

    for name in groups:
        group_items(name, ())
    poetry = (data.get("tool") or {}).get("poetry") or {}
    tables = [poetry.get("dependencies") or {}, poetry.get("dev-dependencies") or {}]
    tables += [(g or {}).get("dependencies") or {} for g in (poetry.get("group") or {}).values()]
    for table in tables:
        for name, spec in table.items():
            if name.lower() == "python":
                continue
            _poetry(path, stack, name, spec)


def _poetry(path: Path, stack: Stack, name: str, spec: Any) -> None:
    where = _line_of(path, name)
    canonical = canonicalize_name(name)
    if isinstance(spec, list):  # several constraints by marker: the first speaks for it
        spec = spec[0] if spec else "*"
    if isinstance(spec, dict):
        for kind in ("git", "path", "url"):
            if kind in spec:
                stack.add(
                    Dependency(canonical, f"{name} @ {spec[kind]}", None,
                               "vcs" if kind == "git" else kind, where)
                )  # fmt: skip
                return
        spec = spec.get("version", "*")
    if not isinstance(spec, str):
        raise StackFileError(f"{where}: {name} = {spec!r} is not a Poetry constraint")
    specifier = poetry_specifier(spec, where)
    requirement = f"{name}{specifier}" if specifier else name
    stack.add(Dependency(canonical, requirement, _exact(Requirement(requirement)), "pypi", where))


def poetry_specifier(spec: str, where: str = "") -> str:
    """A Poetry constraint (``^1.2``, ``~1.2.3``, ``1.2.*``, ``>=1,<2``, ``1.2.3``) as PEP 440."""
    parts = []
    for clause in re.split(r"\s*,\s*|\s+(?=[<>=!~^])", spec.strip()):
        clause = clause.strip()
        if clause in ("", "*"):
            continue
        if clause.startswith("^"):
            parts.append(_caret(clause[1:].strip(), where))
        elif clause.startswith("~") and not clause.startswith("~="):
            parts.append(_tilde(clause[1:].strip(), where))
        elif clause[0].isdigit():
            parts.append(f"=={clause}")
        elif clause.startswith("=") and not clause.startswith("=="):
            parts.append(f"={clause}")
        else:
            parts.append(clause)
    text = ",".join(parts)
    try:
        SpecifierSet(text)
    except InvalidSpecifier:
        raise StackFileError(f"{where}: {spec!r} is not a version constraint") from None
    return text


def _release(version: str, where: str) -> list[int]:
    try:
        return list(Version(version).release)
    except InvalidVersion:
        raise StackFileError(f"{where}: {version!r} is not a version") from None


def _caret(version: str, where: str) -> str:
    release = _release(version, where)
    first = next((i for i, n in enumerate(release) if n), len(release) - 1)
    upper = release[: first + 1]
    upper[-1] += 1
    return f">={version},<{'.'.join(map(str, upper))}"


def _tilde(version: str, where: str) -> str:
    release = _release(version, where)
    upper = release[:2] if len(release) > 1 else release[:1]
    upper[-1] += 1
    return f">={version},<{'.'.join(map(str, upper))}"


def _uv_lock(path: Path, stack: Stack) -> None:
    data = _toml(path)
    packages = data.get("package")
    if not isinstance(packages, list):
        raise StackFileError(f"{path}: no [[package]] tables: not a uv.lock")
    for package in packages:
        if not isinstance(package, dict) or "name" not in package:
            raise StackFileError(f"{_line_of(path, '[[package]]')}: a package without a name")
        source = package.get("source") or {}
        name = canonicalize_name(str(package["name"]))
        version = str(package.get("version") or "") or None
        where = _line_of(path, f'name = "{package["name"]}"', whole=True)
        if "virtual" in source or "editable" in source:
            continue  # the project itself (or a workspace member): not a dependency
        kind = "pypi"
        for key, value in (("git", "vcs"), ("path", "path"), ("directory", "path"), ("url", "url")):
            if key in source:
                kind = value
        text = f"{package['name']}=={version}" if version else str(package["name"])
        stack.add(Dependency(name, text, version if kind == "pypi" else None, kind, where))


def _pylock(path: Path, stack: Stack) -> None:
    data = _toml(path)
    try:
        lock = Pylock.from_dict(data)
    except (PylockValidationError, PylockUnsupportedVersionError) as exc:
        raise StackFileError(f"{path}: not a valid pylock file ({_first_line(exc)})") from None
    for package in lock.packages:
        name = canonicalize_name(str(package.name))
        version = str(package.version) if package.version is not None else None
        kind = (
            "vcs"
            if package.vcs
            else "path"
            if package.directory
            else "url"
            if package.archive
            else "pypi"
        )
        text = f"{package.name}=={version}" if version else str(package.name)
        where = _line_of(path, f'name = "{package.name}"', whole=True)
        stack.add(Dependency(name, text, version if kind == "pypi" else None, kind, where))
