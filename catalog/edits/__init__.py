"""Writing: validated edit, undo and redo commands, and edit files."""
