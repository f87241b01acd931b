"""Fixtures for the Battery Pass consortium data model tests: the vendored schemas and a
draft-04 validator that reports errors as JSON pointers."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from datetime import datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from jsonschema import Draft4Validator, FormatChecker

from batterypass.interop import battery_pass as dm

VECTORS = Path(__file__).resolve().parent / "vectors"

SCHEMA_FILES: dict[tuple[str, str], str] = {
    (dm.GENERAL, "1.2.0"): "io.BatteryPass.GeneralProductInformation/1.2.0/gen/"
    "GeneralProductInformation-schema.json",
    (dm.CARBON_FOOTPRINT, "1.2.0"): "io.BatteryPass.CarbonFootprint/1.2.0/gen/"
    "CarbonFootprintForBatteries-schema.json",
    (dm.DUE_DILIGENCE, "1.2.0"): "io.BatteryPass.SupplyChainDueDiligence/1.2.0/gen/"
    "SupplyChainDueDiligence-schema.json",
    (dm.MATERIALS, "1.2.0"): "io.BatteryPass.MaterialComposition/1.2.0/gen/"
    "MaterialComposition-schema.json",
    (dm.CIRCULARITY, "1.2.0"): "io.BatteryPass.Circularity/1.2.0/gen/Circularity-schema.json",
    (dm.PERFORMANCE, "1.2.0"): "io.BatteryPass.Performance/1.2.0/gen/"
    "PerformanceAndDurability-schema.json",
    (dm.PERFORMANCE, "1.2.1"): "io.BatteryPass.Performance/1.2.1/gen/"
    "PerformanceAndDurability.schema",
    (dm.LABELS, "1.2.0"): "io.BatteryPass.Labels/1.2.0/gen/Labeling-schema.json",
}

SAMPLE_FILES: dict[tuple[str, str], str] = {
    (dm.GENERAL, "1.2.0"): "io.BatteryPass.GeneralProductInformation/1.2.0/gen/"
    "GeneralProductInformation-payload.json",
    (dm.CARBON_FOOTPRINT, "1.2.0"): "io.BatteryPass.CarbonFootprint/1.2.0/gen/"
    "CarbonFootprintForBatteries-payload.json",
    (dm.DUE_DILIGENCE, "1.2.0"): "io.BatteryPass.SupplyChainDueDiligence/1.2.0/gen/"
    "SupplyChainDueDiligence-payload.json",
    (dm.MATERIALS, "1.2.0"): "io.BatteryPass.MaterialComposition/1.2.0/gen/"
    "MaterialComposition-payload.json",
    (dm.CIRCULARITY, "1.2.0"): "io.BatteryPass.Circularity/1.2.0/gen/Circularity.json",
    (dm.PERFORMANCE, "1.2.0"): "io.BatteryPass.Performance/1.2.0/gen/"
    "PerformanceAndDurability-payload.json",
    (dm.PERFORMANCE, "1.2.1"): "io.BatteryPass.Performance/1.2.1/gen/PerformanceAndDurability.json",
    (dm.LABELS, "1.2.0"): "io.BatteryPass.Labels/1.2.0/gen/Labeling-payload.json",
}

PUBLISHED_EMAIL_PATTERN = "^[w.-]+@[w.-]+.[A-Za-z]{2,}$"
INTENDED_EMAIL_PATTERN = r"^[\w.-]+@[\w.-]+\.[A-Za-z]{2,}$"

_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*$")


def _is_uri(value: object) -> bool:
    """RFC 3986 absolute URI, checked independently of the codec's own check."""
    if not isinstance(value, str):
        return True
    if any(c.isspace() for c in value) or ":" not in value:
        return False
    return bool(_SCHEME.match(urlsplit(value).scheme))


def _is_date_time(value: object) -> bool:
    if not isinstance(value, str):
        return True
    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00")).tzinfo is not None
    except ValueError:
        return False


def _format_checker() -> FormatChecker:
    checker = FormatChecker(formats=())
    checker.checks("uri")(_is_uri)
    checker.checks("date-time")(_is_date_time)
    return checker


def load_schema(aspect: str, version: str = "1.2.0", *, repair_email: bool = True) -> Any:
    schema = dm.read_aspect_file(VECTORS / SCHEMA_FILES[(aspect, version)])
    if repair_email and aspect == dm.GENERAL:
        trait = schema["components"]["schemas"]["EmailAddressTrait"]
        assert trait["pattern"] == PUBLISHED_EMAIL_PATTERN  # the upstream bug, still there
        trait["pattern"] = INTENDED_EMAIL_PATTERN
    return schema


def pointer_of(path: Any) -> str:
    return "".join(f"/{p}" for p in path)


Validate = Callable[[str, Mapping[str, Any]], set[tuple[str, str]]]


@pytest.fixture(scope="session")
def schema_errors() -> Validate:
    """``schema_errors(aspect, doc)``: the draft-04 validation errors of an exported document
    (the e-mail pattern repaired) as ``(JSON pointer, rule)``, rule being ``required`` (pointing
    at the missing property), ``pattern``, ``format``, ``range`` or another validator's name."""
    validators = {
        aspect: Draft4Validator(
            load_schema(
                aspect, dm.PERFORMANCE_EXPORT_VERSION if aspect == dm.PERFORMANCE else "1.2.0"
            ),
            format_checker=_format_checker(),
        )
        for aspect in dm.ASPECTS
    }

    def errors(aspect: str, doc: Mapping[str, Any]) -> set[tuple[str, str]]:
        return errors_of(validators[aspect], doc)

    return errors


def errors_of(validator: Draft4Validator, doc: Mapping[str, Any]) -> set[tuple[str, str]]:
    """A document's draft-04 validation errors as ``(JSON pointer, rule)`` (see schema_errors)."""
    out = set()
    for error in validator.iter_errors(doc):
        where = pointer_of(error.absolute_path)
        if error.validator == "required":
            for name in error.validator_value:
                if name not in error.instance:
                    out.add((f"{where}/{name}", "required"))
        else:
            rule = {"minimum": "range", "maximum": "range"}.get(error.validator)
            out.add((where, rule or str(error.validator)))
    return out


def reported(docs: dm.AspectDocuments, aspect: str) -> set[tuple[str, str]]:
    """What the export's notes say the schema will object to, in the form of schema_errors."""
    out = set()
    for note in docs.notes:
        if note.aspect != aspect or note.pointer is None:
            continue
        if note.kind == "missing":
            out.add((note.pointer, "required"))
        elif note.kind == "deviation" and note.rule != "datatype":
            # JSON Schema has "number" for xsd:short: a fraction is no schema error.
            out.add((note.pointer, note.rule or ""))
    return out


@pytest.fixture(scope="session")
def reported_errors() -> Callable[[dm.AspectDocuments, str], set[tuple[str, str]]]:
    return reported


@pytest.fixture(scope="session")
def support() -> Any:
    """This module's helpers and constants, for the tests (pytest runs with
    --import-mode=importlib, so a conftest cannot be imported)."""
    import sys

    return sys.modules[__name__]


@pytest.fixture(params=sorted(SCHEMA_FILES), ids=lambda k: f"{k[0]}-{k[1]}")
def schema_key(request: pytest.FixtureRequest) -> tuple[str, str]:
    key: tuple[str, str] = request.param
    return key


@pytest.fixture(params=sorted(SAMPLE_FILES), ids=lambda k: f"{k[0]}-{k[1]}")
def sample_key(request: pytest.FixtureRequest) -> tuple[str, str]:
    key: tuple[str, str] = request.param
    return key
