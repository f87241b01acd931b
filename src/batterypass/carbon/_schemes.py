"""Carbon-footprint performance class schemes.

The EU class limits (Art. 7(2)) are to be set by delegated act and are not published, and
regional label schemes differ, so the scheme is pluggable: anything with the
:class:`ClassScheme` shape works; :class:`ThresholdScheme` reads upper bounds per class from a
JSON or TOML file (``specs/carbon-footprint.md`` describes the format).
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any, Protocol, runtime_checkable

from batterypass._fs import read_bounded
from batterypass.codec.json import loads_value
from batterypass.errors import BatteryPassError, DecodeError, PathItem, ValidationError
from batterypass.model import BatteryPassport

__all__ = [
    "SCHEME_FORMAT",
    "SCHEME_UNIT",
    "Band",
    "ClassScheme",
    "ThresholdScheme",
    "check_declared_class",
]

SCHEME_FORMAT = "batterypass-class-scheme/1"
"""The ``format`` value a scheme file must declare."""
SCHEME_UNIT = "kg CO2e/kWh"
"""The only unit a scheme's bounds may be given in (the Annex II functional unit)."""
MAX_SCHEME_BYTES = 1024 * 1024
"""Largest scheme file :meth:`ThresholdScheme.from_file` reads (a scheme is a few lines)."""

_MAX_LABEL = 16  # the model's performance_class holds at most 16 characters


@dataclass(frozen=True, slots=True)
class Band:
    """One performance class: values above ``lower`` and up to ``upper`` (inclusive).

    The first band starts at 0 inclusive; ``upper`` is ``None`` for the last, unbounded band.
    """

    label: str
    lower: Decimal
    upper: Decimal | None

    def contains(self, value: Decimal) -> bool:
        """Whether ``value`` (kg CO2e/kWh) falls in this band."""
        above = value >= self.lower if self.lower == 0 else value > self.lower
        return above and (self.upper is None or value <= self.upper)


@runtime_checkable
class ClassScheme(Protocol):
    """A carbon-footprint performance class scheme."""

    @property
    def name(self) -> str:
        """An identifier of the scheme (compared with ``carbon_footprint.class_scheme``)."""
        ...

    @property
    def illustrative(self) -> bool:
        """``True`` for a scheme that is not regulatory (labels then say so)."""
        ...

    def classify(self, value: Decimal) -> str:
        """The class label of a footprint in kg CO2e/kWh."""
        ...

    def bands(self) -> list[Band]:
        """Every class, best (lowest footprint) first."""
        ...


def _fail(path: Sequence[PathItem], message: str) -> ValidationError:
    return ValidationError(message, path=tuple(path))


def _bound(value: Any, path: Sequence[PathItem]) -> Decimal:
    if isinstance(value, bool) or not isinstance(value, int | Decimal):
        raise _fail(path, f"an upper bound must be a number, not {type(value).__name__}")
    number = Decimal(value)
    if not number.is_finite() or number <= 0:
        raise _fail(path, f"an upper bound must be a finite number above 0, got {value}")
    return number


@dataclass(frozen=True, slots=True)
class ThresholdScheme:
    """A class scheme given by an upper bound per class (strictly increasing; the last class
    is unbounded). Load it with :meth:`from_file`, :meth:`from_json`, :meth:`from_toml` or
    :meth:`from_mapping`."""

    name: str
    illustrative: bool
    note: str | None
    upper_bounds: tuple[tuple[str, Decimal | None], ...]

    # ---------------------------------------------------------------- ClassScheme

    def bands(self) -> list[Band]:
        """Every class, best first."""
        out: list[Band] = []
        lower = Decimal(0)
        for label, upper in self.upper_bounds:
            out.append(Band(label, lower, upper))
            if upper is not None:
                lower = upper
        return out

    def band_of(self, value: Decimal) -> Band:
        """The band a footprint in kg CO2e/kWh falls in."""
        if isinstance(value, bool) or not isinstance(value, int | Decimal):
            raise ValidationError(
                f"a footprint must be a Decimal or an int, not {type(value).__name__}"
            )
        number = Decimal(value)
        if not number.is_finite() or number < 0:
            raise ValidationError(f"a footprint must be finite and not negative, got {value}")
        for band in self.bands():
            if band.contains(number):
                return band
        raise AssertionError("the last band is unbounded")  # pragma: no cover

    def classify(self, value: Decimal) -> str:
        """The class label of a footprint in kg CO2e/kWh (upper bounds are inclusive)."""
        return self.band_of(value).label

    # ---------------------------------------------------------------- loading

    @classmethod
    def from_file(cls, path: str | Path) -> ThresholdScheme:
        """Load a scheme from a ``.json`` or ``.toml`` file."""
        path = Path(path)
        suffix = path.suffix.lower()
        if suffix not in (".json", ".toml"):
            raise ValidationError(
                f"a scheme file must end in .json or .toml, not {suffix or '(no suffix)'!r}",
                source=str(path),
            )
        data = read_bounded(path, MAX_SCHEME_BYTES, what="scheme file")
        if suffix == ".json":
            return cls.from_json(data, source=str(path))
        return cls.from_toml(data, source=str(path))

    @classmethod
    def from_json(cls, text: str | bytes, *, source: str | None = None) -> ThresholdScheme:
        """Load a scheme from JSON text."""
        return cls.from_mapping(loads_value(text, source=source), source=source)

    @classmethod
    def from_toml(cls, text: str | bytes, *, source: str | None = None) -> ThresholdScheme:
        """Load a scheme from TOML text (numbers read as exact decimals)."""
        try:
            if isinstance(text, bytes):
                text = text.decode("utf-8")
            data = tomllib.loads(text, parse_float=Decimal)
        except UnicodeDecodeError as e:
            raise DecodeError("not UTF-8 text", offset=e.start, source=source) from e
        except tomllib.TOMLDecodeError as e:
            raise DecodeError(f"not valid TOML: {e}", source=source) from e
        except RecursionError as e:
            raise DecodeError("not valid TOML: nested too deeply", source=source) from e
        except ValueError as e:  # e.g. an integer over Python's 4300-digit limit
            raise DecodeError(f"not valid TOML: {e}", source=source) from e
        return cls.from_mapping(data, source=source)

    @classmethod
    def from_mapping(cls, data: Any, *, source: str | None = None) -> ThresholdScheme:
        """Build a scheme from plain data; see ``specs/carbon-footprint.md`` for the keys."""
        try:
            return cls._parse(data)
        except BatteryPassError as e:
            if source:
                e.with_source(source)
            raise

    @classmethod
    def _parse(cls, data: Any) -> ThresholdScheme:
        if not isinstance(data, Mapping):
            raise _fail((), "a scheme must be an object (table)")
        known = {"format", "name", "illustrative", "note", "unit", "classes"}
        unknown = sorted(set(data) - known)
        if unknown:
            raise _fail((), f"unknown key(s): {', '.join(map(str, unknown))}")
        missing = sorted(known - {"note"} - set(data))
        if missing:
            raise _fail((), f"missing key(s): {', '.join(missing)}")
        if data["format"] != SCHEME_FORMAT:
            raise _fail(
                ("format",), f"unsupported format {data['format']!r} (expected {SCHEME_FORMAT!r})"
            )
        name = data["name"]
        if not isinstance(name, str) or not name.strip():
            raise _fail(("name",), "expected a non-empty string")
        illustrative = data["illustrative"]
        if not isinstance(illustrative, bool):
            raise _fail(("illustrative",), "expected true or false")
        note = data.get("note")
        if note is not None and (not isinstance(note, str) or not note.strip()):
            raise _fail(("note",), "expected a non-empty string")
        if data["unit"] != SCHEME_UNIT:
            raise _fail(("unit",), f"bounds must be given in {SCHEME_UNIT!r}, not {data['unit']!r}")
        classes = data["classes"]
        if not isinstance(classes, list) or len(classes) < 2:
            raise _fail(("classes",), "expected a list of at least two classes, best first")
        bounds: list[tuple[str, Decimal | None]] = []
        labels: set[str] = set()
        previous: Decimal | None = None
        last = len(classes) - 1
        for i, entry in enumerate(classes):
            where: tuple[PathItem, ...] = ("classes", i)
            if not isinstance(entry, Mapping):
                raise _fail(where, "expected an object with 'label' and 'upper_bound'")
            extra = sorted(set(entry) - {"label", "upper_bound"})
            if extra:
                raise _fail(where, f"unknown key(s): {', '.join(map(str, extra))}")
            label = entry.get("label")
            if not isinstance(label, str) or not label.strip() or len(label) > _MAX_LABEL:
                raise _fail(
                    (*where, "label"),
                    f"expected a non-empty label of at most {_MAX_LABEL} characters",
                )
            if label in labels:
                raise _fail((*where, "label"), f"class {label!r} appears twice")
            labels.add(label)
            # TOML has no null: there the last class simply leaves upper_bound out.
            raw = entry.get("upper_bound")
            if i == last:
                if raw is not None:
                    raise _fail(
                        (*where, "upper_bound"),
                        "the last class must be unbounded (leave upper_bound out or null)",
                    )
                bounds.append((label, None))
                continue
            if raw is None:
                raise _fail(
                    (*where, "upper_bound"),
                    "only the last class may be unbounded; this one needs an upper_bound",
                )
            upper = _bound(raw, (*where, "upper_bound"))
            if previous is not None and upper <= previous:
                raise _fail(
                    (*where, "upper_bound"),
                    f"upper bounds must increase strictly: {upper} follows {previous}",
                )
            previous = upper
            bounds.append((label, upper))
        return cls(name=name, illustrative=illustrative, note=note, upper_bounds=tuple(bounds))


def check_declared_class(passport: BatteryPassport, scheme: ClassScheme) -> None:
    """Check that the passport's declared performance class is the one ``scheme`` gives its
    declared footprint, and that it was declared under that scheme (when it names one).

    Raises :class:`ValidationError` with the field path and legal basis.
    """
    cf = passport.carbon_footprint
    basis = "Art. 7(2); Annex XIII(1)(c)"
    if cf.total_kg_co2e_per_kwh is None:
        raise ValidationError(
            "no carbon footprint declared, so no class can be checked",
            path=("carbon_footprint", "total_kg_co2e_per_kwh"),
            legal_basis="Art. 7(1); Annex XIII(1)(c)",
        )
    if cf.performance_class is None:
        raise ValidationError(
            "no performance class declared",
            path=("carbon_footprint", "performance_class"),
            legal_basis=basis,
        )
    if cf.class_scheme is not None and cf.class_scheme != scheme.name:
        raise ValidationError(
            f"the class was assigned under scheme {cf.class_scheme!r}, not {scheme.name!r}",
            path=("carbon_footprint", "class_scheme"),
            legal_basis=basis,
        )
    expected = scheme.classify(cf.total_kg_co2e_per_kwh)
    if cf.performance_class != expected:
        raise ValidationError(
            f"declared class {cf.performance_class!r}, but {cf.total_kg_co2e_per_kwh} "
            f"kg CO2e/kWh is class {expected!r} under {scheme.name!r}",
            path=("carbon_footprint", "performance_class"),
            legal_basis=basis,
        )
