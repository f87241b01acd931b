"""The functional unit (kg CO2e per kWh of lifetime energy) and the lifecycle-stage shares."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from batterypass.carbon import (
    STAGES,
    CarbonStage,
    check_functional_unit,
    lifetime_energy_kwh,
    per_kwh_from_absolute,
    stage_shares,
)
from batterypass.codec import json as bp_json
from batterypass.errors import ValidationError
from batterypass.model import BatteryPassport, parse_passport

EXAMPLES = Path(__file__).resolve().parents[2] / "examples" / "passports"
D = Decimal


def load(name: str) -> BatteryPassport:
    return bp_json.loads((EXAMPLES / f"{name}.json").read_text(encoding="utf-8"))


def variant(name: str, **changes: Any) -> BatteryPassport:
    data = bp_json.loads_value((EXAMPLES / f"{name}.json").read_text(encoding="utf-8"))
    for dotted, value in changes.items():
        section, key = dotted.split("__")
        if value is None:
            data[section].pop(key)
        else:
            data[section][key] = value
    return parse_passport(data)


def test_four_stages_in_annex_ii_order() -> None:
    assert STAGES == (
        CarbonStage.RAW_MATERIAL_ACQUISITION,
        CarbonStage.MAIN_PRODUCTION,
        CarbonStage.DISTRIBUTION,
        CarbonStage.END_OF_LIFE,
    )


def test_examples_per_kwh_by_hand() -> None:
    # EV: 5616 kg / (72 kWh x 1500 cycles) = 5616 / 108000 = 0.052 exactly
    assert per_kwh_from_absolute(5616, energy_kwh=D("72.0"), lifetime_cycles=1500) == D("0.052")
    # LFP: 14022 kg / (190 kWh x 6000 cycles) = 14022 / 1140000 = 0.0123 exactly
    assert per_kwh_from_absolute(14022, energy_kwh=190, lifetime_cycles=6000) == D("0.0123")
    # LMT: 44 kg / (0.47 kWh x 800 cycles) = 44 / 376 = 0.11702..., 0.117 at the declared 0.001
    lmt = per_kwh_from_absolute(44, energy_kwh=D("0.47"), lifetime_cycles=800)
    assert lmt.quantize(D("0.001")) == D("0.117")
    assert str(lmt).startswith("0.117021276")
    assert lifetime_energy_kwh(energy_kwh=D("0.47"), lifetime_cycles=800) == 376


@pytest.mark.parametrize("name", ["ev-nmc", "lfp-storage", "lmt-ebike"])
def test_examples_declared_values_agree(name: str) -> None:
    check_functional_unit(load(name))


def test_disagreement_is_reported() -> None:
    # 6000 kg / 108000 kWh = 0.05555... against a declared 0.052 (tolerance 0.0005)
    p = variant("ev-nmc", carbon_footprint__absolute_kg_co2e=6000)
    with pytest.raises(ValidationError, match=r"= 0\.0555556 kg") as info:
        check_functional_unit(p)
    assert info.value.path == ("carbon_footprint", "total_kg_co2e_per_kwh")


def test_tolerance_follows_declared_digits_without_rounding_step() -> None:
    # LMT without a rounding step: the total 0.117 has three decimals, so +-0.0005 is allowed
    check_functional_unit(variant("lmt-ebike", carbon_footprint__rounding_kg_co2e_per_kwh=None))


def test_missing_inputs_are_listed() -> None:
    p = variant(
        "ev-nmc",
        carbon_footprint__absolute_kg_co2e=None,
        performance__expected_lifetime_cycles=None,
    )
    with pytest.raises(ValidationError) as info:
        check_functional_unit(p)
    assert [i.path for i in info.value.issues] == [
        ("carbon_footprint", "absolute_kg_co2e"),
        ("performance", "expected_lifetime_cycles"),
    ]


@pytest.mark.parametrize(
    ("absolute", "energy", "cycles", "fragment"),
    [
        (100, 0, 10, "energy_kwh must be a finite number above 0"),
        (100, 10, -1, "lifetime_cycles must be a finite number above 0"),
        (-1, 10, 10, "absolute_kg_co2e must be finite and not negative"),
        (1.5, 10, 10, "not float"),
        (100, 10.0, 10, "not float"),
        (100, D("Infinity"), 10, "finite"),
        (True, 10, 10, "not bool"),
    ],
)
def test_bad_inputs(absolute: Any, energy: Any, cycles: Any, fragment: str) -> None:
    with pytest.raises(ValidationError, match=fragment):
        per_kwh_from_absolute(absolute, energy_kwh=energy, lifetime_cycles=cycles)


def test_stage_shares_by_hand() -> None:
    shares = stage_shares(load("ev-nmc").carbon_footprint)
    # stages 0.032 + 0.016 + 0.001 + 0.003 = 0.052
    assert shares[CarbonStage.RAW_MATERIAL_ACQUISITION].quantize(D("0.01")) == D("61.54")
    assert shares[CarbonStage.MAIN_PRODUCTION].quantize(D("0.01")) == D("30.77")
    assert shares[CarbonStage.DISTRIBUTION].quantize(D("0.01")) == D("1.92")
    assert shares[CarbonStage.END_OF_LIFE].quantize(D("0.01")) == D("5.77")
    assert abs(sum(shares.values()) - 100) < D("1e-20")


@pytest.mark.parametrize("name", ["ev-nmc", "lfp-storage", "lmt-ebike"])
def test_stage_shares_add_up(name: str) -> None:
    shares = stage_shares(load(name).carbon_footprint)
    assert list(shares) == list(STAGES)
    assert abs(sum(shares.values()) - 100) < D("1e-20")


def test_stage_with_credit_has_negative_share() -> None:
    # 0.032 + 0.016 + 0.001 - 0.003 = 0.046; the end-of-life credit is -0.003 / 0.046
    p = variant(
        "ev-nmc",
        carbon_footprint__end_of_life_kg_co2e_per_kwh=D("-0.003"),
        carbon_footprint__total_kg_co2e_per_kwh=D("0.046"),
    )
    shares = stage_shares(p.carbon_footprint)
    assert shares[CarbonStage.END_OF_LIFE] < 0
    assert shares[CarbonStage.END_OF_LIFE].quantize(D("0.01")) == D("-6.52")


def test_stage_missing() -> None:
    p = variant("ev-nmc", carbon_footprint__distribution_kg_co2e_per_kwh=None)
    with pytest.raises(ValidationError, match="distribution"):
        stage_shares(p.carbon_footprint)


@given(
    absolute=st.decimals(min_value=0, max_value=10**7, places=2),
    energy=st.decimals(min_value=D("0.01"), max_value=10**4, places=2),
    cycles=st.integers(min_value=1, max_value=100_000),
)
def test_property_per_kwh_times_lifetime_energy_is_absolute(
    absolute: Decimal, energy: Decimal, cycles: int
) -> None:
    per_kwh = per_kwh_from_absolute(absolute, energy_kwh=energy, lifetime_cycles=cycles)
    back = per_kwh * lifetime_energy_kwh(energy_kwh=energy, lifetime_cycles=cycles)
    assert abs(back - absolute) <= abs(absolute) * D("1e-25") + D("1e-25")
