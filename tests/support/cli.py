"""Running the ``djp`` command line in-process with click's test runner."""

from __future__ import annotations

from click.testing import CliRunner

from cli.main import djp


def run_djp(*argv: object) -> tuple[int, str, str]:
    """``djp ARGV...`` -> (exit status, stdout, stderr); a traceback fails the test."""
    result = CliRunner().invoke(djp, [str(a) for a in argv], catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr
