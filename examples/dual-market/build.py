"""Build the example life of the dual-market EV pack (examples/dual-market/): every file here.

The pack of examples/passports/ev-dual-market.json (made in Shenzhen, sold in the EU, with its
GB/T 34014 code) is made, placed on the market, used, has a module replaced, is collected as
waste and recycled. Each step is an event signed with a DEMO key (examples/keys/) trusted by
trust.json beside this file. From the verified log the national traceability event file
``ev-dual-market.cn-events.json`` is written (specs/cn-traceability.md): production, sale,
repair/replacement, retirement and recycling, keyed by the pack's GB/T 34014 code.

Ed25519 signatures are deterministic and every time is fixed, so a run gives the same bytes.
Run from the repository root: ``python examples/dual-market/build.py [OUTDIR]``. The same file
from the command line::

    cd examples/dual-market
    batterypass events export-cn ev-dual-market.events --passport ev-dual-market.cose \
        --trust trust.json --at 2040-01-01T00:00:00Z --out cn-events.json
"""

from __future__ import annotations

import sys
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from batterypass.codec import json as bp_json
from batterypass.cose import sign_passport
from batterypass.interop.cn_traceability import dumps_traceability
from batterypass.keys import PrivateKey
from batterypass.lifecycle import next_event, sign_event
from batterypass.model import Role
from batterypass.verify import TrustStore, verify_events

HERE = Path(__file__).resolve().parent
EXAMPLES = HERE.parent
MAKER = "urn:lei:529900DEMO0EXAMPLE01"
RECYCLER = "urn:lei:529900DEMO0RECYCL01"
CLOCK = datetime(2040, 1, 1, tzinfo=UTC)


def t(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def key(name: str) -> PrivateKey:
    return PrivateKey.from_file(EXAMPLES / "keys" / f"{name}.DEMO-ONLY.key")


def trust_store(maker: PrivateKey, recycler: PrivateKey) -> TrustStore:
    store = TrustStore()
    for k, org, roles in (
        (maker, MAKER, [Role.MANUFACTURER, Role.ECONOMIC_OPERATOR]),
        (recycler, RECYCLER, [Role.RECYCLER]),
    ):
        store = store.add_key(
            k.public_key(),
            organisation_id=org,
            roles=roles,
            not_before=t("2026-01-01T00:00:00"),
            not_after=t("2041-01-01T00:00:00"),
        )
    return store


def build(out: Path) -> None:
    maker, recycler = key("ev-maker"), key("recycler")
    store = trust_store(maker, recycler)
    (out / "trust.json").write_text(store.to_json(), encoding="utf-8")
    passport = bp_json.loads((EXAMPLES / "passports" / "ev-dual-market.json").read_bytes())
    components = passport.china.gbt34014_components or ()
    replaced_module = components[1].code
    signed = sign_passport(passport, maker)
    log: list[bytes] = []
    steps: tuple[tuple[PrivateKey, str, str, str, dict[str, Any]], ...] = (
        (maker, MAKER, "manufactured", "2026-10-15T09:00:00", {"country": "CN"}),
        (maker, MAKER, "placed_on_market", "2026-11-02T10:00:00", {"member_state": "NL"}),
        (maker, MAKER, "put_into_service", "2026-11-25T12:00:00", {"application": "passenger car"}),
        (
            maker,
            MAKER,
            "usage",
            "2029-05-01T08:00:00",
            {"full_cycles": 240, "energy_throughput_kwh": Decimal("17600")},
        ),
        (
            maker,
            MAKER,
            "repaired",
            "2030-03-10T14:00:00",
            {
                "description": "module replaced after a cell fault (demo data)",
                "replaced_parts": [replaced_module],
            },
        ),
        (
            recycler,
            RECYCLER,
            "collected_as_waste",
            "2038-06-01T08:00:00",
            {"collection_point": "Rotterdam battery collection point (demo data)"},
        ),
        (
            recycler,
            RECYCLER,
            "recycled",
            "2038-09-01T08:00:00",
            {
                "recovered": [
                    {"element": "cobalt", "mass_kg": Decimal("6.7")},
                    {"element": "nickel", "mass_kg": Decimal("53.1")},
                    {"element": "lithium", "mass_kg": Decimal("5.0")},
                ]
            },
        ),
    )
    for signer, actor, kind, time, payload in steps:
        event = next_event(
            log, event_type=kind, payload=payload, actor=actor, time=t(time), signed_passport=signed
        )
        log.append(sign_event(event, signer))
    (out / "ev-dual-market.cose").write_bytes(signed)
    (out / "ev-dual-market.events").write_bytes(b"".join(log))
    chain = verify_events(log, trust=store, passport=signed, at=CLOCK)
    (out / "ev-dual-market.cn-events.json").write_text(dumps_traceability(chain), encoding="utf-8")


if __name__ == "__main__":
    target = Path(sys.argv[1]) if len(sys.argv) > 1 else HERE
    target.mkdir(parents=True, exist_ok=True)
    build(target)
    print(f"wrote the dual-market example life to {target}")
