"""Import and export of the Battery Pass consortium data model v1.2 (SAMM aspect models).

The consortium (repository ``batterypass/BatteryPassDataModel``) describes a battery passport as
seven SAMM aspects, each a JSON document of its own, keyed here by the SAMM aspect name:
``GeneralProductInformation``, ``CarbonFootprintForBatteries``, ``SupplyChainDueDiligence``,
``MaterialComposition``, ``Circularity``, ``PerformanceAndDurability`` and ``Labeling`` (see
:data:`ASPECT_URNS`). All are version 1.2.0, except that PerformanceAndDurability is written in
version 1.2.1 and read in 1.2.0 and 1.2.1.

Public API:

- :func:`export_aspects` writes a passport as aspect documents and reports, in the returned
  :class:`AspectDocuments`, every piece of data it could not carry (``lost``), every property
  the consortium requires that the passport does not hold (``missing``) and every value it
  wrote that the consortium model does not accept (``deviation``). ``strict=True`` refuses any
  loss instead.
- :func:`import_aspects` reads any subset of aspect documents into a passport. Unknown
  properties, wrong types and values the passport model rejects raise
  :class:`~batterypass.errors.ValidationError` naming the aspect, the JSON pointer and the
  problem. Data the passport model has no place for is dropped and described in ``notes``.
- :func:`detect_aspect`, :func:`read_aspect_file`, :func:`read_aspect_files` and
  :func:`dumps_aspect` handle the documents themselves (UTF-8, UTF-16 and UTF-32, with or
  without byte-order mark).

The property names on the wire are the consortium's, misspellings included
(``warrentyPeriod``, ``batteryTechicalProperties``, ``thirdPartyAussurances`` ...). Every
mapping, unit conversion and quirk is described in ``specs/battery-pass-mapping.md``; the
table of longlist attributes there is generated from :data:`LONGLIST_MAPPING` and the model.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Context, Decimal, Inexact
from pathlib import Path
from typing import Any, Final, Literal, TypeAlias

import pydantic

from batterypass._fs import read_bounded
from batterypass.codec import json as bp_json
from batterypass.errors import (
    DecodeError,
    EncodeError,
    Issue,
    PathItem,
    ValidationError,
    format_path,
)
from batterypass.model import (
    BatteryCategory,
    BatteryPassport,
    BatteryStatus,
    CarbonFootprint,
    ChemistryFamily,
    Component,
    CriticalRawMaterial,
    DocumentRef,
    Element,
    MaterialEntry,
    PostalAddress,
    iter_data_points,
    parse_passport,
)

__all__ = [
    "ASPECTS",
    "ASPECT_URNS",
    "CARBON_FOOTPRINT",
    "CIRCULARITY",
    "DUE_DILIGENCE",
    "GENERAL",
    "LABELS",
    "LONGLIST_MAPPING",
    "MATERIALS",
    "MAX_ASPECT_BYTES",
    "OTHER_FIELDS",
    "PERFORMANCE",
    "PERFORMANCE_EXPORT_VERSION",
    "PERFORMANCE_VERSIONS",
    "UNREADABLE_STAGES",
    "WIRE_NOTES",
    "AspectDocuments",
    "ExportNote",
    "LonglistMapping",
    "detect_aspect",
    "detect_performance_version",
    "dumps_aspect",
    "export_aspects",
    "import_aspects",
    "mapping_table_markdown",
    "read_aspect_file",
    "read_aspect_files",
]

# ---------------------------------------------------------------- aspects

GENERAL: Final = "GeneralProductInformation"
CARBON_FOOTPRINT: Final = "CarbonFootprintForBatteries"
DUE_DILIGENCE: Final = "SupplyChainDueDiligence"
MATERIALS: Final = "MaterialComposition"
CIRCULARITY: Final = "Circularity"
PERFORMANCE: Final = "PerformanceAndDurability"
LABELS: Final = "Labeling"

ASPECTS: Final[tuple[str, ...]] = (
    GENERAL,
    CARBON_FOOTPRINT,
    DUE_DILIGENCE,
    MATERIALS,
    CIRCULARITY,
    PERFORMANCE,
    LABELS,
)
"""The seven aspects, by their SAMM aspect names (the keys of import and export)."""

PERFORMANCE_EXPORT_VERSION: Final = "1.2.1"
"""The PerformanceAndDurability version :func:`export_aspects` writes. 1.2.1 is the only
version that can hold the idle temperature range (Annex XIII(1)(l)) as two boundaries; 1.2.0
has a single number limited to -20..60 °C. See specs/battery-pass-mapping.md."""

PERFORMANCE_VERSIONS: Final[tuple[str, ...]] = ("1.2.0", "1.2.1")
"""The PerformanceAndDurability versions :func:`import_aspects` reads."""

ASPECT_URNS: Final[Mapping[str, str]] = {
    GENERAL: "urn:samm:io.BatteryPass.GeneralProductInformation:1.2.0#GeneralProductInformation",
    CARBON_FOOTPRINT: "urn:samm:io.BatteryPass.CarbonFootprint:1.2.0#CarbonFootprintForBatteries",
    DUE_DILIGENCE: "urn:samm:io.BatteryPass.SupplyChainDueDiligence:1.2.0#SupplyChainDueDiligence",
    MATERIALS: "urn:samm:io.BatteryPass.MaterialComposition:1.2.0#MaterialComposition",
    CIRCULARITY: "urn:samm:io.BatteryPass.Circularity:1.2.0#Circularity",
    PERFORMANCE: (
        f"urn:samm:io.BatteryPass.Performance:{PERFORMANCE_EXPORT_VERSION}#PerformanceAndDurability"
    ),
    LABELS: "urn:samm:io.BatteryPass.Labels:1.2.0#Labeling",
}
"""The SAMM URN of each aspect as written by :func:`export_aspects`."""

# The repository names three aspects after their namespace; accept those names as keys too.
_ALIASES: Final[Mapping[str, str]] = {
    "CarbonFootprint": CARBON_FOOTPRINT,
    "Labels": LABELS,
    "Performance": PERFORMANCE,
}

MAX_ASPECT_BYTES: Final = bp_json.MAX_JSON_BYTES
"""Largest aspect file :func:`read_aspect_file` reads."""

# ---------------------------------------------------------------- the wire structure
#
# A compact description of the consortium's JSON Schemas: for each object its properties in
# schema order, their type and whether SAMM makes them required. Import uses it to reject
# unknown properties and wrong types, export to order properties and to report missing ones;
# tests/interop checks it against the consortium's own generated schemas.


@dataclass(frozen=True, slots=True)
class _Enum:
    values: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class _List:
    item: _Type


@dataclass(frozen=True, slots=True)
class _TextMap:
    """SAMM MultiLanguageText: an object of language tag -> text."""


@dataclass(frozen=True, slots=True)
class _Obj:
    name: str
    props: tuple[tuple[str, _Type, bool], ...]

    def get(self, key: str) -> _Type | None:
        for name, typ, _ in self.props:
            if name == key:
                return typ
        return None

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(p[0] for p in self.props)


_Type: TypeAlias = "Literal['number', 'string', 'boolean'] | _Enum | _List | _TextMap | _Obj"

_NUM: Final = "number"
_STR: Final = "string"
_BOOL: Final = "boolean"


def _obj(name: str, *props: tuple[str, _Type, bool]) -> _Obj:
    return _Obj(name, props)


def _req(name: str, typ: _Type) -> tuple[str, _Type, bool]:
    return (name, typ, True)


def _opt(name: str, typ: _Type) -> tuple[str, _Type, bool]:
    return (name, typ, False)


_GPI_ADDRESS = _obj(
    "PostalAddressEntity",
    _req("addressCountry", _STR),
    _req("postalCode", _STR),
    _req("streetAddress", _STR),
)
_CONTACT = _obj(
    "ContactInformationEntity",
    _req("contactName", _STR),
    _req("postalAddress", _GPI_ADDRESS),
    _req("identifier", _STR),
    _opt("emailAddress", _STR),
    _opt("webAddress", _STR),
)
_CATEGORY_VALUES = ("lmt", "ev", "industrial", "stationary")
_STATUS_VALUES = ("Original", "Repurposed", "Reused", "Remanufactured", "Waste")

_GENERAL = _obj(
    GENERAL,
    _req("productIdentifier", _STR),
    _req("batteryPassportIdentifier", _STR),
    _req("batteryCategory", _Enum(_CATEGORY_VALUES)),
    _req("manufacturerInformation", _CONTACT),
    _req("manufacturingDate", _STR),
    _req("batteryStatus", _Enum(_STATUS_VALUES)),
    _req("batteryMass", _NUM),
    _req("manufacturingPlace", _GPI_ADDRESS),
    _req("operatorInformation", _CONTACT),
    _req("puttingIntoService", _STR),
    _req("warrentyPeriod", _STR),
)

_STAGE_VALUES = ("RawMaterialExtraction", "MainProduction", "Distribution", "Recycling")
_CARBON = _obj(
    CARBON_FOOTPRINT,
    _req("batteryCarbonFootprint", _NUM),
    _req(
        "carbonFootprintPerLifecycleStage",
        _List(
            _obj(
                "CarbonFootprintPerLifecycleStageEntity",
                _req("lifecycleStage", _Enum(_STAGE_VALUES)),
                _req("carbonFootprint", _NUM),
            )
        ),
    ),
    _req("carbonFootprintPerformanceClass", _STR),
    _req("carbonFootprintStudy", _STR),
    _opt("absoluteCarbonFootprint", _NUM),
)

_DUE_DILIGENCE = _obj(
    DUE_DILIGENCE,
    _req("supplyChainDueDiligenceReport", _STR),
    _opt("thirdPartyAussurances", _STR),
    _opt("supplyChainIndicies", _NUM),
)

_LOCATION = _obj("BatteryLocationEntity", _req("componentName", _STR), _opt("componentId", _STR))
_HAZARD_CLASS_VALUES = ("AcuteToxicity", "SkinCorrosionOrIrritation", "EyeDamageOrIrritation")
_MATERIALS = _obj(
    MATERIALS,
    _req(
        "batteryChemistry",
        _obj("BatteryChemistryEntity", _req("shortName", _STR), _req("clearName", _STR)),
    ),
    _req(
        "batteryMaterials",
        _List(
            _obj(
                "BatteryMaterialEntity",
                _req("batteryMaterialLocation", _LOCATION),
                _req("batteryMaterialIdentifier", _STR),
                _req("batteryMaterialName", _STR),
                _req("batteryMaterialMass", _NUM),
                _req("isCriticalRawMaterial", _BOOL),
            )
        ),
    ),
    _req(
        "hazardousSubstances",
        _List(
            _obj(
                "HazardousSubstanceEntity",
                _req("hazardousSubstanceClass", _Enum(_HAZARD_CLASS_VALUES)),
                _req("hazardousSubstanceName", _STR),
                _req("hazardousSubstanceConcentration", _NUM),
                _req("hazardousSubstanceImpact", _List(_STR)),
                _req("hazardousSubstanceLocation", _LOCATION),
                _req("hazardousSubstanceIdentifier", _STR),
            )
        ),
    ),
)

_DOCUMENT_TYPES = (
    "BillOfMaterial",
    "Model3D",
    "DismantlingManual",
    "RemovalManual",
    "OtherManual",
    "Drawing",
)
_RECYCLED_VALUES = ("Cobalt", "Nickel", "Lithium", "Lead")
_CIRC_ADDRESS = _obj(
    "PostalAddress",
    _req("addressCountry", _STR),
    _req("postalCode", _STR),
    _req("streetAddress", _STR),
)
_CIRCULARITY = _obj(
    CIRCULARITY,
    _req(
        "dismantlingAndRemovalInformation",
        _List(
            _obj(
                "DismantlingandRemovalDocumentation",
                _req("documentType", _Enum(_DOCUMENT_TYPES)),
                _req("mimeType", _STR),
                _req("documentURL", _STR),
            )
        ),
    ),
    _req(
        "sparePartSources",
        _List(
            _obj(
                "SparePartSupplierEntity",
                _req("nameOfSupplier", _STR),
                _req("addressOfSupplier", _CIRC_ADDRESS),
                _req("emailAddressOfSupplier", _STR),
                _req("supplierWebAddress", _STR),
                _req(
                    "components",
                    _List(
                        _obj("ComponentEntity", _req("partName", _STR), _req("partNumber", _STR))
                    ),
                ),
            )
        ),
    ),
    _req(
        "recycledContent",
        _List(
            _obj(
                "RecycledContentEntity",
                _req("preConsumerShare", _NUM),
                _req("recycledMaterial", _Enum(_RECYCLED_VALUES)),
                _req("postConsumerShare", _NUM),
            )
        ),
    ),
    _req(
        "safetyMeasures",
        _obj(
            "SafetyMeasuresEntity",
            _req("safetyInstructions", _STR),
            _req("extinguishingAgent", _List(_STR)),
        ),
    ),
    _req(
        "endOfLifeInformation",
        _obj(
            "EndOfLifeInformationEntity",
            _req("wastePrevention", _STR),
            _req("separateCollection", _STR),
            _req("informationOnCollection", _STR),
        ),
    ),
    _req("renewableContent", _NUM),
)

_LABEL_SUBJECTS = (
    "SeparateCollection",
    "HazardousMaterial",
    "CarbonFootPrint",
    "ExtinguishingAgent",
)
_LABELS = _obj(
    LABELS,
    _req("declarationOfConformity", _STR),
    _req("resultOfTestReport", _STR),
    _req(
        "labels",
        _List(
            _obj(
                "LabelingEntity",
                _req("labelingSymbol", _STR),
                _req("labelingMeaning", _TextMap()),
                _req("labelingSubject", _Enum(_LABEL_SUBJECTS)),
            )
        ),
    ),
)


def _timed(name: str, value_key: str) -> _Obj:
    return _obj(name, _req(value_key, _NUM), _req("lastUpdate", _STR))


_COMPONENT_VALUES = ("pack", "module", "cell")
_POWER_AT = _obj("PowerCapabilityAtEntity", _req("atSoC", _NUM), _req("powerCapabilityAt", _NUM))
_REMAINING_POWER_AT = _obj(
    "RemainingPowerCapabilityDynamicAt",
    _req("atSoC", _NUM),
    _req("powerCapabilityAt", _NUM),
    _req("rPCLastUpdated", _STR),
)
_REMAINING_POWER = _obj(
    "RemainingPowerCapabilityEntity",
    _req("remainingPowerCapabilityValue", _REMAINING_POWER_AT),
    _req("lastUpdate", _STR),
)
_TEMPERATURE_INFO = _obj(
    "TemperatureConditionsEntity",
    _req("timeExtremeHighTemp", _NUM),
    _req("timeExtremeLowTemp", _NUM),
    _req("timeExtremeHighTempCharging", _NUM),
    _req("timeExtremeLowTempCharging", _NUM),
    _req("lastUpdate", _STR),
)
_RESISTANCE_INCREASE = _obj(
    "InternalResistanceIncreaseEntity",
    _req("internalResistanceIncreaseValue", _NUM),
    _req("lastUpdate", _STR),
    _req("batteryComponent", _Enum(_COMPONENT_VALUES)),
)
_NEGATIVE_EVENT = _obj("NegativeEventEntity", _req("negativeEvent", _STR), _req("lastUpdate", _STR))
_RESISTANCE = _obj(
    "InternalResistanceEntity",
    _req("ohmicResistance", _NUM),
    _req("batteryComponent", _Enum(_COMPONENT_VALUES)),
)


def _technical(version: str) -> _Obj:
    common: list[tuple[str, _Type, bool]] = [
        _req("originalPowerCapability", _List(_POWER_AT)),
        _req("ratedMaximumPower", _NUM),
        _req("powerCapabilityRatio", _NUM),
        _req("ratedEnergy", _NUM),
        _req("expectedNumberOfCycles", _NUM),
        _req("initialSelfDischarge", _NUM),
        _req("roundtripEfficiency", _NUM),
        _req("ratedCapacity", _NUM),
        _req("initialInternalResistance", _List(_RESISTANCE)),
        _req("expectedLifetime", _NUM),
        _opt("cRate", _NUM),
        _req("nominalVoltage", _NUM),
        _req("minimumVoltage", _NUM),
        _req("maximumVoltage", _NUM),
        _req("capacityThresholdForExhaustion", _NUM),
        _req("lifetimeReferenceTest", _STR),
        _req("cRateLifeCycleTest", _NUM),
    ]
    if version == "1.2.0":
        common.append(_req("temperatureRangeIdleState", _NUM))
    else:
        common += [
            _req(
                "temperatureRangeIdleState",
                _obj("TemperatureRangeType", _req("minimum", _NUM), _req("maximum", _NUM)),
            ),
            _req("roundTripEfficiencyat50PerCentCycleLife", _NUM),
            _req("roundTripEfficiencyFade", _NUM),
            _req("powerFade", _NUM),
        ]
    return _Obj("BatteryTechnicalPropertiesEntity", tuple(common))


def _condition(version: str) -> _Obj:
    v120 = version == "1.2.0"
    props: list[tuple[str, _Type, bool]] = [
        _req(
            "energyThroughput",
            _NUM if v120 else _timed("EnergyThroughputEntity", "energyThroughputValue"),
        ),
        _req("capacityThroughput", _timed("CapacityThroughputEntity", "capacityThroughputValue")),
        _req("numberOfFullCycles", _timed("NumberOfFullCyclesEntity", "numberOfFullCyclesValue")),
        _req(
            "stateOfCertifiedEnergy",
            _timed("StateOfCertifiedEnergyEntity", "stateOfCertifiedEnergyValue"),
        ),
        _req("capacityFade", _timed("CapacityFadeEntity", "capacityFadeValue")),
        _req(
            "remainingEnergy",
            _timed(
                "RemainingEnergyEntity", "remainingEnergyalue" if v120 else "remainingEnergyValue"
            ),
        ),
        _req("remainingCapacity", _timed("RemainingCapacityEntity", "remainingCapacityValue")),
        _req("negativeEvents", _List(_NEGATIVE_EVENT)),
        _req("temperatureInformation", _TEMPERATURE_INFO),
        _req("remainingPowerCapability", _List(_REMAINING_POWER) if v120 else _REMAINING_POWER),
    ]
    if v120:
        props += [_req("powerFade", _NUM), _req("roundTripEfficiencyFade", _NUM)]
    props += [
        _req(
            "evolutionOfSelfDischarge",
            _obj(
                "EvolutionOfSelfDischargeEntity",
                _req("evolutionOfSelfDischargeEntityValue", _NUM),
            )
            if v120
            else _timed("EvolutionOfSelfDischargeEntity", "evolutionOfSelfDischargeValue"),
        ),
        _req(
            "currentSelfDischargingRate",
            _timed(
                "CurrentSelfDischargingRateEntity",
                "currentSelfDischargingRateEntity" if v120 else "currentSelfDischargingRateValue",
            ),
        ),
        _req("internalResistanceIncrease", _List(_RESISTANCE_INCREASE)),
    ]
    if v120:
        props.append(_req("roundTripEfficiencyat50PerCentCycleLife", _NUM))
    props += [
        _req(
            "remainingRoundTripEnergyEfficiency",
            _timed(
                "RemainingRoundTripEnergyEfficiencyEntity",
                "remainingRoundTripEnergyEfficiencyValue",
            ),
        ),
        _req("stateOfCharge", _timed("StateOfChargeEntity", "stateOfChargeValue")),
    ]
    return _Obj("BatteryConditionEntity", tuple(props))


def _performance(version: str) -> _Obj:
    return _obj(
        PERFORMANCE,
        _req("batteryTechicalProperties", _technical(version)),
        _req("batteryCondition", _condition(version)),
    )


_PERFORMANCE = {v: _performance(v) for v in PERFORMANCE_VERSIONS}

_WIRE: Final[Mapping[str, _Obj]] = {
    GENERAL: _GENERAL,
    CARBON_FOOTPRINT: _CARBON,
    DUE_DILIGENCE: _DUE_DILIGENCE,
    MATERIALS: _MATERIALS,
    CIRCULARITY: _CIRCULARITY,
    PERFORMANCE: _PERFORMANCE[PERFORMANCE_EXPORT_VERSION],
    LABELS: _LABELS,
}


def _wire(aspect: str, version: str | None = None) -> _Obj:
    if aspect == PERFORMANCE:
        return _PERFORMANCE[version or PERFORMANCE_EXPORT_VERSION]
    return _WIRE[aspect]


# ---------------------------------------------------------------- reading documents

_BOMS: Final = (
    (b"\x00\x00\xfe\xff", "utf-32-be"),
    (b"\xff\xfe\x00\x00", "utf-32-le"),
    (b"\xef\xbb\xbf", "utf-8"),
    (b"\xff\xfe", "utf-16-le"),
    (b"\xfe\xff", "utf-16-be"),
)


def _decode_text(raw: bytes, source: str | None) -> str:
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


def read_aspect_file(source: str | os.PathLike[str] | bytes) -> dict[str, Any]:
    """Read one aspect document from a file path or from bytes.

    The consortium's generated files are UTF-16LE with a byte-order mark and CRLF line ends;
    UTF-8, UTF-16 and UTF-32 with or without byte-order mark are all accepted. Numbers are read
    as exact :class:`~decimal.Decimal`; duplicate keys and ``NaN`` are rejected.

    Raises :class:`~batterypass.errors.DecodeError` for unreadable, undecodable or non-JSON
    input and for a JSON value that is not an object.
    """
    name: str | None = None
    if isinstance(source, bytes):
        raw = source
    else:
        name = os.fspath(source)
        # Bounded without trusting st_size (0 for /dev/zero); a FIFO is refused, not waited on.
        raw = read_bounded(name, MAX_ASPECT_BYTES, what="aspect file")
    if len(raw) > MAX_ASPECT_BYTES:
        raise DecodeError(f"document larger than {MAX_ASPECT_BYTES} bytes", source=name)
    value = bp_json.loads_value(_decode_text(raw, name), source=name)
    if not isinstance(value, dict):
        raise DecodeError("an aspect document must be a JSON object", source=name)
    return value


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


def _pointer(parent: str, key: str | int) -> str:
    token = str(key).replace("~", "~0").replace("/", "~1")
    return f"{parent}/{token}"


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
        found = [a for a in ASPECTS if key in _wire(a).names]
        if not found:
            raise ValidationError(
                f"cannot tell the aspect: property {key!r} belongs to no Battery Pass aspect"
                f" ({_pointer('', key)})"
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


# ---------------------------------------------------------------- exact arithmetic

# Products of two or three model quantities (at most 34 significant digits each) are exact in
# this context; quotients are computed to 34 digits and flagged when rounded.
_EXACT: Final = Context(prec=200, Emax=10_000, Emin=-10_000)
_THOUSAND: Final = Decimal(1000)
_HUNDRED: Final = Decimal(100)
_TEN: Final = Decimal(10)


def _mul(*factors: Decimal) -> Decimal:
    out = Decimal(1)
    for f in factors:
        out = _EXACT.multiply(out, f)
    return _tidy(out)


def _div(a: Decimal, b: Decimal) -> tuple[Decimal, bool]:
    """``a / b`` to 34 significant digits and whether that is exact."""
    ctx = Context(prec=34, Emax=10_000, Emin=-10_000)
    out = ctx.divide(a, b)
    return _tidy(out), not ctx.flags[Inexact]


def _tidy(d: Decimal) -> Decimal:
    """Drop trailing zeros after the decimal point (``7240.00`` -> ``7240``), never rounding."""
    sign, digits, exponent = d.as_tuple()
    if not isinstance(exponent, int):
        return d
    ds = list(digits)
    while exponent < 0 and len(ds) > 1 and ds[-1] == 0:
        ds.pop()
        exponent += 1
    if ds == [0]:
        return Decimal(0)
    return Decimal((sign, tuple(ds), exponent))


# ---------------------------------------------------------------- value conversions

_TIMESTAMP: Final = re.compile(
    r"^(-?\d{4,})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,6}))?(Z|[+-]\d{2}:\d{2})?$"
)
_GMONTH: Final = re.compile(r"^--(0[1-9]|1[0-2])(Z|[+-]\d{2}:\d{2})?$")
_MONTHS_DURATION: Final = re.compile(r"^P(?=\d)(?:(\d{1,4})Y)?(?:(\d{1,5})M)?$")
_CONSORTIUM_URN: Final = re.compile(r"^urn:[a-z0-9]+:[a-z0-9]+$")
_INTENDED_EMAIL: Final = re.compile(r"^[\w.-]+@[\w.-]+\.[A-Za-z]{2,}$")
_ABSOLUTE_URI: Final = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:[^\s]*$")
_NUMERIC_TEXT: Final = re.compile(r"^-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?$")
_COUNTRY: Final = re.compile(r"^[A-Z]{2}$")


def _date_timestamp(d: date) -> str:
    """A calendar date as the consortium's timestamp: midnight UTC of that day."""
    return f"{d.isoformat()}T00:00:00Z"


def _timestamp(dt: datetime) -> str:
    return dt.isoformat()


def _parse_timestamp(text: str) -> datetime | None:
    m = _TIMESTAMP.match(text)
    if m is None or m.group(1).startswith("-") or len(m.group(1)) != 4:
        return None
    try:
        return datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None


def _warranty_text(months: int) -> str:
    if 1 <= months <= 12:
        return f"--{months:02d}"
    return f"P{months}M"


def _street_line(street: str | None, city: str) -> str:
    """The consortium's postal address has no locality: the city goes after the street."""
    return f"{street or ''}, {city}"


def _split_street_line(text: str, postal_code: str | None) -> tuple[str | None, str | None]:
    head, sep, tail = text.rpartition(", ")
    if not sep:
        return (text or None), None
    city = tail
    if postal_code and city.startswith(postal_code + " "):
        city = city[len(postal_code) + 1 :]
    return (head or None), (city or None)


def _negative_event_text(kind: str, description: str | None) -> str:
    return kind if description is None else f"{kind}: {description}"


_UNSPECIFIED_EVENT: Final = "unspecified"
_MAX_EVENT_KIND: Final = 64


def _split_negative_event(text: str) -> tuple[str, str | None]:
    kind, sep, description = text.partition(": ")
    if sep and kind and len(kind) <= _MAX_EVENT_KIND:
        return kind, description or None
    if len(text) <= _MAX_EVENT_KIND:
        return text, None
    return _UNSPECIFIED_EVENT, text


_STATUS_TO_WIRE: Final = {
    BatteryStatus.ORIGINAL: "Original",
    BatteryStatus.REPURPOSED: "Repurposed",
    BatteryStatus.REUSED: "Reused",
    BatteryStatus.REMANUFACTURED: "Remanufactured",
    BatteryStatus.WASTE: "Waste",
}
_STATUS_FROM_WIRE: Final = {v: k for k, v in _STATUS_TO_WIRE.items()}

_STAGES: Final = (
    ("RawMaterialExtraction", "raw_material_acquisition_kg_co2e_per_kwh"),
    ("MainProduction", "main_production_kg_co2e_per_kwh"),
    ("Distribution", "distribution_kg_co2e_per_kwh"),
    ("Recycling", "end_of_life_kg_co2e_per_kwh"),
)

_RECYCLED_TO_WIRE: Final = {
    Element.COBALT: "Cobalt",
    Element.NICKEL: "Nickel",
    Element.LITHIUM: "Lithium",
    Element.LEAD: "Lead",
}
_RECYCLED_FROM_WIRE: Final = {v: k for k, v in _RECYCLED_TO_WIRE.items()}

_COMPONENT_TO_WIRE: Final = {
    Component.CATHODE: "Cathode",
    Component.ANODE: "Anode",
    Component.ELECTROLYTE: "Electrolyte",
    Component.SEPARATOR: "Separator",
    Component.CASING: "Casing",
    Component.CURRENT_COLLECTOR: "Current collector",
    Component.BMS: "BMS",
    Component.OTHER: "Other",
}
_WHOLE_BATTERY: Final = "Battery"
"""componentName of a material entry that describes the whole battery: we write critical raw
materials (Annex VI Part A(10): concentration in the battery) this way."""


def _component_from_wire(name: str) -> Component | None:
    key = " ".join(name.replace("-", " ").replace("_", " ").split()).casefold()
    for component, wire in _COMPONENT_TO_WIRE.items():
        if key == wire.casefold():
            return component
    return None


# CLP hazard class abbreviations (Regulation (EC) No 1272/2008, Annex VI) that fall in the
# three classes the consortium enumerates.
_HAZARD_PREFIXES: Final = (
    ("AcuteToxicity", ("acute tox.",)),
    ("SkinCorrosionOrIrritation", ("skin corr.", "skin irrit.")),
    ("EyeDamageOrIrritation", ("eye dam.", "eye irrit.")),
)


def _hazard_class_of(code: str) -> str | None:
    key = code.strip().casefold()
    for wire, prefixes in _HAZARD_PREFIXES:
        if any(key.startswith(p) for p in prefixes):
            return wire
    return None


_CHEMISTRY_ALIASES: Final = {"ncm": ChemistryFamily.NMC}

_DOCUMENT_TITLES: Final = {
    "BillOfMaterial": "Bill of material",
    "Model3D": "3D model",
    "DismantlingManual": "Dismantling manual",
    "RemovalManual": "Removal manual",
    "OtherManual": "Other manual",
    "Drawing": "Drawing",
}
_DOCUMENT_TYPE_OF_TITLE: Final = {v: k for k, v in _DOCUMENT_TITLES.items()}
UNREADABLE_STAGES: Final = "import_aspects will reject the lifecycle stages"
"""Said by an export note when the documents' carbon footprint stages cannot be read back."""
_DOC_TITLE: Final = "EU declaration of conformity"
_TEST_REPORT_TITLE: Final = "Results of test reports"
_SAFETY_TITLE: Final = "Safety instructions"
_LABEL_LANGUAGE: Final = "en"


def _same_substance(a_name: str, a_cas: str | None, b_name: str, b_cas: str | None) -> bool:
    if a_cas is not None and b_cas is not None:
        return a_cas == b_cas
    return a_name.strip().casefold() == b_name.strip().casefold()


def _is_critical(m: MaterialEntry, crms: Sequence[CriticalRawMaterial]) -> bool:
    return any(_same_substance(m.name, m.cas_number, c.name, c.cas_number) for c in crms)


# ---------------------------------------------------------------- export


@dataclass(frozen=True, slots=True)
class ExportNote:
    """Something an export could not do faithfully.

    ``kind`` is one of:

    - ``"lost"``: passport data that the documents do not carry (or carry only in part);
      :func:`import_aspects` cannot restore it;
    - ``"missing"``: a property the consortium model requires that the passport does not hold
      (not written: the document is incomplete, never padded with made-up values);
    - ``"deviation"``: a value written although the consortium model does not accept it
      (``rule`` says which constraint: ``pattern``, ``format``, ``range`` or ``datatype``).
    """

    kind: Literal["lost", "missing", "deviation"]
    message: str
    field: str | None = None
    """The data point of the passport model (dotted path) the note is about, if any."""
    aspect: str | None = None
    pointer: str | None = None
    """JSON pointer into the aspect document."""
    rule: str | None = None

    def __str__(self) -> str:
        where = []
        if self.aspect is not None:
            where.append(f"{self.aspect} {self.pointer or ''}".rstrip())
        if self.field is not None:
            where.append(f"({self.field})" if where else self.field)
        prefix = " ".join(where)
        return (
            f"{self.kind}: {prefix}: {self.message}" if prefix else f"{self.kind}: {self.message}"
        )


class AspectDocuments(dict[str, dict[str, Any]]):
    """The aspect documents of an export, keyed by aspect name, with the export's notes.

    It is a plain ``dict`` for everything else: pass it to :func:`import_aspects` or write each
    value with :func:`dumps_aspect`.
    """

    notes: tuple[ExportNote, ...]

    def __init__(self, docs: Mapping[str, dict[str, Any]], notes: Iterable[ExportNote]) -> None:
        super().__init__(docs)
        self.notes = tuple(notes)

    @property
    def lost(self) -> tuple[ExportNote, ...]:
        """Notes on passport data the documents do not carry."""
        return tuple(n for n in self.notes if n.kind == "lost")

    @property
    def missing(self) -> tuple[ExportNote, ...]:
        """Notes on required consortium properties the passport does not hold."""
        return tuple(n for n in self.notes if n.kind == "missing")

    @property
    def deviations(self) -> tuple[ExportNote, ...]:
        """Notes on values written that the consortium model does not accept."""
        return tuple(n for n in self.notes if n.kind == "deviation")


class _Exporter:
    def __init__(self, passport: BatteryPassport) -> None:
        self.p = passport
        self.notes: list[ExportNote] = []

    def lost(
        self, field: str, message: str, aspect: str | None = None, pointer: str | None = None
    ) -> None:
        self.notes.append(ExportNote("lost", message, field, aspect, pointer))

    def deviation(
        self, aspect: str, pointer: str, rule: str, message: str, field: str | None = None
    ) -> None:
        self.notes.append(ExportNote("deviation", message, field, aspect, pointer, rule))

    # ------------------------------------------------------------ shared pieces

    def address(
        self, address: PostalAddress, field: str, aspect: str, pointer: str
    ) -> dict[str, Any]:
        line = _street_line(address.street, address.city)
        if _split_street_line(line, address.postal_code) != (address.street, address.city):
            self.lost(
                field,
                f"street {address.street!r} and city {address.city!r} cannot be told apart "
                "again from streetAddress (the city is read from after the last ', ')",
                aspect,
                _pointer(pointer, "streetAddress"),
            )
        return {
            "addressCountry": address.country,
            "postalCode": address.postal_code,
            "streetAddress": line,
        }

    def email(self, value: str | None, aspect: str, pointer: str, field: str) -> str | None:
        if value is not None and not _INTENDED_EMAIL.match(value):
            self.deviation(
                aspect,
                pointer,
                "pattern",
                f"e-mail address {value!r} does not match the consortium's pattern "
                r"^[\w.-]+@[\w.-]+\.[A-Za-z]{2,}$",
                field,
            )
        return value

    def document_url(
        self,
        ref: DocumentRef | None,
        field: str,
        aspect: str,
        pointer: str,
        title: str | None,
    ) -> str | None:
        """The URL of a document reference where the consortium holds a bare URL; ``title`` is
        what import will call it."""
        if ref is None:
            return None
        lost = []
        if title is None or ref.title != title:
            lost.append(f"title {ref.title!r}")
        if ref.media_type is not None:
            lost.append(f"media type {ref.media_type!r}")
        if ref.sha256 is not None:
            lost.append("SHA-256 digest")
        if lost:
            self.lost(
                field,
                f"{' and '.join(lost)} not carried (the consortium holds the URL only)",
                aspect,
                pointer,
            )
        return ref.url

    def single_document_url(
        self,
        refs: tuple[DocumentRef, ...] | None,
        field: str,
        aspect: str,
        pointer: str,
        title: str,
        what: str,
    ) -> str | None:
        """The URL of the first of ``refs`` where the consortium holds exactly one URL; any
        other count is reported as lost (``what`` follows the count in the note)."""
        if refs is None:
            return None
        url = self.document_url(refs[0], field, aspect, pointer, title) if refs else None
        if len(refs) != 1:
            self.lost(field, f"{len(refs)} {what}", aspect, pointer)
        return url

    # ------------------------------------------------------------ aspects

    def general(self) -> dict[str, Any]:
        p, g, a = self.p, self.p.general, GENERAL
        if not _CONSORTIUM_URN.match(p.passport_id):
            self.deviation(
                a,
                "/batteryPassportIdentifier",
                "pattern",
                f"passport identifier {p.passport_id!r} does not match the consortium's pattern "
                "^urn:[a-z0-9]+:[a-z0-9]+$; written unchanged, since an identifier must stay "
                "verbatim",
                "passport_id",
            )
        category: str | None = None
        if g.category is BatteryCategory.INDUSTRIAL:
            category = "stationary" if g.stationary_energy_storage else "industrial"
        elif g.category in (BatteryCategory.EV, BatteryCategory.LMT):
            category = g.category.value
        elif g.category is not None:
            self.lost(
                "general.category",
                f"category {g.category.value!r} is not in the consortium's enumeration "
                "(lmt, ev, industrial, stationary)",
                a,
                "/batteryCategory",
            )
        if category is not None and g.stationary_energy_storage is None:
            self.lost(
                "general.stationary_energy_storage",
                "not stated in the passport; the consortium category states it "
                "(read back as false unless the category is 'stationary')",
                a,
                "/batteryCategory",
            )
        elif category is None and g.stationary_energy_storage is not None:
            self.lost(
                "general.stationary_energy_storage",
                "written only as part of the battery category, which is not written",
            )
        if g.battery_model is not None:
            self.lost("general.battery_model", "the consortium model has no battery model")
        if p.predecessor_passport_id is not None:
            self.lost("predecessor_passport_id", "the consortium model has no predecessor passport")
        if p.predecessor_last_event_sha256 is not None:
            self.lost(
                "predecessor_last_event_sha256",
                "the consortium model has no link to the original's lifecycle events",
            )
        place = None
        if g.manufacturing_place is not None:
            f = g.manufacturing_place
            if f.id is not None or f.name is not None:
                self.lost(
                    "general.manufacturing_place",
                    "facility identifier and name not carried (the consortium holds an address "
                    "only)",
                    a,
                    "/manufacturingPlace",
                )
            place = self.address(f.address, "general.manufacturing_place", a, "/manufacturingPlace")
        warranty = None
        if g.warranty_period_months is not None:
            warranty = _warranty_text(g.warranty_period_months)
            if not _GMONTH.match(warranty):
                self.deviation(
                    a,
                    "/warrentyPeriod",
                    "pattern",
                    f"a warranty of {g.warranty_period_months} months cannot be written as the "
                    f"consortium's xsd:gMonth (--01..--12); written as the duration {warranty!r}",
                    "general.warranty_period_months",
                )
        return {
            "productIdentifier": p.battery_id,
            "batteryPassportIdentifier": p.passport_id,
            "batteryCategory": category,
            "manufacturerInformation": self.contact(
                g.manufacturer, "general.manufacturer", "/manufacturerInformation"
            ),
            "manufacturingDate": (
                _date_timestamp(g.manufacturing_date) if g.manufacturing_date else None
            ),
            "batteryStatus": _STATUS_TO_WIRE[p.status] if p.status is not None else None,
            "batteryMass": g.mass_kg,
            "manufacturingPlace": place,
            "operatorInformation": self.contact(
                g.operator, "general.operator", "/operatorInformation"
            ),
            "puttingIntoService": (
                _date_timestamp(g.put_into_service_date) if g.put_into_service_date else None
            ),
            "warrentyPeriod": warranty,
        }

    def contact(self, op: Any, field: str, pointer: str) -> dict[str, Any] | None:
        if op is None:
            return None
        return {
            "contactName": op.name,
            "postalAddress": self.address(
                op.address, field, GENERAL, _pointer(pointer, "postalAddress")
            ),
            "identifier": op.id,
            "emailAddress": self.email(op.email, GENERAL, _pointer(pointer, "emailAddress"), field),
            "webAddress": op.website,
        }

    def carbon(self) -> dict[str, Any]:
        c = self.p.carbon_footprint
        if c.rounding_kg_co2e_per_kwh is not None:
            message = "the consortium model has no rounding step"
            try:
                CarbonFootprint.model_validate(c.model_dump() | {"rounding_kg_co2e_per_kwh": None})
            except pydantic.ValidationError:
                message += (
                    f"; {UNREADABLE_STAGES}: without it they do not add up to the total within the "
                    "precision of their digits"
                )
            self.lost("carbon_footprint.rounding_kg_co2e_per_kwh", message)
        if c.class_scheme is not None:
            self.lost(
                "carbon_footprint.class_scheme",
                "the consortium model has no performance class scheme",
            )
        stages = [
            {"lifecycleStage": wire, "carbonFootprint": getattr(c, name)}
            for wire, name in _STAGES
            if getattr(c, name) is not None
        ]
        return {
            "batteryCarbonFootprint": c.total_kg_co2e_per_kwh,
            "carbonFootprintPerLifecycleStage": stages or None,
            "carbonFootprintPerformanceClass": c.performance_class,
            "carbonFootprintStudy": c.study_url,
            "absoluteCarbonFootprint": c.absolute_kg_co2e,
        }

    def due_diligence(self) -> dict[str, Any]:
        d, a = self.p.due_diligence, DUE_DILIGENCE
        assurance = None
        if d.third_party_assurances is not None:
            if d.third_party_assurances:
                assurance = d.third_party_assurances[0]
            if len(d.third_party_assurances) != 1:
                self.lost(
                    "due_diligence.third_party_assurances",
                    f"{len(d.third_party_assurances)} assurances: the consortium holds exactly "
                    "one URL",
                    a,
                    "/thirdPartyAussurances",
                )
        index = None
        if d.supply_chain_indices is not None:
            texts = d.supply_chain_indices
            if len(texts) == 1 and _NUMERIC_TEXT.match(texts[0]):
                index = Decimal(texts[0])
            else:
                self.lost(
                    "due_diligence.supply_chain_indices",
                    "the consortium holds exactly one index, as a number; "
                    f"the passport has {len(texts)} text(s)"
                    + ("" if len(texts) != 1 else " that is not a plain decimal number"),
                    a,
                    "/supplyChainIndicies",
                )
        return {
            "supplyChainDueDiligenceReport": d.report_url,
            "thirdPartyAussurances": assurance,
            "supplyChainIndicies": index,
        }

    def materials(self) -> dict[str, Any]:
        m, a = self.p.materials, MATERIALS
        chemistry = None
        if m.chemistry is not None:
            chemistry = {
                "shortName": m.chemistry.family.value.upper(),
                "clearName": m.chemistry.designation,
            }
        if m.element_masses is not None:
            self.lost("materials.element_masses", "the consortium model has no element masses")
        if m.substance_impact_url is not None:
            self.lost(
                "materials.substance_impact_url",
                "the consortium holds impact statements per substance, not a document link",
            )
        crms = m.critical_raw_materials or ()
        entries: list[dict[str, Any]] | None = None
        if m.materials is not None or m.critical_raw_materials is not None:
            entries = []
            for i, mat in enumerate(m.materials or ()):
                if mat.share_percent is not None:
                    self.lost(
                        "materials.materials",
                        f"share_percent of material {i} not carried (the consortium holds the "
                        "mass only)",
                        a,
                        f"/batteryMaterials/{i}",
                    )
                entries.append(
                    {
                        "batteryMaterialLocation": {
                            "componentName": _COMPONENT_TO_WIRE[mat.component]
                        },
                        "batteryMaterialIdentifier": mat.cas_number,
                        "batteryMaterialName": mat.name,
                        "batteryMaterialMass": (
                            _mul(mat.mass_kg, _THOUSAND) if mat.mass_kg is not None else None
                        ),
                        "isCriticalRawMaterial": _is_critical(mat, crms),
                    }
                )
            battery_kg = self.p.general.mass_kg
            for crm in crms:
                mass = None
                if crm.concentration_percent is not None:
                    if battery_kg is None:
                        self.lost(
                            "materials.critical_raw_materials",
                            f"concentration of {crm.name!r} not carried: the consortium holds a "
                            "mass, and the passport has no battery mass to convert with",
                            a,
                            "/batteryMaterials",
                        )
                    else:
                        mass = _mul(crm.concentration_percent, battery_kg, _TEN)
                entries.append(
                    {
                        "batteryMaterialLocation": {"componentName": _WHOLE_BATTERY},
                        "batteryMaterialIdentifier": crm.cas_number,
                        "batteryMaterialName": crm.name,
                        "batteryMaterialMass": mass,
                        "isCriticalRawMaterial": True,
                    }
                )
            if m.materials is None and m.critical_raw_materials is not None:
                self.lost(
                    "materials.materials",
                    "not stated in the passport; the material list read back declares none",
                    a,
                    "/batteryMaterials",
                )
            if m.critical_raw_materials is None:
                self.lost(
                    "materials.critical_raw_materials",
                    "not stated in the passport; the material list read back declares none",
                    a,
                    "/batteryMaterials",
                )
        hazards: list[dict[str, Any]] | None = None
        if m.hazardous_substances is not None:
            hazards = []
            for i, h in enumerate(m.hazardous_substances):
                classes = [c for c in (_hazard_class_of(x) for x in h.hazard_classes) if c]
                if h.ec_number is not None:
                    self.lost(
                        "materials.hazardous_substances",
                        f"EC number of substance {i} not carried",
                        a,
                        f"/hazardousSubstances/{i}",
                    )
                hazards.append(
                    {
                        "hazardousSubstanceClass": classes[0] if classes else None,
                        "hazardousSubstanceName": h.name,
                        "hazardousSubstanceConcentration": h.concentration_percent,
                        "hazardousSubstanceImpact": list(h.hazard_classes),
                        "hazardousSubstanceLocation": (
                            {"componentName": _COMPONENT_TO_WIRE[h.location]}
                            if h.location is not None
                            else None
                        ),
                        "hazardousSubstanceIdentifier": h.cas_number,
                    }
                )
        return {
            "batteryChemistry": chemistry,
            "batteryMaterials": entries,
            "hazardousSubstances": hazards,
        }

    def circularity(self) -> dict[str, Any]:
        c, a = self.p.circularity, CIRCULARITY
        dismantling = None
        if c.dismantling_information is not None:
            dismantling = []
            for i, ref in enumerate(c.dismantling_information):
                doc_type = _DOCUMENT_TYPE_OF_TITLE.get(ref.title, "OtherManual")
                here = f"/dismantlingAndRemovalInformation/{i}"
                if ref.title != _DOCUMENT_TITLES[doc_type]:
                    self.lost(
                        "circularity.dismantling_information",
                        f"title {ref.title!r} not carried (the consortium holds a document type; "
                        f"written as {doc_type!r})",
                        a,
                        here,
                    )
                if ref.sha256 is not None:
                    self.lost(
                        "circularity.dismantling_information", "SHA-256 digest not carried", a, here
                    )
                dismantling.append(
                    {"documentType": doc_type, "mimeType": ref.media_type, "documentURL": ref.url}
                )
        sources = c.spare_part_sources
        parts = c.part_numbers
        components = [{"partName": n.component, "partNumber": n.part_number} for n in parts or ()]
        spare = None
        if sources is not None:
            spare = []
            for i, s in enumerate(sources):
                here = f"/sparePartSources/{i}"
                spare.append(
                    {
                        "nameOfSupplier": s.name,
                        "addressOfSupplier": (
                            self.address(
                                s.address,
                                "circularity.spare_part_sources",
                                a,
                                _pointer(here, "addressOfSupplier"),
                            )
                            if s.address is not None
                            else None
                        ),
                        "emailAddressOfSupplier": self.email(
                            s.email,
                            a,
                            _pointer(here, "emailAddressOfSupplier"),
                            "circularity.spare_part_sources",
                        ),
                        "supplierWebAddress": s.url,
                        # Our part numbers are not tied to a supplier: all go with the first.
                        "components": components if i == 0 else [],
                    }
                )
        if (parts and not sources) or (parts is not None and sources is None):
            self.lost(
                "circularity.part_numbers",
                "the consortium lists part numbers under a spare-part source, and the passport "
                "has none",
                a,
                "/sparePartSources",
            )
        elif parts is None and sources is not None:
            self.lost(
                "circularity.part_numbers",
                "not stated in the passport; the spare-part sources read back declare none",
                a,
                "/sparePartSources",
            )
        recycled: list[dict[str, Any]] | None = None
        if c.recycled_content is not None:
            recycled = []
            for r in c.recycled_content:
                wire = _RECYCLED_TO_WIRE.get(r.material)
                if wire is None:
                    self.lost(
                        "circularity.recycled_content",
                        f"recycled content of {r.material.value} not carried (the consortium "
                        "lists cobalt, nickel, lithium and lead only)",
                        a,
                        "/recycledContent",
                    )
                    continue
                if r.total_percent != r.pre_consumer_percent + r.post_consumer_percent:
                    self.lost(
                        "circularity.recycled_content",
                        f"total recycled share of {r.material.value} ({r.total_percent} %) not "
                        "carried; read back as pre-consumer plus post-consumer share",
                        a,
                        f"/recycledContent/{len(recycled)}",
                    )
                recycled.append(
                    {
                        "preConsumerShare": r.pre_consumer_percent,
                        "recycledMaterial": wire,
                        "postConsumerShare": r.post_consumer_percent,
                    }
                )
        safety = None
        agents = self.p.labels.extinguishing_agents
        if c.safety_measures is not None or agents is not None:
            url = self.single_document_url(
                c.safety_measures,
                "circularity.safety_measures",
                a,
                "/safetyMeasures/safetyInstructions",
                _SAFETY_TITLE,
                "documents: the consortium holds exactly one safety-instructions URL",
            )
            safety = {
                "safetyInstructions": url,
                "extinguishingAgent": list(agents) if agents is not None else None,
            }
        end_of_life = {
            "wastePrevention": c.waste_prevention_info_url,
            "separateCollection": c.separate_collection_info_url,
            "informationOnCollection": c.end_of_life_info_url,
        }
        if c.recycling_potential is not None:
            self.lost(
                "circularity.recycling_potential", "the consortium model has no recycling potential"
            )
        return {
            "dismantlingAndRemovalInformation": dismantling,
            "sparePartSources": spare,
            "recycledContent": recycled,
            "safetyMeasures": safety,
            "endOfLifeInformation": end_of_life if any(end_of_life.values()) else None,
            "renewableContent": c.renewable_content_percent,
        }

    def performance(self) -> dict[str, Any]:
        p, a = self.p, PERFORMANCE
        pf, soh, use = p.performance, p.state.state_of_health, p.state.usage
        measured = _timestamp(soh.measured_at) if soh.measured_at is not None else None
        recorded = _timestamp(use.recorded_at) if use.recorded_at is not None else None
        issued = _timestamp(p.issued_at)

        def timed(key: str, value: Any, stamp: str | None) -> dict[str, Any] | None:
            return None if value is None else {key: value, "lastUpdate": stamp}

        resistance = [
            {"ohmicResistance": value, "batteryComponent": component}
            for component, value in (
                ("pack", pf.internal_resistance_pack_ohm),
                ("cell", pf.internal_resistance_cell_ohm),
            )
            if value is not None
        ]
        years = pf.expected_lifetime_years
        if years is not None:
            here = "/batteryTechicalProperties/expectedLifetime"
            if years != years.to_integral_value():
                self.deviation(
                    a,
                    here,
                    "datatype",
                    f"expected lifetime {years} years is not a whole number "
                    "(the consortium's datatype is xsd:short)",
                    "performance.expected_lifetime_years",
                )
            if years > 32767:
                self.deviation(
                    a,
                    here,
                    "range",
                    f"expected lifetime {years} years exceeds xsd:short (32767)",
                    "performance.expected_lifetime_years",
                )
        if pf.cycle_life_reference_test is not None and not _ABSOLUTE_URI.match(
            pf.cycle_life_reference_test
        ):
            self.deviation(
                a,
                "/batteryTechicalProperties/lifetimeReferenceTest",
                "format",
                "the consortium expects a URI for the cycle-life reference test; the passport "
                "holds a text, written unchanged",
                "performance.cycle_life_reference_test",
            )
        temperature = None
        tmin, tmax = pf.idle_temperature_min_c, pf.idle_temperature_max_c
        if tmin is not None or tmax is not None:
            temperature = {"minimum": tmin, "maximum": tmax}
            for key, value in temperature.items():
                if value is not None and not Decimal(-100) <= value <= Decimal(200):
                    self.deviation(
                        a,
                        f"/batteryTechicalProperties/temperatureRangeIdleState/{key}",
                        "range",
                        f"{value} °C lies outside the consortium's range -100..200 °C",
                        f"performance.idle_temperature_{key[:3]}_c",
                    )
        ratio = pf.power_to_energy_ratio_w_per_wh
        technical = {
            "originalPowerCapability": (
                [
                    {"atSoC": x.state_of_charge_percent, "powerCapabilityAt": x.power_w}
                    for x in pf.original_power_capability
                ]
                if pf.original_power_capability is not None
                else None
            ),
            "ratedMaximumPower": (
                _mul(pf.maximum_permitted_power_w, Decimal("0.001"))
                if pf.maximum_permitted_power_w is not None
                else None
            ),
            "powerCapabilityRatio": _mul(ratio, _HUNDRED) if ratio is not None else None,
            "ratedEnergy": pf.certified_usable_energy_kwh,
            "expectedNumberOfCycles": pf.expected_lifetime_cycles,
            "initialSelfDischarge": pf.initial_self_discharge_percent_per_month,
            "roundtripEfficiency": pf.initial_round_trip_efficiency_percent,
            "ratedCapacity": pf.rated_capacity_ah,
            "initialInternalResistance": resistance or None,
            "expectedLifetime": years,
            "cRate": ratio,
            "nominalVoltage": pf.nominal_voltage_v,
            "minimumVoltage": pf.minimum_voltage_v,
            "maximumVoltage": pf.maximum_voltage_v,
            "capacityThresholdForExhaustion": pf.capacity_threshold_for_exhaustion_percent,
            "lifetimeReferenceTest": pf.cycle_life_reference_test,
            "cRateLifeCycleTest": pf.cycle_life_c_rate,
            "temperatureRangeIdleState": temperature,
            "roundTripEfficiencyat50PerCentCycleLife": (
                pf.round_trip_efficiency_at_50pct_cycle_life_percent
            ),
            "roundTripEfficiencyFade": pf.round_trip_efficiency_fade_percent,
            "powerFade": pf.power_fade_percent,
        }
        remaining_kwh = None
        if soh.remaining_capacity_ah is not None:
            if pf.nominal_voltage_v is None:
                self.lost(
                    "state.state_of_health.remaining_capacity_ah",
                    "the consortium holds the remaining capacity in kWh, and the passport has no "
                    "nominal voltage to convert with",
                    a,
                    "/batteryCondition/remainingCapacity",
                )
            else:
                remaining_kwh = _mul(
                    soh.remaining_capacity_ah, pf.nominal_voltage_v, Decimal("0.001")
                )
        events = None
        if use.negative_events is not None:
            events = []
            for i, ev in enumerate(use.negative_events):
                text = _negative_event_text(ev.kind, ev.description)
                if _split_negative_event(text) != (ev.kind, ev.description):
                    self.lost(
                        "state.usage.negative_events",
                        f"kind {ev.kind!r} and description cannot be told apart again from "
                        "negativeEvent ('kind: description')",
                        a,
                        f"/batteryCondition/negativeEvents/{i}",
                    )
                events.append(
                    {"negativeEvent": text, "lastUpdate": _date_timestamp(ev.occurred_on)}
                )
        minutes = (
            use.minutes_above_temperature_boundary,
            use.minutes_below_temperature_boundary,
            use.minutes_charging_above_boundary,
            use.minutes_charging_below_boundary,
        )
        temperature_info = None
        if any(m is not None for m in minutes):
            temperature_info = {
                "timeExtremeHighTemp": minutes[0],
                "timeExtremeLowTemp": minutes[1],
                "timeExtremeHighTempCharging": minutes[2],
                "timeExtremeLowTempCharging": minutes[3],
                "lastUpdate": recorded,
            }
        power = None
        if soh.remaining_power_capability:
            # Version 1.2.1 holds one value: the first; the others are reported as lost.
            first = soh.remaining_power_capability[0]
            power = {
                "remainingPowerCapabilityValue": {
                    "atSoC": first.state_of_charge_percent,
                    "powerCapabilityAt": first.power_w,
                    "rPCLastUpdated": measured,
                },
                "lastUpdate": measured,
            }
            others = len(soh.remaining_power_capability) - 1
            if others:
                self.lost(
                    "state.state_of_health.remaining_power_capability",
                    f"PerformanceAndDurability 1.2.1 holds one remaining power capability; "
                    f"the values at {others} other state(s) of charge are not written",
                )
        condition = {
            "energyThroughput": timed("energyThroughputValue", use.energy_throughput_kwh, recorded),
            "capacityThroughput": timed(
                "capacityThroughputValue", use.capacity_throughput_ah, recorded
            ),
            "numberOfFullCycles": timed("numberOfFullCyclesValue", use.full_cycles, recorded),
            "stateOfCertifiedEnergy": timed(
                "stateOfCertifiedEnergyValue", soh.state_of_certified_energy_percent, measured
            ),
            "capacityFade": timed("capacityFadeValue", pf.capacity_fade_percent, issued),
            "remainingEnergy": timed("remainingEnergyValue", soh.remaining_energy_kwh, measured),
            "remainingCapacity": timed("remainingCapacityValue", remaining_kwh, measured),
            "negativeEvents": events,
            "temperatureInformation": temperature_info,
            "remainingPowerCapability": power,
            "evolutionOfSelfDischarge": timed(
                "evolutionOfSelfDischargeValue", soh.self_discharge_evolution_percent, measured
            ),
            "currentSelfDischargingRate": timed(
                "currentSelfDischargingRateValue",
                soh.current_self_discharge_percent_per_month,
                measured,
            ),
            "internalResistanceIncrease": (
                [
                    {
                        "internalResistanceIncreaseValue": pf.internal_resistance_increase_percent,
                        "lastUpdate": issued,
                        "batteryComponent": "pack",
                    }
                ]
                if pf.internal_resistance_increase_percent is not None
                else None
            ),
            "remainingRoundTripEnergyEfficiency": timed(
                "remainingRoundTripEnergyEfficiencyValue",
                soh.remaining_round_trip_efficiency_percent,
                measured,
            ),
            "stateOfCharge": timed("stateOfChargeValue", use.state_of_charge_percent, recorded),
        }
        lost_values: tuple[tuple[str, object, str], ...] = (
            (
                "state.state_of_health.ohmic_resistance_ohm",
                soh.ohmic_resistance_ohm,
                "the consortium holds the internal resistance increase only",
            ),
            (
                "state.usage.temperature_c",
                use.temperature_c,
                "the consortium holds times spent at extreme temperatures, not the temperature",
            ),
            (
                "state.usage.deep_discharge_events",
                use.deep_discharge_events,
                "the consortium model has no deep-discharge event count",
            ),
            (
                "state.usage.overcharge_events",
                use.overcharge_events,
                "the consortium model has no overcharge event count",
            ),
        )
        for field, held, why in lost_values:
            if held is not None:
                self.lost(field, why)
        soh_written = any(
            condition[k] is not None
            for k in (
                "stateOfCertifiedEnergy",
                "remainingEnergy",
                "remainingCapacity",
                "remainingPowerCapability",
                "evolutionOfSelfDischarge",
                "currentSelfDischargingRate",
                "remainingRoundTripEnergyEfficiency",
            )
        )
        if measured is not None and not soh_written:
            self.lost(
                "state.state_of_health.measured_at",
                "written only as the lastUpdate of state-of-health values, and there are none",
            )
        usage_written = any(
            condition[k] is not None
            for k in (
                "energyThroughput",
                "capacityThroughput",
                "numberOfFullCycles",
                "temperatureInformation",
                "stateOfCharge",
            )
        )
        if recorded is not None and not usage_written:
            self.lost(
                "state.usage.recorded_at",
                "written only as the lastUpdate of usage values, and there are none",
            )
        return {
            "batteryTechicalProperties": _drop_empty(technical),
            "batteryCondition": _drop_empty(condition),
        }

    def labels(self) -> dict[str, Any]:
        lb, a = self.p.labels, LABELS
        reports = self.single_document_url(
            lb.test_reports,
            "labels.test_reports",
            a,
            "/resultOfTestReport",
            _TEST_REPORT_TITLE,
            "reports: the consortium holds exactly one URL",
        )
        entries: list[dict[str, Any]] | None = None
        if (
            lb.separate_collection_symbol is not None
            or lb.cadmium_lead_symbols is not None
            or lb.carbon_footprint_label is not None
        ):
            entries = []
            for field, subject, refs in (
                (
                    "labels.separate_collection_symbol",
                    "SeparateCollection",
                    [lb.separate_collection_symbol],
                ),
                (
                    "labels.cadmium_lead_symbols",
                    "HazardousMaterial",
                    list(lb.cadmium_lead_symbols or ()),
                ),
                ("labels.carbon_footprint_label", "CarbonFootPrint", [lb.carbon_footprint_label]),
            ):
                for ref in refs:
                    if ref is None:
                        continue
                    here = f"/labels/{len(entries)}"
                    if ref.media_type is not None or ref.sha256 is not None:
                        self.lost(field, "media type and SHA-256 digest not carried", a, here)
                    entries.append(
                        {
                            "labelingSymbol": ref.url,
                            "labelingMeaning": {_LABEL_LANGUAGE: ref.title},
                            "labelingSubject": subject,
                        }
                    )
            if lb.cadmium_lead_symbols is None:
                self.lost(
                    "labels.cadmium_lead_symbols",
                    "not stated in the passport; the label list read back declares none",
                    a,
                    "/labels",
                )
        if lb.meaning_of_labels_url is not None:
            self.lost(
                "labels.meaning_of_labels_url",
                "the consortium holds a meaning text per label, not a document link",
            )
        return {
            "declarationOfConformity": self.document_url(
                lb.declaration_of_conformity,
                "labels.declaration_of_conformity",
                a,
                "/declarationOfConformity",
                _DOC_TITLE,
            ),
            "resultOfTestReport": reports,
            "labels": entries,
        }

    # ------------------------------------------------------------ completeness of the documents

    def missing(self, value: Any, typ: _Type, aspect: str, pointer: str) -> None:
        if isinstance(typ, _Obj) and isinstance(value, dict):
            for name, sub, required in typ.props:
                here = _pointer(pointer, name)
                if name in value:
                    self.missing(value[name], sub, aspect, here)
                elif required:
                    self.notes.append(
                        ExportNote(
                            "missing",
                            "required by the consortium model, not held by the passport",
                            _field_of_wire(aspect, here),
                            aspect,
                            here,
                        )
                    )
        elif isinstance(typ, _List) and isinstance(value, list):
            for i, item in enumerate(value):
                self.missing(item, typ.item, aspect, _pointer(pointer, i))


def _drop_empty(d: dict[str, Any]) -> dict[str, Any] | None:
    return d if any(v is not None for v in d.values()) else None


def _finish(value: Any, typ: _Type) -> Any:
    """Drop properties without a value and put the rest in the schema's order."""
    if isinstance(typ, _Obj):
        assert isinstance(value, dict)
        unknown = set(value) - set(typ.names)
        assert not unknown, f"{typ.name}: {unknown}"
        out = {}
        for name, sub, _ in typ.props:
            if value.get(name) is None:
                continue
            finished = _finish(value[name], sub)
            if isinstance(sub, _Obj) and not finished:
                continue  # an object without any property says nothing
            out[name] = finished
        return out
    if isinstance(typ, _List):
        return [_finish(v, typ.item) for v in value]
    return value


def export_aspects(passport: BatteryPassport, *, strict: bool = False) -> AspectDocuments:
    """Write a passport as Battery Pass consortium aspect documents (one per aspect, keyed by
    aspect name; PerformanceAndDurability in version :data:`PERFORMANCE_EXPORT_VERSION`).

    Nothing is dropped silently: the result's ``notes`` list every piece of passport data the
    documents do not carry (``lost``), every required consortium property the passport does not
    hold (``missing``; never padded with made-up values) and every value written that the
    consortium model does not accept (``deviation``). An aspect for which the passport holds
    no data is not written (a ``missing`` note says so).

    The export writes what it is given: pass ``passport.view(audience)`` to export only what an
    audience may see (the consortium puts data of several Annex XIII access groups into one
    aspect).

    With ``strict=True``, raises :class:`~batterypass.errors.EncodeError` instead of returning
    when any data would be lost. Passport metadata the consortium model has no place for
    (``issuer``, ``issued_at``) is not a loss: :func:`import_aspects` takes it as parameters.
    """
    ex = _Exporter(passport)
    built = {
        GENERAL: ex.general(),
        CARBON_FOOTPRINT: ex.carbon(),
        DUE_DILIGENCE: ex.due_diligence(),
        MATERIALS: ex.materials(),
        CIRCULARITY: ex.circularity(),
        PERFORMANCE: ex.performance(),
        LABELS: ex.labels(),
    }
    docs: dict[str, dict[str, Any]] = {}
    for aspect, raw in built.items():
        doc = _finish(raw, _wire(aspect))
        if not doc:
            ex.notes.append(
                ExportNote(
                    "missing",
                    "aspect not written: the passport holds none of its data",
                    aspect=aspect,
                    pointer="",
                )
            )
            continue
        ex.missing(doc, _wire(aspect), aspect, "")
        docs[aspect] = doc
    result = AspectDocuments(docs, ex.notes)
    if strict and result.lost:
        first = result.lost[0]
        more = f" (and {len(result.lost) - 1} more)" if len(result.lost) > 1 else ""
        raise EncodeError(
            f"the Battery Pass data model cannot carry all of this passport: {first}{more}"
        )
    return result


# ---------------------------------------------------------------- import

_MAX_EXPONENT: Final = 40
_MAX_DIGITS: Final = 34
_BAD: Final = object()


def _significant_digits(d: Decimal) -> int:
    digits = list(d.as_tuple().digits)
    while len(digits) > 1 and digits[-1] == 0:
        digits.pop()
    return len(digits)


def _show(d: Decimal) -> str:
    text = str(d)
    return text if len(text) <= 40 else f"{d:.16E}"


def _kind(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int | Decimal):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "an array"
    if isinstance(value, Mapping):
        return "an object"
    return type(value).__name__


class _Importer:
    """Collects the passport data, where each value came from, problems and notes."""

    def __init__(self, notes: list[str] | None, issued_at: datetime) -> None:
        self.issues: list[Issue] = []
        self.messages: list[str] = []
        self.notes = notes
        self.issued_at = issued_at
        self.out: dict[str, Any] = {}
        self.origin: dict[tuple[PathItem, ...], tuple[str, str]] = {}
        self.battery_mass_kg: Decimal | None = None
        self.agents: tuple[str, ...] | None = None

    # ------------------------------------------------------------ bookkeeping

    def fail(self, aspect: str, pointer: str, message: str, legal_basis: str | None = None) -> None:
        where = f"{aspect} {pointer}" if pointer else aspect
        basis = f" [{legal_basis}]" if legal_basis else ""
        self.messages.append(" ".join(f"{where}: {message}{basis}".split("\n")))
        tokens = [int(t) if t.isdigit() else t for t in pointer.split("/")[1:]]
        self.issues.append(Issue((aspect, *tokens), message, legal_basis))

    def note(self, aspect: str, pointer: str, message: str) -> None:
        if self.notes is not None:
            where = f"{aspect} {pointer}" if pointer else aspect
            self.notes.append(f"{where}: {message}")

    def put(self, path: tuple[PathItem, ...], value: Any, aspect: str, pointer: str) -> None:
        """Set a value of the passport data and remember where it came from."""
        node: Any = self.out
        for key in path[:-1]:
            node = node.setdefault(key, {})
        node[path[-1]] = value
        self.origin[path] = (aspect, pointer)

    def at(self, path: tuple[PathItem, ...], aspect: str, pointer: str) -> None:
        self.origin[path] = (aspect, pointer)

    def put_single_document(
        self, path: tuple[PathItem, ...], title: str, url: Any, aspect: str, pointer: str
    ) -> None:
        """A list of one document (``title``, ``url``) at ``path``, traced to ``pointer``: the
        import side of :func:`single_document_url`."""
        self.put(path, [{"title": title, "url": url}], aspect, pointer)
        self.at((*path, 0), aspect, pointer)
        self.at((*path, 0, "url"), aspect, pointer)

    def power_capability(
        self, value: Mapping[str, Any], path: tuple[PathItem, ...], aspect: str, pointer: str
    ) -> dict[str, Any]:
        """A ``PowerCapability`` from ``{atSoC, powerCapabilityAt}`` at ``pointer``, to sit at
        ``path``; what is absent is left out (the model then names it, traced here)."""
        self.at((*path, "state_of_charge_percent"), aspect, f"{pointer}/atSoC")
        self.at((*path, "power_w"), aspect, f"{pointer}/powerCapabilityAt")
        self.at(path, aspect, pointer)
        return {
            k: v
            for k, v in (
                ("state_of_charge_percent", value.get("atSoC")),
                ("power_w", value.get("powerCapabilityAt")),
            )
            if v is not None
        }

    # ------------------------------------------------------------ structure (pass 1)

    def check(self, value: Any, typ: _Type, aspect: str, pointer: str, model: str) -> Any:
        """The value with every ill-typed part replaced by ``_BAD`` (each one reported)."""
        if isinstance(typ, _Obj):
            if not isinstance(value, Mapping):
                self.fail(aspect, pointer, f"expected an object, got {_kind(value)}")
                return _BAD
            out = {}
            for key, item in value.items():
                here = _pointer(pointer, key)
                sub = typ.get(key)
                if sub is None:
                    self.fail(
                        aspect,
                        here,
                        f"unknown property {key!r} (not in {typ.name} of the {model} model)",
                    )
                    continue
                checked = self.check(item, sub, aspect, here, model)
                if checked is not _BAD:
                    out[key] = checked
            return out
        if isinstance(typ, _List):
            if not isinstance(value, list):
                self.fail(aspect, pointer, f"expected an array, got {_kind(value)}")
                return _BAD
            # An ill-typed item becomes None, so that the others keep their index.
            items = [
                self.check(item, typ.item, aspect, _pointer(pointer, i), model)
                for i, item in enumerate(value)
            ]
            return [None if item is _BAD else item for item in items]
        if isinstance(typ, _TextMap):
            if not isinstance(value, Mapping) or not all(
                isinstance(v, str) for v in value.values()
            ):
                self.fail(aspect, pointer, "expected an object of language tag -> text")
                return _BAD
            return dict(value)
        if isinstance(typ, _Enum):
            if not isinstance(value, str) or value not in typ.values:
                self.fail(
                    aspect,
                    pointer,
                    f"{value!r} is not one of {', '.join(typ.values)}",
                )
                return _BAD
            return value
        if typ == _NUM:
            if isinstance(value, bool) or not isinstance(value, int | Decimal):
                self.fail(aspect, pointer, f"expected a number, got {_kind(value)}")
                return _BAD
            d = Decimal(value)
            if d and (
                not -_MAX_EXPONENT <= d.adjusted() <= _MAX_EXPONENT
                or _significant_digits(d) > _MAX_DIGITS
            ):
                self.fail(
                    aspect,
                    pointer,
                    f"number {_show(d)} outside what "
                    f"batterypass accepts (magnitude 1e-{_MAX_EXPONENT}..1e{_MAX_EXPONENT}, at "
                    f"most {_MAX_DIGITS} significant digits)",
                )
                return _BAD
            return value
        if typ == _STR:
            if not isinstance(value, str):
                self.fail(aspect, pointer, f"expected a string, got {_kind(value)}")
                return _BAD
            return value
        if typ == _BOOL:
            if not isinstance(value, bool):
                self.fail(aspect, pointer, f"expected a boolean, got {_kind(value)}")
                return _BAD
            return value
        raise AssertionError(typ)  # pragma: no cover

    # ------------------------------------------------------------ typed readers

    def whole(self, aspect: str, pointer: str, value: Any) -> int | None:
        d = Decimal(value)
        if d != d.to_integral_value():
            self.fail(aspect, pointer, f"{d} is not a whole number")
            return None
        return int(d)

    def timestamp(self, aspect: str, pointer: str, text: str) -> datetime | None:
        dt = _parse_timestamp(text)
        if dt is None:
            self.fail(aspect, pointer, f"{text!r} is not an xsd:dateTime timestamp")
            return None
        if dt.tzinfo is None:
            self.fail(aspect, pointer, f"timestamp {text!r} has no time zone offset")
            return None
        return dt

    def day(self, aspect: str, pointer: str, text: str) -> date | None:
        dt = _parse_timestamp(text)
        if dt is None:
            self.fail(aspect, pointer, f"{text!r} is not an xsd:dateTime timestamp")
            return None
        if dt.time() != datetime.min.time():
            self.note(
                aspect, pointer, f"time of day of {text!r} dropped (the passport holds a date)"
            )
        return dt.date()

    def address(
        self, aspect: str, pointer: str, value: Mapping[str, Any], path: tuple[PathItem, ...]
    ) -> dict[str, Any]:
        country = value.get("addressCountry")
        postal = value.get("postalCode") or None
        street, city = None, None
        line = value.get("streetAddress")
        if isinstance(line, str):
            street, city = _split_street_line(line, postal if isinstance(postal, str) else None)
        if isinstance(country, str) and not _COUNTRY.match(country):
            self.fail(
                aspect,
                _pointer(pointer, "addressCountry"),
                f"{country!r} is no ISO 3166-1 alpha-2 country code (e.g. 'DE'), which "
                "batterypass needs",
            )
        if city is None:
            self.fail(
                aspect,
                _pointer(pointer, "streetAddress"),
                "no city: the consortium's address has no locality property, so batterypass "
                "reads it from after the last ', ' of streetAddress ('street, city')",
            )
        out = {"street": street, "postal_code": postal, "city": city, "country": country}
        for ours, theirs in (
            ("street", "streetAddress"),
            ("postal_code", "postalCode"),
            ("city", "streetAddress"),
            ("country", "addressCountry"),
        ):
            self.at((*path, ours), aspect, _pointer(pointer, theirs))
        self.at(path, aspect, pointer)
        return {k: v for k, v in out.items() if v is not None}

    def contact(
        self, aspect: str, pointer: str, value: Mapping[str, Any], path: tuple[PathItem, ...]
    ) -> dict[str, Any]:
        out: dict[str, Any] = {
            "id": value.get("identifier"),
            "name": value.get("contactName"),
            "email": value.get("emailAddress"),
            "website": value.get("webAddress"),
        }
        if isinstance(value.get("postalAddress"), Mapping):
            out["address"] = self.address(
                aspect,
                _pointer(pointer, "postalAddress"),
                value["postalAddress"],
                (*path, "address"),
            )
        for ours, theirs in (
            ("id", "identifier"),
            ("name", "contactName"),
            ("email", "emailAddress"),
            ("website", "webAddress"),
            ("address", "postalAddress"),
        ):
            self.at((*path, ours), aspect, _pointer(pointer, theirs))
        self.at(path, aspect, pointer)
        return {k: v for k, v in out.items() if v is not None}

    # ------------------------------------------------------------ aspects (pass 2)

    def general(self, doc: Mapping[str, Any]) -> None:
        a = GENERAL
        if "productIdentifier" in doc:
            self.put(("battery_id",), doc["productIdentifier"], a, "/productIdentifier")
        if "batteryPassportIdentifier" in doc:
            self.put(
                ("passport_id",), doc["batteryPassportIdentifier"], a, "/batteryPassportIdentifier"
            )
        category = doc.get("batteryCategory")
        if category is not None:
            ours = "industrial" if category in ("industrial", "stationary") else category
            self.put(("general", "category"), ours, a, "/batteryCategory")
            self.put(
                ("general", "stationary_energy_storage"),
                category == "stationary",
                a,
                "/batteryCategory",
            )
        for key, field in (
            ("manufacturerInformation", "manufacturer"),
            ("operatorInformation", "operator"),
        ):
            if isinstance(doc.get(key), Mapping):
                path = ("general", field)
                self.put(path, self.contact(a, f"/{key}", doc[key], path), a, f"/{key}")
        for key, field in (
            ("manufacturingDate", "manufacturing_date"),
            ("puttingIntoService", "put_into_service_date"),
        ):
            if key in doc:
                day = self.day(a, f"/{key}", doc[key])
                if day is not None:
                    self.put(("general", field), day, a, f"/{key}")
        if "batteryStatus" in doc:
            self.put(
                ("status",), _STATUS_FROM_WIRE[doc["batteryStatus"]].value, a, "/batteryStatus"
            )
        if "batteryMass" in doc:
            self.battery_mass_kg = Decimal(doc["batteryMass"])
            self.put(("general", "mass_kg"), doc["batteryMass"], a, "/batteryMass")
        if isinstance(doc.get("manufacturingPlace"), Mapping):
            path = ("general", "manufacturing_place")
            address = self.address(
                a, "/manufacturingPlace", doc["manufacturingPlace"], (*path, "address")
            )
            self.put(path, {"address": address}, a, "/manufacturingPlace")
        if "warrentyPeriod" in doc:
            text = doc["warrentyPeriod"]
            months = None
            if m := _GMONTH.match(text):
                months = int(m.group(1))
                if m.group(2):
                    self.note(
                        a, "/warrentyPeriod", f"time zone {m.group(2)!r} of the gMonth dropped"
                    )
            elif m := _MONTHS_DURATION.match(text):
                months = int(m.group(1) or 0) * 12 + int(m.group(2) or 0)
            else:
                self.fail(
                    a,
                    "/warrentyPeriod",
                    f"{text!r} is neither a gMonth (--01..--12, read as a number of months) "
                    "nor a duration in years and months (P8Y, P96M)",
                )
            if months is not None:
                self.put(("general", "warranty_period_months"), months, a, "/warrentyPeriod")

    def carbon(self, doc: Mapping[str, Any]) -> None:
        a = CARBON_FOOTPRINT
        for key, field in (
            ("batteryCarbonFootprint", "total_kg_co2e_per_kwh"),
            ("carbonFootprintPerformanceClass", "performance_class"),
            ("carbonFootprintStudy", "study_url"),
            ("absoluteCarbonFootprint", "absolute_kg_co2e"),
        ):
            if key in doc:
                self.put(("carbon_footprint", field), doc[key], a, f"/{key}")
        fields = dict(_STAGES)
        seen: set[str] = set()
        for i, entry in enumerate(doc.get("carbonFootprintPerLifecycleStage", ())):
            here = f"/carbonFootprintPerLifecycleStage/{i}"
            if entry is None or "lifecycleStage" not in entry:
                continue
            stage = entry["lifecycleStage"]
            if stage in seen:
                self.fail(a, _pointer(here, "lifecycleStage"), f"stage {stage!r} given twice")
                continue
            seen.add(stage)
            if "carbonFootprint" in entry:
                self.put(
                    ("carbon_footprint", fields[stage]),
                    entry["carbonFootprint"],
                    a,
                    _pointer(here, "carbonFootprint"),
                )

    def due_diligence(self, doc: Mapping[str, Any]) -> None:
        a = DUE_DILIGENCE
        if "supplyChainDueDiligenceReport" in doc:
            self.put(
                ("due_diligence", "report_url"),
                doc["supplyChainDueDiligenceReport"],
                a,
                "/supplyChainDueDiligenceReport",
            )
        if "thirdPartyAussurances" in doc:
            self.put(
                ("due_diligence", "third_party_assurances"),
                [doc["thirdPartyAussurances"]],
                a,
                "/thirdPartyAussurances",
            )
            self.at(("due_diligence", "third_party_assurances", 0), a, "/thirdPartyAussurances")
        if "supplyChainIndicies" in doc:
            value = doc["supplyChainIndicies"]
            text = str(value) if isinstance(value, int) else format(value, "f")
            self.put(("due_diligence", "supply_chain_indices"), [text], a, "/supplyChainIndicies")
            self.at(("due_diligence", "supply_chain_indices", 0), a, "/supplyChainIndicies")

    def materials(self, doc: Mapping[str, Any]) -> None:
        a = MATERIALS
        chem = doc.get("batteryChemistry")
        if isinstance(chem, Mapping):
            path: tuple[PathItem, ...] = ("materials", "chemistry")
            out: dict[str, Any] = {}
            short = chem.get("shortName")
            if short is not None:
                key = short.strip().casefold()
                family = _CHEMISTRY_ALIASES.get(key) or next(
                    (f for f in ChemistryFamily if f.value == key), None
                )
                if family is None:
                    family = ChemistryFamily.OTHER
                    self.note(
                        a,
                        "/batteryChemistry/shortName",
                        f"{short!r} is no chemistry family batterypass knows; read as "
                        "'other' (the clear name is kept as the designation)",
                    )
                out["family"] = family.value
            if "clearName" in chem:
                out["designation"] = chem["clearName"]
            self.put(path, out, a, "/batteryChemistry")
            self.at((*path, "family"), a, "/batteryChemistry/shortName")
            self.at((*path, "designation"), a, "/batteryChemistry/clearName")
        if "batteryMaterials" in doc:
            self.material_list(doc["batteryMaterials"])
        if "hazardousSubstances" in doc:
            hazards: list[dict[str, Any]] = []
            for i, entry in enumerate(doc["hazardousSubstances"]):
                if entry is None:
                    continue
                here = f"/hazardousSubstances/{i}"
                path = ("materials", "hazardous_substances", len(hazards))
                impact = list(entry.get("hazardousSubstanceImpact", ()))
                item: dict[str, Any] = {
                    "name": entry.get("hazardousSubstanceName"),
                    "cas_number": entry.get("hazardousSubstanceIdentifier"),
                    "concentration_percent": entry.get("hazardousSubstanceConcentration"),
                    "hazard_classes": [x for x in impact if x is not None],
                }
                cls = entry.get("hazardousSubstanceClass")
                if cls is not None and cls not in {_hazard_class_of(x) for x in impact if x}:
                    self.note(
                        a,
                        _pointer(here, "hazardousSubstanceClass"),
                        f"class {cls!r} is not reflected in the impact statements, which "
                        "batterypass keeps as the hazard classes; dropped",
                    )
                location = entry.get("hazardousSubstanceLocation")
                if isinstance(location, Mapping):
                    item["location"] = self.location(
                        a,
                        _pointer(here, "hazardousSubstanceLocation"),
                        location,
                        allow_battery=False,
                    )
                for ours, theirs in (
                    ("name", "hazardousSubstanceName"),
                    ("cas_number", "hazardousSubstanceIdentifier"),
                    ("concentration_percent", "hazardousSubstanceConcentration"),
                    ("hazard_classes", "hazardousSubstanceImpact"),
                    ("location", "hazardousSubstanceLocation"),
                ):
                    self.at((*path, ours), a, _pointer(here, theirs))
                self.at(path, a, here)
                hazards.append({k: v for k, v in item.items() if v is not None})
            self.put(("materials", "hazardous_substances"), hazards, a, "/hazardousSubstances")

    def location(
        self, aspect: str, pointer: str, location: Mapping[str, Any], *, allow_battery: bool
    ) -> str | None:
        """The component of a BatteryLocationEntity (``"battery"`` for the whole battery)."""
        if "componentId" in location:
            self.note(
                aspect,
                _pointer(pointer, "componentId"),
                f"component identifier {location['componentId']!r} dropped (no place in "
                "the passport model)",
            )
        name = location.get("componentName")
        if name is None:
            return None
        if allow_battery and name.strip().casefold() == _WHOLE_BATTERY.casefold():
            return "battery"
        component = _component_from_wire(name)
        if component is None:
            fallback = "other" if allow_battery else None
            self.note(
                aspect,
                _pointer(pointer, "componentName"),
                f"component {name!r} has no batterypass component; "
                + ("read as 'other'" if fallback else "dropped"),
            )
            return fallback
        return component.value

    def material_list(self, entries: list[Any]) -> None:
        a = MATERIALS
        materials: list[dict[str, Any]] = []
        crms: list[dict[str, Any]] = []
        flagged: list[tuple[int, dict[str, Any]]] = []
        for i, entry in enumerate(entries):
            if entry is None:
                continue
            here = f"/batteryMaterials/{i}"
            location = entry.get("batteryMaterialLocation")
            component = (
                self.location(
                    a, _pointer(here, "batteryMaterialLocation"), location, allow_battery=True
                )
                if isinstance(location, Mapping)
                else None
            )
            name = entry.get("batteryMaterialName")
            cas = entry.get("batteryMaterialIdentifier")
            mass_g = entry.get("batteryMaterialMass")
            critical = entry.get("isCriticalRawMaterial") is True
            if component == "battery":
                if not critical:
                    component = "other"
                    self.note(
                        a,
                        _pointer(here, "isCriticalRawMaterial"),
                        "a whole-battery entry that is no critical raw material: read as a "
                        "material of component 'other'",
                    )
                else:
                    path = ("materials", "critical_raw_materials", len(crms))
                    crm: dict[str, Any] = {"name": name, "cas_number": cas}
                    if mass_g is not None:
                        if self.battery_mass_kg is None or self.battery_mass_kg <= 0:
                            self.note(
                                a,
                                _pointer(here, "batteryMaterialMass"),
                                "mass dropped: the concentration needs the battery mass "
                                f"({GENERAL} /batteryMass)",
                            )
                        else:
                            share, exact = _div(Decimal(mass_g), _mul(self.battery_mass_kg, _TEN))
                            if not exact:
                                self.note(
                                    a,
                                    _pointer(here, "batteryMaterialMass"),
                                    "concentration rounded to 34 significant digits",
                                )
                            crm["concentration_percent"] = share
                    for ours, theirs in (
                        ("name", "batteryMaterialName"),
                        ("cas_number", "batteryMaterialIdentifier"),
                        ("concentration_percent", "batteryMaterialMass"),
                    ):
                        self.at((*path, ours), a, _pointer(here, theirs))
                    self.at(path, a, here)
                    crms.append({k: v for k, v in crm.items() if v is not None})
                    continue
            path = ("materials", "materials", len(materials))
            item: dict[str, Any] = {
                "component": component or "other",
                "name": name,
                "cas_number": cas,
                "mass_kg": _mul(Decimal(mass_g), Decimal("0.001")) if mass_g is not None else None,
            }
            if component is None:
                self.note(
                    a,
                    _pointer(here, "batteryMaterialLocation"),
                    "no component given: read as 'other'",
                )
            for ours, theirs in (
                ("component", "batteryMaterialLocation"),
                ("name", "batteryMaterialName"),
                ("cas_number", "batteryMaterialIdentifier"),
                ("mass_kg", "batteryMaterialMass"),
            ):
                self.at((*path, ours), a, _pointer(here, theirs))
            self.at(path, a, here)
            materials.append({k: v for k, v in item.items() if v is not None})
            if critical:
                flagged.append((i, item))
        # A material flagged critical without a whole-battery entry of its own still says that
        # the battery holds a critical raw material (Annex VI Part A(10)).
        for i, item in flagged:
            if not any(
                _same_substance(
                    item["name"] or "", item["cas_number"], c.get("name") or "", c.get("cas_number")
                )
                for c in crms
            ):
                path = ("materials", "critical_raw_materials", len(crms))
                here = f"/batteryMaterials/{i}"
                self.at((*path, "name"), a, _pointer(here, "batteryMaterialName"))
                self.at((*path, "cas_number"), a, _pointer(here, "batteryMaterialIdentifier"))
                self.at(path, a, here)
                crms.append(
                    {
                        k: v
                        for k, v in (("name", item["name"]), ("cas_number", item["cas_number"]))
                        if v is not None
                    }
                )
        self.put(("materials", "materials"), materials, a, "/batteryMaterials")
        self.put(("materials", "critical_raw_materials"), crms, a, "/batteryMaterials")

    def circularity(self, doc: Mapping[str, Any]) -> None:
        a = CIRCULARITY
        if "dismantlingAndRemovalInformation" in doc:
            docs: list[dict[str, Any]] = []
            for i, entry in enumerate(doc["dismantlingAndRemovalInformation"]):
                if entry is None:
                    continue
                here = f"/dismantlingAndRemovalInformation/{i}"
                path = ("circularity", "dismantling_information", len(docs))
                doc_type = entry.get("documentType")
                docs.append(
                    {
                        k: v
                        for k, v in (
                            (
                                "title",
                                _DOCUMENT_TITLES[doc_type]
                                if doc_type
                                else "Dismantling and removal information",
                            ),
                            ("url", entry.get("documentURL")),
                            ("media_type", entry.get("mimeType")),
                        )
                        if v is not None
                    }
                )
                for ours, theirs in (
                    ("title", "documentType"),
                    ("url", "documentURL"),
                    ("media_type", "mimeType"),
                ):
                    self.at((*path, ours), a, _pointer(here, theirs))
                self.at(path, a, here)
            self.put(
                ("circularity", "dismantling_information"),
                docs,
                a,
                "/dismantlingAndRemovalInformation",
            )
        if "sparePartSources" in doc:
            sources: list[dict[str, Any]] = []
            parts: list[dict[str, Any]] = []
            with_parts = 0
            for i, entry in enumerate(doc["sparePartSources"]):
                if entry is None:
                    continue
                here = f"/sparePartSources/{i}"
                path = ("circularity", "spare_part_sources", len(sources))
                source: dict[str, Any] = {
                    "name": entry.get("nameOfSupplier"),
                    "email": entry.get("emailAddressOfSupplier"),
                    "url": entry.get("supplierWebAddress"),
                }
                if isinstance(entry.get("addressOfSupplier"), Mapping):
                    source["address"] = self.address(
                        a,
                        _pointer(here, "addressOfSupplier"),
                        entry["addressOfSupplier"],
                        (*path, "address"),
                    )
                for ours, theirs in (
                    ("name", "nameOfSupplier"),
                    ("email", "emailAddressOfSupplier"),
                    ("url", "supplierWebAddress"),
                ):
                    self.at((*path, ours), a, _pointer(here, theirs))
                self.at(path, a, here)
                sources.append({k: v for k, v in source.items() if v is not None})
                components = [c for c in entry.get("components", ()) if c is not None]
                with_parts += bool(components)
                for j, comp in enumerate(entry.get("components", ())):
                    if comp is None:
                        continue
                    there = _pointer(here, "components") + f"/{j}"
                    ppath = ("circularity", "part_numbers", len(parts))
                    parts.append(
                        {
                            k: v
                            for k, v in (
                                ("component", comp.get("partName")),
                                ("part_number", comp.get("partNumber")),
                            )
                            if v is not None
                        }
                    )
                    self.at((*ppath, "component"), a, _pointer(there, "partName"))
                    self.at((*ppath, "part_number"), a, _pointer(there, "partNumber"))
                    self.at(ppath, a, there)
            if with_parts > 1:
                self.note(
                    a,
                    "/sparePartSources",
                    "part numbers of several sources merged into one list (the passport "
                    "does not tie part numbers to a source)",
                )
            self.put(("circularity", "spare_part_sources"), sources, a, "/sparePartSources")
            self.put(("circularity", "part_numbers"), parts, a, "/sparePartSources")
        if "recycledContent" in doc:
            recycled: list[dict[str, Any]] = []
            for i, entry in enumerate(doc["recycledContent"]):
                if entry is None:
                    continue
                here = f"/recycledContent/{i}"
                path = ("circularity", "recycled_content", len(recycled))
                pre, post = entry.get("preConsumerShare"), entry.get("postConsumerShare")
                item = {
                    "material": _RECYCLED_FROM_WIRE[entry["recycledMaterial"]].value
                    if "recycledMaterial" in entry
                    else None,
                    "pre_consumer_percent": pre,
                    "post_consumer_percent": post,
                    "total_percent": (
                        _tidy(Decimal(pre) + Decimal(post))
                        if pre is not None and post is not None
                        else None
                    ),
                }
                for ours, theirs in (
                    ("material", "recycledMaterial"),
                    ("pre_consumer_percent", "preConsumerShare"),
                    ("post_consumer_percent", "postConsumerShare"),
                    ("total_percent", "postConsumerShare"),
                ):
                    self.at((*path, ours), a, _pointer(here, theirs))
                self.at(path, a, here)
                recycled.append({k: v for k, v in item.items() if v is not None})
            self.put(("circularity", "recycled_content"), recycled, a, "/recycledContent")
        safety = doc.get("safetyMeasures")
        if isinstance(safety, Mapping):
            if "safetyInstructions" in safety:
                self.put_single_document(
                    ("circularity", "safety_measures"),
                    _SAFETY_TITLE,
                    safety["safetyInstructions"],
                    a,
                    "/safetyMeasures/safetyInstructions",
                )
            if "extinguishingAgent" in safety:
                here = "/safetyMeasures/extinguishingAgent"
                agents = safety["extinguishingAgent"]
                self.put(
                    ("labels", "extinguishing_agents"),
                    [x for x in agents if x is not None],
                    a,
                    here,
                )
                for i in range(len(agents)):
                    self.at(("labels", "extinguishing_agents", i), a, f"{here}/{i}")
        end = doc.get("endOfLifeInformation")
        if isinstance(end, Mapping):
            for key, field in (
                ("wastePrevention", "waste_prevention_info_url"),
                ("separateCollection", "separate_collection_info_url"),
                ("informationOnCollection", "end_of_life_info_url"),
            ):
                if key in end:
                    self.put(("circularity", field), end[key], a, f"/endOfLifeInformation/{key}")
        if "renewableContent" in doc:
            self.put(
                ("circularity", "renewable_content_percent"),
                doc["renewableContent"],
                a,
                "/renewableContent",
            )

    def performance(self, doc: Mapping[str, Any], version: str) -> None:
        a = PERFORMANCE
        tech = doc.get("batteryTechicalProperties") or {}
        cond = doc.get("batteryCondition") or {}
        t, c = "/batteryTechicalProperties", "/batteryCondition"
        perf, soh, use = ("performance",), ("state", "state_of_health"), ("state", "usage")
        for key, field in (
            ("ratedEnergy", "certified_usable_energy_kwh"),
            ("initialSelfDischarge", "initial_self_discharge_percent_per_month"),
            ("roundtripEfficiency", "initial_round_trip_efficiency_percent"),
            ("ratedCapacity", "rated_capacity_ah"),
            ("expectedLifetime", "expected_lifetime_years"),
            ("nominalVoltage", "nominal_voltage_v"),
            ("minimumVoltage", "minimum_voltage_v"),
            ("maximumVoltage", "maximum_voltage_v"),
            ("capacityThresholdForExhaustion", "capacity_threshold_for_exhaustion_percent"),
            ("lifetimeReferenceTest", "cycle_life_reference_test"),
            ("cRateLifeCycleTest", "cycle_life_c_rate"),
            (
                "roundTripEfficiencyat50PerCentCycleLife",
                "round_trip_efficiency_at_50pct_cycle_life_percent",
            ),
            ("roundTripEfficiencyFade", "round_trip_efficiency_fade_percent"),
            ("powerFade", "power_fade_percent"),
        ):
            # 1.2.0 keeps the last three in batteryCondition.
            for part, where in ((tech, t), (cond, c)):
                if key in part:
                    self.put((*perf, field), part[key], a, f"{where}/{key}")
        if "expectedNumberOfCycles" in tech:
            here = f"{t}/expectedNumberOfCycles"
            cycles = self.whole(a, here, tech["expectedNumberOfCycles"])
            if cycles is not None:
                self.put((*perf, "expected_lifetime_cycles"), cycles, a, here)
        if "originalPowerCapability" in tech:
            caps: list[dict[str, Any]] = []
            for i, entry in enumerate(tech["originalPowerCapability"]):
                if entry is None:
                    continue
                path: tuple[PathItem, ...] = (*perf, "original_power_capability", len(caps))
                caps.append(
                    self.power_capability(entry, path, a, f"{t}/originalPowerCapability/{i}")
                )
            self.put((*perf, "original_power_capability"), caps, a, f"{t}/originalPowerCapability")
        if "ratedMaximumPower" in tech:
            self.put(
                (*perf, "maximum_permitted_power_w"),
                _mul(Decimal(tech["ratedMaximumPower"]), _THOUSAND),
                a,
                f"{t}/ratedMaximumPower",
            )
        ratio = tech.get("cRate")
        percent = tech.get("powerCapabilityRatio")
        if percent is not None:
            from_percent = _mul(Decimal(percent), Decimal("0.01"))
            if ratio is not None and Decimal(ratio) != from_percent:
                self.fail(
                    a,
                    f"{t}/powerCapabilityRatio",
                    f"{percent} % disagrees with cRate {ratio}: both state the ratio of "
                    "nominal power to energy (powerCapabilityRatio = 100 x cRate)",
                )
            ratio = from_percent if ratio is None else ratio
        if ratio is not None:
            where = f"{t}/cRate" if "cRate" in tech else f"{t}/powerCapabilityRatio"
            self.put((*perf, "power_to_energy_ratio_w_per_wh"), ratio, a, where)
        seen_components: set[str] = set()
        for i, entry in enumerate(tech.get("initialInternalResistance", ())):
            if entry is None or "batteryComponent" not in entry:
                continue
            here = f"{t}/initialInternalResistance/{i}"
            component = entry["batteryComponent"]
            if component in seen_components:
                self.fail(a, f"{here}/batteryComponent", f"component {component!r} given twice")
                continue
            seen_components.add(component)
            if component == "module":
                self.note(
                    a,
                    here,
                    "module-level internal resistance dropped (the passport holds "
                    "cell and pack level)",
                )
            elif "ohmicResistance" in entry:
                self.put(
                    (*perf, f"internal_resistance_{component}_ohm"),
                    entry["ohmicResistance"],
                    a,
                    f"{here}/ohmicResistance",
                )
        temperature = tech.get("temperatureRangeIdleState")
        if isinstance(temperature, Mapping):
            for key, field in (
                ("minimum", "idle_temperature_min_c"),
                ("maximum", "idle_temperature_max_c"),
            ):
                if key in temperature:
                    self.put(
                        (*perf, field), temperature[key], a, f"{t}/temperatureRangeIdleState/{key}"
                    )
        elif temperature is not None:
            self.note(
                a,
                f"{t}/temperatureRangeIdleState",
                f"the 1.2.0 single value {temperature} °C dropped: it cannot tell which "
                "boundary of the idle temperature range it is",
            )

        soh_stamps: list[tuple[datetime, str]] = []
        use_stamps: list[tuple[datetime, str]] = []

        def stamp(
            entry: Mapping[str, Any],
            here: str,
            sink: list[tuple[datetime, str]],
            key: str = "lastUpdate",
        ) -> None:
            if key in entry:
                dt = self.timestamp(a, f"{here}/{key}", entry[key])
                if dt is not None:
                    sink.append((dt, f"{here}/{key}"))

        def timed(
            key: str,
            value_key: str,
            path: tuple[PathItem, ...],
            sink: list[tuple[datetime, str]] | None,
        ) -> Any:
            entry = cond.get(key)
            if not isinstance(entry, Mapping):
                return None
            here = f"{c}/{key}"
            if sink is not None:
                stamp(entry, here, sink)
            if value_key in entry:
                self.at(path, a, f"{here}/{value_key}")
                return entry[value_key]
            return None

        def set_(path: tuple[PathItem, ...], value: Any) -> None:
            if value is not None:
                aspect, pointer = self.origin[path]
                self.put(path, value, aspect, pointer)

        remaining_energy_key = (
            "remainingEnergyalue" if version == "1.2.0" else "remainingEnergyValue"
        )
        self_discharge_key = (
            "currentSelfDischargingRateEntity"
            if version == "1.2.0"
            else "currentSelfDischargingRateValue"
        )
        evolution_key = (
            "evolutionOfSelfDischargeEntityValue"
            if version == "1.2.0"
            else "evolutionOfSelfDischargeValue"
        )
        for key, value_key, field in (
            (
                "stateOfCertifiedEnergy",
                "stateOfCertifiedEnergyValue",
                "state_of_certified_energy_percent",
            ),
            ("remainingEnergy", remaining_energy_key, "remaining_energy_kwh"),
            ("evolutionOfSelfDischarge", evolution_key, "self_discharge_evolution_percent"),
            (
                "currentSelfDischargingRate",
                self_discharge_key,
                "current_self_discharge_percent_per_month",
            ),
            (
                "remainingRoundTripEnergyEfficiency",
                "remainingRoundTripEnergyEfficiencyValue",
                "remaining_round_trip_efficiency_percent",
            ),
        ):
            set_((*soh, field), timed(key, value_key, (*soh, field), soh_stamps))
        for key, value_key, field in (
            ("capacityThroughput", "capacityThroughputValue", "capacity_throughput_ah"),
            ("stateOfCharge", "stateOfChargeValue", "state_of_charge_percent"),
        ):
            set_((*use, field), timed(key, value_key, (*use, field), use_stamps))
        cycles = timed(
            "numberOfFullCycles", "numberOfFullCyclesValue", (*use, "full_cycles"), use_stamps
        )
        if cycles is not None:
            whole = self.whole(a, f"{c}/numberOfFullCycles/numberOfFullCyclesValue", cycles)
            set_((*use, "full_cycles"), whole)
        throughput = cond.get("energyThroughput")
        if isinstance(throughput, Mapping):
            set_(
                (*use, "energy_throughput_kwh"),
                timed(
                    "energyThroughput",
                    "energyThroughputValue",
                    (*use, "energy_throughput_kwh"),
                    use_stamps,
                ),
            )
        elif throughput is not None:
            self.put((*use, "energy_throughput_kwh"), throughput, a, f"{c}/energyThroughput")
        fade = timed("capacityFade", "capacityFadeValue", (*perf, "capacity_fade_percent"), None)
        set_((*perf, "capacity_fade_percent"), fade)
        self.static_stamp(cond.get("capacityFade"), f"{c}/capacityFade")
        kwh = timed(
            "remainingCapacity",
            "remainingCapacityValue",
            (*soh, "remaining_capacity_ah"),
            soh_stamps,
        )
        if kwh is not None:
            here = f"{c}/remainingCapacity/remainingCapacityValue"
            volts = tech.get("nominalVoltage")
            if volts is None or Decimal(volts) <= 0:
                self.note(
                    a,
                    here,
                    "remaining capacity dropped: converting kWh to Ah needs the "
                    f"nominal voltage ({t}/nominalVoltage)",
                )
            else:
                ah, exact = _div(_mul(Decimal(kwh), _THOUSAND), Decimal(volts))
                if not exact:
                    self.note(a, here, "remaining capacity in Ah rounded to 34 significant digits")
                self.put((*soh, "remaining_capacity_ah"), ah, a, here)
        power = cond.get("remainingPowerCapability")
        # 1.2.1 holds one entry, 1.2.0 a list: each is one value at one state of charge.
        listed = isinstance(power, list)
        entries = [power] if isinstance(power, Mapping) else list(power or ())
        remaining: list[dict[str, Any]] = []
        for i, entry in enumerate(entries):
            if not isinstance(entry, Mapping):
                continue
            here = f"{c}/remainingPowerCapability" + (f"/{i}" if listed else "")
            stamp(entry, here, soh_stamps)
            value = entry.get("remainingPowerCapabilityValue")
            if not isinstance(value, Mapping):
                continue
            inner = f"{here}/remainingPowerCapabilityValue"
            stamp(value, inner, soh_stamps, "rPCLastUpdated")
            path = (*soh, "remaining_power_capability", len(remaining))
            remaining.append(self.power_capability(value, path, a, inner))
        if remaining:
            self.put(
                (*soh, "remaining_power_capability"),
                remaining,
                a,
                f"{c}/remainingPowerCapability",
            )
        temperature_info = cond.get("temperatureInformation")
        if isinstance(temperature_info, Mapping):
            here = f"{c}/temperatureInformation"
            stamp(temperature_info, here, use_stamps)
            for key, field in (
                ("timeExtremeHighTemp", "minutes_above_temperature_boundary"),
                ("timeExtremeLowTemp", "minutes_below_temperature_boundary"),
                ("timeExtremeHighTempCharging", "minutes_charging_above_boundary"),
                ("timeExtremeLowTempCharging", "minutes_charging_below_boundary"),
            ):
                if key in temperature_info:
                    minutes = self.whole(a, f"{here}/{key}", temperature_info[key])
                    if minutes is not None:
                        self.put((*use, field), minutes, a, f"{here}/{key}")
        if "negativeEvents" in cond:
            events: list[dict[str, Any]] = []
            for i, entry in enumerate(cond["negativeEvents"]):
                if entry is None:
                    continue
                here = f"{c}/negativeEvents/{i}"
                path = (*use, "negative_events", len(events))
                event: dict[str, Any] = {}
                if "negativeEvent" in entry:
                    kind, description = _split_negative_event(entry["negativeEvent"])
                    event["kind"], event["description"] = kind, description
                if "lastUpdate" in entry:
                    event["occurred_on"] = self.day(a, f"{here}/lastUpdate", entry["lastUpdate"])
                for ours, theirs in (
                    ("kind", "negativeEvent"),
                    ("description", "negativeEvent"),
                    ("occurred_on", "lastUpdate"),
                ):
                    self.at((*path, ours), a, f"{here}/{theirs}")
                self.at(path, a, here)
                events.append({k: v for k, v in event.items() if v is not None})
            self.put((*use, "negative_events"), events, a, f"{c}/negativeEvents")
        seen_increase: set[str] = set()
        for i, entry in enumerate(cond.get("internalResistanceIncrease", ())):
            if entry is None:
                continue
            here = f"{c}/internalResistanceIncrease/{i}"
            component = entry.get("batteryComponent")
            if component in seen_increase:
                self.fail(a, f"{here}/batteryComponent", f"component {component!r} given twice")
                continue
            seen_increase.add(component or "")
            if component != "pack":
                self.note(
                    a,
                    here,
                    f"internal resistance increase of {component or 'no'} "
                    "component dropped (the passport holds the pack's)",
                )
                continue
            self.static_stamp(entry, here)
            if "internalResistanceIncreaseValue" in entry:
                self.put(
                    (*perf, "internal_resistance_increase_percent"),
                    entry["internalResistanceIncreaseValue"],
                    a,
                    f"{here}/internalResistanceIncreaseValue",
                )
        for stamps, path in (
            (soh_stamps, (*soh, "measured_at")),
            (use_stamps, (*use, "recorded_at")),
        ):
            if not stamps:
                continue
            latest, where = max(stamps, key=lambda s: s[0])
            others = sorted({p for d, p in stamps if d != latest})
            if others:
                self.note(
                    a,
                    where,
                    f"{len(others)} older lastUpdate value(s) dropped: the passport "
                    f"keeps one time for these values, the latest ({latest.isoformat()}); "
                    f"e.g. {others[0]}",
                )
            self.put(path, latest, a, where)

    def static_stamp(self, entry: Any, here: str) -> None:
        """A lastUpdate of a value the passport holds without a time of its own: it is current
        as of the passport's issue time, so any other time is dropped with a note."""
        if isinstance(entry, Mapping) and "lastUpdate" in entry:
            dt = self.timestamp(PERFORMANCE, f"{here}/lastUpdate", entry["lastUpdate"])
            if dt is not None and dt != self.issued_at:
                self.note(
                    PERFORMANCE,
                    f"{here}/lastUpdate",
                    f"{entry['lastUpdate']!r} dropped (the passport holds this value as of "
                    "its issue time)",
                )

    def labels(self, doc: Mapping[str, Any]) -> None:
        a = LABELS
        if "declarationOfConformity" in doc:
            here = "/declarationOfConformity"
            self.put(
                ("labels", "declaration_of_conformity"),
                {"title": _DOC_TITLE, "url": doc["declarationOfConformity"]},
                a,
                here,
            )
            self.at(("labels", "declaration_of_conformity", "url"), a, here)
        if "resultOfTestReport" in doc:
            self.put_single_document(
                ("labels", "test_reports"),
                _TEST_REPORT_TITLE,
                doc["resultOfTestReport"],
                a,
                "/resultOfTestReport",
            )
        if "labels" not in doc:
            return
        symbols: list[dict[str, Any]] = []
        single: dict[str, str] = {}
        for i, entry in enumerate(doc["labels"]):
            if entry is None:
                continue
            here = f"/labels/{i}"
            subject = entry.get("labelingSubject")
            if subject is None:
                self.note(a, here, "label without a subject dropped")
                continue
            if subject == "ExtinguishingAgent":
                self.note(
                    a,
                    here,
                    "label dropped: the passport keeps the extinguishing agents "
                    f"as text ({CIRCULARITY} /safetyMeasures/extinguishingAgent), not as a "
                    "symbol",
                )
                continue
            meaning = entry.get("labelingMeaning")
            title = None
            if isinstance(meaning, Mapping) and meaning:
                chosen = _LABEL_LANGUAGE if _LABEL_LANGUAGE in meaning else sorted(meaning)[0]
                title = meaning[chosen]
                dropped = sorted(k for k in meaning if k != chosen)
                if dropped:
                    self.note(
                        a,
                        f"{here}/labelingMeaning",
                        f"meaning in {', '.join(dropped)} dropped (the passport keeps one "
                        "title per symbol)",
                    )
            ref = {
                k: v
                for k, v in (("title", title), ("url", entry.get("labelingSymbol")))
                if v is not None
            }
            if subject == "HazardousMaterial":
                path: tuple[PathItem, ...] = ("labels", "cadmium_lead_symbols", len(symbols))
                symbols.append(ref)
            else:
                field = (
                    "separate_collection_symbol"
                    if subject == "SeparateCollection"
                    else "carbon_footprint_label"
                )
                if field in single:
                    self.note(
                        a,
                        here,
                        f"second {subject} label dropped (the passport holds one; "
                        f"kept {single[field]})",
                    )
                    continue
                single[field] = here
                path = ("labels", field)
                self.put(path, ref, a, here)
            self.at((*path, "title"), a, f"{here}/labelingMeaning")
            self.at((*path, "url"), a, f"{here}/labelingSymbol")
            self.at(path, a, here)
        self.put(("labels", "cadmium_lead_symbols"), symbols, a, "/labels")


def _canonical_aspect(key: str) -> str | None:
    if key in ASPECTS:
        return key
    return _ALIASES.get(key)


def import_aspects(
    docs: Mapping[str, Mapping[str, Any]],
    *,
    issued_at: datetime,
    issuer: str | None = None,
    passport_id: str | None = None,
    battery_id: str | None = None,
    notes: list[str] | None = None,
) -> BatteryPassport:
    """Read Battery Pass consortium aspect documents (any subset, keyed by aspect name) into a
    passport. What the documents do not say stays ``None``:
    :func:`batterypass.model.completeness` lists what is still missing.

    Passport metadata the consortium model has no place for is given here: ``issued_at`` (when
    this passport version is issued; explicit, never the clock) and ``issuer`` (by default the
    identifier in ``GeneralProductInformation /operatorInformation``). ``passport_id`` and
    ``battery_id`` are needed only when ``GeneralProductInformation`` is not among the
    documents; given together with it, they must agree with it.

    PerformanceAndDurability is read in version 1.2.0 or 1.2.1, told from its content
    (:func:`detect_performance_version`). Properties the consortium model requires may be
    absent. Data the passport model has no place for (see specs/battery-pass-mapping.md) is
    dropped and described in ``notes``, when given, as are values that had to be rounded or
    truncated.

    Raises :class:`~batterypass.errors.ValidationError` listing every problem (unknown aspect
    or property, wrong type, value the passport model rejects), each as
    ``"<aspect> <JSON pointer>: <problem>"``; ``issues`` holds them with path
    ``(aspect, *pointer tokens)``.
    """
    imp = _Importer(notes, issued_at)
    canonical: dict[str, Mapping[str, Any]] = {}
    for key, doc in docs.items():
        aspect = _canonical_aspect(key)
        if aspect is None:
            imp.fail(str(key), "", f"unknown aspect (expected one of {', '.join(ASPECTS)})")
            continue
        if aspect in canonical:
            imp.fail(aspect, "", f"given twice (as {key!r} too)")
            continue
        if not isinstance(doc, Mapping):
            imp.fail(aspect, "", f"expected an object, got {_kind(doc)}")
            continue
        try:
            found = detect_aspect(doc) if doc else aspect
        except ValidationError:
            found = aspect  # the structure check below says what is wrong
        if found != aspect:
            imp.fail(aspect, "", f"the document is a {found} document")
            continue
        canonical[aspect] = doc
    checked: dict[str, Mapping[str, Any]] = {}
    version = PERFORMANCE_EXPORT_VERSION
    for aspect in ASPECTS:
        if aspect not in canonical:
            continue
        model = "1.2.0"
        if aspect == PERFORMANCE:
            try:
                version = detect_performance_version(canonical[aspect])
            except ValidationError as e:
                imp.fail(aspect, "", e.message.removeprefix(f"{PERFORMANCE}: "))
                continue
            model = version
        clean = imp.check(
            canonical[aspect], _wire(aspect, version), aspect, "", f"{aspect} {model}"
        )
        if clean is not _BAD:
            checked[aspect] = clean
    readers = {
        GENERAL: imp.general,
        CARBON_FOOTPRINT: imp.carbon,
        DUE_DILIGENCE: imp.due_diligence,
        MATERIALS: imp.materials,
        CIRCULARITY: imp.circularity,
        LABELS: imp.labels,
    }
    for aspect in ASPECTS:
        if aspect not in checked:
            continue
        if aspect == PERFORMANCE:
            imp.performance(checked[aspect], version)
        else:
            readers[aspect](checked[aspect])
    _envelope(imp, passport_id, battery_id, issuer, issued_at)
    reported = [(i.path[0], "".join(f"/{t}" for t in i.path[1:])) for i in imp.issues]
    try:
        passport = parse_passport(imp.out)
    except ValidationError as e:
        # The passport model's own rules, told at the consortium property each value came from.
        # A value the structure check already rejected was left out; what the model then says
        # about it (typically that it is missing) would only repeat that.
        told: set[tuple[str, str, str]] = set()
        for issue in e.issues:
            aspect, pointer = _origin_of(imp.origin, issue.path)
            if aspect is None:
                imp.messages.append(f"import_aspects {format_path(issue.path)}: {issue.message}")
                imp.issues.append(issue)
                continue
            if any(
                a == aspect
                and (
                    pointer == p
                    or pointer.startswith(p + "/")
                    or (issue.message == _MISSING and p.startswith(pointer + "/"))
                )
                for a, p in reported
            ):
                continue
            # One wire value can feed two data points (the operator's identifier is the default
            # issuer; a flagged material is a critical raw material too): say it once.
            if (aspect, pointer, issue.message) not in told:
                told.add((aspect, pointer, issue.message))
                imp.fail(aspect, pointer, issue.message, issue.legal_basis)
        _raise(imp.messages, imp.issues, cause=e)
    if imp.issues:
        _raise(imp.messages, imp.issues)
    return passport


_MISSING: Final = "required field is missing"


def _envelope(
    imp: _Importer,
    passport_id: str | None,
    battery_id: str | None,
    issuer: str | None,
    issued_at: datetime,
) -> None:
    for field, given, key in (
        ("passport_id", passport_id, "batteryPassportIdentifier"),
        ("battery_id", battery_id, "productIdentifier"),
    ):
        read = imp.out.get(field)
        if given is None:
            if read is None:
                imp.origin[(field,)] = (GENERAL, f"/{key}")
                imp.fail(
                    GENERAL,
                    f"/{key}",
                    f"needed for the passport's {field}: give the {GENERAL} document or {field}=",
                )
            continue
        if read is not None and read != given:
            imp.fail(GENERAL, f"/{key}", f"{read!r} disagrees with {field}={given!r}")
            continue
        imp.out[field] = given
        imp.origin[(field,)] = ("import_aspects", f"{field}=")
    if issuer is None:
        operator = imp.out.get("general", {}).get("operator", {})
        issuer = operator.get("id")
        if issuer is None:
            imp.origin[("issuer",)] = (GENERAL, "/operatorInformation/identifier")
            imp.fail(
                GENERAL,
                "/operatorInformation/identifier",
                "needed for the passport's issuer: give this identifier or issuer=",
            )
        else:
            imp.origin[("issuer",)] = imp.origin.get(
                ("general", "operator", "id"), (GENERAL, "/operatorInformation/identifier")
            )
    else:
        imp.origin[("issuer",)] = ("import_aspects", "issuer=")
    if issuer is not None:
        imp.out["issuer"] = issuer
    imp.out["issued_at"] = issued_at
    imp.origin[("issued_at",)] = ("import_aspects", "issued_at=")


def _origin_of(
    origin: Mapping[tuple[PathItem, ...], tuple[str, str]], path: tuple[PathItem, ...]
) -> tuple[str | None, str]:
    for n in range(len(path), 0, -1):
        found = origin.get(path[:n])
        if found is not None:
            return found
    return None, ""


def _raise(
    messages: Sequence[str], issues: Sequence[Issue], cause: BaseException | None = None
) -> None:
    more = f" (and {len(messages) - 1} more)" if len(messages) > 1 else ""
    raise ValidationError(f"{messages[0]}{more}", issues=issues) from cause


# ---------------------------------------------------------------- the longlist mapping


@dataclass(frozen=True, slots=True)
class LonglistMapping:
    """How one attribute of the Battery Pass longlist v1.2 travels between the passport model
    and the consortium's aspects. specs/battery-pass-mapping.md is generated from these rows."""

    id: int
    """Running number of the attribute in the longlist (1-93)."""
    attribute: str
    unit: str
    """The longlist's unit of the attribute."""
    wire: tuple[str, ...]
    """Where it is on the consortium wire: ``"<aspect> <JSON pointer>"`` with ``*`` for any
    array index and, in brackets, which entries are meant."""
    fields: tuple[str, ...]
    """The passport model's data points this codec reads and writes for the attribute."""
    conversion: str
    status: Literal["mapped", "partial", "not mapped", "n/a"]
    """``mapped``: carried both ways without loss; ``partial``: carried, with losses the export
    reports; ``not mapped``: the consortium model has no place for it; ``n/a``: not a data point
    of its own."""


def _ll(
    id: int,
    attribute: str,
    unit: str,
    wire: str | tuple[str, ...],
    fields: str | tuple[str, ...],
    conversion: str,
    status: Literal["mapped", "partial", "not mapped", "n/a"] = "mapped",
) -> LonglistMapping:
    return LonglistMapping(
        id,
        attribute,
        unit,
        (wire,) if isinstance(wire, str) else wire,
        (fields,) if isinstance(fields, str) else fields,
        conversion,
        status,
    )


_G, _C, _D, _M, _R, _P, _L = (
    GENERAL,
    CARBON_FOOTPRINT,
    DUE_DILIGENCE,
    MATERIALS,
    CIRCULARITY,
    PERFORMANCE,
    LABELS,
)
_T = f"{_P} /batteryTechicalProperties"
_K = f"{_P} /batteryCondition"
_SAME = "none (same unit)"

LONGLIST_MAPPING: Final[tuple[LonglistMapping, ...]] = (
    _ll(
        1,
        "Battery passport identifier",
        "n.a.",
        f"{_G} /batteryPassportIdentifier",
        "passport_id",
        "none; written verbatim even where it breaks the consortium's pattern "
        "^urn:[a-z0-9]+:[a-z0-9]+$ (export reports a deviation)",
    ),
    _ll(2, "Battery identifier", "n.a.", f"{_G} /productIdentifier", "battery_id", "none"),
    _ll(
        3,
        "Operator identifier and information",
        "n.a.",
        f"{_G} /operatorInformation",
        "general.operator",
        "identifier = id, contactName = name, emailAddress = email, "
        "webAddress = website, postalAddress: see Addresses; also the default issuer on import",
        "partial",
    ),
    _ll(
        4,
        "Manufacturer identifier and information",
        "n.a.",
        f"{_G} /manufacturerInformation",
        "general.manufacturer",
        "as row 3",
        "partial",
    ),
    _ll(
        5,
        "Manufacturing place",
        "n.a.",
        f"{_G} /manufacturingPlace",
        "general.manufacturing_place",
        "the address (see Addresses); facility identifier and name are lost",
        "partial",
    ),
    _ll(
        6,
        "Manufacturing date",
        "n.a.",
        f"{_G} /manufacturingDate",
        "general.manufacturing_date",
        "date <-> xsd:dateTimeStamp at midnight UTC "
        "(YYYY-MM-DDT00:00:00Z); import keeps the date as written and drops a time of day",
    ),
    _ll(
        7,
        "Date of putting the battery into service",
        "n.a.",
        f"{_G} /puttingIntoService",
        "general.put_into_service_date",
        "as row 6",
    ),
    _ll(
        8,
        "Warranty period of the battery",
        "n.a.",
        f"{_G} /warrentyPeriod",
        "general.warranty_period_months",
        "months <-> xsd:gMonth --01..--12 read as a number "
        "of months; other periods written as the duration PnM (a reported deviation)",
    ),
    _ll(
        9,
        "Battery category",
        "n.a.",
        f"{_G} /batteryCategory",
        ("general.category", "general.stationary_energy_storage"),
        "ev, lmt as is; industrial with stationary_energy_storage true <-> stationary, "
        "otherwise industrial; portable and SLI are lost",
        "partial",
    ),
    _ll(10, "Battery mass", "kg", f"{_G} /batteryMass", "general.mass_kg", _SAME),
    _ll(
        11,
        "Battery status",
        "n.a.",
        f"{_G} /batteryStatus",
        "status",
        "original, repurposed, re-used, remanufactured, waste <-> Original, Repurposed, "
        "Reused, Remanufactured, Waste",
    ),
    _ll(
        12,
        "Separate collection symbol",
        "n.a.",
        f"{_L} /labels/* [labelingSubject = SeparateCollection]",
        "labels.separate_collection_symbol",
        "url <-> labelingSymbol, title <-> labelingMeaning.en; media type and digest are lost",
        "partial",
    ),
    _ll(
        13,
        "Symbols for cadmium and lead",
        "n.a.",
        f"{_L} /labels/* [labelingSubject = HazardousMaterial]",
        "labels.cadmium_lead_symbols",
        "as row 12, one label per symbol; an empty list is no such label",
        "partial",
    ),
    _ll(
        14,
        "Carbon footprint label",
        "n.a.",
        f"{_L} /labels/* [labelingSubject = CarbonFootPrint]",
        "labels.carbon_footprint_label",
        "as row 12",
        "partial",
    ),
    _ll(
        15,
        "Extinguishing agent",
        "n.a.",
        f"{_R} /safetyMeasures/extinguishingAgent",
        "labels.extinguishing_agents",
        "list of texts, unchanged; labels of subject ExtinguishingAgent are dropped on import",
    ),
    _ll(
        16,
        "Meaning of labels and symbols",
        "n.a.",
        (),
        "labels.meaning_of_labels_url",
        "not mapped: the passport links one document, the consortium has a meaning text per "
        "label (labelingMeaning, which carries each symbol's title)",
        "not mapped",
    ),
    _ll(
        17,
        "EU declaration of conformity",
        "n.a.",
        f"{_L} /declarationOfConformity",
        "labels.declaration_of_conformity",
        "url only; import titles it 'EU declaration of "
        "conformity'; another title, media type and digest are lost",
        "partial",
    ),
    _ll(
        18,
        "Results of test reports proving compliance",
        "n.a.",
        f"{_L} /resultOfTestReport",
        "labels.test_reports",
        "one URL: the first report's; further reports, titles, media types and digests are lost",
        "partial",
    ),
    _ll(
        19,
        "Battery carbon footprint per Functional Unit",
        "kgCO2e/kWh",
        f"{_C} /batteryCarbonFootprint",
        "carbon_footprint.total_kg_co2e_per_kwh",
        _SAME,
    ),
    _ll(
        20,
        "Contribution of raw material acquisition and pre-processing lifecycle stage",
        "%",
        f"{_C} /carbonFootprintPerLifecycleStage/* [lifecycleStage = RawMaterialExtraction]",
        "carbon_footprint.raw_material_acquisition_kg_co2e_per_kwh",
        "kg CO2e/kWh on the wire and in the model; the longlist's share in % is "
        "stage / total x 100",
    ),
    _ll(
        21,
        "Contribution of main product production/manufacturing lifecycle stage",
        "%",
        f"{_C} /carbonFootprintPerLifecycleStage/* [lifecycleStage = MainProduction]",
        "carbon_footprint.main_production_kg_co2e_per_kwh",
        "as row 20",
    ),
    _ll(
        22,
        "Contribution of distribution lifecycle stage",
        "%",
        f"{_C} /carbonFootprintPerLifecycleStage/* [lifecycleStage = Distribution]",
        "carbon_footprint.distribution_kg_co2e_per_kwh",
        "as row 20",
    ),
    _ll(
        23,
        "Contribution of end of life and recycling lifecycle stage",
        "%",
        f"{_C} /carbonFootprintPerLifecycleStage/* [lifecycleStage = Recycling]",
        "carbon_footprint.end_of_life_kg_co2e_per_kwh",
        "as row 20",
    ),
    _ll(
        24,
        "Carbon footprint performance class",
        "n.a.",
        f"{_C} /carbonFootprintPerformanceClass",
        "carbon_footprint.performance_class",
        "none",
    ),
    _ll(
        25,
        "Web link to public carbon footprint study",
        "n.a.",
        f"{_C} /carbonFootprintStudy",
        "carbon_footprint.study_url",
        "none",
    ),
    _ll(
        26,
        "General battery and manufacturer information",
        "n.a.",
        f"{_G} (whole aspect)",
        (),
        "not a data point of its own: the longlist refers to its sections 6.1 and 6.2 (rows 1-18)",
        "n/a",
    ),
    _ll(
        27,
        "Absolute battery carbon footprint",
        "[tCO2e]",
        f"{_C} /absoluteCarbonFootprint",
        "carbon_footprint.absolute_kg_co2e",
        "kg CO2e on the wire and in the model; the longlist's t CO2e is kg / 1000",
    ),
    _ll(
        28,
        "Information of due diligence report",
        "n.a.",
        f"{_D} /supplyChainDueDiligenceReport",
        "due_diligence.report_url",
        "none",
    ),
    _ll(
        29,
        "Third party assurances of recognised schemes",
        "n.a.",
        f"{_D} /thirdPartyAussurances",
        "due_diligence.third_party_assurances",
        "one URL; further assurances (and an empty list) are lost",
        "partial",
    ),
    _ll(
        30,
        "Supply chain indices",
        "n.a.",
        f"{_D} /supplyChainIndicies",
        "due_diligence.supply_chain_indices",
        "one number <-> a list of one plain decimal text; other lists are lost",
        "partial",
    ),
    _ll(
        31,
        "Battery chemistry",
        "n.a.",
        f"{_M} /batteryChemistry",
        "materials.chemistry",
        "family <-> shortName in upper case (NCM read as NMC, unknown names as other), "
        "designation <-> clearName",
    ),
    _ll(
        32,
        "Critical raw materials",
        "n.a.",
        f"{_M} /batteryMaterials/* [componentName = Battery, isCriticalRawMaterial = true]",
        "materials.critical_raw_materials",
        "one whole-battery entry per material; "
        "concentration in % <-> batteryMaterialMass in g = % x battery mass in kg x 10; "
        "materials flagged isCriticalRawMaterial without such an entry are read as critical "
        "raw materials of unknown concentration",
        "partial",
    ),
    _ll(
        33,
        "Materials used in cathode, anode and electrolyte",
        "n.a.",
        f"{_M} /batteryMaterials/* [componentName = a component]",
        "materials.materials",
        "component <-> componentName (Cathode, Anode, ...), mass in kg <-> g (x 1000), "
        "isCriticalRawMaterial derived from the critical raw materials; share_percent is lost",
        "partial",
    ),
    _ll(
        34,
        "Hazardous substances",
        "n.a.",
        f"{_M} /hazardousSubstances",
        "materials.hazardous_substances",
        "hazard_classes <-> hazardousSubstanceImpact; "
        "hazardousSubstanceClass derived from the first CLP code of the three classes the "
        "consortium lists; location <-> componentName; concentration in %; EC number is lost",
        "partial",
    ),
    _ll(
        35,
        "Impact of substances on environment, human health, safety, persons",
        "n.a.",
        (),
        "materials.substance_impact_url",
        "not mapped: the passport links one document, the "
        "consortium has impact statements per substance (which carry the hazard classes)",
        "not mapped",
    ),
    _ll(
        36,
        "Dismantling information: Manuals for the removal and the disassembly of the battery pack",
        "n.a.",
        f"{_R} /dismantlingAndRemovalInformation",
        "circularity.dismantling_information",
        "url <-> documentURL, media_type <-> mimeType, "
        "title <-> documentType (titles 'Dismantling manual', 'Removal manual', ... map to "
        "their type, any other title is written as OtherManual and lost)",
        "partial",
    ),
    _ll(
        37,
        "Part numbers for components",
        "n.a.",
        f"{_R} /sparePartSources/*/components",
        "circularity.part_numbers",
        "component <-> partName, part_number <-> partNumber; all "
        "written under the first spare-part source, read from all",
        "partial",
    ),
    _ll(
        38,
        "Information on sources of spare parts",
        "n.a.",
        f"{_R} /sparePartSources",
        "circularity.spare_part_sources",
        "name <-> nameOfSupplier, email <-> "
        "emailAddressOfSupplier, url <-> supplierWebAddress, address: see Addresses",
        "partial",
    ),
    _ll(
        39,
        "Safety measures",
        "n.a.",
        f"{_R} /safetyMeasures/safetyInstructions",
        "circularity.safety_measures",
        "one URL: the first document's; import titles it 'Safety instructions'",
        "partial",
    ),
    *(
        _ll(
            n,
            f"{stage.capitalize()}-consumer recycled {metal} share",
            "%",
            f"{_R} /recycledContent/* [recycledMaterial = {metal.capitalize()}] "
            f"/{stage}ConsumerShare",
            "circularity.recycled_content",
            "% unchanged; total_percent is written nowhere and read back as pre + post "
            "(lost where it differs)",
            "partial",
        )
        for n, stage, metal in (
            (40, "pre", "nickel"),
            (41, "pre", "cobalt"),
            (42, "pre", "lithium"),
            (43, "pre", "lead"),
            (44, "post", "nickel"),
            (45, "post", "cobalt"),
            (46, "post", "lithium"),
            (47, "post", "lead"),
        )
    ),
    _ll(
        48,
        "Renewable content share",
        "%",
        f"{_R} /renewableContent",
        "circularity.renewable_content_percent",
        _SAME,
    ),
    _ll(
        49,
        "Information on the role of end-users in contributing to waste prevention",
        "n.a.",
        f"{_R} /endOfLifeInformation/wastePrevention",
        "circularity.waste_prevention_info_url",
        "none",
    ),
    _ll(
        50,
        "Information on the role of end-users in contributing to the separate collection "
        "of waste batteries",
        "n.a.",
        f"{_R} /endOfLifeInformation/separateCollection",
        "circularity.separate_collection_info_url",
        "none",
    ),
    _ll(
        51,
        "Information on battery collection, preparation for second life and on treatment "
        "at end of life",
        "n.a.",
        f"{_R} /endOfLifeInformation/informationOnCollection",
        "circularity.end_of_life_info_url",
        "none",
    ),
    _ll(52, "Rated capacity", "Ah", f"{_T}/ratedCapacity", "performance.rated_capacity_ah", _SAME),
    _ll(
        53,
        "Remaining capacity",
        "Ah",
        f"{_K}/remainingCapacity/remainingCapacityValue",
        "state.state_of_health.remaining_capacity_ah",
        "kWh on the wire: kWh = Ah x nominal "
        "voltage / 1000, Ah = kWh x 1000 / nominal voltage (needs nominalVoltage)",
    ),
    _ll(
        54,
        "Capacity fade",
        "%",
        f"{_K}/capacityFade/capacityFadeValue",
        "performance.capacity_fade_percent",
        "% unchanged; lastUpdate = the passport's issued_at",
    ),
    _ll(
        55,
        "Certified usable battery energy",
        "kWh",
        f"{_T}/ratedEnergy",
        "performance.certified_usable_energy_kwh",
        _SAME,
    ),
    _ll(
        56,
        "Remaining usable battery energy",
        "kWh",
        f"{_K}/remainingEnergy/remainingEnergyValue (1.2.0: remainingEnergyalue)",
        "state.state_of_health.remaining_energy_kwh",
        _SAME,
    ),
    _ll(
        57,
        "State of certified energy (SOCE)",
        "%",
        f"{_K}/stateOfCertifiedEnergy/stateOfCertifiedEnergyValue",
        "state.state_of_health.state_of_certified_energy_percent",
        _SAME,
    ),
    _ll(
        58,
        "State of Charge (SoC)",
        "%",
        f"{_K}/stateOfCharge/stateOfChargeValue",
        "state.usage.state_of_charge_percent",
        _SAME,
    ),
    _ll(59, "Minimum voltage", "V", f"{_T}/minimumVoltage", "performance.minimum_voltage_v", _SAME),
    _ll(60, "Maximum voltage", "V", f"{_T}/maximumVoltage", "performance.maximum_voltage_v", _SAME),
    _ll(61, "Nominal voltage", "V", f"{_T}/nominalVoltage", "performance.nominal_voltage_v", _SAME),
    _ll(
        62,
        "Original power capability",
        "W",
        f"{_T}/originalPowerCapability",
        "performance.original_power_capability",
        "atSoC <-> state_of_charge_percent (%), "
        "powerCapabilityAt <-> power_w in W (the aspect model declares percent; see Quirks)",
    ),
    _ll(
        63,
        "Remaining power capability",
        "W",
        f"{_K}/remainingPowerCapability/remainingPowerCapabilityValue/powerCapabilityAt",
        "state.state_of_health.remaining_power_capability",
        "atSoC <-> state_of_charge_percent, powerCapabilityAt <-> power_w in W (as row 62); "
        "1.2.1 holds one value, so only the first is written (the others are reported lost); "
        "on import every entry of 1.2.0's list is read",
    ),
    _ll(
        64,
        "Power fade",
        "%",
        f"{_T}/powerFade (1.2.0: batteryCondition)",
        "performance.power_fade_percent",
        _SAME,
    ),
    _ll(
        65,
        "Maximum permitted battery power",
        "W",
        f"{_T}/ratedMaximumPower",
        "performance.maximum_permitted_power_w",
        "kW on the wire: kW = W / 1000",
    ),
    _ll(
        66,
        "Ratio between nominal battery power and battery energy",
        "W/Wh",
        (f"{_T}/powerCapabilityRatio", f"{_T}/cRate"),
        "performance.power_to_energy_ratio_w_per_wh",
        "powerCapabilityRatio is declared in %: "
        "% = W/Wh x 100; cRate (unit C = 1/h) is the same number as W/Wh; both written, and on "
        "import they must agree",
    ),
    _ll(
        67,
        "Initial round trip energy efficiency",
        "%",
        f"{_T}/roundtripEfficiency",
        "performance.initial_round_trip_efficiency_percent",
        _SAME,
    ),
    _ll(
        68,
        "Round trip energy efficiency at 50% of cycle life",
        "%",
        f"{_T}/roundTripEfficiencyat50PerCentCycleLife (1.2.0: batteryCondition)",
        "performance.round_trip_efficiency_at_50pct_cycle_life_percent",
        _SAME,
    ),
    _ll(
        69,
        "Remaining round trip energy efficiency",
        "%",
        f"{_K}/remainingRoundTripEnergyEfficiency/remainingRoundTripEnergyEfficiencyValue",
        "state.state_of_health.remaining_round_trip_efficiency_percent",
        _SAME,
    ),
    _ll(
        70,
        "Energy round trip efficiency fade",
        "%",
        f"{_T}/roundTripEfficiencyFade (1.2.0: batteryCondition)",
        "performance.round_trip_efficiency_fade_percent",
        _SAME,
    ),
    _ll(
        71,
        "Initial self-discharge rate",
        "%/month",
        f"{_T}/initialSelfDischarge",
        "performance.initial_self_discharge_percent_per_month",
        _SAME,
    ),
    _ll(
        72,
        "Current self-discharge rate",
        "%/month",
        f"{_K}/currentSelfDischargingRate/currentSelfDischargingRateValue "
        "(1.2.0: currentSelfDischargingRateEntity)",
        "state.state_of_health.current_self_discharge_percent_per_month",
        "none: the aspect model declares percent without a time base; read and written as "
        "%/month like initialSelfDischarge",
    ),
    _ll(
        73,
        "Evolution of self-discharge rates",
        "%",
        f"{_K}/evolutionOfSelfDischarge/evolutionOfSelfDischargeValue "
        "(1.2.0: evolutionOfSelfDischargeEntityValue)",
        "state.state_of_health.self_discharge_evolution_percent",
        _SAME,
    ),
    _ll(
        74,
        "Initial internal resistance of battery cell and pack (module recommended)",
        "Ohm",
        f"{_T}/initialInternalResistance",
        ("performance.internal_resistance_cell_ohm", "performance.internal_resistance_pack_ohm"),
        "one entry per batteryComponent pack and cell, in ohm; module entries are dropped on "
        "import",
    ),
    _ll(
        75,
        "Internal resistance increase of pack (cell and module recommended)",
        "%",
        f"{_K}/internalResistanceIncrease/* [batteryComponent = pack]",
        "performance.internal_resistance_increase_percent",
        "% unchanged; lastUpdate = the "
        "passport's issued_at; cell and module entries are dropped on import",
    ),
    _ll(
        76,
        "Expected lifetime in calendar years",
        "years",
        f"{_T}/expectedLifetime",
        "performance.expected_lifetime_years",
        "years; the aspect model's datatype is "
        "xsd:short (a fraction of a year is written, as a reported deviation)",
    ),
    _ll(
        77,
        "Expected lifetime: Number of charge-discharge cycles",
        "-",
        f"{_T}/expectedNumberOfCycles",
        "performance.expected_lifetime_cycles",
        "none",
    ),
    _ll(
        78,
        "Number of full charging and discharging cycles",
        "-",
        f"{_K}/numberOfFullCycles/numberOfFullCyclesValue",
        "state.usage.full_cycles",
        "none",
    ),
    _ll(
        79,
        "Cycle-life reference test",
        "n.a.",
        f"{_T}/lifetimeReferenceTest",
        "performance.cycle_life_reference_test",
        "the aspect model expects a URI, the passport "
        "holds a text: written verbatim (a reported deviation when it is no URI)",
    ),
    _ll(
        80,
        "C-rate of relevant cycle-life test",
        "A/Ah",
        f"{_T}/cRateLifeCycleTest",
        "performance.cycle_life_c_rate",
        "none (C = A/Ah)",
    ),
    _ll(
        81,
        "Energy throughput",
        "kWh",
        f"{_K}/energyThroughput/energyThroughputValue (1.2.0: a number)",
        "state.usage.energy_throughput_kwh",
        _SAME,
    ),
    _ll(
        82,
        "Capacity throughput",
        "Ah",
        f"{_K}/capacityThroughput/capacityThroughputValue",
        "state.usage.capacity_throughput_ah",
        _SAME,
    ),
    _ll(
        83,
        "Capacity threshold for exhaustion",
        "%",
        f"{_T}/capacityThresholdForExhaustion",
        "performance.capacity_threshold_for_exhaustion_percent",
        _SAME,
    ),
    _ll(
        84,
        "Temperature information",
        "°C",
        (),
        "state.usage.temperature_c",
        "not mapped: temperatureInformation holds the times spent at extreme temperatures "
        "(rows 87-90), no temperature",
        "not mapped",
    ),
    _ll(
        85,
        "Temperature range idle state, lower boundary",
        "°C",
        f"{_T}/temperatureRangeIdleState/minimum",
        "performance.idle_temperature_min_c",
        "°C; 1.2.0's single value cannot tell which boundary it is and is dropped on import",
    ),
    _ll(
        86,
        "Temperature range idle state, upper boundary",
        "°C",
        f"{_T}/temperatureRangeIdleState/maximum",
        "performance.idle_temperature_max_c",
        "as row 85",
    ),
    _ll(
        87,
        "Time spent in extreme temperatures above boundary",
        "Minutes",
        f"{_K}/temperatureInformation/timeExtremeHighTemp",
        "state.usage.minutes_above_temperature_boundary",
        "minutes; a fraction is rejected",
    ),
    _ll(
        88,
        "Time spent in extreme temperatures below boundary",
        "Minutes",
        f"{_K}/temperatureInformation/timeExtremeLowTemp",
        "state.usage.minutes_below_temperature_boundary",
        "as row 87",
    ),
    _ll(
        89,
        "Time spent charging during extreme temperatures above boundary",
        "Minutes",
        f"{_K}/temperatureInformation/timeExtremeHighTempCharging",
        "state.usage.minutes_charging_above_boundary",
        "as row 87",
    ),
    _ll(
        90,
        "Time spent charging during extreme temperatures below boundary",
        "Minutes",
        f"{_K}/temperatureInformation/timeExtremeLowTempCharging",
        "state.usage.minutes_charging_below_boundary",
        "as row 87",
    ),
    _ll(
        91,
        "Number of deep discharge events",
        "-",
        (),
        "state.usage.deep_discharge_events",
        "not mapped: the consortium model has no property for it",
        "not mapped",
    ),
    _ll(
        92,
        "Number of overcharge events",
        "-",
        (),
        "state.usage.overcharge_events",
        "not mapped: the consortium model has no property for it",
        "not mapped",
    ),
    _ll(
        93,
        "Information on accidents",
        "-",
        f"{_K}/negativeEvents",
        "state.usage.negative_events",
        "negativeEvent = 'kind' or 'kind: description'; lastUpdate <-> occurred_on at midnight "
        "UTC; a kind containing ': ' is lost",
        "partial",
    ),
)

OTHER_FIELDS: Final[Mapping[str, str]] = {
    "issuer": "no place in the consortium model: an import_aspects parameter (default: the "
    "operator's identifier)",
    "issued_at": "no place in the consortium model: an import_aspects parameter; written as "
    "the lastUpdate of capacity fade and internal resistance increase",
    "predecessor_passport_id": "lost: no place in the consortium model",
    "predecessor_last_event_sha256": "lost: no place in the consortium model",
    "general.battery_model": "lost: no place in the consortium model",
    "carbon_footprint.rounding_kg_co2e_per_kwh": "lost: no place in the consortium model",
    "carbon_footprint.class_scheme": "lost: no place in the consortium model",
    "materials.element_masses": "lost: no place in the consortium model",
    "circularity.recycling_potential": "lost: no place in the consortium model (derived by "
    "batterypass)",
    "state.state_of_health.measured_at": "lastUpdate (and rPCLastUpdated) of the "
    "state-of-health values; on import the latest of them",
    "state.state_of_health.ohmic_resistance_ohm": "lost: the consortium holds the internal "
    "resistance increase only",
    "state.usage.recorded_at": "lastUpdate of the usage values; on import the latest of them",
}
"""Data points of the passport model without a longlist row, and where they go."""

_NO_COMPONENT_ID = "dropped on import: the passport model has no component identifier"
_RPC = f"{_K}/remainingPowerCapability/remainingPowerCapabilityValue"
WIRE_NOTES: Final[Mapping[str, str]] = {
    f"{_M} /batteryMaterials/*/batteryMaterialLocation/componentId": _NO_COMPONENT_ID,
    f"{_M} /hazardousSubstances/*/hazardousSubstanceLocation/componentId": _NO_COMPONENT_ID,
    f"{_M} /hazardousSubstances/*/hazardousSubstanceClass": (
        "written from the first hazard class that is one of the three classes enumerated; on "
        "import dropped (with a note) unless an impact statement implies it"
    ),
    f"{_R} /dismantlingAndRemovalInformation/*/documentType": ("the document's title (see row 36)"),
    f"{_L} /labels/*/labelingSubject": (
        "which data point a label is (rows 12-14); ExtinguishingAgent labels are dropped on "
        "import, the agents being text in Circularity"
    ),
    f"{_K}/*/lastUpdate": (
        "measured_at for state-of-health values, recorded_at for usage values, issued_at for "
        "capacity fade and resistance increase, occurred_on for negative events; on import, "
        "times that disagree are dropped with a note (the latest is kept)"
    ),
    f"{_RPC}/atSoC": "state_of_charge_percent of the remaining power capability",
    f"{_RPC}/rPCLastUpdated": "measured_at",
    f"{_T}/initialInternalResistance/* [batteryComponent = module]": (
        "dropped on import: the passport holds cell and pack resistance"
    ),
    f"{_K}/internalResistanceIncrease/* [batteryComponent = cell, module]": (
        "dropped on import: the passport holds the pack's increase"
    ),
    f"{_T}/temperatureRangeIdleState (1.2.0)": (
        "dropped on import: a single number cannot tell which boundary of the range it is"
    ),
}
"""Consortium properties with a rule of their own beyond the longlist rows."""


def _template(pointer: str) -> str:
    return "/".join("*" if t.isdigit() else t for t in pointer.split("/"))


def _wire_fields() -> dict[tuple[str, str], set[str]]:
    out: dict[tuple[str, str], set[str]] = {}
    for row in LONGLIST_MAPPING:
        for wire in row.wire:
            aspect, _, rest = wire.partition(" ")
            pointer = rest.split(" ")[0]
            if pointer.startswith("/"):
                out.setdefault((aspect, pointer), set()).update(row.fields)
    return out


_WIRE_FIELDS: Final = _wire_fields()


def _field_of_wire(aspect: str, pointer: str) -> str | None:
    """The data point a required-but-missing property would have carried, if one is."""
    template = _template(pointer)
    while template:
        fields = _WIRE_FIELDS.get((aspect, template))
        if fields:
            return next(iter(fields)) if len(fields) == 1 else None
        template = template.rpartition("/")[0]
    return None


def mapping_table_markdown() -> str:
    """The generated tables of specs/battery-pass-mapping.md: every longlist attribute with its
    place on the consortium wire and the passport model's data points for it (from the
    model's own longlist metadata), the model's other data points, and consortium properties
    with a rule of their own."""
    by_id: dict[int, list[str]] = {}
    for ref in iter_data_points():
        for n in ref.info.longlist:
            by_id.setdefault(n, []).append(".".join(ref.path))

    def cell(text: str) -> str:
        return text.replace("|", "\\|")

    lines = [
        "| # | Longlist attribute | Longlist unit | Consortium wire (aspect, JSON pointer) "
        "| batterypass data point | Conversion | Status |",
        "|---|---|---|---|---|---|---|",
    ]
    for row in LONGLIST_MAPPING:
        wire = "<br>".join(f"`{w}`" for w in row.wire) or "—"
        ours = "<br>".join(f"`{f}`" for f in by_id.get(row.id, ())) or "—"
        lines.append(
            f"| {row.id} | {cell(row.attribute)} | {cell(row.unit)} | {wire} | {ours} | "
            f"{cell(row.conversion)} | {row.status} |"
        )
    lines += [
        "",
        "Data points of the passport model without a longlist number:",
        "",
        "| batterypass data point | Consortium wire |",
        "|---|---|",
    ]
    for ref in iter_data_points():
        path = ".".join(ref.path)
        if not ref.info.longlist:
            lines.append(f"| `{path}` | {cell(OTHER_FIELDS.get(path, 'UNDOCUMENTED'))} |")
    lines += [
        "",
        "Consortium properties with a rule of their own:",
        "",
        "| Consortium property | Rule |",
        "|---|---|",
    ]
    for wire, rule in WIRE_NOTES.items():
        lines.append(f"| `{wire}` | {cell(rule)} |")
    return "\n".join(lines) + "\n"
