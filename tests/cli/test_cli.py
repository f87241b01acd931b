"""The CLI, in process through run(argv) and as a real subprocess."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from batterypass.cli import run

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "examples" / "passports"
INVALID = ROOT / "examples" / "invalid"


def _expected() -> list[dict[str, str]]:
    lines = (INVALID / "EXPECTED.tsv").read_text(encoding="utf-8").splitlines()
    header = lines[0].split("\t")
    return [dict(zip(header, line.split("\t"), strict=True)) for line in lines[1:]]


def test_every_invalid_example_is_listed() -> None:
    listed = {row["file"] for row in _expected()}
    present = {p.name for p in INVALID.iterdir() if p.name != "EXPECTED.tsv"}
    assert listed == present


@pytest.mark.parametrize("row", _expected(), ids=lambda r: r["file"])
def test_invalid_examples_report_the_expected_error(
    row: dict[str, str], capsys: pytest.CaptureFixture[str]
) -> None:
    code = run(["validate", "--json", str(INVALID / row["file"])])
    assert code == int(row["exit_code"])
    doc = json.loads(capsys.readouterr().out)
    error = doc["files"][0]["error"]
    # the machine-readable code matches the exit code (specs/error-codes.md)
    assert error["code"] == {"1": "invalid", "3": "undecodable"}[row["exit_code"]]
    assert error["exit_code"] == code
    assert row["message_contains"] in json.dumps(error, ensure_ascii=False).replace('\\"', '"')
    if row["path"]:
        issue = error["issues"][0]
        path = "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in issue["path"])
        assert path.lstrip(".") == row["path"]
        assert (issue["legal_basis"] or "") == row["legal_basis"]


def test_validate_examples_ok(capsys: pytest.CaptureFixture[str]) -> None:
    assert run(["validate", *map(str, sorted(EXAMPLES.glob("*.json")))]) == 0
    out = capsys.readouterr().out
    assert out.count(": valid (json, ") == 4  # ev-nmc, lfp-storage, lmt-ebike, ev-dual-market


def test_validate_worst_exit_code_wins(capsys: pytest.CaptureFixture[str]) -> None:
    files = [EXAMPLES / "ev-nmc.json", INVALID / "voltage-order.json", INVALID / "truncated.json"]
    assert run(["validate", *map(str, files)]) == 3
    out = capsys.readouterr().out
    assert "ev-nmc.json: valid" in out
    assert "voltage-order.json: invalid: performance.minimum_voltage_v" in out


def test_missing_file_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    assert run(["validate", "/nonexistent/p.json"]) == 2
    assert "no such file" in capsys.readouterr().out


def test_bad_option_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    assert run(["validate", "--bogus"]) == 2
    assert "No such option" in capsys.readouterr().err


def test_show_views(capsys: pytest.CaptureFixture[str]) -> None:
    assert run(["show", "--json", "--view", "public", str(EXAMPLES / "ev-nmc.json")]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert "state" not in doc
    assert "status" not in doc
    assert "materials" in doc
    assert "element_masses" not in doc["materials"]
    assert (
        run(["show", "--json", "--view", "legitimate-interest", str(EXAMPLES / "ev-nmc.json")]) == 0
    )
    doc = json.loads(capsys.readouterr().out)
    assert doc["status"] == "original"
    assert "test_reports" not in doc["labels"]
    assert run(["show", str(EXAMPLES / "lmt-ebike.json")]) == 0
    assert "general.mass_kg" in capsys.readouterr().out


def test_show_rejects_unknown_view(capsys: pytest.CaptureFixture[str]) -> None:
    assert run(["show", "--view", "everyone", str(EXAMPLES / "ev-nmc.json")]) == 2


def test_completeness(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(["completeness", str(EXAMPLES / "ev-nmc.json")]) == 0
    data = json.loads((EXAMPLES / "ev-nmc.json").read_text())
    del data["performance"]["rated_capacity_ah"]
    partial = tmp_path / "partial.json"
    partial.write_text(json.dumps(data))
    capsys.readouterr()
    assert run(["completeness", "--json", str(partial)]) == 1
    doc = json.loads(capsys.readouterr().out)
    assert [m["path"] for m in doc["missing"]] == ["performance.rated_capacity_ah"]
    assert doc["missing"][0]["legal_basis"].startswith("Annex XIII(1)(g)")


def test_schema_out_refuses_overwrite(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "s.json"
    assert run(["schema", "--out", str(out)]) == 0
    first = out.read_text()
    assert run(["schema", "--out", str(out)]) == 2
    assert "exists already" in capsys.readouterr().err
    assert out.read_text() == first
    assert run(["schema", "--out", str(out), "--force"]) == 0
    assert [p.name for p in tmp_path.iterdir()] == ["s.json"]  # no temp files left


def test_convert_json_to_json_refuses_overwrite(tmp_path: Path) -> None:
    out = tmp_path / "copy.json"
    out.write_text("keep me")
    assert run(["convert", str(EXAMPLES / "ev-nmc.json"), str(out)]) == 2
    assert out.read_text() == "keep me"
    assert run(["convert", str(EXAMPLES / "ev-nmc.json"), str(out), "--force"]) == 0
    assert out.read_text() == (EXAMPLES / "ev-nmc.json").read_text()


def test_convert_needs_a_known_extension(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run(["convert", str(EXAMPLES / "ev-nmc.json"), str(tmp_path / "x.bin")]) == 2
    assert "--to" in capsys.readouterr().err
    assert not (tmp_path / "x.bin").exists()


def _subprocess(*args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "NO_COLOR": "1"}
    return subprocess.run(
        [sys.executable, "-m", "batterypass", *args],
        capture_output=True,
        text=True,
        env=env,
        check=False,
        timeout=120,
    )


def test_subprocess_validate_and_exit_codes() -> None:
    ok = _subprocess("validate", str(EXAMPLES / "lfp-storage.json"))
    assert ok.returncode == 0, ok.stderr
    assert "valid (json, stationary)" in ok.stdout
    bad = _subprocess("validate", str(INVALID / "carbon-stages-sum.json"))
    assert bad.returncode == 1
    assert "Traceback" not in bad.stdout + bad.stderr
    gone = _subprocess("show", "/no/such/file.json")
    assert gone.returncode == 2
    assert "Traceback" not in gone.stderr
    assert "no such file" in gone.stderr
    assert "\x1b[" not in gone.stderr  # NO_COLOR respected


def test_subprocess_help() -> None:
    result = _subprocess("--help")
    assert result.returncode == 0
    for command in ("validate", "show", "completeness", "schema", "convert"):
        assert command in result.stdout


def test_quick_start_script_signs_and_verifies(tmp_path: Path) -> None:
    # README's Quick start step 1 runs this script; keep it true.
    bin_dir = Path(sys.executable).parent
    if not (bin_dir / "batterypass").exists():
        pytest.skip("the batterypass console script is not installed beside this Python")
    env = {**os.environ, "PATH": f"{bin_dir}{os.pathsep}{os.environ.get('PATH', '')}"}
    result = subprocess.run(
        ["sh", str(ROOT / "examples" / "sign-and-verify.sh"), str(tmp_path)],
        capture_output=True,
        text=True,
        env=env,
        cwd=ROOT,
        check=False,
        timeout=300,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.count(": verified: ") == 3
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "ev-nmc.cose",
        "lfp-storage.cose",
        "lmt-ebike.cose",
    ]


def test_readme_python_example_runs(tmp_path: Path) -> None:
    # The README's Python example is documentation users copy: it must keep working.
    import re

    text = (ROOT / "README.md").read_text(encoding="utf-8")
    blocks = re.findall(r"```python\n(.*?)```", text, re.S)
    assert blocks
    body = "\n".join("    " + line for line in blocks[0].splitlines())
    script = tmp_path / "readme_example.py"
    script.write_text('if __name__ == "__main__":\n' + body + "\n", encoding="utf-8")
    result = subprocess.run(
        [sys.executable, str(script)],
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=False,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr
    assert "0 True None" in result.stdout
    assert "1 False malformed" in result.stdout


def test_a_signed_passport_is_not_a_passport_document(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    signed = tmp_path / "ev.cose"
    key = ROOT / "examples" / "keys" / "ev-maker.DEMO-ONLY.key"
    assert (
        run(["sign", str(EXAMPLES / "ev-nmc.json"), "--key", str(key), "--out", str(signed)]) == 0
    )
    capsys.readouterr()
    assert run(["validate", str(signed)]) == 3
    assert "batterypass verify" in capsys.readouterr().out


def test_events_verify_of_a_missing_log_fails(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # A log that is not there must never verify as "an empty history".
    life = ROOT / "examples" / "lifecycle"
    args = ["events", "verify", str(tmp_path / "none.events"), "--trust", str(life / "trust.json")]
    assert run([*args, "--passport", str(life / "ev-nmc.cose")]) == 2
    assert "no such event log" in capsys.readouterr().err


def test_trust_revoke_a_kid_beginning_with_a_dash(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A key id such as '-maker' reads as an option: the error says how to pass it (after
    '--', or as --kid=-maker), and --kid takes it."""
    trust = tmp_path / "trust.json"
    pub = str(ROOT / "examples" / "keys" / "ev-maker.DEMO-ONLY.pub")
    add = ["trust", "add", str(trust), pub, "--role", "manufacturer", "--org", "urn:o:m"]
    assert run([*add, "--kid=-maker"]) == 0
    at = ["--at", "2030-01-01T00:00:00Z"]
    capsys.readouterr()
    assert run(["trust", "revoke", str(trust), "-maker", *at]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1
    assert "-- -maker" in err, err
    assert "--kid=-maker" in err, err
    assert run(["trust", "revoke", str(trust), "x", "--kid=-maker", *at]) == 2  # which one?
    assert "once" in capsys.readouterr().err
    assert run(["trust", "revoke", str(trust), "--kid=-maker", *at]) == 0
    assert run(["trust", "list", str(trust), "--json"]) == 0
    keys = json.loads(capsys.readouterr().out)["keys"]
    assert [(k["kid"], k["revoked_at"]) for k in keys] == [("-maker", "2030-01-01T00:00:00+00:00")]
    assert run(["trust", "revoke", str(trust), *at, "--", "-maker"]) == 0  # after '--'
    assert run(["validate", "--no-such-option"]) == 2  # a long option: no value hint
    assert "is a value" not in capsys.readouterr().err
