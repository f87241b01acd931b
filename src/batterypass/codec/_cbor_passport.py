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

import csv
import enum
import functools
import io
import types
import typing
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal
from importlib import resources
from typing import Any, Final, Literal, Union

import annotated_types
from pydantic import AwareDatetime, BaseModel

from batterypass.codec.cbor import DEFAULT_LIMITS, Tag
from batterypass.errors import DecodeError, EncodeError, PathItem
from batterypass.model import BatteryPassport, Record, Section, Url, parse_passport

__all__ = [
    "FORMAT_VERSION",
    "KEY_TABLE_COLUMNS",
    "MAGIC",
    "WIRE_TAGS",
    "KeyRow",
    "KeyTable",
    "KeyTableMismatch",
    "bind",
    "check_type",
    "field_wire_type",
    "from_wire",
    "key_path_at",
    "key_table",
    "load_key_table",
    "locate",
    "names_of_key_path",
    "parse_key_table",
    "to_wire",
    "wire_type_of",
]

FORMAT_VERSION: Final = 1
"""Version of the passport wire format (the key table) this module writes and reads."""

TAG_SELF_DESCRIBED: Final = 55799
TAG_EPOCH: Final = 1
TAG_BIGNUM: Final = 2
TAG_NEG_BIGNUM: Final = 3
TAG_DECIMAL: Final = 4
TAG_DAYS: Final = 100
WIRE_TAGS: Final = frozenset(
    {TAG_EPOCH, TAG_BIGNUM, TAG_NEG_BIGNUM, TAG_DECIMAL, TAG_DAYS, TAG_SELF_DESCRIBED}
)
"""Every tag a passport document may contain."""

MAGIC: Final = b"\xd9\xd9\xf7"
"""The first three bytes of every passport document: tag 55799 (RFC 8949 section 3.4.6)."""

KEY_TABLE_COLUMNS: Final = (
    "path",
    "key",
    "type",
    "unit",
    "access_group",
    "since_version",
    "retired",
)

ENVELOPE_VERSION: Final = 0
ENVELOPE_PASSPORT: Final = 1
# Keys 2 and 3 are the disclosable payload's (specs/selective-disclosure.md): a plain passport
# envelope never has them, so neither kind of document passes for the other.
ENVELOPE_URL_PREFIXES: Final = 4

# Decimal fractions: the model allows at most 34 significant digits and magnitudes within
# 1e-40..1e40, so a normalised exponent lies in -73..40 and a mantissa needs at most 113 bits.
# Mantissas beyond the CBOR integer range (20 digits and more) are bignums of <= 15 bytes.
MAX_DIGITS: Final = 34
MIN_EXPONENT: Final = -73
MAX_EXPONENT: Final = 40
_MAX_MANTISSA: Final = 10**MAX_DIGITS - 1
_UINT64_MAX: Final = 2**64 - 1
_INT_MIN: Final = -(2**64)
_MAX_BIGNUM_BYTES: Final = (_MAX_MANTISSA.bit_length() + 7) // 8

_EPOCH: Final = datetime(1970, 1, 1, tzinfo=UTC)
_EPOCH_NAIVE: Final = datetime(1970, 1, 1)  # naive on purpose: wall-clock arithmetic
_EPOCH_ORDINAL: Final = date(1970, 1, 1).toordinal()
_MIN_DAYS: Final = date.min.toordinal() - _EPOCH_ORDINAL
_MAX_DAYS: Final = date.max.toordinal() - _EPOCH_ORDINAL
_MAX_OFFSET: Final = 86_399  # |UTC offset| < 24 h, as Python's timezone requires
_ONE_SECOND: Final = timedelta(seconds=1)

# The model's URL type (an absolute http(s) URL) is told from other text by its validator,
# which every field annotated ``Url`` carries as the same object.
_URL_CHECK: Final = typing.get_args(Url)[-1]


# --- the key table --------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class KeyRow:
    """One row of the key table: a field (or an enum value) and its integer key."""

    path: str
    key: int
    type: str
    unit: str
    access_group: int | None
    since_version: int
    retired: int | None
    line: int = field(default=0, compare=False)

    @property
    def namespace(self) -> str:
        """The map (or enum) the key is unique in: ``""`` for the passport map, a dotted
        section path, a record type name, or ``enum:Name``."""
        head, _, _ = self.path.rpartition(":" if self.is_enum_value else ".")
        return head

    @property
    def name(self) -> str:
        """The field name (or the enum value)."""
        return self.path.rpartition(":" if self.is_enum_value else ".")[2]

    @property
    def is_enum_value(self) -> bool:
        return self.path.startswith("enum:")

    @property
    def optional(self) -> bool:
        """Whether the field may be absent from its map (type written with a ``?``)."""
        return self.type.startswith("?")

    @property
    def base_type(self) -> str:
        return self.type.removeprefix("?")

    def live_in(self, version: int) -> bool:
        """Whether the key is in use in wire format ``version``."""
        return self.since_version <= version and (self.retired is None or version < self.retired)


@dataclass(frozen=True, slots=True)
class KeyTable:
    """The parsed key table: rows by namespace, checked for the table's own invariants."""

    rows: tuple[KeyRow, ...]
    namespaces: Mapping[str, Mapping[int, KeyRow]]
    """Every key ever assigned, retired ones included, by namespace."""

    def live(self, namespace: str, version: int = FORMAT_VERSION) -> dict[str, KeyRow]:
        """The keys in use in ``namespace``, by field name."""
        return {
            row.name: row
            for row in self.namespaces.get(namespace, {}).values()
            if row.live_in(version)
        }


_NAME_CHARS: Final = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_")
_ENUM_VALUE_CHARS: Final = frozenset("abcdefghijklmnopqrstuvwxyz0123456789-_.")
_SCALARS: Final = frozenset({"tstr", "url", "uint", "int", "bool", "decimal", "date", "datetime"})


def _is_name(text: str, chars: frozenset[str] = _NAME_CHARS) -> bool:
    return bool(text) and not text[0].isdigit() and set(text) <= chars


def check_type(text: str) -> None:
    """Raise ValueError unless ``text`` is a type of the key table's type grammar."""
    base = text.removeprefix("?")
    if not base or base.startswith("?"):
        raise ValueError(f"malformed type {text!r}")
    for choice in base.split("/"):
        _check_base_type(choice, text)


def _check_base_type(choice: str, text: str) -> None:
    if choice in _SCALARS or choice == "section":
        return
    kind, _, rest = choice.partition(":")
    if kind == "array" and rest and "/" not in rest:
        _check_base_type(rest, text)
        return
    named = kind in ("enum", "record") and _is_name(rest)
    constant = kind == "const" and bool(rest) and not set(rest) & set(',"/')
    if not (named or constant):
        raise ValueError(f"unknown type {choice!r} in {text!r}")


def _uint_cell(text: str, column: str, *, allow_empty: bool = False) -> int | None:
    if not text and allow_empty:
        return None
    # Canonical decimal digits only: no sign, no leading zeros, no spaces.
    if not text.isdigit() or not text.isascii() or (len(text) > 1 and text[0] == "0"):
        raise ValueError(f"{column} must be a non-negative integer, not {text!r}")
    return int(text)


def parse_key_table(text: str) -> KeyTable:
    """Parse and check the key table CSV.

    Checks what the table must satisfy on its own: the header, well-formed cells, unique
    paths, keys unique within each namespace *including retired ones* (a retired key is never
    reused), ``retired`` later than ``since_version``. Raises ValueError naming the line.
    """
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    rows: list[KeyRow] = []
    namespaces: dict[str, dict[int, KeyRow]] = {}
    paths: dict[str, int] = {}
    try:
        header = next(reader)
    except StopIteration:
        raise ValueError("the key table is empty") from None
    if tuple(header) != KEY_TABLE_COLUMNS:
        raise ValueError(f"line 1: header must be {','.join(KEY_TABLE_COLUMNS)}")
    for cells in reader:
        line = reader.line_num
        try:
            row = _parse_row(cells, line)
        except ValueError as e:
            raise ValueError(f"line {line}: {e}") from None
        if row.path in paths:
            raise ValueError(
                f"line {line}: path {row.path!r} is listed twice (first on line {paths[row.path]})"
            )
        paths[row.path] = line
        keys = namespaces.setdefault(row.namespace, {})
        other = keys.get(row.key)
        if other is not None:
            state = " (retired: keys are never reused)" if other.retired is not None else ""
            raise ValueError(
                f"line {line}: key {row.key} of {row.path!r} is already taken in its "
                f"namespace by {other.path!r} on line {other.line}{state}"
            )
        keys[row.key] = row
        rows.append(row)
    return KeyTable(tuple(rows), namespaces)


def _parse_row(cells: Sequence[str], line: int) -> KeyRow:
    if len(cells) != len(KEY_TABLE_COLUMNS):
        raise ValueError(f"expected {len(KEY_TABLE_COLUMNS)} cells, got {len(cells)}")
    path, key_text, type_text, unit, group_text, since_text, retired_text = cells
    if path.startswith("enum:"):
        parts = path.split(":")
        if len(parts) != 3 or not _is_name(parts[1]) or not parts[2]:
            raise ValueError(f"enum value path must be enum:Name:value, not {path!r}")
        if not set(parts[2]) <= _ENUM_VALUE_CHARS:
            raise ValueError(f"enum value {parts[2]!r} has characters outside [a-z0-9._-]")
        if type_text != "uint" or unit or group_text:
            raise ValueError("an enum value row has type uint and no unit or access group")
    else:
        names = path.split(".")
        if not all(_is_name(n) for n in names):
            raise ValueError(f"malformed path {path!r}")
        if len(names) > 2 and names[0][0].isupper():
            raise ValueError(f"a record field path is RecordType.field, not {path!r}")
        check_type(type_text)
    key = _uint_cell(key_text, "key")
    group = _uint_cell(group_text, "access_group", allow_empty=True)
    if group is not None and not 1 <= group <= 4:
        raise ValueError(f"access_group must be 1..4 or empty, not {group}")
    since = _uint_cell(since_text, "since_version")
    retired = _uint_cell(retired_text, "retired", allow_empty=True)
    assert key is not None
    assert since is not None
    if since < 1:
        raise ValueError("since_version starts at 1")
    if retired is not None and retired <= since:
        raise ValueError(f"retired ({retired}) must be a later version than since ({since})")
    return KeyRow(path, key, type_text, unit, group, since, retired, line)


def load_key_table() -> str:
    """The key table shipped with the package (``batterypass/data/cbor-keys.csv``)."""
    ref = resources.files("batterypass").joinpath("data", "cbor-keys.csv")
    return ref.read_text(encoding="utf-8")


# --- the model's side: what type each field has on the wire ---------------------------------


def wire_type_of(annotation: Any, metadata: Sequence[Any] = ()) -> str:
    """The key table type of a model field's annotation (``?`` not included)."""
    origin = typing.get_origin(annotation)
    if origin is typing.Annotated:
        base, *extra = typing.get_args(annotation)
        return wire_type_of(base, [*metadata, *_flatten_metadata(extra)])
    if origin in (Union, types.UnionType):
        choices = [a for a in typing.get_args(annotation) if a is not type(None)]
        return "/".join(wire_type_of(a, metadata) for a in choices)
    if origin is Literal:
        values = typing.get_args(annotation)
        if not all(isinstance(v, str) for v in values):
            raise TypeError(f"only text literals have a wire type: {annotation!r}")
        return "/".join(f"const:{v}" for v in values)
    if origin is tuple:
        args = typing.get_args(annotation)
        if len(args) != 2 or args[1] is not Ellipsis:
            raise TypeError(f"only tuple[X, ...] has a wire type: {annotation!r}")
        return f"array:{wire_type_of(args[0])}"
    if isinstance(annotation, type):
        if issubclass(annotation, bool):
            return "bool"
        if issubclass(annotation, enum.Enum):
            return f"enum:{annotation.__name__}"
        if issubclass(annotation, int):
            return "uint" if _non_negative(metadata) else "int"
        if issubclass(annotation, str):
            return "url" if any(m is _URL_CHECK for m in metadata) else "tstr"
        if issubclass(annotation, Decimal):
            return "decimal"
        if issubclass(annotation, datetime | AwareDatetime):
            return "datetime"
        if issubclass(annotation, date):
            return "date"
        if issubclass(annotation, Section):
            return "section"
        if issubclass(annotation, Record):
            return f"record:{annotation.__name__}"
    raise TypeError(f"no wire type for {annotation!r}")


def _flatten_metadata(items: Sequence[Any]) -> Iterator[Any]:
    for item in items:
        yield item
        yield from getattr(item, "metadata", ())  # a FieldInfo inside Annotated


def _non_negative(metadata: Sequence[Any]) -> bool:
    for m in metadata:
        if isinstance(m, annotated_types.Ge) and isinstance(m.ge, int) and m.ge >= 0:
            return True
        if isinstance(m, annotated_types.Gt) and isinstance(m.gt, int) and m.gt >= -1:
            return True
    return False


def field_wire_type(model: type[BaseModel], name: str) -> str:
    """The key table type (with ``?`` for a field that may be absent) of a model field."""
    info = model.model_fields[name]
    base = wire_type_of(info.annotation, info.metadata)
    # Absent exactly when not provided: None-defaulted data points and sections (which are
    # left out when empty). Fields with any other default (schema_version, a tuple that
    # defaults to ()) are always written, so that absence has one meaning only.
    optional = base == "section" or (not info.is_required() and info.default is None)
    return f"?{base}" if optional else base


# --- binding the table to the model ---------------------------------------------------------


@dataclass(slots=True)
class _Field:
    name: str
    key: int
    optional: bool
    model_required: bool
    codec: _Codec
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


class _Codec:
    """Converts the values of one wire type."""

    wire: str = ""

    def encode(self, value: Any, ctx: _EncodeContext | None = None) -> Any:
        raise NotImplementedError

    def decode(self, value: Any, at: _At, ctx: _DecodeContext | None = None) -> Any:
        raise NotImplementedError

    def accepts(self, value: Any) -> bool:
        """Whether ``value`` has this type's shape on the wire (for choices)."""
        return True

    def collect_urls(self, value: Any, out: list[str]) -> None:
        """Append the URLs in ``value`` (a model value) to ``out``, in wire order."""

    def holds_urls(self, seen: set[str]) -> bool:
        """Whether values of this type may contain a URL (``seen``: maps being visited)."""
        return False


# Where a value sits, as a chain (parent, key, name) from the envelope down; None is the
# document itself. A chain of tuples costs next to nothing to extend, and the key path and
# field path are only spelled out when there is an error to report.
_At = tuple[Any, int | str, PathItem | None] | None


def _error(at: _At, message: str) -> DecodeError:
    keys: list[int | str] = []
    names: list[PathItem] = []
    while at is not None:
        at, key, name = at
        keys.append(key)
        if name is not None:
            names.append(name)
    where = "/".join(str(k) for k in reversed(keys)) or "(top)"
    return DecodeError(f"{message} (key path {where})", path=tuple(reversed(names)))


def _kind(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int):
        return "an integer"
    if isinstance(value, str):
        return "a text string"
    if isinstance(value, bytes):
        return "a byte string"
    if isinstance(value, list):
        return "an array"
    if isinstance(value, dict):
        return "a map"
    if isinstance(value, Tag):
        return f"tag {value.tag}"
    return type(value).__name__


def _expected(what: str, value: Any, at: _At) -> DecodeError:
    if value is None:
        return _error(
            at, f"null is not allowed; a value that is not provided is left out (expected {what})"
        )
    return _error(at, f"expected {what}, got {_kind(value)}")


class _Text(_Codec):
    wire = "tstr"

    def encode(self, value: Any, ctx: _EncodeContext | None = None) -> Any:
        if not isinstance(value, str):
            raise EncodeError(f"expected text, got {type(value).__name__}")
        return str(value)

    def decode(self, value: Any, at: _At, ctx: _DecodeContext | None = None) -> Any:
        if type(value) is not str:
            raise _expected("a text string", value, at)
        return value

    def accepts(self, value: Any) -> bool:
        return type(value) is str


class _Const(_Text):
    def __init__(self, text: str) -> None:
        self.text = text
        self.wire = f"const:{text}"

    def decode(self, value: Any, at: _At, ctx: _DecodeContext | None = None) -> Any:
        if value != self.text or type(value) is not str:
            raise _expected(f"the text {self.text!r}", value, at)
        return value

    def accepts(self, value: Any) -> bool:
        return type(value) is str and value == self.text


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
    urls: list[tuple[str, int | None, _At]] = field(default_factory=list)


class _Url(_Codec):
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

    def decode(self, value: Any, at: _At, ctx: _DecodeContext | None = None) -> Any:
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
            raise _expected("a URL: a text string or [prefix index, suffix]", value, at)
        index, suffix = value
        table = ctx.table if ctx is not None else ()
        if not 0 <= index < len(table):
            raise _error(
                at, f"prefix index {index} is outside the URL prefix table ({len(table)} entries)"
            )
        if "/" in suffix:
            raise _error(
                at,
                "the suffix of a prefixed URL must not contain '/': the prefix is the URL up "
                "to and including its last '/'",
            )
        assert ctx is not None
        ctx.budget -= ctx.table_bytes[index]
        if ctx.budget < 0:
            raise _error(
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


class _Int(_Codec):
    def __init__(self, unsigned: bool) -> None:
        self.unsigned = unsigned
        self.wire = "uint" if unsigned else "int"

    def encode(self, value: Any, ctx: _EncodeContext | None = None) -> Any:
        if isinstance(value, bool) or not isinstance(value, int):
            raise EncodeError(f"expected an integer, got {type(value).__name__}")
        return int(value)

    def decode(self, value: Any, at: _At, ctx: _DecodeContext | None = None) -> Any:
        if type(value) is not int:
            raise _expected("an unsigned integer" if self.unsigned else "an integer", value, at)
        if self.unsigned and value < 0:
            raise _error(at, f"expected an unsigned integer, got {value}")
        return value

    def accepts(self, value: Any) -> bool:
        return type(value) is int


class _Bool(_Codec):
    wire = "bool"

    def encode(self, value: Any, ctx: _EncodeContext | None = None) -> Any:
        if not isinstance(value, bool):
            raise EncodeError(f"expected a boolean, got {type(value).__name__}")
        return value

    def decode(self, value: Any, at: _At, ctx: _DecodeContext | None = None) -> Any:
        if type(value) is not bool:
            raise _expected("true or false", value, at)
        return value

    def accepts(self, value: Any) -> bool:
        return type(value) is bool


class _Decimal(_Codec):
    """An integral value in the CBOR integer range as that integer (``45``, ``0``, ``1000``);
    any other value as ``4([exponent, mantissa])`` with the mantissa's trailing zeros
    stripped."""

    wire = "decimal"

    def encode(self, value: Any, ctx: _EncodeContext | None = None) -> Any:
        if not isinstance(value, Decimal):
            raise EncodeError(f"expected a Decimal, got {type(value).__name__}")
        sign, digits, exponent = value.as_tuple()
        if not isinstance(exponent, int):
            raise EncodeError(f"{value} is not a finite number")
        n = len(digits)
        while n > 1 and digits[n - 1] == 0:
            n -= 1
            exponent += 1
        mantissa = int("".join(map(str, digits[:n])))
        if mantissa == 0:
            return 0
        if mantissa > _MAX_MANTISSA or not MIN_EXPONENT <= exponent <= MAX_EXPONENT:
            raise EncodeError(
                f"{value} is outside the decimals the wire format carries (at most "
                f"{MAX_DIGITS} significant digits, exponent {MIN_EXPONENT}..{MAX_EXPONENT})"
            )
        if sign:
            mantissa = -mantissa
        if exponent >= 0:
            integral = mantissa * 10**exponent
            if _INT_MIN <= integral <= _UINT64_MAX:
                return integral
        return Tag(TAG_DECIMAL, [exponent, _integer(mantissa)])

    def decode(self, value: Any, at: _At, ctx: _DecodeContext | None = None) -> Any:
        if type(value) is int:
            return Decimal(value)
        if not isinstance(value, Tag) or value.tag != TAG_DECIMAL:
            raise _expected(
                "a decimal: an integer or a decimal fraction 4([exponent, mantissa])", value, at
            )
        pair = value.value
        if type(pair) is not list or len(pair) != 2:
            raise _error(at, "a decimal fraction (tag 4) holds an array [exponent, mantissa]")
        exponent, raw = pair
        if type(exponent) is not int:
            raise _error(at, f"decimal exponent must be an integer, got {_kind(exponent)}")
        mantissa = _mantissa(raw, at)
        if mantissa == 0:
            raise _error(at, "zero must be written as the integer 0, not as a decimal fraction")
        if mantissa % 10 == 0:
            raise _error(
                at,
                "decimal fraction is not normalised: the mantissa has trailing zeros "
                "(write [e+1, m/10])",
            )
        if not MIN_EXPONENT <= exponent <= MAX_EXPONENT:
            raise _error(
                at, f"decimal exponent {exponent} is outside {MIN_EXPONENT}..{MAX_EXPONENT}"
            )
        if not -_MAX_MANTISSA <= mantissa <= _MAX_MANTISSA:
            raise _error(at, f"decimal mantissa has more than {MAX_DIGITS} digits")
        if exponent >= 0 and _INT_MIN <= mantissa * 10**exponent <= _UINT64_MAX:
            raise _error(
                at,
                f"an integral decimal within the CBOR integer range must be written as the "
                f"plain integer {mantissa * 10**exponent}, not as a decimal fraction",
            )
        # From text, a Decimal is exact (no context rounding, unlike scaleb).
        return Decimal(f"{mantissa}E{exponent}")


def _integer(value: int) -> Any:
    """An integer as a CBOR integer when it fits, else as a bignum (RFC 8949 section 3.4.3)."""
    if 0 <= value <= _UINT64_MAX:
        return value
    if -_UINT64_MAX - 1 <= value < 0:
        return value
    if value > 0:
        return Tag(TAG_BIGNUM, value.to_bytes((value.bit_length() + 7) // 8, "big"))
    n = -1 - value
    return Tag(TAG_NEG_BIGNUM, n.to_bytes((n.bit_length() + 7) // 8, "big"))


def _mantissa(raw: Any, at: _At) -> int:
    if type(raw) is int:
        return raw
    if not isinstance(raw, Tag) or raw.tag not in (TAG_BIGNUM, TAG_NEG_BIGNUM):
        raise _error(at, f"decimal mantissa must be an integer or a bignum, got {_kind(raw)}")
    content = raw.value
    if type(content) is not bytes:
        raise _error(at, f"bignum (tag {raw.tag}) must hold a byte string, got {_kind(content)}")
    if len(content) > _MAX_BIGNUM_BYTES:
        raise _error(at, f"decimal mantissa has more than {MAX_DIGITS} digits")
    if not content or content[0] == 0:
        raise _error(at, "bignum has leading zero bytes (not in preferred serialization)")
    n = int.from_bytes(content, "big")
    if n <= _UINT64_MAX:
        raise _error(
            at, "bignum for a value that fits a CBOR integer (not preferred serialization)"
        )
    return n if raw.tag == TAG_BIGNUM else -1 - n


class _Date(_Codec):
    """``100(days since 1970-01-01)`` (RFC 8943)."""

    wire = "date"

    def encode(self, value: Any, ctx: _EncodeContext | None = None) -> Any:
        if not isinstance(value, date) or isinstance(value, datetime):
            raise EncodeError(f"expected a date, got {type(value).__name__}")
        return Tag(TAG_DAYS, value.toordinal() - _EPOCH_ORDINAL)

    def decode(self, value: Any, at: _At, ctx: _DecodeContext | None = None) -> Any:
        if not isinstance(value, Tag) or value.tag != TAG_DAYS:
            raise _expected("a date (tag 100, days since 1970-01-01)", value, at)
        days = value.value
        if type(days) is not int:
            raise _error(at, f"a date (tag 100) holds an integer, got {_kind(days)}")
        if not _MIN_DAYS <= days <= _MAX_DAYS:
            raise _error(at, f"date {days} days from 1970-01-01 is outside years 1..9999")
        return date.fromordinal(days + _EPOCH_ORDINAL)

    def accepts(self, value: Any) -> bool:
        return isinstance(value, Tag) and value.tag == TAG_DAYS


class _DateTime(_Codec):
    """``1(seconds)`` for whole seconds in UTC; otherwise ``[1(seconds), offset, ?micro]``.

    ``seconds`` counts whole seconds from 1970-01-01T00:00Z to the instant (rounded down),
    ``offset`` is the UTC offset of the original in seconds, and ``micro`` the microseconds
    (present only when not 0). Keeping the offset keeps the local date, which the model's
    rules compare with other dates; the instant alone would lose it.
    """

    wire = "datetime"

    def encode(self, value: Any, ctx: _EncodeContext | None = None) -> Any:
        if not isinstance(value, datetime):
            raise EncodeError(f"expected a datetime, got {type(value).__name__}")
        offset = value.utcoffset()
        if offset is None:
            raise EncodeError("a datetime without a UTC offset cannot be written")
        if offset.microseconds:
            raise EncodeError(f"UTC offset {offset} has a fraction of a second")
        seconds = Tag(TAG_EPOCH, (value - _EPOCH) // _ONE_SECOND)
        offset_s = offset.days * 86_400 + offset.seconds
        if offset_s == 0 and value.microsecond == 0:
            return seconds
        if value.microsecond:
            return [seconds, offset_s, value.microsecond]
        return [seconds, offset_s]

    def decode(self, value: Any, at: _At, ctx: _DecodeContext | None = None) -> Any:
        if isinstance(value, Tag):
            return self._build(value, 0, 0, at)
        if type(value) is not list or len(value) not in (2, 3):
            raise _expected(
                "a datetime: tag 1 or [tag 1, UTC offset in seconds, ?microsecond]", value, at
            )
        offset = value[1]
        micro = value[2] if len(value) == 3 else 0
        if type(offset) is not int or not -_MAX_OFFSET <= offset <= _MAX_OFFSET:
            raise _error(
                at,
                f"datetime UTC offset must be an integer of seconds within ±24 h, got {offset!r}",
            )
        if type(micro) is not int or not 0 <= micro <= 999_999:
            raise _error(at, f"datetime microsecond must be an integer 0..999999, got {micro!r}")
        if len(value) == 3 and micro == 0:
            raise _error(at, "datetime microsecond 0 must be left out (non-canonical)")
        if offset == 0 and micro == 0:
            raise _error(at, "a whole-second UTC datetime must be written as tag 1 alone")
        return self._build(value[0], offset, micro, at)

    def _build(self, tag: Any, offset: int, micro: int, at: _At) -> datetime:
        if not isinstance(tag, Tag) or tag.tag != TAG_EPOCH or type(tag.value) is not int:
            raise _error(at, f"datetime seconds must be tag 1 around an integer, got {_kind(tag)}")
        seconds = tag.value
        try:
            # Wall-clock arithmetic: the local time is in range whenever the original was,
            # even where the UTC instant is not (0001-01-01T00:30+01:00).
            local = _EPOCH_NAIVE + timedelta(seconds=seconds + offset, microseconds=micro)
        except OverflowError:
            raise _error(at, f"datetime {seconds} s from 1970 is outside years 1..9999") from None
        zone = UTC if offset == 0 else timezone(timedelta(seconds=offset))
        return local.replace(tzinfo=zone)


class _Enum(_Codec):
    def __init__(self, enum_type: type[enum.Enum], codes: Mapping[str, int]) -> None:
        self.enum_type = enum_type
        self.codes = dict(codes)
        self.members = {code: enum_type(value) for value, code in codes.items()}
        self.wire = f"enum:{enum_type.__name__}"

    def encode(self, value: Any, ctx: _EncodeContext | None = None) -> Any:
        if not isinstance(value, self.enum_type):
            raise EncodeError(f"expected a {self.enum_type.__name__}, got {value!r}")
        return self.codes[value.value]

    def decode(self, value: Any, at: _At, ctx: _DecodeContext | None = None) -> Any:
        if type(value) is not int:
            raise _expected(f"a {self.enum_type.__name__} code (integer)", value, at)
        member = self.members.get(value)
        if member is None:
            known = ", ".join(f"{c}={m.value}" for c, m in sorted(self.members.items()))
            raise _error(at, f"{value} is not a {self.enum_type.__name__} code ({known})")
        return member

    def accepts(self, value: Any) -> bool:
        return type(value) is int


class _Array(_Codec):
    def __init__(self, item: _Codec) -> None:
        self.item = item
        self.wire = f"array:{item.wire}"

    def encode(self, value: Any, ctx: _EncodeContext | None = None) -> Any:
        if not isinstance(value, tuple | list):
            raise EncodeError(f"expected a sequence, got {type(value).__name__}")
        out = []
        for i, v in enumerate(value):
            try:
                out.append(self.item.encode(v, ctx))
            except EncodeError as e:
                e.path = (i, *(e.path or ()))
                raise
        return out

    def decode(self, value: Any, at: _At, ctx: _DecodeContext | None = None) -> Any:
        if type(value) is not list:
            raise _expected("an array", value, at)
        return [self.item.decode(v, (at, i, i), ctx) for i, v in enumerate(value)]

    def accepts(self, value: Any) -> bool:
        return type(value) is list

    def collect_urls(self, value: Any, out: list[str]) -> None:
        for v in value:
            self.item.collect_urls(v, out)

    def holds_urls(self, seen: set[str]) -> bool:
        return self.item.holds_urls(seen)


class _Choice(_Codec):
    """A value of one of several types that differ in their CBOR shape."""

    def __init__(self, choices: Sequence[_Codec], python: Sequence[Callable[[Any], bool]]) -> None:
        self.choices = list(choices)
        self.python = list(python)
        self.wire = "/".join(c.wire for c in choices)

    def encode(self, value: Any, ctx: _EncodeContext | None = None) -> Any:
        for is_instance, codec in zip(self.python, self.choices, strict=True):
            if is_instance(value):
                return codec.encode(value, ctx)
        raise EncodeError(f"{value!r} is none of {self.wire}")

    def decode(self, value: Any, at: _At, ctx: _DecodeContext | None = None) -> Any:
        for codec in self.choices:
            if codec.accepts(value):
                return codec.decode(value, at, ctx)
        raise _expected(" or ".join(_describe(c) for c in self.choices), value, at)

    def collect_urls(self, value: Any, out: list[str]) -> None:
        for is_instance, codec in zip(self.python, self.choices, strict=True):
            if is_instance(value):
                codec.collect_urls(value, out)
                return

    def holds_urls(self, seen: set[str]) -> bool:
        return any(c.holds_urls(seen) for c in self.choices)


def _describe(codec: _Codec) -> str:
    if isinstance(codec, _Const):
        return f"the text {codec.text!r}"
    if isinstance(codec, _Date):
        return "a date (tag 100)"
    return codec.wire


class _Nested(_Codec):
    """A section or record: a map in its own namespace."""

    def __init__(self, wire: str) -> None:
        self.wire = wire
        self.map: _Map | None = None  # bound after every namespace exists (records recur)

    def encode(self, value: Any, ctx: _EncodeContext | None = None) -> Any:
        assert self.map is not None
        return _encode_map(self.map, value, ctx)

    def decode(self, value: Any, at: _At, ctx: _DecodeContext | None = None) -> Any:
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
    enums: dict[str, _Enum]


class KeyTableMismatch(Exception):  # noqa: N818 - a programming error, not user input
    """The key table does not describe the model (a field without a key, a stale row...)."""


def bind(table: KeyTable, version: int = FORMAT_VERSION) -> _Binding:
    """Check ``table`` against the model and build the converters.

    Every field of every model class reachable from BatteryPassport needs a live row whose
    type matches the field's annotation; every live row needs a field; every member of every
    reachable enum needs a code. Raises :class:`KeyTableMismatch` listing every problem.
    """
    problems: list[str] = []
    maps: dict[str, _Map] = {}
    enums: dict[str, _Enum] = {}
    pending: list[tuple[_Nested, str]] = []

    def build_map(namespace: str, model: type[BaseModel]) -> _Map:
        known = maps.get(namespace)
        if known is not None:
            if known.model is not model:
                problems.append(f"namespace {namespace!r} is both {known.model} and {model}")
            return known
        m = _Map(namespace, model)
        maps[namespace] = m
        live = table.live(namespace, version)
        for old in table.namespaces.get(namespace, {}).values():
            if not old.live_in(version):
                m.retired[old.key] = old
        prefix = f"{namespace}." if namespace else ""
        for name, info in model.model_fields.items():
            row = live.pop(name, None)
            path = prefix + name
            if row is None:
                problems.append(f"{path}: model field without a key in the key table")
                continue
            try:
                want = field_wire_type(model, name)
            except TypeError as e:
                problems.append(f"{path}: {e}")
                continue
            if row.type != want:
                problems.append(f"{path}: key table type {row.type!r}, model says {want!r}")
                continue
            try:
                codec = build_codec(row.base_type, info.annotation, path)
            except KeyTableMismatch as e:
                problems.append(str(e))
                continue
            f = _Field(name, row.key, row.optional, info.is_required(), codec)
            f.is_section = row.base_type == "section"
            m.fields.append(f)
            m.by_key[row.key] = f
            if not f.optional and not f.model_required:
                m.wire_required.append(f)
        for name in live:
            problems.append(
                f"{prefix}{name}: key table row for a field the model lacks "
                f"(retire it instead of deleting it)"
            )
        m.fields.sort(key=lambda f: f.key)
        return m

    def build_codec(wire: str, annotation: Any, path: str) -> _Codec:
        choices = wire.split("/")
        if len(choices) > 1:
            members = _union_members(annotation)
            if len(members) != len(choices):
                raise KeyTableMismatch(f"{path}: {wire!r} does not match {annotation!r}")
            codecs = [build_codec(w, a, path) for w, a in zip(choices, members, strict=True)]
            return _Choice(codecs, [_python_check(a) for a in members])
        annotation = _strip(annotation)
        kind, _, rest = wire.partition(":")
        if wire == "tstr":
            return _Text()
        if wire == "url":
            return _Url()
        if kind == "const":
            return _Const(rest)
        if wire in ("uint", "int"):
            return _Int(wire == "uint")
        if wire == "bool":
            return _Bool()
        if wire == "decimal":
            return _Decimal()
        if wire == "date":
            return _Date()
        if wire == "datetime":
            return _DateTime()
        if kind == "array":
            return _Array(build_codec(rest, typing.get_args(annotation)[0], f"{path}[]"))
        if kind == "enum":
            return enum_codec(rest, annotation)
        if wire == "section" or kind == "record":
            nested = _Nested(wire)
            pending.append((nested, path if wire == "section" else rest))
            build_map(path if wire == "section" else rest, annotation)
            return nested
        raise KeyTableMismatch(f"{path}: unknown type {wire!r}")

    def enum_codec(name: str, enum_type: type[enum.Enum]) -> _Enum:
        known = enums.get(name)
        if known is not None:
            return known
        namespace = f"enum:{name}"
        live = table.live(namespace, version)
        codes: dict[str, int] = {}
        for member in enum_type:
            row = live.pop(str(member.value), None)
            if row is None:
                problems.append(f"{namespace}:{member.value}: enum value without a code")
            else:
                codes[str(member.value)] = row.key
        for value in live:
            problems.append(
                f"{namespace}:{value}: code for a value the enum lacks "
                f"(retire it instead of deleting it)"
            )
        codec = _Enum(enum_type, codes)
        enums[name] = codec
        return codec

    root = build_map("", BatteryPassport)
    for nested, namespace in pending:
        nested.map = maps[namespace]
    for m in maps.values():
        m.url_fields = [f for f in m.fields if f.codec.holds_urls({m.namespace})]
        m.decoders = {
            f.key: (f.name, None if type(f.codec) is _Text else f.codec.decode, f.is_section)
            for f in m.fields
        }
        m.wire_required_names = frozenset(f.name for f in m.wire_required)
    for namespace, rows in table.namespaces.items():
        if not any(r.live_in(version) for r in rows.values()):
            continue
        if namespace.startswith("enum:"):
            if namespace[5:] not in enums:
                problems.append(f"{namespace}: codes for an enum the model does not use")
        elif namespace not in maps:
            problems.append(f"{namespace}: key table namespace the model does not have")
    if problems:
        raise KeyTableMismatch("; ".join(problems))
    return _Binding(table, root, maps, enums)


def _strip(annotation: Any) -> Any:
    """The annotation without Annotated[...] and a ``| None``."""
    while True:
        origin = typing.get_origin(annotation)
        if origin is typing.Annotated:
            annotation = typing.get_args(annotation)[0]
        elif origin in (Union, types.UnionType):
            members = [a for a in typing.get_args(annotation) if a is not type(None)]
            if len(members) != 1:
                return annotation
            annotation = members[0]
        else:
            return annotation


def _union_members(annotation: Any) -> list[Any]:
    annotation = _strip(annotation)
    out: list[Any] = []
    for member in typing.get_args(annotation):
        if member is type(None):
            continue
        member = _strip(member)
        if typing.get_origin(member) is Literal:
            out.extend(Literal[v] for v in typing.get_args(member))
        else:
            out.append(member)
    return out


def _python_check(annotation: Any) -> Callable[[Any], bool]:
    annotation = _strip(annotation)
    if typing.get_origin(annotation) is Literal:
        values = typing.get_args(annotation)
        return lambda v: isinstance(v, str) and v in values
    if annotation is date:
        return lambda v: isinstance(v, date) and not isinstance(v, datetime)
    if isinstance(annotation, type):
        cls = annotation
        return lambda v: isinstance(v, cls)
    raise KeyTableMismatch(f"cannot tell the members of {annotation!r} apart")


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


def _decode_map(m: _Map, value: Any, at: _At, ctx: _DecodeContext | None = None) -> dict[str, Any]:
    if type(value) is not dict:
        raise _expected(f"a map ({m.model.__name__})", value, at)
    out: dict[str, Any] = {}
    decoders = m.decoders
    for key, item in value.items():
        entry = decoders.get(key) if type(key) is int else None
        if entry is None:
            raise _unknown_key(m, key, at)
        name, decode, is_section = entry
        if decode is None:  # plain text: the one check _Text.decode makes, inline
            if type(item) is not str:
                raise _expected("a text string", item, (at, key, name))
            out[name] = item
            continue
        if is_section and not item:
            raise _error(
                (at, key, name), "empty section map; a section with nothing in it is left out"
            )
        out[name] = decode(item, (at, key, name), ctx)
    if not m.wire_required_names <= out.keys():
        for f in m.wire_required:
            if f.name not in out:
                raise _error((at, f.key, f.name), f"required key {f.key} ({f.name}) missing")
    return out


def _unknown_key(m: _Map, key: Any, at: _At) -> DecodeError:
    if type(key) is int:
        at = (at, key, None)  # the key path includes the key, if it is one
    if type(key) is int and key in m.retired:
        row = m.retired[key]
        return _error(
            at,
            f"key {key} of {m.label()} was retired in format version {row.retired} "
            f"(it was {row.name})",
        )
    shown = key if type(key) is int else repr(key)
    known = ", ".join(f"{f.key}={f.name}" for f in m.fields)
    return _error(at, f"unknown key {shown} in {m.label()} (known: {known})")


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
    top: _At = None
    if not isinstance(value, Tag) or value.tag != TAG_SELF_DESCRIBED:
        raise _error(
            top,
            f"not a batterypass passport: expected tag {TAG_SELF_DESCRIBED} (self-described "
            f"CBOR) around the envelope, got {_kind(value)}",
        )
    envelope = value.value
    if type(envelope) is not dict:
        raise _expected("the envelope map {0: format version, 1: passport}", envelope, top)
    for key in envelope:
        if type(key) is not int or key not in _ENVELOPE_KEYS:
            shown = key if type(key) is int else repr(key)
            raise _error(
                top,
                f"unknown key {shown} in the envelope "
                "(known: 0=format_version, 1=passport, 4=url_prefixes)",
            )
    version = envelope.get(ENVELOPE_VERSION)
    at_version: _At = (top, ENVELOPE_VERSION, "format_version")
    if version is None:
        raise _error(at_version, "the envelope has no format version (key 0)")
    if version != FORMAT_VERSION or type(version) is not int:
        raise _error(
            at_version,
            f"unsupported passport format version {version!r}; this decoder reads version "
            f"{FORMAT_VERSION}",
        )
    if ENVELOPE_PASSPORT not in envelope:
        raise _error(top, "the envelope has no passport (key 1)")
    if not share_url_prefixes:
        if ENVELOPE_URL_PREFIXES in envelope:
            raise _error(_AT_PREFIXES, "a URL prefix table is not allowed here (URLs are text)")
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
_AT_PREFIXES: Final[_At] = (None, ENVELOPE_URL_PREFIXES, "url_prefixes")


def _prefix_table(envelope: Mapping[int, Any], max_bytes: int) -> _DecodeContext:
    """The prefix table of the envelope, checked entry by entry (its canonical content is
    checked once every URL is known, by :func:`_check_prefix_use`)."""
    table = envelope.get(ENVELOPE_URL_PREFIXES)
    if table is None:
        return _DecodeContext(budget=max_bytes)
    if type(table) is not list:
        raise _expected("the URL prefix table, an array of text strings", table, _AT_PREFIXES)
    if not table:
        raise _error(_AT_PREFIXES, "empty URL prefix table; with no prefix to share it is left out")
    sizes: list[int] = []
    for i, entry in enumerate(table):
        at: _At = (_AT_PREFIXES, i, i)
        if type(entry) is not str:
            raise _expected("a URL prefix (text string)", entry, at)
        if not entry.endswith("/"):
            raise _error(at, f"URL prefix {entry!r} does not end with '/'")
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
            raise _error(
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
        at: _At = (_AT_PREFIXES, k, k)
        uses = sum(1 for url, _, _ in ctx.urls if url_prefix(url) == entry)
        if entry in table[:k]:
            return _error(
                at, f"URL prefix {entry!r} is listed twice (entries {table.index(entry)} and {k})"
            )
        if uses < 2:
            return _error(
                at,
                f"URL prefix {entry!r} is the prefix of {uses} URL(s); an entry must be "
                "shared by at least 2",
            )
        return _error(
            at,
            f"URL prefix table out of order: entries follow the first use of each prefix, "
            f"and entry {k} should be {canonical[k]!r}",
        )
    missing = canonical[k]
    first = next(at for url, _, at in ctx.urls if url_prefix(url) == missing)
    return _error(
        first,
        f"URLs share the prefix {missing!r}, which the URL prefix table lacks "
        "(every prefix shared by 2 URLs or more is in the table)",
    )


# --- locating byte offsets ------------------------------------------------------------------


def key_path_at(data: bytes, offset: int) -> tuple[int | str, ...]:
    """The map keys and array indices that lead to the data item at byte ``offset``.

    For error messages about bytes the generic decoder refused (a float, a duplicate key): a
    best-effort walk of the item headers before ``offset``; it never raises, and returns what
    it found so far on input it cannot follow.
    """
    # Frames: [is_map, children left, child index, current key]; tags are transparent.
    frames: list[list[Any]] = []
    pos = 0
    n = len(data)
    try:
        while pos < offset and pos < n:
            major, arg, pos_after = _read_head(data, pos)
            parent = frames[-1] if frames else None
            if parent is not None and parent[0] == "map" and parent[2] % 2 == 0:
                parent[3] = _read_key(data, pos)
            pos = pos_after
            if major in (2, 3):
                pos += arg
                _complete(frames)
            elif major in (4, 5) and arg > 0:
                frames.append(
                    ["map" if major == 5 else "array", arg * (2 if major == 5 else 1), 0, None]
                )
            elif major == 6:
                frames.append(["tag", 1, 0, None])
            else:
                _complete(frames)
        if pos == offset and frames and frames[-1][0] == "map" and frames[-1][2] % 2 == 0:
            frames[-1][3] = _read_key(data, pos)  # the item at offset is itself a key
    except (IndexError, ValueError):
        pass
    path: list[int | str] = []
    for kind, _left, index, key in frames:
        if kind == "map":
            if key is not None:
                path.append(key)
        elif kind == "array":
            path.append(index)
    return tuple(path)


def _complete(frames: list[list[Any]]) -> None:
    while frames:
        top = frames[-1]
        top[2] += 1
        if top[2] < top[1]:
            return
        frames.pop()


def _read_head(data: bytes, pos: int) -> tuple[int, int, int]:
    ib = data[pos]
    major, ai = ib >> 5, ib & 0x1F
    if ai < 24:
        return major, ai, pos + 1
    if ai > 27:
        raise ValueError("not a definite-length header")
    size = 1 << (ai - 24)
    if pos + 1 + size > len(data):
        raise ValueError("truncated header")
    return major, int.from_bytes(data[pos + 1 : pos + 1 + size], "big"), pos + 1 + size


def _read_key(data: bytes, pos: int) -> int | str:
    major, arg, after = _read_head(data, pos)
    if major == 0:
        return arg
    if major == 1:
        return -1 - arg
    if major == 3 and arg <= 64:
        return repr(data[after : after + arg].decode("utf-8", "replace"))
    return "?"


def names_of_key_path(keys: Sequence[int | str]) -> tuple[PathItem, ...]:
    """The field path (``("general", "mass_kg")``) of a key path (``(1, 6, 7)``), as far as
    the key table knows it."""
    if len(keys) < 1 or keys[0] != ENVELOPE_PASSPORT:
        return ()
    names: list[PathItem] = []
    current: _Map | None = _binding().root
    codec: _Codec | None = None
    for key in keys[1:]:
        if codec is not None and isinstance(codec, _Array):
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
