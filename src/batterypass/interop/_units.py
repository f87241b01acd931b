"""Exact decimal arithmetic for unit conversions: never a float, never a silent rounding."""

from __future__ import annotations

from decimal import Context, Decimal, Inexact
from typing import Final

# Products of two or three model quantities (at most 34 significant digits each) are exact in
# this context; quotients are computed to 34 digits and flagged when rounded.
EXACT: Final = Context(prec=200, Emax=10_000, Emin=-10_000)
THOUSAND: Final = Decimal(1000)
HUNDRED: Final = Decimal(100)
TEN: Final = Decimal(10)
QUOTIENT_DIGITS: Final = 34


def mul(*factors: Decimal) -> Decimal:
    """The exact product, trailing fractional zeros dropped."""
    out = Decimal(1)
    for f in factors:
        out = EXACT.multiply(out, f)
    return tidy(out)


def div(a: Decimal, b: Decimal) -> tuple[Decimal, bool]:
    """``a / b`` to 34 significant digits and whether that is exact."""
    ctx = Context(prec=QUOTIENT_DIGITS, Emax=10_000, Emin=-10_000)
    out = ctx.divide(a, b)
    return tidy(out), not ctx.flags[Inexact]


def tidy(d: Decimal) -> Decimal:
    """Drop trailing zeros after the decimal point (``7240.00`` -> ``7240``), never rounding."""
    sign, digits, exponent = d.as_tuple()
    if not isinstance(exponent, int):
        return d
    ds = list(digits)
    while exponent < 0 and len(ds) > 1 and ds[-1] == 0:
        ds.pop()
        exponent += 1
    if ds == [0]:
        return Decimal(0)
    return Decimal((sign, tuple(ds), exponent))
