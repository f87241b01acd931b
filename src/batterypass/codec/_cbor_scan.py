"""Header-only pre-scan of one CBOR data item (RFC 8949), run before any value is built.

The scanner walks the encoded bytes by reading item headers only: it never builds a Python
value and never copies string contents (except map keys, which are small scalars, and text
strings, which it decodes once to check their UTF-8). Every length it reads is checked against
the input size and the :class:`Limits` before it is used, so a short header that claims a
4 GiB string or a billion-element array fails at that header, without allocating anything.

What it checks is the profile written down in ``specs/cbor-profile.md``:

- well-formedness (RFC 8949 section 3 and appendix C), trailing bytes and the limits;
- map keys: integers, text strings or byte strings only, never duplicated;
- simple values: only false, true and null; floats only when ``allow_floats`` is set;
- tags: never 25, 28, 29 or 256 (they change the meaning of *other* items), and only the
  ``allowed_tags`` when a set is given;
- in deterministic mode, the core deterministic encoding of RFC 8949 section 4.2.1.

The fast path for deterministic input is not here: the one-pass decoder
(:mod:`batterypass.codec._cbor_decode`) walks what that mode accepts (definite lengths,
shortest heads, keys in increasing bytewise order) and builds the values as it goes, with the
header tables and helpers below. It never reports an error itself: at the first header it is
not sure about it gives up, and this scanner (then cbor2) takes the input from the start, so
every error comes from one place with its message and offset.

This module must not import cbor2: it is the independent gatekeeper in front of it.
"""

from __future__ import annotations

import struct
from collections.abc import Set
from typing import Any, Final, Protocol

from batterypass.errors import DecodeError

__all__ = ["NEVER_ALLOWED_TAGS", "Limits", "item_end", "key_path_at", "scan"]

#: Tags whose meaning depends on other items of the message: string references (25, 256) and
#: value sharing (28, 29). Left uninterpreted they would silently yield a different value from
#: the one the producer meant, so they are rejected whatever ``allowed_tags`` says.
NEVER_ALLOWED_TAGS: Final = frozenset({25, 28, 29, 256})

_TAG_NAMES: Final = {
    25: "string reference",
    28: "shareable value",
    29: "shared value reference",
    256: "string reference namespace",
}


class Limits(Protocol):
    """The bounds the scanner enforces (``batterypass.codec.cbor.DecodeLimits`` fits)."""

    @property
    def max_bytes(self) -> int: ...
    @property
    def max_depth(self) -> int: ...
    @property
    def max_items(self) -> int: ...
    @property
    def max_string_bytes(self) -> int: ...


_unpack16 = struct.Struct(">H").unpack_from
_unpack32 = struct.Struct(">I").unpack_from
_unpack64 = struct.Struct(">Q").unpack_from

# Smallest argument that may use additional information 24..27 (RFC 8949 section 4.2.1:
# "the argument must be as short as possible").
_MIN_ARG: Final = (24, 0x100, 0x10000, 0x100000000)

# Kinds of open items. The innermost open item lives in local variables of :func:`_scan_general`
# (kind, remaining, start, key_start, keys); its parents are saved as tuples on a stack.
# ``remaining`` counts the child items still expected; indefinite-length items start from a
# negative number and count down, so they never reach zero and end only at a break. A map
# counts keys and values separately, so an even ``remaining`` means "a key comes next".
_TOP: Final = 0  # the whole input: one item expected
_ARRAY: Final = 1
_MAP: Final = 2
_TAG: Final = 3
_STRING: Final = 4  # an indefinite-length byte or text string: its chunks

_KIND_NAMES: Final = ("input", "array", "map", "tag", "indefinite-length string")
_MAJOR_NAMES: Final = (
    "unsigned integer",
    "negative integer",
    "byte string",
    "text string",
    "array",
    "map",
    "tag",
    "simple value or float",
)


def scan(
    data: bytes,
    *,
    limits: Limits,
    deterministic: bool,
    allow_floats: bool = False,
    allowed_tags: Set[int] | None = None,
) -> set[int]:
    """Check that ``data`` is exactly one acceptable CBOR data item; raise DecodeError if not.

    ``allowed_tags=None`` accepts every tag except :data:`NEVER_ALLOWED_TAGS`. Returns the tag
    numbers that occur, so the decoder knows which tags to keep uninterpreted. With
    ``allow_floats`` a float's form is not checked, not even in deterministic mode (which
    would ask for its shortest form): ``decode_value`` therefore refuses floats in
    deterministic mode, and so must any other caller.
    """
    n = len(data)
    if n > limits.max_bytes:
        raise DecodeError(
            f"input of {n} bytes exceeds the limit of {limits.max_bytes} bytes",
            offset=limits.max_bytes,
        )
    if n == 0:
        raise DecodeError("truncated: empty input, expected one CBOR data item", offset=0)
    max_depth = limits.max_depth
    max_items = limits.max_items
    max_string = limits.max_string_bytes
    return _scan_general(
        data, max_depth, max_items, max_string, deterministic, allow_floats, allowed_tags
    )


def _scan_general(
    data: bytes,
    max_depth: int,
    max_items: int,
    max_string: int,
    deterministic: bool,
    allow_floats: bool,
    allowed_tags: Set[int] | None,
) -> set[int]:
    """The scan of :func:`scan` for every mode and input; the only source of its errors."""
    n = len(data)
    tags: set[int] = set()
    # The open item (see _TOP ... _STRING). ``keys`` is, for a map, the previous key's bytes
    # (deterministic mode) or the set of keys seen, normalised (their encodings may differ).
    stack: list[tuple[int, int, int, int, Any]] = []
    kind = _TOP
    remaining = 1
    cstart = 0
    key_start = 0
    keys: Any = None
    # Only meaningful while kind == _STRING, which never has an open child.
    chunk_major = 0
    chunk_total = 0

    # Data items counted so far: the top-level one, then the declared children of each
    # definite-length container or tag when it opens, and the children of indefinite-length
    # items one by one as their headers are read.
    items = 1
    pos = 0
    # One iteration reads one header. Containers open and continue with their first child;
    # every other item is complete at once and falls through to the bookkeeping at the bottom,
    # which counts it in its parent, closes what it completes and checks map keys.
    while True:
        start = pos
        if pos >= n:
            raise DecodeError(
                f"truncated: the input ends inside the {_KIND_NAMES[kind]} that starts here",
                offset=cstart,
            )
        ib = data[pos]
        major = ib >> 5
        ai = ib & 0x1F
        pos += 1

        if ai < 24:
            arg = ai
        elif ai < 28:
            size = 1 << (ai - 24)
            if pos + size > n:
                raise DecodeError(
                    f"truncated: the {_MAJOR_NAMES[major]} header needs {size} bytes after"
                    f" its initial byte but {n - pos} remain",
                    offset=start,
                )
            if ai == 24:
                arg = data[pos]
            elif ai == 25:
                arg = _unpack16(data, pos)[0]
            elif ai == 26:
                arg = _unpack32(data, pos)[0]
            else:
                arg = _unpack64(data, pos)[0]
            pos += size
            if deterministic and major != 7 and arg < _MIN_ARG[ai - 24]:
                raise DecodeError(
                    f"{_MAJOR_NAMES[major]} argument {arg} is not in its shortest form"
                    f" (RFC 8949 section 4.2.1)",
                    offset=start,
                )
        elif ai == 31:
            arg = -1  # indefinite length, or the break code for major type 7
        else:
            raise DecodeError(
                f"reserved additional information value {ai} (RFC 8949 section 3)",
                offset=start,
            )

        if remaining < 0 and ib != 0xFF:
            # A child of an indefinite-length item: not counted in advance.
            items += 1
            if items > max_items:
                raise _too_many(max_items, start)
        if kind == _MAP:
            if not remaining & 1:
                # A map key. Only scalars that compare exactly (no 1 == 1.0 == True) and hash
                # cheaply are allowed.
                if major > 3 and ib != 0xFF:
                    raise DecodeError(
                        f"map keys must be integers, text strings or byte strings"
                        f" (found: {_MAJOR_NAMES[major]})",
                        offset=start,
                    )
                key_start = start
        elif kind == _STRING and ib != 0xFF and (major != chunk_major or arg < 0):
            raise DecodeError(
                f"chunk of an indefinite-length {_MAJOR_NAMES[chunk_major]} must be a"
                f" definite-length {_MAJOR_NAMES[chunk_major]} (RFC 8949 section 3.2.3)",
                offset=start,
            )

        if major <= 1:
            if arg < 0:
                raise DecodeError(
                    f"{_MAJOR_NAMES[major]} cannot have indefinite length", offset=start
                )
        elif major <= 3:
            if arg < 0:
                if deterministic:
                    raise _indefinite(major, start)
                stack.append((kind, remaining, cstart, key_start, keys))
                kind, remaining, cstart = _STRING, -1, start
                chunk_major, chunk_total = major, 0
                continue
            if arg > max_string:
                raise _string_too_long(major, arg, max_string, start)
            end = pos + arg
            if end > n:
                raise DecodeError(
                    f"truncated: {_MAJOR_NAMES[major]} of {arg} bytes but {n - pos} remain",
                    offset=start,
                )
            if major == 3:
                try:
                    data[pos:end].decode("utf-8")
                except UnicodeDecodeError as e:
                    raise DecodeError(
                        f"text string is not valid UTF-8 ({e.reason})", offset=pos + e.start
                    ) from None
            if kind == _STRING:
                chunk_total += arg
                if chunk_total > max_string:
                    raise _string_too_long(major, chunk_total, max_string, cstart)
            pos = end
        elif major <= 5:
            # Empty containers count towards the depth too, as they do in cbor2 and in the
            # encoder, so that "nesting depth" means the same thing everywhere.
            if len(stack) >= max_depth:
                raise _too_deep(max_depth, start)
            if arg < 0:
                if deterministic:
                    raise _indefinite(major, start)
                stack.append((kind, remaining, cstart, key_start, keys))
                if major == 4:
                    kind, remaining, cstart = _ARRAY, -1, start
                else:
                    kind, remaining, cstart, keys = _MAP, -2, start, set()
                continue
            if arg:
                children = arg if major == 4 else 2 * arg
                # Every child needs at least one byte: a count larger than what is left is
                # truncation, found here instead of after reading all the rest.
                if children > n - pos:
                    raise DecodeError(
                        f"truncated: {_MAJOR_NAMES[major]} declares {arg} entries but only"
                        f" {n - pos} bytes remain",
                        offset=start,
                    )
                items += children
                if items > max_items:
                    raise _too_many(max_items, start)
                stack.append((kind, remaining, cstart, key_start, keys))
                kind, remaining, cstart = (_ARRAY if major == 4 else _MAP), children, start
                keys = None if deterministic else set()
                continue
        elif major == 6:
            if arg < 0:
                raise DecodeError("tag cannot have indefinite length", offset=start)
            if arg in NEVER_ALLOWED_TAGS:
                raise DecodeError(
                    f"tag {arg} ({_TAG_NAMES[arg]}) is not supported: it changes the meaning"
                    f" of other items",
                    offset=start,
                )
            if allowed_tags is not None and arg not in allowed_tags:
                allowed = ", ".join(str(t) for t in sorted(allowed_tags)) or "none"
                raise DecodeError(
                    f"tag {arg} is not allowed here (allowed tags: {allowed})", offset=start
                )
            if len(stack) >= max_depth:
                raise _too_deep(max_depth, start)
            items += 1
            if items > max_items:
                raise _too_many(max_items, start)
            tags.add(arg)
            stack.append((kind, remaining, cstart, key_start, keys))
            kind, remaining, cstart = _TAG, 1, start
            continue
        elif ai == 31:
            if remaining >= 0:
                raise DecodeError(
                    "break code (0xff) outside an indefinite-length item", offset=start
                )
            if kind == _MAP and remaining & 1:
                raise DecodeError(
                    "indefinite-length map ends after a key, without its value",
                    offset=start,
                )
            # The closed item is complete in its parent: fall through to the bookkeeping.
            kind, remaining, cstart, key_start, keys = stack.pop()
        elif ai >= 25:
            if not allow_floats:
                raise DecodeError("floating-point values are not allowed", offset=start)
        elif ai == 24:
            if arg < 32:
                raise DecodeError(
                    f"simple value {arg} must use the one-byte encoding (RFC 8949 section 3.3)",
                    offset=start,
                )
            raise DecodeError(
                f"simple value {arg} is not allowed (only false, true and null)", offset=start
            )
        elif ai < 20 or ai == 23:
            what = "undefined" if ai == 23 else f"simple value {ai}"
            raise DecodeError(f"{what} is not allowed (only false, true and null)", offset=start)

        # The item just read is complete.
        while True:
            if kind == _MAP and not remaining & 1:
                if deterministic:
                    # RFC 8949 section 4.2.1: keys sorted bytewise by their encodings.
                    # Strictly increasing also means no duplicates.
                    key = data[key_start:pos]
                    if keys is not None and key <= keys:
                        raise _misordered_key(key == keys, key_start)
                    keys = key
                else:
                    _check_lenient_key(data[key_start:pos], keys, key_start)
            remaining -= 1
            if remaining or not stack:
                break  # more children to come, or the top-level item is complete
            kind, remaining, cstart, key_start, keys = stack.pop()
        if not remaining:
            break

    if pos != n:
        extra = n - pos
        raise DecodeError(
            f"{extra} trailing byte{'s' if extra > 1 else ''} after the CBOR data item",
            offset=pos,
        )
    return tags


# --- the deterministic fast path ---------------------------------------------------------------
# Classes of initial bytes, looked up in a table instead of splitting each byte into major type
# and additional information. The one-pass decoder (``_cbor_decode``) handles only these; any
# other initial byte (indefinite lengths, break codes, reserved values, undefined, the other
# simple values, floats) makes it give up. It tests them by number, most frequent first: keep
# the numbers below in step with the comments there.
_F_SMALL: Final = 0  # the whole item is this byte: integers -24..23, false, true, null
_F_TEXT: Final = 1  # text string of 0..23 bytes
_F_ARRAY: Final = 2  # array of 1..23 items
_F_MAP: Final = 3  # map of 1..23 pairs
_F_INT1: Final = 4  # integer with one argument byte
_F_INT: Final = 5  # integer with 2, 4 or 8 argument bytes
_F_TAG: Final = 6  # tag, any argument size
_F_BYTES: Final = 7  # byte string of 0..23 bytes
_F_LONG: Final = 8  # string, array or map with 1, 2, 4 or 8 argument bytes
_F_EMPTY: Final = 10  # empty array or map
_F_OTHER: Final = 11


def _classes() -> tuple[int, ...]:
    """The class of each initial byte in the one-pass decoder's fast path (floats are never
    on it: the deterministic profile has none)."""
    table = [_F_OTHER] * 256
    for ib in range(256):
        major, ai = ib >> 5, ib & 0x1F
        if (major <= 1 and ai < 24) or ib in (0xF4, 0xF5, 0xF6):
            table[ib] = _F_SMALL
        elif ib in (0x80, 0xA0):
            table[ib] = _F_EMPTY
        elif major <= 5 and ai < 24:
            table[ib] = (_F_BYTES, _F_TEXT, _F_ARRAY, _F_MAP)[major - 2]
        elif major <= 1 and ai < 28:
            table[ib] = _F_INT1 if ai == 24 else _F_INT
        elif major <= 5 and ai < 28:
            table[ib] = _F_LONG
        elif major == 6 and ai < 28:
            table[ib] = _F_TAG
    return tuple(table)


_CLASSES: Final = _classes()


def _key_classes() -> tuple[int, ...]:
    """Map keys in the one-pass decoder: 0 for a one-byte integer, 1 for any other integer or
    definite-length string header (see :func:`_key_end`), 2 for anything else."""
    table = [2] * 256
    for ib in range(256):
        major, ai = ib >> 5, ib & 0x1F
        if major <= 1 and ai < 24:
            table[ib] = 0
        elif major <= 3 and ai < 28:
            table[ib] = 1
    return tuple(table)


_KEY_CLASSES: Final = _key_classes()


def _wide_arg(data: bytes, pos: int, ai: int) -> tuple[int, int]:
    """(argument, offset after the header) of the header at ``pos`` with additional information
    25, 26 or 27; the argument is -1 if it would fit a shorter head. Raises struct.error if the
    input is too short."""
    if ai == 25:
        arg = _unpack16(data, pos + 1)[0]
        end = pos + 3
    elif ai == 26:
        arg = _unpack32(data, pos + 1)[0]
        end = pos + 5
    else:
        arg = _unpack64(data, pos + 1)[0]
        end = pos + 9
    if arg < _MIN_ARG[ai - 24]:
        return -1, end
    return arg, end


def _key_end(data: bytes, pos: int, ib: int, max_string: int) -> int:
    """Offset after the integer or definite-length string key at ``pos``, in the one-pass
    decoder; -1 if it must give up on it. Raises what the decoder catches."""
    ai = ib & 0x1F
    if ai < 24:
        arg = ai
        pos += 1
    elif ai == 24:
        arg = data[pos + 1]
        if arg < 24:
            return -1
        pos += 2
    else:
        arg, pos = _wide_arg(data, pos, ai)
        if arg < 0:
            return -1
    if ib < 0x40:
        return pos
    end = pos + arg
    if arg > max_string or end > len(data):
        return -1
    if ib >= 0x60:
        data[pos:end].decode("utf-8")
    return end


def _misordered_key(duplicate: bool, offset: int) -> DecodeError:
    if duplicate:
        return DecodeError("duplicate map key", offset=offset)
    return DecodeError(
        "map keys not in deterministic order (bytewise order of their encodings,"
        " RFC 8949 section 4.2.1)",
        offset=offset,
    )


def _check_lenient_key(key: bytes, seen: set[tuple[int, int | bytes]], offset: int) -> None:
    """Reject a key of a non-deterministic map that means the same as an earlier one."""
    # Encodings of equal keys can differ here (1 as 0x01 or 0x1801, chunked strings), so
    # compare what they mean: (0, int) or (major type, content bytes).
    identity = _key_identity(key)
    if identity in seen:
        raise DecodeError("duplicate map key", offset=offset)
    seen.add(identity)


def _key_identity(key: bytes) -> tuple[int, int | bytes]:
    """Normalise an already scanned scalar key encoding to what it means."""
    major, arg, pos = _head(key, 0)
    if major == 0:
        return (0, arg)
    if major == 1:
        return (0, -1 - arg)
    if arg >= 0:
        return (major, key[pos : pos + arg])
    chunks: list[bytes] = []
    while key[pos] != 0xFF:
        _, length, pos = _head(key, pos)
        chunks.append(key[pos : pos + length])
        pos += length
    return (major, b"".join(chunks))


def _head(data: bytes, pos: int) -> tuple[int, int, int]:
    """(major type, argument or -1 for indefinite, offset after the header) of a scanned
    header."""
    ib = data[pos]
    ai = ib & 0x1F
    if ai < 24:
        return ib >> 5, ai, pos + 1
    if ai == 31:
        return ib >> 5, -1, pos + 1
    size = 1 << (ai - 24)
    return ib >> 5, int.from_bytes(data[pos + 1 : pos + 1 + size], "big"), pos + 1 + size


def _indefinite(major: int, offset: int) -> DecodeError:
    return DecodeError(
        f"indefinite-length {_MAJOR_NAMES[major]} is not allowed in deterministic encoding"
        f" (RFC 8949 section 4.2.1)",
        offset=offset,
    )


def _string_too_long(major: int, length: int, limit: int, offset: int) -> DecodeError:
    return DecodeError(
        f"{_MAJOR_NAMES[major]} of {length} bytes exceeds the limit of {limit} bytes"
        f" (limit max_string_bytes)",
        offset=offset,
    )


def _too_many(limit: int, offset: int) -> DecodeError:
    return DecodeError(f"more than {limit} data items (limit max_items)", offset=offset)


def _too_deep(limit: int, offset: int) -> DecodeError:
    return DecodeError(
        f"nesting deeper than {limit} arrays, maps and tags (limit max_depth)", offset=offset
    )


# --- walking headers without checking: item boundaries and key paths ---------------------------
# Both walkers below read only definite-length headers, as in any input :func:`scan` accepts
# in deterministic mode; neither builds values.


def item_end(data: bytes, pos: int, *, max_depth: int) -> int:
    """The offset just after the definite-length CBOR item at ``pos`` (to split a stream of
    items). Raises IndexError if ``data`` ends first, ValueError for an indefinite-length or
    reserved header or nesting deeper than ``max_depth``. The item itself is not checked:
    :func:`scan` does that when it is decoded."""
    pending = 1
    depth_stack: list[int] = []
    n = len(data)
    while pending:
        if pos >= n:
            raise IndexError("ends inside an item")
        ib = data[pos]
        major, ai = ib >> 5, ib & 0x1F
        pos += 1
        if ai < 24:
            arg = ai
        elif ai <= 27:
            size = 1 << (ai - 24)
            if pos + size > n:
                raise IndexError("ends inside an item header")
            arg = int.from_bytes(data[pos : pos + size], "big")
            pos += size
        else:
            raise ValueError(f"indefinite length or reserved header byte 0x{ib:02x}")
        pending -= 1
        if major in (2, 3):
            if pos + arg > n:
                raise IndexError("ends inside a string")
            pos += arg
        elif major in (4, 5):
            children = arg * (2 if major == 5 else 1)
            if children > n - pos:
                raise IndexError("ends inside an array or map")
            if len(depth_stack) >= max_depth:
                raise ValueError("nested too deeply")
            if children:
                depth_stack.append(pending)
                pending = children
                continue
        elif major == 6:
            pending += 1
            continue
        while not pending and depth_stack:
            pending = depth_stack.pop()
    return pos


def key_path_at(data: bytes, offset: int) -> tuple[int | str, ...]:
    """The map keys and array indices that lead to the data item at byte ``offset``.

    For error messages about bytes the decoder refused (a float, a duplicate key): a
    best-effort walk of the item headers before ``offset``; it never raises, and returns what
    it found so far on input it cannot follow. Tags are transparent; a text key is shown as
    its ``repr``, any other key that is not an integer as ``"?"``.
    """
    # Frames: [kind, children expected, child index, current key].
    frames: list[list[Any]] = []
    pos = 0
    n = len(data)
    try:
        while pos < offset and pos < n:
            major, arg, pos_after = _definite_head(data, pos)
            parent = frames[-1] if frames else None
            if parent is not None and parent[0] == _MAP and parent[2] % 2 == 0:
                parent[3] = _key_at(data, pos)
            pos = pos_after
            if major in (2, 3):
                pos += arg
                _close(frames)
            elif major in (4, 5) and arg > 0:
                frames.append([_MAP if major == 5 else _ARRAY, arg * (major - 3), 0, None])
            elif major == 6:
                frames.append([_TAG, 1, 0, None])
            else:
                _close(frames)
        if pos == offset and frames and frames[-1][0] == _MAP and frames[-1][2] % 2 == 0:
            frames[-1][3] = _key_at(data, pos)  # the item at offset is itself a key
    except (IndexError, ValueError):
        pass
    path: list[int | str] = []
    for kind, _expected, index, key in frames:
        if kind == _MAP:
            if key is not None:
                path.append(key)
        elif kind == _ARRAY:
            path.append(index)
    return tuple(path)


def _close(frames: list[list[Any]]) -> None:
    while frames:
        top = frames[-1]
        top[2] += 1
        if top[2] < top[1]:
            return
        frames.pop()


def _definite_head(data: bytes, pos: int) -> tuple[int, int, int]:
    ib = data[pos]
    if ib & 0x1F > 27:
        raise ValueError("not a definite-length header")
    if pos + 1 + ((1 << ((ib & 0x1F) - 24)) if ib & 0x1F >= 24 else 0) > len(data):
        raise ValueError("truncated header")
    return _head(data, pos)


def _key_at(data: bytes, pos: int) -> int | str:
    major, arg, after = _definite_head(data, pos)
    if major == 0:
        return arg
    if major == 1:
        return -1 - arg
    if major == 3 and arg <= 64:
        return repr(data[after : after + arg].decode("utf-8", "replace"))
    return "?"
