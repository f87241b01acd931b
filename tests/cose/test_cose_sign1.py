"""COSE_Sign1: what sign1 writes, and each rule of the strict and rfc9052 profiles."""

from __future__ import annotations

from typing import Any

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature

from batterypass.codec.cbor import DecodeLimits, Tag, decode_value, encode_value
from batterypass.cose import (
    Sign1Error,
    Sign1Reason,
    decode_sign1_unverified,
    sign1,
    verify_sign1,
)
from batterypass.errors import DecodeError, EncodeError, SignatureError
from batterypass.keys import Algorithm, PrivateKey

KEYS = {alg: PrivateKey.generate(alg) for alg in Algorithm}
ED = KEYS[Algorithm.ED25519]
P256 = KEYS[Algorithm.ESP256]
PAYLOAD = b"battery passport payload"


def craft(
    key: PrivateKey,
    protected: dict[Any, Any] | bytes,
    unprotected: dict[Any, Any] | None = None,
    payload: bytes | None = PAYLOAD,
    *,
    tag: int | None = 18,
    signed_payload: bytes | None = None,
    external_aad: bytes = b"",
) -> bytes:
    """A correctly signed message with arbitrary headers (what a foreign producer might send)."""
    protected_bytes = protected if isinstance(protected, bytes) else encode_value(protected)
    body = b"" if protected_bytes == b"\xa0" else protected_bytes
    content = signed_payload if signed_payload is not None else payload
    assert content is not None
    tbs = encode_value(["Signature1", body, external_aad, content])
    item = [protected_bytes, unprotected or {}, payload, key.sign(tbs)]
    return encode_value(Tag(tag, item) if tag is not None else item)


def reason_of(message: bytes, key: Any = None, **kwargs: Any) -> Sign1Reason:
    with pytest.raises(Sign1Error) as info:
        verify_sign1(message, key if key is not None else ED.public_key(), **kwargs)
    return info.value.reason


# --- what sign1 writes ------------------------------------------------------------------------


@pytest.mark.parametrize("alg", list(Algorithm), ids=lambda a: a.cose_name)
def test_sign1_layout(alg: Algorithm) -> None:
    key = KEYS[alg]
    msg = sign1(PAYLOAD, key)
    item = decode_value(msg)
    assert isinstance(item, Tag)
    assert item.tag == 18
    protected_bytes, unprotected, payload, signature = item.value
    assert decode_value(protected_bytes) == {1: alg.value}
    assert unprotected == {4: key.kid.encode()}
    assert payload == PAYLOAD
    assert len(signature) == alg.signature_size
    assert encode_value(decode_value(msg)) == msg  # deterministic
    assert verify_sign1(msg, key.public_key()) == PAYLOAD


def test_generated_keys_sign_with_fully_specified_ids() -> None:
    for alg in (Algorithm.ED25519, Algorithm.ESP256, Algorithm.ESP384, Algorithm.ESP512):
        key = PrivateKey.generate(alg)
        assert decode_sign1_unverified(sign1(b"x", key)).protected == {1: alg.value}
    assert PrivateKey.generate().alg is Algorithm.ED25519


@pytest.mark.parametrize("content_type", [0, 60, 65535, "application/vnd.batterypass+cbor"])
def test_content_type_is_protected(content_type: int | str) -> None:
    msg = decode_sign1_unverified(sign1(PAYLOAD, ED, content_type=content_type))
    assert msg.protected == {1: -19, 3: content_type}
    assert 3 not in msg.unprotected


@pytest.mark.parametrize("content_type", [-1, 65536, "", True])
def test_bad_content_type_is_refused(content_type: Any) -> None:
    with pytest.raises(EncodeError, match="content"):
        sign1(PAYLOAD, ED, content_type=content_type)


def test_kid_argument_and_external_aad() -> None:
    msg = sign1(PAYLOAD, ED, kid=b"device-1", external_aad=b"context")
    assert decode_sign1_unverified(msg).kid == b"device-1"
    assert verify_sign1(msg, ED.public_key(), external_aad=b"context") == PAYLOAD
    assert reason_of(msg) is Sign1Reason.BAD_SIGNATURE
    assert reason_of(msg, external_aad=b"Context") is Sign1Reason.BAD_SIGNATURE


def test_protected_extra() -> None:
    msg = sign1(PAYLOAD, ED, protected_extra={4: b"k", -70000: "x", "tx": 1})
    decoded = decode_sign1_unverified(msg)
    assert decoded.protected == {1: -19, 4: b"k", -70000: "x", "tx": 1}
    assert decoded.unprotected == {}  # kid protected, nothing left unprotected
    assert verify_sign1(msg, ED.public_key()) == PAYLOAD
    crit = sign1(PAYLOAD, ED, protected_extra={2: [3], 3: 0})
    assert verify_sign1(crit, ED.public_key()) == PAYLOAD


@pytest.mark.parametrize(
    ("extra", "kwargs", "match"),
    [
        ({1: -7}, {}, "must not set label 1"),
        ({3: 0}, {"content_type": 0}, "must not set label 3"),
        ({4: b"k"}, {"kid": b"k"}, "kid given both"),
        ({2: [99], 99: 1}, {}, "does not understand"),
        ({2: []}, {}, "non-empty"),
        ({2: [33]}, {}, "not in the protected bucket"),
        ({4: "text"}, {}, "kid must be a byte string"),
        ({33: []}, {}, "x5chain"),
        ({1.5: 0}, {}, "neither an integer nor text"),
        ({-1: 1.5}, {}, "floating-point"),
    ],
)
def test_bad_protected_extra_is_refused(
    extra: dict[Any, Any], kwargs: dict[str, Any], match: str
) -> None:
    with pytest.raises(EncodeError, match=match):
        sign1(PAYLOAD, ED, protected_extra=extra, **kwargs)


class _HsmSigner:
    """A stand-in for an HSM-backed signer: only alg, kid and sign."""

    def __init__(self, key: PrivateKey, *, der: bool = False, broken: bool = False) -> None:
        self._key, self._der, self._broken = key, der, broken
        self.alg = key.alg
        self.kid = "hsm-slot-3"

    def sign(self, data: bytes) -> bytes:
        if self._broken:
            raise RuntimeError("PKCS#11 CKR_DEVICE_ERROR")
        raw = self._key.sign(data)
        if self._der:
            half = len(raw) // 2
            return encode_dss_signature(
                int.from_bytes(raw[:half], "big"), int.from_bytes(raw[half:], "big")
            )
        return raw


def test_a_signer_protocol_object_signs() -> None:
    msg = sign1(PAYLOAD, _HsmSigner(P256))
    assert decode_sign1_unverified(msg).kid == b"hsm-slot-3"
    assert verify_sign1(msg, P256.public_key()) == PAYLOAD


def test_signer_returning_der_gets_an_actionable_error() -> None:
    with pytest.raises(SignatureError, match="raw r \\|\\| s, not DER"):
        sign1(PAYLOAD, _HsmSigner(P256, der=True))


def test_signer_failure_is_wrapped() -> None:
    with pytest.raises(SignatureError, match="CKR_DEVICE_ERROR") as info:
        sign1(PAYLOAD, _HsmSigner(P256, broken=True))
    assert isinstance(info.value.__cause__, RuntimeError)


# --- alg and key binding ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("alg", "signer"),
    [
        (Algorithm.EDDSA, Algorithm.ED25519),
        (Algorithm.ED25519, Algorithm.ED25519),
        (Algorithm.ES256, Algorithm.ESP256),
        (Algorithm.ESP256, Algorithm.ESP256),
        (Algorithm.ES384, Algorithm.ESP384),
        (Algorithm.ESP384, Algorithm.ESP384),
        (Algorithm.ES512, Algorithm.ESP512),
        (Algorithm.ESP512, Algorithm.ESP512),
    ],
)
def test_both_ids_verify_with_their_curve(alg: Algorithm, signer: Algorithm) -> None:
    key = KEYS[signer]
    msg = craft(key, {1: alg.value})
    assert verify_sign1(msg, key.public_key()) == PAYLOAD
    assert verify_sign1(msg, key.public_key().crypto_key) == PAYLOAD


@pytest.mark.parametrize(
    ("alg", "key_alg"),
    [
        (Algorithm.ES256, Algorithm.ED25519),
        (Algorithm.ESP256, Algorithm.ESP384),
        (Algorithm.ES384, Algorithm.ESP256),
        (Algorithm.ESP512, Algorithm.ESP384),
        (Algorithm.EDDSA, Algorithm.ESP256),
        (Algorithm.ED25519, Algorithm.ESP512),
    ],
)
def test_alg_bound_to_another_curve_is_refused(alg: Algorithm, key_alg: Algorithm) -> None:
    key = KEYS[key_alg]
    msg = craft(key, {1: alg.value})  # whatever the signature, the pairing is wrong
    assert reason_of(msg, key.public_key()) is Sign1Reason.ALG_KEY_MISMATCH


@pytest.mark.parametrize("alg", [-999, 0, -37, -47, -257, -46, "ES256", True, b"\x26", [-7]])
def test_unknown_or_ill_typed_alg_is_refused(alg: Any) -> None:
    msg = craft(ED, {1: alg})
    for profile in ("strict", "rfc9052"):
        assert reason_of(msg, profile=profile) is Sign1Reason.UNKNOWN_ALG


def test_alg_placement() -> None:
    unprotected_alg = craft(ED, {}, {1: -19})
    assert reason_of(unprotected_alg) is Sign1Reason.ALG_UNPROTECTED
    assert verify_sign1(unprotected_alg, ED.public_key(), profile="rfc9052") == PAYLOAD
    empty_map = craft(ED, b"\xa0", {1: -19})
    assert reason_of(empty_map) is Sign1Reason.ALG_UNPROTECTED
    assert verify_sign1(empty_map, ED.public_key(), profile="rfc9052") == PAYLOAD
    missing = craft(ED, {3: 0})
    for profile in ("strict", "rfc9052"):
        assert reason_of(missing, profile=profile) is Sign1Reason.ALG_MISSING


# --- crit, duplicates, unknown headers --------------------------------------------------------


@pytest.mark.parametrize(
    ("protected", "unprotected", "reason"),
    [
        ({1: -19, 2: [99], 99: 1}, {}, Sign1Reason.UNKNOWN_CRITICAL),
        ({1: -19, 2: ["exp"], "exp": 1}, {}, Sign1Reason.UNKNOWN_CRITICAL),
        ({1: -19, 2: [7], 7: b"x"}, {}, Sign1Reason.UNKNOWN_CRITICAL),
        ({1: -19, 2: [3]}, {3: 0}, Sign1Reason.UNKNOWN_CRITICAL),  # critical but unprotected
        ({1: -19, 2: []}, {}, Sign1Reason.BAD_CRIT),
        ({1: -19, 2: 3, 3: 0}, {}, Sign1Reason.BAD_CRIT),
        ({1: -19, 2: [3, 3], 3: 0}, {}, Sign1Reason.BAD_CRIT),
        ({1: -19, 2: [b"x"]}, {}, Sign1Reason.BAD_CRIT),
        ({1: -19}, {2: [3]}, Sign1Reason.BAD_CRIT),
        ({1: -19, 4: b"a"}, {4: b"a"}, Sign1Reason.DUPLICATE_LABEL),
        ({1: -19}, {1: -19}, Sign1Reason.DUPLICATE_LABEL),
        ({1: -19, 4: "text"}, {}, Sign1Reason.BAD_HEADER),
        ({1: -19}, {4: 17}, Sign1Reason.BAD_HEADER),
        ({1: -19, 3: -1}, {}, Sign1Reason.BAD_HEADER),
        ({1: -19, 33: [b"a", 1]}, {}, Sign1Reason.BAD_HEADER),
        ({1: -19, b"bytes": 1}, {}, Sign1Reason.BAD_HEADER),
    ],
)
def test_header_rules_in_both_profiles(
    protected: dict[Any, Any], unprotected: dict[Any, Any], reason: Sign1Reason
) -> None:
    msg = craft(ED, protected, unprotected)
    for profile in ("strict", "rfc9052"):
        assert reason_of(msg, profile=profile) is reason


def test_understood_crit_is_accepted() -> None:
    msg = craft(ED, {1: -19, 2: [1, 3], 3: 0})
    assert verify_sign1(msg, ED.public_key()) == PAYLOAD


def test_unknown_unprotected_headers_are_ignored() -> None:
    msg = craft(ED, {1: -19}, {7: [b"cs"], 9: b"\x00" * 64, 99: "x", "note": {1: 2}, 4: b"k"})
    assert verify_sign1(msg, ED.public_key()) == PAYLOAD


def test_x5chain_placement() -> None:
    protected = craft(ED, {1: -19, 33: b"\x30\x00"})
    assert decode_sign1_unverified(protected).x5chain == (b"\x30\x00",)
    assert verify_sign1(protected, ED.public_key()) == PAYLOAD
    unprotected = craft(ED, {1: -19}, {33: [b"\x30\x00", b"\x30\x01"]})
    assert decode_sign1_unverified(unprotected).x5chain == (b"\x30\x00", b"\x30\x01")
    assert reason_of(unprotected) is Sign1Reason.BAD_HEADER
    assert verify_sign1(unprotected, ED.public_key(), profile="rfc9052") == PAYLOAD


# --- structure and tags -----------------------------------------------------------------------


def test_tags() -> None:
    assert reason_of(craft(ED, {1: -19}, tag=998)) is Sign1Reason.WRONG_TAG
    assert reason_of(craft(ED, {1: -19}, tag=None)) is Sign1Reason.UNTAGGED
    assert verify_sign1(craft(ED, {1: -19}, tag=None), ED.public_key(), profile="rfc9052")
    double = encode_value(Tag(55799, decode_value(craft(ED, {1: -19}))))
    for profile in ("strict", "rfc9052"):
        assert reason_of(double, profile=profile) is Sign1Reason.WRONG_TAG


@pytest.mark.parametrize(
    "item",
    [
        Tag(18, [b"\xa1\x01\x32", {}, b"p"]),
        Tag(18, [b"\xa1\x01\x32", {}, b"p", b"s", b"x"]),
        Tag(18, {1: 2}),
        Tag(18, [{1: -19}, {}, b"p", b"s"]),
        Tag(18, [b"\xa1\x01\x32", [], b"p", b"s"]),
        Tag(18, [b"\xa1\x01\x32", {}, "p", b"s"]),
        Tag(18, [b"\xa1\x01\x32", {}, b"p", "s"]),
        Tag(18, [b"\xa1\x01\x32", {}, b"p", None]),
    ],
)
def test_malformed_structure(item: Any) -> None:
    assert reason_of(encode_value(item)) is Sign1Reason.MALFORMED
    with pytest.raises(DecodeError):
        decode_sign1_unverified(encode_value(item))


@pytest.mark.parametrize("data", [b"", b"\xff", b"\xd2", b"\xd2\x84", b"\x9f", "text"])
def test_not_cbor(data: Any) -> None:
    assert reason_of(data) is Sign1Reason.MALFORMED


def test_protected_header_must_be_a_map() -> None:
    for protected in (encode_value([1, -19]), b"\xff\xff", encode_value(-19)):
        assert reason_of(craft(ED, protected)) is Sign1Reason.BAD_HEADER


def test_limits_are_honoured() -> None:
    msg = sign1(b"x" * 2000, ED)
    with pytest.raises(Sign1Error) as info:
        verify_sign1(msg, ED.public_key(), limits=DecodeLimits(max_bytes=1000))
    assert info.value.reason is Sign1Reason.MALFORMED


def test_exact_protected_bytes_are_verified_not_re_encoded() -> None:
    # {3: 0, 1: -19}: keys out of deterministic order, as a foreign producer may send them.
    protected = bytes.fromhex("a203000132")
    msg = craft(ED, protected)
    assert decode_sign1_unverified(msg).protected == {1: -19, 3: 0}
    assert verify_sign1(msg, ED.public_key(), profile="rfc9052") == PAYLOAD
    # Re-encoding would give a2 01 32 03 00: a signature over that must not verify.
    resigned = craft(ED, {1: -19, 3: 0})
    forged = resigned.replace(bytes.fromhex("a2013203 00".replace(" ", "")), protected)
    assert reason_of(forged, profile="rfc9052") is Sign1Reason.BAD_SIGNATURE


def test_strict_profile_wants_a_deterministic_protected_header() -> None:
    msg = craft(ED, bytes.fromhex("a203000132"))
    assert reason_of(msg) is Sign1Reason.BAD_HEADER


def test_unknown_profile_is_a_programming_error() -> None:
    with pytest.raises(ValueError, match="profile"):
        verify_sign1(sign1(PAYLOAD, ED), ED.public_key(), profile="lenient")  # type: ignore[arg-type]


# --- payload and signature --------------------------------------------------------------------


def test_detached_payload() -> None:
    msg = craft(ED, {1: -19}, payload=None, signed_payload=PAYLOAD)
    assert decode_sign1_unverified(msg).payload is None
    assert reason_of(msg) is Sign1Reason.DETACHED_PAYLOAD
    assert verify_sign1(msg, ED.public_key(), detached_payload=PAYLOAD) == PAYLOAD
    assert reason_of(msg, detached_payload=b"other") is Sign1Reason.BAD_SIGNATURE
    attached = sign1(PAYLOAD, ED)
    assert reason_of(attached, detached_payload=PAYLOAD) is Sign1Reason.DETACHED_PAYLOAD


def test_signature_encoding() -> None:
    good = decode_value(sign1(PAYLOAD, P256))
    r_s = good.value[3]
    der = encode_dss_signature(int.from_bytes(r_s[:32], "big"), int.from_bytes(r_s[32:], "big"))
    for bad in (der, r_s[:-1], r_s + b"\x00", b""):
        msg = encode_value(Tag(18, [*good.value[:3], bad]))
        assert reason_of(msg, P256.public_key()) is Sign1Reason.BAD_SIGNATURE_ENCODING
    zero_r = encode_value(Tag(18, [*good.value[:3], bytes(32) + r_s[32:]]))
    with pytest.raises(Sign1Error, match="outside") as info:
        verify_sign1(zero_r, P256.public_key())
    assert info.value.reason is Sign1Reason.BAD_SIGNATURE


def test_wrong_key_does_not_verify() -> None:
    other = PrivateKey.generate(Algorithm.ED25519)
    assert reason_of(sign1(PAYLOAD, ED), other.public_key()) is Sign1Reason.BAD_SIGNATURE


def test_unusable_keys_are_refused() -> None:
    k1 = ec.generate_private_key(ec.SECP256K1()).public_key()
    small = ed25519.Ed25519PublicKey.from_public_bytes(bytes(32))
    for key in (k1, small, object(), ED):
        assert reason_of(sign1(PAYLOAD, ED), key) is Sign1Reason.BAD_KEY


def test_errors_are_signature_errors_with_reason_in_text() -> None:
    with pytest.raises(SignatureError) as info:
        verify_sign1(craft(ED, {1: -19}, tag=None), ED.public_key())
    assert str(info.value).endswith("[untagged]")


def test_decode_unverified_fields() -> None:
    msg = decode_sign1_unverified(sign1(PAYLOAD, ED, content_type=0))
    assert msg.alg is Algorithm.ED25519
    assert msg.kid == ED.kid.encode()
    assert msg.payload == PAYLOAD
    assert msg.tagged
    assert msg.x5chain == ()
    assert msg.header(3) == 0
    assert msg.header(4) == ED.kid.encode()
    assert msg.header(99) is None
    pem = ED.public_key().crypto_key.public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    assert pem.startswith(b"-----BEGIN PUBLIC KEY")


def test_sign1_error_pickles_with_its_reason() -> None:
    import pickle

    with pytest.raises(Sign1Error) as info:
        verify_sign1(craft(ED, {1: -19}, tag=998), ED.public_key())
    copy = pickle.loads(pickle.dumps(info.value))
    assert copy.reason is Sign1Reason.WRONG_TAG
    assert str(copy) == str(info.value)


# --- low-s ECDSA (issue 21) -------------------------------------------------------------------


@pytest.mark.parametrize("alg", [Algorithm.ESP256, Algorithm.ESP384, Algorithm.ESP512])
def test_high_s_is_refused_by_the_strict_profile_only(alg: Algorithm) -> None:
    key = PrivateKey.generate(alg)
    order = alg.curve.order
    assert order is not None
    for _ in range(8):  # our signer always writes the low-s form
        message = sign1(b"payload", key)
        sig = decode_sign1_unverified(message).signature
        assert int.from_bytes(sig[len(sig) // 2 :], "big") <= order // 2
    tag = decode_value(message, deterministic=False)
    protected, unprotected, payload, sig = tag.value
    half = len(sig) // 2
    flipped = sig[:half] + (order - int.from_bytes(sig[half:], "big")).to_bytes(half, "big")
    high = encode_value(Tag(18, [protected, unprotected, payload, flipped]))
    assert verify_sign1(high, key.public_key(), profile="rfc9052") == b"payload"
    with pytest.raises(Sign1Error, match="high s") as caught:
        verify_sign1(high, key.public_key())
    assert caught.value.reason is Sign1Reason.HIGH_S


def test_a_signer_returning_high_s_is_normalised() -> None:
    key = PrivateKey.generate(Algorithm.ESP256)
    order = Algorithm.ESP256.curve.order
    assert order is not None

    class HighS:
        alg = key.alg
        kid = key.kid

        def sign(self, data: bytes) -> bytes:
            sig = key.sign(data)
            return sig[:32] + (order - int.from_bytes(sig[32:], "big")).to_bytes(32, "big")

    message = sign1(b"x", HighS())
    assert verify_sign1(message, key.public_key()) == b"x"
