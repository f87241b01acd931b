"""The passport's link to the original's history (predecessor_last_event_sha256)."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from batterypass.codec import cbor
from batterypass.errors import ValidationError
from batterypass.model import parse_passport

ROOT = Path(__file__).resolve().parents[2]
HASH = "ab" * 32


def _doc(**changes: Any) -> dict[str, Any]:
    doc: dict[str, Any] = json.loads(
        (ROOT / "examples/passports/ev-nmc.json").read_text(), parse_float=Decimal
    )
    doc.update(changes)
    return doc


def test_hash_and_predecessor_together_round_trip() -> None:
    p = parse_passport(
        _doc(
            predecessor_passport_id="urn:uuid:00000000-0000-4000-8000-000000000001",
            predecessor_last_event_sha256=HASH,
        )
    )
    assert p.predecessor_last_event_sha256 == HASH
    assert cbor.loads(cbor.dumps(p)) == p


@pytest.mark.parametrize(
    "changes",
    [
        {"predecessor_last_event_sha256": HASH},
        {"predecessor_passport_id": "urn:uuid:00000000-0000-4000-8000-000000000001"},
    ],
)
def test_hash_present_iff_predecessor_present(changes: dict[str, Any]) -> None:
    with pytest.raises(ValidationError) as info:
        parse_passport(_doc(**changes))
    assert "predecessor_last_event_sha256" in str(info.value)


@pytest.mark.parametrize("bad", ["AB" * 32, "ab" * 31, "zz" * 32, "ab" * 33])
def test_hash_is_64_lowercase_hex(bad: str) -> None:
    with pytest.raises(ValidationError):
        parse_passport(
            _doc(
                predecessor_passport_id="urn:uuid:00000000-0000-4000-8000-000000000001",
                predecessor_last_event_sha256=bad,
            )
        )
