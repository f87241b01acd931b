"""Aspect documents as files: reading them (any Unicode encoding, with or without byte-order
mark: the consortium's generated files are UTF-16LE with one), telling an aspect and a
PerformanceAndDurability version from a document's content, and writing them."""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping
from decimal import Decimal
from pathlib import Path
from typing import Any, Final

from batterypass.errors import ValidationError
from batterypass.interop import _text
from batterypass.interop._shape import pointer
from batterypass.interop.battery_pass._schema import ASPECTS, PERFORMANCE, wire

MAX_ASPECT_BYTES: Final = _text.MAX_DOCUMENT_BYTES
"""Largest aspect file :func:`read_aspect_file` reads."""


def read_aspect_file(
    source: str | os.PathLike[str] | bytes, *, max_bytes: int | None = None
) -> dict[str, Any]:
    """Read one aspect document from a file path or from bytes.

    The consortium's generated files are UTF-16LE with a byte-order mark and CRLF line ends;
    UTF-8, UTF-16 and UTF-32 with or without byte-order mark are all accepted. Numbers are read
    as exact :class:`~decimal.Decimal`; duplicate keys and ``NaN`` are rejected.

    Raises :class:`~batterypass.errors.FileError` for a missing, unreadable or non-regular file
    and :class:`~batterypass.errors.DecodeError` for undecodable or non-JSON input, for input
    larger than ``max_bytes`` (default :data:`MAX_ASPECT_BYTES`) and for a JSON
    value that is not an object.
    """
    limit = MAX_ASPECT_BYTES if max_bytes is None else max_bytes
    return _text.read_json_object(
        source, what="an aspect document", file_kind="aspect file", max_bytes=limit
    )


def read_aspect_files(
    paths: Iterable[str | os.PathLike[str]],
) -> dict[str, dict[str, Any]]:
    """Read aspect documents from files and directories (every ``*.json`` directly inside a
    directory, in name order) and key them by aspect, as :func:`import_aspects` takes them.

    Raises :class:`~batterypass.errors.DecodeError` for a file that cannot be read and
    :class:`~batterypass.errors.ValidationError` for a document whose aspect cannot be told or
    for two documents of the same aspect; the error's ``source`` names the file.
    """
    files: list[Path] = []
    for item in paths:
        path = Path(item)
        if path.is_dir():
            files.extend(sorted(p for p in path.iterdir() if p.suffix == ".json" and p.is_file()))
        else:
            files.append(path)
    docs: dict[str, dict[str, Any]] = {}
    origin: dict[str, Path] = {}
    for path in files:
        doc = read_aspect_file(path)
        try:
            aspect = detect_aspect(doc)
        except ValidationError as e:
            raise e.with_source(str(path)) from None
        if aspect in docs:
            raise ValidationError(
                f"{aspect}: two documents of this aspect ({origin[aspect]} and {path})",
                source=str(path),
            )
        docs[aspect], origin[aspect] = doc, path
    return docs


def detect_aspect(doc: Mapping[str, Any]) -> str:
    """The aspect a document belongs to, told from its top-level property names.

    Raises :class:`~batterypass.errors.ValidationError` when the document is empty, has a
    property no aspect knows, or mixes properties of several aspects.
    """
    if not isinstance(doc, Mapping):
        raise ValidationError("an aspect document must be a JSON object")
    keys = list(doc)
    if not keys:
        raise ValidationError("cannot tell the aspect of an empty document")
    owners: dict[str, list[str]] = {}
    for key in keys:
        found = [a for a in ASPECTS if key in wire(a).names]
        if not found:
            raise ValidationError(
                f"cannot tell the aspect: property {key!r} belongs to no Battery Pass aspect"
                f" ({pointer('', key)})"
            )
        for aspect in found:
            owners.setdefault(aspect, []).append(key)
    complete = [a for a, ks in owners.items() if len(ks) == len(keys)]
    if len(complete) != 1:
        parts = ", ".join(f"{a}: {', '.join(ks)}" for a, ks in owners.items())
        raise ValidationError(f"cannot tell the aspect: properties of several aspects ({parts})")
    return complete[0]


_V120_MARKERS: Final = {
    "/batteryCondition/remainingEnergy/remainingEnergyalue",
    "/batteryCondition/currentSelfDischargingRate/currentSelfDischargingRateEntity",
    "/batteryCondition/evolutionOfSelfDischarge/evolutionOfSelfDischargeEntityValue",
    "/batteryCondition/powerFade",
    "/batteryCondition/roundTripEfficiencyFade",
    "/batteryCondition/roundTripEfficiencyat50PerCentCycleLife",
}
_V121_MARKERS: Final = {
    "/batteryCondition/remainingEnergy/remainingEnergyValue",
    "/batteryCondition/currentSelfDischargingRate/currentSelfDischargingRateValue",
    "/batteryCondition/evolutionOfSelfDischarge/evolutionOfSelfDischargeValue",
    "/batteryCondition/evolutionOfSelfDischarge/lastUpdate",
    "/batteryTechicalProperties/powerFade",
    "/batteryTechicalProperties/roundTripEfficiencyFade",
    "/batteryTechicalProperties/roundTripEfficiencyat50PerCentCycleLife",
}


def detect_performance_version(doc: Mapping[str, Any]) -> str:
    """Which PerformanceAndDurability version (``"1.2.0"`` or ``"1.2.1"``) a document follows.

    The two versions share the aspect URN's name and nothing on the wire says which one a
    document follows, so the version is told from the properties that differ. A document that
    uses none of them reads the same under both and is taken as 1.2.1. Raises
    :class:`~batterypass.errors.ValidationError` for a document that mixes the two.
    """
    v120: list[str] = []
    v121: list[str] = []
    for section in ("batteryTechicalProperties", "batteryCondition"):
        part = doc.get(section)
        if not isinstance(part, Mapping):
            continue
        for key, value in part.items():
            here = f"/{section}/{key}"
            if here in _V120_MARKERS:
                v120.append(here)
            if here in _V121_MARKERS:
                v121.append(here)
            if isinstance(value, Mapping):
                for sub in value:
                    deeper = f"{here}/{sub}"
                    if deeper in _V120_MARKERS:
                        v120.append(deeper)
                    if deeper in _V121_MARKERS:
                        v121.append(deeper)
            shape = _shape_marker(here, value)
            if shape == "1.2.0":
                v120.append(here)
            elif shape == "1.2.1":
                v121.append(here)
    if v120 and v121:
        raise ValidationError(
            f"{PERFORMANCE}: mixes version 1.2.0 ({v120[0]}) and version 1.2.1 ({v121[0]})"
        )
    return "1.2.0" if v120 else "1.2.1"


def _shape_marker(here: str, value: Any) -> str | None:
    """Properties present in both versions whose JSON type differs."""
    if here == "/batteryTechicalProperties/temperatureRangeIdleState":
        if isinstance(value, Mapping):
            return "1.2.1"
        if isinstance(value, int | Decimal) and not isinstance(value, bool):
            return "1.2.0"
    if here == "/batteryCondition/energyThroughput":
        if isinstance(value, Mapping):
            return "1.2.1"
        if isinstance(value, int | Decimal) and not isinstance(value, bool):
            return "1.2.0"
    if here == "/batteryCondition/remainingPowerCapability":
        if isinstance(value, Mapping):
            return "1.2.1"
        if isinstance(value, list):
            return "1.2.0"
    return None


def dumps_aspect(doc: Mapping[str, Any]) -> str:
    """An aspect document as JSON text: UTF-8 (no byte-order mark), two-space indentation, LF
    line ends, numbers with exactly their decimal digits, a final newline."""
    return _text.dumps_document(doc)
