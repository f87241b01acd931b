"""The consortium's aspects: their names, SAMM URNs and versions, and the structure of each
aspect's JSON document (a compact form of the consortium's JSON Schemas: for each object its
properties in schema order, their type and whether SAMM makes them required). Import uses it to
reject unknown properties and wrong types, export to order properties and to report missing
ones; tests/interop checks it against the consortium's own generated schemas."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Final

from batterypass.interop._shape import (
    BOOL,
    NUM,
    STR,
    Enum,
    List,
    Obj,
    TextMap,
    Type,
    obj,
    opt,
    req,
)

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
ALIASES: Final[Mapping[str, str]] = {
    "CarbonFootprint": CARBON_FOOTPRINT,
    "Labels": LABELS,
    "Performance": PERFORMANCE,
}

_GPI_ADDRESS = obj(
    "PostalAddressEntity",
    req("addressCountry", STR),
    req("postalCode", STR),
    req("streetAddress", STR),
)
_CONTACT = obj(
    "ContactInformationEntity",
    req("contactName", STR),
    req("postalAddress", _GPI_ADDRESS),
    req("identifier", STR),
    opt("emailAddress", STR),
    opt("webAddress", STR),
)
_CATEGORY_VALUES = ("lmt", "ev", "industrial", "stationary")
_STATUS_VALUES = ("Original", "Repurposed", "Reused", "Remanufactured", "Waste")

_GENERAL = obj(
    GENERAL,
    req("productIdentifier", STR),
    req("batteryPassportIdentifier", STR),
    req("batteryCategory", Enum(_CATEGORY_VALUES)),
    req("manufacturerInformation", _CONTACT),
    req("manufacturingDate", STR),
    req("batteryStatus", Enum(_STATUS_VALUES)),
    req("batteryMass", NUM),
    req("manufacturingPlace", _GPI_ADDRESS),
    req("operatorInformation", _CONTACT),
    req("puttingIntoService", STR),
    req("warrentyPeriod", STR),
)

_STAGE_VALUES = ("RawMaterialExtraction", "MainProduction", "Distribution", "Recycling")
_CARBON = obj(
    CARBON_FOOTPRINT,
    req("batteryCarbonFootprint", NUM),
    req(
        "carbonFootprintPerLifecycleStage",
        List(
            obj(
                "CarbonFootprintPerLifecycleStageEntity",
                req("lifecycleStage", Enum(_STAGE_VALUES)),
                req("carbonFootprint", NUM),
            )
        ),
    ),
    req("carbonFootprintPerformanceClass", STR),
    req("carbonFootprintStudy", STR),
    opt("absoluteCarbonFootprint", NUM),
)

_DUE_DILIGENCE = obj(
    DUE_DILIGENCE,
    req("supplyChainDueDiligenceReport", STR),
    opt("thirdPartyAussurances", STR),
    opt("supplyChainIndicies", NUM),
)

_LOCATION = obj("BatteryLocationEntity", req("componentName", STR), opt("componentId", STR))
_HAZARD_CLASS_VALUES = ("AcuteToxicity", "SkinCorrosionOrIrritation", "EyeDamageOrIrritation")
_MATERIALS = obj(
    MATERIALS,
    req(
        "batteryChemistry",
        obj("BatteryChemistryEntity", req("shortName", STR), req("clearName", STR)),
    ),
    req(
        "batteryMaterials",
        List(
            obj(
                "BatteryMaterialEntity",
                req("batteryMaterialLocation", _LOCATION),
                req("batteryMaterialIdentifier", STR),
                req("batteryMaterialName", STR),
                req("batteryMaterialMass", NUM),
                req("isCriticalRawMaterial", BOOL),
            )
        ),
    ),
    req(
        "hazardousSubstances",
        List(
            obj(
                "HazardousSubstanceEntity",
                req("hazardousSubstanceClass", Enum(_HAZARD_CLASS_VALUES)),
                req("hazardousSubstanceName", STR),
                req("hazardousSubstanceConcentration", NUM),
                req("hazardousSubstanceImpact", List(STR)),
                req("hazardousSubstanceLocation", _LOCATION),
                req("hazardousSubstanceIdentifier", STR),
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
_CIRC_ADDRESS = obj(
    "PostalAddress",
    req("addressCountry", STR),
    req("postalCode", STR),
    req("streetAddress", STR),
)
_CIRCULARITY = obj(
    CIRCULARITY,
    req(
        "dismantlingAndRemovalInformation",
        List(
            obj(
                "DismantlingandRemovalDocumentation",
                req("documentType", Enum(_DOCUMENT_TYPES)),
                req("mimeType", STR),
                req("documentURL", STR),
            )
        ),
    ),
    req(
        "sparePartSources",
        List(
            obj(
                "SparePartSupplierEntity",
                req("nameOfSupplier", STR),
                req("addressOfSupplier", _CIRC_ADDRESS),
                req("emailAddressOfSupplier", STR),
                req("supplierWebAddress", STR),
                req(
                    "components",
                    List(obj("ComponentEntity", req("partName", STR), req("partNumber", STR))),
                ),
            )
        ),
    ),
    req(
        "recycledContent",
        List(
            obj(
                "RecycledContentEntity",
                req("preConsumerShare", NUM),
                req("recycledMaterial", Enum(_RECYCLED_VALUES)),
                req("postConsumerShare", NUM),
            )
        ),
    ),
    req(
        "safetyMeasures",
        obj(
            "SafetyMeasuresEntity",
            req("safetyInstructions", STR),
            req("extinguishingAgent", List(STR)),
        ),
    ),
    req(
        "endOfLifeInformation",
        obj(
            "EndOfLifeInformationEntity",
            req("wastePrevention", STR),
            req("separateCollection", STR),
            req("informationOnCollection", STR),
        ),
    ),
    req("renewableContent", NUM),
)

_LABEL_SUBJECTS = (
    "SeparateCollection",
    "HazardousMaterial",
    "CarbonFootPrint",
    "ExtinguishingAgent",
)
_LABELS = obj(
    LABELS,
    req("declarationOfConformity", STR),
    req("resultOfTestReport", STR),
    req(
        "labels",
        List(
            obj(
                "LabelingEntity",
                req("labelingSymbol", STR),
                req("labelingMeaning", TextMap()),
                req("labelingSubject", Enum(_LABEL_SUBJECTS)),
            )
        ),
    ),
)


def _timed(name: str, value_key: str) -> Obj:
    return obj(name, req(value_key, NUM), req("lastUpdate", STR))


_COMPONENT_VALUES = ("pack", "module", "cell")
_POWER_AT = obj("PowerCapabilityAtEntity", req("atSoC", NUM), req("powerCapabilityAt", NUM))
_REMAINING_POWER_AT = obj(
    "RemainingPowerCapabilityDynamicAt",
    req("atSoC", NUM),
    req("powerCapabilityAt", NUM),
    req("rPCLastUpdated", STR),
)
_REMAINING_POWER = obj(
    "RemainingPowerCapabilityEntity",
    req("remainingPowerCapabilityValue", _REMAINING_POWER_AT),
    req("lastUpdate", STR),
)
_TEMPERATURE_INFO = obj(
    "TemperatureConditionsEntity",
    req("timeExtremeHighTemp", NUM),
    req("timeExtremeLowTemp", NUM),
    req("timeExtremeHighTempCharging", NUM),
    req("timeExtremeLowTempCharging", NUM),
    req("lastUpdate", STR),
)
_RESISTANCE_INCREASE = obj(
    "InternalResistanceIncreaseEntity",
    req("internalResistanceIncreaseValue", NUM),
    req("lastUpdate", STR),
    req("batteryComponent", Enum(_COMPONENT_VALUES)),
)
_NEGATIVE_EVENT = obj("NegativeEventEntity", req("negativeEvent", STR), req("lastUpdate", STR))
_RESISTANCE = obj(
    "InternalResistanceEntity",
    req("ohmicResistance", NUM),
    req("batteryComponent", Enum(_COMPONENT_VALUES)),
)


def _technical(version: str) -> Obj:
    common: list[tuple[str, Type, bool]] = [
        req("originalPowerCapability", List(_POWER_AT)),
        req("ratedMaximumPower", NUM),
        req("powerCapabilityRatio", NUM),
        req("ratedEnergy", NUM),
        req("expectedNumberOfCycles", NUM),
        req("initialSelfDischarge", NUM),
        req("roundtripEfficiency", NUM),
        req("ratedCapacity", NUM),
        req("initialInternalResistance", List(_RESISTANCE)),
        req("expectedLifetime", NUM),
        opt("cRate", NUM),
        req("nominalVoltage", NUM),
        req("minimumVoltage", NUM),
        req("maximumVoltage", NUM),
        req("capacityThresholdForExhaustion", NUM),
        req("lifetimeReferenceTest", STR),
        req("cRateLifeCycleTest", NUM),
    ]
    if version == "1.2.0":
        common.append(req("temperatureRangeIdleState", NUM))
    else:
        common += [
            req(
                "temperatureRangeIdleState",
                obj("TemperatureRangeType", req("minimum", NUM), req("maximum", NUM)),
            ),
            req("roundTripEfficiencyat50PerCentCycleLife", NUM),
            req("roundTripEfficiencyFade", NUM),
            req("powerFade", NUM),
        ]
    return Obj("BatteryTechnicalPropertiesEntity", tuple(common))


def _condition(version: str) -> Obj:
    v120 = version == "1.2.0"
    props: list[tuple[str, Type, bool]] = [
        req(
            "energyThroughput",
            NUM if v120 else _timed("EnergyThroughputEntity", "energyThroughputValue"),
        ),
        req("capacityThroughput", _timed("CapacityThroughputEntity", "capacityThroughputValue")),
        req("numberOfFullCycles", _timed("NumberOfFullCyclesEntity", "numberOfFullCyclesValue")),
        req(
            "stateOfCertifiedEnergy",
            _timed("StateOfCertifiedEnergyEntity", "stateOfCertifiedEnergyValue"),
        ),
        req("capacityFade", _timed("CapacityFadeEntity", "capacityFadeValue")),
        req(
            "remainingEnergy",
            _timed(
                "RemainingEnergyEntity", "remainingEnergyalue" if v120 else "remainingEnergyValue"
            ),
        ),
        req("remainingCapacity", _timed("RemainingCapacityEntity", "remainingCapacityValue")),
        req("negativeEvents", List(_NEGATIVE_EVENT)),
        req("temperatureInformation", _TEMPERATURE_INFO),
        req("remainingPowerCapability", List(_REMAINING_POWER) if v120 else _REMAINING_POWER),
    ]
    if v120:
        props += [req("powerFade", NUM), req("roundTripEfficiencyFade", NUM)]
    props += [
        req(
            "evolutionOfSelfDischarge",
            obj(
                "EvolutionOfSelfDischargeEntity",
                req("evolutionOfSelfDischargeEntityValue", NUM),
            )
            if v120
            else _timed("EvolutionOfSelfDischargeEntity", "evolutionOfSelfDischargeValue"),
        ),
        req(
            "currentSelfDischargingRate",
            _timed(
                "CurrentSelfDischargingRateEntity",
                "currentSelfDischargingRateEntity" if v120 else "currentSelfDischargingRateValue",
            ),
        ),
        req("internalResistanceIncrease", List(_RESISTANCE_INCREASE)),
    ]
    if v120:
        props.append(req("roundTripEfficiencyat50PerCentCycleLife", NUM))
    props += [
        req(
            "remainingRoundTripEnergyEfficiency",
            _timed(
                "RemainingRoundTripEnergyEfficiencyEntity",
                "remainingRoundTripEnergyEfficiencyValue",
            ),
        ),
        req("stateOfCharge", _timed("StateOfChargeEntity", "stateOfChargeValue")),
    ]
    return Obj("BatteryConditionEntity", tuple(props))


def _performance(version: str) -> Obj:
    return obj(
        PERFORMANCE,
        req("batteryTechicalProperties", _technical(version)),
        req("batteryCondition", _condition(version)),
    )


_PERFORMANCE = {v: _performance(v) for v in PERFORMANCE_VERSIONS}

_WIRE: Final[Mapping[str, Obj]] = {
    GENERAL: _GENERAL,
    CARBON_FOOTPRINT: _CARBON,
    DUE_DILIGENCE: _DUE_DILIGENCE,
    MATERIALS: _MATERIALS,
    CIRCULARITY: _CIRCULARITY,
    PERFORMANCE: _PERFORMANCE[PERFORMANCE_EXPORT_VERSION],
    LABELS: _LABELS,
}


def wire(aspect: str, version: str | None = None) -> Obj:
    """The structure of an aspect's document (PerformanceAndDurability in ``version``, by
    default the one export writes)."""
    if aspect == PERFORMANCE:
        return _PERFORMANCE[version or PERFORMANCE_EXPORT_VERSION]
    return _WIRE[aspect]
