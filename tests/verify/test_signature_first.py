"""Signature first (issue 16): the signing time and the passport id are in the protected header
(RFC 9597 CWT claims), the envelope is parsed once, and no payload decoder sees a byte before
the signature over it holds.

The spies below wrap the payload decoder of each verifier and record every call, so a test
can say exactly which payloads reached it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

import batterypass.cose._sign1 as sign1_module
import batterypass.lifecycle._chain as chain_module
import batterypass.verify._passport as passport_module
import batterypass.verify._presentation as presentation_module
from batterypass.codec import cbor
from batterypass.codec import json as bp_json
from batterypass.codec.cbor import Tag, decode_value, encode_value
from batterypass.cose import (
    PASSPORT_CONTENT_TYPE,
    HeaderLabel,
    Sign1Error,
    Sign1Reason,
    cwt_claims_header,
    decode_sign1_unverified,
    parse_sign1,
    sign1,
    sign_passport,
    verify_sign1,
)
from batterypass.disclosure import issue_disclosable, present
from batterypass.errors import SignatureError, TrustError
from batterypass.keys import Algorithm, PrivateKey
from batterypass.lifecycle import EVENT_CONTENT_TYPE, Head, encode_event, next_event, sign_event
from batterypass.lifecycle import sign_head as sign_head_fn
from batterypass.model import Audience, BatteryPassport, Role
from batterypass.verify import (
    TrustStore,
    verify_events,
    verify_many,
    verify_passport,
    verify_presentation,
)

ROOT = Path(__file__).resolve().parents[2]
T0 = datetime(2026, 1, 1, tzinfo=UTC)
T_END = datetime(2040, 1, 1, tzinfo=UTC)
NOW = datetime(2035, 1, 1, tzinfo=UTC)


@pytest.fixture
def passport() -> BatteryPassport:
    return bp_json.loads((ROOT / "examples/passports/ev-nmc.json").read_bytes())


def _store(key: PrivateKey, org: str, **window: datetime) -> TrustStore:
    return TrustStore().add_key(
        key.public_key(),
        organisation_id=org,
        roles=[Role.MANUFACTURER],
        not_before=window.get("not_before", T0),
        not_after=window.get("not_after", T_END),
    )


def _swap_payload(message: bytes, payload: bytes) -> bytes:
    """The same protected header, kid and signature over another payload."""
    msg = decode_sign1_unverified(message)
    return encode_value(
        Tag(18, [msg.protected_bytes, dict(msg.unprotected), payload, msg.signature])
    )


# A payload every decoder refuses (a CBOR break code on its own).
POISON = b"\xff"


@dataclass
class Spy:
    calls: list[tuple[Any, ...]] = field(default_factory=list)

    def wrap(self, real: Callable[..., Any]) -> Callable[..., Any]:
        def spy(*args: Any, **kwargs: Any) -> Any:
            self.calls.append(args)
            return real(*args, **kwargs)

        return spy


@pytest.fixture
def passport_decoder(monkeypatch: pytest.MonkeyPatch) -> Iterator[Spy]:
    spy = Spy()
    monkeypatch.setattr(passport_module.cbor, "loads", spy.wrap(cbor.loads))
    return spy


# --- passports ------------------------------------------------------------------------------


def test_the_protected_header_carries_iat_and_sub(passport: BatteryPassport) -> None:
    key = PrivateKey.generate()
    msg = parse_sign1(sign_passport(passport, key))
    claims = decode_value(msg.protected_bytes)[HeaderLabel.CWT_CLAIMS]
    assert claims == {2: passport.passport_id, 6: int(passport.issued_at.timestamp())}
    assert msg.claims is not None
    assert msg.claims.iat == passport.issued_at
    assert msg.claims.sub == passport.passport_id
    assert HeaderLabel.CWT_CLAIMS not in msg.unprotected


def test_a_poisoned_payload_under_a_bad_signature_is_a_signature_failure(
    passport: BatteryPassport, passport_decoder: Spy
) -> None:
    key = PrivateKey.generate()
    forged = _swap_payload(sign_passport(passport, key), POISON)
    with pytest.raises(Sign1Error) as caught:
        verify_passport(forged, trust=_store(key, passport.issuer), now=NOW)
    assert caught.value.reason is Sign1Reason.BAD_SIGNATURE
    assert passport_decoder.calls == []
    # The same in a bulk run: reported as a bad signature, not as an undecodable passport.
    (result,) = verify_many([forged], trust=_store(key, passport.issuer), workers=1, now=NOW)
    assert (result.ok, result.code) == (False, "bad-signature")
    assert passport_decoder.calls == []


def test_a_valid_passport_is_decoded_once_after_one_parse(
    passport: BatteryPassport, passport_decoder: Spy, monkeypatch: pytest.MonkeyPatch
) -> None:
    parses = Spy()
    monkeypatch.setattr(sign1_module, "_parse", parses.wrap(sign1_module._parse))
    key = PrivateKey.generate()
    signed = sign_passport(passport, key)
    result = verify_passport(signed, trust=_store(key, passport.issuer), now=NOW)
    assert result.passport == passport
    assert len(passport_decoder.calls) == 1
    assert len(parses.calls) == 1  # the COSE envelope is parsed once per verification


def test_an_untrusted_signer_never_reaches_the_decoder(
    passport: BatteryPassport, passport_decoder: Spy
) -> None:
    key, other = PrivateKey.generate(), PrivateKey.generate()
    forged = _swap_payload(sign_passport(passport, key), POISON)
    with pytest.raises(TrustError, match="unknown kid"):
        verify_passport(forged, trust=_store(other, passport.issuer), now=NOW)
    assert passport_decoder.calls == []


def test_the_trust_window_is_checked_at_the_signed_iat(
    passport: BatteryPassport, passport_decoder: Spy
) -> None:
    key = PrivateKey.generate()
    signed = sign_passport(passport, key)
    issued = passport.issued_at
    inside = _store(key, passport.issuer, not_before=issued, not_after=issued + timedelta(1))
    assert verify_passport(signed, trust=inside, now=NOW).signed_at == issued
    decoded = len(passport_decoder.calls)
    before = _store(key, passport.issuer, not_before=issued + timedelta(seconds=1))
    with pytest.raises(TrustError, match="not valid before"):
        verify_passport(signed, trust=before, now=NOW)
    expired = _store(key, passport.issuer, not_before=T0 - timedelta(800), not_after=issued)
    with pytest.raises(TrustError, match="expired"):
        verify_passport(signed, trust=expired, now=NOW)
    assert len(passport_decoder.calls) == decoded  # refused from the header alone


def test_a_message_without_iat_is_refused_before_the_decoder(
    passport: BatteryPassport, passport_decoder: Spy
) -> None:
    key = PrivateKey.generate()
    old = sign1(cbor.dumps(passport), key, kid=key.kid.encode(), content_type=PASSPORT_CONTENT_TYPE)
    with pytest.raises(Sign1Error, match="no signing time") as caught:
        verify_passport(old, trust=_store(key, passport.issuer), now=NOW)
    assert caught.value.reason is Sign1Reason.NO_SIGNING_TIME
    (result,) = verify_many([old], trust=_store(key, passport.issuer), workers=1, now=NOW)
    assert result.code == "no-signing-time"
    assert passport_decoder.calls == []
    # A sub without iat is no better.
    only_sub = sign1(
        cbor.dumps(passport),
        key,
        content_type=PASSPORT_CONTENT_TYPE,
        protected_extra={15: {2: passport.passport_id}},
    )
    with pytest.raises(Sign1Error, match="no signing time"):
        verify_passport(only_sub, trust=_store(key, passport.issuer), now=NOW)


@pytest.mark.parametrize(
    ("iat_shift", "sub", "match"),
    [
        (timedelta(seconds=1), None, "differs from the signing time"),
        (timedelta(days=-30), None, "differs from the signing time"),
        (timedelta(0), "urn:uuid:00000000-0000-4000-8000-000000000000", "differs from the subject"),
    ],
)
def test_payload_must_agree_with_the_signed_claims(
    passport: BatteryPassport, iat_shift: timedelta, sub: str | None, match: str
) -> None:
    key = PrivateKey.generate()
    claims = cwt_claims_header(iat=passport.issued_at + iat_shift, sub=sub or passport.passport_id)
    signed = sign1(
        cbor.dumps(passport),
        key,
        content_type=PASSPORT_CONTENT_TYPE,
        protected_extra=claims,
    )
    with pytest.raises(SignatureError, match=match) as caught:
        verify_passport(signed, trust=_store(key, passport.issuer), now=NOW)
    assert caught.value.code == "claims-mismatch"


def test_sub_second_issue_times_sign_as_whole_seconds(passport: BatteryPassport) -> None:
    issued = passport.issued_at.replace(microsecond=654321)
    precise = passport.model_copy(update={"issued_at": issued})
    key = PrivateKey.generate()
    result = verify_passport(
        sign_passport(precise, key), trust=_store(key, passport.issuer), now=NOW
    )
    assert result.passport.issued_at == issued
    assert result.signed_at == issued.replace(microsecond=0)


def test_a_future_iat_is_refused_after_the_signature(passport: BatteryPassport) -> None:
    key = PrivateKey.generate()
    signed = sign_passport(passport, key)
    with pytest.raises(TrustError, match="claims to be signed at"):
        verify_passport(
            signed, trust=_store(key, passport.issuer), now=passport.issued_at - timedelta(1)
        )


# --- the COSE layer ---------------------------------------------------------------------------


def test_claims_in_the_unprotected_bucket_are_refused_by_the_strict_profile() -> None:
    key = PrivateKey.generate()
    protected = encode_value({1: key.alg.value})
    tbs = encode_value(["Signature1", protected, b"", b"x"])
    message = encode_value(Tag(18, [protected, {15: {6: 1_800_000_000}}, b"x", key.sign(tbs)]))
    with pytest.raises(Sign1Error, match="CWT claims must be in the protected") as caught:
        verify_sign1(message, key.public_key())
    assert caught.value.reason is Sign1Reason.BAD_HEADER
    assert verify_sign1(message, key.public_key(), profile="rfc9052") == b"x"
    assert parse_sign1(message, profile="rfc9052").claims is None  # never read from there


@pytest.mark.parametrize(
    ("claims", "match"),
    [
        ({}, "non-empty map"),
        ([6, 1], "non-empty map"),
        ({6: "2026-01-01"}, "integer NumericDate"),
        ({6: True}, "integer NumericDate"),
        ({6: 10**12}, "outside years"),
        ({6: 1, 2: b"id"}, "sub must be non-empty text"),
        ({6: 1, 2: ""}, "sub must be non-empty text"),
    ],
)
def test_ill_formed_claims_are_refused(claims: object, match: str) -> None:
    key = PrivateKey.generate()
    protected = encode_value({1: key.alg.value, 15: claims})
    tbs = encode_value(["Signature1", protected, b"", b"x"])
    message = encode_value(Tag(18, [protected, {}, b"x", key.sign(tbs)]))
    with pytest.raises(Sign1Error, match=match) as caught:
        parse_sign1(message)
    assert caught.value.reason is Sign1Reason.BAD_HEADER


def test_crit_may_name_the_claims_header() -> None:
    key = PrivateKey.generate()
    extra = cwt_claims_header(iat=T0, sub="s") | {2: [15]}
    message = sign1(b"x", key, protected_extra=extra)
    assert verify_sign1(message, key.public_key()) == b"x"


@pytest.mark.parametrize("size", [0, 1, 23, 24, 255, 256, 65535, 65536, 70000])
def test_sig_structure_by_concatenation_is_the_deterministic_encoding(size: int) -> None:
    body = bytes(range(256)) * (size // 256 + 1)
    payload, aad = body[:size], body[: size // 3]
    expected = encode_value(["Signature1", payload[:7], aad, payload])
    assert sign1_module._sig_structure(payload[:7], aad, payload) == expected
    assert sign1_module._sig_structure(bytearray(payload[:7]), aad, memoryview(payload)) == (
        expected
    )


# --- presentations --------------------------------------------------------------------------


def test_presentation_payload_is_decoded_only_after_the_signature(
    passport: BatteryPassport, monkeypatch: pytest.MonkeyPatch
) -> None:
    spy = Spy()
    monkeypatch.setattr(
        presentation_module.sd,
        "decode_disclosable_payload",
        spy.wrap(presentation_module.sd.decode_disclosable_payload),
    )
    key = PrivateKey.generate()
    trust = _store(key, passport.issuer)
    shown = present(issue_disclosable(passport, key), Audience.AUTHORITY)
    assert verify_presentation(shown, trust=trust, now=NOW).passport.passport_id == (
        passport.passport_id
    )
    assert len(spy.calls) == 1
    forged = _swap_payload(shown, POISON)
    with pytest.raises(Sign1Error) as caught:
        verify_presentation(forged, trust=trust, now=NOW)
    assert caught.value.reason is Sign1Reason.BAD_SIGNATURE
    assert len(spy.calls) == 1
    claims = parse_sign1(shown).claims
    assert claims is not None
    assert (claims.iat, claims.sub) == (passport.issued_at, passport.passport_id)


def test_presentation_without_iat_is_refused(passport: BatteryPassport) -> None:
    from batterypass.disclosure import DISCLOSABLE_CONTENT_TYPE

    key = PrivateKey.generate()
    shown = issue_disclosable(passport, key).to_bytes()
    msg = decode_sign1_unverified(shown)
    protected = decode_value(msg.protected_bytes)
    del protected[15]
    assert protected[3] == DISCLOSABLE_CONTENT_TYPE
    protected_bytes = encode_value(protected)
    assert msg.payload is not None
    tbs = encode_value(["Signature1", protected_bytes, b"", msg.payload])
    old = encode_value(
        Tag(18, [protected_bytes, dict(msg.unprotected), msg.payload, key.sign(tbs)])
    )
    with pytest.raises(Sign1Error, match="no signing time"):
        verify_presentation(old, trust=_store(key, passport.issuer), now=NOW)


# --- events and heads -----------------------------------------------------------------------


@pytest.fixture
def life(passport: BatteryPassport) -> tuple[PrivateKey, TrustStore, bytes, list[bytes]]:
    key = PrivateKey.generate(Algorithm.ED25519)
    signed = sign_passport(passport, key)
    log: list[bytes] = []
    for kind, payload in (
        ("manufactured", {"country": "DE"}),
        ("placed_on_market", {"member_state": "DE"}),
    ):
        event = next_event(
            log,
            event_type=kind,
            payload=payload,
            actor=passport.issuer,
            time=passport.issued_at + timedelta(days=len(log) + 1),
            signed_passport=signed,
        )
        log.append(sign_event(event, key))
    return key, _store(key, passport.issuer), signed, log


def test_event_payload_is_decoded_only_after_the_signature(
    life: tuple[PrivateKey, TrustStore, bytes, list[bytes]], monkeypatch: pytest.MonkeyPatch
) -> None:
    _key, trust, signed, log = life
    spy = Spy()
    monkeypatch.setattr(chain_module, "decode_event", spy.wrap(chain_module.decode_event))
    assert len(verify_events(log, trust=trust, passport=signed, at=NOW).events) == 2
    assert len(spy.calls) == 2
    spy.calls.clear()
    forged = [log[0], _swap_payload(log[1], POISON)]
    with pytest.raises(SignatureError, match="altered or forged") as caught:
        verify_events(forged, trust=trust, passport=signed, at=NOW)
    assert caught.value.index == 1
    assert [call[0] for call in spy.calls] == [decode_sign1_unverified(log[0]).payload]


def test_event_claims_must_match_its_time_and_passport(
    life: tuple[PrivateKey, TrustStore, bytes, list[bytes]],
) -> None:
    key, trust, signed, log = life
    from batterypass.lifecycle import decode_event

    first = decode_event(decode_sign1_unverified(log[0]).payload)
    shifted = sign1(
        encode_event(first),
        key,
        content_type=EVENT_CONTENT_TYPE,
        protected_extra=cwt_claims_header(
            iat=first.time - timedelta(days=1), sub=first.passport_id
        ),
    )
    with pytest.raises(SignatureError, match="differs from the signing time") as caught:
        verify_events([shifted], trust=trust, passport=signed, at=NOW)
    assert caught.value.index == 0
    old = sign1(encode_event(first), key, content_type=EVENT_CONTENT_TYPE)
    with pytest.raises(Sign1Error, match="no signing time") as caught2:
        verify_events([old], trust=trust, passport=signed, at=NOW)
    assert caught2.value.index == 0


def test_event_trust_is_checked_at_the_signed_iat(
    life: tuple[PrivateKey, TrustStore, bytes, list[bytes]], passport: BatteryPassport
) -> None:
    key, _, signed, log = life
    second = parse_sign1(log[1]).claims
    assert second is not None
    assert second.iat is not None
    # The key expires between the two events: the first verifies, the second does not.
    trust = _store(key, passport.issuer, not_after=second.iat)
    with pytest.raises(TrustError, match="expired") as caught:
        verify_events(log, trust=trust, passport=signed, at=NOW)
    assert caught.value.index == 1


def test_head_payload_is_decoded_only_after_the_signature(
    life: tuple[PrivateKey, TrustStore, bytes, list[bytes]], monkeypatch: pytest.MonkeyPatch
) -> None:
    key, trust, signed, log = life
    from batterypass.lifecycle import decode_event

    last = decode_event(decode_sign1_unverified(log[-1]).payload)
    from batterypass.lifecycle._wire import sha256_hex

    head = Head(last.passport_id, 2, sha256_hex(decode_sign1_unverified(log[-1]).payload), NOW)
    signed_head = sign_head_fn(head, key)
    assert verify_events(log, trust=trust, passport=signed, at=NOW, head=signed_head).head == head
    spy = Spy()
    monkeypatch.setattr(
        chain_module, "_decode_head_payload", spy.wrap(chain_module._decode_head_payload)
    )
    with pytest.raises(SignatureError, match="altered or forged"):
        verify_events(
            log, trust=trust, passport=signed, at=NOW, head=_swap_payload(signed_head, POISON)
        )
    assert spy.calls == []
