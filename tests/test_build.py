"""The optional compiled build (setup.py, BATTERYPASS_MYPYC): pure Python unless asked for,
and the module list in one place."""

from __future__ import annotations

import os
import runpy
from pathlib import Path
from typing import Any

import pytest
import setuptools

from batterypass._build import COMPILABLE, compiled_modules

ROOT = Path(__file__).resolve().parent.parent


def _setup_ext_modules(monkeypatch: pytest.MonkeyPatch, switch: str | None) -> list[Any]:
    seen: dict[str, Any] = {}
    monkeypatch.setattr(setuptools, "setup", lambda **kw: seen.update(kw))
    if switch is None:
        monkeypatch.delenv("BATTERYPASS_MYPYC", raising=False)
    else:
        monkeypatch.setenv("BATTERYPASS_MYPYC", switch)
    namespace = runpy.run_path(str(ROOT / "setup.py"))
    assert namespace["MYPYC_MODULES"] == [
        "src/" + name.replace(".", "/") + ".py" for name in COMPILABLE
    ]
    return list(seen["ext_modules"])


@pytest.mark.parametrize("switch", [None, "", "0"])
def test_a_plain_install_builds_pure_python(
    monkeypatch: pytest.MonkeyPatch, switch: str | None
) -> None:
    assert _setup_ext_modules(monkeypatch, switch) == []


def test_an_unclear_switch_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    with pytest.raises(SystemExit, match="must be 0 or 1"):
        _setup_ext_modules(monkeypatch, "yes")


def test_the_running_build_is_the_expected_one() -> None:
    # CI sets BATTERYPASS_EXPECT_COMPILED=1 for its run against the compiled installation.
    expected = COMPILABLE if os.environ.get("BATTERYPASS_EXPECT_COMPILED") == "1" else ()
    assert compiled_modules() == expected
