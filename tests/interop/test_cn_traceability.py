"""The national traceability event file (specs/cn-traceability.md): built from verified logs
only, keyed by the GB/T 34014 code, the five reported stages, the example and the command."""

from __future__ import annotations

import dataclasses
import importlib.util
import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from batterypass.cli import run
from batterypass.errors import ValidationError
from batterypass.interop.cn_traceability import (
    EVENT_KINDS,
    FORMAT,
    NationalEventKind,
    dumps_traceability,
    traceability_document,
)
from batterypass.lifecycle import EventType, VerifiedChain, read_log
from batterypass.verify import TrustStore, verify_events

ROOT = Path(__file__).resolve().parents[2]
DUAL = ROOT / "examples" / "dual-market"
CODE = "X9DPE75EVP75SZG9X0000457"
AT = datetime(2040, 1, 1, tzinfo=UTC)


def _chain(where: Path = DUAL) -> VerifiedChain:
    return verify_events(
        read_log(where / "ev-dual-market.events"),
        trust=TrustStore.from_file(where / "trust.json"),
        passport=(where / "ev-dual-market.cose").read_bytes(),
        at=AT,
    )


def _build(out: Path) -> None:
    spec = importlib.util.spec_from_file_location("build_dual", DUAL / "build.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    module.build(out)


def test_the_committed_example_is_reproducible(tmp_path: Path) -> None:
    _build(tmp_path)
    for name in (
        "ev-dual-market.cose",
        "ev-dual-market.events",
        "ev-dual-market.cn-events.json",
        "trust.json",
    ):
        assert (tmp_path / name).read_bytes() == (DUAL / name).read_bytes(), name


def test_the_example_file_is_the_export_of_its_verified_log() -> None:
    text = (DUAL / "ev-dual-market.cn-events.json").read_text(encoding="utf-8")
    assert dumps_traceability(_chain()) == text


def test_the_file_is_keyed_by_the_code_and_reports_the_five_stages() -> None:
    doc = traceability_document(_chain())
    assert doc["format"] == FORMAT
    assert list(doc["batteries"]) == [CODE]
    entry = doc["batteries"][CODE]
    assert entry["product_type"] == "pack"
    assert entry["original_code"] is None
    kinds = [e["kind"] for e in entry["events"]]
    assert kinds == ["production", "sale", "repair_replacement", "retirement", "recycling"]
    assert [e["sequence"] for e in entry["events"]] == [0, 1, 4, 5, 6]
    assert [n["source_event"] for n in entry["not_reported"]] == ["put_into_service", "usage"]
    repair = entry["events"][2]
    assert repair["details"]["replaced_parts"] == ["X9DME12EVM12SZG9S0001202"]
    assert {c["product_type"] for c in entry["components"]} == {"module", "cell"}
    # Every reported event names the signed payload it comes from.
    chain = _chain()
    hashes = {v.event.sequence: v.payload_sha256 for v in chain.events}
    for e in entry["events"]:
        assert e["payload_sha256"] == hashes[e["sequence"]]


def test_every_event_type_is_either_reported_or_listed_as_not_reported() -> None:
    assert set(EVENT_KINDS.values()) == set(NationalEventKind)
    assert set(EVENT_KINDS) < set(EventType)


def test_a_passport_without_a_code_cannot_be_exported() -> None:
    life = ROOT / "examples" / "lifecycle"
    chain = verify_events(
        read_log(life / "ev-nmc.events"),
        trust=TrustStore.from_file(life / "trust.json"),
        passport=(life / "ev-nmc.cose").read_bytes(),
        at=AT,
    )
    with pytest.raises(ValidationError, match="has no GB/T 34014 code") as caught:
        traceability_document(chain)
    assert caught.value.path == ("china", "gbt34014_code")


def test_nothing_to_export() -> None:
    with pytest.raises(ValidationError, match="no verified event log"):
        traceability_document()


def _successor(chain: VerifiedChain, *, code: str, original: str | None) -> VerifiedChain:
    china = chain.passport.china.model_copy(
        update={
            "gbt34014_code": code,
            "gbt34014_original_code": original,
            "gbt34014_components": None,
        }
    )
    passport = chain.passport.model_copy(
        update={"passport_id": "urn:uuid:11111111-2222-4333-8444-555555555555", "china": china}
    )
    return dataclasses.replace(chain, passport=passport)


def test_a_re_coded_battery_is_a_second_key_naming_its_original_code() -> None:
    chain = _chain()
    new_code = "X9DPE75EVP75SZL3A0000001"
    doc = traceability_document(chain, _successor(chain, code=new_code, original=CODE))
    assert list(doc["batteries"]) == [CODE, new_code]
    assert doc["batteries"][new_code]["original_code"] == CODE


def test_logs_of_one_code_are_merged_in_order() -> None:
    chain = _chain()
    doc = traceability_document(chain, _successor(chain, code=CODE, original=None))
    entry = doc["batteries"][CODE]
    assert entry["passport_ids"] == [
        chain.passport.passport_id,
        "urn:uuid:11111111-2222-4333-8444-555555555555",
    ]
    assert len(entry["events"]) == 10


def test_one_code_on_two_batteries_is_refused() -> None:
    chain = _chain()
    other = _successor(chain, code=CODE, original=None)
    other = dataclasses.replace(
        other,
        passport=other.passport.model_copy(
            update={"battery_id": "https://id.example-cells.example/01/09506000134352/21/X"}
        ),
    )
    with pytest.raises(ValidationError, match="is held by two batteries"):
        traceability_document(chain, other)


# --- the command ----------------------------------------------------------------------------


def _args(out: Path, log: Path = DUAL / "ev-dual-market.events") -> list[str]:
    return [
        "events",
        "export-cn",
        str(log),
        "--passport",
        str(DUAL / "ev-dual-market.cose"),
        "--trust",
        str(DUAL / "trust.json"),
        "--at",
        "2040-01-01T00:00:00Z",
        "--out",
        str(out),
    ]


def test_command_writes_the_example_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "cn.json"
    assert run(_args(out)) == 0
    assert out.read_bytes() == (DUAL / "ev-dual-market.cn-events.json").read_bytes()
    err = capsys.readouterr().err
    assert f"5 reportable event(s) of {CODE} ({FORMAT})" in err
    assert run(_args(out)) == 2  # no silent overwrite
    assert run([*_args(out), "--force"]) == 0
    assert json.loads(out.read_text(encoding="utf-8"))["format"] == FORMAT


def test_command_writes_nothing_for_a_tampered_log(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = bytearray((DUAL / "ev-dual-market.events").read_bytes())
    at = bytes(data).index(b"Rotterdam")
    data[at] ^= 0x20  # "rotterdam": the recycler's event no longer matches its signature
    log = tmp_path / "tampered.events"
    log.write_bytes(bytes(data))
    out = tmp_path / "cn.json"
    assert run(_args(out, log)) == 1
    assert not out.exists()
    assert "tampered.events" in capsys.readouterr().err


def test_command_needs_both_original_options(tmp_path: Path) -> None:
    args = [*_args(tmp_path / "cn.json"), "--original-log", str(DUAL / "ev-dual-market.events")]
    assert run(args) == 2
