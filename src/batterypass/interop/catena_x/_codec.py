"""Export and import of the Catena-X battery pass 6.x on the shared rule engine.

The plain one-to-one fields are :data:`RULES`; the quirks follow, export and import side by
side: masses and warranty with a unit, documents as ``{contentType, header, content}`` lists,
the battery identifier as a keyed serial, the chemistry as text, the carbon footprint as a
list keyed by life-cycle stage, and the ``time`` of each dynamic value."""

from __future__ import annotations

import enum
import functools
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any, Final

from batterypass.errors import PathItem, ValidationError, format_path
from batterypass.interop import _rules
from batterypass.interop._rules import SAME, WHOLE, Rule, Table, Verbatim
from batterypass.interop._shape import BAD, List, Obj, Str, check, finish, kind, missing
from batterypass.interop._units import mul
from batterypass.interop.battery_pass._common import (
    Exporter,
    ExportNote,
    ExportNotes,
    Importer,
    refuse_losses,
    timestamp,
)
from batterypass.interop.catena_x._materials import export_materials, read_materials
from batterypass.interop.catena_x._schema import (
    DOCUMENT,
    IDENTIFIERS,
    SPEC_VERSION,
    import_structure,
    structure,
)
from batterypass.interop.catena_x._supplement import (
    check_supplement,
    merge_supplement,
    refuse_data_points,
    supplement_from,
    supplied_deviations,
)
from batterypass.model import (
    Audience,
    BatteryCategory,
    BatteryPassport,
    BatteryStatus,
    ChemistryFamily,
    DocumentRef,
    check_identifier,
    iter_data_points,
    parse_passport,
)

_D = DOCUMENT
_R = "/performance/rated"
_Y = "/performance/dynamic"
_PF, _SOH, _USE = "performance", "state.state_of_health", "state.usage"

_DATE: Final = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$")


@dataclass(frozen=True, slots=True)
class IsoDate:
    """A calendar date <-> ``YYYY-MM-DD``; import rejects a string that is no real date."""

    description: str = "date <-> YYYY-MM-DD"

    def write(self, value: Any, rule: Rule, sink: _rules.Sink) -> Any:
        assert isinstance(value, date)
        return value.isoformat()

    def read(self, value: Any, rule: Rule, pointer: str, source: _rules.Source) -> Any:
        return read_date(value, rule.aspect, pointer, source)


def read_date(value: str, aspect: str, pointer: str, source: _rules.Source) -> Any:
    """A ``YYYY-MM-DD`` text as a date, or :data:`~batterypass.interop._rules.INVALID`."""
    m = _DATE.match(value)
    if m is not None:
        try:
            return date(int(m[1]), int(m[2]), int(m[3]))
        except ValueError as e:
            source.fail(aspect, pointer, f"{value!r} is no calendar date ({e})")
            return _rules.INVALID
    source.fail(aspect, pointer, f"{value!r} is not a date YYYY-MM-DD")
    return _rules.INVALID


_CATEGORY: Final = Table(
    (
        (BatteryCategory.SLI, "SLI"),
        (BatteryCategory.LMT, "LMT"),
        (BatteryCategory.EV, "EV"),
        (BatteryCategory.INDUSTRIAL, "industrial"),
        (BatteryCategory.PORTABLE, "portable"),
    ),
    "sli, lmt, ev, industrial, portable <-> SLI, LMT, EV, industrial, portable; 'incorporated' "
    "is rejected on import (the Regulation has no such category); stationary_energy_storage "
    "is not carried",
)
_STATUS: Final = Table(
    (
        (BatteryStatus.ORIGINAL, "original"),
        (BatteryStatus.REPURPOSED, "repurposed"),
        (BatteryStatus.REUSED, "re-used"),
        (BatteryStatus.REMANUFACTURED, "remanufactured"),
        (BatteryStatus.WASTE, "waste"),
    )
)


def _timed(key: str, field: str, longlist: int, convert: Any = SAME) -> Rule:
    """The ``value`` of a dynamic ``{value, time}`` entity at ``/performance/dynamic/<key>``."""
    return Rule(_D, f"{_Y}/{key}/value", field, convert, longlist)


RULES: Final[tuple[Rule, ...]] = (
    Rule(_D, "/metadata/passportIdentifier", "passport_id", Verbatim(), 1),
    Rule(
        _D,
        "/metadata/economicOperatorId",
        "issuer",
        Verbatim("none; a BPNL on the wire (export reports any other identifier as a deviation)"),
    ),
    Rule(_D, "/identification/category", "general.category", _CATEGORY, 9),
    Rule(
        _D,
        "/conformity/declarationOfConformityId",
        "labels.declaration_of_conformity_id",
        Verbatim("none (Annex XIII(1)(r): the identification number of the EU declaration)"),
    ),
    Rule(
        _D, "/operation/manufacturer/manufacturingDate", "general.manufacturing_date", IsoDate(), 6
    ),
    Rule(_D, "/operation/intoServiceDate", "general.put_into_service_date", IsoDate(), 7),
    Rule(_D, "/sustainability/status", "status", _STATUS, 11),
    Rule(_D, f"{_R}/capacity/value", f"{_PF}.rated_capacity_ah", SAME, 52),
    Rule(
        _D,
        f"{_R}/capacity/thresholdExhaustion",
        f"{_PF}.capacity_threshold_for_exhaustion_percent",
        SAME,
        83,
    ),
    Rule(_D, f"{_R}/energy/value", f"{_PF}.certified_usable_energy_kwh", SAME, 55),
    Rule(_D, f"{_R}/voltage/min", f"{_PF}.minimum_voltage_v", SAME, 59),
    Rule(_D, f"{_R}/voltage/max", f"{_PF}.maximum_voltage_v", SAME, 60),
    Rule(_D, f"{_R}/voltage/nominal", f"{_PF}.nominal_voltage_v", SAME, 61),
    Rule(_D, f"{_R}/power/value", f"{_PF}.maximum_permitted_power_w", SAME, 65),
    Rule(
        _D,
        f"{_R}/roundTripEfficiency/initial",
        f"{_PF}.initial_round_trip_efficiency_percent",
        SAME,
        67,
    ),
    Rule(
        _D,
        f"{_R}/roundTripEfficiency/50PercentLife",
        f"{_PF}.round_trip_efficiency_at_50pct_cycle_life_percent",
        SAME,
        68,
    ),
    Rule(
        _D, f"{_R}/selfDischargingRate", f"{_PF}.initial_self_discharge_percent_per_month", SAME, 71
    ),
    Rule(_D, f"{_R}/temperature/lower", f"{_PF}.idle_temperature_min_c", SAME, 85),
    Rule(_D, f"{_R}/temperature/upper", f"{_PF}.idle_temperature_max_c", SAME, 86),
    Rule(_D, f"{_R}/lifetime/expectedYears", f"{_PF}.expected_lifetime_years", SAME, 76),
    Rule(
        _D, f"{_R}/lifetime/cycleLifeTesting/cycles", f"{_PF}.expected_lifetime_cycles", WHOLE, 77
    ),
    Rule(
        _D,
        f"{_R}/lifetime/cycleLifeTesting/appliedDischargeRate",
        f"{_PF}.cycle_life_c_rate",
        Verbatim("none (C = A/Ah)"),
        80,
    ),
    Rule(_D, f"{_R}/resistance/cell", f"{_PF}.internal_resistance_cell_ohm", SAME),
    Rule(_D, f"{_R}/resistance/pack", f"{_PF}.internal_resistance_pack_ohm", SAME),
    Rule(
        _D,
        f"{_Y}/selfDischargingRate",
        f"{_SOH}.current_self_discharge_percent_per_month",
        SAME,
        72,
    ),
    _timed("stateOfCharge", f"{_USE}.state_of_charge_percent", 58),
    _timed("fullCycles", f"{_USE}.full_cycles", 78, WHOLE),
    _timed("capacity/throughput", f"{_USE}.capacity_throughput_ah", 82),
    _timed("energy/throughput", f"{_USE}.energy_throughput_kwh", 81),
    _timed("capacity/capacity", f"{_SOH}.remaining_capacity_ah", 53),
    _timed("energy/soce", f"{_SOH}.state_of_certified_energy_percent", 57),
    _timed("energy/remaining", f"{_SOH}.remaining_energy_kwh", 56),
    _timed("roundTripEfficiency/remaining", f"{_SOH}.remaining_round_trip_efficiency_percent", 69),
    _timed("capacity/fade", f"{_PF}.capacity_fade_percent", 54),
    _timed("power/fade", f"{_PF}.power_fade_percent", 64),
    _timed("roundTripEfficiency/fade", f"{_PF}.round_trip_efficiency_fade_percent", 70),
    _timed("resistance/increase/pack", f"{_PF}.internal_resistance_increase_percent", 75),
    Rule(_D, f"{_Y}/resistance/remaining/pack/value", f"{_SOH}.ohmic_resistance_ohm", SAME),
)
"""Every plain one-to-one field of the Catena-X battery pass, as rules of the rule engine."""

# The dynamic {value, time} entities, by the passport time their ``time`` carries.
_SOH_TIMED: Final = (
    "capacity/capacity",
    "energy/soce",
    "energy/remaining",
    "roundTripEfficiency/remaining",
    "resistance/remaining/pack",
)
_USE_TIMED: Final = ("stateOfCharge", "fullCycles", "capacity/throughput", "energy/throughput")
_STATIC_TIMED: Final = (
    "capacity/fade",
    "power/fade",
    "roundTripEfficiency/fade",
    "resistance/increase/pack",
)

# Exact definitions of the mass units the schema allows (1 lb = 0.45359237 kg since 1959).
MASS_UNITS_KG: Final = {
    "unit:gram": Decimal("0.001"),
    "unit:kilogram": Decimal(1),
    "unit:tonneMetricTon": Decimal(1000),
    "unit:tonUsOrShortTonUkorus": Decimal("907.18474"),
    "unit:ounceAvoirdupois": Decimal("0.028349523125"),
    "unit:pound": Decimal("0.45359237"),
}
WARRANTY_MONTHS: Final = {"unit:month": 1, "unit:year": 12}

_URL_TYPE: Final = "URL"
_MEDIA_TYPE: Final = re.compile(r"^[a-z]+/[A-Za-z0-9.+-]+$")
_HEADER_MAX: Final = 100
_BPNL: Final = re.compile(r"^BPNL[a-zA-Z0-9]{12}$")
_BPNA: Final = re.compile(r"^BPNA[a-zA-Z0-9]{12}$")
_UUID_ID: Final = re.compile(
    r"(^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$)|"
    r"(^urn:uuid:[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$)"
)

# Single links of the passport, written as a list of one document with this header.
SINGLE_LINKS: Final = (
    ("/conformity/dueDiligencePolicy", "due_diligence.report_url", "Due diligence report"),
    (
        "/sustainability/documents/separateCollection",
        "circularity.separate_collection_info_url",
        "Separate collection",
    ),
    (
        "/sustainability/documents/wastePrevention",
        "circularity.waste_prevention_info_url",
        "Waste prevention",
    ),
    ("/safety/meaningOfLabels", "labels.meaning_of_labels_url", "Meaning of labels"),
)
# Document lists of the passport, each document {contentType, header, content}.
DOCUMENT_LISTS: Final = (
    ("/conformity/resultOfTestReport", "labels.test_reports"),
    ("/safety/dismantling", "circularity.dismantling_information"),
    ("/safety/safetyMeasures", "circularity.safety_measures"),
)
_DECLARATION: Final = ("/conformity/declarationOfConformity", "labels.declaration_of_conformity")
_ASSURANCES: Final = ("/conformity/thirdPartyAssurance", "due_diligence.third_party_assurances")
_ASSURANCE_HEADER: Final = "Third-party assurance"

# Life-cycle stages as the aspect model's description names them; the total is "total".
STAGES: Final = (
    ("raw material acquisition and pre-processing", "raw_material_acquisition_kg_co2e_per_kwh"),
    ("main product production", "main_production_kg_co2e_per_kwh"),
    ("distribution", "distribution_kg_co2e_per_kwh"),
    ("end of life and recycling", "end_of_life_kg_co2e_per_kwh"),
    ("total", "total_kg_co2e_per_kwh"),
)
_CLIMATE_TOTAL: Final = "Climate Change Total"
_CF_UNIT: Final = "kg CO2e / kWh"
_CF_UNITS: Final = frozenset(
    u.replace(" ", "").casefold() for u in ("kg CO2e / kWh", "kg CO2 / kWh", "kgCO2e/kWh")
)

_CHEMISTRY_TOKENS: Final = (
    (ChemistryFamily.NMC, ("nmc", "ncm")),
    (ChemistryFamily.NCA, ("nca",)),
    (ChemistryFamily.LFP, ("lfp",)),
    (ChemistryFamily.LMFP, ("lmfp",)),
    (ChemistryFamily.LMO, ("lmo",)),
    (ChemistryFamily.LCO, ("lco",)),
    (ChemistryFamily.LTO, ("lto",)),
    (ChemistryFamily.SODIUM_ION, ("sodium-ion", "sodium ion", "na-ion")),
    (ChemistryFamily.LEAD_ACID, ("lead-acid", "lead acid")),
    (ChemistryFamily.NIMH, ("nimh",)),
)


def chemistry_family(text: str) -> ChemistryFamily | None:
    """The one chemistry family a text names by its usual abbreviation, if exactly one."""
    words = set(re.findall(r"[a-z]+(?:[- ][a-z]+)?|[a-z]+", text.casefold()))
    tokens = set(re.findall(r"[a-z]+", text.casefold())) | words
    found = {family for family, names in _CHEMISTRY_TOKENS if tokens & set(names)}
    return found.pop() if len(found) == 1 else None


class CatenaXDocument(dict[str, Any], ExportNotes):
    """An exported Catena-X battery pass payload (a plain ``dict``) with the export's notes
    (:class:`~batterypass.interop.battery_pass.ExportNote`, ``aspect`` = ``"BatteryPass"``)."""

    def __init__(
        self,
        doc: Mapping[str, Any],
        notes: Sequence[ExportNote],
        supplied: Sequence[str] = (),
    ) -> None:
        super().__init__(doc)
        self.notes = tuple(notes)
        self.supplied = tuple(supplied)
        """JSON pointers of the values the export supplement added."""


# ---------------------------------------------------------------- export


def _document(ex: Exporter, ref: DocumentRef, field: str, here: str) -> dict[str, Any]:
    if ref.sha256 is not None:
        ex.lost(field, "SHA-256 digest not carried", _D, here)
    if len(ref.title) > _HEADER_MAX:
        ex.deviation(
            _D,
            f"{here}/header",
            "maxLength",
            f"title of {len(ref.title)} characters is longer than the header's 100",
            field,
        )
    return {
        "contentType": ref.media_type or _URL_TYPE,
        "header": ref.title,
        "content": ref.url,
    }


def _link(url: str, header: str) -> dict[str, Any]:
    return {"contentType": _URL_TYPE, "header": header, "content": url}


def _export_quirks(ex: Exporter, doc: dict[str, Any]) -> None:
    p = ex.p
    g, soh, use = p.general, p.state.state_of_health, p.state.usage
    doc["specVersion"] = SPEC_VERSION
    if not _UUID_ID.match(p.passport_id):
        ex.deviation(
            _D,
            "/metadata/passportIdentifier",
            "pattern",
            f"passport identifier {p.passport_id!r} is no UUID (plain or urn:uuid:); written "
            "unchanged, since an identifier must stay verbatim",
            "passport_id",
        )
    if not _BPNL.match(p.issuer):
        ex.deviation(
            _D,
            "/metadata/economicOperatorId",
            "pattern",
            f"issuer {p.issuer!r} is no BPNL; written unchanged",
            "issuer",
        )
    if p.predecessor_passport_id is not None:
        _rules.set_pointer(doc, "/metadata/predecessor", p.predecessor_passport_id)
        ex.lost(
            "predecessor_passport_id",
            "written, but import cannot restore it: the passport model links a successor to "
            "the original's last lifecycle event (Art. 77(7)), which Catena-X does not hold",
            _D,
            "/metadata/predecessor",
        )
    if p.predecessor_passport_id is not None and not _UUID_ID.match(p.predecessor_passport_id):
        ex.deviation(
            _D,
            "/metadata/predecessor",
            "pattern",
            f"predecessor {p.predecessor_passport_id!r} is no UUID; written unchanged",
            "predecessor_passport_id",
        )
    _rules.set_pointer(doc, "/metadata/issueDate", p.issued_at.astimezone(UTC).date().isoformat())
    if p.predecessor_last_event_sha256 is not None:
        ex.lost("predecessor_last_event_sha256", "Catena-X has no link to lifecycle events")

    _rules.set_pointer(
        doc,
        "/identification/identification/serial",
        [{"key": "partInstanceId", "value": p.battery_id}],
    )
    if g.stationary_energy_storage is not None:
        ex.lost("general.stationary_energy_storage", "Catena-X has no stationary-storage flag")
    if g.battery_model is not None:
        _rules.set_pointer(
            doc, "/identification/identification/type/nameAtManufacturer", g.battery_model
        )
    if g.mass_kg is not None:
        _rules.set_pointer(
            doc,
            "/characteristics/physicalDimension/weight",
            {"value": g.mass_kg, "unit": "unit:kilogram"},
        )
    if g.warranty_period_months is not None:
        _rules.set_pointer(
            doc,
            "/characteristics/warranty",
            {"lifeValue": g.warranty_period_months, "lifeUnit": "unit:month"},
        )
    for field, op in (("general.manufacturer", g.manufacturer), ("general.operator", g.operator)):
        if op is None:
            continue
        if field == "general.manufacturer":
            _rules.set_pointer(doc, "/operation/manufacturer/manufacturer", op.id)
            if not _BPNL.match(op.id):
                ex.deviation(
                    _D,
                    "/operation/manufacturer/manufacturer",
                    "pattern",
                    f"manufacturer {op.id!r} is no BPNL; written unchanged",
                    field,
                )
        ex.lost(
            field,
            "Catena-X holds the manufacturer's BPNL only: name, address and contact not carried"
            if field.endswith("manufacturer")
            else "Catena-X has no operator other than the manufacturer and the issuer",
        )
    place = g.manufacturing_place
    if place is not None:
        if place.id is not None:
            _rules.set_pointer(doc, "/operation/manufacturer/facility", [{"facility": place.id}])
            if not _BPNA.match(place.id):
                ex.deviation(
                    _D,
                    "/operation/manufacturer/facility/0/facility",
                    "pattern",
                    f"facility {place.id!r} is no BPNA; written unchanged",
                    "general.manufacturing_place",
                )
        ex.lost(
            "general.manufacturing_place",
            "Catena-X holds the facility's BPNA only: name and address not carried",
        )
    chem = p.materials.chemistry
    if chem is not None:
        _rules.set_pointer(doc, "/identification/chemistry", chem.designation)
        if (chemistry_family(chem.designation) or ChemistryFamily.OTHER) is not chem.family:
            ex.lost(
                "materials.chemistry",
                f"family {chem.family.value!r} cannot be read back from the designation "
                f"{chem.designation!r}",
                _D,
                "/identification/chemistry",
            )
    _export_carbon(ex, doc)
    _export_power_capability(ex, doc)
    for pointer, field, header in SINGLE_LINKS:
        url = _rules.get_field(p, tuple(field.split(".")))
        if url is not None:
            _rules.set_pointer(doc, pointer, [_link(url, header)])
    for pointer, field in DOCUMENT_LISTS:
        refs = _rules.get_field(p, tuple(field.split(".")))
        if refs is not None:
            _rules.set_pointer(
                doc,
                pointer,
                [_document(ex, r, field, f"{pointer}/{i}") for i, r in enumerate(refs)],
            )
    pointer, field = _DECLARATION
    if p.labels.declaration_of_conformity is not None:
        _rules.set_pointer(
            doc, pointer, [_document(ex, p.labels.declaration_of_conformity, field, f"{pointer}/0")]
        )
    pointer, field = _ASSURANCES
    if p.due_diligence.third_party_assurances is not None:
        _rules.set_pointer(
            doc,
            pointer,
            [_link(u, _ASSURANCE_HEADER) for u in p.due_diligence.third_party_assurances],
        )
    agents = p.labels.extinguishing_agents
    if agents is not None:
        _rules.set_pointer(doc, "/safety/usableExtinguishAgent", [{"media": a} for a in agents])
    if p.circularity.part_numbers is not None:
        _rules.set_pointer(
            doc,
            "/handling/content/sparePart",
            [
                {"manufacturerPartId": n.part_number, "nameAtManufacturer": n.component}
                for n in p.circularity.part_numbers
            ],
        )
    # The times of the dynamic values.
    stamps: dict[str, datetime | None] = dict.fromkeys(_SOH_TIMED, soh.measured_at)
    stamps.update(dict.fromkeys(_USE_TIMED, use.recorded_at))
    stamps.update(dict.fromkeys(_STATIC_TIMED, p.issued_at))
    written = set()
    for key, stamp in stamps.items():
        found, entity = _rules.get_pointer(doc, f"{_Y}/{key}")
        if found and isinstance(entity, dict):
            entity["time"] = timestamp(stamp) if stamp is not None else None
            written.add(key)
    for keys, when, field, what in (
        (_SOH_TIMED, soh.measured_at, "state.state_of_health.measured_at", "state-of-health"),
        (_USE_TIMED, use.recorded_at, "state.usage.recorded_at", "usage"),
    ):
        if when is not None and not written & set(keys):
            ex.lost(field, f"written only as the time of {what} values, and there are none")
    export_materials(ex, doc)
    _export_losses(ex)


_SOC_KEYS: Final = ((Decimal(80), "at80SoC"), (Decimal(20), "at20SoC"))


def _export_power_capability(ex: Exporter, doc: dict[str, Any]) -> None:
    """Catena-X holds the original power capability at 80 % and at 20 % state of charge
    (Annex IV Part B(4)); import lists them in that order."""
    caps = ex.p.performance.original_power_capability
    if caps is None:
        return
    carried = []
    for soc, key in _SOC_KEYS:
        at = [c for c in caps if c.state_of_charge_percent == soc]
        if at:
            _rules.set_pointer(doc, f"{_R}/power/{key}", at[0].power_w)
            carried.append(at[0])
    if tuple(carried) != tuple(caps):
        ex.lost(
            "performance.original_power_capability",
            "Catena-X holds one power capability at 80 % and one at 20 % state of charge, "
            "read back in that order: other entries or another order are not carried",
            _D,
            f"{_R}/power",
        )


def _read_power_capability(imp: Importer, power: Any) -> None:
    if not isinstance(power, Mapping):
        return
    caps: list[dict[str, Any]] = []
    path: tuple[PathItem, ...] = ("performance", "original_power_capability")
    for soc, key in _SOC_KEYS:
        if key in power:
            here = f"{_R}/power/{key}"
            at = (*path, len(caps))
            imp.at((*at, "power_w"), _D, here)
            imp.at((*at, "state_of_charge_percent"), _D, here)
            imp.at(at, _D, here)
            caps.append({"state_of_charge_percent": soc, "power_w": power[key]})
    if caps:
        imp.put(path, caps, _D, f"{_R}/power")


def _export_carbon(ex: Exporter, doc: dict[str, Any]) -> None:
    c = ex.p.carbon_footprint
    entries = []
    for lifecycle, name in STAGES:
        value = getattr(c, name)
        if value is None:
            continue
        entry: dict[str, Any] = {
            "lifecycle": lifecycle,
            "type": _CLIMATE_TOTAL,
            "value": value,
            "unit": _CF_UNIT,
        }
        if name == "total_kg_co2e_per_kwh":
            entry["performanceClass"] = c.performance_class
            if c.study_url is not None:
                entry["declaration"] = [_link(c.study_url, "Carbon footprint study")]
        entries.append(entry)
    if entries:
        _rules.set_pointer(doc, "/sustainability/carbonFootprint", entries)
    if c.total_kg_co2e_per_kwh is None:
        for field, value in (
            ("carbon_footprint.performance_class", c.performance_class),
            ("carbon_footprint.study_url", c.study_url),
        ):
            if value is not None:
                ex.lost(field, "written only with the total carbon footprint, which is not held")


# Data points the Catena-X battery pass has no place for, each with the reason.
_NOT_WRITTEN: Final[tuple[tuple[str, str], ...]] = (
    ("carbon_footprint.rounding_kg_co2e_per_kwh", "no rounding"),
    ("carbon_footprint.class_scheme", "no class scheme"),
    ("carbon_footprint.absolute_kg_co2e", "no absolute footprint"),
    ("due_diligence.supply_chain_indices", "no indices"),
    ("circularity.renewable_content_percent", "renewable content per material only"),
    ("circularity.end_of_life_info_url", "no such document"),
    ("circularity.spare_part_sources", "producers by BPNL only"),
    ("circularity.recycling_potential", "no recycling potential"),
    ("performance.power_to_energy_ratio_w_per_wh", "no power-to-energy ratio"),
    ("performance.cycle_life_reference_test", "a report document, not a text"),
    (
        "state.state_of_health.remaining_power_capability",
        "one remaining power without its state of charge",
    ),
    ("state.state_of_health.self_discharge_evolution_percent", "no self-discharge evolution"),
    ("state.usage.temperature_c", "no temperature"),
    ("state.usage.deep_discharge_events", "no such count"),
    ("state.usage.overcharge_events", "no such count"),
    ("state.usage.negative_events", "negative events as documents"),
    ("state.usage.minutes_above_temperature_boundary", "no time at extreme temperatures"),
    ("state.usage.minutes_below_temperature_boundary", "no time at extreme temperatures"),
    ("state.usage.minutes_charging_above_boundary", "no time at extreme temperatures"),
    ("state.usage.minutes_charging_below_boundary", "no time at extreme temperatures"),
    ("labels.separate_collection_symbol", "no symbols"),
    ("labels.cadmium_lead_symbols", "no symbols"),
    ("labels.carbon_footprint_label", "no label"),
)


def _export_losses(ex: Exporter) -> None:
    p = ex.p
    for field, why in _NOT_WRITTEN:
        if _rules.get_field(p, tuple(field.split("."))) is not None:
            ex.lost(
                field,
                f"Catena-X battery pass 6.1.0 has {why}"
                if why.startswith("no ")
                else f"not carried: {why}",
            )
    # Any other data point the payload has no place for (a section added to the model later
    # is reported, never dropped silently).
    told = {n.field for n in ex.notes if n.kind == "lost"} | {f for f, _ in _NOT_WRITTEN}
    for ref in iter_data_points():
        path = ".".join(ref.path)
        if path in CARRIED or path in told:
            continue
        if _rules.get_field(p, ref.path) is not None:
            ex.lost(path, "Catena-X battery pass 6.1.0 has no place for it")


CARRIED: Final = frozenset(
    {rule.field for rule in RULES}
    | {
        "issued_at",
        "battery_id",
        "general.battery_model",
        "general.mass_kg",
        "general.warranty_period_months",
        "general.manufacturer",
        "general.operator",
        "general.manufacturing_place",
        "general.stationary_energy_storage",
        "predecessor_passport_id",
        "predecessor_last_event_sha256",
        "materials.chemistry",
        *(f"carbon_footprint.{name}" for _, name in STAGES),
        "carbon_footprint.performance_class",
        "carbon_footprint.study_url",
        "due_diligence.third_party_assurances",
        "labels.declaration_of_conformity",
        "labels.extinguishing_agents",
        "circularity.part_numbers",
        "circularity.recycled_content",
        "materials.critical_raw_materials",
        "materials.hazardous_substances",
        "materials.materials",
        "materials.substance_impact_url",
        "materials.element_masses",
        "performance.original_power_capability",
        "state.state_of_health.measured_at",
        "state.usage.recorded_at",
        *(field for _, field, _ in SINGLE_LINKS),
        *(field for _, field in DOCUMENT_LISTS),
    }
)
"""Data points the export writes or reports by name; every other one it reports as lost."""


def export_catena_x(
    passport: BatteryPassport,
    *,
    strict: bool = False,
    supplement: Mapping[str, Any] | None = None,
    audience: Audience | str | None = None,
) -> CatenaXDocument:
    """Write a passport as one Catena-X battery pass 6.1.0 payload.

    The result's ``notes`` list every piece of passport data the payload does not carry
    (``lost``), every property the schema requires that the passport does not hold
    (``missing``; never padded with made-up values) and every value written that the schema
    does not accept (``deviation``), each with its JSON pointer. ``audience`` exports only what
    that audience may see (``passport.view(audience)``). With ``strict=True``, raises
    :class:`~batterypass.errors.EncodeError` when any data would be lost.

    ``supplement`` is a partial payload of values the passport does not hold (the data-matrix
    code, the passport's version label, ...): checked against the schema and merged into the
    payload where the passport wrote nothing (``supplied`` lists what it added). A value the
    passport wrote already, a value import would read as passport data the passport does not
    hold, or an ill-typed one, raises :class:`~batterypass.errors.ValidationError` naming each
    pointer (path ``("supplement", *tokens)``). A supplement value that adds to what the
    passport withholds from ``audience`` is not written (a ``withheld`` note names it).
    """
    extra = check_supplement(supplement) if supplement is not None else None
    full = passport
    if audience is not None:
        passport = passport.view(audience)
    doc, ex = _written(passport)
    supplied: tuple[str, ...] = ()
    if extra:
        merged, supplied = merge_supplement(doc, extra, field_of_pointer, _rule_field)
        if audience is not None:
            # A supplement is written for the full passport: what it adds to entries and
            # sections this audience may not see (names of a withheld composition, its
            # documents, ...) is withheld too, each with a note.
            for here, withheld in _withheld(_written(full)[0], doc, merged, supplied):
                _rules.delete_pointer(merged, here)
                supplied = tuple(s for s in supplied if s != here)
                ex.notes.append(
                    ExportNote(
                        "withheld",
                        f"supplement value not written: it adds to {withheld}, which the "
                        f"passport withholds from the {audience} audience",
                        None,
                        _D,
                        here,
                    )
                )
        merged = finish(merged, structure())
        # A supplied value that import would read into a passport (a hazardous substance or a
        # mass where the passport has none, an identifier for an entry import dropped, ...)
        # is a data point: it belongs in the passport, where it is signed.
        refuse_data_points(_data_points_read(passport, doc, merged))
        doc = merged
        # An empty object adds nothing: finishing drops it, so it is not among the supplied.
        supplied = tuple(s for s in supplied if _rules.get_pointer(doc, s)[0])
        for here, rule, message in supplied_deviations(doc, supplied):
            ex.deviation(_D, here, rule, message)
    not_carried = {n.pointer for n in ex.notes if n.kind == "lost" and n.pointer is not None}
    for here in missing(doc, structure()):
        ex.notes.append(
            ExportNote(
                "missing",
                "required by the Catena-X battery pass; the passport's data for it is not "
                "carried (see the lost note)"
                if here in not_carried
                else "required by the Catena-X battery pass, not held by the passport",
                field_of_pointer(here),
                _D,
                here,
            )
        )
    result = CatenaXDocument(doc, ex.notes, supplied)
    if strict:
        refuse_losses(result, "the Catena-X battery pass")
    return result


def _written(passport: BatteryPassport) -> tuple[dict[str, Any], Exporter]:
    """What export writes from the passport alone, and its exporter (with the notes)."""
    ex = Exporter(passport)
    built = _rules.export_rules(RULES, passport, ex).get(_D, {})
    _export_quirks(ex, built)
    return finish(built, structure()), ex


def _withheld(
    full: Mapping[str, Any],
    view: Mapping[str, Any],
    merged: Mapping[str, Any],
    supplied: tuple[str, ...],
) -> list[tuple[str, str]]:
    """(supplied pointer, withheld pointer) of each supplied value that lies in what export
    writes from the full passport (``full``) and not from the audience's view (``view``): its
    nearest enclosing property the full export writes is missing from the view's."""
    out = []
    for here in supplied:
        for leaf in _leaf_pointers(_rules.get_pointer(merged, here)[1], here):
            tokens = leaf.split("/")
            ancestors = ("/".join(tokens[:n]) for n in range(len(tokens), 0, -1))
            nearest = next(a for a in ancestors if _rules.get_pointer(full, a)[0])
            if not _rules.get_pointer(view, nearest)[0]:
                out.append((here, nearest))
                break
    return out


def _leaf_pointers(value: Any, here: str) -> list[str]:
    if isinstance(value, Mapping) and value:
        return [p for k, v in value.items() for p in _leaf_pointers(v, f"{here}/{k}")]
    if isinstance(value, list) and value:
        return [p for i, v in enumerate(value) for p in _leaf_pointers(v, f"{here}/{i}")]
    return [here]


def supplement_of(doc: Mapping[str, Any], passport: BatteryPassport) -> dict[str, Any]:
    """The export supplement of a payload: what ``doc`` holds beyond what ``passport`` (read
    from it with :func:`import_catena_x`) exports. Exporting the passport with it gives the
    payload again, wherever the passport holds a value in the payload's form (a weight in
    grams comes back in kilograms); list entries import dropped are not in it (its notes
    say so)."""
    return supplement_from(doc, export_catena_x(passport))


def _read_values(doc: Mapping[str, Any], issued_at: datetime) -> Importer:
    """What import reads from a well-typed payload into the passport's data (before the
    passport model checks it), and where each value came from."""
    imp = Importer(None, issued_at)
    clean = check(doc, import_structure(), "", "Catena-X battery pass 6.1.0", lambda _p, _m: None)
    _rules.import_rules(RULES, {_D: clean}, imp)
    _read_quirks(imp, clean)
    return imp


def _data_points_read(
    passport: BatteryPassport, bare: Mapping[str, Any], merged: Mapping[str, Any]
) -> list[tuple[str, str]]:
    """(pointer, data point) of each value import reads from ``merged`` other than from
    ``bare`` and that ``passport`` does not hold: passport data a supplement would give a
    reader. (A supplement may make an entry readable again with the passport's own values,
    for instance a material named by an identifier type the passport has no place for.)"""
    before = _read_values(bare, passport.issued_at)
    after = _read_values(merged, passport.issued_at)
    out: dict[str, str] = {}
    for path in _changed(before.out, after.out, ()):
        if _held(passport, path, after.out):
            continue
        pointer = _origin(after.origin, path)[1] or _origin(before.origin, path)[1]
        names = []
        for token in path:
            if not isinstance(token, str):
                break
            names.append(token)
        out.setdefault(pointer, ".".join(names))
    return sorted(out.items())


def _path_pointer(path: tuple[PathItem, ...]) -> str:
    return "".join(f"/{t}" for t in path)


def _held(model: Any, path: tuple[PathItem, ...], read: Mapping[str, Any]) -> bool:
    """Whether ``model`` holds the value import read (``read``) at ``path``: the same value at
    the same data point; inside a list, the whole entry read matches one entry of the
    passport in every property it has (import drops entries, so indices may differ)."""
    node = model
    for i, token in enumerate(path):
        if isinstance(token, int):
            present, entry = _rules.get_pointer(read, _path_pointer(path[: i + 1]))
            return present and any(_same(held, entry) for held in node or ())
        node = node.get(token) if isinstance(node, Mapping) else getattr(node, token, None)
    present, value = _rules.get_pointer(read, _path_pointer(path))
    return present and _same(node, value)


def _same(held: Any, read: Any) -> bool:
    if isinstance(read, Mapping):
        return held is not None and all(
            _same(held.get(k) if isinstance(held, Mapping) else getattr(held, k, None), v)
            for k, v in read.items()
        )
    if isinstance(read, list):
        return isinstance(held, tuple | list) and all(any(_same(h, r) for h in held) for r in read)
    if isinstance(held, enum.Enum) and not isinstance(read, enum.Enum):
        return bool(held.value == read)
    return bool(held == read)


def _changed(a: Any, b: Any, path: tuple[PathItem, ...]) -> list[tuple[PathItem, ...]]:
    if isinstance(a, Mapping) and isinstance(b, Mapping):
        return [
            found
            for key in sorted(set(a) | set(b), key=str)
            for found in (
                _changed(a[key], b[key], (*path, key)) if key in a and key in b else [(*path, key)]
            )
        ]
    if isinstance(a, list) and isinstance(b, list) and len(a) == len(b):
        return [
            found
            for i, (x, y) in enumerate(zip(a, b, strict=True))
            for found in _changed(x, y, (*path, i))
        ]
    return [] if a == b else [path]


def _rule_field(pointer: str) -> str | None:
    template = "/".join("*" if t.isdigit() else t for t in pointer.split("/"))
    return _RULE_FIELDS.get(template)


_RULE_FIELDS: Final = {rule.pointer: rule.field for rule in RULES}


def field_of_pointer(pointer: str) -> str | None:
    """The model data point a payload property carries, if one does."""
    template = "/".join("*" if t.isdigit() else t for t in pointer.split("/"))
    for rule in RULES:
        if rule.pointer == template or rule.pointer.startswith(template + "/"):
            return rule.field
    from batterypass.interop.catena_x._mapping import QUIRKS, matches

    for wire, field, _ in QUIRKS:
        if field and (wire == template or wire.startswith(template + "/")):
            return field
    for wire, field, _ in QUIRKS:
        # A property inside a quirk's template (``*`` for any one token).
        if field and matches(wire, template):
            return field
    return None


# ---------------------------------------------------------------- import


def _read_document(
    imp: Importer, entry: Any, path: tuple[PathItem, ...], here: str
) -> dict[str, Any] | None:
    if not isinstance(entry, Mapping):
        return None
    content_type = entry.get("contentType")
    out: dict[str, Any] = {"title": entry.get("header"), "url": entry.get("content")}
    if content_type is not None and content_type != _URL_TYPE:
        if _MEDIA_TYPE.match(content_type):
            out["media_type"] = content_type
        else:
            imp.note(_D, f"{here}/contentType", f"content type {content_type!r} dropped")
    imp.at((*path, "title"), _D, f"{here}/header")
    imp.at((*path, "url"), _D, f"{here}/content")
    imp.at((*path, "media_type"), _D, f"{here}/contentType")
    imp.at(path, _D, here)
    return {k: v for k, v in out.items() if v is not None}


def _read_quirks(imp: Importer, doc: Mapping[str, Any]) -> None:
    def at(pointer: str) -> Any:
        return _rules.get_pointer(doc, pointer)[1]

    for i, serial in enumerate(at("/identification/identification/serial") or ()):
        if not isinstance(serial, Mapping):
            continue
        here = f"/identification/identification/serial/{i}"
        if serial.get("key") == "partInstanceId" and "value" in serial:
            if "battery_id" in imp.out:
                imp.fail(_D, f"{here}/value", "a second partInstanceId")
                continue
            imp.put(("battery_id",), serial["value"], _D, f"{here}/value")
        else:
            imp.note(
                _D,
                here,
                f"serial {serial.get('key')!r} dropped (the passport holds the "
                "battery identifier, key partInstanceId)",
            )
    name = at("/identification/identification/type/nameAtManufacturer")
    if isinstance(name, str):
        imp.put(
            ("general", "battery_model"),
            name,
            _D,
            "/identification/identification/type/nameAtManufacturer",
        )
    weight = at("/characteristics/physicalDimension/weight")
    if isinstance(weight, Mapping) and "value" in weight:
        here = "/characteristics/physicalDimension/weight"
        factor = MASS_UNITS_KG.get(weight.get("unit", ""))
        if factor is None:
            imp.fail(_D, f"{here}/unit", f"mass unit {weight.get('unit')!r} is not known")
        else:
            imp.put(
                ("general", "mass_kg"), mul(Decimal(weight["value"]), factor), _D, f"{here}/value"
            )
    warranty = at("/characteristics/warranty")
    if isinstance(warranty, Mapping) and "lifeValue" in warranty:
        here = "/characteristics/warranty"
        unit, value = warranty.get("lifeUnit"), Decimal(warranty["lifeValue"])
        months = WARRANTY_MONTHS.get(unit or "")
        if months is None:
            imp.note(
                _D,
                here,
                f"warranty of {value} {unit} dropped: the passport holds whole months, and "
                + (
                    "a number of days is no exact number of calendar months"
                    if unit == "unit:day"
                    else "it is no period of time"
                ),
            )
        elif value * months != (value * months).to_integral_value():
            imp.note(_D, here, f"warranty of {value} {unit} dropped: not a whole number of months")
        else:
            imp.put(
                ("general", "warranty_period_months"),
                int(value * months),
                _D,
                f"{here}/lifeValue",
            )
    for pointer in _dropped_identifiers(doc):
        try:
            check_identifier(at(pointer))
        except ValueError as e:
            imp.fail(_D, pointer, f"{at(pointer)!r}: {e}")
    predecessor = at("/metadata/predecessor")
    if isinstance(predecessor, str):
        nil = predecessor.removeprefix("urn:uuid:") == "00000000-0000-0000-0000-000000000000"
        imp.note(
            _D,
            "/metadata/predecessor",
            "the nil UUID read as no predecessor"
            if nil
            else f"predecessor {predecessor!r} dropped: the passport model links a successor "
            "to the original's last lifecycle event (Art. 77(7)), which Catena-X does not hold",
        )
    manufacturer = at("/operation/manufacturer/manufacturer")
    if isinstance(manufacturer, str):
        imp.note(
            _D,
            "/operation/manufacturer/manufacturer",
            f"manufacturer {manufacturer!r} dropped: the passport's manufacturer needs a name "
            "and an address, which Catena-X does not hold",
        )
    facilities = at("/operation/manufacturer/facility")
    if facilities:
        imp.note(
            _D,
            "/operation/manufacturer/facility",
            "manufacturing facilities dropped: the passport's facility needs an address",
        )
    chem = at("/identification/chemistry")
    if isinstance(chem, str):
        family = chemistry_family(chem)
        if family is None:
            imp.note(
                _D,
                "/identification/chemistry",
                f"{chem!r} names no one chemistry family batterypass knows; read as 'other'",
            )
        imp.put(
            ("materials", "chemistry"),
            {"family": (family or ChemistryFamily.OTHER).value, "designation": chem},
            _D,
            "/identification/chemistry",
        )
    _read_carbon(imp, at("/sustainability/carbonFootprint"))
    _read_power_capability(imp, at(f"{_R}/power"))
    for pointer, field, header in SINGLE_LINKS:
        docs = at(pointer)
        if not docs:
            continue
        first = docs[0]
        if isinstance(first, Mapping) and "content" in first:
            imp.put(tuple(field.split(".")), first["content"], _D, f"{pointer}/0/content")
            if first.get("header") not in (None, header):
                imp.note(_D, f"{pointer}/0/header", "header dropped (the passport holds a link)")
        if len(docs) > 1:
            imp.note(_D, pointer, f"{len(docs) - 1} further document(s) dropped")
    for pointer, field in DOCUMENT_LISTS:
        docs = at(pointer)
        if docs is None:
            continue
        path = tuple(field.split("."))
        refs = [
            _read_document(imp, entry, (*path, i), f"{pointer}/{i}") for i, entry in enumerate(docs)
        ]
        imp.put(path, [r for r in refs if r is not None], _D, pointer)
    pointer, field = _DECLARATION
    docs = at(pointer)
    if docs:
        path = tuple(field.split("."))
        ref = _read_document(imp, docs[0], path, f"{pointer}/0")
        if ref is not None:
            imp.put(path, ref, _D, f"{pointer}/0")
        if len(docs) > 1:
            imp.note(_D, pointer, f"{len(docs) - 1} further declaration(s) dropped")
    pointer, field = _ASSURANCES
    docs = at(pointer)
    if docs is not None:
        urls: list[Any] = []
        for i, entry in enumerate(docs):
            if isinstance(entry, Mapping) and "content" in entry:
                imp.at(
                    ("due_diligence", "third_party_assurances", len(urls)),
                    _D,
                    f"{pointer}/{i}/content",
                )
                urls.append(entry["content"])
        imp.put(("due_diligence", "third_party_assurances"), urls, _D, pointer)
    agents = at("/safety/usableExtinguishAgent")
    if agents is not None:
        media: list[Any] = []
        for i, entry in enumerate(agents):
            if isinstance(entry, Mapping) and "media" in entry:
                imp.at(
                    ("labels", "extinguishing_agents", len(media)),
                    _D,
                    f"/safety/usableExtinguishAgent/{i}/media",
                )
                media.append(entry["media"])
                if "fireClass" in entry:
                    imp.note(
                        _D, f"/safety/usableExtinguishAgent/{i}/fireClass", "fire class dropped"
                    )
        imp.put(("labels", "extinguishing_agents"), media, _D, "/safety/usableExtinguishAgent")
    parts = at("/handling/content/sparePart")
    if parts is not None:
        numbers: list[dict[str, Any]] = []
        for i, entry in enumerate(parts):
            if not isinstance(entry, Mapping):
                continue
            here = f"/handling/content/sparePart/{i}"
            ppath: tuple[PathItem, ...] = ("circularity", "part_numbers", len(numbers))
            imp.at((*ppath, "part_number"), _D, f"{here}/manufacturerPartId")
            imp.at((*ppath, "component"), _D, f"{here}/nameAtManufacturer")
            imp.at(ppath, _D, here)
            numbers.append(
                {
                    k: v
                    for k, v in (
                        ("part_number", entry.get("manufacturerPartId")),
                        ("component", entry.get("nameAtManufacturer")),
                    )
                    if v is not None
                }
            )
        imp.put(("circularity", "part_numbers"), numbers, _D, "/handling/content/sparePart")
    read_materials(imp, doc)
    _read_times(imp, doc)


def _dropped_identifiers(doc: Mapping[str, Any]) -> list[str]:
    """Pointers of identifiers import reads only to drop them: still checked, so that a
    broken one is reported."""
    out = []
    if isinstance(_rules.get_pointer(doc, "/operation/manufacturer/manufacturer")[1], str):
        out.append("/operation/manufacturer/manufacturer")
    facilities = _rules.get_pointer(doc, "/operation/manufacturer/facility")[1]
    for i, entry in enumerate(facilities or ()):
        if isinstance(entry, Mapping) and isinstance(entry.get("facility"), str):
            out.append(f"/operation/manufacturer/facility/{i}/facility")
    return out


def _read_carbon(imp: Importer, entries: Any) -> None:
    fields = dict(STAGES)
    for i, entry in enumerate(entries or ()):
        if not isinstance(entry, Mapping):
            continue
        here = f"/sustainability/carbonFootprint/{i}"
        stage = str(entry.get("lifecycle", "")).strip().casefold()
        unit = str(entry.get("unit", "")).replace(" ", "").casefold()
        if entry.get("type") != _CLIMATE_TOTAL or stage not in fields or unit not in _CF_UNITS:
            imp.note(
                _D,
                here,
                "footprint dropped: the passport holds the climate change total in kg CO2e/kWh "
                f"per stage ({', '.join(fields)})",
            )
            continue
        name = fields[stage]
        if name in imp.out.get("carbon_footprint", {}):
            imp.fail(_D, f"{here}/lifecycle", f"stage {stage!r} given twice")
            continue
        if "value" in entry:
            imp.put(("carbon_footprint", name), entry["value"], _D, f"{here}/value")
        if name == "total_kg_co2e_per_kwh":
            if "performanceClass" in entry:
                imp.put(
                    ("carbon_footprint", "performance_class"),
                    entry["performanceClass"],
                    _D,
                    f"{here}/performanceClass",
                )
            for j, d in enumerate(entry.get("declaration") or ()):
                if j == 0 and isinstance(d, Mapping) and "content" in d:
                    imp.put(
                        ("carbon_footprint", "study_url"),
                        d["content"],
                        _D,
                        f"{here}/declaration/0/content",
                    )
        else:
            for key in ("performanceClass", "declaration"):
                if entry.get(key):
                    imp.note(
                        _D,
                        f"{here}/{key}",
                        f"{key} of a stage dropped (the passport holds it for the total)",
                    )
        for key in ("rulebook", "manufacturingPlant"):
            if entry.get(key):
                imp.note(_D, f"{here}/{key}", f"{key} dropped (no place in the passport)")


def _read_times(imp: Importer, doc: Mapping[str, Any]) -> None:
    for keys, path in (
        (_SOH_TIMED, ("state", "state_of_health", "measured_at")),
        (_USE_TIMED, ("state", "usage", "recorded_at")),
    ):
        stamps = []
        for key in keys:
            found, entity = _rules.get_pointer(doc, f"{_Y}/{key}")
            if found and isinstance(entity, Mapping) and "time" in entity:
                dt = imp.timestamp(_D, f"{_Y}/{key}/time", entity["time"])
                if dt is not None:
                    stamps.append((dt, f"{_Y}/{key}/time"))
        if not stamps:
            continue
        latest, where = max(stamps, key=lambda s: s[0])
        older = sorted({p for d, p in stamps if d != latest})
        if older:
            imp.note(
                _D,
                where,
                f"{len(older)} older time(s) dropped: the passport keeps the "
                f"latest ({latest.isoformat()}); e.g. {older[0]}",
            )
        imp.put(path, latest, _D, where)
    for key in _STATIC_TIMED:
        found, entity = _rules.get_pointer(doc, f"{_Y}/{key}")
        if found and isinstance(entity, Mapping) and "time" in entity:
            here = f"{_Y}/{key}/time"
            dt = imp.timestamp(_D, here, entity["time"])
            if dt is not None and dt != imp.issued_at:
                imp.note(
                    _D,
                    here,
                    f"{entity['time']!r} dropped (the passport holds this value "
                    "as of its issue time)",
                )


def import_catena_x(
    doc: Mapping[str, Any],
    *,
    issued_at: datetime | None = None,
    issuer: str | None = None,
    notes: list[str] | None = None,
) -> BatteryPassport:
    """Read a Catena-X battery pass 6.0.0 or 6.1.0 payload into a passport.

    ``issued_at`` defaults to midnight UTC of ``/metadata/issueDate`` (the payload holds a
    date only); ``issuer`` to ``/metadata/economicOperatorId``. Properties the schema requires
    may be absent. Data the passport has no place for is dropped and described in ``notes``.

    Raises :class:`~batterypass.errors.ValidationError` listing every problem (unknown
    property, wrong type, broken pattern, enumeration or bound of the schema, value the
    passport model rejects), each as ``"BatteryPass <JSON pointer>: <problem>"``; ``issues``
    holds them with path ``("BatteryPass", *pointer tokens)``.
    """
    imp = Importer(notes, issued_at or datetime(1, 1, 1, tzinfo=UTC))
    if not isinstance(doc, Mapping):
        imp.fail(_D, "", f"expected an object, got {kind(doc)}")
        _raise(imp)
    spec = doc.get("specVersion")
    clean = check(
        doc, import_structure(), "", "Catena-X battery pass 6.1.0", functools.partial(imp.fail, _D)
    )
    if isinstance(spec, str) and not spec.endswith(("battery_pass:6.1.0", "battery_pass:6.0.0")):
        imp.fail(_D, "/specVersion", f"{spec!r}: batterypass reads battery pass 6.0.0 and 6.1.0")
    if clean is BAD:
        _raise(imp)
    _note_relaxed_rules(imp, clean)
    _rules.import_rules(RULES, {_D: clean}, imp)
    if issued_at is None:
        text = _rules.get_pointer(clean, "/metadata/issueDate")[1]
        day = read_date(text, _D, "/metadata/issueDate", imp) if isinstance(text, str) else None
        if isinstance(day, date):
            issued_at = datetime(day.year, day.month, day.day, tzinfo=UTC)
            imp.issued_at = issued_at
            imp.origin[("issued_at",)] = (_D, "/metadata/issueDate")
        elif text is None:
            imp.fail(
                _D,
                "/metadata/issueDate",
                "needed for the passport's issued_at: give it or issued_at=",
            )
    else:
        imp.origin[("issued_at",)] = ("import_catena_x", "issued_at=")
    _read_quirks(imp, clean)
    _note_not_carried(imp, clean)
    if issuer is not None:
        imp.out["issuer"] = issuer
        imp.origin[("issuer",)] = ("import_catena_x", "issuer=")
    if issued_at is not None:
        imp.out["issued_at"] = issued_at
    for field, key in (
        ("passport_id", "/metadata/passportIdentifier"),
        ("battery_id", "/identification/identification/serial"),
        ("issuer", "/metadata/economicOperatorId"),
    ):
        if field not in imp.out:
            imp.fail(_D, key, f"needed for the passport's {field}")
    reported = {(i.path[0], "".join(f"/{t}" for t in i.path[1:])) for i in imp.issues}
    try:
        passport = parse_passport(imp.out)
    except ValidationError as e:
        # The passport model's own rules, told at the payload property each value came from;
        # what the structure check already rejected is not told twice.
        for issue in e.issues:
            aspect, pointer = _origin(imp.origin, issue.path)
            if any(
                aspect == a and (pointer == p or pointer.startswith(p + "/")) for a, p in reported
            ):
                continue
            if aspect is None:
                imp.messages.append(f"import_catena_x {format_path(issue.path)}: {issue.message}")
                imp.issues.append(issue)
            else:
                imp.fail(
                    aspect,
                    pointer,
                    f"{issue.message} ({format_path(issue.path)})",
                    issue.legal_basis,
                )
        _raise(imp, e)
    if imp.issues:
        _raise(imp)
    return passport


def _note_not_carried(imp: Importer, doc: Mapping[str, Any]) -> None:
    """A property no data point carries is dropped with a note naming why (once, at the
    outermost such property), unless a quirk has already said what it dropped there."""
    if imp.notes is None:
        return
    from batterypass.interop.catena_x._mapping import NOT_CARRIED

    patterns = [
        (
            re.compile(
                "/".join("[^/]+" if t == "*" else re.escape(t) for t in template.split("/"))
            ),
            why,
        )
        for template, why in NOT_CARRIED
    ]
    told = tuple(imp.notes)

    def walk(value: Any, here: str) -> None:
        for pattern, why in patterns:
            if pattern.fullmatch(here):
                if not any(n.startswith((f"{_D} {here}:", f"{_D} {here}/")) for n in told):
                    imp.note(_D, here, f"dropped: {why}")
                return
        if isinstance(value, Mapping):
            for key, item in value.items():
                walk(item, f"{here}/{key}")
        elif isinstance(value, list):
            for i, item in enumerate(value):
                walk(item, f"{here}/{i}")

    walk(doc, "")


def _note_relaxed_rules(imp: Importer, doc: Mapping[str, Any]) -> None:
    """A note for each identifier that breaks the schema's pattern (read all the same, if the
    passport model accepts it) and each text over the schema's length limit."""
    strict = structure()

    def walk(strict_typ: Any, value: Any, here: str, template: str) -> None:
        if isinstance(strict_typ, Obj) and isinstance(value, Mapping):
            for name, sub, _ in strict_typ.props:
                if name in value:
                    walk(sub, value[name], f"{here}/{name}", f"{template}/{name}")
        elif isinstance(strict_typ, List) and isinstance(value, list):
            for i, item in enumerate(value):
                walk(strict_typ.item, item, f"{here}/{i}", f"{template}/*")
        elif isinstance(strict_typ, Str) and isinstance(value, str):
            if (
                template in IDENTIFIERS
                and strict_typ.pattern
                and not re.search(strict_typ.pattern, value)
            ):
                imp.note(
                    _D,
                    here,
                    f"{value!r} does not match the schema's pattern {strict_typ.pattern}; "
                    "read as a batterypass identifier",
                )
            if strict_typ.max_length is not None and len(value) > strict_typ.max_length:
                imp.note(
                    _D,
                    here,
                    f"longer than the schema's {strict_typ.max_length} characters; read all "
                    "the same",
                )

    walk(strict, doc, "", "")


def _origin(
    origin: Mapping[tuple[PathItem, ...], tuple[str, str]], path: tuple[PathItem, ...]
) -> tuple[str | None, str]:
    for n in range(len(path), 0, -1):
        found = origin.get(path[:n])
        if found is not None:
            return found
    return None, ""


def _raise(imp: Importer, cause: BaseException | None = None) -> None:
    more = f" (and {len(imp.messages) - 1} more)" if len(imp.messages) > 1 else ""
    raise ValidationError(f"{imp.messages[0]}{more}", issues=imp.issues) from cause
