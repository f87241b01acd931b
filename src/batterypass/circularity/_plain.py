"""Turning result objects into plain JSON values (exact decimals as strings)."""

from __future__ import annotations

import dataclasses
import enum
from collections.abc import Mapping
from datetime import date
from decimal import Decimal
from typing import Any

__all__ = ["plain"]


def plain(value: Any) -> Any:
    """``value`` as JSON-ready values: decimals as fixed-point strings (exact), dates as ISO
    8601 strings, enumerations as their values, dataclasses and mappings as dicts."""
    if isinstance(value, enum.Enum):
        return plain(value.value)
    if value is None or isinstance(value, bool | int | str):
        return value
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, date):
        return value.isoformat()
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: plain(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, Mapping):
        return {str(plain(k)): plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple | frozenset | set):
        return [plain(v) for v in value]
    raise TypeError(f"cannot turn a {type(value).__name__} into a JSON value")
