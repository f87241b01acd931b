"""Who may see which data point, and what the law requires of it.

Every data point of the passport is declared once with :func:`data_point`, which records its
Annex XIII access group, its legal basis, its unit, the battery scopes for which it is
mandatory, and the Battery Pass longlist rows it corresponds to. Views, completeness checks,
the JSON Schema and the documentation all derive from that one declaration.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from pydantic import Field
from pydantic.fields import FieldInfo

__all__ = [
    "ACCESS_RULES",
    "ALL_SCOPES",
    "VISIBILITY",
    "AccessGroup",
    "AccessRule",
    "Audience",
    "DataPointInfo",
    "Scope",
    "access_basis",
    "data_point",
    "info_of",
    "visibility",
]


class AccessGroup(enum.IntEnum):
    """The four groups of Annex XIII / Art. 77(2)."""

    PUBLIC = 1
    """Annex XIII point 1: general battery-model information, open to everyone."""
    LEGITIMATE_INTEREST = 2
    """Annex XIII point 2: detailed composition, part numbers, dismantling, safety."""
    AUTHORITY = 3
    """Annex XIII point 3: results of test reports proving compliance."""
    INDIVIDUAL = 4
    """Annex XIII point 4: individual battery data (state of health, status, usage)."""


class Audience(enum.StrEnum):
    """Who is looking at a passport."""

    PUBLIC = "public"
    LEGITIMATE_INTEREST = "legitimate-interest"
    """Persons with a legitimate interest (Art. 77(2), third subparagraph)."""
    AUTHORITY = "authority"
    """Notified bodies and market surveillance authorities."""
    COMMISSION = "commission"


@dataclass(frozen=True, slots=True)
class AccessRule:
    """One point of Art. 77(2), second subparagraph: which Annex XIII points it opens, to whom,
    in the Regulation's words."""

    point: str
    """The point of Art. 77(2), second subparagraph: ``"a"``, ``"b"`` or ``"c"``."""
    groups: frozenset[AccessGroup]
    audiences: frozenset[Audience]
    text: str
    """The provision's wording (Regulation (EU) 2023/1542, OJ L 191, 28.7.2023)."""


ACCESS_RULES: tuple[AccessRule, ...] = (
    AccessRule(
        "a",
        frozenset({AccessGroup.PUBLIC}),
        frozenset(Audience),
        "publicly accessible information as set out in Annex XIII, point 1",
    ),
    AccessRule(
        "b",
        frozenset({AccessGroup.LEGITIMATE_INTEREST, AccessGroup.AUTHORITY}),
        frozenset({Audience.AUTHORITY, Audience.COMMISSION}),
        "information as set out in Annex XIII, points 2 and 3, accessible only to notified "
        "bodies, market surveillance authorities and the Commission",
    ),
    AccessRule(
        "c",
        frozenset({AccessGroup.LEGITIMATE_INTEREST, AccessGroup.INDIVIDUAL}),
        frozenset({Audience.LEGITIMATE_INTEREST}),
        "information as set out in Annex XIII, points 2 and 4, accessible only to any natural "
        "or legal person with a legitimate interest in accessing and processing that "
        "information for the purposes referred to in the third subparagraph of this paragraph",
    ),
)
"""Art. 77(2), second subparagraph, as data: the only source of :data:`VISIBILITY`.

The Commission appears in point (b) only, so it sees Annex XIII points 1 to 3 and not the
individual battery's data of point 4 (docs/adr/0002). The implementing act on "legitimate
interest" (Art. 77(9)) may refine who counts as such a person; that refinement belongs here."""


def visibility(
    rules: Iterable[AccessRule] = ACCESS_RULES,
) -> dict[Audience, frozenset[AccessGroup]]:
    """Which access groups each audience may see under ``rules``."""
    seen: dict[Audience, set[AccessGroup]] = {audience: set() for audience in Audience}
    for rule in rules:
        for audience in rule.audiences:
            seen[audience] |= rule.groups
    return {audience: frozenset(groups) for audience, groups in seen.items()}


def access_basis(audience: Audience | str, group: AccessGroup) -> AccessRule | None:
    """The point of Art. 77(2) that lets ``audience`` see ``group``, or ``None`` if none does."""
    wanted = Audience(audience)
    for rule in ACCESS_RULES:
        if wanted in rule.audiences and group in rule.groups:
            return rule
    return None


VISIBILITY: dict[Audience, frozenset[AccessGroup]] = visibility()
"""Which groups each audience may see, derived from :data:`ACCESS_RULES` (Art. 77(2)):
public 1; persons with a legitimate interest 1, 2, 4; notified bodies and market surveillance
authorities 1, 2, 3; the Commission 1, 2, 3."""


class Scope(enum.StrEnum):
    """The battery scopes of the Battery Pass longlist's mandatory columns."""

    EV = "ev"
    LMT = "lmt"
    INDUSTRIAL = "industrial"
    """Industrial battery above 2 kWh that is not a stationary energy storage system."""
    STATIONARY = "stationary"
    """Stationary battery energy storage system above 2 kWh (an industrial battery)."""


ALL_SCOPES: frozenset[Scope] = frozenset(Scope)


@dataclass(frozen=True, slots=True)
class DataPointInfo:
    """What the law says about one data point."""

    group: AccessGroup
    legal_basis: str
    unit: str | None
    mandatory_for: frozenset[Scope]
    longlist: tuple[int, ...]
    description: str

    def json_schema_extra(self) -> dict[str, Any]:
        return {
            "x-access-group": int(self.group),
            "x-legal-basis": self.legal_basis,
            "x-unit": self.unit,
            "x-mandatory-for": sorted(s.value for s in self.mandatory_for),
            "x-longlist": list(self.longlist),
        }


def data_point(
    group: AccessGroup,
    legal_basis: str,
    description: str,
    *,
    unit: str | None = None,
    mandatory_for: Iterable[Scope] = ALL_SCOPES,
    longlist: Iterable[int] = (),
    default: Any = None,
) -> Any:
    """Declare a passport data point (a pydantic ``Field`` carrying its :class:`DataPointInfo`).

    Data points default to ``None`` ("not provided yet"), so a passport can be filled
    progressively; :func:`batterypass.model.completeness` reports what is still missing.
    """
    info = DataPointInfo(
        group=group,
        legal_basis=legal_basis,
        unit=unit,
        mandatory_for=frozenset(mandatory_for),
        longlist=tuple(longlist),
        description=description,
    )
    return Field(
        default=default, description=description, json_schema_extra=info.json_schema_extra()
    )


def info_of(field: FieldInfo) -> DataPointInfo | None:
    """The :class:`DataPointInfo` declared for a field, or ``None`` for a non-data-point."""
    extra = field.json_schema_extra
    if not isinstance(extra, dict) or "x-access-group" not in extra:
        return None
    unit = extra["x-unit"]
    mandatory = extra["x-mandatory-for"]
    longlist = extra["x-longlist"]
    group = extra["x-access-group"]
    assert isinstance(mandatory, list)
    assert isinstance(longlist, list)
    assert isinstance(group, int)
    return DataPointInfo(
        group=AccessGroup(group),
        legal_basis=str(extra["x-legal-basis"]),
        unit=unit if isinstance(unit, str) else None,
        mandatory_for=frozenset(Scope(str(m)) for m in mandatory),
        longlist=tuple(int(str(n)) for n in longlist),
        description=field.description or "",
    )
