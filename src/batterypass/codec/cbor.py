"""Deterministic, strict CBOR (RFC 8949 section 4.2.1). The only module that imports cbor2.

Generic layer (used by ``cose`` and ``lifecycle``):

- :func:`encode_value` turns plain Python values (int, bool, None, str, bytes, list/tuple,
  dict, :class:`Tag`) into deterministic CBOR bytes;
- :func:`decode_value` turns bytes back into plain values, bounded by :class:`DecodeLimits`;
  with ``deterministic=True`` (the default) anything that is not in core deterministic form is
  rejected with a :class:`~batterypass.errors.DecodeError` naming the byte offset.

Arrays decode to ``list``, maps to ``dict``, tags to :class:`Tag` (no tag is interpreted here).

(Interim implementation: the strict pre-scan lands with the CBOR issue; the signatures are
stable.)
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import cbor2

from batterypass.errors import DecodeError, EncodeError

__all__ = ["DEFAULT_LIMITS", "DecodeLimits", "Tag", "decode_value", "encode_value"]


@dataclass(frozen=True, slots=True)
class Tag:
    """A CBOR tag around a value, left uninterpreted."""

    tag: int
    value: Any


@dataclass(frozen=True, slots=True)
class DecodeLimits:
    """Bounds every decoder honours, so hostile input cannot exhaust time or memory."""

    max_bytes: int = 16 * 1024 * 1024
    max_depth: int = 32
    max_items: int = 1_000_000
    max_string_bytes: int = 8 * 1024 * 1024


DEFAULT_LIMITS = DecodeLimits()


def _to_cbor2(obj: Any) -> Any:
    if isinstance(obj, Tag):
        return cbor2.CBORTag(obj.tag, _to_cbor2(obj.value))
    if isinstance(obj, dict):
        return {_to_cbor2(k): _to_cbor2(v) for k, v in obj.items()}
    if isinstance(obj, list | tuple):
        return [_to_cbor2(v) for v in obj]
    if isinstance(obj, float):
        raise EncodeError("binary floating-point values are not allowed on the wire")
    return obj


def _from_cbor2(obj: Any) -> Any:
    if isinstance(obj, cbor2.CBORTag):
        return Tag(obj.tag, _from_cbor2(obj.value))
    if isinstance(obj, Mapping):
        return {_from_cbor2(k): _from_cbor2(v) for k, v in obj.items()}
    if isinstance(obj, list | tuple):
        return [_from_cbor2(v) for v in obj]
    return obj


def encode_value(obj: Any) -> bytes:
    """Encode plain values as deterministic CBOR."""
    try:
        return bytes(cbor2.dumps(_to_cbor2(obj), canonical=True))
    except (cbor2.CBOREncodeError, TypeError, ValueError) as e:
        raise EncodeError(f"cannot encode value as CBOR: {e}") from e


def decode_value(
    data: bytes, *, limits: DecodeLimits = DEFAULT_LIMITS, deterministic: bool = True
) -> Any:
    """Decode one CBOR data item that must fill ``data`` exactly."""
    if len(data) > limits.max_bytes:
        raise DecodeError(f"input of {len(data)} bytes exceeds the limit of {limits.max_bytes}")
    try:
        value = cbor2.loads(
            data,
            max_depth=limits.max_depth,
            allow_indefinite=not deterministic,
            allow_duplicate_keys=False,
            semantic_decoders={},
        )
    except Exception as e:  # noqa: BLE001 - cbor2 raises many types on hostile input
        raise DecodeError(f"not valid CBOR: {e}") from e
    return _from_cbor2(value)
