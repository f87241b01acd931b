"""Which mandatory Annex XIII data points a passport still lacks, at a date."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from batterypass.model._access import AccessGroup, Scope
from batterypass.model._obligations import (
    OBLIGATIONS,
    PASSPORT_DUTY_START,
    Obligation,
    obligation_for,
)
from batterypass.model._passport import BatteryPassport, iter_data_points

__all__ = ["CompletenessReport", "Gap", "NotYetRequired", "completeness", "default_date"]

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
class NotYetRequired:
    """A mandatory data point without a value whose duty does not apply yet at the date."""

    path: str
    description: str
    legal_basis: str
    group: AccessGroup
    reason: str
    """Why it is not due: the date it applies from, or the act it waits for (with sources)."""

    def __str__(self) -> str:
        return f"{self.path}: not yet required ({self.reason})"


@dataclass(frozen=True, slots=True)
class CompletenessReport:
    """The result of :func:`completeness`."""

    at: date
    """The date the obligations were judged at."""
    scope: Scope | None
    passport_required: bool | None
    """``True``/``False`` when Art. 77(1) decides it from the data, ``None`` when it cannot
    (category or, for industrial batteries, energy not known)."""
    reason: str
    gaps: tuple[Gap, ...]
    checked: int
    """How many mandatory data points were due, hence checked."""
    not_yet_required: tuple[NotYetRequired, ...] = ()
    """Missing mandatory data points that are not due at ``at`` (never gaps)."""

    @property
    def complete(self) -> bool:
        return self.scope is not None and not self.gaps


def default_date(passport: BatteryPassport) -> date:
    """The date :func:`completeness` judges at by default: the passport's issue date, or the
    start of the passport duty (18 February 2027, Art. 77(1)) if it was issued earlier
    (docs/adr/0008)."""
    return max(passport.issued_at.date(), PASSPORT_DUTY_START)


def completeness(
    passport: BatteryPassport,
    *,
    at: date | None = None,
    obligations: Iterable[Obligation] = OBLIGATIONS,
) -> CompletenessReport:
    """List the mandatory data points still missing for the passport's battery scope, at a
    date.

    The mandatory set per scope (EV, LMT, industrial, stationary) follows the Regulation as
    tabulated in the Battery Pass longlist ("x" columns). A value of ``None`` is missing; an
    empty list is a declaration (e.g. "no hazardous substances") and counts as present.
    A missing data point whose duty does not apply on ``at`` (``obligations``, by default the
    shipped :data:`~batterypass.model.OBLIGATIONS`) is reported in ``not_yet_required``, not
    as a gap. ``at`` defaults to :func:`default_date`.
    """
    when = default_date(passport) if at is None else at
    table = tuple(obligations)
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
        return CompletenessReport(
            when, scope, required, reason, missing, 1 if category is None else 0
        )
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
    if when < PASSPORT_DUTY_START and required is not False:
        required = False
        reason += f"; the passport duty applies from {PASSPORT_DUTY_START.isoformat()}"
    gaps: list[Gap] = []
    later: list[NotYetRequired] = []
    checked = 0
    for ref in iter_data_points():
        if scope not in ref.info.mandatory_for:
            continue
        path = ".".join(ref.path)
        duty = obligation_for(path, scope, table)
        value: object = passport
        for name in ref.path:
            value = getattr(value, name)
        if not duty.due(when):
            if value is None:
                later.append(
                    NotYetRequired(
                        path,
                        ref.info.description,
                        ref.info.legal_basis,
                        ref.info.group,
                        duty.why_not_due(when),
                    )
                )
            continue
        checked += 1
        if value is None:
            gaps.append(Gap(path, ref.info.description, ref.info.legal_basis, ref.info.group))
    return CompletenessReport(when, scope, required, reason, tuple(gaps), checked, tuple(later))
