"""Log files (torn tails, limits, durable appends), signed heads and successor passports."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from batterypass.cose import decode_sign1_unverified, sign_passport
from batterypass.errors import ChainError, DecodeError, FileError, SignatureError, ValidationError
from batterypass.lifecycle import (
    BreakKind,
    BrokenChainError,
    Head,
    LogLimits,
    append_to_log,
    parse_log,
    read_log,
    repair_log,
    sha256_hex,
    sign_head,
    successor_passport,
)
from batterypass.model import BatteryStatus
from batterypass.verify import verify_events, verify_lineage

if TYPE_CHECKING:
    from conftest import World


def test_append_and_read_back(tmp_path: Path, world: World) -> None:
    log = world.full_life()
    path = tmp_path / "a.events"
    append_to_log(path, log[:3])
    append_to_log(path, log[3:])
    back = read_log(path)
    assert back.messages == tuple(log)
    assert back.torn is None
    assert read_log(tmp_path / "missing.events", missing_ok=True).messages == ()
    with pytest.raises(FileError, match="no such event log"):
        read_log(tmp_path / "missing.events")


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(cut=st.integers(1, 10_000))
def test_every_torn_tail_is_reported_never_dropped(world: World, cut: int) -> None:
    data = b"".join(world.full_life())
    cut = cut % len(data) or 1
    log = parse_log(data[:-cut])
    whole = sum(len(m) for m in log.messages)
    if whole == len(data) - cut:
        assert log.torn is None  # cut exactly at an event boundary: a shorter log (heads)
    else:
        assert log.torn is not None
        assert log.torn.offset == whole
        with pytest.raises(BrokenChainError) as info:
            log.require_whole()
        assert info.value.kind is BreakKind.TORN
        assert info.value.index == len(log.messages)


def test_repair_cuts_only_a_torn_tail(tmp_path: Path, world: World) -> None:
    path = tmp_path / "t.events"
    log = world.full_life()
    path.write_bytes(b"".join(log) + log[0][:10])
    with pytest.raises(BrokenChainError):
        append_to_log(path, [log[0]])
    cut = repair_log(path)
    assert (cut.offset, cut.length) == (sum(map(len, log)), 10)
    assert read_log(path).messages == tuple(log)
    with pytest.raises(ChainError, match="no torn tail"):
        repair_log(path)


def test_limits(tmp_path: Path, world: World) -> None:
    log = world.full_life()
    with pytest.raises(DecodeError, match="max_events"):
        parse_log(b"".join(log), limits=LogLimits(max_events=3))
    with pytest.raises(DecodeError, match="byte limit"):
        parse_log(b"".join(log), limits=LogLimits(max_log_bytes=100))
    with pytest.raises(DecodeError, match="byte limit"):
        parse_log(b"".join(log), limits=LogLimits(max_event_bytes=50))
    with pytest.raises(DecodeError, match="indefinite"):
        parse_log(b"\x9f\xff")
    with pytest.raises(DecodeError, match="one CBOR data item"):
        append_to_log(tmp_path / "x", [log[0] + log[1]])


def _head(world: World, log: list[bytes], count: int, who: str = "maker") -> bytes:
    payload = decode_sign1_unverified(log[count - 1]).payload
    assert payload is not None
    head = Head(
        world.passport.passport_id, count, sha256_hex(payload), world.t0 + timedelta(days=30)
    )
    return sign_head(head, world.keys[who])


def test_head_catches_truncation(world: World) -> None:
    log = world.full_life()
    head = _head(world, log, len(log))
    kw = {"trust": world.trust, "passport": world.signed_passport, "at": world.now}
    assert verify_events(log, head=head, **kw).head is not None  # type: ignore[arg-type]
    with pytest.raises(BrokenChainError) as info:
        verify_events(log[:-2], head=head, **kw)  # type: ignore[arg-type]
    assert info.value.kind is BreakKind.TRUNCATED
    # An older head still matches a longer log.
    verify_events(log, head=_head(world, log, 4), **kw)  # type: ignore[arg-type]
    # A rewritten log does not.
    other = [*log[:3], world.event(log[:3], "inspected", {"passed": False})]
    with pytest.raises(BrokenChainError) as info:
        verify_events(other, head=_head(world, log, 4), **kw)  # type: ignore[arg-type]
    assert info.value.kind is BreakKind.HEAD_MISMATCH
    # A head is not an event, and an event is not a head.
    with pytest.raises(SignatureError):
        verify_events([head], **kw)  # type: ignore[arg-type]
    with pytest.raises(SignatureError):
        verify_events(log, head=log[0], **kw)  # type: ignore[arg-type]


def test_sign_head_refuses_what_verification_would_refuse_as_future(world: World) -> None:
    """Given the writer's clock, sign_head holds the head's time to the verifier's rule
    (CLOCK_SKEW), one function for both: the latest head it signs is the latest one
    verify_events accepts, and both messages name the head's time and the allowance."""
    from batterypass.lifecycle import CLOCK_SKEW

    log = world.full_life()
    payload = decode_sign1_unverified(log[-1]).payload
    assert payload is not None
    now = world.t0 + timedelta(days=60)

    def head(time: Any) -> Head:
        return Head(world.passport.passport_id, len(log), sha256_hex(payload), time)

    late = head(now + CLOCK_SKEW + timedelta(seconds=1))
    with pytest.raises(BrokenChainError) as info:
        sign_head(late, world.keys["maker"], now=now)
    assert (info.value.kind, info.value.index) == (BreakKind.TIME, None)
    message = str(info.value)
    assert message.startswith("the head's time "), message
    assert "in the future of the writer's clock" in message
    assert "up to 5 minutes ahead are allowed" in message
    kw: dict[str, Any] = {"trust": world.trust, "passport": world.signed_passport, "at": now}
    latest = sign_head(head(now + CLOCK_SKEW), world.keys["maker"], now=now)
    assert verify_events(log, head=latest, **kw).head == head(now + CLOCK_SKEW)
    # The head one second later, signed without a clock, is what verification refuses, with
    # the same rule and the same words.
    with pytest.raises(BrokenChainError) as info:
        verify_events(log, head=sign_head(late, world.keys["maker"]), **kw)
    assert (info.value.kind, info.value.index) == (BreakKind.TIME, None)
    message = str(info.value)
    assert message.startswith("the head's time "), message
    assert "in the future of the verifier's clock" in message
    assert "up to 5 minutes ahead are allowed" in message
    with pytest.raises(ValueError, match="timezone-aware"):
        sign_head(head(now), world.keys["maker"], now=now.replace(tzinfo=None))


def test_successor_walk(world: World) -> None:
    log = world.full_life()[:5]
    new_id = "urn:uuid:11111111-2222-4333-8444-555555555555"
    log.append(world.event(log, "repurposed", {"successor_passport_id": new_id}, who="repurposer"))
    payload = decode_sign1_unverified(log[-1]).payload
    assert payload is not None
    successor = successor_passport(
        world.passport,
        payload,
        status="repurposed",
        passport_id=new_id,
        issuer=world.orgs["repurposer"],
        issued_at=world.t0 + timedelta(days=10),
        changes={
            "general": {"category": "industrial", "stationary_energy_storage": True},
            "performance": {"capacity_threshold_for_exhaustion_percent": None},
        },
    )
    assert successor.predecessor_last_event_sha256 == sha256_hex(payload)
    signed_new = sign_passport(successor, world.keys["repurposer"])
    world2 = type(world)(world.keys, world.trust, successor, signed_new, world.orgs)
    log2 = [
        world2.event(
            [], "put_into_service", {}, who="repurposer", time=world.t0 + timedelta(days=11)
        )
    ]
    log2.append(
        world2.event(
            log2, "usage", {"full_cycles": 99}, who="repurposer", time=world.t0 + timedelta(days=12)
        )
    )
    history = [(world.signed_passport, log), (signed_new, log2)]
    with pytest.raises(BrokenChainError) as info:  # counters carry over: 99 < 100
        verify_lineage(history, trust=world.trust, at=world.now)
    assert (info.value.kind, info.value.index) == (BreakKind.COUNTER, 1)
    log2[1] = world2.event(
        log2[:1],
        "usage",
        {"full_cycles": 120},
        who="repurposer",
        time=world.t0 + timedelta(days=12),
    )
    first, second = verify_lineage(history, trust=world.trust, at=world.now)
    assert first.successor_passport_id == new_id
    assert second.passport.status is BatteryStatus.REPURPOSED
    # The original log cannot go on after the hand-over ...
    longer = [*log, world.event(log, "usage", {"full_cycles": 130})]
    with pytest.raises(BrokenChainError) as info:
        verify_events(longer, trust=world.trust, passport=world.signed_passport, at=world.now)
    assert info.value.kind is BreakKind.CLOSED
    # ... and a successor linked to another last event is refused.
    with pytest.raises(BrokenChainError) as info:
        verify_lineage(
            [(world.signed_passport, log[:-1]), (signed_new, log2)], trust=world.trust, at=world.now
        )
    assert info.value.kind is BreakKind.LINEAGE
    with pytest.raises(ValidationError):
        successor_passport(
            world.passport,
            payload,
            status="remanufactured",
            passport_id=new_id,
            issuer=world.orgs["repurposer"],
            issued_at=world.t0,
        )
