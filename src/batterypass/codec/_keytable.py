"""One key-table binder for every wire format built on a key table (passports, lifecycle
events): the table grammar and its parser, the wire type of a model field, the value codecs
(text, integers, booleans, decimals, dates, datetimes, enums, arrays, choices) and
:class:`Binder`, which checks a table against model classes and collects every problem.

Private to :mod:`batterypass.codec`; the passport format (``_cbor_passport``) and the event
format (:mod:`batterypass.lifecycle`, through the names ``batterypass.codec`` exports) add
only their envelopes and what is theirs alone (URL prefixes, sections, payload dispatch).
A codec turns model values into the plain values :func:`batterypass.codec.cbor.encode_value`
writes and back; it never sees bytes. Decoding errors name the key path and the field path.
"""

from __future__ import annotations

import csv
import enum
import io
import types
import typing
from collections.abc import Callable, Iterator, Mapping, Sequence, Set
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal
from typing import Any, Final, Literal, Union

import annotated_types
from pydantic import AwareDatetime, BaseModel
from pydantic.fields import FieldInfo

from batterypass.codec._cbor import Tag
from batterypass.errors import DecodeError, EncodeError, PathItem
from batterypass.model import Record, Section, Url

TAG_EPOCH: Final = 1
TAG_BIGNUM: Final = 2
TAG_NEG_BIGNUM: Final = 3
TAG_DECIMAL: Final = 4
TAG_DAYS: Final = 100


KEY_TABLE_COLUMNS: Final = (
    "path",
    "key",
    "type",
    "unit",
    "access_group",
    "since_version",
    "retired",
)


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

    def live(self, namespace: str, version: int = 1) -> dict[str, KeyRow]:
        """The keys in use in ``namespace`` at format ``version``, by field name."""
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


class Codec:
    """Converts the values of one wire type."""

    wire: str = ""

    def encode(self, value: Any, ctx: Any = None) -> Any:
        raise NotImplementedError

    def decode(self, value: Any, at: At, ctx: Any = None) -> Any:
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
At = tuple[Any, int | str, PathItem | None] | None


def error_at(at: At, message: str) -> DecodeError:
    keys: list[int | str] = []
    names: list[PathItem] = []
    while at is not None:
        at, key, name = at
        keys.append(key)
        if name is not None:
            names.append(name)
    where = "/".join(str(k) for k in reversed(keys)) or "(top)"
    return DecodeError(f"{message} (key path {where})", path=tuple(reversed(names)))


def kind_of(value: Any) -> str:
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


def expected(what: str, value: Any, at: At) -> DecodeError:
    if value is None:
        return error_at(
            at, f"null is not allowed; a value that is not provided is left out (expected {what})"
        )
    return error_at(at, f"expected {what}, got {kind_of(value)}")


class TextCodec(Codec):
    wire = "tstr"

    def encode(self, value: Any, ctx: Any = None) -> Any:
        if not isinstance(value, str):
            raise EncodeError(f"expected text, got {type(value).__name__}")
        return str(value)

    def decode(self, value: Any, at: At, ctx: Any = None) -> Any:
        if type(value) is not str:
            raise expected("a text string", value, at)
        return value

    def accepts(self, value: Any) -> bool:
        return type(value) is str


class ConstCodec(TextCodec):
    def __init__(self, text: str) -> None:
        self.text = text
        self.wire = f"const:{text}"

    def decode(self, value: Any, at: At, ctx: Any = None) -> Any:
        if value != self.text or type(value) is not str:
            raise expected(f"the text {self.text!r}", value, at)
        return value

    def accepts(self, value: Any) -> bool:
        return type(value) is str and value == self.text


class IntCodec(Codec):
    def __init__(self, unsigned: bool) -> None:
        self.unsigned = unsigned
        self.wire = "uint" if unsigned else "int"

    def encode(self, value: Any, ctx: Any = None) -> Any:
        if isinstance(value, bool) or not isinstance(value, int):
            raise EncodeError(f"expected an integer, got {type(value).__name__}")
        return int(value)

    def decode(self, value: Any, at: At, ctx: Any = None) -> Any:
        if type(value) is not int:
            raise expected("an unsigned integer" if self.unsigned else "an integer", value, at)
        if self.unsigned and value < 0:
            raise error_at(at, f"expected an unsigned integer, got {value}")
        return value

    def accepts(self, value: Any) -> bool:
        return type(value) is int


class BoolCodec(Codec):
    wire = "bool"

    def encode(self, value: Any, ctx: Any = None) -> Any:
        if not isinstance(value, bool):
            raise EncodeError(f"expected a boolean, got {type(value).__name__}")
        return value

    def decode(self, value: Any, at: At, ctx: Any = None) -> Any:
        if type(value) is not bool:
            raise expected("true or false", value, at)
        return value

    def accepts(self, value: Any) -> bool:
        return type(value) is bool


class DecimalCodec(Codec):
    """A decimal as ``4([exponent, mantissa])`` with the mantissa's trailing zeros stripped
    and a mantissa beyond the CBOR integer range as a bignum (ADR 0004); with
    ``integral_as_int`` (the passport format, ADR 0006) an integral value in the CBOR integer
    range is that integer instead (``45``, ``0``, ``1000``), and zero is always ``0``.
    Without it (lifecycle events), zero is ``4([0, 0])``."""

    wire = "decimal"

    def __init__(self, *, integral_as_int: bool = True) -> None:
        self.integral_as_int = integral_as_int

    def encode(self, value: Any, ctx: Any = None) -> Any:
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
            return 0 if self.integral_as_int else Tag(TAG_DECIMAL, [0, 0])
        if mantissa > _MAX_MANTISSA or not MIN_EXPONENT <= exponent <= MAX_EXPONENT:
            raise EncodeError(
                f"{value} is outside the decimals the wire format carries (at most "
                f"{MAX_DIGITS} significant digits, exponent {MIN_EXPONENT}..{MAX_EXPONENT})"
            )
        if sign:
            mantissa = -mantissa
        if self.integral_as_int and exponent >= 0:
            integral = mantissa * 10**exponent
            if _INT_MIN <= integral <= _UINT64_MAX:
                return integral
        return Tag(TAG_DECIMAL, [exponent, cbor_integer(mantissa)])

    def decode(self, value: Any, at: At, ctx: Any = None) -> Any:
        if type(value) is int and self.integral_as_int:
            return Decimal(value)
        if not isinstance(value, Tag) or value.tag != TAG_DECIMAL:
            what = "an integer or a decimal fraction" if self.integral_as_int else "a fraction"
            raise expected(f"a decimal: {what} 4([exponent, mantissa])", value, at)
        pair = value.value
        if type(pair) is not list or len(pair) != 2:
            raise error_at(at, "a decimal fraction (tag 4) holds an array [exponent, mantissa]")
        exponent, raw = pair
        if type(exponent) is not int:
            raise error_at(at, f"decimal exponent must be an integer, got {kind_of(exponent)}")
        mantissa = read_mantissa(raw, at)
        if mantissa == 0:
            if self.integral_as_int:
                raise error_at(
                    at, "zero must be written as the integer 0, not as a decimal fraction"
                )
            if exponent != 0:
                raise error_at(at, "zero must be written 4([0, 0])")
            return Decimal(0)
        if mantissa % 10 == 0:
            raise error_at(
                at,
                "decimal fraction is not normalised: the mantissa has trailing zeros "
                "(write [e+1, m/10])",
            )
        if not MIN_EXPONENT <= exponent <= MAX_EXPONENT:
            raise error_at(
                at, f"decimal exponent {exponent} is outside {MIN_EXPONENT}..{MAX_EXPONENT}"
            )
        if not -_MAX_MANTISSA <= mantissa <= _MAX_MANTISSA:
            raise error_at(at, f"decimal mantissa has more than {MAX_DIGITS} digits")
        if (
            self.integral_as_int
            and exponent >= 0
            and _INT_MIN <= mantissa * 10**exponent <= _UINT64_MAX
        ):
            raise error_at(
                at,
                f"an integral decimal within the CBOR integer range must be written as the "
                f"plain integer {mantissa * 10**exponent}, not as a decimal fraction",
            )
        # From text, a Decimal is exact (no context rounding, unlike scaleb).
        return Decimal(f"{mantissa}E{exponent}")


def cbor_integer(value: int) -> Any:
    """An integer as a CBOR integer when it fits, else as a bignum (RFC 8949 section 3.4.3)."""
    if 0 <= value <= _UINT64_MAX:
        return value
    if -_UINT64_MAX - 1 <= value < 0:
        return value
    if value > 0:
        return Tag(TAG_BIGNUM, value.to_bytes((value.bit_length() + 7) // 8, "big"))
    n = -1 - value
    return Tag(TAG_NEG_BIGNUM, n.to_bytes((n.bit_length() + 7) // 8, "big"))


def read_mantissa(raw: Any, at: At) -> int:
    if type(raw) is int:
        return raw
    if not isinstance(raw, Tag) or raw.tag not in (TAG_BIGNUM, TAG_NEG_BIGNUM):
        raise error_at(at, f"decimal mantissa must be an integer or a bignum, got {kind_of(raw)}")
    content = raw.value
    if type(content) is not bytes:
        raise error_at(
            at, f"bignum (tag {raw.tag}) must hold a byte string, got {kind_of(content)}"
        )
    if len(content) > _MAX_BIGNUM_BYTES:
        raise error_at(at, f"decimal mantissa has more than {MAX_DIGITS} digits")
    if not content or content[0] == 0:
        raise error_at(at, "bignum has leading zero bytes (not in preferred serialization)")
    n = int.from_bytes(content, "big")
    if n <= _UINT64_MAX:
        raise error_at(
            at, "bignum for a value that fits a CBOR integer (not preferred serialization)"
        )
    return n if raw.tag == TAG_BIGNUM else -1 - n


class DateCodec(Codec):
    """``100(days since 1970-01-01)`` (RFC 8943)."""

    wire = "date"

    def encode(self, value: Any, ctx: Any = None) -> Any:
        if not isinstance(value, date) or isinstance(value, datetime):
            raise EncodeError(f"expected a date, got {type(value).__name__}")
        return Tag(TAG_DAYS, value.toordinal() - _EPOCH_ORDINAL)

    def decode(self, value: Any, at: At, ctx: Any = None) -> Any:
        if not isinstance(value, Tag) or value.tag != TAG_DAYS:
            raise expected("a date (tag 100, days since 1970-01-01)", value, at)
        days = value.value
        if type(days) is not int:
            raise error_at(at, f"a date (tag 100) holds an integer, got {kind_of(days)}")
        if not _MIN_DAYS <= days <= _MAX_DAYS:
            raise error_at(at, f"date {days} days from 1970-01-01 is outside years 1..9999")
        return date.fromordinal(days + _EPOCH_ORDINAL)

    def accepts(self, value: Any) -> bool:
        return isinstance(value, Tag) and value.tag == TAG_DAYS


class DateTimeCodec(Codec):
    """``1(seconds)`` for whole seconds in UTC; otherwise ``[1(seconds), offset, ?micro]``.

    ``seconds`` counts whole seconds from 1970-01-01T00:00Z to the instant (rounded down),
    ``offset`` is the UTC offset of the original in seconds, and ``micro`` the microseconds
    (present only when not 0). Keeping the offset keeps the local date, which the model's
    rules compare with other dates; the instant alone would lose it.
    """

    wire = "datetime"

    def encode(self, value: Any, ctx: Any = None) -> Any:
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

    def decode(self, value: Any, at: At, ctx: Any = None) -> Any:
        if isinstance(value, Tag):
            return self._build(value, 0, 0, at)
        if type(value) is not list or len(value) not in (2, 3):
            raise expected(
                "a datetime: tag 1 or [tag 1, UTC offset in seconds, ?microsecond]", value, at
            )
        offset = value[1]
        micro = value[2] if len(value) == 3 else 0
        if type(offset) is not int or not -_MAX_OFFSET <= offset <= _MAX_OFFSET:
            raise error_at(
                at,
                f"datetime UTC offset must be an integer of seconds within ±24 h, got {offset!r}",
            )
        if type(micro) is not int or not 0 <= micro <= 999_999:
            raise error_at(at, f"datetime microsecond must be an integer 0..999999, got {micro!r}")
        if len(value) == 3 and micro == 0:
            raise error_at(at, "datetime microsecond 0 must be left out (non-canonical)")
        if offset == 0 and micro == 0:
            raise error_at(at, "a whole-second UTC datetime must be written as tag 1 alone")
        return self._build(value[0], offset, micro, at)

    def _build(self, tag: Any, offset: int, micro: int, at: At) -> datetime:
        if not isinstance(tag, Tag) or tag.tag != TAG_EPOCH or type(tag.value) is not int:
            raise error_at(
                at, f"datetime seconds must be tag 1 around an integer, got {kind_of(tag)}"
            )
        seconds = tag.value
        try:
            # Wall-clock arithmetic: the local time is in range whenever the original was,
            # even where the UTC instant is not (0001-01-01T00:30+01:00).
            local = _EPOCH_NAIVE + timedelta(seconds=seconds + offset, microseconds=micro)
        except OverflowError:
            raise error_at(at, f"datetime {seconds} s from 1970 is outside years 1..9999") from None
        zone = UTC if offset == 0 else timezone(timedelta(seconds=offset))
        return local.replace(tzinfo=zone)


class EnumCodec(Codec):
    def __init__(self, enum_type: type[enum.Enum], codes: Mapping[str, int]) -> None:
        self.enum_type = enum_type
        self.codes = dict(codes)
        self.members = {code: enum_type(value) for value, code in codes.items()}
        self.wire = f"enum:{enum_type.__name__}"

    def encode(self, value: Any, ctx: Any = None) -> Any:
        if not isinstance(value, self.enum_type):
            raise EncodeError(f"expected a {self.enum_type.__name__}, got {value!r}")
        return self.codes[value.value]

    def decode(self, value: Any, at: At, ctx: Any = None) -> Any:
        if type(value) is not int:
            raise expected(f"a {self.enum_type.__name__} code (integer)", value, at)
        member = self.members.get(value)
        if member is None:
            known = ", ".join(f"{c}={m.value}" for c, m in sorted(self.members.items()))
            raise error_at(at, f"{value} is not a {self.enum_type.__name__} code ({known})")
        return member

    def accepts(self, value: Any) -> bool:
        return type(value) is int


class ArrayCodec(Codec):
    def __init__(self, item: Codec) -> None:
        self.item = item
        self.wire = f"array:{item.wire}"

    def encode(self, value: Any, ctx: Any = None) -> Any:
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

    def decode(self, value: Any, at: At, ctx: Any = None) -> Any:
        if type(value) is not list:
            raise expected("an array", value, at)
        return [self.item.decode(v, (at, i, i), ctx) for i, v in enumerate(value)]

    def accepts(self, value: Any) -> bool:
        return type(value) is list

    def collect_urls(self, value: Any, out: list[str]) -> None:
        for v in value:
            self.item.collect_urls(v, out)

    def holds_urls(self, seen: set[str]) -> bool:
        return self.item.holds_urls(seen)


class ChoiceCodec(Codec):
    """A value of one of several types that differ in their CBOR shape."""

    def __init__(self, choices: Sequence[Codec], python: Sequence[Callable[[Any], bool]]) -> None:
        self.choices = list(choices)
        self.python = list(python)
        self.wire = "/".join(c.wire for c in choices)

    def encode(self, value: Any, ctx: Any = None) -> Any:
        for is_instance, codec in zip(self.python, self.choices, strict=True):
            if is_instance(value):
                return codec.encode(value, ctx)
        raise EncodeError(f"{value!r} is none of {self.wire}")

    def decode(self, value: Any, at: At, ctx: Any = None) -> Any:
        for codec in self.choices:
            if codec.accepts(value):
                return codec.decode(value, at, ctx)
        raise expected(" or ".join(describe(c) for c in self.choices), value, at)

    def collect_urls(self, value: Any, out: list[str]) -> None:
        for is_instance, codec in zip(self.python, self.choices, strict=True):
            if is_instance(value):
                codec.collect_urls(value, out)
                return

    def holds_urls(self, seen: set[str]) -> bool:
        return any(c.holds_urls(seen) for c in self.choices)


def describe(codec: Codec) -> str:
    if isinstance(codec, ConstCodec):
        return f"the text {codec.text!r}"
    if isinstance(codec, DateCodec):
        return "a date (tag 100)"
    return codec.wire


class KeyTableMismatch(Exception):  # noqa: N818 - a programming error, not user input
    """The key table does not describe the model (a field without a key, a stale row...)."""


def strip_annotation(annotation: Any) -> Any:
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


def union_members(annotation: Any) -> list[Any]:
    annotation = strip_annotation(annotation)
    out: list[Any] = []
    for member in typing.get_args(annotation):
        if member is type(None):
            continue
        member = strip_annotation(member)
        if typing.get_origin(member) is Literal:
            out.extend(Literal[v] for v in typing.get_args(member))
        else:
            out.append(member)
    return out


def python_check(annotation: Any) -> Callable[[Any], bool]:
    annotation = strip_annotation(annotation)
    if typing.get_origin(annotation) is Literal:
        values = typing.get_args(annotation)
        return lambda v: isinstance(v, str) and v in values
    if annotation is date:
        return lambda v: isinstance(v, date) and not isinstance(v, datetime)
    if isinstance(annotation, type):
        cls = annotation
        return lambda v: isinstance(v, cls)
    raise KeyTableMismatch(f"cannot tell the members of {annotation!r} apart")


# --- binding a table to model classes -------------------------------------------------------


def scalar_codec(wire: str, *, integral_as_int: bool = True) -> Codec | None:
    """The codec of a scalar key-table type (None for any other type)."""
    kind, _, rest = wire.partition(":")
    if wire == "tstr":
        return TextCodec()
    if kind == "const":
        return ConstCodec(rest)
    if wire in ("uint", "int"):
        return IntCodec(wire == "uint")
    if wire == "bool":
        return BoolCodec()
    if wire == "decimal":
        return DecimalCodec(integral_as_int=integral_as_int)
    if wire == "date":
        return DateCodec()
    if wire == "datetime":
        return DateTimeCodec()
    return None


class Binder:
    """Checks a key table against model classes at one format version, collecting every
    problem; :meth:`finish` raises them all at once as :class:`KeyTableMismatch`."""

    def __init__(self, table: KeyTable, version: int) -> None:
        self.table = table
        self.version = version
        self.problems: list[str] = []
        self.enums: dict[str, EnumCodec] = {}

    def fields(
        self, namespace: str, model: type[BaseModel], skip: Set[str] = frozenset()
    ) -> Iterator[tuple[str, FieldInfo, KeyRow, str]]:
        """``(name, field info, row, dotted path)`` for every field of ``model`` whose live row
        in ``namespace`` has the field's wire type; every other mismatch is a problem. The
        fields named in ``skip`` are the caller's (an envelope's own keys)."""
        live = self.table.live(namespace, self.version)
        for name in skip:
            live.pop(name, None)
        prefix = f"{namespace}." if namespace else ""
        for name, info in model.model_fields.items():
            if name in skip:
                continue
            row = live.pop(name, None)
            path = prefix + name
            if row is None:
                self.problems.append(f"{path}: model field without a key in the key table")
                continue
            try:
                want = field_wire_type(model, name)
            except TypeError as e:
                self.problems.append(f"{path}: {e}")
                continue
            if row.type != want:
                self.problems.append(f"{path}: key table type {row.type!r}, model says {want!r}")
                continue
            yield name, info, row, path
        self.problems.extend(
            f"{prefix}{name}: key table row for a field the model lacks "
            f"(retire it instead of deleting it)"
            for name in live
        )

    def enum(self, name: str, enum_type: type[enum.Enum]) -> EnumCodec:
        """The codec of ``enum:<name>``: a code for every member, a member for every code."""
        known = self.enums.get(name)
        if known is not None:
            return known
        namespace = f"enum:{name}"
        live = self.table.live(namespace, self.version)
        codes: dict[str, int] = {}
        for member in enum_type:
            row = live.pop(str(member.value), None)
            if row is None:
                self.problems.append(f"{namespace}:{member.value}: enum value without a code")
            else:
                codes[str(member.value)] = row.key
        self.problems.extend(
            f"{namespace}:{value}: code for a value the enum lacks "
            f"(retire it instead of deleting it)"
            for value in live
        )
        codec = EnumCodec(enum_type, codes)
        self.enums[name] = codec
        return codec

    def check_namespaces(self, maps: Set[str]) -> None:
        """Every namespace with live rows must be one of ``maps`` or a bound enum."""
        for namespace, rows in self.table.namespaces.items():
            if not any(r.live_in(self.version) for r in rows.values()):
                continue
            if namespace.startswith("enum:"):
                if namespace[5:] not in self.enums:
                    self.problems.append(f"{namespace}: codes for an enum the model does not use")
            elif namespace not in maps:
                self.problems.append(f"{namespace}: key table namespace the model does not have")

    def finish(self) -> None:
        """Raise :class:`KeyTableMismatch` listing every problem found, if any."""
        if self.problems:
            raise KeyTableMismatch("; ".join(self.problems))
