"""CarbonFootprintForBatteries. Quirk by hand: the per-stage values, a list keyed by
``lifecycleStage`` (kg CO2e/kWh on the wire and in the model)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Final

import pydantic

from batterypass.interop._rules import SAME, Rule, Verbatim
from batterypass.interop._shape import pointer
from batterypass.interop.battery_pass._common import Exporter, Importer
from batterypass.interop.battery_pass._schema import CARBON_FOOTPRINT
from batterypass.model import CarbonFootprint

_C = CARBON_FOOTPRINT
RULES: Final[tuple[Rule, ...]] = (
    Rule(
        _C, "/batteryCarbonFootprint", "carbon_footprint.total_kg_co2e_per_kwh", SAME, longlist=19
    ),
    Rule(
        _C,
        "/carbonFootprintPerformanceClass",
        "carbon_footprint.performance_class",
        Verbatim(),
        longlist=24,
    ),
    Rule(_C, "/carbonFootprintStudy", "carbon_footprint.study_url", Verbatim(), longlist=25),
    Rule(
        _C,
        "/absoluteCarbonFootprint",
        "carbon_footprint.absolute_kg_co2e",
        Verbatim("kg CO2e on the wire and in the model; the longlist's t CO2e is kg / 1000"),
        longlist=27,
    ),
)

STAGES: Final = (
    ("RawMaterialExtraction", "raw_material_acquisition_kg_co2e_per_kwh"),
    ("MainProduction", "main_production_kg_co2e_per_kwh"),
    ("Distribution", "distribution_kg_co2e_per_kwh"),
    ("Recycling", "end_of_life_kg_co2e_per_kwh"),
)
UNREADABLE_STAGES: Final = "import_aspects will reject the lifecycle stages"
"""Said by an export note when the documents' carbon footprint stages cannot be read back."""


def export(ex: Exporter, doc: dict[str, Any]) -> None:
    """Add the quirks to the rules' document."""
    c = ex.p.carbon_footprint
    if c.rounding_kg_co2e_per_kwh is not None:
        message = "the consortium model has no rounding step"
        try:
            CarbonFootprint.model_validate(c.model_dump() | {"rounding_kg_co2e_per_kwh": None})
        except pydantic.ValidationError:
            message += (
                f"; {UNREADABLE_STAGES}: without it they do not add up to the total within the "
                "precision of their digits"
            )
        ex.lost("carbon_footprint.rounding_kg_co2e_per_kwh", message)
    if c.class_scheme is not None:
        ex.lost(
            "carbon_footprint.class_scheme",
            "the consortium model has no performance class scheme",
        )
    for name in ("method", "boundary", "verifier"):
        if getattr(c, name) is not None:
            ex.lost(
                f"carbon_footprint.{name}", f"the consortium model has no carbon footprint {name}"
            )
    stages = [
        {"lifecycleStage": wire, "carbonFootprint": getattr(c, name)}
        for wire, name in STAGES
        if getattr(c, name) is not None
    ]
    doc["carbonFootprintPerLifecycleStage"] = stages or None


def read(imp: Importer, doc: Mapping[str, Any]) -> None:
    """Read the quirks; the rules have read the rest."""
    a = CARBON_FOOTPRINT
    fields = dict(STAGES)
    seen: set[str] = set()
    for i, entry in enumerate(doc.get("carbonFootprintPerLifecycleStage", ())):
        here = f"/carbonFootprintPerLifecycleStage/{i}"
        if entry is None or "lifecycleStage" not in entry:
            continue
        stage = entry["lifecycleStage"]
        if stage in seen:
            imp.fail(a, pointer(here, "lifecycleStage"), f"stage {stage!r} given twice")
            continue
        seen.add(stage)
        if "carbonFootprint" in entry:
            imp.put(
                ("carbon_footprint", fields[stage]),
                entry["carbonFootprint"],
                a,
                pointer(here, "carbonFootprint"),
            )
