"""Import and export of the Catena-X battery pass (aspect model
``urn:samm:io.catenax.battery.battery_pass:6.1.0``, standard CX-0143): the value-only JSON
payload of an Asset Administration Shell submodel, one document per passport.

Public API:

- :func:`export_catena_x` writes a passport as one payload (valid against the 6.1.0 and 6.0.0
  schemas wherever the passport holds what they require) and reports every loss, deviation
  and missing required value with its JSON pointer and passport field.
- :func:`import_catena_x` reads a 6.0.0 or 6.1.0 payload; every problem is reported with its
  JSON pointer, all of them at once. Units are converted exactly (``Decimal``).
- :func:`supplement_of` gives what a payload holds beyond its passport: the export
  supplement, a partial payload that ``export_catena_x(..., supplement=...)`` merges back in
  (values the passport does not hold, such as the data-matrix code; ADR 0013).
- :func:`is_catena_x` tells a payload from its content; :func:`read_catena_x_file` and
  :func:`dumps_catena_x` handle the bytes.

The plain fields are rules of the shared rule engine (:data:`RULES`); the quirks are written
by hand next to them. ``specs/catena-x-mapping.md`` is generated from both.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any

from batterypass.interop import _text
from batterypass.interop.catena_x._codec import (
    MASS_UNITS_KG,
    RULES,
    CatenaXDocument,
    export_catena_x,
    import_catena_x,
    supplement_of,
)
from batterypass.interop.catena_x._mapping import mapping_table_markdown
from batterypass.interop.catena_x._schema import (
    ASPECT_URN,
    READ_VERSIONS,
    SPEC_VERSION,
    VERSION,
    json_schema,
)

__all__ = [
    "ASPECT_URN",
    "MASS_UNITS_KG",
    "READ_VERSIONS",
    "RULES",
    "SPEC_VERSION",
    "VERSION",
    "CatenaXDocument",
    "dumps_catena_x",
    "export_catena_x",
    "import_catena_x",
    "is_catena_x",
    "json_schema",
    "mapping_table_markdown",
    "read_catena_x_file",
    "supplement_of",
]

_MARKERS = frozenset({"metadata", "identification", "operation", "performance", "specVersion"})


def is_catena_x(doc: Mapping[str, Any]) -> bool:
    """Whether a JSON object is a Catena-X battery pass payload: it states the battery pass
    ``specVersion``, or it has at least two of its top-level sections ``metadata``,
    ``identification``, ``operation``, ``performance`` and no property outside the model."""
    if not isinstance(doc, Mapping):
        return False
    spec = doc.get("specVersion")
    if isinstance(spec, str) and "battery_pass" in spec:
        return True
    from batterypass.interop.catena_x._schema import structure

    names = set(structure().names)
    return set(doc) <= names and len(set(doc) & _MARKERS) >= 2


def read_catena_x_file(
    source: str | os.PathLike[str] | bytes, *, max_bytes: int = _text.MAX_DOCUMENT_BYTES
) -> dict[str, Any]:
    """Read a payload from a file or bytes (any Unicode encoding, exact numbers, duplicate
    keys and ``NaN`` refused)."""
    return _text.read_json_object(
        source, what="a Catena-X battery pass", file_kind="Catena-X file", max_bytes=max_bytes
    )


def dumps_catena_x(doc: Mapping[str, Any]) -> str:
    """A payload as JSON text: UTF-8, two-space indentation, exact numbers, final newline."""
    return _text.dumps_document(doc)
