"""JSON text <-> passport: exactness, stability, strictness, schema freshness."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from batterypass.codec import json as bp_json
from batterypass.errors import DecodeError, ValidationError
from batterypass.model import BatteryPassport
from batterypass.testing import passports

ROOT = Path(__file__).resolve().parents[2]


@given(passports())
def test_round_trip(p: BatteryPassport) -> None:
    assert bp_json.loads(bp_json.dumps(p)) == p
    assert bp_json.loads(bp_json.dumps(p, indent=None)) == p


@given(passports())
def test_output_is_stable(p: BatteryPassport) -> None:
    text = bp_json.dumps(p)
    assert bp_json.dumps(bp_json.loads(text)) == text


def test_examples_are_in_canonical_form(example_name: str) -> None:
    text = (ROOT / "examples" / "passports" / f"{example_name}.json").read_text(encoding="utf-8")
    assert bp_json.dumps(bp_json.loads(text)) == text


def test_decimals_keep_every_digit(ev_passport: BatteryPassport) -> None:
    text = bp_json.dumps(ev_passport).replace(
        '"mass_kg": 452.5,', '"mass_kg": 452.50000000000000000001,'
    )
    p = bp_json.loads(text)
    assert p.general.mass_kg == Decimal("452.50000000000000000001")
    assert '"mass_kg": 452.50000000000000000001' in bp_json.dumps(p)


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("{", "not valid JSON"),
        ('{"a": NaN}', "NaN is not a number"),
        ('{"a": 1, "a": 2}', "duplicate key 'a'"),
        ("[1]", "must be a JSON object"),
        (b"\xff\xfe{}", "not UTF-8"),
        ("[" * 100_000 + "]" * 100_000, "nested too deeply"),
    ],
)
def test_undecodable_text(text: str | bytes, fragment: str) -> None:
    with pytest.raises(DecodeError, match=fragment):
        bp_json.loads(text, source="in.json")


def test_validation_errors_carry_the_source() -> None:
    with pytest.raises(ValidationError) as e:
        bp_json.loads("{}", source="empty.json")
    assert str(e.value).startswith("empty.json: ")
    assert {i.path for i in e.value.issues} >= {("passport_id",), ("issued_at",)}


@given(st.binary(max_size=200))
def test_random_bytes_only_raise_our_errors(data: bytes) -> None:
    # 200 random bytes can never hold the required identifiers, so this must always fail,
    # and only ever with our own errors.
    with pytest.raises((DecodeError, ValidationError)):
        bp_json.loads(data)


def test_schema_file_is_current() -> None:
    committed = (ROOT / "specs" / "passport.schema.json").read_text(encoding="utf-8")
    assert committed == bp_json.passport_json_schema(), (
        "specs/passport.schema.json is stale: run `batterypass schema --out "
        "specs/passport.schema.json --force`"
    )


def test_schema_carries_access_groups() -> None:
    schema = json.loads(bp_json.passport_json_schema())
    mass = schema["$defs"]["GeneralInformation"]["properties"]["mass_kg"]
    assert mass["x-access-group"] == 1
    assert mass["x-unit"] == "kg"
    assert mass["x-legal-basis"].startswith("Annex XIII(1)(a)")


def test_examples_validate_against_the_json_schema(example_name: str) -> None:
    jsonschema = pytest.importorskip("jsonschema")
    schema = json.loads(bp_json.passport_json_schema())
    doc = json.loads((ROOT / "examples" / "passports" / f"{example_name}.json").read_text())
    jsonschema.Draft202012Validator(schema).validate(doc)
