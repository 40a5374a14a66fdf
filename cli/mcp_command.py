"""``djp mcp``: serve the local store to AI assistants over the Model Context Protocol (stdio).
The MCP SDK is an extra (``pip install 'djp[mcp]'``); without it the command says so in one
line. The server itself is ``cli.mcp_server``."""

from __future__ import annotations

import importlib.util

import click

from cli.context import CommandError, Session, pass_session


@click.command("mcp")
@click.option(
    "--allow-edits",
    is_flag=True,
    help="Also offer the writing tools (status, notes, tags, grids, undo): each one event.",
)
@pass_session
def mcp_command(session: Session, allow_edits: bool) -> None:
    """Serve the catalogue, readiness, stacks and your notes to AI assistants over MCP.

    Speaks JSON-RPC on stdin/stdout (register it with your MCP client: `claude mcp add djp --
    djp mcp`); logs go to stderr. Reads the local store; only refresh_package asks PyPI.
    """
    if importlib.util.find_spec("mcp") is None:
        raise CommandError("djp mcp needs the MCP SDK: pip install 'djp[mcp]'")
    from catalog.pypi.fetch import PypiConfig
    from catalog.read.browse import Browser
    from cli.mcp_answers import Served
    from cli.mcp_server import build_server
    from cli.mcp_stdio import serve_stdio

    with session.open_catalog(fill=False) as catalog:
        if catalog.is_empty:
            from catalog.upstream.sync import load_snapshot  # no network: the shipped one

            load_snapshot(catalog)
            click.echo("djp: the store was empty; loaded the catalogue snapshot", err=True)
        served = Served(catalog, Browser(catalog), allow_edits,
                        PypiConfig.from_config(session.config))  # fmt: skip
        serve_stdio(build_server(served))
