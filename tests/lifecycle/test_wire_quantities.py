"""Events and passports share one key-table binder (``codec/_keytable.py``): every quantity a
passport accepts, an event accepts and carries with the same decimal encoding (ADR 0004).

The one deliberate difference is ADR 0006's: a passport writes an integral quantity in the
CBOR integer range as that integer, an event (format version 1) always as a decimal fraction.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pydantic
from hypothesis import given
from hypothesis import strategies as st

from batterypass.codec import _cbor_passport, _keytable
from batterypass.codec.cbor import Tag
from batterypass.lifecycle import EventType, decode_event, encode_event, next_event
from batterypass.lifecycle._wire import _binding as event_binding
from batterypass.model import NonNegativeQuantity

from .conftest import T0, World

_QUANTITY: pydantic.TypeAdapter[Decimal] = pydantic.TypeAdapter(NonNegativeQuantity)


def _passport_codec() -> Any:
    """The codec the passport binding uses for a non-negative quantity."""
    general = _cbor_passport._binding().maps["general"]
    return next(f.codec for f in general.fields if f.name == "mass_kg")


def _event_codec() -> Any:
    payload = event_binding().payloads[EventType.STATE_OF_HEALTH]
    return next(f.codec for f in payload.fields if f.name == "remaining_capacity_ah")


def _event(world: World, value: Decimal) -> Any:
    return next_event(
        [],
        event_type=EventType.STATE_OF_HEALTH,
        payload={"remaining_capacity_ah": value},
        actor=world.orgs["maker"],
        time=T0,
        signed_passport=world.signed_passport,
    )


# Mantissas of up to 34 digits (the model's limit) with exponents across the model's range:
# the large ones need bignums (beyond 64 bits), which only the passport codec wrote before.
_decimals = st.builds(
    lambda m, e: Decimal(f"{m}E{e}"),
    st.integers(min_value=0, max_value=10**34 - 1),
    st.integers(min_value=-40, max_value=6),
)


def _accepted(value: Decimal) -> Decimal | None:
    try:
        return _QUANTITY.validate_python(value)
    except pydantic.ValidationError:
        return None


@given(value=_decimals)
def test_every_quantity_the_passport_accepts_the_event_encodes_the_same(
    world: World, value: Decimal
) -> None:
    quantity = _accepted(value)
    if quantity is None:
        return
    passport_wire = _passport_codec().encode(quantity)
    event_wire = _event_codec().encode(quantity)
    assert isinstance(event_wire, Tag)
    assert event_wire.tag == 4
    if isinstance(passport_wire, Tag):
        assert event_wire == passport_wire  # same exponent, same (big) mantissa
    else:  # ADR 0006: an integral passport value is the plain integer
        exponent, mantissa = event_wire.value
        assert Decimal(mantissa).scaleb(exponent) == passport_wire
    # and the whole event encodes, decodes and re-encodes to the same value and bytes
    event = _event(world, quantity)
    data = encode_event(event)
    again = decode_event(data)
    assert again.payload.remaining_capacity_ah == quantity  # type: ignore[attr-defined]
    assert encode_event(again) == data


def test_a_twenty_digit_quantity_is_a_bignum_in_an_event_as_in_a_passport(world: World) -> None:
    # The drift the shared binder fixes: this validated, then encode_event refused it.
    value = Decimal("12345678901234567890.5")
    data = encode_event(_event(world, value))
    assert decode_event(data).payload.remaining_capacity_ah == value  # type: ignore[attr-defined]
    wire = _event_codec().encode(value)
    assert wire == Tag(4, [-1, Tag(2, (123456789012345678905).to_bytes(9, "big"))])
    assert wire == _passport_codec().encode(value)


def test_the_event_and_passport_decimal_codecs_are_one_class() -> None:
    assert type(_event_codec()) is type(_passport_codec()) is _keytable.DecimalCodec
