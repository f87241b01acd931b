"""specs/openapi.json is the app's own OpenAPI document, current."""

from __future__ import annotations

import importlib.util
import json
import types
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _generator() -> types.ModuleType:
    spec = importlib.util.spec_from_file_location("gen_openapi", ROOT / "specs" / "gen_openapi.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_openapi_file_is_current() -> None:
    current = (ROOT / "specs" / "openapi.json").read_text(encoding="utf-8")
    assert _generator().render() == current, "run: python specs/gen_openapi.py"


def test_openapi_documents_every_route() -> None:
    doc = json.loads((ROOT / "specs" / "openapi.json").read_text(encoding="utf-8"))
    assert {"/passports/{passport_id}", "/01/{gtin}/21/{serial}", "/changes"} <= set(doc["paths"])
    put = doc["paths"]["/passports/{passport_id}"]["put"]
    assert "application/cose" in put["requestBody"]["content"]
