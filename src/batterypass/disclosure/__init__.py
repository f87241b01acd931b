"""Selectively disclosable passports: one signature, a verifiable presentation per audience.

:func:`issue_disclosable` signs a passport once, with group 1 in clear and a salted SHA-256
commitment per withheld group (``specs/selective-disclosure.md``, ADR 0005);
:func:`present` makes the presentation an audience may see, without any key.
Verification, which needs trust, is :func:`batterypass.verify.verify_presentation`.
"""

from __future__ import annotations

from batterypass.disclosure._issue import (
    DISCLOSABLE_CONTENT_TYPE,
    OPENINGS_LABEL,
    DisclosablePassport,
    DisclosureError,
    DisclosureReason,
    Opened,
    disclosed_values,
    groups_for,
    issue_disclosable,
    open_presentation,
    present,
)
from batterypass.disclosure._qr import QR_MAX_BYTES, presentation_qr_png, presentation_qr_svg

__all__ = [
    "DISCLOSABLE_CONTENT_TYPE",
    "OPENINGS_LABEL",
    "QR_MAX_BYTES",
    "DisclosablePassport",
    "DisclosureError",
    "DisclosureReason",
    "Opened",
    "disclosed_values",
    "groups_for",
    "issue_disclosable",
    "open_presentation",
    "present",
    "presentation_qr_png",
    "presentation_qr_svg",
]
