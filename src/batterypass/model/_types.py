"""Value types shared by the passport sections: exact quantities, identifiers, URLs, codes."""

from __future__ import annotations

import re
from collections.abc import Callable
from decimal import Context, Decimal, DecimalException, Overflow, Rounded, Subnormal, Underflow
from itertools import cycle
from operator import mul
from typing import Annotated, Any
from urllib.parse import urlsplit

from pydantic import AfterValidator, BeforeValidator, Field, WithJsonSchema
from pydantic_core import PydanticKnownError

__all__ = [
    "BATTERY_IDENTIFIER_RULE",
    "MAX_DECIMAL_EXPONENT",
    "BatteryIdentifier",
    "CasNumber",
    "CountryCode",
    "EcNumber",
    "Identifier",
    "NonNegativeQuantity",
    "Percent",
    "PositiveQuantity",
    "Quantity",
    "Text",
    "Url",
    "check_battery_identifier",
    "check_identifier",
    "gtin_check_digit",
]

MAX_DECIMAL_EXPONENT = 40
"""Quantities must lie within 10**-40 .. 10**40 in magnitude: ample for any physical value, and
a bound that keeps hostile input (``1e999999999``) from costing memory when printed."""


MAX_SIGNIFICANT_DIGITS = 34
"""At most as many significant digits as an IEEE 754 decimal128 holds."""

# An int strictly between -10**34 and 10**34 has at most 34 digits and (unless 0) an adjusted
# exponent between 0 and 33: it needs no check beyond this comparison.
_INT_LIMIT = 10**MAX_SIGNIFICANT_DIGITS

# Rounding a finite Decimal into this context traps exactly when the Decimal is out of bounds:
# Rounded when its coefficient has more than 34 digits (even if the dropped digits are zeros),
# Overflow or Subnormal when it is non-zero and its adjusted exponent is above 40 or below
# -40. A zero never traps (whatever its exponent, at most Clamped is signalled, which is not
# trapped). So one ``plus`` replaces the checks of _check_bounds (and as_tuple(), which is
# several times slower) for the numbers that pass; for the others _check_bounds says why.
_BOUNDS = Context(
    prec=MAX_SIGNIFICANT_DIGITS,
    Emin=-MAX_DECIMAL_EXPONENT,
    Emax=MAX_DECIMAL_EXPONENT,
    clamp=0,
    traps=[Rounded, Overflow, Subnormal, Underflow],
)


def _check_bounds(number: Decimal) -> None:
    """Raise the error for a finite Decimal outside the magnitude or digit bounds."""
    if number and not -MAX_DECIMAL_EXPONENT <= number.adjusted() <= MAX_DECIMAL_EXPONENT:
        raise ValueError(f"magnitude outside 1e-{MAX_DECIMAL_EXPONENT}..1e{MAX_DECIMAL_EXPONENT}")
    if len(number.as_tuple().digits) > MAX_SIGNIFICANT_DIGITS:
        raise ValueError(f"more than {MAX_SIGNIFICANT_DIGITS} significant digits")


def _exact_number(value: Any) -> Decimal:
    """``value`` as a Decimal if it is an exact number (the uncommon cases included)."""
    # bool is an int subclass: True must not silently become 1 kg.
    if isinstance(value, bool):
        raise ValueError("expected a number, got a boolean")
    if isinstance(value, float):
        raise ValueError(
            "binary floating-point numbers are inexact; give a Decimal, an int, or a JSON number"
        )
    # Subclasses of int and Decimal become plain Decimals.
    if isinstance(value, int | Decimal):
        return Decimal(value)
    raise ValueError(f"expected a number, got {type(value).__name__}")


def _quantity_validator(
    low: Decimal | None = None,
    high: Decimal | None = None,
    *,
    low_excluded: bool = False,
    message: str = "",
) -> Callable[[Any], Decimal]:
    """One validator doing all the checks of a quantity flavour, in this order: exact number,
    finite, magnitude, significant digits, then ``low`` (excluded or not) and ``high``.

    It runs for every quantity of every passport, so the common inputs (a Decimal, or an int
    of up to 34 digits) take a short path, and everything happens in a single Python call.
    (The bounds are Decimals: comparing two Decimals is about twice as fast as comparing a
    Decimal with an int, with the same result.)
    """

    def validate(value: Any) -> Decimal:
        kind = type(value)
        if kind is int and -_INT_LIMIT < value < _INT_LIMIT:
            number = Decimal(value)
        else:
            number = value if kind is Decimal else _exact_number(value)
            if not number.is_finite():
                # The error pydantic's own decimal validation gives for NaN and infinities.
                raise PydanticKnownError("finite_number")
            try:
                _BOUNDS.plus(number)
            except DecimalException:
                _check_bounds(number)
        if low is not None:
            if number <= low if low_excluded else number < low:
                raise ValueError(message)
            if high is not None and number > high:
                raise ValueError(message)
        return number

    return validate


_NUMBER_SCHEMA = WithJsonSchema({"type": "number"})
_ZERO = Decimal(0)
_HUNDRED = Decimal(100)

# Each flavour is one before-validator in front of pydantic's decimal validation, which then
# only sees a finite Decimal: the same values and errors as separate validators, fewer calls.
Quantity = Annotated[Decimal, BeforeValidator(_quantity_validator()), _NUMBER_SCHEMA]
"""An exact decimal quantity (never a binary float)."""
PositiveQuantity = Annotated[
    Decimal,
    BeforeValidator(
        _quantity_validator(_ZERO, low_excluded=True, message="must be greater than 0")
    ),
    _NUMBER_SCHEMA,
]
NonNegativeQuantity = Annotated[
    Decimal,
    BeforeValidator(_quantity_validator(_ZERO, message="must not be negative")),
    _NUMBER_SCHEMA,
]
Percent = Annotated[
    Decimal,
    BeforeValidator(
        _quantity_validator(
            _ZERO, _HUNDRED, message="a share in percent must lie between 0 and 100"
        )
    ),
    _NUMBER_SCHEMA,
]
"""A share in percent, 0 to 100 inclusive."""

Text = Annotated[str, Field(min_length=1, max_length=4096)]
"""A non-empty free-text value."""


_WHITE_SPACE = re.compile(r"\s")

# URLs of this shape (printable ASCII, a lower-case http(s) scheme, a host of letters, digits,
# dots and hyphens, an optional port) are certainly accepted by the full check below: urlsplit
# finds the scheme and a non-empty netloc and has nothing to object to (no brackets, no
# non-ASCII). The regex alone is much cheaper than urlsplit on a URL not seen before.
_PLAIN_URL = re.compile(r"https?://[A-Za-z0-9.-]+(?::[0-9]*)?(?:[/?#][!-~]*)?")


def _check_url(value: str) -> str:
    # Runs for every URL of every passport decoded (bulk verification).
    if _PLAIN_URL.fullmatch(value):
        return value
    if _WHITE_SPACE.search(value):
        raise ValueError("a URL must not contain white space")
    parts = urlsplit(value)
    if parts.scheme not in ("https", "http") or not parts.netloc:
        raise ValueError("must be an absolute http(s) URL")
    return value


Url = Annotated[str, Field(max_length=2048), AfterValidator(_check_url)]
"""An absolute http(s) URL, kept exactly as given."""

_URN = re.compile(r"^urn:[A-Za-z0-9][A-Za-z0-9-]{0,31}:[^\s]+$")
_UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")
_BPN = re.compile(r"^BPN[LSA][0-9A-Z]{12}$")
"""A Catena-X Business Partner Number: BPNL (legal entity), BPNS (site), BPNA (address)."""
_GS1_DL = re.compile(r"^https://[^/\s]+(?:/[^\s]*)?/01/(\d{8}|\d{12}|\d{13}|\d{14})(?:/[^\s]*)?$")


def gtin_check_digit(body: str) -> int:
    """The GS1 mod-10 check digit for the digits ``body`` (a GTIN without its last digit)."""
    if body.isascii() and body.isdigit():
        # The usual case: sum the code points of every other digit (weight 3 for the last
        # digit, then 1, 3, ...), less 48 ("0") per digit.
        codes = body.encode()
        threes, ones = codes[-1::-2], codes[-2::-2]
        total: int = 3 * (sum(threes) - 48 * len(threes)) + sum(ones) - 48 * len(ones)
    else:
        # Digits converted from the right, so int() reports the same offending character.
        total = sum(map(mul, cycle((3, 1)), map(int, reversed(body))))
    return (10 - total % 10) % 10


def check_identifier(value: str) -> str:
    """Accept a URN (RFC 8141), a lower-case canonical UUID, a GS1 Digital Link URI with a
    valid GTIN check digit (ISO/IEC 15459 family, as Art. 77(3) asks of open standards), or a
    Catena-X Business Partner Number (``BPNL``/``BPNS``/``BPNA`` + 12 characters)."""
    if _URN.match(value):
        if value.lower().startswith("urn:uuid:") and not _UUID.match(value[9:]):
            # uuid.UUID() would accept braces, upper case and missing hyphens; an identifier
            # must have one spelling, so only the canonical form (RFC 9562) is accepted.
            raise ValueError("urn:uuid: must be followed by a canonical lower-case UUID")
        return value
    if _UUID.match(value):
        return value
    if value.startswith("BPN"):
        # Catena-X identifies legal entities, sites and addresses by Business Partner Number.
        if not _BPN.match(value):
            raise ValueError(
                "a Business Partner Number is BPNL, BPNS or BPNA followed by 12 upper-case "
                "letters or digits"
            )
        return value
    m = _GS1_DL.match(value)
    if m:
        gtin = m.group(1)
        if gtin_check_digit(gtin[:-1]) != int(gtin[-1]):
            raise ValueError(f"GTIN {gtin} in the GS1 Digital Link URI has a wrong check digit")
        return value
    raise ValueError("must be a URN (urn:...), a canonical UUID, or a GS1 Digital Link URI")


Identifier = Annotated[str, Field(min_length=1, max_length=512), AfterValidator(check_identifier)]
"""A unique identifier: URN, UUID, GS1 Digital Link URI or Business Partner Number (BPN)."""

_GS1_DL_SERIAL = re.compile(
    r"^https://[^/\s]+(?:/[^\s]*)?/01/(?:\d{8}|\d{12}|\d{13}|\d{14})/21/[^/?#\s]{1,60}"
    r"(?:[/?#][^\s]*)?$"
)
_EPC_SGTIN = re.compile(r"^urn:epc:id:sgtin:(\d{6,12})\.(\d{1,7})\.[!-~]{1,20}$")
_UII_25S = re.compile(r"^25S[0-9A-Z][0-9A-Z.\-/]{3,46}$")

BATTERY_IDENTIFIER_RULE = (
    "the battery identifier must identify a single battery with an ISO/IEC 15459 unique "
    "identifier: a GS1 Digital Link URI with a serial number (.../01/GTIN/21/SERIAL), a GS1 EPC "
    "URI (urn:epc:id:sgtin:COMPANY.ITEM.SERIAL), or an ISO/IEC 15459 unique item identifier of "
    "another issuing agency in its data-identifier form (25S, issuing agency code, company "
    "code, serial number)"
)
"""The rule :func:`check_battery_identifier` applies (docs/adr/0009)."""


def check_battery_identifier(value: str) -> str:
    """Accept only identifiers that name one individual battery (Art. 77(3); Annex VI Part
    A(2); docs/adr/0009): a model number (a GTIN without serial), a bare UUID or any URN
    does not. A GS1 Digital Link URI's GTIN check digit is checked too."""
    if _GS1_DL_SERIAL.match(value):
        return check_identifier(value)
    m = _EPC_SGTIN.match(value)
    if m and len(m[1]) + len(m[2]) == 13:
        return value
    if _UII_25S.match(value):
        return value
    raise ValueError(BATTERY_IDENTIFIER_RULE)


BatteryIdentifier = Annotated[
    str, Field(min_length=1, max_length=512), AfterValidator(check_battery_identifier)
]
"""The unique identifier of one individual battery (see :func:`check_battery_identifier`)."""


_CAS = re.compile(r"(\d{2,7})-(\d{2})-(\d)")
_EC = re.compile(r"(\d{3})-(\d{3})-(\d)")
_WEIGHTS = range(1, 10)
# Weighting the code points of n ASCII digits instead of their values adds 48 * (1 + ... + n).
_ASCII_EXCESS = tuple(48 * n * (n + 1) // 2 for n in range(10))


def _weighted_digit_sum(digits: str) -> int:
    """1 * first digit + 2 * second digit + ... (at most 9 digits, any Unicode digits)."""
    if digits.isascii():  # the usual case, without an int() per digit
        total: int = sum(map(mul, _WEIGHTS, digits.encode())) - _ASCII_EXCESS[len(digits)]
    else:
        total = sum(map(mul, _WEIGHTS, map(int, digits)))
    return total


def _check_cas(value: str) -> str:
    m = _CAS.fullmatch(value)
    if not m:
        raise ValueError("a CAS registry number has the form NNNNNNN-NN-N")
    # Weights 1, 2, 3, ... from the right.
    check = _weighted_digit_sum((m[1] + m[2])[::-1]) % 10
    if check != int(m[3]):
        raise ValueError(f"CAS number {value} has a wrong check digit (expected {check})")
    return value


CasNumber = Annotated[str, AfterValidator(_check_cas)]
"""A CAS registry number with a valid check digit."""


def _check_ec(value: str) -> str:
    m = _EC.fullmatch(value)
    if not m:
        raise ValueError("an EC number has the form NNN-NNN-N")
    # Weights 1 to 6 from the left.
    check = _weighted_digit_sum(m[1] + m[2]) % 11
    if check != int(m[3]):
        raise ValueError(f"EC number {value} has a wrong check digit")
    return value


EcNumber = Annotated[str, AfterValidator(_check_ec)]
"""A European Community (EINECS/ELINCS/NLP) number with a valid check digit."""

CountryCode = Annotated[str, Field(pattern=r"^[A-Z]{2}$")]
"""An ISO 3166-1 alpha-2 country code."""
