"""Wire pieces of selectively disclosable passports (``specs/selective-disclosure.md``).

Built on the passport wire format (:mod:`batterypass.codec._cbor_passport`): a passport's wire
value is split into its group 1 part, which stays in clear, and one ``(key path, value)`` pair
per provided data point of groups 2 to 4; :func:`assemble_disclosed` puts disclosed pairs back and
decodes the whole with the passport codec. This module knows bytes and key paths, not salts,
hashes or signatures (those are in :mod:`batterypass.disclosure`).
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Final

from batterypass.codec import _cbor_passport as wire
from batterypass.codec.cbor import DEFAULT_LIMITS, DecodeLimits, Tag, decode_value, encode_value
from batterypass.errors import DecodeError
from batterypass.model import AccessGroup, BatteryPassport, DataPointRef, iter_data_points

__all__ = [
    "SALT_BYTES",
    "SD_ALG_SHA256",
    "WITHHELD_GROUPS",
    "DisclosablePayload",
    "KeyPath",
    "assemble_disclosed",
    "data_point_at",
    "decode_disclosable_payload",
    "decode_disclosure",
    "encode_decoy",
    "encode_disclosable_payload",
    "encode_disclosure",
    "key_path_of",
    "split_disclosable",
    "withheld_group_size",
]

KeyPath = tuple[int, ...]
"""Integer map keys from the passport map down to a data point (``[12, 0, 1]``)."""

SD_ALG_SHA256: Final = -16
"""``sd_alg``: SHA-256 as a COSE algorithm id (RFC 9054), as in SD-CWT."""

SALT_BYTES: Final = 16
"""128-bit salts (RFC 9901 section 9.3 recommends at least 128 bits)."""

WITHHELD_GROUPS: Final = (
    AccessGroup.LEGITIMATE_INTEREST,
    AccessGroup.AUTHORITY,
    AccessGroup.INDIVIDUAL,
)
"""The groups whose data points are committed to rather than shown in clear."""

# URLs travel as text in a disclosable passport, never through the passport codec's URL prefix
# table: a table over all URLs would show the prefixes of withheld URLs in clear, and one over
# group 1 only would make the assembled passport non-canonical. (The probe keeps this module
# working with a passport codec that has no prefix table.)
_TEXT_URLS: Final[dict[str, Any]] = (
    {"share_url_prefixes": False}
    if "share_url_prefixes" in inspect.signature(wire.to_wire).parameters
    else {}
)

_KEY_SD_ALG: Final = 2
_KEY_COMMITMENTS: Final = 3
_DIGEST_BYTES: Final = 32


# --- key paths ------------------------------------------------------------------------------


@functools.cache
def _tables() -> tuple[dict[tuple[str, ...], KeyPath], dict[KeyPath, DataPointRef]]:
    table = wire.key_table()
    by_path: dict[tuple[str, ...], KeyPath] = {}
    by_keys: dict[KeyPath, DataPointRef] = {}
    for ref in iter_data_points():
        keys: list[int] = []
        for depth, name in enumerate(ref.path):
            namespace = ".".join(ref.path[:depth])
            keys.append(table.live(namespace)[name].key)
        by_path[ref.path] = tuple(keys)
        by_keys[tuple(keys)] = ref
    return by_path, by_keys


def key_path_of(path: tuple[str, ...]) -> KeyPath:
    """The key path of a data point given by its field path (``("status",)`` -> ``(5,)``).

    Raises ``KeyError`` for a path that is no data point of the model.
    """
    return _tables()[0][path]


def data_point_at(key_path: KeyPath) -> DataPointRef | None:
    """The data point at ``key_path``, or ``None`` if there is none."""
    return _tables()[1].get(key_path)


@functools.cache
def withheld_group_size(group: AccessGroup) -> int:
    """How many data points of ``group`` the model has: the fixed number of digests
    (disclosures and decoys) committed to for the group."""
    return sum(1 for ref in iter_data_points() if ref.info.group is group)


# --- splitting and assembling ---------------------------------------------------------------


def split_disclosable(
    passport: BatteryPassport,
) -> tuple[Any, dict[AccessGroup, list[tuple[KeyPath, Any]]]]:
    """The passport's wire value (URLs as text) without its group 2 to 4 data points (exactly
    the wire value of ``passport.view("public")``), and those data points by group as
    ``(key path, wire value)`` pairs in model order.

    Raises :class:`~batterypass.errors.EncodeError` like the passport codec.
    """
    document = wire.to_wire(passport, **_TEXT_URLS)
    body: dict[int, Any] = document.value[wire.ENVELOPE_PASSPORT]
    withheld: dict[AccessGroup, list[tuple[KeyPath, Any]]] = {g: [] for g in WITHHELD_GROUPS}
    for ref in iter_data_points():
        if ref.info.group is AccessGroup.PUBLIC:
            continue
        keys = key_path_of(ref.path)
        value = _pop(body, keys)
        if value is not None:
            withheld[ref.info.group].append((keys, value))
    return document, withheld


def _pop(body: dict[int, Any], keys: KeyPath) -> Any:
    """Remove and return the value at ``keys``, dropping sections left empty."""
    parents: list[dict[int, Any]] = [body]
    for key in keys[:-1]:
        child = parents[-1].get(key)
        if child is None:
            return None
        parents.append(child)
    value = parents[-1].pop(keys[-1], None)
    for depth in range(len(parents) - 1, 0, -1):
        if not parents[depth]:  # an empty section is left out (cbor-format.md 4.2)
            del parents[depth - 1][keys[depth - 1]]
    return value


def assemble_disclosed(
    document: Any, disclosed: Iterable[tuple[KeyPath, Any]], *, source: str | None = None
) -> BatteryPassport:
    """Decode and validate a passport from its clear wire value (as
    :func:`decode_disclosable_payload` returns it) with the disclosed ``(key path, wire
    value)`` pairs put back in place.

    The key paths must be data points (:func:`data_point_at`) not already present.
    Raises :class:`~batterypass.errors.DecodeError` and
    :class:`~batterypass.errors.ValidationError` like :func:`batterypass.codec.cbor.loads`.
    """
    envelope = dict(document.value)
    body = _copy_maps(envelope[wire.ENVELOPE_PASSPORT])
    for keys, value in disclosed:
        node = body
        for key in keys[:-1]:
            child = node.setdefault(key, {})
            if type(child) is not dict:
                raise DecodeError(f"key path {_show(keys)} crosses a non-map value")
            node = child
        if keys[-1] in node:
            raise DecodeError(f"key path {_show(keys)} is disclosed twice")
        node[keys[-1]] = value
    envelope[wire.ENVELOPE_PASSPORT] = body
    return wire.from_wire(Tag(document.tag, envelope), source=source, **_TEXT_URLS)


def _copy_maps(value: Any) -> Any:
    # Copy the nested section maps only: disclosed values go into fresh dicts, so the decoded
    # payload can serve any number of presentations.
    if type(value) is dict:
        return {k: _copy_maps(v) for k, v in value.items()}
    return value


def _show(keys: KeyPath) -> str:
    return "/".join(str(k) for k in keys)


# --- the signed payload ---------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class DisclosablePayload:
    """A decoded disclosable payload: the clear passport document (a wire value for
    :func:`assemble_disclosed`) and the group commitments."""

    document: Any
    sd_alg: int
    commitments: Mapping[AccessGroup, bytes]


def encode_disclosable_payload(document: Any, commitments: Mapping[AccessGroup, bytes]) -> bytes:
    """The disclosable payload's deterministic CBOR from the clear document (the first result
    of :func:`split_disclosable`) and the three group commitments."""
    if set(commitments) != set(WITHHELD_GROUPS):
        raise ValueError("a commitment for each of groups 2, 3 and 4 is needed")
    envelope = dict(document.value)
    envelope[_KEY_SD_ALG] = SD_ALG_SHA256
    envelope[_KEY_COMMITMENTS] = {int(g): bytes(d) for g, d in commitments.items()}
    return encode_value(Tag(document.tag, envelope))


def decode_disclosable_payload(
    data: bytes, *, limits: DecodeLimits = DEFAULT_LIMITS
) -> DisclosablePayload:
    """Decode a disclosable payload (``specs/selective-disclosure.md`` section 3).

    Checks the shape, ``sd_alg`` and the commitments, and that the clear passport map holds no
    data point of groups 2 to 4; the passport itself is decoded by :func:`assemble_disclosed`.
    Raises :class:`~batterypass.errors.DecodeError`.
    """
    value = decode_value(data, limits=limits, allowed_tags=wire.WIRE_TAGS)
    if not isinstance(value, Tag) or value.tag != wire.TAG_SELF_DESCRIBED:
        raise DecodeError("not a disclosable passport payload: tag 55799 missing")
    envelope = value.value
    if type(envelope) is not dict or set(envelope) != {
        wire.ENVELOPE_VERSION,
        wire.ENVELOPE_PASSPORT,
        _KEY_SD_ALG,
        _KEY_COMMITMENTS,
    }:
        raise DecodeError(
            "not a disclosable passport payload: expected a map with keys 0, 1, 2 and 3"
        )
    sd_alg = envelope.pop(_KEY_SD_ALG)
    if type(sd_alg) is not int or sd_alg != SD_ALG_SHA256:
        raise DecodeError(f"sd_alg {sd_alg!r} is not accepted; only SHA-256 (-16) is", path=(2,))
    raw = envelope.pop(_KEY_COMMITMENTS)
    wanted = {int(g) for g in WITHHELD_GROUPS}
    if type(raw) is not dict or set(raw) != wanted:
        raise DecodeError("group commitments must be a map with keys 2, 3 and 4", path=(3,))
    commitments: dict[AccessGroup, bytes] = {}
    for group, digest in raw.items():
        if type(digest) is not bytes or len(digest) != _DIGEST_BYTES:
            raise DecodeError("a group commitment is a 32-byte SHA-256 digest", path=(3, group))
        commitments[AccessGroup(group)] = digest
    body = envelope.get(wire.ENVELOPE_PASSPORT)
    if type(body) is dict:
        _check_clear(body)
    return DisclosablePayload(Tag(value.tag, envelope), sd_alg, commitments)


def _check_clear(body: dict[Any, Any]) -> None:
    for ref in iter_data_points():
        if ref.info.group is AccessGroup.PUBLIC:
            continue
        node: Any = body
        for key in key_path_of(ref.path):
            node = node.get(key) if type(node) is dict else None
        if node is not None:
            raise DecodeError(
                f"the signed payload shows {'.'.join(ref.path)} (group {int(ref.info.group)}) "
                "in clear; only group 1 may be in clear",
                path=(1, *key_path_of(ref.path)),
            )


# --- disclosures ----------------------------------------------------------------------------


def encode_disclosure(salt: bytes, key_path: KeyPath, value: Any) -> bytes:
    """``[salt, value, key-path]`` in deterministic CBOR: the bytes a digest covers."""
    return encode_value([salt, value, list(key_path)])


def encode_decoy(salt: bytes) -> bytes:
    """``[salt]`` in deterministic CBOR."""
    return encode_value([salt])


def decode_disclosure(
    data: bytes, *, limits: DecodeLimits = DEFAULT_LIMITS
) -> tuple[bytes, KeyPath | None, Any]:
    """``(salt, key path, value)`` of an encoded disclosure, or ``(salt, None, None)`` for a
    decoy. Raises :class:`~batterypass.errors.DecodeError` for anything else."""
    item = decode_value(data, limits=limits, allowed_tags=wire.WIRE_TAGS)
    if type(item) is not list or len(item) not in (1, 3):
        raise DecodeError("a disclosure is [salt, value, key-path] and a decoy [salt]")
    salt = item[0]
    if type(salt) is not bytes or len(salt) != SALT_BYTES:
        raise DecodeError(f"the salt must be a {SALT_BYTES}-byte string")
    if len(item) == 1:
        return salt, None, None
    keys = item[2]
    if type(keys) is not list or not keys or not all(type(k) is int and k >= 0 for k in keys):
        raise DecodeError("a key path is a non-empty array of unsigned integers")
    return salt, tuple(keys), item[1]
