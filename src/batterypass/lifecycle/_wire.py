"""The event wire format: an :class:`~batterypass.lifecycle.Event` <-> deterministic CBOR,
through the event key table ``specs/event-keys.csv`` (shipped as package data).

The ideas are the passport format's (``specs/cbor-format.md``): one key table in the same
grammar (parsed and checked by :func:`batterypass.codec.parse_key_table`), bound
to the models at import so that a field without a key or a stale row fails loudly; integer
keys; decimals as normalised ``4([exponent, mantissa])``; datetimes as ``1(seconds)`` or
``[1(seconds), utc_offset, ?microsecond]``; enum values as small integer codes; a value that is
not provided is left out, null never appears; exactly one encoding per event.

- an event is a map ``{0: format_version, 1: type, 2: battery_id, ..., 8: payload}``;
- ``payload`` is a map in the namespace of the event type's payload record
  (``StateOfHealthPayload.remaining_capacity_ah`` ...).

A signed event is a COSE_Sign1 whose protected content type is :data:`EVENT_CONTENT_TYPE`
(distinct from the passport's, so that neither passes as the other) over these bytes. The
chain links over the SHA-256 of the payload bytes, never over the whole COSE message: anyone
can turn an ECDSA signature into another valid one (malleability).
"""

from __future__ import annotations

import functools
import hashlib
import typing
from dataclasses import dataclass, field
from importlib import resources
from typing import Any, Final

import pydantic
from pydantic import BaseModel

from batterypass.codec import (
    ArrayCodec,
    Binder,
    KeyPathAt,
    KeyTable,
    KeyTableCodec,
    KeyTableMismatch,
    error_at,
    expected_value,
    parse_key_table,
    scalar_codec,
    strip_annotation,
)
from batterypass.codec.cbor import DecodeLimits, decode_value, encode_value
from batterypass.cose import cwt_claims_header, sign1
from batterypass.errors import DecodeError, EncodeError, Issue, ValidationError
from batterypass.keys import Signer
from batterypass.lifecycle._events import (
    PAYLOAD_TYPES,
    Event,
    EventPayload,
    EventType,
    payload_type,
)
from batterypass.model import Record, issue_from_pydantic

__all__ = [
    "EVENT_CONTENT_TYPE",
    "EVENT_FORMAT_VERSION",
    "EVENT_LIMITS",
    "EVENT_WIRE_TAGS",
    "bind",
    "decode_event",
    "encode_event",
    "event_key_table",
    "load_event_key_table",
    "parse_event",
    "parse_payload",
    "sha256_hex",
    "sign_event",
]

EVENT_CONTENT_TYPE: Final = "application/vnd.batterypass.event+cbor"
"""The protected content type (COSE header 3) of a signed lifecycle event."""

EVENT_FORMAT_VERSION: Final = 1
"""Version of the event wire format (the event key table)."""

EVENT_LIMITS: Final = DecodeLimits(
    max_bytes=64 * 1024, max_depth=8, max_items=4096, max_string_bytes=16 * 1024
)
"""Bounds for one event (an event is small; the log bounds how many there are)."""

EVENT_WIRE_TAGS: Final = frozenset({1, 2, 3, 4})
"""Every tag an event payload may contain: epoch seconds, decimal fractions and their
bignum mantissas (ADR 0004)."""


def sha256_hex(data: bytes) -> str:
    """SHA-256 of ``data`` as 64 lowercase hex digits (what events link with)."""
    return hashlib.sha256(data).hexdigest()


def load_event_key_table() -> str:
    """The event key table shipped with the package (``batterypass/data/event-keys.csv``)."""
    ref = resources.files("batterypass").joinpath("data", "event-keys.csv")
    return ref.read_text(encoding="utf-8")


@functools.cache
def event_key_table() -> KeyTable:
    """The shipped event key table, parsed."""
    return parse_key_table(load_event_key_table())


# --- binding ---------------------------------------------------------------------------------


@dataclass(slots=True)
class _Field:
    name: str
    key: int
    codec: KeyTableCodec


@dataclass(slots=True)
class _Map:
    """How one model class maps to a CBOR map."""

    model: type[BaseModel]
    fields: list[_Field] = field(default_factory=list)
    by_key: dict[int, _Field] = field(default_factory=dict)

    def encode(self, obj: Any, ctx: Any = None) -> dict[int, Any]:
        out: dict[int, Any] = {}
        for f in self.fields:
            value = getattr(obj, f.name)
            if value is None:
                continue
            try:
                out[f.key] = f.codec.encode(value)
            except EncodeError as e:
                e.path = (f.name, *(e.path or ()))
                raise
        return out

    def decode(self, value: Any, at: KeyPathAt, ctx: Any = None) -> dict[str, Any]:
        if type(value) is not dict:
            raise expected_value(f"a map ({self.model.__name__})", value, at)
        out: dict[str, Any] = {}
        for key, item in value.items():
            f = self.by_key.get(key) if type(key) is int else None
            if f is None:
                known = ", ".join(f"{g.key}={g.name}" for g in self.fields)
                raise error_at(at, f"unknown key {key!r} in {self.model.__name__} (known: {known})")
            out[f.name] = f.codec.decode(item, (at, key, f.name))
        return out


class _Record(KeyTableCodec):
    """A payload record: a map in the record type's namespace."""

    def __init__(self, m: _Map) -> None:
        self.map = m
        self.wire = f"record:{m.model.__name__}"

    def encode(self, value: Any, ctx: Any = None) -> Any:
        return self.map.encode(value)

    def decode(self, value: Any, at: KeyPathAt, ctx: Any = None) -> Any:
        return self.map.decode(value, at)


@dataclass(slots=True)
class _Binding:
    root: _Map
    version_key: int
    payload_key: int
    payloads: dict[EventType, _Map]


def bind(table: KeyTable, version: int = EVENT_FORMAT_VERSION) -> _Binding:
    """Check ``table`` against the event models and build the converters, with the key-table
    binder and value codecs the passport format uses (:class:`batterypass.codec.Binder`).

    Raises :class:`~batterypass.codec.KeyTableMismatch` listing every problem
    (a field without a key, a stale row, a type that differs from the model's, a missing
    enum code).
    """
    binder = Binder(table, version)
    maps: dict[str, _Map] = {}

    def build_map(namespace: str, model: type[BaseModel], skip: frozenset[str]) -> _Map:
        if namespace in maps:
            return maps[namespace]
        m = _Map(model)
        maps[namespace] = m
        for name, info, row, path in binder.fields(namespace, model, skip):
            try:
                codec = build_codec(row.base_type, info.annotation, path)
            except KeyTableMismatch as e:
                binder.problems.append(str(e))
                continue
            f = _Field(name, row.key, codec)
            m.fields.append(f)
            m.by_key[row.key] = f
        m.fields.sort(key=lambda f: f.key)
        return m

    def build_codec(wire: str, annotation: Any, path: str) -> KeyTableCodec:
        # Events write every decimal as a decimal fraction (format version 1), never as a
        # plain integer; otherwise the values are the passport format's.
        scalar = scalar_codec(wire, integral_as_int=False)
        if scalar is not None and wire not in ("date", "int") and not wire.startswith("const:"):
            return scalar
        annotation = strip_annotation(annotation)
        kind, _, rest = wire.partition(":")
        if kind == "array":
            return ArrayCodec(build_codec(rest, typing.get_args(annotation)[0], f"{path}[]"))
        if kind == "enum":
            return binder.enum(rest, annotation)
        if kind == "record" and isinstance(annotation, type) and issubclass(annotation, Record):
            return _Record(build_map(rest, annotation, frozenset()))
        raise KeyTableMismatch(f"{path}: type {wire!r} is not used in events")

    root = build_map("", Event, frozenset({"payload", "format_version"}))
    rows = table.live("", version)
    version_row, payload_row = rows.get("format_version"), rows.get("payload")
    if version_row is None or version_row.type != "uint":
        binder.problems.append("format_version: needs a uint row in the root namespace")
    if payload_row is None or payload_row.type != "record:EventPayload":
        binder.problems.append("payload: needs a record:EventPayload row in the root namespace")
    payloads = {t: build_map(m.__name__, m, frozenset()) for t, m in PAYLOAD_TYPES.items()}
    binder.check_namespaces(maps.keys())
    binder.finish()
    assert version_row is not None
    assert payload_row is not None
    return _Binding(root, version_row.key, payload_row.key, payloads)


@functools.cache
def _binding() -> _Binding:
    return bind(event_key_table())


# --- events ---------------------------------------------------------------------------------


def to_wire(event: Event) -> dict[int, Any]:
    """The event as plain values for :func:`~batterypass.codec.cbor.encode_value`."""
    if not isinstance(event, Event):
        raise EncodeError(f"expected an Event, got {type(event).__name__}")
    b = _binding()
    out = b.root.encode(event)
    out[b.version_key] = EVENT_FORMAT_VERSION
    try:
        out[b.payload_key] = b.payloads[event.type].encode(event.payload)
    except EncodeError as e:
        e.path = ("payload", *(e.path or ()))
        raise
    return out


def encode_event(event: Event) -> bytes:
    """The event's one deterministic CBOR encoding: the bytes that are signed and hashed."""
    return encode_value(to_wire(event), limits=EVENT_LIMITS)


def from_wire(value: Any) -> Event:
    """The event from plain values as :func:`~batterypass.codec.cbor.decode_value` gives
    them. Raises :class:`~batterypass.errors.DecodeError` (naming the field path) for anything
    that is not the event wire format, :class:`~batterypass.errors.ValidationError` for an
    event that breaks a rule of the model."""
    b = _binding()
    if type(value) is not dict:
        raise expected_value("an event map", value, None)
    version = value.get(b.version_key)
    if type(version) is not int or version != EVENT_FORMAT_VERSION:
        raise error_at(
            (None, b.version_key, "format_version"),
            f"unsupported event format version {version!r}; this decoder reads version "
            f"{EVENT_FORMAT_VERSION}",
        )
    if b.payload_key not in value:
        raise error_at(None, f"the event has no payload (key {b.payload_key})")
    body = {k: v for k, v in value.items() if k not in (b.version_key, b.payload_key)}
    plain: dict[str, Any] = b.root.decode(body, None)
    event_type = plain.get("type")
    if not isinstance(event_type, EventType):
        raise error_at(None, "the event has no type")
    at_payload: KeyPathAt = (None, b.payload_key, "payload")
    plain["payload"] = b.payloads[event_type].decode(value[b.payload_key], at_payload)
    return parse_event(plain)


def decode_event(data: bytes, *, limits: DecodeLimits = EVENT_LIMITS) -> Event:
    """Decode and validate an event from its (signed) payload bytes.

    Only the one deterministic encoding is accepted: re-encoding the result gives ``data``
    back. Raises :class:`~batterypass.errors.DecodeError` or
    :class:`~batterypass.errors.ValidationError`.
    """
    try:
        value = decode_value(data, limits=limits, allowed_tags=EVENT_WIRE_TAGS)
    except DecodeError as e:
        raise DecodeError(
            f"event payload is not deterministic CBOR: {e.message}", offset=e.offset
        ) from e
    event = from_wire(value)
    if encode_event(event) != data:  # e.g. a whole-second datetime the model normalised
        raise DecodeError("event payload is not in its one canonical encoding")
    return event


def parse_event(data: Any, *, source: str | None = None) -> Event:
    """Validate plain data (as from JSON or CBOR) into an :class:`Event`; raises
    :class:`~batterypass.errors.ValidationError` listing every problem with its field path."""
    try:
        return Event.model_validate(data)
    except pydantic.ValidationError as e:
        raise _validation_error(e, source) from e


def parse_payload(event_type: EventType | str, data: Any) -> EventPayload:
    """Validate plain data (e.g. from JSON) into the payload model of ``event_type``."""
    try:
        model = payload_type(event_type)
    except ValueError:
        known = ", ".join(t.value for t in EventType)
        raise ValidationError(f"unknown event type {event_type!r} (known: {known})") from None
    try:
        return model.model_validate(data)
    except pydantic.ValidationError as e:
        raise _validation_error(e, None) from e


def _validation_error(e: pydantic.ValidationError, source: str | None) -> ValidationError:
    issues = []
    for err in e.errors(include_url=False):
        issue = issue_from_pydantic(err)
        issues.append(Issue(issue.path, issue.message.replace("passport model", "event model")))
    return ValidationError.from_issues(issues, source=source)


def sign_event(event: Event, key: Signer, *, kid: str | None = None) -> bytes:
    """Sign ``event``: a COSE_Sign1 (tag 18) with :data:`EVENT_CONTENT_TYPE` and the CWT
    claims ``iat`` (the event time, whole seconds) and ``sub`` (the passport id) protected."""
    payload = encode_event(event)
    key_id = key.kid if kid is None else kid
    return sign1(
        payload,
        key,
        kid=key_id.encode("utf-8"),
        content_type=EVENT_CONTENT_TYPE,
        protected_extra=cwt_claims_header(iat=event.time, sub=event.passport_id),
    )
