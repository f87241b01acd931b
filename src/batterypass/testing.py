"""Hypothesis strategies for valid battery passports, for your tests and ours.

``passports()`` draws passports that pass every rule of the model, with a random subset of the
optional data points filled in (``full=True`` fills them all). Requires ``hypothesis``
(the ``test`` extra).
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal
from typing import Any

from hypothesis import strategies as st

from batterypass.model import (
    BatteryCategory,
    BatteryPassport,
    BatteryStatus,
    ChemistryFamily,
    Component,
    Element,
    gtin_check_digit,
    parse_passport,
)

__all__ = [
    "battery_identifiers",
    "decimals",
    "gbt34014_codes",
    "identifiers",
    "passport_dicts",
    "passports",
    "percents",
]


def decimals(
    min_value: Decimal | int = 0, max_value: Decimal | int = 10**6, places: int = 3
) -> st.SearchStrategy[Decimal]:
    """Exact decimals in a range with at most ``places`` fractional digits."""
    return st.decimals(
        min_value=Decimal(min_value),
        max_value=Decimal(max_value),
        places=places,
        allow_nan=False,
        allow_infinity=False,
    )


def percents() -> st.SearchStrategy[Decimal]:
    """Shares in percent."""
    return decimals(0, 100, 2)


def _uuid_id(draw: st.DrawFn) -> str:
    return str(uuid.UUID(int=draw(st.integers(0, 2**128 - 1))))


@st.composite
def identifiers(draw: st.DrawFn) -> str:
    """A URN, UUID or GS1 Digital Link identifier."""
    kind = draw(st.sampled_from(["urn", "uuid", "gs1"]))
    if kind == "uuid":
        return _uuid_id(draw)
    if kind == "urn":
        return "urn:uuid:" + _uuid_id(draw)
    body = draw(st.text("0123456789", min_size=13, max_size=13))
    serial = draw(st.text("ABCDEFGHJKLMNPQRSTUVWXYZ0123456789-", min_size=1, max_size=20))
    return f"https://id.example.com/01/{body}{gtin_check_digit(body)}/21/{serial}"


@st.composite
def battery_identifiers(draw: st.DrawFn) -> str:
    """An identifier of one individual battery: a GS1 Digital Link URI with a serial, a GS1
    EPC SGTIN URI, or an ISO/IEC 15459 ``25S`` unique item identifier (docs/adr/0009)."""
    kind = draw(st.sampled_from(["gs1", "epc", "25s"]))
    serial = draw(st.text("ABCDEFGHJKLMNPQRSTUVWXYZ0123456789-", min_size=1, max_size=20))
    if kind == "gs1":
        body = draw(st.text("0123456789", min_size=13, max_size=13))
        return f"https://id.example.com/01/{body}{gtin_check_digit(body)}/21/{serial}"
    if kind == "epc":
        prefix = draw(st.text("0123456789", min_size=6, max_size=12))
        item = draw(st.text("0123456789", min_size=13 - len(prefix), max_size=13 - len(prefix)))
        return f"urn:epc:id:sgtin:{prefix}.{item}.{serial}"
    return "25S" + draw(st.text("ABCDEFGHJKLMNPQRSTUVWXYZ0123456789", min_size=4, max_size=30))


_TEXT = st.text(
    st.characters(codec="utf-8", exclude_categories=("Cs", "Cc")), min_size=1, max_size=24
).filter(lambda s: s.strip() != "")
_URL = st.builds(
    lambda path: f"https://docs.example.com/{path}",
    st.text("abcdefghijklmnopqrstuvwxyz0123456789-/", min_size=1, max_size=20),
)
_CAS = st.sampled_from(["7440-48-4", "7439-93-2", "7782-42-5", "7440-02-0", "21324-40-3"])


_CODE_CHARS = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
_DATE_CHARS = "123456789ABCDEFGHJKLMNPRSTUVWXY"


@st.composite
def gbt34014_codes(draw: st.DrawFn, product_type: str | None = None) -> str:
    """Well-formed GB/T 34014-2017 codes; ``product_type`` is ``"P"``, ``"M"`` or ``"C"``."""

    def chars(n: int, alphabet: str = _CODE_CHARS) -> str:
        return "".join(draw(st.sampled_from(alphabet)) for _ in range(n))

    month = draw(st.integers(1, 12))
    day = draw(st.integers(1, 28))
    return (
        chars(3)
        + (product_type or draw(st.sampled_from("PMC")))
        + draw(st.sampled_from("ABCDEFGZ"))
        + chars(9)
        + chars(1, _DATE_CHARS)
        + _DATE_CHARS[month - 1]
        + _DATE_CHARS[day - 1]
        + chars(7, "0123456789")
    )


def _china(
    draw: st.DrawFn, full: bool, category: BatteryCategory, status: str | None, issued: datetime
) -> dict[str, Any]:
    def m(value: Any) -> Any:
        return _maybe(draw, full, value)

    pack = draw(gbt34014_codes("P"))
    module = draw(gbt34014_codes("M").filter(lambda c: c != pack))
    cell = draw(gbt34014_codes("C"))
    original = draw(gbt34014_codes("P").filter(lambda c: c not in (pack, module)))
    current = m(pack)
    return _prune(
        {
            "gbt34014_code": current,
            "gbt34014_original_code": (
                m(original) if current is not None and status not in (None, "original") else None
            ),
            "gbt34014_components": (
                m(
                    [{"code": module}, {"code": cell, "part_of": module}]
                    if cell not in (pack, module, original)
                    else [{"code": module}]
                )
                if current is not None
                else None
            ),
            "gbt45565_code": (
                m(draw(st.from_regex(r"[!-~]{1,64}", fullmatch=True)))
                if category is not BatteryCategory.EV
                else None
            ),
            "carbon_footprint": (
                m(
                    {
                        "kg_co2e_per_kwh": draw(decimals(0, 500, 2)),
                        "lifetime_energy_kwh": draw(st.none() | decimals(1, 10**6, 0)),
                        "method": draw(_TEXT),
                        "boundary": draw(_TEXT),
                        "verifier": draw(_TEXT),
                        "document_url": draw(_URL),
                        "declared_on": issued.date() - timedelta(days=draw(st.integers(0, 900))),
                    }
                )
                if category is BatteryCategory.EV
                else None
            ),
        }
    )


def _maybe(draw: st.DrawFn, full: bool, value: Any) -> Any:
    return value if full or draw(st.booleans()) else None


def _address(draw: st.DrawFn) -> dict[str, Any]:
    address: dict[str, Any] = {"country": draw(st.sampled_from(["CN", "DE", "FR", "NL"]))}
    if draw(st.booleans()):
        address["street"] = draw(_TEXT)
    if draw(st.booleans()):
        address["postal_code"] = draw(st.sampled_from(["518107", "01067", "3511 AB"]))
    # A postal code alone may locate an address (the consortium's addresses have no city).
    if "postal_code" not in address or draw(st.integers(0, 3)) > 0:
        address["city"] = draw(_TEXT)
    return address


_EMAIL = st.sampled_from(["info@example.com", "first.last@sub.example.org", "a+b@c-d.example"])
_HAZARD_CLASSES = st.lists(
    st.sampled_from(["Acute Tox. 3", "Skin Corr. 1A", "STOT RE 1", "Carc. 1A"]),
    unique=True,
    max_size=3,
)


def _doc(draw: st.DrawFn) -> dict[str, Any]:
    return {"title": draw(_TEXT), "url": draw(_URL)}


def _prune(d: dict[str, Any]) -> dict[str, Any]:
    return {k: _drop_none(v) for k, v in d.items() if v is not None}


def _drop_none(value: Any) -> Any:
    # Decoders never produce None for an absent optional value: they leave the key out.
    if isinstance(value, dict):
        return {k: _drop_none(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [_drop_none(v) for v in value]
    return value


@st.composite
def passport_dicts(draw: st.DrawFn, *, full: bool = False) -> dict[str, Any]:
    """Plain data (as a JSON or CBOR decoder would give it) of a valid passport."""

    def m(value: Any) -> Any:
        return _maybe(draw, full, value)

    offset = timezone(timedelta(minutes=draw(st.integers(-12, 14)) * 60))
    issued = datetime(2027, 3, 1, tzinfo=UTC) + timedelta(seconds=draw(st.integers(0, 10**8)))
    issued = issued.astimezone(offset)
    made = issued.date() - timedelta(days=draw(st.integers(1, 2000)))
    category = draw(st.sampled_from(list(BatteryCategory)))
    lo = draw(decimals(1, 400, 1))
    nominal = lo + draw(decimals(0, 100, 1))
    hi = nominal + draw(decimals(0, 100, 1))
    tmin = draw(decimals(-60, 0, 0))
    stages = [draw(decimals(0, 50, 3)) for _ in range(4)]
    passport_id = draw(identifiers())
    battery_id = draw(battery_identifiers().filter(lambda s: s != passport_id))
    recycled = []
    for material in draw(
        st.lists(
            st.sampled_from([Element.COBALT, Element.LEAD, Element.LITHIUM, Element.NICKEL]),
            unique=True,
            max_size=4,
        )
    ):
        pre, post = draw(decimals(0, 50, 1)), draw(decimals(0, 50, 1))
        recycled.append(
            {
                "material": material.value,
                "pre_consumer_percent": pre,
                "post_consumer_percent": post,
                "total_percent": pre + post,
            }
        )
    elements = draw(st.lists(st.sampled_from(list(Element)), unique=True, max_size=6))
    manufacturer: dict[str, Any] = {
        "id": draw(identifiers()),
        "name": draw(_TEXT),
        "address": _address(draw),
    }
    if draw(st.booleans()):
        manufacturer["email"] = draw(_EMAIL)
    if draw(st.booleans()):
        manufacturer["website"] = draw(_URL)
    material_entries: list[dict[str, Any]] = [
        {
            "component": draw(st.sampled_from(list(Component))).value,
            "name": draw(_TEXT),
            "mass_kg": draw(decimals(Decimal("0.01"), 500, 2)),
        }
        for _ in range(draw(st.integers(0, 3)))
    ]
    element_entries: list[dict[str, Any]] = [
        {"element": e.value, "mass_kg": draw(decimals(Decimal("0.01"), 500, 2))} for e in elements
    ]
    heaviest_list = max(
        sum((e["mass_kg"] for e in element_entries), Decimal(0)),
        sum((e["mass_kg"] for e in material_entries), Decimal(0)),
    )
    general = {
        "manufacturer": m(manufacturer),
        "battery_model": m(draw(_TEXT)),
        "category": category.value,
        "stationary_energy_storage": (
            m(draw(st.booleans())) if category is BatteryCategory.INDUSTRIAL else None
        ),
        "manufacturing_place": m({"address": _address(draw)}),
        "manufacturing_date": m(made),
        # Never lighter than the element or material masses it lists (Annex VI Part A(5)).
        "mass_kg": m(draw(decimals(Decimal("0.001"), 5000, 3)) + heaviest_list),
        "warranty_period_months": m(draw(st.integers(0, 240))),
        "put_into_service_date": m(
            made + timedelta(days=draw(st.integers(0, (issued.date() - made).days)))
        ),
    }
    carbon = {
        "total_kg_co2e_per_kwh": m(sum(stages, Decimal(0))),
        "raw_material_acquisition_kg_co2e_per_kwh": m(stages[0]),
        "main_production_kg_co2e_per_kwh": m(stages[1]),
        "distribution_kg_co2e_per_kwh": m(stages[2]),
        "end_of_life_kg_co2e_per_kwh": m(stages[3]),
        "performance_class": m(draw(st.sampled_from(["A", "B", "C", "D", "E"]))),
        "study_url": m(draw(_URL)),
        "absolute_kg_co2e": m(draw(decimals(0, 10**6, 0))),
        "method": m(draw(_TEXT)),
        "boundary": m(draw(_TEXT)),
        "verifier": m(draw(_TEXT)),
    }
    materials = {
        "chemistry": m(
            {
                "family": draw(st.sampled_from(list(ChemistryFamily))).value,
                "designation": draw(_TEXT),
            }
        ),
        "critical_raw_materials": m(
            [
                {
                    "name": draw(_TEXT),
                    "cas_number": draw(_CAS),
                    "concentration_percent": draw(st.none() | percents()),
                }
                for _ in range(draw(st.integers(0, 3)))
            ]
        ),
        "hazardous_substances": m(
            [
                {
                    "name": draw(_TEXT),
                    "cas_number": draw(st.none() | _CAS),
                    "ec_number": draw(st.none() | st.just("244-334-7")),
                    "concentration_percent": draw(percents()),
                    "hazard_classes": draw(_HAZARD_CLASSES),
                    "location": draw(st.none() | st.sampled_from([c.value for c in Component])),
                }
                for _ in range(draw(st.integers(0, 2)))
            ]
        ),
        "materials": m(material_entries),
        "element_masses": m(element_entries),
    }
    circularity = {
        "recycled_content": m(recycled),
        "renewable_content_percent": m(draw(percents())),
        "waste_prevention_info_url": m(draw(_URL)),
        "separate_collection_info_url": m(draw(_URL)),
        "end_of_life_info_url": m(draw(_URL)),
        "dismantling_information": m([_doc(draw)]),
        "part_numbers": m([{"component": draw(_TEXT), "part_number": "P-1"}]),
        "spare_part_sources": m([{"name": draw(_TEXT), "url": draw(_URL)}]),
        "safety_measures": m([_doc(draw)]),
    }
    performance = {
        "rated_capacity_ah": m(draw(decimals(1, 2000, 1))),
        "certified_usable_energy_kwh": m(draw(decimals(Decimal("0.1"), 1000, 1))),
        "minimum_voltage_v": m(lo),
        "nominal_voltage_v": m(nominal),
        "maximum_voltage_v": m(hi),
        "original_power_capability": m(
            [{"state_of_charge_percent": Decimal(80), "power_w": draw(decimals(1, 10**6, 0))}]
        ),
        "maximum_permitted_power_w": m(draw(decimals(1, 10**6, 0))),
        "expected_lifetime_cycles": m(draw(st.integers(1, 20000))),
        "cycle_life_reference_test": m(draw(_TEXT)),
        "cycle_life_c_rate": m(draw(decimals(Decimal("0.1"), 5, 2))),
        "capacity_threshold_for_exhaustion_percent": (
            m(draw(percents())) if category is BatteryCategory.EV else None
        ),
        "idle_temperature_min_c": m(tmin),
        "idle_temperature_max_c": m(tmin + draw(decimals(0, 120, 0))),
        "initial_round_trip_efficiency_percent": m(draw(percents())),
        "round_trip_efficiency_at_50pct_cycle_life_percent": m(draw(percents())),
        "internal_resistance_cell_ohm": m(draw(decimals(Decimal("0.0001"), 1, 4))),
        "internal_resistance_pack_ohm": m(draw(decimals(Decimal("0.001"), 10, 3))),
        "expected_lifetime_years": m(draw(decimals(1, 30, 0))),
        "capacity_fade_percent": m(draw(percents())),
    }
    measured = issued - timedelta(minutes=draw(st.integers(0, 10**5)))
    state = {
        "state_of_health": _prune(
            {
                "measured_at": m(measured),
                "remaining_capacity_ah": m(draw(decimals(0, 2000, 1))),
                "state_of_certified_energy_percent": m(draw(percents())),
                "remaining_power_capability": m(
                    [
                        {
                            "state_of_charge_percent": Decimal(soc),
                            "power_w": draw(decimals(1, 10**6, 0)),
                        }
                        for soc in draw(st.sampled_from([(80,), (20,), (80, 20)]))
                    ]
                ),
                "remaining_round_trip_efficiency_percent": m(draw(percents())),
            }
        ),
        "usage": _prune(
            {
                "state_of_charge_percent": m(draw(percents())),
                "full_cycles": m(draw(st.integers(0, 20000))),
                "energy_throughput_kwh": m(draw(decimals(0, 10**6, 1))),
                "deep_discharge_events": m(draw(st.integers(0, 100))),
                "temperature_c": m(draw(decimals(-40, 80, 1))),
                "negative_events": m(
                    [
                        {
                            "occurred_on": made,
                            "kind": "accident",
                            "description": draw(st.none() | _TEXT),
                        }
                    ]
                    if draw(st.booleans())
                    else []
                ),
            }
        ),
    }
    labels = {
        "separate_collection_symbol": m(_doc(draw)),
        "cadmium_lead_symbols": m([]),
        "extinguishing_agents": m([draw(_TEXT)]),
        "meaning_of_labels_url": m(draw(_URL)),
        "declaration_of_conformity": m(_doc(draw)),
        "test_reports": m([_doc(draw)]),
    }
    status = m(draw(st.sampled_from(list(BatteryStatus))).value)
    return _prune(
        {
            "passport_id": passport_id,
            "battery_id": battery_id,
            "issuer": draw(identifiers()),
            "issued_at": issued,
            "status": status,
            "general": _prune(general),
            "carbon_footprint": _prune(carbon),
            "due_diligence": _prune({"report_url": m(draw(_URL))}),
            "materials": _prune(materials),
            "circularity": _prune(circularity),
            "performance": _prune(performance),
            "state": state,
            "labels": _prune(labels),
            "china": _china(draw, full, category, status, issued),
        }
    )


@st.composite
def passports(draw: st.DrawFn, *, full: bool = False) -> BatteryPassport:
    """Valid :class:`~batterypass.model.BatteryPassport` instances."""
    return parse_passport(draw(passport_dicts(full=full)))
