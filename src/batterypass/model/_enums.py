"""Enumerations of the passport model."""

from __future__ import annotations

import enum
from typing import Any

from pydantic import ValidationInfo

__all__ = [
    "BatteryCategory",
    "BatteryStatus",
    "CarbonStage",
    "ChemistryFamily",
    "Component",
    "Element",
    "normalise_status",
]


class BatteryCategory(enum.StrEnum):
    """Battery categories of Art. 2 and Art. 3 of the Regulation."""

    PORTABLE = "portable"
    LMT = "lmt"
    """Light means of transport (e-bikes, e-scooters): Art. 3(1)(11)."""
    SLI = "sli"
    INDUSTRIAL = "industrial"
    EV = "ev"


class BatteryStatus(enum.StrEnum):
    """Battery status of Annex XIII point 4(c)."""

    ORIGINAL = "original"
    REPURPOSED = "repurposed"
    REUSED = "re-used"
    REMANUFACTURED = "remanufactured"
    WASTE = "waste"


_STATUS_SPELLINGS = {
    "original": BatteryStatus.ORIGINAL,
    "repurposed": BatteryStatus.REPURPOSED,
    "reused": BatteryStatus.REUSED,
    "re-used": BatteryStatus.REUSED,
    "re_used": BatteryStatus.REUSED,
    "re used": BatteryStatus.REUSED,
    "remanufactured": BatteryStatus.REMANUFACTURED,
    "waste": BatteryStatus.WASTE,
}


def normalise_status(value: Any, info: ValidationInfo) -> Any:
    """Accept common spellings of a status (``Reused``, ``re_used``) and record the
    normalisation in the validation context's ``notes`` list, when the caller gave one."""
    if isinstance(value, str) and not isinstance(value, BatteryStatus):
        key = value.strip().lower()
        status = _STATUS_SPELLINGS.get(key)
        if status is None:
            return value  # let the enum validator produce the standard error
        if status.value != value and isinstance(info.context, dict):
            notes = info.context.get("notes")
            if isinstance(notes, list):
                notes.append(f"status {value!r} normalised to {status.value!r}")
        return status
    return value


class ChemistryFamily(enum.StrEnum):
    """Battery chemistry families (Annex VI Part A(7)); the exact designation is free text."""

    NMC = "nmc"
    NCA = "nca"
    LFP = "lfp"
    LMFP = "lmfp"
    LMO = "lmo"
    LCO = "lco"
    LTO = "lto"
    SODIUM_ION = "sodium-ion"
    LEAD_ACID = "lead-acid"
    NIMH = "nimh"
    NICD = "nicd"
    SOLID_STATE = "solid-state"
    OTHER = "other"

    @property
    def is_lithium_based(self) -> bool:
        """Lithium-based chemistries (Annex XII Part B recycling-efficiency class)."""
        return self in {
            ChemistryFamily.NMC,
            ChemistryFamily.NCA,
            ChemistryFamily.LFP,
            ChemistryFamily.LMFP,
            ChemistryFamily.LMO,
            ChemistryFamily.LCO,
            ChemistryFamily.LTO,
        }


class CarbonStage(enum.StrEnum):
    """Lifecycle stages of the carbon footprint (Art. 7(1)(e); Annex II point 4); the use
    stage is excluded."""

    RAW_MATERIAL_ACQUISITION = "raw-material-acquisition"
    MAIN_PRODUCTION = "main-production"
    DISTRIBUTION = "distribution"
    END_OF_LIFE = "end-of-life"


class Component(enum.StrEnum):
    """Where in the battery a material sits (Annex XIII point 2(a))."""

    CATHODE = "cathode"
    ANODE = "anode"
    ELECTROLYTE = "electrolyte"
    SEPARATOR = "separator"
    CASING = "casing"
    CURRENT_COLLECTOR = "current-collector"
    BMS = "bms"
    OTHER = "other"


class Element(enum.StrEnum):
    """Elements and materials whose mass the composition may declare (recycling potential,
    Annex XII Part C; recycled content, Art. 8)."""

    COBALT = "cobalt"
    COPPER = "copper"
    LEAD = "lead"
    LITHIUM = "lithium"
    NICKEL = "nickel"
    MANGANESE = "manganese"
    ALUMINIUM = "aluminium"
    IRON = "iron"
    GRAPHITE = "graphite"
    CADMIUM = "cadmium"
    SODIUM = "sodium"
    PHOSPHORUS = "phosphorus"
