"""Obligations by date (docs/adr/0008): a data point is reported missing only when its duty
applies at the date; otherwise it is "not yet required" with the reason and source."""

from __future__ import annotations

import dataclasses
import json
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from batterypass.cli import run
from batterypass.codec import json as bp_json
from batterypass.model import (
    OBLIGATIONS,
    PASSPORT_DUTY_START,
    BatteryPassport,
    Scope,
    completeness,
    default_date,
    iter_data_points,
    obligation_for,
    obligations_markdown,
    parse_passport,
)

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "examples" / "passports"

DELAYED = {
    "carbon_footprint.total_kg_co2e_per_kwh",
    "carbon_footprint.raw_material_acquisition_kg_co2e_per_kwh",
    "carbon_footprint.main_production_kg_co2e_per_kwh",
    "carbon_footprint.distribution_kg_co2e_per_kwh",
    "carbon_footprint.end_of_life_kg_co2e_per_kwh",
    "carbon_footprint.performance_class",
    "carbon_footprint.study_url",
    "due_diligence.report_url",
    "circularity.recycled_content",
}


def _without_delayed(name: str) -> dict[str, Any]:
    data = bp_json.loads_value((EXAMPLES / f"{name}.json").read_text(encoding="utf-8"))
    assert isinstance(data, dict)
    data["carbon_footprint"] = {}
    data["due_diligence"] = {}
    del data["circularity"]["recycled_content"]
    return data


def _ev_without_delayed() -> BatteryPassport:
    return parse_passport(_without_delayed("ev-nmc"))


def test_ev_on_the_first_day_has_no_gap_for_delayed_duties() -> None:
    # Issue 15: on 18 February 2027 these 9 data points were reported as gaps.
    report = completeness(_ev_without_delayed(), at=date(2027, 2, 18))
    assert report.gaps == ()
    assert report.complete
    assert {n.path for n in report.not_yet_required} == DELAYED
    reasons = {n.path: n.reason for n in report.not_yet_required}
    assert "not adopted" in reasons["carbon_footprint.total_kg_co2e_per_kwh"]
    assert "Art. 7(1)" in reasons["carbon_footprint.total_kg_co2e_per_kwh"]
    assert "Art. 7(2)" in reasons["carbon_footprint.performance_class"]
    assert reasons["circularity.recycled_content"].startswith("applies from 2028-08-18")
    assert "Art. 8(1)" in reasons["circularity.recycled_content"]
    assert reasons["due_diligence.report_url"].startswith("applies from 2027-08-18")
    assert str(report.not_yet_required[0]).count("not yet required (") == 1


def test_due_diligence_becomes_due_on_its_own_date() -> None:
    report = completeness(_ev_without_delayed(), at=date(2027, 8, 18))
    assert [g.path for g in report.gaps] == ["due_diligence.report_url"]
    assert "due_diligence.report_url" not in {n.path for n in report.not_yet_required}


def test_acts_not_adopted_keep_data_points_not_required_forever() -> None:
    report = completeness(_ev_without_delayed(), at=date(2045, 1, 1))
    assert [g.path for g in report.gaps] == ["due_diligence.report_url"]
    later = {n.path: n.reason for n in report.not_yet_required}
    assert set(later) == DELAYED - {"due_diligence.report_url"}
    assert all("not adopted" in r for r in later.values())


def test_an_adopted_act_makes_the_data_points_due_from_its_date() -> None:
    adopted = tuple(
        dataclasses.replace(e, act_adopted=True, applies_from=date(2028, 3, 1))
        if "carbon_footprint.total_kg_co2e_per_kwh" in e.paths and Scope.EV in e.scopes
        else e
        for e in OBLIGATIONS
    )
    passport = _ev_without_delayed()
    before = completeness(passport, at=date(2028, 2, 29), obligations=adopted)
    assert not any(g.path.startswith("carbon_footprint.") for g in before.gaps)
    after = completeness(passport, at=date(2028, 3, 1), obligations=adopted)
    assert {g.path for g in after.gaps if g.path.startswith("carbon_footprint.")} == {
        p for p in DELAYED if p.startswith("carbon_footprint.") and "class" not in p
    }


def test_lmt_recycled_content_from_2033() -> None:
    passport = parse_passport(_without_delayed("lmt-ebike"))
    reasons = {
        n.path: n.reason for n in completeness(passport, at=date(2030, 1, 1)).not_yet_required
    }
    assert reasons["circularity.recycled_content"].startswith("applies from 2033-08-18")
    assert "carbon_footprint.total_kg_co2e_per_kwh" in reasons


def test_before_the_passport_duty_nothing_is_due() -> None:
    report = completeness(_ev_without_delayed(), at=date(2026, 12, 1))
    assert report.passport_required is False
    assert "applies from 2027-02-18" in report.reason
    assert report.checked == 0
    assert report.gaps == ()


def test_default_date_is_issue_date_or_duty_start() -> None:
    passport = _ev_without_delayed()
    assert passport.issued_at.date() < PASSPORT_DUTY_START
    assert default_date(passport) == PASSPORT_DUTY_START
    assert completeness(passport).at == PASSPORT_DUTY_START
    later = passport.model_copy(update={"issued_at": passport.issued_at.replace(year=2030)})
    assert default_date(later) == later.issued_at.date()


def test_every_entry_names_real_data_points_and_a_source() -> None:
    paths = {".".join(ref.path) for ref in iter_data_points()}
    for entry in OBLIGATIONS:
        assert entry.source.strip()
        assert entry.condition.strip()
        if entry.paths != ("*",):
            assert set(entry.paths) <= paths, entry.paths
        if entry.act is not None and not entry.act_adopted:
            assert "not adopted" in entry.act_status
    # every data point of every scope is governed by some entry
    for ref in iter_data_points():
        for scope in Scope:
            obligation_for(".".join(ref.path), scope)


def test_specs_obligations_is_current() -> None:
    text = (ROOT / "specs" / "obligations.md").read_text(encoding="utf-8")
    assert text == obligations_markdown(), "regenerate specs/obligations.md"


def test_cli_completeness_at(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    f = tmp_path / "ev.json"
    f.write_text(bp_json.dumps(_ev_without_delayed()))
    assert run(["completeness", str(f), "--at", "2027-02-18"]) == 0
    out = capsys.readouterr().out
    assert "not yet required (applies from 2027-08-18" in out
    assert "9 not yet required" in out
    assert run(["completeness", str(f), "--at", "2027-08-18", "--json"]) == 1
    doc = json.loads(capsys.readouterr().out)
    assert doc["at"] == "2027-08-18"
    assert [m["path"] for m in doc["missing"]] == ["due_diligence.report_url"]
    assert len(doc["not_yet_required"]) == 8
    assert run(["completeness", str(f), "--at", "18.8.2027"]) == 2
    assert "--at: not an ISO 8601 date" in capsys.readouterr().err


def test_cli_validate_at(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    f = tmp_path / "ev.json"
    f.write_text(bp_json.dumps(_ev_without_delayed()))
    assert run(["validate", str(f)]) == 0
    capsys.readouterr()
    assert run(["validate", str(f), "--at", "2027-02-18"]) == 0
    assert "not yet required" in capsys.readouterr().out
    assert run(["validate", str(f), "--at", "2027-08-18", "--json"]) == 1
    doc = json.loads(capsys.readouterr().out)
    assert doc["ok"] is False
    assert doc["files"][0]["completeness"]["missing"][0]["path"] == "due_diligence.report_url"
