"""The passport wire format: key table, golden files, CDDL, round trips, rejections.

The format is specified in specs/cbor-format.md; the keys in specs/cbor-keys.csv.
"""

from __future__ import annotations

import contextlib
import enum
import importlib.util
import os
import types
import typing
from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal
from pathlib import Path
from typing import Any

import pycddl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from batterypass import testing
from batterypass.codec import _cbor_passport as cp
from batterypass.codec import _cbor_scan
from batterypass.codec import _keytable as kt
from batterypass.codec import json as bp_json
from batterypass.codec.cbor import (
    DecodeLimits,
    Tag,
    dumps,
    encode_value,
    loads,
    looks_like_cbor,
)
from batterypass.errors import DecodeError, EncodeError, ValidationError
from batterypass.model import (
    BatteryPassport,
    BatteryStatus,
    ChemistryFamily,
    Record,
    Section,
    iter_data_points,
    parse_passport,
)

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "examples" / "passports"
EXAMPLE_NAMES = ("ev-nmc", "lfp-storage", "lmt-ebike")
SPEC_TABLE = ROOT / "specs" / "cbor-keys.csv"
DATA_TABLE = ROOT / "src" / "batterypass" / "data" / "cbor-keys.csv"
CDDL = ROOT / "specs" / "passport.cddl"


def json_passport(name: str) -> BatteryPassport:
    return bp_json.loads((EXAMPLES / f"{name}.json").read_text(encoding="utf-8"))


def golden(name: str) -> bytes:
    return (EXAMPLES / f"{name}.cbor").read_bytes()


def envelope(body: dict[int, Any], prefixes: list[str] | None = None) -> bytes:
    """A document around ``body``; the URL prefix table defaults to the EV example's, which
    every body derived from it needs."""
    table = _ev_prefixes() if prefixes is None else prefixes
    return encode_value(Tag(55799, {0: 1, 1: body, 4: table} if table else {0: 1, 1: body}))


def _ev_prefixes() -> list[str]:
    wire = cp.to_wire(json_passport("ev-nmc"))
    return list(wire.value[4])


def body_of(passport: BatteryPassport) -> dict[int, Any]:
    wire = cp.to_wire(passport)
    assert isinstance(wire, Tag)
    return dict(wire.value[1])


def decode_error(data: bytes) -> DecodeError:
    with pytest.raises(DecodeError) as info:
        loads(data)
    return info.value


@pytest.fixture(scope="module")
def ev() -> BatteryPassport:
    return json_passport("ev-nmc")


@pytest.fixture(scope="module")
def ev_body(ev: BatteryPassport) -> dict[int, Any]:
    return body_of(ev)


# --- the key table ------------------------------------------------------------------------


def test_shipped_key_table_is_the_spec_byte_for_byte() -> None:
    assert DATA_TABLE.read_bytes() == SPEC_TABLE.read_bytes()
    assert cp.load_key_table() == SPEC_TABLE.read_text(encoding="utf-8")


def test_key_table_binds_to_the_model() -> None:
    binding = cp.bind(cp.parse_key_table(SPEC_TABLE.read_text(encoding="utf-8")))
    assert binding.root.model is BatteryPassport


def _model_classes() -> dict[str, type[Any]]:
    """Every model class reachable from BatteryPassport, by namespace (found independently of
    the codec: walks annotations)."""
    found: dict[str, type[Any]] = {}

    def classes_in(annotation: Any) -> list[type[Any]]:
        if isinstance(annotation, type):
            return [annotation]
        return [c for a in typing.get_args(annotation) for c in classes_in(a)]

    def visit(namespace: str, model: type[Any]) -> None:
        found[namespace] = model
        for name, info in model.model_fields.items():
            for cls in classes_in(info.annotation):
                if issubclass(cls, Section):
                    visit(f"{namespace}.{name}" if namespace else name, cls)
                elif issubclass(cls, Record) and cls.__name__ not in found:
                    visit(cls.__name__, cls)

    visit("", BatteryPassport)
    return found


def _enums() -> set[type[enum.Enum]]:
    out: set[type[enum.Enum]] = set()

    def scan(annotation: Any) -> None:
        if isinstance(annotation, type) and issubclass(annotation, enum.Enum):
            out.add(annotation)
        for a in typing.get_args(annotation):
            scan(a)

    for model in _model_classes().values():
        for info in model.model_fields.values():
            scan(info.annotation)
    return out


def test_every_field_of_every_model_class_has_a_live_key() -> None:
    table = cp.key_table()
    classes = _model_classes()
    assert {"", "general", "state.state_of_health", "PostalAddress", "RecoverableMass"} <= set(
        classes
    )
    for namespace, model in classes.items():
        live = table.live(namespace)
        assert set(live) == set(model.model_fields), namespace
    map_namespaces = {ns for ns in table.namespaces if not ns.startswith("enum:")}
    assert map_namespaces == set(classes)


def test_every_data_point_row_carries_its_group_and_unit() -> None:
    rows = {row.path: row for row in cp.key_table().rows}
    refs = list(iter_data_points())
    assert len(refs) > 90
    for ref in refs:
        row = rows[".".join(ref.path)]
        assert row.access_group == int(ref.info.group), row.path
        assert row.unit == (ref.info.unit or ""), row.path
        assert row.optional or ref.path[-1] in ("passport_id", "battery_id", "issuer", "issued_at")


def test_non_data_points_have_no_access_group() -> None:
    data_points = {".".join(ref.path) for ref in iter_data_points()}
    for row in cp.key_table().rows:
        if row.path not in data_points:
            assert row.access_group is None, row.path


def test_keys_are_unique_in_each_namespace_including_retired_ones() -> None:
    table = cp.key_table()
    seen: dict[tuple[str, int], str] = {}
    for row in table.rows:
        assert (row.namespace, row.key) not in seen, (row.path, seen.get((row.namespace, row.key)))
        seen[(row.namespace, row.key)] = row.path
        assert row.since_version <= cp.FORMAT_VERSION
        assert row.retired is None or row.retired > row.since_version


def test_every_enum_value_has_a_code_and_codes_are_dense() -> None:
    table = cp.key_table()
    enums = _enums()
    assert {e.__name__ for e in enums} == {
        ns[5:] for ns in table.namespaces if ns.startswith("enum:")
    }
    for enum_type in enums:
        live = table.live(f"enum:{enum_type.__name__}")
        assert set(live) == {str(m.value) for m in enum_type}
        assert sorted(r.key for r in live.values()) == list(range(len(live)))


def test_keys_past_23_only_in_full_namespaces() -> None:
    # Keys 0..23 are one byte on the wire; the first assignment fitted every namespace, and a
    # new field takes the smallest key never used, so a key above 23 (two bytes) appears only
    # in a namespace whose one-byte keys are all taken (performance, since issue 15).
    by_namespace: dict[str, set[int]] = {}
    for row in cp.key_table().rows:
        namespace = row.path.rpartition(".")[0]
        by_namespace.setdefault(namespace, set()).add(row.key)
    for namespace, keys in by_namespace.items():
        assert keys == set(range(len(keys))), namespace
        if max(keys) > 23:
            assert set(range(24)) <= keys, namespace
    assert max(by_namespace["performance"]) > 23
    assert max(by_namespace["labels"]) <= 23


def test_table_types_follow_the_model_annotations() -> None:
    rows = {row.path: row for row in cp.key_table().rows}
    assert rows["general.mass_kg"].type == "?decimal"
    assert rows["general.warranty_period_months"].type == "?uint"
    assert rows["issued_at"].type == "datetime"
    assert rows["schema_version"].type == "const:1.0"
    assert rows["HazardousSubstance.hazard_classes"].type == "array:tstr"
    assert rows["RecyclingPotentialRecord.rates_basis"].type == "const:declared/date"
    assert rows["materials.critical_raw_materials"].type == "?array:record:CriticalRawMaterial"
    assert rows["enum:BatteryStatus:re-used"].key == 2


HEADER = "path,key,type,unit,access_group,since_version,retired\n"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "empty"),
        ("path,key\n", "header"),
        (HEADER + "a,0,tstr,,,1,\na,1,tstr,,,1,\n", "listed twice"),
        (HEADER + "a,0,tstr,,,1,\nb,0,tstr,,,1,\n", "already taken"),
        (HEADER + "a,0,tstr,,,1,2\nb,0,tstr,,,2,\n", "retired: keys are never reused"),
        (HEADER + "a,01,tstr,,,1,\n", "non-negative integer"),
        (HEADER + "a,-1,tstr,,,1,\n", "non-negative integer"),
        (HEADER + "a,0,tstr,,,1,1\n", "later version"),
        (HEADER + "a,0,tstr,,,0,\n", "starts at 1"),
        (HEADER + "a,0,float,,,1,\n", "unknown type"),
        (HEADER + "a,0,tstr,,5,1,\n", "access_group"),
        (HEADER + "a,0,tstr,,,1\n", "7 cells"),
        (HEADER + "enum:X,0,uint,,,1,\n", "enum:Name:value"),
        (HEADER + "enum:X:Bad Value,0,uint,,,1,\n", "characters"),
        (HEADER + "Rec.a.b,0,tstr,,,1,\n", "RecordType.field"),
    ],
)
def test_malformed_key_tables_are_refused(text: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        cp.parse_key_table(text)


def _table_text() -> str:
    return SPEC_TABLE.read_text(encoding="utf-8")


def test_binding_names_a_field_without_a_key() -> None:
    text = _table_text().replace("general.mass_kg,5,?decimal,kg,1,1,\n", "")
    with pytest.raises(cp.KeyTableMismatch, match=r"general\.mass_kg: model field without"):
        cp.bind(cp.parse_key_table(text))


def test_binding_names_a_row_the_model_lacks() -> None:
    text = _table_text() + "general.colour,10,?tstr,,1,1,\n"
    with pytest.raises(cp.KeyTableMismatch, match=r"general\.colour: key table row for a field"):
        cp.bind(cp.parse_key_table(text))


def test_binding_names_a_type_mismatch() -> None:
    text = _table_text().replace("general.mass_kg,5,?decimal", "general.mass_kg,5,?tstr")
    with pytest.raises(cp.KeyTableMismatch, match=r"model says '\?decimal'"):
        cp.bind(cp.parse_key_table(text))


def test_binding_names_a_missing_enum_code() -> None:
    text = _table_text().replace("enum:BatteryStatus:waste,4,uint,,,1,\n", "")
    with pytest.raises(cp.KeyTableMismatch, match="enum:BatteryStatus:waste"):
        cp.bind(cp.parse_key_table(text))


def test_retiring_a_live_field_is_a_mismatch_until_the_model_drops_it() -> None:
    text = _table_text().replace(
        "general.mass_kg,5,?decimal,kg,1,1,", "general.mass_kg,5,?decimal,kg,1,1,2"
    )
    cp.bind(cp.parse_key_table(text), version=1)  # still live in version 1
    with pytest.raises(cp.KeyTableMismatch, match=r"general\.mass_kg: model field without"):
        cp.bind(cp.parse_key_table(text), version=2)


def test_a_retired_key_is_rejected_by_name(
    monkeypatch: pytest.MonkeyPatch, ev_body: dict[int, Any]
) -> None:
    # A key retired in version 2 (when the model dropped a field): decoding names it.
    text = _table_text() + "general.colour,10,?tstr,,1,1,2\n"
    binding = cp.bind(cp.parse_key_table(text), version=2)
    monkeypatch.setattr(cp, "_binding", lambda: binding)
    body = dict(ev_body)
    body[6] = {**body[6], 10: "red"}
    error = decode_error(envelope(body))
    assert "retired in format version 2 (it was colour)" in str(error)
    assert "key path 1/6/10" in str(error)


# --- golden files and CDDL ------------------------------------------------------------------


@pytest.mark.parametrize("name", EXAMPLE_NAMES)
def test_encoding_the_json_example_gives_the_golden_bytes(name: str) -> None:
    assert dumps(json_passport(name)) == golden(name)


@pytest.mark.parametrize("name", EXAMPLE_NAMES)
def test_decoding_the_golden_gives_the_json_passport(name: str) -> None:
    passport = loads(golden(name))
    assert passport == json_passport(name)
    assert dumps(passport) == golden(name)


@pytest.mark.parametrize("name", EXAMPLE_NAMES)
def test_golden_files_start_with_the_magic_and_envelope(name: str) -> None:
    # Every example shares URL prefixes, so its envelope has three entries.
    assert golden(name).startswith(b"\xd9\xd9\xf7\xa3\x00\x01\x01")


def _gen_cddl() -> types.ModuleType:
    spec = importlib.util.spec_from_file_location("gen_cddl", ROOT / "specs" / "gen_cddl.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_cddl_is_generated_from_the_current_key_table() -> None:
    gen = _gen_cddl()
    fresh = gen.render(cp.parse_key_table(_table_text()))
    assert CDDL.read_text(encoding="utf-8") == fresh, "run: python specs/gen_cddl.py"


@pytest.fixture(scope="module")
def schema() -> Any:
    return pycddl.Schema(CDDL.read_text(encoding="utf-8"))


@pytest.mark.parametrize("name", EXAMPLE_NAMES)
def test_golden_files_are_valid_cddl(schema: Any, name: str) -> None:
    schema.validate_cbor(golden(name))


def test_cddl_is_closed(schema: Any, ev_body: dict[int, Any]) -> None:
    bad_documents = [
        {**ev_body, 99: "unknown key"},
        {**ev_body, 6: {**ev_body[6], 5: "452.5"}},  # mass as text
        {**ev_body, 5: 9},  # no such status
        {k: v for k, v in ev_body.items() if k != 1},  # passport_id missing
    ]
    for body in bad_documents:
        with pytest.raises(pycddl.ValidationError):
            schema.validate_cbor(envelope(body))
    float_mass = envelope(ev_body).replace(encode_value(ev_body[6][5]), b"\xf9\x3c\x00")
    with pytest.raises(pycddl.ValidationError):
        schema.validate_cbor(float_mass)


# --- exact forms ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "wire"),
    [
        ("452.5", Tag(4, [-1, 4525])),
        ("0.0009", Tag(4, [-4, 9])),
        ("1E-40", Tag(4, [-40, 1])),
        ("-0.5", Tag(4, [-1, -5])),
        # Integral values in the CBOR integer range are plain integers, whatever the notation.
        ("45.0", 45),
        ("100", 100),
        ("1E+3", 1000),
        ("0", 0),
        ("0.000", 0),
        ("-0", 0),
        ("-0E+5", 0),
        ("-40", -40),
        ("9" * 19, int("9" * 19)),
        ("1E+19", 10**19),
        ("18446744073709551615", 2**64 - 1),
        ("-18446744073709551616", -(2**64)),
        # Beyond it, a decimal fraction with a bignum mantissa or a positive exponent.
        ("18446744073709551616", Tag(4, [0, Tag(2, (2**64).to_bytes(9, "big"))])),
        ("-18446744073709551617", Tag(4, [0, Tag(3, (2**64).to_bytes(9, "big"))])),
        ("1E+20", Tag(4, [20, 1])),
        ("-2.5E+40", Tag(4, [39, -25])),
        ("9" * 34, Tag(4, [0, Tag(2, (10**34 - 1).to_bytes(15, "big"))])),
        (
            "1.23456789012345678901234567890123E+40",
            Tag(4, [8, Tag(2, (123456789012345678901234567890123).to_bytes(14, "big"))]),
        ),
    ],
)
def test_decimals_are_integers_or_normalised_fractions(value: str, wire: Any) -> None:
    codec = kt.DecimalCodec()
    encoded = codec.encode(Decimal(value))
    assert encoded == wire
    assert type(encoded) is type(wire)
    decoded = codec.decode(encoded, None)
    assert decoded == Decimal(value)
    assert codec.encode(decoded) == encoded


@pytest.mark.parametrize(
    ("value", "wire"),
    [
        (datetime(2026, 10, 15, 8, tzinfo=UTC), Tag(1, 1_792_051_200)),
        (
            datetime(2026, 10, 15, 10, tzinfo=timezone(timedelta(hours=2))),
            [Tag(1, 1_792_051_200), 7200],
        ),
        (datetime(2026, 10, 15, 8, 0, 0, 5, tzinfo=UTC), [Tag(1, 1_792_051_200), 0, 5]),
        (datetime(1969, 12, 31, 23, 59, 59, 500_000, tzinfo=UTC), [Tag(1, -1), 0, 500_000]),
        (
            datetime(1, 1, 1, 0, 30, tzinfo=timezone(timedelta(hours=1))),
            [Tag(1, -62_135_598_600), 3600],
        ),
        (
            datetime(9999, 12, 31, 23, 59, 59, 999_999, tzinfo=timezone(timedelta(seconds=-1))),
            [Tag(1, 253_402_300_800), -1, 999_999],
        ),
    ],
)
def test_datetimes_keep_instant_offset_and_microseconds(value: datetime, wire: Any) -> None:
    codec = kt.DateTimeCodec()
    assert codec.encode(value) == wire
    decoded = codec.decode(wire, None)
    assert decoded == value
    assert decoded.utcoffset() == value.utcoffset()
    assert decoded.isoformat() == value.isoformat()


@pytest.mark.parametrize(
    ("value", "days"),
    [
        (date(1970, 1, 1), 0),
        (date(2026, 9, 30), 20_726),
        (date(1, 1, 1), -719_162),
        (date(9999, 12, 31), 2_932_896),
    ],
)
def test_dates_are_days_since_1970(value: date, days: int) -> None:
    codec = kt.DateCodec()
    assert codec.encode(value) == Tag(100, days)
    assert codec.decode(Tag(100, days), None) == value


def test_local_date_survives_so_date_rules_still_hold(ev: BatteryPassport) -> None:
    # Issued 00:30 local time on the day of manufacture: in UTC that is the day before, and
    # "manufactured after issue" would fire if the offset were lost.
    plain = bp_json.to_plain(ev)
    plain["issued_at"] = datetime(2026, 10, 15, 0, 30, tzinfo=timezone(timedelta(hours=2)))
    plain["general"]["manufacturing_date"] = date(2026, 10, 15)
    plain["general"]["put_into_service_date"] = date(2026, 10, 15)
    passport = parse_passport(plain)
    back = loads(dumps(passport))
    assert back == passport
    assert back.issued_at.isoformat() == "2026-10-15T00:30:00+02:00"


def test_enum_values_are_codes_and_sections_nest(ev: BatteryPassport) -> None:
    body = body_of(ev)
    assert body[0] == "1.0"
    assert body[5] == 0  # status: original
    assert body[9][0] == {0: 0, 1: "NMC 811 / graphite"}  # chemistry: nmc
    assert body[4] == Tag(1, int(ev.issued_at.timestamp()))


def test_not_provided_data_points_and_empty_sections_are_left_out() -> None:
    passport = parse_passport(
        {
            "passport_id": "urn:uuid:6f1c2a7e-3b4d-4e8f-9a10-2b3c4d5e6f70",
            "battery_id": "https://id.example.com/01/09506000134352/21/B1",
            "issuer": "urn:example:issuer",
            "issued_at": "2026-10-15T08:00:00Z",
            "labels": {"cadmium_lead_symbols": []},
        }
    )
    body = body_of(passport)
    assert set(body) == {0, 1, 2, 3, 4, 13}
    assert body[13] == {1: []}  # an empty list says "none", unlike a missing one
    assert loads(dumps(passport)) == passport


# --- round trips ----------------------------------------------------------------------------

_BASES = {name: bp_json.to_plain(json_passport(name)) for name in EXAMPLE_NAMES}

_offsets = st.one_of(
    st.just(UTC),
    st.integers(-86_399, 86_399).map(lambda s: timezone(timedelta(seconds=s))),
    st.sampled_from([timezone(timedelta(hours=h)) for h in (-12, -5, 1, 2, 5.75, 14)]),
)


@st.composite
def _decimals(
    draw: st.DrawFn, *, minimum: Decimal | None = None, maximum: Decimal | None = None
) -> Decimal:
    digits = draw(st.integers(1, 34))
    mantissa = draw(st.integers(0 if digits == 1 else 10 ** (digits - 1), 10**digits - 1))
    exponent = draw(st.integers(-40 - (digits - 1), 40 - (digits - 1)))
    sign = draw(st.integers(0, 1)) if minimum is None or minimum < 0 else 0
    value = Decimal((sign, tuple(int(c) for c in str(mantissa)), exponent))
    if minimum is not None and value < minimum:
        value = minimum
    if maximum is not None and value > maximum:
        value = maximum
    return value


def _aware(draw: st.DrawFn, lo: datetime, hi: datetime) -> datetime:
    naive = draw(st.datetimes(min_value=lo, max_value=hi))
    return naive.replace(tzinfo=draw(_offsets))


_texts = st.text(min_size=1, max_size=40)


@st.composite
def local_passports(draw: st.DrawFn) -> BatteryPassport:
    """Valid passports: an example with random data points dropped and random values put in
    (offsets, microseconds, 34-digit decimals, empty and non-empty lists, any text)."""
    plain = {
        k: (dict(v) if isinstance(v, dict) else v)
        for k, v in _BASES[draw(st.sampled_from(EXAMPLE_NAMES))].items()
    }
    for section in (
        "general",
        "carbon_footprint",
        "due_diligence",
        "materials",
        "circularity",
        "performance",
        "labels",
    ):
        if section in plain:
            if draw(st.integers(0, 9)) == 0:
                del plain[section]
                continue
            for name in list(plain[section]):
                if draw(st.integers(0, 4)) == 0:
                    del plain[section][name]
    plain["issued_at"] = _aware(draw, datetime(2027, 1, 2), datetime(9999, 12, 30))
    plain["status"] = draw(st.none() | st.sampled_from(BatteryStatus))
    general = plain.setdefault("general", {})
    general["battery_model"] = draw(_texts)
    general["mass_kg"] = draw(_decimals(minimum=Decimal("1E-40")))
    general["warranty_period_months"] = draw(st.none() | st.integers(0, 1200))
    materials = plain.setdefault("materials", {})
    for listed in ("element_masses", "materials"):
        # A battery never weighs less than what it lists (Annex VI Part A(5)): at an edge
        # value of the battery's mass, the lists are left out.
        entries = materials.get(listed) or ()
        if sum((Decimal(str(e.get("mass_kg") or 0)) for e in entries), Decimal(0)) > Decimal(
            general["mass_kg"]
        ):
            del materials[listed]
    materials["chemistry"] = {
        "family": draw(st.sampled_from(ChemistryFamily)),
        "designation": draw(_texts),
    }
    labels = plain.setdefault("labels", {})
    labels["extinguishing_agents"] = draw(st.lists(_texts, max_size=3))
    state = dict(plain.get("state", {}))
    usage = dict(state.get("usage", {}))
    usage["recorded_at"] = _aware(draw, datetime(1, 1, 2), datetime(2026, 12, 30))
    usage["temperature_c"] = draw(_decimals())
    usage["negative_events"] = [
        {"occurred_on": d, "kind": k}
        for d, k in draw(
            st.lists(st.tuples(st.dates(max_value=date(2026, 12, 30)), _texts), max_size=2)
        )
    ]
    state["usage"] = usage
    plain["state"] = state
    return parse_passport(plain)


def _same_instants_and_offsets(a: BatteryPassport, b: BatteryPassport) -> None:
    assert a.issued_at.utcoffset() == b.issued_at.utcoffset()
    assert a.state.usage.recorded_at == b.state.usage.recorded_at
    ra, rb = a.state.usage.recorded_at, b.state.usage.recorded_at
    if ra is not None and rb is not None:
        assert ra.utcoffset() == rb.utcoffset()


def _round_trip(passport: BatteryPassport) -> None:
    data = dumps(passport)
    back = loads(data)
    assert back == passport
    _same_instants_and_offsets(back, passport)
    assert dumps(back) == data


@given(testing.passports())
@settings(max_examples=100)
def test_round_trip_passport_bytes_passport(passport: BatteryPassport) -> None:
    _round_trip(passport)


@given(testing.passports(full=True))
@settings(max_examples=50)
def test_round_trip_of_passports_with_every_data_point(passport: BatteryPassport) -> None:
    _round_trip(passport)


@given(local_passports())
@settings(max_examples=150)
def test_round_trip_of_edge_values(passport: BatteryPassport) -> None:
    # Offsets in seconds, microseconds, 34-digit decimals, dates before 1970, empty lists.
    _round_trip(passport)


@given(st.one_of(testing.passports(full=True), local_passports()))
@settings(max_examples=40)
def test_every_generated_passport_is_valid_cddl(schema: Any, passport: BatteryPassport) -> None:
    schema.validate_cbor(dumps(passport))


@given(_decimals())
def test_any_model_decimal_round_trips_exactly_by_value(value: Decimal) -> None:
    codec = kt.DecimalCodec()
    encoded = codec.encode(value)
    back = codec.decode(encoded, None)
    assert back == value
    assert codec.encode(back) == encoded


# --- rejections: each names the key path and the field path ---------------------------------


def _mass(body: dict[int, Any], wire: Any) -> dict[int, Any]:
    return {**body, 6: {**body[6], 5: wire}}


@pytest.mark.parametrize(
    ("change", "message", "key_path", "field_path"),
    [
        (lambda b: {**b, 99: "x"}, "unknown key 99 in the passport map", "1/99", "$"),
        (lambda b: {**b, "status": 0}, "unknown key 'status'", "1", "$"),
        (lambda b: {**b, 6: {**b[6], 12: 1}}, "unknown key 12 in general", "1/6/12", "general"),
        (lambda b: _mass(b, "452.5"), "expected a decimal: an integer", "1/6/5", "general.mass_kg"),
        (lambda b: _mass(b, True), "expected a decimal: an integer", "1/6/5", "general.mass_kg"),
        (lambda b: _mass(b, Tag(4, [-2, 45250])), "not normalised", "1/6/5", "general.mass_kg"),
        (lambda b: _mass(b, Tag(4, [1, 0])), "the integer 0", "1/6/5", "general.mass_kg"),
        (lambda b: _mass(b, Tag(4, [0, 0])), "the integer 0", "1/6/5", "general.mass_kg"),
        (
            lambda b: _mass(b, Tag(4, [0, 452])),
            "plain integer 452, not",
            "1/6/5",
            "general.mass_kg",
        ),
        (
            lambda b: _mass(b, Tag(4, [3, 1])),
            "plain integer 1000, not",
            "1/6/5",
            "general.mass_kg",
        ),
        (
            lambda b: _mass(b, Tag(4, [19, -1])),
            "plain integer -10000000000000000000",
            "1/6/5",
            "general.mass_kg",
        ),
        (
            lambda b: _mass(b, Tag(4, [0, Tag(3, (2**64 - 1).to_bytes(8, "big"))])),
            "fits a CBOR integer",
            "1/6/5",
            "general.mass_kg",
        ),
        (lambda b: _mass(b, Tag(4, [-1])), "holds an array", "1/6/5", "general.mass_kg"),
        (lambda b: _mass(b, Tag(4, [-1, "5"])), "integer or a bignum", "1/6/5", "general.mass_kg"),
        (lambda b: _mass(b, Tag(4, [-74, 1])), "outside -73..40", "1/6/5", "general.mass_kg"),
        (
            lambda b: _mass(b, Tag(4, [0, Tag(2, b"\x01")])),
            "fits a CBOR integer",
            "1/6/5",
            "general.mass_kg",
        ),
        (
            lambda b: _mass(b, Tag(4, [0, Tag(2, b"\x00" + b"\x01" * 9)])),
            "leading zero",
            "1/6/5",
            "general.mass_kg",
        ),
        (
            lambda b: _mass(b, Tag(4, [0, Tag(2, b"\x01" * 16)])),
            "more than 34 digits",
            "1/6/5",
            "general.mass_kg",
        ),
        (
            lambda b: _mass(b, Tag(4, [0, Tag(2, b"\x7f" * 15)])),
            "more than 34 digits",
            "1/6/5",
            "general.mass_kg",
        ),
        (lambda b: _mass(b, None), "null is not allowed", "1/6/5", "general.mass_kg"),
        (lambda b: {**b, 5: 9}, "9 is not a BatteryStatus code", "1/5", "status"),
        (lambda b: {**b, 5: "original"}, "BatteryStatus code", "1/5", "status"),
        (lambda b: {**b, 5: True}, "BatteryStatus code", "1/5", "status"),
        (
            lambda b: {**b, 6: {**b[6], 6: -1}},
            "expected an unsigned integer, got -1",
            "1/6/6",
            "general.warranty_period_months",
        ),
        (
            lambda b: {**b, 6: {**b[6], 6: False}},
            "got a boolean",
            "1/6/6",
            "general.warranty_period_months",
        ),
        (
            lambda b: {**b, 6: {**b[6], 9: 0}},
            "true or false",
            "1/6/9",
            "general.stationary_energy_storage",
        ),
        (
            lambda b: {**b, 6: {**b[6], 4: "2026-09-30"}},
            "tag 100",
            "1/6/4",
            "general.manufacturing_date",
        ),
        (
            lambda b: {**b, 6: {**b[6], 4: Tag(100, 3_000_000)}},
            "outside years 1..9999",
            "1/6/4",
            "general.manufacturing_date",
        ),
        (lambda b: {**b, 4: "2026-10-15T08:00:00Z"}, "a datetime", "1/4", "issued_at"),
        (lambda b: {**b, 4: [b[4], 0]}, "tag 1 alone", "1/4", "issued_at"),
        (lambda b: {**b, 4: [b[4], 3600, 0]}, "must be left out", "1/4", "issued_at"),
        (lambda b: {**b, 4: [b[4], 86_400]}, "within ±24 h", "1/4", "issued_at"),
        (lambda b: {**b, 4: Tag(1, 10**15)}, "outside years 1..9999", "1/4", "issued_at"),
        (lambda b: {**b, 12: {}}, "empty section map", "1/12", "state"),
        (lambda b: {**b, 12: {0: {}}}, "empty section map", "1/12/0", "state.state_of_health"),
        (
            lambda b: {k: v for k, v in b.items() if k != 0},
            "required key 0 (schema_version)",
            "1/0",
            "schema_version",
        ),
        (lambda b: {**b, 0: "2.0"}, "the text '1.0'", "1/0", "schema_version"),
        (
            lambda b: {**b, 9: {**b[9], 1: {0: "Cobalt"}}},
            "expected an array",
            "1/9/1",
            "materials.critical_raw_materials",
        ),
        (
            lambda b: {**b, 9: {**b[9], 1: [{0: "Cobalt", 7: 1}]}},
            "unknown key 7 in CriticalRawMaterial",
            "1/9/1/0/7",
            "materials.critical_raw_materials[0]",
        ),
        (
            lambda b: {**b, 9: {**b[9], 2: [{**b[9][2][0], 4: "Acute Tox. 3"}]}},
            "expected an array",
            "1/9/2/0/4",
            "materials.hazardous_substances[0].hazard_classes",
        ),
        (
            lambda b: {**b, 9: {**b[9], 2: [{k: v for k, v in b[9][2][0].items() if k != 4}]}},
            "required key 4 (hazard_classes) missing",
            "1/9/2/0/4",
            "materials.hazardous_substances[0].hazard_classes",
        ),
        (
            lambda b: {**b, 6: {**b[6], 0: {**b[6][0], 2: {2: 7}}}},
            "expected a text string, got an integer",
            "1/6/0/2/2",
            "general.manufacturer.address.city",
        ),
    ],
)
def test_wire_errors_name_key_path_and_field_path(
    ev_body: dict[int, Any], change: Any, message: str, key_path: str, field_path: str
) -> None:
    error = decode_error(envelope(change(ev_body)))
    text = str(error)
    assert message in text
    assert f"(key path {key_path})" in text
    assert text.startswith(f"{field_path}: ")


def test_float_in_a_quantity_is_named_by_key_path(ev_body: dict[int, Any]) -> None:
    data = envelope(ev_body)
    mass = encode_value(ev_body[6][5])
    assert data.count(mass) == 1
    error = decode_error(data.replace(mass, b"\xfb" + b"\x40" * 8))
    assert "floating-point" in str(error)
    assert "key path 1/6/5" in str(error)
    assert error.path == ("general", "mass_kg")
    assert error.offset == data.index(mass)


def test_duplicate_key_is_named_by_key_path(ev_body: dict[int, Any]) -> None:
    data = envelope(ev_body)
    prefix = b"\xd9\xd9\xf7\xa3\x00\x01\x01"
    body = data[len(prefix) :]
    assert body[0] == 0xA0 + len(ev_body)
    entry = b"\x00" + encode_value("1.0")  # schema_version, the first entry
    assert body[1:].startswith(entry)
    doubled = prefix + bytes([body[0] + 1]) + entry + body[1:]
    error = decode_error(doubled)
    assert "duplicate map key" in str(error)
    assert "key path 1/0" in str(error)
    assert error.path == ("schema_version",)


def test_non_canonical_key_order_is_rejected(ev_body: dict[int, Any]) -> None:
    data = envelope({1: ev_body[1], 0: ev_body[0]})  # encode_value sorts keys
    swapped = data.replace(b"\x00\x631.0\x01", b"")
    assert len(swapped) < len(data)
    # Build the misordered map by hand: {1: id, 0: "1.0"}
    pid = encode_value(ev_body[1])
    bad = b"\xd9\xd9\xf7\xa2\x00\x01\x01\xa2\x01" + pid + b"\x00\x631.0"
    error = decode_error(bad)
    assert "deterministic order" in str(error)
    assert "key path 1/0" in str(error)


def test_model_rules_raise_the_models_validation_error(ev_body: dict[int, Any]) -> None:
    with pytest.raises(ValidationError) as info:
        loads(envelope(_mass(ev_body, -5)))
    assert info.value.path == ("general", "mass_kg")
    assert "greater than 0" in str(info.value)
    with pytest.raises(ValidationError) as info:
        loads(envelope({k: v for k, v in ev_body.items() if k != 1}))
    assert info.value.path == ("passport_id",)
    assert "required field is missing" in str(info.value)


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ({0: 1, 1: {}}, "expected tag 55799"),
        (Tag(55799, [1, {}]), "expected the envelope map"),
        (Tag(55799, {0: 2, 1: {}}), "unsupported passport format version 2"),
        (Tag(55799, {0: True, 1: {}}), "unsupported passport format version True"),
        (Tag(55799, {1: {}}), "no format version"),
        (Tag(55799, {0: 1}), "no passport"),
        (Tag(55799, {0: 1, 1: {}, 2: 0}), "unknown key 2 in the envelope"),
        (Tag(55799, {0: 1, 1: {}, 3: 0}), "unknown key 3 in the envelope"),
        (Tag(55799, {0: 1, 1: {}, 4: []}), "empty URL prefix table"),
        (Tag(55799, {0: 1, 1: {}, 4: "https://"}), "expected the URL prefix table"),
        (Tag(55799, {0: 1, 1: {}, 4: [1]}), r"^url_prefixes\[0\]: expected a URL prefix"),
        (Tag(55799, {0: 1, 1: {}, 4: ["https://a"]}), "does not end with '/'"),
        (Tag(55799, {0: 1, 1: []}), r"expected a map \(BatteryPassport\)"),
    ],
)
def test_envelope_errors(value: Any, message: str) -> None:
    with pytest.raises(DecodeError, match=message):
        cp.from_wire(value)


def test_source_is_named_in_wire_and_model_errors(ev_body: dict[int, Any]) -> None:
    with pytest.raises(DecodeError) as info:
        loads(envelope({**ev_body, 5: 9}), source="bad.cbor")
    assert str(info.value).startswith("bad.cbor: status: ")
    with pytest.raises(ValidationError) as v_info:
        loads(envelope(_mass(ev_body, -5)), source="bad.cbor")
    assert str(v_info.value).startswith("bad.cbor: ")


def test_encoder_refuses_what_the_format_cannot_carry(ev: BatteryPassport) -> None:
    with pytest.raises(EncodeError, match="expected a BatteryPassport"):
        cp.to_wire(bp_json.to_plain(ev))  # type: ignore[arg-type]
    odd = timezone(timedelta(seconds=1, microseconds=5))
    skewed = ev.model_copy(update={"issued_at": datetime(2026, 10, 15, tzinfo=odd)})
    with pytest.raises(EncodeError, match="fraction of a second") as info:
        cp.to_wire(skewed)
    assert info.value.path == ("issued_at",)
    huge = ev.model_copy(
        update={"general": ev.general.model_copy(update={"mass_kg": Decimal("1" * 35)})}
    )
    with pytest.raises(EncodeError, match="34 significant digits") as info:
        cp.to_wire(huge)
    assert info.value.path == ("general", "mass_kg")


# --- hostile bytes: never anything but DecodeError / ValidationError -------------------------


def _load_or_refuse(data: bytes) -> None:
    with contextlib.suppress(DecodeError, ValidationError):
        loads(data)


@pytest.mark.parametrize("name", EXAMPLE_NAMES)
def test_every_truncation_is_a_decode_error(name: str) -> None:
    data = golden(name)
    for n in range(len(data)):
        with pytest.raises(DecodeError):
            loads(data[:n])


def _structural_positions(data: bytes) -> list[int]:
    """Offsets of every header byte (initial byte and argument bytes), not string contents."""
    out: list[int] = []
    pos = 0
    while pos < len(data):
        major, arg, after = _cbor_scan._definite_head(data, pos)
        out.extend(range(pos, after))
        pos = after + (arg if major in (2, 3) else 0)
    return out


def test_single_byte_mutations_never_raise_anything_else() -> None:
    # Every header byte of the largest golden, with changes of value, length, major type and
    # a null; string contents are left to the random test below.
    data = golden("ev-nmc")
    positions = _structural_positions(data)
    assert 500 < len(positions) < len(data) // 2
    for i in positions:
        for replacement in {
            data[i] ^ 0x01,
            data[i] ^ 0x08,
            data[i] ^ 0x20,
            data[i] ^ 0x80,
            0x00,
            0xF6,
        }:
            if replacement != data[i]:
                _load_or_refuse(data[:i] + bytes([replacement]) + data[i + 1 :])


@given(st.sampled_from(EXAMPLE_NAMES), st.data())
@settings(max_examples=300)
def test_random_single_byte_mutations(name: str, data: st.DataObject) -> None:
    original = golden(name)
    i = data.draw(st.integers(0, len(original) - 1))
    value = data.draw(st.integers(0, 255))
    _load_or_refuse(original[:i] + bytes([value]) + original[i + 1 :])


@pytest.mark.slow
@pytest.mark.skipif(
    not os.environ.get("BATTERYPASS_SLOW"), reason="minutes long; set BATTERYPASS_SLOW=1"
)
def test_all_single_byte_mutations_of_the_smallest_golden() -> None:
    # About 580 000 decodes (five minutes); passes as of the first version of the format.
    data = min((golden(n) for n in EXAMPLE_NAMES), key=len)
    for i in range(len(data)):
        for value in range(256):
            if value != data[i]:
                _load_or_refuse(data[:i] + bytes([value]) + data[i + 1 :])


def test_key_path_at_points_into_nested_maps_and_arrays(ev_body: dict[int, Any]) -> None:
    data = envelope(ev_body)
    cas = encode_value("7440-48-4")  # first critical raw material's CAS number
    offset = data.index(cas)
    keys = cp.key_path_at(data, offset)
    assert keys == (1, 9, 1, 0, 1)
    assert cp.names_of_key_path(keys) == ("materials", "critical_raw_materials", 0, "cas_number")
    for n in range(len(data) + 2):  # never raises, wherever it is pointed
        cp.key_path_at(data[: n // 2], n)


def test_the_example_in_the_spec_is_what_the_encoder_writes() -> None:
    spec = (ROOT / "specs" / "cbor-format.md").read_text(encoding="utf-8")
    block = spec.split("bytes, in hex:\n\n```\n", 1)[1].split("```", 1)[0]
    passport = parse_passport(
        {
            "passport_id": "urn:uuid:6f1c2a7e-3b4d-4e8f-9a10-2b3c4d5e6f70",
            "battery_id": "25SUN0433257BATTERY01",
            "issuer": "urn:example:issuer",
            "issued_at": "2026-10-15T10:00:00+02:00",
            "status": "re-used",
            "general": {
                "mass_kg": Decimal("452.50"),
                "manufacturing_date": "2026-09-30",
                "category": "ev",
            },
            "labels": {"cadmium_lead_symbols": []},
        }
    )
    data = dumps(passport)
    assert data == bytes.fromhex("".join(block.split()))
    assert f"The {len(data)} bytes, in hex" in spec
    assert loads(data) == passport


def test_public_api_round_trips_and_is_the_wire_mapping(ev: BatteryPassport) -> None:
    data = dumps(ev)
    assert data == encode_value(cp.to_wire(ev))
    assert loads(data) == ev
    assert loads(bytearray(data)) == ev


def test_loads_honours_the_limits(ev: BatteryPassport) -> None:
    data = dumps(ev)
    with pytest.raises(DecodeError, match="limit"):
        loads(data, limits=DecodeLimits(max_bytes=len(data) - 1))
    with pytest.raises(DecodeError, match="depth"):
        loads(data, limits=DecodeLimits(max_depth=4))
    with pytest.raises(DecodeError, match="max_string_bytes") as info:
        loads(data, limits=DecodeLimits(max_string_bytes=40), source="x.cbor")
    assert str(info.value).startswith("x.cbor: ")


def test_tags_outside_the_passport_set_are_refused(ev_body: dict[int, Any]) -> None:
    error = decode_error(envelope(_mass(ev_body, Tag(5, [-1, 4525]))))  # bigfloat
    assert "tag 5 is not allowed" in str(error)
    assert "key path 1/6/5" in str(error)


@pytest.mark.parametrize("name", EXAMPLE_NAMES)
def test_sniffing_tells_cbor_from_json(name: str) -> None:
    assert looks_like_cbor(golden(name))
    text = (EXAMPLES / f"{name}.json").read_bytes()
    assert not looks_like_cbor(text)
    assert not looks_like_cbor(b"\xef\xbb\xbf" + text)
    assert not looks_like_cbor(b"  \n" + bp_json.dumps(json_passport(name), indent=None).encode())


@pytest.mark.parametrize(
    ("data", "cbor"),
    [
        (b"", False),
        (b"{}", False),
        (b"[1]", False),
        (b'"x"', False),
        (b"\xd9\xd9\xf7", True),
        (b"\xd2\x84", True),  # COSE_Sign1
        (b"\xa2\x00\x01", True),  # an untagged map
        (b"\x84", True),
    ],
)
def test_sniffing_edge_cases(data: bytes, cbor: bool) -> None:
    assert looks_like_cbor(data) is cbor


def test_errors_without_a_key_path_are_raised_as_they_are() -> None:
    with pytest.raises(DecodeError) as info:
        loads(b"", source="empty.cbor")
    assert str(info.value).startswith("empty.cbor: byte 0: truncated")
    assert info.value.__cause__ is None
    with pytest.raises(DecodeError, match=r"^byte 7: truncated: .*\(key path 1\)$"):
        loads(b"\xd9\xd9\xf7\xa2\x00\x01\x01\xa1\x00")  # the passport map is cut short


@pytest.mark.parametrize("basis", ["declared", date(2027, 1, 1), date(1969, 12, 31)])
def test_a_choice_of_text_constant_and_date_round_trips(ev: BatteryPassport, basis: Any) -> None:
    plain = bp_json.to_plain(ev)
    plain["circularity"]["recycling_potential"] = {
        "rates_basis": basis,
        "recoverable": [{"element": "cobalt", "rate_percent": Decimal("90"), "mass_kg": 0}],
        "dismantling_readiness_percent": Decimal("87.5"),
    }
    passport = parse_passport(plain)
    body = body_of(passport)
    record = body[10][9]
    assert record[0] == (basis if isinstance(basis, str) else Tag(100, basis.toordinal() - 719_163))
    assert record[1] == [{0: 0, 1: 90, 2: 0}]
    assert loads(dumps(passport)) == passport


def test_a_text_that_is_not_the_constant_is_refused_not_parsed_as_a_date(
    ev: BatteryPassport,
) -> None:
    # The model would read the text "2027-01-01" as a date; on the wire a date is tag 100.
    plain = bp_json.to_plain(ev)
    plain["circularity"]["recycling_potential"] = {
        "rates_basis": "declared",
        "recoverable": [],
        "dismantling_readiness_percent": Decimal("50"),
    }
    body = body_of(parse_passport(plain))
    body[10] = {**body[10], 9: {**body[10][9], 0: "2027-01-01"}}
    error = decode_error(envelope(body))
    assert "expected the text 'declared' or a date (tag 100), got a text string" in str(error)
    assert "(key path 1/10/9/0)" in str(error)
    assert str(error).startswith("circularity.recycling_potential.rates_basis: ")


# --- URL prefixes (cbor-format.md section 5.6) ------------------------------------------------

EV_DOCS = "https://docs.example-cells.example/evp75/"


@pytest.mark.parametrize(
    ("url", "prefix"),
    [
        ("https://www.example-cells.example", "https://"),
        ("https://a.example/x/y.pdf", "https://a.example/x/"),
        ("https://a.example/x/", "https://a.example/x/"),
        ("https://a.example/x?q=a/b", "https://a.example/x?q=a/"),
        ("no slash", ""),
    ],
)
def test_the_prefix_of_a_url_ends_at_its_last_slash(url: str, prefix: str) -> None:
    assert cp.url_prefix(url) == prefix


def test_the_prefix_table_holds_shared_prefixes_in_order_of_first_use() -> None:
    urls = ["https://b.example/1", "https://a.example/x/1", "https://a.example/x/2", "a", "b"]
    urls += ["https://b.example/2", "https://c.example/only-once"]
    assert cp.url_prefix_table(urls) == ["https://b.example/", "https://a.example/x/"]
    assert cp.url_prefix_table(["https://a.example/x/1"] * 2) == ["https://a.example/x/"]
    assert cp.url_prefix_table([]) == []


def test_the_ev_example_shares_its_url_prefixes(
    ev: BatteryPassport, ev_body: dict[int, Any]
) -> None:
    table = cp.to_wire(ev).value[4]
    assert table == ["https://", EV_DOCS, EV_DOCS + "labels/"]
    assert ev_body[6][0][4] == [0, "www.example-cells.example"]  # manufacturer website
    assert ev_body[7][6] == [1, "carbon-footprint-study.pdf"]
    assert ev_body[8][1] == ["https://assurance.example.org/certificates/EC-2026-0042"]
    assert ev_body[13][3] == [2, "meaning.pdf"]
    # The identifiers are not URLs of the model, even when they look like one.
    assert ev_body[2] == ev.battery_id


def _remap_prefix_indexes(value: Any, new: dict[int, int]) -> Any:
    """``value`` with every ``[index, suffix]`` URL pointing to entry ``new[index]``."""
    if type(value) is dict:
        return {k: _remap_prefix_indexes(v, new) for k, v in value.items()}
    if type(value) is list:
        if len(value) == 2 and type(value[0]) is int and type(value[1]) is str:
            return [new.get(value[0], value[0]), value[1]]
        return [_remap_prefix_indexes(v, new) for v in value]
    return value


class _Recorder(dict[int, int]):
    """A remapping that keeps every index and notes each one asked for."""

    def __init__(self, uses: list[int]) -> None:
        super().__init__()
        self.uses = uses

    def get(self, key: int, default: Any = None) -> Any:
        self.uses.append(key)
        return default


def _set_study_url(body: dict[int, Any], wire: Any) -> dict[int, Any]:
    return {**body, 7: {**body[7], 6: wire}}


@pytest.mark.parametrize(
    ("change", "prefixes", "message", "key_path", "field_path"),
    [
        (
            lambda b: _set_study_url(b, EV_DOCS + "carbon-footprint-study.pdf"),
            None,
            f"URL written as text although its prefix '{EV_DOCS}' is entry 1",
            "1/7/6",
            "carbon_footprint.study_url",
        ),
        (
            lambda b: _set_study_url(b, [1, "sub/carbon-footprint-study.pdf"]),
            None,
            "must not contain '/'",
            "1/7/6",
            "carbon_footprint.study_url",
        ),
        (
            lambda b: _set_study_url(b, [3, "x.pdf"]),
            None,
            "prefix index 3 is outside the URL prefix table (3 entries)",
            "1/7/6",
            "carbon_footprint.study_url",
        ),
        (
            lambda b: _set_study_url(b, [-1, "x.pdf"]),
            None,
            "prefix index -1 is outside",
            "1/7/6",
            "carbon_footprint.study_url",
        ),
        (
            lambda b: _set_study_url(b, [1]),
            None,
            "a URL: a text string or [prefix index, suffix], got an array",
            "1/7/6",
            "carbon_footprint.study_url",
        ),
        (
            lambda b: _set_study_url(b, [1, 2]),
            None,
            "a URL: a text string or [prefix index, suffix]",
            "1/7/6",
            "carbon_footprint.study_url",
        ),
        (
            lambda b: _set_study_url(b, ["1", "x.pdf"]),
            None,
            "a URL: a text string or [prefix index, suffix]",
            "1/7/6",
            "carbon_footprint.study_url",
        ),
        (
            lambda b: b,
            ["https://", EV_DOCS, EV_DOCS + "labels/", "https://unused.example/"],
            "'https://unused.example/' is the prefix of 0 URL(s)",
            "4/3",
            "url_prefixes[3]",
        ),
        (
            lambda b: b,
            ["https://", EV_DOCS, EV_DOCS + "labels/", EV_DOCS],
            "is listed twice (entries 1 and 3)",
            "4/3",
            "url_prefixes[3]",
        ),
        (
            # The same URLs, with the first two entries (and every index to them) swapped.
            lambda b: _remap_prefix_indexes(b, {0: 1, 1: 0}),
            [EV_DOCS, "https://", EV_DOCS + "labels/"],
            "out of order: entries follow the first use of each prefix, and entry 0 should be "
            "'https://'",
            "4/0",
            "url_prefixes[0]",
        ),
        (
            # The labels prefix left out, its two URLs written as text: they must share it.
            lambda b: {
                **b,
                13: {
                    **b[13],
                    0: {**b[13][0], 1: EV_DOCS + "labels/separate-collection.svg"},
                    3: EV_DOCS + "labels/meaning.pdf",
                },
            },
            ["https://", EV_DOCS],
            f"URLs share the prefix '{EV_DOCS}labels/', which the URL prefix table lacks",
            "1/13/0/1",
            "labels.separate_collection_symbol.url",
        ),
        (
            # A prefix of a single URL: the one URL would be text, and the entry unused.
            lambda b: {**b, 13: {**b[13], 0: {**b[13][0], 1: [3, "separate-collection.svg"]}}},
            ["https://", EV_DOCS, EV_DOCS + "labels/", EV_DOCS + "labels/"],
            "is listed twice",
            "4/3",
            "url_prefixes[3]",
        ),
    ],
)
def test_non_canonical_prefix_use_is_rejected(
    ev_body: dict[int, Any],
    change: Any,
    prefixes: list[str] | None,
    message: str,
    key_path: str,
    field_path: str,
) -> None:
    error = decode_error(envelope(change(ev_body), prefixes))
    text = str(error)
    assert message in text
    assert f"(key path {key_path})" in text
    assert text.startswith(f"{field_path}: ")


def test_a_prefix_used_by_one_url_only_is_rejected() -> None:
    passport = parse_passport(
        {
            "passport_id": "urn:uuid:6f1c2a7e-3b4d-4e8f-9a10-2b3c4d5e6f70",
            "battery_id": "https://id.example.com/01/09506000134352/21/B1",
            "issuer": "urn:example:issuer",
            "issued_at": "2026-10-15T08:00:00Z",
            "due_diligence": {"report_url": "https://a.example/d/report.pdf"},
        }
    )
    assert 4 not in cp.to_wire(passport).value
    body = body_of(passport)
    error = decode_error(envelope({**body, 8: {0: [0, "report.pdf"]}}, ["https://a.example/d/"]))
    assert "'https://a.example/d/' is the prefix of 1 URL(s); an entry must be shared by at " in (
        str(error)
    )


def test_an_empty_suffix_is_the_canonical_form_of_a_url_ending_in_a_slash() -> None:
    passport = parse_passport(
        {
            "passport_id": "urn:uuid:6f1c2a7e-3b4d-4e8f-9a10-2b3c4d5e6f70",
            "battery_id": "https://id.example.com/01/09506000134352/21/B1",
            "issuer": "urn:example:issuer",
            "issued_at": "2026-10-15T08:00:00Z",
            "due_diligence": {
                "report_url": "https://a.example/d/",
                "third_party_assurances": ["https://a.example/d/", "https://a.example/d/x"],
            },
        }
    )
    wire = cp.to_wire(passport).value
    assert wire[4] == ["https://a.example/d/"]
    assert wire[1][8] == {0: [0, ""], 1: [[0, ""], [0, "x"]]}
    data = dumps(passport)
    assert loads(data) == passport
    assert dumps(loads(data)) == data


def test_prefixes_restore_no_more_text_than_max_bytes(ev: BatteryPassport) -> None:
    wire = cp.to_wire(ev)
    table = wire.value[4]
    uses: list[int] = []
    _remap_prefix_indexes(wire.value[1], _Recorder(uses))
    restored = sum(len(table[i]) for i in uses)
    assert restored > 500
    assert cp.from_wire(wire, max_bytes=restored) == ev
    with pytest.raises(DecodeError, match=r"restore more text .* \(limit max_bytes\)"):
        cp.from_wire(wire, max_bytes=restored - 1)


def test_without_prefix_sharing_urls_are_text(ev: BatteryPassport) -> None:
    wire = cp.to_wire(ev, share_url_prefixes=False)
    assert 4 not in wire.value
    assert wire.value[1][7][6] == EV_DOCS + "carbon-footprint-study.pdf"
    assert cp.from_wire(wire, share_url_prefixes=False) == ev
    with pytest.raises(DecodeError, match="URL prefix table lacks"):
        cp.from_wire(wire)
    with pytest.raises(DecodeError, match="not allowed here"):
        cp.from_wire(cp.to_wire(ev), share_url_prefixes=False)


def test_integral_quantities_come_back_as_decimals_and_counts_as_ints(
    ev: BatteryPassport,
) -> None:
    back = loads(dumps(ev))
    assert back.carbon_footprint is not None
    assert back.general is not None
    assert body_of(ev)[7][9] == 5616  # absolute_kg_co2e, a plain integer on the wire
    assert type(back.carbon_footprint.absolute_kg_co2e) is Decimal
    assert back.carbon_footprint.absolute_kg_co2e == Decimal(5616)
    assert type(back.general.warranty_period_months) is int


_URL_PREFIXES = ["https://a.example/", "https://a.example/d/", "http://b.example/x/y/"]


@given(
    st.lists(
        st.tuples(st.sampled_from(_URL_PREFIXES), st.sampled_from(["", "r.pdf", "s", "a?b"])),
        max_size=6,
    ),
    st.sampled_from(EXAMPLE_NAMES),
)
@settings(max_examples=100)
def test_round_trip_of_shared_and_unshared_urls(urls: list[tuple[str, str]], name: str) -> None:
    plain = bp_json.to_plain(json_passport(name))
    plain.setdefault("labels", {})["test_reports"] = [
        {"title": "report", "url": prefix + suffix} for prefix, suffix in urls
    ]
    passport = parse_passport(plain)
    _round_trip(passport)
