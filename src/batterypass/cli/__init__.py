"""The ``batterypass`` command-line interface: the only layer that prints, reads argv or exits.

See :mod:`batterypass.cli._app` for the exit codes.
"""

from __future__ import annotations

import signal
import sys
import traceback
from collections.abc import Sequence

import typer

from batterypass.cli import _bulk_cmds as _bulk_cmds
from batterypass.cli import _dm_cmds as _dm_cmds
from batterypass.cli import _events_cmds as _events_cmds
from batterypass.cli import _label_cmds as _label_cmds
from batterypass.cli import _passport_cmds as _passport_cmds  # registers commands
from batterypass.cli import _present_cmds as _present_cmds
from batterypass.cli import _service_cmds as _service_cmds
from batterypass.cli import _sign_cmds as _sign_cmds
from batterypass.cli._app import ExitCode, app, exit_code_for, state
from batterypass.errors import BatteryPassError

__all__ = ["ExitCode", "app", "main", "run"]

del _bulk_cmds, _dm_cmds, _events_cmds, _label_cmds, _passport_cmds, _present_cmds, _service_cmds
del _sign_cmds


def run(argv: Sequence[str] | None = None) -> int:
    """Run the CLI with ``argv`` (default: ``sys.argv[1:]``) and return the exit code."""
    args = list(sys.argv[1:] if argv is None else argv)
    state.debug = "--debug" in args
    try:
        result = app(args=args, prog_name="batterypass", standalone_mode=False)
    except typer.Exit as e:
        return int(e.exit_code)
    except typer.Abort:
        state.err.print("batterypass: aborted", markup=False)
        return int(ExitCode.USAGE)
    except BatteryPassError as e:
        code = exit_code_for(e)
        if state.debug:
            traceback.print_exc()
        state.err.print(f"batterypass: {e}", markup=False)
        return int(code)
    except typer.TyperException as e:  # usage errors (bad option, missing argument)
        message = e.format_message() + _dash_value_hint(e, args)
        state.err.print(f"batterypass: usage error: {message}", markup=False)
        return int(ExitCode.USAGE)
    except KeyboardInterrupt:
        state.err.print("batterypass: interrupted", markup=False)
        return 130
    except OSError as e:
        # A file the command reads or writes is at fault (a missing directory, a read-only
        # one, a path through a file): the environment, not a bug. The commands wrap the
        # errors they expect in FileError; this catches the rest, with the path and reason.
        if state.debug:
            traceback.print_exc()
        where = f"{e.filename}: " if e.filename is not None else ""
        state.err.print(f"batterypass: {where}{e.strerror or e}", markup=False)
        return int(ExitCode.USAGE)
    except Exception as e:  # noqa: BLE001 - the last line of defence: no traceback for users
        if state.debug:
            traceback.print_exc()
        state.err.print(
            f"batterypass: internal error: {type(e).__name__}: {e} (run with --debug for the "
            "traceback; please report it)",
            markup=False,
        )
        return int(ExitCode.INTERNAL)
    return int(result) if isinstance(result, int) else 0


def _dash_value_hint(error: typer.TyperException, args: Sequence[str]) -> str:
    """For an unknown short option that may be a value beginning with '-' (a key id, say),
    how to pass it. By class name: the parser's exception classes are not public in every
    typer. A long option (``--...``) is taken for a mistyped option, without a hint."""
    option = getattr(error, "option_name", None)
    if type(error).__name__ != "NoSuchOption" or not isinstance(option, str):
        return ""
    before_dashes = list(args[: args.index("--")] if "--" in args else args)
    token = next((a for a in before_dashes if a.startswith(option)), option)
    if token.startswith("--"):
        return ""
    hint = (
        f". If {token!r} is a value, not an option, put it after every option and a '--' "
        f"(... -- {token})"
    )
    if "trust" in before_dashes and "revoke" in before_dashes:
        hint += f", or give it as --kid={token}"
    return hint


def _terminate(signum: int, frame: object) -> None:
    # SIGTERM unwinds like an exception, so that `finally` blocks remove temporary files
    # (a bulk report in progress, an atomic write) instead of leaving them behind.
    raise SystemExit(128 + signum)


def main(argv: Sequence[str] | None = None) -> None:
    """Entry point of the ``batterypass`` command: run and exit with the documented code."""
    signal.signal(signal.SIGTERM, _terminate)
    sys.exit(run(argv))
