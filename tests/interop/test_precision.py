"""Issue 15, "Consortium import and export precision": each point held to the consortium's
own samples or to our examples' CLI export."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from batterypass.cli import run
from batterypass.codec import json as bp_json
from batterypass.errors import ValidationError
from batterypass.interop import battery_pass as dm
from batterypass.model import BatteryPassport

ROOT = Path(__file__).resolve().parents[2]


def _back(docs: Any, p: BatteryPassport, notes: list[str] | None = None) -> BatteryPassport:
    return dm.import_aspects(docs, issued_at=p.issued_at, issuer=p.issuer, notes=notes)


def _issues(error: ValidationError) -> set[tuple[str, str]]:
    return {("".join(f"/{t}" for t in i.path[1:]), i.message) for i in error.issues}


def test_recycled_shares_over_100_percent_are_told_at_the_entry(
    ev_passport: BatteryPassport,
) -> None:
    docs = dm.export_aspects(ev_passport)
    entry = docs[dm.CIRCULARITY]["recycledContent"][0]
    entry.update(preConsumerShare=60, postConsumerShare=50)
    with pytest.raises(ValidationError) as caught:
        _back(docs, ev_passport)
    assert _issues(caught.value) == {
        (
            "/recycledContent/0",
            "preConsumerShare 60 % + postConsumerShare 50 % = 110 %: the recycled shares of one "
            "material cannot exceed 100 %",
        )
    }


def test_a_cas_number_with_white_space_is_read_with_a_note(ev_passport: BatteryPassport) -> None:
    docs = dm.export_aspects(ev_passport)
    clean = _back(docs, ev_passport)
    material = next(
        m for m in docs[dm.MATERIALS]["batteryMaterials"] if "batteryMaterialIdentifier" in m
    )
    material["batteryMaterialIdentifier"] += " "
    notes: list[str] = []
    back = _back(docs, ev_passport, notes)
    assert back.materials == clean.materials
    assert any("white space around the CAS number" in n for n in notes)


@pytest.mark.parametrize(("name", "code"), [("Germany", "DE"), ("sverige", "SE"), ("China", "CN")])
def test_country_names_are_read_as_codes(
    ev_passport: BatteryPassport, name: str, code: str
) -> None:
    docs = dm.export_aspects(ev_passport)
    docs[dm.GENERAL]["manufacturingPlace"]["addressCountry"] = name
    notes: list[str] = []
    back = _back(docs, ev_passport, notes)
    assert back.general.manufacturing_place is not None
    assert back.general.manufacturing_place.address.country == code
    assert any(f"country name {name!r} read as its ISO 3166-1 code {code!r}" in n for n in notes)


def test_a_gmonth_warranty_is_read_with_a_note(ev_passport: BatteryPassport) -> None:
    docs = dm.export_aspects(ev_passport)
    docs[dm.GENERAL]["warrentyPeriod"] = "--06"
    notes: list[str] = []
    assert _back(docs, ev_passport, notes).general.warranty_period_months == 6
    assert [n for n in notes if "warrentyPeriod" in n] == [
        f"{dm.GENERAL} /warrentyPeriod: '--06' is an xsd:gMonth (a month of the year); read as "
        "a period of 6 months, the consortium's evident intent"
    ]


@pytest.mark.parametrize(
    ("email", "problem"),
    [
        (".info@example.com", "starts or ends with a dot"),
        ("info.@example.com", "starts or ends with a dot"),
        ("in..fo@example.com", "has two dots in a row"),
    ],
)
def test_e_mail_local_parts_with_stray_dots_are_refused(
    ev_passport: BatteryPassport, email: str, problem: str
) -> None:
    docs = dm.export_aspects(ev_passport)
    docs[dm.GENERAL]["manufacturerInformation"]["emailAddress"] = email
    docs[dm.CIRCULARITY]["sparePartSources"][0]["emailAddressOfSupplier"] = email
    with pytest.raises(ValidationError) as caught:
        _back(docs, ev_passport)
    message = f"{email!r} is no e-mail address: its local part {problem}"
    assert _issues(caught.value) >= {
        ("/manufacturerInformation/emailAddress", message),
        ("/sparePartSources/0/emailAddressOfSupplier", message),
    }


@pytest.mark.parametrize("name", ["lfp-storage", "lmt-ebike"])
def test_cli_export_reimports_without_an_issuer(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], name: str
) -> None:
    example = ROOT / "examples" / "passports" / f"{name}.json"
    original = bp_json.loads(example.read_bytes())
    assert (
        run(["export", str(example), "--format", "battery-pass-dm", "--out", str(tmp_path / "d")])
        == 0
    )
    out = tmp_path / "p.json"
    args = ["import", str(tmp_path / "d"), "--out", str(out), "--issued-at"]
    assert run([*args, original.issued_at.isoformat()]) == 0
    assert bp_json.loads(out.read_bytes()).issuer == original.general.manufacturer.id  # type: ignore[union-attr]
    assert run([*args, original.issued_at.isoformat(), "--issuer", "urn:x:other", "--force"]) == 0
    assert bp_json.loads(out.read_bytes()).issuer == "urn:x:other"
    capsys.readouterr()


def test_cli_import_prints_every_issue_and_json_has_them_all(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], ev_passport: BatteryPassport
) -> None:
    docs = dm.export_aspects(ev_passport)
    docs[dm.GENERAL]["batteryMass"] = -1
    docs[dm.GENERAL]["manufacturerInformation"]["emailAddress"] = ".x@example.com"
    folder = tmp_path / "d"
    folder.mkdir()
    for aspect, doc in docs.items():
        (folder / f"{aspect}.json").write_text(dm.dumps_aspect(doc), encoding="utf-8")
    out = str(tmp_path / "p.json")
    stamp = ev_passport.issued_at.isoformat()
    assert run(["import", str(folder), "--out", out, "--issued-at", stamp]) == 1
    lines = capsys.readouterr().err.splitlines()
    assert len(lines) == 2
    assert any(
        line.startswith("batterypass: GeneralProductInformation /batteryMass: ") and "[" in line
        for line in lines
    )
    assert run(["import", str(folder), "--out", out, "--issued-at", stamp, "--json"]) == 1
    record = json.loads(capsys.readouterr().out)
    assert {tuple(i["path"]) for i in record["error"]["issues"]} == {
        ("GeneralProductInformation", "batteryMass"),
        ("GeneralProductInformation", "manufacturerInformation", "emailAddress"),
    }
    assert not Path(out).exists()


def test_the_sample_addresses_import_without_a_city(
    ev_passport: BatteryPassport, support: Any
) -> None:
    sample = dm.read_aspect_file(support.VECTORS / support.SAMPLE_FILES[(dm.GENERAL, "1.2.0")])
    address = sample["manufacturerInformation"]["postalAddress"]
    assert address == {
        "addressCountry": "Germany",
        "streetAddress": "Hindenburgstr. 10",
        "postalCode": "10719",
    }
    docs = dm.export_aspects(ev_passport)
    docs[dm.GENERAL]["manufacturerInformation"]["postalAddress"] = address
    notes: list[str] = []
    back = _back(docs, ev_passport, notes).general.manufacturer.address  # type: ignore[union-attr]
    assert (back.street, back.postal_code, back.city, back.country) == (
        "Hindenburgstr. 10",
        "10719",
        None,
        "DE",
    )
    here = f"{dm.GENERAL} /manufacturerInformation/postalAddress"
    assert [n for n in notes if n.startswith(here)] == [
        f"{here}/addressCountry: country name 'Germany' read as its ISO 3166-1 code 'DE'",
        f"{here}/streetAddress: no city: the consortium's address has no locality property and "
        "streetAddress has no ', city' part; the address is kept without a city (its postal "
        "code '10719' locates it)",
    ]


def test_cli_export_writes_performance_120_on_request(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    example = str(ROOT / "examples" / "passports" / "ev-nmc.json")
    args = ["export", example, "--format", "battery-pass-dm"]
    for version in ("1.2.0", "1.2.1"):
        out = tmp_path / version
        assert run([*args, "--out", str(out), "--performance-version", version, "--json"]) == 0
        record = json.loads(capsys.readouterr().out)
        assert record["performance_version"] == version
        doc = dm.read_aspect_file(out / f"{dm.PERFORMANCE}.json")
        assert dm.detect_performance_version(doc) == version
    assert run([*args, "--out", str(tmp_path / "default"), "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["performance_version"] == "1.2.1"
    assert run([*args, "--out", str(tmp_path / "x"), "--performance-version", "1.3.0"]) == 2
    cx_args = ["export", example, "--format", "catena-x", "--out", str(tmp_path / "cx.json")]
    assert run([*cx_args, "--performance-version", "1.2.0"]) == 2
    assert "--performance-version applies to --format battery-pass-dm only" in (
        capsys.readouterr().err
    )
    assert not (tmp_path / "cx.json").exists()
    # Read back, the 1.2.0 files give the passport of the 1.2.1 files but for the idle range
    # (and with every remaining power capability).
    stamp = bp_json.loads(Path(example).read_bytes()).issued_at.isoformat()
    for version in ("1.2.0", "1.2.1"):
        back = ["import", str(tmp_path / version), "--out", str(tmp_path / f"{version}.json")]
        assert run([*back, "--issued-at", stamp]) == 0
    old = bp_json.loads((tmp_path / "1.2.0.json").read_bytes())
    new = bp_json.loads((tmp_path / "1.2.1.json").read_bytes())
    assert old.performance.idle_temperature_min_c is None  # type: ignore[union-attr]
    assert new.performance.idle_temperature_min_c is not None  # type: ignore[union-attr]
    capsys.readouterr()
