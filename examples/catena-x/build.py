"""Build the Catena-X example: the EV passport of examples/passports/ev-nmc.json as issued by a
Catena-X operator (Business Partner Numbers), and its export supplement, the Catena-X values
no passport data point holds (ADR 0013).

``batterypass export examples/catena-x/ev-nmc-bpn.json --format catena-x
--supplement examples/catena-x/ev-nmc-bpn.supplement.json --out ev.json`` then writes a
payload valid against the Catena-X battery pass 6.1.0 and 6.0.0 schemas with no missing value
(tests/interop/test_catena_x.py checks it). The values are invented, like those of
the other examples. Run from the repository root: ``python examples/catena-x/build.py``
(``--check`` only compares).
"""

from __future__ import annotations

import sys
from decimal import Decimal
from pathlib import Path
from typing import Any

from batterypass.codec import json as bp_json
from batterypass.interop import catena_x as cx
from batterypass.model import parse_passport

HERE = Path(__file__).resolve().parent
SOURCE = HERE.parent / "passports" / "ev-nmc.json"
PASSPORT = HERE / "ev-nmc-bpn.json"
SUPPLEMENT = HERE / "ev-nmc-bpn.supplement.json"

D = Decimal
OPERATOR = "BPNL0123456789ZZ"
SITE = "BPNA1234567890AA"
MEASURED = "2026-11-30T08:00:00Z"


def _doc(header: str, url: str) -> dict[str, Any]:
    return {"contentType": "application/pdf", "header": header, "content": url}


_DOCS = "https://docs.example-cells.example/evp75"


def passport_data() -> dict[str, Any]:
    data = bp_json.loads(SOURCE.read_bytes()).model_dump(mode="python", exclude_none=True)
    data["issuer"] = OPERATOR
    data["general"]["manufacturer"]["id"] = OPERATOR
    data["general"]["manufacturing_place"]["id"] = SITE
    data["performance"]["initial_self_discharge_percent_per_month"] = D("2.0")
    soh = data["state"]["state_of_health"]
    soh["current_self_discharge_percent_per_month"] = D("2.2")
    soh["ohmic_resistance_ohm"] = D("0.079")
    # The composition's shares are data points of the passport (Annex XIII(2)(a)): they are
    # signed there, not given in the supplement (which refuses them).
    for entry, share in zip(data["materials"]["materials"], SHARES, strict=True):
        entry["share_percent"] = D(share)
    return data


SHARES = ("22.0", "15.5", "10.0", "5.6")


def _material(location: str, doc: str) -> dict[str, Any]:
    """An active material; export writes its recycled share and, from the passport's list of
    critical raw materials, its critical flag."""
    return {
        "location": location,
        "documentation": [_doc("Material declaration", f"{_DOCS}/{doc}.pdf")],
    }


def _absent(location: str, doc: str) -> dict[str, Any]:
    """A hazardous element the battery holds none of: concentration 0."""
    return {
        "concentration": 0,
        "materialUnit": "unit:partPerMillion",
        "location": location,
        "critical": False,
        "impactOfSubstances": [],
        "documentation": [_doc("Restricted substances test", f"{_DOCS}/{doc}.pdf")],
    }


def _composition(
    ident: list[dict[str, Any]] | None, critical: bool | None, recycled: str
) -> dict[str, Any]:
    """A composition entry; export writes its location, share and CAS identifier from the
    passport. An identifier of another type names the material as the passport does."""
    entry: dict[str, Any] = {
        "documentation": [_doc("Material declaration", f"{_DOCS}/materials.pdf")],
        "recycled": D(recycled),
        "renewable": 0,
    }
    if ident is not None:
        entry["id"] = ident
    if critical is not None:
        entry["critical"] = critical
    return entry


def supplement() -> dict[str, Any]:
    rulebook = [_doc("PEFCR batteries", f"{_DOCS}/cf-rules.pdf")]
    plant = [{"facility": SITE}]
    stage = {"rulebook": rulebook, "manufacturingPlant": plant}
    declared = {**stage, "declaration": [_doc("Carbon footprint declaration", f"{_DOCS}/cf.pdf")]}
    return {
        "identification": {
            "idDmc": "EVP75-NMC811-24-000123",
            "identification": {
                "type": {"manufacturerPartId": "EVP75-NMC811"},
                "codes": [{"key": "HS", "value": "850760"}],
                "dataCarrier": {"carrierType": "QR code", "carrierLayout": "on the top cover"},
                "classification": [
                    {
                        "classificationStandard": "UNSPSC",
                        "classificationID": "26111700",
                        "classificationDescription": "Rechargeable batteries",
                    }
                ],
            },
        },
        "sustainability": {"carbonFootprint": [declared, declared, declared, declared, stage]},
        "materials": {
            "active": {
                "nickel": _material("cathode", "nickel"),
                "lithium": _material("cathode and electrolyte", "lithium"),
                "cobalt": _material("cathode", "cobalt"),
                "lead": {**_absent("none", "lead"), "recycled": 0},
            },
            "hazardous": {
                "cadmium": _absent("none", "cadmium"),
                "mercury": _absent("none", "mercury"),
                "lead": {**_absent("none", "lead"), "recycled": 0},
                "other": [
                    {
                        "critical": False,
                        "documentation": [_doc("Safety data sheet", f"{_DOCS}/lipf6-sds.pdf")],
                    },
                    {
                        "materialIdentification": [
                            {
                                "id": "lithium nickel manganese cobalt oxide",
                                "type": "IUPAC",
                                "name": "Nickel cobalt manganese oxide (LiNi0.8Mn0.1Co0.1O2)",
                            }
                        ],
                        "critical": True,
                        "documentation": [_doc("Safety data sheet", f"{_DOCS}/nmc-sds.pdf")],
                    },
                ],
            },
            "composition": [
                _composition(
                    [
                        {
                            "id": "lithium nickel manganese cobalt oxide",
                            "type": "IUPAC",
                            "name": "LiNi0.8Mn0.1Co0.1O2",
                        }
                    ],
                    True,
                    "8.1",
                ),
                _composition(None, None, "0"),
                _composition(
                    [
                        {
                            "id": "lithium hexafluorophosphate",
                            "type": "IUPAC",
                            "name": "LiPF6 in EC/EMC",
                        }
                    ],
                    False,
                    "0",
                ),
                _composition(None, False, "35"),
            ],
        },
        "performance": {
            "rated": {
                "roundTripEfficiency": {"depthOfDischarge": 80},
                "lifetime": {
                    "report": [_doc("Cycle life test report", f"{_DOCS}/cycle-life.pdf")],
                    "cycleLifeTesting": {
                        "temperature": 25,
                        "depthOfDischarge": 80,
                        "appliedChargeRate": D("0.5"),
                    },
                },
            },
            "dynamic": {
                "power": {"remaining": {"value": 180000, "time": MEASURED}},
                "resistance": {
                    "increase": {"cell": {"value": D("3.1"), "time": MEASURED}},
                    "remaining": {"cell": {"value": D("0.00052"), "time": MEASURED}},
                },
            },
        },
        "safety": {"usableExtinguishAgent": [{"fireClass": "A"}, {"fireClass": "A, B, C"}]},
        "metadata": {
            "version": "1.0.0",
            "expirationDate": "2036-12-31",
            "predecessor": "00000000-0000-0000-0000-000000000000",
            "backupReference": "https://backup.example-cells.example/passports/evp75",
        },
        "commercial": {"placedOnMarket": "2026-11-30", "purpose": ["automotive"]},
        "handling": {"applicable": True, "content": {"producer": [{"id": OPERATOR}]}},
    }


def main(argv: list[str]) -> int:
    passport = parse_passport(passport_data())
    sup = supplement()
    files = {
        PASSPORT: bp_json.dumps(passport).encode("utf-8"),
        SUPPLEMENT: cx.dumps_catena_x(sup).encode("utf-8"),
    }
    stale = [path for path, data in files.items() if not path.exists() or path.read_bytes() != data]
    if "--check" in argv:
        for path in stale:
            print(f"stale: {path}", file=sys.stderr)
        return 1 if stale else 0
    for path in stale:
        path.write_bytes(files[path])
        print(f"wrote {path}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
