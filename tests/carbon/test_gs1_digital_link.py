"""GS1 Digital Link URIs (batterypass.codec.gs1): round trips, check digits, serial encoding."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from batterypass.codec.gs1 import (
    CSET_82,
    build_digital_link,
    normalise_gtin,
    parse_digital_link,
)
from batterypass.errors import ValidationError
from batterypass.model import check_identifier, gtin_check_digit

EXAMPLES = Path(__file__).resolve().parents[2] / "examples" / "passports"


def with_check_digit(body: str) -> str:
    return body + str(gtin_check_digit(body))


@pytest.mark.parametrize(
    ("name", "gtin", "serial", "base"),
    [
        ("ev-nmc", "09506000134352", "EVP75-000123", "https://id.example-cells.example"),
        ("lfp-storage", "09506000134369", "ESS200-004711", "https://id.example-storage.example"),
        ("lmt-ebike", "09506000134376", "EB36-2026-88412", "https://id.example-ebike.example"),
    ],
)
def test_example_battery_ids(name: str, gtin: str, serial: str, base: str) -> None:
    battery_id = json.loads((EXAMPLES / f"{name}.json").read_text(encoding="utf-8"))["battery_id"]
    assert parse_digital_link(battery_id) == (gtin, serial, base)
    assert build_digital_link(gtin, serial, base_uri=base) == battery_id


@pytest.mark.parametrize(
    ("gtin", "padded"),
    [
        ("95060002", "00000095060002"),  # GTIN-8: 9506000 + check digit 2
        ("614141000036", "00614141000036"),  # GTIN-12
        ("9506000134352", "09506000134352"),  # GTIN-13
        ("09506000134352", "09506000134352"),  # GTIN-14
    ],
)
def test_gtin_lengths_are_padded_to_14(gtin: str, padded: str) -> None:
    assert normalise_gtin(gtin) == padded
    uri = build_digital_link(gtin, "S1", base_uri="https://id.example.com/")
    assert uri == f"https://id.example.com/01/{padded}/21/S1"
    check_identifier(uri)


@pytest.mark.parametrize("gtin", ["95060001", "614141000037", "9506000134353", "09506000134350"])
def test_wrong_check_digit(gtin: str) -> None:
    with pytest.raises(ValidationError, match="wrong check digit") as info:
        build_digital_link(gtin, "S1", base_uri="https://id.example.com")
    assert info.value.path == ("gtin",)
    with pytest.raises(ValidationError, match="wrong check digit"):
        parse_digital_link(f"https://id.example.com/01/{gtin}/21/S1")


@pytest.mark.parametrize(
    "gtin",
    ["", "1234567", "123456789", "950600013435X", "０９５０６０００１３４３５２", 9506000134352],
)
def test_malformed_gtin(gtin: object) -> None:
    with pytest.raises(ValidationError):
        normalise_gtin(gtin)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("serial", "encoded"),
    [
        ("ABC-123.x_y", "ABC-123.x_y"),  # unreserved characters stay
        ("A/B", "A%2FB"),
        ("100%", "100%25"),
        ("a?b", "a%3Fb"),
        ("!\"&'()*+,:;<=>", "%21%22%26%27%28%29%2A%2B%2C%3A%3B%3C%3D%3E"),
    ],
)
def test_serial_percent_encoding(serial: str, encoded: str) -> None:
    uri = build_digital_link("9506000134352", serial, base_uri="https://id.example.com")
    assert uri.endswith(f"/21/{encoded}")
    assert parse_digital_link(uri)[1] == serial


@pytest.mark.parametrize(
    ("serial", "fragment"),
    [
        ("", "1 to 20"),
        ("S" * 21, "1 to 20"),
        ("A B", "' '"),
        ("A#B", "'#'"),
        ("é", "'é'"),
        ("A~B", "'~'"),
    ],
)
def test_bad_serial(serial: str, fragment: str) -> None:
    with pytest.raises(ValidationError, match=fragment) as info:
        build_digital_link("9506000134352", serial, base_uri="https://id.example.com")
    assert info.value.path == ("serial",)


def test_base_uri_with_path_prefix() -> None:
    uri = build_digital_link("9506000134352", "S1", base_uri="https://example.com/dl/")
    assert uri == "https://example.com/dl/01/09506000134352/21/S1"
    assert parse_digital_link(uri) == ("09506000134352", "S1", "https://example.com/dl")


@pytest.mark.parametrize(
    "base",
    ["http://127.0.0.1:8000", "http://localhost:8000/", "http://[::1]:8000", "http://127.1.2.3"],
)
def test_http_base_uri_only_for_a_server_on_this_machine(base: str) -> None:
    # The demo server (batterypass serve --demo) listens on loopback over plain http.
    uri = build_digital_link("9506000134352", "S1", base_uri=base)
    assert uri == f"{base.rstrip('/')}/01/09506000134352/21/S1"


@pytest.mark.parametrize(
    "base",
    [
        "http://id.example.com",
        "http://127.0.0.1.example.com:8000",  # not a loopback address
        "http://10.0.0.1:8000",
        "http://[::2]:8000",
        "https://",
        "id.example.com",
        "https://id.example.com/?x=1",
        "https://id.example.com/#f",
        "https://id.example .com",
    ],
)
def test_bad_base_uri(base: str) -> None:
    with pytest.raises(ValidationError) as info:
        build_digital_link("9506000134352", "S1", base_uri=base)
    assert info.value.path == ("base_uri",)


@pytest.mark.parametrize(
    ("uri", "fragment"),
    [
        ("http://id.example.com/01/09506000134352/21/S1", "https"),
        ("https://id.example.com/01/09506000134352/21/S1?linkType=all", "query"),
        ("https://id.example.com/01/09506000134352/21/S1#x", "fragment"),
        ("https://id.example.com/01/09506000134352", "/01/<GTIN>/21/<serial>"),
        ("https://id.example.com/01/09506000134352/10/LOT1/21/S1", "/01/<GTIN>/21/<serial>"),
        ("https://id.example.com/01/09506000134352/21/S1/extra", "/01/<GTIN>/21/<serial>"),
        ("https://id.example.com//01/09506000134352/21/S1", "empty path segment"),
        ("https://id.example.com/01/09506000134352/21/", "1 to 20"),
        ("https://id.example.com/01/09506000134352/21/A%2", "malformed percent"),
        ("https://id.example.com/01/09506000134352/21/A%FF", "UTF-8"),
        ("https://id.example.com/01/09506000134352/21/A%20B", "' '"),
        ("https://id.example.com/01/0950600013435/21/S1", "check digit"),
        ("https://id.example.com/01/950600013435299/21/S1", "8, 12, 13 or 14"),
        ("https://id.example.com/01/09506000134352/21/Ä", "non-ASCII"),
    ],
)
def test_parse_rejects(uri: str, fragment: str) -> None:
    with pytest.raises(ValidationError, match=fragment.replace("?", r"\?")):
        parse_digital_link(uri)


gtin_bodies = st.sampled_from([7, 11, 12, 13]).flatmap(
    lambda n: st.text(alphabet="0123456789", min_size=n, max_size=n)
)
serials = st.text(alphabet=sorted(CSET_82), min_size=1, max_size=20)
bases = st.sampled_from(
    ["https://id.example.com", "https://id.example.com/", "https://example.org/dl/v1"]
)


@given(body=gtin_bodies, serial=serials, base=bases)
def test_property_round_trip(body: str, serial: str, base: str) -> None:
    gtin = with_check_digit(body)
    uri = build_digital_link(gtin, serial, base_uri=base)
    check_identifier(uri)  # the passport model accepts it as an identifier
    assert parse_digital_link(uri) == (gtin.zfill(14), serial, base.rstrip("/"))


@given(body=gtin_bodies, position=st.integers(min_value=0), delta=st.integers(1, 9))
def test_property_single_digit_errors_are_caught(body: str, position: int, delta: int) -> None:
    gtin = with_check_digit(body)
    i = position % len(gtin)
    wrong = gtin[:i] + str((int(gtin[i]) + delta) % 10) + gtin[i + 1 :]
    with pytest.raises(ValidationError, match="check digit"):
        normalise_gtin(wrong)
