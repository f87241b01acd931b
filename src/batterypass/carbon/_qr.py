"""QR codes (segno) for labels: standalone SVG and PNG, and an inline path for embedding."""

from __future__ import annotations

import io
from typing import Any

import segno

from batterypass.errors import ValidationError

__all__ = ["qr_modules", "qr_png", "qr_svg"]


def _make(data: str) -> Any:
    if not isinstance(data, str) or not data:
        raise ValidationError("QR code data must be a non-empty string")
    try:
        # error="m" is the minimum; segno may raise it when that costs no larger symbol.
        # micro=False: a Micro QR code would not be read by ordinary phone scanners.
        return segno.make(data, error="m", micro=False)
    except ValueError as e:  # segno.DataOverflowError is a ValueError
        raise ValidationError(f"cannot encode {len(data)} characters in a QR code: {e}") from e


def qr_svg(data: str, *, scale: int = 4, border: int = 4) -> str:
    """A standalone SVG document of the QR code for ``data`` (error correction at least M)."""
    buf = io.BytesIO()
    _make(data).save(buf, kind="svg", scale=scale, border=border, xmldecl=False, nl=False)
    return buf.getvalue().decode("utf-8")


def qr_png(data: str, *, scale: int = 4, border: int = 4) -> bytes:
    """A PNG image of the QR code for ``data`` (error correction at least M)."""
    buf = io.BytesIO()
    _make(data).save(buf, kind="png", scale=scale, border=border)
    return buf.getvalue()


def qr_modules(data: str) -> tuple[int, str]:
    """The symbol size in modules (without quiet zone) and an SVG path ``d`` drawing its dark
    modules as unit squares, one horizontal run at a time, origin at the top-left module."""
    matrix = _make(data).matrix
    parts: list[str] = []
    for y, row in enumerate(matrix):
        x = 0
        width = len(row)
        while x < width:
            if row[x]:
                start = x
                while x < width and row[x]:
                    x += 1
                run = x - start
                parts.append(f"M{start} {y}h{run}v1h-{run}z")
            else:
                x += 1
    return len(matrix), "".join(parts)
