"""The passport wire format: model <-> plain int-keyed values, through the CBOR key table.

Private; the public API is ``batterypass.codec.cbor.dumps`` / ``loads``. This module turns a
:class:`~batterypass.model.BatteryPassport` into the plain values that
:func:`~batterypass.codec.cbor.encode_value` writes (ints, str, bool, lists, dicts and
:class:`~batterypass.codec.cbor.Tag`), and back. It neither encodes nor decodes bytes (it only
walks item headers to place an error of the generic decoder) and never imports cbor2.

The normative description is ``specs/cbor-format.md``; the key table is
``specs/cbor-keys.csv`` (shipped as package data). In short:

- document: ``55799({0: format_version, 1: passport, ?4: url_prefixes})`` (the
  self-described CBOR tag is the magic number that tells a passport from JSON text);
- every field of every model class has a small integer key in its namespace (the dotted
  section path, or the record type name); enum values are small integer codes;
- URLs (the model's ``Url``) are text, or ``[index, suffix]`` when their prefix (up to the
  last ``/``) is shared by two URLs or more and so listed in the prefix table;
- quantities are integers when integral (within 64 bits), else decimal fractions
  ``4([exponent, mantissa])``, normalised; dates are
  ``100(days since 1970-01-01)``; datetimes ``1(epoch seconds)``, or
  ``[1(epoch seconds), utc_offset_seconds, ?microsecond]`` when not whole UTC seconds;
- a data point that is not provided, and an empty section, are left out; null never appears.

Exactly one encoding per passport: :func:`from_wire` rejects every other form of the same
value (a non-normalised decimal, an empty section map, a UTC datetime in the long form, a
prefix table other than the one the URLs call for), so
that re-encoding a decoded passport gives back the same bytes.
"""

from __future__ import annotations

import functools
import typing
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from importlib import resources
from typing import Any, Final

from pydantic import BaseModel

from batterypass.codec._cbor import DEFAULT_LIMITS, DecodeLimits, Tag, decode_value, encode_value
from batterypass.codec._cbor_scan import key_path_at
from batterypass.codec._keytable import (
    TAG_BIGNUM,
    TAG_DAYS,
    TAG_DECIMAL,
    TAG_EPOCH,
    TAG_NEG_BIGNUM,
    ArrayCodec,
    At,
    Binder,
    ChoiceCodec,
    Codec,
    EnumCodec,
    KeyRow,
    KeyTable,
    KeyTableMismatch,
    TextCodec,
    error_at,
    expected,
    kind_of,
    parse_key_table,
    python_check,
    scalar_codec,
    strip_annotation,
    union_members,
)
from batterypass.errors import DecodeError, EncodeError, PathItem
from batterypass.model import BatteryPassport, parse_passport

__all__ = [
    "FORMAT_VERSION",
    "MAGIC",
    "WIRE_TAGS",
    "bind",
    "dumps",
    "from_wire",
    "key_path_at",
    "key_table",
    "load_key_table",
    "loads",
    "locate",
    "looks_like_cbor",
    "names_of_key_path",
    "to_wire",
]

FORMAT_VERSION: Final = 1
"""Version of the passport wire format (the key table) this module writes and reads."""

TAG_SELF_DESCRIBED: Final = 55799
WIRE_TAGS: Final = frozenset(
    {TAG_EPOCH, TAG_BIGNUM, TAG_NEG_BIGNUM, TAG_DECIMAL, TAG_DAYS, TAG_SELF_DESCRIBED}
)
"""Every tag a passport document may contain."""

MAGIC: Final = b"\xd9\xd9\xf7"
"""The first three bytes of every passport document: tag 55799 (RFC 8949 section 3.4.6)."""


ENVELOPE_VERSION: Final = 0
ENVELOPE_PASSPORT: Final = 1
# Keys 2 and 3 are the disclosable payload's (specs/selective-disclosure.md): a plain passport
# envelope never has them, so neither kind of document passes for the other.
ENVELOPE_URL_PREFIXES: Final = 4


def load_key_table() -> str:
    """The key table shipped with the package (``batterypass/data/cbor-keys.csv``)."""
    ref = resources.files("batterypass").joinpath("data", "cbor-keys.csv")
    return ref.read_text(encoding="utf-8")


# --- binding the table to the model ---------------------------------------------------------


@dataclass(slots=True)
class _Field:
    name: str
    key: int
    optional: bool
    model_required: bool
    codec: Codec
    is_section: bool = False


@dataclass(slots=True)
class _Map:
    """How one model class (a namespace) maps to a CBOR map."""

    namespace: str
    model: type[BaseModel]
    fields: list[_Field] = field(default_factory=list)
    by_key: dict[int, _Field] = field(default_factory=dict)
    retired: dict[int, KeyRow] = field(default_factory=dict)
    # Fields the model would fill with a default: they must be on the wire, or one passport
    # would have two encodings. (Fields the model requires are left to the model, which
    # names their legal basis.)
    wire_required: list[_Field] = field(default_factory=list)
    # Fields that may contain a URL, for the pass that collects them before encoding.
    url_fields: list[_Field] = field(default_factory=list)
    # What decoding needs per key, in one lookup: the field name, its codec's decode (None
    # for plain text, taken inline) and whether it is a section. Built by :func:`bind`.
    decoders: dict[int, tuple[str, Any, bool]] = field(default_factory=dict)
    wire_required_names: frozenset[str] = frozenset()

    def label(self) -> str:
        return self.namespace or "the passport map"


# --- URLs and the prefix table ----------------------------------------------------------------


def url_prefix(url: str) -> str:
    """The one prefix a URL may share through the prefix table: the URL up to and including
    its last ``/`` (``""`` when it has none)."""
    return url[: url.rfind("/") + 1]


def url_prefix_table(urls: Iterable[str]) -> list[str]:
    """The canonical prefix table of a passport whose URLs are ``urls`` in wire order: every
    non-empty :func:`url_prefix` that at least two of them have, in order of first use.

    Every prefix of an http(s) URL has at least 7 bytes (``http://``), so two uses always
    save more than the table entry costs; no other saving rule is needed.
    """
    counts: dict[str, int] = {}  # insertion order is the order of first use
    for url in urls:
        prefix = url_prefix(url)
        counts[prefix] = counts.get(prefix, 0) + 1
    return [prefix for prefix, n in counts.items() if n >= 2 and prefix]


@dataclass(frozen=True, slots=True)
class _EncodeContext:
    """What an encoding run shares between fields: the prefix table, by entry."""

    prefixes: Mapping[str, int] = field(default_factory=dict)


@dataclass(slots=True)
class _DecodeContext:
    """What a decoding run shares between fields: the prefix table received, the URLs met in
    wire order (with the table index used, or None for plain text, and where they are), and
    how many bytes of prefix text may still be restored."""

    table: Sequence[str] = ()
    table_bytes: Sequence[int] = ()
    budget: int = 0
    urls: list[tuple[str, int | None, At]] = field(default_factory=list)


class _Url(Codec):
    """A URL: its text, or ``[index, suffix]`` when its :func:`url_prefix` is in the table."""

    wire = "url"

    def encode(self, value: Any, ctx: _EncodeContext | None = None) -> Any:
        if not isinstance(value, str):
            raise EncodeError(f"expected a URL (text), got {type(value).__name__}")
        if ctx is not None:
            prefix = url_prefix(value)
            index = ctx.prefixes.get(prefix)
            if index is not None:
                return [index, value[len(prefix) :]]
        return str(value)

    def decode(self, value: Any, at: At, ctx: _DecodeContext | None = None) -> Any:
        if type(value) is str:
            if ctx is not None:
                ctx.urls.append((value, None, at))
            return value
        if (
            type(value) is not list
            or len(value) != 2
            or type(value[0]) is not int
            or type(value[1]) is not str
        ):
            raise expected("a URL: a text string or [prefix index, suffix]", value, at)
        index, suffix = value
        table = ctx.table if ctx is not None else ()
        if not 0 <= index < len(table):
            raise error_at(
                at, f"prefix index {index} is outside the URL prefix table ({len(table)} entries)"
            )
        if "/" in suffix:
            raise error_at(
                at,
                "the suffix of a prefixed URL must not contain '/': the prefix is the URL up "
                "to and including its last '/'",
            )
        assert ctx is not None
        ctx.budget -= ctx.table_bytes[index]
        if ctx.budget < 0:
            raise error_at(
                at,
                "the URL prefixes restore more text than the document may hold (limit max_bytes)",
            )
        url = table[index] + suffix
        ctx.urls.append((url, index, at))
        return url

    def accepts(self, value: Any) -> bool:
        return type(value) is str or type(value) is list

    def collect_urls(self, value: Any, out: list[str]) -> None:
        out.append(value)

    def holds_urls(self, seen: set[str]) -> bool:
        return True


class _Nested(Codec):
    """A section or record: a map in its own namespace."""

    def __init__(self, wire: str) -> None:
        self.wire = wire
        self.map: _Map | None = None  # bound after every namespace exists (records recur)

    def encode(self, value: Any, ctx: _EncodeContext | None = None) -> Any:
        assert self.map is not None
        return _encode_map(self.map, value, ctx)

    def decode(self, value: Any, at: At, ctx: _DecodeContext | None = None) -> Any:
        assert self.map is not None
        return _decode_map(self.map, value, at, ctx)

    def accepts(self, value: Any) -> bool:
        return type(value) is dict

    def collect_urls(self, value: Any, out: list[str]) -> None:
        assert self.map is not None
        for f in self.map.url_fields:
            item = getattr(value, f.name)
            if item is not None:
                f.codec.collect_urls(item, out)

    def holds_urls(self, seen: set[str]) -> bool:
        assert self.map is not None
        if self.map.namespace in seen:
            return False  # already being looked at further up
        seen.add(self.map.namespace)
        try:
            return any(f.codec.holds_urls(seen) for f in self.map.fields)
        finally:
            seen.discard(self.map.namespace)


# --- binding --------------------------------------------------------------------------------


@dataclass(slots=True)
class _Binding:
    table: KeyTable
    root: _Map
    maps: dict[str, _Map]
    enums: dict[str, EnumCodec]


def bind(table: KeyTable, version: int = FORMAT_VERSION) -> _Binding:
    """Check ``table`` against the model and build the converters.

    Every field of every model class reachable from BatteryPassport needs a live row whose
    type matches the field's annotation; every live row needs a field; every member of every
    reachable enum needs a code. Raises :class:`KeyTableMismatch` listing every problem.
    """
    binder = Binder(table, version)
    maps: dict[str, _Map] = {}
    pending: list[tuple[_Nested, str]] = []

    def build_map(namespace: str, model: type[BaseModel]) -> _Map:
        known = maps.get(namespace)
        if known is not None:
            if known.model is not model:
                binder.problems.append(f"namespace {namespace!r} is both {known.model} and {model}")
            return known
        m = _Map(namespace, model)
        maps[namespace] = m
        for old in table.namespaces.get(namespace, {}).values():
            if not old.live_in(version):
                m.retired[old.key] = old
        for name, info, row, path in binder.fields(namespace, model):
            try:
                codec = build_codec(row.base_type, info.annotation, path)
            except KeyTableMismatch as e:
                binder.problems.append(str(e))
                continue
            f = _Field(name, row.key, row.optional, info.is_required(), codec)
            f.is_section = row.base_type == "section"
            m.fields.append(f)
            m.by_key[row.key] = f
            if not f.optional and not f.model_required:
                m.wire_required.append(f)
        m.fields.sort(key=lambda f: f.key)
        return m

    def build_codec(wire: str, annotation: Any, path: str) -> Codec:
        choices = wire.split("/")
        if len(choices) > 1:
            members = union_members(annotation)
            if len(members) != len(choices):
                raise KeyTableMismatch(f"{path}: {wire!r} does not match {annotation!r}")
            codecs = [build_codec(w, a, path) for w, a in zip(choices, members, strict=True)]
            return ChoiceCodec(codecs, [python_check(a) for a in members])
        scalar = scalar_codec(wire)
        if scalar is not None:
            return scalar
        annotation = strip_annotation(annotation)
        kind, _, rest = wire.partition(":")
        if wire == "url":
            return _Url()
        if kind == "array":
            return ArrayCodec(build_codec(rest, typing.get_args(annotation)[0], f"{path}[]"))
        if kind == "enum":
            return binder.enum(rest, annotation)
        if wire == "section" or kind == "record":
            nested = _Nested(wire)
            pending.append((nested, path if wire == "section" else rest))
            build_map(path if wire == "section" else rest, annotation)
            return nested
        raise KeyTableMismatch(f"{path}: unknown type {wire!r}")

    root = build_map("", BatteryPassport)
    for nested, namespace in pending:
        nested.map = maps[namespace]
    for m in maps.values():
        m.url_fields = [f for f in m.fields if f.codec.holds_urls({m.namespace})]
        m.decoders = {
            f.key: (f.name, None if type(f.codec) is TextCodec else f.codec.decode, f.is_section)
            for f in m.fields
        }
        m.wire_required_names = frozenset(f.name for f in m.wire_required)
    binder.check_namespaces(maps.keys())
    binder.finish()
    return _Binding(table, root, maps, binder.enums)


@functools.cache
def key_table() -> KeyTable:
    """The shipped key table, parsed."""
    return parse_key_table(load_key_table())


@functools.cache
def _binding() -> _Binding:
    return bind(key_table())


# --- encoding -------------------------------------------------------------------------------


def _encode_map(m: _Map, model: Any, ctx: _EncodeContext | None = None) -> dict[int, Any]:
    # Without a context (other wire formats built on the key table machinery, such as
    # lifecycle events) URLs are written as text.
    if not isinstance(model, m.model):
        raise EncodeError(f"expected a {m.model.__name__}, got {type(model).__name__}")
    out: dict[int, Any] = {}
    for f in m.fields:
        value = getattr(model, f.name)
        if value is None:
            continue
        try:
            encoded = f.codec.encode(value, ctx)
        except EncodeError as e:
            e.path = (f.name, *(e.path or ()))
            raise
        if f.is_section and not encoded:
            continue  # an empty section says nothing
        out[f.key] = encoded
    return out


def to_wire(passport: BatteryPassport, *, share_url_prefixes: bool = True) -> Any:
    """The passport as plain values for :func:`~batterypass.codec.cbor.encode_value`:
    ``Tag(55799, {0: FORMAT_VERSION, 1: passport map, ?4: URL prefix table})``.

    ``share_url_prefixes=False`` writes every URL as text and no prefix table: for containers
    that take the passport map apart (a value must then make sense on its own); read such a
    value back with ``from_wire(..., share_url_prefixes=False)``.

    Raises :class:`~batterypass.errors.EncodeError` (with the field path) for a value the wire
    format cannot carry: a decimal beyond 34 digits or a UTC offset with a fraction of a second
    (neither can come from validated input), or an object that is not a passport.
    """
    if not isinstance(passport, BatteryPassport):
        raise EncodeError(f"expected a BatteryPassport, got {type(passport).__name__}")
    root = _binding().root
    urls: list[str] = []
    for f in root.url_fields:
        value = getattr(passport, f.name)
        if value is not None:
            f.codec.collect_urls(value, urls)
    table = url_prefix_table(urls) if share_url_prefixes else []
    ctx = _EncodeContext({prefix: i for i, prefix in enumerate(table)})
    envelope: dict[int, Any] = {
        ENVELOPE_VERSION: FORMAT_VERSION,
        ENVELOPE_PASSPORT: _encode_map(root, passport, ctx),
    }
    if table:
        envelope[ENVELOPE_URL_PREFIXES] = table
    return Tag(TAG_SELF_DESCRIBED, envelope)


# --- decoding -------------------------------------------------------------------------------


def _decode_map(m: _Map, value: Any, at: At, ctx: _DecodeContext | None = None) -> dict[str, Any]:
    if type(value) is not dict:
        raise expected(f"a map ({m.model.__name__})", value, at)
    out: dict[str, Any] = {}
    decoders = m.decoders
    for key, item in value.items():
        entry = decoders.get(key) if type(key) is int else None
        if entry is None:
            raise _unknown_key(m, key, at)
        name, decode, is_section = entry
        if decode is None:  # plain text: the one check TextCodec.decode makes, inline
            if type(item) is not str:
                raise expected("a text string", item, (at, key, name))
            out[name] = item
            continue
        if is_section and not item:
            raise error_at(
                (at, key, name), "empty section map; a section with nothing in it is left out"
            )
        out[name] = decode(item, (at, key, name), ctx)
    if not m.wire_required_names <= out.keys():
        for f in m.wire_required:
            if f.name not in out:
                raise error_at((at, f.key, f.name), f"required key {f.key} ({f.name}) missing")
    return out


def _unknown_key(m: _Map, key: Any, at: At) -> DecodeError:
    if type(key) is int:
        at = (at, key, None)  # the key path includes the key, if it is one
    if type(key) is int and key in m.retired:
        row = m.retired[key]
        return error_at(
            at,
            f"key {key} of {m.label()} was retired in format version {row.retired} "
            f"(it was {row.name})",
        )
    shown = key if type(key) is int else repr(key)
    known = ", ".join(f"{f.key}={f.name}" for f in m.fields)
    return error_at(at, f"unknown key {shown} in {m.label()} (known: {known})")


def from_wire(
    value: Any,
    *,
    source: str | None = None,
    max_bytes: int = DEFAULT_LIMITS.max_bytes,
    share_url_prefixes: bool = True,
) -> BatteryPassport:
    """The passport from plain values as :func:`~batterypass.codec.cbor.decode_value`
    returns them.

    Raises :class:`~batterypass.errors.DecodeError` for anything that is not the passport
    wire format (wrong envelope or version, unknown or retired key, wrong type, enum code out
    of range, a non-canonical form), naming the key path (``1/5/3``) and the field path; and
    :class:`~batterypass.errors.ValidationError` (from the model) for a well-formed passport
    that breaks a rule of the model. ``max_bytes`` bounds the text the URL prefix table may
    restore (the decoder's limit on its input, so that sharing cannot multiply memory).
    ``share_url_prefixes=False`` reads what ``to_wire(..., share_url_prefixes=False)`` writes:
    URLs as text only, no prefix table.
    """
    try:
        plain = _unwrap(value, max_bytes, share_url_prefixes)
    except DecodeError as e:
        if source:
            e.with_source(source)
        raise
    return parse_passport(plain, source=source)


def _unwrap(value: Any, max_bytes: int, share_url_prefixes: bool) -> dict[str, Any]:
    top: At = None
    if not isinstance(value, Tag) or value.tag != TAG_SELF_DESCRIBED:
        raise error_at(
            top,
            f"not a batterypass passport: expected tag {TAG_SELF_DESCRIBED} (self-described "
            f"CBOR) around the envelope, got {kind_of(value)}",
        )
    envelope = value.value
    if type(envelope) is not dict:
        raise expected("the envelope map {0: format version, 1: passport}", envelope, top)
    for key in envelope:
        if type(key) is not int or key not in _ENVELOPE_KEYS:
            shown = key if type(key) is int else repr(key)
            raise error_at(
                top,
                f"unknown key {shown} in the envelope "
                "(known: 0=format_version, 1=passport, 4=url_prefixes)",
            )
    version = envelope.get(ENVELOPE_VERSION)
    at_version: At = (top, ENVELOPE_VERSION, "format_version")
    if version is None:
        raise error_at(at_version, "the envelope has no format version (key 0)")
    if version != FORMAT_VERSION or type(version) is not int:
        raise error_at(
            at_version,
            f"unsupported passport format version {version!r}; this decoder reads version "
            f"{FORMAT_VERSION}",
        )
    if ENVELOPE_PASSPORT not in envelope:
        raise error_at(top, "the envelope has no passport (key 1)")
    if not share_url_prefixes:
        if ENVELOPE_URL_PREFIXES in envelope:
            raise error_at(_AT_PREFIXES, "a URL prefix table is not allowed here (URLs are text)")
        return _decode_map(
            _binding().root, envelope[ENVELOPE_PASSPORT], (None, ENVELOPE_PASSPORT, None), None
        )
    ctx = _prefix_table(envelope, max_bytes)
    plain = _decode_map(
        _binding().root, envelope[ENVELOPE_PASSPORT], (None, ENVELOPE_PASSPORT, None), ctx
    )
    _check_prefix_use(ctx)
    return plain


_ENVELOPE_KEYS: Final = (ENVELOPE_VERSION, ENVELOPE_PASSPORT, ENVELOPE_URL_PREFIXES)
_AT_PREFIXES: Final[At] = (None, ENVELOPE_URL_PREFIXES, "url_prefixes")


def _prefix_table(envelope: Mapping[int, Any], max_bytes: int) -> _DecodeContext:
    """The prefix table of the envelope, checked entry by entry (its canonical content is
    checked once every URL is known, by :func:`_check_prefix_use`)."""
    table = envelope.get(ENVELOPE_URL_PREFIXES)
    if table is None:
        return _DecodeContext(budget=max_bytes)
    if type(table) is not list:
        raise expected("the URL prefix table, an array of text strings", table, _AT_PREFIXES)
    if not table:
        raise error_at(
            _AT_PREFIXES, "empty URL prefix table; with no prefix to share it is left out"
        )
    sizes: list[int] = []
    for i, entry in enumerate(table):
        at: At = (_AT_PREFIXES, i, i)
        if type(entry) is not str:
            raise expected("a URL prefix (text string)", entry, at)
        if not entry.endswith("/"):
            raise error_at(at, f"URL prefix {entry!r} does not end with '/'")
        sizes.append(len(entry.encode("utf-8")))
    return _DecodeContext(table, sizes, max_bytes)


def _check_prefix_use(ctx: _DecodeContext) -> None:
    """Reject a prefix table other than the canonical one for the URLs decoded, and a URL
    written as text whose prefix is in the table."""
    table = list(ctx.table)
    canonical = url_prefix_table(url for url, _, _ in ctx.urls)
    if table != canonical:
        raise _table_error(table, canonical, ctx)
    entries = {prefix: i for i, prefix in enumerate(table)}
    for url, index, at in ctx.urls:
        if index is None and url_prefix(url) in entries:
            raise error_at(
                at,
                f"URL written as text although its prefix {url_prefix(url)!r} is entry "
                f"{entries[url_prefix(url)]} of the prefix table; write [index, suffix]",
            )


def _table_error(table: list[str], canonical: list[str], ctx: _DecodeContext) -> DecodeError:
    k = next(
        (i for i, (a, b) in enumerate(zip(table, canonical, strict=False)) if a != b),
        min(len(table), len(canonical)),
    )
    if k < len(table):
        entry = table[k]
        at: At = (_AT_PREFIXES, k, k)
        uses = sum(1 for url, _, _ in ctx.urls if url_prefix(url) == entry)
        if entry in table[:k]:
            return error_at(
                at, f"URL prefix {entry!r} is listed twice (entries {table.index(entry)} and {k})"
            )
        if uses < 2:
            return error_at(
                at,
                f"URL prefix {entry!r} is the prefix of {uses} URL(s); an entry must be "
                "shared by at least 2",
            )
        return error_at(
            at,
            f"URL prefix table out of order: entries follow the first use of each prefix, "
            f"and entry {k} should be {canonical[k]!r}",
        )
    missing = canonical[k]
    first = next(at for url, _, at in ctx.urls if url_prefix(url) == missing)
    return error_at(
        first,
        f"URLs share the prefix {missing!r}, which the URL prefix table lacks "
        "(every prefix shared by 2 URLs or more is in the table)",
    )


# --- locating byte offsets ------------------------------------------------------------------


def names_of_key_path(keys: Sequence[int | str]) -> tuple[PathItem, ...]:
    """The field path (``("general", "mass_kg")``) of a key path (``(1, 6, 7)``), as far as
    the key table knows it."""
    if len(keys) < 1 or keys[0] != ENVELOPE_PASSPORT:
        return ()
    names: list[PathItem] = []
    current: _Map | None = _binding().root
    codec: Codec | None = None
    for key in keys[1:]:
        if codec is not None and isinstance(codec, ArrayCodec):
            if type(key) is not int:
                break
            names.append(key)
            codec = codec.item
            current = codec.map if isinstance(codec, _Nested) else None
            continue
        if current is None or type(key) is not int or key not in current.by_key:
            break
        f = current.by_key[key]
        names.append(f.name)
        codec = f.codec
        current = codec.map if isinstance(codec, _Nested) else None
    return tuple(names)


def locate(error: DecodeError, data: bytes, source: str | None = None) -> DecodeError:
    """``error`` (from the generic decoder, with a byte offset) with the key path and field
    path of that offset added, when there is one, and ``source``."""
    if source:
        error.with_source(source)
    if error.offset is None:
        return error
    keys = key_path_at(bytes(data), error.offset)
    if not keys:
        return error
    where = "/".join(str(k) for k in keys)
    return DecodeError(
        f"{error.message} (key path {where})",
        path=names_of_key_path(keys) or None,
        offset=error.offset,
        source=error.source,
    )


# --- bytes ----------------------------------------------------------------------------------


def dumps(passport: BatteryPassport) -> bytes:
    """The passport's deterministic CBOR (``specs/cbor-format.md``): the bytes to sign.

    Raises :class:`~batterypass.errors.EncodeError` for a value the format cannot carry.
    """
    return encode_value(to_wire(passport))


def loads(
    data: bytes | bytearray | memoryview,
    *,
    limits: DecodeLimits = DEFAULT_LIMITS,
    source: str | None = None,
) -> BatteryPassport:
    """Decode and validate a passport from its CBOR (``specs/cbor-format.md``).

    ``data`` is bytes or any other contiguous buffer of them (``bytearray``, ``memoryview``).
    Raises :class:`~batterypass.errors.DecodeError` for bytes that are not a passport document
    in deterministic form (naming the byte offset, the key path and the field path) and
    :class:`~batterypass.errors.ValidationError` for a document that breaks a rule of the
    model. ``source`` (a file name) is recorded in the error.
    """
    if type(data) is not bytes:
        # One copy up front: the compiled build checks ``bytes`` annotations at run time.
        data = bytes(data)
    try:
        value = decode_value(data, limits=limits, allowed_tags=WIRE_TAGS)
    except DecodeError as e:
        located = locate(e, data, source)
        if located is e:
            raise
        raise located from e
    return from_wire(value, source=source, max_bytes=limits.max_bytes)


# Bytes JSON text can start with (RFC 8259): white space, a UTF-8 byte order mark, a value.
_JSON_FIRST_BYTES: Final = frozenset(b' \t\r\n\xef{["-0123456789tfn')


def looks_like_cbor(data: bytes) -> bool:
    """Whether ``data`` is CBOR rather than JSON text, from its first bytes.

    True for every passport :func:`dumps` writes (they start with :data:`MAGIC`, the
    self-described CBOR tag 55799, ``d9 d9 f7``) and for anything else that cannot be JSON
    text (a COSE_Sign1 message, ``d2 ...``); False for text that starts like JSON, and for
    empty input.
    """
    if data[:3] == MAGIC:
        return True
    return bool(data) and data[0] not in _JSON_FIRST_BYTES
