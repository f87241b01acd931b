"""The event key table, its CDDL and specs/events.md: shipped, current and in agreement."""

from __future__ import annotations

import importlib.util
import types
from pathlib import Path
from typing import TYPE_CHECKING

import pycddl
import pytest

from batterypass.codec._cbor_passport import KeyTableMismatch, parse_key_table
from batterypass.codec.cbor import encode_value
from batterypass.cose import decode_sign1_unverified
from batterypass.lifecycle import EVENT_CONTENT_TYPE, PAYLOAD_TYPES, decode_event
from batterypass.lifecycle._wire import bind, event_key_table, to_wire

if TYPE_CHECKING:
    from conftest import World

ROOT = Path(__file__).resolve().parents[2]


def _generator() -> types.ModuleType:
    spec = importlib.util.spec_from_file_location("gen_events", ROOT / "specs" / "gen_events.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_package_copy_is_byte_identical() -> None:
    shipped = ROOT / "src" / "batterypass" / "data" / "event-keys.csv"
    assert shipped.read_bytes() == (ROOT / "specs" / "event-keys.csv").read_bytes()


def test_generated_docs_are_current() -> None:
    assert _generator().main(["--check"]) == 0, "run: python specs/gen_events.py"


def test_every_event_type_is_documented() -> None:
    text = (ROOT / "specs" / "events.md").read_text(encoding="utf-8")
    for event_type, model in PAYLOAD_TYPES.items():
        assert f"### `{event_type.value}`" in text
        for name in model.model_fields:
            assert f"| `{name}` |" in text


def test_key_table_binds_and_a_stale_row_is_refused() -> None:
    bind(event_key_table())
    text = (ROOT / "specs" / "event-keys.csv").read_text(encoding="utf-8")
    with pytest.raises(KeyTableMismatch, match="ghost"):
        bind(parse_key_table(text + "UsagePayload.ghost,99,?uint,,,1,\n"))
    without = "".join(
        line for line in text.splitlines(keepends=True) if not line.startswith("sequence,")
    )
    with pytest.raises(KeyTableMismatch, match="sequence"):
        bind(parse_key_table(without))


@pytest.fixture(scope="module")
def schema() -> pycddl.Schema:
    return pycddl.Schema((ROOT / "specs" / "events.cddl").read_text(encoding="utf-8"))


def test_events_are_valid_cddl(schema: pycddl.Schema, world: World) -> None:
    for message in world.full_life():
        msg = decode_sign1_unverified(message)
        assert msg.protected[3] == EVENT_CONTENT_TYPE
        assert msg.payload is not None
        schema.validate_cbor(msg.payload)


def test_cddl_rejects_wrong_shapes(schema: pycddl.Schema, world: World) -> None:
    message = world.full_life()[3]  # usage
    payload = decode_sign1_unverified(message).payload
    assert payload is not None
    wire = to_wire(decode_event(payload))
    bad = [
        {**wire, 99: 1},  # unknown key
        {**wire, 1: 0},  # manufactured type with a usage payload
        {k: v for k, v in wire.items() if k != 4},  # no sequence
        {**wire, 8: {**wire[8], 0: "many"}},  # cycles as text
    ]
    for value in bad:
        with pytest.raises(pycddl.ValidationError):
            schema.validate_cbor(encode_value(value))
