"""JSON documents of other formats as bytes: the encoding told from the bytes (UTF-8, UTF-16,
UTF-32, with or without byte-order mark), strict exact reading, and an exact writer."""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from decimal import Decimal
from typing import Any, Final

from batterypass._fs import read_bounded
from batterypass.codec import json as bp_json
from batterypass.errors import DecodeError, EncodeError

MAX_DOCUMENT_BYTES: Final = bp_json.MAX_JSON_BYTES
"""Largest document :func:`read_json_object` reads."""

_BOMS: Final = (
    (b"\x00\x00\xfe\xff", "utf-32-be"),
    (b"\xff\xfe\x00\x00", "utf-32-le"),
    (b"\xef\xbb\xbf", "utf-8"),
    (b"\xff\xfe", "utf-16-le"),
    (b"\xfe\xff", "utf-16-be"),
)


def decode_text(raw: bytes, source: str | None) -> str:
    encoding, start = "utf-8", 0
    for bom, name in _BOMS:
        if raw.startswith(bom):
            encoding, start = name, len(bom)
            break
    else:
        # No byte-order mark: a JSON text starts with an ASCII character, so the position of
        # the zero bytes among the first four tells the encoding (RFC 4627, section 3).
        head = raw[:4]
        if len(head) == 4 and head[:3] == b"\x00\x00\x00":
            encoding = "utf-32-be"
        elif len(head) == 4 and head[1:] == b"\x00\x00\x00":
            encoding = "utf-32-le"
        elif len(head) >= 2 and head[0] == 0:
            encoding = "utf-16-be"
        elif len(head) >= 2 and head[1] == 0:
            encoding = "utf-16-le"
    try:
        text = raw[start:].decode(encoding)
    except UnicodeDecodeError as e:
        raise DecodeError(
            f"not valid {encoding.upper()} text", offset=start + e.start, source=source
        ) from e
    if text.startswith("\ufeff"):
        raise DecodeError("more than one byte-order mark", offset=start, source=source)
    return text


def read_json_object(
    source: str | os.PathLike[str] | bytes,
    *,
    what: str,
    file_kind: str = "file",
    max_bytes: int = MAX_DOCUMENT_BYTES,
) -> dict[str, Any]:
    """One JSON object from a file path or from bytes, numbers as exact
    :class:`~decimal.Decimal`; duplicate keys and ``NaN`` rejected. ``what`` names the document
    in the error for a JSON value that is not an object (``"an aspect document"``); a larger
    input than ``max_bytes`` is refused. ``file_kind`` names a file in errors (``"aspect file"``).

    Raises :class:`~batterypass.errors.FileError` for a missing, unreadable or non-regular
    file and :class:`~batterypass.errors.DecodeError` for too large, undecodable or non-JSON
    input and for a JSON value that is not an object.
    """
    name: str | None = None
    if isinstance(source, bytes):
        raw = source
    else:
        name = os.fspath(source)
        # Bounded without trusting st_size (0 for /dev/zero); a FIFO is refused, not waited on.
        raw = read_bounded(name, max_bytes, what=file_kind)
    if len(raw) > max_bytes:
        raise DecodeError(f"document larger than {max_bytes} bytes", source=name)
    value = bp_json.loads_value(decode_text(raw, name), source=name)
    if not isinstance(value, dict):
        raise DecodeError(f"{what} must be a JSON object", source=name)
    return value


def dumps_document(doc: Mapping[str, Any]) -> str:
    """A document as JSON text: UTF-8 (no byte-order mark), two-space indentation, LF line
    ends, numbers with exactly their decimal digits, a final newline."""
    return _json_text(doc, 0) + "\n"


def _json_text(value: Any, level: int) -> str:
    pad, end = "  " * (level + 1), "  " * level
    if isinstance(value, Mapping):
        if not value:
            return "{}"
        items = [
            f"{pad}{json.dumps(str(k), ensure_ascii=False)}: {_json_text(v, level + 1)}"
            for k, v in value.items()
        ]
        return "{\n" + ",\n".join(items) + "\n" + end + "}"
    if isinstance(value, list | tuple):
        if not value:
            return "[]"
        items = [pad + _json_text(v, level + 1) for v in value]
        return "[\n" + ",\n".join(items) + "\n" + end + "]"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, Decimal):
        if not value.is_finite():
            raise EncodeError(f"{value} cannot be written as a JSON number")
        return format(value, "f")
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    if value is None:
        return "null"
    raise EncodeError(f"cannot write a value of type {type(value).__name__} as JSON")
