"""A presentation's bytes in a QR code, so that a label can be verified offline."""

from __future__ import annotations

import io
from typing import Any, Final

import segno

from batterypass.errors import EncodeError

__all__ = ["QR_MAX_BYTES", "presentation_qr_png", "presentation_qr_svg"]

QR_MAX_BYTES: Final = 2953
"""The most bytes one QR code holds (version 40, error correction L, byte mode)."""


def _make(data: bytes) -> Any:
    if not isinstance(data, bytes) or not data:
        raise EncodeError("QR code data must be non-empty bytes")
    if len(data) > QR_MAX_BYTES:
        raise EncodeError(
            f"a presentation of {len(data)} bytes does not fit one QR code (at most "
            f"{QR_MAX_BYTES} bytes); embed the public presentation, or link to the passport"
        )
    try:
        # Level L is what lets 2,953 bytes fit; segno raises the level when the symbol has room.
        return segno.make(data, error="l", mode="byte", micro=False)
    except ValueError as e:  # segno.DataOverflowError is a ValueError
        raise EncodeError(f"cannot encode {len(data)} bytes in a QR code: {e}") from e


def presentation_qr_svg(data: bytes, *, scale: int = 4, border: int = 4) -> str:
    """A standalone SVG document of a QR code holding ``data`` (a presentation) byte for byte."""
    buf = io.BytesIO()
    _make(data).save(buf, kind="svg", scale=scale, border=border, xmldecl=False, nl=False)
    return buf.getvalue().decode("utf-8")


def presentation_qr_png(data: bytes, *, scale: int = 4, border: int = 4) -> bytes:
    """A PNG image of a QR code holding ``data`` (a presentation) byte for byte."""
    buf = io.BytesIO()
    _make(data).save(buf, kind="png", scale=scale, border=border)
    return buf.getvalue()
