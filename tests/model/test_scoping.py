"""Mis-scoped data points and plausibility (issue 15): voluntary points, the Art. 14(1) scope
of the extreme-temperature counters, masses within the battery's mass."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from batterypass.codec import json as bp_json
from batterypass.errors import ValidationError
from batterypass.model import VOLUNTARY, Scope, iter_data_points, parse_passport

EXAMPLES = Path(__file__).resolve().parents[2] / "examples" / "passports"

# Rows of the Battery Pass data attribute longlist (v1.2) whose "regulation_reference" is
# "n.a.": absolute carbon footprint, supply chain indices, certified usable energy, remaining
# usable energy, initial and current self-discharge rate, number of overcharge events.
LONGLIST_NA_ROWS = {27, 30, 55, 56, 71, 72, 92}


def _example(name: str = "ev-nmc") -> dict[str, Any]:
    data = bp_json.loads_value((EXAMPLES / f"{name}.json").read_text(encoding="utf-8"))
    assert isinstance(data, dict)
    return data


def test_longlist_na_points_are_voluntary() -> None:
    na = [r for r in iter_data_points() if set(r.info.longlist) & LONGLIST_NA_ROWS]
    assert {".".join(r.path) for r in na} >= {
        "due_diligence.supply_chain_indices",
        "performance.certified_usable_energy_kwh",
        "state.state_of_health.remaining_energy_kwh",
        "performance.initial_self_discharge_percent_per_month",
    }
    for ref in na:
        assert ref.info.legal_basis == VOLUNTARY, ref.path
        assert ref.info.mandatory_for == frozenset(), ref.path
    assert "consortium recommendation" in VOLUNTARY


def test_extreme_temperature_counters_follow_art_14_1() -> None:
    # Art. 14(1) names stationary battery energy storage systems, LMT and EV batteries; the
    # longlist leaves the counters blank for EV: other industrial batteries are not covered.
    counters = [r for r in iter_data_points() if set(r.info.longlist) & {87, 88, 89, 90}]
    assert len(counters) == 4
    for ref in counters:
        assert ref.info.mandatory_for == {Scope.LMT, Scope.STATIONARY}, ref.path
        assert "Art. 14(1)" in ref.info.legal_basis


def test_a_material_heavier_than_the_battery_is_refused() -> None:
    data = _example()
    data["materials"]["element_masses"][0]["mass_kg"] = Decimal("1.6e38")
    with pytest.raises(ValidationError) as info:
        parse_passport(data)
    message = str(info.value)
    assert "materials.element_masses[0].mass_kg" in message
    assert "exceeds the battery's mass of 452.5 kg" in message
    assert "Annex VI Part A(5)" in message


def test_masses_adding_up_beyond_the_battery_are_refused() -> None:
    data = _example()
    for entry in data["materials"]["materials"]:
        entry["mass_kg"] = Decimal(200)
    with pytest.raises(ValidationError) as info:
        parse_passport(data)
    assert info.value.issues[0].path == ("materials", "materials")
    assert "add up to" in str(info.value)


def test_masses_within_the_battery_pass() -> None:
    data = _example()
    data["materials"]["element_masses"][0]["mass_kg"] = Decimal("452.5") - Decimal(
        sum(Decimal(str(e["mass_kg"])) for e in data["materials"]["element_masses"][1:])
    )
    parse_passport(data)


def test_new_data_points_have_their_legal_basis() -> None:
    found = {".".join(r.path): r.info for r in iter_data_points()}
    assert found["circularity.waste_management_info_url"].legal_basis == (
        "Annex XIII(1)(s); Art. 74(1)(d)"
    )
    assert "Art. 7(1)(f)" in found["labels.declaration_of_conformity_id"].legal_basis
    assert found["performance.voltage_temperature_range"].legal_basis == "Annex XIII(1)(h)"
    assert found["performance.power_temperature_range"].legal_basis == "Annex XIII(1)(i)"
    assert found["performance.idle_temperature_reference_test"].legal_basis == "Annex XIII(1)(l)"
    # "with temperature ranges when relevant": not mandatory as such
    assert found["performance.voltage_temperature_range"].mandatory_for == frozenset()
    assert found["performance.idle_temperature_reference_test"].mandatory_for == set(Scope)


def test_missing_reference_test_of_point_1_l_is_a_gap() -> None:
    from batterypass.model import completeness

    data = _example()
    del data["performance"]["idle_temperature_reference_test"]
    report = completeness(parse_passport(data))
    assert [g.path for g in report.gaps] == ["performance.idle_temperature_reference_test"]


def test_inverted_temperature_range_is_refused() -> None:
    data = _example()
    data["performance"]["voltage_temperature_range"] = {"min_c": 60, "max_c": -20}
    with pytest.raises(ValidationError) as info:
        parse_passport(data)
    assert "performance.voltage_temperature_range.max_c" in str(info.value)
    assert "inverted" in str(info.value)


@pytest.mark.parametrize(
    "battery_id",
    [
        "https://id.example.com/01/09506000134352/21/EVP75-000123",
        "urn:epc:id:sgtin:0614141.812345.6789",
        "25SUN043325711ABC12345",
    ],
)
def test_a_battery_identifier_of_one_battery_is_accepted(battery_id: str) -> None:
    data = _example()
    data["battery_id"] = battery_id
    assert parse_passport(data).battery_id == battery_id


@pytest.mark.parametrize(
    "battery_id",
    [
        "6f1c2a7e-3b4d-4e8f-9a10-2b3c4d5e6f71",  # a bare UUID
        "urn:example:battery:1",  # any URN
        "urn:uuid:6f1c2a7e-3b4d-4e8f-9a10-2b3c4d5e6f71",
        "https://id.example.com/01/09506000134352",  # a GTIN names the model, not the battery
        "https://id.example.com/01/09506000134352/10/LOT7",  # a batch is not one battery
        "urn:epc:id:sgtin:0614141.8123.6789",  # 11 digits, not an SGTIN
    ],
)
def test_an_identifier_that_names_no_single_battery_is_refused(battery_id: str) -> None:
    from batterypass.model import BATTERY_IDENTIFIER_RULE

    data = _example()
    data["battery_id"] = battery_id
    with pytest.raises(ValidationError) as info:
        parse_passport(data)
    issue = info.value.issues[0]
    assert issue.path == ("battery_id",)
    assert BATTERY_IDENTIFIER_RULE in str(info.value)
    assert "Art. 77(3)" in str(info.value)


def test_a_battery_identifier_with_a_wrong_gtin_check_digit_says_so() -> None:
    data = _example()
    data["battery_id"] = "https://id.example.com/01/09506000134353/21/EVP75-000123"
    with pytest.raises(ValidationError, match="wrong check digit"):
        parse_passport(data)
