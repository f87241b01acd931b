"""The remaining power capability (Annex VII Part A(2), Annex IV Part B(4)): an empty list is
not a value, in an event, for completeness, or through the consortium export."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path
from typing import Any

import pydantic
import pytest

from batterypass.errors import ValidationError
from batterypass.interop import battery_pass as dm
from batterypass.lifecycle import StateOfHealthPayload
from batterypass.model import completeness, parse_passport

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "examples" / "passports"
RPC = "state.state_of_health.remaining_power_capability"


def _example(name: str) -> dict[str, Any]:
    data = json.loads((EXAMPLES / f"{name}.json").read_text(encoding="utf-8"), parse_float=Decimal)
    assert isinstance(data, dict)
    return data


def test_state_of_health_event_needs_a_value_not_an_empty_power_list() -> None:
    """``StateOfHealthPayload`` demands "at least one value"; an empty remaining power
    capability list carries none (before the change the field was a number, so this could not
    happen). The event would replace the passport's whole state of health with nothing."""
    with pytest.raises((pydantic.ValidationError, ValidationError)):
        StateOfHealthPayload(remaining_power_capability=())


def test_empty_remaining_power_capability_does_not_make_a_stationary_passport_complete() -> None:
    """The remaining power capability is mandatory for LMT and stationary batteries
    (Annex VII Part A(2)). ``completeness`` counts an empty list as a declaration, so ``[]``
    (no measured value at all) now satisfies it. Either the model rejects the empty list
    (``min_length=1``, the suggested fix) or completeness must still report the gap."""
    data = _example("lfp-storage")
    data["state"]["state_of_health"]["remaining_power_capability"] = []
    try:
        passport = parse_passport(data)
    except ValidationError:
        return  # rejected: fine
    gaps = [g.path for g in completeness(passport).gaps]
    assert RPC in gaps


def test_empty_remaining_power_capability_is_not_silently_lost_on_export() -> None:
    """Round-trip contract of the consortium export (specs/battery-pass-mapping.md): import of
    the export equals the passport unless a ``lost`` note names the difference. An empty list
    is written as nothing (a ``missing`` note only) and comes back as None, unreported."""
    data = _example("lfp-storage")
    data["state"]["state_of_health"]["remaining_power_capability"] = []
    try:
        passport = parse_passport(data)
    except ValidationError:
        return  # rejected by the model: nothing to lose
    docs = dm.export_aspects(passport)
    back = dm.import_aspects(docs, issued_at=passport.issued_at, issuer=passport.issuer)
    if back.state.state_of_health.remaining_power_capability != ():
        assert RPC in [n.field for n in docs.lost]
