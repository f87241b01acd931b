"""What every read route works from: a stored passport verified now, for the caller's
audience (:class:`PassportRead`). The library does every check; the view comes from
``BatteryPassport.view`` or from the presentation made for the audience."""

from __future__ import annotations

import hashlib
from collections.abc import MutableMapping
from dataclasses import dataclass
from datetime import datetime

from batterypass.codec import assemble_disclosed, cbor, decode_disclosable_payload
from batterypass.cose import decode_sign1_unverified
from batterypass.errors import BatteryPassError
from batterypass.lifecycle import VerifiedChain
from batterypass.model import Audience, BatteryPassport
from batterypass.service._errors import NotFoundError
from batterypass.service._ingest import verified_lineage
from batterypass.service._settings import Settings
from batterypass.service._store import PassportRow, Store
from batterypass.service._tokens import Caller
from batterypass.service._verify import Kind, Verified, verify_log, verify_stored

__all__ = ["MAX_CACHED", "PassportRead", "SignerInfo", "VerifyCache", "load_read"]

VerifyCache = MutableMapping[tuple[str, str], tuple[Verified, datetime]]
"""Verified views by (SHA-256 of the stored bytes, audience), with when they were verified.

Sound for the life of one app: its trust store never changes (a new trust file means a new
app), and without an ``at`` a passport is checked at its own signing time, so a result that
passed stays passed (the only clock check, "not issued in the future", can only become true).
Failures are not cached."""

MAX_CACHED = 4096


@dataclass(frozen=True, slots=True)
class SignerInfo:
    """Who signed the passport, as this server verified it at ``checked_at``."""

    kid: str
    organisation_id: str
    signed_at: datetime
    algorithm: str


@dataclass(frozen=True, slots=True)
class PassportRead:
    """A stored passport as one caller may see it, verified now."""

    passport_id: str
    audience: Audience
    caller: Caller | None
    kind: Kind
    stored: bytes
    """The head version's bytes, exactly as received."""
    stored_sha256: str
    """Hex SHA-256 of ``stored`` (with the audience, what a view is a function of)."""
    passport: BatteryPassport
    """The audience's view. If ``failure`` is set, decoded WITHOUT verification (for a page
    that says so in red); every other read refuses then."""
    signer: SignerInfo | None
    failure: BatteryPassError | None
    """Why the stored passport does not verify any more (a revoked key, expired trust)."""
    checked_at: datetime
    version: int
    event_count: int
    predecessor_id: str | None
    successor_id: str | None
    lifecycle: VerifiedChain | None = None
    lifecycle_failure: BatteryPassError | None = None

    @property
    def verified(self) -> bool:
        """The stored passport verifies now."""
        return self.failure is None


def _unverified_view(row: PassportRow, audience: Audience) -> BatteryPassport | None:
    # Only for a page that shows, in red, that the passport no longer verifies.
    try:
        payload = decode_sign1_unverified(row.body).payload
        if payload is None:
            return None
        if row.kind == "signed":
            return cbor.loads(payload).view(audience)
        # A disclosable passport: its group 1, which is in clear (nothing more is shown
        # unverified, whatever the audience).
        public = assemble_disclosed(decode_disclosable_payload(payload).document, ())
        return public.view(audience)
    except BatteryPassError:
        return None


def load_read(
    store: Store,
    settings: Settings,
    passport_id: str,
    *,
    caller: Caller | None,
    now: datetime,
    with_lifecycle: bool = False,
    cache: VerifyCache | None = None,
) -> PassportRead:
    """Load ``passport_id`` and verify it now for the caller's audience; :class:`NotFoundError`
    for an unknown id. A passport that no longer verifies is returned with ``failure``."""
    row = store.passport(passport_id)
    if row is None:
        raise NotFoundError(f"no passport {passport_id}")
    audience = caller.audience if caller is not None else Audience.PUBLIC
    kind: Kind = "signed" if row.kind == "signed" else "disclosable"
    signer: SignerInfo | None = None
    failure: BatteryPassError | None = None
    passport: BatteryPassport | None
    checked_at = now
    digest = hashlib.sha256(row.body).hexdigest()
    try:
        key = (digest, audience.value)
        hit = cache.get(key) if cache is not None else None
        if hit is None:
            verified = verify_stored(
                row.body, kind, trust=settings.trust, audience=audience, now=now
            )
            if cache is not None:
                if len(cache) >= MAX_CACHED:
                    cache.clear()
                cache[key] = (verified, now)
        else:
            verified, checked_at = hit
        passport = verified.passport
        signer = SignerInfo(
            verified.kid, verified.organisation_id, verified.signed_at, str(verified.algorithm)
        )
    except BatteryPassError as e:
        failure = e
        passport = _unverified_view(row, audience)
    if passport is None:
        assert failure is not None
        raise failure
    lifecycle: VerifiedChain | None = None
    lifecycle_failure: BatteryPassError | None = None
    if with_lifecycle and row.chain_body is not None:
        try:
            lifecycle = verify_log(
                store.events(passport_id),
                trust=settings.trust,
                chain_passport=row.chain_body,
                now=now,
                predecessor=verified_lineage(store, settings, row, now),
            )
        except BatteryPassError as e:
            lifecycle_failure = e
    return PassportRead(
        passport_id=passport_id,
        audience=audience,
        caller=caller,
        kind=kind,
        stored=row.body,
        stored_sha256=digest,
        passport=passport,
        signer=signer,
        failure=failure,
        checked_at=checked_at,
        version=row.head.version,
        event_count=row.head.event_count,
        predecessor_id=row.predecessor_id,
        successor_id=row.successor_id,
        lifecycle=lifecycle,
        lifecycle_failure=lifecycle_failure,
    )
