from __future__ import annotations

from batterypass.errors import (
    BatteryPassError,
    ChainError,
    DecodeError,
    Issue,
    SignatureError,
    TrustError,
    ValidationError,
    format_path,
)


def test_format_path() -> None:
    assert format_path(()) == "$"
    assert format_path(("a", "b", 2, "c")) == "a.b[2].c"


def test_message_is_single_line_with_location_and_basis() -> None:
    err = ValidationError(
        "bad\nvalue", path=("general", "mass_kg"), legal_basis="Annex VI Part A(5)", source="f.json"
    )
    text = str(err)
    assert "\n" not in text
    assert text == "f.json: general.mass_kg: bad value [Annex VI Part A(5)]"


def test_offset_and_index_locations() -> None:
    assert str(DecodeError("truncated", offset=17)) == "byte 17: truncated"
    assert str(ChainError("link broken", index=3)) == "event 3: link broken"


def test_family_shares_one_root() -> None:
    for cls in (ValidationError, DecodeError, SignatureError, TrustError, ChainError):
        assert issubclass(cls, BatteryPassError)


def test_validation_error_defaults_to_one_issue() -> None:
    err = ValidationError("wrong", path=("x",))
    assert err.issues == (Issue(("x",), "wrong", None),)
