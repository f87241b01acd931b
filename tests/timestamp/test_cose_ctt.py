"""The RFC 9921 "COSE, then timestamp" header (3161-ctt, label 270) at the COSE layer: the
imprint input, adding a token without touching the signed bytes, and the header rules."""

from __future__ import annotations

import hashlib

import pytest

from batterypass.codec.cbor import Tag, decode_value, encode_value
from batterypass.cose import (
    HeaderLabel,
    Sign1Error,
    Sign1Reason,
    add_timestamp_token,
    decode_sign1_unverified,
    parse_sign1,
    sign1,
    verify_sign1,
)
from batterypass.errors import EncodeError
from batterypass.keys import PrivateKey

KEY = PrivateKey.generate()


def test_the_label_is_rfc9921_3161_ctt() -> None:
    assert HeaderLabel.TST_CTT == 270


def test_imprint_input_is_the_cbor_encoded_signature_rfc9921_3_1_1() -> None:
    # RFC 9921 section 3.1.1: the ES256 sample signature, bstr-wrapped with its head 0x5840,
    # hashes with SHA-256 to 44C2419D...763B4E.
    signature = bytes.fromhex(
        "8eb33e4ca31d1c465ab05aac34cc6b23d58fef5c083106c4d25a91aef0b0117e"
        "2af9a291aa32e14ab834dc56ed2a223444547e01f11d3b0916e5a4c345cacb36"
    )
    message = encode_value(
        Tag(18, [bytes.fromhex("a10126"), {4: b"11"}, b"This is the content.", signature])
    )
    msg = decode_sign1_unverified(message)
    assert msg.timestamp_imprint_input() == b"\x58\x40" + signature
    assert hashlib.sha256(msg.timestamp_imprint_input()).hexdigest().upper() == (
        "44C2419D131D53D55584B5DD33B788C24E551C6D44B1AFC8B2B85E6954763B4E"
    )


def test_adding_a_token_keeps_the_signed_bytes() -> None:
    message = sign1(b"payload", KEY, content_type="text/plain")
    before = parse_sign1(message)
    out = add_timestamp_token(message, b"\x30\x03\x02\x01\x00")
    after = parse_sign1(out)
    assert after.timestamp_token == b"\x30\x03\x02\x01\x00"
    assert (after.protected_bytes, after.payload, after.signature) == (
        before.protected_bytes,
        before.payload,
        before.signature,
    )
    assert dict(after.unprotected) == {**before.unprotected, 270: b"\x30\x03\x02\x01\x00"}
    assert verify_sign1(out, KEY.public_key()) == b"payload"
    assert before.timestamp_token is None


def test_a_second_token_is_refused_unless_replacing() -> None:
    once = add_timestamp_token(sign1(b"p", KEY), b"\x01")
    with pytest.raises(Sign1Error) as info:
        add_timestamp_token(once, b"\x02")
    assert info.value.reason is Sign1Reason.TIMESTAMP_EXISTS
    assert parse_sign1(add_timestamp_token(once, b"\x02", replace=True)).timestamp_token == b"\x02"


@pytest.mark.parametrize("token", [b"", "text"])
def test_an_empty_or_non_bytes_token_is_refused(token: object) -> None:
    with pytest.raises(EncodeError):
        add_timestamp_token(sign1(b"p", KEY), token)  # type: ignore[arg-type]


def _with_headers(protected: dict[int, object], unprotected: dict[int, object]) -> bytes:
    signed = parse_sign1(sign1(b"p", KEY))
    body = encode_value({1: -19, **protected})
    return encode_value(Tag(18, [body, unprotected, signed.payload, signed.signature]))


@pytest.mark.parametrize(
    ("protected", "unprotected", "what"),
    [
        ({270: b"\x30"}, {}, "belongs in the unprotected header"),
        ({}, {270: "text"}, "non-empty bstr"),
        ({}, {270: b""}, "non-empty bstr"),
        ({}, {270: [b"\x30"]}, "non-empty bstr"),
    ],
)
def test_the_header_must_be_an_unprotected_bstr(
    protected: dict[int, object], unprotected: dict[int, object], what: str
) -> None:
    message = _with_headers(protected, unprotected)
    for profile in ("strict", "rfc9052"):
        with pytest.raises(Sign1Error, match=what) as info:
            parse_sign1(message, profile=profile)  # type: ignore[arg-type]
        assert info.value.reason is Sign1Reason.BAD_HEADER


def test_the_token_is_outside_the_signature() -> None:
    # Changing or removing the token changes no signed byte: the signature still verifies
    # (which is why a verifier must check the token itself, RFC 9921 section 5).
    out = add_timestamp_token(sign1(b"p", KEY), b"\x30\x00")
    item = decode_value(out)
    item.value[1] = {}
    assert verify_sign1(encode_value(item), KEY.public_key()) == b"p"
