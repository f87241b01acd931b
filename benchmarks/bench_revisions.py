"""Compare ``verify_many`` throughput of two git revisions of batterypass in one run.

Usage, from a clone::

    python benchmarks/bench_revisions.py BASE [HEAD] [--n 2000] [--rounds 7]

Each revision's ``src/`` is exported with ``git archive`` into a temporary directory. In every
round, a fresh child process per revision (in alternating order) signs ``--n`` distinct
passports (the ev-nmc example under different ids, the examples' demo key) outside the timed
region and times one in-process ``verify_many(..., workers=1)`` over them, best of three
passes. The ratio HEAD / BASE of items per second is taken within each round, so that the
load of a shared machine shifts both sides alike; the median and the range of the rounds
are printed per algorithm. Only pure-Python builds are compared (``PYTHONPATH`` points at the
exported sources). Nothing here is a test.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

_CHILD = r"""
import json, sys, time, uuid
from datetime import UTC, datetime
from pathlib import Path
from batterypass.codec import json as bp_json
from batterypass.cose import sign_passport
from batterypass.keys import Algorithm, PrivateKey
from batterypass.model import Role
from batterypass.verify import TrustStore, verify_many

alg, n, root = sys.argv[1], int(sys.argv[2]), Path(sys.argv[3])
passport = bp_json.loads((root / "examples/passports/ev-nmc.json").read_text("utf-8"))
key = PrivateKey.generate(Algorithm[alg])
trust = TrustStore().add_key(
    key.public_key(), organisation_id=passport.issuer, roles=[Role.MANUFACTURER],
    not_before=datetime(2020, 1, 1, tzinfo=UTC), not_after=datetime(2040, 1, 1, tzinfo=UTC),
)
signed = [
    sign_passport(passport.model_copy(update={"passport_id": f"urn:uuid:{uuid.UUID(int=i)}"}), key)
    for i in range(1, n + 1)
]
best = float("inf")
for _ in range(3):
    t0 = time.perf_counter()
    results = list(verify_many(signed, trust=trust, workers=1))
    best = min(best, time.perf_counter() - t0)
    assert all(r.ok for r in results), [r for r in results if not r.ok][:1]
print(json.dumps({"per_second": n / best}))
"""


def _export(rev: str, into: Path) -> Path:
    """The tree of ``rev`` (sources and examples) under ``into``."""
    into.mkdir()
    archive = subprocess.run(
        ["git", "-C", str(ROOT), "archive", rev, "src", "examples"],
        check=True,
        capture_output=True,
    ).stdout
    with tempfile.TemporaryFile() as fh:
        fh.write(archive)
        fh.seek(0)
        with tarfile.open(fileobj=fh) as tar:
            tar.extractall(into, filter="data")
    return into


def _run(tree: Path, alg: str, n: int) -> float:
    env = {**os.environ, "PYTHONPATH": str(tree / "src")}
    out = subprocess.run(
        [sys.executable, "-c", _CHILD, alg, str(n), str(tree)],
        check=True,
        capture_output=True,
        text=True,
        env=env,
    ).stdout
    return float(json.loads(out.splitlines()[-1])["per_second"])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("base")
    parser.add_argument("head", nargs="?", default="HEAD")
    parser.add_argument("--n", type=int, default=2000)
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--algs", default="EDDSA,ES256,ES384")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bp-revs-") as tmp:
        base = _export(args.base, Path(tmp) / "base")
        head = _export(args.head, Path(tmp) / "head")
        report: dict[str, object] = {"base": args.base, "head": args.head, "n": args.n}
        for alg in args.algs.split(","):
            ratios = []
            for r in range(args.rounds):
                order = [(base, "b"), (head, "h")] if r % 2 == 0 else [(head, "h"), (base, "b")]
                rate = {tag: _run(tree, alg, args.n) for tree, tag in order}
                ratios.append(rate["h"] / rate["b"])
            report[alg] = {
                "median": statistics.median(ratios),
                "min": min(ratios),
                "max": max(ratios),
            }
            print(
                f"{alg}: head/base {statistics.median(ratios):.3f} "
                f"(range {min(ratios):.3f}-{max(ratios):.3f}, {args.rounds} rounds)",
                flush=True,
            )
        print(json.dumps(report))


if __name__ == "__main__":
    main()
