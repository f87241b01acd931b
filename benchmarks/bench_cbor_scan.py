"""Cost of strict decoding: ``decode_value`` (the one pass) and the two passes (pre-scan +
cbor2) against plain ``cbor2.loads``.

Run as a script: ``python benchmarks/bench_cbor_scan.py [--seconds 0.5]``. The document is a
~2 KB map-heavy, passport-like value (integer keys, nested maps, text, byte strings and
decimal fractions as tag 4). Ratios are measured in the same run, against the same input.
"""

from __future__ import annotations

import argparse
import timeit
from collections.abc import Callable
from typing import Any

import cbor2

from batterypass.codec._cbor import _decode_two_pass
from batterypass.codec._cbor_scan import scan
from batterypass.codec.cbor import (
    DEFAULT_LIMITS,
    DETERMINISTIC_TAGS,
    Tag,
    decode_value,
    encode_value,
)


def _decimal(mantissa: int, exponent: int = -2) -> Tag:
    return Tag(4, [exponent, mantissa])


def passport_like() -> Any:
    """A deterministic, passport-shaped value of about 2 KB."""
    cells = [
        {
            1: f"cell-{i:03d}",
            2: _decimal(372 + i, -2),
            3: _decimal(4_850 + i),
            4: {1: "NMC811", 2: _decimal(1_245), 3: True},
            5: bytes(range(i, i + 8)),
        }
        for i in range(24)
    ]
    return {
        0: "urn:battery:eu:passport:7f1c2d",
        1: {
            1: "ACME Cells GmbH",
            2: "Industriestrasse 12, 01069 Dresden, DE",
            3: "https://example.org/acme",
            4: 1_716_000_000,
        },
        2: {1: _decimal(7_550, -1), 2: _decimal(40_012), 3: _decimal(1_000, 0), 4: None},
        3: cells,
        4: {"co2e_kg_per_kwh": _decimal(6_123), "class": "B", "share": [10, 20, 30, 40]},
        5: [{1: "event", 2: i, 3: bytes(32)} for i in range(10)],
        -1: False,
    }


def _best(fn: Callable[[], object], seconds: float) -> float:
    """Best per-call time over five repeats, each about ``seconds / 5`` long."""
    timer = timeit.Timer(fn)
    number, _ = timer.autorange()
    per_repeat = max(1, int(number * seconds / 5 / 0.2))
    return min(timer.repeat(repeat=5, number=per_repeat)) / per_repeat


def main(argv: list[str] | None = None) -> None:
    """Print per-call times and the ratios to plain ``cbor2.loads``."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=1.0, help="time budget per case")
    args = parser.parse_args(argv)

    data = encode_value(passport_like())
    assert decode_value(data) == passport_like()

    def plain() -> object:
        return cbor2.loads(data)

    def scan_only() -> object:
        return scan(
            data, limits=DEFAULT_LIMITS, deterministic=True, allowed_tags=DETERMINISTIC_TAGS
        )

    def two_pass() -> object:
        # Pre-scan, then cbor2: the decoder of record for whatever the one pass leaves.
        return _decode_two_pass(data, DEFAULT_LIMITS, True, DETERMINISTIC_TAGS, False)

    def strict() -> object:
        return decode_value(data)

    def lenient() -> object:
        return decode_value(data, deterministic=False)

    base = _best(plain, args.seconds)
    print(f"document: {len(data)} bytes")
    print(f"{'cbor2.loads (baseline)':40} {base * 1e6:9.2f} us   1.00x")
    for name, fn in (
        ("scan only", scan_only),
        ("scan + cbor2 (two passes)", two_pass),
        ("decode_value (one pass)", strict),
        ("decode_value(deterministic=False)", lenient),
    ):
        t = _best(fn, args.seconds)
        print(f"{name:40} {t * 1e6:9.2f} us {t / base:6.2f}x")


if __name__ == "__main__":
    main()
