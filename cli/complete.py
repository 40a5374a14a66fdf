"""Shell completion of the values a command names: packages, grids, stacks, Django releases.

click completes commands and options by itself once the shell asks it to (README: ``eval
"$(_DJP_COMPLETE=bash_source djp)"``); these complete the values, read from the store the
command line names (``--store``, ``$DJP_STORE``, else the default), never creating one. A
shell prints whatever a completion writes, so a store that cannot be read completes nothing
instead of failing.
"""

from __future__ import annotations

from collections.abc import Callable

import click
from click.shell_completion import CompletionItem

from catalog.catalog import Catalog
from catalog.config import load_config
from catalog.errors import UserError
from catalog.pypi.verdicts import DJANGO_RELEASES
from projections.stacks import stacks as stack_views

#: More than a screen of candidates helps no one; the shell shows these, the user types on.
AT_MOST = 200

Completer = Callable[[click.Context, click.Parameter, str], list[CompletionItem]]


def _read(ctx: click.Context, read: Callable[[Catalog], list[str]]) -> list[CompletionItem]:
    try:
        path = load_config(store=ctx.find_root().params.get("store")).store
    except UserError:  # a setting that cannot be used: the command itself will say so
        return []
    if not (path / "data.mdb").is_file():
        return []
    try:
        with Catalog.open(path) as catalog:
            names = read(catalog)
    except Exception:  # whatever the store says, the shell must not print it
        return []
    return [CompletionItem(name) for name in names[:AT_MOST]]


def _slugs(resource: str) -> Completer:
    def complete(ctx: click.Context, param: click.Parameter, incomplete: str):
        return _read(ctx, lambda catalog: catalog.projection.names(resource, incomplete))

    return complete


packages = _slugs("package")
grids = _slugs("grid")


def packages_or_grids(ctx: click.Context, param: click.Parameter, incomplete: str):
    """``djp history X``: a grid's slugs with ``--grid`` before X, else packages'."""
    return (grids if ctx.params.get("grid") else packages)(ctx, param, incomplete)


def stacks(ctx: click.Context, param: click.Parameter, incomplete: str):
    def names(catalog: Catalog) -> list[str]:
        views = catalog.store.read(lambda txn: stack_views(catalog.projection.tables(txn)))
        return [v.name for v in views if v.name.startswith(incomplete)]

    return _read(ctx, names)


def django_releases(ctx: click.Context, param: click.Parameter, incomplete: str):
    return [CompletionItem(r.version) for r in DJANGO_RELEASES if r.version.startswith(incomplete)]
