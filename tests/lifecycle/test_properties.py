"""Properties: random valid histories verify; any single deletion, swap, duplication, byte
change or re-signing with an unauthorised key is caught and names the event."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from typing import TYPE_CHECKING, Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from batterypass.cose import decode_sign1_unverified
from batterypass.errors import BatteryPassError, PolicyError, TrustError
from batterypass.lifecycle import (
    BreakKind,
    BrokenChainError,
    decode_event,
    encode_event,
    next_event,
    sign_event,
)
from batterypass.verify import verify_events

if TYPE_CHECKING:
    from conftest import World

SETTINGS = settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


@st.composite
def histories(draw: st.DrawFn) -> list[tuple[str, dict[str, Any], str, int]]:
    """(type, payload, who, minutes after the previous event): a valid life."""
    steps: list[tuple[str, dict[str, Any], str, int]] = []
    gap = st.integers(0, 60 * 24 * 90)
    if draw(st.booleans()):
        steps.append(("manufactured", {}, "maker", 0))
    cycles, energy = 3, Decimal("216.4")  # where the signed passport's usage data stand
    for _ in range(draw(st.integers(0, 8))):
        kind = draw(
            st.sampled_from(
                ["usage", "state_of_health", "inspected", "accident", "repaired", "re_used"]
            )
        )
        if kind == "usage":
            cycles += draw(st.integers(0, 500))
            energy += Decimal(draw(st.integers(0, 10**6))) / 100
            payload: dict[str, Any] = {"full_cycles": cycles, "energy_throughput_kwh": energy}
        elif kind == "state_of_health":
            payload = {"remaining_capacity_ah": Decimal(draw(st.integers(1, 3000))) / 10}
        elif kind == "inspected":
            payload = {"passed": draw(st.booleans())}
        elif kind == "accident":
            payload = {"kind": draw(st.sampled_from(["collision", "flood", "thermal event"]))}
        elif kind == "repaired":
            payload = {"description": "module replaced"}
        else:
            payload = {}
        who = "repairer" if kind == "repaired" else "maker"
        steps.append((kind, payload, who, draw(gap)))
    if draw(st.booleans()):
        steps.append(("collected_as_waste", {}, "recycler", draw(gap)))
        if draw(st.booleans()):
            steps.append(("recycled", {"recovered": []}, "recycler", draw(gap)))
    return steps


def _build(world: World, steps: list[tuple[str, dict[str, Any], str, int]]) -> list[bytes]:
    log: list[bytes] = []
    time = world.t0
    for kind, payload, who, minutes in steps:
        time += timedelta(minutes=minutes)
        log.append(world.event(log, kind, payload, who=who, time=time))
    return log


def _verify(world: World, log: list[bytes]) -> Any:
    return verify_events(log, trust=world.trust, passport=world.signed_passport, at=world.now)


@SETTINGS
@given(steps=histories())
def test_valid_histories_verify(world: World, steps: Any) -> None:
    log = _build(world, steps)
    report = _verify(world, log)
    assert len(report.events) == len(log)
    for message in log:  # the one encoding: decode, re-encode, same bytes
        payload = decode_sign1_unverified(message).payload
        assert payload is not None
        assert encode_event(decode_event(payload)) == payload


def _nonempty(world: World, steps: Any, data: st.DataObject) -> tuple[list[bytes], int]:
    log = _build(world, steps)
    if len(log) < 2:
        log = world.full_life()
    return log, data.draw(st.integers(0, len(log) - 1))


@SETTINGS
@given(steps=histories(), data=st.data())
def test_deletion_is_caught(world: World, steps: Any, data: st.DataObject) -> None:
    log, i = _nonempty(world, steps, data)
    if i == len(log) - 1:
        i -= 1  # cutting the tail needs a head: see test_head_catches_truncation
    with pytest.raises(BrokenChainError) as info:
        _verify(world, log[:i] + log[i + 1 :])
    assert info.value.index == i
    assert info.value.kind in (BreakKind.DROPPED, BreakKind.STATUS, BreakKind.BROKEN_LINK)


@SETTINGS
@given(steps=histories(), data=st.data())
def test_swap_is_caught(world: World, steps: Any, data: st.DataObject) -> None:
    log, i = _nonempty(world, steps, data)
    i = min(i, len(log) - 2)
    log[i], log[i + 1] = log[i + 1], log[i]
    with pytest.raises(BrokenChainError) as info:
        _verify(world, log)
    assert info.value.index == i
    assert info.value.kind in (BreakKind.REORDERED, BreakKind.STATUS)


@SETTINGS
@given(steps=histories(), data=st.data())
def test_duplication_is_caught(world: World, steps: Any, data: st.DataObject) -> None:
    log, i = _nonempty(world, steps, data)
    j = data.draw(st.integers(i + 1, len(log)))
    forged = [*log[:j], log[i], *log[j:]]
    with pytest.raises(BrokenChainError) as info:
        _verify(world, forged)
    assert info.value.index == j
    assert info.value.kind in (BreakKind.DUPLICATED, BreakKind.CEASED)


@SETTINGS
@given(steps=histories(), data=st.data())
def test_byte_change_is_caught(world: World, steps: Any, data: st.DataObject) -> None:
    log, i = _nonempty(world, steps, data)
    message = bytearray(log[i])
    pos = data.draw(st.integers(0, len(message) - 1))
    message[pos] ^= data.draw(st.integers(1, 255))
    log[i] = bytes(message)
    with pytest.raises(BatteryPassError) as info:
        _verify(world, log)
    assert info.value.index == i


@SETTINGS
@given(steps=histories(), data=st.data(), who=st.sampled_from(["rogue", "recycler", "es256"]))
def test_resigning_with_an_unauthorised_key_is_caught(
    world: World, steps: Any, data: st.DataObject, who: str
) -> None:
    log, i = _nonempty(world, steps, data)
    payload = decode_sign1_unverified(log[i]).payload
    assert payload is not None
    event = decode_event(payload)
    if who == "recycler" and event.type.value in ("collected_as_waste", "recycled", "inspected"):
        who = "rogue"  # the recycler may record these
    log[i] = sign_event(event, world.keys[who])
    with pytest.raises((TrustError, PolicyError)) as info:
        _verify(world, log)
    assert info.value.index == i


def test_forged_actor_is_caught(world: World) -> None:
    log = world.full_life()[:3]
    event = next_event(
        log,
        event_type="usage",
        payload={"full_cycles": 1},
        actor=world.orgs["maker"],
        time=world.t0 + timedelta(days=9),
    )
    log.append(sign_event(event, world.keys["repairer"]))
    with pytest.raises(TrustError) as info:
        _verify(world, log)
    assert info.value.index == 3
    assert "forged actor" in info.value.message
