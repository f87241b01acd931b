"""Commands on passport documents: validate, show, completeness, schema, convert."""

from __future__ import annotations

import enum
from decimal import Decimal
from pathlib import Path
from typing import Any

import typer
from rich.table import Table

from batterypass.circularity import check_recycling_potential
from batterypass.cli._app import ExitCode, app, emit_json, error_record, exit_code_for, state
from batterypass.cli._io import JSON_OPT, UsageError, atomic_write, load_passport, parse_day
from batterypass.codec import json as bp_json
from batterypass.errors import BatteryPassError, ValidationError
from batterypass.model import (
    Audience,
    BatteryPassport,
    CompletenessReport,
    completeness,
    iter_data_points,
)

FILES = typer.Argument(..., help="Passport files (JSON or CBOR, detected from content).")
AT_OPT = typer.Option(
    None,
    "--at",
    help="Judge the dated obligations at this date, YYYY-MM-DD (completeness default: the "
    "issue date, at the earliest 2027-02-18; see specs/obligations.md).",
)


def _completeness_record(report: CompletenessReport) -> dict[str, Any]:
    return {
        "at": report.at.isoformat(),
        "scope": report.scope.value if report.scope else None,
        "passport_required": report.passport_required,
        "reason": report.reason,
        "complete": report.complete,
        "checked": report.checked,
        "missing": [
            {
                "path": g.path,
                "description": g.description,
                "legal_basis": g.legal_basis,
                "access_group": int(g.group),
            }
            for g in report.gaps
        ],
        "not_yet_required": [
            {
                "path": n.path,
                "description": n.description,
                "legal_basis": n.legal_basis,
                "access_group": int(n.group),
                "reason": n.reason,
            }
            for n in report.not_yet_required
        ],
    }


def _print_completeness(file: Path, report: CompletenessReport) -> None:
    state.out.print(f"{file}: at {report.at.isoformat()}: {report.reason}", markup=False)
    for g in report.gaps:
        state.out.print(
            f"{file}: missing: {g.path} ({g.description}) [{g.legal_basis}]", markup=False
        )
    for n in report.not_yet_required:
        state.out.print(f"{file}: {n}", markup=False)


def _report_error(path: Path, error: BatteryPassError) -> None:
    if isinstance(error, ValidationError):
        for issue in error.issues:
            state.out.print(f"{path}: invalid: {issue}", markup=False)
    else:
        error.source = None
        state.out.print(f"{path}: {_kind(error)}: {error}", markup=False)


def _kind(error: BatteryPassError) -> str:
    code = exit_code_for(error)
    return {
        ExitCode.UNDECODABLE: "undecodable",
        ExitCode.USAGE: "error",
        ExitCode.INVALID: "invalid",
    }.get(code, "error")


@app.command()
def validate(files: list[Path] = FILES, as_json: bool = JSON_OPT, at: str | None = AT_OPT) -> int:
    """Check passport files against the model and the Regulation's rules; with ``--at``, also
    that every data point due at that date is present (missing ones make the file invalid)."""
    day = parse_day(at, "--at")
    worst = ExitCode.OK
    results: list[dict[str, Any]] = []
    for path in files:
        try:
            loaded = load_passport(path)
            # A stored recycling potential is derived data: it must match the composition.
            check_recycling_potential(loaded.passport)
        except BatteryPassError as e:
            e.source = e.source or str(path)
            code = exit_code_for(e)
            worst = max(worst, code)
            results.append({"file": str(path), "ok": False, "error": error_record(e)})
            if not as_json:
                _report_error(path, e)
            continue
        p = loaded.passport
        report = completeness(p, at=day) if day is not None else None
        ok = report is None or not report.gaps
        if not ok:
            worst = max(worst, ExitCode.INVALID)
        record: dict[str, Any] = {
            "file": str(path),
            "ok": ok,
            "format": loaded.format,
            "passport_id": p.passport_id,
            "notes": loaded.notes,
        }
        if report is not None:
            record["completeness"] = _completeness_record(report)
        results.append(record)
        if not as_json:
            for note in loaded.notes:
                state.out.print(f"{path}: note: {note}", markup=False)
            if report is not None:
                _print_completeness(path, report)
            scope = p.scope.value if p.scope else "unknown scope"
            if ok:
                state.out.print(f"{path}: valid ({loaded.format}, {scope})", markup=False)
            else:
                state.out.print(
                    f"{path}: invalid: {len(report.gaps) if report else 0} data point(s) due "
                    f"on {day} missing ({loaded.format}, {scope})",
                    markup=False,
                )
    if as_json:
        emit_json({"ok": worst == ExitCode.OK, "files": results})
    return int(worst)


class ViewName(enum.StrEnum):
    full = "full"
    public = "public"
    legitimate_interest = "legitimate-interest"
    authority = "authority"
    commission = "commission"


def _fmt(value: Any) -> str:
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, tuple):
        if not value:
            return "(none declared)"
        return "; ".join(_fmt(v) for v in value)
    if hasattr(value, "model_dump"):
        return ", ".join(_leaves(value.model_dump(mode="json", exclude_none=True)))
    if isinstance(value, enum.Enum):
        return str(value.value)
    return str(value)


def _leaves(value: Any) -> list[str]:
    if isinstance(value, dict):
        return [leaf for v in value.values() for leaf in _leaves(v)]
    if isinstance(value, list):
        return [leaf for v in value for leaf in _leaves(v)]
    return [str(value)]


@app.command()
def show(
    file: Path = typer.Argument(..., help="Passport file (JSON or CBOR)."),
    view: ViewName = typer.Option(
        ViewName.full, "--view", help="Show only what this audience may see (Art. 77(2))."
    ),
    as_json: bool = JSON_OPT,
) -> int:
    """Show a passport, or the view of it one audience may see."""
    passport = load_passport(file).passport
    if view is not ViewName.full:
        passport = passport.view(Audience(view.value))
    if as_json:
        emit_json(_json_value(passport))
        return 0
    table = Table(title=f"{file} ({view.value} view)", show_lines=False)
    table.add_column("data point", overflow="fold")
    table.add_column("value", overflow="fold")
    table.add_column("unit")
    table.add_column("group", justify="right")
    for ref in iter_data_points():
        value: Any = passport
        for name in ref.path:
            value = getattr(value, name)
        if value is None:
            continue
        table.add_row(
            ".".join(ref.path), _fmt(value), ref.info.unit or "", str(ref.info.group.value)
        )
    state.out.print(table)
    return 0


def _json_value(passport: BatteryPassport) -> Any:
    import json

    return json.loads(bp_json.dumps(passport), parse_float=Decimal)


@app.command(name="completeness")
def completeness_cmd(
    file: Path = typer.Argument(..., help="Passport file (JSON or CBOR)."),
    as_json: bool = JSON_OPT,
    at: str | None = AT_OPT,
) -> int:
    """List mandatory Annex XIII data points still missing for the battery's category, at a
    date; those whose duty does not apply yet are reported as not yet required."""
    day = parse_day(at, "--at")
    passport = load_passport(file).passport
    report = completeness(passport, at=day)
    if as_json:
        emit_json({"file": str(file), **_completeness_record(report)})
    else:
        _print_completeness(file, report)
        verdict = "complete" if report.complete else f"{len(report.gaps)} missing"
        later = (
            f", {len(report.not_yet_required)} not yet required" if report.not_yet_required else ""
        )
        state.out.print(
            f"{file}: {verdict} ({report.checked} mandatory data points due{later})",
            markup=False,
        )
    return 0 if report.complete else int(ExitCode.INVALID)


@app.command()
def schema(
    out: Path | None = typer.Option(None, "--out", help="Write to this file instead of stdout."),
    force: bool = typer.Option(False, "--force", help="Replace an existing output file."),
) -> int:
    """Print the JSON Schema of the passport model."""
    text = bp_json.passport_json_schema()
    if out is None:
        state.out.file.write(text)
    else:
        atomic_write(out, text.encode("utf-8"), force=force)
    return 0


class Target(enum.StrEnum):
    json = "json"
    cbor = "cbor"


@app.command()
def convert(
    src: Path = typer.Argument(..., metavar="IN", help="Passport file (JSON or CBOR)."),
    dst: Path = typer.Argument(..., metavar="OUT", help="Output file."),
    to: Target | None = typer.Option(
        None, "--to", help="Output format (default: from OUT's extension)."
    ),
    force: bool = typer.Option(False, "--force", help="Replace an existing OUT."),
) -> int:
    """Convert a passport between JSON and deterministic CBOR."""
    target = to
    if target is None:
        suffix = dst.suffix.lower().lstrip(".")
        if suffix not in ("json", "cbor"):
            raise UsageError("cannot tell the output format from the extension; use --to")
        target = Target(suffix)
    if dst.exists() and not force:
        raise UsageError("exists already; use --force to replace it", source=str(dst))
    passport = load_passport(src).passport
    if target is Target.json:
        data = bp_json.dumps(passport).encode("utf-8")
    else:
        from batterypass.codec import cbor

        data = cbor.dumps(passport)
    atomic_write(dst, data, force=force)
    if not state.json:
        state.err.print(f"wrote {dst} ({target.value}, {len(data)} bytes)", markup=False)
    return 0
