"""Build the national traceability event file from verified event logs."""

from __future__ import annotations

import enum
from collections.abc import Mapping
from datetime import date, datetime
from decimal import Decimal
from typing import Any, Final

from pydantic import BaseModel

from batterypass.errors import ValidationError
from batterypass.interop import _text
from batterypass.lifecycle import EventType, VerifiedChain
from batterypass.model import GBT34014, TractionBatteryCode

__all__ = [
    "EVENT_KINDS",
    "FORMAT",
    "NationalEventKind",
    "dumps_traceability",
    "traceability_document",
]

FORMAT: Final = "batterypass-cn-traceability/1"
"""The ``format`` member of every file this module writes."""

PROVISIONS: Final = "新能源汽车动力蓄电池回收利用溯源管理暂行规定 (MIIT, in force 1 August 2018)"
"""The Interim Provisions on traceability management of NEV traction-battery recycling."""


class NationalEventKind(enum.StrEnum):
    """The lifecycle stages a maker reports to the national traceability platform."""

    PRODUCTION = "production"
    SALE = "sale"
    REPAIR_REPLACEMENT = "repair_replacement"
    RETIREMENT = "retirement"
    RECYCLING = "recycling"


EVENT_KINDS: Final[Mapping[EventType, NationalEventKind]] = {
    EventType.MANUFACTURED: NationalEventKind.PRODUCTION,
    EventType.PLACED_ON_MARKET: NationalEventKind.SALE,
    EventType.OWNERSHIP_TRANSFERRED: NationalEventKind.SALE,
    EventType.REPAIRED: NationalEventKind.REPAIR_REPLACEMENT,
    EventType.REPURPOSED: NationalEventKind.RETIREMENT,
    EventType.COLLECTED_AS_WASTE: NationalEventKind.RETIREMENT,
    EventType.RECYCLED: NationalEventKind.RECYCLING,
}
"""Which batterypass events are reported, and as which national stage (a batterypass
decision: the platform's own schema is not public; specs/cn-traceability.md). Other events
(use, state of health, inspections, accidents, re-use, remanufacturing, putting into service)
are listed as not reported."""


def _plain(value: Any) -> Any:
    if isinstance(value, BaseModel):
        return {
            name: _plain(item)
            for name, item in ((n, getattr(value, n)) for n in type(value).model_fields)
            if item is not None
        }
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if isinstance(value, bool | int | str | Decimal):
        return value
    raise TypeError(f"no JSON form for {type(value).__name__}")  # pragma: no cover


def _entry(chain: VerifiedChain, code: str) -> dict[str, Any]:
    china = chain.passport.china
    return {
        "product_type": TractionBatteryCode.parse(code).product_type.value,
        "original_code": china.gbt34014_original_code,
        "battery_id": chain.passport.battery_id,
        "passport_ids": [],
        "components": [
            {
                "code": c.code,
                "product_type": TractionBatteryCode.parse(c.code).product_type.value,
                "part_of": c.part_of,
            }
            for c in china.gbt34014_components or ()
        ],
        "events": [],
        "not_reported": [],
    }


def traceability_document(*chains: VerifiedChain) -> dict[str, Any]:
    """The national event file for the batteries of ``chains`` (verified logs, e.g. from
    :func:`batterypass.verify.verify_events`), as plain data keyed by GB/T 34014 code.

    Logs of passports with the same code (a successor passport that kept the code) are merged
    in the order given. Raises :class:`~batterypass.errors.ValidationError` for a passport
    without a GB/T 34014 code (the file is keyed by it) or logs of one code that belong to
    different batteries.
    """
    if not chains:
        raise ValidationError("no verified event log given: nothing to export")
    batteries: dict[str, dict[str, Any]] = {}
    for chain in chains:
        passport = chain.passport
        code = passport.china.gbt34014_code
        if code is None:
            raise ValidationError(
                f"passport {passport.passport_id} has no GB/T 34014 code: the national event "
                "file is keyed by it",
                path=("china", "gbt34014_code"),
                legal_basis=GBT34014,
            )
        entry = batteries.get(code)
        if entry is None:
            entry = batteries[code] = _entry(chain, code)
        elif entry["battery_id"] != passport.battery_id:
            raise ValidationError(
                f"GB/T 34014 code {code} is held by two batteries ({entry['battery_id']} and "
                f"{passport.battery_id})",
                path=("china", "gbt34014_code"),
                legal_basis=GBT34014,
            )
        entry["passport_ids"].append(passport.passport_id)
        for verified in chain.events:
            event = verified.event
            kind = EVENT_KINDS.get(event.type)
            if kind is None:
                entry["not_reported"].append(
                    {
                        "passport_id": event.passport_id,
                        "sequence": event.sequence,
                        "source_event": event.type.value,
                    }
                )
                continue
            entry["events"].append(
                {
                    "kind": kind.value,
                    "time": event.time.isoformat(),
                    "actor": event.actor,
                    "passport_id": event.passport_id,
                    "sequence": event.sequence,
                    "source_event": event.type.value,
                    "payload_sha256": verified.payload_sha256,
                    "details": _plain(event.payload),
                }
            )
    return {
        "format": FORMAT,
        "basis": PROVISIONS,
        "batteries": batteries,
    }


def dumps_traceability(*chains: VerifiedChain) -> str:
    """:func:`traceability_document` as JSON text: UTF-8, two-space indentation, LF line ends,
    numbers with exactly their decimal digits, a final newline (the same bytes for the same
    logs)."""
    return _text.dumps_document(traceability_document(*chains))
