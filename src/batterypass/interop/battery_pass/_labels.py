"""Labeling: declaration of conformity, test reports, label symbols.

All by hand: the documents are bare URLs, and the label list is keyed by ``labelingSubject``
(separate collection, cadmium and lead, carbon footprint; extinguishing-agent labels are
dropped, the agents being text in Circularity)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Final

from batterypass.errors import PathItem
from batterypass.interop.battery_pass._common import Exporter, Importer
from batterypass.interop.battery_pass._schema import CIRCULARITY, LABELS

_DOC_TITLE: Final = "EU declaration of conformity"
_TEST_REPORT_TITLE: Final = "Results of test reports"
_LABEL_LANGUAGE: Final = "en"


def export(ex: Exporter, doc: dict[str, Any]) -> None:
    """Write the aspect (no rules: every property is a quirk)."""
    lb, a = ex.p.labels, LABELS
    reports = ex.single_document_url(
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
                    ex.lost(field, "media type and SHA-256 digest not carried", a, here)
                entries.append(
                    {
                        "labelingSymbol": ref.url,
                        "labelingMeaning": {_LABEL_LANGUAGE: ref.title},
                        "labelingSubject": subject,
                    }
                )
        if lb.cadmium_lead_symbols is None:
            ex.lost(
                "labels.cadmium_lead_symbols",
                "not stated in the passport; the label list read back declares none",
                a,
                "/labels",
            )
    if lb.meaning_of_labels_url is not None:
        ex.lost(
            "labels.meaning_of_labels_url",
            "the consortium holds a meaning text per label, not a document link",
        )
    doc["declarationOfConformity"] = ex.document_url(
        lb.declaration_of_conformity,
        "labels.declaration_of_conformity",
        a,
        "/declarationOfConformity",
        _DOC_TITLE,
    )
    doc["resultOfTestReport"] = reports
    doc["labels"] = entries


def read(imp: Importer, doc: Mapping[str, Any]) -> None:
    """Read the aspect."""
    a = LABELS
    if "declarationOfConformity" in doc:
        here = "/declarationOfConformity"
        imp.put(
            ("labels", "declaration_of_conformity"),
            {"title": _DOC_TITLE, "url": doc["declarationOfConformity"]},
            a,
            here,
        )
        imp.at(("labels", "declaration_of_conformity", "url"), a, here)
    if "resultOfTestReport" in doc:
        imp.put_single_document(
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
            imp.note(a, here, "label without a subject dropped")
            continue
        if subject == "ExtinguishingAgent":
            imp.note(
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
                imp.note(
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
                imp.note(
                    a,
                    here,
                    f"second {subject} label dropped (the passport holds one; "
                    f"kept {single[field]})",
                )
                continue
            single[field] = here
            path = ("labels", field)
            imp.put(path, ref, a, here)
        imp.at((*path, "title"), a, f"{here}/labelingMeaning")
        imp.at((*path, "url"), a, f"{here}/labelingSymbol")
        imp.at(path, a, here)
    imp.put(("labels", "cadmium_lead_symbols"), symbols, a, "/labels")
