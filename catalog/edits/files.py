"""Moving your local edits between stores: export to, and import from, JSON lines files.

Each exported line keeps the event's id, so importing the same file twice appends nothing.
"""

from __future__ import annotations

import os
import stat
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any, Literal

import msgspec

from catalog.catalog import Catalog
from catalog.edits.validation import SLUG, EditError, check_note, field_changes, fields_for
from catalog.errors import UserError
from catalog.read.lookup import QueryError, find_grid, find_package
from eventstore import Edited, Redone, Undone, WriteTransaction
from projections.fold import EDIT_LOG, EditLog, Tables, fold
from projections.targets import Target
from projections.view import LOCAL_PACKAGE_FIELDS, find_target, view_values


class ExportedEdit(msgspec.Struct, kw_only=True):
    id: str
    seq: int
    type: str
    recorded_at: datetime
    target: str
    target_slug: str | None
    data: dict[str, Any]


def export_edits(catalog: Catalog, path: Path) -> int:
    """Write every local edit event (edits, undos, redos) as JSON lines; returns how many.

    The file is written under a temporary name and renamed when whole: a full disk leaves
    no half-written (or empty) file behind."""
    path = writable_destination(path)
    tables = catalog.tables()
    encoder = msgspec.json.Encoder()
    partial = path.with_name(f".{path.name}.partial-{os.getpid()}")
    try:
        count = _write_edits(catalog, tables, partial, encoder)
        os.replace(partial, path)
    except OSError as exc:  # say it of the file the user named, not of the temporary one
        partial.unlink(missing_ok=True)
        raise OSError(exc.errno, exc.strerror, str(path)) from None
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    return count


def writable_destination(path: Path) -> Path:
    """Where writing ``path`` lands: the path itself when nothing is there, the file a
    symlink leads to (followed, as ``cp`` and shells do), or the regular file that is there.
    Anything else (a directory, a device, a FIFO, a socket) is refused in one line: the
    file written under a temporary name and renamed would replace it."""
    try:
        mode = os.stat(path).st_mode  # through symlinks
    except FileNotFoundError:
        return path.resolve() if path.is_symlink() else path  # a link to nothing yet
    except OSError as exc:
        raise UserError(f"{path}: {exc.strerror or exc}") from None
    if stat.S_ISDIR(mode):
        raise UserError(f"{path} is a directory; name a file to write")
    if not stat.S_ISREG(mode):
        raise UserError(
            f"{path} exists and is not a regular file (a device, a FIFO or a socket); "
            "nothing was written and it was left as it is"
        )
    return path.resolve()


def _write_edits(catalog: Catalog, tables: Tables, path: Path, encoder) -> int:
    count = 0
    with open(path, "wb") as out:
        for envelope in catalog.events():
            if not isinstance(envelope.event, Edited | Undone | Redone):
                continue
            target = Target.parse(envelope.event.target)
            if target.kind == "stack":
                continue  # a stack is read from its files again (djp stack), not imported
            slug = None
            if target.kind in ("package", "grid"):
                finder = find_package if target.kind == "package" else find_grid
                view = finder(tables, target.ident)
                slug = view.record.slug if view else None
            data = msgspec.to_builtins(envelope.event)
            data.pop("type", None)
            row = ExportedEdit(
                id=str(envelope.id),
                seq=envelope.seq,
                type=envelope.type,
                recorded_at=envelope.recorded_at,
                target=target.key,
                target_slug=slug,
                data=data,
            )
            out.write(encoder.encode(row) + b"\n")
            count += 1
    return count


@dataclass
class ImportReport:
    imported: int = 0
    already: int = 0
    skipped: list[str] = field(default_factory=list)


class ImportedChange(msgspec.Struct):
    before: Any = None
    after: Any = None


class ImportedData(msgspec.Struct, kw_only=True):
    changes: dict[str, ImportedChange] = {}
    note: str | None = None
    edit_id: uuid.UUID | None = None


class ImportedEdit(msgspec.Struct, kw_only=True):
    """One line of an exported file, as this store reads it: typed, nothing trusted yet."""

    id: uuid.UUID
    seq: int = 0
    type: Literal["Edited", "Undone", "Redone"]
    target: str
    target_slug: str | None = None
    data: ImportedData


MAX_LINE = 1 << 20  # a line of an export is a few hundred bytes; a note is 1,000 characters
_row_decoder = msgspec.json.Decoder(ImportedEdit)
_BOM = b"\xef\xbb\xbf"


def read_rows(path: Path) -> Iterator[tuple[int, ImportedEdit]]:
    """The file's rows, streamed (a BOM at the start is fine); a line that is not an exported
    edit raises ``QueryError`` naming it."""
    with open(path, "rb") as lines:
        number = 0
        while line := lines.readline(MAX_LINE + 1):
            number += 1
            if len(line) > MAX_LINE and not line.endswith(b"\n"):
                raise QueryError(f"{path}:{number}: the line is longer than 1 MiB")
            if number == 1:
                line = line.removeprefix(_BOM)
            if not line.strip():
                continue
            try:
                row = _row_decoder.decode(line)
                Target.parse(row.target)
            except (msgspec.DecodeError, msgspec.ValidationError, ValueError) as exc:
                raise QueryError(f"{path}:{number} is not an exported edit: {exc}") from None
            yield number, row


def import_edits(
    catalog: Catalog, path: Path, progress: Callable[[int], None] | None = None
) -> ImportReport:
    """Replay exported edits onto this store, all or nothing, in one transaction.

    Every row passes the same validation as ``djp edit`` (editable fields only, the same
    limits, a grid slug as ``grid-edit create`` takes it), against the values as they stand
    here; undos and redos must name an edit of the same target that this store holds or the
    file brings. Targets are matched by slug, the id as fallback; rows for targets this store
    lacks, and the undos and redos of those rows, are skipped and reported by line. A row
    that is invalid refuses the whole file. Idempotent: each event keeps its id, so a second
    import appends nothing. ``progress(rows)`` is called every 1,000 rows. Linear in the
    rows: each target's values are worked out once and kept up to date as edits land.
    """
    return catalog.store.transaction(lambda tx: _Import(catalog, tx, progress).run(path))


class _Import:
    """One import inside its write transaction. The persisted projection sees the new events
    only at commit, so the rows each event touches are folded in memory as it goes."""

    def __init__(
        self,
        catalog: Catalog,
        tx: WriteTransaction,
        progress: Callable[[int], None] | None = None,
    ) -> None:
        self.tx = tx
        self.stored = catalog.projection.tables(tx.txn)
        self.mem = Tables()
        self.mem.editlog[EDIT_LOG] = self.stored.editlog.get(EDIT_LOG) or EditLog()
        self.loaded: set[bytes] = set()
        self.report = ImportReport()
        self.progress = progress
        self.number = 0  # the line being read
        self.values: dict[bytes, dict[str, Any]] = {}  # a target's values as they stand
        self.skipped_ids: set[uuid.UUID] = set()  # rows of this file skipped

    def run(self, path: Path) -> ImportReport:
        for rows, (number, row) in enumerate(read_rows(path), 1):
            self.number = number
            try:
                self.apply(row)
            except UserError as exc:
                raise QueryError(f"{path}:{number}: {exc}; nothing was imported") from None
            if self.progress is not None and rows % 1000 == 0:
                self.progress(rows)
        return self.report

    def skip(self, row: ImportedEdit, why: str) -> None:
        self.skipped_ids.add(row.id)
        self.report.skipped.append(f"line {self.number}: {row.type} {row.seq}: {why}")

    def apply(self, row: ImportedEdit) -> None:
        if self.tx.seq_for_id(row.id) is not None:
            self.report.already += 1
            return
        target = self.match(row)
        if target is None:
            self.skip(row, f"{row.target} ({row.target_slug}) is not here")
            return
        self.load(target)
        event = self.undo(row, target) if row.type == "Undone" else self.edit(row, target)
        if event is None:
            return
        envelope = self.tx.append_event(target.key, event, row.id)
        fold(self.mem, envelope)
        self.landed(target, event)
        self.report.imported += 1

    def current(self, target: Target) -> dict[str, Any]:
        """The target's values as they stand, worked out once (a package with thousands of
        edits in force takes as long as its edits to work out: once a row was quadratic)."""
        values = self.values.get(target.raw)
        if values is None:
            values = self.values[target.raw] = view_values(self.mem, target, overlay=True)
        return values

    def landed(self, target: Target, event: Edited | Undone | Redone) -> None:
        """Keep the target's values up to date: an edit of a package's fields sets them;
        anything else (an undo, a redo, a grid's overlay) has them worked out again."""
        values = self.values.get(target.raw)
        if values is None:
            return
        if target.kind != "package" or getattr(event, "revert", None):
            del self.values[target.raw]
        elif isinstance(event, Edited | Redone):
            values.update({name: change.after for name, change in event.changes.items()})
        else:  # an undo: each field it gave back is the newest edit's still in force, or
            # upstream's (looked for from the newest edit: most often the one before)
            local, up = self.mem.local.get(target.raw), self.mem.upstream.get(target.raw)
            undone = self.tx.get(event.edit_seq).event
            if local is None or up is None:
                del self.values[target.raw]
                return
            for name in undone.changes:
                found = local.value(name)
                if found is not None:
                    values[name] = found[0]
                elif name in LOCAL_PACKAGE_FIELDS:
                    values[name] = LOCAL_PACKAGE_FIELDS[name]
                else:
                    values[name] = getattr(up.record, name)

    def match(self, row: ImportedEdit) -> Target | None:
        target = Target.parse(row.target)
        if target.kind == "localgrid":
            if not SLUG.match(target.ident):
                raise EditError(
                    f"grid slug {target.ident[:60]!r} must be lowercase letters, digits, - or "
                    "_ (max 50), as djp grid-edit create takes it"
                )
            return target
        if target.kind not in ("package", "grid"):
            raise EditError(f"{target.kind} targets cannot be edited")
        for key in (row.target_slug, target.ident):
            if key:
                found = find_target(self.stored, target.kind, key)
                if found is not None:
                    return found
        return None

    def load(self, target: Target) -> None:
        """Bring a target's rows into the in-memory tables (once)."""
        raw = target.raw
        if raw in self.loaded:
            return
        self.loaded.add(raw)
        for name in ("upstream", "local"):
            row = getattr(self.stored, name).get(raw)
            if row is not None:
                getattr(self.mem, name)[raw] = row

    def edit(self, row: ImportedEdit, target: Target) -> Edited | Redone | None:
        """An ``Edited`` or ``Redone`` checked like ``djp edit``, before values as here."""
        if row.type == "Redone":
            edit_seq = self.edit_it_acts_on(row, target)
            if edit_seq is None:
                return None
            if not _newest_holds(self.mem.editlog[EDIT_LOG].redo, (edit_seq, target.key)):
                self.skip(row, f"edit {edit_seq} is not undone here")
                return None
        note = check_note(row.data.note)
        current = self.current(target)
        fields = {name: change.after for name, change in row.data.changes.items()}
        try:
            changes = field_changes(
                current, fields, fields_for(target.kind), target.kind, self.stored
            )
        except EditError as exc:
            if not str(exc).startswith("that edit changes nothing"):
                raise
            self.skip(row, str(exc))
            return None
        if row.type == "Redone":
            return Redone(
                target=target.key, edit_seq=edit_seq, changes=changes, edit_id=str(row.data.edit_id)
            )
        return Edited(target=target.key, changes=changes, note=note)

    def undo(self, row: ImportedEdit, target: Target) -> Undone | None:
        edit_seq = self.edit_it_acts_on(row, target)
        if edit_seq is None:
            return None
        if not _newest_holds(self.mem.editlog[EDIT_LOG].active, (edit_seq, target.key)):
            self.skip(row, f"edit {edit_seq} is not in force here")
            return None
        return Undone(target=target.key, edit_seq=edit_seq, edit_id=str(row.data.edit_id))

    def edit_it_acts_on(self, row: ImportedEdit, target: Target) -> int | None:
        """The sequence here of the edit an undo or redo names; it must be an edit (or a
        redo) of the same target."""
        if row.data.edit_id is None:
            raise EditError(f"{row.type} names no edit (edit_id)")
        edit_seq = self.tx.seq_for_id(row.data.edit_id)
        if edit_seq is None:
            if row.data.edit_id in self.skipped_ids:  # its edit was for a target not here
                self.skip(row, "the edit it acts on was skipped")
                return None
            raise EditError(
                f"{row.type} names edit {row.data.edit_id}, which neither this store nor the "
                "file holds before it"
            )
        acted_on = self.tx.get(edit_seq)
        if not isinstance(acted_on.event, Edited | Redone) or acted_on.stream != target.key:
            raise EditError(
                f"{row.type} names event {edit_seq}, which is not an edit of {target.key}"
            )
        return edit_seq


def _newest_holds(items: list, item: object) -> bool:
    """``item in items``, looked for from the newest: an undo or redo names a recent edit
    (from the oldest, 20,000 undos among 200,000 edits in force took most of an import)."""
    return any(candidate == item for candidate in reversed(items))
