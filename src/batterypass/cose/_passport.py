"""The passport signing recipe: a COSE_Sign1 over the passport's deterministic CBOR.

Verification, which needs trust, is :func:`batterypass.verify.verify_passport`.
"""

from __future__ import annotations

from batterypass.codec import cbor
from batterypass.cose._sign1 import cwt_claims_header, sign1
from batterypass.keys import Signer
from batterypass.model import BatteryPassport

__all__ = ["PASSPORT_CONTENT_TYPE", "sign_passport"]

PASSPORT_CONTENT_TYPE = "application/vnd.batterypass.passport+cbor"
"""The protected content type (COSE header 3) of a signed passport."""


def sign_passport(passport: BatteryPassport, key: Signer, *, kid: str | None = None) -> bytes:
    """Sign ``passport`` and return the COSE_Sign1 message (tag 18) as bytes.

    The payload is the deterministic CBOR of :func:`batterypass.codec.cbor.dumps`; the
    protected header holds the algorithm, :data:`PASSPORT_CONTENT_TYPE` and the CWT claims
    ``iat`` (the passport's ``issued_at``, whole seconds) and ``sub`` (its ``passport_id``);
    the unprotected header holds ``kid`` (default: the key's own kid, its RFC 7638
    thumbprint).
    """
    payload = cbor.dumps(passport)
    key_id = key.kid if kid is None else kid
    return sign1(
        payload,
        key,
        kid=key_id.encode("utf-8"),
        content_type=PASSPORT_CONTENT_TYPE,
        protected_extra=cwt_claims_header(iat=passport.issued_at, sub=passport.passport_id),
    )
