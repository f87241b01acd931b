"""Verification against a trust store: signed passports (:func:`verify_passport`),
presentations of disclosable passports (:func:`verify_presentation`), lifecycle event logs
(:func:`verify_events`, :func:`verify_lineage`) and bulk runs (:func:`verify_many`).

A single verification raises on the first failure and returns a ``Verified*`` result
(:class:`VerifiedPassport`, :class:`VerifiedPresentation`, and for event logs the
:class:`~batterypass.lifecycle.VerifiedChain`); a bulk run returns one :class:`BulkResult` per
item. The signer policy is the ``allowed_roles`` argument plus the rule that the signer's
organisation is the passport's issuer. Time is always explicit: every lookup takes ``at=``.
With timestamp authorities in the trust store, the signing time is that of a verified RFC 3161
timestamp token over the signature (RFC 9921) instead of the signer's claim
(:func:`signing_time`), and a key reported compromised keeps only the signatures timestamped
before the compromise.
"""

from __future__ import annotations

from batterypass.verify._bulk import BulkResult, EventLogItem, verify_many
from batterypass.verify._events import (
    SUCCESSOR_SIGNER_ROLES,
    TrustStoreResolver,
    verify_events,
    verify_lineage,
)
from batterypass.verify._passport import PASSPORT_SIGNER_ROLES, VerifiedPassport, verify_passport
from batterypass.verify._presentation import VerifiedPresentation, verify_presentation
from batterypass.verify._timestamp import VerifiedTimestamp, signing_time, verify_timestamp
from batterypass.verify._trust import (
    TIMESTAMP_AUTHORITY_ROLE,
    TRUST_FILE_FORMAT,
    TimestampAuthority,
    TrustAnchor,
    TrustedKey,
    TrustStore,
    verify_x509_chain,
)

__all__ = [
    "PASSPORT_SIGNER_ROLES",
    "SUCCESSOR_SIGNER_ROLES",
    "TIMESTAMP_AUTHORITY_ROLE",
    "TRUST_FILE_FORMAT",
    "BulkResult",
    "EventLogItem",
    "TimestampAuthority",
    "TrustAnchor",
    "TrustStore",
    "TrustStoreResolver",
    "TrustedKey",
    "VerifiedPassport",
    "VerifiedPresentation",
    "VerifiedTimestamp",
    "signing_time",
    "verify_events",
    "verify_lineage",
    "verify_many",
    "verify_passport",
    "verify_presentation",
    "verify_timestamp",
    "verify_x509_chain",
]
