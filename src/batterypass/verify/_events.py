"""Verifying lifecycle event logs against a trust store.

:func:`verify_events` verifies the signed passport (:func:`verify_passport`), adapts the
:class:`TrustStore` to the lifecycle layer's :class:`~batterypass.lifecycle.KeyResolver` and
runs :func:`batterypass.lifecycle.verify_chain` (whose documentation lists the ordered steps
and the error each raises). :func:`verify_lineage` walks from the original passport through
its successors.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from batterypass.cose import Sign1Message
from batterypass.errors import TrustError
from batterypass.lifecycle import (
    DEFAULT_EVENT_POLICY,
    EventLog,
    EventPolicy,
    ResolvedSigner,
    VerifiedChain,
    parse_log,
    verify_chain,
)
from batterypass.model import Role
from batterypass.verify._passport import PASSPORT_SIGNER_ROLES, verify_passport
from batterypass.verify._timestamp import signing_time
from batterypass.verify._trust import TrustStore, _require_aware

__all__ = ["SUCCESSOR_SIGNER_ROLES", "TrustStoreResolver", "verify_events", "verify_lineage"]

SUCCESSOR_SIGNER_ROLES = frozenset({Role.REPURPOSER, Role.REMANUFACTURER})
"""Roles that may sign the successor passport of a repurposed or remanufactured battery
(Art. 77(7)), besides :data:`PASSPORT_SIGNER_ROLES`."""


@dataclass(frozen=True, slots=True)
class TrustStoreResolver:
    """A :class:`~batterypass.lifecycle.KeyResolver` backed by a :class:`TrustStore`.

    With timestamp authorities in the store, each message's timestamp token is verified and
    the signer is judged at the token's time (:func:`~batterypass.verify.signing_time`);
    ``require_timestamp`` makes a message without one fail. A key reported compromised
    verifies only with a trusted timestamp from before the compromise.
    """

    trust: TrustStore
    require_timestamp: bool = False

    def resolve(
        self,
        kid: bytes | None,
        x5chain: Sequence[bytes],
        *,
        at: datetime,
        message: Sign1Message | None = None,
    ) -> ResolvedSigner:
        """The trusted signer named by ``x5chain`` (validated to an anchor) or ``kid``, at
        ``at`` or at the time of the message's trusted timestamp."""
        stamp = None
        if message is not None:
            stamp = signing_time(message, self.trust, require_timestamp=self.require_timestamp)
        elif self.require_timestamp:
            raise TrustError("a timestamp is required, but no message was given to read it from")
        when = stamp.time if stamp is not None else at
        if x5chain:
            entry = self.trust.lookup_x509(list(x5chain), at=when)
        elif kid is None:
            raise TrustError("the message names no signer: no kid and no x5chain header")
        else:
            entry = self.trust.lookup(kid, at=when)
        entry.check_not_compromised(stamp.time if stamp is not None else None)
        return ResolvedSigner(
            entry.public_key,
            entry.organisation_id,
            entry.roles,
            entry.kid,
            stamp.time if stamp is not None else None,
        )


def _messages(log: EventLog | Sequence[bytes] | bytes) -> tuple[bytes, ...]:
    if isinstance(log, bytes | bytearray):
        log = parse_log(bytes(log))
    if isinstance(log, EventLog):
        log.require_whole()
        return log.messages
    return tuple(log)


def verify_events(
    log: EventLog | Sequence[bytes] | bytes,
    *,
    trust: TrustStore,
    passport: bytes,
    at: datetime | None = None,
    head: bytes | None = None,
    policy: EventPolicy = DEFAULT_EVENT_POLICY,
    predecessor: VerifiedChain | None = None,
    require_timestamp: bool = False,
) -> VerifiedChain:
    """Verify the event log of the signed passport ``passport``; raise on any failure.

    ``log`` is an :class:`~batterypass.lifecycle.EventLog` (a torn tail is refused), the raw
    bytes of a log file, or the signed events in order. ``at`` is the verifier's clock
    (default: now): the passport and the events must not claim a later time. ``head`` is a
    signed head the holder published; with it, a log cut short is detected. ``predecessor``
    is the report of the original passport's log, for a successor passport.
    ``require_timestamp``: the passport, every event and the head need a trusted timestamp
    (see :class:`TrustStoreResolver`); with timestamp authorities in ``trust`` each is judged
    by its own token either way.

    Errors: those of :func:`verify_passport` for the passport, then those of
    :func:`batterypass.lifecycle.verify_chain`, each with ``index=`` the event's position.
    """
    clock = _require_aware(at, "the verifier's clock 'at'") if at is not None else datetime.now(UTC)
    messages = _messages(log)
    verified = verify_passport(
        passport,
        trust=trust,
        now=clock,
        allowed_roles=PASSPORT_SIGNER_ROLES | SUCCESSOR_SIGNER_ROLES,
        require_timestamp=require_timestamp,
    )
    doc = verified.passport
    if doc.predecessor_passport_id is None and not verified.roles & PASSPORT_SIGNER_ROLES:
        held = ", ".join(sorted(r.value for r in verified.roles))
        raise TrustError(
            f"signer {verified.kid} holds roles [{held}]; an original passport needs a "
            "manufacturer or economic operator",
            legal_basis="Art. 77(1)",
        )
    return verify_chain(
        messages,
        resolver=TrustStoreResolver(trust, require_timestamp),
        passport=doc,
        passport_payload=verified.payload,
        policy=policy,
        now=clock,
        head=head,
        predecessor=predecessor,
    )


def verify_lineage(
    history: Sequence[tuple[bytes, EventLog | Sequence[bytes] | bytes]],
    *,
    trust: TrustStore,
    at: datetime | None = None,
    head: bytes | None = None,
    policy: EventPolicy = DEFAULT_EVENT_POLICY,
    require_timestamp: bool = False,
) -> tuple[VerifiedChain, ...]:
    """Verify a battery's whole history: the original (signed passport, log) first, then each
    successor, each linked to the one before (predecessor id and the hash of its last event);
    counters carry on across passports. ``head`` applies to the last log."""
    reports: list[VerifiedChain] = []
    for i, (signed, log) in enumerate(history):
        reports.append(
            verify_events(
                log,
                trust=trust,
                passport=signed,
                at=at,
                head=head if i == len(history) - 1 else None,
                policy=policy,
                predecessor=reports[-1] if reports else None,
                require_timestamp=require_timestamp,
            )
        )
    return tuple(reports)
