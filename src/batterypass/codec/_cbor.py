"""Deterministic, strict CBOR (RFC 8949 section 4.2.1): the generic layer, and the only
module that imports cbor2. Public through :mod:`batterypass.codec.cbor`.

- :func:`encode_value` turns plain Python values (int, bool, None, str, bytes, list/tuple,
  dict, :class:`Tag`) into deterministic CBOR bytes;
- :func:`decode_value` turns bytes back into plain values, bounded by :class:`DecodeLimits`;
  with ``deterministic=True`` (the default) anything that is not in core deterministic form is
  rejected with a :class:`~batterypass.errors.DecodeError` naming the byte offset.

Arrays decode to ``list``, maps to ``dict``, tags to :class:`Tag` (no tag is interpreted here).
The wire rules are normative in ``specs/cbor-profile.md``.

Decoding is two passes: a pure-Python pre-scan (:mod:`batterypass.codec._cbor_scan`) reads only
item headers and enforces well-formedness, the limits and the profile, with byte offsets; only
input that passes reaches cbor2, which then builds the values. cbor2 is never trusted with
hostile input on its own, and its own checks stay on as a second line. The common case takes
one pass instead: the one-pass decoder (:mod:`batterypass.codec._cbor_decode`) walks the
pre-scan's deterministic fast path, with the same checks, and builds the values as it goes
(about 1.15 times as fast as the two passes for a passport as Python, 1.7 times compiled); any
input it is not sure about, and so every error, still takes the two passes.

Encoding is our own: cbor2's ``canonical=True`` sorts map keys length-first (the old RFC 7049
order), not bytewise as RFC 8949 section 4.2.1 requires (e.g. ``{-1: 0, 1000: 0}``).
"""

from __future__ import annotations

import functools
import struct
from collections.abc import Callable, Set
from dataclasses import dataclass, fields
from typing import Any, Final

import cbor2

from batterypass.codec._cbor_decode import MISS, decode_deterministic
from batterypass.codec._cbor_scan import NEVER_ALLOWED_TAGS, scan
from batterypass.errors import DecodeError, EncodeError, PathItem

__all__ = [
    "DEFAULT_LIMITS",
    "DETERMINISTIC_TAGS",
    "NEVER_ALLOWED_TAGS",
    "DecodeLimits",
    "Tag",
    "decode_value",
    "encode_value",
]

#: Tags :func:`decode_value` accepts by default in deterministic mode: 1 (epoch date/time,
#: integer seconds only since floats are banned), 4 (decimal fraction, for regulatory
#: quantities) and 18 (COSE_Sign1). Non-deterministic mode accepts any tag by default, except
#: :data:`NEVER_ALLOWED_TAGS` which no mode accepts.
DETERMINISTIC_TAGS: Final = frozenset({1, 4, 18})


@dataclass(frozen=True, slots=True)
class Tag:
    """A CBOR tag around a value, left uninterpreted."""

    tag: int
    value: Any


@dataclass(frozen=True, slots=True)
class DecodeLimits:
    """Bounds every decoder honours, so hostile input cannot exhaust time or memory.

    ``max_depth`` counts nested arrays, maps and tags (a top-level ``[1]`` has depth 1);
    ``max_items`` counts every data item, keys and tags included; ``max_string_bytes`` bounds one
    byte or text string (all chunks of an indefinite-length string together).
    """

    max_bytes: int = 16 * 1024 * 1024
    max_depth: int = 32
    max_items: int = 1_000_000
    max_string_bytes: int = 8 * 1024 * 1024

    def __post_init__(self) -> None:
        for f in fields(self):
            value = getattr(self, f.name)
            if type(value) is not int or value < 1:
                raise ValueError(f"DecodeLimits.{f.name} must be a positive int, not {value!r}")


DEFAULT_LIMITS = DecodeLimits()

_UINT64_MAX: Final = 0xFFFF_FFFF_FFFF_FFFF


# --- decoding -------------------------------------------------------------------------------


@functools.lru_cache(maxsize=512)
def _tag_decoder(number: int) -> Callable[[Any, bool], Tag]:
    # cbor2 consults ``semantic_decoders`` before its built-in decoders, for any tag number,
    # and passes the already decoded content; this keeps every tag uninterpreted (tag 4 would
    # otherwise become a Decimal and tag 1 a datetime). ``tag_hook`` would not do: cbor2 calls
    # it only for tags it has no built-in decoder for.
    def decode(value: Any, immutable: bool) -> Tag:
        return Tag(number, value)

    return decode


def decode_value(
    data: bytes,
    *,
    limits: DecodeLimits = DEFAULT_LIMITS,
    deterministic: bool = True,
    allowed_tags: Set[int] | None = None,
    allow_floats: bool = False,
) -> Any:
    """Decode one CBOR data item that must fill ``data`` exactly.

    ``deterministic=True`` requires core deterministic encoding; ``False`` is for messages
    from other producers (indefinite lengths, non-shortest forms and any key order pass;
    duplicate keys and the limits still fail). ``allowed_tags=None`` means
    :data:`DETERMINISTIC_TAGS` in deterministic mode and any tag otherwise.
    ``allow_floats=True`` lets floats through, in non-deterministic mode only.
    Raises :class:`~batterypass.errors.DecodeError`, with the byte offset when known.
    """
    if allow_floats and deterministic:
        raise ValueError("allow_floats=True needs deterministic=False: the profile has no floats")
    policy: frozenset[int] | None
    if allowed_tags is None:
        policy = DETERMINISTIC_TAGS if deterministic else None
    else:
        policy = frozenset(allowed_tags)
        if not policy.isdisjoint(NEVER_ALLOWED_TAGS):
            raise ValueError(f"tags {sorted(NEVER_ALLOWED_TAGS)} can never be allowed")
    if type(data) is not bytes:
        data = bytes(data)  # the scanner compares key slices, which memoryviews cannot do
    if not allow_floats and 0 < len(data) <= limits.max_bytes:
        # One pass for what the deterministic fast path settles (every encoding we write, and
        # most others), both modes: a deterministic encoding is also a valid one, and means
        # the same value. Anything else, and every error, takes the two passes below.
        value = decode_deterministic(
            data,
            limits.max_depth,
            limits.max_items,
            limits.max_string_bytes,
            policy,
            Tag,
        )
        if value is not MISS:
            return value
    return _decode_two_pass(data, limits, deterministic, policy, allow_floats)


def _decode_two_pass(
    data: bytes,
    limits: DecodeLimits,
    deterministic: bool,
    policy: frozenset[int] | None,
    allow_floats: bool,
) -> Any:
    """Pre-scan, then cbor2: the decoder of record for every input the one pass leaves."""
    tags = scan(
        data,
        limits=limits,
        deterministic=deterministic,
        allow_floats=allow_floats,
        allowed_tags=policy,
    )
    try:
        return cbor2.loads(
            data,
            semantic_decoders={t: _tag_decoder(t) for t in tags} if tags else None,
            str_errors="strict",
            # The scan has enforced the depth already; the margin keeps cbor2 from disagreeing
            # on a corner of the count (it is only a second line of defence).
            max_depth=limits.max_depth + 1,
            allow_indefinite=not deterministic,
            allow_duplicate_keys=False,
        )
    except Exception as e:  # cbor2 raises many types on hostile input; wrap them all
        raise DecodeError(f"CBOR decoder rejected the input: {e}") from e


# --- encoding -------------------------------------------------------------------------------

_HEAD_SMALL: Final = tuple(
    tuple(bytes(((major << 5) | n,)) for n in range(24)) for major in range(8)
)
_pack8 = struct.Struct(">BB").pack
_pack16 = struct.Struct(">BH").pack
_pack32 = struct.Struct(">BI").pack
_pack64 = struct.Struct(">BQ").pack


def _head(major: int, arg: int) -> bytes:
    """The shortest header for ``arg`` (RFC 8949 section 4.2.1)."""
    if arg < 24:
        return _HEAD_SMALL[major][arg]
    mt = major << 5
    if arg < 0x100:
        return _pack8(mt | 24, arg)
    if arg < 0x10000:
        return _pack16(mt | 25, arg)
    if arg < 0x1_0000_0000:
        return _pack32(mt | 26, arg)
    return _pack64(mt | 27, arg)


class _Encoder:
    """One encoding run: the output buffer and the limits still available."""

    __slots__ = ("items", "limits", "out")

    def __init__(self, limits: DecodeLimits) -> None:
        self.limits = limits
        self.items = 0
        self.out = bytearray()

    def count(self) -> None:
        self.items += 1
        if self.items > self.limits.max_items:
            raise EncodeError(f"more than {self.limits.max_items} data items (limit max_items)")

    def string(self, major: int, b: bytes) -> bytes:
        if len(b) > self.limits.max_string_bytes:
            raise EncodeError(
                f"string of {len(b)} bytes exceeds the limit of"
                f" {self.limits.max_string_bytes} bytes (limit max_string_bytes)"
            )
        return _head(major, len(b)) + b

    def scalar(self, obj: Any) -> bytes | None:
        """Encode an int, str or bytes; None if ``obj`` is none of these (or is a bool)."""
        if isinstance(obj, bool):
            return None
        if isinstance(obj, int):
            if 0 <= obj <= _UINT64_MAX:
                return _head(0, obj)
            if -_UINT64_MAX - 1 <= obj < 0:
                return _head(1, -1 - obj)
            raise EncodeError(
                f"integer {obj} is outside the CBOR integer range [-2**64, 2**64-1]"
                " (bignums are not part of the profile)"
            )
        if isinstance(obj, str):
            try:
                return self.string(3, obj.encode("utf-8"))
            except UnicodeEncodeError as e:
                raise EncodeError(
                    f"text is not encodable as UTF-8 ({e.reason} at index {e.start})"
                ) from e
        if isinstance(obj, bytes | bytearray):
            return self.string(2, bytes(obj))
        return None

    def encode(self, obj: Any, depth: int) -> None:
        self.count()
        out = self.out
        if obj is None:
            out.append(0xF6)
        elif obj is True:
            out.append(0xF5)
        elif obj is False:
            out.append(0xF4)
        elif (encoded := self.scalar(obj)) is not None:
            out += encoded
        elif isinstance(obj, list | tuple):
            self.check_depth(depth)
            out += _head(4, len(obj))
            for i, item in enumerate(obj):
                try:
                    self.encode(item, depth + 1)
                except EncodeError as e:
                    _prepend_path(e, i)
                    raise
        elif isinstance(obj, dict):
            self.check_depth(depth)
            self.map(obj, depth)
        elif isinstance(obj, Tag):
            self.check_depth(depth)
            tag = obj.tag
            if isinstance(tag, bool) or not isinstance(tag, int) or not 0 <= tag <= _UINT64_MAX:
                raise EncodeError(f"tag number {tag!r} is not an integer in [0, 2**64-1]")
            if tag in NEVER_ALLOWED_TAGS:
                raise EncodeError(f"tag {tag} is never accepted by decode_value")
            out += _head(6, tag)
            try:
                self.encode(obj.value, depth + 1)
            except EncodeError as e:
                _prepend_path(e, f"tag({tag})")
                raise
        elif isinstance(obj, float):
            raise EncodeError(
                f"floating-point value {obj!r} is not allowed; use an int, or a decimal"
                " fraction Tag(4, [exponent, mantissa])"
            )
        elif isinstance(obj, set | frozenset):
            raise EncodeError("sets are not supported; use a list in a defined order")
        else:
            cls = type(obj)
            raise EncodeError(
                f"values of type {cls.__module__}.{cls.__qualname__} cannot be encoded"
                " (allowed: int, bool, None, str, bytes, list, tuple, dict, Tag)"
            )

    def map(self, obj: dict[Any, Any], depth: int) -> None:
        pairs: list[tuple[bytes, Any, Any]] = []
        for key, value in obj.items():
            self.count()
            encoded = self.scalar(key)
            if encoded is None:
                cls = type(key)
                raise EncodeError(
                    f"map key {key!r} of type {cls.__qualname__} is not allowed;"
                    " keys must be int, str or bytes"
                )
            pairs.append((encoded, key, value))
        # RFC 8949 section 4.2.1: bytewise lexicographic order of the encoded keys.
        pairs.sort(key=_first)
        out = self.out
        out += _head(5, len(pairs))
        previous = b""
        for encoded, key, value in pairs:
            if encoded == previous:
                raise EncodeError(f"map has two keys that both encode as {encoded.hex()}")
            previous = encoded
            out += encoded
            try:
                self.encode(value, depth + 1)
            except EncodeError as e:
                _prepend_path(e, _path_item(key))
                raise

    def check_depth(self, depth: int) -> None:
        if depth >= self.limits.max_depth:
            raise EncodeError(
                f"nesting deeper than {self.limits.max_depth} arrays, maps and tags"
                " (limit max_depth)"
            )


def _first(pair: tuple[bytes, Any, Any]) -> bytes:
    return pair[0]


def _path_item(key: Any) -> PathItem:
    if isinstance(key, str | int):
        return key
    return f"h'{bytes(key).hex()}'"


def _prepend_path(error: EncodeError, item: PathItem) -> None:
    error.path = (item, *(error.path or ()))


def encode_value(obj: Any, *, limits: DecodeLimits = DEFAULT_LIMITS) -> bytes:
    """Encode plain values as deterministic CBOR (RFC 8949 section 4.2.1).

    Refuses, with an :class:`~batterypass.errors.EncodeError` that names the value's path,
    anything :func:`decode_value` with the same ``limits`` would reject: floats, sets, other
    types, bool or non-scalar map keys, integers outside 64 bits, too deep or too large values.
    """
    encoder = _Encoder(limits)
    try:
        encoder.encode(obj, 0)
    except RecursionError as e:  # a cycle deeper than a raised max_depth
        raise EncodeError("value nests too deeply (or contains itself)") from e
    out = encoder.out
    if len(out) > limits.max_bytes:
        raise EncodeError(
            f"encoding of {len(out)} bytes exceeds the limit of {limits.max_bytes} bytes"
            " (limit max_bytes)"
        )
    return bytes(out)
