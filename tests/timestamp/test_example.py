"""examples/timestamp/: the committed files say what verify.txt says, a fresh run of build.py
tells the same story, and the command line agrees."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import pytest

from batterypass.cli import run
from batterypass.cose import parse_sign1

HERE = Path(__file__).resolve().parents[2] / "examples" / "timestamp"


def _build() -> ModuleType:
    spec = importlib.util.spec_from_file_location("timestamp_example_build", HERE / "build.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


build = _build()


def test_the_committed_files_say_what_verify_txt_says() -> None:
    assert build.transcript(HERE) == (HERE / "verify.txt").read_text(encoding="utf-8")


def test_the_story() -> None:
    text = (HERE / "verify.txt").read_text(encoding="utf-8")
    before, after = text.split("# verified against trust.json")
    assert before.count(": verified:") == 3  # before the report, the forgeries pass
    assert "ev-nmc.cose: verified:" in after
    assert "forged.cose: NOT VERIFIED [key-compromised]" in after
    assert "forged-untimestamped.cose: NOT VERIFIED [key-compromised]" in after
    assert parse_sign1((HERE / "ev-nmc.cose").read_bytes()).timestamp_token is not None
    assert parse_sign1((HERE / "forged-untimestamped.cose").read_bytes()).timestamp_token is None


def test_a_fresh_run_tells_the_same_story(tmp_path: Path) -> None:
    build.build(tmp_path)
    assert (tmp_path / "verify.txt").read_text(encoding="utf-8") == (HERE / "verify.txt").read_text(
        encoding="utf-8"
    )
    assert {p.name for p in tmp_path.iterdir()} == {
        p.name for p in HERE.iterdir() if p.suffix in (".cose", ".json", ".pem", ".txt")
    }


def test_the_command_line_agrees(capsys: pytest.CaptureFixture[str]) -> None:
    trust = str(HERE / "trust.json")
    assert run(["verify", str(HERE / "ev-nmc.cose"), "--trust", trust, "--require-timestamp"]) == 0
    assert "timestamped 2026-10-15T08:00:30+00:00" in capsys.readouterr().out
    forged = [str(HERE / "forged.cose"), str(HERE / "forged-untimestamped.cose")]
    assert run(["verify", *forged, "--trust", trust]) == 1
    assert capsys.readouterr().out.count("reported compromised at 2026-11-01T00:00:00Z") == 2
