"""The events and successor commands, through batterypass.cli.run and one real subprocess."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest

from batterypass.cli import run

ROOT = Path(__file__).resolve().parents[2]
LIFE = ROOT / "examples" / "lifecycle"
KEYS = ROOT / "examples" / "keys"
AT = "2040-01-01T00:00:00Z"


@pytest.fixture
def life(tmp_path: Path) -> Path:
    for name in (
        "ev-nmc.cose",
        "ev-nmc.events",
        "stationary.cose",
        "stationary.events",
        "stationary.head",
        "trust.json",
    ):
        shutil.copy(LIFE / name, tmp_path / name)
    return tmp_path


def _verify(d: Path, log: str = "ev-nmc.events", passport: str = "ev-nmc.cose", *extra: str) -> int:
    return run(
        [
            "events",
            "verify",
            str(d / log),
            "--passport",
            str(d / passport),
            "--trust",
            str(d / "trust.json"),
            "--at",
            AT,
            *extra,
        ]
    )


def test_verify_example(life: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert _verify(life) == 0
    assert "verified: 10 event(s)" in capsys.readouterr().out
    code = _verify(
        life,
        "stationary.events",
        "stationary.cose",
        "--head",
        str(life / "stationary.head"),
        "--original-passport",
        str(life / "ev-nmc.cose"),
        "--original-log",
        str(life / "ev-nmc.events"),
        "--json",
    )
    assert code == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["ceased"] is True
    assert doc["status"] == "waste"
    assert doc["head"]["count"] == 6


@pytest.mark.usefixtures("events_clock_2040")  # the head is dated 2026-12-06
def test_append_show_head_and_truncation(life: Path, capsys: pytest.CaptureFixture[str]) -> None:
    log = life / "new.events"
    maker = str(KEYS / "ev-maker.DEMO-ONLY.key")
    # No trust file here: the appends check the log's structure only, and must be told so
    # (--no-verify-signatures; an append without --trust is otherwise refused).
    base = ["events", "append", str(log), "--key", maker, "--no-verify-signatures"]
    assert (
        run(
            [
                *base,
                "--type",
                "usage",
                "--data",
                '{"full_cycles": 5}',
                "--at",
                "2026-12-01T00:00:00Z",
            ]
        )
        == 2
    )  # first event needs --passport
    assert (
        run(
            [
                *base,
                "--type",
                "manufactured",
                "--data",
                '{"country": "CN"}',
                "--at",
                "2026-12-01T00:00:00Z",
                "--passport",
                str(life / "ev-nmc.cose"),
            ]
        )
        == 0
    )
    data = life / "usage.json"
    data.write_text('{"full_cycles": 12, "energy_throughput_kwh": 850.5}')
    assert (
        run([*base, "--type", "usage", "--data", f"@{data}", "--at", "2026-12-05T00:00:00Z"]) == 0
    )
    assert (
        run(
            [
                *base,
                "--type",
                "usage",
                "--data",
                '{"full_cycles": 3}',
                "--at",
                "2026-12-04T00:00:00Z",
            ]
        )
        == 1
    )  # before the last event
    head = life / "new.head"
    assert (
        run(
            [
                "events",
                "head",
                str(log),
                "--key",
                maker,
                "--out",
                str(head),
                "--at",
                "2026-12-06T00:00:00Z",
                "--no-verify-signatures",  # no trust file here (the structure checked only)
            ]
        )
        == 0
    )
    capsys.readouterr()
    assert run(["events", "show", str(log), "--json"]) == 0
    shown = json.loads(capsys.readouterr().out)
    assert [e["type"] for e in shown["events"]] == ["manufactured", "usage"]
    assert shown["events"][1]["payload"]["energy_throughput_kwh"] == "850.5"
    assert _verify(life, "new.events", "ev-nmc.cose", "--head", str(head)) == 0
    # Truncate to the first event: the head names it.
    first = log.read_bytes()
    from batterypass.lifecycle import parse_log

    log.write_bytes(parse_log(first).messages[0])
    capsys.readouterr()
    assert _verify(life, "new.events", "ev-nmc.cose", "--head", str(head), "--json") == 1
    err = capsys.readouterr().err
    assert "truncated" in err


def test_torn_tail_show_verify_repair(life: Path, capsys: pytest.CaptureFixture[str]) -> None:
    log = life / "ev-nmc.events"
    whole = log.read_bytes()
    log.write_bytes(whole + b"\xd2\x84\x43\xa1")  # an append cut short
    assert _verify(life) == 1
    assert "torn tail" in capsys.readouterr().err
    assert run(["events", "show", str(log)]) == 1
    assert (
        run(
            [
                "events",
                "append",
                str(log),
                "--type",
                "inspected",
                "--data",
                '{"passed": true}',
                "--key",
                str(KEYS / "ev-maker.DEMO-ONLY.key"),
            ]
        )
        == 1
    )
    capsys.readouterr()
    assert run(["events", "repair", str(log)]) == 0
    assert "cutting 4 byte(s)" in capsys.readouterr().err
    assert log.read_bytes() == whole
    assert run(["events", "repair", str(log)]) == 2  # not torn: refused
    assert _verify(life) == 0


def test_tampered_log_names_the_event(life: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from batterypass.lifecycle import parse_log

    log = life / "ev-nmc.events"
    messages = list(parse_log(log.read_bytes()).messages)
    del messages[4]
    log.write_bytes(b"".join(messages))
    assert _verify(life, "ev-nmc.events", "ev-nmc.cose", "--json") == 1
    err = capsys.readouterr().err
    assert "event 4" in err
    assert "dropped" in err


def test_types(capsys: pytest.CaptureFixture[str]) -> None:
    assert run(["events", "types", "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert "recycled" in doc["types"]
    assert "recovered" in doc["types"]["recycled"]["properties"]
    assert run(["events", "types"]) == 0
    assert "state_of_health" in capsys.readouterr().out


def test_successor(life: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = life / "new.json"
    args = [
        "successor",
        str(life / "ev-nmc.cose"),
        str(life / "ev-nmc.events"),
        "--status",
        "repurposed",
        "--operator",
        "urn:lei:529900DEMO0REPURP01",
        "--at",
        "2032-09-02T08:00:00Z",
        "--out",
        str(out),
        "--data",
        '{"general": {"category": "industrial", "stationary_energy_storage": true},'
        ' "performance": {"capacity_threshold_for_exhaustion_percent": null}}',
    ]
    assert run(args) == 0
    doc = json.loads(out.read_text())
    expected = json.loads((LIFE / "stationary.json").read_text())
    assert doc["predecessor_last_event_sha256"] == expected["predecessor_last_event_sha256"]
    assert doc["passport_id"] == expected["passport_id"]  # the one the event names
    assert run([*args[:3], "--status", "remanufactured", *args[5:], "--force"]) == 1
    assert run(args) == 2  # exists already


def test_subprocess(life: Path) -> None:
    env = {**os.environ, "NO_COLOR": "1"}
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "batterypass",
            "events",
            "verify",
            str(life / "ev-nmc.events"),
            "--passport",
            str(life / "ev-nmc.cose"),
            "--trust",
            str(life / "trust.json"),
            "--at",
            AT,
            "--json",
        ],
        capture_output=True,
        text=True,
        env=env,
        check=False,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["events"] == 10


def test_a_bad_payload_names_its_source_then_the_field(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A payload error says where the payload came from (``--data`` or the @FILE), then the
    field path, then what is wrong; nothing is appended."""
    log = tmp_path / "new.events"
    base = [
        *["events", "append", str(log), "--type", "manufactured"],
        *["--key", str(KEYS / "ev-maker.DEMO-ONLY.key"), "--passport", str(LIFE / "ev-nmc.cose")],
        *["--at", "2026-11-02T00:00:00Z"],
    ]
    assert run([*base, "--data", '{"country": 7}']) == 1
    err = capsys.readouterr().err.strip()
    assert err.startswith("batterypass: --data: country: "), err
    assert len(err.splitlines()) == 1
    data = tmp_path / "payload.json"
    data.write_text('{"country": "CN", "extra": 1}')
    assert run([*base, "--data", f"@{data}"]) == 1
    err = capsys.readouterr().err.strip()
    assert err.startswith(f"batterypass: {data}: extra: "), err
    assert not log.exists()


def test_append_refuses_a_time_verify_would_refuse(
    life: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """An --at beyond the clock (and its skew allowance) is refused with a one-line error
    naming --at (exit 1), nothing appended; up to the allowance it is appended, and `events
    verify` at the same clock accepts it: writer and verifier apply one rule."""
    from batterypass.cli import _events_cmds
    from batterypass.lifecycle import read_log

    monkeypatch.setattr(_events_cmds, "_clock", lambda: datetime(2033, 1, 1, tzinfo=UTC))
    log = life / "open.events"
    log.write_bytes(b"".join(read_log(life / "ev-nmc.events").messages[:8]))  # to 2032-05
    before = log.read_bytes()
    append = [
        *["events", "append", str(log), "--type", "inspected", "--data", '{"passed": true}'],
        *["--key", str(KEYS / "ev-maker.DEMO-ONLY.key"), "--passport", str(life / "ev-nmc.cose")],
        *["--trust", str(life / "trust.json")],
    ]
    assert run([*append, "--at", "2033-01-01T00:05:01Z"]) == 1
    err = capsys.readouterr().err.strip()
    assert err.startswith(
        f"batterypass: {log}: event 8: --at: time 2033-01-01T00:05:01+00:00 is in the future"
    ), err
    assert len(err.splitlines()) == 1
    assert log.read_bytes() == before
    assert run([*append, "--at", "2033-01-01T00:05:00Z"]) == 0
    verify = ["events", "verify", str(log), "--passport", str(life / "ev-nmc.cose")]
    assert run([*verify, "--trust", str(life / "trust.json"), "--at", "2033-01-01T00:00:00Z"]) == 0


def test_append_without_trust_needs_an_explicit_no_verify(
    life: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Without --trust an append does not chain onto an event whose signature it has not
    checked, unless --no-verify-signatures says so; then the structure is still checked and
    the output says the signatures were not."""
    log = life / "new.events"
    maker = str(KEYS / "ev-maker.DEMO-ONLY.key")
    base = ["events", "append", str(log), "--key", maker, "--type", "inspected"]
    first = [
        *["events", "append", str(log), "--key", maker, "--type", "manufactured"],
        *["--data", '{"country": "CN"}', "--at", "2026-11-02T00:00:00Z"],
        *["--passport", str(life / "ev-nmc.cose")],
    ]
    assert run(first) == 0  # the first event links to the passport given: no event to check
    capsys.readouterr()
    before = log.read_bytes()
    at = ["--data", '{"passed": true}', "--at", "2026-11-03T00:00:00Z"]
    assert run([*base, *at]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1
    assert "--trust" in err, err
    assert "--no-verify-signatures" in err, err
    assert log.read_bytes() == before
    trust = ["--trust", str(life / "trust.json")]
    assert run([*base, *at, *trust, "--no-verify-signatures"]) == 2  # one or the other
    assert log.read_bytes() == before
    assert run([*base, *at, "--no-verify-signatures"]) == 0
    err = capsys.readouterr().err
    assert "appended event 1" in err
    assert "signatures NOT checked" in err
    # With --trust the whole log is verified first, and the append goes on.
    verified = [*trust, "--passport", str(life / "ev-nmc.cose")]
    assert run([*base, "--data", '{"passed": true}', *verified]) == 0
    assert _verify(life, "new.events") == 0


def test_head_refuses_a_time_verify_would_refuse(
    life: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """`events head --at` beyond the clock (and its skew allowance) is refused with a
    one-line error naming --at (exit 1), no head written; up to the allowance the head is
    signed, and `events verify --head` at the same clock accepts it: one rule for both."""
    from batterypass.cli import _events_cmds

    monkeypatch.setattr(_events_cmds, "_clock", lambda: datetime(2033, 1, 1, tzinfo=UTC))
    log, head = life / "ev-nmc.events", life / "new.head"  # the log ends in 2032-09
    sign = [
        *["events", "head", str(log), "--key", str(KEYS / "ev-maker.DEMO-ONLY.key")],
        *["--out", str(head), "--passport", str(life / "ev-nmc.cose")],
        *["--trust", str(life / "trust.json")],
    ]
    assert run([*sign, "--at", "2033-01-01T00:05:01Z"]) == 1
    err = capsys.readouterr().err.strip()
    assert err.startswith(
        f"batterypass: {log}: --at: the head's time 2033-01-01T00:05:01+00:00 is in the "
        "future of the writer's clock"
    ), err
    assert len(err.splitlines()) == 1
    assert not head.exists()
    assert run([*sign, "--at", "2033-01-01T00:05:00Z"]) == 0
    verify = ["events", "verify", str(log), "--passport", str(life / "ev-nmc.cose")]
    verify += ["--trust", str(life / "trust.json"), "--head", str(head)]
    assert run([*verify, "--at", "2033-01-01T00:00:00Z"]) == 0


@pytest.mark.usefixtures("events_clock_2040")  # the example log runs to 2032
def test_head_without_trust_needs_an_explicit_no_verify(
    life: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A head vouches for every event of the log (their count and the last hash): without
    --trust it is not signed unless --no-verify-signatures says so; then the structure is
    still checked and the output says the signatures were not. With --trust a last event
    whose signature does not verify is refused, as append refuses to chain onto it."""
    log, head = life / "ev-nmc.events", life / "new.head"
    base = ["events", "head", str(log), "--key", str(KEYS / "ev-maker.DEMO-ONLY.key")]
    base += ["--out", str(head), "--at", AT]
    trust = ["--trust", str(life / "trust.json"), "--passport", str(life / "ev-nmc.cose")]
    assert run(base) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1
    assert err.startswith(f"batterypass: {log}: the log holds 10 event(s)"), err
    assert "--trust TRUSTFILE --passport SIGNED" in err, err
    assert "--no-verify-signatures to sign a head" in err, err
    assert not head.exists()
    assert run([*base, *trust, "--no-verify-signatures"]) == 2  # one or the other
    assert "not both" in capsys.readouterr().err
    assert not head.exists()
    assert run([*base, "--no-verify-signatures"]) == 0
    assert "signatures NOT checked" in capsys.readouterr().err
    assert _verify(life, "ev-nmc.events", "ev-nmc.cose", "--head", str(head)) == 0
    assert run([*base, *trust, "--force"]) == 0
    assert "NOT checked" not in capsys.readouterr().err
    assert _verify(life, "ev-nmc.events", "ev-nmc.cose", "--head", str(head)) == 0
    # The last byte of the last signature flipped: the structure still holds (nothing links
    # to the last event), so only --trust sees it.
    data = bytearray(log.read_bytes())
    data[-1] ^= 0x01
    log.write_bytes(bytes(data))
    head.unlink()
    capsys.readouterr()
    assert run([*base, *trust]) == 1
    err = capsys.readouterr().err
    assert "event 9" in err, err
    assert "signature" in err, err
    assert not head.exists()
    assert run(base) == 2
    assert not head.exists()
