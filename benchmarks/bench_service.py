"""Benchmark of the passport service over real HTTP on loopback (issue 17).

Starts ``batterypass serve`` (uvicorn, one worker) on a store filled with signed passports, and,
in the same run, a *bare* endpoint: the same ASGI server (uvicorn) and framework (FastAPI)
returning the same bytes from memory, with no store, no verification, no view. The ratio
ours / bare is what the service's work costs. Reports, for 1, 50 and 200 concurrent clients:
throughput and p50/p99 latency of the public JSON view, the public COSE presentation and the
linkset; the ingest rate of signed passports against the library's own ``verify_passport``
rate in one process; event appends under contention (8 writers on one passport).

Run from the repository root (with the ``service`` extra installed)::

    python benchmarks/bench_service.py [--seconds 3] [--db sqlite|postgresql] [--ingest 300]

The client runs on the same machine as the servers: on a shared 2-core machine the figures are
indicative only; the ratios against the bare endpoint of the same run are what to compare.
PostgreSQL needs Debian's binaries (a throwaway cluster is started as in the tests).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import textwrap
import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from batterypass.codec import json as bp_json  # noqa: E402
from batterypass.cose import sign_passport  # noqa: E402
from batterypass.disclosure import issue_disclosable  # noqa: E402
from batterypass.keys import PrivateKey  # noqa: E402
from batterypass.lifecycle import next_event, parse_log, sign_event  # noqa: E402
from batterypass.model import Audience, BatteryPassport  # noqa: E402
from batterypass.service import make_token, open_store  # noqa: E402
from batterypass.verify import TrustStore, verify_passport  # noqa: E402

EXAMPLES = ROOT / "examples"
EV_ISSUER = "urn:lei:529900DEMO0EXAMPLE01"
BIKE_ISSUER = "urn:lei:529900DEMO0EXAMPLE03"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_for(url: str, proc: subprocess.Popen[bytes], timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit(
                f"server exited: {proc.stderr.read().decode()[-2000:] if proc.stderr else ''}"
            )
        try:
            httpx.get(url, timeout=1)
            return
        except httpx.HTTPError:
            time.sleep(0.1)
    raise SystemExit(f"no answer from {url}")


def env() -> dict[str, str]:
    e = dict(os.environ)
    e["PYTHONPATH"] = str(ROOT / "src") + os.pathsep + e.get("PYTHONPATH", "")
    return e


def start_service(db: str, port: int) -> subprocess.Popen[bytes]:
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "batterypass",
            "serve",
            "--db",
            db,
            "--trust",
            str(EXAMPLES / "trust.json"),
            "--port",
            str(port),
        ],
        cwd=ROOT,
        env=env(),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    wait_for(f"http://127.0.0.1:{port}/trust.json", proc)
    return proc


BARE = textwrap.dedent(
    """
    import sys
    import uvicorn
    from fastapi import FastAPI
    from starlette.responses import Response

    bodies = {name: open(path, "rb").read() for name, path in
              (a.split("=", 1) for a in sys.argv[2:])}
    app = FastAPI()

    @app.get("/bare/{name}")
    def bare(name: str) -> Response:
        media, _, key = name.partition(".")
        return Response(bodies[name], media_type=bodies[name + ".type"].decode())

    uvicorn.run(app, host="127.0.0.1", port=int(sys.argv[1]), log_level="warning",
                access_log=False)
    """
)


def start_bare(
    port: int, bodies: dict[str, tuple[bytes, str]], folder: Path
) -> subprocess.Popen[bytes]:
    args = []
    for name, (body, media) in bodies.items():
        (folder / name).write_bytes(body)
        (folder / f"{name}.type").write_bytes(media.encode())
        args += [f"{name}={folder / name}", f"{name}.type={folder / (name + '.type')}"]
    proc = subprocess.Popen(
        [sys.executable, "-c", BARE, str(port), *args],
        cwd=ROOT,
        env=env(),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    wait_for(f"http://127.0.0.1:{port}/bare/json", proc)
    return proc


async def load(
    url: str, headers: dict[str, str], clients: int, seconds: float
) -> tuple[float, float, float, int]:
    """(requests/s, p50 ms, p99 ms, errors) of ``clients`` concurrent loops for ``seconds``."""
    latencies: list[float] = []
    errors = 0
    limits = httpx.Limits(max_connections=clients, max_keepalive_connections=clients)
    async with httpx.AsyncClient(limits=limits, timeout=30) as client:
        end = time.perf_counter() + seconds

        async def one() -> None:
            nonlocal errors
            while time.perf_counter() < end:
                t = time.perf_counter()
                r = await client.get(url, headers=headers)
                latencies.append(time.perf_counter() - t)
                if r.status_code != 200:
                    errors += 1

        start = time.perf_counter()
        await asyncio.gather(*(one() for _ in range(clients)))
        elapsed = time.perf_counter() - start
    latencies.sort()
    p50 = statistics.median(latencies) * 1000
    p99 = latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))] * 1000
    return len(latencies) / elapsed, p50, p99, errors


def variant(base: BatteryPassport, i: int) -> BatteryPassport:
    return base.model_copy(
        update={
            "passport_id": f"urn:uuid:00000000-0000-4000-8000-{i:012d}",
            "battery_id": f"https://id.example-cells.example/01/09506000134352/21/B-{i:08d}",
        }
    )


def start_pg(folder: Path) -> tuple[str, list[str], Path]:
    found = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"))
    if not found:
        raise SystemExit("PostgreSQL binaries not found (apt-get install postgresql)")
    bindir = found[-1].parent
    run_as = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
    if run_as:
        shutil.chown(folder, "postgres", "postgres")
    subprocess.run(
        [
            *run_as,
            str(bindir / "initdb"),
            "-D",
            str(folder / "data"),
            "-A",
            "trust",
            "-U",
            "postgres",
            "--no-sync",
        ],
        check=True,
        capture_output=True,
    )
    subprocess.run(
        [
            *run_as,
            str(bindir / "pg_ctl"),
            "-D",
            str(folder / "data"),
            "-w",
            "-l",
            str(folder / "log"),
            "-o",
            f"-c listen_addresses='' -c unix_socket_directories='{folder}' -c max_connections=300",
            "start",
        ],
        check=True,
        capture_output=True,
    )
    return (
        f"postgresql+psycopg://postgres@/postgres?host={folder}",
        [*run_as, str(bindir / "pg_ctl"), "-D", str(folder / "data"), "-m", "fast", "stop"],
        bindir,
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=float, default=3.0)
    parser.add_argument("--db", choices=("sqlite", "postgresql"), default="sqlite")
    parser.add_argument("--ingest", type=int, default=300)
    args = parser.parse_args()

    folder = Path(tempfile.mkdtemp(prefix="bp-bench-"))
    stop_pg: list[str] | None = None
    if args.db == "sqlite":
        db = f"sqlite:///{folder / 'bench.db'}"
    else:
        pg_folder = Path(tempfile.mkdtemp(prefix="bp-bench-pg-"))
        db, stop_pg, _ = start_pg(pg_folder)
    trust = TrustStore.from_file(EXAMPLES / "trust.json")
    ev_key = PrivateKey.from_file(EXAMPLES / "keys" / "ev-maker.DEMO-ONLY.key")
    bike_key = PrivateKey.from_file(EXAMPLES / "keys" / "ebike-maker.DEMO-ONLY.key")
    ev = bp_json.loads((EXAMPLES / "passports" / "ev-nmc.json").read_bytes())
    bike = bp_json.loads((EXAMPLES / "passports" / "lmt-ebike.json").read_bytes())

    store = open_store(db)
    now = datetime.now(UTC)
    ev_token, _ = make_token(
        store, audience=Audience.PUBLIC, organisation_id=EV_ISSUER, purpose="bench", now=now
    )
    bike_token, _ = make_token(
        store, audience=Audience.PUBLIC, organisation_id=BIKE_ISSUER, purpose="bench", now=now
    )
    li_token, _ = make_token(
        store,
        audience=Audience.LEGITIMATE_INTEREST,
        organisation_id="urn:bench",
        purpose="bench",
        now=now,
    )
    store.close()
    port = free_port()
    service = start_service(db, port)
    base = f"http://127.0.0.1:{port}"
    procs = [service]
    try:
        # ---- ingest: distinct signed passports, 8 concurrent uploaders
        bodies = [sign_passport(variant(ev, i), ev_key) for i in range(args.ingest)]
        t = time.perf_counter()
        for b in bodies[:100]:
            verify_passport(b, trust=trust)
        lib_rate = 100 / (time.perf_counter() - t)

        async def ingest() -> float:
            queue = list(enumerate(bodies))
            async with httpx.AsyncClient(timeout=60) as client:

                async def worker() -> None:
                    while queue:
                        i, body = queue.pop()
                        r = await client.put(
                            f"{base}/passports/urn:uuid:00000000-0000-4000-8000-{i:012d}",
                            content=body,
                            headers={
                                "Content-Type": "application/cose",
                                "Authorization": f"Bearer {ev_token}",
                            },
                        )
                        assert r.status_code == 201, r.text

                start = time.perf_counter()
                await asyncio.gather(*(worker() for _ in range(8)))
                return len(bodies) / (time.perf_counter() - start)

        ingest_rate = asyncio.run(ingest())

        # ---- the read subjects: EV JSON view, e-bike public presentation, EV linkset
        with httpx.Client(timeout=30) as client:
            r = client.put(
                f"{base}/passports/{bike.passport_id}",
                content=issue_disclosable(bike, bike_key).to_bytes(),
                headers={
                    "Content-Type": "application/cose",
                    "Authorization": f"Bearer {bike_token}",
                },
            )
            assert r.status_code == 201, r.text
            pid = "urn:uuid:00000000-0000-4000-8000-000000000000"
            reads = {
                "json": (f"{base}/passports/{pid}", {"Accept": "application/json"}),
                "cose": (f"{base}/passports/{bike.passport_id}", {"Accept": "application/cose"}),
                "linkset": (f"{base}/passports/{pid}", {"Accept": "application/linkset+json"}),
            }
            same = {}
            for name, (url, headers) in reads.items():
                r = client.get(url, headers=headers)
                assert r.status_code == 200, r.text
                same[name] = (r.content, r.headers["content-type"])
        bare_port = free_port()
        procs.append(start_bare(bare_port, same, folder))
        bare = f"http://127.0.0.1:{bare_port}/bare"

        print(
            f"# store: {args.db}; {args.seconds:g} s per cell; client and servers share a machine"
        )
        print(
            "| read | clients | ours req/s | p50 ms | p99 ms | bare req/s | bare p99 ms "
            "| ours / bare |"
        )
        print("|---|---|---|---|---|---|---|---|")
        for name, (url, headers) in reads.items():
            for clients in (1, 50, 200):
                ours = asyncio.run(load(url, headers, clients, args.seconds))
                limit = asyncio.run(load(f"{bare}/{name}", {}, clients, args.seconds))
                assert ours[3] == 0, ours
                assert limit[3] == 0, limit
                print(
                    f"| {name} | {clients} | {ours[0]:.0f} | {ours[1]:.1f} | {ours[2]:.1f} | "
                    f"{limit[0]:.0f} | {limit[2]:.1f} | {ours[0] / limit[0]:.2f} |"
                )

        print()
        print(
            f"ingest (8 uploaders, {args.ingest} passports): {ingest_rate:.0f}/s; library "
            f"verify_passport in one process: {lib_rate:.0f}/s; ratio {ingest_rate / lib_rate:.2f}"
        )

        # ---- event appends under contention: 8 writers on one passport
        signed0 = bodies[0]
        t0 = ev.issued_at
        counts = {"201": 0, "409": 0, "other": 0}
        errors: list[str] = []
        lock = threading.Lock()
        stop_at = time.perf_counter() + args.seconds * 2

        def writer(n: int) -> None:
            with httpx.Client(timeout=30) as client:
                while time.perf_counter() < stop_at:
                    log = list(
                        parse_log(
                            client.get(
                                f"{pid_url}/events", headers={"Authorization": f"Bearer {li_token}"}
                            ).content
                        ).messages
                    )
                    e = next_event(
                        log,
                        event_type="usage",
                        payload={"full_cycles": 1000 + len(log)},
                        actor=EV_ISSUER,
                        time=t0 + timedelta(minutes=len(log) + 1),
                        signed_passport=signed0,
                    )
                    r = client.post(
                        f"{pid_url}/events",
                        content=sign_event(e, ev_key),
                        headers={
                            "Content-Type": "application/cose",
                            "Authorization": f"Bearer {ev_token}",
                        },
                    )
                    key = str(r.status_code) if r.status_code in (201, 409) else "other"
                    if key == "other" and not errors:
                        errors.append(r.text)
                    with lock:
                        counts[key] += 1

        pid_url = f"{base}/passports/{pid}"
        start = time.perf_counter()
        threads = [threading.Thread(target=writer, args=(n,)) for n in range(8)]
        for th in threads:
            th.start()
        for th in threads:
            th.join()
        elapsed = time.perf_counter() - start
        print(
            f"event appends, 8 writers on one passport for {elapsed:.1f} s: {counts['201']} "
            f"accepted ({counts['201'] / elapsed:.1f}/s), {counts['409']} lost a race (409), "
            f"{counts['other']} other {errors[:1]}"
        )
    finally:
        for p in procs:
            p.terminate()
            p.wait(timeout=20)
        if stop_pg is not None:
            subprocess.run(stop_pg, capture_output=True)
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
