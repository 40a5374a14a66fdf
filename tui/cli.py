"""The ``djp`` command line.

Subcommands print plain text (made safe for the terminal) or, with ``--json``, one JSON object
per line. Every failure the user can cause ends in a one-line message and exit status 1.
"""

from __future__ import annotations

import argparse
import errno
import os
import sys
from collections.abc import Sequence
from pathlib import Path

import msgspec

from catalog.display import event_summary, local_time, safe_text
from eventstore import Envelope, Store, StoreError

VERSION = "0.1.0"


class CommandError(Exception):
    """A failure to report as one line, exit status 1."""


def default_store_path() -> Path:
    env = os.environ.get("DJP_STORE")
    if env:
        return Path(env).expanduser()
    import platformdirs

    return Path(platformdirs.user_data_dir("djp", appauthor=False)) / "store"


def _store_path(args: argparse.Namespace) -> Path:
    return Path(args.store).expanduser() if args.store else default_store_path()


def open_existing(args: argparse.Namespace) -> Store:
    path = _store_path(args)
    if not (path / "data.mdb").exists():
        raise CommandError(f"no store at {path} yet (a sync creates it)")
    return Store.open(path)


# --- log --------------------------------------------------------------------------------


def envelope_json(envelope: Envelope) -> dict:
    data = msgspec.to_builtins(envelope.event)
    data.pop("type", None)
    return {
        "seq": envelope.seq,
        "id": str(envelope.id),
        "stream": envelope.stream,
        "version": envelope.version,
        "type": envelope.type,
        "recorded_at": envelope.recorded_at.isoformat(),
        "data": data,
    }


def cmd_log(args: argparse.Namespace) -> int:
    with open_existing(args) as store:
        last = store.last_seq
        if args.since is not None:
            start = args.since + 1
            end = last if args.limit is None else min(last, args.since + args.limit)
        else:
            start = 1 if args.limit is None else max(1, last - args.limit + 1)
            end = last
        out = sys.stdout
        encode = msgspec.json.encode
        for envelope in store.read_all(start, end):
            if args.json:
                out.write(encode(envelope_json(envelope)).decode() + "\n")
            else:
                out.write(
                    f"{envelope.seq:>8}  {local_time(envelope.recorded_at)}  "
                    f"{safe_text(envelope.stream):<16} v{envelope.version:<4} "
                    f"{envelope.type:<14} {event_summary(envelope.event)}\n"
                )
    return 0


# --- verify and backup ------------------------------------------------------------------


def cmd_verify(args: argparse.Namespace) -> int:
    with open_existing(args) as store:
        report = store.verify()
    if report.ok:
        print(
            f"ok: {report.events:,} events in {report.streams:,} streams; sequences gap-free, "
            "indexes consistent"
        )
        return 0
    more = f" (and {len(report.problems) - 1} more problems)" if len(report.problems) > 1 else ""
    print(f"djp: store is damaged: {report.problems[0]}{more}", file=sys.stderr)
    return 1


def cmd_backup(args: argparse.Namespace) -> int:
    with open_existing(args) as store:
        dest = store.backup(args.dest, compact=not args.no_compact)
        events = store.last_seq
    print(f"backed up {events:,} events to {dest}")
    return 0


# --- entry point ------------------------------------------------------------------------


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="djp",
        description="Django Packages in your terminal, on an event-sourced local store.",
    )
    parser.add_argument("--version", action="version", version=f"djp {VERSION}")
    parser.add_argument(
        "--store",
        metavar="PATH",
        help="store directory (default: $DJP_STORE, else the user data dir)",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    p = sub.add_parser("log", help="print the event log, newest last")
    p.add_argument("--since", type=int, metavar="SEQ", help="only events after SEQ")
    p.add_argument("--limit", type=_positive, metavar="N", help="at most N events")
    p.add_argument("--json", action="store_true", help="one JSON object per line")
    p.set_defaults(func=cmd_log)

    p = sub.add_parser("verify", help="check the store's log and indexes")
    p.set_defaults(func=cmd_verify)

    p = sub.add_parser("backup", help="write a compacted copy of the store")
    p.add_argument("dest", help="a new or empty directory")
    p.add_argument("--no-compact", action="store_true", help="copy pages as they are")
    p.set_defaults(func=cmd_backup)
    return parser


def _positive(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if value < 1:
        raise argparse.ArgumentTypeError("must be 1 or more")
    return value


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help()
        return 0
    try:
        return args.func(args)
    except (CommandError, StoreError) as exc:
        print(f"djp: {exc}", file=sys.stderr)
        return 1
    except OSError as exc:
        if exc.errno == errno.ENOSPC:
            print(
                "djp: the disk is full; nothing was written. Free space and retry.", file=sys.stderr
            )
        else:
            print(f"djp: {exc.strerror or exc}", file=sys.stderr)
        return 1
    except BrokenPipeError:
        return 0
    except KeyboardInterrupt:
        print("djp: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
