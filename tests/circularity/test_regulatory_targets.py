"""The dated regulatory targets: the shipped data, lookups by date, and loading errors."""

from __future__ import annotations

import copy
import json
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from batterypass.circularity import (
    ChemistryClass,
    RegulatoryTargets,
    chemistry_class,
)
from batterypass.errors import DecodeError, FileError, ValidationError
from batterypass.model import BatteryCategory, ChemistryFamily

ROOT = Path(__file__).resolve().parents[2]
SPEC = ROOT / "specs" / "regulatory-targets.json"
PACKAGE_DATA = ROOT / "src" / "batterypass" / "data" / "regulatory-targets.json"


def _raw() -> dict[str, Any]:
    data = json.loads(SPEC.read_text(encoding="utf-8"))
    assert isinstance(data, dict)
    return data


def test_spec_and_package_data_are_identical() -> None:
    assert SPEC.read_bytes() == PACKAGE_DATA.read_bytes()


def test_shipped_targets_load_from_package_data() -> None:
    targets = RegulatoryTargets.shipped()
    assert targets is RegulatoryTargets.shipped()  # loaded once
    assert "2023/1542" in targets.source
    assert RegulatoryTargets.from_file(SPEC) == targets


# The tables of /work/shared/reference/DOMAIN.md, restated here so that a change to the data
# file shows up as a failing test.
ART8 = {
    date(2031, 8, 18): {"cobalt": 16, "lead": 85, "lithium": 6, "nickel": 6},
    date(2036, 8, 18): {"cobalt": 26, "lead": 85, "lithium": 12, "nickel": 15},
}
PART_B = {
    date(2025, 12, 31): {"lead-acid": 75, "lithium-based": 65, "nickel-cadmium": 80, "other": 50},
    date(2030, 12, 31): {"lead-acid": 80, "lithium-based": 70},
}
PART_C = {
    date(2027, 12, 31): {"cobalt": 90, "copper": 90, "lead": 90, "lithium": 50, "nickel": 90},
    date(2031, 12, 31): {"cobalt": 95, "copper": 95, "lead": 95, "lithium": 80, "nickel": 95},
}


@pytest.mark.parametrize(
    ("kind", "table", "basis"),
    [
        ("recycled_content", ART8, "Art. 8"),
        ("recycling_efficiency", PART_B, "Annex XII Part B"),
        ("material_recovery", PART_C, "Annex XII Part C"),
    ],
)
def test_shipped_numbers_match_domain_tables(
    kind: str, table: dict[date, dict[str, int]], basis: str
) -> None:
    schedule = getattr(RegulatoryTargets.shipped(), kind)
    got: dict[date, dict[str, Decimal]] = {}
    for target in schedule.targets:
        got.setdefault(target.in_force_from, {})[target.key] = target.minimum_percent
        assert target.legal_basis.startswith(basis)
    assert got == {d: {k: Decimal(v) for k, v in row.items()} for d, row in table.items()}


def test_art8_legal_bases_per_date() -> None:
    schedule = RegulatoryTargets.shipped().recycled_content
    bases = {t.in_force_from: t.legal_basis for t in schedule.targets}
    assert bases == {date(2031, 8, 18): "Art. 8(2)", date(2036, 8, 18): "Art. 8(3)"}


def test_recycled_content_scope() -> None:
    scope = RegulatoryTargets.shipped().recycled_content_scope
    # DOMAIN.md: industrial > 2 kWh, EV, SLI; LMT from 18 August 2036 (Art. 8(3)).
    assert scope.categories == {BatteryCategory.EV, BatteryCategory.SLI, BatteryCategory.INDUSTRIAL}
    schedule = RegulatoryTargets.shipped().recycled_content
    assert schedule.first_in_force_for(BatteryCategory.LMT) == date(2036, 8, 18)
    assert schedule.in_force("cobalt", date(2036, 8, 17), BatteryCategory.LMT) is None
    lmt = schedule.in_force("cobalt", date(2036, 8, 18), BatteryCategory.LMT)
    assert lmt is not None
    assert (lmt.minimum_percent, lmt.legal_basis) == (26, "Art. 8(3)")
    assert schedule.first_in_force_for(BatteryCategory.PORTABLE) is None
    assert scope.industrial_capacity_above_kwh == 2
    assert "external storage" in scope.industrial_exclusion


@pytest.mark.parametrize(
    ("at", "key", "expected"),
    [
        (date(2025, 12, 30), "lithium-based", None),
        (date(2025, 12, 31), "lithium-based", 65),
        (date(2030, 12, 30), "lithium-based", 65),
        (date(2030, 12, 31), "lithium-based", 70),
        (date(2030, 12, 31), "lead-acid", 80),
        # Part B has no 2030 target for nickel-cadmium or other batteries: 2025's still applies.
        (date(2035, 1, 1), "nickel-cadmium", 80),
        (date(2035, 1, 1), "other", 50),
    ],
)
def test_efficiency_in_force(at: date, key: str, expected: int | None) -> None:
    target = RegulatoryTargets.shipped().recycling_efficiency.in_force(key, at)
    assert (target.minimum_percent if target else None) == expected


def test_next_after_and_first_in_force() -> None:
    schedule = RegulatoryTargets.shipped().recycled_content
    assert schedule.first_in_force() == date(2031, 8, 18)
    nxt = schedule.next_after("nickel", date(2031, 8, 18))
    assert nxt is not None
    assert (nxt.minimum_percent, nxt.in_force_from) == (15, date(2036, 8, 18))
    assert schedule.next_after("nickel", date(2036, 8, 18)) is None
    assert schedule.subjects() == ("cobalt", "lead", "lithium", "nickel")


@pytest.mark.parametrize(
    ("family", "cls"),
    [
        (ChemistryFamily.NMC, ChemistryClass.LITHIUM_BASED),
        (ChemistryFamily.LFP, ChemistryClass.LITHIUM_BASED),
        (ChemistryFamily.LTO, ChemistryClass.LITHIUM_BASED),
        (ChemistryFamily.LEAD_ACID, ChemistryClass.LEAD_ACID),
        (ChemistryFamily.NICD, ChemistryClass.NICKEL_CADMIUM),
        (ChemistryFamily.NIMH, ChemistryClass.OTHER),
        (ChemistryFamily.SODIUM_ION, ChemistryClass.OTHER),
        # A construction, or an unnamed chemistry: lithium-based or not, the family cannot tell.
        (ChemistryFamily.SOLID_STATE, None),
        (ChemistryFamily.OTHER, None),
    ],
)
def test_chemistry_class(family: ChemistryFamily, cls: ChemistryClass | None) -> None:
    assert chemistry_class(family) is cls


def _mutated(edit: Any) -> dict[str, Any]:
    data = copy.deepcopy(_raw())
    edit(data)
    return data


BAD: list[tuple[str, Any, tuple[Any, ...], str]] = [
    ("format", lambda d: d.update(format="other/1"), ("format",), "unsupported format"),
    ("unknown key", lambda d: d.update(extra=1), (), "unknown key"),
    ("missing key", lambda d: d.pop("material_recovery"), (), "missing key"),
    (
        "decreasing dates",
        lambda d: d["material_recovery"]["targets"][1].update(in_force_from="2020-01-01"),
        ("material_recovery", "targets", 1, "in_force_from"),
        "strictly increasing",
    ),
    (
        "bad date",
        lambda d: d["recycled_content"]["targets"][0].update(in_force_from="18 Aug 2031"),
        ("recycled_content", "targets", 0, "in_force_from"),
        "not a date",
    ),
    (
        "percent above 100",
        lambda d: d["recycled_content"]["targets"][0]["minimum_percent"].update(lead=185),
        ("recycled_content", "targets", 0, "minimum_percent", "lead"),
        "between 0 and 100",
    ),
    (
        "percent as text",
        lambda d: d["recycled_content"]["targets"][0]["minimum_percent"].update(lead="85"),
        ("recycled_content", "targets", 0, "minimum_percent", "lead"),
        "expected a number",
    ),
    (
        "unknown element",
        lambda d: d["material_recovery"]["targets"][0]["minimum_percent"].update(gold=90),
        ("material_recovery", "targets", 0, "minimum_percent", "gold"),
        "unknown key 'gold'",
    ),
    (
        "unknown chemistry class",
        lambda d: d["recycling_efficiency"]["targets"][0]["minimum_percent"].update(zinc=50),
        ("recycling_efficiency", "targets", 0, "minimum_percent", "zinc"),
        "unknown key 'zinc'",
    ),
    (
        "empty legal basis",
        lambda d: d["recycled_content"]["targets"][0].update(legal_basis=" "),
        ("recycled_content", "targets", 0, "legal_basis"),
        "non-empty string",
    ),
    (
        "no targets",
        lambda d: d["material_recovery"].update(targets=[]),
        ("material_recovery", "targets"),
        "non-empty list",
    ),
    (
        "unknown category",
        lambda d: d["recycled_content"]["applies_to"].update(categories=["ev", "tram"]),
        ("recycled_content", "applies_to", "categories"),
        "battery categories",
    ),
    (
        "unknown category of a target group",
        lambda d: d["recycled_content"]["targets"][1].update(categories=["lmt", "tram"]),
        ("recycled_content", "targets", 1, "categories"),
        "battery categories",
    ),
    (
        "categories on a recycling-efficiency group",
        lambda d: d["recycling_efficiency"]["targets"][0].update(categories=["ev"]),
        ("recycling_efficiency", "targets", 0),
        "unknown key(s): categories",
    ),
]


@pytest.mark.parametrize(("name", "edit", "path", "fragment"), BAD, ids=[b[0] for b in BAD])
def test_bad_targets_are_rejected_with_a_path(
    name: str, edit: Any, path: tuple[Any, ...], fragment: str
) -> None:
    with pytest.raises(ValidationError) as info:
        RegulatoryTargets.from_mapping(_mutated(edit), source="t.json")
    assert info.value.path == path
    assert fragment in str(info.value)
    assert str(info.value).startswith("t.json: ")


def test_from_file_errors(tmp_path: Path) -> None:
    with pytest.raises(FileError, match="no such targets file"):
        RegulatoryTargets.from_file(tmp_path / "absent.json")
    broken = tmp_path / "broken.json"
    broken.write_text("{", encoding="utf-8")
    with pytest.raises(DecodeError):
        RegulatoryTargets.from_file(broken)


def test_custom_targets_file_round_trip(tmp_path: Path) -> None:
    data = _raw()
    data["material_recovery"]["targets"][0]["minimum_percent"]["lithium"] = 55
    path = tmp_path / "targets.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    custom = RegulatoryTargets.from_file(path)
    target = custom.material_recovery.in_force("lithium", date(2028, 1, 1))
    assert target is not None
    assert target.minimum_percent == 55
