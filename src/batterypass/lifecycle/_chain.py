"""Verifying a chain of signed lifecycle events, and the signed head that pins its length.

:func:`verify_chain` runs these steps on each event, in order, and stops at the first failure
with the error it documents (``index=`` is the event's position in the log):

1. **envelope**: a COSE_Sign1, parsed once under the strict profile
   (:class:`BrokenChainError` ``malformed``), with the event content type
   (:class:`~batterypass.errors.SignatureError`: a signed passport or head is never an event)
   and a signing time ``iat`` in the protected CWT claims (RFC 9597;
   :class:`~batterypass.cose.Sign1Error` ``no-signing-time``);
2. **trust**: the ``kid`` / ``x5chain`` names a signer the resolver trusts *at the signing
   time*: the signed ``iat``, or the time of a trusted timestamp token over the signature
   when the resolver checks those (``batterypass.verify.TrustStoreResolver`` does, with
   timestamp authorities in its store; a compromised key needs one from before the
   compromise) (:class:`~batterypass.errors.TrustError`);
3. **signature** over the exact bytes received (:class:`~batterypass.errors.SignatureError`:
   an altered event); only then is the payload decoded: an event in its one encoding
   (:class:`BrokenChainError` ``malformed``) whose time falls in the second ``iat`` names and
   whose passport id is the header's ``sub`` (``SignatureError``, ``claims-mismatch``), and
   whose actor is the signer's organisation (``TrustError``);
4. **role**: the policy lets one of the signer's roles record this event type
   (:class:`~batterypass.errors.PolicyError`);
5. **link and sequence**: it belongs to this passport and battery (``foreign``), is not a copy
   of an earlier event (``duplicated``), does not claim a predecessor another event claims
   (``fork``), links to the SHA-256 of the previous event's payload (or of the signed
   passport's payload, for the first) and carries the next sequence number (``dropped``,
   ``reordered``, ``broken-link``, ``sequence``) (:class:`BrokenChainError`);
6. **time order**: not before the previous event, not after the verifier's clock (``time``);
7. **state machine**: original -> (re-used | repurposed | remanufactured)* -> waste ->
   recycled; nothing after ``recycled`` (``ceased``) or after the passport was closed in favour
   of a successor (``closed``); ``manufactured`` only first, ``placed_on_market`` once
   (``status``);
8. **counters**: cycle count, throughputs, event counts and extreme-temperature times never
   decrease (``counter``).

Then, if a signed head is given: it is a head (content type), its signer is trusted at its
signed ``iat``, its signature verifies before its payload is read, its time and passport id
match the claims, its signer is the passport's issuer or an actor of the log, and the log
holds at least the events it counts, the last of which hashes to its hash (``truncated``,
``head-mismatch``).

Times: without trusted timestamps the signing time is the signer's own claim (``iat``,
covered by its signature); a compromised key can backdate, so revocation protects only against
events claimed after it. With them (RFC 9921 tokens checked by the resolver), each event is
judged by its own timestamp, so a key compromise voids exactly the events not timestamped
before it.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any, Final, Protocol

from batterypass.codec import DateTimeCodec
from batterypass.codec.cbor import decode_value, encode_value
from batterypass.codec.cbor import loads as cbor_loads
from batterypass.cose import (
    Sign1Error,
    Sign1Message,
    SignedClaims,
    cwt_claims_header,
    decode_sign1_unverified,
    parse_sign1,
    sign1,
)
from batterypass.errors import (
    BatteryPassError,
    ChainError,
    DecodeError,
    SignatureError,
    TrustError,
    ValidationError,
)
from batterypass.keys import PublicKey, Signer
from batterypass.lifecycle._events import (
    COUNTERS,
    AccidentPayload,
    Event,
    EventType,
    StateOfHealthPayload,
    UsagePayload,
    _StatusChange,
)
from batterypass.lifecycle._policy import DEFAULT_EVENT_POLICY, EventPolicy
from batterypass.lifecycle._wire import (
    EVENT_CONTENT_TYPE,
    decode_event,
    sha256_hex,
)
from batterypass.model import (
    BatteryPassport,
    BatteryStatus,
    NegativeEvent,
    Role,
    StateOfHealth,
    Usage,
    parse_passport,
)

__all__ = [
    "CLOCK_SKEW",
    "HEAD_CONTENT_TYPE",
    "BreakKind",
    "BrokenChainError",
    "Head",
    "KeyResolver",
    "ResolvedSigner",
    "VerifiedChain",
    "VerifiedEvent",
    "check_chain_unverified",
    "decode_head",
    "sign_head",
    "verify_chain",
]

HEAD_CONTENT_TYPE: Final = "application/vnd.batterypass.event-head+cbor"
"""The protected content type of a signed head."""

_HEAD_TIME: Final = DateTimeCodec()

CLOCK_SKEW: Final = timedelta(minutes=5)
"""How far an event may lie ahead of the verifier's clock."""

_STATUS_OF: Final = {
    EventType.REUSED: BatteryStatus.REUSED,
    EventType.REPURPOSED: BatteryStatus.REPURPOSED,
    EventType.REMANUFACTURED: BatteryStatus.REMANUFACTURED,
    EventType.COLLECTED_AS_WASTE: BatteryStatus.WASTE,
}
_NOT_FOR_WASTE: Final = frozenset(
    {
        EventType.PLACED_ON_MARKET,
        EventType.PUT_INTO_SERVICE,
        EventType.USAGE,
        EventType.REPAIRED,
    }
)


def _check_not_future(
    time: datetime,
    now: datetime,
    *,
    index: int | None,
    clock: str = "the verifier's clock",
    what: str = "time",
) -> None:
    """The one rule for how far ahead of a clock an event's or a head's time may lie
    (:data:`CLOCK_SKEW`): a verifier applies it to every event and to the head, a writer to
    the event it is about to append or the head it is about to sign. ``what`` names the time
    in the message."""
    if time > now + CLOCK_SKEW:
        skew = int(CLOCK_SKEW.total_seconds() // 60)
        raise BrokenChainError(
            BreakKind.TIME,
            f"{what} {time.isoformat()} is in the future of {clock} ({now.isoformat()}; "
            f"up to {skew} minutes ahead are allowed)",
            index=index,
        )


class BreakKind(enum.StrEnum):
    """What is wrong with a chain (stable codes for reports and tests)."""

    MALFORMED = "malformed"
    FOREIGN = "foreign"
    DUPLICATED = "duplicated"
    FORK = "fork"
    DROPPED = "dropped"
    REORDERED = "reordered"
    BROKEN_LINK = "broken-link"
    SEQUENCE = "sequence"
    TIME = "time"
    STATUS = "status"
    CEASED = "ceased"
    CLOSED = "closed"
    COUNTER = "counter"
    TRUNCATED = "truncated"
    HEAD_MISMATCH = "head-mismatch"
    TORN = "torn"
    LINEAGE = "lineage"


class BrokenChainError(ChainError):
    """A broken chain; ``kind`` names what is wrong (the error's ``code`` is
    ``chain-<kind>``), ``index`` where."""

    def __init__(
        self,
        kind: BreakKind,
        message: str,
        *,
        index: int | None = None,
        offset: int | None = None,
        legal_basis: str | None = None,
    ) -> None:
        super().__init__(
            f"{message} [{kind.value}]",
            code=f"chain-{kind.value}",
            index=index,
            offset=offset,
            legal_basis=legal_basis,
        )
        self.kind = kind
        self.args = (kind, message)


@dataclass(frozen=True, slots=True)
class ResolvedSigner:
    """Who holds a key, as a :class:`KeyResolver` vouches for it at a time."""

    public_key: PublicKey
    organisation_id: str
    roles: frozenset[Role]
    kid: str
    timestamped_at: datetime | None = None
    """The time of the trusted timestamp the resolver judged the signature by, if any."""


class KeyResolver(Protocol):
    """Finds the trusted signer of a message at a time (``batterypass.verify`` adapts its
    ``TrustStore``); raises :class:`~batterypass.errors.TrustError` for an unknown key or one
    outside its validity window."""

    def resolve(
        self,
        kid: bytes | None,
        x5chain: Sequence[bytes],
        *,
        at: datetime,
        message: Sign1Message | None = None,
    ) -> ResolvedSigner:
        """The signer named by ``kid`` or ``x5chain``, trusted at ``at`` (the signed ``iat``).
        ``message`` is the parsed message (signature not yet checked): a resolver that
        checks timestamp tokens judges the signer at the token's time instead."""
        ...


@dataclass(frozen=True, slots=True)
class VerifiedEvent:
    """An event whose every check passed, with who signed it."""

    event: Event
    payload_sha256: str
    kid: str
    organisation_id: str
    roles: frozenset[Role]
    timestamped_at: datetime | None = None
    """The time of the event's trusted timestamp, if its signature was judged by one."""


@dataclass(frozen=True, slots=True)
class Head:
    """A signed statement by the log's holder: the log had ``count`` events, the last of them
    hashing to ``last_sha256``, at ``time``."""

    passport_id: str
    count: int
    last_sha256: str
    time: datetime


@dataclass(frozen=True, slots=True)
class VerifiedChain:
    """What a verified log says about the battery."""

    passport: BatteryPassport
    """The passport the log belongs to, as signed."""
    events: tuple[VerifiedEvent, ...]
    status: BatteryStatus
    ceased: bool
    """The battery was recycled: its passport has ceased to exist."""
    successor_passport_id: str | None
    """Set when a re-use, repurposing or remanufacturing event closed this passport."""
    last_sha256: str
    """Hash of the last event's payload (of the passport's, for an empty log)."""
    state_of_health: StateOfHealth | None
    """The latest state-of-health reading (measured_at is the event time)."""
    usage: Usage
    """Usage totals: the latest value of each usage data point, accidents included."""
    view: BatteryPassport
    """The group 4 view derived from the log: the passport with ``status`` and ``state``
    filled from the events and ``issued_at`` moved to the last event's time."""
    head: Head | None = None
    counters: Mapping[str, Any] = field(default_factory=dict)


def _content_type_check(
    protected: Mapping[Any, Any], want: str, what: str, index: int | None
) -> None:
    got = protected.get(3)
    if got != want:
        raise SignatureError(
            f"not a signed {what}: protected content type is {got!r}, expected {want!r}",
            index=index,
        )


def _open(
    message: bytes, want: str, what: str, index: int | None
) -> tuple[Sign1Message, SignedClaims]:
    """Parse a signed event or head once (strict profile) and read its signing time; nothing
    of the payload is read."""
    try:
        msg = parse_sign1(message)
    except Sign1Error as e:
        if index is None:
            raise DecodeError(f"not a COSE_Sign1 message: {e.message}") from e
        raise BrokenChainError(
            BreakKind.MALFORMED, f"not a COSE_Sign1 message: {e.message}", index=index
        ) from e
    _content_type_check(msg.protected, want, what, index)
    if msg.payload is None:
        raise SignatureError(f"detached payloads are not used for {what}s", index=index)
    try:
        claims = msg.signing_time()
    except Sign1Error as e:
        e.index = index
        raise
    return msg, claims


def _authenticate(
    msg: Sign1Message, resolver: KeyResolver, at: datetime, *, index: int | None
) -> tuple[ResolvedSigner, bytes]:
    """The trusted signer at ``at`` and the payload, once the signature over the exact bytes
    received holds."""
    try:
        signer = resolver.resolve(msg.kid, msg.x5chain, at=at, message=msg)
    except TrustError as e:
        if index is not None:
            e.index = index
        raise
    try:
        payload = msg.verify(signer.public_key)
    except SignatureError as e:
        raise SignatureError(
            f"signature does not verify: the event was altered or forged ({e.message})",
            index=index,
        ) from e
    return signer, payload


def _check_claims(
    claims: SignedClaims, time: datetime, passport_id: str, what: str, index: int | None
) -> None:
    """The signed payload must say what the signed header says (time to the second, id)."""
    if not claims.matches_time(time):
        assert claims.iat is not None
        raise SignatureError(
            f"the {what}'s time {time.isoformat()} differs from the signing time iat "
            f"{claims.iat.isoformat()} in the protected header [claims-mismatch]",
            code="claims-mismatch",
            index=index,
        )
    if claims.sub != passport_id:
        raise SignatureError(
            f"the {what}'s passport id {passport_id!r} differs from the subject "
            f"{claims.sub!r} in the protected header [claims-mismatch]",
            code="claims-mismatch",
            index=index,
        )


class _Walker:
    """Runs the steps over a log. Without a ``resolver`` it checks the structure only (steps
    1 and 5 to 8: no trust, signatures or roles); without a ``passport`` the first event's
    link to the passport and its ids are taken as they are (the rest must agree with them)."""

    def __init__(
        self,
        messages: Sequence[bytes],
        passport: BatteryPassport | None,
        passport_payload: bytes | None,
        resolver: KeyResolver | None,
        policy: EventPolicy,
        now: datetime,
        predecessor: VerifiedChain | None,
    ) -> None:
        self.messages = messages
        self.passport = passport
        self.resolver = resolver
        self.policy = policy
        self.now = now
        self.passport_sha = sha256_hex(passport_payload) if passport_payload is not None else ""
        self.expected_prev: str | None = self.passport_sha if passport_payload is not None else None
        self.ids: tuple[str, str] | None = (
            (passport.passport_id, passport.battery_id) if passport is not None else None
        )
        self.status = (passport.status if passport else None) or BatteryStatus.ORIGINAL
        self.ceased = False
        self.closed_by: int | None = None
        self.successor: str | None = None
        self.placed = False
        self.seen: dict[str, int] = {}  # payload hash -> index
        self.claimed: dict[str, int] = {}  # previous hash -> index of the claiming event
        self.last_time: datetime | None = None
        # Counters start where the signed passport (or the original's history) left them.
        self.counters: dict[str, Any] = {
            name: getattr(passport.state.usage, name)
            for name in COUNTERS
            if passport is not None and getattr(passport.state.usage, name) is not None
        }
        if predecessor is not None:
            for name, value in predecessor.counters.items():
                if name not in self.counters or value > self.counters[name]:
                    self.counters[name] = value
        self.usage: dict[str, Any] = {}
        self.accidents: list[NegativeEvent] = []
        self.soh: StateOfHealth | None = None
        self.verified: list[VerifiedEvent] = []

    # -- step 1

    def open(self, index: int) -> tuple[bytes, Event, ResolvedSigner | None]:
        """Steps 1 to 3: envelope, signing time, signer, signature; only then the payload.
        Without a resolver (:func:`check_chain_unverified`) the payload is read unverified."""
        msg, claims = _open(self.messages[index], EVENT_CONTENT_TYPE, "event", index)
        assert claims.iat is not None
        signer: ResolvedSigner | None = None
        if self.resolver is None:
            assert msg.payload is not None  # _open refuses detached payloads
            payload = msg.payload
        else:
            signer, payload = _authenticate(msg, self.resolver, claims.iat, index=index)
        try:
            event = decode_event(payload)
        except (DecodeError, ValidationError) as e:
            raise BrokenChainError(
                BreakKind.MALFORMED, f"payload is not a valid event: {e}", index=index
            ) from e
        _check_claims(claims, event.time, event.passport_id, "event", index)
        return payload, event, signer

    def peek_sequence(self, index: int) -> int | None:
        # Only to tell "reordered" from "dropped": an event that does not verify counts as
        # absent (its payload is never decoded).
        try:
            return self.open(index)[1].sequence
        except BatteryPassError:
            return None

    # -- step 5

    def link(self, index: int, payload: bytes, event: Event) -> str:
        digest = sha256_hex(payload)
        if self.ids is None:  # no passport given: the first event sets the ids
            self.ids = (event.passport_id, event.battery_id)
        if self.expected_prev is None:  # ... and the link to the passport
            self.expected_prev = event.previous_sha256
        if (event.passport_id, event.battery_id) != self.ids:
            raise BrokenChainError(
                BreakKind.FOREIGN,
                f"event of passport {event.passport_id} / battery {event.battery_id}, not of "
                f"{self.ids[0]} / {self.ids[1]}",
                index=index,
            )
        if digest in self.seen:
            raise BrokenChainError(
                BreakKind.DUPLICATED,
                f"duplicated event: the same as event {self.seen[digest]}",
                index=index,
            )
        if event.previous_sha256 in self.claimed:
            other = self.claimed[event.previous_sha256]
            raise BrokenChainError(
                BreakKind.FORK,
                f"fork: event {other} already claims the same predecessor "
                f"(sequence {event.sequence})",
                index=index,
            )
        expected_seq = index  # every event before this one passed
        if event.previous_sha256 != self.expected_prev:
            if event.sequence > expected_seq:
                later = {self.peek_sequence(j) for j in range(index + 1, len(self.messages))}
                if later & set(range(expected_seq, event.sequence)):
                    raise BrokenChainError(
                        BreakKind.REORDERED,
                        f"reordered: event with sequence {event.sequence} where "
                        f"{expected_seq} belongs; the log is out of order",
                        index=index,
                    )
                missing = (
                    f"sequence {expected_seq}"
                    if event.sequence == expected_seq + 1
                    else f"sequences {expected_seq}..{event.sequence - 1}"
                )
                raise BrokenChainError(
                    BreakKind.DROPPED,
                    f"dropped: {missing} missing before this event (sequence {event.sequence})",
                    index=index,
                )
            if event.sequence < expected_seq:
                raise BrokenChainError(
                    BreakKind.REORDERED,
                    f"reordered: event with sequence {event.sequence} after sequence "
                    f"{expected_seq - 1}",
                    index=index,
                )
            raise BrokenChainError(
                BreakKind.BROKEN_LINK,
                "broken link: the event does not link to the previous event's payload (that "
                "event was altered or replaced)",
                index=index,
            )
        if event.sequence != expected_seq:
            raise BrokenChainError(
                BreakKind.SEQUENCE,
                f"sequence number {event.sequence}, expected {expected_seq}",
                index=index,
            )
        return digest

    # -- step 6

    def time_order(self, index: int, event: Event) -> None:
        if self.last_time is not None and event.time < self.last_time:
            raise BrokenChainError(
                BreakKind.TIME,
                f"time {event.time.isoformat()} is before the previous event's "
                f"({self.last_time.isoformat()})",
                index=index,
            )
        _check_not_future(event.time, self.now, index=index)

    # -- step 7

    def state_machine(self, index: int, event: Event) -> None:
        t = event.type
        if self.ceased:
            raise BrokenChainError(
                BreakKind.CEASED,
                "the battery was recycled: its passport has ceased, no event is accepted",
                index=index,
                legal_basis="Art. 77(8)",
            )
        if self.closed_by is not None:
            raise BrokenChainError(
                BreakKind.CLOSED,
                f"event {self.closed_by} closed this passport in favour of {self.successor}; "
                "record events on the successor passport",
                index=index,
                legal_basis="Art. 77(7)",
            )
        successor = self.passport is not None and self.passport.predecessor_passport_id
        if t is EventType.MANUFACTURED and (index != 0 or successor):
            raise BrokenChainError(
                BreakKind.STATUS,
                "manufactured must be the first event of an original passport",
                index=index,
            )
        if t is EventType.PLACED_ON_MARKET:
            if self.placed:
                raise BrokenChainError(
                    BreakKind.STATUS, "placed on the market a second time", index=index
                )
            self.placed = True
        waste = self.status is BatteryStatus.WASTE
        if t in _STATUS_OF:
            new = _STATUS_OF[t]
            if waste:
                raise BrokenChainError(
                    BreakKind.STATUS,
                    f"a waste battery cannot become {new.value}",
                    index=index,
                    legal_basis="Annex XIII(4)(c)",
                )
            self.status = new
            payload = event.payload
            if isinstance(payload, _StatusChange) and payload.successor_passport_id:
                self.closed_by, self.successor = index, payload.successor_passport_id
        elif t is EventType.RECYCLED:
            if not waste:
                raise BrokenChainError(
                    BreakKind.STATUS,
                    f"recycled while {self.status.value}; it must be collected as waste first",
                    index=index,
                    legal_basis="Art. 77(8)",
                )
            self.ceased = True
        elif waste and t in _NOT_FOR_WASTE:
            raise BrokenChainError(
                BreakKind.STATUS,
                f"a waste battery cannot be {t.value.replace('_', ' ')}",
                index=index,
            )

    # -- step 8

    def counters_and_state(self, index: int, event: Event) -> None:
        payload = event.payload
        if isinstance(payload, UsagePayload):
            for name in COUNTERS:
                value = getattr(payload, name)
                if value is None:
                    continue
                before = self.counters.get(name)
                if before is not None and value < before:
                    raise BrokenChainError(
                        BreakKind.COUNTER,
                        f"{name} went down from {before} to {value}; counters never decrease",
                        index=index,
                        legal_basis="Annex VII Part B",
                    )
                self.counters[name] = value
            for name in type(payload).model_fields:
                value = getattr(payload, name)
                if value is not None:
                    self.usage[name] = value
            self.usage["recorded_at"] = event.time
        elif isinstance(payload, StateOfHealthPayload):
            values = {k: v for k, v in payload.model_dump().items() if v is not None}
            self.soh = StateOfHealth(measured_at=event.time, **values)
        elif isinstance(payload, AccidentPayload):
            self.accidents.append(
                NegativeEvent(
                    occurred_on=event.time.date(),
                    kind=payload.kind,
                    description=payload.description,
                )
            )

    def run(self) -> None:
        for index in range(len(self.messages)):
            payload, event, signer = self.open(index)
            if signer is not None:
                if signer.organisation_id != event.actor:
                    raise TrustError(
                        f"forged actor: the event names {event.actor!r} but is signed by "
                        f"{signer.organisation_id!r} (kid {signer.kid})",
                        index=index,
                    )
                self.policy.check(event.type, signer.roles, index=index)
            digest = self.link(index, payload, event)
            self.time_order(index, event)
            self.state_machine(index, event)
            self.counters_and_state(index, event)
            self.seen[digest] = index
            self.claimed[event.previous_sha256] = index
            self.expected_prev = digest
            self.last_time = event.time
            if signer is not None:
                self.verified.append(
                    VerifiedEvent(
                        event,
                        digest,
                        signer.kid,
                        signer.organisation_id,
                        signer.roles,
                        signer.timestamped_at,
                    )
                )

    def report(self, head: Head | None) -> VerifiedChain:
        assert self.passport is not None  # a report is made of a verified chain only
        usage = Usage(
            **self.usage, negative_events=tuple(self.accidents) if self.accidents else None
        )
        issued = self.passport.issued_at
        if self.last_time is not None and self.last_time > issued:
            issued = self.last_time
        plain = self.passport.model_dump()
        plain.update(
            status=self.status,
            issued_at=issued,
            state={
                "state_of_health": (self.soh or StateOfHealth()).model_dump(),
                "usage": usage.model_dump(),
            },
        )
        return VerifiedChain(
            passport=self.passport,
            events=tuple(self.verified),
            status=self.status,
            ceased=self.ceased,
            successor_passport_id=self.successor,
            last_sha256=self.expected_prev or self.passport_sha,
            state_of_health=self.soh,
            usage=usage,
            view=parse_passport(plain),
            head=head,
            counters=dict(self.counters),
        )


def _check_lineage(passport: BatteryPassport, predecessor: VerifiedChain) -> None:
    original = predecessor.passport
    if passport.predecessor_passport_id != original.passport_id:
        raise BrokenChainError(
            BreakKind.LINEAGE,
            f"the passport's predecessor is {passport.predecessor_passport_id!r}, not "
            f"{original.passport_id!r}",
            legal_basis="Art. 77(7)",
        )
    if predecessor.successor_passport_id not in (None, passport.passport_id):
        raise BrokenChainError(
            BreakKind.LINEAGE,
            f"the original's history hands over to {predecessor.successor_passport_id!r}, "
            f"not to {passport.passport_id!r}",
            legal_basis="Art. 77(7)",
        )
    last = predecessor.events[-1].event if predecessor.events else None
    if last is None or last.type not in (
        EventType.REUSED,
        EventType.REPURPOSED,
        EventType.REMANUFACTURED,
    ):
        raise BrokenChainError(
            BreakKind.LINEAGE,
            "the original's history does not end in a re-use, repurposing or remanufacturing",
            legal_basis="Art. 77(7)",
        )
    # The successor must be issued by the operator the hand-over names (or, naming none, by
    # the operator who did the repurposing/remanufacturing): another trusted repurposer must
    # not be able to issue a rival successor for someone else's battery.
    handed_to = getattr(last.payload, "new_operator", None) or last.actor
    if passport.issuer != handed_to:
        raise BrokenChainError(
            BreakKind.LINEAGE,
            f"the passport is issued by {passport.issuer!r}, but the original's history hands "
            f"the battery over to {handed_to!r}",
            legal_basis="Art. 77(7)",
        )
    if passport.predecessor_last_event_sha256 != predecessor.last_sha256:
        raise BrokenChainError(
            BreakKind.LINEAGE,
            "the passport links to another last event of the original than its history's "
            "(the original's log was extended or rewritten after the hand-over)",
            legal_basis="Art. 77(7)",
        )


def verify_chain(
    messages: Sequence[bytes],
    *,
    resolver: KeyResolver,
    passport: BatteryPassport,
    passport_payload: bytes,
    policy: EventPolicy = DEFAULT_EVENT_POLICY,
    now: datetime | None = None,
    head: bytes | None = None,
    predecessor: VerifiedChain | None = None,
) -> VerifiedChain:
    """Verify the signed events ``messages`` (in log order) of ``passport``, whose signed
    payload bytes are ``passport_payload`` (the caller has verified the passport itself).

    ``predecessor`` is the verified report of the original passport's log, for a successor
    passport: the link is checked and the counters carry on. See the module documentation for
    the ordered steps and their errors.
    """
    clock = now or datetime.now(UTC)
    if clock.tzinfo is None:
        raise TrustError("the verifier's clock 'now' must be timezone-aware")
    if predecessor is not None:
        _check_lineage(passport, predecessor)
    walker = _Walker(messages, passport, passport_payload, resolver, policy, clock, predecessor)
    walker.run()
    checked = _check_head(head, walker, resolver) if head is not None else None
    return walker.report(checked)


def check_chain_unverified(
    messages: Sequence[bytes],
    *,
    passport_payload: bytes | None = None,
    now: datetime | None = None,
) -> None:
    """Check what can be checked of a log without a trust store, **signatures unchecked**:
    steps 1 and 5 to 8 of :func:`verify_chain` (each event decodes, links to the one before,
    carries the next sequence number, is not before the previous event nor in the future of
    ``now``, follows the state machine and keeps the counters from decreasing). With the
    signed passport's payload, the first event's link and the ids are checked too.

    For writers: an event must not be appended to (nor a head signed over) a log that is
    already broken. Raises what :func:`verify_chain` raises for these steps. Only
    :func:`verify_chain` with a trust store says a log is authentic.
    """
    clock = now or datetime.now(UTC)
    if clock.tzinfo is None:
        raise TrustError("the verifier's clock 'now' must be timezone-aware")
    passport = None
    if passport_payload is not None:
        passport = cbor_loads(passport_payload)
    walker = _Walker(messages, passport, passport_payload, None, DEFAULT_EVENT_POLICY, clock, None)
    walker.run()


# --- the signed head ------------------------------------------------------------------------


def _head_payload(head: Head) -> bytes:
    return encode_value(
        {
            0: head.passport_id,
            1: head.count,
            2: head.last_sha256,
            3: _HEAD_TIME.encode(head.time),
        }
    )


def sign_head(head: Head, key: Signer, *, now: datetime | None = None) -> bytes:
    """Sign ``head`` (COSE_Sign1, :data:`HEAD_CONTENT_TYPE`, CWT claims ``iat`` = its time and
    ``sub`` = its passport id).

    Given the writer's clock ``now``, a head time that :func:`verify_chain` would refuse as in
    the future of it is refused (:class:`BrokenChainError` ``time``), by the verifier's rule
    (:data:`CLOCK_SKEW`). Without ``now`` the time is not held against a clock."""
    if now is not None:
        if now.tzinfo is None:
            raise ValueError("the writer's clock 'now' must be timezone-aware")
        _check_not_future(
            head.time, now, index=None, clock="the writer's clock", what="the head's time"
        )
    return sign1(
        _head_payload(head),
        key,
        kid=key.kid.encode("utf-8"),
        content_type=HEAD_CONTENT_TYPE,
        protected_extra=cwt_claims_header(iat=head.time, sub=head.passport_id),
    )


def decode_head(message: bytes) -> Head:
    """The head in a signed head message, **unverified**. Raises
    :class:`~batterypass.errors.DecodeError` or :class:`~batterypass.errors.SignatureError`."""
    msg = decode_sign1_unverified(message)
    _content_type_check(msg.protected, HEAD_CONTENT_TYPE, "head", None)
    if msg.payload is None:
        raise SignatureError("detached payloads are not used for heads")
    return _decode_head_payload(msg.payload)


def _decode_head_payload(payload: bytes) -> Head:
    value = decode_value(payload)
    if type(value) is not dict or set(value) != {0, 1, 2, 3}:
        raise DecodeError("a head is a map {0: passport_id, 1: count, 2: last_sha256, 3: time}")
    pid, count, last, time = value[0], value[1], value[2], value[3]
    if type(pid) is not str or type(count) is not int or count < 0 or type(last) is not str:
        raise DecodeError("a head holds a text passport id, a count and a text hash")
    if len(last) != 64 or set(last) - set("0123456789abcdef"):
        raise DecodeError("a head's hash is 64 lowercase hex digits")
    head = Head(pid, count, last, _HEAD_TIME.decode(time, (None, 3, "time")))
    if _head_payload(head) != payload:
        raise DecodeError("head payload is not in its one canonical encoding")
    return head


def _check_head(message: bytes, walker: _Walker, resolver: KeyResolver) -> Head:
    assert walker.passport is not None
    msg, claims = _open(message, HEAD_CONTENT_TYPE, "head", None)
    assert claims.iat is not None
    _check_not_future(claims.iat, walker.now, index=None, what="the head's time")
    signer, payload = _authenticate(msg, resolver, claims.iat, index=None)
    head = _decode_head_payload(payload)
    _check_claims(claims, head.time, head.passport_id, "head", None)
    allowed = {walker.passport.issuer} | {v.event.actor for v in walker.verified}
    if signer.organisation_id not in allowed:
        raise TrustError(
            f"head signed by {signer.organisation_id!r}, which is neither the passport's "
            "issuer nor an actor of its log"
        )
    if head.passport_id != walker.passport.passport_id:
        raise BrokenChainError(
            BreakKind.HEAD_MISMATCH, f"the head is for passport {head.passport_id!r}"
        )
    n = len(walker.verified)
    if head.count > n:
        raise BrokenChainError(
            BreakKind.TRUNCATED,
            f"truncated: the log holds {n} events, but its head signed at "
            f"{head.time.isoformat()} counts {head.count}",
            index=n,
        )
    at = walker.verified[head.count - 1].payload_sha256 if head.count else walker.passport_sha
    if at != head.last_sha256:
        raise BrokenChainError(
            BreakKind.HEAD_MISMATCH,
            f"event {head.count - 1} does not hash to the head's last hash: the log was "
            "rewritten after the head was signed",
            index=head.count - 1,
        )
    return head
