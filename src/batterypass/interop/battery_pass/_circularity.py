"""Circularity: dismantling documents, spare-part sources, recycled content, safety measures,
end-of-life information, renewable content.

Quirks by hand: documents are typed where the passport titles them, part numbers sit under a
spare-part source, recycled content has no total share, the safety instructions are one URL,
and the extinguishing agents (a label data point of the passport) travel here."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any, Final

from batterypass.interop._rules import SAME, Rule, Verbatim
from batterypass.interop._shape import pointer as ptr
from batterypass.interop._units import tidy
from batterypass.interop.battery_pass._common import Exporter, Importer, email_problem
from batterypass.interop.battery_pass._schema import CIRCULARITY
from batterypass.model import Element

_R = CIRCULARITY
RULES: Final[tuple[Rule, ...]] = (
    Rule(
        _R,
        "/endOfLifeInformation/wastePrevention",
        "circularity.waste_prevention_info_url",
        Verbatim(),
        longlist=49,
    ),
    Rule(
        _R,
        "/endOfLifeInformation/separateCollection",
        "circularity.separate_collection_info_url",
        Verbatim(),
        longlist=50,
    ),
    Rule(
        _R,
        "/endOfLifeInformation/informationOnCollection",
        "circularity.end_of_life_info_url",
        Verbatim(),
        longlist=51,
    ),
    Rule(_R, "/renewableContent", "circularity.renewable_content_percent", SAME, longlist=48),
)

_RECYCLED_TO_WIRE: Final = {
    Element.COBALT: "Cobalt",
    Element.NICKEL: "Nickel",
    Element.LITHIUM: "Lithium",
    Element.LEAD: "Lead",
}
_RECYCLED_FROM_WIRE: Final = {v: k for k, v in _RECYCLED_TO_WIRE.items()}

_DOCUMENT_TITLES: Final = {
    "BillOfMaterial": "Bill of material",
    "Model3D": "3D model",
    "DismantlingManual": "Dismantling manual",
    "RemovalManual": "Removal manual",
    "OtherManual": "Other manual",
    "Drawing": "Drawing",
}
_DOCUMENT_TYPE_OF_TITLE: Final = {v: k for k, v in _DOCUMENT_TITLES.items()}
_SAFETY_TITLE: Final = "Safety instructions"


def export(ex: Exporter, doc: dict[str, Any]) -> None:
    """Add the quirks to the rules' document."""
    c, a = ex.p.circularity, CIRCULARITY
    dismantling = None
    if c.dismantling_information is not None:
        dismantling = []
        for i, ref in enumerate(c.dismantling_information):
            doc_type = _DOCUMENT_TYPE_OF_TITLE.get(ref.title, "OtherManual")
            here = f"/dismantlingAndRemovalInformation/{i}"
            if ref.title != _DOCUMENT_TITLES[doc_type]:
                ex.lost(
                    "circularity.dismantling_information",
                    f"title {ref.title!r} not carried (the consortium holds a document type; "
                    f"written as {doc_type!r})",
                    a,
                    here,
                )
            if ref.sha256 is not None:
                ex.lost(
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
                        ex.address(
                            s.address,
                            "circularity.spare_part_sources",
                            a,
                            ptr(here, "addressOfSupplier"),
                        )
                        if s.address is not None
                        else None
                    ),
                    "emailAddressOfSupplier": ex.email(
                        s.email,
                        a,
                        ptr(here, "emailAddressOfSupplier"),
                        "circularity.spare_part_sources",
                    ),
                    "supplierWebAddress": s.url,
                    # Our part numbers are not tied to a supplier: all go with the first.
                    "components": components if i == 0 else [],
                }
            )
    if (parts and not sources) or (parts is not None and sources is None):
        ex.lost(
            "circularity.part_numbers",
            "the consortium lists part numbers under a spare-part source, and the passport "
            "has none",
            a,
            "/sparePartSources",
        )
    elif parts is None and sources is not None:
        ex.lost(
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
                ex.lost(
                    "circularity.recycled_content",
                    f"recycled content of {r.material.value} not carried (the consortium "
                    "lists cobalt, nickel, lithium and lead only)",
                    a,
                    "/recycledContent",
                )
                continue
            # No total: the model holds it equal to pre- plus post-consumer (Art. 8(1)), and
            # import reads it back as that sum.
            recycled.append(
                {
                    "preConsumerShare": r.pre_consumer_percent,
                    "recycledMaterial": wire,
                    "postConsumerShare": r.post_consumer_percent,
                }
            )
    safety = None
    agents = ex.p.labels.extinguishing_agents
    if c.safety_measures is not None or agents is not None:
        url = ex.single_document_url(
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
    if c.recycling_potential is not None:
        ex.lost(
            "circularity.recycling_potential", "the consortium model has no recycling potential"
        )
    doc["dismantlingAndRemovalInformation"] = dismantling
    doc["sparePartSources"] = spare
    doc["recycledContent"] = recycled
    doc["safetyMeasures"] = safety


def read(imp: Importer, doc: Mapping[str, Any]) -> None:
    """Read the quirks; the rules have read the rest."""
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
                imp.at((*path, ours), a, ptr(here, theirs))
            imp.at(path, a, here)
        imp.put(
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
            email = source["email"]
            if isinstance(email, str) and (problem := email_problem(email)) is not None:
                imp.fail(a, ptr(here, "emailAddressOfSupplier"), problem)
                source["email"] = None
            if isinstance(entry.get("addressOfSupplier"), Mapping):
                source["address"] = imp.address(
                    a,
                    ptr(here, "addressOfSupplier"),
                    entry["addressOfSupplier"],
                    (*path, "address"),
                )
            for ours, theirs in (
                ("name", "nameOfSupplier"),
                ("email", "emailAddressOfSupplier"),
                ("url", "supplierWebAddress"),
            ):
                imp.at((*path, ours), a, ptr(here, theirs))
            imp.at(path, a, here)
            sources.append({k: v for k, v in source.items() if v is not None})
            components = [c for c in entry.get("components", ()) if c is not None]
            with_parts += bool(components)
            for j, comp in enumerate(entry.get("components", ())):
                if comp is None:
                    continue
                there = ptr(here, "components") + f"/{j}"
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
                imp.at((*ppath, "component"), a, ptr(there, "partName"))
                imp.at((*ppath, "part_number"), a, ptr(there, "partNumber"))
                imp.at(ppath, a, there)
        if with_parts > 1:
            imp.note(
                a,
                "/sparePartSources",
                "part numbers of several sources merged into one list (the passport "
                "does not tie part numbers to a source)",
            )
        imp.put(("circularity", "spare_part_sources"), sources, a, "/sparePartSources")
        imp.put(("circularity", "part_numbers"), parts, a, "/sparePartSources")
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
                    tidy(Decimal(pre) + Decimal(post))
                    if pre is not None and post is not None
                    else None
                ),
            }
            total = item["total_percent"]
            if isinstance(total, Decimal) and total > 100:
                # The total is read as pre + post; say so at the entry, not at one share.
                imp.fail(
                    a,
                    here,
                    f"preConsumerShare {pre} % + postConsumerShare {post} % = {total} %: the "
                    "recycled shares of one material cannot exceed 100 %",
                )
                item["total_percent"] = None
            for ours, theirs in (
                ("material", "recycledMaterial"),
                ("pre_consumer_percent", "preConsumerShare"),
                ("post_consumer_percent", "postConsumerShare"),
                ("total_percent", ""),
            ):
                imp.at((*path, ours), a, ptr(here, theirs) if theirs else here)
            imp.at(path, a, here)
            recycled.append({k: v for k, v in item.items() if v is not None})
        imp.put(("circularity", "recycled_content"), recycled, a, "/recycledContent")
    safety = doc.get("safetyMeasures")
    if isinstance(safety, Mapping):
        if "safetyInstructions" in safety:
            imp.put_single_document(
                ("circularity", "safety_measures"),
                _SAFETY_TITLE,
                safety["safetyInstructions"],
                a,
                "/safetyMeasures/safetyInstructions",
            )
        if "extinguishingAgent" in safety:
            here = "/safetyMeasures/extinguishingAgent"
            agents = safety["extinguishingAgent"]
            imp.put(
                ("labels", "extinguishing_agents"),
                [x for x in agents if x is not None],
                a,
                here,
            )
            for i in range(len(agents)):
                imp.at(("labels", "extinguishing_agents", i), a, f"{here}/{i}")
