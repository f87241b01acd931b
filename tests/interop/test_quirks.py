"""One test per quirk of specs/battery-pass-mapping.md ("Quirks and how they are converted"),
named after its heading; test_mapping_doc checks that none is missing."""

from __future__ import annotations

import copy
from collections.abc import Callable
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

import pytest

from batterypass.errors import DecodeError, ValidationError
from batterypass.interop import battery_pass as dm
from batterypass.interop.battery_pass import _schema
from batterypass.model import BatteryPassport, parse_passport

Validate = Callable[[str, Any], set[tuple[str, str]]]
Reported = Callable[[dm.AspectDocuments, str], set[tuple[str, str]]]

TECH = "/batteryTechicalProperties"
COND = "/batteryCondition"


def changed(p: BatteryPassport, **changes: Any) -> BatteryPassport:
    """The passport with some values changed (dotted paths, ``__`` for ``.``), validated."""
    data = p.model_dump(mode="python", exclude_none=True)
    for dotted, value in changes.items():
        *parents, last = dotted.split("__")
        node = data
        for key in parents:
            node = node.setdefault(key, {})
        if value is None:
            node.pop(last, None)
        else:
            node[last] = value
    return parse_passport(data)


def back(docs: Any, p: BatteryPassport, notes: list[str] | None = None) -> BatteryPassport:
    """Import, with the passport's identifiers when the documents do not hold them."""
    ids = {} if docs.get(dm.GENERAL) else {"passport_id": p.passport_id, "battery_id": p.battery_id}
    return dm.import_aspects(docs, issued_at=p.issued_at, issuer=p.issuer, notes=notes, **ids)


def lost_fields(docs: dm.AspectDocuments) -> set[str | None]:
    return {n.field for n in docs.lost}


def import_error(docs: Any, p: BatteryPassport) -> ValidationError:
    with pytest.raises(ValidationError) as caught:
        back(docs, p)
    return caught.value


def pointers(error: ValidationError) -> set[tuple[Any, ...]]:
    return {(i.path[0], "".join(f"/{t}" for t in i.path[1:]), i.message) for i in error.issues}


def test_quirk_property_names_as_spelled_on_the_wire(ev_passport: BatteryPassport) -> None:
    p = changed(ev_passport, due_diligence__supply_chain_indices=["0.85"])
    docs = dm.export_aspects(p)
    assert "warrentyPeriod" in docs[dm.GENERAL]
    assert set(docs[dm.PERFORMANCE]) == {"batteryTechicalProperties", "batteryCondition"}
    assert docs[dm.DUE_DILIGENCE]["thirdPartyAussurances"].startswith("https://")
    assert docs[dm.DUE_DILIGENCE]["supplyChainIndicies"] == Decimal("0.85")
    tech, cond = (
        docs[dm.PERFORMANCE]["batteryTechicalProperties"],
        docs[dm.PERFORMANCE]["batteryCondition"],
    )
    assert {"roundtripEfficiency", "roundTripEfficiencyFade"} <= set(tech)
    assert "rPCLastUpdated" in cond["remainingPowerCapability"]["remainingPowerCapabilityValue"]
    assert docs[dm.LABELS]["labels"][0]["labelingSubject"] == "SeparateCollection"
    # A correct spelling is an unknown property, reported where it is.
    wrong = copy.deepcopy(dict(docs))
    wrong[dm.GENERAL]["warrantyPeriod"] = wrong[dm.GENERAL].pop("warrentyPeriod")
    error = import_error(wrong, p)
    assert pointers(error) == {
        (
            dm.GENERAL,
            "/warrantyPeriod",
            "unknown property 'warrantyPeriod' (not in GeneralProductInformation of the "
            "GeneralProductInformation 1.2.0 model)",
        )
    }
    assert str(error).startswith("GeneralProductInformation /warrantyPeriod: unknown property")


def to_v120(doc: dict[str, Any]) -> dict[str, Any]:
    """A 1.2.1 PerformanceAndDurability document rewritten in 1.2.0's shape."""
    doc = copy.deepcopy(doc)
    tech, cond = doc["batteryTechicalProperties"], doc["batteryCondition"]
    for key in ("powerFade", "roundTripEfficiencyFade", "roundTripEfficiencyat50PerCentCycleLife"):
        if key in tech:
            cond[key] = tech.pop(key)
    if "temperatureRangeIdleState" in tech:
        tech["temperatureRangeIdleState"] = tech["temperatureRangeIdleState"]["minimum"]
    if "energyThroughput" in cond:
        cond["energyThroughput"] = cond["energyThroughput"]["energyThroughputValue"]
    if "remainingPowerCapability" in cond:
        cond["remainingPowerCapability"] = [cond["remainingPowerCapability"]]
    for key, old, new in (
        ("remainingEnergy", "remainingEnergyValue", "remainingEnergyalue"),
        (
            "currentSelfDischargingRate",
            "currentSelfDischargingRateValue",
            "currentSelfDischargingRateEntity",
        ),
        (
            "evolutionOfSelfDischarge",
            "evolutionOfSelfDischargeValue",
            "evolutionOfSelfDischargeEntityValue",
        ),
    ):
        if key in cond:
            cond[key][new] = cond[key].pop(old)
    if "evolutionOfSelfDischarge" in cond:
        cond["evolutionOfSelfDischarge"].pop("lastUpdate", None)
    return doc


def test_remaining_power_capability_keeps_its_states_of_charge(support: Any) -> None:
    """Annex IV Part B(4): each remaining power value goes with the state of charge it was
    measured at. 1.2.1 holds one value (the first is written, the rest reported lost); a
    1.2.0 list brings every value back."""
    storage = support_passport(support, "lfp-storage")
    held = storage.state.state_of_health.remaining_power_capability
    assert held is not None
    assert [x.state_of_charge_percent for x in held] == [80, 20]
    docs = dm.export_aspects(storage)
    v121 = docs[dm.PERFORMANCE]
    written = v121["batteryCondition"]["remainingPowerCapability"]["remainingPowerCapabilityValue"]
    assert (written["atSoC"], written["powerCapabilityAt"]) == (80, held[0].power_w)
    assert [n.field for n in docs.lost if "power" in n.field] == [
        "state.state_of_health.remaining_power_capability"
    ]
    assert (
        back({dm.PERFORMANCE: v121}, storage).state.state_of_health.remaining_power_capability
        == (held[:1])
    )
    v120 = to_v120(v121)
    entry = v120["batteryCondition"]["remainingPowerCapability"][0]
    second = copy.deepcopy(entry)
    second["remainingPowerCapabilityValue"]["atSoC"] = held[1].state_of_charge_percent
    second["remainingPowerCapabilityValue"]["powerCapabilityAt"] = held[1].power_w
    v120["batteryCondition"]["remainingPowerCapability"].append(second)
    from_120 = back({dm.PERFORMANCE: v120}, storage)
    assert from_120.state.state_of_health.remaining_power_capability == held
    # A value without its state of charge is an error at the aspect's own pointer.
    del second["remainingPowerCapabilityValue"]["atSoC"]
    error = import_error({dm.PERFORMANCE: v120}, storage)
    assert "/batteryCondition/remainingPowerCapability/1/remainingPowerCapabilityValue/atSoC" in (
        str(error)
    )


def test_quirk_performanceanddurability_1_2_1_is_not_compatible_with_1_2_0(
    support: Any,
) -> None:
    storage = support_passport(support, "lfp-storage")
    v121 = dm.export_aspects(storage)[dm.PERFORMANCE]
    v120 = to_v120(v121)
    assert dm.detect_performance_version(v121) == "1.2.1"
    assert dm.detect_performance_version(v120) == "1.2.0"
    assert dm.detect_performance_version({"batteryTechicalProperties": {"ratedCapacity": 1}}) == (
        "1.2.1"
    )
    notes: list[str] = []
    from_120 = back({dm.PERFORMANCE: v120}, storage, notes)
    from_121 = back({dm.PERFORMANCE: v121}, storage)
    # 1.2.0 cannot hold the idle temperature range: the only difference, with a note.
    assert from_121.performance.idle_temperature_min_c == Decimal(-20)
    assert from_120.performance.idle_temperature_min_c is None
    assert from_120.performance.idle_temperature_max_c is None
    assert changed(
        from_121,
        performance__idle_temperature_min_c=None,
        performance__idle_temperature_max_c=None,
    ) == changed(from_120)
    assert notes == [
        f"{dm.PERFORMANCE} {TECH}/temperatureRangeIdleState: the 1.2.0 single value -20 °C "
        "dropped: it cannot tell which boundary of the idle temperature range it is"
    ]
    # Each version's properties only: the 1.2.0 key is unknown in a 1.2.1 document.
    mixed = copy.deepcopy(v121)
    mixed["batteryCondition"]["remainingEnergy"]["remainingEnergyalue"] = 1
    with pytest.raises(ValidationError, match=r"mixes version 1\.2\.0 \(.*remainingEnergyalue\)"):
        dm.detect_performance_version(mixed)
    error = import_error({dm.PERFORMANCE: mixed}, storage)
    assert str(error).startswith("PerformanceAndDurability: mixes version 1.2.0")
    stray = copy.deepcopy(v120)
    stray["batteryTechicalProperties"]["powerCapabilityAt"] = 5
    assert (
        dm.PERFORMANCE,
        f"{TECH}/powerCapabilityAt",
        "unknown property 'powerCapabilityAt' (not in BatteryTechnicalPropertiesEntity of the "
        "PerformanceAndDurability 1.2.0 model)",
    ) in pointers(import_error({dm.PERFORMANCE: stray}, storage))


def support_passport(support: Any, name: str) -> BatteryPassport:
    from batterypass.codec import json as bp_json

    path = support.VECTORS.parents[2] / "examples" / "passports" / f"{name}.json"
    return bp_json.loads(path.read_text(encoding="utf-8"))


def test_quirk_enumerations(ev_passport: BatteryPassport, support: Any) -> None:
    storage = support_passport(support, "lfp-storage")
    assert dm.export_aspects(storage)[dm.GENERAL]["batteryCategory"] == "stationary"
    industrial = changed(storage, general__stationary_energy_storage=False)
    assert dm.export_aspects(industrial)[dm.GENERAL]["batteryCategory"] == "industrial"
    unstated = changed(storage, general__stationary_energy_storage=None)
    docs = dm.export_aspects(unstated)
    assert "general.stationary_energy_storage" in lost_fields(docs)
    assert back(docs, unstated).general.stationary_energy_storage is False
    portable = changed(
        ev_passport,
        general__category="portable",
        performance__capacity_threshold_for_exhaustion_percent=None,
    )
    docs = dm.export_aspects(portable)
    assert "batteryCategory" not in docs[dm.GENERAL]
    assert "general.category" in lost_fields(docs)
    reused = changed(ev_passport, status="re-used")
    docs = dm.export_aspects(reused)
    assert docs[dm.GENERAL]["batteryStatus"] == "Reused"
    assert back(docs, reused).status == "re-used"
    stages = dm.export_aspects(ev_passport)[dm.CARBON_FOOTPRINT]["carbonFootprintPerLifecycleStage"]
    assert [s["lifecycleStage"] for s in stages] == [
        "RawMaterialExtraction",
        "MainProduction",
        "Distribution",
        "Recycling",
    ]
    twice = {"carbonFootprintPerLifecycleStage": [stages[0], stages[0]]}
    assert (
        dm.CARBON_FOOTPRINT,
        "/carbonFootprintPerLifecycleStage/1/lifecycleStage",
        "stage 'RawMaterialExtraction' given twice",
    ) in pointers(import_error({dm.CARBON_FOOTPRINT: twice}, ev_passport))
    manganese = changed(
        ev_passport,
        circularity__recycled_content=[
            {
                "material": "manganese",
                "pre_consumer_percent": 1,
                "post_consumer_percent": 1,
                "total_percent": 2,
            }
        ],
    )
    docs = dm.export_aspects(manganese)
    assert docs[dm.CIRCULARITY]["recycledContent"] == []
    assert "circularity.recycled_content" in lost_fields(docs)
    # componentName is read case-insensitively; an unknown one becomes "other", with a note.
    exported = dm.export_aspects(ev_passport)
    doc = exported[dm.MATERIALS]
    doc["batteryMaterials"][0]["batteryMaterialLocation"]["componentName"] = "CATHODE"
    doc["batteryMaterials"][3]["batteryMaterialLocation"]["componentName"] = "current-collector"
    doc["batteryMaterials"][2]["batteryMaterialLocation"]["componentName"] = "Housing"
    notes: list[str] = []
    read = back({dm.GENERAL: exported[dm.GENERAL], dm.MATERIALS: doc}, ev_passport, notes)
    read = read.materials.materials
    assert read is not None
    assert [m.component for m in read] == ["cathode", "anode", "other", "current-collector"]
    assert notes == [
        f"{dm.MATERIALS} /batteryMaterials/2/batteryMaterialLocation/componentName: component "
        "'Housing' has no batterypass component; read as 'other'"
    ]
    # A module's resistance has no field: dropped with a note.
    perf = dm.export_aspects(ev_passport)[dm.PERFORMANCE]
    perf["batteryTechicalProperties"]["initialInternalResistance"].append(
        {"ohmicResistance": 1, "batteryComponent": "module"}
    )
    notes = []
    back({dm.PERFORMANCE: perf}, ev_passport, notes)
    assert notes == [
        f"{dm.PERFORMANCE} {TECH}/initialInternalResistance/2: module-level internal resistance "
        "dropped (the passport holds cell and pack level)"
    ]


def test_quirk_absolute_carbon_footprint_in_kg_not_t(ev_passport: BatteryPassport) -> None:
    docs = dm.export_aspects(ev_passport)
    assert docs[dm.CARBON_FOOTPRINT]["absoluteCarbonFootprint"] == Decimal(5616)
    assert back(docs, ev_passport).carbon_footprint.absolute_kg_co2e == Decimal(5616)
    assert (dm.LONGLIST_MAPPING[26].unit, dm.LONGLIST_MAPPING[26].id) == ("[tCO2e]", 27)


def test_quirk_lifecycle_stages_in_kg_co2e_kwh_not_in(ev_passport: BatteryPassport) -> None:
    docs = dm.export_aspects(ev_passport)
    stages = {
        s["lifecycleStage"]: s["carbonFootprint"]
        for s in docs[dm.CARBON_FOOTPRINT]["carbonFootprintPerLifecycleStage"]
    }
    assert stages["RawMaterialExtraction"] == Decimal("0.032")
    total = docs[dm.CARBON_FOOTPRINT]["batteryCarbonFootprint"]
    # The longlist's share in %: stage / total x 100.
    assert stages["RawMaterialExtraction"] / total * 100 == pytest.approx(
        Decimal("61.538"), abs=Decimal("0.001")
    )
    assert "carbon_footprint.rounding_kg_co2e_per_kwh" in lost_fields(docs)
    assert back(docs, ev_passport).carbon_footprint.stage_values() == (
        ev_passport.carbon_footprint.stage_values()
    )
    # Stages that add up only within a coarse rounding step cannot be read back without it.
    coarse = changed(
        ev_passport,
        carbon_footprint__total_kg_co2e_per_kwh=Decimal("0.1"),
        carbon_footprint__raw_material_acquisition_kg_co2e_per_kwh=Decimal("0.032"),
        carbon_footprint__main_production_kg_co2e_per_kwh=Decimal("0.032"),
        carbon_footprint__distribution_kg_co2e_per_kwh=Decimal("0.032"),
        carbon_footprint__end_of_life_kg_co2e_per_kwh=Decimal("0.032"),
        carbon_footprint__rounding_kg_co2e_per_kwh=Decimal("0.1"),
    )
    docs = dm.export_aspects(coarse)
    note = next(n for n in docs.lost if n.field == "carbon_footprint.rounding_kg_co2e_per_kwh")
    assert dm.UNREADABLE_STAGES in note.message
    assert (
        dm.CARBON_FOOTPRINT,
        "/batteryCarbonFootprint",
        "the lifecycle stages add up to 0.128, not to the total 0.1 (tolerance 0.0025)",
    ) in pointers(import_error(docs, coarse))


def test_quirk_remaining_capacity_in_kwh_not_ah(ev_passport: BatteryPassport) -> None:
    docs = dm.export_aspects(ev_passport)
    value = docs[dm.PERFORMANCE]["batteryCondition"]["remainingCapacity"]["remainingCapacityValue"]
    assert value == Decimal("74.9472")  # 211 Ah x 355.2 V / 1000
    assert back(docs, ev_passport).state.state_of_health.remaining_capacity_ah == 211
    no_voltage = changed(ev_passport, performance__nominal_voltage_v=None)
    docs = dm.export_aspects(no_voltage)
    assert "remainingCapacity" not in docs[dm.PERFORMANCE]["batteryCondition"]
    assert "state.state_of_health.remaining_capacity_ah" in lost_fields(docs)
    doc = dm.export_aspects(ev_passport)[dm.PERFORMANCE]
    doc["batteryCondition"]["remainingCapacity"]["remainingCapacityValue"] = Decimal(1)
    doc["batteryTechicalProperties"]["nominalVoltage"] = Decimal(3)
    doc["batteryTechicalProperties"]["minimumVoltage"] = Decimal(2)
    notes: list[str] = []
    read = back({dm.PERFORMANCE: doc}, ev_passport, notes)
    assert read.state.state_of_health.remaining_capacity_ah == Decimal(
        "333.3333333333333333333333333333333"
    )
    assert notes == [
        f"{dm.PERFORMANCE} {COND}/remainingCapacity/remainingCapacityValue: remaining capacity in "
        "Ah rounded to 34 significant digits"
    ]
    del doc["batteryTechicalProperties"]["nominalVoltage"]
    notes = []
    assert (
        back({dm.PERFORMANCE: doc}, ev_passport, notes).state.state_of_health.remaining_capacity_ah
        is None
    )
    assert "needs the nominal voltage" in notes[0]


def test_quirk_power_in_kw_and_in_percent(ev_passport: BatteryPassport) -> None:
    docs = dm.export_aspects(ev_passport)
    tech = docs[dm.PERFORMANCE]["batteryTechicalProperties"]
    assert tech["ratedMaximumPower"] == Decimal(260)  # 260000 W
    assert tech["originalPowerCapability"][0] == {"atSoC": 80, "powerCapabilityAt": 250000}
    tech["ratedMaximumPower"] = Decimal("260.5")
    read = back(docs, ev_passport)
    assert read.performance.maximum_permitted_power_w == Decimal(260500)
    assert read.performance.original_power_capability == (
        ev_passport.performance.original_power_capability
    )


def test_quirk_power_to_energy_ratio_powercapabilityratio_and_crate(
    ev_passport: BatteryPassport,
) -> None:
    doc = dm.export_aspects(ev_passport)[dm.PERFORMANCE]
    tech = doc["batteryTechicalProperties"]
    assert (tech["powerCapabilityRatio"], tech["cRate"]) == (Decimal(330), Decimal("3.3"))
    del tech["cRate"]
    assert back({dm.PERFORMANCE: doc}, ev_passport).performance.power_to_energy_ratio_w_per_wh == (
        Decimal("3.3")
    )
    del tech["powerCapabilityRatio"]
    tech["cRate"] = Decimal("1.5")
    assert back({dm.PERFORMANCE: doc}, ev_passport).performance.power_to_energy_ratio_w_per_wh == (
        Decimal("1.5")
    )
    tech["powerCapabilityRatio"] = Decimal("1.5")
    assert pointers(import_error({dm.PERFORMANCE: doc}, ev_passport)) == {
        (
            dm.PERFORMANCE,
            f"{TECH}/powerCapabilityRatio",
            "1.5 % disagrees with cRate 1.5: both state the ratio of nominal power to energy "
            "(powerCapabilityRatio = 100 x cRate)",
        )
    }


def test_quirk_self_discharge_in_percent(support: Any) -> None:
    storage = support_passport(support, "lfp-storage")
    docs = dm.export_aspects(storage)
    tech = docs[dm.PERFORMANCE]["batteryTechicalProperties"]
    cond = docs[dm.PERFORMANCE]["batteryCondition"]
    assert tech["initialSelfDischarge"] == Decimal("2.5")
    assert cond["currentSelfDischargingRate"]["currentSelfDischargingRateValue"] == Decimal("2.5")
    read = back(docs, storage)
    assert read.state.state_of_health.current_self_discharge_percent_per_month == Decimal("2.5")


@pytest.mark.parametrize(
    ("months", "wire", "deviates"),
    [
        (6, "--06", False),
        (12, "--12", False),
        (1, "--01", False),
        (0, "P0M", True),
        (96, "P96M", True),
    ],
)
def test_quirk_warranty_period_as_xsd_gmonth(
    ev_passport: BatteryPassport, months: int, wire: str, deviates: bool
) -> None:
    p = changed(ev_passport, general__warranty_period_months=months)
    docs = dm.export_aspects(p)
    assert docs[dm.GENERAL]["warrentyPeriod"] == wire
    assert any(n.pointer == "/warrentyPeriod" for n in docs.deviations) is deviates
    assert back(docs, p).general.warranty_period_months == months
    for text, expected in (("P8Y", 96), ("P1Y6M", 18), ("--07Z", 7), ("--11+02:00", 11)):
        docs[dm.GENERAL]["warrentyPeriod"] = text
        notes: list[str] = []
        assert back(docs, p, notes).general.warranty_period_months == expected
        # A gMonth is always read with a note (a month of the year taken as a period), and
        # its time zone with another.
        assert len(notes) == (0 if text.startswith("P") else 2 if text[4:] else 1)
    docs[dm.GENERAL]["warrentyPeriod"] = "June"
    assert (
        dm.GENERAL,
        "/warrentyPeriod",
        "'June' is neither a gMonth (--01..--12, read as a number of months) nor a duration in "
        "years and months (P8Y, P96M)",
    ) in pointers(import_error(docs, p))


def test_quirk_dates_as_timestamps(ev_passport: BatteryPassport) -> None:
    docs = dm.export_aspects(ev_passport)
    assert docs[dm.GENERAL]["manufacturingDate"] == "2026-09-30T00:00:00Z"
    assert docs[dm.GENERAL]["puttingIntoService"] == "2026-10-12T00:00:00Z"
    docs[dm.GENERAL]["manufacturingDate"] = "2026-09-30T23:30:00-05:00"
    notes: list[str] = []
    assert back(docs, ev_passport, notes).general.manufacturing_date == date(2026, 9, 30)
    assert notes == [
        f"{dm.GENERAL} /manufacturingDate: time of day of '2026-09-30T23:30:00-05:00' dropped "
        "(the passport holds a date)"
    ]
    docs[dm.GENERAL]["manufacturingDate"] = "2026-09"
    assert (
        dm.GENERAL,
        "/manufacturingDate",
        "'2026-09' is not an xsd:dateTime timestamp",
    ) in pointers(import_error(docs, ev_passport))
    fraction = changed(ev_passport, performance__expected_lifetime_years=Decimal("7.5"))
    docs = dm.export_aspects(fraction)
    assert docs[dm.PERFORMANCE]["batteryTechicalProperties"]["expectedLifetime"] == Decimal("7.5")
    assert next((n.pointer, n.rule) for n in docs.deviations if n.aspect == dm.PERFORMANCE) == (
        f"{TECH}/expectedLifetime",
        "datatype",
    )
    # A dynamic value's time needs a time zone (the passport's times are aware).
    docs[dm.PERFORMANCE]["batteryCondition"]["stateOfCharge"]["lastUpdate"] = "2026-10-14T16:30:00"
    assert (
        dm.PERFORMANCE,
        f"{COND}/stateOfCharge/lastUpdate",
        "timestamp '2026-10-14T16:30:00' has no time zone offset",
    ) in pointers(import_error(docs, fraction))


def test_quirk_idle_temperature_range(ev_passport: BatteryPassport) -> None:
    docs = dm.export_aspects(ev_passport)
    assert docs[dm.PERFORMANCE]["batteryTechicalProperties"]["temperatureRangeIdleState"] == {
        "minimum": -40,
        "maximum": 60,
    }
    cold = changed(ev_passport, performance__idle_temperature_min_c=-150)
    docs = dm.export_aspects(cold)
    assert [(n.pointer, n.rule) for n in docs.deviations if n.rule == "range"] == [
        (f"{TECH}/temperatureRangeIdleState/minimum", "range")
    ]
    assert back(docs, cold).performance.idle_temperature_min_c == -150
    only_max = changed(ev_passport, performance__idle_temperature_min_c=None)
    docs = dm.export_aspects(only_max)
    assert (dm.PERFORMANCE, f"{TECH}/temperatureRangeIdleState/minimum") in {
        (n.aspect, n.pointer) for n in docs.missing
    }


def test_quirk_deep_discharge_and_overcharge_events_have_no_property(
    ev_passport: BatteryPassport,
) -> None:
    docs = dm.export_aspects(ev_passport)
    assert {
        "state.usage.deep_discharge_events",
        "state.usage.overcharge_events",
        "state.usage.temperature_c",
    } <= lost_fields(docs)
    for version in dm.PERFORMANCE_VERSIONS:
        text = repr(_schema.wire(dm.PERFORMANCE, version)).lower()
        assert "deep" not in text
        assert "overcharg" not in text
    assert {r.id: r.status for r in dm.LONGLIST_MAPPING if r.id in (84, 91, 92)} == {
        84: "not mapped",
        91: "not mapped",
        92: "not mapped",
    }


def test_quirk_everything_is_required(support: Any) -> None:
    storage = support_passport(support, "lfp-storage")
    docs = dm.export_aspects(storage)
    missing = {(n.aspect, n.pointer) for n in docs.missing}
    assert (dm.PERFORMANCE, f"{TECH}/capacityThresholdForExhaustion") in missing
    assert (dm.GENERAL, "/operatorInformation") in missing
    with pytest.raises(ValidationError, match="applies only to EV batteries"):
        changed(storage, performance__capacity_threshold_for_exhaustion_percent=70)
    # Import takes what is there; completeness says what is missing.
    p = dm.import_aspects(
        {
            dm.GENERAL: {
                "productIdentifier": storage.battery_id,
                "batteryPassportIdentifier": storage.passport_id,
                "batteryCategory": "lmt",
            }
        },
        issued_at=storage.issued_at,
        issuer=storage.issuer,
    )
    from batterypass.model import completeness

    report = completeness(p)
    assert report.passport_required is True
    assert "general.manufacturer" in {g.path for g in report.gaps}


def test_quirk_utf_16_files() -> None:
    doc = {"productIdentifier": "urn:example:battery", "batteryMass": Decimal("452.5")}
    text = dm.dumps_aspect(doc)
    assert text == ('{\n  "productIdentifier": "urn:example:battery",\n  "batteryMass": 452.5\n}\n')
    crlf = text.replace("\n", "\r\n")
    for raw in (
        text.encode("utf-8"),
        b"\xef\xbb\xbf" + crlf.encode("utf-8"),
        b"\xff\xfe" + crlf.encode("utf-16-le"),
        b"\xfe\xff" + text.encode("utf-16-be"),
        text.encode("utf-16-le"),
        text.encode("utf-16-be"),
        b"\xff\xfe\x00\x00" + text.encode("utf-32-le"),
        text.encode("utf-32-be"),
    ):
        assert dm.read_aspect_file(raw) == doc
    for raw, message in (
        (b"\xff\xfe" + "\ufeff{}".encode("utf-16-le"), "more than one byte-order mark"),
        (b"\xff\xfe{\x00\x00", "not valid UTF-16-LE text"),
        (b"\xff{}", "not valid UTF-8 text"),
        (b"[1, 2]", "an aspect document must be a JSON object"),
        (b'{"a": 1, "a": 2}', "duplicate key 'a'"),
        (b'{"a": NaN}', "NaN is not a number"),
        (b"{", "not valid JSON"),
    ):
        with pytest.raises(DecodeError, match=message):
            dm.read_aspect_file(raw)


def test_quirk_the_broken_e_mail_pattern(ev_passport: BatteryPassport, support: Any) -> None:
    published = support.load_schema(dm.GENERAL, repair_email=False)
    assert published["components"]["schemas"]["EmailAddressTrait"]["pattern"] == (
        "^[w.-]+@[w.-]+.[A-Za-z]{2,}$"
    )
    assert dm.export_aspects(ev_passport).deviations == tuple(
        n for n in dm.export_aspects(ev_passport).deviations if "e-mail" not in n.message
    )
    plus = changed(ev_passport, general__manufacturer__email="plus+tag@example.com")
    docs = dm.export_aspects(plus)
    assert [(n.pointer, n.rule) for n in docs.deviations if "e-mail" in n.message] == [
        ("/manufacturerInformation/emailAddress", "pattern")
    ]
    assert back(docs, plus).general.manufacturer == plus.general.manufacturer


def test_quirk_the_passport_identifier_pattern(ev_passport: BatteryPassport) -> None:
    docs = dm.export_aspects(ev_passport)
    assert docs[dm.GENERAL]["batteryPassportIdentifier"] == ev_passport.passport_id
    assert [n.rule for n in docs.deviations if n.pointer == "/batteryPassportIdentifier"] == [
        "pattern"
    ]
    simple = changed(ev_passport, passport_id="urn:bmwk:123456687678")
    assert not [
        n for n in dm.export_aspects(simple).deviations if n.pointer == "/batteryPassportIdentifier"
    ]
    assert back(docs, ev_passport).passport_id == ev_passport.passport_id


def test_quirk_postal_addresses_without_a_locality(ev_passport: BatteryPassport) -> None:
    docs = dm.export_aspects(ev_passport)
    gpi = docs[dm.GENERAL]
    assert gpi["manufacturerInformation"]["postalAddress"] == {
        "addressCountry": "CN",
        "postalCode": "518107",
        "streetAddress": "1 Battery Road, Guangming District, Shenzhen",
    }
    assert gpi["manufacturingPlace"]["streetAddress"] == ", Shenzhen"
    read = back(docs, ev_passport)
    assert read.general.manufacturer == ev_passport.general.manufacturer
    assert read.general.manufacturing_place is not None
    assert (
        read.general.manufacturing_place.address == ev_passport.general.manufacturing_place.address
    )  # type: ignore[union-attr]
    place = gpi["manufacturingPlace"]
    place.update(
        streetAddress="Hindenburgstr. 10, 10719 Berlin", postalCode="10719", addressCountry="DE"
    )
    address = back(docs, ev_passport).general.manufacturing_place.address  # type: ignore[union-attr]
    assert (address.street, address.postal_code, address.city) == (
        "Hindenburgstr. 10",
        "10719",
        "Berlin",
    )
    place.update(streetAddress="Hindenburgstr. 10, Berlin", addressCountry="Germany")
    notes: list[str] = []
    assert back(docs, ev_passport, notes).general.manufacturing_place.address.country == "DE"  # type: ignore[union-attr]
    assert (
        f"{dm.GENERAL} /manufacturingPlace/addressCountry: country name 'Germany' read as its "
        "ISO 3166-1 code 'DE'"
    ) in notes
    # No ", city" part: a postal code locates the address, which is kept without a city.
    place.update(streetAddress="Hindenburgstr. 10", addressCountry="DE")
    notes = []
    address = back(docs, ev_passport, notes).general.manufacturing_place.address  # type: ignore[union-attr]
    assert (address.street, address.postal_code, address.city, address.country) == (
        "Hindenburgstr. 10",
        "10719",
        None,
        "DE",
    )
    assert notes == [
        f"{dm.GENERAL} /manufacturingPlace/streetAddress: no city: the consortium's address has "
        "no locality property and streetAddress has no ', city' part; the address is kept "
        "without a city (its postal code '10719' locates it)"
    ]
    place.update(addressCountry="Germania")
    assert pointers(import_error(docs, ev_passport)) == {
        (
            dm.GENERAL,
            "/manufacturingPlace/addressCountry",
            "'Germania' is no ISO 3166-1 alpha-2 country code (e.g. 'DE'), which batterypass needs",
        ),
    }
    # Neither a city nor a postal code: no address.
    del place["postalCode"]
    place.update(addressCountry="DE")
    assert pointers(import_error(docs, ev_passport)) == {
        (
            dm.GENERAL,
            "/manufacturingPlace/streetAddress",
            "no city and no postal code: the consortium's address has no locality property, so "
            "batterypass reads the city from after the last ', ' of streetAddress ('street, "
            "city'); an address needs one or the other",
        ),
    }
    comma = changed(ev_passport, general__manufacturer__address__city="Washington, D.C.")
    docs = dm.export_aspects(comma)
    assert "general.manufacturer" in lost_fields(docs)
    # An address without a city (located by its postal code) exports its street alone.
    no_city = changed(
        ev_passport,
        general__manufacturer__address__city=None,
        general__manufacturer__address__street="Hindenburgstr. 10",
        general__manufacturer__address__postal_code="10719",
    )
    docs = dm.export_aspects(no_city)
    assert docs[dm.GENERAL]["manufacturerInformation"]["postalAddress"] == {
        "addressCountry": "CN",
        "postalCode": "10719",
        "streetAddress": "Hindenburgstr. 10",
    }
    assert "general.manufacturer" not in lost_fields(docs)
    assert back(docs, no_city).general.manufacturer == no_city.general.manufacturer
    # A street holding ", " would read back as street and city: reported lost.
    comma = changed(no_city, general__manufacturer__address__street="Hauptstr. 1, Hof 2")
    docs = dm.export_aspects(comma)
    assert "general.manufacturer" in lost_fields(docs)


def test_quirk_critical_raw_materials_and_materials_share_one_list(
    ev_passport: BatteryPassport,
) -> None:
    docs = dm.export_aspects(ev_passport)
    entries = docs[dm.MATERIALS]["batteryMaterials"]
    anode = entries[1]
    assert (anode["batteryMaterialLocation"], anode["isCriticalRawMaterial"]) == (
        {"componentName": "Anode"},
        True,
    )
    assert anode["batteryMaterialMass"] == Decimal(70100)  # 70.1 kg
    cobalt = entries[4]
    assert cobalt == {
        "batteryMaterialLocation": {"componentName": "Battery"},
        "batteryMaterialIdentifier": "7440-48-4",
        "batteryMaterialName": "Cobalt",
        "batteryMaterialMass": Decimal(7240),  # 1.6 % of 452.5 kg
        "isCriticalRawMaterial": True,
    }
    read = back(docs, ev_passport).materials
    assert read.critical_raw_materials == ev_passport.materials.critical_raw_materials
    assert read.materials == ev_passport.materials.materials
    # Without the battery mass the concentration cannot be read; a flagged material is still a
    # critical raw material.
    notes: list[str] = []
    foreign = {"batteryMaterials": [entries[1], entries[4]]}
    alone = back({dm.MATERIALS: foreign}, ev_passport, notes).materials
    assert alone.critical_raw_materials is not None
    assert [(c.name, c.concentration_percent) for c in alone.critical_raw_materials] == [
        ("Cobalt", None),
        ("Natural graphite", None),
    ]
    assert notes == [
        f"{dm.MATERIALS} /batteryMaterials/1/batteryMaterialMass: mass dropped: the concentration "
        f"needs the battery mass ({dm.GENERAL} /batteryMass)"
    ]


def test_quirk_one_time_per_value_one_time_per_section(ev_passport: BatteryPassport) -> None:
    docs = dm.export_aspects(ev_passport)
    cond = docs[dm.PERFORMANCE]["batteryCondition"]
    measured = "2026-10-14T16:30:00+00:00"
    assert cond["remainingEnergy"]["lastUpdate"] == measured
    assert cond["remainingPowerCapability"]["remainingPowerCapabilityValue"]["rPCLastUpdated"] == (
        measured
    )
    assert cond["capacityFade"]["lastUpdate"] == "2026-10-15T08:00:00+00:00"  # issued_at
    cond["remainingEnergy"]["lastUpdate"] = "2026-10-14T17:00:00+00:00"
    cond["capacityFade"]["lastUpdate"] = "2026-01-01T00:00:00Z"
    notes: list[str] = []
    read = back(docs, ev_passport, notes)
    assert read.state.state_of_health.measured_at == datetime(2026, 10, 14, 17, tzinfo=UTC)
    assert notes == [
        f"{dm.PERFORMANCE} {COND}/capacityFade/lastUpdate: '2026-01-01T00:00:00Z' dropped (the "
        "passport holds this value as of its issue time)",
        f"{dm.PERFORMANCE} {COND}/remainingEnergy/lastUpdate: 5 older lastUpdate value(s) "
        "dropped: the passport keeps one time for these values, the latest "
        "(2026-10-14T17:00:00+00:00); e.g. /batteryCondition/remainingCapacity/lastUpdate",
    ]
    bare = changed(ev_passport, state__state_of_health=None)
    bare = changed(bare, state__state_of_health__measured_at=ev_passport.issued_at)
    assert "state.state_of_health.measured_at" in lost_fields(dm.export_aspects(bare))


def test_quirk_one_url_where_the_passport_has_a_list_and_document_references(
    ev_passport: BatteryPassport,
) -> None:
    reports = [
        {"title": "Results of test reports", "url": "https://example.com/a.pdf"},
        {"title": "Second report", "url": "https://example.com/b.pdf"},
    ]
    p = changed(
        ev_passport,
        labels__test_reports=reports,
        labels__declaration_of_conformity={
            "title": "EU declaration of conformity",
            "url": "https://example.com/doc.pdf",
        },
        circularity__dismantling_information=[
            {
                "title": "Removal manual",
                "url": "https://example.com/r.pdf",
                "media_type": "application/pdf",
            },
            {"title": "Exploded view", "url": "https://example.com/x.pdf"},
        ],
    )
    docs = dm.export_aspects(p)
    assert docs[dm.LABELS]["resultOfTestReport"] == "https://example.com/a.pdf"
    assert [
        d["documentType"] for d in docs[dm.CIRCULARITY]["dismantlingAndRemovalInformation"]
    ] == ["RemovalManual", "OtherManual"]
    lost = {(n.field, n.pointer) for n in docs.lost}
    assert ("labels.test_reports", "/resultOfTestReport") in lost
    assert ("circularity.dismantling_information", "/dismantlingAndRemovalInformation/1") in lost
    assert ("labels.declaration_of_conformity", "/declarationOfConformity") not in lost
    read = back(docs, p)
    assert read.labels.declaration_of_conformity == p.labels.declaration_of_conformity
    assert read.labels.test_reports == p.labels.test_reports[:1]  # type: ignore[index]
    assert read.circularity.dismantling_information is not None
    assert [d.title for d in read.circularity.dismantling_information] == [
        "Removal manual",
        "Other manual",
    ]
    label = docs[dm.LABELS]["labels"][0]
    label["labelingMeaning"] = {"de": "Getrennte Sammlung", "fr": "Collecte séparée"}
    notes: list[str] = []
    symbol = back(docs, p, notes).labels.separate_collection_symbol
    assert symbol is not None
    assert symbol.title == "Getrennte Sammlung"
    assert notes == [
        f"{dm.LABELS} /labels/0/labelingMeaning: meaning in fr dropped (the "
        "passport keeps one title per symbol)"
    ]


def test_quirk_lists_that_may_be_empty(ev_passport: BatteryPassport) -> None:
    docs = dm.export_aspects(ev_passport)
    assert ev_passport.labels.cadmium_lead_symbols == ()
    assert [x["labelingSubject"] for x in docs[dm.LABELS]["labels"]] == ["SeparateCollection"]
    assert back(docs, ev_passport).labels.cadmium_lead_symbols == ()
    unstated = changed(ev_passport, labels__cadmium_lead_symbols=None)
    docs = dm.export_aspects(unstated)
    assert "labels.cadmium_lead_symbols" in lost_fields(docs)
    assert back(docs, unstated).labels.cadmium_lead_symbols == ()
    no_parts = changed(ev_passport, circularity__part_numbers=None)
    assert "circularity.part_numbers" in lost_fields(dm.export_aspects(no_parts))
    # Part numbers go under the first source and come back from all of them.
    two = changed(
        ev_passport,
        circularity__spare_part_sources=[{"name": "A"}, {"name": "B"}],
    )
    docs = dm.export_aspects(two)
    sources = docs[dm.CIRCULARITY]["sparePartSources"]
    assert [len(s["components"]) for s in sources] == [2, 0]
    sources[1]["components"] = [sources[0]["components"].pop()]
    notes: list[str] = []
    assert back(docs, two, notes).circularity.part_numbers == two.circularity.part_numbers
    assert notes == [
        f"{dm.CIRCULARITY} /sparePartSources: part numbers of several sources merged into one "
        "list (the passport does not tie part numbers to a source)"
    ]


def test_quirk_hazardous_substances(ev_passport: BatteryPassport) -> None:
    docs = dm.export_aspects(ev_passport)
    first, second = docs[dm.MATERIALS]["hazardousSubstances"]
    assert first["hazardousSubstanceClass"] == "AcuteToxicity"
    assert first["hazardousSubstanceImpact"] == ["Acute Tox. 3", "Skin Corr. 1A", "STOT RE 1"]
    assert first["hazardousSubstanceLocation"] == {"componentName": "Electrolyte"}
    assert "hazardousSubstanceClass" not in second  # Skin Sens. 1 / Carc. 1A: none of the three
    assert (dm.MATERIALS, "/hazardousSubstances/1/hazardousSubstanceClass") in {
        (n.aspect, n.pointer) for n in docs.missing
    }
    assert ("materials.hazardous_substances", "/hazardousSubstances/0") in {
        (n.field, n.pointer) for n in docs.lost
    }  # the EC number
    first["hazardousSubstanceClass"] = "EyeDamageOrIrritation"
    notes: list[str] = []
    read = back(docs, ev_passport, notes).materials.hazardous_substances
    assert read is not None
    assert read[0].hazard_classes == ("Acute Tox. 3", "Skin Corr. 1A", "STOT RE 1")
    assert notes == [
        f"{dm.MATERIALS} /hazardousSubstances/0/hazardousSubstanceClass: class "
        "'EyeDamageOrIrritation' is not reflected in the impact statements, which batterypass "
        "keeps as the hazard classes; dropped"
    ]


def test_quirk_negative_events(ev_passport: BatteryPassport) -> None:
    events = [
        {"occurred_on": date(2026, 10, 1), "kind": "accident", "description": "rear collision"},
        {"occurred_on": date(2026, 10, 2), "kind": "flood"},
    ]
    p = changed(ev_passport, state__usage__negative_events=events)
    docs = dm.export_aspects(p)
    assert docs[dm.PERFORMANCE]["batteryCondition"]["negativeEvents"] == [
        {"negativeEvent": "accident: rear collision", "lastUpdate": "2026-10-01T00:00:00Z"},
        {"negativeEvent": "flood", "lastUpdate": "2026-10-02T00:00:00Z"},
    ]
    assert back(docs, p).state.usage.negative_events == p.state.usage.negative_events
    long_text = "Thermal event during fast charging at a public station " * 2
    docs[dm.PERFORMANCE]["batteryCondition"]["negativeEvents"][1]["negativeEvent"] = long_text
    read = back(docs, p).state.usage.negative_events
    assert read is not None
    assert (read[1].kind, read[1].description) == ("unspecified", long_text)
    odd = changed(
        p,
        state__usage__negative_events=[
            {"occurred_on": date(2026, 10, 1), "kind": "type: accident"}
        ],
    )
    assert "state.usage.negative_events" in lost_fields(dm.export_aspects(odd))


def test_quirk_chemistry(ev_passport: BatteryPassport) -> None:
    docs = dm.export_aspects(ev_passport)
    assert docs[dm.MATERIALS]["batteryChemistry"] == {
        "shortName": "NMC",
        "clearName": "NMC 811 / graphite",
    }
    docs[dm.MATERIALS]["batteryChemistry"]["shortName"] = "ncm"
    assert back(docs, ev_passport).materials.chemistry == ev_passport.materials.chemistry
    docs[dm.MATERIALS]["batteryChemistry"]["shortName"] = "Li-ion"
    notes: list[str] = []
    chemistry = back(docs, ev_passport, notes).materials.chemistry
    assert chemistry is not None
    assert chemistry.family == "other"
    assert notes == [
        f"{dm.MATERIALS} /batteryChemistry/shortName: 'Li-ion' is no chemistry family "
        "batterypass knows; read as 'other' (the clear name is kept as the designation)"
    ]


def test_quirk_sample_payloads(support: Any) -> None:
    for key, rel in support.SAMPLE_FILES.items():
        raw = (support.VECTORS / rel).read_bytes()
        utf16 = key[0] != dm.GENERAL
        assert raw.startswith(b"\xff\xfe") is utf16
        doc = dm.read_aspect_file(raw)
        assert dm.detect_aspect(doc) == key[0]
    materials = dm.read_aspect_file(support.VECTORS / support.SAMPLE_FILES[(dm.MATERIALS, "1.2.0")])
    assert materials["batteryMaterials"][0]["batteryMaterialIdentifier"] == "7439-93-2 "
    performance = dm.read_aspect_file(
        support.VECTORS / support.SAMPLE_FILES[(dm.PERFORMANCE, "1.2.0")]
    )
    cycles = performance["batteryCondition"]["numberOfFullCycles"]["numberOfFullCyclesValue"]
    assert isinstance(cycles, int)
    assert len(str(abs(cycles))) == 309
    assert support.SAMPLE_FILES[(dm.CIRCULARITY, "1.2.0")].endswith("/Circularity.json")


def test_quirk_validating_our_exports_against_the_consortium_s_json_schemas(
    ev_passport: BatteryPassport, schema_errors: Validate, reported_errors: Reported
) -> None:
    docs = dm.export_aspects(ev_passport)
    errors = {a: schema_errors(a, d) for a, d in docs.items()}
    assert errors[dm.GENERAL] == {
        ("/batteryPassportIdentifier", "pattern"),
        ("/warrentyPeriod", "pattern"),
    }
    for aspect in docs:
        assert errors[aspect] == reported_errors(docs, aspect)
