"""Recycling potential, its stored form in the passport, and recovery achieved.

Every expected number is worked out by hand in the comments: mass x rate / 100.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from batterypass.circularity import (
    ChemistryClass,
    RecyclingPotential,
    check_recycling_potential,
    dismantling_readiness,
    recovery_achieved,
    recycling_potential,
)
from batterypass.codec import json as bp_json
from batterypass.errors import ValidationError
from batterypass.model import (
    BatteryPassport,
    Element,
    RecoverableMass,
    RecyclingPotentialRecord,
    parse_passport,
)
from batterypass.testing import passports

EXAMPLES = Path(__file__).resolve().parents[2] / "examples" / "passports"
D = Decimal
FIELD = ("circularity", "recycling_potential")


def load(name: str) -> BatteryPassport:
    return bp_json.loads((EXAMPLES / f"{name}.json").read_text(encoding="utf-8"))


def variant(name: str, edit: Callable[[dict[str, Any]], None]) -> BatteryPassport:
    data = bp_json.loads_value((EXAMPLES / f"{name}.json").read_text(encoding="utf-8"))
    edit(data)
    return parse_passport(data)


def masses(p: RecyclingPotential) -> dict[Element, Decimal]:
    return p.recoverable()


def stored(p: BatteryPassport, record: RecyclingPotentialRecord | None) -> BatteryPassport:
    data = bp_json.to_plain(p)
    if record is not None:
        data.setdefault("circularity", {})["recycling_potential"] = record.model_dump(mode="python")
    return parse_passport(data)


# ---------------------------------------------------------------- EV NMC 811, 452.5 kg


def test_ev_with_2031_targets() -> None:
    p = recycling_potential(load("ev-nmc"), at=date(2031, 12, 31))
    assert p.rates_basis == date(2031, 12, 31)
    assert masses(p) == {
        Element.NICKEL: D("53.295"),  # 56.1 kg x 95 %
        Element.COBALT: D("6.745"),  # 7.1 kg x 95 %
        Element.LITHIUM: D("5.44"),  # 6.8 kg x 80 %
        Element.COPPER: D("24.035"),  # 25.3 kg x 95 %
    }
    assert p.total_recoverable_kg == D("89.515")  # 53.295 + 6.745 + 5.44 + 24.035
    # Part C sets no rate for manganese, aluminium or graphite
    assert p.not_assessed == (Element.MANGANESE, Element.ALUMINIUM, Element.GRAPHITE)
    assert {m.rate_source for m in p.materials} == {"Annex XII Part C"}
    eff = p.recycling_efficiency
    assert eff is not None
    assert eff.chemistry_class is ChemistryClass.LITHIUM_BASED
    assert (eff.minimum_percent, eff.in_force_from) == (70, date(2030, 12, 31))
    assert eff.minimum_recycled_mass_kg == D("316.75")  # 452.5 kg x 70 %
    assert p.dismantling.percent == 100
    assert p.dismantling.missing == ()


def test_ev_with_2027_targets() -> None:
    p = recycling_potential(load("ev-nmc"), at=date(2028, 6, 1))
    assert masses(p) == {
        Element.NICKEL: D("50.49"),  # 56.1 x 90 %
        Element.COBALT: D("6.39"),  # 7.1 x 90 %
        Element.LITHIUM: D("3.4"),  # 6.8 x 50 %
        Element.COPPER: D("22.77"),  # 25.3 x 90 %
    }
    assert p.total_recoverable_kg == D("83.05")
    eff = p.recycling_efficiency
    assert eff is not None
    assert eff.minimum_percent == 65  # the 2025 target still applies in 2028
    assert eff.minimum_recycled_mass_kg == D("294.125")  # 452.5 x 65 %


def test_ev_before_first_material_recovery_target() -> None:
    p = recycling_potential(load("ev-nmc"), at=date(2027, 12, 30))
    assert p.rates_basis is None
    assert p.materials == ()
    assert p.total_recoverable_kg == 0
    assert len(p.not_assessed) == 7
    assert any("first applies from 2027-12-31" in n for n in p.notes)
    assert p.recycling_efficiency is not None  # Part B applies from 2025-12-31
    with pytest.raises(ValidationError, match="no rate basis"):
        p.to_record()


def test_before_any_efficiency_target() -> None:
    p = recycling_potential(load("ev-nmc"), at=date(2025, 6, 1))
    assert p.recycling_efficiency is None
    assert any("no Annex XII Part B target for lithium-based" in n for n in p.notes)


# ---------------------------------------------------------------- LFP storage, 1650 kg


def test_lfp_with_2031_targets() -> None:
    p = recycling_potential(load("lfp-storage"), at=date(2032, 1, 1))
    assert masses(p) == {
        Element.LITHIUM: D("88"),  # 110 kg x 80 %
        Element.COPPER: D("95"),  # 100 kg x 95 %
    }
    assert p.total_recoverable_kg == 183
    assert p.not_assessed == (Element.IRON, Element.PHOSPHORUS, Element.ALUMINIUM, Element.GRAPHITE)
    eff = p.recycling_efficiency
    assert eff is not None
    assert eff.minimum_recycled_mass_kg == 1155  # 1650 kg x 70 %


# ---------------------------------------------------------------- LMT e-bike, 2.9 kg


def test_lmt_with_2031_targets() -> None:
    p = recycling_potential(load("lmt-ebike"), at=date(2031, 12, 31))
    assert masses(p) == {
        Element.NICKEL: D("0.266"),  # 0.28 kg x 95 %
        Element.COBALT: D("0.0855"),  # 0.09 kg x 95 %
        Element.LITHIUM: D("0.048"),  # 0.06 kg x 80 %
        Element.COPPER: D("0.2375"),  # 0.25 kg x 95 %
    }
    assert p.total_recoverable_kg == D("0.637")  # 0.266 + 0.0855 + 0.048 + 0.2375
    eff = p.recycling_efficiency
    assert eff is not None
    assert eff.minimum_recycled_mass_kg == D("2.03")  # 2.9 kg x 70 %


# ---------------------------------------------------------------- declared rates


def test_declared_rates() -> None:
    rates = {
        Element.NICKEL: D(98),
        Element.COBALT: D(98),
        Element.LITHIUM: D(85),
        Element.MANGANESE: D(60),
    }
    p = recycling_potential(load("ev-nmc"), rates=rates)
    assert p.rates_basis == "declared"
    assert masses(p) == {
        Element.NICKEL: D("54.978"),  # 56.1 x 98 %
        Element.COBALT: D("6.958"),  # 7.1 x 98 %
        Element.MANGANESE: D("3.96"),  # 6.6 x 60 %
        Element.LITHIUM: D("5.78"),  # 6.8 x 85 %
    }
    assert p.not_assessed == (Element.COPPER, Element.ALUMINIUM, Element.GRAPHITE)
    assert {m.rate_source for m in p.materials} == {"declared"}
    assert p.recycling_efficiency is None
    assert any("no date given" in n for n in p.notes)


def test_declared_rates_win_over_date() -> None:
    p = recycling_potential(load("lfp-storage"), at=date(2032, 1, 1), rates={Element.IRON: 90})
    assert masses(p) == {Element.IRON: D("378")}  # 420 kg x 90 %
    assert p.rates_basis == "declared"
    assert p.recycling_efficiency is not None


def test_rate_without_mass_is_noted() -> None:
    p = recycling_potential(load("lfp-storage"), rates={Element.COBALT: D(95)})
    assert p.materials == ()
    assert any("rate is declared for cobalt, but no mass" in n for n in p.notes)


@pytest.mark.parametrize(
    ("rates", "fragment"),
    [
        ({Element.COBALT: D(101)}, "between 0 and 100"),
        ({Element.COBALT: D(-1)}, "between 0 and 100"),
        ({Element.COBALT: D("NaN")}, "between 0 and 100"),
        ({Element.COBALT: 0.95}, "not float"),
        ({"gold": D(90)}, "unknown element"),
    ],
)
def test_bad_declared_rates(rates: Any, fragment: str) -> None:
    with pytest.raises(ValidationError, match=fragment) as info:
        recycling_potential(load("ev-nmc"), rates=rates)
    assert info.value.path is not None
    assert info.value.path[0] == "rates"


def test_needs_a_date_or_rates() -> None:
    with pytest.raises(ValidationError, match="give at="):
        recycling_potential(load("ev-nmc"))


# ---------------------------------------------------------------- missing data, classes


def test_no_element_masses() -> None:
    p = recycling_potential(
        variant("ev-nmc", lambda d: d["materials"].pop("element_masses")), at=date(2032, 1, 1)
    )
    assert p.materials == ()
    assert p.not_assessed == ()
    assert any("no element masses declared" in n for n in p.notes)


def test_no_chemistry_no_efficiency_class() -> None:
    p = recycling_potential(
        variant("ev-nmc", lambda d: d["materials"].pop("chemistry")), at=date(2032, 1, 1)
    )
    assert p.recycling_efficiency is None
    assert any("chemistry not declared" in n for n in p.notes)


def test_no_battery_mass() -> None:
    p = recycling_potential(
        variant("ev-nmc", lambda d: d["general"].pop("mass_kg")), at=date(2032, 1, 1)
    )
    assert p.recycling_efficiency is not None
    assert p.recycling_efficiency.minimum_recycled_mass_kg is None


@pytest.mark.parametrize(
    ("family", "at", "cls", "percent"),
    [
        ("lead-acid", date(2026, 1, 1), ChemistryClass.LEAD_ACID, 75),
        ("lead-acid", date(2031, 1, 1), ChemistryClass.LEAD_ACID, 80),
        ("nicd", date(2031, 1, 1), ChemistryClass.NICKEL_CADMIUM, 80),
        ("sodium-ion", date(2031, 1, 1), ChemistryClass.OTHER, 50),
    ],
)
def test_efficiency_class_per_chemistry(
    family: str, at: date, cls: ChemistryClass, percent: int
) -> None:
    def edit(d: dict[str, Any]) -> None:
        d["materials"]["chemistry"]["family"] = family

    eff = recycling_potential(variant("lfp-storage", edit), at=at).recycling_efficiency
    assert eff is not None
    assert (eff.chemistry_class, eff.minimum_percent) == (cls, percent)


@pytest.mark.parametrize("family", ["solid-state", "other"])
def test_efficiency_class_is_stated_not_guessed(family: str) -> None:
    """Lithium-based (65 % from 2025) or other (50 %): solid-state and other do not tell."""

    def edit(d: dict[str, Any]) -> None:
        d["materials"]["chemistry"]["family"] = family

    passport = variant("lfp-storage", edit)
    result = recycling_potential(passport, at=date(2026, 1, 1))
    assert result.recycling_efficiency is None
    assert any(f"{family!r} does not tell whether" in n for n in result.notes)
    stated = recycling_potential(
        passport, at=date(2026, 1, 1), efficiency_class=ChemistryClass.LITHIUM_BASED
    ).recycling_efficiency
    assert stated is not None
    assert (stated.chemistry_class, stated.minimum_percent) == (ChemistryClass.LITHIUM_BASED, 65)
    other = recycling_potential(
        passport, at=date(2026, 1, 1), efficiency_class=ChemistryClass.OTHER
    ).recycling_efficiency
    assert other is not None
    assert other.minimum_percent == 50


def test_stated_efficiency_class_without_a_declared_chemistry() -> None:
    def edit(d: dict[str, Any]) -> None:
        del d["materials"]["chemistry"]

    passport = variant("lfp-storage", edit)
    none = recycling_potential(passport, at=date(2031, 1, 1))
    assert none.recycling_efficiency is None
    assert any("no class stated" in n for n in none.notes)
    stated = recycling_potential(
        passport, at=date(2031, 1, 1), efficiency_class=ChemistryClass.LITHIUM_BASED
    ).recycling_efficiency
    assert stated is not None
    assert stated.minimum_percent == 70


def test_stated_efficiency_class_must_agree_with_a_known_family() -> None:
    passport = bp_json.loads((EXAMPLES / "lfp-storage.json").read_text(encoding="utf-8"))
    same = recycling_potential(
        passport, at=date(2026, 1, 1), efficiency_class=ChemistryClass.LITHIUM_BASED
    )
    assert same.recycling_efficiency is not None
    with pytest.raises(ValidationError, match="contradicts the chemistry family 'lfp'") as info:
        recycling_potential(passport, at=date(2026, 1, 1), efficiency_class=ChemistryClass.OTHER)
    assert info.value.legal_basis == "Annex XII Part B"


def test_dismantling_readiness_counts_present_non_empty_items() -> None:
    def edit(d: dict[str, Any]) -> None:
        d["circularity"].pop("part_numbers")
        d["circularity"]["safety_measures"] = []  # empty: not present

    r = dismantling_readiness(variant("ev-nmc", edit))
    assert r.percent == 50  # 2 of 4
    assert r.present == ("dismantling_information", "spare_part_sources")
    assert r.missing == ("part_numbers", "safety_measures")


def test_to_dict_is_json() -> None:
    p = recycling_potential(load("ev-nmc"), at=date(2031, 12, 31))
    data = json.loads(json.dumps(p.to_dict()))
    assert data["rates_basis"] == "2031-12-31"
    assert data["materials"][0] == {
        "element": "nickel",
        "mass_kg": "56.1",
        "rate_percent": "95",
        "recoverable_kg": "53.295",
        "rate_source": "Annex XII Part C",
    }
    assert data["total_recoverable_kg"] == "89.515"
    assert data["recycling_efficiency"]["chemistry_class"] == "lithium-based"
    assert data["dismantling"]["percent"] == "100"


# ---------------------------------------------------------------- stored in the passport


@pytest.mark.parametrize("name", ["ev-nmc", "lfp-storage", "lmt-ebike"])
def test_stored_potential_checks_and_survives_json(name: str) -> None:
    record = recycling_potential(load(name), at=date(2031, 12, 31)).to_record()
    p = stored(load(name), record)
    check_recycling_potential(p)
    again = bp_json.loads(bp_json.dumps(p))
    assert again.circularity.recycling_potential == record
    check_recycling_potential(again)
    # group 2: withheld from the public view
    assert p.view("public").circularity.recycling_potential is None
    assert p.view("legitimate-interest").circularity.recycling_potential == record


def test_nothing_stored_nothing_to_check() -> None:
    check_recycling_potential(load("ev-nmc"))


def _ev_record(**changes: Any) -> RecyclingPotentialRecord:
    record = recycling_potential(load("ev-nmc"), at=date(2031, 12, 31)).to_record()
    return record.model_copy(update=changes)


def _entries(*rows: tuple[Element, str, str]) -> tuple[RecoverableMass, ...]:
    return tuple(RecoverableMass(element=e, rate_percent=D(r), mass_kg=D(m)) for e, r, m in rows)


EV_2031 = (
    (Element.NICKEL, "95", "53.295"),
    (Element.COBALT, "95", "6.745"),
    (Element.LITHIUM, "80", "5.44"),
    (Element.COPPER, "95", "24.035"),
)


def test_rounded_masses_are_accepted() -> None:
    # 53.3 stands for 53.295 rounded to 0.1 kg (tolerance 0.05); 24 for 24.035 (tolerance 0.5)
    rows = ((Element.NICKEL, "95", "53.3"), *EV_2031[1:3], (Element.COPPER, "95", "24"))
    check_recycling_potential(stored(load("ev-nmc"), _ev_record(recoverable=_entries(*rows))))


def test_wrong_mass_is_rejected_with_path_and_basis() -> None:
    rows = ((Element.NICKEL, "95", "53.4"), *EV_2031[1:])  # 53.4 - 53.295 > 0.05
    p = stored(load("ev-nmc"), _ev_record(recoverable=_entries(*rows)))
    with pytest.raises(ValidationError) as info:
        check_recycling_potential(p)
    err = info.value
    assert err.path == (*FIELD, "recoverable", 0, "mass_kg")
    assert err.legal_basis == "Annex XII Part C; Annex XIII(2)(a)"
    assert "56.1 kg × 95 % = 53.295 kg" in str(err)


def test_every_mismatch_is_reported() -> None:
    rows = (
        (Element.NICKEL, "90", "50.49"),  # wrong rate for 2031
        (Element.COBALT, "95", "6.745"),
        (Element.COBALT, "95", "6.745"),  # twice
        (Element.IRON, "95", "1"),  # no iron in the composition
        # lithium and copper left out
    )
    p = stored(
        load("ev-nmc"),
        _ev_record(recoverable=_entries(*rows), dismantling_readiness_percent=D(75)),
    )
    with pytest.raises(ValidationError) as info:
        check_recycling_potential(p)
    paths = [i.path for i in info.value.issues]
    assert paths == [
        (*FIELD, "recoverable", 0, "rate_percent"),
        (*FIELD, "recoverable", 2, "element"),
        (*FIELD, "recoverable", 3, "element"),
        (*FIELD, "recoverable"),
        (*FIELD, "recoverable"),
        (*FIELD, "dismantling_readiness_percent"),
    ]
    assert "(and 5 more)" in str(info.value)
    assert "no mass is declared" in info.value.issues[2].message


def test_composition_changed_after_storing() -> None:
    record = _ev_record()

    def edit(d: dict[str, Any]) -> None:
        d["materials"]["element_masses"][0]["mass_kg"] = D("60.0")  # nickel
        d["circularity"]["recycling_potential"] = record.model_dump(mode="python")

    with pytest.raises(ValidationError) as info:
        check_recycling_potential(variant("ev-nmc", edit))
    assert info.value.path == (*FIELD, "recoverable", 0, "mass_kg")


def test_declared_basis_checks_masses_against_its_own_rates() -> None:
    rates = {Element.NICKEL: D(98), Element.COBALT: D(97)}
    record = recycling_potential(load("ev-nmc"), rates=rates).to_record()
    p = stored(load("ev-nmc"), record)
    check_recycling_potential(p)
    check_recycling_potential(p, rates=rates)
    with pytest.raises(ValidationError) as info:
        check_recycling_potential(p, rates={Element.NICKEL: D(98), Element.COBALT: D(90)})
    assert info.value.path == (*FIELD, "recoverable", 1, "rate_percent")


def test_date_basis_with_rates_is_rejected() -> None:
    p = stored(load("ev-nmc"), _ev_record())
    with pytest.raises(ValidationError, match="declared rates were given") as info:
        check_recycling_potential(p, rates={Element.NICKEL: D(95)})
    assert info.value.path == (*FIELD, "rates_basis")


# ---------------------------------------------------------------- recovery achieved


def test_recovery_achieved() -> None:
    potential = recycling_potential(load("ev-nmc"), at=date(2031, 12, 31))
    got = recovery_achieved(
        potential,
        {
            Element.NICKEL: D("50.63025"),  # 53.295 x 95 % = 50.63025
            Element.COBALT: D("6.745"),  # 100 %
            Element.COPPER: D(0),  # 0 %
            Element.ALUMINIUM: D(80),  # no potential assessed for aluminium
        },
    )
    rows = {m.element: (m.potential_kg, m.recovered_kg, m.achieved_percent) for m in got.materials}
    assert rows[Element.NICKEL] == (D("53.295"), D("50.63025"), 95)
    assert rows[Element.COBALT] == (D("6.745"), D("6.745"), 100)
    assert rows[Element.LITHIUM] == (D("5.44"), None, None)
    assert rows[Element.COPPER] == (D("24.035"), D(0), 0)
    assert rows[Element.ALUMINIUM] == (None, D(80), None)
    assert [m.element for m in got.materials][-1] is Element.ALUMINIUM
    assert json.loads(json.dumps(got.to_dict()))["materials"][0]["achieved_percent"] == "95.00"


@pytest.mark.parametrize(
    "recovered", [{Element.NICKEL: D(-1)}, {Element.NICKEL: 1.5}, {"unobtainium": D(1)}]
)
def test_recovery_achieved_rejects_bad_masses(recovered: Any) -> None:
    potential = recycling_potential(load("ev-nmc"), at=date(2031, 12, 31))
    with pytest.raises(ValidationError):
        recovery_achieved(potential, recovered)


# ---------------------------------------------------------------- properties


@given(
    passport=passports(),
    at=st.dates(min_value=date(2027, 12, 31), max_value=date(2060, 1, 1)),
)
def test_property_stored_potential_always_checks(passport: BatteryPassport, at: date) -> None:
    potential = recycling_potential(passport, at=at)
    for m in potential.materials:
        assert 0 <= m.recoverable_kg <= m.mass_kg
    assert potential.total_recoverable_kg == sum(
        (m.recoverable_kg for m in potential.materials), D(0)
    )
    check_recycling_potential(stored(passport, potential.to_record()))


@given(
    passport=passports(full=True),
    rates=st.dictionaries(
        st.sampled_from(list(Element)),
        st.decimals(min_value=0, max_value=100, places=2, allow_nan=False),
    ),
)
def test_property_declared_rates(passport: BatteryPassport, rates: dict[Element, Decimal]) -> None:
    potential = recycling_potential(passport, rates=rates)
    declared = {m.element for m in passport.materials.element_masses or ()}
    assert {m.element for m in potential.materials} == declared & set(rates)
    assert set(potential.not_assessed) == declared - set(rates)
    check_recycling_potential(stored(passport, potential.to_record()), rates=rates)


# --- a contradicting efficiency class is an error, whatever else is given ----------------------


def test_contradicting_efficiency_class_is_an_error_with_declared_rates() -> None:
    """CHANGELOG / specs/recycling-potential.md: "A stated class that contradicts a known
    family is an error". With declared rates (``at`` not given, which is what the CLI passes
    for ``recycling --rates ... --efficiency-class ...``) the stated class is never looked at:
    'other' for an LFP battery is silently accepted and ignored."""
    passport = load("lfp-storage")
    with pytest.raises(ValidationError, match="contradicts the chemistry family"):
        recycling_potential(
            passport,
            rates={Element.LITHIUM: Decimal(50)},
            efficiency_class=ChemistryClass.OTHER,
        )


def test_efficiency_class_of_the_wrong_type_is_refused_with_declared_rates() -> None:
    passport = load("lfp-storage")
    with pytest.raises(ValidationError, match="must be a ChemistryClass"):
        recycling_potential(
            passport,
            rates={Element.LITHIUM: Decimal(50)},
            efficiency_class="other",  # type: ignore[arg-type]
        )
