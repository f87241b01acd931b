"""The public API: the top-level names, and that ``import batterypass`` stays cheap."""

from __future__ import annotations

import importlib.util
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

import batterypass
from batterypass._build import compiled_modules


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


def _kinds(snapshot: dict[str, dict[str, Any]]) -> dict[str, dict[str, Any]]:
    return {mod: {n: sorted(d) for n, d in names.items()} for mod, names in snapshot.items()}


def test_the_public_api_matches_its_snapshot() -> None:
    """Names and signatures of everything the public modules export; a change to the public
    API must be deliberate: run ``PYTHONPATH=src python tests/api_snapshot.py`` and commit
    the diff of tests/api_snapshot.json with the change."""
    spec = importlib.util.spec_from_file_location(
        "_batterypass_api_snapshot", Path(__file__).with_name("api_snapshot.py")
    )
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    current = json.loads(module.render())
    recorded = json.loads(module.SNAPSHOT.read_text(encoding="utf-8"))
    if compiled_modules():
        # mypyc-compiled functions carry no Python signature (and their validators show as
        # built-ins), so the compiled build checks the exported names and their kinds; the
        # pure-Python run of the same suite checks the signatures.
        current, recorded = _kinds(current), _kinds(recorded)
    changed = sorted(
        f"{mod}.{name}"
        for mod in current.keys() | recorded.keys()
        for name in current.get(mod, {}).keys() | recorded.get(mod, {}).keys()
        if current.get(mod, {}).get(name) != recorded.get(mod, {}).get(name)
    )
    assert not changed, (
        "the public API changed; if deliberate, run `PYTHONPATH=src python "
        f"tests/api_snapshot.py` and commit tests/api_snapshot.json: {changed}"
    )


def test_every_verify_function_returns_a_verified_result() -> None:
    import inspect

    import batterypass.verify as verify

    for name in verify.__all__:
        value = getattr(verify, name)
        if name.startswith("verify_") and name not in ("verify_many", "verify_x509_chain"):
            returned = str(inspect.signature(value).return_annotation)
            assert "Verified" in returned, (name, returned)
