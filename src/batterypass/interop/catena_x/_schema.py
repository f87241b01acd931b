"""The Catena-X battery pass aspect model 6.1.0 (``urn:samm:io.catenax.battery.battery_pass``,
standard CX-0143): its URN, version and the structure of its value-only JSON payload, read from
the model's generated draft-04 JSON Schema (vendored as
``batterypass/data/catena-x-battery-pass-6.1.0.schema.json``, CC-BY-4.0, Catena-X
Automotive Network e.V.). Version 6.0.0 differs only by lacking the optional ``specVersion``."""

from __future__ import annotations

import functools
from importlib import resources
from typing import Any, Final

from batterypass.interop import _text
from batterypass.interop._shape import STR, List, Obj, Str, Type, from_json_schema

DOCUMENT: Final = "BatteryPass"
"""How errors and notes name the document (the aspect's name)."""
VERSION: Final = "6.1.0"
ASPECT_URN: Final = f"urn:samm:io.catenax.battery.battery_pass:{VERSION}#BatteryPass"
SPEC_VERSION: Final = f"urn:io.catenax.battery.battery_pass:{VERSION}"
"""The value export writes as ``specVersion``."""
READ_VERSIONS: Final = ("6.0.0", "6.1.0")
SCHEMA_RESOURCE: Final = "catena-x-battery-pass-6.1.0.schema.json"


@functools.cache
def json_schema() -> dict[str, Any]:
    """The vendored 6.1.0 JSON Schema."""
    raw = resources.files("batterypass").joinpath("data", SCHEMA_RESOURCE).read_bytes()
    return _text.read_json_object(raw, what="the Catena-X schema")


@functools.cache
def structure() -> Obj:
    """The payload's structure: objects, arrays, enumerations, patterns and bounds."""
    shape = from_json_schema(json_schema(), DOCUMENT)
    assert isinstance(shape, Obj)
    return shape


IDENTIFIERS: Final = (
    "/metadata/passportIdentifier",
    "/metadata/predecessor",
    "/metadata/economicOperatorId",
    "/operation/manufacturer/manufacturer",
    "/operation/manufacturer/facility/*/facility",
    "/sustainability/carbonFootprint/*/manufacturingPlant/*/facility",
    "/handling/content/producer/*/id",
)
"""Identifier properties whose schema pattern (UUID, BPNL, BPNA) import does not enforce: it
reads any identifier the passport model accepts (a URN, a GS1 Digital Link, a BPN) and notes
the deviation, so that what export wrote verbatim reads back."""


@functools.cache
def import_structure() -> Obj:
    """:func:`structure` without the identifier patterns of :data:`IDENTIFIERS` and without
    length limits (both reported as notes by the importer)."""

    def relax(typ: Type, here: str) -> Type:
        if isinstance(typ, Obj):
            return Obj(
                typ.name,
                tuple((n, relax(sub, f"{here}/{n}"), r) for n, sub, r in typ.props),
            )
        if isinstance(typ, List):
            return List(relax(typ.item, f"{here}/*"))
        if isinstance(typ, Str) and here in IDENTIFIERS:
            return STR
        if isinstance(typ, Str) and typ.max_length is not None:
            # A document header over 100 characters reads back (with a note), as exported.
            return Str(typ.pattern, None) if typ.pattern else STR
        return typ

    shape = relax(structure(), "")
    assert isinstance(shape, Obj)
    return shape
