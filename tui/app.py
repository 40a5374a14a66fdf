"""The djp Textual app. It calls catalog/ and projections/ only; it never reads LMDB itself."""

from __future__ import annotations

import asyncio
import tomllib
from datetime import UTC, datetime
from functools import partial
from pathlib import Path

from textual.app import App, SystemCommand
from textual.binding import Binding
from textual.command import DiscoveryHit, Hit, Hits, Provider

from catalog.browse import Browser
from catalog.client import ClientConfig
from catalog.display import relative, safe_text
from catalog.edits import EditError
from catalog.service import Catalog
from eventstore import StoreError
from tui.screens import (
    CatalogueScreen,
    ChangesScreen,
    GridScreen,
    GridsScreen,
    HelpScreen,
    LogScreen,
    PackageScreen,
    SyncScreen,
)


class JumpProvider(Provider):
    """Command palette: jump to a package or grid by fuzzy name."""

    def _targets(self):
        browser = self.app.browser
        if browser is None:
            return []
        out = [(f"package {safe_text(r.view.record.title)}", r.key) for r in browser.rows.values()]
        out += [(f"grid {safe_text(g.record.title)}", g.key) for g in browser.grids]
        return out

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for text, key in self._targets():
            score = matcher.match(text)
            if score > 0:
                yield Hit(
                    score, matcher.highlight(text), partial(self.app.open_target, key), help="open"
                )

    async def discover(self) -> Hits:
        for text, key in self._targets()[:20]:
            yield DiscoveryHit(text, partial(self.app.open_target, key), help="open")


class DjpApp(App):
    TITLE = "djp — Django Packages"
    COMMANDS = App.COMMANDS | {JumpProvider}
    BINDINGS = [
        Binding("q", "quit", "quit", id="app.quit"),
        Binding("ctrl+q", "quit", "quit", show=False, id="app.quit_ctrl", priority=True),
        Binding("question_mark", "help", "help", id="app.help"),
        Binding("1", "section('packages')", "packages", show=False, id="app.packages"),
        Binding("2", "section('grids')", "grids", id="app.grids"),
        Binding("3", "section('changes')", "changes", id="app.changes"),
        Binding("4", "section('log')", "log", id="app.log"),
        Binding("S", "sync", "sync", id="app.sync"),
        Binding("u", "undo", "undo", id="app.undo"),
        Binding("ctrl+r", "redo", "redo", id="app.redo"),
        Binding("left_square_bracket", "step(-1)", "back in time", show=False, id="app.step_back"),
        Binding(
            "right_square_bracket", "step(1)", "forward in time", show=False, id="app.step_forward"
        ),
    ]

    def __init__(
        self,
        store_path: Path,
        *,
        catalog: Catalog | None = None,
        base_url: str | None = None,
        now: datetime | None = None,
        store_label: str | None = None,
        probe_seconds: float = 3.0,
        poll_seconds: float = 1.0,
        config_path: Path | None = None,
        cursor_blink: bool = True,
    ) -> None:
        super().__init__()
        self.cursor_blink = cursor_blink
        self.store_path = Path(store_path)
        self.client_config = ClientConfig(base_url=base_url) if base_url else ClientConfig()
        self.fixed_now = now
        self.store_label = store_label or _abbreviate(self.store_path)
        self.probe_seconds = probe_seconds
        self.poll_seconds = poll_seconds
        self.config_path = config_path
        self.catalog: Catalog | None = catalog
        self._owns_catalog = False
        self._sync_state: tuple = (-1, None, None)  # (last seq, last complete sync, failure)
        self.browser: Browser | None = None

    # --- life cycle ----------------------------------------------------------------------

    @property
    def now(self) -> datetime:
        return self.fixed_now or datetime.now(UTC)

    def on_mount(self) -> None:
        self._load_keymap()
        if self.catalog is None:
            self.catalog = Catalog.open(self.store_path)
            self._owns_catalog = True
        self.browser = Browser(self.catalog, self.now)
        self.push_screen(CatalogueScreen())
        if self.catalog.is_empty:
            self.push_screen(SyncScreen(first=True))
        if self.poll_seconds:
            self.set_interval(self.poll_seconds, self.poll_store)

    def on_unmount(self) -> None:
        if self._owns_catalog and self.catalog is not None:
            self.catalog.close()

    def _load_keymap(self) -> None:
        path = self.config_path
        if path is None:
            import platformdirs

            path = Path(platformdirs.user_config_dir("djp", appauthor=False)) / "config.toml"
        if not path.is_file():
            return
        try:
            keys = tomllib.loads(path.read_text()).get("keys", {})
            self.set_keymap({str(k): str(v) for k, v in keys.items()})
        except (OSError, tomllib.TOMLDecodeError) as exc:
            self.notify(f"{path}: {exc}; default keys in use", severity="error", markup=False)

    def redraw(self) -> None:
        """Redraw the screen in front (the others redraw when they come back)."""
        if hasattr(self.screen, "refresh_state"):
            self.screen.refresh_state()
        else:  # a modal: redraw the screen under it
            for screen in reversed(self.screen_stack):
                if hasattr(screen, "refresh_state"):
                    screen.refresh_state()
                    break

    def poll_store(self) -> None:
        """Notice events appended by another process (a `djp sync` elsewhere)."""
        if self.browser is None or not self.browser.present:
            return
        count = self.browser.refresh()
        if count:
            self.redraw()
            self.notify(f"{count:,} new events in the store", markup=False)

    def last_sync_text(self) -> str:
        from catalog.timeline import sync_runs

        last = self.catalog.store.last_seq
        if self._sync_state[0] != last:  # read the sync stream once per change of the log
            runs = [r for r in sync_runs(self.catalog) if r.finished_seq is not None]
            complete = [r for r in runs if r.outcome == "complete"]
            latest_failed = runs[-1].outcome if runs and runs[-1].outcome != "complete" else None
            self._sync_state = (last, complete[-1].recorded_at if complete else None, latest_failed)
        _, when, latest_failed = self._sync_state
        text = relative(when, self.now) if when else "never"
        if latest_failed:
            text += f" (the latest {latest_failed})"
        return text

    # --- navigation ----------------------------------------------------------------------

    def go_back(self) -> None:
        if self.browser is not None and not self.browser.present:
            self.action_present()
        elif len(self.screen_stack) > 2:
            self.pop_screen()

    def action_section(self, name: str) -> None:
        while len(self.screen_stack) > 2:
            self.pop_screen()
        if name == "grids":
            self.push_screen(GridsScreen())
        elif name == "changes":
            self.push_screen(ChangesScreen())
        elif name == "log":
            self.push_screen(LogScreen())
        else:
            self.redraw()

    def open_target(self, key: str) -> None:
        if key.startswith("package:"):
            self.push_screen(PackageScreen(key))
        else:
            self.push_screen(GridScreen(key))

    def action_help(self) -> None:
        bindings = []
        for binding in self.screen.active_bindings.values():
            b = binding.binding
            bindings.append(
                (b.key_display or self.get_key_display(b), b.description or b.action, b.id or "")
            )
        self.push_screen(HelpScreen(bindings))

    def get_system_commands(self, screen):
        yield from super().get_system_commands(screen)
        yield SystemCommand("Sync", "fetch the catalogue from the API", self.action_sync)
        yield SystemCommand("Undo", "undo the newest edit", self.action_undo)
        yield SystemCommand("Redo", "apply the most recently undone edit again", self.action_redo)
        yield SystemCommand(
            "Time travel", "pick an event in the log", partial(self.action_section, "log")
        )
        yield SystemCommand("Back to the present", "leave time travel", self.action_present)
        yield SystemCommand("Grids", "all grids", partial(self.action_section, "grids"))
        yield SystemCommand(
            "Changes", "what the last sync changed", partial(self.action_section, "changes")
        )

    # --- time travel ---------------------------------------------------------------------

    def travel(self, seq: int) -> None:
        self.browser.travel(seq)
        self.redraw()

    def action_step(self, delta: int) -> None:
        if self.browser.present and delta > 0:
            return
        self.browser.step(delta)
        self.redraw()

    def action_present(self) -> None:
        if not self.browser.present:
            self.browser.load_present()
            self.redraw()
            self.notify("back to the present")

    def require_present(self) -> bool:
        if self.browser.present:
            return True
        self.notify(
            "editing is disabled while viewing the past (esc returns to the present)",
            severity="warning",
        )
        return False

    # --- edits ---------------------------------------------------------------------------

    def _after_write(self) -> None:
        self.browser.refresh()
        self.redraw()

    def edit(self, key: str, fields: dict, note: str | None = None, raise_errors: bool = False):
        from catalog.edits import edit_package

        if not self.require_present():
            return None
        try:
            seq = edit_package(self.catalog, key.split(":", 1)[1], fields, note)
        except EditError as exc:
            if raise_errors:
                raise
            self.notify(str(exc), severity="error", markup=False)
            return None
        except (StoreError, OSError) as exc:
            self.notify(f"not saved: {exc}", severity="error", markup=False)
            return None
        self._after_write()
        self.notify(f"saved as event {seq:,} (u undoes)", markup=False)
        return seq

    def grid_members(self, key: str, add=(), remove=()) -> None:
        from catalog.edits import change_grid_members

        target = key if key.startswith("localgrid:") else key.split(":", 1)[1]
        try:
            seq = change_grid_members(self.catalog, target, add=list(add), remove=list(remove))
        except (EditError, StoreError, OSError) as exc:
            self.notify(str(exc), severity="error", markup=False)
            return
        self._after_write()
        self.notify(f"saved as event {seq:,} (u undoes)", markup=False)

    def undo(self, seq: int | None = None) -> None:
        from catalog.edits import undo

        if not self.require_present():
            return
        try:
            done = undo(self.catalog, seq)
        except (EditError, StoreError, OSError) as exc:
            self.notify(str(exc), severity="error", title="undo refused", markup=False)
            return
        event = self.catalog.store.get(done).event
        self._after_write()
        self.notify(f"undid edit {event.edit_seq:,} (ctrl+r redoes)", markup=False)

    def action_undo(self) -> None:
        self.undo()

    def action_redo(self) -> None:
        from catalog.edits import redo

        if not self.require_present():
            return
        try:
            done = redo(self.catalog)
        except (EditError, StoreError, OSError) as exc:
            self.notify(str(exc), severity="error", markup=False)
            return
        event = self.catalog.store.get(done).event
        self._after_write()
        self.notify(f"redid edit {event.edit_seq:,}", markup=False)

    def history(self, key: str, as_of: int | None):
        from catalog.timeline import target_history

        if key.startswith("localgrid:"):
            return target_history(self.catalog, key, grid=True, as_of=as_of)
        resource, ident = key.split(":", 1)
        return target_history(self.catalog, ident, grid=resource == "grid", as_of=as_of)

    # --- sync ----------------------------------------------------------------------------

    def action_sync(self) -> None:
        if not self.browser.present:
            self.action_present()
        self.push_screen(SyncScreen())

    async def run_sync(self, screen: SyncScreen, first: bool = False) -> None:
        from catalog.sync import first_sync, sync_catalog

        try:
            if first:
                report = await first_sync(
                    self.catalog,
                    self.client_config,
                    probe_seconds=self.probe_seconds,
                    progress=screen.progress,
                )
            else:
                report = await sync_catalog(
                    self.catalog, self.client_config, progress=screen.progress
                )
        except asyncio.CancelledError:
            self._after_write()
            raise
        except (StoreError, OSError) as exc:  # a full disk, a store gone bad: say so, go on
            self.notify(f"sync stopped: {exc}", severity="error", timeout=10, markup=False)
            self._after_write()
            return
        self._after_write()
        c = report.counts
        if report.source.startswith("snapshot:"):
            self.notify(
                "The live API did not answer: loaded the catalogue snapshot that ships "
                f"with djp ({c.records:,} records).",
                timeout=8,
                markup=False,
            )
        elif report.outcome == "complete":
            self.notify(
                f"sync complete: {c.new:,} new, {c.changed:,} changed, {c.vanished:,} vanished",
                markup=False,
            )
        else:
            self.notify(
                f"sync {report.outcome}: {report.error}", severity="error", timeout=10, markup=False
            )


def _abbreviate(path: Path) -> str:
    try:
        return "~/" + str(path.resolve().relative_to(Path.home()))
    except ValueError:
        return str(path)
