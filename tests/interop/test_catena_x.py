"""The Catena-X battery pass 6.x (issue 19): export, import, the shipped sample, the mapping
table, schema validity (draft-04, 6.1.0 and 6.0.0) and round trips."""

from __future__ import annotations

import copy
import importlib.util
import json
import subprocess
import sys
import types
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from jsonschema import Draft4Validator

from batterypass.cli import run
from batterypass.codec import json as bp_json
from batterypass.errors import EncodeError, ValidationError
from batterypass.interop import _rules
from batterypass.interop import catena_x as cx
from batterypass.interop.catena_x import _mapping
from batterypass.model import (
    BATTERY_IDENTIFIER_RULE,
    BatteryPassport,
    iter_data_points,
    parse_passport,
)
from batterypass.testing import passports

ROOT = Path(__file__).resolve().parents[2]
VECTORS = Path(__file__).resolve().parent / "catena-x-vectors"
SAMPLE = VECTORS / "BatteryPass-6.1.0-sample.json"
REPAIRED = VECTORS / "BatteryPass-6.1.0-repaired.json"
DOC = ROOT / "specs" / "catena-x-mapping.md"
# The sample names phenolphthalein with its EC number as type CAS; the repaired copy gives the
# CAS registry number.
REPAIRED_CAS = (
    "/materials/hazardous/other/0/materialIdentification/0/id",
    "/materials/active/other/0/materialIdentification/0/id",
    "/materials/composition/0/id/0/id",
)


SCHEMA_600 = VECTORS / "BatteryPass-6.0.0-schema.json"


def _schema(version: str) -> dict[str, Any]:
    if version == "6.0.0":
        # The published 6.0.0 schema (tests/interop/catena-x-vectors/README.md).
        loaded: dict[str, Any] = json.loads(SCHEMA_600.read_text(encoding="utf-8"))
        return loaded
    # The library reads numbers as Decimal; jsonschema wants plain numbers.
    schema: dict[str, Any] = json.loads(
        json.dumps(cx.json_schema(), default=lambda d: float(d) if d % 1 else int(d))
    )
    return schema


_VALIDATORS = {v: Draft4Validator(_schema(v)) for v in ("6.0.0", "6.1.0")}


def schema_errors(doc: Any, version: str) -> set[tuple[str, str]]:
    """(JSON pointer, rule) of every draft-04 error; ``required`` points at the property."""
    plain = json.loads(cx.dumps_catena_x(doc))
    out = set()
    for error in _VALIDATORS[version].iter_errors(plain):
        where = "".join(f"/{p}" for p in error.absolute_path)
        if error.validator == "required":
            for name in error.validator_value:
                if name not in error.instance:
                    out.add((f"{where}/{name}", "required"))
        else:
            out.add((where, str(error.validator)))
    return out


def reported(doc: cx.CatenaXDocument) -> set[tuple[str, str]]:
    out = set()
    for note in doc.notes:
        if note.kind == "missing" and note.pointer is not None:
            out.add((note.pointer, "required"))
        elif note.kind == "deviation" and note.pointer is not None:
            out.add((note.pointer, note.rule or ""))
    return out


def _value(p: BatteryPassport, path: tuple[str, ...]) -> Any:
    return _rules.get_field(p, path)


def _check_round_trip(p: BatteryPassport) -> None:
    doc = cx.export_catena_x(p)
    for version in ("6.1.0", "6.0.0"):
        assert schema_errors(doc, version) == reported(doc), version
    back = cx.import_catena_x(doc, issued_at=p.issued_at)
    differs = {
        ".".join(ref.path)
        for ref in iter_data_points()
        if _value(p, ref.path) != _value(back, ref.path)
    }
    assert differs == {note.field for note in doc.lost}
    if not doc.lost:
        assert back == p
    # A passport read back holds only what the format carries: a second trip is exact.
    again = cx.export_catena_x(back)
    assert cx.import_catena_x(again, issued_at=p.issued_at) == back
    assert cx.read_catena_x_file(cx.dumps_catena_x(doc).encode("utf-16")) == dict(doc)


# ---------------------------------------------------------------- round trips and the schema


def test_examples_round_trip_and_fail_the_schema_only_where_reported(
    example_passport: BatteryPassport,
) -> None:
    _check_round_trip(example_passport)


# Each example validates against two draft-04 schemas of 466 properties: fewer examples.
_FEWER = settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@_FEWER
@given(passports())
def test_generated_passports_round_trip(p: BatteryPassport) -> None:
    _check_round_trip(p)


@_FEWER
@given(passports(full=True))
def test_full_generated_passports_round_trip(p: BatteryPassport) -> None:
    _check_round_trip(p)


def test_a_bpn_operator_exports_without_identifier_deviations(ev_passport: BatteryPassport) -> None:
    data = ev_passport.model_dump(mode="python", exclude_none=True)
    data["issuer"] = "BPNL0123456789ZZ"
    data["general"]["manufacturer"]["id"] = "BPNL0123456789ZZ"
    data["general"]["manufacturing_place"]["id"] = "BPNA1234567890AA"
    p = parse_passport(data)
    doc = cx.export_catena_x(p)
    assert doc["metadata"]["economicOperatorId"] == "BPNL0123456789ZZ"
    assert doc["operation"]["manufacturer"]["facility"] == [{"facility": "BPNA1234567890AA"}]
    assert {n.pointer for n in doc.deviations} == set()
    assert schema_errors(doc, "6.1.0") == reported(doc)
    assert cx.import_catena_x(doc, issued_at=p.issued_at).issuer == "BPNL0123456789ZZ"


def test_strict_export_refuses_a_loss(ev_passport: BatteryPassport) -> None:
    with pytest.raises(EncodeError, match="cannot carry all of this passport"):
        cx.export_catena_x(ev_passport, strict=True)


# ---------------------------------------------------------------- the shipped sample


def test_the_6_0_0_schema_is_6_1_0_without_spec_version() -> None:
    """What the importer assumes when it reads a 6.0.0 payload with the 6.1.0 schema less
    specVersion, checked against the published 6.0.0 schema: the same apart from the version
    in the SAMM URNs and the optional specVersion."""
    old = _schema("6.0.0")
    new = json.loads(
        json.dumps(_schema("6.1.0")).replace("battery_pass:6.1.0#", "battery_pass:6.0.0#")
    )
    assert "specVersion" not in old["properties"]
    assert "specVersion" not in new.get("required", [])
    del new["properties"]["specVersion"]
    assert old == new


def test_the_shipped_sample_is_the_reference_copy() -> None:
    reference = Path("/work/shared/reference/catena-x/BatteryPass-6.1.0-sample.json")
    if reference.exists():
        assert reference.read_bytes() == SAMPLE.read_bytes()


def test_the_shipped_sample_fails_with_every_broken_rule() -> None:
    doc = cx.read_catena_x_file(SAMPLE)
    assert cx.is_catena_x(doc)
    with pytest.raises(ValidationError) as caught:
        cx.import_catena_x(doc)
    found = {("".join(f"/{t}" for t in i.path[1:]), i.message) for i in caught.value.issues}
    assert found == {
        (
            "/operation/intoServiceDate",
            "'7172-75-08' is no calendar date (month must be in 1..12)",
        ),
        (
            "/operation/manufacturer/manufacturer",
            "'BPNLLJMv5rieVicu': a Business Partner Number is BPNL, BPNS or BPNA followed by "
            "12 upper-case letters or digits",
        ),
        (
            "/identification/identification/serial/0/value",
            f"{BATTERY_IDENTIFIER_RULE} (battery_id)",
        ),
        (
            # An EC number given as type CAS.
            "/materials/hazardous/other/0/materialIdentification/0/id",
            "a CAS registry number has the form NNNNNNN-NN-N "
            "(materials.hazardous_substances[0].cas_number)",
        ),
    }
    assert all(i.path[0] == "BatteryPass" for i in caught.value.issues)
    assert str(caught.value).endswith("(and 3 more)")


def test_rules_across_fields_are_told_at_their_pointer_once_the_fields_are_valid() -> None:
    doc = cx.read_catena_x_file(REPAIRED)
    doc["identification"]["category"] = "SLI"
    with pytest.raises(ValidationError) as caught:
        cx.import_catena_x(doc)
    (issue,) = caught.value.issues
    assert issue.path == ("BatteryPass", "performance", "rated", "capacity", "thresholdExhaustion")
    assert "applies only to EV batteries" in issue.message
    assert issue.legal_basis == "Annex XIII(1)(k)"


def test_the_repaired_sample_imports() -> None:
    repaired = cx.read_catena_x_file(REPAIRED)
    sample = cx.read_catena_x_file(SAMPLE)
    changed = {
        pointer
        for pointer in (
            "/operation/intoServiceDate",
            "/operation/manufacturer/manufacturer",
            "/identification/identification/serial/0/value",
            "/identification/category",
            "/metadata/issueDate",
            *REPAIRED_CAS,
        )
        if _rules.get_pointer(repaired, pointer) != _rules.get_pointer(sample, pointer)
    }
    assert len(changed) == 8
    notes: list[str] = []
    p = cx.import_catena_x(repaired, notes=notes)
    assert p.issuer == "BPNL0123456789ZZ"
    assert p.issued_at == datetime(2024, 1, 1, tzinfo=UTC)
    assert p.general.mass_kg == Decimal("0.02")  # 20.0 unit:gram
    assert p.general.put_into_service_date == date(2000, 2, 1)
    assert p.performance.maximum_permitted_power_w == Decimal(40000)
    assert p.carbon_footprint.main_production_kg_co2e_per_kwh == Decimal("12.678")
    assert p.materials.chemistry is not None
    assert p.materials.chemistry.family.value == "nmc"  # "(NCM)"
    assert p.general.warranty_period_months is None
    assert any("36 unit:day dropped" in n for n in notes)
    assert any("nil UUID read as no predecessor" in n for n in notes)


# ---------------------------------------------------------------- quirks


@pytest.mark.parametrize(
    ("unit", "value", "kg"),
    [
        ("unit:gram", "1500", "1.5"),
        ("unit:tonneMetricTon", "0.699", "699"),
        ("unit:pound", "1000", "453.59237"),
        ("unit:ounceAvoirdupois", "16", "0.45359237"),
        ("unit:tonUsOrShortTonUkorus", "1", "907.18474"),
    ],
)
def test_masses_are_converted_exactly(unit: str, value: str, kg: str) -> None:
    doc = cx.read_catena_x_file(REPAIRED)
    doc["characteristics"]["physicalDimension"]["weight"] = {"value": Decimal(value), "unit": unit}
    assert cx.import_catena_x(doc).general.mass_kg == Decimal(kg)


@pytest.mark.parametrize(
    ("unit", "value", "months"),
    [
        ("unit:month", 18, 18),
        ("unit:year", 8, 96),
        ("unit:day", 365, None),
        ("unit:cycle", 5, None),
    ],
)
def test_warranty_in_months_only_where_exact(unit: str, value: int, months: int | None) -> None:
    doc = cx.read_catena_x_file(REPAIRED)
    doc["characteristics"]["warranty"] = {"lifeValue": value, "lifeUnit": unit}
    notes: list[str] = []
    assert cx.import_catena_x(doc, notes=notes).general.warranty_period_months == months
    assert any("/characteristics/warranty" in n for n in notes) == (months is None)


def test_every_error_is_reported_with_its_pointer() -> None:
    doc = cx.read_catena_x_file(REPAIRED)
    doc["performance"]["rated"]["capacity"]["value"] = "four"
    doc["identification"]["category"] = "marine"
    doc["metadata"]["unknownThing"] = 1
    doc["performance"]["dynamic"]["fullCycles"]["value"] = Decimal("1.5")
    with pytest.raises(ValidationError) as caught:
        cx.import_catena_x(doc)
    pointers = {"".join(f"/{t}" for t in i.path[1:]) for i in caught.value.issues}
    assert pointers == {
        "/performance/rated/capacity/value",
        "/identification/category",
        "/metadata/unknownThing",
        "/performance/dynamic/fullCycles/value",
    }


def test_a_6_0_0_payload_without_spec_version_imports_and_another_version_does_not() -> None:
    doc = cx.read_catena_x_file(REPAIRED)
    del doc["specVersion"]
    assert cx.is_catena_x(doc)
    assert cx.import_catena_x(doc).issuer == "BPNL0123456789ZZ"
    doc["specVersion"] = "urn:io.catenax.battery.battery_pass:7.0.0"
    with pytest.raises(ValidationError, match=r"reads battery pass 6\.0\.0 and 6\.1\.0"):
        cx.import_catena_x(doc)


def test_bpns_are_identifiers_of_the_model(ev_passport: BatteryPassport) -> None:
    data = ev_passport.model_dump(mode="python", exclude_none=True)
    for good in ("BPNL0123456789ZZ", "BPNS0000000001AB", "BPNA1234567890AA"):
        data["issuer"] = good
        assert parse_passport(data).issuer == good
    for bad in ("BPNLLJMv5rieVicu", "BPNX0123456789ZZ", "BPNL0123"):
        data["issuer"] = bad
        with pytest.raises(ValidationError, match="Business Partner Number"):
            parse_passport(data)


def test_detection() -> None:
    assert cx.is_catena_x(cx.read_catena_x_file(SAMPLE))
    assert not cx.is_catena_x({"productIdentifier": "x", "batteryMass": 1})
    assert not cx.is_catena_x({"metadata": {}, "labels": []})


# ---------------------------------------------------------------- the mapping table


def _generator() -> types.ModuleType:
    spec = importlib.util.spec_from_file_location(
        "gen_catena_x_mapping", ROOT / "specs" / "gen_catena_x_mapping.py"
    )
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_generated_table_is_current() -> None:
    text = DOC.read_text(encoding="utf-8")
    assert _generator().render(text) == text, "run: python specs/gen_catena_x_mapping.py"


def test_every_schema_property_has_a_row_with_a_home_or_a_reason() -> None:
    leaves = list(_mapping.leaves())
    assert len(leaves) > 250
    for leaf in leaves:
        _, text, how = _mapping.row_of(leaf)
        assert text != "UNDOCUMENTED", leaf
        assert how in ("rule", "quirk", "not carried")
    for rule in cx.RULES:
        assert rule.pointer in leaves, rule.pointer
        assert _mapping.row_of(rule.pointer)[2] == "rule"


def test_the_rules_drive_export_and_import(ev_passport: BatteryPassport) -> None:
    doc = cx.export_catena_x(ev_passport)
    back = cx.import_catena_x(doc, issued_at=ev_passport.issued_at)
    for rule in cx.RULES:
        value = _rules.get_field(ev_passport, rule.path)
        found, _ = _rules.get_pointer(doc, rule.pointer)
        assert found == (value is not None), rule.field
        if value is not None:
            assert _rules.get_field(back, rule.path) == value, rule.field


# ---------------------------------------------------------------- the CLI


def test_cli_export_and_import(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "cx.json"
    assert (
        run(
            [
                "export",
                str(ROOT / "examples/passports/lmt-ebike.json"),
                "--format",
                "catena-x",
                "--out",
                str(out),
            ]
        )
        == 0
    )
    assert "missing: BatteryPass /metadata/version" in capsys.readouterr().out
    passport = tmp_path / "p.json"
    original = bp_json.loads((ROOT / "examples/passports/lmt-ebike.json").read_bytes())
    stamp = original.issued_at.isoformat()
    assert run(["import", str(out), "--out", str(passport), "--issued-at", stamp]) == 0
    back = bp_json.loads(passport.read_bytes())
    assert back.passport_id == original.passport_id
    assert back.performance == original.performance.model_copy(
        update={
            "power_to_energy_ratio_w_per_wh": None,
            "cycle_life_reference_test": None,
            "idle_temperature_reference_test": None,  # no place in Catena-X (issue 15)
        }
    )


def test_cli_import_prints_every_issue(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code = run(["import", str(SAMPLE), "--out", str(tmp_path / "p.json")])
    err = capsys.readouterr().err.splitlines()
    assert code == 1
    assert len(err) == 4
    assert all(line.startswith(f"batterypass: {SAMPLE}: BatteryPass /") for line in err)
    assert not (tmp_path / "p.json").exists()
    assert (
        run(
            [
                "import",
                str(SAMPLE),
                "--format",
                "catena-x",
                "--json",
                "--out",
                str(tmp_path / "p.json"),
            ]
        )
        == 1
    )
    record = json.loads(capsys.readouterr().out)
    assert len(record["error"]["issues"]) == 4


def test_the_repaired_copy_differs_from_the_sample_in_the_repaired_values_only() -> None:
    sample = cx.read_catena_x_file(SAMPLE)
    repaired = cx.read_catena_x_file(REPAIRED)
    repaired["operation"]["intoServiceDate"] = sample["operation"]["intoServiceDate"]
    repaired["operation"]["manufacturer"]["manufacturer"] = sample["operation"]["manufacturer"][
        "manufacturer"
    ]
    repaired["identification"]["identification"]["serial"] = sample["identification"][
        "identification"
    ]["serial"]
    repaired["identification"]["category"] = sample["identification"]["category"]
    repaired["metadata"]["issueDate"] = sample["metadata"]["issueDate"]
    for pointer in REPAIRED_CAS:
        assert _rules.get_pointer(repaired, pointer)[1] == "77-09-8"  # phenolphthalein
        *parents, last = pointer.split("/")[1:]
        node: Any = repaired
        for token in parents:
            node = node[int(token)] if isinstance(node, list) else node[token]
        node[last] = _rules.get_pointer(sample, pointer)[1]
    assert repaired == sample


# ---------------------------------------------------------------- more quirks


def test_a_catena_x_operator_issues_and_signs(ev_passport: BatteryPassport) -> None:
    """An imported Catena-X passport keeps its BPNL issuer, and a key trusted for that BPNL
    signs it."""
    from batterypass.cose import sign_passport
    from batterypass.keys import Algorithm, PrivateKey
    from batterypass.model import Role
    from batterypass.verify import TrustStore, verify_passport

    p = cx.import_catena_x(cx.read_catena_x_file(REPAIRED))
    key = PrivateKey.generate(Algorithm.ED25519)
    trust = TrustStore().add_key(
        key.public_key(),
        organisation_id="BPNL0123456789ZZ",
        roles=(Role.MANUFACTURER,),
        not_before=datetime(2000, 1, 1, tzinfo=UTC),
        not_after=datetime(2100, 1, 1, tzinfo=UTC),
    )
    assert verify_passport(sign_passport(p, key), trust=trust).passport == p


def test_carbon_footprint_stages_and_what_is_dropped(ev_passport: BatteryPassport) -> None:
    doc = cx.export_catena_x(ev_passport)
    entries = doc["sustainability"]["carbonFootprint"]
    c = ev_passport.carbon_footprint
    by_stage = {e["lifecycle"]: e for e in entries}
    assert by_stage["total"]["value"] == c.total_kg_co2e_per_kwh
    assert by_stage["total"]["performanceClass"] == c.performance_class
    assert by_stage["main product production"]["value"] == c.main_production_kg_co2e_per_kwh
    assert {e["type"] for e in entries} == {"Climate Change Total"}
    doc["sustainability"]["carbonFootprint"].append(
        {"lifecycle": "total", "type": "Water Use", "value": 1, "unit": "m3"}
    )
    notes: list[str] = []
    back = cx.import_catena_x(doc, issued_at=ev_passport.issued_at, notes=notes)
    assert back.carbon_footprint.total_kg_co2e_per_kwh == c.total_kg_co2e_per_kwh
    assert any("carbonFootprint/" in n and "footprint dropped" in n for n in notes)
    doc["sustainability"]["carbonFootprint"].append(dict(by_stage["total"]))
    with pytest.raises(ValidationError, match="stage 'total' given twice"):
        cx.import_catena_x(doc, issued_at=ev_passport.issued_at)


def test_documents_keep_title_url_and_media_type(ev_passport: BatteryPassport) -> None:
    data = ev_passport.model_dump(mode="python", exclude_none=True)
    data["labels"]["test_reports"] = [
        {"title": "Test report", "url": "https://r.example/1.pdf", "media_type": "application/pdf"},
        {"title": "T" * 101, "url": "https://r.example/2"},
    ]
    p = parse_passport(data)
    doc = cx.export_catena_x(p)
    assert doc["conformity"]["resultOfTestReport"][0] == {
        "contentType": "application/pdf",
        "header": "Test report",
        "content": "https://r.example/1.pdf",
    }
    assert doc["conformity"]["resultOfTestReport"][1]["contentType"] == "URL"
    assert ("/conformity/resultOfTestReport/1/header", "maxLength") in reported(doc)
    assert schema_errors(doc, "6.1.0") == reported(doc)
    back = cx.import_catena_x(doc, issued_at=p.issued_at)
    assert back.labels.test_reports == p.labels.test_reports


def test_manufacturer_facility_and_predecessor_are_written_and_dropped_on_import(
    ev_passport: BatteryPassport,
) -> None:
    doc = cx.export_catena_x(ev_passport)
    assert doc["operation"]["manufacturer"]["manufacturer"] == ev_passport.general.manufacturer.id
    doc["metadata"]["predecessor"] = "urn:uuid:6f1c2a7e-3b4d-4e8f-9a10-2b3c4d5e6f71"
    notes: list[str] = []
    back = cx.import_catena_x(doc, issued_at=ev_passport.issued_at, notes=notes)
    assert back.general.manufacturer is None
    assert back.predecessor_passport_id is None
    assert any("/metadata/predecessor: predecessor" in n and "Art. 77(7)" in n for n in notes)
    assert any("/operation/manufacturer/manufacturer: manufacturer" in n for n in notes)


def test_power_capability_at_80_and_20_percent_crosses(ev_passport: BatteryPassport) -> None:
    """Annex IV Part B(4): the power capability at 80 % and 20 % state of charge, which
    Catena-X holds as at80SoC and at20SoC (W) and import lists in that order."""
    caps = ev_passport.performance.original_power_capability
    assert caps is not None
    assert [c.state_of_charge_percent for c in caps] == [80, 20]
    doc = cx.export_catena_x(ev_passport)
    assert doc["performance"]["rated"]["power"]["at80SoC"] == caps[0].power_w
    assert doc["performance"]["rated"]["power"]["at20SoC"] == caps[1].power_w
    assert "performance.original_power_capability" not in {n.field for n in doc.lost}
    back = cx.import_catena_x(doc, issued_at=ev_passport.issued_at)
    assert back.performance.original_power_capability == caps  # type: ignore[union-attr]
    # Another order, or an entry at another state of charge, cannot be read back: lost.
    for changed in (
        tuple(reversed(caps)),
        (*caps, caps[0].model_copy(update={"state_of_charge_percent": Decimal(50)})),
    ):
        p = ev_passport.model_copy(
            update={
                "performance": ev_passport.performance.model_copy(
                    update={"original_power_capability": changed}
                )
            }
        )
        lost = [
            n
            for n in cx.export_catena_x(p).lost
            if n.field == "performance.original_power_capability"
        ]
        assert [n.pointer for n in lost] == ["/performance/rated/power"]
    # Only the value at 80 %: carried, and at20SoC reported missing (required by the schema).
    only = ev_passport.model_copy(
        update={
            "performance": ev_passport.performance.model_copy(
                update={"original_power_capability": caps[:1]}
            )
        }
    )
    doc = cx.export_catena_x(only)
    assert "performance.original_power_capability" not in {n.field for n in doc.lost}
    assert "/performance/rated/power/at20SoC" in {n.pointer for n in doc.missing}
    back = cx.import_catena_x(doc, issued_at=ev_passport.issued_at)
    assert back.performance.original_power_capability == caps[:1]  # type: ignore[union-attr]
    # A bad value is told at its pointer.
    doc = dict(cx.export_catena_x(ev_passport))
    doc["performance"]["rated"]["power"]["at20SoC"] = -5
    with pytest.raises(ValidationError) as caught:
        cx.import_catena_x(doc, issued_at=ev_passport.issued_at)
    assert [(i.path, i.message) for i in caught.value.issues] == [
        (
            ("BatteryPass", "performance", "rated", "power", "at20SoC"),
            "must be greater than 0 (performance.original_power_capability[1].power_w)",
        )
    ]


def test_materials_cross_as_adr_0013_says(ev_passport: BatteryPassport) -> None:
    """Recycled totals and critical flags are written only; hazardous substances and the
    composition cross both ways with their CAS / EC numbers, shares and components."""
    doc = cx.export_catena_x(ev_passport)
    active = doc["materials"]["active"]
    totals = {
        rc.material.value: rc.total_percent for rc in ev_passport.circularity.recycled_content or ()
    }
    assert {k: v["recycled"] for k, v in active.items()} == totals
    assert all(v["critical"] is True for v in active.values())  # all three are in the list
    first = doc["materials"]["hazardous"]["other"][0]
    substance = (ev_passport.materials.hazardous_substances or ())[0]
    assert first["materialIdentification"] == [
        {"id": substance.cas_number, "type": "CAS", "name": substance.name},
        {"id": substance.ec_number, "type": "EC", "name": substance.name},
    ]
    assert (first["concentration"], first["materialUnit"]) == (
        substance.concentration_percent,
        "unit:percent",
    )
    assert first["impactOfSubstances"][0]["content"] == ev_passport.materials.substance_impact_url
    lost = {(n.field, n.pointer) for n in doc.lost if (n.field or "").startswith("materials.")}
    assert (
        "materials.hazardous_substances",
        "/materials/hazardous/other/1/materialIdentification",
    ) in lost
    assert ("materials.materials", "/materials/composition/0/id") in lost
    notes: list[str] = []
    back = cx.import_catena_x(doc, issued_at=ev_passport.issued_at, notes=notes)
    assert back.circularity.recycled_content is None
    assert any("/materials/active/cobalt/recycled: dropped" in n for n in notes)
    (read,) = back.materials.hazardous_substances or ()
    assert read.model_copy(update={"hazard_classes": substance.hazard_classes}) == substance
    assert [(m.name, m.cas_number, m.component) for m in back.materials.materials or ()] == [
        (m.name, m.cas_number, m.component)
        for m in ev_passport.materials.materials or ()
        if m.cas_number is not None
    ]


@pytest.mark.parametrize(
    ("unit", "value", "percent"),
    [
        ("unit:percent", "1.2", "1.2"),
        ("unit:partPerThousand", "12", "1.2"),
        ("unit:partPerMillion", "5.3", "0.00053"),
        ("unit:partPerBillionUs", "25", "0.0000025"),
        ("unit:partPerTrillionUs", "7", "0.0000000007"),
        ("unit:percentVolume", "3", None),
    ],
)
def test_concentrations_are_mass_shares_converted_exactly(
    unit: str, value: str, percent: str | None
) -> None:
    doc = cx.read_catena_x_file(REPAIRED)
    entry = doc["materials"]["hazardous"]["other"][0]
    entry["concentration"], entry["materialUnit"] = Decimal(value), unit
    notes: list[str] = []
    p = cx.import_catena_x(doc, notes=notes)
    if percent is None:
        assert p.materials.hazardous_substances is None  # its only entry was dropped
        assert any("unit:percentVolume' is no mass share" in n for n in notes)
    else:
        (s,) = p.materials.hazardous_substances or ()
        assert s.concentration_percent == Decimal(percent)
        assert (s.cas_number, s.name) == ("77-09-8", "phenolphthalein")


def test_a_material_located_in_a_component_imports(ev_passport: BatteryPassport) -> None:
    doc = cx.read_catena_x_file(REPAIRED)
    doc["materials"]["composition"][0]["location"] = "Cathode"
    doc["materials"]["hazardous"]["other"][0]["location"] = "electrolyte"
    p = cx.import_catena_x(doc)
    (m,) = p.materials.materials or ()
    assert (m.name, m.cas_number, m.component.value, m.share_percent) == (
        "phenolphthalein",
        "77-09-8",
        "cathode",
        Decimal("0.00053"),
    )
    (s,) = p.materials.hazardous_substances or ()
    assert s.location is not None
    assert s.location.value == "electrolyte"


def _leaf_pointers(value: Any, here: str = "") -> list[str]:
    if isinstance(value, dict):
        return [p for k, v in value.items() for p in _leaf_pointers(v, f"{here}/{k}")]
    if isinstance(value, list):
        return [p for i, v in enumerate(value) for p in _leaf_pointers(v, f"{here}/{i}")]
    return [here]


def test_import_tells_every_property_it_drops() -> None:
    """Nothing is dropped silently: each property of the repaired sample that no data point
    carries is named in a note (at it or at an enclosing property), with the reason."""
    doc = cx.read_catena_x_file(REPAIRED.read_bytes())
    notes: list[str] = []
    cx.import_catena_x(doc, notes=notes)
    noted = [n.split(": ", 1)[0].removeprefix("BatteryPass ") for n in notes]
    dropped = 0
    for leaf in _leaf_pointers(doc):
        template = "/".join("*" if t.isdigit() else t for t in leaf.split("/"))
        if _mapping.row_of(template)[2] == "not carried":
            dropped += 1
            assert any(leaf == p or leaf.startswith(p + "/") for p in noted), leaf
    assert dropped > 50
    assert (
        "BatteryPass /materials/hazardous/cadmium: dropped: the passport lists hazardous "
        "substances other than mercury, cadmium and lead (Annex VI Part A(8))"
    ) in "\n".join(notes)


def test_the_declaration_of_conformity_number_crosses(ev_passport: BatteryPassport) -> None:
    """Annex XIII(1)(r): /conformity/declarationOfConformityId."""
    number = ev_passport.labels.declaration_of_conformity_id
    assert number is not None
    doc = cx.export_catena_x(ev_passport)
    assert doc["conformity"]["declarationOfConformityId"] == number
    assert "labels.declaration_of_conformity_id" not in {n.field for n in doc.lost}
    back = cx.import_catena_x(doc, issued_at=ev_passport.issued_at)
    assert back.labels.declaration_of_conformity_id == number


# ---------------------------------------------------------------- the export supplement (ADR 0013)

EXAMPLE = ROOT / "examples" / "catena-x"
PASSPORT = EXAMPLE / "ev-nmc-bpn.json"
SUPPLEMENT = EXAMPLE / "ev-nmc-bpn.supplement.json"


def _example() -> tuple[BatteryPassport, dict[str, Any]]:
    return bp_json.loads(PASSPORT.read_bytes()), cx.read_catena_x_file(SUPPLEMENT)


def test_the_example_files_are_current() -> None:
    done = subprocess.run(
        [sys.executable, str(EXAMPLE / "build.py"), "--check"],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env={"PYTHONPATH": str(ROOT / "src")},
        check=False,
    )
    assert done.returncode == 0, done.stderr


def test_the_example_with_its_supplement_is_valid_against_both_schemas() -> None:
    p, supplement = _example()
    bare = cx.export_catena_x(p)
    assert bare.missing, "the passport alone cannot fill the schema"
    doc = cx.export_catena_x(p, supplement=supplement)
    assert doc.missing == ()
    assert doc.deviations == ()
    assert schema_errors(doc, "6.1.0") == set()
    assert schema_errors(doc, "6.0.0") == set()
    # The supplement only adds: what the passport wrote is unchanged, and every value the
    # passport alone left missing is now there.
    assert doc.lost == bare.lost
    assert {n.pointer for n in bare.missing} <= {
        p for p in _pointers(doc) if any(p == s or p.startswith(s + "/") for s in doc.supplied)
    } | set(doc.supplied)


def _pointers(value: Any, here: str = "") -> set[str]:
    out = {here}
    if isinstance(value, dict):
        for k, v in value.items():
            out |= _pointers(v, f"{here}/{k}")
    elif isinstance(value, list):
        for i, v in enumerate(value):
            out |= _pointers(v, f"{here}/{i}")
    return out


def test_import_gives_the_supplement_back_and_the_payload_survives_the_trip() -> None:
    p, supplement = _example()
    doc = cx.export_catena_x(p, supplement=supplement)
    back = cx.import_catena_x(doc, issued_at=p.issued_at)
    again = cx.export_catena_x(back, supplement=cx.supplement_of(doc, back))
    assert dict(again) == dict(doc)
    assert cx.dumps_catena_x(again) == cx.dumps_catena_x(doc)


def test_the_repaired_sample_survives_the_trip_where_the_passport_keeps_its_form() -> None:
    doc = cx.read_catena_x_file(REPAIRED)
    p = cx.import_catena_x(doc)
    supplement = cx.supplement_of(doc, p)
    again = cx.export_catena_x(p, supplement=supplement)
    assert again.missing == ()
    # What differs is carried in the passport's own form: kilograms for grams, the
    # batterypass headers of single links, percent for parts per million, the issue time.
    differs = {
        here
        for here in _pointers(doc) & _pointers(dict(again))
        if not isinstance(_at(doc, here), dict | list) and _at(doc, here) != _at(again, here)
    }
    assert "/characteristics/physicalDimension/weight/unit" in differs
    assert "/materials/hazardous/other/0/materialUnit" in differs
    assert all(
        here.startswith(
            (
                "/characteristics/physicalDimension/weight/",
                "/materials/hazardous/other/0/",
                "/performance/dynamic/",
                "/sustainability/carbonFootprint/0/unit",
            )
        )
        or here.endswith("/header")
        for here in differs
    ), differs
    # The composition entry import dropped (its location is no component) is in the
    # supplement whole, so it is written again.
    assert again["materials"]["composition"] == doc["materials"]["composition"]


def _at(doc: Any, pointer: str) -> Any:
    node = doc
    for token in pointer.split("/")[1:]:
        node = node[int(token)] if isinstance(node, list) else node[token]
    return node


_FEW = settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _identified(p: BatteryPassport) -> BatteryPassport:
    """The passport without the substances and materials Catena-X cannot name (no CAS or EC
    number): import drops those entries, and a supplement cannot add to a shorter list."""
    m = p.materials
    return p.model_copy(
        update={
            "materials": m.model_copy(
                update={
                    "hazardous_substances": None
                    if m.hazardous_substances is None
                    else tuple(s for s in m.hazardous_substances if s.cas_number or s.ec_number),
                    "materials": None
                    if m.materials is None
                    else tuple(x for x in m.materials if x.cas_number),
                }
            )
        }
    )


@_FEW
@given(passports(full=True))
def test_generated_passports_export_import_export_with_the_supplement(p: BatteryPassport) -> None:
    p = _identified(p)
    doc = cx.export_catena_x(p)
    back = cx.import_catena_x(doc, issued_at=p.issued_at)
    again = cx.export_catena_x(back, supplement=cx.supplement_of(doc, back))
    # Equal values (import writes 19.850 kg as 19.85 kg).
    assert dict(again) == dict(doc)


def test_an_entry_import_drops_is_not_in_the_supplement(ev_passport: BatteryPassport) -> None:
    """The limit ADR 0013 names: the substance without a CAS or EC number is written, import
    drops it with a note, and the supplement cannot add an entry to the shorter list."""
    doc = cx.export_catena_x(ev_passport)
    notes: list[str] = []
    back = cx.import_catena_x(doc, issued_at=ev_passport.issued_at, notes=notes)
    assert len(doc["materials"]["hazardous"]["other"]) == 2
    assert len(back.materials.hazardous_substances or ()) == 1
    assert any(
        n.startswith(
            "BatteryPass /materials/hazardous/other/1: dropped: the passport needs the name"
        )
        for n in notes
    )
    supplement = cx.supplement_of(doc, back)
    assert "other" not in supplement.get("materials", {}).get("hazardous", {})
    again = cx.export_catena_x(back, supplement=supplement)
    assert len(again["materials"]["hazardous"]["other"]) == 1


def test_a_supplement_cannot_replace_what_the_passport_writes() -> None:
    p, _ = _example()
    supplement = {
        "metadata": {"passportIdentifier": "urn:uuid:00000000-0000-4000-8000-000000000000"},
        "materials": {"active": {"cobalt": {"critical": False}}},
    }
    with pytest.raises(ValidationError) as caught:
        cx.export_catena_x(p, supplement=supplement)
    found = {(i.path, i.message) for i in caught.value.issues}
    assert found == {
        (
            ("supplement", "metadata", "passportIdentifier"),
            "the passport writes this value (carried by passport_id); change the passport, "
            "not the supplement",
        ),
        (
            ("supplement", "materials", "active", "cobalt", "critical"),
            "the passport writes this value (carried by materials.critical_raw_materials); "
            "change the passport, not the supplement",
        ),
    }


def test_a_supplement_cannot_hold_a_data_point_of_the_passport() -> None:
    """A plain field the passport leaves empty belongs in the passport, where it is signed."""
    p, _ = _example()
    data = p.model_dump(mode="python", exclude_none=True)
    del data["state"]["state_of_health"]["ohmic_resistance_ohm"]

    bare = parse_passport(data)
    with pytest.raises(ValidationError) as caught:
        cx.export_catena_x(
            bare,
            supplement={
                "performance": {
                    "dynamic": {
                        "resistance": {
                            "remaining": {
                                "pack": {"value": Decimal("0.07"), "time": "2026-11-30T08:00:00Z"}
                            }
                        }
                    }
                }
            },
        )
    (issue,) = caught.value.issues
    assert issue.path == (
        "supplement",
        "performance",
        "dynamic",
        "resistance",
        "remaining",
        "pack",
        "value",
    )
    assert issue.message.startswith("state.state_of_health.ohmic_resistance_ohm is a data point")


def test_a_supplement_list_adds_to_each_entry() -> None:
    p, _ = _example()
    with pytest.raises(ValidationError) as caught:
        cx.export_catena_x(p, supplement={"materials": {"composition": [{"renewable": 0}]}})
    (issue,) = caught.value.issues
    assert issue.path == ("supplement", "materials", "composition")
    assert issue.message.startswith(
        "the export writes 4 entries here and the supplement gives 1 entry"
    )


def test_a_supplement_is_checked_against_the_schema_everywhere() -> None:
    p, _ = _example()
    with pytest.raises(ValidationError) as caught:
        cx.export_catena_x(
            p,
            supplement={
                "identification": {"idDmc": 5},
                "metadata": {"expirationDate": "2036-13"},
                "colour": "blue",
                "commercial": {"purpose": "automotive"},
            },
        )
    assert {i.path for i in caught.value.issues} == {
        ("supplement", "identification", "idDmc"),
        ("supplement", "metadata", "expirationDate"),
        ("supplement", "colour"),
        ("supplement", "commercial", "purpose"),
    }
    assert str(caught.value).startswith("supplement /identification/idDmc: expected a string")


def test_cli_export_import_with_supplements(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out, back, sup, again = (tmp_path / n for n in ("ev.json", "p.json", "s.json", "ev2.json"))
    args = ["export", str(PASSPORT), "--format", "catena-x", "--out", str(out)]
    assert run([*args, "--supplement", str(SUPPLEMENT)]) == 0
    assert "value(s) from the supplement" in capsys.readouterr().err
    p, _ = _example()
    issued = p.issued_at.isoformat()
    assert (
        run(
            [
                "import",
                str(out),
                "--out",
                str(back),
                "--supplement-out",
                str(sup),
                "--issued-at",
                issued,
            ]
        )
        == 0
    )
    assert "wrote the export supplement" in capsys.readouterr().err
    assert (
        run(
            [
                "export",
                str(back),
                "--format",
                "catena-x",
                "--out",
                str(again),
                "--supplement",
                str(sup),
            ]
        )
        == 0
    )
    assert again.read_bytes() == out.read_bytes()
    capsys.readouterr()
    # A bad supplement: every problem on its own line, nothing written, the import exit code.
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({"identification": {"idDmc": 5}, "colour": 1}), encoding="utf-8")
    target = tmp_path / "never.json"
    code = run(
        [
            "export",
            str(PASSPORT),
            "--format",
            "catena-x",
            "--out",
            str(target),
            "--supplement",
            str(bad),
        ]
    )
    err = capsys.readouterr().err.splitlines()
    assert code == 1
    assert not target.exists()
    assert err == [
        f"batterypass: {bad}: supplement /identification/idDmc: expected a string, got a number",
        f"batterypass: {bad}: supplement /colour: unknown property 'colour' (not in BatteryPass "
        "of the Catena-X battery pass 6.1.0 model)",
    ]
    # Options that do not apply are refused.
    assert (
        run(
            [
                "export",
                str(PASSPORT),
                "--format",
                "battery-pass-dm",
                "--out",
                str(tmp_path / "dm"),
                "--supplement",
                str(SUPPLEMENT),
            ]
        )
        == 2
    )
    assert (
        run(["import", str(out), "--out", str(tmp_path / "x.json"), "--supplement-out", str(sup)])
        == 2
    )  # exists already


@pytest.mark.parametrize(
    "supplement",
    [
        {"commercial": {}},
        {"materials": {"hazardous": {"cadmium": {}}}},
        {"identification": {"identification": {"dataCarrier": {}}}, "commercial": {}},
    ],
)
def test_an_empty_object_in_a_supplement_adds_nothing(supplement: dict[str, Any]) -> None:
    """An object the export drops for being empty is not reported as supplied (it was a
    KeyError while looking for deviations in what was supplied)."""
    p, _ = _example()
    doc = cx.export_catena_x(p, supplement=supplement)
    assert doc.supplied == ()
    assert dict(doc) == dict(cx.export_catena_x(p))


@pytest.mark.parametrize("where", ["a directory", "a missing directory"])
def test_cli_import_writes_neither_file_when_the_supplement_cannot_be_written(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], where: str
) -> None:
    """Both targets are checked before either is written (the passport was written first,
    then the supplement refused: half the output)."""
    payload, back = tmp_path / "cx.json", tmp_path / "back.json"
    p, supplement = _example()
    payload.write_text(cx.dumps_catena_x(cx.export_catena_x(p, supplement=supplement)), "utf-8")
    if where == "a directory":
        target = tmp_path / "dir"
        target.mkdir()
    else:
        target = tmp_path / "nowhere" / "s.json"
    issued = p.issued_at.isoformat()
    args = ["import", str(payload), "--out", str(back), "--issued-at", issued]
    code = run([*args, "--supplement-out", str(target), "--force"])
    err = capsys.readouterr().err
    assert code == 2
    assert err.startswith(f"batterypass: {target}: ")
    assert not back.exists()


def test_a_supplement_cannot_give_a_data_point_import_reads_through_a_quirk() -> None:
    """Not only the plain fields: a hazardous substance, a mass, a warranty or a composition
    share the passport does not hold would be read by a consumer as passport data, unsigned
    (ADR 0013: any data point of the passport is refused in the supplement)."""
    p, _ = _example()
    data = p.model_dump(mode="python", exclude_none=True)
    del data["materials"]["hazardous_substances"]
    del data["general"]["mass_kg"]
    del data["general"]["warranty_period_months"]
    for entry in data["materials"]["materials"]:
        del entry["share_percent"]
    bare = parse_passport(data)
    cadmium = {"type": "CAS", "id": "7440-43-9", "name": "Cadmium"}
    supplement = {
        "characteristics": {
            "physicalDimension": {"weight": {"value": 1, "unit": "unit:gram"}},
            "warranty": {"lifeValue": 12, "lifeUnit": "unit:month"},
        },
        "materials": {
            "hazardous": {
                "other": [
                    {
                        "concentration": 5,
                        "materialUnit": "unit:percent",
                        "materialIdentification": [cadmium],
                    }
                ]
            },
            "composition": [{}, {"concentration": 22, "unit": "unit:percent"}, {}, {}],
        },
    }
    with pytest.raises(ValidationError) as caught:
        cx.export_catena_x(bare, supplement=supplement)
    found = {(i.path, i.message.split(" is a data point")[0]) for i in caught.value.issues}
    assert found == {
        (
            ("supplement", "characteristics", "physicalDimension", "weight", "value"),
            "general.mass_kg",
        ),
        (
            ("supplement", "characteristics", "warranty", "lifeValue"),
            "general.warranty_period_months",
        ),
        (("supplement", "materials", "hazardous", "other"), "materials.hazardous_substances"),
        (("supplement", "materials", "composition", 1, "concentration"), "materials.materials"),
    }
    # The CAS number of a substance the passport holds without one is a data point too.
    with pytest.raises(ValidationError) as caught:
        cx.export_catena_x(
            p,
            supplement={
                "materials": {"hazardous": {"other": [{}, {"materialIdentification": [cadmium]}]}}
            },
        )
    assert [i.path[:4] for i in caught.value.issues] == [
        ("supplement", "materials", "hazardous", "other")
    ]


def test_a_supplement_may_name_an_entry_as_the_passport_does() -> None:
    """An identifier of a type the passport has no place for (IUPAC) makes an entry readable
    again with the passport's own name and values: allowed. Another name is not."""
    p, supplement = _example()
    doc = cx.export_catena_x(p, supplement=supplement)
    back = cx.import_catena_x(doc, issued_at=p.issued_at)
    assert [m.name for m in back.materials.materials or ()] == [
        m.name for m in p.materials.materials or ()
    ]
    renamed = copy.deepcopy(supplement)
    renamed["materials"]["composition"][2]["id"][0]["name"] = "LiPF6"
    with pytest.raises(ValidationError) as caught:
        cx.export_catena_x(p, supplement=renamed)
    assert str(caught.value).startswith(
        "supplement /materials/composition: materials.materials is a data point of the passport"
    )


def test_import_tells_a_second_name_of_a_substance_it_drops(ev_passport: BatteryPassport) -> None:
    """Each identifier of a substance has a name; the passport keeps the first. Another name
    was dropped without a note."""
    doc = json.loads(cx.dumps_catena_x(cx.export_catena_x(ev_passport)), parse_float=Decimal)
    ids = doc["materials"]["hazardous"]["other"][0]["materialIdentification"]
    assert [i["type"] for i in ids] == ["CAS", "EC"]
    first = ids[0]["name"]
    ids[1]["name"] = "lithium hexafluoridophosphate"
    notes: list[str] = []
    back = cx.import_catena_x(doc, issued_at=ev_passport.issued_at, notes=notes)
    assert (back.materials.hazardous_substances or ())[0].name == first
    assert (
        "BatteryPass /materials/hazardous/other/0/materialIdentification/1/name: name "
        f"'lithium hexafluoridophosphate' dropped (the passport holds one name of a substance, "
        f"{first!r})"
    ) in notes


def test_a_supplement_list_whose_items_must_be_unique_is_refused_with_a_repeat() -> None:
    """The schema wants unique classifications (and batch and serial keys); a repeated one
    passed the supplement check and the payload then failed the schema with no note."""
    p, supplement = _example()
    unspsc = {"classificationStandard": "UNSPSC", "classificationID": "26111700"}
    repeated = copy.deepcopy(supplement)
    repeated["identification"]["identification"]["classification"] = [
        unspsc,
        {"classificationID": "26111700", "classificationStandard": "UNSPSC"},
        {**unspsc, "classificationID": "26111701"},
    ]
    with pytest.raises(ValidationError) as caught:
        cx.export_catena_x(p, supplement=repeated)
    assert [(i.path, i.message) for i in caught.value.issues] == [
        (
            ("supplement", "identification", "identification", "classification", 1),
            "repeats item 0: the schema wants unique items",
        )
    ]
    del repeated["identification"]["identification"]["classification"][1]
    doc = cx.export_catena_x(p, supplement=repeated)
    assert schema_errors(doc, "6.1.0") == reported(doc) == set()


def test_import_tells_the_header_and_type_of_an_impact_link_it_drops(
    ev_passport: BatteryPassport,
) -> None:
    """The passport holds the link of the substances' impact only: a header or content type
    other than the ones export writes was dropped without a note."""
    doc = json.loads(cx.dumps_catena_x(cx.export_catena_x(ev_passport)), parse_float=Decimal)
    link = doc["materials"]["hazardous"]["other"][0]["impactOfSubstances"][0]
    notes: list[str] = []
    cx.import_catena_x(doc, issued_at=ev_passport.issued_at, notes=notes)
    assert not [n for n in notes if "impactOfSubstances" in n]
    link.update(header="Safety data sheet", contentType="application/pdf")
    cx.import_catena_x(doc, issued_at=ev_passport.issued_at, notes=notes)
    here = "BatteryPass /materials/hazardous/other/0/impactOfSubstances/0"
    assert [n for n in notes if "impactOfSubstances" in n] == [
        f"{here}/header: header dropped (the passport holds a link)",
        f"{here}/contentType: content type 'application/pdf' dropped (the passport holds a link)",
    ]


def test_a_supplement_cannot_move_a_value_of_one_entry_to_another() -> None:
    """A value the supplement adds inside an entry is checked with the whole entry: that
    another substance of the passport sits in the cathode does not make this one do so."""
    p, _ = _example()
    data = p.model_dump(mode="python", exclude_none=True)
    substances = data["materials"]["hazardous_substances"]
    assert [s.get("location") for s in substances] == ["electrolyte", "cathode"]
    del substances[0]["location"]
    unlocated = parse_passport(data)
    with pytest.raises(ValidationError) as caught:
        cx.export_catena_x(
            unlocated,
            supplement={"materials": {"hazardous": {"other": [{"location": "cathode"}, {}]}}},
        )
    assert [i.path for i in caught.value.issues] == [
        ("supplement", "materials", "hazardous", "other", 0, "location")
    ]


def test_a_supplement_does_not_add_to_what_an_audience_may_not_see() -> None:
    """The example's supplement names the composition's materials (IUPAC identifiers) and
    gives their documents: for the public, which may not see the composition, they are
    withheld, each with a note, and the rest of the supplement is merged."""
    p, supplement = _example()
    doc = cx.export_catena_x(p, supplement=supplement, audience="public")
    withheld = {n.pointer: n.message for n in doc.notes if n.kind == "withheld"}
    assert withheld["/materials/composition"] == (
        "supplement value not written: it adds to /materials/composition/0, which the "
        "passport withholds from the public audience"
    )
    assert "composition" not in doc["materials"]
    assert not set(withheld) & set(doc.supplied)
    assert all(not _rules.get_pointer(doc, w)[0] for w in withheld)
    # What the public may see of the supplement is merged.
    assert doc["identification"]["idDmc"] == supplement["identification"]["idDmc"]
    assert doc["metadata"]["version"] == supplement["metadata"]["version"]
    public = {"identification": supplement["identification"], "metadata": supplement["metadata"]}
    trimmed = cx.export_catena_x(p, supplement=public, audience="public")
    assert dict(trimmed) == dict(cx.export_catena_x(p.view("public"), supplement=public))
    assert [n for n in trimmed.notes if n.kind == "withheld"] == []
    # The audience that sees everything the passport writes takes the whole supplement.
    full = cx.export_catena_x(p, supplement=supplement)
    assert dict(
        cx.export_catena_x(p, supplement=supplement, audience="legitimate-interest")
    ) == dict(cx.export_catena_x(p.view("legitimate-interest"), supplement=supplement))
    assert full.missing == ()


def test_cli_export_with_an_audience_withholds_supplement_values_for_withheld_data(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    target = tmp_path / "public.json"
    args = ["export", str(PASSPORT), "--format", "catena-x", "--out", str(target)]
    assert run([*args, "--supplement", str(SUPPLEMENT), "--audience", "public"]) == 0
    out = capsys.readouterr().out
    assert (
        "note: withheld: BatteryPass /materials/composition: supplement value not written: it "
        "adds to /materials/composition/0, which the passport withholds from the public audience"
    ) in out
    written = json.loads(target.read_text(encoding="utf-8"))
    assert "composition" not in written["materials"]
    assert written["identification"]["idDmc"]


def test_every_data_point_export_reports_unwritten_is_one_of_the_model() -> None:
    """A misspelt field in the table of data points Catena-X has no place for would never
    be reported with its reason (only the generic one): each names a real data point, once."""
    from batterypass.interop.catena_x import _codec

    fields = [field for field, _ in _codec._NOT_WRITTEN]
    assert len(fields) == len(set(fields))
    assert set(fields) <= {".".join(ref.path) for ref in iter_data_points()}
    assert not set(fields) & _codec.CARRIED
