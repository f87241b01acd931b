"""Deterministic, strict CBOR (RFC 8949 section 4.2.1) and the passport wire format.

Generic layer (used by ``cose`` and ``lifecycle``; implemented in ``codec/_cbor.py``, the only
module that imports cbor2):

- :func:`encode_value` turns plain Python values (int, bool, None, str, bytes, list/tuple,
  dict, :class:`Tag`) into deterministic CBOR bytes;
- :func:`decode_value` turns bytes back into plain values, bounded by :class:`DecodeLimits`;
  with ``deterministic=True`` (the default) anything that is not in core deterministic form is
  rejected with a :class:`~batterypass.errors.DecodeError` naming the byte offset.

The wire rules are normative in ``specs/cbor-profile.md``.

Passport layer (``specs/cbor-format.md``; implemented in ``codec/_cbor_passport.py``):
:func:`dumps` and :func:`loads` turn a :class:`~batterypass.model.BatteryPassport` into its
one deterministic encoding and back, through the key table; :func:`looks_like_cbor` tells such
bytes from JSON text; :data:`MAGIC` is the three bytes every passport document starts with.
"""

from __future__ import annotations

from batterypass.codec._cbor import (
    DEFAULT_LIMITS,
    DETERMINISTIC_TAGS,
    NEVER_ALLOWED_TAGS,
    DecodeLimits,
    Tag,
    decode_value,
    encode_value,
)
from batterypass.codec._cbor_passport import MAGIC, dumps, loads, looks_like_cbor

__all__ = [
    "DEFAULT_LIMITS",
    "DETERMINISTIC_TAGS",
    "MAGIC",
    "NEVER_ALLOWED_TAGS",
    "DecodeLimits",
    "Tag",
    "decode_value",
    "dumps",
    "encode_value",
    "loads",
    "looks_like_cbor",
]
