"""The Catena-X export supplement (issue 19, ADR 0013): values the passport does not hold,
merged into an export so that it validates against the 6.1.0 and 6.0.0 schemas, and given
back by import so that a payload survives a trip through the passport."""

from __future__ import annotations

import json
import subprocess
import sys
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from tests.interop.test_catena_x import REPAIRED, schema_errors

from batterypass.cli import run
from batterypass.codec import json as bp_json
from batterypass.errors import ValidationError
from batterypass.interop import catena_x as cx
from batterypass.model import BatteryPassport
from batterypass.testing import passports

ROOT = Path(__file__).resolve().parents[2]
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
    from batterypass.model import parse_passport

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
