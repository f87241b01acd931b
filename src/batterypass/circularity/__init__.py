"""Circularity: recycled content against the Art. 8 minimum shares, and recycling potential
(Annex XII Parts B and C, plus a dismantling-readiness indicator of our own).

The regulatory numbers are dated data (``specs/regulatory-targets.json``, shipped as package
data), never literals in code: see :class:`RegulatoryTargets`.
"""

from __future__ import annotations

from batterypass.circularity._potential import (
    DISMANTLING_ITEMS,
    DismantlingReadiness,
    EfficiencyTarget,
    MaterialPotential,
    MaterialRecovery,
    RecoveryAchieved,
    RecyclingPotential,
    check_recycling_potential,
    dismantling_readiness,
    recovered_masses,
    recovery_achieved,
    recovery_from_chain,
    recycling_potential,
)
from batterypass.circularity._recycled_content import (
    Applicability,
    ContentStatus,
    MaterialCompliance,
    RecycledContentReport,
    materials_present,
    recycled_content_compliance,
)
from batterypass.circularity._targets import (
    TARGETS_FORMAT,
    ChemistryClass,
    RecycledContentScope,
    RegulatoryTargets,
    Target,
    TargetSchedule,
    chemistry_class,
)

__all__ = [
    "DISMANTLING_ITEMS",
    "TARGETS_FORMAT",
    "Applicability",
    "ChemistryClass",
    "ContentStatus",
    "DismantlingReadiness",
    "EfficiencyTarget",
    "MaterialCompliance",
    "MaterialPotential",
    "MaterialRecovery",
    "RecoveryAchieved",
    "RecycledContentReport",
    "RecycledContentScope",
    "RecyclingPotential",
    "RegulatoryTargets",
    "Target",
    "TargetSchedule",
    "check_recycling_potential",
    "chemistry_class",
    "dismantling_readiness",
    "materials_present",
    "recovered_masses",
    "recovery_achieved",
    "recovery_from_chain",
    "recycled_content_compliance",
    "recycling_potential",
]
