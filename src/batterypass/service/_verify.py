"""The library calls the service makes, in one place: verify an upload, a stored passport for
an audience, an event log. Nothing here checks anything itself; it picks the library function
for what was uploaded (a signed or a disclosable passport) and passes the server's trust and
clock."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from batterypass.cose import PASSPORT_CONTENT_TYPE, decode_sign1_unverified
from batterypass.disclosure import (
    DISCLOSABLE_CONTENT_TYPE,
    DisclosablePassport,
    present,
)
from batterypass.errors import SignatureError, TrustError
from batterypass.keys import Algorithm
from batterypass.lifecycle import VerifiedChain
from batterypass.model import VISIBILITY, AccessGroup, Audience, BatteryPassport
from batterypass.verify import (
    PASSPORT_SIGNER_ROLES,
    SUCCESSOR_SIGNER_ROLES,
    TrustStore,
    verify_events,
    verify_passport,
    verify_presentation,
)

__all__ = [
    "Kind",
    "Verified",
    "can_present",
    "kind_of",
    "presentation_for",
    "verify_log",
    "verify_stored",
    "verify_upload",
]

Kind = Literal["signed", "disclosable"]


@dataclass(frozen=True, slots=True)
class Verified:
    """A passport as verified now, for an audience, with who signed it."""

    passport: BatteryPassport
    """Only what the audience may see."""
    full: BatteryPassport | None
    """The whole passport, when the stored bytes hold all of it (for indexing an upload)."""
    kid: str
    organisation_id: str
    algorithm: Algorithm
    signed_at: datetime


def kind_of(data: bytes) -> Kind:
    """Whether ``data`` is a signed passport or a disclosable one, from its protected content
    type (unverified: only to pick the verifier, which checks it again)."""
    content_type = decode_sign1_unverified(data).protected.get(3)
    if content_type == PASSPORT_CONTENT_TYPE:
        return "signed"
    if content_type == DISCLOSABLE_CONTENT_TYPE:
        return "disclosable"
    raise SignatureError(
        f"not a signed or disclosable passport: protected content type is {content_type!r}",
    )


_SIGNERS = PASSPORT_SIGNER_ROLES | SUCCESSOR_SIGNER_ROLES


def _original_needs_operator(passport: BatteryPassport, roles: frozenset[object], kid: str) -> None:
    # A repurposer or remanufacturer signs only the successor passport it issues (the same
    # rule verify_events applies to a log's passport).
    if passport.predecessor_passport_id is None and not roles & PASSPORT_SIGNER_ROLES:
        raise TrustError(
            f"signer {kid} may sign only successor passports; an original passport needs a "
            "manufacturer or economic operator",
            legal_basis="Art. 77(1)",
        )


def verify_stored(
    data: bytes, kind: Kind, *, trust: TrustStore, audience: Audience, now: datetime
) -> Verified:
    """Verify stored (or uploaded) bytes now and return what ``audience`` may see."""
    if kind == "signed":
        vp = verify_passport(data, trust=trust, now=now, allowed_roles=_SIGNERS)
        _original_needs_operator(vp.passport, vp.roles, vp.kid)
        return Verified(
            vp.passport.view(audience),
            vp.passport,
            vp.kid,
            vp.organisation_id,
            vp.algorithm,
            vp.signed_at,
        )
    # A disclosable passport is stored whole (every group opened); the audience gets the
    # presentation made for it, verified as its recipient would verify it.
    whole = DisclosablePassport.from_bytes_unverified(data)
    shown = present(whole, audience)
    vpr = verify_presentation(
        shown, trust=trust, audience=audience, now=now, allowed_roles=_SIGNERS
    )
    _original_needs_operator(vpr.passport, vpr.roles, vpr.kid)
    return Verified(vpr.passport, None, vpr.kid, vpr.organisation_id, vpr.algorithm, vpr.signed_at)


def verify_upload(data: bytes, *, trust: TrustStore, now: datetime) -> tuple[Kind, Verified]:
    """Verify an uploaded passport whole (every group of a disclosable one)."""
    kind = kind_of(data)
    if kind == "signed":
        vp = verify_passport(data, trust=trust, now=now, allowed_roles=_SIGNERS)
        _original_needs_operator(vp.passport, vp.roles, vp.kid)
        verified = Verified(
            vp.passport, vp.passport, vp.kid, vp.organisation_id, vp.algorithm, vp.signed_at
        )
        return kind, verified
    # Stored whole: every group must be opened (a presentation is not a passport to keep).
    DisclosablePassport.from_bytes_unverified(data)
    vpr = verify_presentation(data, trust=trust, now=now, allowed_roles=_SIGNERS)
    _original_needs_operator(vpr.passport, vpr.roles, vpr.kid)
    return kind, Verified(
        vpr.passport, vpr.passport, vpr.kid, vpr.organisation_id, vpr.algorithm, vpr.signed_at
    )


def presentation_for(
    data: bytes, kind: Kind, audience: Audience, *, is_issuer: bool
) -> bytes | None:
    """The signed bytes a caller may receive: the presentation made for its audience from a
    disclosable passport. A plain signed passport's signature covers every group, so it cannot
    be cut down: it goes only to its issuer (who signed all of it) or to an audience that may
    see every group; else ``None``."""
    if not can_present(kind, audience, is_issuer=is_issuer):
        return None
    if kind == "disclosable":
        return present(DisclosablePassport.from_bytes_unverified(data), audience)
    return data


def can_present(kind: Kind, audience: Audience, *, is_issuer: bool) -> bool:
    """Whether :func:`presentation_for` has signed bytes for this caller."""
    return kind == "disclosable" or is_issuer or VISIBILITY[audience] == frozenset(AccessGroup)


def verify_log(
    events: list[bytes],
    *,
    trust: TrustStore,
    chain_passport: bytes,
    now: datetime,
    predecessor: VerifiedChain | None = None,
) -> VerifiedChain:
    """Verify an event log against the signed passport it links to."""
    return verify_events(
        events, trust=trust, passport=chain_passport, at=now, predecessor=predecessor
    )
