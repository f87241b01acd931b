"""Benchmark of the passport service over real HTTP on loopback (issue 17).

Starts ``batterypass serve`` (uvicorn) on a store filled with signed passports, and, in the same
run, a *bare* endpoint: the same ASGI server (uvicorn, same worker count and settings) and
framework (FastAPI) returning the same bytes from memory, with no store, no verification, no
view, and a bare PUT that only reads the body (the HTTP floor of an upload). The ratio
ours / bare is what the service's own work costs. Reports, for 1, 50 and 200 concurrent
clients: throughput and p50/p99 latency of the public JSON view, the public COSE presentation
and the linkset; the ingest rate of signed passports against the library's own
``verify_passport`` rate in one process (and against the bare PUT); event appends under
contention (8 writers on one passport).

Run from the repository root (with the ``service`` extra installed)::

    python benchmarks/bench_service.py [--seconds 3] [--db sqlite|postgresql] [--ingest 300]
        [--workers 1] [--client wrk|httpx]

The read load comes from ``wrk`` (Debian package ``wrk``: a C load generator, one thread)
when it is installed, else from an httpx client in this process (which then costs as much
CPU as the server: its figures are lower). The client runs on the same machine as the
servers: on a shared 2-core machine the figures are indicative only; the ratios against the
bare endpoint of the same run are what to compare. PostgreSQL needs Debian's binaries (a
throwaway cluster is started as in the tests, with its default, durable fsync settings).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import re
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


def start_service(db: str, port: int, workers: int) -> subprocess.Popen[bytes]:
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
            "--workers",
            str(workers),
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
    import os
    from fastapi import FastAPI, Request
    from starlette.responses import JSONResponse, Response

    folder = os.environ["BARE_FOLDER"]
    bodies = {}
    for name in os.listdir(folder):
        if name.endswith(".body"):
            with open(os.path.join(folder, name), "rb") as f:
                body = f.read()
            with open(os.path.join(folder, name[:-5] + ".type"), encoding="utf-8") as f:
                bodies[name[:-5]] = (body, f.read())
    app = FastAPI()

    @app.get("/bare/{name}")
    def bare(name: str) -> Response:
        body, media = bodies[name]
        return Response(body, media_type=media)

    @app.put("/bare/passports/{passport_id}", status_code=201)
    async def bare_put(passport_id: str, request: Request) -> Response:
        body = await request.body()
        return JSONResponse({"passport_id": passport_id, "version": len(body) and 1},
                            status_code=201)
    """
)


def start_bare(
    port: int, bodies: dict[str, tuple[bytes, str]], folder: Path, workers: int
) -> subprocess.Popen[bytes]:
    """The bare endpoints under uvicorn with the settings ``batterypass serve`` uses."""
    (folder / "bare_app.py").write_text(BARE, encoding="utf-8")
    for name, (body, media) in bodies.items():
        (folder / f"{name}.body").write_bytes(body)
        (folder / f"{name}.type").write_text(media, encoding="utf-8")
    return subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import sys, uvicorn; uvicorn.run('bare_app:app', app_dir=sys.argv[1], "
            "host='127.0.0.1', port=int(sys.argv[2]), workers=int(sys.argv[3]), "
            "log_level='warning', access_log=False)",
            str(folder),
            str(port),
            str(workers),
        ],
        cwd=ROOT,
        env={**env(), "BARE_FOLDER": str(folder)},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )


_UNITS = {"us": 1e-3, "ms": 1.0, "s": 1000.0, "m": 60_000.0}


def _ms(text: str) -> float:
    number, unit = re.fullmatch(r"([0-9.]+)([a-z]+)", text).groups()  # type: ignore[union-attr]
    return float(number) * _UNITS[unit]


def load_wrk(
    url: str, headers: dict[str, str], clients: int, seconds: float
) -> tuple[float, float, float, int]:
    """(requests/s, p50 ms, p99 ms, errors) from ``wrk`` (one thread, ``clients``
    keep-alive connections each sending its next request when the answer arrives)."""
    args = ["wrk", "-t1", f"-c{clients}", f"-d{max(1, round(seconds))}s", "--latency"]
    args += ["--timeout", "30s"]
    for name, value in headers.items():
        args += ["-H", f"{name}: {value}"]
    out = subprocess.run(
        [*args, url], capture_output=True, text=True, check=True, timeout=seconds + 60
    ).stdout
    rate = float(re.search(r"Requests/sec:\s+([0-9.]+)", out).group(1))  # type: ignore[union-attr]
    p50 = _ms(re.search(r"\s50%\s+(\S+)", out).group(1))  # type: ignore[union-attr]
    p99 = _ms(re.search(r"\s99%\s+(\S+)", out).group(1))  # type: ignore[union-attr]
    errors = 0
    if m := re.search(r"Non-2xx or 3xx responses:\s+(\d+)", out):
        errors += int(m.group(1))
    if m := re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out):
        errors += sum(int(x) for x in m.groups())
    return rate, p50, p99, errors


async def load_httpx(
    url: str, headers: dict[str, str], clients: int, seconds: float
) -> tuple[float, float, float, int]:
    """(requests/s, p50 ms, p99 ms, errors) of ``clients`` concurrent httpx loops in this
    process for ``seconds``."""
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


async def upload(url: str, bodies: list[bytes], token: str, uploaders: int = 8) -> float:
    """Uploads per second of ``bodies`` (``PUT url/<id of body i>``) by ``uploaders``
    concurrent httpx clients in this process."""
    queue = list(enumerate(bodies))
    async with httpx.AsyncClient(timeout=60) as client:

        async def worker() -> None:
            while queue:
                i, body = queue.pop()
                r = await client.put(
                    f"{url}/urn:uuid:00000000-0000-4000-8000-{i:012d}",
                    content=body,
                    headers={
                        "Content-Type": "application/cose",
                        "Authorization": f"Bearer {token}",
                    },
                )
                assert r.status_code == 201, r.text

        start = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(uploaders)))
        return len(bodies) / (time.perf_counter() - start)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=float, default=3.0)
    parser.add_argument("--db", choices=("sqlite", "postgresql"), default="sqlite")
    parser.add_argument("--ingest", type=int, default=300)
    parser.add_argument("--workers", type=int, default=1, help="uvicorn workers of both servers")
    parser.add_argument(
        "--client",
        choices=("wrk", "httpx"),
        default="wrk" if shutil.which("wrk") else "httpx",
        help="read load generator (default: wrk when installed)",
    )
    args = parser.parse_args()

    def load(url: str, headers: dict[str, str], clients: int) -> tuple[float, float, float, int]:
        if args.client == "wrk":
            return load_wrk(url, headers, clients, args.seconds)
        return asyncio.run(load_httpx(url, headers, clients, args.seconds))

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
    load_before = os.getloadavg()
    port = free_port()
    service = start_service(db, port, args.workers)
    base = f"http://127.0.0.1:{port}"
    procs = [service]
    try:
        # ---- ingest: distinct signed passports, 8 concurrent uploaders, against the
        # library's verify_passport in one process over the same bytes
        bodies = [sign_passport(variant(ev, i), ev_key) for i in range(args.ingest)]
        lib_rates = []
        for _ in range(3):
            t = time.perf_counter()
            for b in bodies[:200]:
                verify_passport(b, trust=trust)
            lib_rates.append(len(bodies[:200]) / (time.perf_counter() - t))
        lib_rate = max(lib_rates)
        ingest_rate = asyncio.run(upload(f"{base}/passports", bodies, ev_token))

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
        procs.append(start_bare(bare_port, same, folder, args.workers))
        bare = f"http://127.0.0.1:{bare_port}/bare"
        wait_for(f"{bare}/json", procs[-1])
        bare_put_rate = asyncio.run(upload(f"{bare}/passports", bodies, ev_token))

        print(
            f"# store: {args.db}; {args.workers} uvicorn worker(s) per server; read load: "
            f"{args.client}; {args.seconds:g} s per cell; client and servers share "
            f"{os.cpu_count()} CPUs; load average before {load_before[0]:.2f}"
        )
        print(
            "| read | clients | ours req/s | p50 ms | p99 ms | bare req/s | bare p50 ms "
            "| bare p99 ms | ours / bare |"
        )
        print("|---|---|---|---|---|---|---|---|---|")
        for name, (url, headers) in reads.items():
            for clients in (1, 50, 200):
                ours = load(url, headers, clients)
                limit = load(f"{bare}/{name}", {}, clients)
                assert ours[3] == 0, ours
                assert limit[3] == 0, limit
                print(
                    f"| {name} | {clients} | {ours[0]:.0f} | {ours[1]:.1f} | {ours[2]:.1f} | "
                    f"{limit[0]:.0f} | {limit[1]:.1f} | {limit[2]:.1f} | "
                    f"{ours[0] / limit[0]:.2f} |",
                    flush=True,
                )

        print()
        print(
            f"ingest (8 uploaders, {args.ingest} passports): {ingest_rate:.0f}/s; library "
            f"verify_passport in one process: {lib_rate:.0f}/s (ratio "
            f"{ingest_rate / lib_rate:.2f}); bare PUT of the same bodies with the same "
            f"client: {bare_put_rate:.0f}/s (ratio {ingest_rate / bare_put_rate:.2f})"
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
        print(f"load average after: {os.getloadavg()[0]:.2f}")
    finally:
        for p in procs:
            p.terminate()
            p.wait(timeout=20)
        if stop_pg is not None:
            subprocess.run(stop_pg, capture_output=True)
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
