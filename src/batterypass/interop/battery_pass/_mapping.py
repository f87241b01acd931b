"""The mapping between the Battery Pass longlist, the passport model and the consortium wire:
one row per longlist attribute, generated from the rules where a rule carries the attribute
and written here only for the quirks. specs/battery-pass-mapping.md is generated from it."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Final, Literal

from batterypass.interop._rules import Rule, rule_wire
from batterypass.interop.battery_pass import (
    _carbon,
    _circularity,
    _due_diligence,
    _general,
    _performance,
)
from batterypass.interop.battery_pass._schema import (
    CIRCULARITY,
    LABELS,
    MATERIALS,
    PERFORMANCE,
)
from batterypass.model import iter_data_points

RULES: Final[tuple[Rule, ...]] = (
    *_general.RULES,
    *_carbon.RULES,
    *_due_diligence.RULES,
    *_circularity.RULES,
    *_performance.RULES,
)
"""Every plain one-to-one field of the consortium model, as rules of the rule engine: they
drive export, import and the rows of the mapping table they carry."""

Status = Literal["mapped", "partial", "not mapped", "n/a"]


@dataclass(frozen=True, slots=True)
class LonglistMapping:
    """How one attribute of the Battery Pass longlist v1.2 travels between the passport model
    and the consortium's aspects. specs/battery-pass-mapping.md is generated from these rows."""

    id: int
    """Running number of the attribute in the longlist (1-93)."""
    attribute: str
    unit: str
    """The longlist's unit of the attribute."""
    wire: tuple[str, ...]
    """Where it is on the consortium wire: ``"<aspect> <JSON pointer>"`` with ``*`` for any
    array index and, in brackets, which entries are meant."""
    fields: tuple[str, ...]
    """The passport model's data points this codec reads and writes for the attribute."""
    conversion: str
    status: Literal["mapped", "partial", "not mapped", "n/a"]
    """``mapped``: carried both ways without loss; ``partial``: carried, with losses the export
    reports; ``not mapped``: the consortium model has no place for it; ``n/a``: not a data point
    of its own."""


@dataclass(frozen=True, slots=True)
class _Hand:
    """A longlist row that no single rule carries: a quirk, or an attribute not carried."""

    id: int
    wire: str | tuple[str, ...]
    fields: str | tuple[str, ...]
    conversion: str
    status: Status = "mapped"


LONGLIST: Final[tuple[tuple[int, str, str], ...]] = (
    (1, "Battery passport identifier", "n.a."),
    (2, "Battery identifier", "n.a."),
    (3, "Operator identifier and information", "n.a."),
    (4, "Manufacturer identifier and information", "n.a."),
    (5, "Manufacturing place", "n.a."),
    (6, "Manufacturing date", "n.a."),
    (7, "Date of putting the battery into service", "n.a."),
    (8, "Warranty period of the battery", "n.a."),
    (9, "Battery category", "n.a."),
    (10, "Battery mass", "kg"),
    (11, "Battery status", "n.a."),
    (12, "Separate collection symbol", "n.a."),
    (13, "Symbols for cadmium and lead", "n.a."),
    (14, "Carbon footprint label", "n.a."),
    (15, "Extinguishing agent", "n.a."),
    (16, "Meaning of labels and symbols", "n.a."),
    (17, "EU declaration of conformity", "n.a."),
    (18, "Results of test reports proving compliance", "n.a."),
    (19, "Battery carbon footprint per Functional Unit", "kgCO2e/kWh"),
    (20, "Contribution of raw material acquisition and pre-processing lifecycle stage", "%"),
    (21, "Contribution of main product production/manufacturing lifecycle stage", "%"),
    (22, "Contribution of distribution lifecycle stage", "%"),
    (23, "Contribution of end of life and recycling lifecycle stage", "%"),
    (24, "Carbon footprint performance class", "n.a."),
    (25, "Web link to public carbon footprint study", "n.a."),
    (26, "General battery and manufacturer information", "n.a."),
    (27, "Absolute battery carbon footprint", "[tCO2e]"),
    (28, "Information of due diligence report", "n.a."),
    (29, "Third party assurances of recognised schemes", "n.a."),
    (30, "Supply chain indices", "n.a."),
    (31, "Battery chemistry", "n.a."),
    (32, "Critical raw materials", "n.a."),
    (33, "Materials used in cathode, anode and electrolyte", "n.a."),
    (34, "Hazardous substances", "n.a."),
    (35, "Impact of substances on environment, human health, safety, persons", "n.a."),
    (
        36,
        (
            "Dismantling information: Manuals for the removal and the disassembly of the battery "
            "pack"
        ),
        "n.a.",
    ),
    (37, "Part numbers for components", "n.a."),
    (38, "Information on sources of spare parts", "n.a."),
    (39, "Safety measures", "n.a."),
    (40, "Pre-consumer recycled nickel share", "%"),
    (41, "Pre-consumer recycled cobalt share", "%"),
    (42, "Pre-consumer recycled lithium share", "%"),
    (43, "Pre-consumer recycled lead share", "%"),
    (44, "Post-consumer recycled nickel share", "%"),
    (45, "Post-consumer recycled cobalt share", "%"),
    (46, "Post-consumer recycled lithium share", "%"),
    (47, "Post-consumer recycled lead share", "%"),
    (48, "Renewable content share", "%"),
    (49, "Information on the role of end-users in contributing to waste prevention", "n.a."),
    (
        50,
        (
            "Information on the role of end-users in contributing to the separate collection of "
            "waste batteries"
        ),
        "n.a.",
    ),
    (
        51,
        (
            "Information on battery collection, preparation for second life and on treatment at "
            "end of life"
        ),
        "n.a.",
    ),
    (52, "Rated capacity", "Ah"),
    (53, "Remaining capacity", "Ah"),
    (54, "Capacity fade", "%"),
    (55, "Certified usable battery energy", "kWh"),
    (56, "Remaining usable battery energy", "kWh"),
    (57, "State of certified energy (SOCE)", "%"),
    (58, "State of Charge (SoC)", "%"),
    (59, "Minimum voltage", "V"),
    (60, "Maximum voltage", "V"),
    (61, "Nominal voltage", "V"),
    (62, "Original power capability", "W"),
    (63, "Remaining power capability", "W"),
    (64, "Power fade", "%"),
    (65, "Maximum permitted battery power", "W"),
    (66, "Ratio between nominal battery power and battery energy", "W/Wh"),
    (67, "Initial round trip energy efficiency", "%"),
    (68, "Round trip energy efficiency at 50% of cycle life", "%"),
    (69, "Remaining round trip energy efficiency", "%"),
    (70, "Energy round trip efficiency fade", "%"),
    (71, "Initial self-discharge rate", "%/month"),
    (72, "Current self-discharge rate", "%/month"),
    (73, "Evolution of self-discharge rates", "%"),
    (74, "Initial internal resistance of battery cell and pack (module recommended)", "Ohm"),
    (75, "Internal resistance increase of pack (cell and module recommended)", "%"),
    (76, "Expected lifetime in calendar years", "years"),
    (77, "Expected lifetime: Number of charge-discharge cycles", "-"),
    (78, "Number of full charging and discharging cycles", "-"),
    (79, "Cycle-life reference test", "n.a."),
    (80, "C-rate of relevant cycle-life test", "A/Ah"),
    (81, "Energy throughput", "kWh"),
    (82, "Capacity throughput", "Ah"),
    (83, "Capacity threshold for exhaustion", "%"),
    (84, "Temperature information", "°C"),
    (85, "Temperature range idle state, lower boundary", "°C"),
    (86, "Temperature range idle state, upper boundary", "°C"),
    (87, "Time spent in extreme temperatures above boundary", "Minutes"),
    (88, "Time spent in extreme temperatures below boundary", "Minutes"),
    (89, "Time spent charging during extreme temperatures above boundary", "Minutes"),
    (90, "Time spent charging during extreme temperatures below boundary", "Minutes"),
    (91, "Number of deep discharge events", "-"),
    (92, "Number of overcharge events", "-"),
    (93, "Information on accidents", "-"),
)
"""The attributes of the Battery Pass longlist v1.2: number, name, unit."""


_HAND: Final[tuple[_Hand, ...]] = (
    _Hand(
        3,
        "GeneralProductInformation /operatorInformation",
        "general.operator",
        (
            "identifier = id, contactName = name, emailAddress = email, webAddress = website, "
            "postalAddress: see Addresses; also the default issuer on import"
        ),
        "partial",
    ),
    _Hand(
        4,
        "GeneralProductInformation /manufacturerInformation",
        "general.manufacturer",
        "as row 3",
        "partial",
    ),
    _Hand(
        5,
        "GeneralProductInformation /manufacturingPlace",
        "general.manufacturing_place",
        "the address (see Addresses); facility identifier and name are lost",
        "partial",
    ),
    _Hand(
        8,
        "GeneralProductInformation /warrentyPeriod",
        "general.warranty_period_months",
        (
            "months <-> xsd:gMonth --01..--12 read as a number of months; other periods written "
            "as the duration PnM (a reported deviation)"
        ),
    ),
    _Hand(
        9,
        "GeneralProductInformation /batteryCategory",
        ("general.category", "general.stationary_energy_storage"),
        (
            "ev, lmt as is; industrial with stationary_energy_storage true <-> stationary, "
            "otherwise industrial; portable and SLI are lost"
        ),
        "partial",
    ),
    _Hand(
        12,
        "Labeling /labels/* [labelingSubject = SeparateCollection]",
        "labels.separate_collection_symbol",
        "url <-> labelingSymbol, title <-> labelingMeaning.en; media type and digest are lost",
        "partial",
    ),
    _Hand(
        13,
        "Labeling /labels/* [labelingSubject = HazardousMaterial]",
        "labels.cadmium_lead_symbols",
        "as row 12, one label per symbol; an empty list is no such label",
        "partial",
    ),
    _Hand(
        14,
        "Labeling /labels/* [labelingSubject = CarbonFootPrint]",
        "labels.carbon_footprint_label",
        "as row 12",
        "partial",
    ),
    _Hand(
        15,
        "Circularity /safetyMeasures/extinguishingAgent",
        "labels.extinguishing_agents",
        "list of texts, unchanged; labels of subject ExtinguishingAgent are dropped on import",
    ),
    _Hand(
        16,
        (),
        "labels.meaning_of_labels_url",
        (
            "not mapped: the passport links one document, the consortium has a meaning text per "
            "label (labelingMeaning, which carries each symbol's title)"
        ),
        "not mapped",
    ),
    _Hand(
        17,
        "Labeling /declarationOfConformity",
        "labels.declaration_of_conformity",
        (
            "url only; import titles it 'EU declaration of conformity'; another title, media "
            "type and digest are lost"
        ),
        "partial",
    ),
    _Hand(
        18,
        "Labeling /resultOfTestReport",
        "labels.test_reports",
        "one URL: the first report's; further reports, titles, media types and digests are lost",
        "partial",
    ),
    _Hand(
        20,
        (
            "CarbonFootprintForBatteries /carbonFootprintPerLifecycleStage/* [lifecycleStage = "
            "RawMaterialExtraction]"
        ),
        "carbon_footprint.raw_material_acquisition_kg_co2e_per_kwh",
        (
            "kg CO2e/kWh on the wire and in the model; the longlist's share in % is stage / "
            "total x 100"
        ),
    ),
    _Hand(
        21,
        (
            "CarbonFootprintForBatteries /carbonFootprintPerLifecycleStage/* [lifecycleStage = "
            "MainProduction]"
        ),
        "carbon_footprint.main_production_kg_co2e_per_kwh",
        "as row 20",
    ),
    _Hand(
        22,
        (
            "CarbonFootprintForBatteries /carbonFootprintPerLifecycleStage/* [lifecycleStage = "
            "Distribution]"
        ),
        "carbon_footprint.distribution_kg_co2e_per_kwh",
        "as row 20",
    ),
    _Hand(
        23,
        (
            "CarbonFootprintForBatteries /carbonFootprintPerLifecycleStage/* [lifecycleStage = "
            "Recycling]"
        ),
        "carbon_footprint.end_of_life_kg_co2e_per_kwh",
        "as row 20",
    ),
    _Hand(
        26,
        "GeneralProductInformation (whole aspect)",
        (),
        (
            "not a data point of its own: the longlist refers to its sections 6.1 and 6.2 (rows "
            "1-18)"
        ),
        "n/a",
    ),
    _Hand(
        29,
        "SupplyChainDueDiligence /thirdPartyAussurances",
        "due_diligence.third_party_assurances",
        "one URL; further assurances (and an empty list) are lost",
        "partial",
    ),
    _Hand(
        30,
        "SupplyChainDueDiligence /supplyChainIndicies",
        "due_diligence.supply_chain_indices",
        "one number <-> a list of one plain decimal text; other lists are lost",
        "partial",
    ),
    _Hand(
        31,
        "MaterialComposition /batteryChemistry",
        "materials.chemistry",
        (
            "family <-> shortName in upper case (NCM read as NMC, unknown names as other), "
            "designation <-> clearName"
        ),
    ),
    _Hand(
        32,
        (
            "MaterialComposition /batteryMaterials/* [componentName = Battery, "
            "isCriticalRawMaterial = true]"
        ),
        "materials.critical_raw_materials",
        (
            "one whole-battery entry per material; concentration in % <-> batteryMaterialMass in "
            "g = % x battery mass in kg x 10; materials flagged isCriticalRawMaterial without "
            "such an entry are read as critical raw materials of unknown concentration"
        ),
        "partial",
    ),
    _Hand(
        33,
        "MaterialComposition /batteryMaterials/* [componentName = a component]",
        "materials.materials",
        (
            "component <-> componentName (Cathode, Anode, ...), mass in kg <-> g (x 1000), "
            "isCriticalRawMaterial derived from the critical raw materials; share_percent is "
            "lost"
        ),
        "partial",
    ),
    _Hand(
        34,
        "MaterialComposition /hazardousSubstances",
        "materials.hazardous_substances",
        (
            "hazard_classes <-> hazardousSubstanceImpact; hazardousSubstanceClass derived from "
            "the first CLP code of the three classes the consortium lists; location <-> "
            "componentName; concentration in %; EC number is lost"
        ),
        "partial",
    ),
    _Hand(
        35,
        (),
        "materials.substance_impact_url",
        (
            "not mapped: the passport links one document, the consortium has impact statements "
            "per substance (which carry the hazard classes)"
        ),
        "not mapped",
    ),
    _Hand(
        36,
        "Circularity /dismantlingAndRemovalInformation",
        "circularity.dismantling_information",
        (
            "url <-> documentURL, media_type <-> mimeType, title <-> documentType (titles "
            "'Dismantling manual', 'Removal manual', ... map to their type, any other title is "
            "written as OtherManual and lost)"
        ),
        "partial",
    ),
    _Hand(
        37,
        "Circularity /sparePartSources/*/components",
        "circularity.part_numbers",
        (
            "component <-> partName, part_number <-> partNumber; all written under the first "
            "spare-part source, read from all"
        ),
        "partial",
    ),
    _Hand(
        38,
        "Circularity /sparePartSources",
        "circularity.spare_part_sources",
        (
            "name <-> nameOfSupplier, email <-> emailAddressOfSupplier, url <-> "
            "supplierWebAddress, address: see Addresses"
        ),
        "partial",
    ),
    _Hand(
        39,
        "Circularity /safetyMeasures/safetyInstructions",
        "circularity.safety_measures",
        "one URL: the first document's; import titles it 'Safety instructions'",
        "partial",
    ),
    _Hand(
        40,
        "Circularity /recycledContent/* [recycledMaterial = Nickel] /preConsumerShare",
        "circularity.recycled_content",
        (
            "% unchanged; total_percent is written nowhere and read back as pre + post (lost "
            "where it differs)"
        ),
        "partial",
    ),
    _Hand(
        41,
        "Circularity /recycledContent/* [recycledMaterial = Cobalt] /preConsumerShare",
        "circularity.recycled_content",
        (
            "% unchanged; total_percent is written nowhere and read back as pre + post (lost "
            "where it differs)"
        ),
        "partial",
    ),
    _Hand(
        42,
        "Circularity /recycledContent/* [recycledMaterial = Lithium] /preConsumerShare",
        "circularity.recycled_content",
        (
            "% unchanged; total_percent is written nowhere and read back as pre + post (lost "
            "where it differs)"
        ),
        "partial",
    ),
    _Hand(
        43,
        "Circularity /recycledContent/* [recycledMaterial = Lead] /preConsumerShare",
        "circularity.recycled_content",
        (
            "% unchanged; total_percent is written nowhere and read back as pre + post (lost "
            "where it differs)"
        ),
        "partial",
    ),
    _Hand(
        44,
        "Circularity /recycledContent/* [recycledMaterial = Nickel] /postConsumerShare",
        "circularity.recycled_content",
        (
            "% unchanged; total_percent is written nowhere and read back as pre + post (lost "
            "where it differs)"
        ),
        "partial",
    ),
    _Hand(
        45,
        "Circularity /recycledContent/* [recycledMaterial = Cobalt] /postConsumerShare",
        "circularity.recycled_content",
        (
            "% unchanged; total_percent is written nowhere and read back as pre + post (lost "
            "where it differs)"
        ),
        "partial",
    ),
    _Hand(
        46,
        "Circularity /recycledContent/* [recycledMaterial = Lithium] /postConsumerShare",
        "circularity.recycled_content",
        (
            "% unchanged; total_percent is written nowhere and read back as pre + post (lost "
            "where it differs)"
        ),
        "partial",
    ),
    _Hand(
        47,
        "Circularity /recycledContent/* [recycledMaterial = Lead] /postConsumerShare",
        "circularity.recycled_content",
        (
            "% unchanged; total_percent is written nowhere and read back as pre + post (lost "
            "where it differs)"
        ),
        "partial",
    ),
    _Hand(
        53,
        "PerformanceAndDurability /batteryCondition/remainingCapacity/remainingCapacityValue",
        "state.state_of_health.remaining_capacity_ah",
        (
            "kWh on the wire: kWh = Ah x nominal voltage / 1000, Ah = kWh x 1000 / nominal "
            "voltage (needs nominalVoltage)"
        ),
    ),
    _Hand(
        62,
        "PerformanceAndDurability /batteryTechicalProperties/originalPowerCapability",
        "performance.original_power_capability",
        (
            "atSoC <-> state_of_charge_percent (%), powerCapabilityAt <-> power_w in W (the "
            "aspect model declares percent; see Quirks)"
        ),
    ),
    _Hand(
        63,
        (
            "PerformanceAndDurability "
            "/batteryCondition/remainingPowerCapability/remainingPowerCapabilityValue/powerCapabilityAt"
        ),
        "state.state_of_health.remaining_power_capability",
        (
            "atSoC <-> state_of_charge_percent, powerCapabilityAt <-> power_w in W (as row 62); "
            "1.2.1 holds one value, so only the first is written (the others are reported lost); "
            "1.2.0 (on request) holds them all as a list; on import every entry of 1.2.0's list "
            "is read"
        ),
    ),
    _Hand(
        66,
        (
            "PerformanceAndDurability /batteryTechicalProperties/powerCapabilityRatio",
            "PerformanceAndDurability /batteryTechicalProperties/cRate",
        ),
        "performance.power_to_energy_ratio_w_per_wh",
        (
            "powerCapabilityRatio is declared in %: % = W/Wh x 100; cRate (unit C = 1/h) is the "
            "same number as W/Wh; both written, and on import they must agree"
        ),
    ),
    _Hand(
        74,
        "PerformanceAndDurability /batteryTechicalProperties/initialInternalResistance",
        ("performance.internal_resistance_cell_ohm", "performance.internal_resistance_pack_ohm"),
        (
            "one entry per batteryComponent pack and cell, in ohm; module entries are dropped on "
            "import"
        ),
    ),
    _Hand(
        75,
        (
            "PerformanceAndDurability /batteryCondition/internalResistanceIncrease/* "
            "[batteryComponent = pack]"
        ),
        "performance.internal_resistance_increase_percent",
        (
            "% unchanged; lastUpdate = the passport's issued_at; cell and module entries are "
            "dropped on import"
        ),
    ),
    _Hand(
        84,
        (),
        "state.usage.temperature_c",
        (
            "not mapped: temperatureInformation holds the times spent at extreme temperatures "
            "(rows 87-90), no temperature"
        ),
        "not mapped",
    ),
    _Hand(
        91,
        (),
        "state.usage.deep_discharge_events",
        "not mapped: the consortium model has no property for it",
        "not mapped",
    ),
    _Hand(
        92,
        (),
        "state.usage.overcharge_events",
        "not mapped: the consortium model has no property for it",
        "not mapped",
    ),
    _Hand(
        93,
        "PerformanceAndDurability /batteryCondition/negativeEvents",
        "state.usage.negative_events",
        (
            "negativeEvent = 'kind' or 'kind: description'; lastUpdate <-> occurred_on at "
            "midnight UTC; a kind containing ': ' is lost"
        ),
        "partial",
    ),
)
"""The rows of the quirks and of attributes the consortium model does not carry."""


def rule_rows() -> dict[int, LonglistMapping]:
    """The longlist rows the rules carry (one rule each), by longlist number."""
    names = {n: (attribute, unit) for n, attribute, unit in LONGLIST}
    out: dict[int, LonglistMapping] = {}
    for rule in RULES:
        if rule.longlist is None:
            continue
        assert rule.longlist not in out, f"two rules carry longlist row {rule.longlist}"
        attribute, unit = names[rule.longlist]
        out[rule.longlist] = LonglistMapping(
            rule.longlist,
            attribute,
            unit,
            (rule_wire(rule),),
            (rule.field,),
            rule.conversion,
            "mapped",
        )
    return out


def _rows() -> tuple[LonglistMapping, ...]:
    from_rules = rule_rows()
    hand = {h.id: h for h in _HAND}
    assert not set(hand) & set(from_rules), "a row is both a rule and written by hand"
    rows = []
    for n, attribute, unit in LONGLIST:
        if n in from_rules:
            rows.append(from_rules[n])
            continue
        h = hand[n]
        rows.append(
            LonglistMapping(
                n,
                attribute,
                unit,
                (h.wire,) if isinstance(h.wire, str) else h.wire,
                (h.fields,) if isinstance(h.fields, str) else h.fields,
                h.conversion,
                h.status,
            )
        )
    return tuple(rows)


LONGLIST_MAPPING: Final[tuple[LonglistMapping, ...]] = _rows()
"""Every longlist attribute: where it is on the consortium wire, the model's data points and
the conversion (from the rules, or from the hand-written rows of the quirks)."""

_P, _L, _M, _R = PERFORMANCE, LABELS, MATERIALS, CIRCULARITY
_T = f"{_P} /batteryTechicalProperties"
_K = f"{_P} /batteryCondition"

NOT_CARRIED: Final = (
    "performance.voltage_temperature_range",
    "performance.power_temperature_range",
    "performance.idle_temperature_reference_test",
    "circularity.waste_management_info_url",
    "labels.declaration_of_conformity_id",
)
"""Data points added by issue 15 that the consortium model has no place for: reported lost on
export, absent after import."""

OTHER_FIELDS: Final[Mapping[str, str]] = {
    **dict.fromkeys(NOT_CARRIED, "not carried: no place in the consortium model"),
    "issuer": "no place in the consortium model: an import_aspects parameter (default: the "
    "operator's identifier, else the manufacturer's)",
    "issued_at": "no place in the consortium model: an import_aspects parameter; written as "
    "the lastUpdate of capacity fade and internal resistance increase",
    "predecessor_passport_id": "lost: no place in the consortium model",
    "predecessor_last_event_sha256": "lost: no place in the consortium model",
    "general.battery_model": "lost: no place in the consortium model",
    "carbon_footprint.rounding_kg_co2e_per_kwh": "lost: no place in the consortium model",
    "carbon_footprint.class_scheme": "lost: no place in the consortium model",
    "materials.element_masses": "lost: no place in the consortium model",
    "circularity.recycling_potential": "lost: no place in the consortium model (derived by "
    "batterypass)",
    "state.state_of_health.measured_at": "lastUpdate (and rPCLastUpdated) of the "
    "state-of-health values; on import the latest of them",
    "state.state_of_health.ohmic_resistance_ohm": "lost: the consortium holds the internal "
    "resistance increase only",
    "state.usage.recorded_at": "lastUpdate of the usage values; on import the latest of them",
    "carbon_footprint.method": "not carried: no place in the consortium model",
    "carbon_footprint.boundary": "not carried: no place in the consortium model",
    "carbon_footprint.verifier": "not carried: no place in the consortium model",
    "china.gbt34014_code": "not carried: Chinese national data (specs/china.md) have no place in "
    "the consortium model",
    "china.gbt34014_original_code": "not carried: Chinese national data have no place in the "
    "consortium model",
    "china.gbt34014_components": "not carried: Chinese national data have no place in the "
    "consortium model",
    "china.gbt45565_code": "not carried: Chinese national data have no place in the consortium "
    "model",
    "china.carbon_footprint": "not carried: the consortium's carbon footprint is the EU "
    "declaration; China's is never converted into it",
}
"""Data points of the passport model without a longlist row, and where they go."""

_NO_COMPONENT_ID = "dropped on import: the passport model has no component identifier"
_RPC = f"{_K}/remainingPowerCapability/remainingPowerCapabilityValue"
WIRE_NOTES: Final[Mapping[str, str]] = {
    f"{_M} /batteryMaterials/*/batteryMaterialLocation/componentId": _NO_COMPONENT_ID,
    f"{_M} /hazardousSubstances/*/hazardousSubstanceLocation/componentId": _NO_COMPONENT_ID,
    f"{_M} /hazardousSubstances/*/hazardousSubstanceClass": (
        "written from the first hazard class that is one of the three classes enumerated; on "
        "import dropped (with a note) unless an impact statement implies it"
    ),
    f"{_R} /dismantlingAndRemovalInformation/*/documentType": ("the document's title (see row 36)"),
    f"{_L} /labels/*/labelingSubject": (
        "which data point a label is (rows 12-14); ExtinguishingAgent labels are dropped on "
        "import, the agents being text in Circularity"
    ),
    f"{_K}/*/lastUpdate": (
        "measured_at for state-of-health values, recorded_at for usage values, issued_at for "
        "capacity fade and resistance increase, occurred_on for negative events; on import, "
        "times that disagree are dropped with a note (the latest is kept)"
    ),
    f"{_RPC}/atSoC": "state_of_charge_percent of the remaining power capability",
    f"{_RPC}/rPCLastUpdated": "measured_at",
    f"{_T}/initialInternalResistance/* [batteryComponent = module]": (
        "dropped on import: the passport holds cell and pack resistance"
    ),
    f"{_K}/internalResistanceIncrease/* [batteryComponent = cell, module]": (
        "dropped on import: the passport holds the pack's increase"
    ),
    f"{_T}/temperatureRangeIdleState (1.2.0)": (
        "dropped on import: a single number cannot tell which boundary of the range it is"
    ),
}
"""Consortium properties with a rule of their own beyond the longlist rows."""


def _template(pointer: str) -> str:
    return "/".join("*" if t.isdigit() else t for t in pointer.split("/"))


def _wire_fields() -> dict[tuple[str, str], set[str]]:
    out: dict[tuple[str, str], set[str]] = {}
    for row in LONGLIST_MAPPING:
        for wire in row.wire:
            aspect, _, rest = wire.partition(" ")
            pointer = rest.split(" ")[0]
            if pointer.startswith("/"):
                out.setdefault((aspect, pointer), set()).update(row.fields)
    return out


_WIRE_FIELDS: Final = _wire_fields()


def field_of_wire(aspect: str, pointer: str) -> str | None:
    """The data point a required-but-missing property would have carried, if one is."""
    template = _template(pointer)
    while template:
        fields = _WIRE_FIELDS.get((aspect, template))
        if fields:
            return next(iter(fields)) if len(fields) == 1 else None
        template = template.rpartition("/")[0]
    return None


def mapping_table_markdown() -> str:
    """The generated tables of specs/battery-pass-mapping.md: every longlist attribute with its
    place on the consortium wire and the passport model's data points for it (from the
    model's own longlist metadata), the model's other data points, and consortium properties
    with a rule of their own."""
    by_id: dict[int, list[str]] = {}
    for ref in iter_data_points():
        for n in ref.info.longlist:
            by_id.setdefault(n, []).append(".".join(ref.path))

    def cell(text: str) -> str:
        return text.replace("|", "\\|")

    lines = [
        "| # | Longlist attribute | Longlist unit | Consortium wire (aspect, JSON pointer) "
        "| batterypass data point | Conversion | Status |",
        "|---|---|---|---|---|---|---|",
    ]
    for row in LONGLIST_MAPPING:
        wire = "<br>".join(f"`{w}`" for w in row.wire) or "—"
        ours = "<br>".join(f"`{f}`" for f in by_id.get(row.id, ())) or "—"
        lines.append(
            f"| {row.id} | {cell(row.attribute)} | {cell(row.unit)} | {wire} | {ours} | "
            f"{cell(row.conversion)} | {row.status} |"
        )
    lines += [
        "",
        "Data points of the passport model without a longlist number:",
        "",
        "| batterypass data point | Consortium wire |",
        "|---|---|",
    ]
    for ref in iter_data_points():
        path = ".".join(ref.path)
        if not ref.info.longlist:
            lines.append(f"| `{path}` | {cell(OTHER_FIELDS.get(path, 'UNDOCUMENTED'))} |")
    lines += [
        "",
        "Consortium properties with a rule of their own:",
        "",
        "| Consortium property | Rule |",
        "|---|---|",
    ]
    for wire, rule in WIRE_NOTES.items():
        lines.append(f"| `{wire}` | {cell(rule)} |")
    return "\n".join(lines) + "\n"
