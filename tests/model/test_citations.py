"""Citations checked against the Regulation's text (issue 15; what was verified and how is in
CHANGELOG.md): each data point and rule that cites one of the corrected provisions cites the
corrected one, and no superseded citation is left anywhere in the model or the lifecycle."""

from __future__ import annotations

from pathlib import Path

import pytest

from batterypass.model import iter_data_points

SRC = Path(__file__).resolve().parents[2] / "src" / "batterypass"

EXPECTED = {
    # Art. 77(7), first subparagraph: "Such battery shall have a new battery passport linked to
    # the battery passport or passports of the original battery or batteries."
    "predecessor_passport_id": "Art. 77(7)",
    "predecessor_last_event_sha256": "Art. 77(7)",
    # Annex XIII point 1(q): the marking requirements of Art. 13(4) and 13(5).
    "labels.separate_collection_symbol": "Annex XIII(1)(q); Art. 13(4); Annex VI Part B",
    "labels.cadmium_lead_symbols": "Annex XIII(1)(q); Art. 13(5)",
    # Annex XIII point 1(s): the information of Art. 74(1).
    "labels.meaning_of_labels_url": "Annex XIII(1)(s); Art. 74(1)(e)",
    "materials.substance_impact_url": "Annex XIII(1)(s); Art. 74(1)(f)",
    # Art. 7(1)(e): the carbon footprint per life cycle stage as described in Annex II point 4.
    "carbon_footprint.raw_material_acquisition_kg_co2e_per_kwh": (
        "Annex XIII(1)(c); Art. 7(1)(e); Annex II point 4"
    ),
    "carbon_footprint.end_of_life_kg_co2e_per_kwh": (
        "Annex XIII(1)(c); Art. 7(1)(e); Annex II point 4"
    ),
}


@pytest.mark.parametrize(("path", "basis"), sorted(EXPECTED.items()))
def test_corrected_citation(path: str, basis: str) -> None:
    found = {".".join(ref.path): ref.info.legal_basis for ref in iter_data_points()}
    assert found[path] == basis


@pytest.mark.parametrize(
    "superseded",
    [
        "Art. 77(6)",  # the successor passport is Art. 77(7), its end Art. 77(8)
        "Annex II(3)",  # the life-cycle stages are Annex II point 4 (Art. 7(1)(e))
        "Annex XIII(1)(s); Art. 13",  # the Art. 13 symbols are Annex XIII point 1(q)
    ],
)
def test_no_superseded_citation_in_the_sources(superseded: str) -> None:
    hits = [
        f"{p.relative_to(SRC)}:{n}"
        for p in sorted(SRC.rglob("*.py"))
        for n, line in enumerate(p.read_text(encoding="utf-8").splitlines(), 1)
        if superseded in line
    ]
    assert not hits, f"{superseded} still cited at {hits}"


def test_recycling_ends_the_passport_under_77_8() -> None:
    text = (SRC / "lifecycle" / "_chain.py").read_text(encoding="utf-8")
    assert 'legal_basis="Art. 77(8)"' in text
    assert text.count('legal_basis="Art. 77(7)"') >= 5  # closed / successor rules
