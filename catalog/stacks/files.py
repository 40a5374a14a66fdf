"""A project's dependencies, read from the files that declare them.

- ``requirements*.txt`` (pip's format: ``catalog.stacks.requirements``);
- ``pyproject.toml`` (``tomllib``): ``[project] dependencies`` and ``optional-dependencies``,
  ``[dependency-groups]`` (with ``include-group``), Poetry's ``[tool.poetry.dependencies]``,
  its groups and ``dev-dependencies``;
- ``uv.lock`` (``tomllib``): every locked package at its exact version;
- ``pylock.toml`` (PEP 751, ``packaging.pylock``).

A file that cannot be read raises ``StackFileError`` naming the file and the line; nothing is
recorded then.
"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path
from typing import Any

from packaging.pylock import Pylock, PylockUnsupportedVersionError, PylockValidationError
from packaging.requirements import InvalidRequirement, Requirement
from packaging.specifiers import InvalidSpecifier, SpecifierSet
from packaging.utils import (
    canonicalize_name,
)
from packaging.version import InvalidVersion, Version

from catalog.stacks.model import (
    MAX_GROUP_DEPTH,
    Dependency,
    LineIndex,
    Stack,
    StackFileError,
    exact_pin,
    first_line,
    read_text,
)
from catalog.stacks.requirements import Requirements


def project_files(directory: Path) -> list[Path]:
    """The dependency files of a project directory, in the order they are read: what it
    declares (``pyproject.toml``, ``requirements*.txt``, ``requirements/*.txt``), then its
    lock (``pylock*.toml``, ``uv.lock``), whose exact versions fill in the pins."""
    if not directory.is_dir():
        raise StackFileError(f"{directory}: not a directory")
    found = [directory / "pyproject.toml"]
    found += sorted(directory.glob("requirements*.txt"))
    found += sorted((directory / "requirements").glob("*.txt"))
    found += [*sorted(directory.glob("pylock*.toml")), directory / "uv.lock"]
    files = [path for path in found if path.is_file()]
    if not files:
        raise StackFileError(
            f"{directory.resolve()}: no pyproject.toml, requirements*.txt, requirements/*.txt, "
            "pylock.toml or uv.lock here"
        )
    return files


#: Directories that hold a project's requirement files, not the project itself
#: (cookiecutter-django's ``requirements/local.txt``): the project is the one above.
REQUIREMENTS_DIRECTORIES = ("requirements", "reqs", "requirements.d")


def project_directory(paths: list[Path]) -> Path:
    """The project the files belong to: the first file's directory, or the one above it when
    that is a directory of requirement files (``requirements/``)."""
    base = paths[0].resolve().parent
    return base.parent if base.name in REQUIREMENTS_DIRECTORIES else base


def read_stack(paths: list[Path]) -> Stack:
    """The dependencies the files declare. Files and ``file:line`` sources are kept relative
    to the project directory (``project_directory``: ``requirements/local.txt:32``, not
    ``local.txt:32``), so reading the same files from elsewhere, or by another path, records
    no change."""
    stack = Stack()
    for path in paths:
        read_file(path, stack)
    if paths:
        base = project_directory(paths)
        stack.files = [_relative(name, base) for name in stack.files]
        for dep in stack.dependencies.values():
            name, colon, line = dep.source.rpartition(":")
            if colon and line.isdigit():
                dep.source = f"{_relative(name, base)}:{line}"
            elif dep.source:
                dep.source = _relative(dep.source, base)
    return stack


def _relative(name: str, base: Path) -> str:
    """A file's name relative to ``base`` when inside it, else its absolute path."""
    path = Path(name).resolve()
    return str(path.relative_to(base)) if path.is_relative_to(base) else str(path)


def read_file(path: Path, stack: Stack) -> None:
    name = path.name
    if name == "pyproject.toml":
        _pyproject(path, stack)
    elif name == "uv.lock":
        _uv_lock(path, stack)
    elif name == "pylock.toml" or (name.startswith("pylock.") and name.endswith(".toml")):
        _pylock(path, stack)
    elif path.suffix in (".txt", ".in") or "requirements" in name or "constraints" in name:
        Requirements(stack).read(path)
    else:
        raise StackFileError(
            f"{path}: not a dependency file djp reads (requirements*.txt, pyproject.toml, "
            "uv.lock, pylock.toml)"
        )
    stack.files.append(str(path))


# --- TOML files ----------------------------------------------------------------------------


def _toml(path: Path) -> tuple[dict, LineIndex]:
    """The file's TOML and where things stand in it."""
    text = read_text(path)
    try:
        return tomllib.loads(text), LineIndex(path, text)
    except tomllib.TOMLDecodeError as exc:
        # the line is an attribute from Python 3.14; before, it is only in the message
        match = re.search(r"\(at line (\d+), column \d+\)$", str(exc))
        line = getattr(exc, "lineno", None) or (match.group(1) if match else None)
        message = getattr(exc, "msg", None) or re.sub(r"\s*\(at line.*\)$", "", str(exc))
        where = f"{path}:{line}" if line else str(path)
        return _raise(f"{where}: not valid TOML ({message})")


def _raise(message: str):
    raise StackFileError(message)


def _pep508(lines: LineIndex, stack: Stack, text: Any, group: str) -> None:
    if not isinstance(text, str):
        raise StackFileError(
            f"{lines.where(group)}: {group} holds {str(text)[:80]!r}, not a requirement"
        )
    try:
        requirement = Requirement(text)
    except InvalidRequirement as exc:
        raise StackFileError(f"{lines.where(text)}: {first_line(exc)}") from None
    kind = "url" if requirement.url else "pypi"
    name = canonicalize_name(requirement.name)
    stack.add(Dependency(name, text, exact_pin(requirement), kind, lines.where(text)))


def _pyproject(path: Path, stack: Stack) -> None:
    data, lines = _toml(path)
    project = data.get("project") or {}
    if isinstance(project.get("requires-python"), str) and stack.python is None:
        stack.python = project["requires-python"][:200]
    for text in project.get("dependencies") or []:
        _pep508(lines, stack, text, "dependencies")
    for extra, items in (project.get("optional-dependencies") or {}).items():
        for text in items or []:
            _pep508(lines, stack, text, extra)
    groups = data.get("dependency-groups") or {}
    for group, item in _group_items(groups, lines):
        _pep508(lines, stack, item, group)
    poetry = (data.get("tool") or {}).get("poetry") or {}
    tables = [poetry.get("dependencies") or {}, poetry.get("dev-dependencies") or {}]
    tables += [(g or {}).get("dependencies") or {} for g in (poetry.get("group") or {}).values()]
    for table in tables:
        for name, spec in table.items():
            if name.lower() == "python":
                if isinstance(spec, str) and stack.python is None:
                    stack.python = poetry_specifier(spec, lines.where(name))[:200]
                continue
            _poetry(lines, stack, name, spec)


def _group_items(groups: dict, lines: LineIndex) -> list[tuple[str, Any]]:
    """(group, requirement) of every item of every group, each group read once (an include
    chain is not read again for each path to it: 25 groups including each other took 36 s);
    a cycle, a missing group or a chain deeper than ``MAX_GROUP_DEPTH`` is refused in one
    line. Iterative: no depth reaches Python's stack."""
    out: list[tuple[str, Any]] = []
    done: set[str] = set()
    path: list[str] = []  # the chain of includes being read
    # (group, entering); (group, False) leaves it
    work: list[tuple[str, bool]] = [(str(name), True) for name in reversed(list(groups))]
    while work:
        name, entering = work.pop()
        if not entering:
            path.pop()
            done.add(name)
            continue
        if name in path:
            raise StackFileError(
                f"{lines.where(name)}: dependency group {name} includes itself "
                f"({' -> '.join([*path[path.index(name) :], name])[:200]})"
            )
        if name in done:
            continue
        if name not in groups:
            raise StackFileError(f"{lines.where(name)}: no dependency group {name[:100]!r}")
        if len(path) >= MAX_GROUP_DEPTH:
            raise StackFileError(
                f"{lines.where(name)}: dependency groups include each other more than "
                f"{MAX_GROUP_DEPTH} deep"
            )
        path.append(name)
        work.append((name, False))
        includes = []
        for item in groups[name] or []:
            if isinstance(item, dict) and "include-group" in item:
                includes.append(str(item["include-group"]))
            else:
                out.append((name, item))
        work += [(include, True) for include in reversed(includes)]
    return out


def _poetry(lines: LineIndex, stack: Stack, name: str, spec: Any) -> None:
    where = lines.where(name)
    canonical = canonicalize_name(name)
    if isinstance(spec, list):  # several constraints by marker: the first speaks for it
        spec = spec[0] if spec else "*"
    extras = ""
    if isinstance(spec, dict):
        for kind in ("git", "path", "url"):
            if kind in spec:
                stack.add(
                    Dependency(canonical, f"{name} @ {spec[kind]}", None,
                               "vcs" if kind == "git" else kind, where)
                )  # fmt: skip
                return
        wanted = spec.get("extras") or []
        if isinstance(wanted, list) and all(isinstance(e, str) for e in wanted) and wanted:
            extras = f"[{','.join(wanted)}]"
        spec = spec.get("version", "*")
    if not isinstance(spec, str):
        raise StackFileError(f"{where}: {name} = {spec!r} is not a Poetry constraint")
    specifier = poetry_specifier(spec, where)
    requirement = f"{name}{extras}{specifier}"
    try:
        parsed = Requirement(requirement)
    except InvalidRequirement as exc:
        raise StackFileError(f"{where}: {name}: {first_line(exc)}") from None
    stack.add(Dependency(canonical, requirement, exact_pin(parsed), "pypi", where))


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
    data, lines = _toml(path)
    packages = data.get("package")
    if not isinstance(packages, list):
        raise StackFileError(f"{path}: no [[package]] tables: not a uv.lock")
    for package in packages:
        if not isinstance(package, dict) or "name" not in package:
            raise StackFileError(
                f"{lines.where('[[package]]', whole=True)}: a package without a name"
            )
        source = package.get("source") or {}
        name = canonicalize_name(str(package["name"]))
        version = str(package.get("version") or "") or None
        where = lines.where(f'name = "{package["name"]}"', whole=True)
        if "virtual" in source or "editable" in source:
            continue  # the project itself (or a workspace member): not a dependency
        kind = "pypi"
        for key, value in (("git", "vcs"), ("path", "path"), ("directory", "path"), ("url", "url")):
            if key in source:
                kind = value
        text = f"{package['name']}=={version}" if version else str(package["name"])
        stack.add(Dependency(name, text, version if kind == "pypi" else None, kind, where))


def _pylock(path: Path, stack: Stack) -> None:
    data, lines = _toml(path)
    try:
        lock = Pylock.from_dict(data)
    except (PylockValidationError, PylockUnsupportedVersionError) as exc:
        raise StackFileError(f"{path}: not a valid pylock file ({first_line(exc)})") from None
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
        where = lines.where(f'name = "{package.name}"', whole=True)
        stack.add(Dependency(name, text, version if kind == "pypi" else None, kind, where))
