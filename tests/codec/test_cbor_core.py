"""The strict CBOR core: pre-scan rules, tag handling, deterministic encoder, properties.

Rejection vectors are hand-written hex, each with the byte offset the error must name. The
wire rules themselves are in specs/cbor-profile.md.
"""

from __future__ import annotations

import ast
import math
import time
import tracemalloc
from decimal import Decimal
from pathlib import Path
from typing import Any

import cbor2
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from batterypass.codec import _cbor as cbor_core
from batterypass.codec.cbor import (
    DEFAULT_LIMITS,
    DETERMINISTIC_TAGS,
    NEVER_ALLOWED_TAGS,
    DecodeLimits,
    Tag,
    decode_value,
    encode_value,
)
from batterypass.errors import DecodeError, EncodeError

SRC = Path(__file__).resolve().parents[2] / "src" / "batterypass"

# Property tests nest deeper than the default limit now and then; the default is tested on its
# own below.
WIDE = DecodeLimits(max_depth=100)


def h(text: str) -> bytes:
    """Hex with spaces allowed, for readable vectors."""
    return bytes.fromhex(text.replace(" ", ""))


def reject(data: bytes, **kwargs: Any) -> DecodeError:
    with pytest.raises(DecodeError) as info:
        decode_value(data, **kwargs)
    return info.value


def same(a: Any, b: Any) -> bool:
    """Equal and of exactly the same types all the way down (True is not 1, tuple not list)."""
    if type(a) is not type(b):
        return False
    if isinstance(a, list):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, dict):
        return a.keys() == b.keys() and all(
            same(k, next(k2 for k2 in b if k2 == k)) and same(a[k], b[k]) for k in a
        )
    if isinstance(a, Tag):
        return a.tag == b.tag and same(a.value, b.value)
    return bool(a == b)


# --- rejection rules, one vector each -------------------------------------------------------

LENIENT = {"deterministic": False}

REJECTIONS = [
    # (id, hex, decode kwargs, message fragment, offset)
    ("non-shortest int 0x1817", "1817", {}, "shortest form", 0),
    ("non-shortest int 16 bits", "190017", {}, "shortest form", 0),
    ("non-shortest int 32 bits", "1a0000ffff", {}, "shortest form", 0),
    ("non-shortest int 64 bits", "1b00000000ffffffff", {}, "shortest form", 0),
    ("non-shortest negative int", "3800", {}, "shortest form", 0),
    ("non-shortest string length", "780161", {}, "shortest form", 0),
    ("non-shortest array length", "980100", {}, "shortest form", 0),
    ("non-shortest tag number", "d804820102", {}, "shortest form", 0),
    ("non-shortest int nested", "a1011817", {}, "shortest form", 2),
    ("indefinite array", "9f0102ff", {}, "indefinite-length array", 0),
    ("indefinite map", "bf0100ff", {}, "indefinite-length map", 0),
    ("indefinite byte string", "5f4101ff", {}, "indefinite-length byte string", 0),
    ("indefinite text string", "7f6161ff", {}, "indefinite-length text string", 0),
    ("unsorted int keys", "a2020001 00", {}, "not in deterministic order", 3),
    ("unsorted text keys", "a2 6162 00 6161 00", {}, "not in deterministic order", 4),
    # Length-first (RFC 7049 canonical) order is not RFC 8949 bytewise order.
    ("length-first order", "a2 20 00 1903e8 00", {}, "not in deterministic order", 3),
    ("duplicate keys", "a2 01 00 01 00", {}, "duplicate map key", 3),
    ("duplicate text keys", "a3 01 00 6161 00 6161 01", {}, "duplicate map key", 6),
    ("duplicate keys, lenient", "a2 01 00 01 00", LENIENT, "duplicate map key", 3),
    ("duplicate keys, other encoding", "a2 01 00 1801 00", LENIENT, "duplicate map key", 3),
    ("duplicate keys, chunked", "a2 6161 00 7f6161ff 00", LENIENT, "duplicate map key", 4),
    ("duplicate negative keys", "a2 20 00 3800 00", LENIENT, "duplicate map key", 3),
    ("float16", "f93c00", {}, "floating-point values are not allowed", 0),
    ("float32", "fa3f800000", {}, "floating-point values are not allowed", 0),
    ("float64", "fb3ff0000000000000", {}, "floating-point values are not allowed", 0),
    ("float nested", "82 01 f97e00", {}, "floating-point values are not allowed", 2),
    ("float, lenient", "fb3ff0000000000000", LENIENT, "floating-point values are not", 0),
    ("undefined", "f7", {}, "undefined is not allowed", 0),
    ("undefined, lenient", "f7", LENIENT, "undefined is not allowed", 0),
    ("simple value 0", "e0", {}, "simple value 0 is not allowed", 0),
    ("simple value 16", "f0", LENIENT, "simple value 16 is not allowed", 0),
    ("simple value 32", "f820", {}, "simple value 32 is not allowed", 0),
    ("two-byte simple < 32", "f818", LENIENT, "must use the one-byte encoding", 0),
    ("two-byte false", "f814", {}, "must use the one-byte encoding", 0),
    ("trailing byte", "00 00", {}, "1 trailing byte after", 1),
    ("trailing bytes", "8101 ffff", LENIENT, "2 trailing bytes", 2),
    ("empty input", "", {}, "truncated", 0),
    ("truncated header", "19 01", {}, "truncated", 0),
    ("truncated string", "63 6161", {}, "truncated", 0),
    ("truncated array", "83 01 02", {}, "truncated", 0),
    ("truncated nested map", "81 a1 01", {}, "truncated", 1),
    ("truncated indefinite", "9f 01", LENIENT, "truncated", 0),
    ("truncated tag", "c1", {}, "truncated", 0),
    ("huge byte string", "5a ffffffff", {}, "exceeds the limit", 0),
    ("huge byte string 64", "5b ffffffffffffffff", {}, "exceeds the limit", 0),
    ("huge text string", "7a 01000000", {}, "exceeds the limit", 0),
    ("huge array", "9b 0000000100000000", {}, "truncated: array declares", 0),
    ("huge map", "ba 7fffffff", {}, "truncated: map declares", 0),
    ("invalid UTF-8", "62 c328", {}, "not valid UTF-8", 1),
    ("overlong UTF-8", "62 c080", {}, "not valid UTF-8", 1),
    ("UTF-8 surrogate", "63 eda080", {}, "not valid UTF-8", 1),
    ("UTF-8 in a later string", "82 6161 62 61ff", {}, "not valid UTF-8", 5),
    ("UTF-8 split across chunks", "7f 61c3 61a9 ff", LENIENT, "not valid UTF-8", 2),
    ("reserved ai 28", "1c", {}, "reserved additional information value 28", 0),
    ("reserved ai 29", "3d", {}, "reserved additional information value 29", 0),
    ("reserved ai 30", "5e", {}, "reserved additional information value 30", 0),
    ("reserved ai in array", "82 01 9c", LENIENT, "reserved additional information", 2),
    ("reserved ai, major 7", "fc", LENIENT, "reserved additional information", 0),
    ("break at top", "ff", {}, "break code", 0),
    ("break in definite array", "82 01 ff", {}, "break code", 2),
    ("break as tag content", "9f c1 ff ff", LENIENT, "break code", 2),
    ("indefinite int", "1f", LENIENT, "cannot have indefinite length", 0),
    ("indefinite negative int", "3f", LENIENT, "cannot have indefinite length", 0),
    ("indefinite tag", "df 00", LENIENT, "tag cannot have indefinite length", 0),
    ("map ends after a key", "bf 01 ff", LENIENT, "ends after a key", 2),
    ("wrong chunk type", "5f 6161 ff", LENIENT, "chunk of an indefinite-length", 1),
    ("nested indefinite chunk", "7f 7f ff ff", LENIENT, "chunk of an indefinite-length", 1),
    ("chunk is an array", "5f 80 ff", LENIENT, "chunk of an indefinite-length", 1),
    ("bool key", "a1 f5 00", {}, "keys must be integers, text strings or byte strings", 1),
    ("null key", "a1 f6 00", LENIENT, "keys must be", 1),
    (
        "array key",
        "a1 80 00",
        {},
        "map keys must be integers, text strings or byte strings (found: array)",
        1,
    ),
    ("map key", "a1 a0 00", LENIENT, "(found: map)", 1),
    ("tag key", "a1 c1 00 00", {}, "(found: tag)", 1),
    ("float key", "a1 f93c00 00", {"deterministic": False, "allow_floats": True}, "keys", 1),
    ("tag not allowed", "d903e8 00", {}, "tag 1000 is not allowed", 0),
    ("bignum not allowed", "c2 4101", {}, "tag 2 is not allowed", 0),
    ("tag 25", "d819 00", LENIENT, "tag 25 (string reference) is not supported", 0),
    ("tag 28", "d81c 00", LENIENT, "tag 28 (shareable value)", 0),
    ("tag 29", "82 d81c 80 d81d 00", LENIENT, "tag 28", 1),
    ("tag 29 alone", "d81d 00", LENIENT, "tag 29", 0),
    ("tag 256", "d90100 80", LENIENT, "tag 256", 0),
]


@pytest.mark.parametrize(
    ("hexdata", "kwargs", "fragment", "offset"),
    [pytest.param(*case[1:], id=case[0]) for case in REJECTIONS],
)
def test_rejection_vector(hexdata: str, kwargs: dict[str, Any], fragment: str, offset: int) -> None:
    error = reject(h(hexdata), **kwargs)
    assert fragment in error.message
    assert error.offset == offset
    assert "\n" not in str(error)
    assert str(error).startswith(f"byte {offset}: ")


def test_duplicate_and_misorder_are_told_apart() -> None:
    assert reject(h("a2 6161 00 6161 00")).message == "duplicate map key"
    assert "not in deterministic order" in reject(h("a2 6162 00 6161 00")).message


def test_floats_pass_only_when_allowed_in_lenient_mode() -> None:
    assert decode_value(h("fb3ff0000000000000"), deterministic=False, allow_floats=True) == 1.0
    value = decode_value(h("f97e00"), deterministic=False, allow_floats=True)
    assert math.isnan(value)
    with pytest.raises(ValueError, match="allow_floats"):
        decode_value(h("f93c00"), allow_floats=True)


def test_every_prefix_of_a_valid_message_is_truncated() -> None:
    value = {1: "text", 2: [b"\x00\x01", -1000, Tag(4, [-2, 12345])], 3: {"k": None, "l": True}}
    data = encode_value(value)
    for end in range(len(data)):
        error = reject(data[:end])
        assert error.message.startswith("truncated"), (end, error)
        assert error.offset is not None
        assert 0 <= error.offset <= end


def test_every_prefix_of_an_indefinite_message_is_truncated() -> None:
    data = h("bf 61 61 9f 01 7f 62 6869 ff ff 62 6162 5f 41 00 ff ff")
    assert decode_value(data, deterministic=False) == {"a": [1, "hi"], "ab": b"\x00"}
    for end in range(len(data)):
        error = reject(data[:end], deterministic=False)
        assert error.message.startswith("truncated"), (end, error)


# --- limits ---------------------------------------------------------------------------------


def test_depth_limit_boundary_counts_arrays_maps_and_tags() -> None:
    depth = DEFAULT_LIMITS.max_depth
    assert decode_value(b"\x81" * depth + b"\x00") is not None
    assert decode_value(b"\x81" * (depth - 1) + b"\x80") is not None
    error = reject(b"\x81" * depth + b"\x80")  # an empty container counts as a level too
    assert "nesting deeper than 32" in error.message
    assert error.offset == depth
    assert decode_value(b"\xa1\x00" * depth + b"\x00") is not None
    assert reject(b"\xa1\x00" * (depth + 1) + b"\x00").offset == 2 * depth
    error = reject(b"\xc1" * (depth + 1) + b"\x00")
    assert error.offset == depth
    assert decode_value(b"\x81" * 5 + b"\x00", limits=DecodeLimits(max_depth=5)) == [[[[[0]]]]]
    assert reject(b"\x81" * 6 + b"\x00", limits=DecodeLimits(max_depth=5)).offset == 5


def test_depth_bomb_fails_fast() -> None:
    for bomb in (b"\x81" * 1_000_000 + b"\x00", b"\x9f" * 1_000_000, b"\xc1" * 1_000_000):
        started = time.perf_counter()
        error = reject(bomb, deterministic=False)
        assert "nesting deeper" in error.message
        assert error.offset == DEFAULT_LIMITS.max_depth
        assert time.perf_counter() - started < 0.5


def test_huge_declared_length_fails_before_allocating() -> None:
    # Limits that would allow a 4 GiB string: only the input size can stop it, and must do so
    # without allocating anything near that size.
    generous = DecodeLimits(max_bytes=2**40, max_string_bytes=2**40, max_items=2**40)
    for hexdata in ("5a ffffffff", "7b 00000001 00000000", "9a ffffffff 00", "bb 0fffffffffffffff"):
        data = h(hexdata)
        tracemalloc.start()
        try:
            error = reject(data, limits=generous)
            _, peak = tracemalloc.get_traced_memory()
        finally:
            tracemalloc.stop()
        assert error.message.startswith("truncated")
        assert error.offset == 0
        assert peak < 100_000


def test_max_bytes() -> None:
    error = reject(encode_value("x" * 100), limits=DecodeLimits(max_bytes=50))
    assert "exceeds the limit of 50 bytes" in error.message
    assert error.offset == 50


def test_max_string_bytes() -> None:
    limits = DecodeLimits(max_string_bytes=3)
    assert decode_value(h("43 010203"), limits=limits) == b"\x01\x02\x03"
    error = reject(h("82 00 64 61626364"), limits=limits)
    assert "limit max_string_bytes" in error.message
    assert error.offset == 2
    # Chunks of an indefinite-length string count together.
    error = reject(h("5f 42 0102 42 0304 ff"), limits=limits, deterministic=False)
    assert "byte string of 4 bytes exceeds" in error.message
    assert error.offset == 0


def test_max_items() -> None:
    limits = DecodeLimits(max_items=4)
    assert decode_value(h("83 01 02 03"), limits=limits) == [1, 2, 3]
    error = reject(h("84 01 02 03 04"), limits=limits)
    assert "limit max_items" in error.message
    assert error.offset == 0
    assert reject(h("a2 01 02 03 04"), limits=limits).offset == 0
    assert reject(h("82 01 c1 c1 00"), limits=limits).offset == 3
    error = reject(h("9f 01 02 03 04 ff"), limits=limits, deterministic=False)
    assert "limit max_items" in error.message
    assert error.offset == 4  # the first item over the limit
    assert reject(h("9f 01 02 9f 80 ff ff"), limits=limits, deterministic=False).offset == 4


def test_decode_limits_are_validated() -> None:
    with pytest.raises(ValueError, match="max_depth"):
        DecodeLimits(max_depth=0)
    with pytest.raises(ValueError, match="max_items"):
        DecodeLimits(max_items=-1)


# --- tags and value types -------------------------------------------------------------------


def test_decimal_fraction_stays_a_tag() -> None:
    value = decode_value(h("c4 82 21 196ab3"))
    assert type(value) is Tag
    assert not isinstance(value, Decimal)
    assert same(value, Tag(4, [-2, 27315]))


def test_epoch_time_stays_a_tag() -> None:
    value = decode_value(h("c1 1a514b67b0"))
    assert same(value, Tag(1, 1363896240))


def test_cose_sign1_tag_is_allowed_by_default() -> None:
    data = h("d2 84 43a10126 a10442 3131 44 74657874 40")
    assert same(decode_value(data), Tag(18, [h("a10126"), {4: b"11"}, b"text", b""]))


def test_no_tag_is_interpreted_in_lenient_mode() -> None:
    cases = {
        "c074323031332d30332d32315432303a30343a30305a": Tag(0, "2013-03-21T20:04:00Z"),
        "c24101": Tag(2, b"\x01"),
        "c34101": Tag(3, b"\x01"),
        "c5822003": Tag(5, [-1, 3]),
        "d825820102": Tag(37, [1, 2]),  # cbor2 would fail decoding this as a UUID
        "d9d9f7a0": Tag(55799, {}),
        "dbffffffffffffffff00": Tag(2**64 - 1, 0),
        "d8208163666f6f": Tag(32, ["foo"]),
    }
    for hexdata, expected in cases.items():
        assert same(decode_value(h(hexdata), deterministic=False), expected), hexdata


def test_allowed_tags_parameter() -> None:
    data = h("d903e8 00")
    assert decode_value(data, allowed_tags={1000}) == Tag(1000, 0)
    assert decode_value(data, deterministic=False) == Tag(1000, 0)
    assert "allowed tags: 4" in reject(data, deterministic=False, allowed_tags={4}).message
    assert "allowed tags: none" in reject(data, allowed_tags=frozenset()).message
    assert decode_value(h("c4 82 21 0c"), allowed_tags=frozenset({4})) == Tag(4, [-2, 12])
    for never in NEVER_ALLOWED_TAGS:
        with pytest.raises(ValueError, match="can never be allowed"):
            decode_value(data, allowed_tags={never})
    assert frozenset({1, 4, 18}) == DETERMINISTIC_TAGS


def test_containers_come_back_as_list_and_dict_everywhere() -> None:
    data = encode_value(
        {1: [Tag(4, [Tag(1, [{2: []}]), {}])], "x": Tag(18, {b"k": [[], {3: Tag(4, [])}]})}
    )
    value = decode_value(data)
    assert same(
        value,
        {1: [Tag(4, [Tag(1, [{2: []}]), {}])], "x": Tag(18, {b"k": [[], {3: Tag(4, [])}]})},
    )
    lenient = decode_value(h("9f bf 01 9f ff ff d9 03e8 9f 80 ff ff"), deterministic=False)
    assert same(lenient, [{1: []}, Tag(1000, [[]])])


def test_buffer_types_are_accepted() -> None:
    data = encode_value({1: b"ab"})
    assert decode_value(bytearray(data)) == {1: b"ab"}
    assert decode_value(memoryview(data)) == {1: b"ab"}  # type: ignore[arg-type]


def test_cbor2_failures_are_wrapped(monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(*args: Any, **kwargs: Any) -> Any:
        raise cbor2.CBORDecodeError("boom")

    monkeypatch.setattr(cbor_core.cbor2, "loads", broken)
    # An input the one-pass decoder leaves to the two passes (an indefinite-length array, in
    # the lenient mode): only those reach cbor2.
    with pytest.raises(DecodeError, match="CBOR decoder rejected the input: boom") as info:
        decode_value(b"\x9f\xff", deterministic=False)
    assert isinstance(info.value.__cause__, cbor2.CBORDecodeError)


# --- encoder --------------------------------------------------------------------------------

# RFC 8949 appendix A, the vectors within the profile.
RFC_VECTORS: list[tuple[Any, str]] = [
    (0, "00"),
    (1, "01"),
    (10, "0a"),
    (23, "17"),
    (24, "1818"),
    (25, "1819"),
    (100, "1864"),
    (1000, "1903e8"),
    (1000000, "1a000f4240"),
    (1000000000000, "1b000000e8d4a51000"),
    (18446744073709551615, "1bffffffffffffffff"),
    (-18446744073709551616, "3bffffffffffffffff"),
    (-1, "20"),
    (-10, "29"),
    (-100, "3863"),
    (-1000, "3903e7"),
    (False, "f4"),
    (True, "f5"),
    (None, "f6"),
    (Tag(1, 1363896240), "c11a514b67b0"),
    (Tag(23, b"\x01\x02\x03\x04"), "d74401020304"),
    (Tag(32, "http://www.example.com"), "d82076687474703a2f2f7777772e6578616d706c652e636f6d"),
    (b"", "40"),
    (b"\x01\x02\x03\x04", "4401020304"),
    ("", "60"),
    ("a", "6161"),
    ("IETF", "6449455446"),
    ('"\\', "62225c"),
    ("\u00fc", "62c3bc"),
    ("\u6c34", "63e6b0b4"),
    ("\U00010151", "64f0908591"),
    ([], "80"),
    ([1, 2, 3], "83010203"),
    ([1, [2, 3], [4, 5]], "8301820203820405"),
    (list(range(1, 26)), "98190102030405060708090a0b0c0d0e0f101112131415161718181819"),
    ({}, "a0"),
    ({1: 2, 3: 4}, "a201020304"),
    ({"a": 1, "b": [2, 3]}, "a26161016162820203"),
    (["a", {"b": "c"}], "826161a161626163"),
    (
        {"a": "A", "b": "B", "c": "C", "d": "D", "e": "E"},
        "a56161614161626142616361436164614461656145",
    ),
]


@pytest.mark.parametrize(("value", "hexdata"), RFC_VECTORS, ids=[v[1] for v in RFC_VECTORS])
def test_rfc_8949_vectors(value: Any, hexdata: str) -> None:
    assert encode_value(value).hex() == hexdata
    decoded = decode_value(h(hexdata), allowed_tags={1, 23, 32})
    assert same(decoded, value)


def test_map_keys_sorted_bytewise_not_length_first() -> None:
    # 1000 encodes as 19 03e8 (3 bytes), -1 as 20 (1 byte), "a" as 61 61 (2 bytes).
    assert encode_value({-1: 0, 1000: 0}).hex() == "a21903e8002000"
    assert encode_value({"a": 0, 1000: 0}).hex() == "a21903e800616100"
    assert encode_value({"aa": 0, "b": 0}).hex() == "a261620062616100"
    assert encode_value({"": 0, b"\x00": 0, -1: 0, 0: 0}).hex() == "a4000020004100006000"
    assert encode_value({-25: 0, 24: 0, -24: 0, 23: 0}).hex() == "a417001818003700381800"


def test_cbor2_canonical_is_length_first() -> None:
    # Why encode_value sorts keys itself: cbor2 6's canonical mode still uses the RFC 7049
    # length-first order. If this starts failing, cbor2 changed and could do the sorting.
    value = {-1: 0, 1000: 0}
    assert cbor2.dumps(value, canonical=True) != encode_value(value)
    assert decode_value(encode_value(value)) == value
    with pytest.raises(DecodeError, match="not in deterministic order"):
        decode_value(cbor2.dumps(value, canonical=True))


def test_encoder_accepts_tuples_and_bytearrays() -> None:
    assert encode_value((1, bytearray(b"ab"))) == encode_value([1, b"ab"])


@pytest.mark.parametrize(
    ("value", "fragment", "path"),
    [
        (1.5, "floating-point value 1.5", None),
        (float("nan"), "floating-point value nan", None),
        (float("inf"), "floating-point value inf", None),
        ({"a": [1, {"b": 0.25}]}, "floating-point value 0.25", ("a", 1, "b")),
        ({1, 2}, "sets are not supported", None),
        ([frozenset()], "sets are not supported", (0,)),
        (Decimal("1.5"), "decimal.Decimal cannot be encoded", None),
        (object(), "builtins.object cannot be encoded", None),
        ({b"\x01": [complex(1, 2)]}, "builtins.complex", ("h'01'", 0)),
        ({True: 1}, "map key True of type bool", None),
        ({None: 1}, "map key None of type NoneType", None),
        ({1.0: 1}, "map key 1.0 of type float", None),
        ({(1, 2): 1}, "map key (1, 2) of type tuple", None),
        (2**64, "outside the CBOR integer range", None),
        ([-(2**64) - 1], "outside the CBOR integer range", (0,)),
        ("\ud800", "not encodable as UTF-8", None),
        (Tag(-1, 0), "tag number -1", None),
        (Tag(2**64, 0), "tag number", None),
        (Tag(True, 0), "tag number True", None),  # type: ignore[arg-type]
        (Tag(28, 0), "tag 28 is never accepted", None),
        (Tag(4, [1.0, 2]), "floating-point", ("tag(4)", 0)),
    ],
)
def test_encoder_rejections(value: Any, fragment: str, path: tuple[Any, ...] | None) -> None:
    with pytest.raises(EncodeError) as info:
        encode_value(value)
    assert fragment in info.value.message
    assert info.value.path == path
    assert "\n" not in str(info.value)


def test_encoder_enforces_the_decode_limits() -> None:
    deep: Any = 0
    for _ in range(DEFAULT_LIMITS.max_depth):
        deep = [deep]
    assert decode_value(encode_value(deep)) == deep
    with pytest.raises(EncodeError, match="nesting deeper than 32"):
        encode_value([deep])
    with pytest.raises(EncodeError, match="nesting deeper than 32"):
        encode_value(Tag(1, deep))
    cyclic: list[Any] = []
    cyclic.append(cyclic)
    with pytest.raises(EncodeError, match="nesting deeper"):
        encode_value(cyclic)
    with pytest.raises(EncodeError, match="max_string_bytes"):
        encode_value(["abcd"], limits=DecodeLimits(max_string_bytes=3))
    with pytest.raises(EncodeError, match="max_items"):
        encode_value([1, 2, 3, 4], limits=DecodeLimits(max_items=4))
    assert encode_value([1, 2, 3], limits=DecodeLimits(max_items=4)) == h("83010203")
    with pytest.raises(EncodeError, match="max_items"):
        encode_value({1: 2, 3: 4}, limits=DecodeLimits(max_items=4))
    with pytest.raises(EncodeError, match="max_bytes"):
        encode_value(b"x" * 100, limits=DecodeLimits(max_bytes=50))


# --- properties -----------------------------------------------------------------------------

INTS = st.integers(min_value=-(2**64), max_value=2**64 - 1)
KEYS = INTS | st.text(max_size=30) | st.binary(max_size=30)
SCALARS = st.none() | st.booleans() | INTS | st.text() | st.binary()


def values(tags: st.SearchStrategy[int]) -> st.SearchStrategy[Any]:
    return st.recursive(
        SCALARS,
        lambda children: (
            st.lists(children, max_size=6)
            | st.dictionaries(KEYS, children, max_size=6)
            | st.builds(Tag, tags, children)
        ),
        max_leaves=30,
    )


VALUES = values(st.sampled_from(sorted(DETERMINISTIC_TAGS)))
ANY_TAG_VALUES = values(
    st.integers(min_value=0, max_value=2**64 - 1).filter(lambda t: t not in NEVER_ALLOWED_TAGS)
)


def to_cbor2(value: Any, *, sort: bool) -> Any:
    """The same value for cbor2.dumps; ``sort`` puts map keys in RFC 8949 order by hand."""
    if isinstance(value, Tag):
        return cbor2.CBORTag(value.tag, to_cbor2(value.value, sort=sort))
    if isinstance(value, list):
        return [to_cbor2(v, sort=sort) for v in value]
    if isinstance(value, dict):
        keys = sorted(value, key=cbor2.dumps) if sort else list(value)
        return {k: to_cbor2(value[k], sort=sort) for k in keys}
    return value


def length_first_agrees(value: Any) -> bool:
    """Whether cbor2's length-first key order equals bytewise order for every map in value."""
    if isinstance(value, Tag):
        return length_first_agrees(value.value)
    if isinstance(value, list):
        return all(length_first_agrees(v) for v in value)
    if isinstance(value, dict):
        encoded = [cbor2.dumps(k) for k in value]
        if sorted(encoded) != sorted(encoded, key=lambda b: (len(b), b)):
            return False
        return all(length_first_agrees(v) for v in value.values())
    return True


@given(VALUES)
def test_value_round_trip(value: Any) -> None:
    data = encode_value(value, limits=WIDE)
    assert same(decode_value(data, limits=WIDE), value)
    assert same(decode_value(data, limits=WIDE, deterministic=False), value)


@given(ANY_TAG_VALUES)
def test_value_round_trip_any_tag(value: Any) -> None:
    data = encode_value(value, limits=WIDE)
    assert same(decode_value(data, limits=WIDE, deterministic=False), value)


@given(VALUES)
def test_bytes_round_trip(value: Any) -> None:
    data = encode_value(value, limits=WIDE)
    assert encode_value(decode_value(data, limits=WIDE), limits=WIDE) == data


@given(VALUES)
def test_encoding_matches_cbor2(value: Any) -> None:
    data = encode_value(value, limits=WIDE)
    # cbor2 is an independent oracle for everything but the key order, which we give it.
    assert data == cbor2.dumps(to_cbor2(value, sort=True))
    if length_first_agrees(value):
        assert data == cbor2.dumps(to_cbor2(value, sort=False), canonical=True)


@given(VALUES)
def test_decoder_matches_cbor2(value: Any) -> None:
    data = encode_value(value, limits=WIDE)

    plain = cbor2.loads(data, semantic_decoders={t: keep_tag(t) for t in DETERMINISTIC_TAGS})
    assert same(decode_value(data, limits=WIDE), plain)


def keep_tag(number: int) -> Any:
    return lambda value, immutable: Tag(number, value)


@given(ANY_TAG_VALUES)
def test_lenient_encodings_decode_to_the_same_value(value: Any) -> None:
    # cbor2 without canonical: insertion-ordered maps; with indefinite_containers: 0x9f/0xbf.
    for data in (
        cbor2.dumps(to_cbor2(value, sort=False)),
        cbor2.dumps(to_cbor2(value, sort=False), indefinite_containers=True),
    ):
        assert same(decode_value(data, limits=WIDE, deterministic=False), value)
        if data != encode_value(value, limits=WIDE):
            with pytest.raises(DecodeError):
                decode_value(data, limits=WIDE, allowed_tags=_tags(value))


def _tags(value: Any) -> set[int]:
    if isinstance(value, Tag):
        return {value.tag} | _tags(value.value)
    if isinstance(value, list):
        return set().union(*(_tags(v) for v in value))
    if isinstance(value, dict):
        return set().union(*(_tags(v) for v in value.values()))
    return set()


@settings(max_examples=1000, suppress_health_check=[HealthCheck.too_slow])
@given(st.binary(), st.booleans())
def test_random_bytes_only_raise_decode_error(data: bytes, deterministic: bool) -> None:
    error: DecodeError | None = None
    try:
        value = decode_value(data, deterministic=deterministic, allow_floats=not deterministic)
    except DecodeError as e:
        error = e
    if error is not None:
        assert error.offset is not None
        assert 0 <= error.offset <= len(data)
    elif deterministic:
        assert encode_value(value) == data


@given(VALUES, st.data())
def test_single_byte_mutation_is_rejected_or_canonical(value: Any, draw: st.DataObject) -> None:
    data = encode_value(value, limits=WIDE)
    index = draw.draw(st.integers(min_value=0, max_value=len(data) - 1))
    byte = draw.draw(st.integers(min_value=0, max_value=255))
    assume(byte != data[index])
    mutated = data[:index] + bytes([byte]) + data[index + 1 :]
    check_rejected_or_canonical(mutated)


@given(VALUES, st.data())
def test_truncation_is_always_rejected(value: Any, draw: st.DataObject) -> None:
    data = encode_value(value, limits=WIDE)
    end = draw.draw(st.integers(min_value=0, max_value=len(data) - 1))
    with pytest.raises(DecodeError, match="truncated"):
        decode_value(data[:end], limits=WIDE)


def check_rejected_or_canonical(data: bytes) -> None:
    try:
        decoded = decode_value(data, limits=WIDE)
    except DecodeError:
        return
    assert encode_value(decoded, limits=WIDE) == data
    assert data == cbor2.dumps(to_cbor2(decoded, sort=True))


def test_every_single_byte_mutation_of_a_sample() -> None:
    data = encode_value({1: "ab", 2: [0, -24, 24, b"\x00"], -1: Tag(4, [-2, 1234]), "k": None})
    for index in range(len(data)):
        for byte in range(256):
            mutated = data[:index] + bytes([byte]) + data[index + 1 :]
            check_rejected_or_canonical(mutated)


# --- module boundaries ----------------------------------------------------------------------


def imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module.split(".")[0])
    return names


def test_scanner_does_not_import_cbor2() -> None:
    assert "cbor2" not in imported_modules(SRC / "codec" / "_cbor_scan.py")


def test_cbor_module_is_the_only_cbor2_importer() -> None:
    importers = {
        path.relative_to(SRC).as_posix()
        for path in SRC.rglob("*.py")
        if "cbor2" in imported_modules(path)
    }
    assert importers == {"codec/_cbor.py"}
