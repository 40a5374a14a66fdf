"""``djp config``: the effective settings and where each came from."""

from __future__ import annotations

import click

from catalog.config import BY_NAME
from catalog.text import safe_text
from cli.context import Session, echo_json, json_option, pass_session


@click.command("config")
@json_option
@pass_session
def config_command(session: Session, as_json: bool) -> None:
    """Show the settings in effect and where each came from.

    Each is read, last one winning, from its default, the config file's [settings], the
    environment (DJP_...), then the command's option.
    """
    config = session.config
    rows = [
        {
            "name": name,
            "value": str(value),
            "origin": config.origins[name],
            "variable": BY_NAME[name].variable,
            "help": BY_NAME[name].help,
        }
        for name, value in config.values.items()
    ]
    if as_json:
        echo_json(rows)
        return
    width = max(len(r["name"]) for r in rows)
    value_width = min(60, max(len(r["value"]) for r in rows))
    for r in rows:
        value = safe_text(r["value"])
        click.echo(f"{r['name']:<{width}}  {value:<{value_width}}  {safe_text(r['origin'])}")
    state = "" if config.path.is_file() else " (none yet)"
    click.echo(f"config file: {safe_text(str(config.path))}{state}; $DJP_CONFIG names another")
