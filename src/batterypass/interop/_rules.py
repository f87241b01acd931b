"""The declarative rule engine shared by every exchange format.

A :class:`Rule` says that one data point of the passport model (a dotted path such as
``performance.certified_usable_energy_kwh``) travels as one JSON value of one document of a
format (a document name and a JSON pointer), converted both ways by a :class:`Converter`, and
which attribute of the Battery Pass longlist it is. The same rule drives

- the export (:func:`export_rules`: read the model value, convert, write it at the pointer),
- the import (:func:`import_rules`: read the value at the pointer, convert, hand it to the
  importer with the pointer it came from, so that every error names the document's pointer),
- and the format's mapping table in ``specs/`` (:func:`rule_wire`, :attr:`Rule.conversion`).

Only the plain one-to-one fields are rules; a format's quirks (a value split over two
properties, a list keyed by a discriminator, a unit conversion that needs a second value) are
written by hand next to them.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from enum import Enum
from typing import Any, Final, Protocol

from batterypass.errors import PathItem
from batterypass.interop import _units

__all__ = [
    "INVALID",
    "SAME",
    "WHOLE",
    "Converter",
    "DateStamp",
    "Rule",
    "Scale",
    "Table",
    "Verbatim",
    "export_rules",
    "get_field",
    "get_pointer",
    "import_rules",
    "rule_wire",
    "set_pointer",
]

INVALID: Final = object()
"""What :meth:`Converter.read` returns for a value it rejected (after reporting it)."""


class Sink(Protocol):
    """Where an export reports what it could not write faithfully."""

    def lost(
        self, field: str, message: str, aspect: str | None = None, pointer: str | None = None
    ) -> None: ...

    def deviation(
        self, aspect: str, pointer: str, rule: str, message: str, field: str | None = None
    ) -> None: ...


class Source(Protocol):
    """The importer: collects values with their origin, problems and notes."""

    def fail(
        self, aspect: str, pointer: str, message: str, legal_basis: str | None = None
    ) -> None: ...

    def note(self, aspect: str, pointer: str, message: str) -> None: ...

    def put(self, path: tuple[PathItem, ...], value: Any, aspect: str, pointer: str) -> None: ...

    def at(self, path: tuple[PathItem, ...], aspect: str, pointer: str) -> None: ...


class Converter(Protocol):
    """Both directions of one value's conversion, and their description for the mapping
    table. ``write`` returns the wire value (``None``: write nothing); ``read`` returns the
    model value or :data:`INVALID` after reporting the problem to ``source``."""

    @property
    def description(self) -> str: ...

    def write(self, value: Any, rule: Rule, sink: Sink) -> Any: ...

    def read(self, value: Any, rule: Rule, pointer: str, source: Source) -> Any: ...


@dataclass(frozen=True, slots=True)
class _Same:
    description: str = "none (same unit)"

    def write(self, value: Any, rule: Rule, sink: Sink) -> Any:
        return value

    def read(self, value: Any, rule: Rule, pointer: str, source: Source) -> Any:
        return value


SAME: Final = _Same()
"""The value as it is, in the same unit."""


@dataclass(frozen=True, slots=True)
class Verbatim:
    """The value as it is; ``description`` says why nothing is converted (e.g. "none")."""

    description: str = "none"

    def write(self, value: Any, rule: Rule, sink: Sink) -> Any:
        return value

    def read(self, value: Any, rule: Rule, pointer: str, source: Source) -> Any:
        return value


@dataclass(frozen=True, slots=True)
class _Whole:
    description: str = "none"

    def write(self, value: Any, rule: Rule, sink: Sink) -> Any:
        return value

    def read(self, value: Any, rule: Rule, pointer: str, source: Source) -> Any:
        d = Decimal(value)
        if d != d.to_integral_value():
            source.fail(rule.aspect, pointer, f"{d} is not a whole number")
            return INVALID
        return int(d)


WHOLE: Final = _Whole()
"""A count: read only when the wire number is whole."""


def whole(description: str) -> Converter:
    """:data:`WHOLE` with another description."""
    return _Whole(description)


@dataclass(frozen=True, slots=True)
class Scale:
    """``wire = model x factor``, exact both ways (a quotient that is not exact in 34
    significant digits is rounded with a note)."""

    factor: Decimal
    description: str

    def write(self, value: Any, rule: Rule, sink: Sink) -> Any:
        return _units.mul(Decimal(value), self.factor)

    def read(self, value: Any, rule: Rule, pointer: str, source: Source) -> Any:
        # A factor below one is the reciprocal of a whole number: multiplying is exact.
        inverse, exact = _units.div(Decimal(1), self.factor)
        if exact:
            return _units.mul(Decimal(value), inverse)
        out, exact = _units.div(Decimal(value), self.factor)
        if not exact:
            source.note(rule.aspect, pointer, "rounded to 34 significant digits")
        return out


@dataclass(frozen=True, slots=True)
class Table:
    """An enumeration: model member <-> wire text, one to one."""

    pairs: tuple[tuple[Enum, str], ...]
    description_: str | None = None

    @property
    def description(self) -> str:
        if self.description_ is not None:
            return self.description_
        ours = ", ".join(str(m.value) for m, _ in self.pairs)
        theirs = ", ".join(w for _, w in self.pairs)
        return f"{ours} <-> {theirs}"

    def write(self, value: Any, rule: Rule, sink: Sink) -> Any:
        for member, wire in self.pairs:
            if member == value:
                return wire
        sink.lost(rule.field, f"{value!r} has no value on the wire", rule.aspect, rule.pointer)
        return None

    def read(self, value: Any, rule: Rule, pointer: str, source: Source) -> Any:
        for member, wire in self.pairs:
            if wire == value:
                return member.value
        source.fail(
            rule.aspect, pointer, f"{value!r} is not one of {', '.join(w for _, w in self.pairs)}"
        )
        return INVALID


_TIMESTAMP: Final = re.compile(
    r"^(-?\d{4,})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,6}))?(Z|[+-]\d{2}:\d{2})?$"
)


def parse_timestamp(text: str) -> datetime | None:
    """An xsd:dateTime with a four-digit year, or ``None``."""
    m = _TIMESTAMP.match(text)
    if m is None or m.group(1).startswith("-") or len(m.group(1)) != 4:
        return None
    try:
        return datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None


def date_timestamp(d: date) -> str:
    """A calendar date as a timestamp: midnight UTC of that day."""
    return f"{d.isoformat()}T00:00:00Z"


@dataclass(frozen=True, slots=True)
class DateStamp:
    """A calendar date <-> an xsd:dateTime at midnight UTC; import keeps the date as written
    and drops a time of day (with a note)."""

    description: str = (
        "date <-> xsd:dateTimeStamp at midnight UTC (YYYY-MM-DDT00:00:00Z); import keeps the "
        "date as written and drops a time of day"
    )

    def write(self, value: Any, rule: Rule, sink: Sink) -> Any:
        assert isinstance(value, date)
        return date_timestamp(value)

    def read(self, value: Any, rule: Rule, pointer: str, source: Source) -> Any:
        dt = parse_timestamp(value)
        if dt is None:
            source.fail(rule.aspect, pointer, f"{value!r} is not an xsd:dateTime timestamp")
            return INVALID
        if dt.time() != datetime.min.time():
            source.note(
                rule.aspect,
                pointer,
                f"time of day of {value!r} dropped (the passport holds a date)",
            )
        return dt.date()


@dataclass(frozen=True, slots=True)
class Rule:
    """One model data point as one JSON value of a format's document."""

    aspect: str
    """The document (an aspect of the consortium model; the one document of Catena-X)."""
    pointer: str
    """Where export writes the value (RFC 6901 JSON pointer)."""
    field: str
    """The model data point, as a dotted path (``general.mass_kg``)."""
    convert: Converter = SAME
    longlist: int | None = None
    """The Battery Pass longlist attribute (1-93) the rule carries, if it carries a whole one."""
    read_also: tuple[str, ...] = ()
    """Pointers import reads when ``pointer`` is absent (another version of the format)."""
    remark: str = ""
    """Said after the pointer in the mapping table (e.g. ``(1.2.0: batteryCondition)``)."""
    conversion_: str | None = None

    @property
    def path(self) -> tuple[str, ...]:
        return tuple(self.field.split("."))

    @property
    def conversion(self) -> str:
        """The conversion as the mapping table states it."""
        return self.conversion_ if self.conversion_ is not None else self.convert.description


def rule_wire(rule: Rule) -> str:
    """``"<document> <pointer>[ <remark>]"``, as the mapping table shows the rule's place."""
    return f"{rule.aspect} {rule.pointer}" + (f" {rule.remark}" if rule.remark else "")


def get_field(obj: Any, path: Sequence[str]) -> Any:
    """The model value at a dotted path's parts, ``None`` where any part is unset."""
    for name in path:
        if obj is None:
            return None
        obj = getattr(obj, name)
    return obj


def _tokens(pointer: str) -> list[str]:
    return [t.replace("~1", "/").replace("~0", "~") for t in pointer.split("/")[1:]]


def get_pointer(doc: Any, pointer: str) -> tuple[bool, Any]:
    """``(found, value)`` at a JSON pointer (array items by index)."""
    node = doc
    for token in _tokens(pointer):
        if isinstance(node, Mapping) and token in node:
            node = node[token]
        elif isinstance(node, list) and token.isdigit() and int(token) < len(node):
            node = node[int(token)]
        else:
            return False, None
    return True, node


def set_pointer(doc: dict[str, Any], pointer: str, value: Any) -> None:
    """Set the value at a JSON pointer, making the objects on the way (replacing ``None``)."""
    *parents, last = _tokens(pointer)
    node = doc
    for token in parents:
        child = node.get(token)
        if not isinstance(child, dict):
            child = node[token] = {}
        node = child
    node[last] = value


def delete_pointer(doc: Any, pointer: str) -> None:
    """Remove the object member at a JSON pointer (array items by index on the way); the
    member must exist."""
    *parents, last = _tokens(pointer)
    node = doc
    for token in parents:
        node = node[int(token)] if isinstance(node, list) else node[token]
    if not isinstance(node, dict) or last not in node:
        raise KeyError(pointer)
    del node[last]


def export_rules(rules: Iterable[Rule], model: Any, sink: Sink) -> dict[str, dict[str, Any]]:
    """The documents (keyed by name) holding every rule's value that the model has."""
    docs: dict[str, dict[str, Any]] = {}
    for rule in rules:
        value = get_field(model, rule.path)
        if value is None:
            continue
        wire = rule.convert.write(value, rule, sink)
        if wire is None:
            continue
        set_pointer(docs.setdefault(rule.aspect, {}), rule.pointer, wire)
    return docs


def import_rules(
    rules: Iterable[Rule], docs: Mapping[str, Mapping[str, Any]], source: Source
) -> None:
    """Hand every rule's value found in the documents to ``source`` with its pointer.

    Only scalars are taken (a rule never addresses an object or an array). Where a value is
    absent but the object that would hold it is there, the pointer is still recorded as the
    place of the data point, so that the model's "required field is missing" names it.
    """
    for rule in rules:
        doc = docs.get(rule.aspect)
        if doc is None:
            continue
        for pointer in (rule.pointer, *rule.read_also):
            found, value = get_pointer(doc, pointer)
            if not found or value is None or isinstance(value, Mapping | list):
                continue
            converted = rule.convert.read(value, rule, pointer, source)
            if converted is not INVALID:
                source.put(rule.path, converted, rule.aspect, pointer)
            break
        else:
            parent, _, _ = rule.pointer.rpartition("/")
            if parent and isinstance(get_pointer(doc, parent)[1], Mapping):
                source.at(rule.path, rule.aspect, rule.pointer)
