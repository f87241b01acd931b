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

import enum
import functools
import hashlib
import typing
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal
from importlib import resources
from typing import Any, Final

import pydantic
from pydantic import BaseModel

from batterypass.codec import (
    KeyTable,
    KeyTableMismatch,
    field_wire_type,
    parse_key_table,
)
from batterypass.codec.cbor import DecodeLimits, Tag, decode_value, encode_value
from batterypass.cose import cwt_claims_header, sign1
from batterypass.errors import DecodeError, EncodeError, Issue, PathItem, ValidationError
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

EVENT_WIRE_TAGS: Final = frozenset({1, 4})
"""Every tag an event payload may contain: epoch seconds and decimal fractions."""

_TAG_EPOCH: Final = 1
_TAG_DECIMAL: Final = 4
_MAX_DIGITS: Final = 34
_MIN_EXPONENT: Final = -73
_MAX_EXPONENT: Final = 40
_EPOCH: Final = datetime(1970, 1, 1, tzinfo=UTC)
_ONE_SECOND: Final = timedelta(seconds=1)
_MAX_OFFSET: Final = 86_399


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


# --- value codecs ---------------------------------------------------------------------------


def _fail(path: tuple[PathItem, ...], message: str) -> DecodeError:
    return DecodeError(message, path=path)


def _kind(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, Tag):
        return f"tag {value.tag}"
    return {
        bool: "a boolean",
        int: "an integer",
        str: "a text string",
        bytes: "a byte string",
        list: "an array",
        dict: "a map",
    }.get(type(value), type(value).__name__)


Encoder = Callable[[Any], Any]
Decoder = Callable[[Any, tuple[PathItem, ...]], Any]


def _text_dec(value: Any, path: tuple[PathItem, ...]) -> Any:
    if type(value) is not str:
        raise _fail(path, f"expected a text string, got {_kind(value)}")
    return value


def _uint_dec(value: Any, path: tuple[PathItem, ...]) -> Any:
    if type(value) is not int or value < 0:
        raise _fail(path, f"expected an unsigned integer, got {_kind(value)}")
    return value


def _bool_dec(value: Any, path: tuple[PathItem, ...]) -> Any:
    if type(value) is not bool:
        raise _fail(path, f"expected true or false, got {_kind(value)}")
    return value


def _decimal_enc(value: Decimal) -> Tag:
    sign, digits, exponent = value.as_tuple()
    assert isinstance(exponent, int)
    n = len(digits)
    while n > 1 and digits[n - 1] == 0:
        n -= 1
        exponent += 1
    mantissa = int("".join(map(str, digits[:n])))
    if mantissa == 0:
        return Tag(_TAG_DECIMAL, [0, 0])
    if not _MIN_EXPONENT <= exponent <= _MAX_EXPONENT or n > _MAX_DIGITS or mantissa >= 2**64:
        raise EncodeError(f"{value} is outside the decimals an event carries")
    return Tag(_TAG_DECIMAL, [exponent, -mantissa if sign else mantissa])


def _decimal_dec(value: Any, path: tuple[PathItem, ...]) -> Any:
    if not isinstance(value, Tag) or value.tag != _TAG_DECIMAL:
        raise _fail(
            path, f"expected a decimal fraction 4([exponent, mantissa]), got {_kind(value)}"
        )
    pair = value.value
    if type(pair) is not list or len(pair) != 2 or not all(type(x) is int for x in pair):
        raise _fail(path, "a decimal fraction holds [exponent: int, mantissa: int]")
    exponent, mantissa = pair
    if mantissa == 0:
        if exponent != 0:
            raise _fail(path, "zero must be written 4([0, 0])")
        return Decimal(0)
    if mantissa % 10 == 0:
        raise _fail(path, "decimal fraction is not normalised (mantissa has trailing zeros)")
    if not _MIN_EXPONENT <= exponent <= _MAX_EXPONENT:
        raise _fail(path, f"decimal exponent {exponent} is outside -73..40")
    return Decimal(f"{mantissa}E{exponent}")


def _datetime_enc(value: datetime) -> Any:
    offset = value.utcoffset()
    if offset is None or offset.microseconds:
        raise EncodeError("an event time needs a whole-second UTC offset")
    seconds = Tag(_TAG_EPOCH, (value - _EPOCH) // _ONE_SECOND)
    offset_s = offset.days * 86_400 + offset.seconds
    if offset_s == 0 and value.microsecond == 0:
        return seconds
    if value.microsecond:
        return [seconds, offset_s, value.microsecond]
    return [seconds, offset_s]


def _datetime_dec(value: Any, path: tuple[PathItem, ...]) -> Any:
    offset, micro, tag = 0, 0, value
    if type(value) is list:
        if len(value) not in (2, 3):
            raise _fail(path, "a datetime array is [1(seconds), utc_offset, ?microsecond]")
        tag, offset = value[0], value[1]
        micro = value[2] if len(value) == 3 else 0
        if type(offset) is not int or not -_MAX_OFFSET <= offset <= _MAX_OFFSET:
            raise _fail(path, "datetime UTC offset must be whole seconds within ±24 h")
        if type(micro) is not int or not 0 <= micro <= 999_999:
            raise _fail(path, "datetime microsecond must be 0..999999")
        if len(value) == 3 and micro == 0:
            raise _fail(path, "datetime microsecond 0 must be left out (non-canonical)")
        if offset == 0 and micro == 0:
            raise _fail(path, "a whole-second UTC datetime must be written as tag 1 alone")
    if not isinstance(tag, Tag) or tag.tag != _TAG_EPOCH or type(tag.value) is not int:
        raise _fail(path, f"expected a datetime (tag 1 seconds), got {_kind(tag)}")
    try:
        local = datetime(1970, 1, 1) + timedelta(seconds=tag.value + offset, microseconds=micro)
    except OverflowError:
        raise _fail(path, "datetime is outside years 1..9999") from None
    zone = UTC if offset == 0 else timezone(timedelta(seconds=offset))
    return local.replace(tzinfo=zone)


@dataclass(slots=True)
class _Field:
    name: str
    key: int
    encode: Encoder
    decode: Decoder


@dataclass(slots=True)
class _Map:
    """How one model class maps to a CBOR map."""

    model: type[BaseModel]
    fields: list[_Field] = field(default_factory=list)
    by_key: dict[int, _Field] = field(default_factory=dict)

    def encode(self, obj: Any) -> dict[int, Any]:
        out: dict[int, Any] = {}
        for f in self.fields:
            value = getattr(obj, f.name)
            if value is None:
                continue
            try:
                out[f.key] = f.encode(value)
            except EncodeError as e:
                e.path = (f.name, *(e.path or ()))
                raise
        return out

    def decode(self, value: Any, path: tuple[PathItem, ...]) -> dict[str, Any]:
        if type(value) is not dict:
            raise _fail(path, f"expected a map ({self.model.__name__}), got {_kind(value)}")
        out: dict[str, Any] = {}
        for key, item in value.items():
            f = self.by_key.get(key) if type(key) is int else None
            if f is None:
                known = ", ".join(f"{g.key}={g.name}" for g in self.fields)
                raise _fail(path, f"unknown key {key!r} in {self.model.__name__} (known: {known})")
            out[f.name] = f.decode(item, (*path, f.name))
        return out


@dataclass(slots=True)
class _Binding:
    root: _Map
    version_key: int
    payload_key: int
    payloads: dict[EventType, _Map]


def bind(table: KeyTable, version: int = EVENT_FORMAT_VERSION) -> _Binding:
    """Check ``table`` against the event models and build the converters.

    Raises :class:`~batterypass.codec.KeyTableMismatch` listing every problem
    (a field without a key, a stale row, a type that differs from the model's, a missing
    enum code).
    """
    problems: list[str] = []
    maps: dict[str, _Map] = {}

    def build_map(namespace: str, model: type[BaseModel], skip: frozenset[str]) -> _Map:
        if namespace in maps:
            return maps[namespace]
        m = _Map(model)
        maps[namespace] = m
        live = table.live(namespace, version)
        prefix = f"{namespace}." if namespace else ""
        for name, info in model.model_fields.items():
            if name in skip:
                continue
            row = live.pop(name, None)
            if row is None:
                problems.append(f"{prefix}{name}: model field without a key in the key table")
                continue
            want = field_wire_type(model, name)
            if row.type != want:
                problems.append(f"{prefix}{name}: key table type {row.type!r}, model says {want!r}")
                continue
            try:
                enc, dec = codec(row.base_type, info.annotation, prefix + name)
            except KeyTableMismatch as e:
                problems.append(str(e))
                continue
            f = _Field(name, row.key, enc, dec)
            m.fields.append(f)
            m.by_key[row.key] = f
        problems.extend(
            f"{prefix}{name}: key table row for a field the model lacks"
            for name in live
            if name not in skip
        )
        m.fields.sort(key=lambda f: f.key)
        return m

    def codec(wire: str, annotation: Any, path: str) -> tuple[Encoder, Decoder]:
        annotation = _strip(annotation)
        kind, _, rest = wire.partition(":")
        if wire == "tstr":
            return str, _text_dec
        if wire == "uint":
            return int, _uint_dec
        if wire == "bool":
            return bool, _bool_dec
        if wire == "decimal":
            return _decimal_enc, _decimal_dec
        if wire == "datetime":
            return _datetime_enc, _datetime_dec
        if kind == "array":
            enc, dec = codec(rest, typing.get_args(annotation)[0], f"{path}[]")
            return (
                lambda v: [enc(x) for x in v],
                lambda v, p: _array_dec(v, p, dec),
            )
        if kind == "enum":
            return enum_codec(rest, annotation)
        if kind == "record" and isinstance(annotation, type) and issubclass(annotation, Record):
            m = build_map(rest, annotation, frozenset())
            return m.encode, m.decode
        raise KeyTableMismatch(f"{path}: type {wire!r} is not used in events")

    def enum_codec(name: str, enum_type: type[enum.Enum]) -> tuple[Encoder, Decoder]:
        namespace = f"enum:{name}"
        live = table.live(namespace, version)
        codes: dict[Any, int] = {}
        for member in enum_type:
            row = live.get(str(member.value))
            if row is None:
                problems.append(f"{namespace}:{member.value}: enum value without a code")
            else:
                codes[member] = row.key
        problems.extend(
            f"{namespace}:{v}: code for a value the enum lacks"
            for v in live
            if v not in {str(m.value) for m in enum_type}
        )
        members = {code: member for member, code in codes.items()}

        def dec(value: Any, path: tuple[PathItem, ...]) -> Any:
            if type(value) is not int or value not in members:
                known = ", ".join(f"{c}={m.value}" for c, m in sorted(members.items()))
                raise _fail(path, f"{value!r} is not a {name} code ({known})")
            return members[value]

        return codes.__getitem__, dec

    root = build_map("", Event, frozenset({"payload", "format_version"}))
    rows = table.live("", version)
    version_row, payload_row = rows.get("format_version"), rows.get("payload")
    if version_row is None or version_row.type != "uint":
        problems.append("format_version: needs a uint row in the root namespace")
    if payload_row is None or payload_row.type != "record:EventPayload":
        problems.append("payload: needs a record:EventPayload row in the root namespace")
    payloads = {t: build_map(m.__name__, m, frozenset()) for t, m in PAYLOAD_TYPES.items()}
    used = {*maps, "enum:EventType", "enum:Element"}
    problems.extend(
        f"{ns}: key table namespace the events do not use"
        for ns, ns_rows in table.namespaces.items()
        if ns not in used and any(r.live_in(version) for r in ns_rows.values())
    )
    if problems:
        raise KeyTableMismatch("; ".join(problems))
    assert version_row is not None
    assert payload_row is not None
    return _Binding(root, version_row.key, payload_row.key, payloads)


def _array_dec(value: Any, path: tuple[PathItem, ...], item: Decoder) -> Any:
    if type(value) is not list:
        raise _fail(path, f"expected an array, got {_kind(value)}")
    return [item(v, (*path, i)) for i, v in enumerate(value)]


def _strip(annotation: Any) -> Any:
    """The annotation without ``Annotated[...]`` and ``| None``."""
    while True:
        origin = typing.get_origin(annotation)
        if origin is typing.Annotated:
            annotation = typing.get_args(annotation)[0]
        elif origin in (typing.Union, __import__("types").UnionType):
            members = [a for a in typing.get_args(annotation) if a is not type(None)]
            if len(members) != 1:
                return annotation
            annotation = members[0]
        else:
            return annotation


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
        raise _fail((), f"an event is a map, got {_kind(value)}")
    version = value.get(b.version_key)
    if type(version) is not int or version != EVENT_FORMAT_VERSION:
        raise _fail(
            ("format_version",),
            f"unsupported event format version {version!r}; this decoder reads version "
            f"{EVENT_FORMAT_VERSION}",
        )
    if b.payload_key not in value:
        raise _fail(("payload",), f"the event has no payload (key {b.payload_key})")
    body = {k: v for k, v in value.items() if k not in (b.version_key, b.payload_key)}
    plain: dict[str, Any] = b.root.decode(body, ())
    event_type = plain.get("type")
    if not isinstance(event_type, EventType):
        raise _fail(("type",), "the event has no type")
    plain["payload"] = b.payloads[event_type].decode(value[b.payload_key], ("payload",))
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
