"""The deterministic fast path (the one-pass decoder, ``codec/_cbor_decode.py``), edge case by
edge case, against the pre-scan's general loop.

``decode_deterministic`` never raises: it returns the value (accept) or ``MISS`` (the two
passes decide). It must never accept what ``_scan_general`` rejects, and what it builds must be
the value the two passes (pre-scan, cbor2) build. Each edge case (key order, limits, heads,
UTF-8, tags, all short inputs) is checked on the general loop, the one-pass decoder and the
reference copy of the old scanner, under limits small enough to sit exactly at each bound.
"""

from __future__ import annotations

import importlib.util
import itertools
from collections.abc import Set
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from batterypass.codec import _cbor, _cbor_scan
from batterypass.codec._cbor_decode import MISS, decode_deterministic
from batterypass.codec.cbor import Tag
from batterypass.errors import DecodeError


def _load_reference() -> ModuleType:
    path = Path(__file__).with_name("_scan_reference.py")
    spec = importlib.util.spec_from_file_location("_batterypass_scan_reference_fast_loop", path)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


reference = _load_reference()

_ACCEPT = "accept"
_REJECT = "reject"


class _Limits:
    def __init__(self, max_depth: int, max_items: int, max_string_bytes: int) -> None:
        self.max_bytes = 1 << 20
        self.max_depth = max_depth
        self.max_items = max_items
        self.max_string_bytes = max_string_bytes


def _decide(
    data: bytes,
    *,
    max_depth: int = 32,
    max_items: int = 1000,
    max_string: int = 1000,
    allow_floats: bool = False,
    allowed_tags: Set[int] | None = None,
) -> tuple[str, set[int] | None]:
    """Run the general loop, the one pass and the reference; assert they agree and return the
    shared outcome."""
    try:
        general: set[int] | None = _cbor_scan._scan_general(
            data, max_depth, max_items, max_string, True, allow_floats, allowed_tags
        )
    except DecodeError:
        general = None
    try:
        ref: set[int] | None = reference.scan(
            data,
            limits=_Limits(max_depth, max_items, max_string),
            deterministic=True,
            allow_floats=allow_floats,
            allowed_tags=allowed_tags,
        )
    except DecodeError:
        ref = None
    context = (data.hex(), max_depth, max_items, max_string, allow_floats, allowed_tags)
    assert general == ref, context
    if not allow_floats and data:
        # The fail-open direction: the one pass accepted, so the general loop must too, and
        # the value is the one the two passes (pre-scan, cbor2) build.
        policy = None if allowed_tags is None else frozenset(allowed_tags)
        one_pass = decode_deterministic(data, max_depth, max_items, max_string, policy, Tag)
        if one_pass is not MISS:
            assert general is not None, ("one pass accepted a rejected input", *context)
            limits: Any = _Limits(max_depth, max_items, max_string)  # bounds down to 0
            two_pass = _cbor._decode_two_pass(data, limits, True, policy, False)
            assert repr(one_pass) == repr(two_pass), context
    return (_ACCEPT if general is not None else _REJECT), general


def _h(text: str) -> bytes:
    return bytes.fromhex(text.replace(" ", ""))


# --- map key order -------------------------------------------------------------------------

KEY_ORDER_CASES = [
    # (hex, accepted): one-byte keys of every kind against each other and longer keys.
    ("a2 17 00 20 00", True),  # 23 < -1 bytewise (0x17 < 0x20)
    ("a2 20 00 17 00", False),
    ("a2 17 00 18 18 00", True),  # 23 < 24
    ("a2 18 18 00 17 00", False),
    ("a2 37 00 38 18 00", True),  # -24 < -25
    ("a2 38 18 00 37 00", False),
    ("a2 18 18 00 18 19 00", True),  # same first byte: the argument decides
    ("a2 18 19 00 18 18 00", False),
    ("a2 18 18 00 18 18 00", False),  # duplicate two-byte key
    ("a2 19 01 00 00 19 01 00 00", False),  # duplicate three-byte key
    ("a2 19 01 00 00 19 01 01 00", True),
    ("a2 20 00 20 00", False),  # duplicate one-byte negative key
    ("a2 00 00 00 00", False),  # duplicate one-byte unsigned key
    ("a2 17 00 17 00", False),
    ("a2 40 00 60 00", True),  # b"" < ""
    ("a2 60 00 40 00", False),
    ("a2 57 00 60 00", False),  # 0x57 (23-byte bytes) vs 0x60: different lengths of bytes
    ("a2 41 00 00 60 00", True),
    ("a2 61 61 00 61 61 00", False),  # duplicate text key
    ("a2 41 61 00 61 61 00", True),  # b"a" and "a" differ
    ("a2 61 61 00 41 61 00", False),
    ("a2 61 61 00 61 62 00", True),
    ("a2 61 62 00 61 61 00", False),
    ("a2 62 61 61 00 62 61 62 00", True),
    ("a2 62 61 62 00 62 61 61 00", False),
    ("a2 61 7a 00 62 61 61 00", True),  # shorter text first, whatever its content
    ("a2 62 61 61 00 61 7a 00", False),
    ("a2 60 00 60 00", False),  # duplicate empty text
    ("a2 40 00 40 00", False),
    ("a3 00 00 20 00 60 00", True),
    ("a3 00 00 60 00 20 00", False),
    ("a3 01 00 01 00 02 00", False),  # duplicate followed by a larger key
    # Keys that are not integers or strings, and keys cut off or malformed.
    ("a1 c1 00 00", False),
    ("a1 d8 18 00 00", False),
    ("a1 80 00", False),
    ("a1 a0 00", False),
    ("a1 f4 00", False),
    ("a1 f6 00", False),
    ("a1 f9 3c 00 00", False),
    ("a1 ff 00", False),
    ("a1 1c 00", False),
    ("a1 5f ff 00", False),
    ("a1 7f ff 00", False),
    ("a1 18 17 00", False),  # non-shortest key
    ("a1 39 00 ff 00", False),
    ("a1 61 c3 00", False),  # truncated UTF-8 in a key
    ("a1 62 c0 80 00", False),
    ("a1 63 ed a0 80 00", False),  # surrogate
    ("a1 00", False),
    ("a1 61", False),
    ("a1 62 61", False),
]


@pytest.mark.parametrize(("hex_data", "accepted"), KEY_ORDER_CASES)
def test_key_order(hex_data: str, accepted: bool) -> None:
    outcome, _ = _decide(_h(hex_data))
    assert outcome == (_ACCEPT if accepted else _REJECT)


def test_long_keys_with_the_same_first_byte() -> None:
    a24 = _h("78 18") + b"a" * 24
    a25 = _h("78 19") + b"a" * 25
    b24 = _h("78 18") + b"a" * 23 + b"b"
    for first, second, accepted in (
        (a24, a25, True),
        (a25, a24, False),
        (a24, b24, True),
        (b24, a24, False),
        (a24, a24, False),
    ):
        data = b"\xa2" + first + b"\x00" + second + b"\x00"
        assert _decide(data)[0] == (_ACCEPT if accepted else _REJECT)
        # At the string limit and one below it.
        assert _decide(data, max_string=25)[0] == (_ACCEPT if accepted else _REJECT)
        if a25 in (first, second):
            assert _decide(data, max_string=24)[0] == _REJECT
        else:
            assert _decide(data, max_string=24)[0] == (_ACCEPT if accepted else _REJECT)
            assert _decide(data, max_string=23)[0] == _REJECT


@pytest.mark.parametrize(
    ("hex_data", "accepted"),
    [
        # The previous key of the outer map must be restored after a nested map, array or tag:
        # outer keys "c" then "b" are misordered, whatever the inner map held.
        ("a2 61 63 a1 61 61 00 61 62 00", False),
        ("a2 61 63 c1 a1 61 61 00 61 62 00", False),
        ("a2 61 63 82 a1 61 61 00 00 61 62 00", False),
        ("a2 61 63 82 00 a1 61 61 00 61 62 00", False),
        ("a2 61 63 81 81 a1 61 61 00 61 62 00", False),
        ("a2 18 20 a1 18 18 00 18 19 00", False),
        ("a2 18 20 a1 00 00 18 19 00", False),
        # ... and the same with outer keys in order ("a" then "b"), inner key "z".
        ("a2 61 61 a1 61 7a 00 61 62 00", True),
        ("a2 61 61 82 a1 61 7a 00 00 61 62 00", True),
        ("a2 61 61 c1 a1 61 7a 00 61 62 00", True),
        # An inner map's first key is not compared with the outer map's key.
        ("a1 61 62 a2 61 61 00 61 62 00", True),
        ("a1 01 a2 00 00 01 00", True),
    ],
)
def test_key_state_across_nesting(hex_data: str, accepted: bool) -> None:
    assert _decide(_h(hex_data))[0] == (_ACCEPT if accepted else _REJECT)


# --- depth, items and strings at their limits ----------------------------------------------

LIMIT_CASES = [
    # hex, smallest max_depth, smallest max_items, smallest max_string that accept it
    ("00", 1, 1, 0),
    ("80", 1, 1, 0),  # an empty container counts towards the depth
    ("a0", 1, 1, 0),
    ("81 80", 2, 2, 0),
    ("81 a0", 2, 2, 0),
    ("c1 80", 2, 2, 0),
    ("c1 00", 1, 2, 0),  # a tag counts as depth and as an item
    ("c1 c1 00", 2, 3, 0),
    ("c1 c1 c1 80", 4, 4, 0),
    ("81 81 00", 2, 3, 0),
    ("82 00 00", 1, 3, 0),
    ("83 01 18 18 19 01 00", 1, 4, 0),  # the short-array shortcut
    ("82 00 81 00", 2, 4, 0),
    ("82 c1 00 00", 2, 4, 0),
    ("a1 00 00", 1, 3, 0),
    ("a1 00 c1 00", 2, 4, 0),
    ("a1 00 a1 00 80", 3, 5, 0),
    ("a1 61 61 62 62 62", 1, 3, 2),
    ("a1 42 00 00 00", 1, 3, 2),
    ("61 61", 1, 1, 1),
    ("62 c3 a9", 1, 1, 2),
    ("40", 1, 1, 0),
    ("60", 1, 1, 0),
    ("57" + "00" * 23, 1, 1, 23),
    ("58 18" + "00" * 24, 1, 1, 24),
    ("78 18" + "61" * 24, 1, 1, 24),
    ("c1 61 61", 1, 2, 1),
    ("d8 64 82 c1 00 c4 00", 3, 6, 0),
    ("98 18" + "00" * 24, 1, 25, 0),
    ("b8 18" + "".join(f"{k:02x}00" for k in range(24)), 1, 49, 0),
]


@pytest.mark.parametrize(("hex_data", "depth", "items", "string"), LIMIT_CASES)
def test_limits_exactly(hex_data: str, depth: int, items: int, string: int) -> None:
    data = _h(hex_data)
    assert _decide(data, max_depth=depth, max_items=items, max_string=string)[0] == _ACCEPT
    if depth > 1:
        assert _decide(data, max_depth=depth - 1, max_items=items, max_string=string)[0] == (
            _REJECT
        )
    if items > 1:
        assert _decide(data, max_depth=depth, max_items=items - 1, max_string=string)[0] == (
            _REJECT
        )
    if string > 0:
        assert _decide(data, max_depth=depth, max_items=items, max_string=string - 1)[0] == (
            _REJECT
        )


def test_small_limit_grid() -> None:
    """Every case above under every small limit: the loops agree everywhere."""
    cases = [_h(h) for h, *_ in LIMIT_CASES] + [_h(h) for h, _ in KEY_ORDER_CASES]
    for data in cases:
        for depth, items, string in itertools.product((1, 2, 3, 4), range(1, 9), range(4)):
            _decide(data, max_depth=depth, max_items=items, max_string=string)


# --- heads, truncation, simple values, floats, tags ----------------------------------------

MISC_CASES = [
    # 64-bit heads near 2**63 and 2**64.
    ("1b ff ff ff ff ff ff ff ff", True),
    ("3b ff ff ff ff ff ff ff ff", True),
    ("1b 80 00 00 00 00 00 00 00", True),
    ("1b 00 00 00 01 00 00 00 00", True),
    ("1b 00 00 00 00 ff ff ff ff", False),  # fits four bytes
    ("1a 00 00 ff ff", False),
    ("1a 00 01 00 00", True),
    ("19 00 ff", False),
    ("19 01 00", True),
    ("38 17", False),
    ("38 18", True),
    ("9b 80 00 00 00 00 00 00 00", False),  # claims 2**63 items in 9 bytes
    ("9b 7f ff ff ff ff ff ff ff 00", False),
    ("bb ff ff ff ff ff ff ff ff", False),
    ("5b 7f ff ff ff ff ff ff ff", False),
    ("7b 80 00 00 00 00 00 00 00 61", False),
    ("9a ff ff ff ff 00", False),
    ("b9 ff ff 00 00", False),
    ("98 18" + "00" * 23, False),  # one item short
    ("98 17" + "00" * 23, False),  # non-shortest count
    ("b8 17" + "0000" * 23, False),
    ("58 17" + "00" * 23, False),
    ("78 17" + "61" * 23, False),
    # Input ending exactly at, or one byte short of, the end of an item.
    ("82 00", False),
    ("82 19 01", False),  # the short-array shortcut reads past the end
    ("82 00 19 01", False),
    ("82 00 19 01 00", True),
    ("82 18", False),
    ("81 1b 00 00 00 01 00 00 00", False),
    ("62 61", False),
    ("c1", False),
    ("d8", False),
    ("d8 64", False),
    ("d9 01", False),
    ("a1", False),
    ("a1 00", False),
    ("00 00", False),  # trailing byte
    ("81 00 00", False),
    ("a0 00", False),
    # UTF-8.
    ("62 c3 a9", True),
    ("64 f0 9f 98 80", True),
    ("64 f4 8f bf bf", True),
    ("63 ef bb bf", True),
    ("63 ed 9f bf", True),
    ("63 ee 80 80", True),
    ("62 c0 80", False),  # overlong
    ("63 e0 80 80", False),
    ("63 ed a0 80", False),  # surrogate
    ("64 f4 90 80 80", False),  # above U+10FFFF
    ("64 f5 80 80 80", False),
    ("61 c3", False),  # truncated at the end of the string
    ("62 e2 82", False),
    ("61 80", False),
    ("61 ff", False),
    ("82 61 c3 00", False),
    ("81 62 c3", False),
    # Break, reserved additional information, simple values.
    ("ff", False),
    ("81 ff", False),
    ("a1 00 ff", False),
    ("1c", False),
    ("3d", False),
    ("5e", False),
    ("7c", False),
    ("9d", False),
    ("bc", False),
    ("dc 00", False),
    ("fc", False),
    ("f8 00", False),
    ("f8 1f", False),
    ("f8 20", False),
    ("f8 ff", False),
    ("f7", False),
    ("e0", False),
    ("f3", False),
    ("f4", True),
    ("f5", True),
    ("f6", True),
    ("9f ff", False),
    ("bf ff", False),
    ("5f ff", False),
    ("7f ff", False),
    ("1f", False),
    ("3f", False),
    ("df 00", False),
    ("f9 3c 00", False),  # floats are off by default
    ("81 fa 3f 80 00 00", False),
    # Tags.
    ("d8 17 00", False),  # non-shortest tag numbers
    ("d9 00 ff 00", False),
    ("da 00 00 ff ff 00", False),
    ("db 00 00 00 00 ff ff ff ff 00", False),
    ("db ff ff ff ff ff ff ff ff 00", True),
    ("d8 18 00", True),
    ("a2 00 c1 00 01 d8 12 00", False),  # tag 18 in a two-byte head
    ("d8 19 00", False),  # 25, 28, 29 and 256 never pass
    ("d8 1c 00", False),
    ("d8 1d 00", False),
    ("d9 01 00 00", False),
    ("81 d8 19 00", False),
    ("c1 d8 19 00", False),
    ("d9 d9 f7 c1 00", True),
    ("d8 64 82 c1 00 c4 00", True),
]


@pytest.mark.parametrize(("hex_data", "accepted"), MISC_CASES)
def test_misc(hex_data: str, accepted: bool) -> None:
    assert _decide(_h(hex_data))[0] == (_ACCEPT if accepted else _REJECT)


@pytest.mark.parametrize(
    ("hex_data", "accepted"),
    [
        ("f9 3c 00", True),
        ("fa 3f 80 00 00", True),
        ("fb 3f f0 00 00 00 00 00 00", True),
        ("f9 3c", False),
        ("fa 3f 80 00", False),
        ("fb 3f f0 00 00 00 00 00", False),
        ("82 f9 3c 00 00", True),
        ("82 f9 3c", False),
        ("a1 00 fb 3f f0 00 00 00 00 00 00", True),
        ("a1 f9 3c 00 00", False),  # never a key
        ("f8 20", False),
        ("f7", False),
    ],
)
def test_floats_when_allowed(hex_data: str, accepted: bool) -> None:
    data = _h(hex_data)
    assert _decide(data, allow_floats=True)[0] == (_ACCEPT if accepted else _REJECT)
    if data[0] in (0xF9, 0xFA, 0xFB):
        assert _decide(data, allow_floats=False)[0] == _REJECT


@pytest.mark.parametrize(
    ("hex_data", "tags"),
    [
        ("c1 00", {1}),
        ("d8 64 82 c1 00 c4 00", {100, 1, 4}),
        ("82 c1 00 c1 00", {1}),
        ("a2 00 c1 00 01 d2 00", {1, 18}),
        ("db ff ff ff ff ff ff ff ff 00", {2**64 - 1}),
        ("da 00 01 00 00 00", {0x10000}),
    ],
)
def test_tag_sets_and_policies(hex_data: str, tags: set[int]) -> None:
    data = _h(hex_data)
    assert _decide(data) == (_ACCEPT, tags)  # allowed_tags=None: any tag but the four
    assert _decide(data, allowed_tags=frozenset(tags)) == (_ACCEPT, tags)
    assert _decide(data, allowed_tags=frozenset())[0] == _REJECT
    for missing in tags:
        assert _decide(data, allowed_tags=frozenset(tags - {missing}))[0] == _REJECT
    # Allowing a never-allowed tag on the scanner directly changes nothing.
    assert _decide(_h("d8 19 00"), allowed_tags=frozenset({25}))[0] == _REJECT
    assert _decide(_h("d9 01 00 00"), allowed_tags=frozenset({256}))[0] == _REJECT


def test_all_short_inputs_over_an_alphabet_of_interesting_bytes() -> None:
    """Every input of one or two bytes, and of three over a smaller alphabet."""
    limits = [(1, 1, 0), (1, 2, 1), (2, 3, 0), (3, 100, 100)]
    policies: tuple[frozenset[int] | None, ...] = (None, frozenset())
    alphabet = bytes.fromhex(
        "00 17 18 19 20 38 40 41 58 60 61 62 78 80 81 82 98 a0 a1 b8 c1 d8 f4 f7 f8 f9 ff c3"
    )
    inputs = [bytes([b]) for b in range(256)]
    inputs += [bytes(p) for p in itertools.product(range(256), alphabet)]
    inputs += [bytes(p) for p in itertools.product(alphabet, repeat=3)]
    for data in inputs:
        for depth, items, string in limits:
            for allow_floats in (False, True):
                for allowed_tags in policies:
                    _decide(
                        data,
                        max_depth=depth,
                        max_items=items,
                        max_string=string,
                        allow_floats=allow_floats,
                        allowed_tags=allowed_tags,
                    )


def test_huge_claims_fail_fast() -> None:
    """A short header claiming 2**63 or 2**64 - 1 entries or bytes gives up at once."""
    for head in ("9b", "bb", "5b", "7b"):
        for arg in ("7fffffffffffffff", "8000000000000000", "ffffffffffffffff"):
            data = _h(head + arg) + b"\x00" * 16
            assert decode_deterministic(data, 32, 10**9, 2**70, None, Tag) is MISS
            assert _decide(data, max_items=10**9, max_string=2**70)[0] == _REJECT
