"""verify_events: valid histories verify; every kind of tampering is caught and named."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from typing import TYPE_CHECKING, Any

import pytest

from batterypass.errors import PolicyError, SignatureError, TrustError
from batterypass.lifecycle import BreakKind, BrokenChainError, EventType, VerifiedChain
from batterypass.model import BatteryStatus
from batterypass.verify._events import verify_events

if TYPE_CHECKING:
    from conftest import World


def _verify(world: World, log: list[bytes], **kw: Any) -> VerifiedChain:
    return verify_events(log, trust=world.trust, passport=world.signed_passport, at=world.now, **kw)


def _break(world: World, log: list[bytes]) -> BrokenChainError:
    with pytest.raises(BrokenChainError) as info:
        _verify(world, log)
    return info.value


def test_full_life_verifies(world: World) -> None:
    log = world.full_life()
    report = _verify(world, log)
    assert report.ceased
    assert report.status is BatteryStatus.WASTE
    assert len(report.events) == len(log)
    assert report.usage.full_cycles == 250
    assert report.usage.energy_throughput_kwh == Decimal("18000.5")
    assert report.state_of_health is not None
    assert report.state_of_health.remaining_capacity_ah == Decimal("96.5")
    assert report.view.status is BatteryStatus.WASTE
    assert report.view.state.usage.negative_events is not None
    assert report.view.state.usage.negative_events[0].kind == "collision"


def test_empty_log_verifies(world: World) -> None:
    report = _verify(world, [])
    assert report.status is BatteryStatus.ORIGINAL
    assert not report.events


def test_dropped(world: World) -> None:
    log = world.full_life()
    e = _break(world, log[:3] + log[4:])
    assert (e.kind, e.index) == (BreakKind.DROPPED, 3)


def test_reordered(world: World) -> None:
    log = world.full_life()
    log[3], log[4] = log[4], log[3]
    e = _break(world, log)
    assert (e.kind, e.index) == (BreakKind.REORDERED, 3)


def test_duplicated(world: World) -> None:
    log = world.full_life()
    e = _break(world, [*log[:4], log[3], *log[4:]])
    assert (e.kind, e.index) == (BreakKind.DUPLICATED, 4)


def test_fork(world: World) -> None:
    log = world.full_life()[:4]
    other = world.event(log[:3], "usage", {"full_cycles": 7}, time=world.t0 + timedelta(days=5))
    e = _break(world, [*log, other])
    assert (e.kind, e.index) == (BreakKind.FORK, 4)


def test_unknown_key(world: World) -> None:
    log = world.full_life()[:3]
    log.append(world.event(log, "usage", {"full_cycles": 1}, who="rogue"))
    with pytest.raises(TrustError) as info:
        _verify(world, log)
    assert info.value.index == 3


def test_wrong_role(world: World) -> None:
    log = world.full_life()[:3]
    log.append(world.event(log, "recycled", {"recovered": []}, who="repairer"))
    with pytest.raises(PolicyError) as info:
        _verify(world, log)
    assert info.value.index == 3
    assert "recycler" in info.value.message


def test_altered_byte(world: World) -> None:
    log = world.full_life()
    m = bytearray(log[2])
    m[-70] ^= 0x01  # inside the payload
    log[2] = bytes(m)
    with pytest.raises((SignatureError, BrokenChainError, TrustError)) as info:
        _verify(world, log)
    assert info.value.index == 2


def test_recycled_before_waste(world: World) -> None:
    log = world.full_life()[:3]
    log.append(world.event(log, "recycled", {"recovered": []}, who="recycler"))
    e = _break(world, log)
    assert (e.kind, e.index) == (BreakKind.STATUS, 3)


def test_nothing_after_recycled(world: World) -> None:
    log = world.full_life()
    log.append(world.event(log, "inspected", {"passed": True}, who="maker"))
    e = _break(world, log)
    assert (e.kind, e.index) == (BreakKind.CEASED, len(log) - 1)


def test_counter_goes_down(world: World) -> None:
    log = world.full_life()[:4]
    log.append(world.event(log, EventType.USAGE, {"full_cycles": 99}))
    e = _break(world, log)
    assert (e.kind, e.index) == (BreakKind.COUNTER, 4)


def test_next_event_refuses_what_verification_would_refuse_as_future(world: World) -> None:
    """A writer's clock holds a new event to the verifier's rule (CLOCK_SKEW), no more, no
    less: the last time next_event accepts is the last one verify_events accepts."""
    from batterypass.lifecycle import CLOCK_SKEW, next_event, sign_event

    log = [world.event([], "manufactured", {"country": "DE"})]
    now = world.t0 + timedelta(days=30)
    args: dict[str, Any] = {
        "event_type": "inspected",
        "payload": {"passed": True},
        "actor": world.orgs["maker"],
        "now": now,
    }
    with pytest.raises(BrokenChainError) as info:
        next_event(log, time=now + CLOCK_SKEW + timedelta(seconds=1), **args)
    assert (info.value.kind, info.value.index) == (BreakKind.TIME, 1)
    assert "in the future of the writer's clock" in str(info.value)
    latest = next_event(log, time=now + CLOCK_SKEW, **args)
    signed = [*log, sign_event(latest, world.keys["maker"])]
    verify_events(signed, trust=world.trust, passport=world.signed_passport, at=now)
    # The event one second later, built without a clock, is what verification refuses.
    late = next_event(log, time=now + CLOCK_SKEW + timedelta(seconds=1), **{**args, "now": None})
    with pytest.raises(BrokenChainError) as info:
        verify_events(
            [*log, sign_event(late, world.keys["maker"])],
            trust=world.trust,
            passport=world.signed_passport,
            at=now,
        )
    assert (info.value.kind, info.value.index) == (BreakKind.TIME, 1)
