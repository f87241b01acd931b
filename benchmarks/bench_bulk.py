"""Bulk verification throughput against the bare signature checks and against peers.

Run from a fresh checkout (see ``benchmarks/README.md``)::

    python benchmarks/bench_bulk.py [--n 10000] [--stream 1000000] [--no-dask] [--no-pycose]

For each of EdDSA, ES256 and ES384 it signs ``--n`` distinct passports (the ev-nmc example
under ``--n`` different ids) and measures, in the same run:

1. baseline: a bare loop of ``cryptography`` verify calls over the very same signatures and
   Sig_structure bytes (prepared outside the timed loop: what the hardware and OpenSSL can do);
2. ``verify_many`` in one process (``workers=1``) and on all cores (process pool), and with
   the ``pynacl`` backend when PyNaCl is installed;
3. ``verify_many`` through a local Dask cluster (one single-threaded worker process per core);
4. peers: the same passport as JSON in a compact JWS, verified with joserfc (signature only,
   and signature plus ``batterypass.codec.json.loads`` so that both sides validate the
   passport); and pycose verifying the same COSE messages, in a separate virtual environment
   under /tmp (``--pycose-python``, created with ``python -m venv`` + ``pip install pycose``
   if missing; skipped if that fails);
5. peak memory of a streaming run (``--stream`` items from a generator cycling over the signed
   messages; each size in a fresh process, peak RSS of the parent and of the largest worker).

Results go to ``benchmarks/results/bulk-<timestamp>.json`` with the machine description;
the ratios are printed. Nothing here is a test: ``benchmarks/test_bench_bulk.py`` is the
pytest-benchmark entry point, collected only when named explicitly.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
import warnings
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives.asymmetric import ec, ed25519
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature

from batterypass._build import compiled_modules
from batterypass.codec import json as bp_json
from batterypass.cose import decode_sign1_unverified, sign_passport
from batterypass.keys import Algorithm, PrivateKey
from batterypass.model import BatteryPassport, Role
from batterypass.verify import TrustStore, verify_many
from batterypass.verify._bulk import _pool_context

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "examples" / "passports" / "ev-nmc.json"
RESULTS = ROOT / "benchmarks" / "results"
ALGS = {"EdDSA": Algorithm.EDDSA, "ES256": Algorithm.ES256, "ES384": Algorithm.ES384}
NOW = datetime(2027, 6, 1, tzinfo=UTC)
T0 = datetime(2026, 1, 1, tzinfo=UTC)
T_END = datetime(2031, 1, 1, tzinfo=UTC)
PYCOSE_VENV = Path(tempfile.gettempdir()) / "batterypass-bench-pycose"


@dataclass
class Corpus:
    """Signed messages of one algorithm, with what the baselines need."""

    alg: str
    key: PrivateKey
    messages: list[bytes]
    passports: list[BatteryPassport]


def passport_variants(n: int) -> list[BatteryPassport]:
    """``n`` distinct passports: the ev-nmc example under ``n`` ids."""
    base = bp_json.loads(EXAMPLE.read_text(encoding="utf-8"))
    return [
        base.model_copy(update={"passport_id": f"urn:uuid:{uuid.UUID(int=i + 1)}"})
        for i in range(n)
    ]


def make_corpora(n: int) -> tuple[list[Corpus], TrustStore]:
    passports = passport_variants(n)
    store = TrustStore()
    corpora = []
    for name, alg in ALGS.items():
        key = PrivateKey.generate(alg)
        store = store.add_key(
            key.public_key(),
            organisation_id=passports[0].issuer,
            roles=[Role.MANUFACTURER],
            not_before=T0,
            not_after=T_END,
        )
        corpora.append(Corpus(name, key, [sign_passport(p, key) for p in passports], passports))
    return corpora, store


def rate(count: int, fn: Callable[[], object], repeat: int = 3) -> float:
    """Best items per second over ``repeat`` runs of ``fn`` (which handles ``count`` items)."""
    best = float("inf")
    for _ in range(repeat):
        gc.collect()
        start = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - start)
    return count / best


# --- 1. baseline ------------------------------------------------------------------------------


def baseline(corpus: Corpus) -> Callable[[], None]:
    """A bare loop of cryptography verify calls over the same signatures."""
    public = corpus.key.public_key().crypto_key
    prepared = []
    for message in corpus.messages:
        msg = decode_sign1_unverified(message)
        tbs = msg.sig_structure()
        sig = msg.signature
        if isinstance(public, ec.EllipticCurvePublicKey):
            size = len(sig) // 2
            sig = encode_dss_signature(
                int.from_bytes(sig[:size], "big"), int.from_bytes(sig[size:], "big")
            )
        prepared.append((sig, tbs))
    if isinstance(public, ed25519.Ed25519PublicKey):
        ed = public

        def run() -> None:
            for sig, tbs in prepared:
                ed.verify(sig, tbs)

        return run
    assert isinstance(public, ec.EllipticCurvePublicKey)
    ecdsa = ec.ECDSA(_hash(corpus.alg))
    ec_key = public

    def run_ec() -> None:
        for sig, tbs in prepared:
            ec_key.verify(sig, tbs, ecdsa)

    return run_ec


def floor(corpus: Corpus) -> Callable[[], None]:
    """The least a verifier that decodes with cbor2 and validates this model must do.

    Per message: the same bare signature check as :func:`baseline`, plus cbor2's C decoder
    over the payload with no checks at all, plus the model's pydantic validation of the
    passport from the plain dict our key-table mapping would produce (built outside the timed
    loop). No COSE parsing, pre-scan, determinism or limit checks, mapping or trust lookup: all
    of our decoding code is left out; the model's own validators (quantities, URLs, check
    digits, cross-field rules) run, as part of validating the model. ``floor / baseline``
    bounds what ``ours / baseline`` could reach with cbor2 and pydantic doing the work.
    """
    import cbor2

    from batterypass.codec import _cbor_passport
    from batterypass.codec.cbor import DEFAULT_LIMITS, decode_value

    sig_check = baseline(corpus)
    payloads = [decode_sign1_unverified(m).payload or b"" for m in corpus.messages]
    plains = [
        _cbor_passport._unwrap(
            decode_value(p, allowed_tags=_cbor_passport.WIRE_TAGS), DEFAULT_LIMITS.max_bytes, True
        )
        for p in payloads
    ]
    validate = BatteryPassport.model_validate
    cbor_loads = cbor2.loads

    def run() -> None:
        sig_check()
        for payload, plain in zip(payloads, plains, strict=True):
            cbor_loads(payload)
            validate(plain)

    return run


def _hash(alg: str) -> Any:
    from cryptography.hazmat.primitives import hashes

    return hashes.SHA256() if alg == "ES256" else hashes.SHA384()


# --- 2, 3. ours --------------------------------------------------------------------------------


def ours(corpus: Corpus, store: TrustStore, **kwargs: Any) -> Callable[[], None]:
    def run() -> None:
        bad = 0
        for result in verify_many(corpus.messages, trust=store, now=NOW, **kwargs):
            bad += not result.ok
        assert bad == 0, f"{bad} items failed"

    return run


def dask_rates(corpora: list[Corpus], store: TrustStore, cores: int) -> dict[str, float]:
    try:
        import distributed
    except ImportError:
        return {}
    out = {}
    with (
        distributed.LocalCluster(
            n_workers=cores, threads_per_worker=1, processes=True, dashboard_address=None
        ) as cluster,
        distributed.Client(cluster) as client,
    ):
        executor = client.get_executor(pure=False)
        # warm up: workers import batterypass and parse the trust store
        list(verify_many(corpora[0].messages[:64], trust=store, now=NOW, executor=executor))
        for corpus in corpora:
            out[corpus.alg] = rate(
                len(corpus.messages),
                ours(corpus, store, executor=executor, max_in_flight=4 * cores),
                repeat=2,
            )
    return out


# --- 4. peers ----------------------------------------------------------------------------------


def jws_peer(corpus: Corpus) -> tuple[Callable[[], None], Callable[[], None], int]:
    """joserfc: verify only, and verify plus model validation; the token size."""
    from joserfc import jws
    from joserfc.jwk import ECKey, OKPKey

    warnings.filterwarnings("ignore", message=".*deprecated.*")
    jwk = corpus.key.to_jwk()
    jwk.pop("alg", None)
    key: Any = OKPKey.import_key(jwk) if jwk["kty"] == "OKP" else ECKey.import_key(jwk)
    algs = [corpus.alg]
    tokens = [
        jws.serialize_compact(
            {"alg": corpus.alg}, bp_json.dumps(p, indent=None).encode(), key, algorithms=algs
        )
        for p in corpus.passports
    ]
    public: Any = (
        OKPKey.import_key({k: v for k, v in jwk.items() if k != "d"})
        if jwk["kty"] == "OKP"
        else ECKey.import_key({k: v for k, v in jwk.items() if k != "d"})
    )

    def verify_only() -> None:
        for token in tokens:
            jws.deserialize_compact(token, public, algorithms=algs)

    def verify_and_validate() -> None:
        for token in tokens:
            bp_json.loads(jws.deserialize_compact(token, public, algorithms=algs).payload)

    return verify_only, verify_and_validate, len(tokens[0])


_PYCOSE_SCRIPT = r"""
import json, sys, time
from pycose.messages import Sign1Message
from pycose.keys import CoseKey
data = json.load(open(sys.argv[1]))
out = {}
for alg, entry in data.items():
    key = CoseKey.decode(bytes.fromhex(entry["key"]))
    messages = [bytes.fromhex(m) for m in entry["messages"]]
    best = float("inf")
    for _ in range(3):
        start = time.perf_counter()
        for m in messages:
            msg = Sign1Message.decode(m)
            msg.key = key
            if not msg.verify_signature():
                raise SystemExit("pycose refused a valid message")
        best = min(best, time.perf_counter() - start)
    out[alg] = len(messages) / best
from importlib.metadata import version
print(json.dumps({"rates": out, "version": version("pycose"), "cbor2": version("cbor2")}))
"""


def pycose_python(explicit: str | None) -> str | None:
    if explicit:
        return explicit
    python = PYCOSE_VENV / "bin" / "python"
    if not python.exists():
        try:
            subprocess.run([sys.executable, "-m", "venv", str(PYCOSE_VENV)], check=True)
            subprocess.run(
                # pycose 1.1 expects cbor2 5's decoded arrays (lists inside tags)
                [str(python), "-m", "pip", "install", "-q", "pycose", "cbor2<6"],
                check=True,
                timeout=600,
            )
        except (subprocess.SubprocessError, OSError) as e:
            print(f"pycose: cannot set up {PYCOSE_VENV}: {e}", file=sys.stderr)
            return None
    return str(python)


def pycose_rates(corpora: list[Corpus], python: str, limit: int) -> dict[str, Any]:
    payload = {
        c.alg: {
            "key": c.key.public_key().to_cose_key().hex(),
            "messages": [m.hex() for m in c.messages[:limit]],
        }
        for c in corpora
    }
    with tempfile.TemporaryDirectory() as tmp:
        data, script = Path(tmp) / "data.json", Path(tmp) / "verify.py"
        data.write_text(json.dumps(payload))
        script.write_text(_PYCOSE_SCRIPT)
        proc = subprocess.run(
            [python, str(script), str(data)], capture_output=True, text=True, check=False
        )
    if proc.returncode != 0:
        print(f"pycose failed: {proc.stderr.strip()[-500:]}", file=sys.stderr)
        return {}
    result: dict[str, Any] = json.loads(proc.stdout)
    return result


# --- 5. memory ---------------------------------------------------------------------------------


def _cycle(messages: list[bytes], n: int) -> Iterator[bytes]:
    for i in range(n):
        yield messages[i % len(messages)]


def memory_run(n: int, workers: int) -> dict[str, Any]:
    """Run in a fresh process: stream ``n`` items, report peak RSS in MiB (the parent, the
    largest worker, and the whole process tree), sampled every 50 ms with psutil."""
    import psutil

    corpora, store = make_corpora(200)
    messages = [m for c in corpora for m in c.messages]
    me = psutil.Process()
    peaks = {"parent": 0, "worker": 0, "tree": 0}
    done = threading.Event()

    def sample() -> None:
        while not done.wait(0.05):
            try:
                parent = me.memory_info().rss
                children = [c.memory_info().rss for c in me.children(recursive=True)]
            except psutil.Error:
                continue
            peaks["parent"] = max(peaks["parent"], parent)
            peaks["worker"] = max(peaks["worker"], max(children, default=0))
            peaks["tree"] = max(peaks["tree"], parent + sum(children))

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    start = time.perf_counter()
    ok = sum(r.ok for r in verify_many(_cycle(messages, n), trust=store, now=NOW, workers=workers))
    elapsed = time.perf_counter() - start
    done.set()
    sampler.join()
    assert ok == n
    mib = 1024 * 1024
    return {
        "n": n,
        "workers": workers,
        "seconds": round(elapsed, 1),
        "items_per_s": round(n / elapsed),
        "peak_rss_parent_mib": round(peaks["parent"] / mib, 1),
        "peak_rss_largest_worker_mib": round(peaks["worker"] / mib, 1),
        "peak_rss_tree_mib": round(peaks["tree"] / mib, 1),
    }


def memory_series(sizes: list[int], workers: int) -> list[dict[str, Any]]:
    out = []
    for n in sizes:
        proc = subprocess.run(
            [sys.executable, __file__, "--memory-run", str(n), "--workers", str(workers)],
            capture_output=True,
            text=True,
            check=True,
        )
        out.append(json.loads(proc.stdout))
        print(f"  memory n={n:,}: {out[-1]}")
    return out


# --- the run -----------------------------------------------------------------------------------


def _burn(n: int) -> float:
    start = time.perf_counter()
    total = 0
    for i in range(n):
        total += i * i
    return time.perf_counter() - start


def machine_scaling(cores: int, n: int = 3_000_000) -> float:
    """Aggregate speed of ``cores`` pure-Python loops in parallel over one alone: the
    ceiling any process-parallel Python code can reach on this machine right now (a shared
    or oversubscribed VM delivers less than its core count)."""
    single = min(_burn(n) for _ in range(3))
    with ProcessPoolExecutor(cores, mp_context=_pool_context()) as pool:
        list(pool.map(_burn, [1000] * cores))  # start the workers
        start = time.perf_counter()
        list(pool.map(_burn, [n] * cores))
        parallel = time.perf_counter() - start
    return cores * single / parallel


def machine() -> dict[str, Any]:
    import cryptography
    from cryptography.hazmat.backends.openssl.backend import backend

    cpu = platform.processor()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    info: dict[str, Any] = {
        "platform": platform.platform(),
        "cpu": cpu,
        "cores": os.cpu_count(),
        "python": sys.version.split()[0],
        "cryptography": cryptography.__version__,
        "openssl": backend.openssl_version_text(),
        "load_average_at_start": os.getloadavg(),
    }
    try:
        import nacl
        import nacl.bindings

        info["pynacl"] = nacl.__version__
        info["libsodium"] = nacl.bindings.sodium_version_string().decode()
    except (ImportError, AttributeError):
        pass
    return info


def _once(count: int, fn: Callable[[], object]) -> float:
    gc.collect()
    start = time.perf_counter()
    fn()
    return count / (time.perf_counter() - start)


def interleaved(corpora: list[Corpus], store: TrustStore, rounds: int) -> dict[str, Any]:
    """ours (one process), the floor and joserfc + model validation, measured in turns.

    On a shared machine the load drifts over the minutes a full run takes, so rows measured
    one after the other can disagree by more than the effect measured. Here each round times
    the three once each over the same corpus, back to back, and the ratios are taken within a
    round; the report gives their median and range over ``rounds`` rounds.
    """
    out: dict[str, Any] = {}
    for corpus in corpora:
        n = len(corpus.messages)
        mine = ours(corpus, store, workers=1)
        least = floor(corpus)
        _, peer, _ = jws_peer(corpus)
        mine()  # warm up: imports, caches, the trust store
        over_floor, over_peer, rates = [], [], []
        for _ in range(rounds):
            a, b, c = _once(n, mine), _once(n, least), _once(n, peer)
            over_floor.append(a / b)
            over_peer.append(a / c)
            rates.append((a, b, c))
        out[corpus.alg] = {
            "ours_over_floor_median": round(statistics.median(over_floor), 3),
            "ours_over_floor_range": [round(min(over_floor), 3), round(max(over_floor), 3)],
            "ours_over_joserfc_verify_and_validate_median": round(statistics.median(over_peer), 3),
            "ours_over_joserfc_verify_and_validate_range": [
                round(min(over_peer), 3),
                round(max(over_peer), 3),
            ],
            "best_per_s": {
                "ours_1proc": round(max(r[0] for r in rates)),
                "floor": round(max(r[1] for r in rates)),
                "joserfc_verify_and_validate": round(max(r[2] for r in rates)),
            },
        }
        print(f"{corpus.alg}: {out[corpus.alg]}")
    return out


def main(argv: list[str] | None = None) -> dict[str, Any]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=10_000, help="passports per algorithm")
    parser.add_argument(
        "--stream",
        type=int,
        nargs="*",
        default=[10_000, 30_000, 100_000],
        help="streaming sizes for the memory measurement (e.g. 10000 100000 1000000)",
    )
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--no-dask", action="store_true")
    parser.add_argument("--no-pycose", action="store_true")
    parser.add_argument("--pycose-python", help="python of an environment with pycose")
    parser.add_argument("--memory-run", type=int, help=argparse.SUPPRESS)
    parser.add_argument(
        "--interleaved",
        type=int,
        metavar="ROUNDS",
        help="only measure ours / floor and ours / (joserfc + validation) in ROUNDS turns",
    )
    parser.add_argument("--out", type=Path, help="result file (default: benchmarks/results/)")
    args = parser.parse_args(argv)

    if args.memory_run:
        result = memory_run(args.memory_run, args.workers)
        print(json.dumps(result))
        return result

    if args.interleaved:
        corpora, store = make_corpora(args.n)
        result = {
            "benchmark": "bench_bulk --interleaved",
            "date": datetime.now(UTC).isoformat(timespec="seconds"),
            "machine": machine(),
            "build": "mypyc" if compiled_modules() else "pure-python",
            "compiled_modules": list(compiled_modules()),
            "n_per_algorithm": args.n,
            "rounds": args.interleaved,
            "algorithms": interleaved(corpora, store, args.interleaved),
        }
        out = args.out or RESULTS / f"bulk-interleaved-{datetime.now(UTC):%Y%m%dT%H%M%SZ}.json"
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(json.dumps(result, indent=2) + "\n")
        print(f"wrote {out}")
        return result

    cores = args.workers
    print(f"build: {', '.join(compiled_modules()) or 'pure Python'}")
    print(f"signing {args.n:,} passports for each of {', '.join(ALGS)} ...")
    corpora, store = make_corpora(args.n)
    report: dict[str, Any] = {
        "benchmark": "bench_bulk",
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": machine(),
        "n_per_algorithm": args.n,
        "build": "mypyc" if compiled_modules() else "pure-python",
        "compiled_modules": list(compiled_modules()),
        "cores_used": cores,
        "algorithms": {},
    }
    try:
        import nacl  # noqa: F401

        has_nacl = True
    except ImportError:
        has_nacl = False
    pool = ProcessPoolExecutor(cores, mp_context=_pool_context())
    list(verify_many(corpora[0].messages[: 64 * cores], trust=store, now=NOW, executor=pool))
    report["machine"]["python_loop_scaling_allcores"] = round(machine_scaling(cores), 3)
    print(f"machine: {report['machine']}")
    for corpus in corpora:
        n = len(corpus.messages)
        row: dict[str, Any] = {"cose_bytes": len(corpus.messages[0])}
        row["baseline_per_s"] = rate(n, baseline(corpus))
        row["floor_per_s"] = rate(n, floor(corpus))
        row["ours_1proc_per_s"] = rate(n, ours(corpus, store, workers=1), repeat=2)
        row["ours_allcores_per_s"] = rate(n, ours(corpus, store, workers=cores), repeat=2)
        row["ours_allcores_warm_pool_per_s"] = rate(n, ours(corpus, store, executor=pool))
        if has_nacl and corpus.alg == "EdDSA":
            row["ours_1proc_pynacl_per_s"] = rate(
                n, ours(corpus, store, workers=1, backend="pynacl")
            )
            row["ours_allcores_pynacl_per_s"] = rate(
                n, ours(corpus, store, workers=cores, backend="pynacl"), repeat=2
            )
        verify_only, verify_and_validate, jws_size = jws_peer(corpus)
        row["joserfc_verify_per_s"] = rate(n, verify_only)
        row["joserfc_verify_and_validate_per_s"] = rate(n, verify_and_validate)
        row["jws_bytes"] = jws_size
        report["algorithms"][corpus.alg] = row
        print(f"{corpus.alg}: " + ", ".join(f"{k}={v:,.0f}" for k, v in row.items()))
    pool.shutdown()
    if not args.no_dask:
        print("dask LocalCluster ...")
        for alg, value in dask_rates(corpora, store, cores).items():
            report["algorithms"][alg]["dask_allcores_per_s"] = value
    if not args.no_pycose:
        python = pycose_python(args.pycose_python)
        if python:
            limit = min(args.n, 2_000)
            peer = pycose_rates(corpora, python, limit)
            report["pycose_version"] = peer.get("version")
            report["pycose_cbor2_version"] = peer.get("cbor2")
            report["pycose_n"] = limit
            for alg, value in peer.get("rates", {}).items():
                report["algorithms"][alg]["pycose_verify_per_s"] = value
    if args.stream:
        print("streaming memory ...")
        report["memory"] = memory_series(args.stream, cores)
    report["ratios"] = ratios(report, cores)
    print(json.dumps(report["ratios"], indent=2))
    out = args.out or RESULTS / f"bulk-{datetime.now(UTC):%Y%m%dT%H%M%SZ}.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(report, indent=2) + "\n")
    print(f"wrote {out}")
    return report


def ratios(report: dict[str, Any], cores: int) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for alg, row in report["algorithms"].items():
        one = row["ours_1proc_per_s"]
        r: dict[str, Any] = {
            "ours_over_baseline_per_core": one / row["baseline_per_s"],
            "floor_over_baseline": row["floor_per_s"] / row["baseline_per_s"],
            "ours_over_floor": one / row["floor_per_s"],
            "scaling_allcores_over_1proc": row["ours_allcores_per_s"] / one,
            "scaling_warm_pool_over_1proc": row["ours_allcores_warm_pool_per_s"] / one,
            "scaling_target": 0.9 * cores,
            "machine_python_loop_scaling": report["machine"]["python_loop_scaling_allcores"],
            "ours_over_joserfc_verify_only": one / row["joserfc_verify_per_s"],
            "ours_over_joserfc_verify_and_validate": one / row["joserfc_verify_and_validate_per_s"],
            "cose_over_jws_bytes": row["cose_bytes"] / row["jws_bytes"],
        }
        if "pycose_verify_per_s" in row:
            r["ours_over_pycose"] = one / row["pycose_verify_per_s"]
        if "dask_allcores_per_s" in row:
            r["dask_over_process_pool"] = row["dask_allcores_per_s"] / row["ours_allcores_per_s"]
        if "ours_1proc_pynacl_per_s" in row:
            r["pynacl_over_cryptography_1proc"] = row["ours_1proc_pynacl_per_s"] / one
        out[alg] = {k: round(v, 3) if isinstance(v, float) else v for k, v in r.items()}
    memory = report.get("memory")
    if memory and len(memory) > 1:
        out["memory_tree_largest_n_over_smallest_n"] = round(
            memory[-1]["peak_rss_tree_mib"] / memory[0]["peak_rss_tree_mib"], 3
        )
    return out


if __name__ == "__main__":
    main()
