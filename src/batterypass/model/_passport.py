"""The battery passport: metadata, sections, cross-section rules and audience views."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Any, Literal, Self, TypeVar

from pydantic import AwareDatetime, BaseModel, BeforeValidator, Field, model_validator

from batterypass.model._access import (
    VISIBILITY,
    AccessGroup,
    Audience,
    DataPointInfo,
    Scope,
    data_point,
    info_of,
)
from batterypass.model._china import CN_CARBON_FOOTPRINT_NOTICE as _CN_CF_NOTICE
from batterypass.model._china import GBT34014, GBT45565, ChinaData
from batterypass.model._enums import BatteryCategory, BatteryStatus, normalise_status
from batterypass.model._sections import (
    BatteryState,
    CarbonFootprint,
    Circularity,
    DueDiligence,
    GeneralInformation,
    LabelsAndConformity,
    MaterialComposition,
    Performance,
    Section,
    cross_field_error,
)
from batterypass.model._types import BatteryIdentifier, Identifier

__all__ = ["SCHEMA_VERSION", "BatteryPassport", "DataPointRef", "iter_data_points"]

SCHEMA_VERSION = "1.0"
"""Version of the batterypass passport model. Documents of another version are rejected."""

G1 = AccessGroup.PUBLIC
G4 = AccessGroup.INDIVIDUAL
_NO_SCOPE: tuple[Scope, ...] = ()

Sha256Hex = Annotated[str, Field(pattern=r"^[0-9a-f]{64}$")]
"""A SHA-256 digest as 64 lowercase hexadecimal digits."""


class BatteryPassport(Section):
    """A battery passport (Art. 77; Annex XIII).

    Passport metadata sits at the top level; the data points are organised in sections like the
    Battery Pass consortium's data model. Every data point may be ``None`` (not provided yet):
    :func:`batterypass.model.completeness` says which mandatory ones are still missing.
    """

    schema_version: Literal["1.0"] = Field(
        default="1.0", description="Version of the batterypass passport model"
    )
    passport_id: Identifier = data_point(
        G1,
        "Art. 77(3); Art. 3(1)(66)",
        "Unique identifier of this passport",
        longlist=(1,),
        default=...,
    )
    battery_id: BatteryIdentifier = data_point(
        G1,
        "Art. 77(3); Annex VI Part A(2); Art. 38(6)",
        "Unique identifier of the individual battery",
        longlist=(2,),
        default=...,
    )
    issuer: Identifier = data_point(
        G1,
        "Art. 77(4)",
        "Identifier of the economic operator responsible for the passport",
        default=...,
    )
    issued_at: AwareDatetime = data_point(
        G1,
        "Art. 77(1)",
        "When this version of the passport was issued",
        default=...,
    )
    status: Annotated[BatteryStatus, BeforeValidator(normalise_status)] | None = data_point(
        G4,
        "Annex XIII(4)(c)",
        "Battery status",
        longlist=(11,),
    )
    predecessor_passport_id: Identifier | None = data_point(
        G1,
        "Art. 77(7)",
        "Passport of the original battery, after repurposing or remanufacturing",
        mandatory_for=_NO_SCOPE,
    )
    predecessor_last_event_sha256: Sha256Hex | None = data_point(
        G1,
        "Art. 77(7)",
        "SHA-256 (lowercase hex) of the signed payload of the original passport's last "
        "lifecycle event, linking this passport to the original's history",
        mandatory_for=_NO_SCOPE,
    )
    general: GeneralInformation = Field(default_factory=GeneralInformation)
    carbon_footprint: CarbonFootprint = Field(default_factory=CarbonFootprint)
    due_diligence: DueDiligence = Field(default_factory=DueDiligence)
    materials: MaterialComposition = Field(default_factory=MaterialComposition)
    circularity: Circularity = Field(default_factory=Circularity)
    performance: Performance = Field(default_factory=Performance)
    state: BatteryState = Field(default_factory=BatteryState)
    labels: LabelsAndConformity = Field(default_factory=LabelsAndConformity)
    china: ChinaData = Field(default_factory=ChinaData)

    # ------------------------------------------------------------ rules across sections

    @model_validator(mode="after")
    def _cross_section_rules(self) -> Self:
        if self.passport_id == self.battery_id:
            raise cross_field_error(
                "battery_id",
                "the passport identifier must differ from the battery identifier",
                "Art. 77(3)",
            )
        if self.predecessor_passport_id == self.passport_id:
            raise cross_field_error(
                "predecessor_passport_id", "a passport cannot be its own predecessor", "Art. 77(7)"
            )
        if (self.predecessor_last_event_sha256 is None) != (self.predecessor_passport_id is None):
            raise cross_field_error(
                "predecessor_last_event_sha256",
                "the hash of the original passport's last event is given exactly when the "
                "predecessor passport is",
                "Art. 77(7)",
            )
        category = self.general.category
        if (
            self.performance.capacity_threshold_for_exhaustion_percent is not None
            and category is not None
            and category is not BatteryCategory.EV
        ):
            raise cross_field_error(
                "performance.capacity_threshold_for_exhaustion_percent",
                f"the capacity threshold for exhaustion applies only to EV batteries, "
                f"not to category {category.value!r}",
                "Annex XIII(1)(k)",
            )
        if self.general.stationary_energy_storage and category not in (
            None,
            BatteryCategory.INDUSTRIAL,
        ):
            raise cross_field_error(
                "general.stationary_energy_storage",
                "a stationary battery energy storage system is an industrial battery",
                "Art. 3(1)(20)",
            )
        self._china_rules(category)
        self._masses_within_battery_mass()
        issued = self.issued_at.date()
        for path, value in self._dated_values():
            day = value.date() if isinstance(value, datetime) else value
            if day > issued:
                raise cross_field_error(
                    path, f"date {value.isoformat()} lies after the passport's issue date {issued}"
                )
        made, in_service = self.general.manufacturing_date, self.general.put_into_service_date
        if made is not None and in_service is not None and in_service < made:
            raise cross_field_error(
                "general.put_into_service_date",
                f"put into service ({in_service}) before it was manufactured ({made})",
                "Annex VII Part B(1)",
            )
        return self

    def _china_rules(self, category: BatteryCategory | None) -> None:
        china = self.china
        if china.gbt34014_original_code is not None and self.status is BatteryStatus.ORIGINAL:
            raise cross_field_error(
                "china.gbt34014_original_code",
                "an original code is kept for a battery re-coded for second use, but the "
                "status is 'original'",
                f"{GBT34014} clause 4.2",
            )
        if china.gbt45565_code is not None and category is BatteryCategory.EV:
            raise cross_field_error(
                "china.gbt45565_code",
                "GB/T 45565 does not code automotive traction batteries (its scope, clause 1); "
                "an EV battery has a GB/T 34014 code",
                f"{GBT45565} clause 1",
            )
        if china.carbon_footprint is not None and category not in (None, BatteryCategory.EV):
            raise cross_field_error(
                "china.carbon_footprint",
                f"China's carbon-footprint declaration covers automotive traction batteries, "
                f"not category {category.value!r}",
                _CN_CF_NOTICE,
            )

    def _masses_within_battery_mass(self) -> None:
        """No element or material, and no list of them together, may weigh more than the
        battery (Annex VI Part A(5); Annex XIII(2)(a))."""
        battery = self.general.mass_kg
        if battery is None:
            return
        lists: list[tuple[str, list[Decimal | None]]] = [
            (
                "materials.element_masses",
                [e.mass_kg for e in self.materials.element_masses or ()],
            ),
            (
                "materials.materials",
                [m.mass_kg for m in self.materials.materials or ()],
            ),
        ]
        for path, masses in lists:
            for i, mass in enumerate(masses):
                if mass is not None and mass > battery:
                    raise cross_field_error(
                        f"{path}[{i}].mass_kg",
                        f"a mass of {mass} kg exceeds the battery's mass of {battery} kg "
                        "(general.mass_kg)",
                        "Annex VI Part A(5); Annex XIII(2)(a)",
                    )
            total = sum((m for m in masses if m is not None), Decimal(0))
            if total > battery:
                raise cross_field_error(
                    path,
                    f"the masses listed add up to {total} kg, more than the battery's mass of "
                    f"{battery} kg (general.mass_kg)",
                    "Annex VI Part A(5); Annex XIII(2)(a)",
                )

    def _dated_values(self) -> Iterator[tuple[str, date | datetime]]:
        g = self.general
        soh, usage = self.state.state_of_health, self.state.usage
        candidates: list[tuple[str, date | datetime | None]] = [
            ("general.manufacturing_date", g.manufacturing_date),
            ("general.put_into_service_date", g.put_into_service_date),
            ("state.state_of_health.measured_at", soh.measured_at),
            ("state.usage.recorded_at", usage.recorded_at),
        ]
        if self.china.carbon_footprint is not None:
            candidates.append(
                ("china.carbon_footprint.declared_on", self.china.carbon_footprint.declared_on)
            )
        for i, ev in enumerate(usage.negative_events or ()):
            candidates.append((f"state.usage.negative_events[{i}].occurred_on", ev.occurred_on))
        for path, value in candidates:
            if value is not None:
                yield path, value

    # ------------------------------------------------------------ derived facts

    @property
    def scope(self) -> Scope | None:
        """The longlist scope this passport falls in, or ``None`` if the category is unknown or
        not one that needs a passport (portable, SLI)."""
        category = self.general.category
        if category is BatteryCategory.EV:
            return Scope.EV
        if category is BatteryCategory.LMT:
            return Scope.LMT
        if category is BatteryCategory.INDUSTRIAL:
            return Scope.STATIONARY if self.general.stationary_energy_storage else Scope.INDUSTRIAL
        return None

    @property
    def energy_kwh(self) -> Decimal | None:
        """The battery's energy: the certified usable energy if declared, else rated capacity
        times nominal voltage; ``None`` when neither is known."""
        perf = self.performance
        if perf.certified_usable_energy_kwh is not None:
            return perf.certified_usable_energy_kwh
        if perf.rated_capacity_ah is not None and perf.nominal_voltage_v is not None:
            return perf.rated_capacity_ah * perf.nominal_voltage_v / Decimal(1000)
        return None

    # ------------------------------------------------------------ views

    def view(self, audience: Audience | str) -> BatteryPassport:
        """A copy holding only what ``audience`` may see (Art. 77(2)); withheld data points
        are ``None``."""
        allowed = VISIBILITY[Audience(audience)]
        return _filtered(self, allowed)


_M = TypeVar("_M", bound=BaseModel)


def _filtered(model: _M, allowed: frozenset[AccessGroup]) -> _M:
    update: dict[str, Any] = {}
    for name, field in type(model).model_fields.items():
        info = info_of(field)
        value = getattr(model, name)
        if info is None:
            if isinstance(value, Section):
                update[name] = _filtered(value, allowed)
        elif info.group not in allowed:
            update[name] = None
    # model_copy skips validation on purpose: the result may lack required data points (the
    # passport's identifiers are public, so in practice it never does) and is only filtered.
    return model.model_copy(update=update)


class DataPointRef(BaseModel):
    """A data point of the model: its dotted path and what the law says of it."""

    model_config = {"frozen": True, "arbitrary_types_allowed": True}

    path: tuple[str, ...]
    info: DataPointInfo


def iter_data_points(model: type[Section] = BatteryPassport) -> Iterator[DataPointRef]:
    """Every data point of a section class (by default, of the whole passport), depth first."""
    yield from _walk(model, ())


def _walk(model: type[BaseModel], prefix: tuple[str, ...]) -> Iterator[DataPointRef]:
    for name, field in model.model_fields.items():
        info = info_of(field)
        if info is not None:
            yield DataPointRef(path=(*prefix, name), info=info)
            continue
        annotation = field.annotation
        if isinstance(annotation, type) and issubclass(annotation, Section):
            yield from _walk(annotation, (*prefix, name))
