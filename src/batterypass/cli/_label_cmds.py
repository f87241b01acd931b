"""Commands for circularity and carbon-footprint outputs: recycling, label, qr."""

from __future__ import annotations

import enum
from datetime import UTC, date, datetime
from decimal import Decimal
from importlib import resources
from pathlib import Path
from typing import Any
from urllib.parse import quote

import typer
from rich.table import Table

from batterypass.carbon import (
    CN_REGIME,
    EU_REGIME,
    ClassScheme,
    ThresholdScheme,
    check_declared_class,
    qr_png,
    qr_svg,
    render_cn_label,
    render_label,
)
from batterypass.circularity import (
    ChemistryClass,
    recycled_content_compliance,
    recycling_potential,
)
from batterypass.cli._app import app, emit_json, state
from batterypass.cli._io import JSON_OPT, UsageError, atomic_write, load_passport, read_input
from batterypass.codec import json as bp_json
from batterypass.codec.gs1 import build_digital_link, parse_digital_link
from batterypass.disclosure import (
    QR_MAX_BYTES,
    open_presentation,
    presentation_qr_png,
    presentation_qr_svg,
)
from batterypass.errors import BatteryPassError, ValidationError
from batterypass.model import BatteryPassport, Element

BASE_URI_OPT = typer.Option(
    None,
    "--base-uri",
    help="Resolver base URI (e.g. https://id.example.com). Default: the battery's GS1 Digital "
    "Link identifier as it stands.",
)


def passport_uri(passport: BatteryPassport, base_uri: str | None) -> str:
    """The URI a QR code on the battery or its label should carry.

    A battery identified by a GS1 Digital Link URI keeps that identifier (re-based on
    ``base_uri`` when given); any other identifier needs ``base_uri`` and becomes
    ``<base_uri>/<percent-encoded passport id>``.
    """
    try:
        gtin, serial, base = parse_digital_link(passport.battery_id)
    except BatteryPassError:
        if base_uri is None:
            raise UsageError(
                "the battery identifier is not a GS1 Digital Link URI; give --base-uri"
            ) from None
        if not base_uri.startswith(("https://", "http://")):
            raise UsageError("--base-uri must be an http(s) URI") from None
        return f"{base_uri.rstrip('/')}/{quote(passport.passport_id, safe='')}"
    return build_digital_link(gtin, serial, base_uri=base_uri or base)


def _today() -> date:
    return datetime.now(UTC).date()


def _parse_date(value: str | None) -> date:
    if value is None:
        return _today()
    try:
        return date.fromisoformat(value)
    except ValueError as e:
        raise UsageError(f"--at: not an ISO 8601 date (YYYY-MM-DD): {value!r}") from e


def _load_rates(path: Path) -> dict[Element, Decimal]:
    raw = bp_json.loads_value(read_input(path, limit=1024 * 1024), source=str(path))
    if not isinstance(raw, dict):
        raise UsageError("a rates file is a JSON object {material: percent}", source=str(path))
    rates: dict[Element, Decimal] = {}
    for name, value in raw.items():
        try:
            element = Element(name)
        except ValueError:
            known = ", ".join(e.value for e in Element)
            raise ValidationError(
                f"unknown material {name!r} (known: {known})", path=(name,), source=str(path)
            ) from None
        if isinstance(value, bool) or not isinstance(value, int | Decimal):
            raise ValidationError(
                "a recovery rate is a number in percent", path=(name,), source=str(path)
            )
        rates[element] = Decimal(value)
    return rates


def _d(value: Decimal | None) -> str:
    return "" if value is None else format(value, "f")


@app.command()
def recycling(
    file: Path = typer.Argument(..., help="Passport file (JSON or CBOR)."),
    at: str | None = typer.Option(None, "--at", help="Date to apply the rules of (default today)."),
    rates: Path | None = typer.Option(
        None, "--rates", help="A recycler's declared recovery rates: JSON {material: percent}."
    ),
    efficiency_class: ChemistryClass | None = typer.Option(
        None,
        "--efficiency-class",
        help="Annex XII Part B class where the chemistry family does not tell it "
        "(solid-state, other).",
    ),
    as_json: bool = JSON_OPT,
) -> int:
    """Recycled-content compliance (Art. 8) and recycling potential (Annex XII)."""
    passport = load_passport(file).passport
    when = _parse_date(at)
    declared = _load_rates(rates) if rates is not None else None
    content = recycled_content_compliance(passport, at=when)
    potential = recycling_potential(
        passport,
        at=None if declared else when,
        rates=declared,
        efficiency_class=efficiency_class,
    )
    if as_json:
        emit_json(
            {
                "file": str(file),
                "recycled_content": content.to_dict(),
                "recycling_potential": potential.to_dict(),
            }
        )
    else:
        _print_content(file, content)
        _print_potential(file, potential)
    return 0 if content.compliant is not False else 1


def _print_content(file: Path, content: Any) -> None:
    table = Table(title=f"{file}: recycled content on {content.at} (Art. 8)")
    for column in ("material", "declared %", "required %", "in force from", "margin pp", "status"):
        table.add_column(column)
    for m in content.materials:
        table.add_row(
            m.material.value,
            _d(m.declared_percent),
            _d(m.required_percent),
            str(m.in_force_from or ""),
            _d(m.margin_pp),
            m.status.value,
        )
    state.out.print(table)
    state.out.print(f"{content.applicability.value}: {content.reason}", markup=False)
    for note in content.notes:
        state.out.print(f"note: {note}", markup=False)


def _print_potential(file: Path, potential: Any) -> None:
    table = Table(title=f"{file}: recycling potential (Annex XII Part C)")
    for column in ("material", "mass kg", "rate %", "recoverable kg", "rate source"):
        table.add_column(column)
    for m in potential.materials:
        table.add_row(
            m.element.value, _d(m.mass_kg), _d(m.rate_percent), _d(m.recoverable_kg), m.rate_source
        )
    state.out.print(table)
    state.out.print(f"total recoverable: {_d(potential.total_recoverable_kg)} kg", markup=False)
    if potential.not_assessed:
        names = ", ".join(e.value for e in potential.not_assessed)
        state.out.print(f"not assessed (no rate): {names}", markup=False)
    eff = potential.recycling_efficiency
    if eff is not None:
        state.out.print(
            f"recycling efficiency target: {_d(eff.minimum_percent)} % of the battery's mass "
            f"({eff.chemistry_class.value}, from {eff.in_force_from}, {eff.legal_basis})",
            markup=False,
        )
    d = potential.dismantling
    state.out.print(
        f"dismantling readiness (batterypass indicator, not a legal value): {_d(d.percent)} %",
        markup=False,
    )
    for note in potential.notes:
        state.out.print(f"note: {note}", markup=False)


def _scheme(path: Path | None) -> ClassScheme:
    if path is not None:
        if not path.exists():
            raise UsageError("no such scheme file", source=str(path))
        return ThresholdScheme.from_file(path)
    text = resources.files("batterypass").joinpath("data", "illustrative-2027.json").read_text()
    state.err.print(
        "batterypass: no --scheme given: using the bundled ILLUSTRATIVE scheme (not regulatory; "
        "the EU class limits are not yet published)",
        markup=False,
    )
    return ThresholdScheme.from_json(text)


class Regime(enum.StrEnum):
    eu = "eu"
    cn = "cn"


@app.command()
def label(
    file: Path = typer.Argument(..., help="Passport file (JSON or CBOR)."),
    out: Path = typer.Option(..., "--out", help="SVG file to write."),
    scheme: Path | None = typer.Option(
        None,
        "--scheme",
        help="Class scheme file (JSON or TOML), EU regime only. Default: illustrative example.",
    ),
    regime: Regime = typer.Option(
        Regime.eu,
        "--regime",
        help="Which declaration to show: eu (Art. 7, with class bands) or cn (China's "
        "traction-battery declaration, no classes). Never converted into each other.",
    ),
    base_uri: str | None = BASE_URI_OPT,
    force: bool = typer.Option(False, "--force", help="Replace an existing OUT."),
) -> int:
    """Render a carbon-footprint label (SVG) with a QR code: the EU declaration with class
    bands, or with --regime cn China's declaration. Says which regime and scheme it shows."""
    if regime is Regime.cn and scheme is not None:
        raise UsageError(
            "--scheme applies to the EU regime only: China's declaration has no performance classes"
        )
    if out.exists() and not force:
        raise UsageError("exists already; use --force to replace it", source=str(out))
    passport = load_passport(file).passport
    if regime is Regime.cn:
        try:
            svg = render_cn_label(passport, uri=passport_uri(passport, base_uri))
        except BatteryPassError as e:
            raise e.with_source(str(file)) from None
        shown = f"regime {CN_REGIME}; scheme: none (no performance classes)"
    else:
        chosen = _scheme(scheme)
        if passport.carbon_footprint.performance_class is not None:
            check_declared_class(passport, chosen)
        svg = render_label(passport, scheme=chosen, uri=passport_uri(passport, base_uri))
        shown = f"regime {EU_REGIME}; scheme: {chosen.name}"
    atomic_write(out, svg.encode("utf-8"), force=force)
    state.err.print(f"wrote {out}: {shown}", markup=False)
    return 0


class QrFormat(enum.StrEnum):
    svg = "svg"
    png = "png"


@app.command()
def qr(
    file: Path = typer.Argument(..., help="Passport file (JSON or CBOR)."),
    out: Path = typer.Option(..., "--out", help="qr.svg or qr.png."),
    base_uri: str | None = BASE_URI_OPT,
    embed: bool = typer.Option(
        False,
        "--embed",
        help="FILE is a presentation (batterypass present): put its bytes in the QR code, "
        "so that the label can be verified offline.",
    ),
    force: bool = typer.Option(False, "--force", help="Replace an existing OUT."),
) -> int:
    """Write the QR code linking the battery to its passport (GS1 Digital Link), or with
    --embed holding a presentation."""
    suffix = out.suffix.lower().lstrip(".")
    if suffix not in ("svg", "png"):
        raise UsageError("--out must end in .svg or .png")
    if out.exists() and not force:
        raise UsageError("exists already; use --force to replace it", source=str(out))
    if embed:
        return _embed_qr(file, out, suffix, force)
    passport = load_passport(file).passport
    uri = passport_uri(passport, base_uri)
    data = qr_svg(uri).encode("utf-8") if suffix == "svg" else qr_png(uri)
    atomic_write(out, data, force=force)
    state.err.print(f"wrote {out}: {uri}", markup=False)
    return 0


def _embed_qr(file: Path, out: Path, suffix: str, force: bool) -> int:
    presentation = read_input(file)
    try:
        open_presentation(presentation)  # a presentation, not any file (not verified here)
    except BatteryPassError as e:
        raise e.with_source(str(file)) from None
    if suffix == "svg":
        data = presentation_qr_svg(presentation).encode("utf-8")
    else:
        data = presentation_qr_png(presentation)
    atomic_write(out, data, force=force)
    state.err.print(
        f"wrote {out}: {len(presentation)} bytes of presentation embedded "
        f"(a QR code holds at most {QR_MAX_BYTES})",
        markup=False,
    )
    return 0
