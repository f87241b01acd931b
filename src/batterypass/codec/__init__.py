"""Bytes and text <-> model: deterministic CBOR, strict JSON, GS1 Digital Link and the
selectively disclosable layout.

Public modules: :mod:`batterypass.codec.cbor` (deterministic CBOR and the passport wire
format), :mod:`batterypass.codec.json` (strict JSON), :mod:`batterypass.codec.gs1`. The
disclosable layout (``specs/selective-disclosure.md``), the key-table binder and its value
codecs (``codec/_keytable.py``, which the event format builds on) and :func:`item_end` (to
split a stream of CBOR items) are exported here for the packages above (``disclosure``,
``verify``, ``lifecycle``); everything else in a ``_`` module is private to this package.
"""

from __future__ import annotations

from batterypass.codec import cbor, gs1, json
from batterypass.codec._cbor_scan import item_end
from batterypass.codec._disclosable import (
    SALT_BYTES,
    SD_ALG_SHA256,
    WITHHELD_GROUPS,
    DisclosablePayload,
    KeyPath,
    assemble_disclosed,
    data_point_at,
    decode_disclosable_payload,
    decode_disclosure,
    encode_decoy,
    encode_disclosable_payload,
    encode_disclosure,
    key_path_of,
    split_disclosable,
    withheld_group_size,
)
from batterypass.codec._keytable import (
    ArrayCodec,
    Binder,
    DateTimeCodec,
    KeyRow,
    KeyTable,
    KeyTableMismatch,
    error_at,
    field_wire_type,
    parse_key_table,
    scalar_codec,
    strip_annotation,
)
from batterypass.codec._keytable import At as KeyPathAt
from batterypass.codec._keytable import Codec as KeyTableCodec
from batterypass.codec._keytable import expected as expected_value

__all__ = [
    "SALT_BYTES",
    "SD_ALG_SHA256",
    "WITHHELD_GROUPS",
    "ArrayCodec",
    "Binder",
    "DateTimeCodec",
    "DisclosablePayload",
    "KeyPath",
    "KeyPathAt",
    "KeyRow",
    "KeyTable",
    "KeyTableCodec",
    "KeyTableMismatch",
    "assemble_disclosed",
    "cbor",
    "data_point_at",
    "decode_disclosable_payload",
    "decode_disclosure",
    "encode_decoy",
    "encode_disclosable_payload",
    "encode_disclosure",
    "error_at",
    "expected_value",
    "field_wire_type",
    "gs1",
    "item_end",
    "json",
    "key_path_of",
    "parse_key_table",
    "scalar_codec",
    "split_disclosable",
    "strip_annotation",
    "withheld_group_size",
]
