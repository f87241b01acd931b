"""Verifying a presentation of a disclosable passport (``specs/selective-disclosure.md``).

Verification is a fixed sequence of steps, each failing closed with the error it documents;
nothing of the payload is decoded before the signature holds:

1. take the COSE_Sign1 apart once (strict profile), unverified, to read ``kid`` /
   ``x5chain``, the signing time and the openings (:class:`~batterypass.errors.DecodeError`
   if malformed);
2. check the protected content type says "disclosable passport" (``SignatureError``: a plain
   signed passport or any other signed object never passes as a presentation);
3. read the signing time ``iat`` from the protected CWT claims (``SignatureError``,
   ``no-signing-time``) and find the signer in the trust store at that time (or at ``at``)
   (:class:`TrustError`);
4. verify the signature over the exact bytes received (``SignatureError``); the signed
   ``iat`` must not lie in the future (``TrustError``);
5. decode the payload and its group 1 part (``DecodeError`` / ``ValidationError``); its
   ``issued_at`` and ``passport_id`` must be the header's ``iat`` and ``sub``
   (``SignatureError``, ``claims-mismatch``);
6. check every opened group against its signed commitment: malformed, duplicate, unknown,
   wrong-group or mismatched disclosures (:class:`~batterypass.disclosure.DisclosureError`);
7. with ``audience`` given, the opened groups must be exactly those the audience may see
   (``DisclosureError``, reason ``audience``);
8. assemble the passport from group 1 and the disclosed values and validate it whole
   (``DecodeError`` / ``ValidationError``);
9. apply the signer policy of :func:`verify_passport`: a manufacturer or economic-operator role,
   and the signer's organisation is the passport's issuer (:class:`TrustError`).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from batterypass import codec as sd
from batterypass.disclosure import (
    DisclosureError,
    DisclosureReason,
    disclosed_values,
    groups_for,
    open_presentation,
)
from batterypass.errors import SignatureError
from batterypass.keys import Algorithm
from batterypass.model import AccessGroup, Audience, BatteryPassport, Role
from batterypass.verify._passport import (
    PASSPORT_SIGNER_ROLES,
    _authenticate,
    _check_claims,
    _check_signer,
)
from batterypass.verify._timestamp import VerifiedTimestamp
from batterypass.verify._trust import TrustStore, _require_aware

__all__ = ["VerifiedPresentation", "verify_presentation"]


@dataclass(frozen=True, slots=True)
class VerifiedPresentation:
    """A presentation whose signature, disclosures, signer and policy checks all passed."""

    passport: BatteryPassport
    """Group 1 and the opened groups; every data point of another group is ``None``."""
    groups: frozenset[AccessGroup]
    """The groups shown: group 1 and the opened ones."""
    kid: str
    organisation_id: str
    roles: frozenset[Role]
    algorithm: Algorithm
    signed_at: datetime
    """The time the checks were made for (``at``, else a trusted timestamp's time, else the
    signed ``iat``)."""
    timestamp: VerifiedTimestamp | None = None
    """The verified RFC 3161 timestamp of the signature, if any (see ``verify_passport``)."""


def verify_presentation(
    data: bytes,
    *,
    trust: TrustStore,
    audience: Audience | str | None = None,
    at: datetime | None = None,
    now: datetime | None = None,
    allowed_roles: Iterable[Role] = PASSPORT_SIGNER_ROLES,
    require_timestamp: bool = False,
) -> VerifiedPresentation:
    """Verify a presentation (or a whole disclosable passport) and return what it shows and
    who signed it; raise on any failure.

    ``result.passport`` holds only what was disclosed; for a presentation made by
    :func:`batterypass.disclosure.present` for audience *a* it equals ``passport.view(a)``.
    With ``audience``, a presentation that opens more or fewer groups than the audience may see
    is refused. ``at``, ``now`` and ``require_timestamp`` as for :func:`verify_passport`
    (trusted timestamps and compromised keys included); the module documentation lists the
    ordered steps and their errors.
    """
    if at is not None:
        _require_aware(at, "the signing time 'at'")
    if now is not None:
        _require_aware(now, "the verifier's clock 'now'")
    wanted = groups_for(audience) if audience is not None else None
    # Steps 1 and 2.
    opened = open_presentation(data, profile="strict")
    msg = opened.sign1
    if msg.payload is None:
        raise SignatureError("detached payloads are not used for passports", code="not-a-passport")
    # Steps 3 and 4: only the protected header is read to pick the key and the time, then
    # the signature is checked.
    auth = _authenticate(msg, trust, at, now, require_timestamp)
    claims, entry = auth.claims, auth.entry
    # Step 5: the payload, now authenticated.
    payload = sd.decode_disclosable_payload(auth.payload)
    public = sd.assemble_disclosed(payload.document, ())
    _check_claims(claims, public.issued_at, public.passport_id, "passport")
    # Step 6.
    disclosed = disclosed_values(payload.commitments, opened.openings)
    # Step 7.
    shown = frozenset(opened.openings)
    if audience is not None and wanted is not None and shown != wanted:
        extra, missing = sorted(shown - wanted), sorted(wanted - shown)
        parts = []
        if extra:
            parts.append(f"opens group(s) {_groups(extra)} it may not see")
        if missing:
            parts.append(f"lacks group(s) {_groups(missing)} it may see")
        raise DisclosureError(
            DisclosureReason.AUDIENCE,
            f"a presentation for {Audience(audience).value} {' and '.join(parts)} (Art. 77(2))",
        )
    # Step 8.
    passport = sd.assemble_disclosed(payload.document, disclosed) if disclosed else public
    # Step 9.
    _check_signer(entry, frozenset(allowed_roles), passport)
    return VerifiedPresentation(
        passport=passport,
        groups=shown | {AccessGroup.PUBLIC},
        kid=entry.kid,
        organisation_id=entry.organisation_id,
        roles=entry.roles,
        algorithm=msg.alg or entry.public_key.alg,
        signed_at=auth.at,
        timestamp=auth.timestamp,
    )


def _groups(groups: Iterable[AccessGroup]) -> str:
    return ", ".join(str(int(g)) for g in groups)
