"""Annex XIII point 4(a): the performance and durability values when the battery's status
changes travel in the status-change events (docs/adr/0010)."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from batterypass.cose import decode_sign1_unverified
from batterypass.lifecycle import (
    CollectedAsWastePayload,
    PerformanceValues,
    RepurposedPayload,
    ReusedPayload,
    decode_event,
)

LIFE = Path(__file__).resolve().parents[2] / "examples" / "lifecycle"


@pytest.mark.parametrize("payload", [ReusedPayload, RepurposedPayload, CollectedAsWastePayload])
def test_status_change_payloads_carry_the_values(payload: type) -> None:
    field = payload.model_fields["performance"]
    assert field.annotation == PerformanceValues | None
    assert "Annex XIII(4)(a)" in (field.description or "")


def test_the_example_repurposing_carries_its_values() -> None:
    from batterypass.lifecycle import read_log

    log = read_log(LIFE / "ev-nmc.events").messages
    last = decode_event(decode_sign1_unverified(log[-1]).payload or b"")
    assert last.type == "repurposed"
    values = last.payload.performance  # type: ignore[attr-defined]
    assert values is not None
    assert values.capacity_fade_percent == Decimal("20.4")


def test_values_are_checked() -> None:
    with pytest.raises(ValueError, match="between 0 and 100"):
        PerformanceValues.model_validate({"capacity_fade_percent": Decimal(120)})
