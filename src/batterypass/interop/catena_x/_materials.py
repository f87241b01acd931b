"""The passport's materials in the Catena-X battery pass (``/materials``); see ADR 0013.

Catena-X describes materials in three places: the active materials nickel, lithium, cobalt and
lead, each with one recycled share; the hazardous substances (cadmium, mercury, lead and a list
of others) with a concentration, a location as text and chemical identifiers; and a material
composition list. What crosses, and how:

- ``circularity.recycled_content`` -> ``/materials/active/<m>/recycled``: the total share, the
  pre- plus post-consumer share that Art. 8(1) counts. Catena-X has no split, so import cannot
  rebuild a :class:`~batterypass.model.RecycledContent`: the share is written and not read.
- ``materials.critical_raw_materials`` -> ``critical: true`` on an active material, a hazardous
  substance or a composition entry the list names (by CAS number, or by the element's name).
  Only ``true`` is written: a material absent from the list is not thereby non-critical, so
  the flag is then left to the export supplement. Not read back.
- ``materials.hazardous_substances`` <-> ``/materials/hazardous/other``: name and CAS / EC
  number as ``materialIdentification``, the concentration in ``unit:percent`` (import converts
  per thousand, million, billion and trillion exactly; a share by volume is no mass share), the
  component as ``location``, and ``materials.substance_impact_url`` as each entry's
  ``impactOfSubstances``. Hazard classes are lost.
- ``materials.materials`` <-> ``/materials/composition``: name and CAS number as ``id``, the
  share as ``concentration``, the component as ``location``. The mass is lost.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any, Final

from batterypass.errors import PathItem
from batterypass.interop import _rules
from batterypass.interop._units import mul
from batterypass.interop.battery_pass._common import Exporter, Importer
from batterypass.interop.catena_x._schema import DOCUMENT as _D
from batterypass.model import Component, CriticalRawMaterial, Element

ACTIVE: Final = (Element.NICKEL, Element.LITHIUM, Element.COBALT, Element.LEAD)
"""The active materials Catena-X names, each at ``/materials/active/<name>``."""

# CAS registry numbers of the elements Catena-X names, to find them in the critical list.
ELEMENT_CAS: Final = {
    Element.NICKEL: "7440-02-0",
    Element.LITHIUM: "7439-93-2",
    Element.COBALT: "7440-48-4",
    Element.LEAD: "7439-92-1",
}

PERCENT_PER_UNIT: Final = {
    "unit:percent": Decimal(1),
    "unit:partPerThousand": Decimal("0.1"),
    "unit:partPerMillion": Decimal("0.0001"),
    "unit:partPerBillionUs": Decimal("0.0000001"),
    "unit:partPerTrillionUs": Decimal("0.0000000001"),
}
"""Mass shares in percent per unit of the schema's concentration units (exact); the schema's
``unit:percentVolume`` is a share by volume and has no place in a mass share."""

IMPACT_HEADER: Final = "Impact of substances"
_HAZARDOUS: Final = "/materials/hazardous/other"
_COMPOSITION: Final = "/materials/composition"
_COMPONENTS: Final = {c.value: c for c in Component}


def _critical(crm: tuple[CriticalRawMaterial, ...] | None, name: str, cas: str | None) -> bool:
    """Whether the passport's critical raw material list names this material."""
    for entry in crm or ():
        if cas is not None and entry.cas_number == cas:
            return True
        if entry.name.strip().casefold() == name.strip().casefold():
            return True
    return False


def _ids(name: str, cas: str | None, ec: str | None) -> list[dict[str, Any]]:
    ids = []
    if cas is not None:
        ids.append({"id": cas, "type": "CAS", "name": name})
    if ec is not None:
        ids.append({"id": ec, "type": "EC", "name": name})
    return ids


# ---------------------------------------------------------------- export


def export_materials(ex: Exporter, doc: dict[str, Any]) -> None:
    p = ex.p
    m, crm = p.materials, p.materials.critical_raw_materials
    recycled = {rc.material: rc for rc in p.circularity.recycled_content or ()}
    for element in ACTIVE:
        here = f"/materials/active/{element.value}"
        rc = recycled.pop(element, None)
        if rc is not None:
            _rules.set_pointer(doc, f"{here}/recycled", rc.total_percent)
        if _critical(crm, element.value, ELEMENT_CAS[element]):
            _rules.set_pointer(doc, f"{here}/critical", True)
    if p.circularity.recycled_content is not None:
        ex.lost(
            "circularity.recycled_content",
            "written as one total share per material at /materials/active/<material>/recycled;"
            " import cannot split it into the pre- and post-consumer shares of Art. 8(1)"
            + (
                f", and Catena-X has no place for {', '.join(sorted(recycled))}" if recycled else ""
            ),
            _D,
            "/materials/active",
        )
    if crm is not None:
        ex.lost(
            "materials.critical_raw_materials",
            "written only as critical: true on the materials the list names; names, CAS "
            "numbers and concentrations of the list are not carried",
            _D,
            "/materials",
        )
    impact = m.substance_impact_url
    substances = m.hazardous_substances
    if substances is not None:
        entries = []
        for i, s in enumerate(substances):
            here = f"{_HAZARDOUS}/{i}"
            entry: dict[str, Any] = {
                "concentration": s.concentration_percent,
                "materialUnit": "unit:percent",
            }
            ids = _ids(s.name, s.cas_number, s.ec_number)
            if ids:
                entry["materialIdentification"] = ids
            else:
                ex.lost(
                    "materials.hazardous_substances",
                    f"substance {s.name!r} has neither a CAS nor an EC number: Catena-X names a "
                    "substance only with its identifier",
                    _D,
                    f"{here}/materialIdentification",
                )
            if s.location is not None:
                entry["location"] = s.location.value
            if _critical(crm, s.name, s.cas_number):
                entry["critical"] = True
            if impact is not None:
                entry["impactOfSubstances"] = [
                    {"contentType": "URL", "header": IMPACT_HEADER, "content": impact}
                ]
            if s.hazard_classes:
                ex.lost(
                    "materials.hazardous_substances",
                    f"hazard classes of {s.name!r} not carried",
                    _D,
                    here,
                )
            entries.append(entry)
        _rules.set_pointer(doc, _HAZARDOUS, entries)
    if impact is not None and not substances:
        ex.lost(
            "materials.substance_impact_url",
            "written only with each hazardous substance, and there are none",
            _D,
            _HAZARDOUS,
        )
    materials = m.materials
    if materials is not None:
        entries = []
        for i, mat in enumerate(materials):
            here = f"{_COMPOSITION}/{i}"
            entry = {"location": mat.component.value}
            if mat.cas_number is not None:
                entry["id"] = _ids(mat.name, mat.cas_number, None)
            else:
                ex.lost(
                    "materials.materials",
                    f"material {mat.name!r} has no CAS number: Catena-X names a material only "
                    "with its identifier",
                    _D,
                    f"{here}/id",
                )
            if mat.share_percent is not None:
                entry["concentration"] = mat.share_percent
                entry["unit"] = "unit:percent"
            if _critical(crm, mat.name, mat.cas_number):
                entry["critical"] = True
            if mat.mass_kg is not None:
                ex.lost("materials.materials", f"mass of {mat.name!r} not carried", _D, here)
            entries.append(entry)
        _rules.set_pointer(doc, _COMPOSITION, entries)
    if m.element_masses is not None:
        ex.lost("materials.element_masses", "Catena-X battery pass 6.1.0 has no element masses")


# ---------------------------------------------------------------- import


def _percent(
    imp: Importer, entry: Mapping[str, Any], value_key: str, unit_key: str, here: str
) -> Any:
    """The entry's concentration as a mass share in percent, or None (with a note)."""
    if value_key not in entry:
        return None
    unit = entry.get(unit_key)
    factor = PERCENT_PER_UNIT.get(unit) if isinstance(unit, str) else None
    if factor is None:
        imp.note(
            _D,
            f"{here}/{value_key}",
            f"dropped: a concentration in {unit!r} is no mass share in percent",
        )
        return None
    return entry[value_key] if factor == 1 else mul(Decimal(entry[value_key]), factor)


def _identity(
    imp: Importer, ids: Any, here: str, path: tuple[PathItem, ...], what: str
) -> dict[str, Any] | None:
    """Name, CAS and EC number from a ``materialIdentification`` / ``id`` list."""
    out: dict[str, Any] = {}
    for j, item in enumerate(ids or ()):
        if not isinstance(item, Mapping):
            continue
        there = f"{here}/{j}"
        if "name" in item and "name" not in out:
            out["name"] = item["name"]
            imp.at((*path, "name"), _D, f"{there}/name")
        elif "name" in item and item["name"] != out["name"]:
            imp.note(
                _D,
                f"{there}/name",
                f"name {item['name']!r} dropped (the passport holds one name of a {what}, "
                f"{out['name']!r})",
            )
        if "id" not in item and "type" not in item:
            continue
        kind = {"CAS": "cas_number", "EC": "ec_number"}.get(item.get("type", ""))
        if kind is None or kind in out:
            imp.note(_D, there, f"identifier of type {item.get('type')!r} dropped")
            continue
        if "id" in item:
            out[kind] = item["id"]
            imp.at((*path, kind), _D, f"{there}/id")
    if "name" not in out:
        imp.note(_D, here.rsplit("/", 1)[0], f"dropped: the passport needs the name of the {what}")
        return None
    return out


def _component(imp: Importer, entry: Mapping[str, Any], here: str) -> Component | None:
    text = entry.get("location")
    if not isinstance(text, str):
        return None
    found = _COMPONENTS.get(text.strip().casefold())
    if found is None:
        imp.note(
            _D,
            f"{here}/location",
            f"{text!r} dropped: the passport locates a material in one of {', '.join(_COMPONENTS)}",
        )
    return found


def read_materials(imp: Importer, doc: Mapping[str, Any]) -> None:
    active = _rules.get_pointer(doc, "/materials/active")[1]
    for element in ACTIVE:
        block = active.get(element.value) if isinstance(active, Mapping) else None
        if not isinstance(block, Mapping):
            continue
        here = f"/materials/active/{element.value}"
        if "recycled" in block:
            imp.note(
                _D,
                f"{here}/recycled",
                "dropped: one recycled share cannot be split into the pre- and post-consumer "
                "shares the passport holds (Art. 8(1))",
            )
        if "critical" in block:
            imp.note(_D, f"{here}/critical", "dropped: the passport lists critical raw materials")
    found, substances = _rules.get_pointer(doc, _HAZARDOUS)
    if found and isinstance(substances, list):
        out: list[dict[str, Any]] = []
        impacts: list[tuple[str, str]] = []
        for i, entry in enumerate(substances):
            if not isinstance(entry, Mapping):
                continue
            here = f"{_HAZARDOUS}/{i}"
            path: tuple[PathItem, ...] = ("materials", "hazardous_substances", len(out))
            ident = _identity(
                imp,
                entry.get("materialIdentification"),
                f"{here}/materialIdentification",
                path,
                "substance",
            )
            share = _percent(imp, entry, "concentration", "materialUnit", here)
            for j, link in enumerate(entry.get("impactOfSubstances") or ()):
                if isinstance(link, Mapping) and isinstance(link.get("content"), str):
                    there = f"{here}/impactOfSubstances/{j}"
                    impacts.append((link["content"], f"{there}/content"))
                    if link.get("header") not in (None, IMPACT_HEADER):
                        imp.note(
                            _D, f"{there}/header", "header dropped (the passport holds a link)"
                        )
                    if link.get("contentType") not in (None, "URL"):
                        imp.note(
                            _D,
                            f"{there}/contentType",
                            f"content type {link['contentType']!r} dropped (the passport holds "
                            "a link)",
                        )
            if ident is None:
                continue
            if share is None:
                imp.note(_D, here, "dropped: the passport needs the concentration in percent")
                continue
            imp.at((*path, "concentration_percent"), _D, f"{here}/concentration")
            imp.at(path, _D, here)
            if "critical" in entry:
                imp.note(
                    _D, f"{here}/critical", "dropped: the passport lists critical raw materials"
                )
            item = {**ident, "concentration_percent": share}
            component = _component(imp, entry, here)
            if component is not None:
                item["location"] = component
                imp.at((*path, "location"), _D, f"{here}/location")
            out.append(item)
        if out or not substances:
            # A list whose every entry was dropped says nothing (it is not "none present").
            imp.put(("materials", "hazardous_substances"), out, _D, _HAZARDOUS)
        if impacts:
            url, where = impacts[0]
            imp.put(("materials", "substance_impact_url"), url, _D, where)
            others = sorted({u for u, _ in impacts} - {url})
            if others:
                imp.note(
                    _D,
                    where,
                    f"{len(others)} other impact link(s) dropped (the passport holds one for "
                    f"all substances), e.g. {others[0]!r}",
                )
    found, composition = _rules.get_pointer(doc, _COMPOSITION)
    if found and isinstance(composition, list):
        mats: list[dict[str, Any]] = []
        for i, entry in enumerate(composition):
            if not isinstance(entry, Mapping):
                continue
            here = f"{_COMPOSITION}/{i}"
            path = ("materials", "materials", len(mats))
            ident = _identity(imp, entry.get("id"), f"{here}/id", path, "material")
            if "critical" in entry:
                imp.note(
                    _D, f"{here}/critical", "dropped: the passport lists critical raw materials"
                )
            share = _percent(imp, entry, "concentration", "unit", here)
            component = _component(imp, entry, here)
            if ident is None:
                continue
            if component is None:
                imp.note(_D, here, "dropped: the passport needs the component of a material")
                continue
            if ident.pop("ec_number", None) is not None:
                imp.note(_D, f"{here}/id", "EC number dropped (the passport holds a CAS number)")
            item = {**ident, "component": component}
            imp.at((*path, "component"), _D, f"{here}/location")
            imp.at(path, _D, here)
            if share is not None:
                item["share_percent"] = share
                imp.at((*path, "share_percent"), _D, f"{here}/concentration")
            mats.append(item)
        if mats or not composition:
            imp.put(("materials", "materials"), mats, _D, _COMPOSITION)
