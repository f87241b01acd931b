"""The sections of a battery passport and the records inside them.

Two kinds of model live here:

- a :class:`Section` groups data points; each of its fields is either a data point (declared
  with :func:`~batterypass.model._access.data_point`, carrying access group and legal basis) or
  a nested section;
- a :class:`Record` is a structured value of one data point (an address, a substance entry).

Legal bases cite Regulation (EU) 2023/1542; longlist numbers refer to the Battery Pass
consortium's data attribute longlist v1.2.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Annotated, Literal, Self

from pydantic import AfterValidator, AwareDatetime, BaseModel, ConfigDict, Field, model_validator
from pydantic_core import PydanticCustomError

from batterypass.model._access import AccessGroup, Scope, data_point
from batterypass.model._enums import (
    BatteryCategory,
    CarbonStage,
    ChemistryFamily,
    Component,
    Element,
)
from batterypass.model._types import (
    CasNumber,
    CountryCode,
    EcNumber,
    Identifier,
    NonNegativeQuantity,
    Percent,
    PositiveQuantity,
    Quantity,
    Text,
    Url,
)

__all__ = [
    "VOLUNTARY",
    "BatteryState",
    "CarbonFootprint",
    "ChemistryInfo",
    "Circularity",
    "CriticalRawMaterial",
    "DocumentRef",
    "DueDiligence",
    "ElementMass",
    "Facility",
    "GeneralInformation",
    "HazardousSubstance",
    "LabelsAndConformity",
    "MaterialComposition",
    "MaterialEntry",
    "NegativeEvent",
    "Operator",
    "PartNumber",
    "Performance",
    "PostalAddress",
    "PowerCapabilities",
    "PowerCapability",
    "Record",
    "RecoverableMass",
    "RecycledContent",
    "RecyclingPotentialRecord",
    "Section",
    "SparePartSource",
    "StateOfHealth",
    "TemperatureRange",
    "Usage",
    "cross_field_error",
]

G1 = AccessGroup.PUBLIC
G2 = AccessGroup.LEGITIMATE_INTEREST
G3 = AccessGroup.AUTHORITY
G4 = AccessGroup.INDIVIDUAL
EV_ONLY = (Scope.EV,)
LMT_STATIONARY = (Scope.LMT, Scope.STATIONARY)
VOLUNTARY = "voluntary (Battery Pass consortium recommendation; no legal basis in the Regulation)"
"""The legal basis of a data point the Battery Pass longlist lists with basis "n.a.": the
consortium recommends it, the Regulation does not ask for it, so it is mandatory for no scope."""
NONE: tuple[Scope, ...] = ()

_CONFIG = ConfigDict(frozen=True, extra="forbid", validate_default=False)


def cross_field_error(field: str, message: str, legal_basis: str | None = None) -> Exception:
    """An error from a cross-field check, located at ``field`` of the model being validated."""
    return PydanticCustomError(
        "batterypass_rule",
        message,
        {"field": field, "legal_basis": legal_basis or ""},
    )


_ZERO = Decimal(0)
_ONE = Decimal(1)
_TWO = Decimal(2)
_FIVE = Decimal(5)


def _repeats(items: list[Element]) -> bool:
    """Whether some element occurs more than once."""
    return len(set(items)) < len(items)


class Section(BaseModel):
    """A group of data points."""

    model_config = _CONFIG


class Record(BaseModel):
    """A structured value of one data point."""

    model_config = _CONFIG


# ---------------------------------------------------------------- records


class PostalAddress(Record):
    """A postal address.

    The city may be left out when a postal code locates the address: formats without a
    locality property (the consortium's aspect models) carry street, postal code and country
    only, and batterypass does not guess a city from a postal code.
    """

    street: Text | None = None
    postal_code: Annotated[str, Field(min_length=1, max_length=32)] | None = None
    city: Text | None = None
    country: CountryCode

    @model_validator(mode="after")
    def _located(self) -> Self:
        if self.city is None and self.postal_code is None:
            # batterypass's own plausibility rule: the Regulation asks for "the postal
            # address" (e.g. Annex VI Part A(1)) without saying what it consists of.
            raise cross_field_error(
                "city", "a postal address needs a city or a postal code (it has neither)"
            )
        return self


class Operator(Record):
    """An economic operator or manufacturer: identity and contact (Annex VI Part A(1))."""

    id: Identifier
    name: Text
    address: PostalAddress
    email: Annotated[str, Field(pattern=r"^[^@\s]+@[^@\s]+\.[A-Za-z]{2,}$")] | None = None
    website: Url | None = None


class Facility(Record):
    """A manufacturing site (Annex VI Part A(3))."""

    id: Identifier | None = None
    name: Text | None = None
    address: PostalAddress


class DocumentRef(Record):
    """A document the passport links to, optionally pinned by its SHA-256 digest."""

    title: Text
    url: Url
    media_type: Annotated[str, Field(pattern=r"^[a-z]+/[A-Za-z0-9.+-]+$")] | None = None
    sha256: Annotated[str, Field(pattern=r"^[0-9a-f]{64}$")] | None = None


class ChemistryInfo(Record):
    """Battery chemistry: a family and the exact designation (e.g. ``NMC 811``)."""

    family: ChemistryFamily
    designation: Text


class HazardousSubstance(Record):
    """A hazardous substance present in the battery (Annex VI Part A(8))."""

    name: Text
    cas_number: CasNumber | None = None
    ec_number: EcNumber | None = None
    concentration_percent: Percent
    hazard_classes: tuple[Annotated[str, Field(min_length=1, max_length=128)], ...] = ()
    location: Component | None = None


class CriticalRawMaterial(Record):
    """A critical raw material present above 0.1 % w/w (Annex VI Part A(10))."""

    name: Text
    cas_number: CasNumber | None = None
    concentration_percent: Percent | None = None


class MaterialEntry(Record):
    """A material used in a component (Annex XIII point 2(a))."""

    component: Component
    name: Text
    cas_number: CasNumber | None = None
    mass_kg: PositiveQuantity | None = None
    share_percent: Percent | None = None


class ElementMass(Record):
    """Mass of one element or material in the whole battery: the basis of recycling potential
    (Annex XII Part C) and recycled-content checks (Art. 8)."""

    element: Element
    mass_kg: PositiveQuantity


class RecycledContent(Record):
    """Recycled share of one material (Art. 8(1), Annex XIII point 1(e)).

    Only material recovered from battery manufacturing waste (pre-consumer) or from
    post-consumer waste counts (Art. 8(1)), so the total is their sum: a stated total that
    differs from it is refused rather than trusted.
    """

    material: Element
    pre_consumer_percent: Percent
    post_consumer_percent: Percent
    total_percent: Percent

    @property
    def counted_percent(self) -> Decimal:
        """The share that counts towards the Art. 8 minimum shares: pre- plus post-consumer."""
        return self.pre_consumer_percent + self.post_consumer_percent

    @model_validator(mode="after")
    def _total_is_the_sum(self) -> Self:
        counted = self.counted_percent
        if self.total_percent != counted:
            raise cross_field_error(
                "total_percent",
                f"the total recycled share ({self.total_percent} %) must equal the "
                f"pre-consumer plus post-consumer share ({counted} %): only material recovered "
                "from manufacturing waste or post-consumer waste counts",
                "Art. 8(1); Annex XIII(1)(e)",
            )
        return self


class PartNumber(Record):
    """Part number of a component (Annex XIII point 2(b))."""

    component: Text
    part_number: Annotated[str, Field(min_length=1, max_length=256)]


class SparePartSource(Record):
    """Where replacement spare parts can be had (Annex XIII point 2(b))."""

    name: Text
    email: Annotated[str, Field(pattern=r"^[^@\s]+@[^@\s]+\.[A-Za-z]{2,}$")] | None = None
    url: Url | None = None
    address: PostalAddress | None = None


class RecoverableMass(Record):
    """Recoverable mass of one element: its mass in the battery times a recovery rate."""

    element: Element
    rate_percent: Percent
    mass_kg: NonNegativeQuantity


class RecyclingPotentialRecord(Record):
    """Recycling potential derived from the composition (see ``specs/recycling-potential.md``).

    ``rates_basis`` is the date whose Annex XII Part C material-recovery targets gave the
    rates, or ``"declared"`` for a recycler's declared rates. ``dismantling_readiness_percent``
    is batterypass's own indicator (share of the Annex XIII point 2(b)-(d) items present),
    not a quantity defined by the Regulation.
    """

    rates_basis: Literal["declared"] | date
    recoverable: tuple[RecoverableMass, ...]
    dismantling_readiness_percent: Percent


class TemperatureRange(Record):
    """A temperature range that values were declared for (Annex XIII points 1(h) and 1(i):
    "with temperature ranges when relevant")."""

    min_c: Quantity
    max_c: Quantity

    @model_validator(mode="after")
    def _ordered(self) -> Self:
        if self.min_c > self.max_c:
            raise cross_field_error(
                "max_c",
                f"the temperature range is inverted ({self.min_c} °C > {self.max_c} °C)",
                "Annex XIII(1)(h), (i)",
            )
        return self


class PowerCapability(Record):
    """Power capability measured at a state of charge (Annex IV Part B: 80 % and 20 % SoC)."""

    state_of_charge_percent: Percent
    power_w: PositiveQuantity


def _measured(values: tuple[PowerCapability, ...]) -> tuple[PowerCapability, ...]:
    # An after-validator rather than min_length: pydantic would also count the items that
    # failed validation as missing, and report a spurious "at least 1 item" beside them.
    if not values:
        raise ValueError("give at least one measured value, or leave the data point out")
    return values


PowerCapabilities = Annotated[
    tuple[PowerCapability, ...],
    AfterValidator(_measured),
    Field(json_schema_extra={"minItems": 1}),
]
"""Measured power capabilities: at least one (an empty list would declare a value it lacks)."""


class NegativeEvent(Record):
    """An accident or other negative event (Annex XIII point 4(d))."""

    occurred_on: date
    kind: Annotated[str, Field(min_length=1, max_length=64)]
    description: Text | None = None


# ---------------------------------------------------------------- sections


class GeneralInformation(Section):
    """General battery and manufacturer information (Annex VI Part A; Annex XIII point 1(a))."""

    manufacturer: Operator | None = data_point(
        G1,
        "Annex XIII(1)(a); Annex VI Part A(1)",
        "Manufacturer identity and address",
        longlist=(4,),
    )
    operator: Operator | None = data_point(
        G1,
        "Art. 77(1); Art. 3(1)(22)",
        "Economic operator responsible for the passport",
        mandatory_for=NONE,
        longlist=(3,),
    )
    battery_model: Text | None = data_point(
        G1,
        "Annex VI Part A(2)",
        "Battery model identification",
    )
    category: BatteryCategory | None = data_point(
        G1,
        "Annex XIII(1)(a); Annex VI Part A(2); Art. 2",
        "Battery category",
        longlist=(9,),
    )
    stationary_energy_storage: bool | None = data_point(
        G1,
        "Art. 3(1)(20)",
        "Whether the battery is a stationary battery energy storage system",
        mandatory_for=NONE,
        longlist=(9,),
    )
    manufacturing_place: Facility | None = data_point(
        G1,
        "Annex XIII(1)(a); Annex VI Part A(3)",
        "Manufacturing place",
        longlist=(5,),
    )
    manufacturing_date: date | None = data_point(
        G1,
        "Annex XIII(1)(a); Annex VI Part A(4)",
        "Manufacturing date",
        longlist=(6,),
    )
    mass_kg: PositiveQuantity | None = data_point(
        G1,
        "Annex XIII(1)(a); Annex VI Part A(5)",
        "Battery mass",
        unit="kg",
        longlist=(10,),
    )
    warranty_period_months: Annotated[int, Field(ge=0, le=1200)] | None = data_point(
        G1,
        "Annex XIII(1)(m)",
        "Commercial warranty period for the calendar life",
        unit="month",
        longlist=(8,),
    )
    put_into_service_date: date | None = data_point(
        G4,
        "Annex VII Part B(1); Annex XIII(4)",
        "Date of putting the battery into service",
        mandatory_for=LMT_STATIONARY,
        longlist=(7,),
    )


class CarbonFootprint(Section):
    """Carbon footprint declaration (Art. 7; Annex II; Annex XIII point 1(c))."""

    total_kg_co2e_per_kwh: NonNegativeQuantity | None = data_point(
        G1,
        "Annex XIII(1)(c); Art. 7(1); Annex II",
        "Carbon footprint per functional unit",
        unit="kg CO2e/kWh",
        longlist=(19,),
    )
    raw_material_acquisition_kg_co2e_per_kwh: Quantity | None = data_point(
        G1,
        "Annex XIII(1)(c); Art. 7(1)(e); Annex II point 4",
        "Raw material acquisition and pre-processing stage",
        unit="kg CO2e/kWh",
        longlist=(20,),
    )
    main_production_kg_co2e_per_kwh: Quantity | None = data_point(
        G1,
        "Annex XIII(1)(c); Art. 7(1)(e); Annex II point 4",
        "Main product production stage",
        unit="kg CO2e/kWh",
        longlist=(21,),
    )
    distribution_kg_co2e_per_kwh: Quantity | None = data_point(
        G1,
        "Annex XIII(1)(c); Art. 7(1)(e); Annex II point 4",
        "Distribution stage",
        unit="kg CO2e/kWh",
        longlist=(22,),
    )
    end_of_life_kg_co2e_per_kwh: Quantity | None = data_point(
        G1,
        "Annex XIII(1)(c); Art. 7(1)(e); Annex II point 4",
        "End of life and recycling stage",
        unit="kg CO2e/kWh",
        longlist=(23,),
    )
    rounding_kg_co2e_per_kwh: PositiveQuantity | None = data_point(
        G1,
        "Annex II",
        "Rounding step of the declared values (e.g. 0.1); stages must add up "
        "to the total within it",
        unit="kg CO2e/kWh",
        mandatory_for=NONE,
    )
    performance_class: Annotated[str, Field(min_length=1, max_length=16)] | None = data_point(
        G1,
        "Annex XIII(1)(c); Art. 7(2)",
        "Carbon footprint performance class",
        longlist=(24,),
    )
    class_scheme: Text | None = data_point(
        G1,
        "Art. 7(2)",
        "Identifier of the class scheme the class was assigned under",
        mandatory_for=NONE,
    )
    study_url: Url | None = data_point(
        G1,
        "Annex XIII(1)(c); Art. 7(1)(g)",
        "Web link to the public carbon footprint study",
        longlist=(25,),
    )
    absolute_kg_co2e: NonNegativeQuantity | None = data_point(
        G1,
        VOLUNTARY,
        "Absolute carbon footprint of the battery",
        unit="kg CO2e",
        mandatory_for=NONE,
        longlist=(27,),
    )
    method: Text | None = data_point(
        G1,
        "Art. 7(1); Annex II (voluntary: names the calculation rules applied)",
        "Calculation method the declaration follows (Annex II and the delegated act under "
        "Art. 7(1))",
        mandatory_for=NONE,
    )
    boundary: Text | None = data_point(
        G1,
        "Annex II (voluntary: states the system boundary of the declaration)",
        "System boundary of the declaration (the life-cycle stages of Annex II)",
        mandatory_for=NONE,
    )
    verifier: Text | None = data_point(
        G1,
        "Art. 17; Annex VIII (voluntary: names who verified the declaration)",
        "Notified body that verified the declaration in the conformity assessment",
        mandatory_for=NONE,
    )

    def stage_values(self) -> dict[CarbonStage, Decimal | None]:
        """The declared value of each lifecycle stage."""
        return {
            CarbonStage.RAW_MATERIAL_ACQUISITION: self.raw_material_acquisition_kg_co2e_per_kwh,
            CarbonStage.MAIN_PRODUCTION: self.main_production_kg_co2e_per_kwh,
            CarbonStage.DISTRIBUTION: self.distribution_kg_co2e_per_kwh,
            CarbonStage.END_OF_LIFE: self.end_of_life_kg_co2e_per_kwh,
        }

    @model_validator(mode="after")
    def _stages_add_up(self) -> Self:
        declared = self.total_kg_co2e_per_kwh
        raw = self.raw_material_acquisition_kg_co2e_per_kwh
        main = self.main_production_kg_co2e_per_kwh
        distribution = self.distribution_kg_co2e_per_kwh
        end = self.end_of_life_kg_co2e_per_kwh
        if declared is None or raw is None or main is None or distribution is None or end is None:
            return self
        # The stages in the order of stage_values(), added to 0 one by one (each addition
        # rounds in the current decimal context, so the order is kept).
        total = _ZERO + raw + main + distribution + end
        step = self.rounding_kg_co2e_per_kwh
        if step is None:
            # No rounding declared: the exponent of the finest value is the rounding step.
            finest = min(
                int(v.as_tuple().exponent) for v in (raw, main, distribution, end, declared)
            )
            step = _ONE.scaleb(finest)
        # Each of the five declared values may be off by half a step.
        tolerance = step * _FIVE / _TWO
        if abs(total - declared) > tolerance:
            raise cross_field_error(
                "total_kg_co2e_per_kwh",
                f"the lifecycle stages add up to {total}, not to the total "
                f"{declared} (tolerance {tolerance})",
                "Art. 7(1)(e); Annex II point 4; Annex XIII(1)(c)",
            )
        return self


class DueDiligence(Section):
    """Supply-chain due diligence (Art. 48-52; Annex XIII point 1(d))."""

    report_url: Url | None = data_point(
        G1,
        "Annex XIII(1)(d); Art. 52(3)",
        "Report on battery due diligence policies",
        longlist=(28,),
    )
    third_party_assurances: tuple[Url, ...] | None = data_point(
        G1,
        "Art. 49(d)",
        "Third-party assurances of recognised due-diligence schemes",
        mandatory_for=NONE,
        longlist=(29,),
    )
    supply_chain_indices: tuple[Text, ...] | None = data_point(
        G1,
        VOLUNTARY,
        "Supply chain indices",
        mandatory_for=NONE,
        longlist=(30,),
    )


class MaterialComposition(Section):
    """Battery materials and composition (Annex XIII points 1(b) and 2(a))."""

    chemistry: ChemistryInfo | None = data_point(
        G1,
        "Annex XIII(1)(b); Annex VI Part A(7)",
        "Battery chemistry",
        longlist=(31,),
    )
    critical_raw_materials: tuple[CriticalRawMaterial, ...] | None = data_point(
        G1,
        "Annex XIII(1)(b); Annex VI Part A(10)",
        "Critical raw materials present above 0.1 % w/w",
        longlist=(32,),
    )
    hazardous_substances: tuple[HazardousSubstance, ...] | None = data_point(
        G1,
        "Annex XIII(1)(b); Annex VI Part A(8)",
        "Hazardous substances present, other than mercury, cadmium or lead",
        longlist=(34,),
    )
    substance_impact_url: Url | None = data_point(
        G1,
        "Annex XIII(1)(s); Art. 74(1)(f)",
        "Impact of the substances on the environment and on human health",
        longlist=(35,),
    )
    materials: tuple[MaterialEntry, ...] | None = data_point(
        G2,
        "Annex XIII(2)(a)",
        "Materials used in cathode, anode and electrolyte",
        longlist=(33,),
    )
    element_masses: tuple[ElementMass, ...] | None = data_point(
        G2,
        "Annex XIII(2)(a); Annex XII Part C",
        "Mass of each recoverable element in the battery",
        unit="kg",
        mandatory_for=NONE,
    )

    @model_validator(mode="after")
    def _unique_elements(self) -> Self:
        if self.element_masses:
            seen = [e.element for e in self.element_masses]
            # The set is the cheap test; the (quadratic) search only runs when there are dupes.
            dupes = sorted({e.value for e in seen if seen.count(e) > 1}) if _repeats(seen) else []
            if dupes:
                raise cross_field_error(
                    "element_masses", f"element listed more than once: {', '.join(dupes)}"
                )
        return self


class Circularity(Section):
    """Circularity and resource efficiency (Annex XIII points 1(e), 1(f), 2(b)-(d); Art. 74)."""

    recycled_content: tuple[RecycledContent, ...] | None = data_point(
        G1,
        "Annex XIII(1)(e); Art. 8(1)",
        "Pre-consumer and post-consumer recycled share of cobalt, lead, lithium and nickel",
        unit="%",
        longlist=(40, 41, 42, 43, 44, 45, 46, 47),
    )
    renewable_content_percent: Percent | None = data_point(
        G1,
        "Annex XIII(1)(f)",
        "Renewable content share",
        unit="%",
        longlist=(48,),
    )
    waste_prevention_info_url: Url | None = data_point(
        G1,
        "Art. 74(1)(a)",
        "Role of end-users in contributing to waste prevention",
        longlist=(49,),
    )
    separate_collection_info_url: Url | None = data_point(
        G1,
        "Art. 74(1)(b)",
        "Role of end-users in contributing to the separate collection of waste batteries",
        longlist=(50,),
    )
    end_of_life_info_url: Url | None = data_point(
        G1,
        "Art. 74(1)(c)",
        "Collection, preparation for second life and treatment at end of life",
        longlist=(51,),
    )
    waste_management_info_url: Url | None = data_point(
        G1,
        "Annex XIII(1)(s); Art. 74(1)(d)",
        "Information on the prevention and management of waste batteries under Art. 74(1)(d)",
    )
    dismantling_information: tuple[DocumentRef, ...] | None = data_point(
        G2,
        "Annex XIII(2)(c)",
        "Manuals for removal and disassembly of the battery pack",
        longlist=(36,),
    )
    part_numbers: tuple[PartNumber, ...] | None = data_point(
        G2,
        "Annex XIII(2)(b)",
        "Part numbers for components",
        longlist=(37,),
    )
    spare_part_sources: tuple[SparePartSource, ...] | None = data_point(
        G2,
        "Annex XIII(2)(b)",
        "Contact details of sources for replacement spare parts",
        longlist=(38,),
    )
    safety_measures: tuple[DocumentRef, ...] | None = data_point(
        G2,
        "Annex XIII(2)(d); Art. 74(2)",
        "Safety measures",
        longlist=(39,),
    )
    recycling_potential: RecyclingPotentialRecord | None = data_point(
        G2,
        "Annex XII Part C; Annex XIII(2)(a)",
        "Recoverable mass per element derived from the composition, the rates used and a "
        "dismantling-readiness indicator (batterypass-derived, not a Regulation data point)",
        mandatory_for=NONE,
    )

    @model_validator(mode="after")
    def _one_entry_per_material(self) -> Self:
        if self.recycled_content:
            seen = [r.material for r in self.recycled_content]
            dupes = sorted({m.value for m in seen if seen.count(m) > 1}) if _repeats(seen) else []
            if dupes:
                raise cross_field_error(
                    "recycled_content",
                    f"recycled content listed more than once for: {', '.join(dupes)}",
                    "Art. 8(1)",
                )
        return self


class Performance(Section):
    """Performance and durability values of the battery model (Annex XIII points 1(g)-(p)) and
    the individual battery's Annex IV Part A values at placing on the market (point 4(a))."""

    rated_capacity_ah: PositiveQuantity | None = data_point(
        G1,
        "Annex XIII(1)(g); Annex IV Part A(1)",
        "Rated capacity",
        unit="Ah",
        longlist=(52,),
    )
    certified_usable_energy_kwh: PositiveQuantity | None = data_point(
        G1,
        VOLUNTARY,
        "Certified usable battery energy",
        unit="kWh",
        mandatory_for=NONE,
        longlist=(55,),
    )
    minimum_voltage_v: PositiveQuantity | None = data_point(
        G1,
        "Annex XIII(1)(h)",
        "Minimum voltage",
        unit="V",
        longlist=(59,),
    )
    nominal_voltage_v: PositiveQuantity | None = data_point(
        G1,
        "Annex XIII(1)(h)",
        "Nominal voltage",
        unit="V",
        longlist=(61,),
    )
    maximum_voltage_v: PositiveQuantity | None = data_point(
        G1,
        "Annex XIII(1)(h)",
        "Maximum voltage",
        unit="V",
        longlist=(60,),
    )
    voltage_temperature_range: TemperatureRange | None = data_point(
        G1,
        "Annex XIII(1)(h)",
        "Temperature range the minimal, nominal and maximum voltages apply to, when relevant",
        unit="°C",
        mandatory_for=NONE,
    )
    original_power_capability: PowerCapabilities | None = data_point(
        G1,
        "Annex XIII(1)(i); Annex IV Part B(4)",
        "Original power capability (at 80 % and 20 % state of charge)",
        unit="W",
        longlist=(62,),
    )
    maximum_permitted_power_w: PositiveQuantity | None = data_point(
        G1,
        "Annex XIII(1)(i)",
        "Maximum permitted battery power (power limits)",
        unit="W",
        longlist=(65,),
    )
    power_temperature_range: TemperatureRange | None = data_point(
        G1,
        "Annex XIII(1)(i)",
        "Temperature range the power capability and power limits apply to, when relevant",
        unit="°C",
        mandatory_for=NONE,
    )
    power_to_energy_ratio_w_per_wh: PositiveQuantity | None = data_point(
        G1,
        "Annex IV Part B(2)",
        "Ratio between nominal battery power and battery energy",
        unit="W/Wh",
        mandatory_for=NONE,
        longlist=(66,),
    )
    expected_lifetime_cycles: Annotated[int, Field(gt=0, le=10_000_000)] | None = data_point(
        G1,
        "Annex XIII(1)(j)",
        "Expected lifetime in charge-discharge cycles",
        longlist=(77,),
    )
    cycle_life_reference_test: Text | None = data_point(
        G1,
        "Annex XIII(1)(j)",
        "Reference test used for the cycle life",
        longlist=(79,),
    )
    cycle_life_c_rate: PositiveQuantity | None = data_point(
        G1,
        "Annex XIII(1)(p)",
        "C-rate of the relevant cycle-life test",
        unit="A/Ah",
        longlist=(80,),
    )
    capacity_threshold_for_exhaustion_percent: Percent | None = data_point(
        G1,
        "Annex XIII(1)(k)",
        "Capacity threshold for exhaustion (EV batteries only)",
        unit="%",
        mandatory_for=EV_ONLY,
        longlist=(83,),
    )
    idle_temperature_min_c: Quantity | None = data_point(
        G1,
        "Annex XIII(1)(l)",
        "Lower bound of the temperature range when not in use",
        unit="°C",
        longlist=(85,),
    )
    idle_temperature_max_c: Quantity | None = data_point(
        G1,
        "Annex XIII(1)(l)",
        "Upper bound of the temperature range when not in use",
        unit="°C",
        longlist=(86,),
    )
    idle_temperature_reference_test: Text | None = data_point(
        G1,
        "Annex XIII(1)(l)",
        "Reference test of the temperature range the battery can withstand when not in use",
    )
    initial_round_trip_efficiency_percent: Percent | None = data_point(
        G1,
        "Annex XIII(1)(n); Annex IV Part A(4)",
        "Initial round-trip energy efficiency",
        unit="%",
        longlist=(67,),
    )
    round_trip_efficiency_at_50pct_cycle_life_percent: Percent | None = data_point(
        G1,
        "Annex XIII(1)(n)",
        "Round-trip energy efficiency at 50 % of cycle life",
        unit="%",
        longlist=(68,),
    )
    internal_resistance_cell_ohm: PositiveQuantity | None = data_point(
        G1,
        "Annex XIII(1)(o); Annex IV Part A(3)",
        "Initial internal resistance of the cell",
        unit="Ω",
        longlist=(74,),
    )
    internal_resistance_pack_ohm: PositiveQuantity | None = data_point(
        G1,
        "Annex XIII(1)(o); Annex IV Part A(3)",
        "Initial internal resistance of the pack",
        unit="Ω",
        longlist=(74,),
    )
    expected_lifetime_years: PositiveQuantity | None = data_point(
        G4,
        "Annex XIII(4)(a); Annex IV Part A(5)",
        "Expected lifetime in calendar years",
        unit="a",
        longlist=(76,),
    )
    capacity_fade_percent: Percent | None = data_point(
        G4,
        "Annex XIII(4)(a); Annex IV Part A(2)",
        "Capacity fade",
        unit="%",
        longlist=(54,),
    )
    power_fade_percent: Percent | None = data_point(
        G4,
        "Annex XIII(4)(a); Annex IV Part A(4)",
        "Power fade",
        unit="%",
        longlist=(64,),
    )
    round_trip_efficiency_fade_percent: Percent | None = data_point(
        G4,
        "Annex XIII(4)(a); Annex IV Part A(4)",
        "Energy round-trip efficiency fade",
        unit="%",
        longlist=(70,),
    )
    internal_resistance_increase_percent: NonNegativeQuantity | None = data_point(
        G4,
        "Annex XIII(4)(a); Annex IV Part A(3)",
        "Internal resistance increase of the pack",
        unit="%",
        longlist=(75,),
    )
    initial_self_discharge_percent_per_month: Percent | None = data_point(
        G4,
        VOLUNTARY,
        "Initial self-discharge rate",
        unit="%/month",
        mandatory_for=NONE,
        longlist=(71,),
    )

    @model_validator(mode="after")
    def _voltage_order(self) -> Self:
        lo, nom, hi = self.minimum_voltage_v, self.nominal_voltage_v, self.maximum_voltage_v
        if lo is not None and nom is not None and lo > nom:
            raise cross_field_error(
                "minimum_voltage_v",
                f"minimum voltage {lo} V is above the nominal voltage {nom} V",
                "Annex XIII(1)(h)",
            )
        if nom is not None and hi is not None and nom > hi:
            raise cross_field_error(
                "maximum_voltage_v",
                f"maximum voltage {hi} V is below the nominal voltage {nom} V",
                "Annex XIII(1)(h)",
            )
        if lo is not None and hi is not None and lo > hi:
            raise cross_field_error(
                "maximum_voltage_v",
                f"maximum voltage {hi} V is below the minimum voltage {lo} V",
                "Annex XIII(1)(h)",
            )
        tmin, tmax = self.idle_temperature_min_c, self.idle_temperature_max_c
        if tmin is not None and tmax is not None and tmin > tmax:
            raise cross_field_error(
                "idle_temperature_max_c",
                f"idle temperature range is inverted ({tmin} °C > {tmax} °C)",
                "Annex XIII(1)(l)",
            )
        return self


class StateOfHealth(Section):
    """State of health of the individual battery (Art. 14; Annex VII Part A)."""

    measured_at: AwareDatetime | None = data_point(
        G4,
        "Annex XIII(4)(b); Art. 14",
        "When the state of health was last determined",
        unit=None,
        longlist=(),
    )
    remaining_capacity_ah: NonNegativeQuantity | None = data_point(
        G4,
        "Annex VII Part A(1)",
        "Remaining capacity",
        unit="Ah",
        mandatory_for=LMT_STATIONARY,
        longlist=(53,),
    )
    remaining_energy_kwh: NonNegativeQuantity | None = data_point(
        G4,
        VOLUNTARY,
        "Remaining usable battery energy",
        unit="kWh",
        mandatory_for=NONE,
        longlist=(56,),
    )
    state_of_certified_energy_percent: Percent | None = data_point(
        G4,
        "Annex VII Part A (EV)",
        "State of certified energy (SOCE)",
        unit="%",
        mandatory_for=EV_ONLY,
        longlist=(57,),
    )
    remaining_power_capability: PowerCapabilities | None = data_point(
        G4,
        "Annex VII Part A(2); Annex IV Part B(4)",
        "Remaining power capability (each value at the state of charge it was measured at)",
        unit="W",
        mandatory_for=LMT_STATIONARY,
        longlist=(63,),
    )
    remaining_round_trip_efficiency_percent: Percent | None = data_point(
        G4,
        "Annex VII Part A(3)",
        "Remaining round-trip energy efficiency",
        unit="%",
        mandatory_for=LMT_STATIONARY,
        longlist=(69,),
    )
    current_self_discharge_percent_per_month: Percent | None = data_point(
        G4,
        VOLUNTARY,
        "Current self-discharge rate",
        unit="%/month",
        mandatory_for=NONE,
        longlist=(72,),
    )
    self_discharge_evolution_percent: Quantity | None = data_point(
        G4,
        "Annex VII Part A(4)",
        "Evolution of self-discharge rates",
        unit="%",
        mandatory_for=(Scope.STATIONARY,),
        longlist=(73,),
    )
    ohmic_resistance_ohm: PositiveQuantity | None = data_point(
        G4,
        "Annex VII Part A(5)",
        "Ohmic resistance",
        unit="Ω",
        mandatory_for=NONE,
    )


class Usage(Section):
    """Usage data of the individual battery (Annex VII Part B; Annex XIII point 4(d))."""

    recorded_at: AwareDatetime | None = data_point(
        G4,
        "Annex XIII(4)(d)",
        "When the usage data were last updated",
        mandatory_for=NONE,
    )
    state_of_charge_percent: Percent | None = data_point(
        G4,
        "Annex XIII(4)(d)",
        "State of charge",
        unit="%",
        longlist=(58,),
    )
    full_cycles: Annotated[int, Field(ge=0)] | None = data_point(
        G4,
        "Annex XIII(4)(d); Annex VII Part B(5)",
        "Number of full charging and discharging cycles",
        longlist=(78,),
    )
    energy_throughput_kwh: NonNegativeQuantity | None = data_point(
        G4,
        "Annex VII Part B(2)",
        "Energy throughput",
        unit="kWh",
        mandatory_for=LMT_STATIONARY,
        longlist=(81,),
    )
    capacity_throughput_ah: NonNegativeQuantity | None = data_point(
        G4,
        "Annex VII Part B(3)",
        "Capacity throughput",
        unit="Ah",
        mandatory_for=LMT_STATIONARY,
        longlist=(82,),
    )
    deep_discharge_events: Annotated[int, Field(ge=0)] | None = data_point(
        G4,
        "Annex XIII(4)(d); Annex VII Part B(4)",
        "Number of deep-discharge events",
        mandatory_for=LMT_STATIONARY,
        longlist=(91,),
    )
    overcharge_events: Annotated[int, Field(ge=0)] | None = data_point(
        G4,
        VOLUNTARY,
        "Number of overcharge events",
        mandatory_for=NONE,
        longlist=(92,),
    )
    temperature_c: Quantity | None = data_point(
        G4,
        "Annex XIII(4)(d)",
        "Battery temperature",
        unit="°C",
        longlist=(84,),
    )
    minutes_above_temperature_boundary: Annotated[int, Field(ge=0)] | None = data_point(
        G4,
        "Annex VII Part B(4); Art. 14(1)",
        "Time spent in extreme temperatures above the boundary",
        unit="min",
        mandatory_for=LMT_STATIONARY,
        longlist=(87,),
    )
    minutes_below_temperature_boundary: Annotated[int, Field(ge=0)] | None = data_point(
        G4,
        "Annex VII Part B(4); Art. 14(1)",
        "Time spent in extreme temperatures below the boundary",
        unit="min",
        mandatory_for=LMT_STATIONARY,
        longlist=(88,),
    )
    minutes_charging_above_boundary: Annotated[int, Field(ge=0)] | None = data_point(
        G4,
        "Annex VII Part B(4); Art. 14(1)",
        "Time spent charging in extreme temperatures above the boundary",
        unit="min",
        mandatory_for=LMT_STATIONARY,
        longlist=(89,),
    )
    minutes_charging_below_boundary: Annotated[int, Field(ge=0)] | None = data_point(
        G4,
        "Annex VII Part B(4); Art. 14(1)",
        "Time spent charging in extreme temperatures below the boundary",
        unit="min",
        mandatory_for=LMT_STATIONARY,
        longlist=(90,),
    )
    negative_events: tuple[NegativeEvent, ...] | None = data_point(
        G4,
        "Annex XIII(4)(d)",
        "Negative events such as accidents",
        longlist=(93,),
    )


class BatteryState(Section):
    """The dynamic data of the individual battery (Annex XIII point 4)."""

    state_of_health: StateOfHealth = Field(default_factory=StateOfHealth)
    usage: Usage = Field(default_factory=Usage)


class LabelsAndConformity(Section):
    """Symbols, labels and documentation of conformity (Annex XIII points 1(q), 1(r) and 3)."""

    separate_collection_symbol: DocumentRef | None = data_point(
        G1,
        "Annex XIII(1)(q); Art. 13(4); Annex VI Part B",
        "Separate collection symbol",
        longlist=(12,),
    )
    cadmium_lead_symbols: tuple[DocumentRef, ...] | None = data_point(
        G1,
        "Annex XIII(1)(q); Art. 13(5)",
        "Chemical symbols for cadmium and lead, where applicable (an empty list declares none)",
        longlist=(13,),
    )
    carbon_footprint_label: DocumentRef | None = data_point(
        G1,
        "Art. 7(2); Annex XIII(1)(c)",
        "Carbon footprint label",
        mandatory_for=NONE,
        longlist=(14,),
    )
    extinguishing_agents: tuple[Text, ...] | None = data_point(
        G1,
        "Annex XIII(1)(a); Annex VI Part A(9)",
        "Usable extinguishing agents",
        longlist=(15,),
    )
    meaning_of_labels_url: Url | None = data_point(
        G1,
        "Annex XIII(1)(s); Art. 74(1)(e)",
        "Meaning of the labels and symbols",
        longlist=(16,),
    )
    declaration_of_conformity: DocumentRef | None = data_point(
        G1,
        "Annex XIII(1)(r); Art. 18; Annex IX",
        "EU declaration of conformity",
        longlist=(17,),
    )
    declaration_of_conformity_id: Annotated[str, Field(min_length=1, max_length=256)] | None = (
        data_point(
            G1,
            "Annex XIII(1)(r); Art. 7(1)(f); Annex IX",
            "Identification number of the EU declaration of conformity",
        )
    )
    test_reports: tuple[DocumentRef, ...] | None = data_point(
        G3,
        "Annex XIII(3); Annex VIII Part A 2(h)",
        "Results of test reports proving compliance",
        longlist=(18,),
    )
