"""The lifecycle chain judges every event by its own trusted timestamp: a key compromise
voids exactly the events (and heads) not timestamped before it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from batterypass.cose import sign_passport
from batterypass.errors import BatteryPassError
from batterypass.keys import PrivateKey
from batterypass.lifecycle import Head, next_event, sign_event, sign_head
from batterypass.model import BatteryPassport, Role
from batterypass.verify import TrustStore, verify_events

from .conftest import DemoTSA, authority, stamped

COMPROMISED = datetime(2027, 1, 1, tzinfo=UTC)
NOW = datetime(2028, 1, 1, tzinfo=UTC)
KEY = PrivateKey.generate()
STEPS = [
    ("manufactured", {"country": "DE"}, datetime(2026, 11, 1, tzinfo=UTC)),
    ("placed_on_market", {"member_state": "DE"}, datetime(2026, 11, 2, tzinfo=UTC)),
    ("put_into_service", {"application": "passenger car"}, datetime(2026, 11, 3, tzinfo=UTC)),
]


def _world(ev_passport: BatteryPassport) -> tuple[TrustStore, DemoTSA, bytes]:
    tsa = DemoTSA(now=ev_passport.issued_at)
    trust = (
        TrustStore()
        .add_key(
            KEY.public_key(),
            organisation_id=ev_passport.issuer,
            roles=[Role.MANUFACTURER, Role.ECONOMIC_OPERATOR],
            not_before=datetime(2026, 1, 1, tzinfo=UTC),
            not_after=datetime(2030, 1, 1, tzinfo=UTC),
        )
        .add_timestamp_authority(authority(tsa))
    )
    return trust, tsa, stamped(tsa, sign_passport(ev_passport, KEY))


def _log(
    ev_passport: BatteryPassport,
    tsa: DemoTSA,
    signed: bytes,
    stamp_times: list[datetime | None],
) -> list[bytes]:
    log: list[bytes] = []
    for (kind, payload, time), stamp_at in zip(STEPS, stamp_times, strict=True):
        event = next_event(
            log,
            event_type=kind,
            payload=payload,
            actor=ev_passport.issuer,
            time=time,
            signed_passport=signed,
        )
        message = sign_event(event, KEY)
        if stamp_at is not None:
            tsa.now = stamp_at
            message = stamped(tsa, message)
        log.append(message)
    return log


def test_each_event_is_judged_by_its_own_timestamp(ev_passport: BatteryPassport) -> None:
    trust, tsa, signed = _world(ev_passport)
    # The third event claims 2026-11-03 but the TSA saw it only after the compromise: a
    # thief backdating with the stolen key.
    times = [t + timedelta(minutes=1) for _, _, t in STEPS[:2]]
    log = _log(ev_passport, tsa, signed, [*times, COMPROMISED + timedelta(days=40)])
    report = verify_events(log, trust=trust, passport=signed, at=NOW)  # not compromised yet
    assert [e.timestamped_at for e in report.events] == [
        *times,
        COMPROMISED + timedelta(days=40),
    ]
    compromised = trust.compromise(KEY.public_key().kid, at=COMPROMISED)
    with pytest.raises(BatteryPassError, match="not before then") as info:
        verify_events(log, trust=compromised, passport=signed, at=NOW)
    assert info.value.code == "key-compromised"
    assert info.value.index == 2
    # The honest part of the history still verifies on its own.
    report = verify_events(log[:2], trust=compromised, passport=signed, at=NOW)
    assert len(report.events) == 2


def test_an_event_without_a_token_after_a_compromise_fails(ev_passport: BatteryPassport) -> None:
    trust, tsa, signed = _world(ev_passport)
    log = _log(ev_passport, tsa, signed, [STEPS[0][2], None, STEPS[2][2]])
    compromised = trust.compromise(KEY.public_key().kid, at=COMPROMISED)
    with pytest.raises(BatteryPassError, match="has none") as info:
        verify_events(log, trust=compromised, passport=signed, at=NOW)
    assert (info.value.code, info.value.index) == ("key-compromised", 1)
    # Not compromised: the claim counts, unless a timestamp is required.
    assert verify_events(log, trust=trust, passport=signed, at=NOW).events[1].timestamped_at is None
    with pytest.raises(BatteryPassError) as info:
        verify_events(log, trust=trust, passport=signed, at=NOW, require_timestamp=True)
    assert (info.value.code, info.value.index) == ("no-timestamp", 1)


def test_the_passport_itself_needs_its_timestamp(ev_passport: BatteryPassport) -> None:
    trust, _, _ = _world(ev_passport)
    bare = sign_passport(ev_passport, KEY)
    compromised = trust.compromise(KEY.public_key().kid, at=COMPROMISED)
    with pytest.raises(BatteryPassError) as info:
        verify_events([], trust=compromised, passport=bare, at=NOW)
    assert info.value.code == "key-compromised"


def test_a_head_signed_after_the_compromise_fails(ev_passport: BatteryPassport) -> None:
    trust, tsa, signed = _world(ev_passport)
    log = _log(ev_passport, tsa, signed, [t for _, _, t in STEPS])
    report = verify_events(log, trust=trust, passport=signed, at=NOW)
    head = Head(
        ev_passport.passport_id, len(log), report.last_sha256, datetime(2027, 3, 1, tzinfo=UTC)
    )
    tsa.now = head.time
    signed_head = stamped(tsa, sign_head(head, KEY))
    compromised = trust.compromise(KEY.public_key().kid, at=COMPROMISED)
    assert verify_events(log, trust=trust, passport=signed, at=NOW, head=signed_head).head == head
    with pytest.raises(BatteryPassError) as info:
        verify_events(log, trust=compromised, passport=signed, at=NOW, head=signed_head)
    assert info.value.code == "key-compromised"
