"""Value types shared by the passport sections: exact quantities, identifiers, URLs, codes."""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Annotated, Any
from urllib.parse import urlsplit

from pydantic import AfterValidator, BeforeValidator, Field, WithJsonSchema

__all__ = [
    "MAX_DECIMAL_EXPONENT",
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
    "check_identifier",
    "gtin_check_digit",
]

MAX_DECIMAL_EXPONENT = 40
"""Quantities must lie within 10**-40 .. 10**40 in magnitude: ample for any physical value, and
a bound that keeps hostile input (``1e999999999``) from costing memory when printed."""


def _exact_number(value: Any) -> Any:
    # bool is an int subclass: True must not silently become 1 kg.
    if isinstance(value, bool):
        raise ValueError("expected a number, got a boolean")
    if isinstance(value, float):
        raise ValueError(
            "binary floating-point numbers are inexact; give a Decimal, an int, or a JSON number"
        )
    if isinstance(value, int):
        return Decimal(value)
    if isinstance(value, Decimal):
        return value
    raise ValueError(f"expected a number, got {type(value).__name__}")


def _finite_bounded(value: Decimal) -> Decimal:
    if not value.is_finite():
        raise ValueError("must be a finite number")
    if value and not -MAX_DECIMAL_EXPONENT <= value.adjusted() <= MAX_DECIMAL_EXPONENT:
        raise ValueError(f"magnitude outside 1e-{MAX_DECIMAL_EXPONENT}..1e{MAX_DECIMAL_EXPONENT}")
    if len(value.as_tuple().digits) > 34:
        raise ValueError("more than 34 significant digits")
    return value


def _positive(value: Decimal) -> Decimal:
    if value <= 0:
        raise ValueError("must be greater than 0")
    return value


def _non_negative(value: Decimal) -> Decimal:
    if value < 0:
        raise ValueError("must not be negative")
    return value


def _percent(value: Decimal) -> Decimal:
    if not 0 <= value <= 100:
        raise ValueError("a share in percent must lie between 0 and 100")
    return value


_NUMBER_SCHEMA = WithJsonSchema({"type": "number"})

Quantity = Annotated[
    Decimal,
    BeforeValidator(_exact_number),
    AfterValidator(_finite_bounded),
    _NUMBER_SCHEMA,
]
"""An exact decimal quantity (never a binary float)."""
PositiveQuantity = Annotated[Quantity, AfterValidator(_positive)]
NonNegativeQuantity = Annotated[Quantity, AfterValidator(_non_negative)]
Percent = Annotated[Quantity, AfterValidator(_percent)]
"""A share in percent, 0 to 100 inclusive."""

Text = Annotated[str, Field(min_length=1, max_length=4096)]
"""A non-empty free-text value."""


_WHITE_SPACE = re.compile(r"\s")


def _check_url(value: str) -> str:
    # Runs for every URL of every passport decoded (bulk verification): a compiled regex
    # instead of a per-character generator keeps it cheap.
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
_GS1_DL = re.compile(r"^https://[^/\s]+(?:/[^\s]*)?/01/(\d{8}|\d{12}|\d{13}|\d{14})(?:/[^\s]*)?$")


def gtin_check_digit(body: str) -> int:
    """The GS1 mod-10 check digit for the digits ``body`` (a GTIN without its last digit)."""
    total = 0
    for i, ch in enumerate(reversed(body)):
        total += int(ch) * (3 if i % 2 == 0 else 1)
    return (10 - total % 10) % 10


def check_identifier(value: str) -> str:
    """Accept a URN (RFC 8141), a lower-case canonical UUID, or a GS1 Digital Link URI with a
    valid GTIN check digit (ISO/IEC 15459 family, as Art. 77(3) asks of open standards)."""
    if _URN.match(value):
        if value.lower().startswith("urn:uuid:") and not _UUID.match(value[9:]):
            # uuid.UUID() would accept braces, upper case and missing hyphens; an identifier
            # must have one spelling, so only the canonical form (RFC 9562) is accepted.
            raise ValueError("urn:uuid: must be followed by a canonical lower-case UUID")
        return value
    if _UUID.match(value):
        return value
    m = _GS1_DL.match(value)
    if m:
        gtin = m.group(1)
        if gtin_check_digit(gtin[:-1]) != int(gtin[-1]):
            raise ValueError(f"GTIN {gtin} in the GS1 Digital Link URI has a wrong check digit")
        return value
    raise ValueError("must be a URN (urn:...), a canonical UUID, or a GS1 Digital Link URI")


Identifier = Annotated[str, Field(min_length=1, max_length=512), AfterValidator(check_identifier)]
"""A unique identifier: URN, UUID or GS1 Digital Link URI."""


def _check_cas(value: str) -> str:
    m = re.fullmatch(r"(\d{2,7})-(\d{2})-(\d)", value)
    if not m:
        raise ValueError("a CAS registry number has the form NNNNNNN-NN-N")
    digits = (m.group(1) + m.group(2))[::-1]
    check = sum((i + 1) * int(d) for i, d in enumerate(digits)) % 10
    if check != int(m.group(3)):
        raise ValueError(f"CAS number {value} has a wrong check digit (expected {check})")
    return value


CasNumber = Annotated[str, AfterValidator(_check_cas)]
"""A CAS registry number with a valid check digit."""


def _check_ec(value: str) -> str:
    m = re.fullmatch(r"(\d{3})-(\d{3})-(\d)", value)
    if not m:
        raise ValueError("an EC number has the form NNN-NNN-N")
    digits = m.group(1) + m.group(2)
    check = sum((i + 1) * int(d) for i, d in enumerate(digits)) % 11
    if check != int(m.group(3)):
        raise ValueError(f"EC number {value} has a wrong check digit")
    return value


EcNumber = Annotated[str, AfterValidator(_check_ec)]
"""A European Community (EINECS/ELINCS/NLP) number with a valid check digit."""

CountryCode = Annotated[str, Field(pattern=r"^[A-Z]{2}$")]
"""An ISO 3166-1 alpha-2 country code."""
