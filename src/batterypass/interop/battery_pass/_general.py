"""GeneralProductInformation: identifiers, category, operators, dates, mass, status, warranty.

Quirks by hand: the passport identifier's pattern, the category (``stationary`` is an
industrial battery for stationary storage), the postal addresses (no locality property) and
the warranty period (``warrentyPeriod``, an xsd:gMonth read as a number of months)."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any, Final

from batterypass.interop._rules import SAME, DateStamp, Rule, Table, Verbatim
from batterypass.interop.battery_pass._common import Exporter, Importer, contact_rules
from batterypass.interop.battery_pass._schema import GENERAL
from batterypass.model import BatteryCategory, BatteryStatus, ChinaData

_GMONTH: Final = re.compile(r"^--(0[1-9]|1[0-2])(Z|[+-]\d{2}:\d{2})?$")
_MONTHS_DURATION: Final = re.compile(r"^P(?=\d)(?:(\d{1,4})Y)?(?:(\d{1,5})M)?$")
_CONSORTIUM_URN: Final = re.compile(r"^urn:[a-z0-9]+:[a-z0-9]+$")

_STATUS: Final = Table(
    (
        (BatteryStatus.ORIGINAL, "Original"),
        (BatteryStatus.REPURPOSED, "Repurposed"),
        (BatteryStatus.REUSED, "Reused"),
        (BatteryStatus.REMANUFACTURED, "Remanufactured"),
        (BatteryStatus.WASTE, "Waste"),
    )
)

_G = GENERAL
RULES: Final[tuple[Rule, ...]] = (
    Rule(_G, "/productIdentifier", "battery_id", Verbatim(), longlist=2),
    Rule(
        _G,
        "/batteryPassportIdentifier",
        "passport_id",
        Verbatim(
            "none; written verbatim even where it breaks the consortium's pattern "
            "^urn:[a-z0-9]+:[a-z0-9]+$ (export reports a deviation)"
        ),
        longlist=1,
    ),
    *contact_rules("manufacturerInformation", "general.manufacturer"),
    Rule(_G, "/manufacturingDate", "general.manufacturing_date", DateStamp(), longlist=6),
    Rule(_G, "/batteryStatus", "status", _STATUS, longlist=11),
    Rule(_G, "/batteryMass", "general.mass_kg", SAME, longlist=10),
    *contact_rules("operatorInformation", "general.operator"),
    Rule(
        _G,
        "/puttingIntoService",
        "general.put_into_service_date",
        DateStamp("as row 6"),
        longlist=7,
    ),
)


def _warranty_text(months: int) -> str:
    if 1 <= months <= 12:
        return f"--{months:02d}"
    return f"P{months}M"


def export(ex: Exporter, doc: dict[str, Any]) -> None:
    """Add the quirks to the rules' document."""
    p, g, a = ex.p, ex.p.general, GENERAL
    if not _CONSORTIUM_URN.match(p.passport_id):
        ex.deviation(
            a,
            "/batteryPassportIdentifier",
            "pattern",
            f"passport identifier {p.passport_id!r} does not match the consortium's pattern "
            "^urn:[a-z0-9]+:[a-z0-9]+$; written unchanged, since an identifier must stay "
            "verbatim",
            "passport_id",
        )
    category: str | None = None
    if g.category is BatteryCategory.INDUSTRIAL:
        category = "stationary" if g.stationary_energy_storage else "industrial"
    elif g.category in (BatteryCategory.EV, BatteryCategory.LMT):
        category = g.category.value
    elif g.category is not None:
        ex.lost(
            "general.category",
            f"category {g.category.value!r} is not in the consortium's enumeration "
            "(lmt, ev, industrial, stationary)",
            a,
            "/batteryCategory",
        )
    if category is not None and g.stationary_energy_storage is None:
        ex.lost(
            "general.stationary_energy_storage",
            "not stated in the passport; the consortium category states it "
            "(read back as false unless the category is 'stationary')",
            a,
            "/batteryCategory",
        )
    elif category is None and g.stationary_energy_storage is not None:
        ex.lost(
            "general.stationary_energy_storage",
            "written only as part of the battery category, which is not written",
        )
    if g.battery_model is not None:
        ex.lost("general.battery_model", "the consortium model has no battery model")
    if p.predecessor_passport_id is not None:
        ex.lost("predecessor_passport_id", "the consortium model has no predecessor passport")
    for name in ChinaData.model_fields:
        if getattr(p.china, name) is not None:
            ex.lost(
                f"china.{name}",
                "Chinese national data are not carried: the consortium model has no place for them",
            )
    if p.predecessor_last_event_sha256 is not None:
        ex.lost(
            "predecessor_last_event_sha256",
            "the consortium model has no link to the original's lifecycle events",
        )
    if g.manufacturing_place is not None:
        f = g.manufacturing_place
        if f.id is not None or f.name is not None:
            ex.lost(
                "general.manufacturing_place",
                "facility identifier and name not carried (the consortium holds an address only)",
                a,
                "/manufacturingPlace",
            )
        doc["manufacturingPlace"] = ex.address(
            f.address, "general.manufacturing_place", a, "/manufacturingPlace"
        )
    if g.warranty_period_months is not None:
        warranty = _warranty_text(g.warranty_period_months)
        if not _GMONTH.match(warranty):
            ex.deviation(
                a,
                "/warrentyPeriod",
                "pattern",
                f"a warranty of {g.warranty_period_months} months cannot be written as the "
                f"consortium's xsd:gMonth (--01..--12); written as the duration {warranty!r}",
                "general.warranty_period_months",
            )
        doc["warrentyPeriod"] = warranty
    doc["batteryCategory"] = category
    ex.contact_address(doc, "manufacturerInformation", "general.manufacturer")
    ex.contact_address(doc, "operatorInformation", "general.operator")


def read(imp: Importer, doc: Mapping[str, Any]) -> None:
    """Read the quirks; the rules have read the rest."""
    a = GENERAL
    category = doc.get("batteryCategory")
    if category is not None:
        ours = "industrial" if category in ("industrial", "stationary") else category
        imp.put(("general", "category"), ours, a, "/batteryCategory")
        imp.put(
            ("general", "stationary_energy_storage"),
            category == "stationary",
            a,
            "/batteryCategory",
        )
    for key, field in (
        ("manufacturerInformation", "manufacturer"),
        ("operatorInformation", "operator"),
    ):
        imp.contact_address(a, key, doc.get(key), ("general", field))
    if isinstance(doc.get("manufacturingPlace"), Mapping):
        path = ("general", "manufacturing_place")
        address = imp.address(
            a, "/manufacturingPlace", doc["manufacturingPlace"], (*path, "address")
        )
        imp.put(path, {"address": address}, a, "/manufacturingPlace")
    if "warrentyPeriod" in doc:
        text = doc["warrentyPeriod"]
        months = None
        if m := _GMONTH.match(text):
            months = int(m.group(1))
            imp.note(
                a,
                "/warrentyPeriod",
                f"{text!r} is an xsd:gMonth (a month of the year); read as a period of "
                f"{months} months, the consortium's evident intent",
            )
            if m.group(2):
                imp.note(a, "/warrentyPeriod", f"time zone {m.group(2)!r} of the gMonth dropped")
        elif m := _MONTHS_DURATION.match(text):
            months = int(m.group(1) or 0) * 12 + int(m.group(2) or 0)
        else:
            imp.fail(
                a,
                "/warrentyPeriod",
                f"{text!r} is neither a gMonth (--01..--12, read as a number of months) "
                "nor a duration in years and months (P8Y, P96M)",
            )
        if months is not None:
            imp.put(("general", "warranty_period_months"), months, a, "/warrentyPeriod")
