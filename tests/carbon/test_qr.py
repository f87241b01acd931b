"""QR code helpers (segno)."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest

from batterypass.carbon import qr_png, qr_svg
from batterypass.carbon._qr import qr_modules
from batterypass.errors import ValidationError

URI = "https://id.example-cells.example/01/09506000134352/21/EVP75-000123"


def test_svg_is_well_formed_and_deterministic() -> None:
    svg = qr_svg(URI)
    assert svg == qr_svg(URI)
    root = ET.fromstring(svg)
    assert root.tag == "{http://www.w3.org/2000/svg}svg"
    size, _ = qr_modules(URI)
    assert root.get("width") == str(4 * (size + 8))  # scale 4, quiet zone of 4 modules


def test_png_is_png_and_deterministic() -> None:
    png = qr_png(URI, scale=2)
    assert png.startswith(b"\x89PNG\r\n\x1a\n")
    assert png == qr_png(URI, scale=2)


def test_regular_qr_not_micro_qr_even_for_short_data() -> None:
    size, _ = qr_modules("A")
    assert size >= 21  # Micro QR symbols are 11 to 17 modules wide


@pytest.mark.parametrize("data", ["", "x" * 8000])
def test_unencodable_data(data: str) -> None:
    with pytest.raises(ValidationError):
        qr_svg(data)
