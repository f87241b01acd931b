"""Build the CBOR golden files examples/passports/*.cbor from the JSON examples beside them.

Each ``NAME.cbor`` is ``batterypass.codec.cbor.dumps`` of the passport in ``NAME.json``: the
golden files of the passport wire format (specs/cbor-format.md). A change of the format shows
as a change of these bytes in review; tests/codec/test_cbor_passport.py checks that encoding
each JSON example still gives its golden bytes.

Run from the repository root: ``python examples/build_cbor.py`` (it refuses to change a file
whose content differs unless given ``--force``).
"""

from __future__ import annotations

import sys
from pathlib import Path

from batterypass.codec import cbor
from batterypass.codec import json as bp_json

PASSPORTS = Path(__file__).resolve().parent / "passports"
NAMES = ("ev-nmc", "lfp-storage", "lmt-ebike", "ev-dual-market")


def main(argv: list[str]) -> int:
    force = "--force" in argv
    for name in NAMES:
        source = PASSPORTS / f"{name}.json"
        passport = bp_json.loads(source.read_bytes(), source=str(source))
        data = cbor.dumps(passport)
        path = PASSPORTS / f"{name}.cbor"
        if path.exists() and path.read_bytes() != data and not force:
            print(f"{path}: differs from the encoding of {source.name}; use --force to replace it")
            return 1
        tmp = path.with_suffix(".tmp")
        tmp.write_bytes(data)
        tmp.replace(path)
        print(f"wrote {path} ({len(data)} bytes)")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
