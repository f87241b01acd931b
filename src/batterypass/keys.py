"""Signing keys: algorithms, key loading and saving, weak-key rejection, the Signer protocol.

Supported keys are Ed25519, Ed448 and ECDSA on P-256, P-384 and P-521. Anything else (RSA,
DSA, secp256k1, P-192, X25519, X448, ...) is refused when it is loaded, with the reason.

Algorithm identifiers follow the COSE registry. New signatures use the fully-specified
identifiers of RFC 9864 (``Ed25519`` -19, ``Ed448`` -53, ``ESP256`` -9, ``ESP384`` -51,
``ESP512`` -52); verification also accepts the older polymorphic ones (``EdDSA`` -8, ``ES256``
-7, ``ES384`` -35, ``ES512`` -36), each bound to exactly one key type and curve (see
``docs/adr/0003-cose-algorithm-identifiers.md``): ``EdDSA`` stays bound to Ed25519, so an
Ed448 signature is always labelled ``Ed448``.

A key's ``kid`` is, unless given explicitly, its RFC 7638 JWK thumbprint (SHA-256, base64url
without padding).

Signatures returned by :meth:`PrivateKey.sign` and accepted by :meth:`PublicKey.verify` are in
COSE form: 64 bytes for Ed25519, 114 for Ed448, raw fixed-size ``r || s`` for ECDSA (RFC 9053
section 2.1).
"""

from __future__ import annotations

import base64
import enum
import hashlib
import json
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol, cast, runtime_checkable

from cryptography.exceptions import InvalidSignature, UnsupportedAlgorithm
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed448, ed25519
from cryptography.hazmat.primitives.asymmetric.utils import (
    decode_dss_signature,
    encode_dss_signature,
)

from batterypass._fs import read_bounded, write_atomic
from batterypass.codec.cbor import DEFAULT_LIMITS, DecodeLimits, decode_value, encode_value
from batterypass.codec.json import loads_value
from batterypass.errors import DecodeError, InvalidKeyError, SignatureError

__all__ = [
    "Algorithm",
    "Curve",
    "KeyType",
    "PrivateKey",
    "PublicKey",
    "Signer",
]


class KeyType(enum.Enum):
    """Key type; the value is the JWK ``kty`` spelling."""

    OKP = "OKP"
    EC = "EC"

    @property
    def cose_kty(self) -> int:
        """The COSE_Key ``kty`` value (RFC 9053 section 7): OKP = 1, EC2 = 2."""
        return 1 if self is KeyType.OKP else 2


class Curve(enum.Enum):
    """Supported curves; the value is the JWK ``crv`` spelling."""

    ED25519 = "Ed25519"
    ED448 = "Ed448"
    P256 = "P-256"
    P384 = "P-384"
    P521 = "P-521"

    @property
    def key_type(self) -> KeyType:
        """OKP for Ed25519 and Ed448, EC for the NIST curves."""
        return KeyType.OKP if self in (Curve.ED25519, Curve.ED448) else KeyType.EC

    @property
    def cose_crv(self) -> int:
        """The COSE ``crv`` value (RFC 9053 section 7.1)."""
        return _COSE_CRV[self]

    @property
    def coordinate_size(self) -> int:
        """Length in bytes of one coordinate (or of the Ed25519 / Ed448 public key)."""
        return _COORD_SIZE[self]

    @property
    def order(self) -> int | None:
        """The group order ``n`` of an ECDSA curve (None for Ed25519 and Ed448)."""
        return _EC_ORDER.get(self)


_COSE_CRV = {Curve.P256: 1, Curve.P384: 2, Curve.P521: 3, Curve.ED25519: 6, Curve.ED448: 7}
_COORD_SIZE = {
    Curve.P256: 32,
    Curve.P384: 48,
    Curve.P521: 66,
    Curve.ED25519: 32,
    Curve.ED448: 57,
}
_CURVE_BY_COSE_CRV = {v: k for k, v in _COSE_CRV.items()}
# COSE curve ids we know but refuse, so the error can name them.
_UNSUPPORTED_COSE_CRV = {4: "X25519", 5: "X448", 8: "secp256k1"}
_UNSUPPORTED_JWK_CRV = {"X25519", "X448", "secp256k1", "P-192", "P-224"}

# Group orders (SEC 2 / FIPS 186-5); ECDSA r and s must lie in [1, n-1].
_EC_ORDER = {
    Curve.P256: 0xFFFFFFFF00000000FFFFFFFFFFFFFFFFBCE6FAADA7179E84F3B9CAC2FC632551,
    Curve.P384: int(
        "FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFC7634D81F4372DDF"
        "581A0DB248B0A77AECEC196ACCC52973",
        16,
    ),
    Curve.P521: int(
        "01FF" + "F" * 56 + "FFFFFFFA51868783BF2F966B7FCC0148"
        "F709A5D03BB5C9B8899C47AEBB6FB71E91386409",
        16,
    ),
}


def _crypto_curve(curve: Curve) -> ec.EllipticCurve:
    if curve is Curve.P256:
        return ec.SECP256R1()
    if curve is Curve.P384:
        return ec.SECP384R1()
    if curve is Curve.P521:
        return ec.SECP521R1()
    raise InvalidKeyError(f"{curve.value} is not an ECDSA curve")


_CURVE_BY_OPENSSL_NAME = {
    "secp256r1": Curve.P256,
    "secp384r1": Curve.P384,
    "secp521r1": Curve.P521,
}


@dataclass(frozen=True, slots=True)
class _AlgInfo:
    cose_name: str
    jose_name: str
    curve: Curve
    fully_specified: bool


class Algorithm(enum.Enum):
    """COSE signature algorithms batterypass verifies; the value is the COSE identifier.

    Each algorithm is bound to one curve: ``ES256`` and ``ESP256`` only with P-256,
    ``ES384``/``ESP384`` only with P-384, ``ES512``/``ESP512`` only with P-521, ``EdDSA`` and
    ``Ed25519`` only with Ed25519 keys, ``Ed448`` (RFC 9864 section 2.2) only with Ed448 keys.
    """

    EDDSA = -8
    ED25519 = -19
    ED448 = -53
    ES256 = -7
    ESP256 = -9
    ES384 = -35
    ESP384 = -51
    ES512 = -36
    ESP512 = -52

    @property
    def cose_name(self) -> str:
        """Name in the IANA COSE Algorithms registry, e.g. ``"ESP256"``."""
        return _ALG_INFO[self].cose_name

    @property
    def jose_name(self) -> str:
        """The JOSE ``alg`` with the same meaning (JOSE ``ES256`` is already curve-bound)."""
        return _ALG_INFO[self].jose_name

    @property
    def curve(self) -> Curve:
        """The only curve this algorithm may be used with."""
        return _ALG_INFO[self].curve

    @property
    def key_type(self) -> KeyType:
        """OKP or EC."""
        return self.curve.key_type

    @property
    def fully_specified(self) -> bool:
        """True for the RFC 9864 identifiers that name the curve themselves."""
        return _ALG_INFO[self].fully_specified

    @property
    def signature_size(self) -> int:
        """Length of a COSE signature: 64 for Ed25519, 114 for Ed448 (RFC 8032), ``2 *
        coordinate size`` for ECDSA."""
        return _EDDSA_SIGNATURE_SIZE.get(self.curve, 2 * self.curve.coordinate_size)

    @classmethod
    def lookup(cls, value: object) -> Algorithm | None:
        """The algorithm with COSE identifier ``value``, or None (unknown, or not an int)."""
        if isinstance(value, bool) or not isinstance(value, int):
            return None
        try:
            return cls(value)
        except ValueError:
            return None

    @classmethod
    def from_name(cls, name: str) -> Algorithm:
        """Parse a COSE or JOSE algorithm name.

        JOSE ``ES256``/``ES384``/``ES512`` already bind the curve, so they map to the
        fully-specified COSE ``ESP256``/``ESP384``/``ESP512``; ``EdDSA`` stays polymorphic.
        """
        alg = _ALG_BY_NAME.get(name)
        if alg is None:
            raise InvalidKeyError(
                f"unsupported algorithm {name!r}; supported: {', '.join(sorted(_ALG_BY_NAME))}"
            )
        return alg

    @classmethod
    def for_curve(cls, curve: Curve) -> Algorithm:
        """The fully-specified algorithm new signatures use with a key on ``curve``."""
        return _DEFAULT_ALG[curve]


_ALG_INFO = {
    Algorithm.EDDSA: _AlgInfo("EdDSA", "EdDSA", Curve.ED25519, False),
    Algorithm.ED25519: _AlgInfo("Ed25519", "Ed25519", Curve.ED25519, True),
    Algorithm.ED448: _AlgInfo("Ed448", "Ed448", Curve.ED448, True),
    Algorithm.ES256: _AlgInfo("ES256", "ES256", Curve.P256, False),
    Algorithm.ESP256: _AlgInfo("ESP256", "ES256", Curve.P256, True),
    Algorithm.ES384: _AlgInfo("ES384", "ES384", Curve.P384, False),
    Algorithm.ESP384: _AlgInfo("ESP384", "ES384", Curve.P384, True),
    Algorithm.ES512: _AlgInfo("ES512", "ES512", Curve.P521, False),
    Algorithm.ESP512: _AlgInfo("ESP512", "ES512", Curve.P521, True),
}
_EDDSA_SIGNATURE_SIZE = {Curve.ED25519: 64, Curve.ED448: 114}
_DEFAULT_ALG = {
    Curve.ED25519: Algorithm.ED25519,
    Curve.ED448: Algorithm.ED448,
    Curve.P256: Algorithm.ESP256,
    Curve.P384: Algorithm.ESP384,
    Curve.P521: Algorithm.ESP512,
}
_ALG_BY_NAME = {
    "EdDSA": Algorithm.EDDSA,
    "Ed25519": Algorithm.ED25519,
    "Ed448": Algorithm.ED448,
    "ES256": Algorithm.ESP256,
    "ESP256": Algorithm.ESP256,
    "ES384": Algorithm.ESP384,
    "ESP384": Algorithm.ESP384,
    "ES512": Algorithm.ESP512,
    "ESP512": Algorithm.ESP512,
}
_HASH: dict[Curve, hashes.HashAlgorithm] = {
    Curve.P256: hashes.SHA256(),
    Curve.P384: hashes.SHA384(),
    Curve.P521: hashes.SHA512(),
}


@runtime_checkable
class Signer(Protocol):
    """Anything that signs for COSE: a :class:`PrivateKey`, an HSM or a cloud KMS adapter.

    ``sign`` receives the exact bytes to sign (the COSE Sig_structure) and returns the
    signature in COSE form: 64 bytes for Ed25519, 114 for Ed448, fixed-size ``r || s`` for
    ECDSA (an HSM that returns DER must convert). ``alg`` goes into the protected header,
    ``kid`` (as UTF-8 bytes) into the unprotected header unless the caller overrides it.
    """

    @property
    def alg(self) -> Algorithm:
        """The COSE algorithm this signer produces."""
        ...

    @property
    def kid(self) -> str:
        """Key identifier; by default the RFC 7638 thumbprint."""
        ...

    def sign(self, data: bytes) -> bytes:
        """Sign ``data`` and return a COSE-form signature."""
        ...


# --- Ed25519 weak-key check ------------------------------------------------------------------

_P25519 = 2**255 - 19
_D25519 = -121665 * pow(121666, -1, _P25519) % _P25519
# y of the two points of order 8 with positive x: the other small-order points have
# y in {0 (order 4), 1 (order 1), p-1 (order 2)} and y = p - this value (order 8).
_ORDER8_Y = 2707385501144840649318225287225658788936804267575313519463743609750303402022
_SMALL_ORDER_Y = frozenset({0, 1, _P25519 - 1, _ORDER8_Y, _P25519 - _ORDER8_Y})


def _check_ed25519_encoding(raw: bytes) -> None:
    """Refuse small-order and malformed Ed25519 public keys.

    With a small-order public key, one signature verifies for many messages (and, with
    cofactored verification, for every message), so such a key can never identify a signer.
    The check works on y modulo p with the sign bit masked off, which covers the 14 encodings
    of the 8 small-order points including the non-canonical ``y = p`` and ``y = p + 1``.
    """
    if len(raw) != 32:
        raise InvalidKeyError(f"Ed25519 public key must be 32 bytes, got {len(raw)}")
    y = int.from_bytes(raw, "little") & ((1 << 255) - 1)
    if y % _P25519 in _SMALL_ORDER_Y:
        raise InvalidKeyError(
            "Ed25519 public key is a small-order point (order 1, 2, 4 or 8): it cannot "
            "bind a signature to a signer"
        )
    if y >= _P25519:
        raise InvalidKeyError("Ed25519 public key is not canonically encoded (y >= p)")
    y2 = y * y % _P25519
    x2 = (y2 - 1) * pow(_D25519 * y2 + 1, -1, _P25519) % _P25519
    if pow(x2, (_P25519 - 1) // 2, _P25519) != 1:
        raise InvalidKeyError("Ed25519 public key is not a point on the curve")


# --- Ed448 weak-key check ----------------------------------------------------------------------

_P448 = 2**448 - 2**224 - 1
_D448 = _P448 - 39081  # d = -39081 (RFC 8032 section 5.2)


def _check_ed448_encoding(raw: bytes) -> None:
    """Refuse small-order and malformed Ed448 public keys (RFC 8032 section 5.2.3 decoding).

    The points of order 1, 2 and 4 are (0, 1), (0, -1) and (+-1, 0): their y is 1, p - 1 or 0.
    As for Ed25519, such a key would let one signature verify for many messages.
    """
    if len(raw) != 57:
        raise InvalidKeyError(f"Ed448 public key must be 57 bytes, got {len(raw)}")
    y = int.from_bytes(raw, "little") & ((1 << 455) - 1)
    if y >= _P448:  # also every encoding with one of the bits 448..454 set
        raise InvalidKeyError("Ed448 public key is not canonically encoded (y >= p)")
    if y in (0, 1, _P448 - 1):
        raise InvalidKeyError(
            "Ed448 public key is a small-order point (order 1, 2 or 4): it cannot bind a "
            "signature to a signer"
        )
    y2 = y * y % _P448
    x2 = (y2 - 1) * pow(_D448 * y2 - 1, -1, _P448) % _P448
    if pow(x2, (_P448 - 1) // 2, _P448) != 1:
        raise InvalidKeyError("Ed448 public key is not a point on the curve")


# --- helpers ---------------------------------------------------------------------------------

_PublicCryptoKey = ed25519.Ed25519PublicKey | ed448.Ed448PublicKey | ec.EllipticCurvePublicKey
_PrivateCryptoKey = ed25519.Ed25519PrivateKey | ed448.Ed448PrivateKey | ec.EllipticCurvePrivateKey
_EdPrivateKey = ed25519.Ed25519PrivateKey | ed448.Ed448PrivateKey

_B64URL = re.compile(r"[A-Za-z0-9_-]*")


def _b64u_encode(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _b64u_decode(value: object, member: str) -> bytes:
    """Strict unpadded base64url (RFC 7515 section 2): no padding, no other alphabet."""
    if not isinstance(value, str) or not _B64URL.fullmatch(value) or len(value) % 4 == 1:
        raise InvalidKeyError(f"JWK member {member!r} must be unpadded base64url text")
    data = base64.urlsafe_b64decode(value + "=" * (-len(value) % 4))
    if _b64u_encode(data) != value:
        raise InvalidKeyError(f"JWK member {member!r} is not canonical base64url")
    return data


def _curve_of_public(key: object) -> Curve:
    """The curve of a supported public key; refuse everything else with a reason."""
    if isinstance(key, ed25519.Ed25519PublicKey):
        _check_ed25519_encoding(
            key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
        )
        return Curve.ED25519
    if isinstance(key, ed448.Ed448PublicKey):
        _check_ed448_encoding(
            key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
        )
        return Curve.ED448
    if isinstance(key, ec.EllipticCurvePublicKey):
        curve = _CURVE_BY_OPENSSL_NAME.get(key.curve.name)
        if curve is None:
            raise InvalidKeyError(
                f"unsupported elliptic curve {key.curve.name}; use P-256, P-384 or P-521"
            )
        return curve
    raise InvalidKeyError(
        f"unsupported key type {type(key).__name__}; use Ed25519, Ed448 or ECDSA P-256/P-384/P-521"
    )


def _resolve_alg(curve: Curve, alg: Algorithm | None) -> Algorithm:
    if alg is None:
        return Algorithm.for_curve(curve)
    if not isinstance(alg, Algorithm):
        raise InvalidKeyError(f"alg must be an Algorithm, got {type(alg).__name__}")
    if alg.curve is not curve:
        raise InvalidKeyError(
            f"algorithm {alg.cose_name} ({alg.value}) needs a {alg.curve.value} key, "
            f"got a {curve.value} key"
        )
    return alg


def _public_jwk_members(key: _PublicCryptoKey, curve: Curve) -> dict[str, str]:
    """The RFC 7638 required members, in lexicographic order."""
    if isinstance(key, ed25519.Ed25519PublicKey | ed448.Ed448PublicKey):
        raw = key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
        return {"crv": curve.value, "kty": "OKP", "x": _b64u_encode(raw)}
    numbers = key.public_numbers()
    size = curve.coordinate_size
    return {
        "crv": curve.value,
        "kty": "EC",
        "x": _b64u_encode(numbers.x.to_bytes(size, "big")),
        "y": _b64u_encode(numbers.y.to_bytes(size, "big")),
    }


def _thumbprint(members: Mapping[str, str]) -> str:
    canonical = json.dumps(dict(sorted(members.items())), separators=(",", ":"))
    return _b64u_encode(hashlib.sha256(canonical.encode("utf-8")).digest())


def _check_kid(kid: object) -> str:
    if not isinstance(kid, str) or not kid:
        raise InvalidKeyError("kid must be non-empty text")
    return kid


MAX_KEY_FILE_BYTES = 1024 * 1024
"""Largest key file (PEM, JWK) :meth:`PrivateKey.from_file` reads; a key is a few hundred
bytes, a certificate chain a few kilobytes."""


def _load_json_object(jwk: Mapping[str, Any] | str | bytes) -> Mapping[str, Any]:
    if isinstance(jwk, str | bytes):
        # The strict reader (a DecodeError for text that is not strict JSON): a JWK with two
        # "x" members must not load either of them.
        jwk = loads_value(jwk, max_bytes=MAX_KEY_FILE_BYTES)
    if not isinstance(jwk, Mapping):
        raise InvalidKeyError("a JWK must be a JSON object")
    return jwk


def _jwk_curve(jwk: Mapping[str, Any]) -> Curve:
    kty, crv = jwk.get("kty"), jwk.get("crv")
    if kty not in ("OKP", "EC"):
        raise InvalidKeyError(
            f"unsupported JWK kty {kty!r}; use OKP (Ed25519, Ed448) or EC (P-256/P-384/P-521)"
        )
    if not isinstance(crv, str):
        raise InvalidKeyError(f"JWK crv must be a string, not {type(crv).__name__}")
    if crv in _UNSUPPORTED_JWK_CRV:
        raise InvalidKeyError(f"unsupported curve {crv}; use Ed25519, Ed448, P-256, P-384 or P-521")
    try:
        curve = Curve(crv)
    except ValueError:
        raise InvalidKeyError(f"unknown JWK crv {crv!r}") from None
    if curve.key_type.value != kty:
        raise InvalidKeyError(f"JWK crv {crv} does not go with kty {kty}")
    if "use" in jwk and jwk["use"] != "sig":
        raise InvalidKeyError(f"JWK use is {jwk['use']!r}; a signing key needs 'sig'")
    return curve


def _jwk_alg_and_kid(
    jwk: Mapping[str, Any], curve: Curve, alg: Algorithm | None, kid: str | None
) -> tuple[Algorithm, str | None]:
    if alg is None and "alg" in jwk:
        if not isinstance(jwk["alg"], str):
            raise InvalidKeyError("JWK alg must be text")
        alg = Algorithm.from_name(jwk["alg"])
    if kid is None and "kid" in jwk:
        kid = _check_kid(jwk["kid"])
    return _resolve_alg(curve, alg), kid


def _fixed(value: bytes, size: int, what: str) -> bytes:
    if len(value) != size:
        raise InvalidKeyError(f"{what} must be {size} bytes, got {len(value)}")
    return value


def _public_from_coordinates(curve: Curve, x: bytes, y: bytes | bool | None) -> _PublicCryptoKey:
    size = curve.coordinate_size
    _fixed(x, size, f"{curve.value} x")
    if curve is Curve.ED25519:
        if y is not None:
            raise InvalidKeyError("an Ed25519 key has no y coordinate")
        _check_ed25519_encoding(x)
        return ed25519.Ed25519PublicKey.from_public_bytes(x)
    if curve is Curve.ED448:
        if y is not None:
            raise InvalidKeyError("an Ed448 key has no y coordinate")
        _check_ed448_encoding(x)
        return ed448.Ed448PublicKey.from_public_bytes(x)
    if y is None:
        raise InvalidKeyError(f"{curve.value} key is missing its y coordinate")
    point = bytes([0x03 if y else 0x02]) + x if isinstance(y, bool) else b"\x04" + x + y
    if not isinstance(y, bool):
        _fixed(y, size, f"{curve.value} y")
    try:
        return ec.EllipticCurvePublicKey.from_encoded_point(_crypto_curve(curve), point)
    except ValueError as e:
        raise InvalidKeyError(f"{curve.value} public key is not a point on the curve: {e}") from e


def _private_from_scalar(curve: Curve, d: bytes) -> _PrivateCryptoKey:
    _fixed(d, curve.coordinate_size, f"{curve.value} private key d")
    if curve is Curve.ED25519:
        return ed25519.Ed25519PrivateKey.from_private_bytes(d)
    if curve is Curve.ED448:
        return ed448.Ed448PrivateKey.from_private_bytes(d)
    try:
        return ec.derive_private_key(int.from_bytes(d, "big"), _crypto_curve(curve))
    except ValueError as e:
        raise InvalidKeyError(f"{curve.value} private key d is out of range: {e}") from e


def _same_public(a: _PublicCryptoKey, b: _PublicCryptoKey) -> bool:
    fmt = serialization.PublicFormat.SubjectPublicKeyInfo
    return a.public_bytes(serialization.Encoding.DER, fmt) == b.public_bytes(
        serialization.Encoding.DER, fmt
    )


def _decode_cose_key(
    data: bytes | Mapping[Any, Any], limits: DecodeLimits
) -> tuple[Curve, Mapping[Any, Any]]:
    if isinstance(data, bytes | bytearray | memoryview):
        try:
            data = decode_value(bytes(data), limits=limits, deterministic=False)
        except DecodeError as e:
            raise InvalidKeyError(f"COSE_Key is not valid CBOR: {e.message}") from e
    if not isinstance(data, Mapping):
        raise InvalidKeyError("a COSE_Key must be a CBOR map")
    kty, crv = data.get(1), data.get(-1)
    if kty not in (1, 2) or isinstance(kty, bool):
        raise InvalidKeyError(
            f"unsupported COSE_Key kty {kty!r}; use 1 (OKP: Ed25519, Ed448) or 2 (EC2)"
        )
    if isinstance(crv, int) and crv in _UNSUPPORTED_COSE_CRV:
        raise InvalidKeyError(f"unsupported curve {_UNSUPPORTED_COSE_CRV[crv]} in COSE_Key")
    curve = _CURVE_BY_COSE_CRV.get(crv) if type(crv) is int else None
    if curve is None:
        raise InvalidKeyError(f"unknown COSE_Key crv {crv!r}")
    if curve.key_type.cose_kty != kty:
        raise InvalidKeyError(f"COSE_Key crv {curve.value} does not go with kty {kty}")
    return curve, data


def _cose_key_alg_and_kid(
    data: Mapping[Any, Any], curve: Curve, alg: Algorithm | None, kid: str | None
) -> tuple[Algorithm, str | None]:
    if alg is None and 3 in data:
        alg = Algorithm.lookup(data[3])
        if alg is None:
            raise InvalidKeyError(f"unsupported COSE_Key alg {data[3]!r}")
    if kid is None and 2 in data:
        raw = data[2]
        if not isinstance(raw, bytes):
            raise InvalidKeyError("COSE_Key kid must be a byte string")
        try:
            kid = _check_kid(raw.decode("utf-8"))
        except UnicodeDecodeError as e:
            raise InvalidKeyError("COSE_Key kid must be UTF-8 text in batterypass") from e
    return _resolve_alg(curve, alg), kid


def _cose_bytes(data: Mapping[Any, Any], label: int, what: str) -> bytes:
    value = data.get(label)
    if not isinstance(value, bytes):
        raise InvalidKeyError(f"COSE_Key {what} (label {label}) must be a byte string")
    return value


def _cose_public(curve: Curve, data: Mapping[Any, Any]) -> _PublicCryptoKey:
    x = _cose_bytes(data, -2, "x")
    y: bytes | bool | None = None
    if curve.key_type is KeyType.EC:
        y = data.get(-3)
        if not isinstance(y, bytes | bool):
            raise InvalidKeyError("COSE_Key y (label -3) must be a byte string or a sign bool")
    return _public_from_coordinates(curve, x, y)


def _write_new_file(path: Path, data: bytes, *, mode: int, overwrite: bool) -> None:
    write_atomic(path, data, mode=mode, overwrite=overwrite)


def _pem_bytes(data: bytes | str) -> bytes:
    return data.encode("ascii") if isinstance(data, str) else bytes(data)


# --- public keys -----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class PublicKey:
    """A verification key: an Ed25519, Ed448 or ECDSA P-256/384/521 public key with its
    algorithm and key id. Construction checks the key (weak and unsupported keys raise
    :class:`~batterypass.errors.InvalidKeyError`); prefer the named constructors.

    Two PublicKeys are equal when key, ``alg`` and ``kid`` are equal.
    """

    crypto_key: _PublicCryptoKey = field(repr=False, compare=False)
    alg: Algorithm
    kid: str
    curve: Curve = field(init=False)
    _spki: bytes = field(init=False, repr=False)

    def __post_init__(self) -> None:
        curve = _curve_of_public(self.crypto_key)
        _resolve_alg(curve, self.alg)
        _check_kid(self.kid)
        object.__setattr__(self, "curve", curve)
        object.__setattr__(
            self,
            "_spki",
            self.crypto_key.public_bytes(
                serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
            ),
        )

    @classmethod
    def from_cryptography(
        cls, key: object, *, alg: Algorithm | None = None, kid: str | None = None
    ) -> PublicKey:
        """Wrap a ``cryptography`` public key object (e.g. from an X.509 certificate)."""
        curve = _curve_of_public(key)
        key = cast(_PublicCryptoKey, key)  # _curve_of_public accepted only these types
        resolved = _resolve_alg(curve, alg)
        if kid is None:
            kid = _thumbprint(_public_jwk_members(key, curve))
        return cls(key, resolved, kid)

    @classmethod
    def from_pem(
        cls, data: bytes | str, *, alg: Algorithm | None = None, kid: str | None = None
    ) -> PublicKey:
        """Load a PEM ``PUBLIC KEY`` (SubjectPublicKeyInfo)."""
        try:
            key = serialization.load_pem_public_key(_pem_bytes(data))
        except (ValueError, UnsupportedAlgorithm) as e:
            raise InvalidKeyError(f"cannot load PEM public key: {e}") from e
        return cls.from_cryptography(key, alg=alg, kid=kid)

    @classmethod
    def from_jwk(
        cls,
        jwk: Mapping[str, Any] | str | bytes,
        *,
        alg: Algorithm | None = None,
        kid: str | None = None,
    ) -> PublicKey:
        """Load a public JWK (RFC 7517; OKP per RFC 8037).

        ``alg`` and ``kid`` arguments win over the JWK's members. A JWK carrying the private
        member ``d`` is refused, so a private key never ends up where a public one belongs.
        JWK text is read by the strict JSON reader: duplicate members (two ``x``), ``NaN``,
        oversized or deeply nested text raise :class:`~batterypass.errors.DecodeError`.
        """
        obj = _load_json_object(jwk)
        curve = _jwk_curve(obj)
        if "d" in obj:
            raise InvalidKeyError(
                "JWK contains the private member 'd' where a public key was expected"
            )
        resolved, kid = _jwk_alg_and_kid(obj, curve, alg, kid)
        y = None if curve.key_type is KeyType.OKP else _b64u_decode(obj.get("y"), "y")
        key = _public_from_coordinates(curve, _b64u_decode(obj.get("x"), "x"), y)
        return cls.from_cryptography(key, alg=resolved, kid=kid)

    @classmethod
    def from_cose_key(
        cls,
        data: bytes | Mapping[Any, Any],
        *,
        alg: Algorithm | None = None,
        kid: str | None = None,
        limits: DecodeLimits = DEFAULT_LIMITS,
    ) -> PublicKey:
        """Load a COSE_Key (RFC 9052 section 7, RFC 9053 section 7), encoded or decoded."""
        curve, obj = _decode_cose_key(data, limits)
        if -4 in obj:
            raise InvalidKeyError(
                "COSE_Key contains the private parameter d (-4) where a public key was expected"
            )
        resolved, kid = _cose_key_alg_and_kid(obj, curve, alg, kid)
        return cls.from_cryptography(_cose_public(curve, obj), alg=resolved, kid=kid)

    def thumbprint(self) -> str:
        """RFC 7638 JWK thumbprint (SHA-256, unpadded base64url)."""
        return _thumbprint(_public_jwk_members(self.crypto_key, self.curve))

    def to_pem(self) -> bytes:
        """PEM ``PUBLIC KEY`` (SubjectPublicKeyInfo)."""
        return self.crypto_key.public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        )

    def to_jwk(self) -> dict[str, str]:
        """Public JWK with ``kid`` and the JOSE ``alg``."""
        out = dict(_public_jwk_members(self.crypto_key, self.curve))
        out["kid"] = self.kid
        out["alg"] = self.alg.jose_name
        return out

    def to_cose_key(self) -> bytes:
        """Deterministically encoded COSE_Key with ``kid`` (UTF-8 bytes) and ``alg``."""
        return encode_value(self._cose_map())

    def _cose_map(self) -> dict[int, Any]:
        members = _public_jwk_members(self.crypto_key, self.curve)
        out: dict[int, Any] = {
            1: self.curve.key_type.cose_kty,
            2: self.kid.encode("utf-8"),
            3: self.alg.value,
            -1: self.curve.cose_crv,
            -2: _b64u_decode(members["x"], "x"),
        }
        if "y" in members:
            out[-3] = _b64u_decode(members["y"], "y")
        return out

    def verify(self, data: bytes, signature: bytes, *, alg: Algorithm | None = None) -> None:
        """Check a COSE-form signature over ``data``; raise SignatureError if it fails.

        ``alg`` (default: the key's) must be bound to this key's curve. ECDSA signatures must
        be exactly ``2 * coordinate size`` bytes with ``1 <= r, s < n``.
        """
        alg = self.alg if alg is None else alg
        if alg.curve is not self.curve:
            raise SignatureError(
                f"algorithm {alg.cose_name} ({alg.value}) cannot be used with a "
                f"{self.curve.value} key"
            )
        if len(signature) != alg.signature_size:
            raise SignatureError(
                f"{alg.cose_name} signature must be {alg.signature_size} bytes, "
                f"got {len(signature)}"
            )
        try:
            if isinstance(self.crypto_key, ed25519.Ed25519PublicKey | ed448.Ed448PublicKey):
                self.crypto_key.verify(signature, data)
                return
            size = self.curve.coordinate_size
            r = int.from_bytes(signature[:size], "big")
            s = int.from_bytes(signature[size:], "big")
            order = _EC_ORDER[self.curve]
            if not (0 < r < order and 0 < s < order):
                raise SignatureError(f"{alg.cose_name} signature has r or s outside [1, n-1]")
            self.crypto_key.verify(encode_dss_signature(r, s), data, ec.ECDSA(_HASH[self.curve]))
        except InvalidSignature as e:
            raise SignatureError(
                f"{alg.cose_name} signature does not verify with key {self.kid}"
            ) from e


# --- private keys ----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True, eq=False)
class PrivateKey:
    """A signing key (Ed25519, Ed448 or ECDSA P-256/384/521) that implements :class:`Signer`.

    The repr never shows key material. Prefer the named constructors.
    """

    crypto_key: _PrivateCryptoKey = field(repr=False)
    alg: Algorithm
    kid: str
    curve: Curve = field(init=False)

    def __post_init__(self) -> None:
        if not isinstance(self.crypto_key, _EdPrivateKey | ec.EllipticCurvePrivateKey):
            raise InvalidKeyError(
                f"unsupported private key type {type(self.crypto_key).__name__}; "
                "use Ed25519, Ed448 or ECDSA P-256/P-384/P-521"
            )
        curve = _curve_of_public(self.crypto_key.public_key())
        _resolve_alg(curve, self.alg)
        _check_kid(self.kid)
        object.__setattr__(self, "curve", curve)

    @classmethod
    def from_cryptography(
        cls, key: object, *, alg: Algorithm | None = None, kid: str | None = None
    ) -> PrivateKey:
        """Wrap a ``cryptography`` private key object."""
        if not isinstance(key, _EdPrivateKey | ec.EllipticCurvePrivateKey):
            raise InvalidKeyError(
                f"unsupported private key type {type(key).__name__}; "
                "use Ed25519, Ed448 or ECDSA P-256/P-384/P-521"
            )
        public = key.public_key()
        curve = _curve_of_public(public)
        resolved = _resolve_alg(curve, alg)
        if kid is None:
            kid = _thumbprint(_public_jwk_members(public, curve))
        return cls(key, resolved, kid)

    @classmethod
    def generate(cls, alg: Algorithm = Algorithm.ED25519, *, kid: str | None = None) -> PrivateKey:
        """A fresh key for ``alg`` (default Ed25519)."""
        if alg.curve is Curve.ED25519:
            key: _PrivateCryptoKey = ed25519.Ed25519PrivateKey.generate()
        elif alg.curve is Curve.ED448:
            key = ed448.Ed448PrivateKey.generate()
        else:
            key = ec.generate_private_key(_crypto_curve(alg.curve))
        return cls.from_cryptography(key, alg=alg, kid=kid)

    @classmethod
    def from_pem(
        cls,
        data: bytes | str,
        *,
        password: bytes | None = None,
        alg: Algorithm | None = None,
        kid: str | None = None,
    ) -> PrivateKey:
        """Load a PEM private key (PKCS#8, optionally encrypted, or SEC 1)."""
        try:
            key = serialization.load_pem_private_key(_pem_bytes(data), password=password)
        except TypeError as e:
            # cryptography raises TypeError for a missing or unexpected password
            raise InvalidKeyError(f"cannot load PEM private key: {e}") from e
        except (ValueError, UnsupportedAlgorithm) as e:
            raise InvalidKeyError(
                f"cannot load PEM private key (wrong password or not a key?): {e}"
            ) from e
        return cls.from_cryptography(key, alg=alg, kid=kid)

    @classmethod
    def from_file(
        cls,
        path: str | os.PathLike[str],
        *,
        password: bytes | None = None,
        alg: Algorithm | None = None,
        kid: str | None = None,
    ) -> PrivateKey:
        """Load a PEM private key file written by :meth:`to_file` (or any PKCS#8 PEM)."""
        data = read_bounded(path, MAX_KEY_FILE_BYTES, what="key file")
        try:
            return cls.from_pem(data, password=password, alg=alg, kid=kid)
        except InvalidKeyError as e:
            raise e.with_source(str(path)) from None

    @classmethod
    def from_jwk(
        cls,
        jwk: Mapping[str, Any] | str | bytes,
        *,
        alg: Algorithm | None = None,
        kid: str | None = None,
    ) -> PrivateKey:
        """Load a private JWK; its ``x`` (and ``y``) must match the public key derived
        from ``d``. JWK text is read strictly, as for :meth:`PublicKey.from_jwk`."""
        obj = _load_json_object(jwk)
        curve = _jwk_curve(obj)
        if "d" not in obj:
            raise InvalidKeyError("JWK has no private member 'd'")
        resolved, kid = _jwk_alg_and_kid(obj, curve, alg, kid)
        key = _private_from_scalar(curve, _b64u_decode(obj["d"], "d"))
        y = None if curve.key_type is KeyType.OKP else _b64u_decode(obj.get("y"), "y")
        stated = _public_from_coordinates(curve, _b64u_decode(obj.get("x"), "x"), y)
        if not _same_public(stated, key.public_key()):
            raise InvalidKeyError(
                "JWK public coordinates do not match the private key 'd'; refusing a key "
                "whose stated identity is not its own"
            )
        return cls.from_cryptography(key, alg=resolved, kid=kid)

    @classmethod
    def from_cose_key(
        cls,
        data: bytes | Mapping[Any, Any],
        *,
        alg: Algorithm | None = None,
        kid: str | None = None,
        limits: DecodeLimits = DEFAULT_LIMITS,
    ) -> PrivateKey:
        """Load a private COSE_Key (``d``, label -4); public coordinates, if present, must
        match."""
        curve, obj = _decode_cose_key(data, limits)
        key = _private_from_scalar(curve, _cose_bytes(obj, -4, "d"))
        if -2 in obj and not _same_public(_cose_public(curve, obj), key.public_key()):
            raise InvalidKeyError("COSE_Key public coordinates do not match the private key d")
        resolved, kid = _cose_key_alg_and_kid(obj, curve, alg, kid)
        return cls.from_cryptography(key, alg=resolved, kid=kid)

    def public_key(self) -> PublicKey:
        """The matching verification key, with the same ``alg`` and ``kid``."""
        return PublicKey.from_cryptography(self.crypto_key.public_key(), alg=self.alg, kid=self.kid)

    def sign(self, data: bytes) -> bytes:
        """Sign ``data``; Ed25519 signatures are 64 bytes, Ed448 ones 114, ECDSA ones raw
        ``r || s`` with ``s <= n/2`` (low-s)."""
        if isinstance(self.crypto_key, _EdPrivateKey):
            return self.crypto_key.sign(data)
        der = self.crypto_key.sign(data, ec.ECDSA(_HASH[self.curve]))
        r, s = decode_dss_signature(der)
        order = _EC_ORDER[self.curve]
        if s > order // 2:
            s = order - s  # the low-s form: the strict COSE profile accepts only that one
        size = self.curve.coordinate_size
        return r.to_bytes(size, "big") + s.to_bytes(size, "big")

    def to_pem(self, *, password: bytes | None = None) -> bytes:
        """PKCS#8 PEM, encrypted with the best available scheme when ``password`` is given."""
        if password is not None and not password:
            raise InvalidKeyError("an empty password would not protect the key; use None")
        encryption: serialization.KeySerializationEncryption = (
            serialization.BestAvailableEncryption(password)
            if password
            else serialization.NoEncryption()
        )
        return self.crypto_key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, encryption
        )

    def to_file(self, path: str | os.PathLike[str], *, password: bytes | None = None) -> None:
        """Save as PKCS#8 PEM, atomically, mode 0600; refuse to overwrite an existing file."""
        _write_new_file(Path(path), self.to_pem(password=password), mode=0o600, overwrite=False)

    def to_jwk(self) -> dict[str, str]:
        """Private JWK (includes ``d``): handle it as the secret it is."""
        out = self.public_key().to_jwk()
        if isinstance(self.crypto_key, _EdPrivateKey):
            d = self.crypto_key.private_bytes(
                serialization.Encoding.Raw,
                serialization.PrivateFormat.Raw,
                serialization.NoEncryption(),
            )
        else:
            d = self.crypto_key.private_numbers().private_value.to_bytes(
                self.curve.coordinate_size, "big"
            )
        out["d"] = _b64u_encode(d)
        return out

    def to_cose_key(self) -> bytes:
        """Private COSE_Key (includes ``d``, label -4): handle it as the secret it is."""
        out = self.public_key()._cose_map()
        out[-4] = _b64u_decode(self.to_jwk()["d"], "d")
        return encode_value(out)
