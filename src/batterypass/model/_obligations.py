"""When each data point becomes due: the dated obligations table.

Art. 77(1) makes the battery passport mandatory from 18 February 2027, but several of its data
points follow duties that start later, or only once a delegated act applies:

- the carbon footprint declaration (Art. 7(1)) and its performance class (Art. 7(2)) wait for
  the delegated acts on the calculation method and on the classes;
- the recycled-content documentation (Art. 8(1)) waits for 18 August 2028 (LMT batteries:
  18 August 2033) and for the delegated act on its calculation and verification method;
- the supply-chain due-diligence obligations (Art. 48 to 52) start on their own date.

Each entry says which data points it governs, for which scopes, from when, on what condition
and on what source. Where an act is not adopted the entry says so and the data point is "not
yet required": batterypass never guesses an application date. When an act is adopted, replace
the entry (``dataclasses.replace(entry, act_adopted=True, applies_from=...)``) and pass the
new table to :func:`batterypass.model.completeness`. docs/adr/0008-obligations-by-date.md
records the decisions and specs/obligations.md renders this table.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from batterypass.model._access import ALL_SCOPES, Scope

__all__ = [
    "OBLIGATIONS",
    "PASSPORT_DUTY_START",
    "Obligation",
    "obligation_for",
    "obligations_markdown",
]

PASSPORT_DUTY_START = date(2027, 2, 18)
"""Art. 77(1): "From 18 February 2027" each LMT battery, industrial battery above 2 kWh and EV
battery placed on the market or put into service has a battery passport."""


@dataclass(frozen=True, slots=True)
class Obligation:
    """From when the data points ``paths`` are due for the battery ``scopes``."""

    paths: tuple[str, ...]
    """Dotted data point paths (``carbon_footprint.total_kg_co2e_per_kwh``); ``("*",)`` is
    the default entry that covers every data point no other entry names."""
    scopes: frozenset[Scope]
    applies_from: date
    """The earliest date the duty can apply (the date written in the Regulation)."""
    condition: str
    """Under what further condition it applies, in words."""
    source: str
    """The provision that sets the date and the condition."""
    act: str | None = None
    """The delegated or implementing act the duty waits for, if any."""
    act_adopted: bool = False
    """Whether that act is adopted and applies from ``applies_from``. ``False`` keeps the duty
    "not yet required" whatever the date."""
    act_status: str = ""
    """What batterypass knows of the act's adoption, and from where."""

    def due(self, at: date) -> bool:
        """Whether the data points are due on ``at``."""
        return at >= self.applies_from and (self.act is None or self.act_adopted)

    def why_not_due(self, at: date) -> str:
        """Why the data points are not yet due on ``at`` (for a report)."""
        if at < self.applies_from:
            reason = f"applies from {self.applies_from.isoformat()} ({self.source})"
            if self.act is not None and not self.act_adopted:
                reason += f", and only once {self.act} applies"
            return reason
        return f"{self.act} not adopted ({self.act_status}); {self.condition} ({self.source})"


_CARBON_ACT = (
    "the delegated act on the carbon-footprint calculation and verification method "
    "(Art. 7(1), third subparagraph)"
)
_CARBON_STATUS = (
    "not adopted as far as batterypass knows: the EV methodology was a Commission draft "
    "(Ares(2024)3131389) and still unadopted in September 2025"
)
_CLASS_ACT = "the delegated act on the carbon-footprint performance classes (Art. 7(2))"
_CLASS_STATUS = "not adopted as far as batterypass knows: the class limits are not published"
_RECYCLED_ACT = (
    "the delegated act on the method for calculating and verifying the recycled content (Art. 8(1))"
)
_RECYCLED_STATUS = "not adopted as far as batterypass knows"

_CARBON_POINTS = (
    "carbon_footprint.total_kg_co2e_per_kwh",
    "carbon_footprint.raw_material_acquisition_kg_co2e_per_kwh",
    "carbon_footprint.main_production_kg_co2e_per_kwh",
    "carbon_footprint.distribution_kg_co2e_per_kwh",
    "carbon_footprint.end_of_life_kg_co2e_per_kwh",
    "carbon_footprint.study_url",
)
_INDUSTRIAL = frozenset({Scope.INDUSTRIAL, Scope.STATIONARY})


def _carbon(scopes: Iterable[Scope], start: date, which: str) -> Obligation:
    return Obligation(
        paths=_CARBON_POINTS,
        scopes=frozenset(scopes),
        applies_from=start,
        condition=(
            f"the carbon footprint declaration of {which} applies from {start.isoformat()} or "
            "a period after the delegated act enters into force, whichever is later"
        ),
        source="Art. 7(1), second subparagraph; Annex XIII(1)(c)",
        act=_CARBON_ACT,
        act_status=_CARBON_STATUS,
    )


OBLIGATIONS: tuple[Obligation, ...] = (
    Obligation(
        paths=("*",),
        scopes=ALL_SCOPES,
        applies_from=PASSPORT_DUTY_START,
        condition="the battery is placed on the market or put into service from that date",
        source="Art. 77(1)",
    ),
    _carbon((Scope.EV,), date(2025, 2, 18), "electric-vehicle batteries"),
    _carbon(
        _INDUSTRIAL,
        date(2026, 2, 18),
        "rechargeable industrial batteries above 2 kWh other than those with exclusively "
        "external storage (those: from 18 August 2030)",
    ),
    _carbon((Scope.LMT,), date(2028, 8, 18), "LMT batteries"),
    Obligation(
        paths=("carbon_footprint.performance_class",),
        scopes=ALL_SCOPES,
        applies_from=PASSPORT_DUTY_START,
        condition=(
            "the performance class applies only once the classes are set by delegated act, "
            "with a period after its entry into force that depends on the category"
        ),
        source="Art. 7(2); Annex XIII(1)(c)",
        act=_CLASS_ACT,
        act_status=_CLASS_STATUS,
    ),
    Obligation(
        paths=("circularity.recycled_content",),
        scopes=frozenset({Scope.EV, Scope.INDUSTRIAL, Scope.STATIONARY}),
        applies_from=date(2028, 8, 18),
        condition=(
            "recycled-content documentation applies from 18 August 2028 or a period after the "
            "delegated act enters into force, whichever is later; not to industrial batteries "
            "with exclusively external storage"
        ),
        source="Art. 8(1), first subparagraph; Annex XIII(1)(e)",
        act=_RECYCLED_ACT,
        act_status=_RECYCLED_STATUS,
    ),
    Obligation(
        paths=("circularity.recycled_content",),
        scopes=frozenset({Scope.LMT}),
        applies_from=date(2033, 8, 18),
        condition=(
            "recycled-content documentation of LMT batteries applies from 18 August 2033, on "
            "the method of the same delegated act"
        ),
        source="Art. 8(1), second subparagraph; Annex XIII(1)(e)",
        act=_RECYCLED_ACT,
        act_status=_RECYCLED_STATUS,
    ),
    Obligation(
        paths=("due_diligence.report_url",),
        scopes=ALL_SCOPES,
        applies_from=date(2027, 8, 18),
        condition=(
            "the due-diligence obligations apply from 18 August 2027 to economic operators "
            "above the Art. 47 turnover threshold (an exempt operator has no report to cite)"
        ),
        source=(
            "Art. 48 to 52 as amended by Regulation (EU) 2025/1561 (postponement); "
            "Art. 47; Art. 52(3); Annex XIII(1)(d)"
        ),
    ),
)
"""The dated obligations batterypass applies (see the module docstring)."""


def obligation_for(
    path: str, scope: Scope, table: Iterable[Obligation] = OBLIGATIONS
) -> Obligation:
    """The entry that governs data point ``path`` for ``scope``: the one naming the path, else
    the default (``"*"``) entry. Raises ``LookupError`` if the table has neither."""
    default: Obligation | None = None
    for entry in table:
        if scope not in entry.scopes:
            continue
        if path in entry.paths:
            return entry
        if entry.paths == ("*",) and default is None:
            default = entry
    if default is None:
        raise LookupError(f"no obligation covers {path} for {scope.value} batteries")
    return default


def obligations_markdown(table: Iterable[Obligation] = OBLIGATIONS) -> str:
    """The table as Markdown (specs/obligations.md)."""
    lines = [
        "# Obligations by date",
        "",
        "Generated from `batterypass.model.OBLIGATIONS` (`src/batterypass/model/_obligations.py`);",
        "a test keeps this file current. `batterypass completeness --at DATE` and",
        "`batterypass validate --at DATE` apply it; docs/adr/0008-obligations-by-date.md says why.",
        "A data point no row names follows the first row. Where the act a duty waits for is not",
        'adopted, the data point is reported as "not yet required" whatever the date.',
        "",
        "| data points | scopes | from | condition | source | act | act status |",
        "|---|---|---|---|---|---|---|",
    ]
    for e in table:
        paths = "every data point" if e.paths == ("*",) else ", ".join(f"`{p}`" for p in e.paths)
        scopes = ", ".join(sorted(s.value for s in e.scopes))
        act = e.act or "none"
        status = ("adopted" if e.act_adopted else e.act_status) if e.act else ""
        lines.append(
            f"| {paths} | {scopes} | {e.applies_from.isoformat()} | {e.condition} | "
            f"{e.source} | {act} | {status} |"
        )
    return "\n".join(lines) + "\n"
