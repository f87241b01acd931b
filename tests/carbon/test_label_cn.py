"""China's carbon-footprint declaration on a label, and the label command's --regime.

Regenerate the golden file after an intended change with
``BATTERYPASS_UPDATE_GOLDEN=1 pytest tests/carbon/test_label_cn.py`` and review the diff.
"""

from __future__ import annotations

import os
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from batterypass.carbon import CN_REGIME, EU_REGIME, ThresholdScheme, render_cn_label, render_label
from batterypass.cli import run
from batterypass.codec import json as bp_json
from batterypass.errors import ValidationError
from batterypass.model import BatteryPassport

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "examples" / "passports"
DUAL = EXAMPLES / "ev-dual-market.json"
GOLDEN = Path(__file__).resolve().parent / "golden" / "ev-dual-market-cn.svg"
SVG = "{http://www.w3.org/2000/svg}"
UPDATE = os.environ.get("BATTERYPASS_UPDATE_GOLDEN") == "1"


def load(path: Path = DUAL) -> BatteryPassport:
    return bp_json.loads(path.read_text(encoding="utf-8"))


def texts(svg: str) -> list[str]:
    return ["".join(t.itertext()) for t in ET.fromstring(svg).iter(f"{SVG}text")]


def test_golden() -> None:
    p = load()
    svg = render_cn_label(p, uri=p.battery_id)
    if UPDATE:
        GOLDEN.write_text(svg, encoding="utf-8", newline="\n")
    assert svg == GOLDEN.read_text(encoding="utf-8"), f"label changed: see {GOLDEN}"


def test_content_is_the_chinese_declaration_and_names_its_regime() -> None:
    p = load()
    svg = render_cn_label(p, uri=p.battery_id)
    assert svg == render_cn_label(p, uri=p.battery_id)
    words = texts(svg)
    joined = " ".join(words)
    assert "Battery carbon footprint: China" in words
    assert CN_REGIME in words
    assert "0.047" in joined  # China's value
    assert "0.052" not in joined  # never the EU value
    for expected in (
        "MIIT traction-battery carbon-footprint accounting",
        "Example Verification Centre (Shenzhen) Co., Ltd.",
        "material acquisition, battery manufacturing,",
        "2026-10-08, trial phase (to 31 December 2026)",
        "112500 kWh",
        "X9DPE75EVP75SZG9X0000457",
        "No performance class: China's declaration defines none.",
    ):
        assert expected in joined, expected
    assert "Performance class" not in joined
    assert "Regulation (EU)" not in joined


def test_the_eu_label_of_the_same_passport_shows_the_eu_declaration_only() -> None:
    p = load()
    scheme = ThresholdScheme.from_file(ROOT / "examples" / "schemes" / "illustrative-2027.json")
    joined = " ".join(texts(render_label(p, scheme=scheme, uri=p.battery_id)))
    assert "0.052" in joined
    assert "0.047" not in joined
    assert "China" not in joined


def test_no_chinese_declaration_no_label() -> None:
    p = load(EXAMPLES / "ev-nmc.json")
    with pytest.raises(ValidationError) as caught:
        render_cn_label(p, uri=p.battery_id)
    assert caught.value.path == ("china", "carbon_footprint")
    assert "no Chinese carbon-footprint declaration" in str(caught.value)


def test_text_is_escaped() -> None:
    p = load()
    assert p.china.carbon_footprint is not None
    hostile = p.china.carbon_footprint.model_copy(update={"verifier": "<b>&'\"\x01"})
    p = p.model_copy(update={"china": p.china.model_copy(update={"carbon_footprint": hostile})})
    svg = render_cn_label(p, uri=p.battery_id)
    assert "<b>" not in svg
    assert any("<b>&'\"\ufffd" in t for t in texts(svg))


def test_bad_uri() -> None:
    with pytest.raises(ValidationError, match="absolute http"):
        render_cn_label(load(), uri="not a uri")


# --- the command ----------------------------------------------------------------------------


def test_label_command_regime_cn(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "cn.svg"
    assert run(["label", str(DUAL), "--regime", "cn", "--out", str(out)]) == 0
    err = capsys.readouterr().err
    assert f"regime {CN_REGIME}; scheme: none (no performance classes)" in err
    p = load()
    assert out.read_text(encoding="utf-8") == render_cn_label(p, uri=p.battery_id)


def test_label_command_says_regime_and_scheme_for_the_eu(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "eu.svg"
    scheme = ROOT / "examples" / "schemes" / "greater-bay-area-example.toml"
    assert run(["label", str(DUAL), "--out", str(out), "--scheme", str(scheme)]) == 1
    # The example declares class B of the illustrative scheme: the made-up GBA scheme gives
    # another class, so the declared class is refused (nothing is written).
    assert not out.exists()
    capsys.readouterr()
    assert run(["label", str(DUAL), "--regime", "eu", "--out", str(out)]) == 0
    err = capsys.readouterr().err
    assert f"regime {EU_REGIME}; scheme: batterypass-illustrative-2027 (not regulatory)" in err


def test_label_command_refuses_a_scheme_for_the_chinese_regime(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    scheme = ROOT / "examples" / "schemes" / "illustrative-2027.json"
    out = tmp_path / "cn.svg"
    args = ["label", str(DUAL), "--regime", "cn", "--scheme", str(scheme), "--out", str(out)]
    assert run(args) == 2
    assert "--scheme applies to the EU regime only" in capsys.readouterr().err
    assert not out.exists()


def test_label_command_without_a_chinese_declaration(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "cn.svg"
    assert run(["label", str(EXAMPLES / "ev-nmc.json"), "--regime", "cn", "--out", str(out)]) == 1
    assert "china.carbon_footprint: no Chinese carbon-footprint declaration" in (
        capsys.readouterr().err
    )
    assert not out.exists()
