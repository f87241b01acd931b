"""Commands for the Battery Pass consortium data model: import, export."""

from __future__ import annotations

import enum
from datetime import UTC, datetime
from pathlib import Path

import typer

from batterypass.cli._app import app, emit_json, state
from batterypass.cli._io import JSON_OPT, UsageError, atomic_write, load_passport, parse_time
from batterypass.codec import json as bp_json
from batterypass.interop import battery_pass as dm
from batterypass.model import Audience


@app.command(name="import")
def import_cmd(
    paths: list[Path] = typer.Argument(
        ..., help="Aspect files, or directories holding them (aspect detected from content)."
    ),
    out: Path = typer.Option(..., "--out", help="Passport JSON to write."),
    issued_at: str | None = typer.Option(
        None, "--issued-at", help="Issue time of the new passport (default: now)."
    ),
    issuer: str | None = typer.Option(
        None, "--issuer", help="Economic operator id (default: the operator in the data)."
    ),
    passport_id: str | None = typer.Option(None, "--passport-id", help="Passport identifier."),
    battery_id: str | None = typer.Option(None, "--battery-id", help="Battery identifier."),
    force: bool = typer.Option(False, "--force", help="Replace an existing OUT."),
    as_json: bool = JSON_OPT,
) -> int:
    """Import Battery Pass consortium aspect documents (v1.2) into a batterypass passport."""
    if out.exists() and not force:
        raise UsageError("exists already; use --force to replace it", source=str(out))
    for path in paths:
        if not path.exists():
            raise UsageError("no such file or directory", source=str(path))
    docs = dm.read_aspect_files(paths)
    notes: list[str] = []
    passport = dm.import_aspects(
        docs,
        issued_at=parse_time(issued_at, "--issued-at") or datetime.now(UTC).replace(microsecond=0),
        issuer=issuer,
        passport_id=passport_id,
        battery_id=battery_id,
        notes=notes,
    )
    atomic_write(out, bp_json.dumps(passport).encode("utf-8"), force=force)
    if as_json:
        emit_json({"out": str(out), "aspects": sorted(docs), "notes": notes})
    else:
        for note in notes:
            state.out.print(f"note: {note}", markup=False)
        state.err.print(
            f"wrote {out} from {len(docs)} aspect(s): {', '.join(sorted(docs))}", markup=False
        )
    return 0


class ExportFormat(enum.StrEnum):
    battery_pass_dm = "battery-pass-dm"  # noqa: S105 - a format name, not a password


class ExportAudience(enum.StrEnum):
    full = "full"
    public = "public"
    legitimate_interest = "legitimate-interest"
    authority = "authority"
    commission = "commission"


@app.command()
def export(
    passport: Path = typer.Argument(..., help="Passport file (JSON or CBOR)."),
    fmt: ExportFormat = typer.Option(..., "--format", help="Target data model."),
    out: Path = typer.Option(..., "--out", help="Directory for one file per aspect."),
    audience: ExportAudience = typer.Option(
        ExportAudience.full,
        "--audience",
        help="Export only what this audience may see (the consortium mixes access groups "
        "within aspects).",
    ),
    strict: bool = typer.Option(False, "--strict", help="Fail if anything would be lost."),
    force: bool = typer.Option(False, "--force", help="Replace existing aspect files."),
    as_json: bool = JSON_OPT,
) -> int:
    """Export a passport as Battery Pass consortium aspect documents (one file per aspect)."""
    p = load_passport(passport).passport
    if audience is not ExportAudience.full:
        p = p.view(Audience(audience.value))
    docs = dm.export_aspects(p, strict=strict)
    if out.exists() and not out.is_dir():
        raise UsageError("exists and is not a directory", source=str(out))
    targets = {name: out / f"{name}.json" for name in docs}
    clash = [str(t) for t in targets.values() if t.exists()]
    if clash and not force:
        raise UsageError(f"exists already: {', '.join(clash)}; use --force to replace")
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as e:
        raise UsageError(f"cannot create the directory: {e.strerror or e}", source=str(out)) from e
    for name, target in targets.items():
        atomic_write(target, dm.dumps_aspect(docs[name]).encode("utf-8"), force=force)
    if as_json:
        emit_json(
            {
                "out": str(out),
                "format": fmt.value,
                "files": [str(t) for t in targets.values()],
                "notes": [str(n) for n in docs.notes],
            }
        )
    else:
        for note in docs.notes:
            state.out.print(f"note: {note}", markup=False)
        state.err.print(f"wrote {len(targets)} aspect file(s) to {out}", markup=False)
    return 0
