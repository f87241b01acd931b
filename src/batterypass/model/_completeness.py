"""Which mandatory Annex XIII data points a passport still lacks."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from batterypass.model._access import AccessGroup, Scope
from batterypass.model._passport import BatteryPassport, iter_data_points

__all__ = ["CompletenessReport", "Gap", "completeness"]

_PASSPORT_THRESHOLD_KWH = Decimal(2)
"""Art. 77(1): industrial batteries need a passport above 2 kWh."""


@dataclass(frozen=True, slots=True)
class Gap:
    """One mandatory data point that has no value."""

    path: str
    description: str
    legal_basis: str
    group: AccessGroup


@dataclass(frozen=True, slots=True)
class CompletenessReport:
    """The result of :func:`completeness`."""

    scope: Scope | None
    passport_required: bool | None
    """``True``/``False`` when Art. 77(1) decides it from the data, ``None`` when it cannot
    (category or, for industrial batteries, energy not known)."""
    reason: str
    gaps: tuple[Gap, ...]
    checked: int
    """How many mandatory data points were checked."""

    @property
    def complete(self) -> bool:
        return self.scope is not None and not self.gaps


def completeness(passport: BatteryPassport) -> CompletenessReport:
    """List the mandatory data points still missing for the passport's battery scope.

    The mandatory set per scope (EV, LMT, industrial, stationary) follows the Regulation as
    tabulated in the Battery Pass longlist ("x" columns). A value of ``None`` is missing; an
    empty list is a declaration (e.g. "no hazardous substances") and counts as present.
    """
    scope = passport.scope
    category = passport.general.category
    if scope is None:
        reason = (
            "battery category not given (general.category)"
            if category is None
            else f"category {category.value!r} needs no battery passport (Art. 77(1))"
        )
        required: bool | None = None if category is None else False
        missing = (
            (Gap("general.category", "Battery category", "Annex VI Part A(2)", AccessGroup.PUBLIC),)
            if category is None
            else ()
        )
        return CompletenessReport(scope, required, reason, missing, 1 if category is None else 0)
    if scope in (Scope.INDUSTRIAL, Scope.STATIONARY):
        energy = passport.energy_kwh
        if energy is None:
            required, reason = None, "industrial battery of unknown energy (Art. 77(1): > 2 kWh)"
        elif energy > _PASSPORT_THRESHOLD_KWH:
            required, reason = True, f"industrial battery of {energy} kWh > 2 kWh (Art. 77(1))"
        else:
            required, reason = False, f"industrial battery of {energy} kWh <= 2 kWh (Art. 77(1))"
    else:
        required, reason = True, f"{scope.value} battery (Art. 77(1))"
    gaps: list[Gap] = []
    checked = 0
    for ref in iter_data_points():
        if scope not in ref.info.mandatory_for:
            continue
        checked += 1
        value: object = passport
        for name in ref.path:
            value = getattr(value, name)
        if value is None:
            gaps.append(
                Gap(".".join(ref.path), ref.info.description, ref.info.legal_basis, ref.info.group)
            )
    return CompletenessReport(scope, required, reason, tuple(gaps), checked)
