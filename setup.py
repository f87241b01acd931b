"""Build hook for the optional compiled build (issue 16; see README "Compiled build").

``pip install .`` builds pure Python and needs nothing but Python. With the environment
variable ``BATTERYPASS_MYPYC=1`` the hot pure-Python modules listed below are compiled with
mypyc into C extensions; that needs a C compiler and mypy (the ``dev`` extra) in the build
environment, so build without isolation:

    pip install '.[dev]' && BATTERYPASS_MYPYC=1 pip install --no-build-isolation .

The compiled modules behave as the Python ones (CI runs the whole suite against both builds);
``batterypass._build.compiled_modules()`` says which modules are compiled in an installation.
"""

from __future__ import annotations

import os

from setuptools import setup

#: The modules compiled by the compiled build: the decoding hot path (keep in step with
#: batterypass._build.COMPILABLE; a test checks it). lifecycle/_wire.py subclasses the key-table
#: codecs of codec/_keytable.py, and a compiled class can only be subclassed by compiled code.
MYPYC_MODULES = [
    "src/batterypass/codec/_cbor_scan.py",
    "src/batterypass/codec/_cbor_decode.py",
    "src/batterypass/codec/_cbor_passport.py",
    "src/batterypass/codec/_keytable.py",
    "src/batterypass/lifecycle/_wire.py",
    "src/batterypass/model/_types.py",
]


def _ext_modules() -> list[object]:
    switch = os.environ.get("BATTERYPASS_MYPYC", "")
    if switch in ("", "0"):
        return []
    if switch != "1":
        raise SystemExit(f"BATTERYPASS_MYPYC must be 0 or 1, not {switch!r}")
    try:
        from mypyc.build import mypycify
    except ImportError:
        raise SystemExit(
            "BATTERYPASS_MYPYC=1 needs mypy (with mypyc) in the build environment: "
            "pip install '.[dev]' then BATTERYPASS_MYPYC=1 pip install --no-build-isolation ."
        ) from None
    return list(mypycify(MYPYC_MODULES, opt_level="3"))


setup(ext_modules=_ext_modules())
