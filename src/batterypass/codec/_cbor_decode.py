"""One-pass decoding of deterministic CBOR: check and build the values in the same walk.

:func:`decode_deterministic` is the one fast path for deterministic input (the pre-scan in
:mod:`batterypass.codec._cbor_scan` has only its general loop, and lends this walk its header
tables and key helpers). It makes the checks of the deterministic profile (shortest heads,
map keys in increasing bytewise order, UTF-8, the limits on depth, items and string sizes, the
tag policy, no trailing bytes) and builds each value as it goes: integers, ``bytes``, ``str``,
``False``/``True``/``None``, ``list``, ``dict`` and, through ``make_tag``, one object per tag.
The values are the ones the two-pass decoder (pre-scan, then cbor2 with every tag left
uninterpreted) returns for the same bytes.

It never reports an error: at the first header it is not sure about (anything malformed,
over a limit or outside the common cases) it returns :data:`MISS`, and the caller decodes the
input the two-pass way, which accepts exactly what the pre-scan accepts and names every error
with its offset. Whatever this function accepts, the pre-scan accepts too, with the same value
(``tests/codec/test_cbor_scan_fast_loop.py`` and ``test_cbor_scan_differential.py`` check it
against the general loop, the two passes and the reference scanner). A rejected input
therefore costs at most this walk plus the two passes.

This module must not import cbor2.
"""

from __future__ import annotations

import struct
from collections.abc import Callable, Set
from typing import Any, Final

from batterypass.codec._cbor_scan import (
    _CLASSES,
    _KEY_CLASSES,
    NEVER_ALLOWED_TAGS,
    _key_end,
    _wide_arg,
)

__all__ = ["MISS", "decode_deterministic"]


class _Miss:
    """The type of :data:`MISS`."""

    def __repr__(self) -> str:
        return "MISS"


MISS: Final = _Miss()
"""Returned by :func:`decode_deterministic` when the input must be decoded the two-pass way."""

_unpack16 = struct.Struct(">H").unpack_from


def _small_values() -> tuple[Any, ...]:
    # The value of each initial byte that is a whole item on its own (_F_SMALL in the scanner).
    table: list[Any] = [None] * 256
    for ib in range(0x18):
        table[ib] = ib
    for ib in range(0x20, 0x38):
        table[ib] = -1 - (ib - 0x20)
    table[0xF4], table[0xF5], table[0xF6] = False, True, None
    return tuple(table)


_SMALL: Final = _small_values()


def _key_value(data: bytes, pos: int, end: int, ib: int) -> Any:
    """The value of the integer or definite-length string key at ``data[pos:end]``, whose head
    :func:`~batterypass.codec._cbor_scan._key_end` has already checked."""
    if ib < 0x40:
        ai = ib & 0x1F
        if ai < 24:
            arg = ai
        elif ai == 24:
            arg = data[pos + 1]
        else:
            arg = _wide_arg(data, pos, ai)[0]
        return arg if ib < 0x20 else -1 - arg
    ai = ib & 0x1F
    head = 1 if ai < 24 else 1 + (1, 2, 4, 8)[ai - 24]
    # The head is the shortest form, so the content is the rest of the key.
    content = data[pos + head : end]
    return content if ib < 0x60 else content.decode("utf-8")


def decode_deterministic(
    data: bytes,
    max_depth: int,
    max_items: int,
    max_string: int,
    allowed_tags: Set[int] | None,
    make_tag: Callable[[int, Any], Any],
) -> Any:
    """The value of the non-empty deterministic CBOR ``data``, or :data:`MISS`.

    ``allowed_tags=None`` accepts every tag but :data:`NEVER_ALLOWED_TAGS`; ``make_tag(number,
    value)`` builds the object for a tag (its value may still be filled in afterwards: an
    array or a map under a tag is built in place). No floats (the profile has none).
    """
    n = len(data)
    classes = _CLASSES
    key_classes = _KEY_CLASSES
    small = _SMALL
    # Frames of the open containers (items left, depth), plus the container being filled: the
    # innermost in local variables, its parents on the stack. ``key`` is the key of the map
    # entry being read. The whole input is a frame too: a list that will hold the one item.
    top: list[Any] = []
    container: Any = top
    stack: list[tuple[Any, int, bool, int, int, int, int]] = []
    push = stack.append
    pop = stack.pop
    remaining = 1
    is_map = False
    key: Any = None
    prev_ib = -1
    prev_start = prev_end = 0
    base = depth = 0
    items = 1
    pos = 0
    value: Any = None
    try:
        while True:
            if is_map:
                ib = data[pos]
                if ib < 0x18 and ib > prev_ib:
                    key = ib
                    prev_ib = ib
                    pos += 1
                else:
                    key_class = key_classes[ib]
                    if key_class == 2 or ib < prev_ib:
                        return MISS
                    if key_class == 0:
                        if ib == prev_ib:
                            return MISS
                        key = small[ib]
                        pos += 1
                    else:
                        end = _key_end(data, pos, ib, max_string)
                        if end < 0:
                            return MISS
                        if ib == prev_ib and data[pos:end] <= data[prev_start:prev_end]:
                            return MISS
                        key = _key_value(data, pos, end, ib)
                        prev_start, prev_end = pos, end
                        pos = end
                    prev_ib = ib

            ib = data[pos]
            cls = classes[ib]
            numbers: list[int] | None = None
            while cls == 6:  # _F_TAG
                if ib < 0xD8:
                    number = ib - 0xC0
                    pos += 1
                elif ib == 0xD8:
                    number = data[pos + 1]
                    if number < 24:
                        return MISS
                    pos += 2
                else:
                    number, pos = _wide_arg(data, pos, ib & 0x1F)
                    if number < 0:
                        return MISS
                if number in NEVER_ALLOWED_TAGS or (
                    allowed_tags is not None and number not in allowed_tags
                ):
                    return MISS
                if depth >= max_depth:
                    return MISS
                depth += 1
                items += 1
                if items > max_items:
                    return MISS
                if numbers is None:
                    numbers = [number]
                else:
                    numbers.append(number)
                ib = data[pos]
                cls = classes[ib]

            opened: Any = None  # a new array or map with entries still to read
            count = 0
            if cls == 0:  # _F_SMALL
                value = small[ib]
                pos += 1
            elif cls == 1:  # _F_TEXT
                length = ib - 0x60
                end = pos + 1 + length
                if length > max_string or end > n:
                    return MISS
                value = data[pos + 1 : end].decode("utf-8")
                pos = end
            elif cls == 2:  # _F_ARRAY
                if depth >= max_depth:
                    return MISS
                count = ib - 0x80
                pos += 1
                if count > n - pos:
                    return MISS
                items += count
                if items > max_items:
                    return MISS
                value = []
                while count:
                    ib = data[pos]
                    if ib < 0x18:
                        value.append(ib)
                        pos += 1
                    elif 0x20 <= ib < 0x38:
                        value.append(0x1F - ib)
                        pos += 1
                    elif ib == 0x18 or ib == 0x38:
                        arg = data[pos + 1]
                        if arg < 24:
                            return MISS
                        value.append(arg if ib == 0x18 else -1 - arg)
                        pos += 2
                    elif ib == 0x19 or ib == 0x39:
                        if not data[pos + 1]:
                            return MISS
                        arg = _unpack16(data, pos + 1)[0]
                        value.append(arg if ib == 0x19 else -1 - arg)
                        pos += 3
                    else:
                        break
                    count -= 1
                if count:
                    opened = value
            elif cls == 3:  # _F_MAP
                if depth >= max_depth:
                    return MISS
                count = ib - 0xA0
                pos += 1
                if 2 * count > n - pos:
                    return MISS
                items += 2 * count
                if items > max_items:
                    return MISS
                value = opened = {}
            elif cls == 4:  # _F_INT1
                arg = data[pos + 1]
                if arg < 24:
                    return MISS
                value = arg if ib == 0x18 else -1 - arg
                pos += 2
            elif cls == 5:  # _F_INT
                if ib & 0x1F == 25:
                    if not data[pos + 1]:
                        return MISS
                    arg = _unpack16(data, pos + 1)[0]
                    pos += 3
                else:
                    arg, pos = _wide_arg(data, pos, ib & 0x1F)
                    if arg < 0:
                        return MISS
                value = arg if ib < 0x20 else -1 - arg
            elif cls == 7:  # _F_BYTES
                length = ib - 0x40
                end = pos + 1 + length
                if length > max_string or end > n:
                    return MISS
                value = data[pos + 1 : end]
                pos = end
            elif cls == 8:  # _F_LONG
                if ib & 0x1F == 24:
                    arg = data[pos + 1]
                    if arg < 24:
                        return MISS
                    pos += 2
                else:
                    arg, pos = _wide_arg(data, pos, ib & 0x1F)
                    if arg < 0:
                        return MISS
                if ib < 0x80:
                    end = pos + arg
                    if arg > max_string or end > n:
                        return MISS
                    value = data[pos:end] if ib < 0x60 else data[pos:end].decode("utf-8")
                    pos = end
                else:
                    if depth >= max_depth:
                        return MISS
                    children = arg if ib < 0xA0 else 2 * arg
                    if children > n - pos:
                        return MISS
                    items += children
                    if items > max_items:
                        return MISS
                    count = arg
                    value = opened = [] if ib < 0xA0 else {}
            elif cls == 10:  # _F_EMPTY
                if depth >= max_depth:
                    return MISS
                value = [] if ib == 0x80 else {}
                pos += 1
            else:
                return MISS

            # The item is read (or, if ``opened``, its container is): wrap it in its tags,
            # innermost first, and store it in the open frame.
            if numbers is not None:
                for number in reversed(numbers):
                    value = make_tag(number, value)
            if is_map:
                container[key] = value
            else:
                container.append(value)
            if opened is not None:
                push((container, remaining, is_map, prev_ib, prev_start, prev_end, base))
                container = opened
                remaining = count
                is_map = type(opened) is dict
                prev_ib = -1
                base = depth = depth + 1
                continue

            depth = base
            remaining -= 1
            if remaining:
                continue
            while stack:
                container, remaining, is_map, prev_ib, prev_start, prev_end, base = pop()
                remaining -= 1
                if remaining:
                    break
            else:
                break  # the top-level item is complete
            depth = base
    except (IndexError, struct.error, UnicodeDecodeError):
        return MISS
    if pos != n:
        return MISS
    return top[0]
