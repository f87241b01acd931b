"""File input and output for the CLI: reading documents, sniffing formats, atomic writes."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

import typer

from batterypass._fs import read_bounded, write_atomic
from batterypass.codec import cbor
from batterypass.codec import json as bp_json
from batterypass.cose import TSA_TIMEOUT_SECONDS
from batterypass.errors import BatteryPassError, DecodeError
from batterypass.keys import PrivateKey
from batterypass.model import BatteryPassport
from batterypass.verify import TrustStore

__all__ = [
    "JSON_OPT",
    "MAX_INPUT_BYTES",
    "REQUIRE_TIMESTAMP_OPT",
    "TSA_OPT",
    "TSA_TIMEOUT_OPT",
    "LoadedPassport",
    "UsageError",
    "atomic_write",
    "detect_format",
    "load_passport",
    "load_private",
    "load_trust",
    "parse_day",
    "parse_time",
    "read_input",
]

JSON_OPT = typer.Option(False, "--json", help="Print one JSON document on stdout.")
"""The ``--json`` option every reporting command takes."""

MAX_INPUT_BYTES = 64 * 1024 * 1024
"""Largest file the CLI reads (a passport is kilobytes; an event log may be larger)."""


class UsageError(BatteryPassError):
    """A problem with how the command was called: a missing or unreadable file, an output
    that exists. Exit code 2."""

    code = "usage"


def read_input(path: Path, *, limit: int = MAX_INPUT_BYTES) -> bytes:
    """Read a whole input file through the one bounded reader
    (:func:`batterypass._fs.read_bounded`): a missing, unreadable or non-regular file (a FIFO,
    a device) is a usage error (exit 2), one over ``limit`` undecodable (exit 3)."""
    return read_bounded(path, limit, what="file")


def detect_format(data: bytes) -> str:
    """``"json"`` or ``"cbor"``, from the content (never from the file name); UTF-16 and
    UTF-32 text counts as JSON, so that reading it says what it is."""
    if bp_json.looks_like_json_text(data):
        return "json"
    return "cbor" if cbor.looks_like_cbor(data) else "json"


@dataclass
class LoadedPassport:
    """A passport read from a file, with how it was read."""

    passport: BatteryPassport
    format: str
    notes: list[str] = field(default_factory=list)


def load_passport(path: Path) -> LoadedPassport:
    """Read and validate a passport file (JSON or CBOR, detected from the content)."""
    data = read_input(path)
    fmt = detect_format(data)
    notes: list[str] = []
    source = str(path)
    if fmt == "json":
        if data.startswith(b"\xef\xbb\xbf"):
            data = data[3:]
        return LoadedPassport(bp_json.loads(data, notes=notes, source=source), fmt, notes)
    if data[:1] == b"\xd2":  # CBOR tag 18: a COSE_Sign1 message
        raise DecodeError(
            "this is a signed object (COSE_Sign1), not a passport document; check a signed "
            "passport with `batterypass verify FILE --trust TRUSTFILE`",
            source=source,
        )
    return LoadedPassport(cbor.loads(data, source=source), fmt, notes)


def check_target(path: Path, *, force: bool = False) -> None:
    """Refuse an output path :func:`atomic_write` cannot write (an existing file without
    ``force``, a directory, a missing directory) before anything is written: a command that
    writes two files checks both first."""
    if path.exists() and not force:
        raise UsageError("exists already; use --force to replace it", source=str(path))
    if path.is_dir():
        raise UsageError("is a directory; give the file to write", source=str(path))
    directory = path.parent if str(path.parent) else Path(".")
    if not directory.is_dir():
        raise UsageError("the output directory does not exist", source=str(path))


def atomic_write(path: Path, data: bytes, *, force: bool = False, mode: int = 0o644) -> None:
    """Write ``data`` to ``path`` atomically (see :func:`batterypass._fs.write_atomic`);
    refuses to replace an existing file unless ``force``."""
    if path.exists() and not force:
        raise UsageError("exists already; use --force to replace it", source=str(path))
    directory = path.parent if str(path.parent) else Path(".")
    if not directory.is_dir():
        raise UsageError("the output directory does not exist", source=str(path))
    write_atomic(path, data, mode=mode, overwrite=force)


def parse_day(value: str | None, option: str) -> date | None:
    """An option's ISO 8601 calendar date (YYYY-MM-DD)."""
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError as e:
        raise UsageError(f"{option}: not an ISO 8601 date (YYYY-MM-DD): {value!r}") from e


def parse_time(value: str | None, option: str) -> datetime | None:
    """An option's ISO 8601 time (``Z`` allowed); a time without a timezone is refused."""
    if value is None:
        return None
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError as e:
        raise UsageError(f"{option}: not an ISO 8601 time: {value!r}") from e
    if parsed.tzinfo is None:
        raise UsageError(f"{option}: give a timezone (e.g. {value}Z or {value}+01:00)")
    return parsed


def load_private(path: Path, kid: str | None) -> PrivateKey:
    """A private key file given on the command line."""
    if not path.exists():
        raise UsageError("no such key file", source=str(path))
    return PrivateKey.from_file(path, kid=kid)


def load_trust(path: Path) -> TrustStore:
    """A trust file given on the command line."""
    if not path.exists():
        raise UsageError("no such trust file", source=str(path))
    return TrustStore.from_file(path)


TSA_OPT = typer.Option(
    None,
    "--tsa",
    help="URL of an RFC 3161 timestamp authority: add its token over the signature "
    "(RFC 9921, unprotected header 3161-ctt).",
)
TSA_TIMEOUT_OPT = typer.Option(
    TSA_TIMEOUT_SECONDS, "--tsa-timeout", min=0.1, help="Seconds to wait for the TSA."
)
REQUIRE_TIMESTAMP_OPT = typer.Option(
    False,
    "--require-timestamp",
    help="Fail any signature without a trusted timestamp (the trust file needs a "
    "timestamp authority).",
)
