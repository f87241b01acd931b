"""The two writes: a passport version and a lifecycle event. Each is verified by the library
first and stored in one transaction with a compare-and-set on the stored head."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from batterypass.codec.gs1 import normalise_gtin, parse_digital_link
from batterypass.cose import decode_sign1_unverified
from batterypass.errors import BatteryPassError, ValidationError
from batterypass.lifecycle import VerifiedChain, decode_event
from batterypass.model import BatteryPassport
from batterypass.service._errors import (
    AccessDeniedError,
    ConflictError,
    NotAuthenticatedError,
    NotFoundError,
    ServiceError,
)
from batterypass.service._settings import Settings
from batterypass.service._store import PassportRow, Store, sha256_hex
from batterypass.service._tokens import Caller
from batterypass.service._verify import verify_log, verify_upload

__all__ = ["Stored", "gs1_key", "ingest_event", "ingest_passport", "verified_lineage"]


@dataclass(frozen=True, slots=True)
class Stored:
    """The outcome of a write."""

    passport_id: str
    number: int
    """The version number (passport) or sequence number (event)."""
    created: bool
    """False when the very same bytes were stored already (a repeated upload)."""


def gs1_key(battery_id: str) -> tuple[str | None, str | None]:
    """(GTIN-14, serial) of a battery identified by a GS1 Digital Link URI, else (None, None)."""
    try:
        gtin, serial, _ = parse_digital_link(battery_id)
    except BatteryPassError:
        return None, None
    return normalise_gtin(gtin), serial


def ingest_passport(
    store: Store,
    settings: Settings,
    *,
    passport_id: str,
    body: bytes,
    caller: Caller | None,
    now: datetime,
    require_caller: bool = True,
) -> Stored:
    """Verify ``body`` (a signed or disclosable passport) and store it as the first or next
    version of ``passport_id``. ``require_caller=False`` is for the mirror and the demo,
    which store what verifies whoever sends it."""
    if require_caller and caller is None:
        raise NotAuthenticatedError("uploading a passport needs a bearer token of its issuer")
    kind, verified = verify_upload(body, trust=settings.trust, now=now)
    passport = verified.full
    assert passport is not None  # verify_upload verifies the whole passport
    if passport.passport_id != passport_id:
        raise ValidationError(
            f"the passport's id is {passport.passport_id!r}, not the {passport_id!r} of the URL",
            path=("passport_id",),
        )
    if require_caller and caller is not None and caller.organisation_id != verified.organisation_id:
        raise AccessDeniedError(
            f"a token of {caller.organisation_id!r} cannot write passports of "
            f"{verified.organisation_id!r}"
        )
    row = store.passport(passport_id)
    expected: int | None = None
    if row is not None:
        if sha256_hex(body) == sha256_hex(row.body):
            return Stored(passport_id, row.head.version, created=False)
        _check_next_version(row, passport)
        expected = row.head.version
    if passport.predecessor_passport_id is not None:
        _check_lineage(store, settings, kind, body, passport.predecessor_passport_id, now)
    gtin, serial = gs1_key(passport.battery_id)
    holder: str | None = None
    if row is None and gtin is not None and serial is not None:
        # One battery, one passport: its Digital Link URI (the QR code) resolves to the newest
        # passport with its GS1 key, so a new passport may carry a key already held only as
        # the verified successor of the passport that holds it.
        holder = store.find_by_gs1(gtin, serial)
        # (The holder is this very passport when another upload of it was stored meanwhile:
        # the store's compare-and-set answers that.)
        if holder not in (None, passport_id, passport.predecessor_passport_id):
            raise _BatteryHasPassportError(
                f"battery {passport.battery_id} has passport {holder} already; another "
                "passport for it is refused (a repurposed or remanufactured battery gets a "
                "successor passport naming its predecessor)",
                path=("battery_id",),
                legal_basis="Art. 77(3); Art. 77(7)",
            )
    try:
        number = store.put_version(
            passport_id=passport_id,
            kind=kind,
            body=body,
            issued_at=passport.issued_at,
            issuer=passport.issuer,
            battery_id=passport.battery_id,
            gtin=gtin,
            serial=serial,
            predecessor_id=passport.predecessor_passport_id,
            expected_version=expected,
            gs1_holder=holder,
            now=now,
        )
    except ConflictError:
        # The same bytes, uploaded twice at once (a client's retry): the loser's upload is
        # stored, so it gets the answer of a repeated upload, not a conflict.
        digest = sha256_hex(body)
        for version in store.versions(passport_id):
            if version.sha256 == digest:
                return Stored(passport_id, version.version, created=False)
        raise
    return Stored(passport_id, number, created=True)


class _NotNewerError(ServiceError):
    code = "not-newer"
    status = 409


class _IssuerChangedError(ServiceError):
    code = "issuer-changed"
    status = 403


class _BatteryHasPassportError(ServiceError):
    code = "battery-has-passport"
    status = 409


def _check_lineage(
    store: Store, settings: Settings, kind: str, body: bytes, predecessor_id: str, now: datetime
) -> None:
    # A successor passport is stored only when the library verifies its link to the original
    # (whose stored log must end in the hand-over to this issuer), as its events would be.
    if kind != "signed":
        raise ValidationError(
            "a successor passport is uploaded as a signed passport "
            "(application/vnd.batterypass.passport+cbor): its link to the original's log is "
            "checked as its events' chain is",
            path=("predecessor_passport_id",),
            legal_basis="Art. 77(7)",
        )
    original = store.passport(predecessor_id)
    if original is None:
        raise ValidationError(
            f"the predecessor passport {predecessor_id} is not stored here: upload it and its "
            "log first",
            path=("predecessor_passport_id",),
            legal_basis="Art. 77(7)",
        )
    chain = original.chain_body or (original.body if original.kind == "signed" else None)
    if chain is None:
        raise ValidationError(
            f"the predecessor passport {predecessor_id} has no event log to hand over from",
            path=("predecessor_passport_id",),
            legal_basis="Art. 77(7)",
        )
    history = verify_log(
        store.events(predecessor_id),
        trust=settings.trust,
        chain_passport=chain,
        now=now,
        predecessor=verified_lineage(store, settings, original, now),
    )
    verify_log([], trust=settings.trust, chain_passport=body, now=now, predecessor=history)


def _check_next_version(row: PassportRow, passport: BatteryPassport) -> None:
    issuer, battery_id, issued_at = passport.issuer, passport.battery_id, passport.issued_at
    if issuer != row.issuer:
        raise _IssuerChangedError(
            f"passport {row.passport_id} is issued by {row.issuer!r}; a new version from "
            f"{issuer!r} is refused (a repurposed or remanufactured battery gets a successor "
            "passport with its own id)",
            legal_basis="Art. 77(7)",
        )
    if battery_id != row.battery_id:
        raise ValidationError(
            f"a new version must be of the same battery ({row.battery_id!r})",
            path=("battery_id",),
        )
    if passport.predecessor_passport_id != row.predecessor_id:
        raise ValidationError(
            f"a new version must name the same predecessor passport ({row.predecessor_id!r})",
            path=("predecessor_passport_id",),
            legal_basis="Art. 77(7)",
        )
    if issued_at <= row.issued_at:
        raise _NotNewerError(
            f"a new version must be issued after the stored one ({row.issued_at.isoformat()}), "
            f"not at {issued_at.isoformat()}"
        )


def verified_lineage(
    store: Store, settings: Settings, row: PassportRow, now: datetime
) -> VerifiedChain | None:
    """The verified log of ``row``'s predecessor when it is stored here (for a successor
    passport, whose counters carry on), else ``None``."""
    if row.predecessor_id is None:
        return None
    pred = store.passport(row.predecessor_id)
    if pred is None or pred.chain_body is None:
        return None
    return verify_log(
        store.events(pred.passport_id),
        trust=settings.trust,
        chain_passport=pred.chain_body,
        now=now,
        predecessor=verified_lineage(store, settings, pred, now),
    )


def ingest_event(
    store: Store,
    settings: Settings,
    *,
    passport_id: str,
    body: bytes,
    caller: Caller | None,
    now: datetime,
    require_caller: bool = True,
) -> Stored:
    """Verify the signed event ``body`` as the next one of ``passport_id``'s log and append
    it; :class:`ConflictError` (with the current head) if it was built on an older head or
    another writer appended first."""
    if require_caller and caller is None:
        raise NotAuthenticatedError("appending an event needs a bearer token of its actor")
    row = store.passport(passport_id)
    if row is None:
        raise NotFoundError(f"no passport {passport_id}")
    chain_passport, chain_version = row.chain_body, row.chain_version
    if chain_passport is None:
        if row.kind != "signed":
            raise ValidationError(
                "events link to a signed passport (application/vnd.batterypass.passport+cbor); "
                "this passport was uploaded as a disclosable one",
            )
        chain_passport, chain_version = row.body, row.head.version
    assert chain_version is not None
    stored = store.events(passport_id)
    # A writer that built on an older head learns the current one (409) rather than a
    # chain error: its event is fine, only late. Read unverified, only to pick the answer.
    try:
        event = decode_event(decode_sign1_unverified(body).payload or b"")
    except BatteryPassError:
        event = None
    sequence = event.sequence if event is not None else None
    if sequence is not None and sequence < len(stored):
        # The very event again (a client's retry, or two copies at once): stored already.
        # These bytes were verified when stored; the caller must be of their actor still.
        assert event is not None
        if stored[sequence] == body and (
            not require_caller or (caller is not None and caller.organisation_id == event.actor)
        ):
            return Stored(passport_id, sequence, created=False)
        raise ConflictError(
            f"the event has sequence {sequence}, but the log holds {len(stored)} events already",
            # ``row`` was read before the events: another writer may have appended in between,
            # so the head is read again (the answer names the head the loser must build on).
            head=store.head(passport_id),
        )
    report = verify_log(
        [*stored, body],
        trust=settings.trust,
        chain_passport=chain_passport,
        now=now,
        predecessor=verified_lineage(store, settings, row, now),
    )
    last = report.events[-1]
    if require_caller and caller is not None and caller.organisation_id != last.organisation_id:
        raise AccessDeniedError(
            f"a token of {caller.organisation_id!r} cannot append events signed by "
            f"{last.organisation_id!r}"
        )
    try:
        store.append_event(
            passport_id=passport_id,
            seq=len(stored),
            body=body,
            sha256=last.payload_sha256,
            chain_version=chain_version,
            now=now,
        )
    except ConflictError:
        # Another copy of this very event was appended first: a repeat, not a conflict.
        appended = store.events(passport_id)
        if len(appended) > len(stored) and appended[len(stored)] == body:
            return Stored(passport_id, len(stored), created=False)
        raise
    return Stored(passport_id, len(stored), created=True)
