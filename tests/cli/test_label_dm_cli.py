"""CLI: recycling, label, qr, import/export, and validate's recheck of derived data."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from batterypass.circularity import recycling_potential
from batterypass.cli import run
from batterypass.codec import json as bp_json

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "examples" / "passports"
EV = str(EXAMPLES / "ev-nmc.json")


def test_recycling_compliant_then_not(capsys: pytest.CaptureFixture[str]) -> None:
    assert run(["recycling", EV, "--at", "2032-01-01"]) == 0
    out = capsys.readouterr().out
    assert "53.295" in out  # 56.1 kg nickel x 95 % (Annex XII Part C, 2031 target)
    # From 18 Aug 2036 cobalt needs 26 %; the EV declares 16.5 %.
    assert run(["recycling", EV, "--at", "2037-01-01", "--json"]) == 1
    doc = json.loads(capsys.readouterr().out)
    cobalt = next(m for m in doc["recycled_content"]["materials"] if m["material"] == "cobalt")
    assert cobalt["meets"] is False
    assert Decimal(cobalt["margin_pp"]) == Decimal("-9.5")


def test_recycling_declared_rates(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    rates = tmp_path / "rates.json"
    rates.write_text('{"nickel": 90, "cobalt": 50}')
    assert run(["recycling", EV, "--rates", str(rates), "--json", "--at", "2030-01-01"]) == 0
    doc = json.loads(capsys.readouterr().out)
    got = {
        m["element"]: Decimal(m["recoverable_kg"]) for m in doc["recycling_potential"]["materials"]
    }
    assert got == {"nickel": Decimal("50.49"), "cobalt": Decimal("3.55")}
    rates.write_text('{"unobtainium": 90}')
    assert run(["recycling", EV, "--rates", str(rates)]) == 1
    assert "unknown material" in capsys.readouterr().err
    assert run(["recycling", EV, "--at", "next year"]) == 2


def test_recycling_efficiency_class_option(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    doc = json.loads((EXAMPLES / "lfp-storage.json").read_text(encoding="utf-8"))
    doc["materials"]["chemistry"]["family"] = "solid-state"
    solid = tmp_path / "solid.json"
    solid.write_text(json.dumps(doc), encoding="utf-8")
    assert run(["recycling", str(solid), "--at", "2026-01-01", "--json"]) == 0
    assert (
        json.loads(capsys.readouterr().out)["recycling_potential"]["recycling_efficiency"] is None
    )
    args = ["recycling", str(solid), "--at", "2026-01-01", "--json"]
    assert run([*args, "--efficiency-class", "lithium-based"]) == 0
    eff = json.loads(capsys.readouterr().out)["recycling_potential"]["recycling_efficiency"]
    assert (eff["chemistry_class"], Decimal(eff["minimum_percent"])) == ("lithium-based", 65)
    assert run([*args, "--efficiency-class", "lithium"]) == 2  # not a class: usage error
    lfp = str(EXAMPLES / "lfp-storage.json")
    assert run(["recycling", lfp, "--at", "2026-01-01", "--efficiency-class", "other"]) == 1
    assert "contradicts the chemistry family 'lfp'" in capsys.readouterr().err


def test_label_svg(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "label.svg"
    scheme = ROOT / "examples" / "schemes" / "illustrative-2027.json"
    assert run(["label", EV, "--out", str(out), "--scheme", str(scheme)]) == 0
    root = ET.fromstring(out.read_text(encoding="utf-8"))
    assert root.tag.endswith("svg")
    text = out.read_text(encoding="utf-8")
    assert "0.052" in text
    assert "NOT REGULATORY" in text
    assert run(["label", EV, "--out", str(out)]) == 2  # no silent overwrite
    assert run(["label", EV, "--out", str(out), "--force"]) == 0
    assert "ILLUSTRATIVE" in capsys.readouterr().err  # default scheme announced


def test_label_refuses_a_class_the_scheme_does_not_give(tmp_path: Path) -> None:
    data = json.loads(Path(EV).read_text())
    data["carbon_footprint"]["performance_class"] = "A"
    p = tmp_path / "p.json"
    p.write_text(json.dumps(data))
    assert run(["label", str(p), "--out", str(tmp_path / "l.svg")]) == 1
    assert not (tmp_path / "l.svg").exists()


def test_qr(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(["qr", EV, "--out", str(tmp_path / "q.svg")]) == 0
    assert "https://id.example-cells.example/01/09506000134352/21/EVP75-000123" in (
        capsys.readouterr().err
    )
    assert run(["qr", EV, "--out", str(tmp_path / "q.png"), "--base-uri", "https://r.example"]) == 0
    assert (tmp_path / "q.png").read_bytes().startswith(b"\x89PNG")
    assert run(["qr", EV, "--out", str(tmp_path / "q.gif")]) == 2
    data = json.loads(Path(EV).read_text())
    data["battery_id"] = "urn:epc:id:sgtin:0614141.812345.6789"  # no Digital Link to put in a QR
    p = tmp_path / "p.json"
    p.write_text(json.dumps(data))
    assert run(["qr", str(p), "--out", str(tmp_path / "x.svg")]) == 2
    assert "--base-uri" in capsys.readouterr().err


def test_export_import_round_trip(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "dm"
    assert run(["export", EV, "--format", "battery-pass-dm", "--out", str(out)]) == 0
    assert len(list(out.glob("*.json"))) == 7
    assert run(["export", EV, "--format", "battery-pass-dm", "--out", str(out)]) == 2
    back = tmp_path / "back.json"
    assert run(["import", str(out), "--out", str(back), "--issued-at", "2026-10-15T08:00:00Z"]) == 0
    assert run(["validate", str(back)]) == 0
    p = bp_json.loads(back.read_text())
    assert p.general.mass_kg == Decimal("452.5")
    assert run(["import", str(tmp_path / "nothing"), "--out", str(tmp_path / "n.json")]) == 2


def test_export_for_an_audience(tmp_path: Path) -> None:
    out = tmp_path / "pub"
    assert (
        run(
            ["export", EV, "--format", "battery-pass-dm", "--out", str(out), "--audience", "public"]
        )
        == 0
    )
    text = "".join(p.read_text() for p in out.glob("*.json"))
    assert "nb-report-0815" not in text  # group 3 test report withheld
    assert "pack-removal" not in text  # group 2 dismantling manual withheld


def test_validate_rechecks_a_stored_recycling_potential(tmp_path: Path) -> None:
    p = bp_json.loads(Path(EV).read_text())
    record = recycling_potential(p, at=date(2032, 1, 1)).to_record()
    good = p.model_copy(
        update={"circularity": p.circularity.model_copy(update={"recycling_potential": record})}
    )
    ok = tmp_path / "ok.json"
    ok.write_text(bp_json.dumps(good))
    assert run(["validate", str(ok)]) == 0
    data = json.loads(ok.read_text())
    data["circularity"]["recycling_potential"]["recoverable"][0]["mass_kg"] = 99
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps(data))
    assert run(["validate", str(bad)]) == 1


def test_bundled_illustrative_scheme_is_the_example() -> None:
    bundled = ROOT / "src" / "batterypass" / "data" / "illustrative-2027.json"
    assert (
        bundled.read_bytes()
        == (ROOT / "examples" / "schemes" / "illustrative-2027.json").read_bytes()
    )
