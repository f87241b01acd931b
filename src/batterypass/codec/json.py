"""Passports as JSON text.

- Quantities are exact: JSON numbers are read as :class:`~decimal.Decimal` (never through a
  binary float) and written back as the same decimal digits.
- Output is stable: keys in model order, two-space indentation, UTF-8, data points that are not
  provided (``None``) and empty sections left out, a final newline.
- Input is strict: duplicate keys, ``NaN``/``Infinity`` and unknown fields are errors.
"""

from __future__ import annotations

import json as _json
from collections.abc import Mapping
from datetime import date, datetime
from decimal import Decimal
from enum import Enum
from typing import Any

from batterypass.errors import DecodeError, EncodeError
from batterypass.model import BatteryPassport, parse_passport

__all__ = [
    "MAX_JSON_BYTES",
    "MAX_JSON_DEPTH",
    "MAX_NUMBER_DIGITS",
    "dumps",
    "loads",
    "loads_value",
    "looks_like_json_text",
    "to_plain",
]

MAX_JSON_BYTES = 16 * 1024 * 1024
"""Largest JSON document :func:`loads` accepts (a passport is a few kilobytes)."""

MAX_JSON_DEPTH = 64
"""Deepest nesting of arrays and objects :func:`loads_value` accepts (a passport nests about
eight levels; a trust file, a key or an event payload fewer)."""

MAX_NUMBER_DIGITS = 4300
"""Longest number literal (in characters) :func:`loads_value` accepts: Python's own limit for
integer conversion, far beyond any quantity (the model keeps 34 significant digits)."""


class _Bad:
    """Stands in for a value the parser hooks refused, so that the refusal can be reported
    with its field path once the whole document is parsed (a hook does not know where it is).
    """

    __slots__ = ("message",)

    def __init__(self, message: str) -> None:
        self.message = message


def _sniff_encoding(data: bytes) -> str | None:
    """The name of a UTF-16 or UTF-32 encoding the bytes are evidently in, else ``None``."""
    if data[:4] in (b"\xff\xfe\x00\x00", b"\x00\x00\xfe\xff"):
        return "UTF-32 (with a byte-order mark)"
    if data[:2] in (b"\xff\xfe", b"\xfe\xff"):
        return "UTF-16 (with a byte-order mark)"
    # JSON text starts with an ASCII character, so zero bytes among the first four give the
    # encoding away (RFC 4627 section 3).
    head = data[:4]
    if len(head) == 4 and head[:3] == b"\x00\x00\x00":
        return "UTF-32BE"
    if len(head) == 4 and head[1:] == b"\x00\x00\x00":
        return "UTF-32LE"
    if len(head) >= 2 and head[0] == 0:
        return "UTF-16BE"
    if len(head) >= 2 and head[1] == 0:
        return "UTF-16LE"
    return None


def looks_like_json_text(data: bytes) -> bool:
    """Whether ``data`` evidently is JSON text: it starts (after white space or a UTF-8
    byte-order mark) with ``{`` or ``[``, or it is UTF-16 or UTF-32 text (which no CBOR
    document of batterypass starts like). For telling a JSON file from a CBOR or COSE one
    before reading it, so that errors say what the file is."""
    if _sniff_encoding(data) is not None:
        return True
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    return data.lstrip(b" \t\r\n")[:1] in (b"{", b"[")


def _walk_for_problems(value: Any, max_depth: int) -> tuple[tuple[str | int, ...], str] | None:
    """The path and message of the first refused value (in document order) or of the first
    container nested deeper than ``max_depth``; ``None`` if there is none. Iterative, so
    that no nesting can exhaust the stack."""
    stack: list[tuple[Any, tuple[str | int, ...]]] = [(value, ())]
    while stack:
        node, path = stack.pop()
        if isinstance(node, _Bad):
            return path, node.message
        if isinstance(node, dict | list):
            if len(path) >= max_depth:
                return path[
                    :4
                ], f"JSON nested too deeply (more than {max_depth} levels of arrays and objects)"
            items = list(node.items()) if isinstance(node, dict) else list(enumerate(node))
            stack.extend((v, (*path, k)) for k, v in reversed(items))
    return None


def loads_value(
    text: str | bytes,
    *,
    source: str | None = None,
    max_bytes: int = MAX_JSON_BYTES,
    max_depth: int = MAX_JSON_DEPTH,
) -> Any:
    """Parse JSON text strictly into plain values; the one JSON reader of batterypass.

    Numbers with a fraction or exponent become :class:`~decimal.Decimal` (never a binary
    float), integers ``int``. Refused, with :class:`~batterypass.errors.DecodeError` naming
    ``source`` and, where there is one, the field path: text over ``max_bytes``, bytes that
    are not UTF-8 (UTF-16 and UTF-32 are named as such; a UTF-8 byte-order mark is skipped),
    duplicate object members, ``NaN``/``Infinity``, number literals over
    :data:`MAX_NUMBER_DIGITS` characters and nesting deeper than ``max_depth``.
    """
    if len(text) > max_bytes:
        raise DecodeError(f"JSON document larger than {max_bytes} bytes", source=source)
    if isinstance(text, bytes):
        other = _sniff_encoding(text)
        if other is not None:
            raise DecodeError(
                f"not UTF-8 text: this is {other} text, and batterypass reads JSON as UTF-8 "
                "(RFC 8259); convert it, e.g. with `iconv -f UTF-16 -t UTF-8`",
                source=source,
            )
        if text.startswith(b"\xef\xbb\xbf"):
            text = text[3:]
        try:
            text = text.decode("utf-8")
        except UnicodeDecodeError as e:
            raise DecodeError("not UTF-8 text", offset=e.start, source=source) from e
    elif text.startswith("\ufeff"):
        text = text[1:]
    found_bad = False

    def bad(message: str) -> _Bad:
        nonlocal found_bad
        found_bad = True
        return _Bad(message)

    def members(pairs: list[tuple[str, Any]]) -> Any:
        out: dict[str, Any] = {}
        for key, value in pairs:
            if key in out:
                return bad(f"duplicate key {key!r} in a JSON object")
            out[key] = value
        return out

    def integer(literal: str) -> Any:
        if len(literal) > MAX_NUMBER_DIGITS:
            return bad(f"number with {len(literal)} digits (the limit is {MAX_NUMBER_DIGITS})")
        return int(literal)

    def decimal(literal: str) -> Any:
        if len(literal) > MAX_NUMBER_DIGITS:
            return bad(f"number of {len(literal)} characters (the limit is {MAX_NUMBER_DIGITS})")
        return Decimal(literal)

    def constant(name: str) -> Any:
        return bad(f"{name} is not a number batterypass accepts")

    try:
        value = _json.loads(
            text,
            parse_float=decimal,
            parse_int=integer,
            parse_constant=constant,
            object_pairs_hook=members,
        )
    except _json.JSONDecodeError as e:
        raise DecodeError(
            f"not valid JSON: {e.msg} (line {e.lineno}, column {e.colno})",
            offset=e.pos,
            source=source,
        ) from e
    except RecursionError as e:
        raise DecodeError(
            f"JSON nested too deeply (more than {max_depth} levels of arrays and objects)",
            source=source,
        ) from e
    if found_bad or text.count("[") + text.count("{") > max_depth:
        problem = _walk_for_problems(value, max_depth)
        if problem is not None:
            raise DecodeError(problem[1], path=problem[0], source=source)
    return value


def loads(
    text: str | bytes, *, notes: list[str] | None = None, source: str | None = None
) -> BatteryPassport:
    """Parse and validate a passport from JSON text.

    Raises :class:`~batterypass.errors.DecodeError` for text that is not JSON and
    :class:`~batterypass.errors.ValidationError` (every problem, with field path and legal
    basis) for JSON that is not a valid passport.
    """
    value = loads_value(text, source=source)
    if not isinstance(value, Mapping):
        raise DecodeError("a passport must be a JSON object", source=source)
    return parse_passport(value, notes=notes, source=source)


def to_plain(passport: BatteryPassport) -> dict[str, Any]:
    """The passport as plain values (dicts, lists, str, int, Decimal, bool), with not-provided
    data points and empty sections left out."""
    dumped = passport.model_dump(mode="python", exclude_none=True)
    pruned = _prune(dumped)
    assert isinstance(pruned, dict)
    return pruned


def _prune(value: Any) -> Any:
    if isinstance(value, dict):
        out = {}
        for k, v in value.items():
            pv = _prune(v)
            if isinstance(pv, dict) and not pv:
                continue  # an empty section says nothing
            out[k] = pv
        return out
    if isinstance(value, list | tuple):
        return [_prune(v) for v in value]
    return value


def dumps(passport: BatteryPassport, *, indent: int | None = 2) -> str:
    """Serialise a passport as stable JSON text (``indent=None`` for the compact form)."""
    return _write(to_plain(passport), indent, 0) + ("\n" if indent is not None else "")


def _scalar(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, Enum):
        return _json.dumps(value.value, ensure_ascii=False)
    if isinstance(value, int):
        return str(value)
    if isinstance(value, Decimal):
        if not value.is_finite():
            raise EncodeError(f"{value} cannot be written as a JSON number")
        # Fixed-point keeps the digits as declared (no exponent form for 100 = 1E+2).
        return format(value, "f")
    if isinstance(value, datetime | date):
        return _json.dumps(value.isoformat())
    if isinstance(value, str):
        return _json.dumps(value, ensure_ascii=False)
    raise EncodeError(f"cannot write a value of type {type(value).__name__} as JSON")


def _write(value: Any, indent: int | None, level: int) -> str:
    if isinstance(value, dict):
        if not value:
            return "{}"
        items = [
            f"{_json.dumps(str(k), ensure_ascii=False)}:{' ' if indent is not None else ''}"
            f"{_write(v, indent, level + 1)}"
            for k, v in value.items()
        ]
        return _join("{", items, "}", indent, level)
    if isinstance(value, list | tuple):
        if not value:
            return "[]"
        return _join("[", [_write(v, indent, level + 1) for v in value], "]", indent, level)
    return _scalar(value)


def _join(open_: str, items: list[str], close: str, indent: int | None, level: int) -> str:
    if indent is None:
        return open_ + ",".join(items) + close
    pad = " " * (indent * (level + 1))
    end = " " * (indent * level)
    return open_ + "\n" + ",\n".join(pad + i for i in items) + "\n" + end + close


def passport_json_schema() -> str:
    """The JSON Schema (draft 2020-12) of the passport model, as stable text.

    Each data point carries ``x-access-group``, ``x-legal-basis``, ``x-unit``,
    ``x-mandatory-for`` and ``x-longlist`` annotations derived from the model.
    """
    schema = BatteryPassport.model_json_schema(mode="validation")
    schema = {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": "https://batterypass.example/specs/passport.schema.json",
        **schema,
    }
    return _json.dumps(schema, indent=2, ensure_ascii=False) + "\n"
