"""MaterialComposition: chemistry, materials, critical raw materials, hazardous substances.

All by hand: the chemistry family is an upper-case short name, critical raw materials travel as
whole-battery material entries with a mass in g (concentration x battery mass), the materials'
masses are in g, and a hazardous substance's class is derived from its CLP codes."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import Any, Final

from batterypass.errors import PathItem
from batterypass.interop._shape import pointer as ptr
from batterypass.interop._units import TEN, THOUSAND, div, mul
from batterypass.interop.battery_pass._common import Exporter, Importer
from batterypass.interop.battery_pass._schema import GENERAL, MATERIALS
from batterypass.model import ChemistryFamily, Component, CriticalRawMaterial, MaterialEntry

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


def _same_substance(a_name: str, a_cas: str | None, b_name: str, b_cas: str | None) -> bool:
    if a_cas is not None and b_cas is not None:
        return a_cas == b_cas
    return a_name.strip().casefold() == b_name.strip().casefold()


def _is_critical(m: MaterialEntry, crms: Sequence[CriticalRawMaterial]) -> bool:
    return any(_same_substance(m.name, m.cas_number, c.name, c.cas_number) for c in crms)


# ---------------------------------------------------------------- export


def export(ex: Exporter, doc: dict[str, Any]) -> None:
    """Write the aspect (no rules: every property is a quirk)."""
    m, a = ex.p.materials, MATERIALS
    chemistry = None
    if m.chemistry is not None:
        chemistry = {
            "shortName": m.chemistry.family.value.upper(),
            "clearName": m.chemistry.designation,
        }
    if m.element_masses is not None:
        ex.lost("materials.element_masses", "the consortium model has no element masses")
    if m.substance_impact_url is not None:
        ex.lost(
            "materials.substance_impact_url",
            "the consortium holds impact statements per substance, not a document link",
        )
    crms = m.critical_raw_materials or ()
    entries: list[dict[str, Any]] | None = None
    if m.materials is not None or m.critical_raw_materials is not None:
        entries = []
        for i, mat in enumerate(m.materials or ()):
            if mat.share_percent is not None:
                ex.lost(
                    "materials.materials",
                    f"share_percent of material {i} not carried (the consortium holds the "
                    "mass only)",
                    a,
                    f"/batteryMaterials/{i}",
                )
            entries.append(
                {
                    "batteryMaterialLocation": {"componentName": _COMPONENT_TO_WIRE[mat.component]},
                    "batteryMaterialIdentifier": mat.cas_number,
                    "batteryMaterialName": mat.name,
                    "batteryMaterialMass": (
                        mul(mat.mass_kg, THOUSAND) if mat.mass_kg is not None else None
                    ),
                    "isCriticalRawMaterial": _is_critical(mat, crms),
                }
            )
        battery_kg = ex.p.general.mass_kg
        for crm in crms:
            mass = None
            if crm.concentration_percent is not None:
                if battery_kg is None:
                    ex.lost(
                        "materials.critical_raw_materials",
                        f"concentration of {crm.name!r} not carried: the consortium holds a "
                        "mass, and the passport has no battery mass to convert with",
                        a,
                        "/batteryMaterials",
                    )
                else:
                    mass = mul(crm.concentration_percent, battery_kg, TEN)
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
            ex.lost(
                "materials.materials",
                "not stated in the passport; the material list read back declares none",
                a,
                "/batteryMaterials",
            )
        if m.critical_raw_materials is None:
            ex.lost(
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
                ex.lost(
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
    doc.update(
        {
            "batteryChemistry": chemistry,
            "batteryMaterials": entries,
            "hazardousSubstances": hazards,
        }
    )


def read(imp: Importer, doc: Mapping[str, Any]) -> None:
    """Read the aspect."""
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
                imp.note(
                    a,
                    "/batteryChemistry/shortName",
                    f"{short!r} is no chemistry family batterypass knows; read as "
                    "'other' (the clear name is kept as the designation)",
                )
            out["family"] = family.value
        if "clearName" in chem:
            out["designation"] = chem["clearName"]
        imp.put(path, out, a, "/batteryChemistry")
        imp.at((*path, "family"), a, "/batteryChemistry/shortName")
        imp.at((*path, "designation"), a, "/batteryChemistry/clearName")
    if "batteryMaterials" in doc:
        _material_list(imp, doc["batteryMaterials"])
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
                "cas_number": _cas(
                    imp,
                    entry.get("hazardousSubstanceIdentifier"),
                    ptr(here, "hazardousSubstanceIdentifier"),
                ),
                "concentration_percent": entry.get("hazardousSubstanceConcentration"),
                "hazard_classes": [x for x in impact if x is not None],
            }
            cls = entry.get("hazardousSubstanceClass")
            if cls is not None and cls not in {_hazard_class_of(x) for x in impact if x}:
                imp.note(
                    a,
                    ptr(here, "hazardousSubstanceClass"),
                    f"class {cls!r} is not reflected in the impact statements, which "
                    "batterypass keeps as the hazard classes; dropped",
                )
            location = entry.get("hazardousSubstanceLocation")
            if isinstance(location, Mapping):
                item["location"] = _location(
                    imp,
                    a,
                    ptr(here, "hazardousSubstanceLocation"),
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
                imp.at((*path, ours), a, ptr(here, theirs))
            imp.at(path, a, here)
            hazards.append({k: v for k, v in item.items() if v is not None})
        imp.put(("materials", "hazardous_substances"), hazards, a, "/hazardousSubstances")


def _cas(imp: Importer, value: Any, pointer: str) -> Any:
    """A CAS number without white space around it (the consortium's own MaterialComposition
    sample has ``"7439-93-2 "``), with a note when some was removed."""
    if isinstance(value, str) and value != value.strip():
        imp.note(MATERIALS, pointer, f"white space around the CAS number {value!r} removed")
        return value.strip()
    return value


def _location(
    imp: Importer, aspect: str, pointer: str, location: Mapping[str, Any], *, allow_battery: bool
) -> str | None:
    """The component of a BatteryLocationEntity (``"battery"`` for the whole battery)."""
    if "componentId" in location:
        imp.note(
            aspect,
            ptr(pointer, "componentId"),
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
        imp.note(
            aspect,
            ptr(pointer, "componentName"),
            f"component {name!r} has no batterypass component; "
            + ("read as 'other'" if fallback else "dropped"),
        )
        return fallback
    return component.value


def _material_list(imp: Importer, entries: list[Any]) -> None:
    a = MATERIALS
    held = imp.out.get("general", {}).get("mass_kg")
    battery_kg = None if held is None else Decimal(held)
    materials: list[dict[str, Any]] = []
    crms: list[dict[str, Any]] = []
    flagged: list[tuple[int, dict[str, Any]]] = []
    for i, entry in enumerate(entries):
        if entry is None:
            continue
        here = f"/batteryMaterials/{i}"
        location = entry.get("batteryMaterialLocation")
        component = (
            _location(imp, a, ptr(here, "batteryMaterialLocation"), location, allow_battery=True)
            if isinstance(location, Mapping)
            else None
        )
        name = entry.get("batteryMaterialName")
        cas = _cas(
            imp, entry.get("batteryMaterialIdentifier"), ptr(here, "batteryMaterialIdentifier")
        )
        mass_g = entry.get("batteryMaterialMass")
        critical = entry.get("isCriticalRawMaterial") is True
        if component == "battery":
            if not critical:
                component = "other"
                imp.note(
                    a,
                    ptr(here, "isCriticalRawMaterial"),
                    "a whole-battery entry that is no critical raw material: read as a "
                    "material of component 'other'",
                )
            else:
                path = ("materials", "critical_raw_materials", len(crms))
                crm: dict[str, Any] = {"name": name, "cas_number": cas}
                if mass_g is not None:
                    if battery_kg is None or battery_kg <= 0:
                        imp.note(
                            a,
                            ptr(here, "batteryMaterialMass"),
                            "mass dropped: the concentration needs the battery mass "
                            f"({GENERAL} /batteryMass)",
                        )
                    else:
                        share, exact = div(Decimal(mass_g), mul(battery_kg, TEN))
                        if not exact:
                            imp.note(
                                a,
                                ptr(here, "batteryMaterialMass"),
                                "concentration rounded to 34 significant digits",
                            )
                        crm["concentration_percent"] = share
                for ours, theirs in (
                    ("name", "batteryMaterialName"),
                    ("cas_number", "batteryMaterialIdentifier"),
                    ("concentration_percent", "batteryMaterialMass"),
                ):
                    imp.at((*path, ours), a, ptr(here, theirs))
                imp.at(path, a, here)
                crms.append({k: v for k, v in crm.items() if v is not None})
                continue
        path = ("materials", "materials", len(materials))
        item: dict[str, Any] = {
            "component": component or "other",
            "name": name,
            "cas_number": cas,
            "mass_kg": mul(Decimal(mass_g), Decimal("0.001")) if mass_g is not None else None,
        }
        if component is None:
            imp.note(
                a,
                ptr(here, "batteryMaterialLocation"),
                "no component given: read as 'other'",
            )
        for ours, theirs in (
            ("component", "batteryMaterialLocation"),
            ("name", "batteryMaterialName"),
            ("cas_number", "batteryMaterialIdentifier"),
            ("mass_kg", "batteryMaterialMass"),
        ):
            imp.at((*path, ours), a, ptr(here, theirs))
        imp.at(path, a, here)
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
            imp.at((*path, "name"), a, ptr(here, "batteryMaterialName"))
            imp.at((*path, "cas_number"), a, ptr(here, "batteryMaterialIdentifier"))
            imp.at(path, a, here)
            crms.append(
                {
                    k: v
                    for k, v in (("name", item["name"]), ("cas_number", item["cas_number"]))
                    if v is not None
                }
            )
    imp.put(("materials", "materials"), materials, a, "/batteryMaterials")
    imp.put(("materials", "critical_raw_materials"), crms, a, "/batteryMaterials")
