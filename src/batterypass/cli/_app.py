"""The typer application, its exit codes and output helpers.

Exit codes (the same for every command):

====  =====================================================================
0     success: every file valid / verified
1     invalid or not verified (a rule, a signature, trust, a chain)
2     usage error: bad option, missing, unreadable or non-regular file, a file that
      cannot be written, refused overwrite
3     undecodable input: not JSON/CBOR/COSE, truncated, over a decoding limit
4     internal error (a bug: please report it; ``--debug`` shows the traceback)
====  =====================================================================
"""

from __future__ import annotations

import enum
import json
import sys
from typing import Any

import typer
from rich.console import Console

from batterypass.errors import (
    BatteryPassError,
    DecodeError,
    FileError,
    InvalidKeyError,
    ValidationError,
)

__all__ = ["ExitCode", "app", "error_record", "exit_code_for", "state"]


class ExitCode(enum.IntEnum):
    """Documented exit codes of the ``batterypass`` command."""

    OK = 0
    INVALID = 1
    USAGE = 2
    UNDECODABLE = 3
    INTERNAL = 4


class _State:
    debug = False
    json = False

    def __init__(self) -> None:
        self.out = Console(highlight=False, soft_wrap=True)
        self.err = Console(stderr=True, highlight=False, soft_wrap=True)


state = _State()

app = typer.Typer(
    name="batterypass",
    help="EU battery passports: validate, sign, verify, convert, show, label.",
    add_completion=False,
    pretty_exceptions_enable=False,
    no_args_is_help=True,
    rich_markup_mode=None,
)


@app.callback()
def _root(
    debug: bool = typer.Option(False, "--debug", help="Show tracebacks of internal errors."),
) -> None:
    state.debug = debug


def exit_code_for(error: BaseException) -> ExitCode:
    """The documented exit code of an error."""
    from batterypass.cli._io import UsageError

    if isinstance(error, UsageError | InvalidKeyError | FileError):
        return ExitCode.USAGE
    if isinstance(error, DecodeError):
        return ExitCode.UNDECODABLE
    if isinstance(error, BatteryPassError):
        return ExitCode.INVALID
    return ExitCode.INTERNAL


def error_record(error: BatteryPassError) -> dict[str, Any]:
    """A JSON-friendly description of an error (for ``--json`` output); ``code`` is the
    error's stable code (``specs/error-codes.md``)."""
    record: dict[str, Any] = {
        "kind": type(error).__name__,
        "code": error.code,
        "message": error.message,
        "exit_code": int(exit_code_for(error)),
    }
    if isinstance(error, ValidationError):
        record["issues"] = [
            {
                "path": list(i.path),
                "message": i.message,
                "legal_basis": i.legal_basis,
            }
            for i in error.issues
        ]
    for name in ("path", "offset", "index", "legal_basis"):
        value = getattr(error, name)
        if value is not None:
            record[name] = list(value) if isinstance(value, tuple) else value
    return record


def emit_json(document: Any) -> None:
    """Write one JSON document to stdout."""
    sys.stdout.write(json.dumps(document, indent=2, ensure_ascii=False, default=str) + "\n")
