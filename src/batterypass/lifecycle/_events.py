"""Lifecycle events: the event types, their typed payloads and the event envelope.

Plain pydantic models, like the passport model: frozen, ``extra="forbid"``, exact ``Decimal``
quantities, no bytes. The wire format is in :mod:`batterypass.lifecycle._wire`; the list of
event types with their payload tables is ``specs/events.md`` (generated from these models).
"""

from __future__ import annotations

import enum
from typing import Annotated, Any, Self

from pydantic import AwareDatetime, Field, SerializeAsAny, model_validator

from batterypass.model import (
    CountryCode,
    ElementMass,
    Identifier,
    NonNegativeQuantity,
    Percent,
    PositiveQuantity,
    PowerCapabilities,
    Quantity,
    Record,
    Text,
)

__all__ = [
    "PAYLOAD_TYPES",
    "AccidentPayload",
    "CollectedAsWastePayload",
    "Event",
    "EventPayload",
    "EventType",
    "InspectedPayload",
    "ManufacturedPayload",
    "OwnershipTransferredPayload",
    "PerformanceValues",
    "PlacedOnMarketPayload",
    "PutIntoServicePayload",
    "RecycledPayload",
    "RemanufacturedPayload",
    "RepairedPayload",
    "RepurposedPayload",
    "ReusedPayload",
    "Sha256Hex",
    "StateOfHealthPayload",
    "UsagePayload",
    "payload_type",
]

Sha256Hex = Annotated[str, Field(pattern=r"^[0-9a-f]{64}$")]
"""A SHA-256 digest as 64 lowercase hexadecimal digits."""

Count = Annotated[int, Field(ge=0)]


class EventType(enum.StrEnum):
    """What happened to the battery; the value is the wire and CLI spelling."""

    MANUFACTURED = "manufactured"
    PLACED_ON_MARKET = "placed_on_market"
    PUT_INTO_SERVICE = "put_into_service"
    STATE_OF_HEALTH = "state_of_health"
    USAGE = "usage"
    INSPECTED = "inspected"
    REPAIRED = "repaired"
    ACCIDENT = "accident"
    REUSED = "re_used"
    REPURPOSED = "repurposed"
    REMANUFACTURED = "remanufactured"
    OWNERSHIP_TRANSFERRED = "ownership_transferred"
    COLLECTED_AS_WASTE = "collected_as_waste"
    RECYCLED = "recycled"


class EventPayload(Record):
    """Base of the typed payloads (one per :class:`EventType`)."""


class ManufacturedPayload(EventPayload):
    """The battery was made (Annex VI Part A: manufacturing place and date)."""

    facility_id: Identifier | None = Field(None, description="Manufacturing facility")
    country: CountryCode | None = Field(None, description="Country of manufacture")


class PlacedOnMarketPayload(EventPayload):
    """First made available on the Union market (Art. 3(1)(14); Art. 77(1))."""

    member_state: CountryCode = Field(description="Member State where it was placed")


class PutIntoServicePayload(EventPayload):
    """First use in the Union (Art. 3(1)(15))."""

    application: Text | None = Field(None, description="What the battery powers")
    member_state: CountryCode | None = Field(None, description="Member State of first use")


def _at_least_one(model: Record) -> None:
    if all(getattr(model, name) is None for name in type(model).model_fields):
        raise ValueError("give at least one value")


class StateOfHealthPayload(EventPayload):
    """A state-of-health reading (Art. 14; Annex VII Part A). The event time is the time it
    was measured."""

    remaining_capacity_ah: NonNegativeQuantity | None = Field(
        None, description="Remaining capacity, Ah (Annex VII Part A(1))"
    )
    remaining_energy_kwh: NonNegativeQuantity | None = Field(
        None, description="Remaining usable energy, kWh"
    )
    state_of_certified_energy_percent: Percent | None = Field(
        None, description="State of certified energy (EV), %"
    )
    remaining_power_capability: PowerCapabilities | None = Field(
        None,
        description=(
            "Remaining power capability, W, each at the state of charge it was measured at "
            "(Annex VII Part A(2); Annex IV Part B(4))"
        ),
    )
    remaining_round_trip_efficiency_percent: Percent | None = Field(
        None, description="Remaining round-trip efficiency, % (Annex VII Part A(3))"
    )
    current_self_discharge_percent_per_month: Percent | None = Field(
        None, description="Current self-discharge rate, %/month (Annex VII Part A(4))"
    )
    self_discharge_evolution_percent: Quantity | None = Field(
        None, description="Evolution of self-discharge, % (Annex VII Part A(4))"
    )
    ohmic_resistance_ohm: PositiveQuantity | None = Field(
        None, description="Ohmic resistance, Ω (Annex VII Part A(5))"
    )

    @model_validator(mode="after")
    def _not_empty(self) -> Self:
        _at_least_one(self)
        return self


COUNTERS = (
    "full_cycles",
    "energy_throughput_kwh",
    "capacity_throughput_ah",
    "deep_discharge_events",
    "overcharge_events",
    "minutes_above_temperature_boundary",
    "minutes_below_temperature_boundary",
    "minutes_charging_above_boundary",
    "minutes_charging_below_boundary",
)
"""Usage values that count from the start of life and so never decrease."""


class UsagePayload(EventPayload):
    """Usage data (Annex VII Part B; Annex XIII(4)(d)). Counters are totals since the start
    of life (never deltas) and must not decrease; the event time is when they were read."""

    full_cycles: Count | None = Field(None, description="Full charge/discharge cycles (total)")
    energy_throughput_kwh: NonNegativeQuantity | None = Field(
        None, description="Energy throughput, kWh (total)"
    )
    capacity_throughput_ah: NonNegativeQuantity | None = Field(
        None, description="Capacity throughput, Ah (total)"
    )
    deep_discharge_events: Count | None = Field(None, description="Deep-discharge events (total)")
    overcharge_events: Count | None = Field(None, description="Overcharge events (total)")
    minutes_above_temperature_boundary: Count | None = Field(
        None, description="Minutes above the temperature boundary (total)"
    )
    minutes_below_temperature_boundary: Count | None = Field(
        None, description="Minutes below the temperature boundary (total)"
    )
    minutes_charging_above_boundary: Count | None = Field(
        None, description="Minutes charging above the temperature boundary (total)"
    )
    minutes_charging_below_boundary: Count | None = Field(
        None, description="Minutes charging below the temperature boundary (total)"
    )
    temperature_c: Quantity | None = Field(None, description="Battery temperature, °C")
    state_of_charge_percent: Percent | None = Field(None, description="State of charge, %")

    @model_validator(mode="after")
    def _not_empty(self) -> Self:
        _at_least_one(self)
        return self


class InspectedPayload(EventPayload):
    """An inspection or test of the battery."""

    passed: bool = Field(description="Whether the battery passed")
    findings: Text | None = Field(None, description="What was found")
    report: Text | None = Field(None, description="Reference of the inspection report")


class RepairedPayload(EventPayload):
    """A repair; the status does not change (Annex XIII(4)(c))."""

    description: Text = Field(description="What was repaired")
    replaced_parts: tuple[Text, ...] | None = Field(None, description="Replaced part numbers")


class AccidentPayload(EventPayload):
    """A negative event such as an accident (Annex XIII(4)(d))."""

    kind: Annotated[str, Field(min_length=1, max_length=64)] = Field(
        description="Kind of event (e.g. collision, flooding, thermal event)"
    )
    description: Text | None = Field(None, description="What happened")


class PerformanceValues(Record):
    """The performance and durability values of Art. 10(1) (Annex IV Part A) measured when the
    battery's status changes, as Annex XIII point 4(a) asks (docs/adr/0010). Each value is
    optional: which apply depends on the battery's category."""

    rated_capacity_ah: PositiveQuantity | None = Field(None, description="Capacity (Ah)")
    capacity_fade_percent: Percent | None = Field(None, description="Capacity fade (%)")
    power_w: PositiveQuantity | None = Field(None, description="Power (W)")
    power_fade_percent: Percent | None = Field(None, description="Power fade (%)")
    internal_resistance_ohm: PositiveQuantity | None = Field(
        None, description="Internal resistance (ohm)"
    )
    internal_resistance_increase_percent: NonNegativeQuantity | None = Field(
        None, description="Internal resistance increase (%)"
    )
    round_trip_efficiency_percent: Percent | None = Field(
        None, description="Energy round-trip efficiency (%)"
    )
    round_trip_efficiency_fade_percent: Percent | None = Field(
        None, description="Energy round-trip efficiency fade (%)"
    )
    expected_lifetime_cycles: Annotated[int, Field(gt=0, le=10_000_000)] | None = Field(
        None, description="Expected lifetime in charge-discharge cycles"
    )
    expected_lifetime_years: PositiveQuantity | None = Field(
        None, description="Expected lifetime in calendar years"
    )


class _StatusChange(EventPayload):
    new_operator: Identifier | None = Field(
        None, description="Economic operator now responsible, if it changes"
    )
    successor_passport_id: Identifier | None = Field(
        None, description="The new passport (Art. 77(7)); the original passport is closed"
    )
    application: Text | None = Field(None, description="The new application")
    performance: PerformanceValues | None = Field(
        None,
        description="Performance and durability values at this change of status (Annex XIII(4)(a))",
    )


class ReusedPayload(_StatusChange):
    """Prepared for re-use (Art. 3(1)(23)): status ``re-used``."""


class RepurposedPayload(_StatusChange):
    """Repurposed for another application (Art. 3(1)(24)): status ``repurposed``."""


class RemanufacturedPayload(_StatusChange):
    """Remanufactured (Art. 3(1)(25)): status ``remanufactured``."""


class OwnershipTransferredPayload(EventPayload):
    """Responsibility moves to another economic operator."""

    new_operator: Identifier = Field(description="The new economic operator")


class CollectedAsWastePayload(EventPayload):
    """Collected as a waste battery (Art. 3(1)(27)): status ``waste``."""

    collection_point: Text | None = Field(None, description="Where it was collected")
    waste_operator: Identifier | None = Field(None, description="Waste management operator")
    performance: PerformanceValues | None = Field(
        None,
        description="Performance and durability values at this change of status (Annex XIII(4)(a))",
    )


class RecycledPayload(EventPayload):
    """Recycled (Art. 3(1)(28)); afterwards the passport ceases to exist (Art. 77(8))."""

    recovered: tuple[ElementMass, ...] = Field(description="Recovered mass per material")
    recycling_facility: Identifier | None = Field(None, description="Recycling facility")

    @model_validator(mode="after")
    def _one_entry_per_material(self) -> Self:
        seen = [m.element for m in self.recovered]
        if len(seen) != len(set(seen)):
            raise ValueError("a material is listed twice in recovered")
        return self


PAYLOAD_TYPES: dict[EventType, type[EventPayload]] = {
    EventType.MANUFACTURED: ManufacturedPayload,
    EventType.PLACED_ON_MARKET: PlacedOnMarketPayload,
    EventType.PUT_INTO_SERVICE: PutIntoServicePayload,
    EventType.STATE_OF_HEALTH: StateOfHealthPayload,
    EventType.USAGE: UsagePayload,
    EventType.INSPECTED: InspectedPayload,
    EventType.REPAIRED: RepairedPayload,
    EventType.ACCIDENT: AccidentPayload,
    EventType.REUSED: ReusedPayload,
    EventType.REPURPOSED: RepurposedPayload,
    EventType.REMANUFACTURED: RemanufacturedPayload,
    EventType.OWNERSHIP_TRANSFERRED: OwnershipTransferredPayload,
    EventType.COLLECTED_AS_WASTE: CollectedAsWastePayload,
    EventType.RECYCLED: RecycledPayload,
}
"""The payload model of each event type."""


def payload_type(event_type: EventType | str) -> type[EventPayload]:
    """The payload model of ``event_type``."""
    return PAYLOAD_TYPES[EventType(event_type)]


class Event(Record):
    """One lifecycle event: who did what to which battery, when, and what came before.

    ``previous_sha256`` is the SHA-256 of the previous event's signed payload bytes, or of
    the signed passport's payload bytes for the first event (sequence 0).
    """

    type: EventType
    battery_id: Identifier
    passport_id: Identifier
    sequence: Count
    time: AwareDatetime
    actor: Identifier = Field(description="Organisation that did it (and signs the event)")
    previous_sha256: Sha256Hex
    payload: SerializeAsAny[EventPayload]

    @model_validator(mode="before")
    @classmethod
    def _typed_payload(cls, data: Any) -> Any:
        if not isinstance(data, dict) or "type" not in data:
            return data
        try:
            model = payload_type(data["type"])
        except ValueError:
            return data  # the enum validator reports it
        payload = data.get("payload")
        if isinstance(payload, dict):
            return {**data, "payload": model.model_validate(payload)}
        return data

    @model_validator(mode="after")
    def _payload_matches_type(self) -> Self:
        want = PAYLOAD_TYPES[self.type]
        if type(self.payload) is not want:
            raise ValueError(
                f"a {self.type.value} event carries a {want.__name__}, "
                f"not a {type(self.payload).__name__}"
            )
        return self
