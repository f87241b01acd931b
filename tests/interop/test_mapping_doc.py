"""specs/battery-pass-mapping.md: complete, current, and in agreement with the model."""

from __future__ import annotations

import importlib.util
import re
import types
from pathlib import Path
from typing import Any

import pytest

from batterypass.interop import _shape
from batterypass.interop import battery_pass as dm
from batterypass.interop.battery_pass import _schema
from batterypass.model import iter_data_points

ROOT = Path(__file__).resolve().parents[2]
DOC = ROOT / "specs" / "battery-pass-mapping.md"
LONGLIST_TSV = Path("/work/shared/reference/battery-pass-longlist.tsv")


def _generator() -> types.ModuleType:
    spec = importlib.util.spec_from_file_location(
        "gen_battery_pass_mapping", ROOT / "specs" / "gen_battery_pass_mapping.py"
    )
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_generated_tables_are_current() -> None:
    text = DOC.read_text(encoding="utf-8")
    assert _generator().render(text) == text, "run: python specs/gen_battery_pass_mapping.py"


def test_every_longlist_attribute_is_in_the_document() -> None:
    rows = re.findall(r"^\| (\d+) \| ([^|]+) \|", DOC.read_text(encoding="utf-8"), re.MULTILINE)
    assert [int(n) for n, _ in rows] == list(range(1, 94))
    assert [a.strip() for _, a in rows] == [r.attribute for r in dm.LONGLIST_MAPPING]


def test_the_attributes_are_the_longlist_s() -> None:
    if not LONGLIST_TSV.exists():
        pytest.skip("the reference longlist is not available here")
    lines = LONGLIST_TSV.read_text(encoding="utf-8").splitlines()
    header = lines[0].split("\t")
    rows = [dict(zip(header, line.split("\t"), strict=True)) for line in lines[1:]]
    assert len(rows) == 93
    for row, mapping in zip(rows, dm.LONGLIST_MAPPING, strict=True):
        assert (int(row["id"]), row["attribute"], row["unit"]) == (
            mapping.id,
            mapping.attribute,
            mapping.unit,
        )


def test_the_model_s_longlist_numbers_agree_with_the_mapping() -> None:
    """Each longlist row names the data points the codec reads and writes for it; they are
    exactly the data points whose declaration carries that longlist number."""
    declared: dict[int, set[str]] = {}
    for ref in iter_data_points():
        for n in ref.info.longlist:
            declared.setdefault(n, set()).add(".".join(ref.path))
    for row in dm.LONGLIST_MAPPING:
        assert set(row.fields) == declared.get(row.id, set()), row.id
    assert set(declared) <= {r.id for r in dm.LONGLIST_MAPPING}


def test_every_other_data_point_is_documented() -> None:
    unnumbered = {".".join(r.path) for r in iter_data_points() if not r.info.longlist}
    assert unnumbered == set(dm.OTHER_FIELDS)
    assert "UNDOCUMENTED" not in DOC.read_text(encoding="utf-8")


def _walk(typ: Any, pointer: str) -> Any:
    """The structure node at a pointer template (``*`` for array items)."""
    for token in pointer.split("/")[1:]:
        if token == "*":
            assert isinstance(typ, _shape.List), pointer
            typ = typ.item
        else:
            assert isinstance(typ, _shape.Obj), pointer
            sub = typ.get(token)
            assert sub is not None, pointer
            typ = sub
    return typ


def _wires() -> list[tuple[str, str, str | None]]:
    """(aspect, pointer, 1.2.0 variant of its last token) of every wire entry."""
    out = []
    for row in dm.LONGLIST_MAPPING:
        for wire in row.wire:
            aspect, _, rest = wire.partition(" ")
            pointer = rest.split(" ")[0]
            if not pointer.startswith("/"):
                assert rest == "(whole aspect)", wire
                continue
            old = re.search(r"\(1\.2\.0: (\w+)\)", rest)
            out.append((aspect, pointer, old.group(1) if old else None))
    return out


def test_the_mapping_names_real_consortium_properties() -> None:
    for aspect, pointer, old in _wires():
        _walk(_schema.wire(aspect), pointer)
        if old is None:
            continue
        v120 = _schema.wire(aspect, "1.2.0")
        if old == "batteryCondition":
            _walk(v120, pointer.replace("/batteryTechicalProperties/", "/batteryCondition/"))
        elif old == "a":  # "(1.2.0: a number)"
            continue
        else:
            _walk(v120, pointer.rsplit("/", 1)[0] + "/" + old)


def _leaves(typ: Any, pointer: str) -> list[str]:
    if isinstance(typ, _shape.Obj):
        return [leaf for name, sub, _ in typ.props for leaf in _leaves(sub, f"{pointer}/{name}")]
    if isinstance(typ, _shape.List):
        return _leaves(typ.item, f"{pointer}/*")
    return [pointer]


def test_every_consortium_property_has_a_home_or_a_rule() -> None:
    """Each leaf property of each aspect (both PerformanceAndDurability versions) is under a
    longlist row's wire pointer or has a rule of its own in WIRE_NOTES."""
    covered = {(a, p) for a, p, _ in _wires()}
    notes = set()
    for wire in dm.WIRE_NOTES:
        aspect, _, rest = wire.partition(" ")
        notes.add((aspect, rest.split(" ")[0]))
    covered |= notes
    for aspect, pointer in notes:
        _walk(_schema.wire(aspect), pointer.replace("/*/lastUpdate", "/capacityFade/lastUpdate"))
    renamed = {
        "/batteryCondition/remainingEnergy/remainingEnergyalue",
        "/batteryCondition/currentSelfDischargingRate/currentSelfDischargingRateEntity",
        "/batteryCondition/evolutionOfSelfDischarge/evolutionOfSelfDischargeEntityValue",
        "/batteryCondition/powerFade",
        "/batteryCondition/roundTripEfficiencyFade",
        "/batteryCondition/roundTripEfficiencyat50PerCentCycleLife",
        "/batteryCondition/energyThroughput",
        "/batteryCondition/remainingPowerCapability/*/lastUpdate",
        "/batteryCondition/remainingPowerCapability/*/remainingPowerCapabilityValue/atSoC",
        "/batteryCondition/remainingPowerCapability/*/remainingPowerCapabilityValue/"
        "powerCapabilityAt",
        "/batteryCondition/remainingPowerCapability/*/remainingPowerCapabilityValue/rPCLastUpdated",
    }
    for aspect in dm.ASPECTS:
        versions = dm.PERFORMANCE_VERSIONS if aspect == dm.PERFORMANCE else ("1.2.0",)
        for version in versions:
            for leaf in _leaves(_schema.wire(aspect, version), ""):
                if version == "1.2.0" and aspect == dm.PERFORMANCE and leaf in renamed:
                    continue  # documented in the longlist rows' "(1.2.0: ...)" remarks
                parts = leaf.split("/")
                prefixes = {"/".join(parts[:n]) for n in range(2, len(parts) + 1)}
                generic = {
                    re.sub(
                        r"/batteryCondition/\w+/lastUpdate$", "/batteryCondition/*/lastUpdate", leaf
                    )
                }
                assert (prefixes | generic) & {p for a, p in covered if a == aspect}, (
                    aspect,
                    version,
                    leaf,
                )


def test_every_quirk_has_a_test() -> None:
    text = DOC.read_text(encoding="utf-8")
    section = text.split("## Quirks and how they are converted", 1)[1].split("\n## ", 1)[0]
    headings = re.findall(r"^### (.+)$", section, re.MULTILINE)
    assert len(headings) >= 20
    tests = (Path(__file__).parent / "test_quirks.py").read_text(encoding="utf-8")
    defined = set(re.findall(r"^def (test_quirk_\w+)\(", tests, re.MULTILINE))
    wanted = {"test_quirk_" + re.sub(r"[^a-z0-9]+", "_", h.lower()).strip("_") for h in headings}
    assert wanted == defined


def test_the_aspect_table_names_the_urns() -> None:
    text = DOC.read_text(encoding="utf-8")
    for aspect, urn in dm.ASPECT_URNS.items():
        assert f"| `{aspect}` | `{urn}` |" in text
    assert f"written in version {dm.PERFORMANCE_EXPORT_VERSION}" in text


def test_mapping_doc_no_longer_says_the_state_of_charge_is_dropped() -> None:
    """specs/battery-pass-mapping.md ("What does not cross") still lists "the state of charge
    of the remaining power capability" among the consortium data dropped on import; it is now
    read into ``state_of_charge_percent``."""
    text = (ROOT / "specs" / "battery-pass-mapping.md").read_text(encoding="utf-8")
    flat = " ".join(text.split())
    assert "the state of charge of the remaining power capability" not in flat
