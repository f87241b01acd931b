"""Which build of batterypass is running: pure Python, or with mypyc-compiled modules.

The compiled build (``BATTERYPASS_MYPYC=1``, see ``setup.py`` and the README) compiles the
modules in :data:`COMPILABLE`; the code is the same, so this is only for reports (benchmarks,
bug reports) and for the few tests that replace a module's internals, which a compiled module
does not see.
"""

from __future__ import annotations

import importlib
from typing import Final

__all__ = ["COMPILABLE", "compiled_modules"]

COMPILABLE: Final = (
    "batterypass.codec._cbor_scan",
    "batterypass.codec._cbor_decode",
    "batterypass.codec._cbor_passport",
    "batterypass.codec._keytable",
    "batterypass.lifecycle._wire",
    "batterypass.model._types",
)
"""The modules ``setup.py`` compiles with mypyc when ``BATTERYPASS_MYPYC=1``."""


def compiled_modules() -> tuple[str, ...]:
    """The modules of :data:`COMPILABLE` that were loaded from a C extension."""
    out = []
    for name in COMPILABLE:
        path = getattr(importlib.import_module(name), "__file__", None) or ""
        if not path.endswith(".py"):
            out.append(name)
    return tuple(out)
