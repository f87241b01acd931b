"""COSE_Sign1 (RFC 9052 section 4.2): sign, verify over the exact bytes received, decode.

The profile is written down in ``specs/cose-profile.md``. The short version:

- ``sign1`` always writes tag 18, ``alg`` (and content type) in the protected header, the
  ``kid`` in the unprotected header, deterministic CBOR.
- ``verify_sign1(profile="strict")`` (the default, for passports and events) requires tag 18
  and ``alg`` in the protected header as an integer from :class:`~batterypass.keys.Algorithm`,
  bound to the key's curve; it rejects unknown ``crit`` labels, labels present in both
  buckets, and a detached payload nobody supplied.
- ``verify_sign1(profile="rfc9052")`` is the generic RFC 9052 reading for interoperability:
  untagged messages and ``alg`` in the unprotected header are accepted, and an empty protected
  map (``h'A0'``) counts as the zero-length bstr in Sig_structure.

Every refusal is a :class:`Sign1Error` (a :class:`~batterypass.errors.SignatureError`) whose
``reason`` says which rule failed.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, Final, Literal, NoReturn

from cryptography.hazmat.primitives.asymmetric import ec, ed448, ed25519

from batterypass.codec.cbor import DEFAULT_LIMITS, DecodeLimits, Tag, decode_value, encode_value
from batterypass.errors import (
    BatteryPassError,
    DecodeError,
    EncodeError,
    InvalidKeyError,
    PathItem,
    SignatureError,
)
from batterypass.keys import Algorithm, PublicKey, Signer

__all__ = [
    "COSE_SIGN1_TAG",
    "CwtClaim",
    "HeaderLabel",
    "Profile",
    "Sign1Error",
    "Sign1Message",
    "Sign1Reason",
    "SignedClaims",
    "VerificationKey",
    "add_timestamp_token",
    "cwt_claims_header",
    "decode_sign1_unverified",
    "parse_sign1",
    "sign1",
    "verify_sign1",
]

COSE_SIGN1_TAG = 18

Profile = Literal["strict", "rfc9052"]

VerificationKey = (
    PublicKey | ed25519.Ed25519PublicKey | ed448.Ed448PublicKey | ec.EllipticCurvePublicKey
)


class HeaderLabel(enum.IntEnum):
    """Header labels this module reads or writes (RFC 9052 section 3.1, RFC 9360, RFC 9597,
    RFC 9921)."""

    ALG = 1
    CRIT = 2
    CONTENT_TYPE = 3
    KID = 4
    CWT_CLAIMS = 15
    X5CHAIN = 33
    TST_CTT = 270
    """``3161-ctt`` (RFC 9921 section 3.1): an RFC 3161 timestamp token over the signature,
    "COSE, then timestamp"; unprotected only."""


class CwtClaim(enum.IntEnum):
    """CWT claim keys (RFC 8392 section 3.1) read from the CWT Claims header (RFC 9597)."""

    ISS = 1
    SUB = 2
    AUD = 3
    EXP = 4
    NBF = 5
    IAT = 6
    CTI = 7


# Labels a verifier here understands, and so may accept when listed in ``crit``. The RFC 8152
# countersignature labels (7, 9) are not processed, so ``crit`` naming them is refused.
_UNDERSTOOD = frozenset(int(label) for label in HeaderLabel)


class Sign1Reason(enum.StrEnum):
    """Why a COSE_Sign1 message was refused (stable codes for reports)."""

    MALFORMED = "malformed"
    """Not CBOR, not a 4-item array, or an item of the wrong type."""
    WRONG_TAG = "wrong-tag"
    """Tagged with something other than 18."""
    UNTAGGED = "untagged"
    """No tag 18 (strict profile)."""
    BAD_HEADER = "bad-header"
    """A header bucket or a known header value is ill-formed."""
    DUPLICATE_LABEL = "duplicate-label"
    """The same label is in both the protected and the unprotected bucket."""
    BAD_CRIT = "bad-crit"
    """``crit`` is not a non-empty array of labels in the protected bucket."""
    UNKNOWN_CRITICAL = "unknown-critical"
    """``crit`` lists a label this verifier does not understand (or that is absent)."""
    ALG_MISSING = "alg-missing"
    """No ``alg`` header."""
    ALG_UNPROTECTED = "alg-unprotected"
    """``alg`` is only in the unprotected bucket (strict profile)."""
    UNKNOWN_ALG = "unknown-alg"
    """``alg`` is not an integer from the algorithm table."""
    ALG_KEY_MISMATCH = "alg-key-mismatch"
    """``alg`` is not bound to the verification key's type and curve."""
    DETACHED_PAYLOAD = "detached-payload"
    """Payload is nil and none was supplied, or supplied although one is embedded."""
    BAD_SIGNATURE_ENCODING = "bad-signature-encoding"
    """The signature has the wrong length for ``alg``."""
    BAD_SIGNATURE = "bad-signature"
    """The signature does not verify (or ECDSA r/s are out of range)."""
    BAD_KEY = "bad-key"
    """The verification key is unsupported or weak."""
    HIGH_S = "high-s"
    """An ECDSA signature whose ``s`` is above n/2 (strict profile: low-s only)."""
    NO_SIGNING_TIME = "no-signing-time"
    """No ``iat`` in a protected CWT Claims header where the signing profile requires one."""
    TIMESTAMP_EXISTS = "timestamp-exists"
    """A timestamp token is to be added to a message that already carries one."""


class Sign1Error(SignatureError):
    """A COSE_Sign1 message was refused; ``reason`` is a :class:`Sign1Reason`, whose value is
    also the error's ``code``."""

    def __init__(
        self,
        reason: Sign1Reason,
        message: str,
        *,
        path: tuple[PathItem, ...] | None = None,
        offset: int | None = None,
    ) -> None:
        super().__init__(f"{message} [{reason.value}]", code=reason.value, path=path, offset=offset)
        self.reason = reason
        # Constructor arguments, so that the error pickles (bulk runs in worker processes);
        # the other attributes travel in __dict__.
        self.args = (reason, message)


def _fail(
    reason: Sign1Reason,
    message: str,
    *,
    path: tuple[PathItem, ...] | None = None,
    offset: int | None = None,
) -> NoReturn:
    raise Sign1Error(reason, message, path=path, offset=offset)


_EPOCH: Final = datetime(1970, 1, 1, tzinfo=UTC)
_ONE_SECOND: Final = timedelta(seconds=1)


def _numeric_date(moment: datetime) -> int:
    """RFC 8392 NumericDate of ``moment``: whole seconds since the epoch, rounded down."""
    return (moment - _EPOCH) // _ONE_SECOND


@dataclass(frozen=True, slots=True)
class SignedClaims:
    """The claims a signer put in the protected CWT Claims header (RFC 9597, label 15).

    ``iat`` is the signing time (RFC 8392 NumericDate: whole seconds, UTC); ``sub`` the
    subject (for batterypass objects: the passport id), None if absent. Only what the protected
    bucket holds is read: these values are covered by the signature once it verifies.
    """

    iat: datetime | None
    sub: str | None

    def matches_time(self, moment: datetime) -> bool:
        """True if ``moment`` falls in the second ``iat`` names (``iat`` is whole seconds)."""
        return self.iat is not None and _numeric_date(moment) == _numeric_date(self.iat)


def cwt_claims_header(*, iat: datetime, sub: str | None = None) -> dict[int | str, Any]:
    """The protected header entry ``{15: {2: sub, 6: iat}}`` (RFC 9597 CWT Claims).

    ``iat`` must be timezone-aware; it is written as whole seconds (rounded down). Pass the
    result in ``protected_extra`` of :func:`sign1`.
    """
    if not isinstance(iat, datetime) or iat.utcoffset() is None:
        raise EncodeError(f"iat must be a timezone-aware datetime, not {iat!r}")
    seconds = _numeric_date(iat)
    try:
        _EPOCH + seconds * _ONE_SECOND
    except OverflowError:
        raise EncodeError(
            f"iat {iat.isoformat()} lies outside the years 1 to 9999 in UTC"
        ) from None
    claims: dict[int, Any] = {CwtClaim.IAT.value: seconds}
    if sub is not None:
        if not isinstance(sub, str) or not sub:
            raise EncodeError("sub must be non-empty text")
        claims[CwtClaim.SUB.value] = sub
    return {HeaderLabel.CWT_CLAIMS.value: claims}


@dataclass(frozen=True, slots=True)
class Sign1Message:
    """A decoded COSE_Sign1 whose signature has **not** been checked.

    ``protected_bytes`` are the protected header bytes exactly as received; ``alg`` is read
    from the protected bucket, else the unprotected one (None if absent or unknown);
    ``x5chain`` holds DER certificates, leaf first (empty without an ``x5chain`` header).
    ``claims`` are the CWT claims of the *protected* bucket (None without label 15).
    ``profile`` is the profile the message was parsed under, which :meth:`verify` applies.
    ``timestamp_token`` is the DER RFC 3161 TimeStampToken of an unprotected ``3161-ctt``
    header (RFC 9921), **unverified** (None without one).
    """

    protected: Mapping[int | str, Any]
    protected_bytes: bytes
    unprotected: Mapping[int | str, Any]
    payload: bytes | None
    signature: bytes
    alg: Algorithm | None
    kid: bytes | None
    x5chain: tuple[bytes, ...]
    tagged: bool
    claims: SignedClaims | None = None
    profile: Profile = "rfc9052"
    timestamp_token: bytes | None = None

    def timestamp_imprint_input(self) -> bytes:
        """The bytes an RFC 9921 "COSE, then timestamp" token is over: the CBOR encoding of
        the ``signature`` field, its bstr head included (RFC 9921 section 3.1.1). Hash them
        for the RFC 3161 MessageImprint."""
        return _bstr_head(len(self.signature)) + self.signature

    def header(self, label: int | str) -> Any:
        """The value of ``label`` from the protected bucket, else the unprotected one."""
        if label in self.protected:
            return self.protected[label]
        return self.unprotected.get(label)

    def sig_structure(
        self, *, external_aad: bytes = b"", detached_payload: bytes | None = None
    ) -> bytes:
        """The ``Signature1`` Sig_structure (RFC 9052 section 4.4) the signature covers.

        The protected bytes are used exactly as received, except that a protected bucket
        holding an empty map counts as the zero-length bstr (RFC 9052 section 4.4, and the
        cose-wg ``sign-pass-01`` vector).
        """
        payload = self.payload if detached_payload is None else detached_payload
        if payload is None:
            raise Sign1Error(Sign1Reason.DETACHED_PAYLOAD, "payload is detached (nil)")
        body_protected = self.protected_bytes if self.protected else b""
        return _sig_structure(body_protected, external_aad, payload)

    def signing_time(self) -> SignedClaims:
        """The protected CWT claims with their ``iat``; raise :class:`Sign1Error`
        (``no-signing-time``) when the message has none (e.g. signed before the claims header
        was introduced). Nothing is verified: call it to pick the key, trust it after
        :meth:`verify`."""
        if self.claims is None or self.claims.iat is None:
            where = "unprotected" if HeaderLabel.CWT_CLAIMS in self.unprotected else "protected"
            _fail(
                Sign1Reason.NO_SIGNING_TIME,
                "the message has no signing time: batterypass objects carry iat in the "
                "protected CWT Claims header (RFC 9597, label 15); re-sign it with this "
                "version",
                path=(where, "cwt_claims", "iat"),
            )
        return self.claims

    def verify(
        self,
        key: VerificationKey,
        *,
        external_aad: bytes = b"",
        detached_payload: bytes | None = None,
    ) -> bytes:
        """Check the signature with ``key`` under the profile this message was parsed with
        and return the payload; see :func:`verify_sign1` (which is :func:`parse_sign1` then
        this)."""
        return _verify_message(
            self,
            _as_public_key(key),
            strict=self.profile == "strict",
            external_aad=external_aad,
            detached_payload=detached_payload,
        )


_SIGNATURE1: Final = b"\x84\x6aSignature1"  # array(4), text(10) "Signature1"


def _bstr_head(n: int) -> bytes:
    if n < 24:
        return bytes((0x40 | n,))
    if n < 0x100:
        return bytes((0x58, n))
    if n < 0x10000:
        return b"\x59" + n.to_bytes(2, "big")
    if n < 0x1_0000_0000:
        return b"\x5a" + n.to_bytes(4, "big")
    return b"\x5b" + n.to_bytes(8, "big")


def _sig_structure(body_protected: bytes, external_aad: bytes, payload: bytes) -> bytes:
    # Built by concatenation: a fixed prefix and three byte strings, each with its
    # deterministic head. Equal to encode_value(["Signature1", ...]) (tested), without
    # walking a Python list.
    return b"".join(
        (
            _SIGNATURE1,
            _bstr_head(len(body_protected)),
            body_protected,
            _bstr_head(len(external_aad)),
            external_aad,
            _bstr_head(len(payload)),
            payload,
        )
    )


# --- decoding --------------------------------------------------------------------------------


def _is_label(value: object) -> bool:
    return (isinstance(value, int) and not isinstance(value, bool)) or isinstance(value, str)


def _check_bucket(bucket: Mapping[Any, Any], name: str) -> None:
    for label, value in bucket.items():
        if not _is_label(label):
            _fail(
                Sign1Reason.BAD_HEADER,
                f"{name} header label {label!r} is neither an integer nor text",
                path=(name,),
            )
        if label == HeaderLabel.KID and not isinstance(value, bytes):
            _fail(Sign1Reason.BAD_HEADER, "kid must be a byte string", path=(name, "kid"))
        if label == HeaderLabel.CONTENT_TYPE and not (
            (type(value) is int and 0 <= value <= 0xFFFF) or (isinstance(value, str) and value)
        ):
            _fail(
                Sign1Reason.BAD_HEADER,
                "content type must be a uint16 CoAP content format or non-empty text",
                path=(name, "content_type"),
            )
        if label == HeaderLabel.CWT_CLAIMS:
            _check_claims(value, name)
        if label == HeaderLabel.TST_CTT:
            if name != "unprotected":
                # RFC 9921 section 3.1: "MUST" be unprotected; a token there would be a
                # different (and for us meaningless) statement.
                _fail(
                    Sign1Reason.BAD_HEADER,
                    "3161-ctt (label 270) is a timestamp over the signature and belongs in "
                    "the unprotected header (RFC 9921 section 3.1)",
                    path=(name, "3161-ctt"),
                )
            if not isinstance(value, bytes) or not value:
                _fail(
                    Sign1Reason.BAD_HEADER,
                    "3161-ctt (label 270) must be a non-empty bstr holding a DER "
                    "TimeStampToken (RFC 9921 section 3.1)",
                    path=(name, "3161-ctt"),
                )


def _check_claims(value: object, where: str) -> SignedClaims:
    path: tuple[PathItem, ...] = (where, "cwt_claims")
    if not isinstance(value, dict) or not value:
        _fail(Sign1Reason.BAD_HEADER, "CWT claims must be a non-empty map", path=path)
    for key in value:
        if not _is_label(key):
            _fail(Sign1Reason.BAD_HEADER, f"CWT claim key {key!r} is not a label", path=path)
    iat: datetime | None = None
    if CwtClaim.IAT in value:
        raw = value[CwtClaim.IAT]
        if type(raw) is not int:
            _fail(
                Sign1Reason.BAD_HEADER,
                f"iat must be an integer NumericDate (seconds since 1970), not {raw!r}",
                path=(*path, "iat"),
            )
        try:
            iat = _EPOCH + raw * _ONE_SECOND
        except OverflowError:
            _fail(
                Sign1Reason.BAD_HEADER, f"iat {raw} is outside years 1..9999", path=(*path, "iat")
            )
    sub = value.get(CwtClaim.SUB)
    if sub is not None and (not isinstance(sub, str) or not sub):
        _fail(Sign1Reason.BAD_HEADER, "sub must be non-empty text", path=(*path, "sub"))
    return SignedClaims(iat=iat, sub=sub)


def _decode_protected(data: bytes, limits: DecodeLimits, *, strict: bool) -> dict[Any, Any]:
    if not data:
        return {}
    try:
        # Strict: the signed header has one encoding only, so no two decoders can read
        # different headers out of the same signed bytes.
        value = decode_value(data, limits=limits, deterministic=strict)
    except DecodeError as e:
        _fail(
            Sign1Reason.BAD_HEADER,
            f"protected header is not {'deterministic ' if strict else ''}CBOR: {e.message}",
            path=("protected",),
        )
    if not isinstance(value, dict):
        _fail(Sign1Reason.BAD_HEADER, "protected header is not a map", path=("protected",))
    return value


def _x5chain(value: object, where: str) -> tuple[bytes, ...]:
    if isinstance(value, bytes):
        return (value,)
    if isinstance(value, list) and value and all(isinstance(c, bytes) for c in value):
        return tuple(value)
    _fail(
        Sign1Reason.BAD_HEADER,
        "x5chain must be a bstr or a non-empty array of bstr (DER certificates, leaf first)",
        path=(where, "x5chain"),
    )


def _parse(message: bytes, limits: DecodeLimits, *, strict: bool) -> Sign1Message:
    if not isinstance(message, bytes | bytearray | memoryview):
        _fail(Sign1Reason.MALFORMED, f"message must be bytes, not {type(message).__name__}")
    try:
        item = decode_value(bytes(message), limits=limits, deterministic=False)
    except DecodeError as e:
        raise Sign1Error(
            Sign1Reason.MALFORMED, f"not a CBOR data item: {e.message}", offset=e.offset
        ) from e
    tagged = False
    if isinstance(item, Tag):
        if item.tag != COSE_SIGN1_TAG:
            _fail(Sign1Reason.WRONG_TAG, f"CBOR tag {item.tag}; a COSE_Sign1 is tagged 18")
        item, tagged = item.value, True
    elif strict:
        _fail(
            Sign1Reason.UNTAGGED,
            "COSE_Sign1 tag 18 is missing; the strict profile requires it "
            "(use profile='rfc9052' where the type is known from context)",
        )
    if not isinstance(item, list) or len(item) != 4:
        _fail(Sign1Reason.MALFORMED, "a COSE_Sign1 is an array of 4 items")
    protected_bytes, unprotected, payload, signature = item
    if not isinstance(protected_bytes, bytes):
        _fail(Sign1Reason.MALFORMED, "protected header must be a bstr", path=("protected",))
    if not isinstance(unprotected, dict):
        _fail(Sign1Reason.MALFORMED, "unprotected header must be a map", path=("unprotected",))
    if payload is not None and not isinstance(payload, bytes):
        _fail(Sign1Reason.MALFORMED, "payload must be a bstr or nil", path=("payload",))
    if not isinstance(signature, bytes):
        _fail(Sign1Reason.MALFORMED, "signature must be a bstr", path=("signature",))

    protected = _decode_protected(protected_bytes, limits, strict=strict)
    _check_bucket(protected, "protected")
    _check_bucket(unprotected, "unprotected")
    both = sorted(repr(label) for label in protected.keys() & unprotected.keys())
    if both:
        _fail(
            Sign1Reason.DUPLICATE_LABEL,
            f"header label(s) {', '.join(both)} in both the protected and unprotected bucket",
        )

    raw_alg = protected.get(HeaderLabel.ALG, unprotected.get(HeaderLabel.ALG))
    kid = protected.get(HeaderLabel.KID, unprotected.get(HeaderLabel.KID))
    chain: tuple[bytes, ...] = ()
    for name, bucket in (("protected", protected), ("unprotected", unprotected)):
        if HeaderLabel.X5CHAIN in bucket:
            chain = _x5chain(bucket[HeaderLabel.X5CHAIN], name)
    claims = None
    if HeaderLabel.CWT_CLAIMS in protected:
        claims = _check_claims(protected[HeaderLabel.CWT_CLAIMS], "protected")
    return Sign1Message(
        protected=protected,
        protected_bytes=protected_bytes,
        unprotected=unprotected,
        payload=payload,
        signature=signature,
        alg=Algorithm.lookup(raw_alg),
        kid=kid,
        x5chain=chain,
        tagged=tagged,
        claims=claims,
        profile="strict" if strict else "rfc9052",
        timestamp_token=unprotected.get(HeaderLabel.TST_CTT),
    )


def parse_sign1(
    message: bytes, *, profile: Profile = "strict", limits: DecodeLimits = DEFAULT_LIMITS
) -> Sign1Message:
    """Parse a COSE_Sign1 once under ``profile``, **nothing verified**; raise
    :class:`Sign1Error` for a malformed message.

    Use the headers only to pick the key (``kid``, ``x5chain``) and the time to check it at
    (``claims.iat``), then :meth:`Sign1Message.verify` the signature before reading the
    payload. ``verify_sign1(m, k)`` is ``parse_sign1(m).verify(k)``.
    """
    if profile not in ("strict", "rfc9052"):
        raise ValueError(f"unknown COSE profile {profile!r}; use 'strict' or 'rfc9052'")
    return _parse(message, limits, strict=profile == "strict")


def decode_sign1_unverified(
    message: bytes, *, limits: DecodeLimits = DEFAULT_LIMITS
) -> Sign1Message:
    """Decode a COSE_Sign1 **without verifying anything** about its signature.

    For routing only (find the ``kid`` or ``x5chain`` to pick a key); never act on the
    payload. Reads the message the generic RFC 9052 way (tag 18 optional). Raises
    :class:`~batterypass.errors.DecodeError` on a malformed message.
    """
    try:
        return _parse(message, limits, strict=False)
    except Sign1Error as e:
        raise DecodeError(e.message, code=e.code, path=e.path, offset=e.offset) from e


# --- verification ----------------------------------------------------------------------------


def _as_public_key(key: object) -> PublicKey:
    if isinstance(key, PublicKey):
        return key
    try:
        return PublicKey.from_cryptography(key)
    except InvalidKeyError as e:
        raise Sign1Error(Sign1Reason.BAD_KEY, f"unusable verification key: {e.message}") from e


def _check_crit(protected: Mapping[Any, Any], unprotected: Mapping[Any, Any]) -> None:
    if HeaderLabel.CRIT in unprotected:
        _fail(
            Sign1Reason.BAD_CRIT,
            "crit must be in the protected bucket (RFC 9052 section 3.1)",
            path=("unprotected", "crit"),
        )
    if HeaderLabel.CRIT not in protected:
        return
    crit = protected[HeaderLabel.CRIT]
    if not isinstance(crit, list) or not crit or not all(_is_label(x) for x in crit):
        _fail(
            Sign1Reason.BAD_CRIT,
            "crit must be a non-empty array of header labels",
            path=("protected", "crit"),
        )
    if len(set(crit)) != len(crit):
        _fail(Sign1Reason.BAD_CRIT, "crit lists a label twice", path=("protected", "crit"))
    for label in crit:
        if label not in _UNDERSTOOD:
            _fail(
                Sign1Reason.UNKNOWN_CRITICAL,
                f"crit lists header label {label!r}, which this verifier does not understand",
                path=("protected", "crit"),
            )
        if label not in protected:
            _fail(
                Sign1Reason.UNKNOWN_CRITICAL,
                f"crit lists header label {label!r}, which is not in the protected bucket",
                path=("protected", "crit"),
            )


def _message_alg(msg: Sign1Message, *, strict: bool) -> Algorithm:
    if HeaderLabel.ALG in msg.protected:
        raw, where = msg.protected[HeaderLabel.ALG], "protected"
    elif HeaderLabel.ALG in msg.unprotected:
        if strict:
            _fail(
                Sign1Reason.ALG_UNPROTECTED,
                "alg is in the unprotected header, where an attacker can change it; the "
                "strict profile requires it in the protected header",
                path=("unprotected", "alg"),
            )
        raw, where = msg.unprotected[HeaderLabel.ALG], "unprotected"
    else:
        _fail(Sign1Reason.ALG_MISSING, "no alg header", path=("protected", "alg"))
    alg = Algorithm.lookup(raw)
    if alg is None:
        known = ", ".join(f"{a.cose_name} ({a.value})" for a in Algorithm)
        _fail(
            Sign1Reason.UNKNOWN_ALG,
            f"alg {raw!r} is not an accepted algorithm; accepted: {known}",
            path=(where, "alg"),
        )
    return alg


def verify_sign1(
    message: bytes,
    key: VerificationKey,
    *,
    external_aad: bytes = b"",
    detached_payload: bytes | None = None,
    profile: Profile = "strict",
    limits: DecodeLimits = DEFAULT_LIMITS,
) -> bytes:
    """Verify a COSE_Sign1 message with ``key`` and return its payload.

    ``key`` is a :class:`~batterypass.keys.PublicKey` or a ``cryptography`` Ed25519 / Ed448 / EC
    P-256/384/521 public key. The signature is checked over the protected header bytes
    exactly as received (nothing is re-encoded). ``detached_payload`` supplies the payload of
    a message whose payload is nil. Raises :class:`Sign1Error` (a
    :class:`~batterypass.errors.SignatureError`) for every failure; nothing in a refused
    message should be used.
    """
    if profile not in ("strict", "rfc9052"):
        raise ValueError(f"unknown COSE profile {profile!r}; use 'strict' or 'rfc9052'")
    strict = profile == "strict"
    public = _as_public_key(key)
    msg = _parse(message, limits, strict=strict)
    return _verify_message(
        msg, public, strict=strict, external_aad=external_aad, detached_payload=detached_payload
    )


def _verify_message(
    msg: Sign1Message,
    public: PublicKey,
    *,
    strict: bool,
    external_aad: bytes,
    detached_payload: bytes | None,
) -> bytes:
    _check_crit(msg.protected, msg.unprotected)
    if strict and HeaderLabel.X5CHAIN in msg.unprotected:
        _fail(
            Sign1Reason.BAD_HEADER,
            "x5chain must be in the protected header under the strict profile, so the "
            "certificate that names the signer cannot be swapped",
            path=("unprotected", "x5chain"),
        )
    if strict and HeaderLabel.CWT_CLAIMS in msg.unprotected:
        _fail(
            Sign1Reason.BAD_HEADER,
            "CWT claims must be in the protected header under the strict profile, so the "
            "signing time and subject cannot be changed",
            path=("unprotected", "cwt_claims"),
        )
    alg = _message_alg(msg, strict=strict)
    if alg.curve is not public.curve:
        _fail(
            Sign1Reason.ALG_KEY_MISMATCH,
            f"alg {alg.cose_name} ({alg.value}) needs a {alg.curve.value} key; the "
            f"verification key {public.kid} is {public.curve.value}",
        )
    if msg.payload is None and detached_payload is None:
        _fail(
            Sign1Reason.DETACHED_PAYLOAD,
            "payload is detached (nil); pass it as detached_payload=",
            path=("payload",),
        )
    if msg.payload is not None and detached_payload is not None:
        _fail(
            Sign1Reason.DETACHED_PAYLOAD,
            "message carries its payload; detached_payload must not be given",
            path=("payload",),
        )
    if len(msg.signature) != alg.signature_size:
        _fail(
            Sign1Reason.BAD_SIGNATURE_ENCODING,
            f"{alg.cose_name} signature must be {alg.signature_size} bytes, "
            f"got {len(msg.signature)}",
            path=("signature",),
        )
    payload = msg.payload if msg.payload is not None else detached_payload
    assert payload is not None
    body_protected = msg.protected_bytes if msg.protected else b""
    to_be_signed = _sig_structure(body_protected, external_aad, payload)
    try:
        public.verify(to_be_signed, msg.signature, alg=alg)
    except SignatureError as e:
        raise Sign1Error(Sign1Reason.BAD_SIGNATURE, e.message, path=("signature",)) from e
    order = alg.curve.order
    if strict and order is not None:
        half = len(msg.signature) // 2
        if int.from_bytes(msg.signature[half:], "big") > order // 2:
            # A valid signature in its other form: (r, s) and (r, n - s) both verify, and
            # accepting both would let anyone turn one signed message into a second valid one
            # with other bytes.
            _fail(
                Sign1Reason.HIGH_S,
                "ECDSA signature with a high s (s > n/2): the strict profile accepts only the "
                "low-s form, so that a signature has one encoding",
                path=("signature",),
            )
    return payload


# --- signing ---------------------------------------------------------------------------------


def _protected_header(
    alg: Algorithm,
    content_type: int | str | None,
    extra: Mapping[int | str, Any] | None,
) -> dict[int | str, Any]:
    header: dict[int | str, Any] = {HeaderLabel.ALG.value: alg.value}
    if content_type is not None:
        if not (
            (type(content_type) is int and 0 <= content_type <= 0xFFFF)
            or (isinstance(content_type, str) and content_type)
        ):
            raise EncodeError("content_type must be a uint16 CoAP content format or text")
        header[HeaderLabel.CONTENT_TYPE.value] = content_type
    for label, value in (extra or {}).items():
        if not _is_label(label):
            raise EncodeError(f"header label {label!r} is neither an integer nor text")
        if label in header:
            raise EncodeError(
                f"protected_extra must not set label {label!r}: it comes from the key "
                "or the content_type argument"
            )
        header[int(label) if isinstance(label, int) else label] = value
    try:
        _check_bucket(header, "protected")
        _check_crit(header, {})
        if HeaderLabel.X5CHAIN in header:
            _x5chain(header[HeaderLabel.X5CHAIN], "protected")
    except Sign1Error as e:
        raise EncodeError(f"cannot build the protected header: {e.message}") from e
    return header


def _low_s(signature: bytes, alg: Algorithm) -> bytes:
    """The low-s form of an ECDSA signature (``s`` replaced by ``n - s`` above n/2), which the
    strict profile requires, whatever the signer (an HSM, a KMS) returned; EdDSA unchanged."""
    order = alg.curve.order
    if order is None:
        return signature
    half = len(signature) // 2
    s = int.from_bytes(signature[half:], "big")
    if s <= order // 2:
        return signature
    return signature[:half] + (order - s).to_bytes(half, "big")


def sign1(
    payload: bytes,
    key: Signer,
    *,
    kid: bytes | None = None,
    content_type: int | str | None = None,
    external_aad: bytes = b"",
    protected_extra: Mapping[int | str, Any] | None = None,
) -> bytes:
    """Sign ``payload`` as a tagged COSE_Sign1 in deterministic CBOR and return its bytes.

    The protected header holds ``alg`` (from ``key.alg``), ``content_type`` (label 3) when
    given and ``protected_extra``. The ``kid`` (default: ``key.kid`` as UTF-8) goes in the
    unprotected header, unless ``protected_extra`` carries label 4 itself (then the kid is
    protected and nothing is unprotected). ``key`` is any :class:`~batterypass.keys.Signer`.
    """
    if not isinstance(payload, bytes) or not isinstance(external_aad, bytes):
        raise EncodeError("payload and external_aad must be bytes")
    alg = key.alg
    if not isinstance(alg, Algorithm):
        raise EncodeError(f"signer alg must be an Algorithm, not {alg!r}")
    header = _protected_header(alg, content_type, protected_extra)
    unprotected: dict[int, bytes] = {}
    if HeaderLabel.KID in header:
        if kid is not None:
            raise EncodeError("kid given both as argument and in protected_extra")
    else:
        unprotected[HeaderLabel.KID.value] = kid if kid is not None else key.kid.encode("utf-8")
    protected_bytes = encode_value(header)
    to_be_signed = _sig_structure(protected_bytes, external_aad, payload)
    try:
        signature = key.sign(to_be_signed)
    except BatteryPassError:
        raise
    except Exception as e:  # an HSM/KMS adapter may raise anything; wrap it
        raise SignatureError(f"signer {key.kid!r} failed: {e}") from e
    if not isinstance(signature, bytes) or len(signature) != alg.signature_size:
        size = len(signature) if isinstance(signature, bytes) else type(signature).__name__
        raise SignatureError(
            f"signer {key.kid!r} returned {size} bytes; {alg.cose_name} needs "
            f"{alg.signature_size} (ECDSA in COSE is raw r || s, not DER: convert first)"
        )
    signature = _low_s(signature, alg)
    return encode_value(Tag(COSE_SIGN1_TAG, [protected_bytes, unprotected, payload, signature]))


def add_timestamp_token(message: bytes, token: bytes, *, replace: bool = False) -> bytes:
    """Return ``message`` with the RFC 3161 timestamp ``token`` (DER TimeStampToken) in its
    unprotected ``3161-ctt`` header (label 270, RFC 9921 section 3.1).

    The signed bytes are not touched: the protected header bytes, the payload and the
    signature are copied exactly; only the unprotected map (which no signature covers) is
    written again, deterministically. ``message`` is read under the strict profile; a message
    that already has a token is refused (:class:`Sign1Error`, ``timestamp-exists``) unless
    ``replace=True``. Nothing here checks the token: a verifier with timestamp authorities
    in its trust store does (``batterypass.verify``).
    """
    if not isinstance(token, bytes) or not token:
        raise EncodeError("a timestamp token must be non-empty DER bytes")
    msg = _parse(message, DEFAULT_LIMITS, strict=True)
    if msg.timestamp_token is not None and not replace:
        _fail(
            Sign1Reason.TIMESTAMP_EXISTS,
            "the message already carries a timestamp token (3161-ctt); pass replace=True "
            "to swap it",
            path=("unprotected", "3161-ctt"),
        )
    unprotected = dict(msg.unprotected)
    unprotected[HeaderLabel.TST_CTT.value] = token
    return encode_value(
        Tag(
            COSE_SIGN1_TAG,
            [msg.protected_bytes, unprotected, msg.payload, msg.signature],
        )
    )
