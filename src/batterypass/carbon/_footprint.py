"""The carbon footprint per functional unit and its lifecycle stages (Art. 7; Annex II)."""

from __future__ import annotations

from decimal import Decimal

from batterypass.errors import Issue, ValidationError
from batterypass.model import BatteryPassport, CarbonFootprint, CarbonStage

__all__ = [
    "STAGES",
    "check_functional_unit",
    "lifetime_energy_kwh",
    "per_kwh_from_absolute",
    "stage_shares",
]

STAGES: tuple[CarbonStage, ...] = tuple(CarbonStage)
"""The four lifecycle stages of Annex II, in the Regulation's order (the use stage is not
part of the battery carbon footprint)."""

_HUNDRED = Decimal(100)


def _positive(value: object, name: str) -> Decimal:
    if isinstance(value, bool) or not isinstance(value, int | Decimal):
        raise ValidationError(f"{name} must be a Decimal or an int, not {type(value).__name__}")
    number = Decimal(value)
    if not number.is_finite() or number <= 0:
        raise ValidationError(f"{name} must be a finite number above 0, got {value}")
    return number


def lifetime_energy_kwh(*, energy_kwh: Decimal | int, lifetime_cycles: Decimal | int) -> Decimal:
    """Total energy over the expected service life, as batterypass approximates it: usable
    energy × expected number of full charge-discharge cycles."""
    return _positive(energy_kwh, "energy_kwh") * _positive(lifetime_cycles, "lifetime_cycles")


def per_kwh_from_absolute(
    absolute_kg_co2e: Decimal | int,
    *,
    energy_kwh: Decimal | int,
    lifetime_cycles: Decimal | int,
) -> Decimal:
    """Carbon footprint per functional unit (kg CO2e per kWh of total energy provided over the
    expected service life) from the absolute footprint of one battery.

    ``absolute_kg_co2e / (energy_kwh × lifetime_cycles)``: an approximation of the functional
    unit, which the delegated act under Art. 7(1) defines precisely (see
    ``specs/carbon-footprint.md``). The result is exact to 28 significant digits; round it to
    the declared precision yourself.
    """
    if isinstance(absolute_kg_co2e, bool) or not isinstance(absolute_kg_co2e, int | Decimal):
        raise ValidationError(
            f"absolute_kg_co2e must be a Decimal or an int, not {type(absolute_kg_co2e).__name__}"
        )
    absolute = Decimal(absolute_kg_co2e)
    if not absolute.is_finite() or absolute < 0:
        raise ValidationError(
            f"absolute_kg_co2e must be finite and not negative, got {absolute_kg_co2e}"
        )
    return absolute / lifetime_energy_kwh(energy_kwh=energy_kwh, lifetime_cycles=lifetime_cycles)


def stage_shares(footprint: CarbonFootprint) -> dict[CarbonStage, Decimal]:
    """Each stage's share of the footprint, in percent of the sum of the four declared stages
    (so that the shares add up to 100; a stage with a credit has a negative share).

    Raises :class:`ValidationError` if a stage is not declared or the stages add up to zero.
    """
    values = footprint.stage_values()
    missing = [s for s in STAGES if values[s] is None]
    if missing:
        raise ValidationError(
            f"lifecycle stage(s) not declared: {', '.join(s.value for s in missing)}",
            path=("carbon_footprint",),
            legal_basis="Art. 7(1)(e); Annex II point 4; Annex XIII(1)(c)",
        )
    total = sum((v for v in values.values() if v is not None), Decimal(0))
    if total == 0:
        raise ValidationError(
            "the lifecycle stages add up to zero: no shares can be computed",
            path=("carbon_footprint",),
        )
    return {s: (values[s] or Decimal(0)) / total * _HUNDRED for s in STAGES}


def check_functional_unit(passport: BatteryPassport) -> None:
    """Check that the declared footprint per kWh agrees with the absolute footprint, the
    certified usable energy and the expected lifetime cycles, within half the rounding step
    (``rounding_kg_co2e_per_kwh``, else the last declared digit of the total).

    Raises :class:`ValidationError` naming the missing data points, or the disagreement.
    """
    cf = passport.carbon_footprint
    perf = passport.performance
    needed = {
        ("carbon_footprint", "total_kg_co2e_per_kwh"): cf.total_kg_co2e_per_kwh,
        ("carbon_footprint", "absolute_kg_co2e"): cf.absolute_kg_co2e,
        ("performance", "certified_usable_energy_kwh"): perf.certified_usable_energy_kwh,
        ("performance", "expected_lifetime_cycles"): perf.expected_lifetime_cycles,
    }
    missing = [
        Issue(path, "not declared, needed to check the functional unit")
        for path, v in needed.items()
        if v is None
    ]
    if missing:
        raise ValidationError(
            f"{missing[0]}" + (f" (and {len(missing) - 1} more)" if len(missing) > 1 else ""),
            issues=missing,
            path=missing[0].path,
        )
    total, absolute = cf.total_kg_co2e_per_kwh, cf.absolute_kg_co2e
    energy, cycles = perf.certified_usable_energy_kwh, perf.expected_lifetime_cycles
    assert total is not None
    assert absolute is not None
    assert energy is not None
    assert cycles is not None
    computed = per_kwh_from_absolute(absolute, energy_kwh=energy, lifetime_cycles=cycles)
    step = cf.rounding_kg_co2e_per_kwh or Decimal(1).scaleb(int(total.as_tuple().exponent))
    if abs(computed - total) > step / 2:
        raise ValidationError(
            f"declared {total} kg CO2e/kWh, but {absolute} kg CO2e / ({energy} kWh × {cycles} "
            f"cycles) = {computed:.6g} kg CO2e/kWh (tolerance {step / 2})",
            path=("carbon_footprint", "total_kg_co2e_per_kwh"),
            legal_basis="Art. 7(1); Annex II",
        )
