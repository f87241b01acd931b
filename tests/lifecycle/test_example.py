"""examples/lifecycle/: the example life verifies, from the original to the recycler, and
build.py reproduces it byte for byte."""

from __future__ import annotations

import importlib.util
from datetime import UTC, datetime
from pathlib import Path

import pytest

from batterypass.errors import DecodeError
from batterypass.lifecycle import read_log
from batterypass.model import BatteryStatus
from batterypass.verify import TrustStore, verify_lineage

ROOT = Path(__file__).resolve().parents[2]
LIFE = ROOT / "examples" / "lifecycle"
AT = datetime(2040, 1, 1, tzinfo=UTC)


def _verify(where: Path) -> None:
    trust = TrustStore.from_file(where / "trust.json")
    original, successor = verify_lineage(
        [
            ((where / "ev-nmc.cose").read_bytes(), read_log(where / "ev-nmc.events")),
            ((where / "stationary.cose").read_bytes(), read_log(where / "stationary.events")),
        ],
        trust=trust,
        at=AT,
        head=(where / "stationary.head").read_bytes(),
    )
    assert original.status is BatteryStatus.REPURPOSED
    assert original.successor_passport_id == successor.passport.passport_id
    assert successor.passport.predecessor_last_event_sha256 == original.last_sha256
    assert successor.ceased
    assert successor.head is not None
    assert successor.usage.full_cycles == 1450
    assert successor.view.status is BatteryStatus.WASTE


def _build(out: Path) -> None:
    spec = importlib.util.spec_from_file_location("build_life", LIFE / "build.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    module.build(out)


def test_a_fresh_build_verifies(tmp_path: Path) -> None:
    _build(tmp_path)
    _verify(tmp_path)


def test_the_committed_example_verifies_and_is_reproducible(tmp_path: Path) -> None:
    try:
        _verify(LIFE)
    except DecodeError as e:  # the passport wire format moved on: regenerate the example
        pytest.fail(f"{e}: run python examples/lifecycle/build.py")
    _build(tmp_path)
    for name in ("ev-nmc.events", "stationary.events", "stationary.head", "trust.json"):
        assert (tmp_path / name).read_bytes() == (LIFE / name).read_bytes(), name


def test_demo_keys_are_marked() -> None:
    for name in ("repurposer", "recycler"):
        assert (ROOT / "examples" / "keys" / f"{name}.DEMO-ONLY.key").exists()
    assert "repurposer" in (ROOT / "examples" / "keys" / "README.md").read_text(encoding="utf-8")
