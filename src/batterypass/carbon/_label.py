"""An SVG carbon-footprint label: value, class bands, lifecycle stages, scheme, QR code.

The output is deterministic (same passport, scheme and URI: same bytes), so it can be
golden-file tested and content-addressed. Every piece of text is escaped; characters XML 1.0
cannot carry are replaced by U+FFFD.
"""

from __future__ import annotations

import re
from decimal import Decimal
from urllib.parse import urlsplit
from xml.sax.saxutils import escape

from batterypass.carbon._footprint import STAGES, stage_shares
from batterypass.carbon._qr import qr_modules
from batterypass.carbon._schemes import Band, ClassScheme
from batterypass.errors import ValidationError
from batterypass.model import (
    CN_CARBON_FOOTPRINT_NOTICE,
    BatteryPassport,
    CarbonStage,
    ReportingPhase,
)

__all__ = ["CN_REGIME", "EU_REGIME", "render_cn_label", "render_label"]

EU_REGIME = "EU: Regulation (EU) 2023/1542, Art. 7 and Annex II"
"""The regime of :func:`render_label`, in the words the label and the CLI use."""
CN_REGIME = "China: MIIT notice 工信厅通装函〔2025〕551号 (traction-battery carbon footprint)"
"""The regime of :func:`render_cn_label`."""

WIDTH = 480
MARGIN = 24
FONT = "DejaVu Sans, Verdana, Arial, Helvetica, sans-serif"
MONO = "DejaVu Sans Mono, Menlo, Consolas, monospace"
INK = "#1b2a3a"
MUTED = "#5a6775"
HEADER = "#17324d"
ACCENT = "#2f6f9f"
WARN = "#b3400f"
# Seven steps from green (A, lowest impact) to red, as on EU energy labels.
MARKER = 84  # width of the arrow that points at the battery's class
PALETTE = ("#00a651", "#4cb848", "#bfd730", "#fff200", "#fdb913", "#f37021", "#ed1c24")

STAGE_NAMES = {
    CarbonStage.RAW_MATERIAL_ACQUISITION: "Raw material acquisition",
    CarbonStage.MAIN_PRODUCTION: "Main product production",
    CarbonStage.DISTRIBUTION: "Distribution",
    CarbonStage.END_OF_LIFE: "End of life and recycling",
}

_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def _esc(text: str) -> str:
    return escape(_NOT_XML.sub("\ufffd", text), {'"': "&quot;", "'": "&apos;"})


def _wrap(text: str, width: int, max_lines: int) -> list[str]:
    """Greedy word wrap by character count (no font metrics: deterministic everywhere);
    over-long words are cut; the last line ends in an ellipsis when text is left over."""
    pieces: list[str] = []
    for word in text.split():
        while len(word) > width:
            pieces.append(word[:width])
            word = word[width:]
        if word:
            pieces.append(word)
    lines: list[str] = []
    current = ""
    for piece in pieces:
        candidate = f"{current} {piece}" if current else piece
        if len(candidate) <= width:
            current = candidate
        else:
            lines.append(current)
            current = piece
    if current:
        lines.append(current)
    if len(lines) > max_lines:
        kept = lines[:max_lines]
        kept[-1] = kept[-1][: width - 1].rstrip() + "…"
        return kept
    return lines or [""]


def _colour(index: int, count: int) -> str:
    if count <= 1:
        return PALETTE[0]
    steps = len(PALETTE) - 1
    return PALETTE[(2 * index * steps + count - 1) // (2 * (count - 1))]


def _ink_on(fill: str) -> str:
    r, g, b = (int(fill[i : i + 2], 16) for i in (1, 3, 5))
    return "#000000" if 299 * r + 587 * g + 114 * b > 150_000 else "#ffffff"


def _estimated_width(text: str, size: int, *, bold: bool) -> float:
    # Average advance of DejaVu Sans is about 0.6 em (0.66 em bold); no font metrics needed.
    return len(text) * size * (0.66 if bold else 0.6)


def _num(value: Decimal) -> str:
    return format(value, "f")


def _text(
    x: float,
    y: float,
    content: str,
    *,
    size: int,
    fill: str = INK,
    weight: str | None = None,
    anchor: str | None = None,
    family: str | None = None,
    fit: float | None = None,
) -> str:
    """A text element; with ``fit``, text estimated wider than ``fit`` pixels gets a smaller
    font, down to 7 px, and is then cut with an ellipsis (not every SVG renderer honours
    ``textLength``, so the fitting is done here)."""
    if fit is not None:
        bold = weight == "bold"
        while size > 7 and _estimated_width(content, size, bold=bold) > fit:
            size -= 1
        while len(content) > 1 and _estimated_width(content, size, bold=bold) > fit:
            content = content[:-2].rstrip() + "…"
    attrs = f'x="{x:g}" y="{y:g}" font-size="{size}" fill="{fill}"'
    if weight:
        attrs += f' font-weight="{weight}"'
    if anchor:
        attrs += f' text-anchor="{anchor}"'
    if family:
        attrs += f' font-family="{family}"'
    return f"<text {attrs}>{_esc(content)}</text>"


def _range_text(band: Band) -> str:
    if band.upper is None:
        return f"> {_num(band.lower)}"
    return f"≤ {_num(band.upper)}"


def _check_uri(uri: str) -> None:
    parts = urlsplit(uri) if isinstance(uri, str) else None
    if (
        parts is None
        or parts.scheme not in ("https", "http")
        or not parts.netloc
        or any(c.isspace() or ord(c) < 32 for c in uri)
    ):
        raise ValidationError(
            "the label's QR code needs an absolute http(s) URI without white space"
        )


def render_label(passport: BatteryPassport, *, scheme: ClassScheme, uri: str) -> str:
    """Render the carbon-footprint label of ``passport`` as an SVG document.

    Shows the declared footprint per functional unit, the class bands of ``scheme`` with the
    battery's class (as ``scheme`` assigns it) highlighted, the four lifecycle stages and their
    shares, the scheme's name and, for an illustrative scheme, a notice that it is not
    regulatory, the battery model, the passport identifier, and a QR code for ``uri``.
    Raises :class:`ValidationError` if no footprint is declared or ``uri`` is unusable.
    """
    cf = passport.carbon_footprint
    total = cf.total_kg_co2e_per_kwh
    if total is None:
        raise ValidationError(
            "no carbon footprint declared: nothing to put on a label",
            path=("carbon_footprint", "total_kg_co2e_per_kwh"),
            legal_basis="Art. 7(1); Annex XIII(1)(c)",
        )
    _check_uri(uri)
    bands = scheme.bands()
    label = scheme.classify(total)
    chosen = next((i for i, b in enumerate(bands) if b.label == label), None)
    inner = WIDTH - 2 * MARGIN
    out: list[str] = []

    # ------------------------------------------------------------ header
    out.append(
        f'<path d="M0 10a10 10 0 0 1 10-10h{WIDTH - 20}a10 10 0 0 1 10 10v54h-{WIDTH}z" '
        f'fill="{HEADER}"/>'
    )
    out.append(
        _text(MARGIN, 31, "Battery carbon footprint", size=22, fill="#ffffff", weight="bold")
    )
    out.append(
        _text(MARGIN, 52, "Regulation (EU) 2023/1542, Art. 7 and Annex II", size=12, fill="#cfdbe8")
    )

    # ------------------------------------------------------------ value and class badge
    badge = 76
    bx, by = WIDTH - MARGIN - badge, 82
    fill = _colour(chosen, len(bands)) if chosen is not None else "#cccccc"
    out.append(
        f'<rect x="{bx}" y="{by}" width="{badge}" height="{badge}" rx="8" fill="{fill}" '
        f'stroke="{INK}" stroke-width="2"/>'
    )
    badge_size = 44 if len(label) <= 2 else 26 if len(label) <= 4 else 16
    out.append(
        _text(
            bx + badge / 2,
            by + badge / 2 + badge_size * 0.36,
            label,
            size=badge_size,
            fill=_ink_on(fill),
            weight="bold",
            anchor="middle",
            fit=badge - 12,
        )
    )
    out.append(
        _text(bx + badge / 2, by + badge + 14, "class", size=11, fill=MUTED, anchor="middle")
    )
    out.append(
        f'<text x="{MARGIN}" y="126" fill="{INK}">'
        f'<tspan font-size="44" font-weight="bold">{_esc(_num(total))}</tspan>'
        f'<tspan font-size="18" dx="10">kg CO₂e/kWh</tspan></text>'
    )
    out.append(_text(MARGIN, 150, "per kWh of total energy provided over the", size=11, fill=MUTED))
    out.append(_text(MARGIN, 164, "expected service life of the battery", size=11, fill=MUTED))
    y = 188
    out.append(f'<path d="M{MARGIN} {y}h{inner}" stroke="#d5dce3" stroke-width="1"/>')

    # ------------------------------------------------------------ class bands
    y += 24
    out.append(_text(MARGIN, y, "Performance class", size=13, weight="bold"))
    for line in _wrap(f"Scheme: {scheme.name}", 66, 2):
        y += 16
        out.append(_text(MARGIN, y, line, size=11, fill=MUTED))
    y += 12
    row, gap, tip = 26, 6, 13
    n = len(bands)
    for i, band in enumerate(bands):
        width = 110 + (140 * i) // max(n - 1, 1)
        colour = _colour(i, n)
        selected = i == chosen
        attrs = f'stroke="{INK}" stroke-width="2"' if selected else 'fill-opacity="0.35"'
        out.append(
            f'<path d="M{MARGIN} {y}h{width}l{tip} {row // 2}l-{tip} {row // 2}h-{width}z" '
            f'fill="{colour}" {attrs}/>'
        )
        out.append(
            _text(
                MARGIN + 10,
                y + 18,
                band.label,
                size=15,
                fill=_ink_on(colour) if selected else INK,
                weight="bold",
                fit=width - 14,
            )
        )
        out.append(
            _text(
                MARGIN + width + tip + 10,
                y + 18,
                _range_text(band),
                size=12,
                fill=INK if selected else MUTED,
                weight="bold" if selected else None,
            )
        )
        if selected:
            mx = WIDTH - MARGIN - MARKER
            out.append(
                f'<path d="M{mx} {y + row // 2}l{tip} -{row // 2}h{MARKER - tip}v{row}'
                f'h-{MARKER - tip}z" fill="{INK}"/>'
            )
            out.append(
                _text(
                    mx + (MARKER + tip) / 2,
                    y + 18,
                    band.label,
                    size=15 if len(band.label) <= 3 else 12,
                    fill="#ffffff",
                    weight="bold",
                    anchor="middle",
                    fit=MARKER - tip - 10,
                )
            )
        y += row + gap
    out.append(_text(MARGIN, y + 8, "kg CO₂e/kWh; upper bounds inclusive", size=10, fill=MUTED))
    y += 24
    out.append(f'<path d="M{MARGIN} {y}h{inner}" stroke="#d5dce3" stroke-width="1"/>')

    # ------------------------------------------------------------ lifecycle stages
    y += 24
    out.append(_text(MARGIN, y, "Lifecycle stages", size=13, weight="bold"))
    out.append(_text(400, y, "kg CO₂e/kWh", size=10, fill=MUTED, anchor="end"))
    out.append(_text(WIDTH - MARGIN, y, "share", size=10, fill=MUTED, anchor="end"))
    values = cf.stage_values()
    try:
        shares: dict[CarbonStage, Decimal] | None = stage_shares(cf)
    except ValidationError:
        shares = None
    for stage in STAGES:
        y += 22
        out.append(_text(MARGIN, y, STAGE_NAMES[stage], size=12))
        value = values[stage]
        if value is None:
            out.append(_text(WIDTH - MARGIN, y, "not declared", size=11, fill=MUTED, anchor="end"))
            continue
        out.append(_text(400, y, _num(value), size=12, anchor="end", family=MONO))
        if shares is not None:
            share = shares[stage]
            length = min(abs(share), Decimal(100)) * 110 / 100
            out.append(
                f'<rect x="218" y="{y - 10}" width="{length:.1f}" height="11" rx="2" '
                f'fill="{ACCENT}"/>'
            )
            out.append(
                _text(WIDTH - MARGIN, y, f"{share:.1f} %", size=12, anchor="end", family=MONO)
            )
    y += 18
    out.append(f'<path d="M{MARGIN} {y}h{inner}" stroke="#d5dce3" stroke-width="1"/>')

    # ------------------------------------------------------------ illustrative notice
    if scheme.illustrative:
        note = getattr(scheme, "note", None)
        text = (
            note.strip()
            if isinstance(note, str) and note.strip()
            else "this class scheme is not the EU scheme of Art. 7(2)"
        )
        lines = _wrap(text[:1].upper() + text[1:], 70, 3)
        height = 30 + 15 * len(lines)
        y += 14
        out.append(
            f'<rect x="{MARGIN}" y="{y}" width="{inner}" height="{height}" rx="6" '
            f'fill="#fff3e8" stroke="{WARN}" stroke-width="1.5"/>'
        )
        out.append(
            _text(
                MARGIN + 12,
                y + 20,
                "ILLUSTRATIVE, NOT REGULATORY",
                size=13,
                fill=WARN,
                weight="bold",
            )
        )
        for i, line in enumerate(lines):
            out.append(_text(MARGIN + 12, y + 38 + 15 * i, line, size=11, fill=INK))
        y += height

    height = _identity_and_code(out, passport, y, uri, code=None)
    title = f"Battery carbon footprint label: {_num(total)} kg CO2e/kWh, class {label}"
    return _document(out, title, height)


def _identity_and_code(
    out: list[str], passport: BatteryPassport, y: int, uri: str, *, code: str | None
) -> int:
    """The foot of both labels, from ``y`` on: battery model, GB/T 34014 ``code`` (if any) and
    passport identifier at the left, the QR code for ``uri`` at the right. Returns the
    label's height."""
    size, path = qr_modules(uri)
    quiet = 4
    scale = max(1, 136 // (size + 2 * quiet))
    box = scale * (size + 2 * quiet)
    qx, qy = WIDTH - MARGIN - box, y + 16
    text_width = 34
    ty = y + 16
    ty += 12
    out.append(_text(MARGIN, ty, "Battery model", size=10, fill=MUTED))
    for line in _wrap(passport.general.battery_model or "not declared", text_width, 2):
        ty += 16
        out.append(_text(MARGIN, ty, line, size=13, weight="bold"))
    if code is not None:
        ty += 22
        out.append(_text(MARGIN, ty, "GB/T 34014 code", size=10, fill=MUTED))
        ty += 15
        out.append(_text(MARGIN, ty, code, size=11, family=MONO))
    ty += 22
    out.append(_text(MARGIN, ty, "Passport", size=10, fill=MUTED))
    for line in _wrap(passport.passport_id, text_width + 2, 4):
        ty += 15
        out.append(_text(MARGIN, ty, line, size=11, family=MONO))
    ty += 22
    out.append(_text(MARGIN, ty, "Scan the code for the battery passport", size=10, fill=MUTED))
    out.append(
        f'<rect x="{qx}" y="{qy}" width="{box}" height="{box}" fill="#ffffff" '
        f'stroke="#d5dce3" stroke-width="1"/>'
    )
    out.append(
        f'<path transform="translate({qx + quiet * scale} {qy + quiet * scale}) scale({scale})" '
        f'd="{path}" fill="#000000" shape-rendering="crispEdges"/>'
    )
    return max(ty, qy + box) + MARGIN


def _document(out: list[str], title: str, height: int) -> str:
    """The SVG document around a label's elements."""
    head = (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{height}" '
        f'viewBox="0 0 {WIDTH} {height}" font-family="{FONT}" role="img">'
        f"<title>{_esc(title)}</title>"
        f'<rect x="0.5" y="0.5" width="{WIDTH - 1}" height="{height - 1}" rx="10" '
        f'fill="#ffffff" stroke="{HEADER}" stroke-width="1"/>'
    )
    return head + "\n" + "\n".join(out) + "\n</svg>\n"


_PHASE_TEXT = {
    ReportingPhase.TRIAL: "trial phase (to 31 December 2026)",
    ReportingPhase.REGULAR: "regular declaration (from 1 January 2027)",
}


def render_cn_label(passport: BatteryPassport, *, uri: str) -> str:
    """Render China's traction-battery carbon-footprint declaration of ``passport`` as an SVG
    label: the declared value per kWh of lifetime energy, the regime, method, boundary,
    verifier, declaration date and phase, the document link, the GB/T 34014 code, and a QR
    code for ``uri``.

    It shows no performance class: the Chinese declaration has none, and the EU class scheme
    is never applied to it. Raises :class:`ValidationError` if the passport holds no Chinese
    declaration or ``uri`` is unusable.
    """
    cn = passport.china.carbon_footprint
    if cn is None:
        raise ValidationError(
            "no Chinese carbon-footprint declaration: nothing to put on a label",
            path=("china", "carbon_footprint"),
            legal_basis=CN_CARBON_FOOTPRINT_NOTICE,
        )
    _check_uri(uri)
    inner = WIDTH - 2 * MARGIN
    out: list[str] = []
    out.append(
        f'<path d="M0 10a10 10 0 0 1 10-10h{WIDTH - 20}a10 10 0 0 1 10 10v54h-{WIDTH}z" '
        f'fill="{HEADER}"/>'
    )
    out.append(
        _text(MARGIN, 31, "Battery carbon footprint: China", size=22, fill="#ffffff", weight="bold")
    )
    out.append(_text(MARGIN, 52, CN_REGIME, size=12, fill="#cfdbe8", fit=inner))
    out.append(
        f'<text x="{MARGIN}" y="126" fill="{INK}">'
        f'<tspan font-size="44" font-weight="bold">{_esc(_num(cn.kg_co2e_per_kwh))}</tspan>'
        f'<tspan font-size="18" dx="10">kg CO₂e/kWh</tspan></text>'
    )
    out.append(
        _text(
            MARGIN, 150, "per kWh of the total energy the pack provides over", size=11, fill=MUTED
        )
    )
    out.append(
        _text(MARGIN, 164, "its whole life, as China's declaration defines it", size=11, fill=MUTED)
    )
    y = 188
    out.append(f'<path d="M{MARGIN} {y}h{inner}" stroke="#d5dce3" stroke-width="1"/>')
    y += 24
    out.append(_text(MARGIN, y, "Declaration", size=13, weight="bold"))
    rows: list[tuple[str, str]] = [
        ("Method", cn.method),
        ("Boundary", cn.boundary),
        ("Verified by", cn.verifier),
        ("Declared on", f"{cn.declared_on.isoformat()}, {_PHASE_TEXT[cn.reporting_phase]}"),
        ("Document", cn.document_url),
    ]
    if cn.lifetime_energy_kwh is not None:
        rows.insert(0, ("Lifetime energy", f"{_num(cn.lifetime_energy_kwh)} kWh"))
    for name, value in rows:
        y += 18
        out.append(_text(MARGIN, y, name, size=11, fill=MUTED))
        for i, line in enumerate(_wrap(value, 50, 3)):
            if i:
                y += 15
            out.append(_text(MARGIN + 110, y, line, size=11))
    y += 18
    out.append(f'<path d="M{MARGIN} {y}h{inner}" stroke="#d5dce3" stroke-width="1"/>')
    y += 14
    note = (
        "No performance class: China's declaration defines none. Not the EU carbon "
        "footprint of Art. 7: the two are never converted or compared."
    )
    lines = _wrap(note, 70, 3)
    height = 14 + 15 * len(lines)
    out.append(
        f'<rect x="{MARGIN}" y="{y}" width="{inner}" height="{height}" rx="6" '
        f'fill="#eef3f8" stroke="{ACCENT}" stroke-width="1"/>'
    )
    for i, line in enumerate(lines):
        out.append(_text(MARGIN + 12, y + 19 + 15 * i, line, size=11, fill=INK))
    y += height

    height = _identity_and_code(out, passport, y, uri, code=passport.china.gbt34014_code)
    title = (
        f"China traction-battery carbon footprint declaration: {_num(cn.kg_co2e_per_kwh)} "
        "kg CO2e/kWh, no performance class"
    )
    return _document(out, title, height)
