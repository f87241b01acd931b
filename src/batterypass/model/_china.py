"""Chinese national data carried next to the EU passport: GB/T battery codes and the Chinese
carbon-footprint declaration.

None of this is required by Regulation (EU) 2023/1542. A maker that sells into both markets
keeps it in the same passport so that one record links the two regimes; every data point here
names the Chinese standard or notice as its legal basis, is mandatory for no EU scope, and sits
in access group 2 so that the public EU view (Annex XIII point 1) shows none of it.

What is checked, and from which published text, is written down in ``specs/china.md``. In
short, for a GB/T 34014-2017 code: 24 characters, the published layout (manufacturer 3,
product type 1, battery type 1, specification 2, traceability 7, production date 3 as year,
month and day characters, serial 7), digits and capital letters only, product type P/M/C,
battery type A-G or Z, month 1-9/A-C, day 1-9/A-Y without I, O, Q (1 to 31), and a day that
exists in its month; for a GB/T 45565-2025 code only the character set.
"""

from __future__ import annotations

import calendar
import enum
from dataclasses import dataclass
from datetime import date
from typing import Annotated, Final, Self

from pydantic import AfterValidator, WithJsonSchema, model_validator

from batterypass.errors import ValidationError
from batterypass.model._access import AccessGroup, Scope, data_point
from batterypass.model._sections import Record, Section, cross_field_error
from batterypass.model._types import NonNegativeQuantity, PositiveQuantity, Text, Url

__all__ = [
    "CN_CARBON_FOOTPRINT_NOTICE",
    "GBT34014",
    "GBT34014_YEAR_CODES",
    "GBT45565",
    "TRIAL_PHASE_END",
    "ChinaData",
    "ChineseCarbonFootprint",
    "Gbt34014Code",
    "Gbt34014Component",
    "Gbt45565Code",
    "ProductType",
    "ReportingPhase",
    "TractionBatteryCode",
    "check_gbt34014",
    "check_gbt45565",
]

GBT34014: Final = "GB/T 34014-2017"
"""Coding regulation for automotive traction battery (in force 1 February 2018)."""
GBT45565: Final = "GB/T 45565-2025"
"""Coding regulations of lithium ion batteries (in force 1 November 2025)."""
CN_CARBON_FOOTPRINT_NOTICE: Final = "MIIT notice 工信厅通装函〔2025〕551号"
"""The Ministry of Industry and Information Technology's notice of 30 December 2025 on the
carbon-footprint declaration of automotive traction batteries."""

LENGTH: Final = 24


class ProductType(enum.StrEnum):
    """The product type character of a GB/T 34014 code (position 4)."""

    PACK = "pack"
    MODULE = "module"
    CELL = "cell"

    @property
    def letter(self) -> str:
        return _TYPE_LETTER[self]


_TYPE_LETTER: Final = {ProductType.PACK: "P", ProductType.MODULE: "M", ProductType.CELL: "C"}
_LETTER_TYPE: Final = {v: k for k, v in _TYPE_LETTER.items()}
_BATTERY_TYPES: Final = frozenset("ABCDEFGZ")
_ALPHANUMERIC: Final = frozenset("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ")
_DIGITS: Final = frozenset("0123456789")

# The date characters: 1-9 then capital letters without I, O and Q; the n-th character stands
# for n (months use the first 12, days all 31).
_DATE_CHARS: Final = "123456789ABCDEFGHJKLMNPRSTUVWXY"
_DATE_VALUE: Final = {c: i + 1 for i, c in enumerate(_DATE_CHARS)}
_DATE_SET: Final = frozenset(_DATE_CHARS)
_DATE_RANGE: Final = "1-9, A-Y without I, O, Q"

GBT34014_YEAR_CODES: Final[dict[str, int]] = {c: 2010 + n for c, n in _DATE_VALUE.items()}
"""ASSUMED reading of the year character: the n-th date character stands for 2010 + n
(``1`` = 2011, ``A`` = 2020, ``Y`` = 2041). The standard's own year table could not be read
from public material; this is how third-party decoders read it (specs/china.md). The year is
therefore reported with :attr:`TractionBatteryCode.production_date`, never checked against
other data points."""

# (first position, last position, name) of each part, positions counted from 1.
_PARTS: Final = (
    (1, 3, "manufacturer code"),
    (4, 4, "product type"),
    (5, 5, "battery type"),
    (6, 7, "specification code"),
    (8, 14, "traceability information code"),
    (15, 15, "production year"),
    (16, 16, "production month"),
    (17, 17, "production day"),
    (18, 24, "serial number"),
)


def _part_name(position: int) -> str:
    for first, last, name in _PARTS:
        if first <= position <= last:
            return name
    return "?"


class _CodeError(ValueError):
    """A malformed code: which character (1-based) and the rule it breaks."""

    def __init__(self, position: int | None, rule: str) -> None:
        where = f"position {position} ({_part_name(position)}): " if position else ""
        super().__init__(f"not a {GBT34014} code: {where}{rule}")
        self.position = position
        self.rule = rule


def _char_rule(text: str, position: int, allowed: frozenset[str] | str, what: str) -> str:
    char = text[position - 1]
    if char not in allowed:
        raise _CodeError(position, f"{char!r} is not {what}")
    return char


@dataclass(frozen=True, slots=True)
class TractionBatteryCode:
    """A parsed GB/T 34014-2017 traction battery code and its parts.

    Build one with :meth:`parse`; ``str(code)`` is the code as given.
    """

    text: str
    manufacturer_code: str
    """Positions 1-3: the manufacturer code assigned through the national code filing system."""
    product_type: ProductType
    """Position 4: pack (P), module (M) or cell (C)."""
    battery_type: str
    """Position 5: the battery type letter (A-G, or Z); B is read as lithium iron phosphate
    and E as ternary lithium in public explanations (specs/china.md)."""
    specification: str
    """Positions 6-7: the specification code the maker filed."""
    traceability: str
    """Positions 8-14: the traceability information code the maker filed."""
    year_code: str
    """Position 15: the production year character (see :data:`GBT34014_YEAR_CODES`)."""
    month: int
    """Position 16: the production month, 1 to 12."""
    day: int
    """Position 17: the production day, 1 to 31."""
    serial: str
    """Positions 18-24: the serial number, seven digits."""

    def __str__(self) -> str:
        return self.text

    @classmethod
    def parse(cls, text: str) -> Self:
        """Parse ``text``; raise :class:`~batterypass.errors.ValidationError` naming the first
        character position that breaks the published layout, and the rule."""
        try:
            return cls._parse(text)
        except _CodeError as e:
            raise ValidationError(str(e), legal_basis=GBT34014) from e

    @classmethod
    def _parse(cls, text: str) -> Self:
        if not isinstance(text, str):
            raise _CodeError(None, f"expected text, got {type(text).__name__}")
        if len(text) != LENGTH:
            raise _CodeError(None, f"a code has {LENGTH} characters, this one {len(text)}")
        for i, char in enumerate(text, start=1):
            if char not in _ALPHANUMERIC:
                rule = (
                    "lower-case letters are not used (capital letters only)"
                    if char.isascii() and char.isalpha()
                    else f"{char!r} is not a digit or a capital letter"
                )
                raise _CodeError(i, rule)
        product = _char_rule(text, 4, frozenset(_LETTER_TYPE), "P (pack), M (module) or C (cell)")
        battery = _char_rule(text, 5, _BATTERY_TYPES, "a battery type letter (A to G, or Z)")
        year = _char_rule(text, 15, _DATE_SET, f"a year character ({_DATE_RANGE})")
        month = _DATE_VALUE[_char_rule(text, 16, _DATE_CHARS[:12], "a month character (1-9, A-C)")]
        day = _DATE_VALUE[_char_rule(text, 17, _DATE_SET, f"a day character ({_DATE_RANGE})")]
        # February may have 29 days: whether this one does depends on the year, whose table
        # is an assumption, so only the day counts of a leap year are checked here.
        longest = calendar.monthrange(2000, month)[1]
        if day > longest:
            raise _CodeError(17, f"day {day} does not exist in month {month}")
        for i in range(18, 25):
            _char_rule(text, i, _DIGITS, "a digit (the serial number is seven digits)")
        return cls(
            text=text,
            manufacturer_code=text[0:3],
            product_type=_LETTER_TYPE[product],
            battery_type=battery,
            specification=text[5:7],
            traceability=text[7:14],
            year_code=year,
            month=month,
            day=day,
            serial=text[17:24],
        )

    @property
    def production_year(self) -> int:
        """The production year, read with the ASSUMED table :data:`GBT34014_YEAR_CODES`."""
        return GBT34014_YEAR_CODES[self.year_code]

    @property
    def production_date(self) -> date | None:
        """The production date (the year read with the ASSUMED table), or ``None`` for
        29 February in a year that is not a leap year under that reading."""
        try:
            return date(self.production_year, self.month, self.day)
        except ValueError:
            return None


def check_gbt34014(value: str) -> str:
    """Accept a well-formed GB/T 34014-2017 code (the model's validator)."""
    TractionBatteryCode._parse(value)
    return value


_GBT34014_PATTERN: Final = (
    r"^[0-9A-Z]{3}[PMC][A-GZ][0-9A-Z]{9}[1-9A-HJ-NPR-Y][1-9A-C][1-9A-HJ-NPR-Y][0-9]{7}$"
)

Gbt34014Code = Annotated[
    str,
    AfterValidator(check_gbt34014),
    WithJsonSchema(
        {
            "type": "string",
            "pattern": _GBT34014_PATTERN,
            "description": f"A {GBT34014} traction battery code (24 characters)",
        }
    ),
]
"""A GB/T 34014-2017 traction battery code, kept as given."""


_GBT45565_MAX: Final = 64


def check_gbt45565(value: str) -> str:
    """Accept a GB/T 45565-2025 code as far as its published text is known: printable
    characters of the 7-bit set (GB/T 1988, its normative reference), no spaces. The code's
    structure (enterprise code, product type, time code, the mark of a second-use battery)
    is not checked (specs/china.md)."""
    if not value:
        raise ValueError(f"a {GBT45565} code must not be empty")
    if len(value) > _GBT45565_MAX:
        raise ValueError(f"a {GBT45565} code longer than {_GBT45565_MAX} characters")
    for i, char in enumerate(value, start=1):
        if not "!" <= char <= "~":
            raise ValueError(
                f"not a {GBT45565} code: character {i} ({char!r}) is not a printable character "
                "of the 7-bit set (GB/T 1988)"
            )
    return value


Gbt45565Code = Annotated[
    str,
    AfterValidator(check_gbt45565),
    WithJsonSchema(
        {
            "type": "string",
            "pattern": r"^[!-~]{1,64}$",
            "description": f"A {GBT45565} lithium-ion battery code, stored verbatim",
        }
    ),
]
"""A GB/T 45565-2025 code, stored verbatim (only its character set is checked)."""


# ---------------------------------------------------------------- passport data points

G2 = AccessGroup.LEGITIMATE_INTEREST
_NO_SCOPE: tuple[Scope, ...] = ()
_VOLUNTARY = "voluntary in the EU passport, not required by Regulation (EU) 2023/1542"

TRIAL_PHASE_END: Final = date(2026, 12, 31)
"""Last day of the declaration's trial phase; regular declaration applies from 1 January 2027
(MIIT notice 工信厅通装函〔2025〕551号)."""


class ReportingPhase(enum.StrEnum):
    """The phase of the Chinese traction-battery carbon-footprint declaration."""

    TRIAL = "trial"
    """From the notice (30 December 2025) to 31 December 2026."""
    REGULAR = "regular"
    """From 1 January 2027."""


class Gbt34014Component(Record):
    """The GB/T 34014 code of a module or cell of the battery: the codes of a pack, its modules
    and its cells are linked (GB/T 34014-2017 clause 4.1)."""

    code: Gbt34014Code
    part_of: Gbt34014Code | None = None
    """For a cell: the code of the listed module it sits in; absent for a module, and for a
    cell placed in the battery directly."""


class ChineseCarbonFootprint(Record):
    """China's carbon-footprint declaration of an automotive traction battery pack.

    Its own regime, never converted to or from the EU declaration (Art. 7): the emissions of
    four stages (material acquisition, battery manufacturing, distribution, recycling) divided
    by the total energy the pack provides over its whole life, declared by the pack maker and
    verified by a third-party verification body; there are no performance classes
    (MIIT notice 工信厅通装函〔2025〕551号).
    """

    kg_co2e_per_kwh: NonNegativeQuantity
    """The declared carbon footprint per kWh of the energy the pack provides over its life."""
    lifetime_energy_kwh: PositiveQuantity | None = None
    """The total energy over the pack's life that the value is divided by, if stated."""
    method: Text
    """The accounting rules or standard applied."""
    boundary: Text
    """The system boundary (life-cycle stages and what they include)."""
    verifier: Text
    """The third-party verification body."""
    verification_report_url: Url | None = None
    document_url: Url
    """The declaration as filed."""
    declared_on: date

    @property
    def reporting_phase(self) -> ReportingPhase:
        """Trial (to the end of 2026) or regular (from 2027), by the declaration date."""
        if self.declared_on <= TRIAL_PHASE_END:
            return ReportingPhase.TRIAL
        return ReportingPhase.REGULAR


class ChinaData(Section):
    """Chinese national data of the battery, kept apart from the EU data points.

    Access group 2 throughout: persons with a legitimate interest and the authorities see it,
    the public EU view (Annex XIII point 1) does not.
    """

    gbt34014_code: Gbt34014Code | None = data_point(
        G2,
        f"{GBT34014} clause 4 ({_VOLUNTARY})",
        "Current GB/T 34014 traction battery code (after re-coding for second use, the new code)",
        mandatory_for=_NO_SCOPE,
    )
    gbt34014_original_code: Gbt34014Code | None = data_point(
        G2,
        f"{GBT34014} clause 4.2 ({_VOLUNTARY})",
        "The battery's original GB/T 34014 code, kept when it was re-coded for second use",
        mandatory_for=_NO_SCOPE,
    )
    gbt34014_components: tuple[Gbt34014Component, ...] | None = data_point(
        G2,
        f"{GBT34014} clause 4.1 ({_VOLUNTARY})",
        "GB/T 34014 codes of the battery's modules and cells",
        mandatory_for=_NO_SCOPE,
    )
    gbt45565_code: Gbt45565Code | None = data_point(
        G2,
        f"{GBT45565} ({_VOLUNTARY})",
        "GB/T 45565 lithium-ion battery code, stored verbatim",
        mandatory_for=_NO_SCOPE,
    )
    carbon_footprint: ChineseCarbonFootprint | None = data_point(
        G2,
        f"{CN_CARBON_FOOTPRINT_NOTICE} ({_VOLUNTARY})",
        "China's traction-battery carbon-footprint declaration (its own regime; not the "
        "Art. 7 declaration)",
        unit="kg CO2e/kWh",
        mandatory_for=_NO_SCOPE,
    )

    def traction_battery_code(self) -> TractionBatteryCode | None:
        """The current GB/T 34014 code, parsed."""
        code = self.gbt34014_code
        return None if code is None else TractionBatteryCode._parse(code)

    @model_validator(mode="after")
    def _codes_fit_together(self) -> Self:
        current, original = self.gbt34014_code, self.gbt34014_original_code
        if original is not None:
            if current is None:
                raise cross_field_error(
                    "gbt34014_original_code",
                    "an original code is kept next to the new code of a re-coded battery: "
                    "give gbt34014_code too",
                    f"{GBT34014} clause 4.2",
                )
            if original == current:
                raise cross_field_error(
                    "gbt34014_original_code",
                    "the original code equals the current one: a re-coded battery has a new code",
                    f"{GBT34014} clause 4.2",
                )
        components = self.gbt34014_components
        if components is None:
            return self
        if current is None:
            raise cross_field_error(
                "gbt34014_components",
                "component codes are linked to the battery's own code: give gbt34014_code too",
                f"{GBT34014} clause 4.1",
            )
        holder = TractionBatteryCode._parse(current).product_type
        allowed = {
            ProductType.PACK: (ProductType.MODULE, ProductType.CELL),
            ProductType.MODULE: (ProductType.CELL,),
            ProductType.CELL: (),
        }[holder]
        modules: set[str] = set()
        seen = {current} | ({original} if original is not None else set())
        for i, entry in enumerate(components):
            kind = TractionBatteryCode._parse(entry.code).product_type
            if kind not in allowed:
                raise cross_field_error(
                    f"gbt34014_components[{i}].code",
                    f"a {kind.value} code cannot be a component of a {holder.value}",
                    f"{GBT34014} clause 4.1",
                )
            if entry.code in seen:
                raise cross_field_error(
                    f"gbt34014_components[{i}].code",
                    f"code {entry.code} is listed twice (or is the battery's own code)",
                    f"{GBT34014} clause 4.1",
                )
            seen.add(entry.code)
            if kind is ProductType.MODULE:
                modules.add(entry.code)
        for i, entry in enumerate(components):
            if entry.part_of is None:
                continue
            if entry.part_of not in modules:
                raise cross_field_error(
                    f"gbt34014_components[{i}].part_of",
                    f"{entry.part_of} is not the code of a module listed here",
                    f"{GBT34014} clause 4.1",
                )
            if TractionBatteryCode._parse(entry.code).product_type is not ProductType.CELL:
                raise cross_field_error(
                    f"gbt34014_components[{i}].part_of",
                    "only a cell sits in a module",
                    f"{GBT34014} clause 4.1",
                )
        return self
