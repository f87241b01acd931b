"""SQLite group commit (``Store`` commits the writes of concurrent threads together): every
write that returned is stored, a refused write in a group is undone alone, racing writers on
one head still get exactly one winner, and a failed commit fails the whole group."""

from __future__ import annotations

import threading
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import Connection, insert

from batterypass.service import open_store
from batterypass.service._errors import ConflictError, StoreUnavailableError
from batterypass.service._store import Store
from batterypass.service._tables import access_log

from .conftest import NOW


def _put(store: Store, pid: str, expected: int | None, i: int) -> int:
    return store.put_version(
        passport_id=pid,
        kind="signed",
        body=f"body {pid} {i}".encode(),
        issued_at=NOW + timedelta(minutes=i),
        issuer="urn:test",
        battery_id=f"urn:battery:{pid}",
        gtin=None,
        serial=None,
        predecessor_id=None,
        expected_version=expected,
        now=NOW,
    )


def _threads(n: int, target) -> list[BaseException | object]:  # type: ignore[no-untyped-def]
    results: list[BaseException | object] = [None] * n
    start = threading.Barrier(n)

    def run(i: int) -> None:
        start.wait()
        try:
            results[i] = target(i)
        except BaseException as e:  # noqa: BLE001 - collected for the assertions
            results[i] = e

    threads = [threading.Thread(target=run, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    return results


@pytest.fixture
def store(tmp_path: Path) -> Store:
    s = open_store(f"sqlite:///{tmp_path / 'g.db'}")
    assert s._group is not None  # the SQLite store commits in groups
    return s


def test_concurrent_first_versions_all_stored(store: Store) -> None:
    results = _threads(32, lambda i: _put(store, f"p{i}", None, i))
    assert results == [1] * 32
    assert store.count()["passports"] == 32
    for i in range(32):
        row = store.passport(f"p{i}")
        assert row is not None
        assert row.body == f"body p{i} {i}".encode()


def test_racing_writers_on_one_head_one_wins_and_losers_leave_nothing(store: Store) -> None:
    _put(store, "p", None, 0)
    results = _threads(16, lambda i: _put(store, "p", 1, i + 1))
    wins = [r for r in results if r == 2]
    lost = [r for r in results if isinstance(r, ConflictError)]
    assert len(wins) == 1
    assert len(lost) == 15
    assert all(e.head is not None and e.head.version == 2 for e in lost)
    assert [v.version for v in store.versions("p")] == [1, 2]
    assert store.count() == {"passports": 1, "versions": 2, "events": 0}
    # A duplicate first upload loses on the primary key, in a group with writes that win.
    results = _threads(8, lambda i: _put(store, "q" if i < 4 else f"r{i}", None, i))
    assert sum(1 for r in results if r == 1) == 5
    assert sum(1 for r in results if isinstance(r, ConflictError)) == 3
    assert store.count()["versions"] == 2 + 5


def test_a_failed_commit_fails_every_write_of_its_group(store: Store) -> None:
    group = store._group
    assert group is not None
    gate = threading.Event()
    entered = threading.Event()

    def slow(conn: Connection) -> None:
        conn.execute(
            insert(access_log).values(
                at=NOW,
                token_id="t",
                organisation_id="o",
                audience="public",
                purpose="x",
                passport_id="p",
                resource="json",
            )
        )
        entered.set()
        gate.wait(10)

    def broken(conn: Connection) -> None:
        conn.exec_driver_sql("SELECT 1")

    # The first write holds a transaction open; two more queue behind it and are committed
    # together; the commit of that group is made to fail.
    first = threading.Thread(target=lambda: group.run(slow))
    first.start()
    assert entered.wait(10)
    real_begin = store._begin
    calls = {"n": 0}

    def failing_begin():  # type: ignore[no-untyped-def]
        calls["n"] += 1
        raise StoreUnavailableError("the database is unavailable (test); retry later")

    outcomes: list[object] = []
    queued = [
        threading.Thread(target=lambda: outcomes.append(_run_catching(group, broken)))
        for _ in range(2)
    ]
    for t in queued:
        t.start()
    while len(group._pending) < 2:
        threading.Event().wait(0.01)
    store._begin = failing_begin  # type: ignore[method-assign]
    gate.set()
    first.join(10)
    for t in queued:
        t.join(10)
    store._begin = real_begin  # type: ignore[method-assign]
    assert calls["n"] == 1  # one transaction for the two queued writes
    assert len(outcomes) == 2
    assert all(isinstance(o, StoreUnavailableError) for o in outcomes)
    assert len(store.access_log()) == 1  # the first write, committed before


def _run_catching(group, work) -> object:  # type: ignore[no-untyped-def]
    try:
        return group.run(work)
    except Exception as e:  # noqa: BLE001
        return e
