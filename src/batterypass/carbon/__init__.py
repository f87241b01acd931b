"""Carbon footprint (Art. 7; Annex II): the functional unit, lifecycle-stage shares,
pluggable performance-class schemes, and an SVG label with a QR code.

The EU performance-class limits are set by delegated act and not yet published: every scheme
is supplied by the caller, and an illustrative one says so on the label.
"""

from __future__ import annotations

from batterypass.carbon._footprint import (
    STAGES,
    check_functional_unit,
    lifetime_energy_kwh,
    per_kwh_from_absolute,
    stage_shares,
)
from batterypass.carbon._label import CN_REGIME, EU_REGIME, render_cn_label, render_label
from batterypass.carbon._qr import qr_png, qr_svg
from batterypass.carbon._schemes import (
    SCHEME_FORMAT,
    SCHEME_UNIT,
    Band,
    ClassScheme,
    ThresholdScheme,
    check_declared_class,
)
from batterypass.model import CarbonStage

__all__ = [
    "CN_REGIME",
    "EU_REGIME",
    "SCHEME_FORMAT",
    "SCHEME_UNIT",
    "STAGES",
    "Band",
    "CarbonStage",
    "ClassScheme",
    "ThresholdScheme",
    "check_declared_class",
    "check_functional_unit",
    "lifetime_energy_kwh",
    "per_kwh_from_absolute",
    "qr_png",
    "qr_svg",
    "render_cn_label",
    "render_label",
    "stage_shares",
]
