"""Where one passport verification's time goes, stage by stage, for the running build.

Run from a checkout (``python benchmarks/bench_stages.py``; ``--json`` for a record). The
ev-nmc example is signed with a fresh key of each algorithm and every stage of
``verify_passport`` is timed on its own (best of ``--repeat`` runs of ``--number`` calls):

envelope (``parse_sign1``), signature (``Sign1Message.verify``: Sig_structure and the
``cryptography`` call), decode (``decode_value`` of the payload: one pass), mapping (key table
to field names), validation (pydantic, ``parse_passport``), and the whole ``verify_passport``;
"glue" is the whole minus those stages (trust lookup, claims and policy checks, result
objects). For comparison, not part of the sum: pre-scan (``codec._cbor_scan.scan`` alone),
two-pass (pre-scan + cbor2) and one-pass (``codec._cbor_decode`` alone). The machine is
shared: compare figures of one run, or ratios.
"""

from __future__ import annotations

import argparse
import json
import timeit
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from batterypass._build import compiled_modules
from batterypass.codec import _cbor, _cbor_passport
from batterypass.codec import json as bp_json
from batterypass.codec._cbor_decode import decode_deterministic
from batterypass.codec._cbor_scan import scan
from batterypass.codec.cbor import DEFAULT_LIMITS, Tag, decode_value
from batterypass.cose import parse_sign1, sign_passport
from batterypass.keys import Algorithm, PrivateKey
from batterypass.model import Role, parse_passport
from batterypass.verify import TrustStore, verify_passport

ROOT = Path(__file__).resolve().parent.parent
NOW = datetime(2030, 1, 1, tzinfo=UTC)


def stages(alg: Algorithm, number: int, repeat: int) -> dict[str, float]:
    passport = bp_json.loads((ROOT / "examples/passports/ev-nmc.json").read_bytes())
    key = PrivateKey.generate(alg)
    trust = TrustStore().add_key(
        key.public_key(),
        organisation_id=passport.issuer,
        roles=[Role.MANUFACTURER],
        not_before=datetime(2020, 1, 1, tzinfo=UTC),
        not_after=datetime(2040, 1, 1, tzinfo=UTC),
    )
    message = sign_passport(passport, key)
    msg = parse_sign1(message)
    public = key.public_key()
    payload = msg.verify(public)
    tags = _cbor_passport.WIRE_TAGS
    value = decode_value(payload, allowed_tags=tags)
    plain = _cbor_passport._unwrap(value, DEFAULT_LIMITS.max_bytes, True)

    def best(fn: Any) -> float:
        return min(timeit.repeat(fn, number=number, repeat=repeat)) / number * 1e6

    limits = DEFAULT_LIMITS
    policy = frozenset(tags)
    out = {
        "envelope": best(lambda: parse_sign1(message)),
        "signature": best(lambda: msg.verify(public)),
        "decode": best(lambda: decode_value(payload, allowed_tags=tags)),
        "mapping": best(lambda: _cbor_passport._unwrap(value, limits.max_bytes, True)),
        "validation": best(lambda: parse_passport(plain)),
        "whole": best(lambda: verify_passport(message, trust=trust, now=NOW)),
        "pre-scan": best(
            lambda: scan(payload, limits=limits, deterministic=True, allowed_tags=tags)
        ),
        "two-pass": best(lambda: _cbor._decode_two_pass(payload, limits, True, policy, False)),
        "one-pass": best(
            lambda: decode_deterministic(
                payload, limits.max_depth, limits.max_items, limits.max_string_bytes, policy, Tag
            )
        ),
    }
    parts = ("envelope", "signature", "decode", "mapping", "validation")
    out["glue"] = out["whole"] - sum(out[p] for p in parts)
    return {k: round(v, 1) for k, v in out.items()}


def main(argv: list[str] | None = None) -> dict[str, Any]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--number", type=int, default=300)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--json", action="store_true", help="print one JSON record")
    args = parser.parse_args(argv)
    report: dict[str, Any] = {
        "build": list(compiled_modules()) or "pure-python",
        "microseconds": {
            name: stages(alg, args.number, args.repeat)
            for name, alg in (
                ("EdDSA", Algorithm.EDDSA),
                ("ES256", Algorithm.ES256),
                ("ES384", Algorithm.ES384),
            )
        },
    }
    if args.json:
        print(json.dumps(report))
    else:
        print(f"build: {report['build']}")
        for alg, row in report["microseconds"].items():
            print(f"{alg}: " + ", ".join(f"{k} {v} us" for k, v in row.items()))
    return report


if __name__ == "__main__":
    main()
