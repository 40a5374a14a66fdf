"""djp's application layer, in rooms by role (upstream, pypi, read, edits, stacks, present;
ARCHITECTURE.md draws them). Never imports textual, click or the UI packages.
"""

#: djp's version; pyproject.toml reads it from here (``[tool.hatch.version]``): looking it
#: up in the installed metadata cost every command ~20 ms.
VERSION = "0.1.0"
