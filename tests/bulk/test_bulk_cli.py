"""``batterypass bulk-verify`` through ``batterypass.cli.run``."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from batterypass.cli import run

TRUST = Path(__file__).resolve().parents[2] / "examples" / "trust.json"
AT = "2027-01-01T00:00:00Z"


@pytest.fixture
def production(tmp_path: Path, signed_examples: list[tuple[str, bytes]]) -> Path:
    """A directory tree of signed passports, with a hidden file and a JSON file to skip."""
    root = tmp_path / "production"
    for n, (_, data) in enumerate(signed_examples):
        folder = root / f"line-{n % 2}"
        folder.mkdir(parents=True, exist_ok=True)
        (folder / f"p{n:02d}.cose").write_bytes(data)
    (root / ".hidden.cose").write_bytes(b"junk")
    (root / "notes.txt").write_text("not a passport")
    return root


def test_directory_walk_all_verified(
    production: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    report = tmp_path / "report.jsonl"
    code = run(
        [
            "bulk-verify",
            str(production),
            "--trust",
            str(TRUST),
            "--glob",
            "*.cose",
            "--report",
            str(report),
            "--workers",
            "1",
        ]
    )
    out = capsys.readouterr().out
    assert code == 0, out
    assert "verified" in out
    assert "12" in out
    lines = [json.loads(line) for line in report.read_text().splitlines()]
    assert len(lines) == 12
    assert all(line["ok"] for line in lines)
    assert [line["index"] for line in lines] == list(range(12))
    assert lines[0]["source"].endswith("line-0/p00.cose")
    assert not list(tmp_path.glob(".report.jsonl.*"))  # no temporary file left


def test_bad_item_exits_1_with_json_summary(
    production: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = production / "line-1" / "p99.cose"
    good = (production / "line-1" / "p01.cose").read_bytes()
    bad.write_bytes(good[:-1] + bytes([good[-1] ^ 1]))
    report = tmp_path / "r.jsonl"
    argv = ["bulk-verify", str(production), "--trust", str(TRUST), "--json"]
    code = run([*argv, "--report", str(report), "--at", AT, "--workers", "2"])
    doc = json.loads(capsys.readouterr().out)
    assert code == 1
    # notes.txt is walked too (no --glob): not CBOR
    assert doc["total"] == 14
    assert doc["verified"] == 12
    assert doc["failed_by_code"] == {"bad-signature": 1, "malformed": 1}
    failed = {f["source"]: f["code"] for f in doc["failures"]}
    assert failed == {str(bad): "bad-signature", str(production / "notes.txt"): "malformed"}
    assert len(report.read_text().splitlines()) == 14
    # the report is never overwritten without --force
    assert run([*argv, "--report", str(report)]) == 2
    assert run([*argv, "--report", str(report), "--force", "--glob", "p0*"]) == 0
    assert len(report.read_text().splitlines()) == 10


def test_human_output_names_the_failures(
    tmp_path: Path, signed_examples: list[tuple[str, bytes]], capsys: pytest.CaptureFixture[str]
) -> None:
    good = tmp_path / "good.cose"
    good.write_bytes(signed_examples[0][1])
    truncated = tmp_path / "truncated.cose"
    truncated.write_bytes(signed_examples[1][1][:100])
    code = run(["bulk-verify", str(good), str(truncated), "--trust", str(TRUST), "--workers", "1"])
    out = capsys.readouterr().out
    assert code == 1
    assert f"{truncated}: NOT VERIFIED [malformed]" in out
    assert "failed: malformed" in out


def test_usage_errors(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(["bulk-verify", str(tmp_path / "nope"), "--trust", str(TRUST)]) == 2
    assert "no such file" in capsys.readouterr().err
    assert run(["bulk-verify", str(tmp_path), "--trust", str(tmp_path / "t.json")]) == 2
    assert run(["bulk-verify", str(tmp_path), "--trust", str(TRUST), "--workers", "0"]) == 2
    assert run(["bulk-verify", str(tmp_path), "--trust", str(TRUST), "--at", "2027-01-01"]) == 2


def test_empty_directory_is_ok(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(["bulk-verify", str(tmp_path), "--trust", str(TRUST), "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["total"] == 0


def test_pynacl_flag(production: Path, capsys: pytest.CaptureFixture[str]) -> None:
    pytest.importorskip("nacl")
    argv = ["bulk-verify", str(production), "--trust", str(TRUST), "--json", "--glob", "*.cose"]
    assert run([*argv, "--pynacl", "--workers", "1"]) == 0
    assert json.loads(capsys.readouterr().out)["verified"] == 12


def test_real_subprocess_is_quiet_when_not_a_terminal(production: Path) -> None:
    import subprocess
    import sys

    argv = ["bulk-verify", str(production), "--trust", str(TRUST), "--glob", "*.cose"]
    proc = subprocess.run(
        [sys.executable, "-m", "batterypass", *argv, "--workers", "2"],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    assert proc.stderr == ""  # no progress bar when stderr is not a terminal
    assert "verified" in proc.stdout


def test_event_logs(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    life = Path(__file__).resolve().parents[2] / "examples" / "lifecycle"
    for name in ("ev-nmc.events", "ev-nmc.cose"):
        (tmp_path / name).write_bytes((life / name).read_bytes())
    (tmp_path / "orphan.events").write_bytes((life / "ev-nmc.events").read_bytes())
    argv = ["bulk-verify", str(tmp_path), "--events", "--trust", str(life / "trust.json")]
    code = run([*argv, "--at", "2040-01-01T00:00:00Z", "--json", "--workers", "1"])
    doc = json.loads(capsys.readouterr().out)
    assert code == 1
    assert (doc["total"], doc["verified"]) == (2, 1)
    assert doc["failed_by_code"] == {"unreadable": 1}  # orphan.events has no orphan.cose
    assert doc["failures"][0]["source"] == str(tmp_path / "orphan.events")
    (tmp_path / "orphan.events").unlink()
    assert run([*argv, "--at", "2040-01-01T00:00:00Z", "--workers", "1"]) == 0
    assert run([*argv, "--at", "2027-01-01T00:00:00Z", "--workers", "1"]) == 1
    assert "chain-time" in capsys.readouterr().out
