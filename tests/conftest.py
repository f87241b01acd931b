"""Shared fixtures: the repository's example files."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings

from batterypass.codec import json as bp_json
from batterypass.model import BatteryPassport

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples" / "passports"
EXAMPLE_NAMES = ("ev-nmc", "lfp-storage", "lmt-ebike")

settings.register_profile(
    "ci", max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
settings.register_profile("dev", max_examples=30, deadline=None)
settings.load_profile("ci")


@pytest.fixture(params=EXAMPLE_NAMES)
def example_name(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def example_passport(example_name: str) -> BatteryPassport:
    return bp_json.loads((EXAMPLES / f"{example_name}.json").read_text(encoding="utf-8"))


@pytest.fixture
def ev_passport() -> BatteryPassport:
    return bp_json.loads((EXAMPLES / "ev-nmc.json").read_text(encoding="utf-8"))


@pytest.fixture
def events_clock_2040(monkeypatch: pytest.MonkeyPatch) -> None:
    """Pin the clock of the ``events`` commands to 2040-01-01 (forked children inherit it):
    the example logs run into the 2030s, and an append must not lie in the future of the
    clock (``events verify`` would refuse it)."""
    from datetime import UTC, datetime

    from batterypass.cli import _events_cmds

    monkeypatch.setattr(_events_cmds, "_clock", lambda: datetime(2040, 1, 1, tzinfo=UTC))
