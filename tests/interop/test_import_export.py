"""Export and import of the three example passports; documents, files and import errors."""

from __future__ import annotations

import copy
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from batterypass.codec import json as bp_json
from batterypass.errors import DecodeError, EncodeError, FileError, ValidationError
from batterypass.interop import battery_pass as dm
from batterypass.model import Audience, BatteryPassport, completeness, iter_data_points

# What the consortium model cannot carry of each example (the export's "lost" notes).
LOST_EVERYWHERE = {
    "general.battery_model",
    "general.manufacturing_place",
    "carbon_footprint.rounding_kg_co2e_per_kwh",
    "carbon_footprint.class_scheme",
    "materials.element_masses",
    "materials.substance_impact_url",
    "materials.hazardous_substances",
    "circularity.dismantling_information",
    "circularity.safety_measures",
    "state.state_of_health.remaining_power_capability",  # 1.2.1 holds one of the two values
    "state.usage.temperature_c",
    "state.usage.deep_discharge_events",
    "state.usage.overcharge_events",
    "labels.test_reports",
    "labels.separate_collection_symbol",
    "labels.meaning_of_labels_url",
    "labels.declaration_of_conformity",
    # added by issue 15, not carried by the consortium model
    "performance.idle_temperature_reference_test",
    "circularity.waste_management_info_url",
    "labels.declaration_of_conformity_id",
}
LOST = {
    "ev-nmc": LOST_EVERYWHERE
    | {"performance.voltage_temperature_range", "performance.power_temperature_range"},
    "lfp-storage": LOST_EVERYWHERE,
    "lmt-ebike": LOST_EVERYWHERE | {"general.stationary_energy_storage"},
}


def _value(p: BatteryPassport, path: tuple[str, ...]) -> Any:
    value: Any = p
    for name in path:
        value = getattr(value, name)
    return value


def test_example_round_trip(example_name: str, example_passport: BatteryPassport) -> None:
    """Exact except for the data points the export reports lost, which are pinned here."""
    p = example_passport
    docs = dm.export_aspects(p)
    assert {n.field for n in docs.lost} == LOST[example_name]
    back = dm.import_aspects(docs, issued_at=p.issued_at, issuer=p.issuer)
    differs = {
        ".".join(r.path) for r in iter_data_points() if _value(p, r.path) != _value(back, r.path)
    }
    assert differs == LOST[example_name]
    # Everything else is equal: the whole passport is, once the lost data points are set to
    # what the import gives.
    data = p.model_dump(mode="python")
    restored = back.model_dump(mode="python")
    for dotted in LOST[example_name]:
        *parents, last = dotted.split(".")
        a, b = data, restored
        for key in parents:
            a, b = a[key], b[key]
        a[last] = b[last]
    assert data == restored
    assert (back.passport_id, back.battery_id, back.scope) == (p.passport_id, p.battery_id, p.scope)
    # What the consortium cannot carry includes Regulation data points (the battery model,
    # Annex VI Part A(2)): completeness of the imported passport names exactly those.
    before = {g.path for g in completeness(p).gaps}
    after = {g.path for g in completeness(back).gaps}
    assert before <= after
    assert after - before <= LOST[example_name]
    assert "general.battery_model" in after - before


def test_the_example_files_round_trip(example_name: str, tmp_path: Path) -> None:
    """Through files as the CLI would write and read them."""
    text = (
        Path(__file__).resolve().parents[2] / "examples" / "passports" / f"{example_name}.json"
    ).read_text(encoding="utf-8")
    p = bp_json.loads(text)
    docs = dm.export_aspects(p)
    for aspect, doc in docs.items():
        (tmp_path / f"{aspect}.json").write_text(dm.dumps_aspect(doc), encoding="utf-8")
    (tmp_path / "notes.txt").write_text("not an aspect", encoding="utf-8")
    read = dm.read_aspect_files([tmp_path])
    assert read == dict(docs)
    back = dm.import_aspects(read, issued_at=p.issued_at, issuer=p.issuer)
    assert back == dm.import_aspects(docs, issued_at=p.issued_at, issuer=p.issuer)


def test_a_public_view_exports_only_public_data(ev_passport: BatteryPassport) -> None:
    docs = dm.export_aspects(ev_passport.view(Audience.PUBLIC))
    assert "resultOfTestReport" not in docs[dm.LABELS]
    assert "batteryStatus" not in docs[dm.GENERAL]
    assert "batteryCondition" not in docs[dm.PERFORMANCE]
    assert "sparePartSources" not in docs[dm.CIRCULARITY]
    assert all(e["isCriticalRawMaterial"] for e in docs[dm.MATERIALS]["batteryMaterials"])


def test_strict_export(ev_passport: BatteryPassport) -> None:
    with pytest.raises(
        EncodeError,
        match=r"cannot carry all of this passport: lost: general\.battery_model: the "
        r"consortium model has no battery model \(and 22 more\)$",
    ):
        dm.export_aspects(ev_passport, strict=True)


def test_a_stationary_flag_without_category_is_lost() -> None:
    p = BatteryPassport(
        passport_id="urn:example:passport1",
        battery_id="https://id.example.com/01/09506000134352/21/B1",
        issuer="urn:example:issuer",
        issued_at=datetime(2027, 3, 1, tzinfo=UTC),
        general={"stationary_energy_storage": True},
    )
    docs = dm.export_aspects(p)
    assert [str(n) for n in docs.lost] == [
        "lost: general.stationary_energy_storage: written only as part of the battery category, "
        "which is not written"
    ]
    assert dm.import_aspects(docs, issued_at=p.issued_at, issuer=p.issuer).general == (
        BatteryPassport.model_fields["general"].default_factory()  # type: ignore[misc]
    )


def test_an_empty_passport_writes_general_information_only() -> None:
    p = BatteryPassport(
        passport_id="urn:example:passport1",
        battery_id="https://id.example.com/01/09506000134352/21/B1",
        issuer="urn:example:issuer",
        issued_at=datetime(2027, 3, 1, tzinfo=UTC),
    )
    docs = dm.export_aspects(p)
    assert list(docs) == [dm.GENERAL]
    assert docs[dm.GENERAL] == {
        "productIdentifier": "https://id.example.com/01/09506000134352/21/B1",
        "batteryPassportIdentifier": "urn:example:passport1",
    }
    assert {n.aspect for n in docs.missing if n.pointer == ""} == set(dm.ASPECTS) - {dm.GENERAL}
    assert dm.import_aspects(docs, issued_at=p.issued_at, issuer=p.issuer) == p


# ---------------------------------------------------------------- documents and files


def test_detect_aspect() -> None:
    assert dm.detect_aspect({"batteryMass": 1}) == dm.GENERAL
    assert dm.detect_aspect({"labels": []}) == dm.LABELS
    for doc, message in (
        ({}, "cannot tell the aspect of an empty document"),
        ({"batteryMass": 1, "labels": []}, "properties of several aspects"),
        ({"warrantyPeriod": "--06"}, "property 'warrantyPeriod' belongs to no Battery Pass"),
    ):
        with pytest.raises(ValidationError, match=message):
            dm.detect_aspect(doc)


def test_read_aspect_files(tmp_path: Path, ev_passport: BatteryPassport) -> None:
    docs = dm.export_aspects(ev_passport)
    first = tmp_path / "a.json"
    first.write_bytes(b"\xff\xfe" + dm.dumps_aspect(docs[dm.LABELS]).encode("utf-16-le"))
    second = tmp_path / "b.json"
    second.write_text(dm.dumps_aspect(docs[dm.LABELS]), encoding="utf-8")
    assert dm.read_aspect_files([first]) == {dm.LABELS: docs[dm.LABELS]}
    with pytest.raises(ValidationError, match="Labeling: two documents of this aspect") as e:
        dm.read_aspect_files([first, second])
    assert e.value.source == str(second)
    bad = tmp_path / "c.json"
    bad.write_text('{"nothing": 1}', encoding="utf-8")
    with pytest.raises(ValidationError, match="belongs to no Battery Pass aspect") as e:
        dm.read_aspect_files([bad])
    assert str(e.value).startswith(f"{bad}: ")
    with pytest.raises(FileError, match="no such aspect file") as d:
        dm.read_aspect_files([tmp_path / "missing.json"])
    assert d.value.source == str(tmp_path / "missing.json")


def test_read_aspect_file_limits(tmp_path: Path) -> None:
    big = tmp_path / "big.json"
    big.write_text('{"labels": []}', encoding="utf-8")
    with pytest.raises(DecodeError, match="larger than the 10-byte limit"):
        dm.read_aspect_file(big, max_bytes=10)
    with pytest.raises(DecodeError, match="document larger than 10 bytes"):
        dm.read_aspect_file(b'{"labels": []}', max_bytes=10)
    assert dm.MAX_ASPECT_BYTES > 10
    assert dm.read_aspect_file(big) == {"labels": []}


def test_dumps_aspect_writes_exact_numbers() -> None:
    doc = {"a": Decimal("1E+3"), "b": Decimal("0.000001"), "c": [True, None, 3], "d": "ü"}
    assert dm.dumps_aspect(doc) == (
        '{\n  "a": 1000,\n  "b": 0.000001,\n  "c": [\n    true,\n    null,\n    3\n  ],\n'
        '  "d": "ü"\n}\n'
    )
    with pytest.raises(EncodeError):
        dm.dumps_aspect({"a": Decimal("NaN")})
    with pytest.raises(EncodeError):
        dm.dumps_aspect({"a": 1.5})


# ---------------------------------------------------------------- import errors


def _issues(error: ValidationError) -> set[tuple[Any, ...]]:
    return {(i.path[0], "".join(f"/{t}" for t in i.path[1:]), i.message) for i in error.issues}


def _import(docs: Any, p: BatteryPassport, **kw: Any) -> BatteryPassport:
    return dm.import_aspects(docs, issued_at=p.issued_at, **kw)


def _error(docs: Any, p: BatteryPassport, **kw: Any) -> ValidationError:
    kw.setdefault("issued_at", p.issued_at)
    with pytest.raises(ValidationError) as caught:
        dm.import_aspects(docs, **kw)
    return caught.value


def test_import_names_aspect_pointer_and_problem(ev_passport: BatteryPassport) -> None:
    docs = copy.deepcopy(dict(dm.export_aspects(ev_passport)))
    docs[dm.GENERAL]["batteryMass"] = "452.5 kg"
    docs[dm.GENERAL]["batteryStatus"] = "original"
    docs[dm.CARBON_FOOTPRINT]["batteryCarbonFootprint"] = True
    docs[dm.PERFORMANCE]["batteryCondition"]["negativeEvents"] = {}
    docs[dm.LABELS]["labels"][0]["labelingMeaning"] = {"en": 1}
    docs[dm.MATERIALS]["batteryMaterials"][0]["batteryMaterialMass"] = Decimal(0)
    with pytest.raises(ValidationError) as caught:
        _import(docs, ev_passport, issuer=ev_passport.issuer)
    error = caught.value
    assert _issues(error) == {
        (dm.GENERAL, "/batteryMass", "expected a number, got a string"),
        (
            dm.GENERAL,
            "/batteryStatus",
            "'original' is not one of Original, Repurposed, Reused, Remanufactured, Waste",
        ),
        (dm.CARBON_FOOTPRINT, "/batteryCarbonFootprint", "expected a number, got a boolean"),
        (dm.PERFORMANCE, "/batteryCondition/negativeEvents", "expected an array, got an object"),
        (dm.LABELS, "/labels/0/labelingMeaning", "expected an object of language tag -> text"),
        (dm.MATERIALS, "/batteryMaterials/0/batteryMaterialMass", "must be greater than 0"),
    }
    assert str(error) == (
        "GeneralProductInformation /batteryStatus: 'original' is not one of Original, Repurposed, "
        "Reused, Remanufactured, Waste (and 5 more)"
    )
    assert "\n" not in str(error)


def test_import_checks_the_envelope(ev_passport: BatteryPassport) -> None:
    docs = dict(dm.export_aspects(ev_passport))
    p = _import(docs, ev_passport)  # the issuer defaults to the operator's identifier
    assert p.issuer == ev_passport.general.operator.id  # type: ignore[union-attr]
    assert _issues(_error({dm.LABELS: docs[dm.LABELS]}, ev_passport)) == {
        (
            dm.GENERAL,
            "/batteryPassportIdentifier",
            "needed for the passport's passport_id: give "
            "the GeneralProductInformation document or passport_id=",
        ),
        (
            dm.GENERAL,
            "/productIdentifier",
            "needed for the passport's battery_id: give the "
            "GeneralProductInformation document or battery_id=",
        ),
        (
            dm.GENERAL,
            "/operatorInformation/identifier",
            "needed for the passport's issuer: give this identifier (or the manufacturer's) "
            "or issuer=",
        ),
    }
    error = _error(docs, ev_passport, passport_id="urn:example:other")
    assert _issues(error) == {
        (
            dm.GENERAL,
            "/batteryPassportIdentifier",
            f"{ev_passport.passport_id!r} disagrees with passport_id='urn:example:other'",
        ),
    }
    labels_only = _import(
        {"Labels": docs[dm.LABELS]},
        ev_passport,
        issuer=ev_passport.issuer,
        passport_id=ev_passport.passport_id,
        battery_id=ev_passport.battery_id,
    )
    assert labels_only.labels.declaration_of_conformity is not None
    late = _error(docs, ev_passport, issued_at=datetime(2026, 1, 1, tzinfo=UTC))
    assert (
        dm.GENERAL,
        "/manufacturingDate",
        "date 2026-09-30 lies after the passport's issue date 2026-01-01",
    ) in _issues(late)


def test_import_rejects_unknown_and_misplaced_aspects(ev_passport: BatteryPassport) -> None:
    docs = dict(dm.export_aspects(ev_passport))
    error = _error(
        {
            "Batteries": {},
            dm.LABELS: docs[dm.CARBON_FOOTPRINT],
            "Labels": docs[dm.LABELS],
            dm.GENERAL: docs[dm.GENERAL],
            dm.CIRCULARITY: [],
        },
        ev_passport,
    )
    assert _issues(error) == {
        (
            "Batteries",
            "",
            "unknown aspect (expected one of GeneralProductInformation, "
            "CarbonFootprintForBatteries, SupplyChainDueDiligence, MaterialComposition, "
            "Circularity, PerformanceAndDurability, Labeling)",
        ),
        (dm.LABELS, "", "the document is a CarbonFootprintForBatteries document"),
        (dm.CIRCULARITY, "", "expected an object, got an array"),
    }


def test_import_accepts_performance_from_its_namespace_name(ev_passport: BatteryPassport) -> None:
    docs = dict(dm.export_aspects(ev_passport))
    docs["Performance"] = docs.pop(dm.PERFORMANCE)
    docs["CarbonFootprint"] = docs.pop(dm.CARBON_FOOTPRINT)
    p = _import(docs, ev_passport, issuer=ev_passport.issuer)
    assert (
        p.performance
        == _import(
            dm.export_aspects(ev_passport), ev_passport, issuer=ev_passport.issuer
        ).performance
    )
    docs[dm.PERFORMANCE] = docs["Performance"]
    error = _error(docs, ev_passport)
    assert str(error) == "PerformanceAndDurability: given twice (as 'PerformanceAndDurability' too)"
