"""Bytes and text <-> model: deterministic CBOR, strict JSON, GS1 Digital Link and the
selectively disclosable layout.

Public modules: :mod:`batterypass.codec.cbor` (deterministic CBOR and the passport wire
format), :mod:`batterypass.codec.json` (strict JSON), :mod:`batterypass.codec.gs1`. The
disclosable layout (``specs/selective-disclosure.md``) and the key-table binder are exported
here for the packages above (``disclosure``, ``verify``, ``lifecycle``); everything else in a
``_`` module is private to this package.
"""

from __future__ import annotations

from batterypass.codec import cbor, gs1, json
from batterypass.codec._cbor_passport import (
    KeyTable,
    KeyTableMismatch,
    field_wire_type,
    parse_key_table,
)
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

__all__ = [
    "SALT_BYTES",
    "SD_ALG_SHA256",
    "WITHHELD_GROUPS",
    "DisclosablePayload",
    "KeyPath",
    "KeyTable",
    "KeyTableMismatch",
    "assemble_disclosed",
    "cbor",
    "data_point_at",
    "decode_disclosable_payload",
    "decode_disclosure",
    "encode_decoy",
    "encode_disclosable_payload",
    "encode_disclosure",
    "field_wire_type",
    "gs1",
    "json",
    "key_path_of",
    "parse_key_table",
    "split_disclosable",
    "withheld_group_size",
]
