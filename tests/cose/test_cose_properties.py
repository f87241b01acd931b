"""Properties of COSE_Sign1: round trips, and tamper-anything-and-it-fails."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from batterypass.codec.cbor import Tag, decode_value, encode_value
from batterypass.cose import Sign1Error, decode_sign1_unverified, sign1, verify_sign1
from batterypass.keys import Algorithm, PrivateKey

KEYS = {alg: PrivateKey.generate(alg) for alg in Algorithm}
SMALL = b"passport v1"


def _flips(message: bytes) -> list[tuple[int, bytes]]:
    out = []
    for i in range(len(message) * 8):
        flipped = bytearray(message)
        flipped[i // 8] ^= 0x80 >> (i % 8)
        out.append((i, bytes(flipped)))
    return out


@pytest.mark.parametrize("alg", [Algorithm.ED25519, Algorithm.ESP256, Algorithm.ES256])
def test_every_single_bit_flip_fails_when_all_headers_are_protected(alg: Algorithm) -> None:
    key = PrivateKey(KEYS[Algorithm.for_curve(alg.curve)].crypto_key, alg, "k1")
    message = sign1(SMALL, key, protected_extra={4: b"k1"})
    assert decode_sign1_unverified(message).unprotected == {}
    public = key.public_key()
    assert verify_sign1(message, public) == SMALL
    flips = _flips(message)
    assert len(flips) == len(message) * 8
    for bit, flipped in flips:
        for profile in ("strict", "rfc9052"):
            try:
                verify_sign1(flipped, public, profile=profile)  # type: ignore[arg-type]
            except Sign1Error:
                continue
            pytest.fail(f"flip of bit {bit} verified under {profile}")


@pytest.mark.parametrize("alg", [Algorithm.ED25519, Algorithm.ESP256])
def test_bit_flips_in_the_unprotected_kid_never_change_what_was_signed(alg: Algorithm) -> None:
    # The unprotected bucket is not signed (RFC 9052): flips there may still verify, but the
    # protected header and the payload returned are always the signed ones. The kid is a hint
    # that selects a key; it cannot change what that key signed.
    key = KEYS[alg]
    message = sign1(SMALL, key, kid=b"abcd")
    public = key.public_key()
    start = message.index(b"\xa1\x04\x44abcd")
    end = start + 7
    for bit, flipped in _flips(message):
        try:
            payload = verify_sign1(flipped, public)
        except Sign1Error:
            continue
        assert start * 8 <= bit < end * 8, f"flip of bit {bit} outside the unprotected bucket"
        assert payload == SMALL
        assert decode_sign1_unverified(flipped).protected == {1: alg.value}


@settings(max_examples=60, deadline=None)
@given(
    payload=st.binary(max_size=300),
    aad=st.binary(max_size=40),
    alg=st.sampled_from(list(Algorithm)),
    content_type=st.none() | st.integers(0, 0xFFFF) | st.text(min_size=1, max_size=20),
    kid=st.none() | st.binary(min_size=1, max_size=40),
)
def test_round_trip(
    payload: bytes, aad: bytes, alg: Algorithm, content_type: int | str | None, kid: bytes | None
) -> None:
    key = KEYS[alg]
    message = sign1(payload, key, kid=kid, content_type=content_type, external_aad=aad)
    assert verify_sign1(message, key.public_key(), external_aad=aad) == payload
    assert verify_sign1(message, key.public_key(), external_aad=aad, profile="rfc9052") == payload
    decoded = decode_sign1_unverified(message)
    assert decoded.kid == (kid if kid is not None else key.kid.encode())
    assert decoded.alg is alg
    assert encode_value(decode_value(message)) == message


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_random_edits_fail(data: st.DataObject) -> None:
    key = KEYS[Algorithm.ED25519]
    message = sign1(SMALL, key, protected_extra={4: b"k"})
    edit = data.draw(st.sampled_from(["replace", "insert", "delete", "truncate", "append"]))
    pos = data.draw(st.integers(0, len(message) - 1))
    if edit == "replace":
        byte = data.draw(st.integers(0, 255).filter(lambda b: b != message[pos]))
        edited = message[:pos] + bytes([byte]) + message[pos + 1 :]
    elif edit == "insert":
        edited = message[:pos] + data.draw(st.binary(min_size=1, max_size=4)) + message[pos:]
    elif edit == "delete":
        edited = message[:pos] + message[pos + 1 :]
    elif edit == "truncate":
        edited = message[:pos]
    else:
        edited = message + data.draw(st.binary(min_size=1, max_size=4))
    if edit == "append":
        # Trailing bytes after the message must be refused by the CBOR layer, whose
        # decode_value promises the item fills the input exactly.
        with pytest.raises(Sign1Error):
            verify_sign1(edited, key.public_key())
        return
    with pytest.raises(Sign1Error):
        verify_sign1(edited, key.public_key())


@settings(max_examples=300, deadline=None)
@given(data=st.binary(max_size=200))
def test_garbage_only_ever_raises_sign1_error(data: bytes) -> None:
    with pytest.raises(Sign1Error):
        verify_sign1(data, KEYS[Algorithm.ED25519].public_key(), profile="rfc9052")


# Labels this verifier does not understand: not alg, crit, content type, kid, x5chain, nor the
# CWT claims (15), which it checks in either bucket since signature-first verification, nor
# the RFC 9921 timestamp token (270), whose value must be a bstr.
_label = st.integers(-70000, 70000).filter(lambda v: v not in (1, 2, 3, 4, 15, 33, 270)) | st.text(
    max_size=8
)
_value = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-(2**64), 2**64 - 1)
    | st.binary(max_size=20)
    | st.text(max_size=20),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.integers(-5, 5), inner, max_size=4)
    ),
    max_leaves=10,
)


@settings(max_examples=60, deadline=None)
@given(unprotected=st.dictionaries(_label, _value, max_size=5))
def test_any_unknown_unprotected_header_is_ignored(unprotected: dict[object, object]) -> None:
    key = KEYS[Algorithm.ESP256]
    message = sign1(SMALL, key)
    item = decode_value(message)
    extended = encode_value(Tag(18, [item.value[0], item.value[1] | unprotected, *item.value[2:]]))
    assert verify_sign1(extended, key.public_key()) == SMALL
