"""Odd and hostile inputs are refused with the documented error, never a crash: times
without a UTC instant, a successor issued by the wrong operator, a JWK with a non-string
curve, naive clocks."""

from __future__ import annotations

import sys
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest

from batterypass.codec import cbor
from batterypass.codec import json as bp_json
from batterypass.codec.cbor import Tag, encode_value
from batterypass.cose import PASSPORT_CONTENT_TYPE, decode_sign1_unverified, sign_passport
from batterypass.errors import ChainError, DecodeError, EncodeError, InvalidKeyError, TrustError
from batterypass.keys import PrivateKey, PublicKey
from batterypass.lifecycle import (
    EVENT_CONTENT_TYPE,
    decode_event,
    encode_event,
    parse_log,
    sign_event,
    successor_passport,
)
from batterypass.model import Operator, PostalAddress, Role, parse_passport
from batterypass.verify import TrustStore, verify_events, verify_lineage, verify_passport

ROOT = Path(__file__).resolve().parents[2]
LIFE = ROOT / "examples" / "lifecycle"
AT = datetime(2040, 1, 1, tzinfo=UTC)
EARLY = datetime(1, 1, 1, 0, 0, tzinfo=timezone(timedelta(hours=1)))  # before year 1 in UTC


def _trust() -> TrustStore:
    return TrustStore.from_file(LIFE / "trust.json")


def _hand_signed(protected: dict[int, object], payload: bytes, key: PrivateKey, kid: str) -> bytes:
    """A COSE_Sign1 built without sign1's own checks on the protected header."""
    protected_bytes = encode_value(protected)
    to_be_signed = encode_value(["Signature1", protected_bytes, b"", payload])
    return encode_value(
        Tag(18, [protected_bytes, {4: kid.encode()}, payload, key.sign(to_be_signed)])
    )


def test_event_time_without_a_utc_instant_is_refused_not_a_crash() -> None:
    # Behaviour change (signature first): the signing time is the protected iat, so such a
    # time is refused when signing, and a hand-made message carrying one is malformed.
    trust = _trust()
    log = parse_log((LIFE / "ev-nmc.events").read_bytes()).messages
    first = decode_event(decode_sign1_unverified(log[0]).payload)
    forged = first.model_copy(update={"time": EARLY})
    key = PrivateKey.generate()
    with pytest.raises(EncodeError, match="outside the years 1 to 9999"):
        sign_event(forged, key, kid=trust.keys[0].kid)
    message = _hand_signed(
        {1: key.alg.value, 3: EVENT_CONTENT_TYPE, 15: {2: first.passport_id, 6: -62135600400}},
        encode_event(forged),
        key,
        trust.keys[0].kid,
    )
    with pytest.raises(ChainError, match=r"outside years 1\.\.9999"):
        verify_events([message], trust=trust, passport=(LIFE / "ev-nmc.cose").read_bytes(), at=AT)


def test_passport_time_without_a_utc_instant_is_refused_not_a_crash() -> None:
    trust = _trust()
    data = bp_json.loads((ROOT / "examples" / "passports" / "ev-nmc.json").read_bytes())
    d = data.model_dump()
    d["issued_at"] = EARLY
    d["general"]["manufacturing_date"] = EARLY.date()
    d["general"]["put_into_service_date"] = None
    d["state"]["state_of_health"]["measured_at"] = EARLY
    d["state"]["usage"]["recorded_at"] = EARLY
    passport = parse_passport(d)
    key = PrivateKey.generate()
    with pytest.raises(EncodeError, match="outside the years 1 to 9999"):
        sign_passport(passport, key, kid=trust.keys[0].kid)
    signed = _hand_signed(
        {
            1: key.alg.value,
            3: PASSPORT_CONTENT_TYPE,
            15: {2: passport.passport_id, 6: -62135600400},
        },
        cbor.dumps(passport),
        key,
        trust.keys[0].kid,
    )
    with pytest.raises(DecodeError, match=r"outside years 1\.\.9999"):
        verify_passport(signed, trust=trust)


def test_successor_must_be_issued_by_the_operator_handed_over_to() -> None:
    sys.path.insert(0, str(LIFE))
    try:
        from build import SUCCESSOR_ID  # type: ignore[import-not-found]
    finally:
        sys.path.remove(str(LIFE))
    intruder = "urn:lei:529900DEMO0INTRUDR1"
    key = PrivateKey.generate()
    trust = _trust().add_key(
        key.public_key(),
        organisation_id=intruder,
        roles=[Role.REPURPOSER],
        not_before=datetime(2026, 1, 1, tzinfo=UTC),
        not_after=datetime(2041, 1, 1, tzinfo=UTC),
    )
    log = parse_log((LIFE / "ev-nmc.events").read_bytes()).messages
    original = bp_json.loads((ROOT / "examples" / "passports" / "ev-nmc.json").read_bytes())
    rogue = successor_passport(
        original,
        decode_sign1_unverified(log[-1]).payload or b"",
        status="repurposed",
        passport_id=SUCCESSOR_ID,
        issuer=intruder,
        issued_at=datetime(2032, 9, 2, 8, tzinfo=UTC),
        operator=Operator(
            id=intruder, name="Intruder", address=PostalAddress(city="X", country="DE")
        ),
        changes={
            "general": {"category": "industrial", "stationary_energy_storage": True},
            "performance": {"capacity_threshold_for_exhaustion_percent": None},
        },
    )
    chain = [((LIFE / "ev-nmc.cose").read_bytes(), log), (sign_passport(rogue, key), [])]
    with pytest.raises(ChainError, match="hands the battery over to"):
        verify_lineage(chain, trust=trust, at=AT)


@pytest.mark.parametrize("crv", [["P-256"], {"a": 1}, 7])
def test_jwk_with_a_non_string_curve_is_an_invalid_key(crv: object) -> None:
    with pytest.raises(InvalidKeyError, match="crv must be a string"):
        PublicKey.from_jwk({"kty": "EC", "crv": crv, "x": "AA", "y": "AA"})


def test_naive_clocks_are_refused_as_trust_errors(
    ev_passport_signed: tuple[bytes, TrustStore],
) -> None:
    signed, trust = ev_passport_signed
    with pytest.raises(TrustError, match="timezone-aware"):
        verify_passport(signed, trust=trust, now=datetime(2030, 1, 1))
    with pytest.raises(TrustError, match="timezone-aware"):
        verify_events([], trust=trust, passport=signed, at=datetime(2030, 1, 1))


@pytest.fixture
def ev_passport_signed() -> tuple[bytes, TrustStore]:
    key = PrivateKey.from_file(ROOT / "examples" / "keys" / "ev-maker.DEMO-ONLY.key")
    p = bp_json.loads((ROOT / "examples" / "passports" / "ev-nmc.json").read_bytes())
    return sign_passport(p, key), TrustStore.from_file(ROOT / "examples" / "trust.json")
