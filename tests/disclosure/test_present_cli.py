"""CLI: issue-disclosable, present, verify (presentations recognised), qr --embed."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from batterypass.cli import run
from batterypass.codec import json as bp_json
from batterypass.disclosure import QR_MAX_BYTES

ROOT = Path(__file__).resolve().parents[2]
EV = ROOT / "examples" / "passports" / "ev-nmc.json"
KEY = ROOT / "examples" / "keys" / "ev-maker.DEMO-ONLY.key"
TRUST = ROOT / "examples" / "trust.json"


@pytest.fixture
def issued(tmp_path: Path) -> Path:
    out = tmp_path / "ev.sd.cbor"
    assert run(["issue-disclosable", str(EV), "--key", str(KEY), "--out", str(out)]) == 0
    return out


def test_issue_present_verify(
    issued: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    for audience in ("public", "legitimate-interest", "authority", "commission"):
        out = tmp_path / f"{audience}.cbor"
        assert run(["present", str(issued), "--audience", audience, "--out", str(out)]) == 0
        capsys.readouterr()
        code = run(["verify", str(out), "--trust", str(TRUST), "--audience", audience, "--json"])
        report = json.loads(capsys.readouterr().out)
        assert code == 0, report
        assert report["files"][0]["ok"]
    # auto-detected by content type, without --audience
    assert run(["verify", str(tmp_path / "public.cbor"), "--trust", str(TRUST)]) == 0
    assert "presentation showing groups 1" in capsys.readouterr().out
    assert (tmp_path / "public.cbor").stat().st_size <= QR_MAX_BYTES


def test_verify_refuses_the_wrong_audience(
    issued: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "li.cbor"
    run(["present", str(issued), "--audience", "legitimate-interest", "--out", str(out)])
    capsys.readouterr()
    assert run(["verify", str(out), "--trust", str(TRUST), "--audience", "public"]) == 1
    assert "[audience]" in capsys.readouterr().out


def test_plain_signed_passport_with_audience_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    signed = tmp_path / "ev.cose"
    assert run(["sign", str(EV), "--key", str(KEY), "--out", str(signed)]) == 0
    assert run(["verify", str(signed), "--trust", str(TRUST)]) == 0
    assert run(["verify", str(signed), "--trust", str(TRUST), "--audience", "public"]) == 1
    assert "not a disclosable" in capsys.readouterr().out


def test_present_needs_the_issued_file(
    issued: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    public = tmp_path / "public.cbor"
    run(["present", str(issued), "--audience", "public", "--out", str(public)])
    code = run(["present", str(public), "--audience", "commission", "--out", str(tmp_path / "x")])
    assert code == 3
    assert "not included" in capsys.readouterr().err
    # never overwrites
    assert run(["present", str(issued), "--audience", "public", "--out", str(public)]) == 2


def test_qr_embed(issued: Path, tmp_path: Path) -> None:
    public = tmp_path / "public.cbor"
    run(["present", str(issued), "--audience", "public", "--out", str(public)])
    svg = tmp_path / "qr.svg"
    assert run(["qr", str(public), "--embed", "--out", str(svg)]) == 0
    assert svg.read_text().startswith("<svg")
    assert run(["qr", str(public), "--embed", "--out", str(tmp_path / "qr.png")]) == 0
    # the whole file for the Commission does not fit one QR code
    assert run(["qr", str(issued), "--embed", "--out", str(tmp_path / "big.svg")]) != 0
    # a passport is not a presentation
    assert run(["qr", str(EV), "--embed", "--out", str(tmp_path / "p.svg")]) != 0
    assert bp_json.loads(EV.read_text()).passport_id
