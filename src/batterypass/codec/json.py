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

__all__ = ["MAX_JSON_BYTES", "dumps", "loads", "loads_value", "to_plain"]

MAX_JSON_BYTES = 16 * 1024 * 1024
"""Largest JSON document :func:`loads` accepts (a passport is a few kilobytes)."""


def _no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in pairs:
        if key in out:
            raise DecodeError(f"duplicate key {key!r} in a JSON object")
        out[key] = value
    return out


def _reject_constant(name: str) -> Any:
    raise DecodeError(f"{name} is not a number batterypass accepts")


def loads_value(text: str | bytes, *, source: str | None = None) -> Any:
    """Parse JSON text into plain values (numbers with a fraction or exponent as Decimal)."""
    if len(text) > MAX_JSON_BYTES:
        raise DecodeError(f"JSON document larger than {MAX_JSON_BYTES} bytes", source=source)
    if isinstance(text, bytes):
        try:
            text = text.decode("utf-8")
        except UnicodeDecodeError as e:
            raise DecodeError("not UTF-8 text", offset=e.start, source=source) from e
    try:
        return _json.loads(
            text,
            parse_float=Decimal,
            parse_constant=_reject_constant,
            object_pairs_hook=_no_duplicates,
        )
    except DecodeError as e:
        if source:
            e.with_source(source)
        raise
    except _json.JSONDecodeError as e:
        raise DecodeError(
            f"not valid JSON: {e.msg} (line {e.lineno}, column {e.colno})",
            offset=e.pos,
            source=source,
        ) from e
    except RecursionError as e:
        raise DecodeError("JSON nested too deeply", source=source) from e


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
