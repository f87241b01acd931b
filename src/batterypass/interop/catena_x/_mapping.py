"""The mapping table of the Catena-X battery pass: every property of the 6.1.0 schema with the
passport data point it carries (from the rules, or from a quirk written by hand) or the reason
it carries none. specs/catena-x-mapping.md is generated from it."""

from __future__ import annotations

import functools
import re
from collections.abc import Iterator
from typing import Final

from batterypass.interop._rules import Rule
from batterypass.interop._shape import List, Obj, Type
from batterypass.interop.catena_x._codec import RULES
from batterypass.interop.catena_x._schema import structure

QUIRKS: Final[tuple[tuple[str, str, str], ...]] = (
    (
        "/specVersion",
        "",
        "written as urn:io.catenax.battery.battery_pass:6.1.0; import reads "
        "6.0.0 (without it) and 6.1.0",
    ),
    (
        "/metadata/predecessor",
        "predecessor_passport_id",
        "written verbatim; dropped on import (the model needs the original's last event hash "
        "with it, Art. 77(7)); the nil UUID reads as no predecessor",
    ),
    (
        "/performance/rated/power/at80SoC",
        "performance.original_power_capability",
        "W, the entry at 80 % state of charge (Annex IV Part B(4)); import lists it first",
    ),
    (
        "/performance/rated/power/at20SoC",
        "performance.original_power_capability",
        "W, the entry at 20 % state of charge; import lists it after the one at 80 %; entries "
        "at other states of charge, a second entry at 80 % or 20 % and another order are lost",
    ),
    (
        "/metadata/issueDate",
        "issued_at",
        "the UTC date of issued_at; import takes issued_at= or midnight UTC of this date",
    ),
    (
        "/identification/identification/serial",
        "battery_id",
        "one entry {key: partInstanceId, "
        "value: battery_id}; entries of other keys are dropped on import with a note",
    ),
    ("/identification/identification/type/nameAtManufacturer", "general.battery_model", "none"),
    (
        "/identification/chemistry",
        "materials.chemistry",
        "designation <-> the text; import "
        "reads the family from the abbreviation it names (NMC/NCM, LFP, ...), else 'other'",
    ),
    (
        "/characteristics/physicalDimension/weight",
        "general.mass_kg",
        "value in unit:kilogram; "
        "import converts gram, tonne, short ton, ounce and pound exactly by their definitions",
    ),
    (
        "/characteristics/warranty",
        "general.warranty_period_months",
        "unit:month; import reads "
        "unit:year x 12; days (no exact number of calendar months), cycles and operating hours "
        "are dropped with a note",
    ),
    (
        "/operation/manufacturer/manufacturer",
        "general.manufacturer",
        "the manufacturer's id "
        "(a BPNL); name, address and contact are lost, and import drops it (the passport's "
        "manufacturer needs a name and an address)",
    ),
    (
        "/operation/manufacturer/facility",
        "general.manufacturing_place",
        "the facility's id (a BPNA); dropped on import (the passport's facility needs an address)",
    ),
    (
        "/sustainability/carbonFootprint",
        "carbon_footprint",
        "one entry per stage of type "
        "'Climate Change Total' in kg CO2e / kWh, lifecycle 'raw material acquisition and "
        "pre-processing', 'main product production', 'distribution', 'end of life and "
        "recycling', and 'total' for the total (a batterypass convention) which also carries "
        "performanceClass and the study as declaration; other types, units and stages are "
        "dropped on import",
    ),
    (
        "/conformity/dueDiligencePolicy",
        "due_diligence.report_url",
        "one document {URL, header "
        "'Due diligence report', the link}; on import the first document's link",
    ),
    (
        "/sustainability/documents/separateCollection",
        "circularity.separate_collection_info_url",
        "as dueDiligencePolicy",
    ),
    (
        "/sustainability/documents/wastePrevention",
        "circularity.waste_prevention_info_url",
        "as dueDiligencePolicy",
    ),
    ("/safety/meaningOfLabels", "labels.meaning_of_labels_url", "as dueDiligencePolicy"),
    (
        "/conformity/resultOfTestReport",
        "labels.test_reports",
        "title <-> header (at most 100 "
        "characters), url <-> content, media type <-> contentType ('URL' when none); the digest "
        "is lost",
    ),
    ("/safety/dismantling", "circularity.dismantling_information", "as resultOfTestReport"),
    ("/safety/safetyMeasures", "circularity.safety_measures", "as resultOfTestReport"),
    (
        "/conformity/declarationOfConformity",
        "labels.declaration_of_conformity",
        "as resultOfTestReport, one document",
    ),
    (
        "/conformity/thirdPartyAssurance",
        "due_diligence.third_party_assurances",
        "one document per link",
    ),
    (
        "/safety/usableExtinguishAgent",
        "labels.extinguishing_agents",
        "media <-> each agent; "
        "fireClass is not held by the passport (a missing required value on export, dropped on "
        "import)",
    ),
    (
        "/handling/content/sparePart",
        "circularity.part_numbers",
        "manufacturerPartId <-> part_number, nameAtManufacturer <-> component",
    ),
    (
        "/materials/active/*/recycled",
        "circularity.recycled_content",
        "the total share (pre- plus post-consumer, Art. 8(1)) of nickel, lithium, cobalt and "
        "lead; dropped on import with a note: the passport needs the split",
    ),
    (
        "/materials/active/*/critical",
        "materials.critical_raw_materials",
        "true when the list names the material (CAS number or element name), otherwise not "
        "written; dropped on import with a note",
    ),
    (
        "/materials/hazardous/other/*/critical",
        "materials.critical_raw_materials",
        "as for the active materials",
    ),
    (
        "/materials/composition/*/critical",
        "materials.critical_raw_materials",
        "as for the active materials",
    ),
    (
        "/materials/hazardous/other/*/materialIdentification",
        "materials.hazardous_substances",
        "name with the CAS and the EC number (types CAS, EC); other types are dropped on "
        "import; a substance without either number is lost",
    ),
    (
        "/materials/hazardous/other/*/concentration",
        "materials.hazardous_substances",
        "concentration_percent in unit:percent; import converts per thousand, million, billion "
        "and trillion exactly; a share by volume is dropped",
    ),
    (
        "/materials/hazardous/other/*/materialUnit",
        "materials.hazardous_substances",
        "unit:percent (see concentration)",
    ),
    (
        "/materials/hazardous/other/*/location",
        "materials.hazardous_substances",
        "the component (cathode, anode, electrolyte, ...); other text is dropped on import",
    ),
    (
        "/materials/hazardous/other/*/impactOfSubstances",
        "materials.substance_impact_url",
        "one link in each substance's list; import takes the first (others, and a header or "
        "content type other than export's, with a note)",
    ),
    (
        "/materials/composition/*/id",
        "materials.materials",
        "name with the CAS number (type CAS); a material without one is lost",
    ),
    (
        "/materials/composition/*/concentration",
        "materials.materials",
        "share_percent in unit:percent; import converts as for hazardous substances",
    ),
    ("/materials/composition/*/unit", "materials.materials", "unit:percent"),
    (
        "/materials/composition/*/location",
        "materials.materials",
        "the component; an entry whose location is no component is dropped on import",
    ),
    (
        "/performance/dynamic/**/time",
        "",
        "measured_at for state-of-health values, recorded_at "
        "for usage values, issued_at for fades and the resistance increase; import keeps the "
        "latest of each group (older ones with a note)",
    ),
)
"""Properties a quirk carries: (pointer template, data point, conversion)."""

NOT_CARRIED: Final[tuple[tuple[str, str], ...]] = (
    ("/identification/idDmc", "the passport model has no data-matrix code identifier"),
    ("/identification/identification/batch", "no batch identifier in the passport model"),
    ("/identification/identification/type/manufacturerPartId", "no part number of the battery"),
    ("/identification/identification/codes", "no customs or other codes"),
    ("/identification/identification/dataCarrier", "no data carrier description"),
    ("/identification/identification/classification", "no classification"),
    ("/characteristics/physicalDimension", "dimensions other than the weight are not held"),
    (
        "/materials/active/*/location",
        "the passport locates materials by component in the composition, not per active material",
    ),
    ("/materials/active/*/documentation", "no documents per material"),
    (
        "/materials/active/lead/impactOfSubstances",
        "the passport lists hazardous substances other than mercury, cadmium and lead "
        "(Annex VI Part A(8))",
    ),
    (
        "/materials/active/lead/concentration",
        "the passport lists hazardous substances other than mercury, cadmium and lead",
    ),
    (
        "/materials/active/lead/materialUnit",
        "the passport lists hazardous substances other than mercury, cadmium and lead",
    ),
    (
        "/materials/active/other",
        "the passport's recycled content is for cobalt, lead, lithium and nickel (Art. 8)",
    ),
    (
        "/materials/hazardous/cadmium",
        "the passport lists hazardous substances other than mercury, cadmium and lead "
        "(Annex VI Part A(8))",
    ),
    (
        "/materials/hazardous/mercury",
        "the passport lists hazardous substances other than mercury, cadmium and lead",
    ),
    (
        "/materials/hazardous/lead",
        "the passport lists hazardous substances other than mercury, cadmium and lead",
    ),
    ("/materials/hazardous/other/*/documentation", "no documents per substance"),
    ("/materials/composition/*/documentation", "no documents per material"),
    ("/materials/composition/*/recycled", "no recycled share per material of a component"),
    (
        "/materials/composition/*/renewable",
        "the passport holds one renewable share for the battery (Annex XIII(1)(f))",
    ),
    ("/performance/rated/resistance/module", "the passport holds cell and pack resistance"),
    ("/performance/dynamic/resistance/increase/cell", "the passport holds the pack's increase"),
    (
        "/performance/dynamic/resistance/increase/module",
        "the passport holds the pack's increase",
    ),
    ("/performance/dynamic/resistance/remaining/cell", "the passport holds the pack's value"),
    (
        "/performance/dynamic/resistance/remaining/module",
        "the passport holds the pack's value",
    ),
    (
        "/performance/dynamic/power/remaining",
        "the passport keeps the remaining power with its state of charge",
    ),
    ("/performance/rated/roundTripEfficiency/depthOfDischarge", "test conditions not held"),
    ("/performance/rated/lifetime/cycleLifeTesting/depthOfDischarge", "test conditions not held"),
    ("/performance/rated/lifetime/cycleLifeTesting/appliedChargeRate", "not held"),
    ("/performance/rated/lifetime/cycleLifeTesting/temperature", "test conditions not held"),
    ("/performance/rated/lifetime/report", "the passport holds the reference test as a text"),
    ("/performance/rated/performanceDocument", "no such document in the passport model"),
    ("/performance/rated/testReport", "no such document in the passport model"),
    ("/performance/dynamic/performanceDocument", "no such document in the passport model"),
    ("/performance/dynamic/operatingEnvironment", "no such document in the passport model"),
    (
        "/performance/dynamic/negativeEvents",
        "the passport holds negative events as dated kinds, not documents",
    ),
    ("/performance/rated/*/temperature", "temperature of the measurement: not held"),
    ("/sustainability/documents/euTaxonomyDisclosureStatement", "not held"),
    ("/sustainability/documents/sustainabilityReport", "not held"),
    ("/safety/safeDischarging", "not held"),
    ("/safety/removalFromAppliance", "not held"),
    ("/sources", "not held"),
    ("/metadata/version", "the passport's versions are its signed issues, without a version label"),
    ("/metadata/status", "no passport status"),
    ("/metadata/expirationDate", "no expiration date"),
    ("/metadata/backupReference", "no backup reference"),
    ("/metadata/registrationIdentifier", "no registry identifier"),
    ("/metadata/lastModification", "no modification date beyond issued_at"),
    ("/commercial", "placing on the market and purpose are not held"),
    ("/handling/applicable", "not held"),
    ("/handling/content/producer", "spare-part sources are held with name and address, not a BPNL"),
)
"""Properties no data point travels in, with the reason."""


def leaves(typ: Type | None = None, pointer: str = "") -> Iterator[str]:
    """The pointer templates (``*`` for array items) of every leaf property of the schema."""
    if typ is None:
        typ = structure()
    if isinstance(typ, Obj):
        for name, sub, _ in typ.props:
            yield from leaves(sub, f"{pointer}/{name}")
    elif isinstance(typ, List):
        yield from leaves(typ.item, f"{pointer}/*")
    else:
        yield pointer


@functools.cache
def _pattern(template: str) -> re.Pattern[str]:
    """A template matches a leaf it is a prefix of, token by token (``*`` one token, ``**``
    any run of tokens)."""
    parts = []
    for token in template.split("/")[1:]:
        parts.append({"*": "[^/]+", "**": ".+"}.get(token, re.escape(token)))
    return re.compile("/" + "/".join(parts) + "(?:/.*)?$")


def matches(template: str, leaf: str) -> bool:
    """Whether ``leaf`` is the property of ``template`` or one inside it."""
    return bool(_pattern(template).match(leaf))


def row_of(leaf: str) -> tuple[str, str, str]:
    """(data point or "—", conversion or reason, "rule" / "quirk" / "not carried") of a leaf."""
    rule: Rule | None = next((r for r in RULES if r.pointer == leaf), None)
    if rule is not None:
        return rule.field, rule.conversion, "rule"
    for template, field, conversion in QUIRKS:
        if matches(template, leaf):
            return field or "—", conversion, "quirk"
    for template, reason in NOT_CARRIED:
        if matches(template, leaf):
            return "—", reason, "not carried"
    return "—", "UNDOCUMENTED", "not carried"


def mapping_table_markdown() -> str:
    """The generated table of specs/catena-x-mapping.md: every leaf property of the 6.1.0
    schema, the passport data point it carries and how, or why it carries none."""

    def cell(text: str) -> str:
        return text.replace("|", "\\|")

    lines = [
        "| Catena-X property (JSON pointer) | Required | batterypass data point | Conversion "
        "or reason | How |",
        "|---|---|---|---|---|",
    ]
    required = dict(_required_leaves())
    for leaf in leaves():
        field, text, how = row_of(leaf)
        shown = f"`{field}`" if field != "—" else field
        lines.append(
            f"| `{leaf}` | {'yes' if required[leaf] else 'no'} | {shown} | {cell(text)} | {how} |"
        )
    return "\n".join(lines) + "\n"


def _required_leaves(
    typ: Type | None = None, pointer: str = "", required: bool = True
) -> Iterator[tuple[str, bool]]:
    """Each leaf and whether it and every object on its way is required."""
    if typ is None:
        typ = structure()
    if isinstance(typ, Obj):
        for name, sub, req in typ.props:
            yield from _required_leaves(sub, f"{pointer}/{name}", required and req)
    elif isinstance(typ, List):
        yield from _required_leaves(typ.item, f"{pointer}/*", required)
    else:
        yield pointer, required
