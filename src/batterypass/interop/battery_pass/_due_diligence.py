"""SupplyChainDueDiligence. Quirks by hand: ``thirdPartyAussurances`` holds one URL where the
passport holds a list, ``supplyChainIndicies`` one number where it holds texts."""

from __future__ import annotations

import re
from collections.abc import Mapping
from decimal import Decimal
from typing import Any, Final

from batterypass.interop._rules import Rule, Verbatim
from batterypass.interop.battery_pass._common import Exporter, Importer
from batterypass.interop.battery_pass._schema import DUE_DILIGENCE

_NUMERIC_TEXT: Final = re.compile(r"^-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?$")

RULES: Final[tuple[Rule, ...]] = (
    Rule(
        DUE_DILIGENCE,
        "/supplyChainDueDiligenceReport",
        "due_diligence.report_url",
        Verbatim(),
        longlist=28,
    ),
)


def export(ex: Exporter, doc: dict[str, Any]) -> None:
    """Add the quirks to the rules' document."""
    d, a = ex.p.due_diligence, DUE_DILIGENCE
    assurance = None
    if d.third_party_assurances is not None:
        if d.third_party_assurances:
            assurance = d.third_party_assurances[0]
        if len(d.third_party_assurances) != 1:
            ex.lost(
                "due_diligence.third_party_assurances",
                f"{len(d.third_party_assurances)} assurances: the consortium holds exactly one URL",
                a,
                "/thirdPartyAussurances",
            )
    index = None
    if d.supply_chain_indices is not None:
        texts = d.supply_chain_indices
        if len(texts) == 1 and _NUMERIC_TEXT.match(texts[0]):
            index = Decimal(texts[0])
        else:
            ex.lost(
                "due_diligence.supply_chain_indices",
                "the consortium holds exactly one index, as a number; "
                f"the passport has {len(texts)} text(s)"
                + ("" if len(texts) != 1 else " that is not a plain decimal number"),
                a,
                "/supplyChainIndicies",
            )
    doc["thirdPartyAussurances"] = assurance
    doc["supplyChainIndicies"] = index


def read(imp: Importer, doc: Mapping[str, Any]) -> None:
    """Read the quirks; the rules have read the rest."""
    a = DUE_DILIGENCE
    if "thirdPartyAussurances" in doc:
        imp.put(
            ("due_diligence", "third_party_assurances"),
            [doc["thirdPartyAussurances"]],
            a,
            "/thirdPartyAussurances",
        )
        imp.at(("due_diligence", "third_party_assurances", 0), a, "/thirdPartyAussurances")
    if "supplyChainIndicies" in doc:
        value = doc["supplyChainIndicies"]
        text = str(value) if isinstance(value, int) else format(value, "f")
        imp.put(("due_diligence", "supply_chain_indices"), [text], a, "/supplyChainIndicies")
        imp.at(("due_diligence", "supply_chain_indices", 0), a, "/supplyChainIndicies")
