"""PerformanceAndDurability (written in 1.2.1 or, on request, 1.2.0; read in both): technical
properties and the battery's condition.

Quirks by hand: power capabilities (lists of value at a state of charge; 1.2.1 holds one
remaining value), the power-to-energy ratio written twice (``powerCapabilityRatio`` in %,
``cRate``), internal resistances keyed by ``batteryComponent``, the remaining capacity in kWh
(converted with the nominal voltage), negative events as text, and the ``lastUpdate`` times of
the condition values (the passport keeps one time for state-of-health values and one for usage
values)."""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import datetime
from decimal import Decimal
from typing import Any, Final

from batterypass.errors import PathItem
from batterypass.interop._rules import SAME, Rule, Scale, Verbatim, date_timestamp, whole
from batterypass.interop._units import HUNDRED, THOUSAND, div, mul
from batterypass.interop.battery_pass._common import Exporter, Importer, timestamp
from batterypass.interop.battery_pass._schema import PERFORMANCE

_ABSOLUTE_URI: Final = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:[^\s]*$")
_UNSPECIFIED_EVENT: Final = "unspecified"
_MAX_EVENT_KIND: Final = 64

_P = PERFORMANCE
_T = "/batteryTechicalProperties"
_K = "/batteryCondition"
_PF, _SOH, _USE = "performance", "state.state_of_health", "state.usage"


def _tech(
    key: str, field: str, convert: Any = SAME, longlist: int | None = None, *, moved: bool = False
) -> Rule:
    """A technical property; ``moved``: 1.2.0 keeps it in batteryCondition."""
    return Rule(
        _P,
        f"{_T}/{key}",
        f"{_PF}.{field}",
        convert,
        longlist,
        read_also=(f"{_K}/{key}",) if moved else (),
        remark="(1.2.0: batteryCondition)" if moved else "",
    )


def _timed(
    key: str,
    field: str,
    convert: Any = SAME,
    longlist: int | None = None,
    *,
    old: str | None = None,
    value_key: str | None = None,
) -> Rule:
    """The value of a condition entity ``{<key>Value, lastUpdate}``; ``old``: its 1.2.0 key."""
    value_key = value_key or f"{key}Value"
    return Rule(
        _P,
        f"{_K}/{key}/{value_key}",
        field,
        convert,
        longlist,
        read_also=(f"{_K}/{key}/{old}",) if old else (),
        remark=f"(1.2.0: {old})" if old else "",
    )


RULES: Final[tuple[Rule, ...]] = (
    _tech(
        "ratedMaximumPower",
        "maximum_permitted_power_w",
        Scale(Decimal("0.001"), "kW on the wire: kW = W / 1000"),
        65,
    ),
    _tech("ratedEnergy", "certified_usable_energy_kwh", SAME, 55),
    _tech("expectedNumberOfCycles", "expected_lifetime_cycles", whole("none"), 77),
    _tech("initialSelfDischarge", "initial_self_discharge_percent_per_month", SAME, 71),
    _tech("roundtripEfficiency", "initial_round_trip_efficiency_percent", SAME, 67),
    _tech("ratedCapacity", "rated_capacity_ah", SAME, 52),
    _tech(
        "expectedLifetime",
        "expected_lifetime_years",
        Verbatim(
            "years; the aspect model's datatype is xsd:short (a fraction of a year is written, "
            "as a reported deviation)"
        ),
        76,
    ),
    _tech("nominalVoltage", "nominal_voltage_v", SAME, 61),
    _tech("minimumVoltage", "minimum_voltage_v", SAME, 59),
    _tech("maximumVoltage", "maximum_voltage_v", SAME, 60),
    _tech("capacityThresholdForExhaustion", "capacity_threshold_for_exhaustion_percent", SAME, 83),
    _tech(
        "lifetimeReferenceTest",
        "cycle_life_reference_test",
        Verbatim(
            "the aspect model expects a URI, the passport holds a text: written verbatim (a "
            "reported deviation when it is no URI)"
        ),
        79,
    ),
    _tech("cRateLifeCycleTest", "cycle_life_c_rate", Verbatim("none (C = A/Ah)"), 80),
    _tech(
        "temperatureRangeIdleState/minimum",
        "idle_temperature_min_c",
        Verbatim(
            "°C; 1.2.0's single value cannot tell which boundary it is: dropped on import, "
            "reported lost on a 1.2.0 export"
        ),
        85,
    ),
    _tech("temperatureRangeIdleState/maximum", "idle_temperature_max_c", Verbatim("as row 85"), 86),
    _tech(
        "roundTripEfficiencyat50PerCentCycleLife",
        "round_trip_efficiency_at_50pct_cycle_life_percent",
        SAME,
        68,
        moved=True,
    ),
    _tech("roundTripEfficiencyFade", "round_trip_efficiency_fade_percent", SAME, 70, moved=True),
    _tech("powerFade", "power_fade_percent", SAME, 64, moved=True),
    Rule(
        _P,
        f"{_K}/energyThroughput/energyThroughputValue",
        f"{_USE}.energy_throughput_kwh",
        SAME,
        81,
        read_also=(f"{_K}/energyThroughput",),
        remark="(1.2.0: a number)",
    ),
    _timed("capacityThroughput", f"{_USE}.capacity_throughput_ah", SAME, 82),
    _timed("numberOfFullCycles", f"{_USE}.full_cycles", whole("none"), 78),
    _timed("stateOfCertifiedEnergy", f"{_SOH}.state_of_certified_energy_percent", SAME, 57),
    _timed(
        "capacityFade",
        f"{_PF}.capacity_fade_percent",
        Verbatim("% unchanged; lastUpdate = the passport's issued_at"),
        54,
    ),
    _timed("remainingEnergy", f"{_SOH}.remaining_energy_kwh", SAME, 56, old="remainingEnergyalue"),
    *(
        Rule(_P, f"{_K}/temperatureInformation/{key}", f"{_USE}.{field}", whole(text), n)
        for key, field, text, n in (
            (
                "timeExtremeHighTemp",
                "minutes_above_temperature_boundary",
                "minutes; a fraction is rejected",
                87,
            ),
            ("timeExtremeLowTemp", "minutes_below_temperature_boundary", "as row 87", 88),
            ("timeExtremeHighTempCharging", "minutes_charging_above_boundary", "as row 87", 89),
            ("timeExtremeLowTempCharging", "minutes_charging_below_boundary", "as row 87", 90),
        )
    ),
    _timed(
        "evolutionOfSelfDischarge",
        f"{_SOH}.self_discharge_evolution_percent",
        SAME,
        73,
        old="evolutionOfSelfDischargeEntityValue",
    ),
    _timed(
        "currentSelfDischargingRate",
        f"{_SOH}.current_self_discharge_percent_per_month",
        Verbatim(
            "none: the aspect model declares percent without a time base; read and written as "
            "%/month like initialSelfDischarge"
        ),
        72,
        old="currentSelfDischargingRateEntity",
    ),
    _timed(
        "remainingRoundTripEnergyEfficiency",
        f"{_SOH}.remaining_round_trip_efficiency_percent",
        SAME,
        69,
    ),
    _timed("stateOfCharge", f"{_USE}.state_of_charge_percent", SAME, 58),
)

# The condition entities with a lastUpdate of their own, by the time they carry.
_SOH_TIMED: Final = (
    "stateOfCertifiedEnergy",
    "remainingEnergy",
    "evolutionOfSelfDischarge",
    "currentSelfDischargingRate",
    "remainingRoundTripEnergyEfficiency",
)
_USE_TIMED: Final = ("capacityThroughput", "stateOfCharge", "numberOfFullCycles")


def _negative_event_text(kind: str, description: str | None) -> str:
    return kind if description is None else f"{kind}: {description}"


def _split_negative_event(text: str) -> tuple[str, str | None]:
    kind, sep, description = text.partition(": ")
    if sep and kind and len(kind) <= _MAX_EVENT_KIND:
        return kind, description or None
    if len(text) <= _MAX_EVENT_KIND:
        return text, None
    return _UNSPECIFIED_EVENT, text


def export(ex: Exporter, doc: dict[str, Any], version: str = "1.2.1") -> None:
    """Add the quirks to the rules' document (the rules write the 1.2.1 shape; for
    ``version`` 1.2.0 it is rewritten into 1.2.0's shape here)."""
    p, a = ex.p, PERFORMANCE
    pf, soh, use = p.performance, p.state.state_of_health, p.state.usage
    measured = timestamp(soh.measured_at) if soh.measured_at is not None else None
    recorded = timestamp(use.recorded_at) if use.recorded_at is not None else None
    issued = timestamp(p.issued_at)
    technical: dict[str, Any] = doc.setdefault("batteryTechicalProperties", {})
    condition: dict[str, Any] = doc.setdefault("batteryCondition", {})

    years = pf.expected_lifetime_years
    if years is not None:
        here = f"{_T}/expectedLifetime"
        if years != years.to_integral_value():
            ex.deviation(
                a,
                here,
                "datatype",
                f"expected lifetime {years} years is not a whole number "
                "(the consortium's datatype is xsd:short)",
                "performance.expected_lifetime_years",
            )
        if years > 32767:
            ex.deviation(
                a,
                here,
                "range",
                f"expected lifetime {years} years exceeds xsd:short (32767)",
                "performance.expected_lifetime_years",
            )
    if pf.cycle_life_reference_test is not None and not _ABSOLUTE_URI.match(
        pf.cycle_life_reference_test
    ):
        ex.deviation(
            a,
            f"{_T}/lifetimeReferenceTest",
            "format",
            "the consortium expects a URI for the cycle-life reference test; the passport "
            "holds a text, written unchanged",
            "performance.cycle_life_reference_test",
        )
    for key, value in (
        ("minimum", pf.idle_temperature_min_c),
        ("maximum", pf.idle_temperature_max_c),
    ):
        if version == "1.2.0":
            if value is not None:
                ex.lost(
                    f"performance.idle_temperature_{key[:3]}_c",
                    "PerformanceAndDurability 1.2.0 holds the idle temperature range as one "
                    "number (-20..60 °C), which cannot say which boundary it is: not written",
                    a,
                    f"{_T}/temperatureRangeIdleState",
                )
        elif value is not None and not Decimal(-100) <= value <= Decimal(200):
            ex.deviation(
                a,
                f"{_T}/temperatureRangeIdleState/{key}",
                "range",
                f"{value} °C lies outside the consortium's range -100..200 °C",
                f"performance.idle_temperature_{key[:3]}_c",
            )
    if pf.original_power_capability is not None:
        technical["originalPowerCapability"] = [
            {"atSoC": x.state_of_charge_percent, "powerCapabilityAt": x.power_w}
            for x in pf.original_power_capability
        ]
    ratio = pf.power_to_energy_ratio_w_per_wh
    if ratio is not None:
        technical["powerCapabilityRatio"] = mul(ratio, HUNDRED)
        technical["cRate"] = ratio
    resistance = [
        {"ohmicResistance": value, "batteryComponent": component}
        for component, value in (
            ("pack", pf.internal_resistance_pack_ohm),
            ("cell", pf.internal_resistance_cell_ohm),
        )
        if value is not None
    ]
    technical["initialInternalResistance"] = resistance or None

    if soh.remaining_capacity_ah is not None:
        if pf.nominal_voltage_v is None:
            ex.lost(
                "state.state_of_health.remaining_capacity_ah",
                "the consortium holds the remaining capacity in kWh, and the passport has no "
                "nominal voltage to convert with",
                a,
                f"{_K}/remainingCapacity",
            )
        else:
            condition["remainingCapacity"] = {
                "remainingCapacityValue": mul(
                    soh.remaining_capacity_ah, pf.nominal_voltage_v, Decimal("0.001")
                )
            }
    if use.negative_events is not None:
        events = []
        for i, ev in enumerate(use.negative_events):
            text = _negative_event_text(ev.kind, ev.description)
            if _split_negative_event(text) != (ev.kind, ev.description):
                ex.lost(
                    "state.usage.negative_events",
                    f"kind {ev.kind!r} and description cannot be told apart again from "
                    "negativeEvent ('kind: description')",
                    a,
                    f"{_K}/negativeEvents/{i}",
                )
            events.append({"negativeEvent": text, "lastUpdate": date_timestamp(ev.occurred_on)})
        condition["negativeEvents"] = events
    if soh.remaining_power_capability:
        entries = [
            {
                "remainingPowerCapabilityValue": {
                    "atSoC": x.state_of_charge_percent,
                    "powerCapabilityAt": x.power_w,
                    "rPCLastUpdated": measured,
                },
                "lastUpdate": measured,
            }
            for x in soh.remaining_power_capability
        ]
        # Version 1.2.0 holds a list; 1.2.1 one value: the first, the others reported lost.
        condition["remainingPowerCapability"] = entries if version == "1.2.0" else entries[0]
        others = len(soh.remaining_power_capability) - 1
        if others and version != "1.2.0":
            ex.lost(
                "state.state_of_health.remaining_power_capability",
                f"PerformanceAndDurability 1.2.1 holds one remaining power capability; "
                f"the values at {others} other state(s) of charge are not written",
            )
    if pf.internal_resistance_increase_percent is not None:
        condition["internalResistanceIncrease"] = [
            {
                "internalResistanceIncreaseValue": pf.internal_resistance_increase_percent,
                "lastUpdate": issued,
                "batteryComponent": "pack",
            }
        ]
    stamps: dict[str, str | None] = dict.fromkeys((*_SOH_TIMED, "remainingCapacity"), measured)
    stamps.update(dict.fromkeys((*_USE_TIMED, "energyThroughput"), recorded))
    stamps.update(capacityFade=issued, temperatureInformation=recorded)
    for key, stamp in stamps.items():
        if isinstance(condition.get(key), dict):
            condition[key]["lastUpdate"] = stamp
    if version == "1.2.0":
        _as_v120(technical, condition)

    lost_values: tuple[tuple[str, object, str], ...] = (
        (
            "state.state_of_health.ohmic_resistance_ohm",
            soh.ohmic_resistance_ohm,
            "the consortium holds the internal resistance increase only",
        ),
        (
            "state.usage.temperature_c",
            use.temperature_c,
            "the consortium holds times spent at extreme temperatures, not the temperature",
        ),
        (
            "state.usage.deep_discharge_events",
            use.deep_discharge_events,
            "the consortium model has no deep-discharge event count",
        ),
        (
            "state.usage.overcharge_events",
            use.overcharge_events,
            "the consortium model has no overcharge event count",
        ),
    )
    for field, held, why in lost_values:
        if held is not None:
            ex.lost(field, why)
    # Times are written only as lastUpdate values (1.2.0's evolution of self-discharge and
    # energy throughput have none).
    soh_written = any(
        isinstance(condition.get(k), dict | list)
        and (k != "evolutionOfSelfDischarge" or version != "1.2.0")
        for k in (*_SOH_TIMED, "remainingCapacity", "remainingPowerCapability")
    )
    if measured is not None and not soh_written:
        ex.lost(
            "state.state_of_health.measured_at",
            "written only as the lastUpdate of state-of-health values, and there are none",
        )
    usage_written = any(
        isinstance(condition.get(k), dict)
        for k in (*_USE_TIMED, "energyThroughput", "temperatureInformation")
    )
    if recorded is not None and not usage_written:
        ex.lost(
            "state.usage.recorded_at",
            "written only as the lastUpdate of usage values, and there are none",
        )


# 1.2.0 keeps these in batteryCondition; 1.2.1 (and the rules) in batteryTechicalProperties.
_MOVED_IN_121: Final = (
    "roundTripEfficiencyat50PerCentCycleLife",
    "roundTripEfficiencyFade",
    "powerFade",
)
# Value keys 1.2.1 renamed: condition entity -> (1.2.1 key, 1.2.0 key).
_RENAMED_IN_121: Final = {
    "remainingEnergy": ("remainingEnergyValue", "remainingEnergyalue"),
    "currentSelfDischargingRate": (
        "currentSelfDischargingRateValue",
        "currentSelfDischargingRateEntity",
    ),
}


def _as_v120(technical: dict[str, Any], condition: dict[str, Any]) -> None:
    """Rewrite the 1.2.1-shaped parts into 1.2.0's shape (the idle temperature range, which
    1.2.0 cannot hold, is reported lost by the caller and not written)."""
    technical.pop("temperatureRangeIdleState", None)
    for key in _MOVED_IN_121:
        if key in technical:
            condition[key] = technical.pop(key)
    for key, (new, old) in _RENAMED_IN_121.items():
        entry = condition.get(key)
        if isinstance(entry, dict) and new in entry:
            entry[old] = entry.pop(new)
    throughput = condition.get("energyThroughput")
    if isinstance(throughput, dict):
        # 1.2.0: a number without a time.
        condition["energyThroughput"] = throughput.get("energyThroughputValue")
    evolution = condition.get("evolutionOfSelfDischarge")
    if isinstance(evolution, dict):
        # 1.2.0: {evolutionOfSelfDischargeEntityValue}, without a time.
        condition["evolutionOfSelfDischarge"] = {
            "evolutionOfSelfDischargeEntityValue": evolution.get("evolutionOfSelfDischargeValue")
        }


def read(imp: Importer, doc: Mapping[str, Any], version: str) -> None:
    """Read the quirks of either version; the rules have read the rest."""
    a = PERFORMANCE
    tech = doc.get("batteryTechicalProperties") or {}
    cond = doc.get("batteryCondition") or {}
    t, c = _T, _K
    perf, soh, use = ("performance",), ("state", "state_of_health"), ("state", "usage")
    if "originalPowerCapability" in tech:
        caps: list[dict[str, Any]] = []
        for i, entry in enumerate(tech["originalPowerCapability"]):
            if entry is None:
                continue
            path: tuple[PathItem, ...] = (*perf, "original_power_capability", len(caps))
            caps.append(imp.power_capability(entry, path, a, f"{t}/originalPowerCapability/{i}"))
        imp.put((*perf, "original_power_capability"), caps, a, f"{t}/originalPowerCapability")
    ratio = tech.get("cRate")
    percent = tech.get("powerCapabilityRatio")
    if percent is not None:
        from_percent = mul(Decimal(percent), Decimal("0.01"))
        if ratio is not None and Decimal(ratio) != from_percent:
            imp.fail(
                a,
                f"{t}/powerCapabilityRatio",
                f"{percent} % disagrees with cRate {ratio}: both state the ratio of "
                "nominal power to energy (powerCapabilityRatio = 100 x cRate)",
            )
        ratio = from_percent if ratio is None else ratio
    if ratio is not None:
        where = f"{t}/cRate" if "cRate" in tech else f"{t}/powerCapabilityRatio"
        imp.put((*perf, "power_to_energy_ratio_w_per_wh"), ratio, a, where)
    seen_components: set[str] = set()
    for i, entry in enumerate(tech.get("initialInternalResistance", ())):
        if entry is None or "batteryComponent" not in entry:
            continue
        here = f"{t}/initialInternalResistance/{i}"
        component = entry["batteryComponent"]
        if component in seen_components:
            imp.fail(a, f"{here}/batteryComponent", f"component {component!r} given twice")
            continue
        seen_components.add(component)
        if component == "module":
            imp.note(
                a,
                here,
                "module-level internal resistance dropped (the passport holds cell and pack level)",
            )
        elif "ohmicResistance" in entry:
            imp.put(
                (*perf, f"internal_resistance_{component}_ohm"),
                entry["ohmicResistance"],
                a,
                f"{here}/ohmicResistance",
            )
    temperature = tech.get("temperatureRangeIdleState")
    if temperature is not None and not isinstance(temperature, Mapping):
        imp.note(
            a,
            f"{t}/temperatureRangeIdleState",
            f"the 1.2.0 single value {temperature} °C dropped: it cannot tell which "
            "boundary of the idle temperature range it is",
        )

    soh_stamps: list[tuple[datetime, str]] = []
    use_stamps: list[tuple[datetime, str]] = []

    def stamp(
        entry: Any,
        here: str,
        sink: list[tuple[datetime, str]],
        key: str = "lastUpdate",
    ) -> None:
        if isinstance(entry, Mapping) and key in entry:
            dt = imp.timestamp(a, f"{here}/{key}", entry[key])
            if dt is not None:
                sink.append((dt, f"{here}/{key}"))

    for key in _SOH_TIMED:
        stamp(cond.get(key), f"{c}/{key}", soh_stamps)
    for key in (*_USE_TIMED, "energyThroughput"):
        stamp(cond.get(key), f"{c}/{key}", use_stamps)
    _static_stamp(imp, cond.get("capacityFade"), f"{c}/capacityFade")
    remaining = cond.get("remainingCapacity")
    stamp(remaining, f"{c}/remainingCapacity", soh_stamps)
    if isinstance(remaining, Mapping) and "remainingCapacityValue" in remaining:
        kwh = remaining["remainingCapacityValue"]
        here = f"{c}/remainingCapacity/remainingCapacityValue"
        imp.at((*soh, "remaining_capacity_ah"), a, here)
        volts = tech.get("nominalVoltage")
        if volts is None or Decimal(volts) <= 0:
            imp.note(
                a,
                here,
                "remaining capacity dropped: converting kWh to Ah needs the "
                f"nominal voltage ({t}/nominalVoltage)",
            )
        else:
            ah, exact = div(mul(Decimal(kwh), THOUSAND), Decimal(volts))
            if not exact:
                imp.note(a, here, "remaining capacity in Ah rounded to 34 significant digits")
            imp.put((*soh, "remaining_capacity_ah"), ah, a, here)
    power = cond.get("remainingPowerCapability")
    # 1.2.1 holds one entry, 1.2.0 a list: each is one value at one state of charge.
    listed = isinstance(power, list)
    entries = [power] if isinstance(power, Mapping) else list(power or ())
    capabilities: list[dict[str, Any]] = []
    for i, entry in enumerate(entries):
        if not isinstance(entry, Mapping):
            continue
        here = f"{c}/remainingPowerCapability" + (f"/{i}" if listed else "")
        stamp(entry, here, soh_stamps)
        value = entry.get("remainingPowerCapabilityValue")
        if not isinstance(value, Mapping):
            continue
        inner = f"{here}/remainingPowerCapabilityValue"
        stamp(value, inner, soh_stamps, "rPCLastUpdated")
        path = (*soh, "remaining_power_capability", len(capabilities))
        capabilities.append(imp.power_capability(value, path, a, inner))
    if capabilities:
        imp.put(
            (*soh, "remaining_power_capability"),
            capabilities,
            a,
            f"{c}/remainingPowerCapability",
        )
    stamp(cond.get("temperatureInformation"), f"{c}/temperatureInformation", use_stamps)
    if "negativeEvents" in cond:
        events: list[dict[str, Any]] = []
        for i, entry in enumerate(cond["negativeEvents"]):
            if entry is None:
                continue
            here = f"{c}/negativeEvents/{i}"
            path = (*use, "negative_events", len(events))
            event: dict[str, Any] = {}
            if "negativeEvent" in entry:
                kind, description = _split_negative_event(entry["negativeEvent"])
                event["kind"], event["description"] = kind, description
            if "lastUpdate" in entry:
                event["occurred_on"] = imp.day(a, f"{here}/lastUpdate", entry["lastUpdate"])
            for ours, theirs in (
                ("kind", "negativeEvent"),
                ("description", "negativeEvent"),
                ("occurred_on", "lastUpdate"),
            ):
                imp.at((*path, ours), a, f"{here}/{theirs}")
            imp.at(path, a, here)
            events.append({k: v for k, v in event.items() if v is not None})
        imp.put((*use, "negative_events"), events, a, f"{c}/negativeEvents")
    seen_increase: set[str] = set()
    for i, entry in enumerate(cond.get("internalResistanceIncrease", ())):
        if entry is None:
            continue
        here = f"{c}/internalResistanceIncrease/{i}"
        component = entry.get("batteryComponent")
        if component in seen_increase:
            imp.fail(a, f"{here}/batteryComponent", f"component {component!r} given twice")
            continue
        seen_increase.add(component or "")
        if component != "pack":
            imp.note(
                a,
                here,
                f"internal resistance increase of {component or 'no'} "
                "component dropped (the passport holds the pack's)",
            )
            continue
        _static_stamp(imp, entry, here)
        if "internalResistanceIncreaseValue" in entry:
            imp.put(
                (*perf, "internal_resistance_increase_percent"),
                entry["internalResistanceIncreaseValue"],
                a,
                f"{here}/internalResistanceIncreaseValue",
            )
    for stamps, path in (
        (soh_stamps, (*soh, "measured_at")),
        (use_stamps, (*use, "recorded_at")),
    ):
        if not stamps:
            continue
        latest, where = max(stamps, key=lambda s: s[0])
        others = sorted({p for d, p in stamps if d != latest})
        if others:
            imp.note(
                a,
                where,
                f"{len(others)} older lastUpdate value(s) dropped: the passport "
                f"keeps one time for these values, the latest ({latest.isoformat()}); "
                f"e.g. {others[0]}",
            )
        imp.put(path, latest, a, where)


def _static_stamp(imp: Importer, entry: Any, here: str) -> None:
    """A lastUpdate of a value the passport holds without a time of its own: it is current
    as of the passport's issue time, so any other time is dropped with a note."""
    if isinstance(entry, Mapping) and "lastUpdate" in entry:
        dt = imp.timestamp(PERFORMANCE, f"{here}/lastUpdate", entry["lastUpdate"])
        if dt is not None and dt != imp.issued_at:
            imp.note(
                PERFORMANCE,
                f"{here}/lastUpdate",
                f"{entry['lastUpdate']!r} dropped (the passport holds this value as of "
                "its issue time)",
            )
