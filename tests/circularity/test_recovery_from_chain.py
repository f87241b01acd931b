"""Recovery achieved, from the recycled event of a verified lifecycle chain (issue 7 x 6)."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

import pytest

from batterypass.circularity import recovered_masses, recovery_from_chain
from batterypass.lifecycle import VerifiedChain, read_log
from batterypass.model import Element
from batterypass.verify import TrustStore, verify_events

LIFE = Path(__file__).resolve().parents[2] / "examples" / "lifecycle"
AT = datetime(2040, 1, 1, tzinfo=UTC)


def _report(name: str) -> VerifiedChain:
    return verify_events(
        read_log(LIFE / f"{name}.events"),
        trust=TrustStore.from_file(LIFE / "trust.json"),
        passport=(LIFE / f"{name}.cose").read_bytes(),
        at=AT,
    )


def test_recovery_of_the_recycled_successor() -> None:
    report = _report("stationary")
    found = recovered_masses(report)
    assert found is not None
    day, masses = found
    assert day.isoformat() == "2039-09-15"
    assert masses[Element.NICKEL] == Decimal("53.9")
    recovery = recovery_from_chain(report)
    assert recovery is not None
    rows = {m.element: m for m in recovery.materials}
    # Nickel: 56.1 kg in the battery x 95 % (Annex XII Part C, in force on the 2039 event day)
    # = 53.295 kg potential; 53.9 recovered -> 101.1 %.
    nickel = rows[Element.NICKEL]
    assert nickel.potential_kg == Decimal("53.295")
    assert nickel.achieved_percent is not None
    assert round(nickel.achieved_percent, 1) == Decimal("101.1")
    # Lithium: 6.8 kg x 80 % = 5.44 kg; 5.1 recovered -> 93.75 %.
    assert rows[Element.LITHIUM].achieved_percent == Decimal("93.75")
    # Declared rates replace the targets.
    declared = recovery_from_chain(report, rates={Element.LITHIUM: Decimal(100)})
    assert declared is not None
    lithium = {m.element: m for m in declared.materials}[Element.LITHIUM]
    assert lithium.potential_kg == Decimal("6.8")


def test_no_recovery_before_recycling() -> None:
    assert recovery_from_chain(_report("ev-nmc")) is None


def test_events_verify_reports_recovery(capsys: pytest.CaptureFixture[str]) -> None:
    from batterypass.cli import run

    args = [
        "events",
        "verify",
        str(LIFE / "stationary.events"),
        "--trust",
        str(LIFE / "trust.json"),
    ]
    args += ["--passport", str(LIFE / "stationary.cose"), "--at", "2040-01-01T00:00:00Z"]
    assert run(args) == 0
    assert "recovered lithium: 5.1 kg of a potential 5.44 kg (Annex XII Part C) = 93.8 %" in (
        capsys.readouterr().out
    )
    assert run([*args, "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert {m["element"] for m in doc["recovery_achieved"]["materials"]} == {
        "nickel",
        "cobalt",
        "lithium",
        "copper",
    }
