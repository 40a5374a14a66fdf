"""The docs say what the code does: links resolve, every setting and command is documented."""

from __future__ import annotations

import re
from pathlib import Path

from catalog.config import SETTINGS
from cli.main import COMMANDS

ROOT = Path(__file__).resolve().parent.parent
DOCS = [ROOT / "README.md", ROOT / "ARCHITECTURE.md", *sorted((ROOT / "docs").glob("*.md"))]


def test_every_relative_link_and_picture_resolves():
    missing = []
    for doc in DOCS:
        for target in re.findall(r"\]\(([^)#\s]+)(?:#[^)]*)?\)", doc.read_text()):
            if "://" not in target and not (doc.parent / target).exists():
                missing.append(f"{doc.relative_to(ROOT)}: {target}")
    assert missing == []


def test_every_setting_is_documented_with_its_variable():
    text = (ROOT / "docs" / "configuration.md").read_text()
    assert [s.variable for s in SETTINGS if f"`{s.variable}`" not in text] == []
    assert [s.name for s in SETTINGS if f"`{s.name}`" not in text] == []


def test_every_command_is_in_the_command_line_reference():
    text = (ROOT / "docs" / "command-line.md").read_text()
    assert [name for name in COMMANDS if f"djp {name}" not in text] == []


def test_the_readme_is_short_and_links_every_doc():
    readme = (ROOT / "README.md").read_text()
    assert len(readme.splitlines()) <= 120
    docs = {p.name for p in (ROOT / "docs").glob("*.md")}
    assert {d for d in docs if f"docs/{d}" not in readme} == set()
