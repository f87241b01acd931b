"""verify_many over lifecycle event logs (EventLogItem) from examples/lifecycle."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from batterypass.verify import EventLogItem, TrustStore, verify_events, verify_many

LIFE = Path(__file__).resolve().parents[2] / "examples" / "lifecycle"
CLOCK = datetime(2040, 1, 1, tzinfo=UTC)


@pytest.fixture(scope="module")
def life_trust() -> TrustStore:
    return TrustStore.from_file(LIFE / "trust.json")


def test_logs_mixed_with_passports(life_trust: TrustStore, tmp_path: Path) -> None:
    log = (LIFE / "ev-nmc.events").read_bytes()
    passport = (LIFE / "ev-nmc.cose").read_bytes()
    torn = tmp_path / "torn.events"
    torn.write_bytes(log[:-7])
    expected = verify_events(log, trust=life_trust, passport=passport, at=CLOCK)
    items: list[object] = [
        EventLogItem(LIFE / "ev-nmc.events", LIFE / "ev-nmc.cose"),
        EventLogItem(log, passport),
        EventLogItem(str(torn), passport),
        EventLogItem(log, (LIFE / "stationary.cose").read_bytes()),  # another passport's log
        EventLogItem(str(tmp_path / "missing.events"), passport),
        passport,  # a passport item between the logs
    ]
    results = list(verify_many(items, trust=life_trust, now=CLOCK, workers=1))
    assert [r.index for r in results] == list(range(6))
    first = results[0]
    assert first.ok
    assert first.source == str(LIFE / "ev-nmc.events")
    assert first.passport_id == expected.passport.passport_id
    assert first.events == len(expected.events) > 0
    assert results[1].ok
    assert results[1].source is None
    assert not results[2].ok
    assert results[2].source == str(torn)
    assert not results[3].ok
    assert results[3].code is not None
    assert results[3].code.startswith("chain-")
    assert (results[4].ok, results[4].code) == (False, "unreadable")
    assert results[5].ok
    assert results[5].events is None


def test_log_verdicts_follow_the_clock(life_trust: TrustStore) -> None:
    item = EventLogItem(LIFE / "ev-nmc.events", LIFE / "ev-nmc.cose")
    early = datetime(2027, 1, 1, tzinfo=UTC)
    (result,) = verify_many([item], trust=life_trust, now=early, workers=1)
    assert not result.ok
    assert result.code == "chain-time"


def test_logs_in_the_process_pool(life_trust: TrustStore) -> None:
    item = EventLogItem(LIFE / "ev-nmc.events", LIFE / "ev-nmc.cose")
    results = list(verify_many([item] * 6, trust=life_trust, now=CLOCK, workers=2, chunksize=2))
    assert all(r.ok for r in results)
    assert [r.index for r in results] == list(range(6))
