"""Verifying a presentation of a disclosable passport (``specs/selective-disclosure.md``).

Verification is a fixed sequence of steps, each failing closed with the error it documents:

1. take the COSE_Sign1 apart, unverified, to read ``kid`` / ``x5chain`` and the openings
   (:class:`~batterypass.errors.DecodeError` if malformed);
2. check the protected content type says "disclosable passport" (``SignatureError``: a plain
   signed passport or any other signed object never passes as a presentation);
3. decode the payload's shape and its group 1 part, find the signing time (``at``, or the
   payload's ``issued_at``, not in the future) and the signer in the trust store at that time
   (``DecodeError``, :class:`TrustError`);
4. verify the signature over the exact bytes received (``SignatureError``);
5. check every opened group against its signed commitment: malformed, duplicate, unknown,
   wrong-group or mismatched disclosures (:class:`~batterypass.disclosure.DisclosureError`);
6. with ``audience`` given, the opened groups must be exactly those the audience may see
   (``DisclosureError``, reason ``audience``);
7. assemble the passport from group 1 and the disclosed values and validate it whole
   (``DecodeError`` / ``ValidationError``);
8. apply the signer policy of :func:`verify_passport`: a manufacturer or economic-operator role,
   and the signer's organisation is the passport's issuer (:class:`TrustError`).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime

from batterypass import codec as sd
from batterypass.cose import verify_sign1
from batterypass.disclosure import (
    DisclosureError,
    DisclosureReason,
    disclosed_values,
    groups_for,
    open_presentation,
)
from batterypass.errors import SignatureError, TrustError
from batterypass.keys import Algorithm
from batterypass.model import AccessGroup, Audience, BatteryPassport, Role
from batterypass.verify._passport import CLOCK_SKEW, PASSPORT_SIGNER_ROLES
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
    """The time the checks were made for (``at``, or the passport's ``issued_at``)."""


def verify_presentation(
    data: bytes,
    *,
    trust: TrustStore,
    audience: Audience | str | None = None,
    at: datetime | None = None,
    now: datetime | None = None,
    allowed_roles: Iterable[Role] = PASSPORT_SIGNER_ROLES,
) -> VerifiedPresentation:
    """Verify a presentation (or a whole disclosable passport) and return what it shows and
    who signed it; raise on any failure.

    ``result.passport`` holds only what was disclosed; for a presentation made by
    :func:`batterypass.disclosure.present` for audience *a* it equals ``passport.view(a)``.
    With ``audience``, a presentation that opens more or fewer groups than the audience may see
    is refused. ``at`` and ``now`` as for :func:`verify_passport`; the module documentation
    lists the ordered steps and their errors.
    """
    if at is not None:
        _require_aware(at, "the signing time 'at'")
    if now is not None:
        _require_aware(now, "the verifier's clock 'now'")
    wanted = groups_for(audience) if audience is not None else None
    # Steps 1 and 2.
    opened = open_presentation(data)
    msg = opened.sign1
    if msg.payload is None:
        raise SignatureError("detached payloads are not used for passports")
    # Step 3: the payload is parsed before the signature is checked only to find the signing
    # time; nothing of it is trusted until step 4 has passed over the same bytes.
    payload = sd.decode_disclosable_payload(msg.payload)
    public = sd.assemble_disclosed(payload.document, ())
    if at is None:
        clock = now or datetime.now(UTC)
        if public.issued_at > clock + CLOCK_SKEW:
            raise TrustError(
                f"the passport claims to be issued at {public.issued_at.isoformat()}, in the "
                f"future of the verifier's clock ({clock.isoformat()})"
            )
        at = public.issued_at
    if msg.x5chain:
        entry = trust.lookup_x509(list(msg.x5chain), at=at)
    elif msg.kid is None:
        raise TrustError("the message names no signer: no kid and no x5chain header")
    else:
        entry = trust.lookup(msg.kid, at=at)
    # Step 4.
    verified = verify_sign1(data, entry.public_key)
    if verified != msg.payload:  # pragma: no cover - one parser, the same bytes
        raise SignatureError("the verified payload differs from the decoded one")
    # Step 5.
    disclosed = disclosed_values(payload.commitments, opened.openings)
    # Step 6.
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
    # Step 7.
    passport = sd.assemble_disclosed(payload.document, disclosed) if disclosed else public
    # Step 8.
    roles = frozenset(allowed_roles)
    if not entry.roles & roles:
        held = ", ".join(sorted(r.value for r in entry.roles)) or "none"
        want = ", ".join(sorted(r.value for r in roles))
        raise TrustError(
            f"signer {entry.kid} holds roles [{held}]; a passport needs one of [{want}]",
            legal_basis="Art. 77(1)",
        )
    if entry.organisation_id != passport.issuer:
        raise TrustError(
            f"signer {entry.kid} belongs to {entry.organisation_id!r}, but the passport's "
            f"issuer is {passport.issuer!r}",
            path=("issuer",),
        )
    return VerifiedPresentation(
        passport=passport,
        groups=shown | {AccessGroup.PUBLIC},
        kid=entry.kid,
        organisation_id=entry.organisation_id,
        roles=entry.roles,
        algorithm=msg.alg or entry.public_key.alg,
        signed_at=at,
    )


def _groups(groups: Iterable[AccessGroup]) -> str:
    return ", ".join(str(int(g)) for g in groups)
