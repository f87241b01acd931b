"""The public API: the top-level names, and that ``import batterypass`` stays cheap."""

from __future__ import annotations

import subprocess
import sys

import pytest

import batterypass


@pytest.mark.parametrize("name", [n for n in batterypass.__all__ if n != "__version__"])
def test_top_level_name_is_the_subpackage_object(name: str) -> None:
    value = getattr(batterypass, name)
    home = value.__module__
    assert home.startswith("batterypass.")
    # the same object as the package that documents it exports
    assert getattr(sys.modules[batterypass._EXPORTS[name]], name) is value


def test_unknown_top_level_name_is_an_attribute_error() -> None:
    with pytest.raises(AttributeError, match="no attribute 'nope'"):
        batterypass.nope  # noqa: B018


def test_import_batterypass_loads_no_subpackage() -> None:
    code = (
        "import sys, batterypass\n"
        "loaded = sorted(m for m in sys.modules if m.startswith('batterypass.'))\n"
        "print(','.join(loaded))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout.strip()
    assert out == ""


def test_star_import_gives_the_documented_names() -> None:
    namespace: dict[str, object] = {}
    exec("from batterypass import *", namespace)
    for name in (
        "BatteryPassport",
        "Audience",
        "sign_passport",
        "verify_passport",
        "verify_many",
        "TrustStore",
        "PrivateKey",
        "PublicKey",
        "BatteryPassError",
    ):
        assert name in namespace
