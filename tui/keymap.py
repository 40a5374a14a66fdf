"""The config file's ``[keys]``: binding id -> keys, read and checked against the ids the
app's bindings have. What cannot be used is named in one line; the rest applies."""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import NamedTuple

from textual.binding import Binding
from textual.dom import DOMNode


class Keymap(NamedTuple):
    keys: dict[str, str]  # what applies
    problem: str | None = None  # one line: what does not, and why
    severity: str = "warning"  # "error" when nothing of the file applies


def binding_ids() -> set[str]:
    """The id of every binding of the app, its screens and widgets (Textual's own too),
    which ``[keys]`` may remap. Read when the keymap is: every module is imported by then."""
    ids: set[str] = set()
    classes, seen = [DOMNode], set()
    while classes:
        cls = classes.pop()
        if cls not in seen:
            seen.add(cls)
            classes.extend(cls.__subclasses__())
            ids.update(
                b.id for b in cls.__dict__.get("BINDINGS", ()) if isinstance(b, Binding) and b.id
            )
    return ids


def read_keymap(path: Path) -> Keymap:
    """The usable entries of ``[keys]`` in ``path`` (none when there is no such file)."""
    if not path.is_file():
        return Keymap({})
    try:
        keys = tomllib.loads(path.read_text()).get("keys", {})
    except (OSError, tomllib.TOMLDecodeError) as exc:
        return Keymap({}, f"{path}: {exc}; default keys in use", "error")
    if not isinstance(keys, dict):
        return Keymap({}, f"{path}: [keys] is not a table; default keys in use", "error")
    known = binding_ids()
    usable = {k: v for k, v in keys.items() if k in known and isinstance(v, str) and v.strip()}
    unknown = sorted(k for k in keys if k not in known)
    not_keys = sorted(k for k in keys if k in known and k not in usable)
    problems = []
    if unknown:
        problems.append(f"no binding has the id {', '.join(unknown)} (? shows the ids)")
    if not_keys:
        problems.append(f'{", ".join(not_keys)}: not a key (a string: "y", "ctrl+s")')
    if not problems:
        return Keymap(usable)
    return Keymap(usable, f"{path}: {'; '.join(problems)}; the other keys apply")
