"""Interoperability with another COSE implementation (cwt, python-cwt).

cwt 3.3 pins cbor2<6 and batterypass needs cbor2>=6.1.4, so cwt cannot be installed next to
batterypass today. Two layers of tests:

- recorded: messages cwt 3.3.0 produced (tests/cose/cwt_interop.json) must verify here, under
  both profiles, and must fail once tampered with;
- live: when cwt is importable, each side verifies the other's fresh messages.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from batterypass.cose import Sign1Error, decode_sign1_unverified, sign1, verify_sign1
from batterypass.keys import Algorithm, PrivateKey, PublicKey

RECORDED = json.loads((Path(__file__).parent / "cwt_interop.json").read_text(encoding="utf-8"))
PAYLOAD = bytes.fromhex(RECORDED["payload_hex"])


@pytest.mark.parametrize(
    "vector",
    RECORDED["messages"],
    ids=lambda v: f"{v['alg']}-{'aad' if v['external_aad_hex'] else 'noaad'}",
)
def test_recorded_cwt_messages_verify(vector: dict[str, Any]) -> None:
    key = PublicKey.from_jwk(vector["jwk"])
    message = bytes.fromhex(vector["cose_sign1_hex"])
    aad = bytes.fromhex(vector["external_aad_hex"])
    decoded = decode_sign1_unverified(message)
    assert set(decoded.protected) == {1}  # cwt protects alg only; kid is unprotected
    assert decoded.alg is not None
    assert decoded.alg.cose_name == vector["alg"]
    assert verify_sign1(message, key, external_aad=aad, profile="rfc9052") == PAYLOAD
    # cwt does not normalise ECDSA signatures: about half of them have a high s, which the
    # strict profile refuses (issue 21); the others verify under it too.
    half = len(decoded.signature) // 2
    order = decoded.alg.curve.order
    if order is not None and int.from_bytes(decoded.signature[half:], "big") > order // 2:
        with pytest.raises(Sign1Error, match="high s"):
            verify_sign1(message, key, external_aad=aad)
    else:
        assert verify_sign1(message, key, external_aad=aad) == PAYLOAD
    with pytest.raises(Sign1Error):
        verify_sign1(message, key, external_aad=aad + b"x", profile="rfc9052")
    tampered = bytearray(message)
    tampered[-1] ^= 1
    with pytest.raises(Sign1Error):
        verify_sign1(bytes(tampered), key, external_aad=aad)


# Ed448 (-53) came after the recording, and cwt 3.3 knows Ed448 only under the polymorphic
# EdDSA (-8), which batterypass binds to Ed25519: its known-answer test is the RFC 8032 vector in
# tests/cose/test_ed448.py.
_RECORDED_ALGS = [a for a in Algorithm if a is not Algorithm.ED448]


def test_recorded_set_covers_every_algorithm() -> None:
    assert {v["alg"] for v in RECORDED["messages"]} == {a.cose_name for a in _RECORDED_ALGS}


# --- live, when cwt can be imported -----------------------------------------------------------


@pytest.fixture(scope="module")
def cwt() -> Any:
    return pytest.importorskip(
        "cwt", reason="cwt not installed (cwt 3.3 requires cbor2<6, batterypass cbor2>=6.1.4)"
    )


@pytest.mark.parametrize("alg", _RECORDED_ALGS, ids=lambda a: a.cose_name)
def test_cwt_verifies_ours(cwt: Any, alg: Algorithm) -> None:
    key = PrivateKey.generate(alg)
    jwk = key.public_key().to_jwk() | {"alg": alg.cose_name}
    message = sign1(PAYLOAD, key, content_type=0, external_aad=b"ctx")
    got = cwt.COSE.new().decode(message, cwt.COSEKey.from_jwk(jwk), external_aad=b"ctx")
    assert got == PAYLOAD


@pytest.mark.parametrize("alg", _RECORDED_ALGS, ids=lambda a: a.cose_name)
def test_we_verify_cwt(cwt: Any, alg: Algorithm) -> None:
    key = PrivateKey.generate(alg)
    jwk = key.to_jwk() | {"alg": alg.cose_name}
    ctx = cwt.COSE.new(alg_auto_inclusion=True, kid_auto_inclusion=True)
    message = ctx.encode_and_sign(PAYLOAD, cwt.COSEKey.from_jwk(jwk), external_aad=b"ctx")
    for profile in ("strict", "rfc9052"):
        got = verify_sign1(message, key.public_key(), external_aad=b"ctx", profile=profile)
        assert got == PAYLOAD
