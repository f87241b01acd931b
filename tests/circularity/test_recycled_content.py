"""Recycled content against the Art. 8 minimum shares, at dates before, in and after the two
steps (18 Aug 2031, 18 Aug 2036), for each example passport."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from batterypass.circularity import (
    Applicability,
    ContentStatus,
    RecycledContentReport,
    materials_present,
    recycled_content_compliance,
)
from batterypass.codec import json as bp_json
from batterypass.errors import ValidationError
from batterypass.model import BatteryPassport, Element, parse_passport

EXAMPLES = Path(__file__).resolve().parents[2] / "examples" / "passports"
BEFORE = date(2030, 6, 1)
EVE = date(2031, 8, 17)
STEP_1 = date(2031, 8, 18)
IN_2031 = date(2031, 12, 1)
STEP_2 = date(2036, 8, 18)
AFTER = date(2040, 1, 1)
D = Decimal


def load(name: str) -> BatteryPassport:
    return bp_json.loads((EXAMPLES / f"{name}.json").read_text(encoding="utf-8"))


def variant(name: str, edit: Callable[[dict[str, Any]], None]) -> BatteryPassport:
    data = bp_json.loads_value((EXAMPLES / f"{name}.json").read_text(encoding="utf-8"))
    edit(data)
    return parse_passport(data)


def row(report: RecycledContentReport, element: Element) -> tuple[Any, ...]:
    m = report.material(element)
    return (m.status, m.required_percent, m.declared_percent, m.meets, m.margin_pp)


# ---------------------------------------------------------------- EV (NMC 811), category ev
# Declared totals: cobalt 16.5 %, lithium 6.5 %, nickel 6.5 %; no lead in the composition.


@pytest.mark.parametrize("at", [BEFORE, EVE])
def test_ev_before_2031_no_minimum_yet(at: date) -> None:
    r = recycled_content_compliance(load("ev-nmc"), at=at)
    assert r.applicability is Applicability.APPLICABLE
    assert r.compliant is None
    for element, declared, nxt in (
        (Element.COBALT, D("16.5"), 16),
        (Element.LITHIUM, D("6.5"), 6),
        (Element.NICKEL, D("6.5"), 6),
    ):
        assert row(r, element) == (ContentStatus.NO_TARGET_YET, None, declared, None, None)
        m = r.material(element)
        assert (m.next_required_percent, m.next_in_force_from) == (nxt, STEP_1)
    assert r.material(Element.LEAD).status is ContentStatus.NOT_PRESENT
    assert r.undeclared == ()
    assert any("no minimum share is in force before 2031-08-18" in n for n in r.notes)


@pytest.mark.parametrize("at", [STEP_1, IN_2031])
def test_ev_in_2031_meets_with_half_a_point(at: date) -> None:
    r = recycled_content_compliance(load("ev-nmc"), at=at)
    # cobalt 16.5 - 16 = 0.5 pp; lithium 6.5 - 6 = 0.5 pp; nickel 6.5 - 6 = 0.5 pp
    assert row(r, Element.COBALT) == (ContentStatus.MEETS, 16, D("16.5"), True, D("0.5"))
    assert row(r, Element.LITHIUM) == (ContentStatus.MEETS, 6, D("6.5"), True, D("0.5"))
    assert row(r, Element.NICKEL) == (ContentStatus.MEETS, 6, D("6.5"), True, D("0.5"))
    assert r.material(Element.COBALT).legal_basis == "Art. 8(2)"
    assert r.material(Element.COBALT).in_force_from == STEP_1
    # the next step: cobalt 26 %, nickel 15 % from 18 Aug 2036
    assert r.material(Element.NICKEL).next_required_percent == 15
    assert r.compliant is True


@pytest.mark.parametrize("at", [STEP_2, AFTER])
def test_ev_from_2036_falls_short(at: date) -> None:
    r = recycled_content_compliance(load("ev-nmc"), at=at)
    # cobalt 16.5 - 26 = -9.5 pp; lithium 6.5 - 12 = -5.5 pp; nickel 6.5 - 15 = -8.5 pp
    assert row(r, Element.COBALT) == (ContentStatus.BELOW_MINIMUM, 26, D("16.5"), False, D("-9.5"))
    assert row(r, Element.LITHIUM) == (ContentStatus.BELOW_MINIMUM, 12, D("6.5"), False, D("-5.5"))
    assert row(r, Element.NICKEL) == (ContentStatus.BELOW_MINIMUM, 15, D("6.5"), False, D("-8.5"))
    assert r.material(Element.NICKEL).legal_basis == "Art. 8(3)"
    assert r.material(Element.NICKEL).next_required_percent is None
    assert r.compliant is False


# ---------------------------------------------------------------- LFP storage, 190 kWh industrial
# Declared: lithium 6.0 %. Composition: lithium, iron, phosphorus, copper, aluminium, graphite.


def test_lfp_before_2031() -> None:
    r = recycled_content_compliance(load("lfp-storage"), at=BEFORE)
    assert r.applicability is Applicability.APPLICABLE
    assert "190 kWh > 2 kWh" in r.reason
    assert any("exclusively external storage" in n for n in r.notes)
    assert row(r, Element.LITHIUM) == (ContentStatus.NO_TARGET_YET, None, D("6.0"), None, None)
    for element in (Element.COBALT, Element.LEAD, Element.NICKEL):
        assert r.material(element).status is ContentStatus.NOT_PRESENT
        assert r.material(element).present is False
    assert r.compliant is None


def test_lfp_in_2031_meets_exactly() -> None:
    r = recycled_content_compliance(load("lfp-storage"), at=STEP_1)
    # lithium 6.0 - 6 = 0.0 pp: equal to the minimum meets it
    assert row(r, Element.LITHIUM) == (ContentStatus.MEETS, 6, D("6.0"), True, D("0.0"))
    assert r.compliant is True


def test_lfp_after_2036_falls_short() -> None:
    r = recycled_content_compliance(load("lfp-storage"), at=AFTER)
    # lithium 6.0 - 12 = -6.0 pp
    assert row(r, Element.LITHIUM) == (ContentStatus.BELOW_MINIMUM, 12, D("6.0"), False, D("-6.0"))
    assert r.compliant is False


# ---------------------------------------------------------------- LMT e-bike


@pytest.mark.parametrize("at", [BEFORE, STEP_1, date(2036, 8, 17)])
def test_lmt_has_no_minimum_before_2036(at: date) -> None:
    # Art. 8(3): LMT batteries are covered from 18 August 2036 (the 2036 shares); the
    # 2031 shares of Art. 8(2) do not name them.
    r = recycled_content_compliance(load("lmt-ebike"), at=at)
    assert r.applicability is Applicability.APPLICABLE
    assert "covered from 2036-08-18 (Art. 8(3))" in r.reason
    assert r.compliant is None
    for element in (Element.COBALT, Element.LITHIUM, Element.NICKEL):
        m = r.material(element)
        assert m.status is ContentStatus.NO_TARGET_YET
        assert m.required_percent is None
        assert m.next_in_force_from == STEP_2
    assert r.material(Element.COBALT).next_required_percent == 26
    assert "no minimum share is in force before 2036-08-18" in r.notes
    # the declared shares are still reported: cobalt 13.0, lithium 2.5, nickel 4.0
    assert r.material(Element.COBALT).declared_percent == D("13.0")
    assert r.material(Element.LITHIUM).declared_percent == D("2.5")
    assert r.material(Element.NICKEL).declared_percent == D("4.0")


@pytest.mark.parametrize("at", [STEP_2, AFTER])
def test_lmt_from_2036_falls_short(at: date) -> None:
    r = recycled_content_compliance(load("lmt-ebike"), at=at)
    assert r.applicability is Applicability.APPLICABLE
    assert row(r, Element.COBALT) == (ContentStatus.BELOW_MINIMUM, 26, D("13.0"), False, -13)
    assert row(r, Element.LITHIUM)[:2] == (ContentStatus.BELOW_MINIMUM, 12)
    assert r.material(Element.COBALT).legal_basis == "Art. 8(3)"
    assert r.compliant is False


def test_only_pre_and_post_consumer_shares_count() -> None:
    # Art. 8(1): a total not made of pre-consumer and post-consumer shares is refused, so
    # pre 0 + post 0 can never "meet" a target through a stated total of 30.
    def edit(d: dict[str, Any]) -> None:
        d["circularity"]["recycled_content"][0] = {
            "material": "cobalt",
            "pre_consumer_percent": 0,
            "post_consumer_percent": 0,
            "total_percent": 30,
        }

    with pytest.raises(ValidationError) as info:
        variant("ev-nmc", edit)
    message = str(info.value)
    assert "circularity.recycled_content[0].total_percent" in message
    assert "must equal the pre-consumer plus post-consumer share (0 %)" in message
    assert "Art. 8(1)" in message


def test_compliance_compares_pre_plus_post() -> None:
    def edit(d: dict[str, Any]) -> None:
        d["circularity"]["recycled_content"][0] = {
            "material": "cobalt",
            "pre_consumer_percent": 10,
            "post_consumer_percent": D("5.5"),
            "total_percent": D("15.5"),
        }

    r = recycled_content_compliance(variant("ev-nmc", edit), at=STEP_1)
    assert row(r, Element.COBALT) == (
        ContentStatus.BELOW_MINIMUM,
        16,
        D("15.5"),
        False,
        D("-0.5"),
    )


# ---------------------------------------------------------------- missing data


def _drop_nickel_share(d: dict[str, Any]) -> None:
    d["circularity"]["recycled_content"] = [
        r for r in d["circularity"]["recycled_content"] if r["material"] != "nickel"
    ]


def test_present_material_without_declaration_is_flagged() -> None:
    p = variant("ev-nmc", _drop_nickel_share)
    before = recycled_content_compliance(p, at=BEFORE)
    assert before.undeclared == (Element.NICKEL,)
    assert before.material(Element.NICKEL).status is ContentStatus.NO_TARGET_YET
    after = recycled_content_compliance(p, at=STEP_1)
    assert after.undeclared == (Element.NICKEL,)
    assert row(after, Element.NICKEL) == (ContentStatus.NOT_DECLARED, 6, None, False, None)
    assert after.compliant is False  # fail closed: a minimum applies and nothing is declared


def test_presence_from_critical_raw_materials_only() -> None:
    def edit(d: dict[str, Any]) -> None:
        del d["materials"]["element_masses"]
        _drop_nickel_share(d)

    p = variant("ev-nmc", edit)
    # Nickel is found in the critical raw material list by its CAS number 7440-02-0.
    assert Element.NICKEL in (materials_present(p) or set())
    assert recycled_content_compliance(p, at=STEP_1).undeclared == (Element.NICKEL,)


def test_presence_by_name_when_no_cas_number() -> None:
    def edit(d: dict[str, Any]) -> None:
        del d["materials"]["element_masses"]
        d["materials"]["critical_raw_materials"] = [{"name": "Lead (battery grade)"}]

    assert materials_present(variant("ev-nmc", edit)) == {Element.LEAD}


def test_no_composition_means_presence_unknown() -> None:
    def edit(d: dict[str, Any]) -> None:
        del d["materials"]["element_masses"]
        del d["materials"]["critical_raw_materials"]

    r = recycled_content_compliance(variant("ev-nmc", edit), at=STEP_1)
    assert r.material(Element.LEAD).status is ContentStatus.PRESENCE_UNKNOWN
    assert r.material(Element.LEAD).present is None
    assert r.material(Element.COBALT).status is ContentStatus.MEETS
    assert r.compliant is None  # lead might be present, undeclared
    assert any("presence of each material unknown" in n for n in r.notes)


def test_no_recycled_content_declared() -> None:
    p = variant("ev-nmc", lambda d: d["circularity"].pop("recycled_content"))
    r = recycled_content_compliance(p, at=STEP_2)
    assert r.undeclared == (Element.COBALT, Element.LITHIUM, Element.NICKEL)
    assert r.compliant is False
    assert any("circularity.recycled_content" in n for n in r.notes)


def test_declared_but_not_in_composition_is_noted() -> None:
    def edit(d: dict[str, Any]) -> None:
        d["circularity"]["recycled_content"].append(
            {
                "material": "lead",
                "pre_consumer_percent": 0,
                "post_consumer_percent": 90,
                "total_percent": 90,
            }
        )

    r = recycled_content_compliance(variant("ev-nmc", edit), at=STEP_1)
    assert row(r, Element.LEAD) == (ContentStatus.MEETS, 85, 90, True, 5)
    assert any("lead is declared, but the composition does not list it" in n for n in r.notes)


# ---------------------------------------------------------------- applicability


def test_unknown_category() -> None:
    r = recycled_content_compliance(
        variant("ev-nmc", lambda d: d["general"].pop("category")), at=STEP_1
    )
    assert r.applicability is Applicability.UNKNOWN
    assert r.compliant is None


def test_sli_is_covered() -> None:
    def edit(d: dict[str, Any]) -> None:
        d["general"]["category"] = "sli"
        d["performance"].pop("capacity_threshold_for_exhaustion_percent")

    r = recycled_content_compliance(variant("ev-nmc", edit), at=STEP_1)
    assert r.applicability is Applicability.APPLICABLE
    assert r.compliant is True


def test_portable_is_not_covered() -> None:
    def edit(d: dict[str, Any]) -> None:
        d["general"]["category"] = "portable"
        d["performance"].pop("capacity_threshold_for_exhaustion_percent")

    r = recycled_content_compliance(variant("ev-nmc", edit), at=STEP_1)
    assert r.applicability is Applicability.NOT_APPLICABLE
    assert "LMT" not in r.reason


def test_small_industrial_battery_is_not_covered() -> None:
    def edit(d: dict[str, Any]) -> None:
        d["performance"]["certified_usable_energy_kwh"] = 2  # not *above* 2 kWh

    r = recycled_content_compliance(variant("lfp-storage", edit), at=STEP_1)
    assert r.applicability is Applicability.NOT_APPLICABLE
    assert "not above 2 kWh" in r.reason


def test_industrial_energy_from_capacity_and_voltage() -> None:
    # 280 Ah x 716.8 V / 1000 = 200.704 kWh
    r = recycled_content_compliance(
        variant("lfp-storage", lambda d: d["performance"].pop("certified_usable_energy_kwh")),
        at=STEP_1,
    )
    assert "200.704 kWh" in r.reason


def test_industrial_energy_unknown() -> None:
    def edit(d: dict[str, Any]) -> None:
        for key in ("certified_usable_energy_kwh", "rated_capacity_ah"):
            d["performance"].pop(key)

    r = recycled_content_compliance(variant("lfp-storage", edit), at=STEP_1)
    assert r.applicability is Applicability.UNKNOWN


# ---------------------------------------------------------------- output


def test_to_dict_is_json() -> None:
    r = recycled_content_compliance(load("ev-nmc"), at=STEP_2)
    data = json.loads(json.dumps(r.to_dict()))
    assert data["at"] == "2036-08-18"
    assert data["applicability"] == "applicable"
    cobalt = data["materials"][0]
    assert cobalt["material"] == "cobalt"
    assert cobalt["required_percent"] == "26"
    assert cobalt["margin_pp"] == "-9.5"
    assert cobalt["status"] == "below-minimum"
    assert data["compliant"] is False


def test_material_lookup_of_unknown_element() -> None:
    r = recycled_content_compliance(load("ev-nmc"), at=STEP_1)
    with pytest.raises(KeyError):
        r.material(Element.COPPER)
