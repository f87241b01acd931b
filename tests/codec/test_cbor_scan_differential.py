"""Differential tests: the optimised pre-scanner against the straightforward reference copy,
and the one-pass decoder against the two passes (pre-scan, then cbor2).

``_scan_reference.py`` holds the scanner as it was before it was tuned for speed. Every input
here goes through both; they must agree exactly: the same set of tags, or a DecodeError with the
same message at the same offset. Inputs are random bytes, valid encodings of random values and
hand-built (often deliberately non-deterministic or malformed) items, each also mutated, checked
in deterministic and non-deterministic mode, with and without floats and a tag allow-list, under
the default limits and under small ones so that the limit errors are reached too.

Every input also goes through ``decode_value`` (which tries the one-pass decoder first) and
through the two-pass decoder alone: they must return the same value, with the same types, or
the same error; and the one-pass decoder must never accept an input the two passes reject.
"""

from __future__ import annotations

import importlib.util
import struct
from collections.abc import Callable
from pathlib import Path
from types import ModuleType
from typing import Any

import cbor2
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from batterypass.codec import _cbor, _cbor_scan
from batterypass.codec._cbor_decode import MISS, decode_deterministic
from batterypass.codec.cbor import (
    DEFAULT_LIMITS,
    DETERMINISTIC_TAGS,
    NEVER_ALLOWED_TAGS,
    DecodeLimits,
    Tag,
    decode_value,
    encode_value,
)
from batterypass.errors import DecodeError


def _load_reference() -> ModuleType:
    # The test tree is not a package (pytest runs with --import-mode=importlib), so the oracle
    # is loaded from its file.
    path = Path(__file__).with_name("_scan_reference.py")
    spec = importlib.util.spec_from_file_location("_batterypass_scan_reference", path)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


reference = _load_reference()

EXAMPLES = 500
PASSPORT_TAGS = frozenset({1, 4, 100, 55799})
SMALL_LIMITS = DecodeLimits(max_bytes=64, max_depth=3, max_items=12, max_string_bytes=6)


def _outcome(fn: Callable[..., set[int]], data: bytes, **kwargs: Any) -> tuple[Any, ...]:
    try:
        return ("ok", fn(data, **kwargs))
    except DecodeError as e:
        return ("error", e.message, e.offset)


def _same(data: bytes, **kwargs: Any) -> tuple[Any, ...]:
    """Assert both scanners decide alike on ``data``, and the one-pass and two-pass decoders
    too; return the (shared) outcome of the scanners."""
    expected = _outcome(reference.scan, data, **kwargs)
    actual = _outcome(_cbor_scan.scan, data, **kwargs)
    assert actual == expected, (data.hex(), kwargs)
    _same_decoding(data, **kwargs)
    return actual


def _typed(value: Any) -> Any:
    """``value`` with the type of every part spelled out (``1 == True`` in Python, and NaN is
    not equal to itself)."""
    if isinstance(value, Tag):
        return ("tag", value.tag, _typed(value.value))
    if isinstance(value, list):
        return ("list", [_typed(v) for v in value])
    if isinstance(value, dict):
        return ("dict", [(_typed(k), _typed(v)) for k, v in value.items()])
    if isinstance(value, float):
        return ("float", repr(value))
    return (type(value).__name__, value)


def _decoded(fn: Callable[[], Any]) -> tuple[Any, ...]:
    try:
        return ("ok", _typed(fn()))
    except DecodeError as e:
        return ("error", e.message, e.offset)


def _same_decoding(
    data: bytes,
    *,
    limits: DecodeLimits = DEFAULT_LIMITS,
    deterministic: bool = True,
    allow_floats: bool = False,
    allowed_tags: frozenset[int] | None = None,
) -> None:
    if allow_floats and deterministic:
        return  # decode_value refuses the combination (ValueError)
    if allowed_tags is not None and not allowed_tags.isdisjoint(NEVER_ALLOWED_TAGS):
        return  # likewise
    policy = allowed_tags
    if policy is None and deterministic:
        policy = DETERMINISTIC_TAGS
    two_pass = _decoded(
        lambda: _cbor._decode_two_pass(data, limits, deterministic, policy, allow_floats)
    )
    public = _decoded(
        lambda: decode_value(
            data,
            limits=limits,
            deterministic=deterministic,
            allow_floats=allow_floats,
            allowed_tags=allowed_tags,
        )
    )
    assert public == two_pass, (data.hex(), deterministic, allow_floats, allowed_tags, limits)
    if allow_floats or not 0 < len(data) <= limits.max_bytes:
        return
    one_pass = decode_deterministic(
        data, limits.max_depth, limits.max_items, limits.max_string_bytes, policy, Tag
    )
    if one_pass is not MISS:
        assert two_pass == ("ok", _typed(one_pass)), ("one pass accepted", data.hex())


def _all_modes(data: bytes, limits: Any = DEFAULT_LIMITS) -> None:
    for deterministic in (True, False):
        for allow_floats in (False, True):
            for allowed_tags in (None, PASSPORT_TAGS, frozenset()):
                _same(
                    data,
                    limits=limits,
                    deterministic=deterministic,
                    allow_floats=allow_floats,
                    allowed_tags=allowed_tags,
                )


# --- strategies -------------------------------------------------------------------------------

limits_st = st.one_of(
    st.just(DEFAULT_LIMITS),
    st.just(SMALL_LIMITS),
    st.builds(
        DecodeLimits,
        max_bytes=st.integers(1, 400),
        max_depth=st.integers(1, 6),
        max_items=st.integers(1, 60),
        max_string_bytes=st.integers(1, 40),
    ),
)

modes_st = st.fixed_dictionaries(
    {
        "deterministic": st.booleans(),
        "allow_floats": st.booleans(),
        "allowed_tags": st.one_of(
            st.none(),
            st.just(PASSPORT_TAGS),
            st.frozensets(st.sampled_from([0, 1, 2, 4, 24, 25, 28, 100, 256, 55799]), max_size=4),
        ),
        "limits": limits_st,
    }
)

_TAG_NUMBERS = [0, 1, 2, 3, 4, 24, 100, 255, 257, 1000, 55799, 2**32, 2**64 - 1]

ints_st = st.one_of(st.integers(-30, 30), st.integers(-(2**64), 2**64 - 1))
keys_st = st.one_of(ints_st, st.text(max_size=6), st.binary(max_size=6))
scalars_st = st.one_of(
    ints_st, st.text(max_size=30), st.binary(max_size=30), st.booleans(), st.none()
)
values_st = st.recursive(
    scalars_st,
    lambda children: st.one_of(
        st.lists(children, max_size=5),
        st.dictionaries(keys_st, children, max_size=5),
        st.builds(Tag, st.sampled_from(_TAG_NUMBERS), children),
    ),
    max_leaves=25,
)


def _head(major: int, arg: int, size: int) -> bytes:
    """A header with the argument in ``size`` extra bytes (0: in the initial byte)."""
    if size == 0:
        return bytes([major << 5 | arg])
    ai = {1: 24, 2: 25, 4: 26, 8: 27}[size]
    return bytes([major << 5 | ai]) + arg.to_bytes(size, "big")


@st.composite
def _raw_head(draw: st.DrawFn, major: int, arg: int) -> bytes:
    """A header for ``arg``: mostly the shortest form, sometimes a longer one."""
    sizes = [s for s in (0, 1, 2, 4, 8) if arg < (24 if s == 0 else 1 << (8 * s))]
    if draw(st.integers(0, 3)) == 0:
        return _head(major, arg, draw(st.sampled_from(sizes)))
    return _head(major, arg, sizes[0])


@st.composite
def _raw_string(draw: st.DrawFn, major: int) -> bytes:
    if major == 3 and draw(st.booleans()):
        content = draw(st.text(max_size=12)).encode("utf-8", "surrogatepass")
    else:
        content = draw(st.binary(max_size=12))
    if draw(st.integers(0, 5)) == 0:  # indefinite length: chunks, sometimes of the wrong kind
        out = bytes([major << 5 | 31])
        cut = draw(st.integers(0, len(content)))
        for chunk in (content[:cut], content[cut:]):
            chunk_major = draw(st.sampled_from([major, major, major, 2, 3, 0]))
            out += draw(_raw_head(chunk_major, len(chunk))) + chunk
        return out + b"\xff"
    return draw(_raw_head(major, len(content))) + content


@st.composite
def _raw_scalar(draw: st.DrawFn) -> bytes:
    choice = draw(st.integers(0, 9))
    if choice <= 2:
        major = draw(st.sampled_from([0, 1]))
        arg = draw(st.one_of(st.integers(0, 30), st.integers(0, 2**64 - 1)))
        return draw(_raw_head(major, arg))
    if choice <= 5:
        return draw(_raw_string(draw(st.sampled_from([2, 3]))))
    if choice <= 7:
        return bytes([draw(st.sampled_from([0xF4, 0xF5, 0xF6, 0xF7, 0xE0, 0xF3]))])
    if choice == 8:
        return bytes([0xF8, draw(st.integers(0, 255))])
    size = draw(st.sampled_from([2, 4, 8]))
    ai = {2: 25, 4: 26, 8: 27}[size]
    return bytes([0xE0 | ai]) + draw(st.binary(min_size=size, max_size=size))


@st.composite
def _raw_container(draw: st.DrawFn, children: st.SearchStrategy[bytes]) -> bytes:
    choice = draw(st.integers(0, 3))
    indefinite = draw(st.integers(0, 4)) == 0
    if choice == 0:
        items = draw(st.lists(children, max_size=4))
        head = b"\x9f" if indefinite else draw(_raw_head(4, len(items)))
        return head + b"".join(items) + (b"\xff" if indefinite else b"")
    if choice == 1:
        keys = draw(st.lists(_raw_key(), max_size=4))
        if draw(st.booleans()):
            keys.sort()  # mostly in deterministic order, so later keys get checked too
        values = draw(st.lists(children, min_size=len(keys), max_size=len(keys)))
        head = b"\xbf" if indefinite else draw(_raw_head(5, len(keys)))
        body = b"".join(k + v for k, v in zip(keys, values, strict=True))
        return head + body + (b"\xff" if indefinite else b"")
    tag = draw(st.sampled_from([*_TAG_NUMBERS, 25, 28, 29, 256]))
    return draw(_raw_head(6, tag)) + draw(children)


@st.composite
def _raw_key(draw: st.DrawFn) -> bytes:
    choice = draw(st.integers(0, 6))
    if choice <= 3:
        return draw(_raw_head(draw(st.sampled_from([0, 1])), draw(st.integers(0, 300))))
    if choice <= 5:
        return draw(_raw_string(draw(st.sampled_from([2, 3]))))
    return draw(st.one_of(_raw_scalar(), st.just(b"\x80"), st.just(b"\xc1\x01")))


raw_items_st = st.recursive(_raw_scalar(), _raw_container, max_leaves=20)


@st.composite
def _mutated(draw: st.DrawFn, data: bytes) -> bytes:
    """``data`` with up to three random edits: flip, insert, delete, truncate or append."""
    out = bytearray(data)
    for _ in range(draw(st.integers(0, 3))):
        op = draw(st.integers(0, 4))
        i = draw(st.integers(0, len(out)))
        if op == 0 and i < len(out):
            out[i] ^= draw(st.integers(1, 255))
        elif op == 1:
            out.insert(i, draw(st.integers(0, 255)))
        elif op == 2 and i < len(out):
            del out[i]
        elif op == 3:
            del out[i:]
        else:
            out += draw(st.binary(min_size=1, max_size=3))
    return bytes(out)


# --- property tests ----------------------------------------------------------------------------


@settings(max_examples=EXAMPLES, deadline=None)
@given(st.binary(max_size=48), modes_st)
def test_random_bytes(data: bytes, modes: dict[str, Any]) -> None:
    _same(data, **modes)


@settings(max_examples=EXAMPLES, deadline=None)
@given(st.sampled_from([b"", b"\x00"]), st.binary(max_size=8), modes_st)
def test_random_bytes_after_common_prefixes(
    prefix: bytes, tail: bytes, modes: dict[str, Any]
) -> None:
    # Random tails behind a map or array head reach the container paths more often.
    for head in (b"\xa1", b"\xa2\x01", b"\x82", b"\xd8\x64", b"\xbf", b"\x9f", b"\xc4\x82"):
        _same(head + prefix + tail, **modes)


@settings(max_examples=EXAMPLES, deadline=None)
@given(values_st, modes_st, st.data())
def test_encoded_values_and_their_mutations(
    value: Any, modes: dict[str, Any], data: st.DataObject
) -> None:
    encoded = encode_value(value)
    _same(encoded, **modes)
    _same(data.draw(_mutated(encoded)), **modes)


@settings(max_examples=EXAMPLES, deadline=None)
@given(values_st)
def test_fast_path_accepts_deterministic_encodings(value: Any) -> None:
    # The fast path must settle valid deterministic input on its own, without falling back to
    # the two passes: otherwise it is correct but not faster.
    encoded = encode_value(value)
    outcome = _same(encoded, limits=DEFAULT_LIMITS, deterministic=True)
    assert outcome[0] == "ok"
    # The one-pass decoder builds it on its own, as the two passes would.
    one_pass = decode_deterministic(
        encoded,
        DEFAULT_LIMITS.max_depth,
        DEFAULT_LIMITS.max_items,
        DEFAULT_LIMITS.max_string_bytes,
        None,
        Tag,
    )
    assert one_pass is not MISS
    two_pass = _cbor._decode_two_pass(encoded, DEFAULT_LIMITS, True, None, False)
    assert _typed(one_pass) == _typed(two_pass)


@settings(max_examples=EXAMPLES, deadline=None)
@given(raw_items_st, modes_st, st.data())
def test_hand_built_items_and_their_mutations(
    item: bytes, modes: dict[str, Any], data: st.DataObject
) -> None:
    _same(item, **modes)
    _same(data.draw(_mutated(item)), **modes)


@settings(max_examples=EXAMPLES // 2, deadline=None)
@given(
    st.recursive(
        scalars_st,
        lambda children: st.one_of(
            st.lists(children, max_size=4), st.dictionaries(keys_st, children, max_size=4)
        ),
        max_leaves=20,
    ),
    modes_st,
)
def test_cbor2_encodings(value: Any, modes: dict[str, Any]) -> None:
    # cbor2 keeps the insertion order of map keys: valid CBOR, often not deterministic.
    _same(cbor2.dumps(value), **modes)


# --- hand-made edge cases -----------------------------------------------------------------------

EDGE_CASES = [
    "",
    "00",
    "0000",  # one trailing byte
    "00000000",  # trailing bytes
    "17",
    "1817",  # non-shortest
    "1818",
    "190017",
    "1900ff",
    "190100",
    "1a0000ffff",
    "1a00010000",
    "1b00000000ffffffff",
    "1b0000000100000000",
    "1bffffffffffffffff",
    "3bffffffffffffffff",
    "38",
    "19",
    "1b0000",
    "1c",
    "1d",
    "1e",
    "1f",
    "3f",
    "5f",
    "5fff",
    "5f4100ff",
    "5f410041ff",
    "5f6100ff",  # text chunk in a byte string
    "5f5f4100ffff",  # nested indefinite chunk
    "7f6161ff",
    "7f61c3ff",
    "7f61c361a9ff",  # each chunk must be valid UTF-8 alone
    "7f62c3a9ff",
    "62c3a9",
    "62c3",
    "61ff",
    "6380",
    "7800",
    "780161",
    "58",
    "5a00000001",
    "5bffffffffffffffff",
    "80",
    "81",
    "8100",
    "820000",
    "83000000",
    "9800",
    "980100",
    "9f",
    "9fff",
    "9f00ff",
    "9f00",
    "9f9fffff",
    "9bffffffffffffffff00",
    "a0",
    "a1",
    "a100",
    "a10000",
    "a200000100",
    "a201000000",  # misordered keys
    "a200000000",  # duplicate 0
    "a20100180100",  # 1 and 0x1801: duplicate in non-deterministic mode
    "a2180100 0100".replace(" ", ""),
    "a2616101616100",
    "a2616100616101",
    "a2626162006161 01".replace(" ", ""),
    "a2616101626162 00".replace(" ", ""),
    "a2416101616100",  # b"a" and "a" are different keys
    "a2 5f4161ff 00 4161 01".replace(" ", ""),  # chunked and plain b"a": duplicate
    "a2 7f6161ff 00 6161 01".replace(" ", ""),
    "a2 20 00 00 01".replace(" ", ""),
    "a2 3800 00 20 01".replace(" ", ""),  # -1 twice, non-shortest
    "a1 80 00".replace(" ", ""),
    "a1 a0 00".replace(" ", ""),
    "a1 c100 00".replace(" ", ""),
    "a1 f4 00".replace(" ", ""),
    "a1 f6 00".replace(" ", ""),
    "a1 f93c00 00".replace(" ", ""),
    "a1 ff 00".replace(" ", ""),
    "bf",
    "bfff",
    "bf00ff",
    "bf0000ff",
    "bf00000000ff",
    "bf0000ff00",
    "bf 00 00 01 00 ff".replace(" ", ""),
    "bf ff".replace(" ", ""),
    "b800",
    "b90001 0000".replace(" ", ""),
    "bbffffffffffffffff",
    "c0",
    "c100",
    "c1c100",
    "c400",
    "c482 21 1901f4".replace(" ", ""),
    "d8 18 00".replace(" ", ""),
    "d8 19 00".replace(" ", ""),
    "d8 1c 00".replace(" ", ""),
    "d8 1d 00".replace(" ", ""),
    "d9 0100 00".replace(" ", ""),
    "d8 64 00".replace(" ", ""),
    "d9 d9f7 a0".replace(" ", ""),
    "d8 01 00".replace(" ", ""),  # non-shortest tag
    "d9 0004 00".replace(" ", ""),
    "df",
    "dbffffffffffffffff00",
    "e0",
    "f3",
    "f4",
    "f5",
    "f6",
    "f7",
    "f8",
    "f800",
    "f81f",
    "f820",
    "f8ff",
    "f93c00",
    "f93c",
    "fa3f800000",
    "fa3f80",
    "fb3ff0000000000000",
    "fb3ff0",
    "fc",
    "fd",
    "fe",
    "ff",
    "82 ff 00".replace(" ", ""),
    # Short arrays of integers, with heads in every form.
    "82 21 190100".replace(" ", ""),
    "82 21 190017".replace(" ", ""),
    "82 21 390017".replace(" ", ""),
    "82 1817 00".replace(" ", ""),
    "82 3817 00".replace(" ", ""),
    "82 1818 3818".replace(" ", ""),
    "82 19 00".replace(" ", ""),
    "82 1901".replace(" ", ""),
    "83 00 1a00010000 1b0000000100000000".replace(" ", ""),
    # Counts that need an extra byte but claim more entries than there are bytes left.
    "98 18 00".replace(" ", ""),
    "98 20 00".replace(" ", ""),
    "b8 18 0000".replace(" ", ""),
    "99 0100 00".replace(" ", ""),
    "81 f93c00".replace(" ", ""),
    "a1 00 fb3ff0000000000000".replace(" ", ""),
]


@pytest.mark.parametrize("hex_data", EDGE_CASES)
def test_edge_cases(hex_data: str) -> None:
    data = bytes.fromhex(hex_data)
    _all_modes(data)
    _all_modes(data, SMALL_LIMITS)
    _all_modes(data, DecodeLimits(max_bytes=1, max_depth=1, max_items=1, max_string_bytes=1))


def _nested(depth: int, opener: bytes) -> bytes:
    return opener * depth + b"\x00"


@pytest.mark.parametrize(
    "opener", [b"\x81", b"\xa1\x00", b"\xc1", b"\xd8\x64", b"\x9f", b"\xbf\x00"]
)
@pytest.mark.parametrize("max_depth", [1, 2, 5, 32])
def test_nesting_at_and_past_the_limit(opener: bytes, max_depth: int) -> None:
    limits = DecodeLimits(max_depth=max_depth)
    for depth in (max_depth - 1, max_depth, max_depth + 1):
        data = _nested(depth, opener)
        if opener in (b"\x9f", b"\xbf\x00"):
            data += b"\xff" * depth
        _all_modes(data, limits)
    # Mixed: arrays, maps and tags all count.
    mixed = (b"\x81\xa1\x00\xc1" * max_depth)[: max_depth * 2] + b"\x00"
    _all_modes(mixed, limits)
    _all_modes(b"\x81" * max_depth + b"\x80", limits)  # an empty container counts too
    _all_modes(b"\x81" * (max_depth - 1) + b"\x80", limits)
    # Containers whose count needs an extra header byte.
    for depth in (max_depth - 1, max_depth):
        _all_modes(b"\x81" * depth + b"\x98\x18" + b"\x00" * 24, limits)
        _all_modes(
            b"\x81" * depth + b"\xb8\x18" + bytes(x for k in range(24) for x in (k, 0)), limits
        )


@pytest.mark.parametrize("max_items", [1, 2, 3, 4, 5, 8])
def test_item_limit(max_items: int) -> None:
    limits = DecodeLimits(max_items=max_items)
    for data in (
        encode_value([1, 2, 3]),
        encode_value({1: 2, 3: [4, 5]}),
        encode_value(Tag(4, [-2, 1234])),
        encode_value([Tag(1, 5), Tag(1, 6)]),
        encode_value(list(range(30))),
        encode_value({i: i for i in range(30)}),
        bytes.fromhex("9f01020304ff"),
        bytes.fromhex("bf0102030405ff"),
        bytes.fromhex("5f41004100ff"),
        bytes.fromhex("d9d9f7d8648301a10203"),
    ):
        _all_modes(data, limits)


@pytest.mark.parametrize("max_string", [1, 2, 3, 23, 24, 25, 300])
def test_string_limit(max_string: int) -> None:
    limits = DecodeLimits(max_string_bytes=max_string)
    for length in (0, 1, 2, 3, 22, 23, 24, 25, 256):
        for value in (b"x" * length, "\u00e9" * (length // 2) + "a" * (length % 2)):
            _all_modes(encode_value(value), limits)
            _all_modes(encode_value({value: [value]}), limits)
    _all_modes(bytes.fromhex("5f4100410041ff"), limits)
    _all_modes(bytes.fromhex("7f6161626162ff"), limits)


@pytest.mark.parametrize("size", [1, 2, 3, 24, 25, 26, 300])
def test_byte_limit(size: int) -> None:
    data = encode_value(b"z" * (size - 1 if size < 25 else size - 2))
    for max_bytes in (len(data) - 1, len(data), len(data) + 1):
        if max_bytes >= 1:
            _all_modes(data, DecodeLimits(max_bytes=max_bytes))


def test_passport_example() -> None:
    from batterypass.codec import _cbor_passport
    from batterypass.codec import cbor as bp_cbor
    from batterypass.codec import json as bp_json

    root = Path(__file__).resolve().parents[2]
    for name in ("ev-nmc", "lfp-storage", "lmt-ebike"):
        text = (root / "examples" / "passports" / f"{name}.json").read_text(encoding="utf-8")
        data = bp_cbor.dumps(bp_json.loads(text))
        outcome = _same(
            data, limits=DEFAULT_LIMITS, deterministic=True, allowed_tags=_cbor_passport.WIRE_TAGS
        )
        assert outcome[0] == "ok"
        _all_modes(data)
        # Every one-byte change and every truncation of the first 200 bytes.
        for i in range(min(len(data), 200)):
            for flip in (0x01, 0x20, 0x80):
                mutated = bytearray(data)
                mutated[i] ^= flip
                _same(
                    bytes(mutated),
                    limits=DEFAULT_LIMITS,
                    deterministic=True,
                    allowed_tags=_cbor_passport.WIRE_TAGS,
                )
            _same(
                data[:i],
                limits=DEFAULT_LIMITS,
                deterministic=True,
                allowed_tags=_cbor_passport.WIRE_TAGS,
            )


def test_float_encodings() -> None:
    for fmt, ib in (("e", 0xF9), ("f", 0xFA), ("d", 0xFB)):
        for x in (0.0, 1.5, float("inf"), float("nan")):
            _all_modes(bytes([ib]) + struct.pack(">" + fmt, x))
            _all_modes(b"\x81" + bytes([ib]) + struct.pack(">" + fmt, x))
