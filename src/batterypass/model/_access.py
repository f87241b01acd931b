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
    "ALL_SCOPES",
    "VISIBILITY",
    "AccessGroup",
    "Audience",
    "DataPointInfo",
    "Scope",
    "data_point",
    "info_of",
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
    AUTHORITY = "authority"
    """Notified bodies and market surveillance authorities."""
    COMMISSION = "commission"


VISIBILITY: dict[Audience, frozenset[AccessGroup]] = {
    Audience.PUBLIC: frozenset({AccessGroup.PUBLIC}),
    Audience.LEGITIMATE_INTEREST: frozenset(
        {AccessGroup.PUBLIC, AccessGroup.LEGITIMATE_INTEREST, AccessGroup.INDIVIDUAL}
    ),
    Audience.AUTHORITY: frozenset(
        {AccessGroup.PUBLIC, AccessGroup.LEGITIMATE_INTEREST, AccessGroup.AUTHORITY}
    ),
    Audience.COMMISSION: frozenset(AccessGroup),
}
"""Which groups each audience may see (Art. 77(2); the table in docs/adr/0002)."""


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
