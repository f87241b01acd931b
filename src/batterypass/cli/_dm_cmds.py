"""Commands for other exchange formats: import, export (Battery Pass consortium data model,
Catena-X battery pass)."""

from __future__ import annotations

import enum
from datetime import UTC, datetime
from pathlib import Path
from typing import NoReturn

import typer

from batterypass.cli._app import app, emit_json, error_record, exit_code_for, state
from batterypass.cli._io import (
    JSON_OPT,
    UsageError,
    atomic_write,
    check_target,
    load_passport,
    parse_time,
)
from batterypass.codec import json as bp_json
from batterypass.errors import ValidationError
from batterypass.interop import battery_pass as dm
from batterypass.interop import catena_x as cx
from batterypass.model import Audience


class ImportFormat(enum.StrEnum):
    auto = "auto"
    battery_pass_dm = "battery-pass-dm"  # noqa: S105 - a format name, not a password
    catena_x = "catena-x"


@app.command(name="import")
def import_cmd(
    paths: list[Path] = typer.Argument(
        ...,
        help="Aspect files or directories holding them, or one Catena-X battery pass file "
        "(format and aspect detected from content).",
    ),
    fmt: ImportFormat = typer.Option(
        ImportFormat.auto, "--format", help="Source data model (default: from the content)."
    ),
    out: Path = typer.Option(..., "--out", help="Passport JSON to write."),
    issued_at: str | None = typer.Option(
        None,
        "--issued-at",
        help="Issue time of the new passport (default: now; Catena-X: its issueDate).",
    ),
    issuer: str | None = typer.Option(
        None, "--issuer", help="Economic operator id (default: the operator in the data)."
    ),
    supplement_out: Path | None = typer.Option(
        None,
        "--supplement-out",
        help="Catena-X: also write the export supplement, what the payload holds beyond the "
        "passport (give it to export --supplement to write the payload again).",
    ),
    passport_id: str | None = typer.Option(None, "--passport-id", help="Passport identifier."),
    battery_id: str | None = typer.Option(None, "--battery-id", help="Battery identifier."),
    force: bool = typer.Option(False, "--force", help="Replace an existing OUT."),
    as_json: bool = JSON_OPT,
) -> int:
    """Import Battery Pass consortium aspect documents (v1.2) or a Catena-X battery pass
    (6.0.0, 6.1.0) into a batterypass passport."""
    for target in (out, supplement_out):
        if target is not None and target.exists() and not force:
            raise UsageError("exists already; use --force to replace it", source=str(target))
    if supplement_out is not None and supplement_out.resolve() == out.resolve():
        raise UsageError("--supplement-out must differ from --out", source=str(out))
    for path in paths:
        if not path.exists():
            raise UsageError("no such file or directory", source=str(path))
    if fmt is ImportFormat.catena_x or (
        fmt is ImportFormat.auto and len(paths) == 1 and paths[0].is_file()
    ):
        doc = cx.read_catena_x_file(paths[0])
        if fmt is ImportFormat.catena_x or cx.is_catena_x(doc):
            if len(paths) != 1:
                raise UsageError("a Catena-X battery pass is one file")
            if passport_id is not None or battery_id is not None:
                raise UsageError("--passport-id and --battery-id are for consortium aspects")
            return _import_catena_x(
                doc, paths[0], out, supplement_out, issued_at, issuer, force, as_json
            )
    if supplement_out is not None:
        raise UsageError("--supplement-out is for a Catena-X battery pass")
    docs = dm.read_aspect_files(paths)
    notes: list[str] = []
    try:
        passport = dm.import_aspects(
            docs,
            issued_at=parse_time(issued_at, "--issued-at")
            or datetime.now(UTC).replace(microsecond=0),
            issuer=issuer,
            passport_id=passport_id,
            battery_id=battery_id,
            notes=notes,
        )
    except ValidationError as e:
        _report_every_issue(e, None, as_json)
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


def _report_every_issue(error: ValidationError, source: str | None, as_json: bool) -> NoReturn:
    """Every issue of a failed import, one line each (document, JSON pointer, problem, legal
    basis), or all of them in the ``--json`` error record; then the import's exit code."""
    if source is not None:
        error = error.with_source(source)  # type: ignore[assignment]
    if as_json:
        emit_json({"error": error_record(error)})
    else:
        prefix = f"{source}: " if source else ""
        for issue in error.issues or ():
            where = " ".join(
                [str(issue.path[0]), "".join(f"/{t}" for t in issue.path[1:])]
            ).rstrip()
            basis = f" [{issue.legal_basis}]" if issue.legal_basis else ""
            state.err.print(f"batterypass: {prefix}{where}: {issue.message}{basis}", markup=False)
        if not error.issues:
            state.err.print(f"batterypass: {error}", markup=False)
    raise typer.Exit(int(exit_code_for(error)))


def _import_catena_x(
    doc: dict[str, object],
    path: Path,
    out: Path,
    supplement_out: Path | None,
    issued_at: str | None,
    issuer: str | None,
    force: bool,
    as_json: bool,
) -> int:
    notes: list[str] = []
    try:
        passport = cx.import_catena_x(
            doc, issued_at=parse_time(issued_at, "--issued-at"), issuer=issuer, notes=notes
        )
    except ValidationError as e:
        _report_every_issue(e, str(path), as_json)
    # Both files are complete, and both targets checked, before either is written; each
    # write is atomic.
    payload = bp_json.dumps(passport).encode("utf-8")
    extra = None
    if supplement_out is not None:
        extra = cx.dumps_catena_x(cx.supplement_of(doc, passport)).encode("utf-8")
        for target in (out, supplement_out):
            check_target(target, force=force)
    atomic_write(out, payload, force=force)
    if supplement_out is not None and extra is not None:
        atomic_write(supplement_out, extra, force=force)
    record: dict[str, object] = {"out": str(out), "format": "catena-x", "notes": notes}
    if supplement_out is not None:
        record["supplement"] = str(supplement_out)
    if as_json:
        emit_json(record)
    else:
        for note in notes:
            state.out.print(f"note: {note}", markup=False)
        state.err.print(f"wrote {out} from the Catena-X battery pass {path}", markup=False)
        if supplement_out is not None:
            state.err.print(f"wrote the export supplement {supplement_out}", markup=False)
    return 0


class ExportFormat(enum.StrEnum):
    battery_pass_dm = "battery-pass-dm"  # noqa: S105 - a format name, not a password
    catena_x = "catena-x"


class PerformanceVersion(enum.StrEnum):
    v120 = "1.2.0"
    v121 = "1.2.1"


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
    out: Path = typer.Option(
        ...,
        "--out",
        help="Directory for one file per aspect (battery-pass-dm), or the file (catena-x).",
    ),
    audience: ExportAudience = typer.Option(
        ExportAudience.full,
        "--audience",
        help="Export only what this audience may see (the consortium mixes access groups "
        "within aspects).",
    ),
    performance_version: PerformanceVersion | None = typer.Option(
        None,
        "--performance-version",
        help="PerformanceAndDurability version to write (battery-pass-dm; default 1.2.1). "
        "1.2.0 is for consumers on the 1.2.0 schemas and cannot hold the idle temperature "
        "range.",
    ),
    supplement: Path | None = typer.Option(
        None,
        "--supplement",
        help="Catena-X: a partial payload of values the passport does not hold (data-matrix "
        "code, version label, ...), merged where the passport writes nothing.",
    ),
    strict: bool = typer.Option(False, "--strict", help="Fail if anything would be lost."),
    force: bool = typer.Option(False, "--force", help="Replace existing aspect files."),
    as_json: bool = JSON_OPT,
) -> int:
    """Export a passport as Battery Pass consortium aspect documents (one file per aspect) or
    as one Catena-X battery pass 6.1.0 file."""
    if performance_version is not None and fmt is not ExportFormat.battery_pass_dm:
        raise UsageError("--performance-version applies to --format battery-pass-dm only")
    full = load_passport(passport).passport
    seen_by = None if audience is ExportAudience.full else Audience(audience.value)
    p = full if seen_by is None else full.view(seen_by)
    if supplement is not None and fmt is not ExportFormat.catena_x:
        raise UsageError("--supplement applies to --format catena-x only")
    if fmt is ExportFormat.catena_x:
        extra = cx.read_catena_x_file(supplement) if supplement is not None else None
        try:
            # The export views the passport itself, to tell a supplement value that would
            # add to what the audience may not see.
            payload = cx.export_catena_x(full, strict=strict, supplement=extra, audience=seen_by)
        except ValidationError as e:
            _report_every_issue(e, str(supplement), as_json)
        if out.is_dir():
            raise UsageError("is a directory; give the file to write", source=str(out))
        atomic_write(out, cx.dumps_catena_x(payload).encode("utf-8"), force=force)
        if as_json:
            emit_json(
                {
                    "out": str(out),
                    "format": fmt.value,
                    "files": [str(out)],
                    "notes": [str(n) for n in payload.notes],
                    "supplied": list(payload.supplied),
                }
            )
        else:
            for note in payload.notes:
                state.out.print(f"note: {note}", markup=False)
            from_sup = (
                f" ({len(payload.supplied)} value(s) from the supplement {supplement})"
                if supplement is not None
                else ""
            )
            state.err.print(f"wrote the Catena-X battery pass {out}{from_sup}", markup=False)
        return 0
    version = performance_version or PerformanceVersion(dm.PERFORMANCE_EXPORT_VERSION)
    docs = dm.export_aspects(p, strict=strict, performance_version=version.value)
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
                "performance_version": version.value,
                "files": [str(t) for t in targets.values()],
                "notes": [str(n) for n in docs.notes],
            }
        )
    else:
        for note in docs.notes:
            state.out.print(f"note: {note}", markup=False)
        state.err.print(f"wrote {len(targets)} aspect file(s) to {out}", markup=False)
    return 0
