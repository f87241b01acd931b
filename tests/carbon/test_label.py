"""The SVG carbon-footprint label: golden files, well-formedness, content, escaping, QR code.

Regenerate the golden files after an intended change with
``BATTERYPASS_UPDATE_GOLDEN=1 pytest tests/carbon/test_label.py`` and review the diff (and a
rendering: ``rsvg-convert tests/carbon/golden/ev-nmc.svg -o /tmp/ev.png``).
"""

from __future__ import annotations

import os
import re
import xml.etree.ElementTree as ET
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
import segno

from batterypass.carbon import ThresholdScheme, render_label
from batterypass.carbon._qr import qr_modules
from batterypass.codec import json as bp_json
from batterypass.errors import ValidationError
from batterypass.model import BatteryPassport, parse_passport

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "examples" / "passports"
SCHEMES = ROOT / "examples" / "schemes"
GOLDEN = Path(__file__).resolve().parent / "golden"
SVG = "{http://www.w3.org/2000/svg}"
UPDATE = os.environ.get("BATTERYPASS_UPDATE_GOLDEN") == "1"


def load(name: str) -> BatteryPassport:
    return bp_json.loads((EXAMPLES / f"{name}.json").read_text(encoding="utf-8"))


def scheme(file: str) -> ThresholdScheme:
    return ThresholdScheme.from_file(SCHEMES / file)


def texts(svg: str) -> list[str]:
    root = ET.fromstring(svg)
    return ["".join(t.itertext()) for t in root.iter(f"{SVG}text")]


CASES = [
    ("ev-nmc", "illustrative-2027.json", "ev-nmc.svg"),
    ("lfp-storage", "illustrative-2027.json", "lfp-storage.svg"),
    ("lmt-ebike", "illustrative-2027.json", "lmt-ebike.svg"),
    ("lmt-ebike", "greater-bay-area-example.toml", "lmt-ebike-gba.svg"),
]


@pytest.mark.parametrize(("name", "scheme_file", "golden"), CASES)
def test_golden(name: str, scheme_file: str, golden: str) -> None:
    p = load(name)
    svg = render_label(p, scheme=scheme(scheme_file), uri=p.battery_id)
    path = GOLDEN / golden
    if UPDATE:
        path.parent.mkdir(exist_ok=True)
        path.write_text(svg, encoding="utf-8", newline="\n")
    assert svg == path.read_text(encoding="utf-8"), f"label changed: see {path}"


@pytest.mark.parametrize(("name", "scheme_file", "golden"), CASES)
def test_well_formed_and_deterministic(name: str, scheme_file: str, golden: str) -> None:
    p = load(name)
    s = scheme(scheme_file)
    svg = render_label(p, scheme=s, uri=p.battery_id)
    assert svg == render_label(p, scheme=s, uri=p.battery_id)
    root = ET.fromstring(svg)
    assert root.tag == f"{SVG}svg"
    assert root.get("viewBox", "").startswith("0 0 480 ")


def test_ev_label_content() -> None:
    p = load("ev-nmc")
    s = scheme("illustrative-2027.json")
    svg = render_label(p, scheme=s, uri=p.battery_id)
    shown = texts(svg)
    assert "0.052kg CO₂e/kWh" in shown  # value and unit in one text element
    assert shown.count("B") == 3  # badge, band, marker
    for band in ("A", "C", "D", "E"):
        assert band in shown
    for bound in ("≤ 0.025", "≤ 0.060", "≤ 0.150", "≤ 0.300", "> 0.300"):
        assert bound in shown
    for stage in (
        "Raw material acquisition",
        "Main product production",
        "Distribution",
        "End of life and recycling",
    ):
        assert stage in shown
    # stage values and shares: 0.032 / 0.052 = 61.5 %, 0.016 / 0.052 = 30.8 %, ...
    for value in ("0.032", "0.016", "0.001", "0.003", "61.5 %", "30.8 %", "1.9 %", "5.8 %"):
        assert value in shown
    assert "Scheme: batterypass-illustrative-2027 (not regulatory)" in shown
    assert "ILLUSTRATIVE, NOT REGULATORY" in shown
    assert "EVP-75 NMC811" in shown
    joined = "".join(shown)
    assert "urn:uuid:6f1c2a7e-3b4d-4e8f-9a10-2b3c4d5e6f70" in joined.replace(" ", "")
    title = ET.fromstring(svg).find(f"{SVG}title")
    assert title is not None
    assert title.text == "Battery carbon footprint label: 0.052 kg CO2e/kWh, class B"


def test_selected_band_is_highlighted() -> None:
    p = load("lfp-storage")
    svg = render_label(p, scheme=scheme("illustrative-2027.json"), uri=p.battery_id)
    root = ET.fromstring(svg)
    bands = [e for e in root.iter(f"{SVG}path") if e.get("fill") in _PALETTE]
    assert len(bands) == 5
    outlined = [e for e in bands if e.get("stroke-width") == "2"]
    faded = [e for e in bands if e.get("fill-opacity") == "0.35"]
    assert len(outlined) == 1
    assert len(faded) == 4
    assert outlined[0] is bands[0]  # class A


_PALETTE = {"#00a651", "#4cb848", "#bfd730", "#fff200", "#fdb913", "#f37021", "#ed1c24"}


def test_regulatory_scheme_has_no_notice() -> None:
    s = ThresholdScheme.from_mapping(
        {
            "format": "batterypass-class-scheme/1",
            "name": "some regulatory scheme",
            "illustrative": False,
            "unit": "kg CO2e/kWh",
            "classes": [{"label": "A", "upper_bound": Decimal("0.1")}, {"label": "B"}],
        }
    )
    p = load("ev-nmc")
    shown = texts(render_label(p, scheme=s, uri=p.battery_id))
    assert "ILLUSTRATIVE, NOT REGULATORY" not in shown
    assert "A" in shown


def _hostile_passport() -> BatteryPassport:
    data = bp_json.loads_value((EXAMPLES / "ev-nmc.json").read_text(encoding="utf-8"))
    data["general"]["battery_model"] = "Pack <script>alert(\"x\")</script> & \x01 'q' ]]>"
    return parse_passport(data)


def test_text_is_escaped() -> None:
    hostile = ThresholdScheme.from_mapping(
        {
            "format": "batterypass-class-scheme/1",
            "name": '<Scheme & "Co"> ]]> \'',
            "illustrative": True,
            "note": "<b>bold</b> & more",
            "unit": "kg CO2e/kWh",
            "classes": [
                {"label": "<A>", "upper_bound": Decimal("0.01")},
                {"label": "B&B", "upper_bound": Decimal("0.1")},
                {"label": '"C"'},
            ],
        }
    )
    p = _hostile_passport()
    svg = render_label(p, scheme=hostile, uri='https://example.com/p?a=<b>&c="d"')
    root = ET.fromstring(svg)  # well-formed despite everything
    assert not list(root.iter("script"))
    assert not list(root.iter(f"{SVG}script"))
    joined = "\n".join(texts(svg))
    assert '<script>alert("x")</script>' in joined  # shown as text, not markup
    assert "\ufffd" in joined  # the control character is replaced
    assert '<Scheme & "Co"> ]]> \'' in joined
    assert "<b>bold</b> & more" in joined
    assert "B&B" in joined  # the class of 0.052


def test_long_labels_and_identifiers_stay_inside() -> None:
    s = ThresholdScheme.from_mapping(
        {
            "format": "batterypass-class-scheme/1",
            "name": "x" * 300,
            "illustrative": True,
            "note": "y " * 400,
            "unit": "kg CO2e/kWh",
            "classes": [{"label": "L" * 16, "upper_bound": Decimal("0.1")}, {"label": "M"}],
        }
    )
    data = bp_json.loads_value((EXAMPLES / "ev-nmc.json").read_text(encoding="utf-8"))
    data["passport_id"] = "urn:example:" + "z" * 480
    data["general"]["battery_model"] = "w" * 4000
    p = parse_passport(data)
    svg = render_label(p, scheme=s, uri=p.battery_id)
    for element in ET.fromstring(svg).iter(f"{SVG}text"):
        assert float(element.get("x", 0)) < 480
        assert len("".join(element.itertext())) <= 72


def test_qr_code_is_the_uri() -> None:
    p = load("ev-nmc")
    uri = "https://id.example-cells.example/01/09506000134352/21/EVP75-000123"
    svg = render_label(p, scheme=scheme("illustrative-2027.json"), uri=uri)
    size, path = qr_modules(uri)
    qr = [e for e in ET.fromstring(svg).iter(f"{SVG}path") if e.get("d") == path]
    assert len(qr) == 1
    assert qr[0].get("shape-rendering") == "crispEdges"
    # the path draws exactly the dark modules of segno's symbol, error correction M or better
    symbol = segno.make(uri, error="m", micro=False)
    assert symbol.error in ("M", "Q", "H")
    assert size == len(symbol.matrix)
    dark = {(x, y) for y, row in enumerate(symbol.matrix) for x, bit in enumerate(row) if bit}
    drawn: set[tuple[int, int]] = set()
    for x, y, run in re.findall(r"M(\d+) (\d+)h(\d+)v1h-\d+z", path):
        drawn.update((int(x) + i, int(y)) for i in range(int(run)))
    assert drawn == dark


def test_no_footprint_no_label() -> None:
    data = bp_json.loads_value((EXAMPLES / "ev-nmc.json").read_text(encoding="utf-8"))
    data["carbon_footprint"] = {"performance_class": "B"}
    p = parse_passport(data)
    with pytest.raises(ValidationError, match="no carbon footprint") as info:
        render_label(p, scheme=scheme("illustrative-2027.json"), uri="https://example.com/p")
    assert info.value.path == ("carbon_footprint", "total_kg_co2e_per_kwh")


def test_missing_stage_is_shown_as_not_declared() -> None:
    data = bp_json.loads_value((EXAMPLES / "ev-nmc.json").read_text(encoding="utf-8"))
    del data["carbon_footprint"]["distribution_kg_co2e_per_kwh"]
    p = parse_passport(data)
    shown = texts(render_label(p, scheme=scheme("illustrative-2027.json"), uri=p.battery_id))
    assert "not declared" in shown
    assert not any(t.endswith(" %") for t in shown)  # no shares without all four stages


@pytest.mark.parametrize(
    "uri", ["", "ftp://example.com/p", "https://exa mple.com/p", "example.com/p", "https://"]
)
def test_bad_uri(uri: Any) -> None:
    p = load("ev-nmc")
    with pytest.raises(ValidationError, match="http"):
        render_label(p, scheme=scheme("illustrative-2027.json"), uri=uri)
