"""The layering of STYLE.md, enforced: each layer imports only layers below it; only codec
imports cbor2; only cose and keys import cryptography's hazmat; only cli prints or exits."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[1] / "src" / "batterypass"

# Lower number = lower layer. A module may import its own layer or lower ones.
LAYER = {
    "errors": 0,
    "_fs": 0,
    "model": 1,
    "testing": 2,
    "codec": 2,
    "cose": 3,
    "keys": 3,
    "lifecycle": 4,
    "disclosure": 4,
    "circularity": 5,
    "carbon": 5,
    "verify": 6,
    "interop": 7,
    "service": 8,
    "cli": 9,
    "__main__": 10,
    "__init__": 10,
    # Reports which modules of the compiled build are C extensions (it imports them by name),
    # so it sits on top: nothing in the library imports it.
    "_build": 10,
}


def _modules() -> list[Path]:
    return sorted(SRC.rglob("*.py"))


def _top(path: Path) -> str:
    rel = path.relative_to(SRC)
    return rel.parts[0].removesuffix(".py")


def _imports(path: Path) -> list[str]:
    """Every module a file imports (``from a.b import c`` counts as ``a.b`` and ``a.b.c``)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: list[str] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names += [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.append(node.module)
            names += [f"{node.module}.{a.name}" for a in node.names]
    return names


def test_every_top_level_module_has_a_layer() -> None:
    assert {_top(p) for p in _modules()} <= set(LAYER)


@pytest.mark.parametrize("path", _modules(), ids=lambda p: str(p.relative_to(SRC)))
def test_imports_point_downwards(path: Path) -> None:
    mine = LAYER[_top(path)]
    for name in _imports(path):
        parts = name.split(".")
        if parts[0] != "batterypass" or len(parts) == 1:
            continue
        target = parts[1]
        assert LAYER[target] <= mine, f"{path.relative_to(SRC)} imports {name} (upward)"


@pytest.mark.parametrize("path", _modules(), ids=lambda p: str(p.relative_to(SRC)))
def test_private_modules_stay_in_their_package(path: Path) -> None:
    # ``batterypass.<pkg>._x`` is private to <pkg>: other packages go through its __init__.
    # (The top-level ``batterypass._fs`` is shared by design: it has no package.)
    mine = _top(path)
    for name in _imports(path):
        parts = name.split(".")
        if parts[0] != "batterypass" or len(parts) < 3:
            continue
        if any(p.startswith("_") for p in parts[2:]):
            assert parts[1] == mine, f"{path.relative_to(SRC)} imports {name} (private)"


@pytest.mark.parametrize("path", _modules(), ids=lambda p: str(p.relative_to(SRC)))
def test_foreign_library_boundaries(path: Path) -> None:
    top = _top(path)
    for name in _imports(path):
        if name.split(".")[0] == "cbor2":
            assert top == "codec", f"{path.relative_to(SRC)} imports cbor2"
        if name.startswith("cryptography.hazmat"):
            assert top in ("cose", "keys"), f"{path.relative_to(SRC)} imports {name}"


@pytest.mark.parametrize("path", _modules(), ids=lambda p: str(p.relative_to(SRC)))
def test_only_cli_prints_or_exits(path: Path) -> None:
    if _top(path) in ("cli", "__main__"):
        return
    tree = ast.parse(path.read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
            assert node.func.id not in ("print", "exit", "quit"), (
                f"{path.relative_to(SRC)}:{node.lineno} calls {node.func.id}()"
            )
        if isinstance(node, ast.Attribute) and node.attr == "exit":
            assert not (isinstance(node.value, ast.Name) and node.value.id == "sys"), (
                f"{path.relative_to(SRC)}:{node.lineno} calls sys.exit"
            )


def test_interop_sits_above_model_and_codec() -> None:
    """interop adapts the model to other formats: it needs model, codec and errors, and no
    layer below it may need interop."""
    interop = [p for p in _modules() if _top(p) == "interop"]
    assert interop, "the interop package is missing"
    used = {
        name.split(".")[1]
        for p in interop
        for name in _imports(p)
        if name.startswith("batterypass.")
    }
    assert {"model", "codec", "errors"} <= used
    for path in _modules():
        if LAYER[_top(path)] >= LAYER["interop"]:
            continue
        for name in _imports(path):
            assert not name.startswith("batterypass.interop"), (
                f"{path.relative_to(SRC)} imports {name}"
            )


def test_from_imports_of_private_modules_are_seen(tmp_path: Path) -> None:
    """``from batterypass.x import _y`` names the private module too, so that the private
    module rule sees it."""
    probe = tmp_path / "probe.py"
    probe.write_text("from batterypass.interop import _rules\n")
    assert "batterypass.interop._rules" in _imports(probe)
