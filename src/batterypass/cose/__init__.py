"""COSE_Sign1 structure (RFC 9052): :func:`sign1`, :func:`verify_sign1` over the exact bytes
received, :func:`parse_sign1` + :meth:`Sign1Message.verify` to parse once and read the
protected header (RFC 9597 CWT claims) before the signature check, and
:func:`decode_sign1_unverified` for routing.

RFC 9921 timestamps ("COSE, then timestamp"): :func:`request_timestamp` asks an RFC 3161
timestamp authority for a token over a message's signature and puts it into the unprotected
``3161-ctt`` header (:func:`add_timestamp_token`), leaving the signed bytes as they are; the
verifier checks it against its trust store (``batterypass.verify``).

This is the raw structure layer; the passport-level signing recipe, :func:`sign_passport`,
builds on it. The accepted and rejected features are listed in ``specs/cose-profile.md``.
"""

from __future__ import annotations

from batterypass.cose._nacl import libsodium_key, nacl_available
from batterypass.cose._passport import PASSPORT_CONTENT_TYPE, sign_passport
from batterypass.cose._sign1 import (
    COSE_SIGN1_TAG,
    CwtClaim,
    HeaderLabel,
    Profile,
    Sign1Error,
    Sign1Message,
    Sign1Reason,
    SignedClaims,
    VerificationKey,
    add_timestamp_token,
    cwt_claims_header,
    decode_sign1_unverified,
    parse_sign1,
    sign1,
    verify_sign1,
)
from batterypass.cose._tsa import (
    MAX_TSA_RESPONSE_BYTES,
    TSA_TIMEOUT_SECONDS,
    TimestampGrant,
    request_timestamp,
    request_timestamp_token,
)

__all__ = [
    "COSE_SIGN1_TAG",
    "MAX_TSA_RESPONSE_BYTES",
    "PASSPORT_CONTENT_TYPE",
    "TSA_TIMEOUT_SECONDS",
    "CwtClaim",
    "HeaderLabel",
    "Profile",
    "Sign1Error",
    "Sign1Message",
    "Sign1Reason",
    "SignedClaims",
    "TimestampGrant",
    "VerificationKey",
    "add_timestamp_token",
    "cwt_claims_header",
    "decode_sign1_unverified",
    "libsodium_key",
    "nacl_available",
    "parse_sign1",
    "request_timestamp",
    "request_timestamp_token",
    "sign1",
    "sign_passport",
    "verify_sign1",
]
