"""cose-wg conformance vectors (tests/vectors/cose, public domain, see its README.md)."""

from __future__ import annotations

import base64
import csv
import json
from pathlib import Path
from typing import Any

import pytest

from batterypass.cose import (
    Sign1Error,
    Sign1Reason,
    decode_sign1_unverified,
    sign1,
    verify_sign1,
)
from batterypass.keys import Algorithm, PrivateKey, PublicKey

VECTORS = Path(__file__).resolve().parent.parent / "vectors" / "cose"

# What each vector must do under each profile: None = verifies, else the refusal reason.
EXPECTED: dict[str, dict[str, Sign1Reason | None]] = {
    # Both upstream ECDSA signatures have a high s: valid, but the strict profile accepts only
    # the low-s form (issue 21; deliberate change, they verified under strict before).
    "ecdsa-examples/ecdsa-sig-01.json": {"strict": Sign1Reason.HIGH_S, "rfc9052": None},
    "ecdsa-examples/ecdsa-sig-02.json": {"strict": Sign1Reason.HIGH_S, "rfc9052": None},
    "countersign1/signed1-01.json": {"strict": None, "rfc9052": None},
    "sign1-tests/sign-pass-01.json": {"strict": Sign1Reason.ALG_UNPROTECTED, "rfc9052": None},
    "sign1-tests/sign-pass-02.json": {"strict": None, "rfc9052": None},
    "sign1-tests/sign-pass-03.json": {"strict": Sign1Reason.UNTAGGED, "rfc9052": None},
    "sign1-tests/sign-fail-01.json": dict.fromkeys(("strict", "rfc9052"), Sign1Reason.WRONG_TAG),
    "sign1-tests/sign-fail-02.json": dict.fromkeys(
        ("strict", "rfc9052"), Sign1Reason.BAD_SIGNATURE
    ),
    "sign1-tests/sign-fail-03.json": dict.fromkeys(("strict", "rfc9052"), Sign1Reason.UNKNOWN_ALG),
    "sign1-tests/sign-fail-04.json": dict.fromkeys(("strict", "rfc9052"), Sign1Reason.UNKNOWN_ALG),
    "sign1-tests/sign-fail-06.json": dict.fromkeys(
        ("strict", "rfc9052"), Sign1Reason.BAD_SIGNATURE
    ),
    "sign1-tests/sign-fail-07.json": dict.fromkeys(
        ("strict", "rfc9052"), Sign1Reason.BAD_SIGNATURE
    ),
}
CASES = [(name, profile) for name in EXPECTED for profile in ("strict", "rfc9052")]


def load(name: str) -> dict[str, Any]:
    return json.loads((VECTORS / name).read_text(encoding="utf-8"))  # type: ignore[no-any-return]


def _b64u(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def vector_jwk(vector: dict[str, Any], *, private: bool = False) -> dict[str, str]:
    """The vector's JWK-like key as a standard JWK (``*_hex`` members become base64url)."""
    key = vector["input"]["sign0"]["key"]
    jwk: dict[str, str] = {"kty": key["kty"], "crv": key["crv"], "kid": key["kid"]}
    for member in ("x", "y", "d") if private else ("x", "y"):
        if member in key:
            jwk[member] = key[member]
        elif f"{member}_hex" in key:
            jwk[member] = _b64u(bytes.fromhex(key[f"{member}_hex"]))
    return jwk


def message(vector: dict[str, Any]) -> bytes:
    return bytes.fromhex(vector["output"]["cbor"])


def external_aad(vector: dict[str, Any]) -> bytes:
    return bytes.fromhex(vector["input"]["sign0"].get("external", ""))


def payload(vector: dict[str, Any]) -> bytes:
    inp = vector["input"]
    if "plaintext_hex" in inp:
        return bytes.fromhex(inp["plaintext_hex"])
    return inp["plaintext"].encode("utf-8")  # type: ignore[no-any-return]


def test_vectors_are_an_exact_copy_with_attribution() -> None:
    readme = (VECTORS / "README.md").read_text(encoding="utf-8")
    assert "Unlicense" in readme
    assert "53c9d634333bb4f529d78f5980fffa2667ee2c12" in readme
    shared = Path("/work/shared/conformance/cose")
    if shared.is_dir():  # on the machine the copy was made from
        for src in shared.rglob("*"):
            if src.is_file():
                assert (VECTORS / src.relative_to(shared)).read_bytes() == src.read_bytes()


def test_index_and_table_agree() -> None:
    with (VECTORS / "INDEX.tsv").open(encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f, delimiter="\t"))
    assert {row["file"] for row in rows} == set(EXPECTED)
    json_files = {str(p.relative_to(VECTORS)) for p in VECTORS.rglob("*.json")}
    assert json_files == set(EXPECTED)
    for row in rows:
        vector = load(row["file"])
        assert bool(vector.get("fail")) == (row["expected"] == "fail")
        # The expected RFC 9052 outcome is the upstream verdict.
        assert (EXPECTED[row["file"]]["rfc9052"] is None) == (row["expected"] == "pass")


@pytest.mark.parametrize(("name", "profile"), CASES)
def test_vector(name: str, profile: str) -> None:
    vector = load(name)
    key = PublicKey.from_jwk(vector_jwk(vector))
    expected = EXPECTED[name][profile]
    if expected is None:
        got = verify_sign1(
            message(vector),
            key,
            external_aad=external_aad(vector),
            profile=profile,  # type: ignore[arg-type]
        )
        assert got == payload(vector)
    else:
        with pytest.raises(Sign1Error) as info:
            verify_sign1(
                message(vector),
                key,
                external_aad=external_aad(vector),
                profile=profile,  # type: ignore[arg-type]
            )
        assert info.value.reason is expected, str(info.value)
        assert f"[{expected.value}]" in str(info.value)


@pytest.mark.parametrize("name", [n for n, e in EXPECTED.items() if e["rfc9052"] is None])
def test_sig_structure_equals_to_be_signed(name: str) -> None:
    vector = load(name)
    msg = decode_sign1_unverified(message(vector))
    tbs = msg.sig_structure(external_aad=external_aad(vector))
    assert tbs.hex().upper() == vector["intermediates"]["ToBeSign_hex"].upper()


def test_sign_pass_01_signed_the_empty_bstr_not_a0() -> None:
    vector = load("sign1-tests/sign-pass-01.json")
    msg = decode_sign1_unverified(message(vector))
    assert msg.protected_bytes == b"\xa0"
    assert msg.protected == {}
    assert msg.alg is Algorithm.ES256
    assert msg.sig_structure()[12:14] == b"\x40\x40"  # body_protected h'' then external h''


def test_strict_reasons_are_actionable() -> None:
    key = PublicKey.from_jwk(vector_jwk(load("sign1-tests/sign-pass-01.json")))
    with pytest.raises(Sign1Error, match="protected header"):
        verify_sign1(message(load("sign1-tests/sign-pass-01.json")), key)
    with pytest.raises(Sign1Error, match="tag 18 is missing"):
        verify_sign1(message(load("sign1-tests/sign-pass-03.json")), key)


def test_sign_fail_01_is_caught_by_the_tag_check_only() -> None:
    vector = load("sign1-tests/sign-fail-01.json")
    raw = message(vector)
    assert raw[:3] == bytes.fromhex("d903e6")  # tag 998
    msg = decode_sign1_unverified(raw[3:])  # the untagged array inside
    assert msg.sig_structure().hex().upper() == vector["intermediates"]["ToBeSign_hex"].upper()
    key = PublicKey.from_jwk(vector_jwk(vector))
    assert verify_sign1(b"\xd2" + raw[3:], key) == payload(vector)


def test_verify_accepts_a_cryptography_key_object() -> None:
    vector = load("ecdsa-examples/ecdsa-sig-02.json")
    key = PublicKey.from_jwk(vector_jwk(vector))
    got = verify_sign1(message(vector), key.crypto_key, profile="rfc9052")  # a high-s vector
    assert got == payload(vector)


def test_countersignature_header_is_ignored_but_the_vector_key_signed_it() -> None:
    vector = load("countersign1/signed1-01.json")
    msg = decode_sign1_unverified(message(vector))
    assert set(msg.unprotected) == {4, 9}
    # Not processed by verify_sign1; check by hand that it is what the vector says.
    key = PublicKey.from_jwk(vector_jwk(vector), alg=Algorithm.EDDSA)
    tbs = bytes.fromhex(vector["intermediates"]["countersign0"][0]["ToBeSign_hex"])
    key.verify(tbs, msg.unprotected[9])


# --- our signer against the vectors -----------------------------------------------------------


def test_eddsa_signer_reproduces_signed1_01_byte_for_byte() -> None:
    vector = load("countersign1/signed1-01.json")
    signer = PrivateKey.from_jwk(vector_jwk(vector, private=True), alg=Algorithm.EDDSA)
    ours = sign1(payload(vector), signer, kid=b"11", content_type=0)
    theirs = message(vector)
    upstream = decode_sign1_unverified(theirs)
    mine = decode_sign1_unverified(ours)
    assert mine.protected_bytes == upstream.protected_bytes == bytes.fromhex("a201270300")
    assert mine.signature == upstream.signature
    assert mine.sig_structure().hex().upper() == vector["intermediates"]["ToBeSign_hex"]
    # Upstream also carries an RFC 8152 CounterSignature0 (label 9) in the unprotected map,
    # written before the kid (not in deterministic order). Without it the bytes are ours:
    countersig_entry = bytes.fromhex("095840") + upstream.unprotected[9]
    expected = theirs.replace(bytes.fromhex("a2") + countersig_entry, bytes.fromhex("a1"))
    assert len(expected) == len(theirs) - len(countersig_entry)
    assert ours == expected


@pytest.mark.parametrize(
    ("name", "alg"),
    [
        ("ecdsa-examples/ecdsa-sig-01.json", Algorithm.ES256),
        ("ecdsa-examples/ecdsa-sig-02.json", Algorithm.ES384),
        ("sign1-tests/sign-pass-02.json", Algorithm.ES256),
    ],
)
def test_ecdsa_signer_builds_the_same_sig_structure(name: str, alg: Algorithm) -> None:
    vector = load(name)
    sign0 = vector["input"]["sign0"]
    signer = PrivateKey.from_jwk(vector_jwk(vector, private=True), alg=alg)
    ours = sign1(
        payload(vector),
        signer,
        kid=sign0["unprotected"]["kid"].encode(),
        content_type=sign0["protected"].get("ctyp"),
        external_aad=external_aad(vector),
    )
    mine = decode_sign1_unverified(ours)
    upstream = decode_sign1_unverified(message(vector))
    assert mine.protected_bytes == upstream.protected_bytes
    assert mine.unprotected == upstream.unprotected
    tbs = mine.sig_structure(external_aad=external_aad(vector))
    assert tbs.hex().upper() == vector["intermediates"]["ToBeSign_hex"].upper()
    # ECDSA is randomized: the signature differs, but both verify under the vector's key.
    public = PublicKey.from_jwk(vector_jwk(vector))
    aad = external_aad(vector)
    assert verify_sign1(ours, public, external_aad=aad) == payload(vector)
    # The upstream signature has a high s: valid under RFC 9052, refused by the strict profile.
    assert verify_sign1(message(vector), public, external_aad=aad, profile="rfc9052") == (
        payload(vector)
    )
    assert len(ours) == len(message(vector))
