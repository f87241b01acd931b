"""Recycling potential: recoverable mass per material, the recycling-efficiency target of the
chemistry class, and a dismantling-readiness indicator (``specs/recycling-potential.md``)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any, Literal

from batterypass.circularity._plain import plain
from batterypass.circularity._targets import ChemistryClass, RegulatoryTargets, chemistry_class
from batterypass.errors import Issue, PathItem, ValidationError
from batterypass.lifecycle import EventType, RecycledPayload, VerifiedChain
from batterypass.model import (
    BatteryPassport,
    ChemistryFamily,
    Element,
    RecoverableMass,
    RecyclingPotentialRecord,
)

__all__ = [
    "DISMANTLING_ITEMS",
    "DismantlingReadiness",
    "EfficiencyTarget",
    "MaterialPotential",
    "MaterialRecovery",
    "RecoveryAchieved",
    "RecyclingPotential",
    "check_recycling_potential",
    "dismantling_readiness",
    "recovery_achieved",
    "recycling_potential",
]

_HUNDRED = Decimal(100)
_BASIS = "Annex XII Part C; Annex XIII(2)(a)"
_FIELD: tuple[PathItem, ...] = ("circularity", "recycling_potential")

DISMANTLING_ITEMS: tuple[tuple[str, str], ...] = (
    ("dismantling_information", "Annex XIII(2)(c)"),
    ("part_numbers", "Annex XIII(2)(b)"),
    ("spare_part_sources", "Annex XIII(2)(b)"),
    ("safety_measures", "Annex XIII(2)(d)"),
)
"""The group 2 circularity data points the dismantling-readiness indicator counts, with the
Annex XIII point behind each."""

RatesBasis = Literal["declared"] | date


@dataclass(frozen=True, slots=True)
class MaterialPotential:
    """Recoverable mass of one material: ``mass_kg`` × ``rate_percent`` / 100."""

    element: Element
    mass_kg: Decimal
    rate_percent: Decimal
    recoverable_kg: Decimal
    rate_source: str
    """The provision that sets the rate, or ``"declared"``."""


@dataclass(frozen=True, slots=True)
class EfficiencyTarget:
    """The Annex XII Part B recycling-efficiency target for the battery's chemistry class."""

    chemistry_class: ChemistryClass
    minimum_percent: Decimal
    in_force_from: date
    legal_basis: str
    battery_mass_kg: Decimal | None
    minimum_recycled_mass_kg: Decimal | None
    """``battery_mass_kg`` × ``minimum_percent`` / 100: the target applied to this one battery
    (the Regulation sets it on the average weight of the batteries a recycler treats)."""


@dataclass(frozen=True, slots=True)
class DismantlingReadiness:
    """batterypass's dismantling-readiness indicator (not a quantity the Regulation defines):
    the share of :data:`DISMANTLING_ITEMS` present and non-empty in the passport."""

    percent: Decimal
    present: tuple[str, ...]
    missing: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class RecyclingPotential:
    """The result of :func:`recycling_potential`."""

    at: date | None
    rates_basis: RatesBasis | None
    """The date whose Annex XII Part C targets gave the rates, ``"declared"``, or ``None`` when
    no rate applied (a date before the first target)."""
    materials: tuple[MaterialPotential, ...]
    not_assessed: tuple[Element, ...]
    """Materials with a declared mass but no rate."""
    total_recoverable_kg: Decimal
    recycling_efficiency: EfficiencyTarget | None
    dismantling: DismantlingReadiness
    notes: tuple[str, ...]

    def recoverable(self) -> dict[Element, Decimal]:
        """Recoverable mass per material, in kg."""
        return {m.element: m.recoverable_kg for m in self.materials}

    def to_dict(self) -> dict[str, Any]:
        """The result as JSON-ready values (decimals as exact strings)."""
        out = plain(self)
        assert isinstance(out, dict)
        return out

    def to_record(self) -> RecyclingPotentialRecord:
        """The value to store in ``circularity.recycling_potential``.

        Raises :class:`ValidationError` when no rate basis exists (neither a date nor declared
        rates were used).
        """
        if self.rates_basis is None:
            raise ValidationError(
                "no rate basis: compute the potential with at= or rates= before storing it",
                path=_FIELD,
                legal_basis=_BASIS,
            )
        return RecyclingPotentialRecord(
            rates_basis=self.rates_basis,
            recoverable=tuple(
                RecoverableMass(
                    element=m.element, rate_percent=m.rate_percent, mass_kg=m.recoverable_kg
                )
                for m in self.materials
            ),
            dismantling_readiness_percent=self.dismantling.percent,
        )


def dismantling_readiness(passport: BatteryPassport) -> DismantlingReadiness:
    """The share of the four Annex XIII point 2(b)-(d) items that are present and non-empty."""
    present: list[str] = []
    missing: list[str] = []
    for name, _basis in DISMANTLING_ITEMS:
        value = getattr(passport.circularity, name)
        (present if value else missing).append(name)
    percent = _HUNDRED * len(present) / len(DISMANTLING_ITEMS)
    return DismantlingReadiness(percent, tuple(present), tuple(missing))


def _checked_rates(rates: Mapping[Element, Decimal]) -> dict[Element, Decimal]:
    out: dict[Element, Decimal] = {}
    for key, value in rates.items():
        try:
            element = Element(key)
        except ValueError:
            raise ValidationError(f"unknown element {key!r}", path=("rates", str(key))) from None
        if isinstance(value, bool) or not isinstance(value, int | Decimal):
            raise ValidationError(
                "a recovery rate must be a Decimal or an int (percent), not "
                f"{type(value).__name__}",
                path=("rates", element.value),
            )
        rate = Decimal(value)
        if not rate.is_finite() or not 0 <= rate <= _HUNDRED:
            raise ValidationError(
                f"a recovery rate is a percentage between 0 and 100, got {value}",
                path=("rates", element.value),
            )
        out[element] = rate
    return out


def recycling_potential(
    passport: BatteryPassport,
    *,
    at: date | None = None,
    rates: Mapping[Element, Decimal] | None = None,
    targets: RegulatoryTargets | None = None,
    efficiency_class: ChemistryClass | None = None,
) -> RecyclingPotential:
    """Recoverable mass of each material in the battery: mass × recovery rate.

    Rates, in percent, come from ``rates`` (a recycler's declared rates) when given, otherwise
    from the Annex XII Part C material-recovery targets in force on ``at``. ``at`` also selects
    the Annex XII Part B recycling-efficiency target of the chemistry class. Give at least one
    of the two; a date before the first Part C target yields no rates, and says so.
    ``efficiency_class`` states the Part B class where the chemistry family does not tell it
    (``solid-state``, ``other``: see :func:`chemistry_class`); without it no target is looked
    up for those, and a note says why. Given for another family, it must agree with it.
    """
    if at is None and rates is None:
        raise ValidationError(
            "give at= (use the Annex XII Part C targets in force on that date) or rates= "
            "(a recycler's declared recovery rates in percent)"
        )
    targets = targets or RegulatoryTargets.shipped()
    notes: list[str] = []
    comp = passport.materials
    # Checked first, whatever else is given: a stated class is never silently ignored.
    family = comp.chemistry.family if comp.chemistry is not None else None
    cls = _efficiency_class(family, efficiency_class)
    masses = {m.element: m.mass_kg for m in comp.element_masses or ()}
    if comp.element_masses is None:
        notes.append("no element masses declared (materials.element_masses): nothing to assess")

    basis: RatesBasis | None
    rate_of: dict[Element, tuple[Decimal, str]] = {}
    if rates is not None:
        basis = "declared"
        for element, rate in _checked_rates(rates).items():
            rate_of[element] = (rate, "declared")
            if element not in masses:
                notes.append(f"a rate is declared for {element.value}, but no mass is declared")
    else:
        assert at is not None
        schedule = targets.material_recovery
        first = schedule.first_in_force()
        if at < first:
            basis = None
            notes.append(
                f"no Annex XII Part C material-recovery target is in force on {at} (the first "
                f"applies from {first}); no rate used"
            )
        else:
            basis = at
            for element in masses:
                target = schedule.in_force(element.value, at)
                if target is not None:
                    rate_of[element] = (target.minimum_percent, target.legal_basis)

    materials: list[MaterialPotential] = []
    not_assessed: list[Element] = []
    for element, mass in masses.items():
        if element not in rate_of:
            not_assessed.append(element)
            continue
        rate, source = rate_of[element]
        materials.append(MaterialPotential(element, mass, rate, mass * rate / _HUNDRED, source))
    total = sum((m.recoverable_kg for m in materials), Decimal(0))

    efficiency: EfficiencyTarget | None = None
    if at is None:
        notes.append("no date given: recycling-efficiency target not looked up")
    elif cls is None and family is None:
        notes.append(
            "chemistry not declared (materials.chemistry) and no class stated: no "
            "recycling-efficiency class"
        )
    elif cls is None:
        notes.append(
            f"chemistry family {str(family)!r} does not tell whether the battery is "
            "lithium-based (Annex XII Part B): state its class to look up the "
            "recycling-efficiency target"
        )
    else:
        target = targets.recycling_efficiency.in_force(cls.value, at)
        if target is None:
            notes.append(
                f"no Annex XII Part B target for {cls.value} batteries is in force on {at}"
            )
        else:
            mass_kg = passport.general.mass_kg
            efficiency = EfficiencyTarget(
                chemistry_class=cls,
                minimum_percent=target.minimum_percent,
                in_force_from=target.in_force_from,
                legal_basis=target.legal_basis,
                battery_mass_kg=mass_kg,
                minimum_recycled_mass_kg=(
                    mass_kg * target.minimum_percent / _HUNDRED if mass_kg is not None else None
                ),
            )
    return RecyclingPotential(
        at=at,
        rates_basis=basis,
        materials=tuple(materials),
        not_assessed=tuple(not_assessed),
        total_recoverable_kg=total,
        recycling_efficiency=efficiency,
        dismantling=dismantling_readiness(passport),
        notes=tuple(notes),
    )


def _tolerance(stated: Decimal) -> Decimal:
    # A stored value may be rounded: accept half a unit of its last stated digit.
    return Decimal(5).scaleb(int(stated.as_tuple().exponent) - 1)


def _efficiency_class(
    family: ChemistryFamily | None, stated: ChemistryClass | None
) -> ChemistryClass | None:
    """The stated class, checked against the family; else the family's class, if it tells."""
    if stated is not None and not isinstance(stated, ChemistryClass):
        raise ValidationError(
            f"efficiency_class must be a ChemistryClass, not {type(stated).__name__}"
        )
    derived = chemistry_class(family) if family is not None else None
    if stated is None:
        return derived
    if family is not None and derived is not None and derived is not stated:
        raise ValidationError(
            f"efficiency class {stated.value!r} contradicts the chemistry family "
            f"{family.value!r}, which is {derived.value}",
            path=("materials", "chemistry", "family"),
            legal_basis="Annex XII Part B",
        )
    return stated


def check_recycling_potential(
    passport: BatteryPassport,
    *,
    rates: Mapping[Element, Decimal] | None = None,
    targets: RegulatoryTargets | None = None,
) -> None:
    """Recompute ``circularity.recycling_potential`` from the composition and raise
    :class:`ValidationError` (every mismatch, with its field path) if the stored value differs.

    A stored value with a date basis is recomputed from the Part C targets in force on that
    date. One with a ``"declared"`` basis is recomputed from ``rates`` when given, else from
    the rates it states itself (then only the masses are checked). Stored masses may be rounded
    to the digits they state. Nothing stored: nothing to check.
    """
    stored = passport.circularity.recycling_potential
    if stored is None:
        return
    issues: list[Issue] = []
    basis = stored.rates_basis
    if basis == "declared":
        use = (
            rates if rates is not None else {r.element: r.rate_percent for r in stored.recoverable}
        )
        expected = recycling_potential(passport, rates=use, targets=targets)
    else:
        assert isinstance(basis, date)
        if rates is not None:
            raise ValidationError(
                f"the stored potential uses the Annex XII Part C targets in force on {basis}, "
                "but declared rates were given",
                path=(*_FIELD, "rates_basis"),
                legal_basis=_BASIS,
            )
        expected = recycling_potential(passport, at=basis, targets=targets)

    want = {m.element: m for m in expected.materials}
    seen: set[Element] = set()
    for i, entry in enumerate(stored.recoverable):
        where = (*_FIELD, "recoverable", i)
        if entry.element in seen:
            issues.append(Issue((*where, "element"), f"{entry.element.value} listed twice", _BASIS))
            continue
        seen.add(entry.element)
        exp = want.get(entry.element)
        if exp is None:
            reason = (
                "no mass is declared for it in materials.element_masses"
                if entry.element not in {m.element for m in passport.materials.element_masses or ()}
                else "no recovery rate applies to it"
            )
            issues.append(Issue((*where, "element"), f"{entry.element.value}: {reason}", _BASIS))
            continue
        if entry.rate_percent != exp.rate_percent:
            issues.append(
                Issue(
                    (*where, "rate_percent"),
                    f"{entry.element.value}: rate {entry.rate_percent} %, expected "
                    f"{exp.rate_percent} % ({exp.rate_source})",
                    _BASIS,
                )
            )
        elif abs(entry.mass_kg - exp.recoverable_kg) > _tolerance(entry.mass_kg):
            issues.append(
                Issue(
                    (*where, "mass_kg"),
                    f"{entry.element.value}: recoverable mass {entry.mass_kg} kg does not match "
                    f"the composition ({exp.mass_kg} kg × {exp.rate_percent} % = "
                    f"{exp.recoverable_kg} kg)",
                    _BASIS,
                )
            )
    for element, exp in want.items():
        if element not in seen:
            issues.append(
                Issue(
                    (*_FIELD, "recoverable"),
                    f"no entry for {element.value}, although the composition declares "
                    f"{exp.mass_kg} kg and a rate of {exp.rate_percent} % applies",
                    _BASIS,
                )
            )
    readiness = expected.dismantling.percent
    if stored.dismantling_readiness_percent != readiness:
        issues.append(
            Issue(
                (*_FIELD, "dismantling_readiness_percent"),
                f"dismantling readiness {stored.dismantling_readiness_percent} %, but the "
                f"passport gives {readiness} % (missing: "
                f"{', '.join(expected.dismantling.missing) or 'none'})",
                "Annex XIII(2)(b)-(d)",
            )
        )
    if issues:
        raise ValidationError.from_issues(issues)


@dataclass(frozen=True, slots=True)
class MaterialRecovery:
    """Recovered against recoverable mass of one material."""

    element: Element
    potential_kg: Decimal | None
    recovered_kg: Decimal | None
    achieved_percent: Decimal | None
    """``recovered_kg`` / ``potential_kg`` × 100; ``None`` when either is missing or the
    potential is zero."""


@dataclass(frozen=True, slots=True)
class RecoveryAchieved:
    """The result of :func:`recovery_achieved`."""

    materials: tuple[MaterialRecovery, ...]

    def to_dict(self) -> dict[str, Any]:
        """The result as JSON-ready values (decimals as exact strings)."""
        out = plain(self)
        assert isinstance(out, dict)
        return out


def recovery_achieved(
    potential: RecyclingPotential, recovered: Mapping[Element, Decimal]
) -> RecoveryAchieved:
    """Compare masses actually recovered (e.g. from a recycling event) with the potential.

    Materials of either side appear; a share is given where both masses are known and the
    potential is above zero. Raises :class:`ValidationError` for a negative or non-decimal
    recovered mass.
    """
    got: dict[Element, Decimal] = {}
    for key, value in recovered.items():
        try:
            element = Element(key)
        except ValueError:
            raise ValidationError(
                f"unknown element {key!r}", path=("recovered", str(key))
            ) from None
        if isinstance(value, bool) or not isinstance(value, int | Decimal):
            raise ValidationError(
                f"a recovered mass must be a Decimal or an int (kg), not {type(value).__name__}",
                path=("recovered", element.value),
            )
        mass = Decimal(value)
        if not mass.is_finite() or mass < 0:
            raise ValidationError(
                f"a recovered mass must be finite and not negative, got {value}",
                path=("recovered", element.value),
            )
        got[element] = mass
    pot = potential.recoverable()
    order = list(pot) + [e for e in Element if e in got and e not in pot]
    rows: list[MaterialRecovery] = []
    for element in order:
        p, r = pot.get(element), got.get(element)
        share = r / p * _HUNDRED if p is not None and r is not None and p > 0 else None
        rows.append(MaterialRecovery(element, p, r, share))
    return RecoveryAchieved(tuple(rows))


def recovered_masses(report: VerifiedChain) -> tuple[date, dict[Element, Decimal]] | None:
    """The date and recovered masses of the ``recycled`` event of a verified chain, or
    ``None`` when the battery has not been recycled."""
    for verified in reversed(report.events):
        event = verified.event
        if event.type is EventType.RECYCLED:
            payload = event.payload
            assert isinstance(payload, RecycledPayload)
            return event.time.date(), {m.element: m.mass_kg for m in payload.recovered}
    return None


def recovery_from_chain(
    report: VerifiedChain,
    *,
    rates: Mapping[Element, Decimal] | None = None,
    targets: RegulatoryTargets | None = None,
) -> RecoveryAchieved | None:
    """Recovery achieved by the recycler against the battery's recycling potential.

    The potential is computed from the passport's composition with the recycler's declared
    ``rates`` when given, else with the Annex XII Part C targets in force on the day of the
    ``recycled`` event. ``None`` when the chain has no ``recycled`` event.
    """
    found = recovered_masses(report)
    if found is None:
        return None
    day, recovered = found
    potential = (
        recycling_potential(report.passport, rates=rates, targets=targets)
        if rates is not None
        else recycling_potential(report.passport, at=day, targets=targets)
    )
    return recovery_achieved(potential, recovered)
