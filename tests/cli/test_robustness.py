"""Regression tests for issue 22: concurrent writers, logs checked before they grow, bounded
reads, FIFOs, write-side OS errors and bulk runs that report a bad item and go on.

The concurrency tests use real parallel processes (forked, each running the CLI's ``run``
and taking its own locks), started together at a barrier and bounded in time."""

from __future__ import annotations

import json
import multiprocessing
import os
import shutil
import sys
from collections.abc import Sequence
from datetime import UTC, datetime
from multiprocessing.synchronize import Barrier
from pathlib import Path
from typing import Any

import pytest

from batterypass.cli import run
from batterypass.keys import Algorithm, PrivateKey
from batterypass.lifecycle import read_log
from batterypass.model import Role
from batterypass.verify import TrustStore, verify_many

ROOT = Path(__file__).resolve().parents[2]
LIFE = ROOT / "examples" / "lifecycle"
KEYS = ROOT / "examples" / "keys"
MAKER_KEY = str(KEYS / "ev-maker.DEMO-ONLY.key")
RECYCLER_KEY = str(KEYS / "recycler.DEMO-ONLY.key")
AT = "2040-01-01T00:00:00Z"
TIMEOUT = 120  # seconds for a whole concurrency test; a hang fails it instead of the suite

pytestmark = [
    pytest.mark.skipif(sys.platform == "win32", reason="POSIX locks and FIFOs"),
    pytest.mark.usefixtures("events_clock_2040"),  # appends after the example log's 2032
]


def _child(args: list[list[str]], barrier: Barrier, results: Any) -> None:
    barrier.wait(timeout=TIMEOUT)
    for argv in args:
        results.put(run(argv))


def _in_parallel(jobs: Sequence[list[list[str]]]) -> list[int]:
    """Run each job (a list of command lines, run in order) in its own process, all starting
    together; return every exit code."""
    ctx = multiprocessing.get_context("fork")
    barrier = ctx.Barrier(len(jobs))
    results = ctx.Queue()
    procs = [ctx.Process(target=_child, args=(job, barrier, results)) for job in jobs]
    for p in procs:
        p.start()
    codes = [results.get(timeout=TIMEOUT) for job in jobs for _ in job]
    for p in procs:
        p.join(timeout=TIMEOUT)
        if p.is_alive():  # pragma: no cover - a hang
            p.kill()
            pytest.fail("a worker process hung")
    return codes


@pytest.fixture
def life(tmp_path: Path) -> Path:
    for name in ("ev-nmc.cose", "ev-nmc.events", "stationary.cose", "stationary.events"):
        shutil.copy(LIFE / name, tmp_path / name)
    shutil.copy(LIFE / "trust.json", tmp_path / "trust.json")
    return tmp_path


# --- 1. trust add / revoke ------------------------------------------------------------------


def test_concurrent_trust_adds_and_revokes_lose_nothing(tmp_path: Path) -> None:
    n = 8
    trustfile = tmp_path / "trust.json"
    store = TrustStore()
    old_kids = []
    for i in range(n):
        key = PrivateKey.generate(Algorithm.EDDSA, kid=f"old-{i}").public_key()
        store = store.add_key(
            key,
            organisation_id="urn:org:old",
            roles=frozenset({Role.MANUFACTURER}),
            not_before=datetime(2026, 1, 1, tzinfo=UTC),
            not_after=datetime(2099, 1, 1, tzinfo=UTC),
        )
        old_kids.append(key.kid)
    store.to_file(trustfile)
    pubs = []
    for i in range(n):
        pub = tmp_path / f"new-{i}.pub"
        pub.write_bytes(PrivateKey.generate(Algorithm.EDDSA).public_key().to_pem())
        pubs.append(pub)
    revokes = [
        [["trust", "revoke", str(trustfile), kid, "--at", "2030-01-01T00:00:00Z"]]
        for kid in old_kids
    ]
    adds = [
        [["trust", "add", str(trustfile), str(p), "--role", "manufacturer", "--org", "urn:o:n"]]
        for p in pubs
    ]
    codes = _in_parallel([*revokes, *adds])
    assert codes == [0] * (2 * n)
    after = TrustStore.from_file(trustfile)
    assert len(after.keys) == 2 * n  # no add lost
    revoked = {k.kid for k in after.keys if k.revoked_at is not None}
    assert revoked == set(old_kids)  # no revocation lost
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]  # no temp files


# --- 2. events append -----------------------------------------------------------------------


def test_concurrent_appends_never_fork_the_log(life: Path) -> None:
    log = life / "new.events"
    first = [
        "events",
        "append",
        str(log),
        "--type",
        "manufactured",
        "--key",
        MAKER_KEY,
        "--passport",
        str(life / "ev-nmc.cose"),
        "--data",
        '{"country": "CN"}',
        "--at",
        "2026-11-02T00:00:00Z",
    ]
    assert run(first) == 0
    usage = [
        *["events", "append", str(log), "--type", "usage", "--key", MAKER_KEY],
        *["--data", '{"full_cycles": 100}'],  # the passport states 3
        "--no-verify-signatures",  # no trust file here: the locking is under test
    ]
    per_process = 5
    codes = _in_parallel([[usage] * per_process, [usage] * per_process])
    assert codes == [0] * (2 * per_process)
    assert len(read_log(log).messages) == 1 + 2 * per_process
    verify = [
        "events",
        "verify",
        str(log),
        "--passport",
        str(life / "ev-nmc.cose"),
        "--trust",
        str(life / "trust.json"),
        "--at",
        AT,
    ]
    assert run(verify) == 0  # one chain, no fork


# --- 3. no append or head on a broken log ---------------------------------------------------


def _append(log: Path, *extra: str) -> int:
    # Without a trust file, an append checks the structure only, and must be told so
    # (--no-verify-signatures, added deliberately when that option came).
    unchecked = [] if "--trust" in extra else ["--no-verify-signatures"]
    return run(
        [
            *["events", "append", str(log), "--type", "usage", "--key", MAKER_KEY],
            *["--data", '{"full_cycles": 9999}', *unchecked, *extra],
        ]
    )


def _open_log(life: Path, events: int = 8) -> Path:
    """The example log cut to its first ``events`` events (before its repurposing closes
    it), so that it accepts appends."""
    contents = read_log(life / "ev-nmc.events")
    log = life / "open.events"
    log.write_bytes(b"".join(contents.messages[:events]))
    return log


def test_append_and_head_refused_after_recycled(
    life: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    log = life / "stationary.events"
    before = log.read_bytes()
    assert _append(log, "--at", AT) == 1
    assert "ceased" in capsys.readouterr().err
    closed = life / "ev-nmc.events"  # ends in its repurposing
    assert _append(closed, "--at", AT) == 1
    assert "closed" in capsys.readouterr().err
    out = life / "x.head"
    head = ["events", "head", str(log), "--key", RECYCLER_KEY, "--out", str(out), "--at", AT]
    code = run([*head, "--no-verify-signatures"])  # the structure is under test
    assert code == 0  # a recycled log is whole and closed: its head may still be signed
    assert log.read_bytes() == before


def _flip_in_event(log: Path, index: int) -> None:
    contents = read_log(log)
    start = contents.offsets[index]
    end = start + len(contents.messages[index])
    data = bytearray(log.read_bytes())
    # A byte near the end of the payload (before the 64-byte signature): the event still
    # decodes, but its hash no longer matches the next event's link.
    data[end - 64 - 20] ^= 0x01
    log.write_bytes(bytes(data))


def test_append_and_head_refused_after_a_byte_flip(
    life: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    log = _open_log(life)
    control = life / "control.events"
    shutil.copy(log, control)
    assert _append(control, "--at", AT) == 0  # the unbroken log takes the event
    _flip_in_event(log, 4)
    before = log.read_bytes()
    assert _append(log, "--at", AT) in (1, 3)
    err = capsys.readouterr().err
    assert "event 4" in err or "event 5" in err, err
    head = life / "h.head"
    unchecked = "--no-verify-signatures"  # the structure check is under test
    code = run(["events", "head", str(log), "--key", MAKER_KEY, "--out", str(head), unchecked])
    assert code in (1, 3)
    assert not head.exists()
    assert log.read_bytes() == before


def test_with_trust_the_last_events_signature_is_checked(
    life: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    log = _open_log(life)
    last = len(read_log(log).messages) - 1
    trust = ["--trust", str(life / "trust.json"), "--passport", str(life / "ev-nmc.cose")]
    control = life / "control.events"
    shutil.copy(log, control)
    assert _append(control, "--at", AT, *trust) == 0
    data = bytearray(log.read_bytes())
    data[-1] ^= 0x01  # the last byte of the last signature
    log.write_bytes(bytes(data))
    # Without a trust file the structure is all that can be checked: nothing follows the
    # last event, so this flip is only visible to a signature check.
    assert _append(log, "--at", AT, *trust) == 1
    err = capsys.readouterr().err
    assert f"event {last}" in err
    assert "signature" in err


def test_future_dated_head_is_refused(
    life: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """A head dated five months ahead of the clock is refused by `events head` itself (it
    was signed, then refused by `events verify --head`); signed when the clock has reached
    its time, it is refused by a verifier whose clock is five months behind, and accepted
    once that clock has caught up."""
    from batterypass.cli import _events_cmds

    log = life / "ev-nmc.events"
    head = life / "future.head"
    sign = [
        *["events", "head", str(log), "--key", MAKER_KEY, "--out", str(head)],
        *["--at", "2040-06-01T00:00:00Z", "--no-verify-signatures"],
    ]
    assert run(sign) == 1  # the clock is pinned to AT (2040-01-01)
    err = capsys.readouterr().err
    assert "--at: the head's time 2040-06-01T00:00:00+00:00 is in the future" in err, err
    assert not head.exists()
    monkeypatch.setattr(_events_cmds, "_clock", lambda: datetime(2040, 6, 1, tzinfo=UTC))
    assert run(sign) == 0
    verify = [
        "events",
        "verify",
        str(log),
        "--passport",
        str(life / "ev-nmc.cose"),
        "--trust",
        str(life / "trust.json"),
        "--head",
        str(head),
    ]
    capsys.readouterr()
    assert run([*verify, "--at", AT]) == 1  # the head is five months ahead of the clock
    assert "the head's time 2040-06-01T00:00:00+00:00 is in the future" in capsys.readouterr().err
    assert run([*verify, "--at", "2040-07-01T00:00:00Z"]) == 0


# --- 4, 5. FIFOs, devices, bounded reads ----------------------------------------------------


@pytest.mark.parametrize(
    "argv",
    [
        ["validate", "{fifo}"],
        ["trust", "list", "{fifo}"],
        [
            "sign",
            str(ROOT / "examples" / "passports" / "ev-nmc.json"),
            "--key",
            "{fifo}",
            "--out",
            "{dir}/o.cose",
        ],
        [
            "label",
            str(ROOT / "examples" / "passports" / "ev-nmc.json"),
            "--out",
            "{dir}/l.svg",
            "--scheme",
            "{fifo}.json",
        ],
        ["events", "show", "{fifo}"],
        ["events", "append", "{fifo}", "--type", "usage", "--key", MAKER_KEY],
        ["import", "{fifo}", "--out", "{dir}/i.json"],
    ],
)
def test_fifos_and_devices_are_refused_without_hanging(
    argv: list[str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    fifo = tmp_path / "in"
    os.mkfifo(fifo)
    os.mkfifo(tmp_path / "in.json")
    args = [a.format(fifo=fifo, dir=tmp_path) for a in argv]
    # A hang would block here forever: run in a child bounded in time.
    ctx = multiprocessing.get_context("fork")
    results = ctx.Queue()
    barrier = ctx.Barrier(1)
    p = ctx.Process(target=_child, args=([args], barrier, results))
    p.start()
    p.join(timeout=60)
    if p.is_alive():
        p.kill()
        pytest.fail(f"{args} hung on a FIFO")
    assert results.get(timeout=5) == 2
    for device in ("/dev/zero",):
        if os.path.exists(device):
            dev_args = [a.replace(str(fifo), device) for a in args]
            if any(a == device for a in dev_args):
                assert run(dev_args) == 2
                captured = capsys.readouterr()
                assert "character device" in captured.err + captured.out


# --- 9. write-side OS errors ----------------------------------------------------------------


def test_write_side_errors_exit_2_with_path(life: Path, capsys: pytest.CaptureFixture[str]) -> None:
    cases = {
        "missing directory": life / "no" / "such" / "dir.events",
        "through a file": life / "ev-nmc.cose" / "x.events",
        "/dev/null": Path("/dev/null"),
    }
    dangling = life / "dangling.events"
    dangling.symlink_to(life / "nowhere" / "x.events")
    cases["dangling symlink"] = dangling
    for what, log in cases.items():
        code = _append(log, "--passport", str(life / "ev-nmc.cose"), "--at", AT)
        err = capsys.readouterr().err
        assert code == 2, (what, err)
        assert str(log) in err, (what, err)
        assert "internal error" not in err
    passport = str(ROOT / "examples" / "passports" / "ev-nmc.json")
    code = run(
        [
            "export",
            passport,
            "--format",
            "battery-pass-dm",
            "--out",
            str(life / "ev-nmc.cose" / "d"),
        ]
    )
    err = capsys.readouterr().err
    assert code == 2, err
    assert "ev-nmc.cose" in err


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes into read-only directories")
def test_read_only_targets(life: Path, capsys: pytest.CaptureFixture[str]) -> None:
    ro = life / "ro"
    ro.mkdir()
    shutil.copy(life / "ev-nmc.events", ro / "ev-nmc.events")
    os.chmod(ro / "ev-nmc.events", 0o444)
    os.chmod(ro, 0o555)
    try:
        assert _append(ro / "ev-nmc.events", "--at", AT) == 2
        report = ro / "r.jsonl"
        code = run(
            [
                "bulk-verify",
                str(life / "ev-nmc.cose"),
                "--trust",
                str(life / "trust.json"),
                "--report",
                str(report),
                "--workers",
                "1",
            ]
        )
        assert code == 2
        assert "internal error" not in capsys.readouterr().err
    finally:
        os.chmod(ro, 0o755)


# --- bulk runs ------------------------------------------------------------------------------


def test_bulk_verify_reports_a_fifo_and_a_json_file_and_goes_on(
    life: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    items = life / "items"
    items.mkdir()
    shutil.copy(life / "ev-nmc.cose", items / "a.cose")
    os.mkfifo(items / "b.cose")
    shutil.copy(ROOT / "examples" / "passports" / "ev-nmc.json", items / "c.cose")
    shutil.copy(life / "ev-nmc.cose", items / "d.cose")
    report = life / "report.jsonl"
    code = run(
        [
            "bulk-verify",
            str(items),
            "--trust",
            str(life / "trust.json"),
            "--report",
            str(report),
            "--workers",
            "1",
            "--json",
        ]
    )
    assert code == 1
    doc = json.loads(capsys.readouterr().out)
    assert doc["total"] == 4
    assert doc["verified"] == 2
    lines = [json.loads(line) for line in report.read_text().splitlines()]
    by_name = {Path(line["source"]).name: line for line in lines}
    assert by_name["b.cose"]["code"] == "unreadable"
    assert "FIFO" in by_name["b.cose"]["message"]
    assert "JSON text" in by_name["c.cose"]["message"]
    assert by_name["a.cose"]["ok"]
    assert by_name["d.cose"]["ok"]
    assert not [p for p in life.iterdir() if p.name.startswith(".report")]


def test_verify_many_reports_unsendable_items_alone() -> None:
    signed = (LIFE / "ev-nmc.cose").read_bytes()
    trust = TrustStore.from_file(LIFE / "trust.json")
    items: list[Any] = [signed] * 5 + [memoryview(signed), object(), bytearray(signed)] + [signed]
    results = list(verify_many(items, trust=trust, workers=2, chunksize=4))
    assert [r.index for r in results] == list(range(len(items)))
    failed = [r for r in results if not r.ok]
    assert [(r.index, r.code) for r in failed] == [(6, "unsupported-item")]
    assert "object" in (failed[0].message or "")


def test_repair_refuses_a_file_that_is_not_a_torn_log(
    life: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    passport = life / "passport.json"
    shutil.copy(ROOT / "examples" / "passports" / "ev-nmc.json", passport)
    before = passport.read_bytes()
    assert run(["events", "repair", str(passport)]) == 1
    assert "does not look like a torn event log" in capsys.readouterr().err
    assert passport.read_bytes() == before  # not cut to nothing
    log = _open_log(life)
    whole = log.read_bytes()
    log.write_bytes(whole + (LIFE / "ev-nmc.events").read_bytes()[len(whole) :][:40])
    assert run(["events", "repair", str(log)]) == 0  # a real torn tail is still cut
    assert log.read_bytes() == whole


# --- 7, 8. numbers over 4300 digits and deep nesting in a passport, in every command --------

_PASSPORT = ROOT / "examples" / "passports" / "ev-nmc.json"


@pytest.mark.parametrize(
    "argv",
    [
        ["validate", "{f}"],
        ["show", "{f}"],
        ["completeness", "{f}"],
        ["recycling", "{f}"],
        ["label", "{f}", "--out", "{d}/l.svg"],
        ["sign", "{f}", "--key", MAKER_KEY, "--out", "{d}/s.cose"],
        ["issue-disclosable", "{f}", "--key", MAKER_KEY, "--out", "{d}/d.cose"],
        ["export", "{f}", "--format", "battery-pass-dm", "--out", "{d}/dm"],
        ["qr", "{f}", "--out", "{d}/q.svg"],
        ["convert", "{f}", "{d}/o.cbor"],
    ],
)
@pytest.mark.parametrize("kind", ["big-int", "deep"])
def test_passport_commands_exit_3_with_the_path(
    argv: list[str], kind: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    text = _PASSPORT.read_text(encoding="utf-8")
    value = "7" * 4301 if kind == "big-int" else "[" * 100_000 + "]" * 100_000
    bad = tmp_path / "p.json"
    bad.write_text(text.replace("{", '{"x": ' + value + ",", 1), encoding="utf-8")
    code = run([a.format(f=bad, d=tmp_path) for a in argv])
    captured = capsys.readouterr()
    out = captured.err + captured.out
    assert code == 3, out
    assert "internal error" not in out
    if kind == "big-int":
        assert ": x: number with 4301 digits" in out, out
    else:
        assert "nested too deeply" in out, out
