"""Recycled content against the Art. 8 minimum shares in force at a date."""

from __future__ import annotations

import enum
import re
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from batterypass.circularity._plain import plain
from batterypass.circularity._targets import RegulatoryTargets, Target
from batterypass.model import BatteryCategory, BatteryPassport, Element

__all__ = [
    "Applicability",
    "ContentStatus",
    "MaterialCompliance",
    "RecycledContentReport",
    "materials_present",
    "recycled_content_compliance",
]


class Applicability(enum.StrEnum):
    """Whether the Art. 8 minimum shares cover a battery."""

    APPLICABLE = "applicable"
    NOT_APPLICABLE = "not-applicable"
    UNKNOWN = "unknown"
    """The passport lacks the data to decide (category, or an industrial battery's energy)."""


class ContentStatus(enum.StrEnum):
    """The outcome for one material."""

    MEETS = "meets"
    """The declared pre- plus post-consumer share is at least the minimum in force."""
    BELOW_MINIMUM = "below-minimum"
    NOT_DECLARED = "not-declared"
    """A minimum is in force and the material is present, but no share is declared."""
    NO_TARGET_YET = "no-target-yet"
    """No minimum is in force at the date."""
    NOT_PRESENT = "not-present"
    """The composition does not list the material and no share is declared."""
    PRESENCE_UNKNOWN = "presence-unknown"
    """No composition is declared, so whether the material is present is unknown."""
    NOT_APPLICABLE = "not-applicable"
    """The battery is not covered by the minimum shares."""


@dataclass(frozen=True, slots=True)
class MaterialCompliance:
    """One Art. 8 material: what is required at the date, what is declared, and the result."""

    material: Element
    present: bool | None
    """Listed in ``materials.element_masses`` or ``materials.critical_raw_materials``
    (``None``: neither list is declared)."""
    declared_percent: Decimal | None
    """The declared pre-consumer plus post-consumer recycled share (Art. 8(1): only those
    count)."""
    required_percent: Decimal | None
    """The minimum share in force at the date, or ``None`` if none is in force yet."""
    in_force_from: date | None
    legal_basis: str | None
    meets: bool | None
    margin_pp: Decimal | None
    """Declared minus required share, in percentage points (negative: shortfall)."""
    status: ContentStatus
    next_required_percent: Decimal | None
    """The next, stricter minimum after the date, if one is scheduled."""
    next_in_force_from: date | None


@dataclass(frozen=True, slots=True)
class RecycledContentReport:
    """The result of :func:`recycled_content_compliance`."""

    at: date
    category: BatteryCategory | None
    applicability: Applicability
    reason: str
    """Why the minimum shares do or do not apply."""
    materials: tuple[MaterialCompliance, ...]
    undeclared: tuple[Element, ...]
    """Art. 8 materials present in the battery without a recycled-content declaration."""
    compliant: bool | None
    """``False`` if a material falls short or lacks a declaration while a minimum is in force;
    ``True`` if every material with a minimum in force meets it; ``None`` if nothing could be
    checked (not applicable, unknown, or no minimum in force yet)."""
    notes: tuple[str, ...]
    source: str
    """Where the targets come from."""

    def material(self, element: Element) -> MaterialCompliance:
        """The entry for ``element`` (one of cobalt, lead, lithium, nickel)."""
        for entry in self.materials:
            if entry.material is element:
                return entry
        raise KeyError(element)

    def to_dict(self) -> dict[str, Any]:
        """The report as JSON-ready values (decimals as exact strings)."""
        out = plain(self)
        assert isinstance(out, dict)
        return out


# CAS registry numbers of the elements, to recognise them in the critical raw material list.
_CAS = {
    "7440-48-4": Element.COBALT,
    "7439-92-1": Element.LEAD,
    "7439-93-2": Element.LITHIUM,
    "7440-02-0": Element.NICKEL,
    "7440-50-8": Element.COPPER,
    "7439-96-5": Element.MANGANESE,
    "7429-90-5": Element.ALUMINIUM,
    "7439-89-6": Element.IRON,
    "7782-42-5": Element.GRAPHITE,
    "7440-43-9": Element.CADMIUM,
}


def materials_present(passport: BatteryPassport) -> frozenset[Element] | None:
    """The elements the composition says the battery contains: those with a declared mass,
    and critical raw materials recognised by CAS number or by the element's name as a word.
    ``None`` when neither list is declared."""
    comp = passport.materials
    if comp.element_masses is None and comp.critical_raw_materials is None:
        return None
    found = {m.element for m in comp.element_masses or ()}
    for crm in comp.critical_raw_materials or ():
        if crm.cas_number in _CAS:
            found.add(_CAS[crm.cas_number])
            continue
        words = set(re.findall(r"[a-z]+", crm.name.lower()))
        found.update(e for e in Element if e.value in words)
    return frozenset(found)


def _applicability(
    passport: BatteryPassport, targets: RegulatoryTargets
) -> tuple[Applicability, str, list[str]]:
    scope = targets.recycled_content_scope
    schedule = targets.recycled_content
    covered_categories = scope.categories | schedule.categories()
    covered = ", ".join(sorted(c.value for c in covered_categories))
    category = passport.general.category
    notes: list[str] = []
    if category is None:
        return Applicability.UNKNOWN, "battery category not declared (general.category)", notes
    if category not in covered_categories:
        return (
            Applicability.NOT_APPLICABLE,
            f"category {category.value!r} is not covered by the minimum shares "
            f"(covered: {covered})",
            notes,
        )
    if category not in scope.categories:
        # Covered by a later group only (LMT: Art. 8(3), from 18 August 2036).
        first = schedule.first_in_force_for(category)
        basis = next(t.legal_basis for t in schedule.targets if t.covers(category))
        return (
            Applicability.APPLICABLE,
            f"{category.value} battery, covered from {first} ({basis})",
            notes,
        )
    if category is BatteryCategory.INDUSTRIAL:
        threshold = scope.industrial_capacity_above_kwh
        energy = passport.energy_kwh
        if energy is None:
            return (
                Applicability.UNKNOWN,
                f"industrial battery of unknown energy (covered above {threshold} kWh)",
                notes,
            )
        if energy <= threshold:
            return (
                Applicability.NOT_APPLICABLE,
                f"industrial battery of {energy} kWh, not above {threshold} kWh",
                notes,
            )
        notes.append(
            f"assumed not to be one of the {scope.industrial_exclusion} (the passport does not "
            "record it)"
        )
        return (
            Applicability.APPLICABLE,
            f"industrial battery of {energy} kWh > {threshold} kWh",
            notes,
        )
    return Applicability.APPLICABLE, f"{category.value} battery", notes


def recycled_content_compliance(
    passport: BatteryPassport, *, at: date, targets: RegulatoryTargets | None = None
) -> RecycledContentReport:
    """Compare the declared recycled shares with the Art. 8 minimum shares in force on ``at``.

    Every Art. 8 material (cobalt, lead, lithium, nickel) gets an entry. A material present in
    the composition but without a declared share is listed in ``undeclared``. ``targets``
    defaults to the targets shipped with batterypass.
    """
    targets = targets or RegulatoryTargets.shipped()
    schedule = targets.recycled_content
    category = passport.general.category
    applicability, reason, notes = _applicability(passport, targets)
    present_set = materials_present(passport)
    if present_set is None:
        notes.append(
            "no composition declared (materials.element_masses, "
            "materials.critical_raw_materials): presence of each material unknown"
        )
    # Only pre-consumer plus post-consumer shares count (Art. 8(1)); the model refuses a stated
    # total that differs from their sum, and the sum is what is compared.
    declared = {r.material: r.counted_percent for r in passport.circularity.recycled_content or ()}
    if passport.circularity.recycled_content is None:
        notes.append("no recycled content declared (circularity.recycled_content)")

    entries: list[MaterialCompliance] = []
    for material in (Element(k) for k in schedule.subjects()):
        present = None if present_set is None else material in present_set
        share = declared.get(material)
        target: Target | None = None
        upcoming: Target | None = None
        if applicability is Applicability.APPLICABLE:
            target = schedule.in_force(material.value, at, category)
            upcoming = schedule.next_after(material.value, at, category)
        meets: bool | None = None
        margin: Decimal | None = None
        if applicability is not Applicability.APPLICABLE:
            status = ContentStatus.NOT_APPLICABLE
        elif share is None and present is None:
            status = ContentStatus.PRESENCE_UNKNOWN
        elif share is None and not present:
            status = ContentStatus.NOT_PRESENT
        elif target is None:
            status = ContentStatus.NO_TARGET_YET
        elif share is None:
            status = ContentStatus.NOT_DECLARED
            meets = False
        else:
            margin = share - target.minimum_percent
            meets = margin >= 0
            status = ContentStatus.MEETS if meets else ContentStatus.BELOW_MINIMUM
        if share is not None and present is False:
            notes.append(
                f"a recycled share of {material.value} is declared, but the composition "
                "does not list it"
            )
        entries.append(
            MaterialCompliance(
                material=material,
                present=present,
                declared_percent=share,
                required_percent=target.minimum_percent if target else None,
                in_force_from=target.in_force_from if target else None,
                legal_basis=target.legal_basis if target else None,
                meets=meets,
                margin_pp=margin,
                status=status,
                next_required_percent=upcoming.minimum_percent if upcoming else None,
                next_in_force_from=upcoming.in_force_from if upcoming else None,
            )
        )
    undeclared = tuple(e.material for e in entries if e.present and e.declared_percent is None)
    statuses = {e.status for e in entries}
    compliant: bool | None
    if statuses & {ContentStatus.BELOW_MINIMUM, ContentStatus.NOT_DECLARED}:
        compliant = False
    elif ContentStatus.MEETS in statuses and ContentStatus.PRESENCE_UNKNOWN not in statuses:
        compliant = True
    else:
        compliant = None
    first = schedule.first_in_force_for(category) if category is not None else None
    if applicability is Applicability.APPLICABLE and first is not None and at < first:
        notes.append(f"no minimum share is in force before {first}")
    return RecycledContentReport(
        at=at,
        category=passport.general.category,
        applicability=applicability,
        reason=reason,
        materials=tuple(entries),
        undeclared=undeclared,
        compliant=compliant,
        notes=tuple(notes),
        source=targets.source,
    )
