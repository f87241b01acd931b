"""Making events and successor passports."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from batterypass.codec import cbor
from batterypass.cose import decode_sign1_unverified
from batterypass.errors import DecodeError, ValidationError
from batterypass.lifecycle._chain import BreakKind, BrokenChainError, _check_not_future
from batterypass.lifecycle._events import Event, EventPayload, EventType
from batterypass.lifecycle._wire import decode_event, parse_event, parse_payload, sha256_hex
from batterypass.model import BatteryPassport, BatteryStatus, Operator, parse_passport

__all__ = ["last_event_unverified", "next_event", "successor_passport"]


def _payload_of(message: bytes, what: str) -> bytes:
    payload = decode_sign1_unverified(message).payload
    if payload is None:
        raise DecodeError(f"the {what} has a detached payload")
    return payload


def last_event_unverified(messages: Sequence[bytes]) -> tuple[Event, str] | None:
    """The last event of a log and the hash of its payload, **unverified** (for building the
    next event; verification is :func:`batterypass.verify.verify_events`)."""
    if not messages:
        return None
    payload = _payload_of(messages[-1], "last event")
    return decode_event(payload), sha256_hex(payload)


def next_event(
    messages: Sequence[bytes],
    *,
    event_type: EventType | str,
    payload: EventPayload | Mapping[str, Any],
    actor: str,
    time: datetime,
    signed_passport: bytes | None = None,
    now: datetime | None = None,
) -> Event:
    """The event that follows the log ``messages``: the next sequence number, linked to the
    last event (or, for an empty log, to ``signed_passport``'s payload, which is required
    then). Refuses a time before the last event's, and, given the writer's clock ``now``, a
    time that :func:`~batterypass.lifecycle.verify_chain` would refuse as in the future of it
    (:class:`BrokenChainError` ``time`` either way). Without ``now`` the time is not held
    against a clock (for building histories with a fixed time, as the examples do)."""
    typed = EventType(event_type)
    if now is not None:
        if now.tzinfo is None:
            raise ValueError("the writer's clock 'now' must be timezone-aware")
        _check_not_future(time, now, index=len(messages), clock="the writer's clock")
    body = payload if isinstance(payload, EventPayload) else parse_payload(typed, payload)
    last = last_event_unverified(messages)
    if last is None:
        if signed_passport is None:
            raise ValueError("the first event needs the signed passport it links to")
        passport_payload = _payload_of(signed_passport, "signed passport")
        passport = cbor.loads(passport_payload)
        ids = {"battery_id": passport.battery_id, "passport_id": passport.passport_id}
        sequence, previous = 0, sha256_hex(passport_payload)
    else:
        event, previous = last
        if time < event.time:
            raise BrokenChainError(
                BreakKind.TIME,
                f"time {time.isoformat()} is before the last event's ({event.time.isoformat()})",
                index=len(messages),
            )
        ids = {"battery_id": event.battery_id, "passport_id": event.passport_id}
        sequence = event.sequence + 1
    return parse_event(
        {
            "type": typed,
            **ids,
            "sequence": sequence,
            "time": time,
            "actor": actor,
            "previous_sha256": previous,
            "payload": body,
        }
    )


def successor_passport(
    original: BatteryPassport,
    last_event_payload: bytes,
    *,
    status: BatteryStatus | str,
    passport_id: str,
    issuer: str,
    issued_at: datetime,
    operator: Operator | None = None,
    changes: Mapping[str, Any] | None = None,
) -> BatteryPassport:
    """The new passport of a repurposed or remanufactured battery (Art. 77(7)), linked to the
    original: ``predecessor_passport_id`` and the SHA-256 of the original's last event payload
    (``last_event_payload``, the repurposing or remanufacturing event).

    The battery-model data are carried over; ``changes`` (a nested mapping merged into the
    plain data, e.g. ``{"general": {"category": "industrial"}}``) says what differs. The state
    of health and usage of the original carry over as the original's log says, through the
    caller (``changes={"state": report.view.state.model_dump()}``).
    """
    new_status = BatteryStatus(status)
    if new_status not in (BatteryStatus.REPURPOSED, BatteryStatus.REMANUFACTURED):
        raise ValidationError(
            f"a successor passport follows repurposing or remanufacturing, not {new_status.value}",
            path=("status",),
            legal_basis="Art. 77(7)",
        )
    event = decode_event(last_event_payload)
    want = {
        BatteryStatus.REPURPOSED: EventType.REPURPOSED,
        BatteryStatus.REMANUFACTURED: EventType.REMANUFACTURED,
    }[new_status]
    if event.type is not want:
        raise ValidationError(
            f"the original's last event is {event.type.value}, not {want.value}",
            legal_basis="Art. 77(7)",
        )
    named = getattr(event.payload, "successor_passport_id", None)
    if named is not None and named != passport_id:
        raise ValidationError(
            f"the {want.value} event names successor passport {named!r}, not {passport_id!r}",
            path=("passport_id",),
            legal_basis="Art. 77(7)",
        )
    plain = original.model_dump()
    plain.update(
        passport_id=passport_id,
        issuer=issuer,
        issued_at=issued_at,
        status=new_status,
        predecessor_passport_id=original.passport_id,
        predecessor_last_event_sha256=sha256_hex(last_event_payload),
    )
    if operator is not None:
        plain["general"]["operator"] = operator.model_dump()
    _merge(plain, dict(changes or {}))
    return parse_passport(plain)


def _merge(into: dict[str, Any], changes: Mapping[str, Any]) -> None:
    for key, value in changes.items():
        if isinstance(value, Mapping) and isinstance(into.get(key), dict):
            _merge(into[key], value)
        else:
            into[key] = value
