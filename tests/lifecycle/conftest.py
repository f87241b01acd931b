"""Fixtures for lifecycle tests: keys per role, a trust store, a signed passport and a
builder of valid histories."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from batterypass.codec import json as bp_json
from batterypass.cose import sign_passport
from batterypass.keys import Algorithm, PrivateKey
from batterypass.lifecycle import EventType, next_event, sign_event
from batterypass.model import BatteryPassport, Role
from batterypass.verify import TrustStore

ROOT = Path(__file__).resolve().parents[2]
T0 = datetime(2026, 11, 1, 8, tzinfo=UTC)
NOW = datetime(2030, 1, 1, tzinfo=UTC)
MAKER = "urn:lei:529900DEMO0EXAMPLE01"
REPAIRER = "urn:lei:529900DEMO0REPAIR01"
REPURPOSER = "urn:lei:529900DEMO0REPURP01"
RECYCLER = "urn:lei:529900DEMO0RECYCL01"
ROGUE = "urn:lei:529900DEMO0ROGUE0001"


@dataclass
class World:
    """Keys, trust and the signed passport every chain test starts from."""

    keys: dict[str, PrivateKey]
    trust: TrustStore
    passport: BatteryPassport
    signed_passport: bytes
    orgs: dict[str, str] = field(default_factory=dict)
    t0: datetime = T0
    now: datetime = NOW

    def event(
        self,
        log: Sequence[bytes],
        event_type: EventType | str,
        payload: dict[str, Any] | None = None,
        *,
        who: str = "maker",
        time: datetime | None = None,
    ) -> bytes:
        """Sign the event that follows ``log``."""
        event = next_event(
            log,
            event_type=event_type,
            payload=payload or {},
            actor=self.orgs[who],
            time=time or T0 + timedelta(days=len(log)),
            signed_passport=self.signed_passport,
        )
        return sign_event(event, self.keys[who])

    def full_life(self) -> list[bytes]:
        """A valid original-passport history up to waste and recycling."""
        return _full_life(self)


_ROLES = {
    "maker": (MAKER, [Role.MANUFACTURER, Role.ECONOMIC_OPERATOR]),
    "repairer": (REPAIRER, [Role.REPAIRER]),
    "repurposer": (REPURPOSER, [Role.REPURPOSER, Role.ECONOMIC_OPERATOR]),
    "recycler": (RECYCLER, [Role.RECYCLER]),
}


@pytest.fixture(scope="session")
def world() -> World:
    keys = {name: PrivateKey.generate(Algorithm.ED25519) for name in [*_ROLES, "rogue"]}
    keys["es256"] = PrivateKey.generate(Algorithm.ESP256)
    trust = TrustStore()
    for name, (org, roles) in _ROLES.items():
        trust = trust.add_key(
            keys[name].public_key(),
            organisation_id=org,
            roles=roles,
            not_before=datetime(2026, 1, 1, tzinfo=UTC),
            not_after=datetime(2040, 1, 1, tzinfo=UTC),
        )
    passport = bp_json.loads((ROOT / "examples/passports/ev-nmc.json").read_bytes())
    signed = sign_passport(passport, keys["maker"])
    orgs = {name: org for name, (org, _) in _ROLES.items()} | {"rogue": ROGUE}
    return World(keys, trust, passport, signed, orgs)


SOH = {"remaining_capacity_ah": Decimal("96.5"), "state_of_certified_energy_percent": 97}


def _full_life(world: World) -> list[bytes]:
    log: list[bytes] = []
    steps: list[tuple[str, dict[str, Any], str]] = [
        ("manufactured", {"country": "DE"}, "maker"),
        ("placed_on_market", {"member_state": "DE"}, "maker"),
        ("put_into_service", {"application": "passenger car"}, "maker"),
        ("usage", {"full_cycles": 100, "energy_throughput_kwh": Decimal("7500")}, "maker"),
        ("state_of_health", SOH, "maker"),
        ("accident", {"kind": "collision"}, "maker"),
        ("repaired", {"description": "replaced module 3"}, "repairer"),
        ("usage", {"full_cycles": 250, "energy_throughput_kwh": Decimal("18000.5")}, "maker"),
        ("collected_as_waste", {"collection_point": "Dortmund"}, "recycler"),
        (
            "recycled",
            {"recovered": [{"element": "cobalt", "mass_kg": Decimal("8.1")}]},
            "recycler",
        ),
    ]
    for kind, payload, who in steps:
        log.append(world.event(log, kind, payload, who=who))
    return log
