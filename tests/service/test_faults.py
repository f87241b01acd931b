"""Faults: the database going away and coming back; a server killed with SIGKILL in the
middle of an ingest loop, then restarted."""

from __future__ import annotations

import os
import signal
import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest

from batterypass.cose import sign_passport
from batterypass.keys import PrivateKey
from batterypass.lifecycle import next_event, parse_log, sign_event
from batterypass.model import Audience, BatteryPassport
from batterypass.service import make_token, open_store
from batterypass.verify import verify_events, verify_passport

from ._server import free_port, start_server, stop_server
from .conftest import EV_ISSUER, EXAMPLES, PgCluster, Service, load_example

EV_ID = "urn:uuid:6f1c2a7e-3b4d-4e8f-9a10-2b3c4d5e6f70"
COSE = {"Content-Type": "application/cose"}


def _variant(base: BatteryPassport, i: int) -> BatteryPassport:
    """The example passport as the i-th battery of its model (own id and serial)."""
    return base.model_copy(
        update={
            "passport_id": f"urn:uuid:00000000-0000-4000-8000-{i:012d}",
            "battery_id": f"https://id.example-cells.example/01/09506000134352/21/EVP75-{i:06d}",
        }
    )


def test_database_going_away_gives_503_then_recovers(
    service: Service, keys: dict[str, PrivateKey], db_url: str, request: pytest.FixtureRequest
) -> None:
    signed = sign_passport(load_example("ev-nmc"), keys["ev-maker"])
    auth = service.token(EV_ISSUER)
    assert (
        service.client.put(
            f"/passports/{EV_ID}", content=signed, headers={**COSE, **auth}
        ).status_code
        == 201
    )
    if db_url.startswith("sqlite"):
        path = Path(db_url.removeprefix("sqlite:///"))
        service.store.engine.dispose()
        moved = [p for p in path.parent.iterdir() if p.name.startswith(path.name)]
        for p in moved:
            p.rename(p.with_name(p.name + ".away"))
        path.write_bytes(b"this is not a database file " * 100)

        def back() -> None:
            service.store.engine.dispose()
            path.unlink()
            for p in moved:
                p.with_name(p.name + ".away").rename(p)
    else:
        cluster: PgCluster = request.getfixturevalue("pg_cluster")
        cluster.stop()
        back = cluster.start
    try:
        for path_ in (f"/passports/{EV_ID}", f"/passports/{EV_ID}/head"):
            r = service.client.get(path_)
            assert r.status_code == 503, r.text
            assert r.headers["content-type"] == "application/problem+json"
            assert r.json()["code"] == "store-unavailable"
            assert r.headers["retry-after"]
        r = service.client.put(f"/passports/{EV_ID}", content=signed, headers={**COSE, **auth})
        assert r.status_code == 503
    finally:
        back()
    # Back: the same app answers again, with what was stored before.
    r = service.client.get(f"/passports/{EV_ID}/head")
    assert r.status_code == 200, r.text
    assert r.json()["version"] == 1


def _ingest_until_killed(
    base: str, bodies: list[tuple[str, bytes]], token: str, acked: list[str], stop: threading.Event
) -> None:
    with httpx.Client(timeout=10) as client:
        for pid, body in bodies:
            if stop.is_set():
                return
            try:
                r = client.put(
                    f"{base}/passports/{pid}",
                    content=body,
                    headers={**COSE, "Authorization": f"Bearer {token}"},
                )
            except httpx.HTTPError:
                return
            if r.status_code in (200, 201):
                acked.append(pid)


def test_kill_9_during_ingest_then_restart(
    db_url: str,
    keys: dict[str, PrivateKey],
    trust,  # type: ignore[no-untyped-def]
) -> None:
    base_passport = load_example("ev-nmc")
    bodies = [
        (
            f"urn:uuid:00000000-0000-4000-8000-{i:012d}",
            sign_passport(_variant(base_passport, i), keys["ev-maker"]),
        )
        for i in range(400)
    ]
    store = open_store(db_url)
    token, _ = make_token(
        store,
        audience=Audience.PUBLIC,
        organisation_id=EV_ISSUER,
        purpose="ingest",
        now=datetime.now(UTC),
    )
    store.close()
    args = ["--db", db_url, "--trust", str(EXAMPLES / "trust.json")]
    port = free_port()
    proc = start_server(args, port=port)
    acked: list[str] = []
    stop = threading.Event()
    worker = threading.Thread(
        target=_ingest_until_killed,
        args=(f"http://127.0.0.1:{port}", bodies, token, acked, stop),
    )
    worker.start()
    deadline = time.monotonic() + 60
    while len(acked) < 30 and time.monotonic() < deadline and worker.is_alive():
        time.sleep(0.02)
    os.kill(proc.pid, signal.SIGKILL)  # in the middle of the loop
    proc.wait(timeout=20)
    stop.set()
    worker.join(timeout=30)
    for stream in (proc.stdout, proc.stderr):
        if stream is not None:
            stream.close()
    assert len(acked) >= 30, "the loop did not get going before the kill"
    assert len(acked) < len(bodies), "the kill came after the loop ended"
    # Restart on the same store: every acknowledged write is there and verifies; whatever
    # else is there is whole (a verified passport with its version row), never half-written.
    port = free_port()
    proc = start_server(args, port=port)
    try:
        base = f"http://127.0.0.1:{port}"
        wanted = dict(bodies)
        for pid in acked:
            r = httpx.get(
                f"{base}/passports/{pid}?format=cose",
                headers={"Authorization": f"Bearer {token}"},
                timeout=10,
            )
            assert r.status_code == 200, (pid, r.text)
            assert r.content == wanted[pid]
            verify_passport(r.content, trust=trust)
    finally:
        stop_server(proc)
    store = open_store(db_url)
    try:
        counts = store.count()
        assert counts["passports"] == counts["versions"]
        assert counts["versions"] >= len(acked)
        for change in store.changes(0, 10_000):
            assert change.body == wanted[change.passport_id]
    finally:
        store.close()


def test_event_appends_under_contention_never_fork(
    service: Service,
    keys: dict[str, PrivateKey],
    trust,  # type: ignore[no-untyped-def]
) -> None:
    signed = sign_passport(load_example("ev-nmc"), keys["ev-maker"])
    auth = service.token(EV_ISSUER)
    service.client.put(f"/passports/{EV_ID}", content=signed, headers={**COSE, **auth})
    t0 = load_example("ev-nmc").issued_at
    # Eight writers, each building its own next event on whatever head it last saw.
    statuses: list[int] = []
    lock = threading.Lock()

    def writer(n: int) -> None:
        for _ in range(6):
            r = service.client.get(f"/passports/{EV_ID}/events", headers=service_li)
            log = list(parse_log(r.content).messages)
            event = next_event(
                log,
                event_type="usage",
                payload={"full_cycles": 10 * len(log) + n},
                actor=EV_ISSUER,
                time=t0 + timedelta(hours=len(log) + 1),
                signed_passport=signed,
            )
            body = sign_event(event, keys["ev-maker"])
            r = service.client.post(
                f"/passports/{EV_ID}/events", content=body, headers={**COSE, **auth}
            )
            with lock:
                statuses.append(r.status_code)

    service_li = service.token("urn:repairer", Audience.LEGITIMATE_INTEREST)
    threads = [threading.Thread(target=writer, args=(n,)) for n in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert set(statuses) <= {201, 409, 422}, statuses
    won = statuses.count(201)
    assert won >= 1
    stored = parse_log(service.client.get(f"/passports/{EV_ID}/events", headers=service_li).content)
    # Exactly the accepted events, one chain, every link verified.
    assert len(stored.messages) == won
    report = verify_events(stored.messages, trust=trust, passport=signed, at=service.clock())
    assert [v.event.sequence for v in report.events] == list(range(won))
