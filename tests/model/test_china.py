"""Chinese national data: GB/T 34014 and GB/T 45565 codes, the Chinese carbon-footprint
declaration, and how they sit in the passport (specs/china.md)."""

from __future__ import annotations

import copy
import json
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from batterypass import testing
from batterypass.errors import ValidationError
from batterypass.model import (
    GBT34014_YEAR_CODES,
    Audience,
    BatteryPassport,
    ProductType,
    ReportingPhase,
    TractionBatteryCode,
    completeness,
    iter_data_points,
    parse_passport,
)

ROOT = Path(__file__).resolve().parents[2]

# The example value of the Catena-X aspect model for GB/T 34014 codes (CX-0093).
CX_EXAMPLE = "X12MCPM27KLPCLX2M2382320"


def _code(**parts: str) -> str:
    """A code built from named parts (defaults: a valid pack code)."""
    default = {
        "maker": "AB1",
        "type": "P",
        "battery": "E",
        "spec": "01",
        "trace": "12345AB",
        "year": "G",
        "month": "5",
        "day": "F",
        "serial": "0000123",
    }
    default.update(parts)
    return "".join(
        default[k]
        for k in ("maker", "type", "battery", "spec", "trace", "year", "month", "day", "serial")
    )


# --- the GB/T 34014 code as a value --------------------------------------------------------


def test_a_code_parses_into_its_published_parts() -> None:
    code = TractionBatteryCode.parse(_code())
    assert str(code) == "AB1PE0112345ABG5F0000123"
    assert code.manufacturer_code == "AB1"
    assert code.product_type is ProductType.PACK
    assert code.product_type.letter == "P"
    assert code.battery_type == "E"
    assert code.specification == "01"
    assert code.traceability == "12345AB"
    assert (code.year_code, code.month, code.day) == ("G", 5, 15)
    assert code.serial == "0000123"


def test_the_catena_x_example_code_parses() -> None:
    code = TractionBatteryCode.parse(CX_EXAMPLE)
    assert code.product_type is ProductType.MODULE
    assert code.battery_type == "C"
    assert (code.month, code.day) == (2, 21)


@pytest.mark.parametrize(
    ("letter", "kind"),
    [("P", ProductType.PACK), ("M", ProductType.MODULE), ("C", ProductType.CELL)],
)
def test_product_type_letters(letter: str, kind: ProductType) -> None:
    assert TractionBatteryCode.parse(_code(type=letter)).product_type is kind


@pytest.mark.parametrize("letter", list("ABCDEFGZ"))
def test_battery_type_letters_a_to_g_and_z(letter: str) -> None:
    assert TractionBatteryCode.parse(_code(battery=letter)).battery_type == letter


# The month and day characters: 1-9, then capital letters without I, O and Q.
MONTHS = dict(zip("123456789ABC", range(1, 13), strict=True))
DAYS = dict(zip("123456789ABCDEFGHJKLMNPRSTUVWXY", range(1, 32), strict=True))


@pytest.mark.parametrize(("char", "month"), MONTHS.items())
def test_month_characters(char: str, month: int) -> None:
    assert TractionBatteryCode.parse(_code(month=char, day="1")).month == month


@pytest.mark.parametrize(("char", "day"), DAYS.items())
def test_day_characters(char: str, day: int) -> None:
    assert TractionBatteryCode.parse(_code(month="1", day=char)).day == day


@pytest.mark.parametrize(
    ("code", "message"),
    [
        (_code()[:23], "a code has 24 characters, this one 23"),
        (_code() + "0", "a code has 24 characters, this one 25"),
        ("", "a code has 24 characters, this one 0"),
        (_code(maker="ab1"), "position 1 (manufacturer code): lower-case letters are not used"),
        (_code(maker="A-1"), "position 2 (manufacturer code): '-' is not a digit or a capital"),
        (_code(trace="12345A\u00c9"), "position 14 (traceability information code): 'É' is not"),
        (_code(type="X"), "position 4 (product type): 'X' is not P (pack), M (module) or C (cell)"),
        (_code(battery="H"), "position 5 (battery type): 'H' is not a battery type letter"),
        (_code(year="0"), "position 15 (production year): '0' is not a year character"),
        (_code(year="I"), "position 15 (production year): 'I' is not a year character"),
        (_code(year="Z"), "position 15 (production year): 'Z' is not a year character"),
        (_code(month="0"), "position 16 (production month): '0' is not a month character"),
        (_code(month="D"), "position 16 (production month): 'D' is not a month character"),
        (_code(day="0"), "position 17 (production day): '0' is not a day character"),
        (_code(day="O"), "position 17 (production day): 'O' is not a day character"),
        (_code(day="Q"), "position 17 (production day): 'Q' is not a day character"),
        (
            _code(month="2", day="X"),
            "position 17 (production day): day 30 does not exist in month 2",
        ),
        (
            _code(month="4", day="Y"),
            "position 17 (production day): day 31 does not exist in month 4",
        ),
        (_code(serial="000012A"), "position 24 (serial number): 'A' is not a digit"),
    ],
)
def test_a_malformed_code_is_rejected_with_position_and_rule(code: str, message: str) -> None:
    with pytest.raises(ValidationError) as caught:
        TractionBatteryCode.parse(code)
    assert f"not a GB/T 34014-2017 code: {message}" in str(caught.value)
    assert caught.value.legal_basis == "GB/T 34014-2017"


def test_a_non_text_code_is_rejected() -> None:
    with pytest.raises(ValidationError, match="expected text, got int"):
        TractionBatteryCode.parse(123)  # type: ignore[arg-type]


def test_february_29_is_accepted_and_its_date_depends_on_the_assumed_year() -> None:
    code = TractionBatteryCode.parse(_code(year="G", month="2", day="W"))  # 29th
    assert code.day == 29
    # G is 2026 under the assumed year table: not a leap year, so no calendar date.
    assert code.production_date is None
    leap = TractionBatteryCode.parse(_code(year="E", month="2", day="W"))  # E: 2024
    assert leap.production_date == date(2024, 2, 29)


def test_the_year_table_is_the_date_characters_counted_from_2010() -> None:
    """The year table is an ASSUMPTION (specs/china.md): one year per date character, in
    order. What is tested is only that the code reads it consistently."""
    assert list(GBT34014_YEAR_CODES) == list(DAYS)
    assert list(GBT34014_YEAR_CODES.values()) == list(range(2011, 2042))
    assert TractionBatteryCode.parse(_code(year="A", month="C", day="Y")).production_date == (
        date(2020, 12, 31)
    )


@given(testing.gbt34014_codes())
def test_generated_codes_parse_and_keep_their_text(code: str) -> None:
    parsed = TractionBatteryCode.parse(code)
    assert str(parsed) == code
    assert parsed.product_type.letter == code[3]


@given(testing.gbt34014_codes(), st.integers(0, 23), st.characters())
def test_changing_one_character_is_accepted_or_named_at_its_position(
    code: str, index: int, char: str
) -> None:
    mutated = code[:index] + char + code[index + 1 :]
    try:
        TractionBatteryCode.parse(mutated)
    except ValidationError as e:
        message = str(e)
    else:
        return
    assert f"position {index + 1} (" in message


# --- the passport ---------------------------------------------------------------------------


def _ev() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(
        (ROOT / "examples/passports/ev-nmc.json").read_text(), parse_float=Decimal
    )
    return data


CELL = _code(type="C", serial="0000001")
MODULE = _code(type="M", serial="0000002")
CF = {
    "kg_co2e_per_kwh": Decimal("61.5"),
    "method": "MIIT traction-battery carbon-footprint accounting rules (trial)",
    "boundary": "material acquisition, battery manufacturing, distribution, recycling",
    "verifier": "Example Verification Co. (demo)",
    "document_url": "https://docs.example.org/cn-cf.pdf",
    "declared_on": "2026-09-01",
}


def _with_china(**china: Any) -> dict[str, Any]:
    data = _ev()
    data["china"] = china
    return data


def _issue(data: dict[str, Any]) -> tuple[str, str, str | None]:
    with pytest.raises(ValidationError) as caught:
        parse_passport(data)
    issue = caught.value.issues[0]
    return ".".join(str(p) for p in issue.path), issue.message, issue.legal_basis


def test_a_passport_holds_codes_components_and_the_chinese_declaration() -> None:
    p = parse_passport(
        _with_china(
            gbt34014_code=_code(),
            gbt34014_components=[{"code": MODULE}, {"code": CELL, "part_of": MODULE}],
            carbon_footprint=CF,
        )
    )
    code = p.china.traction_battery_code()
    assert code is not None
    assert code.product_type is ProductType.PACK
    assert p.china.carbon_footprint is not None
    assert p.china.carbon_footprint.kg_co2e_per_kwh == Decimal("61.5")
    assert p.china.carbon_footprint.reporting_phase is ReportingPhase.TRIAL
    # The EU declaration is untouched by the Chinese one.
    assert p.carbon_footprint.total_kg_co2e_per_kwh == Decimal("0.052")


def test_reporting_phase_changes_on_1_january_2027() -> None:
    later = CF | {"declared_on": "2027-01-01"}
    data = _with_china(carbon_footprint=later)
    data["issued_at"] = "2027-02-01T00:00:00+00:00"
    p = parse_passport(data)
    assert p.china.carbon_footprint is not None
    assert p.china.carbon_footprint.reporting_phase is ReportingPhase.REGULAR


def test_a_malformed_code_in_a_passport_names_field_position_and_standard() -> None:
    path, message, basis = _issue(_with_china(gbt34014_code=_code(type="X")))
    assert path == "china.gbt34014_code"
    assert "position 4 (product type)" in message
    assert basis is not None
    assert basis.startswith("GB/T 34014-2017")


def test_second_use_keeps_the_original_code() -> None:
    data = _with_china(gbt34014_code=_code(serial="0000009"), gbt34014_original_code=_code())
    data["status"] = "repurposed"
    p = parse_passport(data)
    assert p.china.gbt34014_original_code == _code()


@pytest.mark.parametrize(
    ("china", "status", "path", "message"),
    [
        (
            {"gbt34014_original_code": _code()},
            "repurposed",
            "china.gbt34014_original_code",
            "give gbt34014_code too",
        ),
        (
            {"gbt34014_code": _code(), "gbt34014_original_code": _code()},
            "repurposed",
            "china.gbt34014_original_code",
            "the original code equals the current one",
        ),
        (
            {"gbt34014_code": _code(serial="0000009"), "gbt34014_original_code": _code()},
            "original",
            "china.gbt34014_original_code",
            "but the status is 'original'",
        ),
    ],
)
def test_original_code_rules(china: dict[str, Any], status: str, path: str, message: str) -> None:
    data = _with_china(**china)
    data["status"] = status
    got_path, got_message, basis = _issue(data)
    assert (got_path, basis) == (path, "GB/T 34014-2017 clause 4.2")
    assert message in got_message


@pytest.mark.parametrize(
    ("china", "path", "message"),
    [
        (
            {"gbt34014_components": [{"code": MODULE}]},
            "china.gbt34014_components",
            "give gbt34014_code too",
        ),
        (
            {"gbt34014_code": _code(), "gbt34014_components": [{"code": _code(serial="0000005")}]},
            "china.gbt34014_components.0.code",
            "a pack code cannot be a component of a pack",
        ),
        (
            {
                "gbt34014_code": CELL,
                "gbt34014_components": [{"code": _code(type="C", serial="0000003")}],
            },
            "china.gbt34014_components.0.code",
            "a cell code cannot be a component of a cell",
        ),
        (
            {"gbt34014_code": _code(), "gbt34014_components": [{"code": CELL}, {"code": CELL}]},
            "china.gbt34014_components.1.code",
            "is listed twice",
        ),
        (
            {"gbt34014_code": _code(), "gbt34014_components": [{"code": _code()}]},
            "china.gbt34014_components.0.code",
            "a pack code cannot be a component of a pack",
        ),
        (
            {"gbt34014_code": _code(), "gbt34014_components": [{"code": CELL, "part_of": MODULE}]},
            "china.gbt34014_components.0.part_of",
            "is not the code of a module listed here",
        ),
        (
            {
                "gbt34014_code": _code(),
                "gbt34014_components": [
                    {"code": MODULE},
                    {"code": _code(type="M", serial="0000004"), "part_of": MODULE},
                ],
            },
            "china.gbt34014_components.1.part_of",
            "only a cell sits in a module",
        ),
    ],
)
def test_component_code_rules(china: dict[str, Any], path: str, message: str) -> None:
    got_path, got_message, basis = _issue(_with_china(**china))
    assert (got_path, basis) == (path, "GB/T 34014-2017 clause 4.1")
    assert message in got_message


def test_a_malformed_component_code_is_named_at_its_own_path() -> None:
    china = {"gbt34014_code": MODULE, "gbt34014_components": [{"code": "X12"}]}
    path, message, _ = _issue(_with_china(**china))
    assert path == "china.gbt34014_components.0.code"
    assert "a code has 24 characters, this one 3" in message


def test_a_module_lists_its_cells() -> None:
    p = parse_passport(_with_china(gbt34014_code=MODULE, gbt34014_components=[{"code": CELL}]))
    assert p.china.gbt34014_components is not None


def test_gbt45565_is_stored_verbatim_and_only_its_characters_are_checked() -> None:
    data = _with_china(gbt45565_code="1234-ABC-R-0001xyz")
    data["general"]["category"] = "industrial"
    del data["performance"]["capacity_threshold_for_exhaustion_percent"]
    p = parse_passport(data)
    assert p.china.gbt45565_code == "1234-ABC-R-0001xyz"


@pytest.mark.parametrize(
    ("code", "message"),
    [
        ("", "must not be empty"),
        ("A" * 65, "longer than 64 characters"),
        ("1234 ABC", "character 5 (' ') is not a printable character of the 7-bit set"),
        ("1234-电池", "character 6 ('电') is not a printable character of the 7-bit set"),
    ],
)
def test_gbt45565_character_rules(code: str, message: str) -> None:
    data = _with_china(gbt45565_code=code)
    data["general"]["category"] = "industrial"
    del data["performance"]["capacity_threshold_for_exhaustion_percent"]
    path, got, _ = _issue(data)
    assert path == "china.gbt45565_code"
    assert message in got


def test_gbt45565_does_not_code_an_ev_battery() -> None:
    path, message, basis = _issue(_with_china(gbt45565_code="1234-ABC"))
    assert (path, basis) == ("china.gbt45565_code", "GB/T 45565-2025 clause 1")
    assert "does not code automotive traction batteries" in message


def test_the_chinese_declaration_covers_traction_batteries_only() -> None:
    data = _with_china(carbon_footprint=CF)
    data["general"]["category"] = "industrial"
    del data["performance"]["capacity_threshold_for_exhaustion_percent"]
    path, message, basis = _issue(data)
    assert path == "china.carbon_footprint"
    assert "not category 'industrial'" in message
    assert basis == "MIIT notice 工信厅通装函〔2025〕551号"


def test_the_chinese_declaration_is_not_dated_after_the_passport() -> None:
    path, message, _ = _issue(_with_china(carbon_footprint=CF | {"declared_on": "2026-10-16"}))
    assert path == "china.carbon_footprint.declared_on"
    assert "lies after the passport's issue date" in message


def test_the_chinese_declaration_has_no_performance_class() -> None:
    path, message, _ = _issue(_with_china(carbon_footprint=CF | {"performance_class": "A"}))
    assert path == "china.carbon_footprint.performance_class"
    assert "unknown field" in message


@pytest.mark.parametrize("missing", ["method", "boundary", "verifier", "document_url"])
def test_the_chinese_declaration_names_method_boundary_verifier_and_document(missing: str) -> None:
    declaration = copy.deepcopy(CF)
    del declaration[missing]
    path, message, _ = _issue(_with_china(carbon_footprint=declaration))
    assert path == f"china.carbon_footprint.{missing}"
    assert message == "required field is missing"


# --- access and obligations -----------------------------------------------------------------


def test_chinese_data_are_voluntary_group_2_and_cite_chinese_texts() -> None:
    refs = [r for r in iter_data_points() if r.path[0] == "china"]
    assert len(refs) == 5
    for ref in refs:
        assert int(ref.info.group) == 2
        assert ref.info.mandatory_for == frozenset()
        assert "GB/T" in ref.info.legal_basis or "MIIT" in ref.info.legal_basis
        assert "not required by Regulation (EU) 2023/1542" in ref.info.legal_basis


def _dual() -> BatteryPassport:
    return parse_passport(
        _with_china(
            gbt34014_code=_code(),
            gbt34014_components=[{"code": MODULE}],
            carbon_footprint=CF,
        )
    )


def test_the_public_view_shows_no_chinese_data() -> None:
    view = _dual().view(Audience.PUBLIC)
    assert view.china.gbt34014_code is None
    assert view.china.gbt34014_components is None
    assert view.china.carbon_footprint is None
    assert view.carbon_footprint.total_kg_co2e_per_kwh == Decimal("0.052")


@pytest.mark.parametrize("audience", [Audience.LEGITIMATE_INTEREST, Audience.AUTHORITY])
def test_audiences_with_access_to_group_2_see_the_chinese_data(audience: Audience) -> None:
    view = _dual().view(audience)
    assert view.china.gbt34014_code == _code()
    assert view.china.carbon_footprint is not None


def test_chinese_data_never_count_as_gaps() -> None:
    bare = parse_passport(_ev())
    dual = _dual()
    assert completeness(bare).gaps == completeness(dual).gaps
    assert completeness(bare).checked == completeness(dual).checked


# --- second use -----------------------------------------------------------------------------


def test_a_successor_passport_re_codes_the_battery_and_keeps_the_original_code() -> None:
    """A repurposer re-codes the pack (GB/T 34014-2017 clause 4.2) through the changes of
    ``successor_passport``; the old code becomes the original code."""
    from datetime import UTC, datetime

    from batterypass.cose import sign_passport
    from batterypass.keys import PrivateKey
    from batterypass.lifecycle import encode_event, next_event, successor_passport

    dual = json.loads(
        (ROOT / "examples/passports/ev-dual-market.json").read_text(), parse_float=Decimal
    )
    original = parse_passport(dual)
    old = original.china.gbt34014_code
    assert old is not None
    event = next_event(
        [],
        event_type="repurposed",
        payload={"application": "stationary energy storage"},
        actor=original.issuer,
        time=datetime(2032, 9, 1, tzinfo=UTC),
        signed_passport=sign_passport(
            original, PrivateKey.from_file(ROOT / "examples/keys/ev-maker.DEMO-ONLY.key")
        ),
    )
    new_code = _code(maker="R2U", year="M", month="9", day="1")
    successor = successor_passport(
        original,
        encode_event(event),
        status="repurposed",
        passport_id="urn:uuid:3c1d2e4f-5a6b-4c7d-8e9f-0a1b2c3d4e5f",
        issuer=original.issuer,
        issued_at=datetime(2032, 9, 2, tzinfo=UTC),
        changes={
            "general": {"category": "industrial", "stationary_energy_storage": True},
            "performance": {"capacity_threshold_for_exhaustion_percent": None},
            "china": {
                "gbt34014_code": new_code,
                "gbt34014_original_code": old,
                "carbon_footprint": None,
            },
        },
    )
    assert successor.china.gbt34014_code == new_code
    assert successor.china.gbt34014_original_code == old
    assert successor.china.gbt34014_components == original.china.gbt34014_components
