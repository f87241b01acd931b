"""Conformance with the consortium's own JSON Schemas (vendored in vectors/, see its README)."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable
from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from jsonschema import Draft4Validator

from batterypass.interop import _shape
from batterypass.interop import battery_pass as dm
from batterypass.interop.battery_pass import _schema
from batterypass.model import BatteryPassport, parse_passport

Validate = Callable[[str, Any], set[tuple[str, str]]]
Reported = Callable[[dm.AspectDocuments, str], set[tuple[str, str]]]


def _git_blob_id(data: bytes) -> str:
    return hashlib.sha1(b"blob %d\0" % len(data) + data, usedforsecurity=False).hexdigest()


def test_vectors_are_the_published_bytes(support: Any) -> None:
    vectors = support.VECTORS
    readme = (vectors / "README.md").read_text(encoding="utf-8")
    listed = dict(
        re.findall(
            r"^\| `(io\.BatteryPass\.[^`]+)` \| [^|]+ \| `([0-9a-f]{40})` \|$", readme, re.MULTILINE
        )
    )
    files = {
        str(p.relative_to(vectors))
        for p in vectors.rglob("*")
        if p.is_file() and p.name not in ("README.md", ".gitattributes")
    }
    assert set(listed) == files
    for rel, blob in listed.items():
        assert _git_blob_id((vectors / rel).read_bytes()) == blob, rel


# ---------------------------------------------------------------- the codec's copy of the schemas


def _resolve(root: Any, node: Any) -> Any:
    while "$ref" in node:
        ref = node["$ref"]
        assert ref.startswith("#/")
        node = root
        for token in ref[2:].split("/"):
            node = node[token]
    if "allOf" not in node:
        return node
    merged: dict[str, Any] = {"type": node.get("type"), "properties": {}, "required": []}
    for part in [*(_resolve(root, p) for p in node["allOf"]), node]:
        merged["properties"].update(part.get("properties", {}))
        merged["required"] += part.get("required", [])
    return merged


def _same_shape(root: Any, node: Any, typ: Any, where: str) -> None:
    node = _resolve(root, node)
    if isinstance(typ, _shape.Obj):
        assert node["type"] == "object", where
        assert list(node["properties"]) == list(typ.names), where
        assert set(node.get("required", [])) == {n for n, _, r in typ.props if r}, where
        for name, sub, _ in typ.props:
            _same_shape(root, node["properties"][name], sub, f"{where}/{name}")
    elif isinstance(typ, _shape.List):
        assert node["type"] == "array", where
        _same_shape(root, node["items"], typ.item, f"{where}/*")
    elif isinstance(typ, _shape.Enum):
        assert node["type"] == "string", where
        assert set(node["enum"]) == set(typ.values), where
    elif isinstance(typ, _shape.TextMap):
        assert node["type"] == "object", where
        assert "properties" not in node, where
    else:
        assert node["type"] == typ, where


def test_codec_structure_is_the_consortium_schema(
    schema_key: tuple[str, str], support: Any
) -> None:
    """Property names (misspellings included), their order, types and required flags."""
    aspect, version = schema_key
    root = support.load_schema(aspect, version)
    _same_shape(root, root, _schema.wire(aspect, version), aspect)
    assert root["$schema"] == "http://json-schema.org/draft-04/schema"
    if aspect == dm.PERFORMANCE:
        assert root["x-samm-aspect-model-urn"].startswith(
            f"urn:samm:io.BatteryPass.Performance:{version}#"
        )
    else:
        assert dm.ASPECT_URNS[aspect].endswith("#" + aspect)


def test_the_published_email_pattern_is_broken(support: Any) -> None:
    """Upstream bug: GeneralProductInformation's e-mail pattern lost its backslashes. It rejects
    ordinary addresses and accepts nonsense; Circularity has the intended pattern."""
    published = support.load_schema(dm.GENERAL, repair_email=False)
    trait = published["components"]["schemas"]["EmailAddressTrait"]
    assert trait["pattern"] == support.PUBLISHED_EMAIL_PATTERN
    check = Draft4Validator(trait).is_valid
    assert not check("passport@example-cells.example")
    assert not check("spares@example.com")
    assert check("www@w.www")
    assert check("-.w@.-.xyz")
    circularity = support.load_schema(dm.CIRCULARITY)
    intended = circularity["components"]["schemas"]["EmailAddressOfSupplierTrait"]["pattern"]
    assert intended == support.INTENDED_EMAIL_PATTERN
    repaired = support.load_schema(dm.GENERAL)["components"]["schemas"]["EmailAddressTrait"]
    assert Draft4Validator(repaired).is_valid("passport@example-cells.example")
    assert not Draft4Validator(repaired).is_valid("not an address")


# ---------------------------------------------------------------- exports against the schemas


def test_example_exports_fail_the_schemas_only_where_the_export_says(
    example_passport: BatteryPassport, schema_errors: Validate, reported_errors: Reported
) -> None:
    docs = dm.export_aspects(example_passport)
    assert set(docs) == set(dm.ASPECTS)
    for aspect, doc in docs.items():
        assert schema_errors(aspect, doc) == reported_errors(docs, aspect), aspect


def test_example_exports_deviate_exactly_so(
    example_name: str, example_passport: BatteryPassport
) -> None:
    """What keeps the examples from validating cleanly, pinned (see the mapping spec)."""
    docs = dm.export_aspects(example_passport)
    deviations = {(n.aspect, n.pointer, n.rule) for n in docs.deviations}
    common = {
        (dm.GENERAL, "/batteryPassportIdentifier", "pattern"),
        (dm.GENERAL, "/warrentyPeriod", "pattern"),
        (dm.PERFORMANCE, "/batteryTechicalProperties/lifetimeReferenceTest", "format"),
    }
    assert deviations == common
    missing = {(n.aspect, n.pointer) for n in docs.missing}
    rpc = "/batteryCondition/remainingPowerCapability/remainingPowerCapabilityValue/atSoC"
    assert (dm.PERFORMANCE, rpc) not in missing  # written from state_of_charge_percent
    if example_name != "ev-nmc":
        # Annex XIII(1)(k) is for EV batteries only; SAMM requires it of every battery.
        assert (dm.PERFORMANCE, "/batteryTechicalProperties/capacityThresholdForExhaustion") in (
            missing
        )


def complete_ev_passport(ev: BatteryPassport) -> BatteryPassport:
    """The EV example with everything the consortium requires that the passport can hold."""
    data = ev.model_dump(mode="python", exclude_none=True)
    data["passport_id"] = "urn:evpass:6f1c2a7e3b4d4e8f9a102b3c4d5e6f70"
    data["general"]["warranty_period_months"] = 12
    data["general"]["manufacturing_place"]["address"]["street"] = "8 Pack Plant Road"
    data["materials"]["materials"] = [
        {
            "component": "cathode",
            "name": "NMC 811 cathode active material",
            "cas_number": "346417-97-8",
            "mass_kg": Decimal("99.6"),
        },
        {
            "component": "anode",
            "name": "Natural graphite",
            "cas_number": "7782-42-5",
            "mass_kg": Decimal("70.1"),
        },
        {
            "component": "electrolyte",
            "name": "Lithium hexafluorophosphate",
            "cas_number": "21324-40-3",
            "mass_kg": Decimal("5.2"),
        },
    ]
    data["materials"]["critical_raw_materials"] = [
        c for c in data["materials"]["critical_raw_materials"] if "cas_number" in c
    ]
    data["materials"]["hazardous_substances"] = data["materials"]["hazardous_substances"][:1]
    for source in data["circularity"]["spare_part_sources"]:
        source["address"] = {
            "street": "1 Battery Road",
            "postal_code": "518107",
            "city": "Shenzhen",
            "country": "CN",
        }
    data["performance"]["initial_self_discharge_percent_per_month"] = Decimal("2.0")
    data["performance"]["cycle_life_reference_test"] = (
        "https://webstore.iec.ch/en/publication/28575"
    )
    data["state"]["state_of_health"].update(
        current_self_discharge_percent_per_month=Decimal("2.0"),
        self_discharge_evolution_percent=Decimal(0),
    )
    data["state"]["usage"].update(
        minutes_above_temperature_boundary=0,
        minutes_below_temperature_boundary=0,
        minutes_charging_above_boundary=0,
        minutes_charging_below_boundary=0,
    )
    return parse_passport(data)


def test_a_complete_passport_validates(
    ev_passport: BatteryPassport, schema_errors: Validate
) -> None:
    """Given the data, every document validates against the consortium's schemas, with no
    required property missing (the remaining power capability carries its state of charge)."""
    p = complete_ev_passport(ev_passport)
    docs = dm.export_aspects(p)
    assert [(n.aspect, n.pointer) for n in docs.missing] == []
    assert docs.deviations == ()
    for aspect, doc in docs.items():
        assert schema_errors(aspect, doc) == set(), aspect
    assert p.general.manufacturing_date == date(2026, 9, 30)


def test_schema_files_are_read_as_utf16_with_bom(support: Any) -> None:
    path = support.VECTORS / support.SCHEMA_FILES[(dm.MATERIALS, "1.2.0")]
    raw = path.read_bytes()
    assert raw[:2] == b"\xff\xfe"
    assert b"\r\x00\n\x00" in raw
    assert dm.read_aspect_file(raw) == dm.read_aspect_file(path)


def test_a_complete_passport_validates_in_performance_120_but_for_the_idle_range(
    ev_passport: BatteryPassport, support: Any
) -> None:
    """PerformanceAndDurability 1.2.0 (issue 15: consumers on the 1.2.0 schemas): the document
    of a complete passport fails its 1.2.0 schema only for the single idle temperature 1.2.0
    requires, which the export reports missing (and the range it cannot hold, lost)."""
    p = complete_ev_passport(ev_passport)
    docs = dm.export_aspects(p, performance_version="1.2.0")
    doc = docs[dm.PERFORMANCE]
    here = "/batteryTechicalProperties/temperatureRangeIdleState"
    validator = Draft4Validator(
        support.load_schema(dm.PERFORMANCE, "1.2.0"), format_checker=support._format_checker()
    )
    assert support.errors_of(validator, doc) == {(here, "required")}
    assert [(n.aspect, n.pointer, n.message) for n in docs.missing] == [
        (
            dm.PERFORMANCE,
            here,
            "required by the consortium model; the passport's data for it is not carried (see "
            "the lost note)",
        )
    ]
    lost_in_121 = {(n.field, n.pointer) for n in dm.export_aspects(p).lost}
    assert ("state.state_of_health.remaining_power_capability", None) in lost_in_121
    assert {(n.field, n.pointer) for n in docs.lost} == {
        ("performance.idle_temperature_min_c", here),
        ("performance.idle_temperature_max_c", here),
        *(lost_in_121 - {("state.state_of_health.remaining_power_capability", None)}),
    }
    assert docs.deviations == ()
    assert dm.detect_performance_version(doc) == "1.2.0"
    # The 1.2.0 shape: moved and misspelled keys, throughput a number, a list of capabilities.
    condition = doc["batteryCondition"]
    assert condition["powerFade"] == p.performance.power_fade_percent  # type: ignore[union-attr]
    assert "powerFade" not in doc["batteryTechicalProperties"]
    assert set(condition["remainingEnergy"]) == {"remainingEnergyalue", "lastUpdate"}
    assert condition["energyThroughput"] == p.state.usage.energy_throughput_kwh  # type: ignore[union-attr]
    assert len(condition["remainingPowerCapability"]) == len(
        p.state.state_of_health.remaining_power_capability  # type: ignore[arg-type,union-attr]
    )
    # Read back, it is the 1.2.1 trip's passport without the idle temperature range.
    back = dm.import_aspects(docs, issued_at=p.issued_at, issuer=p.issuer)
    via_121 = dm.import_aspects(dm.export_aspects(p), issued_at=p.issued_at, issuer=p.issuer)
    assert back.performance == via_121.performance.model_copy(  # type: ignore[union-attr]
        update={"idle_temperature_min_c": None, "idle_temperature_max_c": None}
    )
    # 1.2.0 holds every remaining power capability, 1.2.1 only the first.
    capabilities = p.state.state_of_health.remaining_power_capability  # type: ignore[union-attr]
    assert capabilities is not None
    assert len(capabilities) > 1
    assert back.state.state_of_health.remaining_power_capability == capabilities  # type: ignore[union-attr]
    soh = via_121.state.state_of_health.model_copy(  # type: ignore[union-attr]
        update={"remaining_power_capability": capabilities}
    )
    assert back.state == via_121.state.model_copy(update={"state_of_health": soh})


def test_an_unknown_performance_version_is_refused(ev_passport: BatteryPassport) -> None:
    with pytest.raises(ValueError, match=re.escape("'1.3.0' is not one of 1.2.0, 1.2.1")):
        dm.export_aspects(ev_passport, performance_version="1.3.0")
