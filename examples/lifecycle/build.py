"""Build the example life of an EV battery (examples/lifecycle/): every file beside this one.

The battery of examples/passports/ev-nmc.json is made, placed on the market and driven; its
state of health is read; it has an accident and is inspected; it is repurposed into
stationary storage by another operator, under a successor passport linked to the original;
it is collected as waste and recycled. Each step is an event signed with a DEMO key
(examples/keys/*.DEMO-ONLY.key) trusted by the demo trust file examples/lifecycle/trust.json
(not examples/trust.json).

Ed25519 signatures are deterministic and every time is fixed, so a run gives the same bytes.
Run from the repository root: ``python examples/lifecycle/build.py [OUTDIR]``. Verify with::

    cd examples/lifecycle
    batterypass events verify ev-nmc.events --passport ev-nmc.cose --trust trust.json \
        --at 2040-01-01T00:00:00Z
"""

from __future__ import annotations

import sys
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from batterypass.codec import json as bp_json
from batterypass.cose import sign_passport
from batterypass.keys import PrivateKey
from batterypass.lifecycle import Head, next_event, sign_event, sign_head, successor_passport
from batterypass.model import Operator, PostalAddress, Role
from batterypass.verify import TrustStore

HERE = Path(__file__).resolve().parent
EXAMPLES = HERE.parent
MAKER = "urn:lei:529900DEMO0EXAMPLE01"
REPURPOSER = "urn:lei:529900DEMO0REPURP01"
RECYCLER = "urn:lei:529900DEMO0RECYCL01"
SUCCESSOR_ID = "urn:uuid:0b6a3c1e-5d2f-4a7b-8c9d-1e2f3a4b5c6d"


def t(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def key(name: str) -> PrivateKey:
    return PrivateKey.from_file(EXAMPLES / "keys" / f"{name}.DEMO-ONLY.key")


def trust_store(keys: dict[str, PrivateKey]) -> TrustStore:
    store = TrustStore()
    for name, org, roles in (
        ("ev-maker", MAKER, [Role.MANUFACTURER, Role.ECONOMIC_OPERATOR]),
        ("repurposer", REPURPOSER, [Role.REPURPOSER, Role.ECONOMIC_OPERATOR]),
        ("recycler", RECYCLER, [Role.RECYCLER]),
    ):
        store = store.add_key(
            keys[name].public_key(),
            organisation_id=org,
            roles=roles,
            not_before=t("2026-01-01T00:00:00"),
            not_after=t("2041-01-01T00:00:00"),
        )
    return store


def append(
    log: list[bytes],
    signer: PrivateKey,
    actor: str,
    kind: str,
    time: str,
    payload: dict[str, Any],
    passport: bytes,
) -> None:
    event = next_event(
        log, event_type=kind, payload=payload, actor=actor, time=t(time), signed_passport=passport
    )
    log.append(sign_event(event, signer))


def build(out: Path) -> None:
    keys = {name: key(name) for name in ("ev-maker", "repurposer", "recycler")}
    maker, repurposer, recycler = keys["ev-maker"], keys["repurposer"], keys["recycler"]
    (out / "trust.json").write_text(trust_store(keys).to_json(), encoding="utf-8")

    original = bp_json.loads((EXAMPLES / "passports" / "ev-nmc.json").read_bytes())
    signed = sign_passport(original, maker)
    log: list[bytes] = []
    for kind, time, payload in (
        ("manufactured", "2026-10-15T09:00:00", {"country": "CN"}),
        ("placed_on_market", "2026-11-02T10:00:00", {"member_state": "DE"}),
        ("put_into_service", "2026-11-20T12:00:00", {"application": "passenger car"}),
        (
            "usage",
            "2028-06-01T08:00:00",
            {
                "full_cycles": 180,
                "energy_throughput_kwh": Decimal("13200.5"),
                "capacity_throughput_ah": 36500,
                "deep_discharge_events": 0,
                "temperature_c": 21,
            },
        ),
        (
            "state_of_health",
            "2028-06-01T08:00:00",
            {
                "remaining_capacity_ah": 202,
                "state_of_certified_energy_percent": Decimal("93.5"),
                "remaining_power_capability": [
                    {"state_of_charge_percent": 80, "power_w": 241000},
                    {"state_of_charge_percent": 20, "power_w": 169000},
                ],
            },
        ),
        (
            "accident",
            "2029-03-14T17:45:00",
            {"kind": "collision", "description": "rear impact, pack undamaged"},
        ),
        ("inspected", "2029-03-20T09:00:00", {"passed": True, "findings": "no cell damage"}),
        (
            "usage",
            "2032-05-01T08:00:00",
            {
                "full_cycles": 610,
                "energy_throughput_kwh": Decimal("44800"),
                "capacity_throughput_ah": 124000,
                "deep_discharge_events": 2,
            },
        ),
        (
            "state_of_health",
            "2032-05-01T08:00:00",
            {"remaining_capacity_ah": 168, "state_of_certified_energy_percent": 78},
        ),
    ):
        append(log, maker, MAKER, kind, time, payload, signed)
    append(
        log,
        repurposer,
        REPURPOSER,
        "repurposed",
        "2032-09-01T08:00:00",
        {
            "new_operator": REPURPOSER,
            "successor_passport_id": SUCCESSOR_ID,
            "application": "stationary energy storage",
            # Annex XIII(4)(a): the performance and durability values at the change of status
            "performance": {
                "rated_capacity_ah": 211,
                "capacity_fade_percent": Decimal("20.4"),
                "power_fade_percent": Decimal("14.0"),
                "internal_resistance_increase_percent": Decimal("32"),
                "round_trip_efficiency_percent": Decimal("92.1"),
                "round_trip_efficiency_fade_percent": Decimal("3.4"),
                "expected_lifetime_years": Decimal("10"),
            },
        },
        signed,
    )
    (out / "ev-nmc.cose").write_bytes(signed)
    (out / "ev-nmc.events").write_bytes(b"".join(log))

    from batterypass.cose import decode_sign1_unverified
    from batterypass.lifecycle import decode_event  # the last event's payload links the two

    last_payload = decode_sign1_unverified(log[-1]).payload
    assert last_payload is not None
    assert decode_event(last_payload).type == "repurposed"
    operator = Operator(
        id=REPURPOSER,
        name="Second Life Storage GmbH (demo data)",
        address=PostalAddress(city="Leipzig", country="DE"),
    )
    new = successor_passport(
        original,
        last_payload,
        status="repurposed",
        passport_id=SUCCESSOR_ID,
        issuer=REPURPOSER,
        issued_at=t("2032-09-02T08:00:00"),
        operator=operator,
        changes={
            "general": {"category": "industrial", "stationary_energy_storage": True},
            "performance": {"capacity_threshold_for_exhaustion_percent": None},
        },
    )
    (out / "stationary.json").write_text(bp_json.dumps(new), encoding="utf-8")
    signed_new = sign_passport(new, repurposer)
    log2: list[bytes] = []
    for signer, actor, kind, time, payload in (
        (repurposer, REPURPOSER, "placed_on_market", "2032-09-10T08:00:00", {"member_state": "DE"}),
        (
            repurposer,
            REPURPOSER,
            "put_into_service",
            "2032-10-01T08:00:00",
            {"application": "home storage"},
        ),
        (
            repurposer,
            REPURPOSER,
            "usage",
            "2036-01-01T08:00:00",
            {
                "full_cycles": 1450,
                "energy_throughput_kwh": Decimal("71300"),
                "capacity_throughput_ah": 201000,
            },
        ),
        (
            repurposer,
            REPURPOSER,
            "state_of_health",
            "2036-01-01T08:00:00",
            {
                "remaining_capacity_ah": 131,
                "remaining_round_trip_efficiency_percent": Decimal("88.2"),
            },
        ),
        (
            recycler,
            RECYCLER,
            "collected_as_waste",
            "2039-06-01T08:00:00",
            {"collection_point": "Leipzig municipal collection", "waste_operator": RECYCLER},
        ),
        (
            recycler,
            RECYCLER,
            "recycled",
            "2039-09-15T08:00:00",
            {
                "recovered": [
                    {"element": "cobalt", "mass_kg": Decimal("6.8")},
                    {"element": "nickel", "mass_kg": Decimal("53.9")},
                    {"element": "lithium", "mass_kg": Decimal("5.1")},
                    {"element": "copper", "mass_kg": Decimal("24.6")},
                ]
            },
        ),
    ):
        append(log2, signer, actor, kind, time, payload, signed_new)
    (out / "stationary.cose").write_bytes(signed_new)
    (out / "stationary.events").write_bytes(b"".join(log2))
    head_payload = decode_sign1_unverified(log2[-1]).payload
    assert head_payload is not None
    from batterypass.lifecycle import sha256_hex

    head = Head(SUCCESSOR_ID, len(log2), sha256_hex(head_payload), t("2039-10-01T00:00:00"))
    (out / "stationary.head").write_bytes(sign_head(head, repurposer))


if __name__ == "__main__":
    target = Path(sys.argv[1]) if len(sys.argv) > 1 else HERE
    target.mkdir(parents=True, exist_ok=True)
    build(target)
    print(f"wrote the example life to {target}")
