"""COSE_Sign1 structure (RFC 9052): :func:`sign1`, :func:`verify_sign1` over the exact bytes
received, :func:`parse_sign1` + :meth:`Sign1Message.verify` to parse once and read the
protected header (RFC 9597 CWT claims) before the signature check, and
:func:`decode_sign1_unverified` for routing.

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
    cwt_claims_header,
    decode_sign1_unverified,
    parse_sign1,
    sign1,
    verify_sign1,
)

__all__ = [
    "COSE_SIGN1_TAG",
    "PASSPORT_CONTENT_TYPE",
    "CwtClaim",
    "HeaderLabel",
    "Profile",
    "Sign1Error",
    "Sign1Message",
    "Sign1Reason",
    "SignedClaims",
    "VerificationKey",
    "cwt_claims_header",
    "decode_sign1_unverified",
    "libsodium_key",
    "nacl_available",
    "parse_sign1",
    "sign1",
    "sign_passport",
    "verify_sign1",
]
