"""Dated regulatory targets: Art. 8 recycled content, Annex XII recycling efficiency and
material recovery.

The numbers live in ``regulatory-targets.json`` (shipped as package data, and as
``specs/regulatory-targets.json`` for readers), never in code: each group of targets carries
the date it applies from and its legal basis, so a check at a date picks what was in force
then.
"""

from __future__ import annotations

import enum
import functools
from collections.abc import Mapping, Sequence
from collections.abc import Set as AbstractSet
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from importlib import resources
from pathlib import Path
from typing import Any, Final

from batterypass._fs import read_bounded
from batterypass.codec.json import loads_value
from batterypass.errors import BatteryPassError, PathItem, ValidationError
from batterypass.model import BatteryCategory, ChemistryFamily, Element

__all__ = [
    "TARGETS_FORMAT",
    "ChemistryClass",
    "RecycledContentScope",
    "RegulatoryTargets",
    "Target",
    "TargetSchedule",
    "chemistry_class",
]

TARGETS_FORMAT = "batterypass-regulatory-targets/1"

MAX_TARGETS_BYTES = 1024 * 1024
"""Largest targets file :meth:`RegulatoryTargets.from_file` reads (the shipped one is a few
kilobytes)."""
"""The ``format`` value a targets file must declare."""


class ChemistryClass(enum.StrEnum):
    """The chemistry classes of the Annex XII Part B recycling-efficiency targets."""

    LEAD_ACID = "lead-acid"
    LITHIUM_BASED = "lithium-based"
    NICKEL_CADMIUM = "nickel-cadmium"
    OTHER = "other"


_UNDETERMINED: Final = frozenset({ChemistryFamily.SOLID_STATE, ChemistryFamily.OTHER})


def chemistry_class(family: ChemistryFamily) -> ChemistryClass | None:
    """The Annex XII Part B class of a chemistry family, or None when the family does not tell.

    ``solid-state`` names a construction, not a chemistry (a solid-state lithium-metal battery
    is lithium-based, a solid-state sodium one is not), and ``other`` may be lithium-based too
    (lithium-sulphur): for those two the class must be stated, never guessed, since the
    targets differ (65 % / 70 % against 50 %). Every other family that is not lead-acid,
    lithium-based or nickel-cadmium (sodium-ion, NiMH) is ``other``.
    """
    if family in _UNDETERMINED:
        return None
    if family is ChemistryFamily.LEAD_ACID:
        return ChemistryClass.LEAD_ACID
    if family is ChemistryFamily.NICD:
        return ChemistryClass.NICKEL_CADMIUM
    if family.is_lithium_based:
        return ChemistryClass.LITHIUM_BASED
    return ChemistryClass.OTHER


@dataclass(frozen=True, slots=True)
class Target:
    """One dated minimum: a material or chemistry class, its minimum in percent, the date it
    applies from and the provision that sets it."""

    key: str
    minimum_percent: Decimal
    in_force_from: date
    legal_basis: str
    categories: frozenset[BatteryCategory] | None = None
    """The battery categories the target covers (recycled content: the group's own list, as
    Art. 8(3) adds LMT batteries from 2036, else the scope's); ``None``: not restricted."""

    def covers(self, category: BatteryCategory | None) -> bool:
        """Whether the target applies to ``category`` (``None``: any category)."""
        return category is None or self.categories is None or category in self.categories


@dataclass(frozen=True, slots=True)
class TargetSchedule:
    """The dated targets of one kind, oldest first."""

    name: str
    targets: tuple[Target, ...]

    def in_force(
        self, key: str, at: date, category: BatteryCategory | None = None
    ) -> Target | None:
        """The target for ``key`` that applies on ``at`` (the latest one in force), if any;
        with ``category``, only targets covering that category count."""
        found: Target | None = None
        for target in self.targets:
            if target.key == key and target.in_force_from <= at and target.covers(category):
                found = target
        return found

    def next_after(
        self, key: str, at: date, category: BatteryCategory | None = None
    ) -> Target | None:
        """The first target for ``key`` that comes into force after ``at``, if any; with
        ``category``, only targets covering that category count."""
        for target in self.targets:
            if target.key == key and target.in_force_from > at and target.covers(category):
                return target
        return None

    def first_in_force(self) -> date:
        """The earliest date any target of this schedule applies from."""
        return min(t.in_force_from for t in self.targets)

    def first_in_force_for(self, category: BatteryCategory) -> date | None:
        """The earliest date a target of this schedule applies to ``category`` from, or
        ``None`` if none covers it."""
        dates = [t.in_force_from for t in self.targets if t.covers(category)]
        return min(dates) if dates else None

    def categories(self) -> frozenset[BatteryCategory]:
        """The categories some target covers explicitly."""
        return frozenset(c for t in self.targets for c in t.categories or ())

    def subjects(self) -> tuple[str, ...]:
        """Every material or class the schedule names, in first-seen order."""
        return tuple(dict.fromkeys(t.key for t in self.targets))


@dataclass(frozen=True, slots=True)
class RecycledContentScope:
    """Which batteries the Art. 8 minimum shares cover, as the targets file states it."""

    categories: frozenset[BatteryCategory]
    industrial_capacity_above_kwh: Decimal
    industrial_exclusion: str
    condition: str


@dataclass(frozen=True, slots=True)
class RegulatoryTargets:
    """The dated targets of Regulation (EU) 2023/1542 that circularity checks use.

    Use :meth:`shipped` for the targets that come with batterypass, or :meth:`from_file` for
    another file of the same format (``specs/regulatory-targets.json`` describes it).
    """

    source: str
    recycled_content: TargetSchedule
    recycled_content_scope: RecycledContentScope
    recycling_efficiency: TargetSchedule
    material_recovery: TargetSchedule

    @classmethod
    def shipped(cls) -> RegulatoryTargets:
        """The targets shipped with batterypass (package data ``regulatory-targets.json``)."""
        return _shipped()

    @classmethod
    def from_file(cls, path: str | Path) -> RegulatoryTargets:
        """Load targets from a JSON file; raise :class:`ValidationError` (or ``DecodeError``
        for text that is not JSON) naming the file and the offending field."""
        path = Path(path)
        text = read_bounded(path, MAX_TARGETS_BYTES, what="targets file")
        return cls.from_mapping(loads_value(text, source=str(path)), source=str(path))

    @classmethod
    def from_mapping(cls, data: Any, *, source: str | None = None) -> RegulatoryTargets:
        """Build targets from plain data (as parsed from JSON)."""
        try:
            return _parse(data)
        except BatteryPassError as e:
            if source:
                e.with_source(source)
            raise


@functools.cache
def _shipped() -> RegulatoryTargets:
    ref = resources.files("batterypass").joinpath("data", "regulatory-targets.json")
    source = "batterypass/data/regulatory-targets.json"
    return RegulatoryTargets.from_mapping(
        loads_value(ref.read_bytes(), source=source), source=source
    )


# ---------------------------------------------------------------- parsing


def _fail(path: Sequence[PathItem], message: str) -> ValidationError:
    return ValidationError(message, path=tuple(path))


def _object(
    value: Any,
    path: Sequence[PathItem],
    required: AbstractSet[str],
    optional: AbstractSet[str] = frozenset(),
) -> Mapping[str, Any]:
    if not isinstance(value, Mapping):
        raise _fail(path, "expected an object")
    unknown = sorted(set(value) - required - optional)
    if unknown:
        raise _fail(path, f"unknown key(s): {', '.join(unknown)}")
    missing = sorted(required - set(value))
    if missing:
        raise _fail(path, f"missing key(s): {', '.join(missing)}")
    return value


def _text(value: Any, path: Sequence[PathItem]) -> str:
    if not isinstance(value, str) or not value.strip():
        raise _fail(path, "expected a non-empty string")
    return value


def _percent(value: Any, path: Sequence[PathItem]) -> Decimal:
    if isinstance(value, bool) or not isinstance(value, int | Decimal):
        raise _fail(path, "expected a number (percent)")
    number = Decimal(value)
    if not number.is_finite() or not 0 <= number <= 100:
        raise _fail(path, f"a percentage must lie between 0 and 100, got {value}")
    return number


def _decimal(value: Any, path: Sequence[PathItem]) -> Decimal:
    if isinstance(value, bool) or not isinstance(value, int | Decimal):
        raise _fail(path, "expected a number")
    number = Decimal(value)
    if not number.is_finite() or number < 0:
        raise _fail(path, f"expected a finite non-negative number, got {value}")
    return number


def _date(value: Any, path: Sequence[PathItem]) -> date:
    if not isinstance(value, str):
        raise _fail(path, "expected a date (YYYY-MM-DD)")
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise _fail(path, f"not a date (YYYY-MM-DD): {value!r}") from None


def _schedule(
    value: Any,
    path: tuple[PathItem, ...],
    name: str,
    keys: frozenset[str],
    *,
    default_categories: frozenset[BatteryCategory] | None = None,
) -> TargetSchedule:
    """A dated schedule. With ``default_categories`` (recycled content), a group may list the
    categories it covers; a group that does not covers the defaults."""
    section = _object(value, path, {"targets"}, {"description"})
    groups = section["targets"]
    if not isinstance(groups, list) or not groups:
        raise _fail((*path, "targets"), "expected a non-empty list of dated target groups")
    targets: list[Target] = []
    previous: date | None = None
    for i, group in enumerate(groups):
        gpath = (*path, "targets", i)
        g = _object(
            group,
            gpath,
            {"in_force_from", "legal_basis", "minimum_percent"},
            {"categories"} if default_categories is not None else frozenset(),
        )
        covered = default_categories
        if "categories" in g:
            covered = _categories(g["categories"], (*gpath, "categories"))
        since = _date(g["in_force_from"], (*gpath, "in_force_from"))
        if previous is not None and since <= previous:
            raise _fail(
                (*gpath, "in_force_from"), "target groups must be in strictly increasing date order"
            )
        previous = since
        basis = _text(g["legal_basis"], (*gpath, "legal_basis"))
        shares = g["minimum_percent"]
        if not isinstance(shares, Mapping) or not shares:
            raise _fail((*gpath, "minimum_percent"), "expected a non-empty object of percentages")
        for key, raw in shares.items():
            if key not in keys:
                raise _fail(
                    (*gpath, "minimum_percent", key),
                    f"unknown key {key!r} (expected one of: {', '.join(sorted(keys))})",
                )
            targets.append(
                Target(key, _percent(raw, (*gpath, "minimum_percent", key)), since, basis, covered)
            )
    return TargetSchedule(name, tuple(targets))


_ELEMENTS = frozenset(e.value for e in Element)
_CLASSES = frozenset(c.value for c in ChemistryClass)
_CATEGORIES = frozenset(c.value for c in BatteryCategory)


def _categories(value: Any, path: Sequence[PathItem]) -> frozenset[BatteryCategory]:
    if not isinstance(value, list) or not value or not all(c in _CATEGORIES for c in value):
        raise _fail(
            path,
            f"expected a non-empty list of battery categories ({', '.join(sorted(_CATEGORIES))})",
        )
    return frozenset(BatteryCategory(c) for c in value)


def _parse(data: Any) -> RegulatoryTargets:
    root = _object(
        data,
        (),
        {"format", "source", "recycled_content", "recycling_efficiency", "material_recovery"},
        {"note"},
    )
    if root["format"] != TARGETS_FORMAT:
        raise _fail(
            ("format",), f"unsupported format {root['format']!r} (expected {TARGETS_FORMAT!r})"
        )
    rc = _object(
        root["recycled_content"], ("recycled_content",), {"applies_to", "targets"}, {"description"}
    )
    scope_path: tuple[PathItem, ...] = ("recycled_content", "applies_to")
    scope = _object(
        rc["applies_to"],
        scope_path,
        {"categories", "industrial_capacity_above_kwh", "industrial_exclusion", "condition"},
    )
    categories = _categories(scope["categories"], (*scope_path, "categories"))
    return RegulatoryTargets(
        source=_text(root["source"], ("source",)),
        recycled_content=_schedule(
            {"targets": rc["targets"]},
            ("recycled_content",),
            "recycled_content",
            _ELEMENTS,
            default_categories=categories,
        ),
        recycled_content_scope=RecycledContentScope(
            categories=categories,
            industrial_capacity_above_kwh=_decimal(
                scope["industrial_capacity_above_kwh"],
                (*scope_path, "industrial_capacity_above_kwh"),
            ),
            industrial_exclusion=_text(
                scope["industrial_exclusion"], (*scope_path, "industrial_exclusion")
            ),
            condition=_text(scope["condition"], (*scope_path, "condition")),
        ),
        recycling_efficiency=_schedule(
            root["recycling_efficiency"],
            ("recycling_efficiency",),
            "recycling_efficiency",
            _CLASSES,
        ),
        material_recovery=_schedule(
            root["material_recovery"], ("material_recovery",), "material_recovery", _ELEMENTS
        ),
    )
