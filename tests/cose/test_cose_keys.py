"""Keys: algorithms, loading and saving, thumbprints, weak-key rejection."""

from __future__ import annotations

import base64
import json
import os
import stat
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import dsa, ec, ed25519, rsa, x448, x25519
from hypothesis import given, settings
from hypothesis import strategies as st

from batterypass.codec.cbor import encode_value
from batterypass.errors import BatteryPassError, InvalidKeyError, SignatureError
from batterypass.keys import Algorithm, Curve, KeyType, PrivateKey, PublicKey, Signer

ALL_ALGS = list(Algorithm)
FULLY_SPECIFIED = [
    Algorithm.ED25519,
    Algorithm.ED448,
    Algorithm.ESP256,
    Algorithm.ESP384,
    Algorithm.ESP512,
]


def b64u(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


@pytest.fixture(scope="module")
def keys() -> dict[Algorithm, PrivateKey]:
    return {alg: PrivateKey.generate(alg) for alg in ALL_ALGS}


# --- the algorithm table ----------------------------------------------------------------------


def test_algorithm_ids_match_the_cose_registry() -> None:
    assert {a.cose_name: a.value for a in Algorithm} == {
        "EdDSA": -8,
        "Ed25519": -19,
        "Ed448": -53,
        "ES256": -7,
        "ESP256": -9,
        "ES384": -35,
        "ESP384": -51,
        "ES512": -36,
        "ESP512": -52,
    }


@pytest.mark.parametrize(
    ("alg", "curve"),
    [
        (Algorithm.EDDSA, Curve.ED25519),
        (Algorithm.ED25519, Curve.ED25519),
        (Algorithm.ED448, Curve.ED448),
        (Algorithm.ES256, Curve.P256),
        (Algorithm.ESP256, Curve.P256),
        (Algorithm.ES384, Curve.P384),
        (Algorithm.ESP384, Curve.P384),
        (Algorithm.ES512, Curve.P521),
        (Algorithm.ESP512, Curve.P521),
    ],
)
def test_each_algorithm_is_bound_to_one_curve(alg: Algorithm, curve: Curve) -> None:
    assert alg.curve is curve
    assert alg.key_type is (KeyType.OKP if curve in (Curve.ED25519, Curve.ED448) else KeyType.EC)


def test_new_signatures_default_to_fully_specified_ids() -> None:
    assert [Algorithm.for_curve(c) for c in Curve] == FULLY_SPECIFIED
    assert all(a.fully_specified for a in FULLY_SPECIFIED)
    assert not any(a.fully_specified for a in set(Algorithm) - set(FULLY_SPECIFIED))


@pytest.mark.parametrize("value", [True, False, "ES256", -7.0, None, -999, 1])
def test_lookup_rejects_unknown_and_ill_typed_ids(value: object) -> None:
    assert Algorithm.lookup(value) is None


def test_curve_orders_are_the_real_group_orders() -> None:
    # derive_private_key accepts exactly 1 <= d < n, so n - 1 loads and n does not.
    from batterypass import keys as keys_module

    for curve, order in keys_module._EC_ORDER.items():
        crypto_curve = keys_module._crypto_curve(curve)
        ec.derive_private_key(order - 1, crypto_curve)
        with pytest.raises(ValueError):
            ec.derive_private_key(order, crypto_curve)


# --- thumbprints and kids ---------------------------------------------------------------------


def test_thumbprint_matches_rfc8037_appendix_a3() -> None:
    jwk = {"kty": "OKP", "crv": "Ed25519", "x": "11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"}
    key = PublicKey.from_jwk(jwk)
    assert key.thumbprint() == "kPrK_qmxVWaYVA9wwBF6Iuo3vVzz7TxHCTwXBygrS4k"
    assert key.kid == key.thumbprint()


def test_private_key_from_rfc8037_a1_has_the_same_kid() -> None:
    key = PrivateKey.from_jwk(
        {
            "kty": "OKP",
            "crv": "Ed25519",
            "d": "nWGxne_9WmC6hEr0kuwsxERJxWl7MmkZcDusAxyuf2A",
            "x": "11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo",
        }
    )
    assert key.kid == "kPrK_qmxVWaYVA9wwBF6Iuo3vVzz7TxHCTwXBygrS4k"
    assert key.alg is Algorithm.ED25519
    # RFC 8037 A.4: the Ed25519 signature of the JWS signing input is deterministic.
    signing_input = b"eyJhbGciOiJFZERTQSJ9.RXhhbXBsZSBvZiBFZDI1NTE5IHNpZ25pbmc"
    assert b64u(key.sign(signing_input)) == (
        "hgyY0il_MGCjP0JzlnLWG1PPOt7-09PGcvMg3AIbQR6dWbhijcNR4ki4iylGjg5BhVsPt9g7sVvpAr_MuM0KAg"
    )


def test_explicit_kid_wins_and_jwk_kid_is_used(keys: dict[Algorithm, PrivateKey]) -> None:
    pub = keys[Algorithm.ESP256].public_key()
    jwk = pub.to_jwk() | {"kid": "device-7"}
    assert PublicKey.from_jwk(jwk).kid == "device-7"
    assert PublicKey.from_jwk(jwk, kid="other").kid == "other"
    with pytest.raises(InvalidKeyError, match="kid"):
        PublicKey.from_jwk(pub.to_jwk() | {"kid": ""})


# --- round trips ------------------------------------------------------------------------------


@pytest.mark.parametrize("alg", ALL_ALGS, ids=lambda a: a.cose_name)
def test_public_round_trips(keys: dict[Algorithm, PrivateKey], alg: Algorithm) -> None:
    pub = keys[alg].public_key()
    assert PublicKey.from_pem(pub.to_pem(), alg=alg, kid=pub.kid) == pub
    assert PublicKey.from_pem(pub.to_pem().decode()).alg is Algorithm.for_curve(alg.curve)
    assert PublicKey.from_cose_key(pub.to_cose_key()) == pub
    # JOSE has one name for ES256/ESP256: it maps to the fully-specified COSE id.
    from_jwk = PublicKey.from_jwk(pub.to_jwk())
    assert from_jwk.crypto_key == pub.crypto_key
    assert from_jwk.kid == pub.kid
    expected = Algorithm.EDDSA if alg is Algorithm.EDDSA else Algorithm.for_curve(alg.curve)
    assert from_jwk.alg is expected
    assert PublicKey.from_jwk(json.dumps(pub.to_jwk()), alg=alg) == pub


@pytest.mark.parametrize("alg", ALL_ALGS, ids=lambda a: a.cose_name)
def test_private_round_trips(keys: dict[Algorithm, PrivateKey], alg: Algorithm) -> None:
    key = keys[alg]
    for loaded in (
        PrivateKey.from_pem(key.to_pem(), alg=alg),
        PrivateKey.from_pem(key.to_pem(password=b"correct horse"), password=b"correct horse"),
        PrivateKey.from_jwk(key.to_jwk(), alg=alg),
        PrivateKey.from_cose_key(key.to_cose_key()),
    ):
        assert loaded.public_key().crypto_key == key.public_key().crypto_key
        assert loaded.kid == key.kid
        key.public_key().verify(b"m", loaded.sign(b"m"), alg=alg)


def test_private_key_repr_hides_the_secret(keys: dict[Algorithm, PrivateKey]) -> None:
    text = repr(keys[Algorithm.ED25519])
    assert "crypto_key" not in text
    assert keys[Algorithm.ED25519].to_jwk()["d"] not in text


def test_private_key_is_a_signer(keys: dict[Algorithm, PrivateKey]) -> None:
    assert isinstance(keys[Algorithm.ESP384], Signer)


def test_keys_are_frozen(keys: dict[Algorithm, PrivateKey]) -> None:
    pub = keys[Algorithm.ED25519].public_key()
    with pytest.raises(AttributeError):
        pub.kid = "x"  # type: ignore[misc]


# --- files ------------------------------------------------------------------------------------


def test_key_file_is_0600_and_never_overwritten(
    tmp_path: Path, keys: dict[Algorithm, PrivateKey]
) -> None:
    path = tmp_path / "signer.pem"
    keys[Algorithm.ED25519].to_file(path)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert path.read_bytes().startswith(b"-----BEGIN PRIVATE KEY-----")
    before = path.read_bytes()
    with pytest.raises(BatteryPassError, match="refusing to overwrite"):
        keys[Algorithm.ESP256].to_file(path)
    assert path.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["signer.pem"]  # no temp leftovers
    assert PrivateKey.from_file(path).kid == keys[Algorithm.ED25519].kid


def test_key_file_mode_ignores_a_permissive_umask(
    tmp_path: Path, keys: dict[Algorithm, PrivateKey]
) -> None:
    old = os.umask(0)
    try:
        keys[Algorithm.ED25519].to_file(tmp_path / "k.pem")
    finally:
        os.umask(old)
    assert stat.S_IMODE((tmp_path / "k.pem").stat().st_mode) == 0o600


def test_encrypted_key_file_needs_the_password(
    tmp_path: Path, keys: dict[Algorithm, PrivateKey]
) -> None:
    path = tmp_path / "enc.pem"
    keys[Algorithm.ESP256].to_file(path, password=b"s3cret")
    assert b"ENCRYPTED" in path.read_bytes()
    assert PrivateKey.from_file(path, password=b"s3cret").kid == keys[Algorithm.ESP256].kid
    with pytest.raises(InvalidKeyError):
        PrivateKey.from_file(path, password=b"wrong")
    with pytest.raises(InvalidKeyError):
        PrivateKey.from_file(path)
    with pytest.raises(InvalidKeyError, match="empty password"):
        keys[Algorithm.ESP256].to_pem(password=b"")


def test_missing_directory_is_a_batterypass_error(keys: dict[Algorithm, PrivateKey]) -> None:
    with pytest.raises(BatteryPassError, match="cannot write"):
        keys[Algorithm.ED25519].to_file(Path("/nonexistent-dir-batterypass/k.pem"))


# --- weak and unsupported keys ----------------------------------------------------------------

P = 2**255 - 19
D = -121665 * pow(121666, -1, P) % P
SQRT_M1 = pow(2, (P - 1) // 4, P)


def _recover_x(y: int, sign: int) -> int | None:
    u = (y * y - 1) * pow(D * y * y + 1, -1, P) % P
    x = pow(u, (P + 3) // 8, P)
    if (x * x - u) % P:
        x = x * SQRT_M1 % P
    if (x * x - u) % P:
        return None
    if x & 1 != sign:
        x = (P - x) % P
    return x


def _add(a: tuple[int, int], b: tuple[int, int]) -> tuple[int, int]:
    (x1, y1), (x2, y2) = a, b
    t = D * x1 * x2 * y1 * y2 % P
    return (
        (x1 * y2 + x2 * y1) * pow(1 + t, -1, P) % P,
        (y1 * y2 + x1 * x2) * pow(1 - t, -1, P) % P,
    )


SMALL_ORDER_Y = [
    0,
    1,
    P - 1,
    2707385501144840649318225287225658788936804267575313519463743609750303402022,
    P - 2707385501144840649318225287225658788936804267575313519463743609750303402022,
]


def test_small_order_list_is_the_whole_8_torsion_group() -> None:
    # Independent check of the constant in keys.py: every listed y gives points P with
    # 8P = identity, and together they are 8 distinct points, i.e. the whole torsion group.
    points = set()
    for y in SMALL_ORDER_Y:
        for sign in (0, 1):
            x = _recover_x(y, sign)
            assert x is not None
            pt = (x, y)
            acc = pt
            for _ in range(7):
                acc = _add(acc, pt)
            assert acc == (0, 1)
            points.add(pt)
    assert len(points) == 8


def _small_order_encodings() -> list[bytes]:
    encodings = []
    for y in [*SMALL_ORDER_Y, P, P + 1]:  # p and p + 1 are non-canonical 0 and 1
        for sign in (0, 1 << 255):
            encodings.append((y | sign).to_bytes(32, "little"))
    return encodings


@pytest.mark.parametrize("raw", _small_order_encodings(), ids=lambda r: r.hex()[:8] + r.hex()[-2:])
def test_small_order_ed25519_keys_are_rejected_everywhere(raw: bytes) -> None:
    jwk = {"kty": "OKP", "crv": "Ed25519", "x": b64u(raw)}
    with pytest.raises(InvalidKeyError, match="small-order"):
        PublicKey.from_jwk(jwk)
    with pytest.raises(InvalidKeyError, match="small-order"):
        PublicKey.from_cose_key(encode_value({1: 1, -1: 6, -2: raw}))
    crypto = ed25519.Ed25519PublicKey.from_public_bytes(raw)  # cryptography accepts it
    with pytest.raises(InvalidKeyError, match="small-order"):
        PublicKey.from_cryptography(crypto)
    pem = crypto.public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    with pytest.raises(InvalidKeyError, match="small-order"):
        PublicKey.from_pem(pem)


def test_non_canonical_and_off_curve_ed25519_encodings_are_rejected() -> None:
    with pytest.raises(InvalidKeyError, match="canonical"):
        PublicKey.from_jwk(
            {"kty": "OKP", "crv": "Ed25519", "x": b64u((P + 2).to_bytes(32, "little"))}
        )
    off = next(y for y in range(2, 100) if _recover_x(y, 0) is None)
    with pytest.raises(InvalidKeyError, match="not a point"):
        PublicKey.from_jwk({"kty": "OKP", "crv": "Ed25519", "x": b64u(off.to_bytes(32, "little"))})


@pytest.mark.parametrize("curve", [Curve.P256, Curve.P384, Curve.P521])
def test_off_curve_ec_points_are_rejected(keys: dict[Algorithm, PrivateKey], curve: Curve) -> None:
    good = keys[Algorithm.for_curve(curve)].public_key().to_jwk()
    y = bytearray(base64.urlsafe_b64decode(good["y"] + "=="))
    y[-1] ^= 1
    bad = good | {"y": b64u(bytes(y))}
    with pytest.raises(InvalidKeyError, match="not a point on the curve"):
        PublicKey.from_jwk(bad)
    size = curve.coordinate_size
    x = base64.urlsafe_b64decode(good["x"] + "==")
    with pytest.raises(InvalidKeyError, match="not a point on the curve"):
        PublicKey.from_cose_key(encode_value({1: 2, -1: curve.cose_crv, -2: x, -3: bytes(y)}))
    with pytest.raises(InvalidKeyError, match="not a point on the curve"):
        PublicKey.from_jwk(good | {"x": b64u(bytes(size)), "y": b64u(bytes(size))})


def test_compressed_cose_key_points_are_decompressed(keys: dict[Algorithm, PrivateKey]) -> None:
    pub = keys[Algorithm.ESP256].public_key()
    jwk = pub.to_jwk()
    x = base64.urlsafe_b64decode(jwk["x"] + "==")
    y_odd = base64.urlsafe_b64decode(jwk["y"] + "==")[-1] & 1
    loaded = PublicKey.from_cose_key(encode_value({1: 2, -1: 1, -2: x, -3: bool(y_odd)}))
    assert loaded.crypto_key == pub.crypto_key


@pytest.mark.parametrize(
    ("alg", "curve"),
    [
        (Algorithm.ES384, Curve.P256),
        (Algorithm.ESP256, Curve.P384),
        (Algorithm.ES512, Curve.P384),
        (Algorithm.ED25519, Curve.P256),
        (Algorithm.ESP256, Curve.ED25519),
        (Algorithm.EDDSA, Curve.P521),
    ],
)
def test_wrong_curve_for_alg_is_rejected(
    keys: dict[Algorithm, PrivateKey], alg: Algorithm, curve: Curve
) -> None:
    key = keys[Algorithm.for_curve(curve)]
    pub = key.public_key()
    with pytest.raises(InvalidKeyError, match=f"needs a {alg.curve.value} key"):
        PublicKey.from_jwk(pub.to_jwk(), alg=alg)
    with pytest.raises(InvalidKeyError, match=f"needs a {alg.curve.value} key"):
        PublicKey.from_jwk(pub.to_jwk() | {"alg": alg.cose_name})
    with pytest.raises(InvalidKeyError, match=f"needs a {alg.curve.value} key"):
        PublicKey.from_pem(pub.to_pem(), alg=alg)
    with pytest.raises(InvalidKeyError, match=f"needs a {alg.curve.value} key"):
        PrivateKey.from_pem(key.to_pem(), alg=alg)
    with pytest.raises(SignatureError, match="cannot be used with"):
        pub.verify(b"m", key.sign(b"m"), alg=alg)


def _pem_public(key: object) -> bytes:
    return key.public_key().public_bytes(  # type: ignore[attr-defined,no-any-return]
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )


def _pem_private(key: object) -> bytes:
    return key.private_bytes(  # type: ignore[attr-defined,no-any-return]
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )


@pytest.mark.parametrize(
    ("make", "reason"),
    [
        (lambda: ec.generate_private_key(ec.SECP256K1()), "secp256k1"),
        (lambda: ec.generate_private_key(ec.SECP192R1()), "secp192r1"),
        (lambda: ec.generate_private_key(ec.SECP224R1()), "secp224r1"),
        (lambda: rsa.generate_private_key(65537, 2048), "RSA"),
        (lambda: dsa.generate_private_key(2048), "DSA"),
        (lambda: x25519.X25519PrivateKey.generate(), "X25519"),
        (lambda: x448.X448PrivateKey.generate(), "X448"),
    ],
    ids=["secp256k1", "P-192", "P-224", "RSA", "DSA", "X25519", "X448"],
)
def test_unsupported_keys_are_rejected_with_a_reason(make: object, reason: str) -> None:
    key = make()  # type: ignore[operator]
    with pytest.raises(InvalidKeyError, match=reason):
        PublicKey.from_pem(_pem_public(key))
    with pytest.raises(InvalidKeyError, match=reason):
        PrivateKey.from_pem(_pem_private(key))


@pytest.mark.parametrize(
    ("jwk", "reason"),
    [
        ({"kty": "EC", "crv": "secp256k1", "x": "AA", "y": "AA"}, "unsupported curve secp256k1"),
        ({"kty": "EC", "crv": "P-192", "x": "AA", "y": "AA"}, "unsupported curve P-192"),
        ({"kty": "OKP", "crv": "X25519", "x": "AA"}, "unsupported curve X25519"),
        ({"kty": "OKP", "crv": "X448", "x": "AA"}, "unsupported curve X448"),
        ({"kty": "OKP", "crv": "Ed448", "x": "AA"}, "must be 57 bytes"),
        ({"kty": "RSA", "n": "AQAB", "e": "AQAB"}, "unsupported JWK kty 'RSA'"),
        ({"kty": "oct", "k": "AA"}, "unsupported JWK kty"),
        ({"kty": "EC", "crv": "Ed25519", "x": "AA"}, "does not go with kty"),
        ({"kty": "OKP", "crv": "Ed25519", "x": "AA=="}, "base64url"),
        ({"kty": "OKP", "crv": "Ed25519", "x": "a+b/"}, "base64url"),
        ({"kty": "OKP", "crv": "Ed25519", "x": b64u(b"\x05" + bytes(31))[:-1] + "B"}, "canonical"),
        ({"kty": "OKP", "crv": "Ed25519", "x": b64u(bytes(31))}, "must be 32 bytes"),
        ({"kty": "OKP", "crv": "Ed25519", "x": b64u(b"\x05" + bytes(31)), "use": "enc"}, "use"),
        ({"kty": "OKP", "crv": "Ed25519", "x": b64u(b"\x05" + bytes(31)), "alg": "RS256"}, "RS256"),
    ],
)
def test_bad_jwks_are_rejected_with_a_reason(jwk: dict[str, str], reason: str) -> None:
    with pytest.raises(InvalidKeyError, match=reason.replace("+", r"\+")):
        PublicKey.from_jwk(jwk)


@pytest.mark.parametrize(
    ("cose_key", "reason"),
    [
        ({1: 2, -1: 8, -2: bytes(32), -3: bytes(32)}, "secp256k1"),
        ({1: 1, -1: 4, -2: bytes(32)}, "X25519"),
        ({1: 1, -1: 5, -2: bytes(56)}, "X448"),
        ({1: 1, -1: 7, -2: bytes(57)}, "Ed448 public key is a small-order point"),
        ({1: 3, -1: 1}, "kty"),
        ({1: 4, -1: 1}, "kty"),
        ({1: 2, -1: 6, -2: bytes(32)}, "does not go with kty"),
        ({1: 2, -1: 1, -2: bytes(31), -3: bytes(32)}, "must be 32 bytes"),
        ({1: 1, -1: 6, -2: b"\x05" + bytes(31), 3: -7}, "needs a P-256 key"),
        ({1: 1, -1: 6, -2: b"\x05" + bytes(31), 3: -999}, "unsupported COSE_Key alg"),
        ({1: 1, -1: 6, -2: b"\x05" + bytes(31), 2: b"\xff"}, "UTF-8"),
        ({1: 1, -1: 6, -2: "text"}, "byte string"),
    ],
)
def test_bad_cose_keys_are_rejected_with_a_reason(cose_key: dict[int, object], reason: str) -> None:
    with pytest.raises(InvalidKeyError, match=reason):
        PublicKey.from_cose_key(encode_value(cose_key))


def test_cose_key_garbage_is_an_invalid_key_error() -> None:
    with pytest.raises(InvalidKeyError, match="CBOR"):
        PublicKey.from_cose_key(b"\xff\x00")
    with pytest.raises(InvalidKeyError, match="map"):
        PublicKey.from_cose_key(encode_value([1, 2]))


def test_private_jwk_must_match_its_public_coordinates(keys: dict[Algorithm, PrivateKey]) -> None:
    a, b = keys[Algorithm.ESP256], PrivateKey.generate(Algorithm.ESP256)
    forged = a.to_jwk() | {"x": b.to_jwk()["x"], "y": b.to_jwk()["y"]}
    with pytest.raises(InvalidKeyError, match="do not match"):
        PrivateKey.from_jwk(forged)
    ed_a, ed_b = keys[Algorithm.ED25519], PrivateKey.generate()
    with pytest.raises(InvalidKeyError, match="do not match"):
        PrivateKey.from_jwk(ed_a.to_jwk() | {"x": ed_b.to_jwk()["x"]})
    cose = PrivateKey.from_cose_key  # the same rule for COSE_Key
    forged_cose = encode_value(
        {
            1: 1,
            -1: 6,
            -2: base64.urlsafe_b64decode(ed_b.to_jwk()["x"] + "="),
            -4: base64.urlsafe_b64decode(ed_a.to_jwk()["d"] + "="),
        }
    )
    with pytest.raises(InvalidKeyError, match="do not match"):
        cose(forged_cose)


def test_public_loaders_refuse_private_material(keys: dict[Algorithm, PrivateKey]) -> None:
    with pytest.raises(InvalidKeyError, match="private member"):
        PublicKey.from_jwk(keys[Algorithm.ED25519].to_jwk())
    with pytest.raises(InvalidKeyError, match="private parameter"):
        PublicKey.from_cose_key(keys[Algorithm.ED25519].to_cose_key())


def test_ec_private_scalar_out_of_range_is_rejected() -> None:
    from batterypass import keys as keys_module

    n = keys_module._EC_ORDER[Curve.P256]
    with pytest.raises(InvalidKeyError, match="out of range"):
        PrivateKey.from_cose_key(encode_value({1: 2, -1: 1, -4: n.to_bytes(32, "big")}))
    with pytest.raises(InvalidKeyError, match="out of range"):
        PrivateKey.from_cose_key(encode_value({1: 2, -1: 1, -4: bytes(32)}))


def test_garbage_pem_is_an_invalid_key_error() -> None:
    with pytest.raises(InvalidKeyError):
        PublicKey.from_pem(b"-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n")
    with pytest.raises(InvalidKeyError):
        PrivateKey.from_pem("not a pem")
    with pytest.raises(InvalidKeyError, match="unsupported key type"):
        PublicKey.from_cryptography(object())


# --- raw signatures ---------------------------------------------------------------------------


@pytest.mark.parametrize("alg", ALL_ALGS, ids=lambda a: a.cose_name)
def test_signature_sizes(keys: dict[Algorithm, PrivateKey], alg: Algorithm) -> None:
    sig = keys[alg].sign(b"data")
    assert (
        len(sig)
        == alg.signature_size
        == {Curve.ED25519: 64, Curve.ED448: 114, Curve.P256: 64, Curve.P384: 96, Curve.P521: 132}[
            alg.curve
        ]
    )
    keys[alg].public_key().verify(b"data", sig)
    with pytest.raises(SignatureError, match="does not verify"):
        keys[alg].public_key().verify(b"Data", sig)
    with pytest.raises(SignatureError, match="must be"):
        keys[alg].public_key().verify(b"data", sig + b"\x00")
    with pytest.raises(SignatureError, match="must be"):
        keys[alg].public_key().verify(b"data", sig[1:])


@pytest.mark.parametrize("curve", [Curve.P256, Curve.P384, Curve.P521])
def test_ecdsa_r_and_s_out_of_range_are_rejected(
    keys: dict[Algorithm, PrivateKey], curve: Curve
) -> None:
    from batterypass import keys as keys_module

    n = keys_module._EC_ORDER[curve]
    size = curve.coordinate_size
    pub = keys[Algorithm.for_curve(curve)].public_key()
    good = keys[Algorithm.for_curve(curve)].sign(b"m")
    r, s = good[:size], good[size:]
    for bad in (
        bytes(size) + s,
        r + bytes(size),
        n.to_bytes(size, "big") + s,
        r + n.to_bytes(size, "big"),
        b"\xff" * size + s,
    ):
        with pytest.raises(SignatureError, match="outside"):
            pub.verify(b"m", bad)


@settings(max_examples=30, deadline=None)
@given(data=st.binary(max_size=256), alg=st.sampled_from(ALL_ALGS))
def test_sign_verify_round_trip(data: bytes, alg: Algorithm) -> None:
    key = _FIXED_KEYS[alg]
    key.public_key().verify(data, key.sign(data))


_FIXED_KEYS = {alg: PrivateKey.generate(alg) for alg in ALL_ALGS}
