"""Performance class schemes: the example files, class boundaries, loading errors, and the
declared-class check."""

from __future__ import annotations

import copy
import json
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from batterypass.carbon import (
    Band,
    ClassScheme,
    ThresholdScheme,
    check_declared_class,
)
from batterypass.codec import json as bp_json
from batterypass.errors import DecodeError, FileError, ValidationError
from batterypass.model import BatteryPassport, parse_passport

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "examples" / "passports"
ILLUSTRATIVE = ROOT / "examples" / "schemes" / "illustrative-2027.json"
GBA = ROOT / "examples" / "schemes" / "greater-bay-area-example.toml"
D = Decimal


def load(name: str) -> BatteryPassport:
    return bp_json.loads((EXAMPLES / f"{name}.json").read_text(encoding="utf-8"))


def with_footprint(name: str, **changes: Any) -> BatteryPassport:
    data = bp_json.loads_value((EXAMPLES / f"{name}.json").read_text(encoding="utf-8"))
    for key, value in changes.items():
        if value is None:
            data["carbon_footprint"].pop(key)
        else:
            data["carbon_footprint"][key] = value
    return parse_passport(data)


@pytest.fixture(scope="module")
def illustrative() -> ThresholdScheme:
    return ThresholdScheme.from_file(ILLUSTRATIVE)


@pytest.fixture(scope="module")
def gba() -> ThresholdScheme:
    return ThresholdScheme.from_file(GBA)


# ---------------------------------------------------------------- the example schemes


def test_illustrative_scheme(illustrative: ThresholdScheme) -> None:
    assert isinstance(illustrative, ClassScheme)
    assert illustrative.illustrative is True
    assert illustrative.note is not None
    assert "not regulatory" in illustrative.note
    # the name the example passports record in carbon_footprint.class_scheme
    assert illustrative.name == load("ev-nmc").carbon_footprint.class_scheme
    assert illustrative.bands() == [
        Band("A", D(0), D("0.025")),
        Band("B", D("0.025"), D("0.060")),
        Band("C", D("0.060"), D("0.150")),
        Band("D", D("0.150"), D("0.300")),
        Band("E", D("0.300"), None),
    ]


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("ev-nmc", "B"),  # 0.052: 0.025 < 0.052 <= 0.060
        ("lfp-storage", "A"),  # 0.0123 <= 0.025
        ("lmt-ebike", "C"),  # 0.117: 0.060 < 0.117 <= 0.150
    ],
)
def test_examples_get_their_declared_class(
    illustrative: ThresholdScheme, name: str, expected: str
) -> None:
    p = load(name)
    assert p.carbon_footprint.performance_class == expected
    assert p.carbon_footprint.total_kg_co2e_per_kwh is not None
    assert illustrative.classify(p.carbon_footprint.total_kg_co2e_per_kwh) == expected
    check_declared_class(p, illustrative)


def test_regional_scheme_from_toml(gba: ThresholdScheme) -> None:
    assert gba.illustrative is True
    assert gba.name.startswith("Greater Bay Area example")
    assert [b.label for b in gba.bands()] == ["Level 1", "Level 2", "Level 3", "Level 4"]
    assert gba.bands()[0].upper == D("0.030")  # read from TOML as an exact decimal
    assert gba.classify(D("0.052")) == "Level 2"
    assert gba.classify(D("0.0123")) == "Level 1"
    assert gba.classify(D("0.117")) == "Level 3"
    # the example passports declared their class under the other scheme
    with pytest.raises(ValidationError, match="assigned under scheme") as info:
        check_declared_class(load("ev-nmc"), gba)
    assert info.value.path == ("carbon_footprint", "class_scheme")


@pytest.mark.parametrize(
    ("value", "label"),
    [
        ("0", "A"),
        ("0.025", "A"),  # upper bounds are inclusive
        ("0.0250000001", "B"),
        ("0.060", "B"),
        ("0.06", "B"),
        ("0.0600001", "C"),
        ("0.150", "C"),
        ("0.300", "D"),
        ("0.3000001", "E"),
        ("1e6", "E"),
    ],
)
def test_class_boundaries(illustrative: ThresholdScheme, value: str, label: str) -> None:
    assert illustrative.classify(D(value)) == label


@pytest.mark.parametrize("value", [D("-0.001"), D("NaN"), D("Infinity"), 0.05, "0.05"])
def test_classify_rejects_bad_values(illustrative: ThresholdScheme, value: Any) -> None:
    with pytest.raises(ValidationError):
        illustrative.classify(value)


# ---------------------------------------------------------------- loading errors


def _good() -> dict[str, Any]:
    data = json.loads(ILLUSTRATIVE.read_text(encoding="utf-8"))
    assert isinstance(data, dict)
    return data


def _edit(**top: Any) -> dict[str, Any]:
    data = copy.deepcopy(_good())
    for key, value in top.items():
        if value is ...:
            data.pop(key)
        else:
            data[key] = value
    return data


def _classes(*rows: tuple[str, Any]) -> list[dict[str, Any]]:
    return [{"label": label, "upper_bound": bound} for label, bound in rows]


BAD: list[tuple[str, Any, tuple[Any, ...], str]] = [
    ("not an object", [1, 2], (), "must be an object"),
    ("wrong format", _edit(format="x/1"), ("format",), "unsupported format"),
    ("unknown key", _edit(colour="green"), (), "unknown key(s): colour"),
    ("missing name", _edit(name=...), (), "missing key(s): name"),
    ("empty name", _edit(name=" "), ("name",), "non-empty string"),
    ("illustrative as text", _edit(illustrative="yes"), ("illustrative",), "true or false"),
    ("empty note", _edit(note=""), ("note",), "non-empty string"),
    ("wrong unit", _edit(unit="g CO2e/kWh"), ("unit",), "'kg CO2e/kWh'"),
    ("classes not a list", _edit(classes={"A": 1}), ("classes",), "at least two"),
    ("one class", _edit(classes=_classes(("A", None))), ("classes",), "at least two"),
    (
        "last class bounded",
        _edit(classes=_classes(("A", D(1)), ("B", D(2)))),
        ("classes", 1, "upper_bound"),
        "last class must be unbounded",
    ),
    (
        "middle class unbounded",
        _edit(classes=_classes(("A", D(1)), ("B", None), ("C", None))),
        ("classes", 1, "upper_bound"),
        "only the last class may be unbounded",
    ),
    (
        "decreasing",
        _edit(classes=_classes(("A", D(2)), ("B", D(1)), ("C", None))),
        ("classes", 1, "upper_bound"),
        "increase strictly",
    ),
    (
        "equal bounds",
        _edit(classes=_classes(("A", D(1)), ("B", D("1.0")), ("C", None))),
        ("classes", 1, "upper_bound"),
        "increase strictly",
    ),
    (
        "zero bound",
        _edit(classes=_classes(("A", 0), ("B", None))),
        ("classes", 0, "upper_bound"),
        "above 0",
    ),
    (
        "text bound",
        _edit(classes=_classes(("A", "0.1"), ("B", None))),
        ("classes", 0, "upper_bound"),
        "must be a number",
    ),
    (
        "duplicate label",
        _edit(classes=_classes(("A", D(1)), ("A", None))),
        ("classes", 1, "label"),
        "appears twice",
    ),
    (
        "empty label",
        _edit(classes=_classes(("", D(1)), ("B", None))),
        ("classes", 0, "label"),
        "non-empty label",
    ),
    (
        "long label",
        _edit(classes=_classes(("A" * 17, D(1)), ("B", None))),
        ("classes", 0, "label"),
        "at most 16",
    ),
    (
        "unknown class key",
        _edit(classes=[{"label": "A", "upper_bound": 1, "colour": "green"}, {"label": "B"}]),
        ("classes", 0),
        "unknown key(s): colour",
    ),
    ("class not an object", _edit(classes=["A", "B"]), ("classes", 0), "expected an object"),
]


@pytest.mark.parametrize(("name", "data", "path", "fragment"), BAD, ids=[b[0] for b in BAD])
def test_bad_schemes(name: str, data: Any, path: tuple[Any, ...], fragment: str) -> None:
    with pytest.raises(ValidationError) as info:
        ThresholdScheme.from_mapping(data, source="scheme.json")
    assert info.value.path == path
    assert fragment in str(info.value)
    assert str(info.value).startswith("scheme.json: ")


def test_file_errors(tmp_path: Path) -> None:
    with pytest.raises(ValidationError, match=r"\.json or \.toml"):
        ThresholdScheme.from_file(tmp_path / "scheme.yaml")
    with pytest.raises(FileError, match="no such scheme file"):
        ThresholdScheme.from_file(tmp_path / "absent.toml")
    bad_toml = tmp_path / "bad.toml"
    bad_toml.write_text('name = "x\n', encoding="utf-8")
    with pytest.raises(DecodeError, match="not valid TOML") as info:
        ThresholdScheme.from_file(bad_toml)
    assert info.value.source == str(bad_toml)
    bad_json = tmp_path / "bad.json"
    bad_json.write_text('{"name": ', encoding="utf-8")
    with pytest.raises(DecodeError, match="not valid JSON"):
        ThresholdScheme.from_file(bad_json)
    latin1 = tmp_path / "latin1.toml"
    latin1.write_bytes(b'name = "\xe9"\n')
    with pytest.raises(DecodeError, match="not UTF-8"):
        ThresholdScheme.from_file(latin1)


def test_toml_last_class_without_bound_and_null_in_json_agree(tmp_path: Path) -> None:
    toml = tmp_path / "s.toml"
    toml.write_text(
        'format = "batterypass-class-scheme/1"\nname = "n"\nillustrative = false\n'
        'unit = "kg CO2e/kWh"\n[[classes]]\nlabel = "low"\nupper_bound = 0.1\n'
        '[[classes]]\nlabel = "high"\n',
        encoding="utf-8",
    )
    from_toml = ThresholdScheme.from_file(toml)
    from_json = ThresholdScheme.from_json(
        '{"format": "batterypass-class-scheme/1", "name": "n", "illustrative": false, '
        '"unit": "kg CO2e/kWh", "classes": [{"label": "low", "upper_bound": 0.1}, '
        '{"label": "high", "upper_bound": null}]}'
    )
    assert from_toml == from_json
    assert from_toml.note is None


# ---------------------------------------------------------------- the declared-class check


def test_wrong_declared_class(illustrative: ThresholdScheme) -> None:
    p = with_footprint("ev-nmc", performance_class="A")
    with pytest.raises(ValidationError, match="declared class 'A'") as info:
        check_declared_class(p, illustrative)
    assert info.value.path == ("carbon_footprint", "performance_class")
    assert info.value.legal_basis == "Art. 7(2); Annex XIII(1)(c)"


def test_missing_class_or_footprint(illustrative: ThresholdScheme) -> None:
    with pytest.raises(ValidationError, match="no performance class") as info:
        check_declared_class(with_footprint("ev-nmc", performance_class=None), illustrative)
    assert info.value.path == ("carbon_footprint", "performance_class")
    empty = dict.fromkeys(
        (
            "total_kg_co2e_per_kwh",
            "raw_material_acquisition_kg_co2e_per_kwh",
            "main_production_kg_co2e_per_kwh",
            "distribution_kg_co2e_per_kwh",
            "end_of_life_kg_co2e_per_kwh",
        )
    )
    with pytest.raises(ValidationError, match="no carbon footprint") as info:
        check_declared_class(with_footprint("ev-nmc", **empty), illustrative)
    assert info.value.path == ("carbon_footprint", "total_kg_co2e_per_kwh")


def test_class_without_scheme_name_is_checked_against_the_given_scheme(
    gba: ThresholdScheme,
) -> None:
    p = with_footprint("ev-nmc", class_scheme=None, performance_class="Level 2")
    check_declared_class(p, gba)


@dataclass(frozen=True)
class PerKwhDecades:
    """A scheme that is not a ThresholdScheme: one class per power of ten."""

    name: str = "decades"
    illustrative: bool = True

    def classify(self, value: Decimal) -> str:
        return next(b.label for b in self.bands() if b.contains(value))

    def bands(self) -> list[Band]:
        return [
            Band("1", D(0), D("0.01")),
            Band("2", D("0.01"), D("0.1")),
            Band("3", D("0.1"), None),
        ]


def test_any_object_of_the_protocol_is_a_scheme() -> None:
    scheme = PerKwhDecades()
    assert isinstance(scheme, ClassScheme)
    p = with_footprint("ev-nmc", class_scheme="decades", performance_class="2")
    check_declared_class(p, scheme)


# ---------------------------------------------------------------- properties


@st.composite
def schemes(draw: st.DrawFn) -> ThresholdScheme:
    bounds = sorted(
        draw(
            st.sets(
                st.decimals(min_value=D("0.001"), max_value=100, places=3), min_size=1, max_size=8
            )
        )
    )
    classes = [{"label": f"C{i}", "upper_bound": b} for i, b in enumerate(bounds)]
    classes.append({"label": "last"})
    return ThresholdScheme.from_mapping(
        {
            "format": "batterypass-class-scheme/1",
            "name": "random",
            "illustrative": True,
            "unit": "kg CO2e/kWh",
            "classes": classes,
        }
    )


@given(
    scheme=schemes(),
    a=st.decimals(min_value=0, max_value=200, places=4),
    b=st.decimals(min_value=0, max_value=200, places=4),
)
def test_property_classes_are_monotonic_and_exclusive(
    scheme: ThresholdScheme, a: Decimal, b: Decimal
) -> None:
    labels = [band.label for band in scheme.bands()]
    lo, hi = sorted((a, b))
    assert labels.index(scheme.classify(lo)) <= labels.index(scheme.classify(hi))
    assert sum(band.contains(a) for band in scheme.bands()) == 1
    band = scheme.band_of(a)
    assert band.lower <= a
    assert band.upper is None or a <= band.upper
