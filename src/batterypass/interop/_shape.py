"""A compact description of a JSON document's structure (objects with their properties in
schema order, arrays, enumerations, scalars) and the walks over it that export and import
share: checking a document's types, putting an export in schema order, and finding the required
properties it lacks."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Final, Literal, TypeAlias


@dataclass(frozen=True, slots=True)
class Enum:
    values: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class List:
    item: Type
    unique: bool = False
    """JSON Schema ``uniqueItems`` (not checked by :func:`check`; see its callers)."""


@dataclass(frozen=True, slots=True)
class TextMap:
    """SAMM MultiLanguageText: an object of language tag -> text."""


@dataclass(frozen=True, slots=True)
class Obj:
    name: str
    props: tuple[tuple[str, Type, bool], ...]

    def get(self, key: str) -> Type | None:
        for name, typ, _ in self.props:
            if name == key:
                return typ
        return None

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(p[0] for p in self.props)


@dataclass(frozen=True, slots=True)
class Str:
    """A string with JSON Schema constraints: ``pattern`` (search semantics, as JSON Schema
    has it) and ``max_length``."""

    pattern: str | None = None
    max_length: int | None = None


@dataclass(frozen=True, slots=True)
class Num:
    """A number with JSON Schema bounds (inclusive)."""

    minimum: Decimal | None = None
    maximum: Decimal | None = None


Type: TypeAlias = "Literal['number', 'string', 'boolean'] | Enum | List | TextMap | Obj | Str | Num"

NUM: Final = "number"
STR: Final = "string"
BOOL: Final = "boolean"


def obj(name: str, *props: tuple[str, Type, bool]) -> Obj:
    return Obj(name, props)


def req(name: str, typ: Type) -> tuple[str, Type, bool]:
    return (name, typ, True)


def opt(name: str, typ: Type) -> tuple[str, Type, bool]:
    return (name, typ, False)


MAX_EXPONENT: Final = 40
MAX_DIGITS: Final = 34
BAD: Final = object()
"""What :func:`check` returns for an ill-typed value (after reporting it)."""


def pointer(parent: str, key: str | int) -> str:
    """``parent`` extended by one JSON pointer token (RFC 6901 escaping)."""
    token = str(key).replace("~", "~0").replace("/", "~1")
    return f"{parent}/{token}"


def significant_digits(d: Decimal) -> int:
    digits = list(d.as_tuple().digits)
    while len(digits) > 1 and digits[-1] == 0:
        digits.pop()
    return len(digits)


def show(d: Decimal) -> str:
    text = str(d)
    return text if len(text) <= 40 else f"{d:.16E}"


def kind(value: Any) -> str:
    """What a JSON value is, for an error message ("a number", "an object", ...)."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int | Decimal):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "an array"
    if isinstance(value, Mapping):
        return "an object"
    return type(value).__name__


Fail: TypeAlias = Callable[[str, str], None]
"""``fail(pointer, message)``: report one problem of a document."""


def check(value: Any, typ: Type, here: str, model: str, fail: Fail) -> Any:
    """The value with every ill-typed part replaced by :data:`BAD` (each one reported with
    ``fail``); an ill-typed array item becomes ``None``, so that the others keep their index.
    ``model`` names the data model in the message for an unknown property."""
    if isinstance(typ, Obj):
        if not isinstance(value, Mapping):
            fail(here, f"expected an object, got {kind(value)}")
            return BAD
        out = {}
        for key, item in value.items():
            there = pointer(here, key)
            sub = typ.get(key)
            if sub is None:
                fail(there, f"unknown property {key!r} (not in {typ.name} of the {model} model)")
                continue
            checked = check(item, sub, there, model, fail)
            if checked is not BAD:
                out[key] = checked
        return out
    if isinstance(typ, List):
        if not isinstance(value, list):
            fail(here, f"expected an array, got {kind(value)}")
            return BAD
        items = [
            check(item, typ.item, pointer(here, i), model, fail) for i, item in enumerate(value)
        ]
        return [None if item is BAD else item for item in items]
    if isinstance(typ, TextMap):
        if not isinstance(value, Mapping) or not all(isinstance(v, str) for v in value.values()):
            fail(here, "expected an object of language tag -> text")
            return BAD
        return dict(value)
    if isinstance(typ, Enum):
        if not isinstance(value, str) or value not in typ.values:
            fail(here, f"{value!r} is not one of {', '.join(typ.values)}")
            return BAD
        return value
    if isinstance(typ, Str):
        if not isinstance(value, str):
            fail(here, f"expected a string, got {kind(value)}")
            return BAD
        if typ.pattern is not None and not re.search(typ.pattern, value):
            fail(here, f"{value!r} does not match the pattern {typ.pattern}")
            return BAD
        if typ.max_length is not None and len(value) > typ.max_length:
            fail(here, f"longer than {typ.max_length} characters")
            return BAD
        return value
    if isinstance(typ, Num):
        checked = check(value, NUM, here, model, fail)
        if checked is BAD:
            return BAD
        if typ.minimum is not None and Decimal(value) < typ.minimum:
            fail(here, f"{value} is below the minimum {typ.minimum}")
            return BAD
        if typ.maximum is not None and Decimal(value) > typ.maximum:
            fail(here, f"{value} is above the maximum {typ.maximum}")
            return BAD
        return value
    if typ == NUM:
        if isinstance(value, bool) or not isinstance(value, int | Decimal):
            fail(here, f"expected a number, got {kind(value)}")
            return BAD
        d = Decimal(value)
        if d and (
            not -MAX_EXPONENT <= d.adjusted() <= MAX_EXPONENT or significant_digits(d) > MAX_DIGITS
        ):
            fail(
                here,
                f"number {show(d)} outside what "
                f"batterypass accepts (magnitude 1e-{MAX_EXPONENT}..1e{MAX_EXPONENT}, at "
                f"most {MAX_DIGITS} significant digits)",
            )
            return BAD
        return value
    if typ == STR:
        if not isinstance(value, str):
            fail(here, f"expected a string, got {kind(value)}")
            return BAD
        return value
    if typ == BOOL:
        if not isinstance(value, bool):
            fail(here, f"expected a boolean, got {kind(value)}")
            return BAD
        return value
    raise AssertionError(typ)  # pragma: no cover


def finish(value: Any, typ: Type) -> Any:
    """Drop properties without a value and put the rest in the schema's order; an object left
    without any property is dropped too (it says nothing)."""
    if isinstance(typ, Obj):
        assert isinstance(value, dict)
        unknown = set(value) - set(typ.names)
        assert not unknown, f"{typ.name}: {unknown}"
        out = {}
        for name, sub, _ in typ.props:
            if value.get(name) is None:
                continue
            finished = finish(value[name], sub)
            if isinstance(sub, Obj) and not finished:
                continue
            out[name] = finished
        return out
    if isinstance(typ, List):
        return [finish(v, typ.item) for v in value]
    return value


def missing(value: Any, typ: Type, here: str = "") -> Iterator[str]:
    """The JSON pointers of required properties a (finished) document lacks."""
    if isinstance(typ, Obj) and isinstance(value, dict):
        for name, sub, required in typ.props:
            there = pointer(here, name)
            if name in value:
                yield from missing(value[name], sub, there)
            elif required:
                yield there
    elif isinstance(typ, List) and isinstance(value, list):
        for i, item in enumerate(value):
            yield from missing(item, typ.item, pointer(here, i))


def from_json_schema(schema: Mapping[str, Any], name: str = "") -> Type:
    """The structure a (draft-04, SAMM-generated) JSON Schema describes: objects, arrays,
    enumerations, strings with pattern and length, numbers with bounds, booleans;
    ``$ref`` into ``components/schemas`` resolved."""
    components = schema.get("components", {}).get("schemas", {})

    def resolve(node: Mapping[str, Any]) -> Mapping[str, Any]:
        seen = 0
        while "$ref" in node:
            node = components[str(node["$ref"]).rsplit("/", 1)[-1]]
            seen += 1
            assert seen < 64, "cyclic $ref"
        return node

    def build(node: Mapping[str, Any], name: str) -> Type:
        node = resolve(node)
        kind_ = node.get("type")
        if kind_ == "object":
            required = set(node.get("required", ()))
            return Obj(
                name,
                tuple(
                    (key, build(sub, key), key in required)
                    for key, sub in node.get("properties", {}).items()
                ),
            )
        if kind_ == "array":
            return List(build(node["items"], name), bool(node.get("uniqueItems", False)))
        if "enum" in node:
            return Enum(tuple(str(v) for v in node["enum"]))
        if kind_ == "string":
            if "pattern" not in node and "maxLength" not in node:
                return STR
            return Str(node.get("pattern"), node.get("maxLength"))
        if kind_ == "number" or kind_ == "integer":
            low, high = node.get("minimum"), node.get("maximum")
            if low is None and high is None:
                return NUM
            return Num(
                None if low is None else Decimal(str(low)),
                None if high is None else Decimal(str(high)),
            )
        if kind_ == "boolean":
            return BOOL
        raise ValueError(f"unsupported JSON Schema node {dict(node)!r}")

    return build(schema, name)
