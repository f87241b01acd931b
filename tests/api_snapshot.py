"""The public API as data: every name each public module exports (its ``__all__``), with the
signature of every function and class and the public methods a class defines.

``python tests/api_snapshot.py`` rewrites ``tests/api_snapshot.json``; ``tests/test_public_api.py``
fails when the two differ, so that a change to the public API is a deliberate, reviewed diff.
"""

from __future__ import annotations

import enum
import importlib
import inspect
import json
import re
import sys
from pathlib import Path
from typing import Any

SNAPSHOT = Path(__file__).with_name("api_snapshot.json")

# Every public module: the package __init__s and the public modules of codec.
MODULES = (
    "batterypass",
    "batterypass.errors",
    "batterypass.model",
    "batterypass.codec",
    "batterypass.codec.cbor",
    "batterypass.codec.json",
    "batterypass.codec.gs1",
    "batterypass.keys",
    "batterypass.cose",
    "batterypass.lifecycle",
    "batterypass.circularity",
    "batterypass.carbon",
    "batterypass.disclosure",
    "batterypass.verify",
    "batterypass.interop",
    "batterypass.interop.battery_pass",
    "batterypass.interop.catena_x",
    "batterypass.interop.cn_traceability",
    "batterypass.cli",
    "batterypass.testing",
)

_ADDRESS = re.compile(r" at 0x[0-9a-fA-F]+")


def _default(value: Any) -> str:
    # Only reprs that do not depend on hashing order or addresses; others by type.
    if value is None or isinstance(value, bool | int | float | str | bytes | enum.Enum):
        return repr(value)
    return f"<{type(value).__name__}>"


def _signature(obj: Any) -> str:
    try:
        sig = inspect.signature(obj)
    except (TypeError, ValueError):
        return "(no signature)"
    parts = []
    for param in sig.parameters.values():
        text = str(param.replace(default=inspect.Parameter.empty))
        if param.default is not inspect.Parameter.empty:
            text += f" = {_default(param.default)}"
        parts.append(text)
    # Mark the bare * and / of keyword-only and positional-only parameters as str(sig) does.
    text = str(sig.replace(parameters=[]))  # "()" or "() -> R"
    shown = []
    kinds = [p.kind for p in sig.parameters.values()]
    for i, (part, kind) in enumerate(zip(parts, kinds, strict=True)):
        if kind is inspect.Parameter.KEYWORD_ONLY and (
            i == 0 or kinds[i - 1] not in (kind, inspect.Parameter.VAR_POSITIONAL)
        ):
            shown.append("*")
        shown.append(part)
        if kind is inspect.Parameter.POSITIONAL_ONLY and (
            i + 1 == len(kinds) or kinds[i + 1] is not kind
        ):
            shown.append("/")
    return _ADDRESS.sub("", f"({', '.join(shown)}){text[2:]}")


def _describe(value: Any) -> Any:
    if isinstance(value, type):
        if issubclass(value, enum.Enum):
            return {"enum": [m.name for m in value]}
        methods = {}
        for name, member in sorted(vars(value).items()):
            if name.startswith("_"):
                continue
            if isinstance(member, classmethod | staticmethod):
                methods[name] = _signature(member.__func__)
            elif isinstance(member, property):
                methods[name] = "property"
            elif inspect.isfunction(member):
                methods[name] = _signature(member)
        return {"class": _signature(value), "methods": methods}
    if inspect.isfunction(value) or inspect.isbuiltin(value):
        return {"function": _signature(value)}
    if inspect.ismodule(value):
        return {"module": value.__name__}
    return {"value": type(value).__name__}


def snapshot() -> dict[str, Any]:
    out: dict[str, Any] = {}
    for name in MODULES:
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError:
            continue
        exported = getattr(module, "__all__", None)
        if exported is None:
            raise AssertionError(f"{name} has no __all__")
        out[name] = {n: _describe(getattr(module, n)) for n in sorted(exported)}
    return out


def render() -> str:
    return json.dumps(snapshot(), indent=1, sort_keys=True, ensure_ascii=False) + "\n"


if __name__ == "__main__":
    SNAPSHOT.write_text(render(), encoding="utf-8")
    sys.stdout.write(f"wrote {SNAPSHOT}\n")
