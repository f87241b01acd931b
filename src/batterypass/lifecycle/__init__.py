"""The life of a battery as a chain of signed events (Regulation (EU) 2023/1542, Art. 77,
Annex XIII point 4).

Each step (manufactured, state of health, repurposed, recycled, ...) is an :class:`Event`
signed by the operator who did it (a COSE_Sign1 with its own content type), linked to the
previous one by the SHA-256 of its signed payload bytes, the first to the signed passport's.
:func:`verify_chain` walks a log in ordered steps and names what is wrong: a dropped,
reordered, duplicated, altered or forged event, a fork, a key not trusted for that role or
time, a forbidden status change, a counter that went down, a log shorter than its signed
head. The list of event types is ``specs/events.md``.

This layer knows nothing of trust files: it asks a :class:`KeyResolver`. The trust-store
facing entry point is :func:`batterypass.verify.verify_events`.
"""

from __future__ import annotations

from batterypass.lifecycle._build import last_event_unverified, next_event, successor_passport
from batterypass.lifecycle._chain import (
    CLOCK_SKEW,
    HEAD_CONTENT_TYPE,
    BreakKind,
    BrokenChainError,
    Head,
    KeyResolver,
    ResolvedSigner,
    VerifiedChain,
    VerifiedEvent,
    check_chain_unverified,
    decode_head,
    sign_head,
    verify_chain,
)
from batterypass.lifecycle._events import (
    COUNTERS,
    PAYLOAD_TYPES,
    AccidentPayload,
    CollectedAsWastePayload,
    Event,
    EventPayload,
    EventType,
    InspectedPayload,
    ManufacturedPayload,
    OwnershipTransferredPayload,
    PerformanceValues,
    PlacedOnMarketPayload,
    PutIntoServicePayload,
    RecycledPayload,
    RemanufacturedPayload,
    RepairedPayload,
    RepurposedPayload,
    ReusedPayload,
    StateOfHealthPayload,
    UsagePayload,
    payload_type,
)
from batterypass.lifecycle._log import (
    DEFAULT_LOG_LIMITS,
    EventLog,
    LogLimits,
    TornTail,
    append_to_log,
    parse_log,
    read_log,
    repair_log,
)
from batterypass.lifecycle._policy import DEFAULT_EVENT_POLICY, EventPolicy
from batterypass.lifecycle._wire import (
    EVENT_CONTENT_TYPE,
    EVENT_FORMAT_VERSION,
    EVENT_LIMITS,
    decode_event,
    encode_event,
    parse_event,
    parse_payload,
    sha256_hex,
    sign_event,
)

__all__ = [
    "CLOCK_SKEW",
    "COUNTERS",
    "DEFAULT_EVENT_POLICY",
    "DEFAULT_LOG_LIMITS",
    "EVENT_CONTENT_TYPE",
    "EVENT_FORMAT_VERSION",
    "EVENT_LIMITS",
    "HEAD_CONTENT_TYPE",
    "PAYLOAD_TYPES",
    "AccidentPayload",
    "BreakKind",
    "BrokenChainError",
    "CollectedAsWastePayload",
    "Event",
    "EventLog",
    "EventPayload",
    "EventPolicy",
    "EventType",
    "Head",
    "InspectedPayload",
    "KeyResolver",
    "LogLimits",
    "ManufacturedPayload",
    "OwnershipTransferredPayload",
    "PerformanceValues",
    "PlacedOnMarketPayload",
    "PutIntoServicePayload",
    "RecycledPayload",
    "RemanufacturedPayload",
    "RepairedPayload",
    "RepurposedPayload",
    "ResolvedSigner",
    "ReusedPayload",
    "StateOfHealthPayload",
    "TornTail",
    "UsagePayload",
    "VerifiedChain",
    "VerifiedEvent",
    "append_to_log",
    "check_chain_unverified",
    "decode_event",
    "decode_head",
    "encode_event",
    "last_event_unverified",
    "next_event",
    "parse_event",
    "parse_log",
    "parse_payload",
    "payload_type",
    "read_log",
    "repair_log",
    "sha256_hex",
    "sign_event",
    "sign_head",
    "successor_passport",
    "verify_chain",
]
