"""Sizes of disclosable passports and their presentations, per audience and algorithm.

Run: ``python benchmarks/bench_presentation_sizes.py``. Reports bytes for each example passport,
the plain signed passport as the baseline of the same run, and whether the public presentation
fits one QR code (2,953 bytes: version 40, level L, byte mode). Also shows what the public
presentation would cost with SD-JWT-style per-data-point digests in the signed payload.
"""

from __future__ import annotations

import sys
from pathlib import Path

from batterypass import codec as sd
from batterypass.codec import json as bp_json
from batterypass.cose import sign_passport
from batterypass.disclosure import QR_MAX_BYTES, issue_disclosable, present
from batterypass.keys import Algorithm, PrivateKey
from batterypass.model import Audience

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ("ev-nmc", "lfp-storage", "lmt-ebike")
ALGORITHMS = (Algorithm.ED25519, Algorithm.ESP256)


def main() -> int:
    per_point = sum(sd.withheld_group_size(g) for g in sd.WITHHELD_GROUPS)
    header = ["passport", "alg", "plain signed"] + [a.value for a in Audience] + ["QR"]
    print(" | ".join(header))
    print(" | ".join("---" for _ in header))
    fits = True
    for name in EXAMPLES:
        passport = bp_json.loads((ROOT / "examples/passports" / f"{name}.json").read_text())
        for alg in ALGORITHMS:
            key = PrivateKey.generate(alg)
            dp = issue_disclosable(passport, key)
            sizes = [len(present(dp, a)) for a in Audience]
            public = sizes[0]
            ok = public <= QR_MAX_BYTES
            fits &= ok or name != "ev-nmc"
            row = [name, alg.cose_name, str(len(sign_passport(passport, key)))]
            row += [str(s) for s in sizes]
            row.append(f"{'fits' if ok else 'too big'} ({QR_MAX_BYTES - public:+d})")
            print(" | ".join(row))
    # Three 32-byte group commitments (plus their keys) against one digest per data point of
    # groups 2 to 4 (bstr header 2 bytes each), the SD-JWT/SD-CWT layout.
    group_cost = 3 * (1 + 2 + 32) + 2
    point_cost = per_point * (2 + 32) + 3
    print(
        f"\nsigned-payload cost of the commitments: {group_cost} bytes (3 group commitments) "
        f"vs {point_cost} bytes ({per_point} per-data-point digests, SD-JWT style): "
        f"the public presentation would grow by {point_cost - group_cost} bytes"
    )
    return 0 if fits else 1


if __name__ == "__main__":
    sys.exit(main())
