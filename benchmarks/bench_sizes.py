"""Size and speed of the CBOR passport format against JSON, for the three example passports.

Run as a script: ``python benchmarks/bench_sizes.py [--seconds 0.5]``.

Sizes: CBOR (``cbor.dumps``), minified and pretty JSON (``batterypass.codec.json.dumps`` with
``indent=None`` / ``indent=2``), and gzip (level 9) of each. Times are per passport, best of
five repeats, all measured in the same run:

- encode: ``cbor.dumps(passport)`` against ``bp_json.dumps(passport, indent=None)`` (model to
  bytes or text) and against the stdlib ``json.dumps`` of the same document as plain values;
- decode: ``cbor.loads(data)`` against ``bp_json.loads(text)`` (bytes or text to a validated
  model) and against the stdlib ``json.loads`` of the same text (parsing only, no model).

The target of the CBOR issue is CBOR <= 40 % of minified JSON for ev-nmc.
"""

from __future__ import annotations

import argparse
import gzip
import json
import timeit
from collections.abc import Callable
from pathlib import Path

from batterypass.codec import cbor
from batterypass.codec import json as bp_json

EXAMPLES = Path(__file__).resolve().parent.parent / "examples" / "passports"
NAMES = ("ev-nmc", "lfp-storage", "lmt-ebike")
TARGET = 0.40


def _best(fn: Callable[[], object], seconds: float) -> float:
    """Best per-call time in seconds over five repeats, each about ``seconds / 5`` long."""
    timer = timeit.Timer(fn)
    number, _ = timer.autorange()
    per_repeat = max(1, int(number * (seconds / 5) / max(timer.timeit(number), 1e-9)))
    return min(timer.repeat(repeat=5, number=per_repeat)) / per_repeat


def _gz(data: bytes) -> int:
    return len(gzip.compress(data, compresslevel=9, mtime=0))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=0.5, help="time per measurement")
    args = parser.parse_args()

    print("sizes in bytes (ratio to minified JSON)")
    header = f"{'passport':<12} {'CBOR':>12} {'JSON min':>9} {'JSON pretty':>12}"
    header += f" {'gz CBOR':>8} {'gz min':>8} {'gz pretty':>9}"
    print(header)
    timing_rows: list[str] = []
    for name in NAMES:
        passport = bp_json.loads((EXAMPLES / f"{name}.json").read_bytes())
        data = cbor.dumps(passport)
        minified = bp_json.dumps(passport, indent=None).encode()
        pretty = bp_json.dumps(passport).encode()
        ratio = len(data) / len(minified)
        print(
            f"{name:<12} {len(data):>5} ({ratio:5.1%}) {len(minified):>9} {len(pretty):>12}"
            f" {_gz(data):>8} {_gz(minified):>8} {_gz(pretty):>9}"
        )
        if name == "ev-nmc":
            met = ratio <= TARGET
            print(
                f"{'':<12} target CBOR <= {TARGET:.0%} of minified JSON: "
                f"{'met' if met else 'NOT met'} ({ratio:.1%})"
            )

        plain = json.loads(minified)
        text = minified.decode()
        t = {
            "cbor.dumps": _best(lambda p=passport: cbor.dumps(p), args.seconds),
            "bp_json.dumps": _best(lambda p=passport: bp_json.dumps(p, indent=None), args.seconds),
            "json.dumps": _best(lambda v=plain: json.dumps(v, separators=(",", ":")), args.seconds),
            "cbor.loads": _best(lambda d=data: cbor.loads(d), args.seconds),
            "bp_json.loads": _best(lambda s=text: bp_json.loads(s), args.seconds),
            "json.loads": _best(lambda s=text: json.loads(s), args.seconds),
        }
        timing_rows.append(
            f"{name:<12} encode {t['cbor.dumps'] * 1e6:7.1f} us"
            f" (x{t['cbor.dumps'] / t['bp_json.dumps']:.2f} bp_json,"
            f" x{t['cbor.dumps'] / t['json.dumps']:.1f} json)"
            f"   decode {t['cbor.loads'] * 1e6:7.1f} us"
            f" (x{t['cbor.loads'] / t['bp_json.loads']:.2f} bp_json,"
            f" x{t['cbor.loads'] / t['json.loads']:.1f} json)"
        )
    print()
    print("time per passport (ratio to batterypass JSON codec, and to stdlib json, same run)")
    for row in timing_rows:
        print(row)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
