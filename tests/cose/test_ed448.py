"""Ed448 (RFC 8032 section 5.2) under the RFC 9864 identifier ``Ed448`` (-53): keys in every
format, COSE_Sign1 signing and verification, weak-key refusal, trust files and the CLI."""

from __future__ import annotations

import base64
import json
from datetime import UTC, datetime
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric import ed448

from batterypass.codec.cbor import decode_value, encode_value
from batterypass.cose import Sign1Error, parse_sign1, sign1, verify_sign1
from batterypass.errors import InvalidKeyError, SignatureError
from batterypass.keys import Algorithm, Curve, KeyType, PrivateKey, PublicKey
from batterypass.model import Role
from batterypass.verify import TrustStore

# RFC 8032 section 7.4, "Blank": secret key, public key, signature of the empty message.
SECRET = bytes.fromhex(
    "6c82a562cb808d10d632be89c8513ebf6c929f34ddfa8c9f63c9960ef6e348a3"
    "528c8a3fcc2f044e39a3fc5b94492f8f032e7549a20098f95b"
)
PUBLIC = bytes.fromhex(
    "5fd7449b59b461fd2ce787ec616ad46a1da1342485a70e1f8a0ea75d80e96778"
    "edf124769b46c7061bd6783df1e50f6cd1fa1abeafe8256180"
)
SIGNATURE = bytes.fromhex(
    "533a37f6bbe457251f023c0d88f976ae2dfb504a843e34d2074fd823d41a591f"
    "2b233f034f628281f2fd7a22ddd47d7828c59bd0a21bfd3980ff0d2028d4b18a"
    "9df63e006c5d1c2d345b925d8dc00b4104852db99ac5c7cdda8530a113a0f4db"
    "b61149f05a7363268c71d95808ff2e652600"
)
P448 = 2**448 - 2**224 - 1


def _rfc_key() -> PrivateKey:
    return PrivateKey.from_cryptography(ed448.Ed448PrivateKey.from_private_bytes(SECRET))


def test_the_algorithm_is_rfc9864_ed448() -> None:
    assert Algorithm.ED448.value == -53
    assert Algorithm.lookup(-53) is Algorithm.ED448
    assert Algorithm.ED448.cose_name == Algorithm.ED448.jose_name == "Ed448"
    assert Algorithm.ED448.curve is Curve.ED448
    assert Algorithm.ED448.key_type is KeyType.OKP
    assert Algorithm.ED448.fully_specified
    assert Algorithm.ED448.signature_size == 114
    assert Algorithm.for_curve(Curve.ED448) is Algorithm.ED448
    assert Algorithm.from_name("Ed448") is Algorithm.ED448
    assert Curve.ED448.cose_crv == 7
    # EdDSA (-8) stays bound to Ed25519 (ADR 0003): an Ed448 key cannot use it.
    with pytest.raises(InvalidKeyError, match="needs a Ed25519 key"):
        PrivateKey.from_cryptography(
            ed448.Ed448PrivateKey.from_private_bytes(SECRET), alg=Algorithm.EDDSA
        )


def test_rfc8032_vector_signs_and_verifies() -> None:
    key = _rfc_key()
    assert key.alg is Algorithm.ED448
    assert (
        key.public_key().to_jwk()["x"]
        == PublicKey.from_jwk({"kty": "OKP", "crv": "Ed448", "x": _b64u(PUBLIC)}).to_jwk()["x"]
    )
    assert key.sign(b"") == SIGNATURE  # Ed448 is deterministic
    key.public_key().verify(b"", SIGNATURE)
    with pytest.raises(SignatureError, match="does not verify"):
        key.public_key().verify(b"x", SIGNATURE)
    with pytest.raises(SignatureError, match="114 bytes"):
        key.public_key().verify(b"", SIGNATURE[:64])


def _b64u(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def test_keys_round_trip_through_pem_jwk_and_cose_key() -> None:
    key = PrivateKey.generate(Algorithm.ED448)
    public = key.public_key()
    assert PrivateKey.from_pem(key.to_pem()).public_key() == public
    assert PrivateKey.from_jwk(key.to_jwk()).public_key() == public
    assert PrivateKey.from_cose_key(key.to_cose_key()).public_key() == public
    assert PublicKey.from_pem(public.to_pem()) == public
    jwk = public.to_jwk()
    assert (jwk["kty"], jwk["crv"], jwk["alg"]) == ("OKP", "Ed448", "Ed448")
    assert "y" not in jwk
    assert PublicKey.from_jwk(jwk) == public
    cose_key = decode_value(public.to_cose_key())
    assert (cose_key[1], cose_key[-1], cose_key[3], len(cose_key[-2])) == (1, 7, -53, 57)
    assert -3 not in cose_key
    assert PublicKey.from_cose_key(public.to_cose_key()) == public


@pytest.mark.parametrize(
    ("y", "reason"),
    [
        (1, "small-order"),  # the neutral point (0, 1)
        (P448 - 1, "small-order"),  # (0, -1), order 2
        (0, "small-order"),  # (+-1, 0), order 4
        (P448, "canonically"),  # y = p, the neutral point again
        (P448 + 1, "canonically"),
    ],
)
def test_small_order_and_non_canonical_keys_are_refused(y: int, reason: str) -> None:
    raw = y.to_bytes(57, "little")
    with pytest.raises(InvalidKeyError, match=reason):
        PublicKey.from_jwk({"kty": "OKP", "crv": "Ed448", "x": _b64u(raw)})
    with pytest.raises(InvalidKeyError, match=reason):
        PublicKey.from_cose_key(encode_value({1: 1, -1: 7, -2: raw}))


def test_bits_above_y_are_refused() -> None:
    raw = bytearray(PUBLIC)
    raw[56] |= 0x01  # bit 448: not part of y, not the sign bit
    with pytest.raises(InvalidKeyError, match="canonically"):
        PublicKey.from_jwk({"kty": "OKP", "crv": "Ed448", "x": _b64u(bytes(raw))})


def test_a_point_off_the_curve_is_refused() -> None:
    # y = 2: (y^2 - 1) / (d y^2 - 1) is not a square mod p for Ed448 (checked here too).
    y = 2
    d = P448 - 39081
    x2 = (y * y - 1) * pow(d * y * y - 1, -1, P448) % P448
    if pow(x2, (P448 - 1) // 2, P448) == 1:  # pragma: no cover - then pick another y
        pytest.skip("y = 2 happens to be on the curve")
    with pytest.raises(InvalidKeyError, match="not a point on the curve"):
        PublicKey.from_jwk({"kty": "OKP", "crv": "Ed448", "x": _b64u(y.to_bytes(57, "little"))})


def test_sign1_with_ed448_uses_alg_minus_53_and_verifies() -> None:
    key = PrivateKey.generate(Algorithm.ED448)
    message = sign1(b"payload", key)
    msg = parse_sign1(message)
    assert msg.protected[1] == -53
    assert len(msg.signature) == 114
    assert verify_sign1(message, key.public_key()) == b"payload"
    # The raw cryptography key works too.
    assert verify_sign1(message, key.public_key().crypto_key) == b"payload"
    # Another Ed448 key does not verify it; an Ed25519 key is the wrong curve.
    with pytest.raises(Sign1Error, match=r"\[bad-signature\]"):
        verify_sign1(message, PrivateKey.generate(Algorithm.ED448).public_key())
    with pytest.raises(Sign1Error, match=r"\[alg-key-mismatch\]"):
        verify_sign1(message, PrivateKey.generate().public_key())


def test_an_ed25519_key_cannot_verify_an_ed448_alg_and_vice_versa() -> None:
    ed25519_key = PrivateKey.generate()
    message = sign1(b"x", ed25519_key)
    with pytest.raises(Sign1Error, match=r"\[alg-key-mismatch\]"):
        verify_sign1(message, PrivateKey.generate(Algorithm.ED448).public_key())


def test_trust_files_hold_ed448_keys() -> None:
    key = PrivateKey.generate(Algorithm.ED448, kid="ed448-demo")
    store = TrustStore().add_key(
        key.public_key(),
        organisation_id="LEI:5299000J2N45DDNE4Y28",
        roles=[Role.MANUFACTURER],
        not_before=datetime(2026, 1, 1, tzinfo=UTC),
        not_after=datetime(2030, 1, 1, tzinfo=UTC),
    )
    text = store.to_json()
    assert json.loads(text)["keys"][0]["jwk"]["crv"] == "Ed448"
    again = TrustStore.from_json(text)
    assert again.to_json() == text
    entry = again.lookup(b"ed448-demo", at=datetime(2027, 1, 1, tzinfo=UTC))
    assert entry.public_key == key.public_key()


def test_cli_keygen_makes_an_ed448_key(tmp_path: Path) -> None:
    from batterypass.cli import run

    assert run(["keygen", "--alg", "Ed448", "--out", str(tmp_path / "k")]) == 0
    key = PrivateKey.from_file(tmp_path / "k.key")
    assert key.alg is Algorithm.ED448
    assert PublicKey.from_pem((tmp_path / "k.pub").read_bytes()) == key.public_key()
