"""Verification: trust store and X.509 path validation (policies, the Verifier and reports
build on these).

Time is always explicit: every lookup takes ``at=``. ``Role`` is defined in
``batterypass._roles`` so that lower layers can use it; this is its public home.
"""

from __future__ import annotations

from batterypass._roles import Role
from batterypass.verify._bulk import BulkResult, EventLogItem, verify_many
from batterypass.verify._events import (
    SUCCESSOR_SIGNER_ROLES,
    TrustStoreResolver,
    verify_events,
    verify_lineage,
)
from batterypass.verify._passport import (
    PASSPORT_CONTENT_TYPE,
    PASSPORT_SIGNER_ROLES,
    VerifiedPassport,
    sign_passport,
    verify_passport,
)
from batterypass.verify._presentation import (
    VerifiedPresentation,
    verify_presentation,
    verify_presentation_with_signer,
)
from batterypass.verify._trust import (
    TRUST_FILE_FORMAT,
    TrustAnchor,
    TrustedKey,
    TrustStore,
    verify_x509_chain,
)

__all__ = [
    "PASSPORT_CONTENT_TYPE",
    "PASSPORT_SIGNER_ROLES",
    "SUCCESSOR_SIGNER_ROLES",
    "TRUST_FILE_FORMAT",
    "BulkResult",
    "EventLogItem",
    "Role",
    "TrustAnchor",
    "TrustStore",
    "TrustStoreResolver",
    "TrustedKey",
    "VerifiedPassport",
    "VerifiedPresentation",
    "sign_passport",
    "verify_events",
    "verify_lineage",
    "verify_many",
    "verify_passport",
    "verify_presentation",
    "verify_presentation_with_signer",
    "verify_x509_chain",
]
