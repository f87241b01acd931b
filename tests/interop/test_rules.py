"""The declarative rule engine (batterypass/interop/_rules.py) and the consortium's rules: one
rule drives export, import and the mapping table."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import pytest

from batterypass.errors import PathItem
from batterypass.interop import _rules
from batterypass.interop import battery_pass as dm
from batterypass.model import BatteryPassport, BatteryStatus


class _Recorder:
    """A Source and a Sink that remember what they were told."""

    def __init__(self) -> None:
        self.failed: list[tuple[str, str, str]] = []
        self.noted: list[tuple[str, str, str]] = []
        self.values: dict[tuple[PathItem, ...], tuple[Any, str, str]] = {}
        self.traced: dict[tuple[PathItem, ...], tuple[str, str]] = {}
        self.losses: list[tuple[str, str]] = []

    def fail(self, aspect: str, pointer: str, message: str, legal_basis: str | None = None) -> None:
        self.failed.append((aspect, pointer, message))

    def note(self, aspect: str, pointer: str, message: str) -> None:
        self.noted.append((aspect, pointer, message))

    def put(self, path: tuple[PathItem, ...], value: Any, aspect: str, pointer: str) -> None:
        self.values[path] = (value, aspect, pointer)

    def at(self, path: tuple[PathItem, ...], aspect: str, pointer: str) -> None:
        self.traced[path] = (aspect, pointer)

    def lost(
        self, field: str, message: str, aspect: str | None = None, pointer: str | None = None
    ) -> None:
        self.losses.append((field, message))

    def deviation(
        self, aspect: str, pointer: str, rule: str, message: str, field: str | None = None
    ) -> None:
        self.losses.append((field or "", message))


def test_pointers_are_set_and_read_with_escaping() -> None:
    doc: dict[str, Any] = {"a": None}
    _rules.set_pointer(doc, "/a/b~1c/d~0e", 1)
    assert doc == {"a": {"b/c": {"d~e": 1}}}
    assert _rules.get_pointer(doc, "/a/b~1c/d~0e") == (True, 1)
    assert _rules.get_pointer(doc, "/a/x") == (False, None)
    assert _rules.get_pointer({"a": 3}, "/a/b") == (False, None)


def test_scale_is_exact_both_ways() -> None:
    rule = _rules.Rule("D", "/p", "x.y", _rules.Scale(Decimal("0.001"), "kW = W / 1000"))
    rec = _Recorder()
    assert rule.convert.write(Decimal("123456789.123"), rule, rec) == Decimal("123456.789123")
    assert rule.convert.read(Decimal("1.5"), rule, "/p", rec) == Decimal(1500)
    thirds = _rules.Rule("D", "/p", "x.y", _rules.Scale(Decimal(3), "x 3"))
    assert thirds.convert.read(Decimal(1), thirds, "/p", rec) == Decimal(
        "0.3333333333333333333333333333333333"
    )
    assert rec.noted == [("D", "/p", "rounded to 34 significant digits")]


def test_whole_and_table_reject_with_the_pointer() -> None:
    rec = _Recorder()
    count = _rules.Rule("D", "/n", "a.n", _rules.WHOLE)
    status = next(r for r in dm.RULES if r.field == "status")
    docs = {"D": {"n": Decimal("2.5")}, dm.GENERAL: {"batteryStatus": "Recycled"}}
    _rules.import_rules([count, status], docs, rec)
    assert rec.failed == [
        ("D", "/n", "2.5 is not a whole number"),
        (
            dm.GENERAL,
            "/batteryStatus",
            "'Recycled' is not one of Original, Repurposed, Reused, Remanufactured, Waste",
        ),
    ]
    assert rec.values == {}
    assert status.convert.write(BatteryStatus.REUSED, status, rec) == "Reused"


def test_import_reads_the_other_version_s_pointer_and_traces_absent_values() -> None:
    rule = _rules.Rule("D", "/new/v", "a.v", read_also=("/old/v",))
    rec = _Recorder()
    _rules.import_rules([rule], {"D": {"old": {"v": 7}, "new": {}}}, rec)
    assert rec.values == {("a", "v"): (7, "D", "/old/v")}
    rec = _Recorder()
    _rules.import_rules([rule], {"D": {"new": {"w": 1}}}, rec)
    assert rec.values == {}
    assert rec.traced == {("a", "v"): ("D", "/new/v")}


def test_date_stamps_drop_a_time_of_day_with_a_note() -> None:
    rule = _rules.Rule("D", "/d", "a.d", _rules.DateStamp())
    rec = _Recorder()
    assert rule.convert.write(date(2026, 3, 1), rule, rec) == "2026-03-01T00:00:00Z"
    assert rule.convert.read("2026-03-01T10:00:00+01:00", rule, "/d", rec) == date(2026, 3, 1)
    assert len(rec.noted) == 1
    assert rule.convert.read("2026-13-01T00:00:00Z", rule, "/d", rec) is _rules.INVALID
    assert rec.failed[0][1] == "/d"


def test_the_consortium_has_about_sixty_plain_rules_each_a_real_data_point(
    ev_passport: BatteryPassport,
) -> None:
    assert 50 <= len(dm.RULES) <= 70
    assert len({(r.aspect, r.pointer) for r in dm.RULES}) == len(dm.RULES)
    for rule in dm.RULES:
        _rules.get_field(ev_passport, rule.path)  # raises AttributeError for a wrong path


@pytest.mark.parametrize("rule", dm.RULES, ids=lambda r: r.field)
def test_each_rule_drives_export_and_import(example_passport: BatteryPassport, rule: Any) -> None:
    """What a rule's data point holds is where the rule says in the export, converted by the
    rule, and comes back from there on import."""
    value = _rules.get_field(example_passport, rule.path)
    docs = dm.export_aspects(example_passport)
    found, wire = _rules.get_pointer(docs.get(rule.aspect, {}), rule.pointer)
    if value is None:
        assert not found
        return
    rec = _Recorder()
    assert found
    assert wire == rule.convert.write(value, rule, rec)
    back = dm.import_aspects(
        docs, issued_at=example_passport.issued_at, issuer=example_passport.issuer
    )
    assert _rules.get_field(back, rule.path) == value


def test_rules_generate_their_longlist_rows() -> None:
    rows = {r.id: r for r in dm.LONGLIST_MAPPING}
    for rule in dm.RULES:
        if rule.longlist is None:
            continue
        row = rows[rule.longlist]
        assert row.fields == (rule.field,)
        assert row.wire == (_rules.rule_wire(rule),)
        assert row.conversion == rule.conversion
