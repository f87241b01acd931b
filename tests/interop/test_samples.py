"""The consortium's own sample payloads (vectors/): each gives a precise ValidationError.

The samples hold the SAMM generator's random values, so none is a valid passport. These tests
pin every rule each one breaks, at its JSON pointer, and the data the importer drops.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from jsonschema import Draft4Validator

from batterypass.errors import ValidationError
from batterypass.interop import battery_pass as dm
from batterypass.model import BATTERY_IDENTIFIER_RULE

ISSUED_AT = datetime(2025, 9, 1, tzinfo=UTC)
RANGE = (
    "number -1.7976931348623157E+308 outside what batterypass accepts (magnitude 1e-40..1e40, "
    "at most 34 significant digits)"
)


def no_city(postal_code: str) -> str:
    """The note on a sample address: no ", city" part, kept without a city."""
    return (
        "no city: the consortium's address has no locality property and streetAddress has no "
        f"', city' part; the address is kept without a city (its postal code {postal_code!r} "
        "locates it)"
    )


URL = "must be an absolute http(s) URL"
# The sample's e-mail addresses: the model's pattern lets the manufacturer's (a local part
# starting with a dot) through; the importer refuses both by their local part.
OPERATOR_EMAIL = (
    "-w-......www-www-w-...--w--w.-w-www--.w...-w.www.w..-w..--.ww@.ww..-www-ww--ww.ww---w.w-w.w"
    ".ww...-w%mKozizkOjnxNSVyMliITPITDtxTLqUoUkEZlpZTvFMYBIjfUgqHyJIztdiBfETLcpZPXYcTSCSpSTTFAfi"
)
MANUFACTURER_EMAIL = (
    ".ww-...-ww...@ww.-..w.-www-.-.-w--w.ww--..-.w.ww.-...w.-.w.jGphZZQBHAFyIqSqHUNGwnomwanuIDiD"
    "pbLftOdDNZMwzMeqjAQpLVSSkKExPOypZXmRDeCGjVwKMtHHEhhmd"
)
PERCENT = "a share in percent must lie between 0 and 100"
IDENTIFIER = "must be a URN (urn:...), a canonical UUID, or a GS1 Digital Link URI"
POSITIVE = "must be greater than 0"
NOT_NEGATIVE = "must not be negative"
RATIO = "both state the ratio of nominal power to energy (powerCapabilityRatio = 100 x cRate)"

EXPECTED_ISSUES: dict[tuple[str, str], set[tuple[str, str]]] = {
    (dm.CARBON_FOOTPRINT, "1.2.0"): {
        ("/carbonFootprintPerLifecycleStage/0/carbonFootprint", RANGE),
        ("/absoluteCarbonFootprint", RANGE),
        ("/batteryCarbonFootprint", RANGE),
        ("/carbonFootprintPerformanceClass", "String should have at most 16 characters"),
        ("/carbonFootprintStudy", URL),
    },
    (dm.CIRCULARITY, "1.2.0"): {
        (
            "/recycledContent/0",
            "preConsumerShare 54.426945 % + postConsumerShare 56.890068 % = 111.317013 %: the "
            "recycled shares of one material cannot exceed 100 %",
        ),
        ("/renewableContent", PERCENT),
        ("/endOfLifeInformation/separateCollection", URL),
        ("/endOfLifeInformation/informationOnCollection", URL),
        ("/dismantlingAndRemovalInformation/0/documentURL", URL),
        (
            "/dismantlingAndRemovalInformation/0/mimeType",
            "String should match pattern '^[a-z]+/[A-Za-z0-9.+-]+$'",
        ),
        ("/sparePartSources/0/supplierWebAddress", URL),
    },
    (dm.GENERAL, "1.2.0"): {
        ("/productIdentifier", BATTERY_IDENTIFIER_RULE),
        ("/operatorInformation/identifier", IDENTIFIER),
        ("/manufacturerInformation/identifier", IDENTIFIER),
        ("/manufacturerInformation/webAddress", URL),
        (
            "/operatorInformation/emailAddress",
            f"{OPERATOR_EMAIL!r} is no e-mail address: its local part has two dots in a row",
        ),
        (
            "/manufacturerInformation/emailAddress",
            f"{MANUFACTURER_EMAIL!r} is no e-mail address: its local part starts or ends with a "
            "dot",
        ),
        ("/operatorInformation/webAddress", URL),
    },
    (dm.LABELS, "1.2.0"): {
        ("/declarationOfConformity", URL),
        ("/resultOfTestReport", URL),
    },
    (dm.MATERIALS, "1.2.0"): {
        ("/hazardousSubstances/0/hazardousSubstanceConcentration", RANGE),
        (
            "/hazardousSubstances/0/hazardousSubstanceIdentifier",
            "CAS number 37-70-2 has a wrong check digit (expected 7)",
        ),
    },
    (dm.PERFORMANCE, "1.2.0"): {
        ("/batteryTechicalProperties/ratedMaximumPower", RANGE),
        ("/batteryTechicalProperties/capacityThresholdForExhaustion", RANGE),
        ("/batteryTechicalProperties/initialSelfDischarge", RANGE),
        ("/batteryTechicalProperties/initialInternalResistance/0/ohmicResistance", RANGE),
        ("/batteryCondition/numberOfFullCycles/numberOfFullCyclesValue", RANGE),
        ("/batteryCondition/temperatureInformation/timeExtremeHighTemp", RANGE),
        ("/batteryCondition/temperatureInformation/timeExtremeLowTempCharging", RANGE),
        ("/batteryCondition/temperatureInformation/timeExtremeHighTempCharging", RANGE),
        ("/batteryCondition/temperatureInformation/timeExtremeLowTemp", RANGE),
        ("/batteryCondition/energyThroughput", RANGE),
        (
            "/batteryTechicalProperties/powerCapabilityRatio",
            "-1.8147613E+38 % disagrees with cRate 9.081415E+37: " + RATIO,
        ),
        ("/batteryTechicalProperties/ratedEnergy", POSITIVE),
        ("/batteryTechicalProperties/nominalVoltage", POSITIVE),
        ("/batteryTechicalProperties/maximumVoltage", POSITIVE),
        ("/batteryTechicalProperties/originalPowerCapability/0/atSoC", PERCENT),
        ("/batteryTechicalProperties/originalPowerCapability/0/powerCapabilityAt", POSITIVE),
        ("/batteryTechicalProperties/expectedNumberOfCycles", "Input should be greater than 0"),
        ("/batteryTechicalProperties/cRateLifeCycleTest", POSITIVE),
        ("/batteryTechicalProperties/roundtripEfficiency", PERCENT),
        ("/batteryCondition/roundTripEfficiencyat50PerCentCycleLife", PERCENT),
        ("/batteryTechicalProperties/expectedLifetime", POSITIVE),
        ("/batteryCondition/capacityFade/capacityFadeValue", PERCENT),
        ("/batteryCondition/powerFade", PERCENT),
        ("/batteryCondition/roundTripEfficiencyFade", PERCENT),
        (
            "/batteryCondition/internalResistanceIncrease/0/internalResistanceIncreaseValue",
            NOT_NEGATIVE,
        ),
        ("/batteryCondition/remainingEnergy/remainingEnergyalue", NOT_NEGATIVE),
        ("/batteryCondition/stateOfCertifiedEnergy/stateOfCertifiedEnergyValue", PERCENT),
        (
            "/batteryCondition/remainingPowerCapability/0/remainingPowerCapabilityValue/atSoC",
            PERCENT,
        ),
        (
            "/batteryCondition/remainingPowerCapability/0/remainingPowerCapabilityValue/powerCapabilityAt",
            POSITIVE,
        ),
        (
            "/batteryCondition/remainingRoundTripEnergyEfficiency/remainingRoundTripEnergyEfficiencyValue",
            PERCENT,
        ),
        ("/batteryCondition/currentSelfDischargingRate/currentSelfDischargingRateEntity", PERCENT),
        ("/batteryCondition/stateOfCharge/stateOfChargeValue", PERCENT),
        ("/batteryCondition/capacityThroughput/capacityThroughputValue", NOT_NEGATIVE),
    },
    (dm.PERFORMANCE, "1.2.1"): {
        ("/batteryTechicalProperties/ratedMaximumPower", RANGE),
        ("/batteryTechicalProperties/capacityThresholdForExhaustion", RANGE),
        ("/batteryTechicalProperties/initialSelfDischarge", RANGE),
        ("/batteryTechicalProperties/initialInternalResistance/0/ohmicResistance", RANGE),
        ("/batteryCondition/numberOfFullCycles/numberOfFullCyclesValue", RANGE),
        ("/batteryCondition/temperatureInformation/timeExtremeHighTemp", RANGE),
        ("/batteryCondition/temperatureInformation/timeExtremeLowTempCharging", RANGE),
        ("/batteryCondition/temperatureInformation/timeExtremeHighTempCharging", RANGE),
        ("/batteryCondition/temperatureInformation/timeExtremeLowTemp", RANGE),
        (
            "/batteryTechicalProperties/powerCapabilityRatio",
            "2.072918E+38 % disagrees with cRate -3.2059965E+38: " + RATIO,
        ),
        ("/batteryTechicalProperties/minimumVoltage", POSITIVE),
        ("/batteryTechicalProperties/nominalVoltage", POSITIVE),
        ("/batteryTechicalProperties/maximumVoltage", POSITIVE),
        ("/batteryTechicalProperties/originalPowerCapability/0/atSoC", PERCENT),
        ("/batteryTechicalProperties/cRate", POSITIVE),
        ("/batteryTechicalProperties/expectedNumberOfCycles", "Input should be greater than 0"),
        ("/batteryTechicalProperties/cRateLifeCycleTest", POSITIVE),
        ("/batteryTechicalProperties/roundtripEfficiency", PERCENT),
        ("/batteryTechicalProperties/roundTripEfficiencyat50PerCentCycleLife", PERCENT),
        ("/batteryTechicalProperties/expectedLifetime", POSITIVE),
        ("/batteryCondition/capacityFade/capacityFadeValue", PERCENT),
        ("/batteryTechicalProperties/powerFade", PERCENT),
        ("/batteryTechicalProperties/roundTripEfficiencyFade", PERCENT),
        (
            "/batteryCondition/internalResistanceIncrease/0/internalResistanceIncreaseValue",
            NOT_NEGATIVE,
        ),
        ("/batteryCondition/stateOfCertifiedEnergy/stateOfCertifiedEnergyValue", PERCENT),
        (
            "/batteryCondition/remainingPowerCapability/remainingPowerCapabilityValue/atSoC",
            PERCENT,
        ),
        (
            "/batteryCondition/remainingRoundTripEnergyEfficiency/remainingRoundTripEnergyEfficiencyValue",
            PERCENT,
        ),
        ("/batteryCondition/currentSelfDischargingRate/currentSelfDischargingRateValue", PERCENT),
        ("/batteryCondition/stateOfCharge/stateOfChargeValue", PERCENT),
        ("/batteryCondition/energyThroughput/energyThroughputValue", NOT_NEGATIVE),
        ("/batteryCondition/capacityThroughput/capacityThroughputValue", NOT_NEGATIVE),
    },
    (dm.DUE_DILIGENCE, "1.2.0"): {
        ("/supplyChainDueDiligenceReport", URL),
        ("/thirdPartyAussurances", URL),
    },
}


EXPECTED_NOTES: dict[tuple[str, str], list[str]] = {
    (dm.GENERAL, "1.2.0"): [
        "/manufacturingDate: time of day of '2025-06-17T11:14:27.698+02:00' dropped",
        "/puttingIntoService: time of day of '2025-06-17T11:14:27.698+02:00' dropped",
        "/manufacturerInformation/postalAddress/addressCountry: country name 'Germany' read as "
        "its ISO 3166-1 code 'DE'",
        "/manufacturerInformation/postalAddress/streetAddress: " + no_city("10719"),
        "/operatorInformation/postalAddress/addressCountry: country name 'Germany' read as its "
        "ISO 3166-1 code 'DE'",
        "/operatorInformation/postalAddress/streetAddress: " + no_city("10719"),
        "/manufacturingPlace/addressCountry: country name 'Germany' read as its ISO 3166-1 code "
        "'DE'",
        "/manufacturingPlace/streetAddress: " + no_city("10719"),
        "/warrentyPeriod: '--06' is an xsd:gMonth (a month of the year); read as a period of 6 "
        "months",
    ],
    (dm.CIRCULARITY, "1.2.0"): [
        "/sparePartSources/0/addressOfSupplier/addressCountry: country name 'Germany' read as "
        "its ISO 3166-1 code 'DE'",
        "/sparePartSources/0/addressOfSupplier/streetAddress: " + no_city("DE-10719"),
    ],
    (dm.MATERIALS, "1.2.0"): [
        "/batteryMaterials/0/batteryMaterialLocation/componentId: component identifier",
        "/batteryMaterials/0/batteryMaterialIdentifier: white space around the CAS number "
        "'7439-93-2 ' removed",
        "/hazardousSubstances/0/hazardousSubstanceClass: class 'AcuteToxicity' is not reflected",
        "/hazardousSubstances/0/hazardousSubstanceLocation/componentId: component identifier",
    ],
    (dm.PERFORMANCE, "1.2.0"): [
        "/batteryTechicalProperties/temperatureRangeIdleState: the 1.2.0 single value "
        "-19.539389775261977 °C dropped",
        "/batteryCondition/capacityFade/lastUpdate: '2025-01-31T14:06:29.437+01:00' dropped",
        "/batteryCondition/remainingCapacity/remainingCapacityValue: remaining capacity dropped",
        "/batteryCondition/negativeEvents/0/lastUpdate: time of day",
        "/batteryCondition/internalResistanceIncrease/0/lastUpdate: "
        "'2025-01-31T14:06:29.437+01:00' dropped",
    ],
    (dm.PERFORMANCE, "1.2.1"): [
        "/batteryCondition/capacityFade/lastUpdate: '2025-08-08T16:19:26.601+02:00' dropped",
        "/batteryCondition/remainingCapacity/remainingCapacityValue: remaining capacity dropped",
        "/batteryCondition/negativeEvents/0/lastUpdate: time of day",
        "/batteryCondition/internalResistanceIncrease/0/lastUpdate: "
        "'2025-08-08T16:19:26.601+02:00' dropped",
    ],
}


def _import(aspect: str, doc: Any, notes: list[str]) -> None:
    envelope = (
        {}
        if aspect == dm.GENERAL
        else {
            "passport_id": "urn:example:passport",
            "battery_id": "https://id.example.com/01/09506000134352/21/B1",
            "issuer": "urn:example:issuer",
        }
    )
    dm.import_aspects({aspect: doc}, issued_at=ISSUED_AT, notes=notes, **envelope)


def test_sample_gives_precise_errors(sample_key: tuple[str, str], support: Any) -> None:
    aspect, version = sample_key
    doc = dm.read_aspect_file(support.VECTORS / support.SAMPLE_FILES[sample_key])
    assert dm.detect_aspect(doc) == aspect
    if aspect == dm.PERFORMANCE:
        assert dm.detect_performance_version(doc) == version
    notes: list[str] = []
    with pytest.raises(ValidationError) as caught:
        _import(aspect, doc, notes)
    error = caught.value
    got = {("".join(f"/{t}" for t in i.path[1:]), i.message) for i in error.issues}
    assert got == EXPECTED_ISSUES[sample_key]
    assert all(i.path[0] == aspect for i in error.issues)
    text = str(error)
    assert "\n" not in text
    assert text.startswith(f"{aspect} /")
    expected_notes = EXPECTED_NOTES.get(sample_key, [])
    assert len(notes) == len(expected_notes)
    for note, fragment in zip(notes, expected_notes, strict=True):
        assert note.startswith(f"{aspect} {fragment}"), note


def test_samples_against_their_own_schemas(sample_key: tuple[str, str], support: Any) -> None:
    """Only the MaterialComposition sample breaks its own schema (a CAS number with a trailing
    space). The GeneralProductInformation sample was generated from the broken e-mail pattern:
    its operator address passes the published pattern and fails the repaired one."""
    doc = dm.read_aspect_file(support.VECTORS / support.SAMPLE_FILES[sample_key])
    checker = support._format_checker()
    errors = {
        repaired: {
            (support.pointer_of(e.absolute_path), str(e.validator))
            for e in Draft4Validator(
                support.load_schema(*sample_key, repair_email=repaired), format_checker=checker
            ).iter_errors(doc)
        }
        for repaired in (False, True)
    }
    if sample_key[0] == dm.MATERIALS:
        expected = {("/batteryMaterials/0/batteryMaterialIdentifier", "pattern")}
        assert errors == {False: expected, True: expected}
    elif sample_key[0] == dm.GENERAL:
        assert errors == {False: set(), True: {("/operatorInformation/emailAddress", "pattern")}}
    else:
        assert errors == {False: set(), True: set()}


def test_the_circularity_sample_has_no_payload_suffix(support: Any) -> None:
    names = [p.name for p in support.VECTORS.rglob("*.json")]
    assert "Circularity.json" in names
    assert "Circularity-payload.json" not in names
