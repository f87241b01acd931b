"""A mirror: pull another server's change feed, verify every item again with the library
against this side's own trust, and store it. A third party's copy stays trustworthy because
nothing in it is taken on the source's word: each passport and event carries its signature."""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import httpx

from batterypass.errors import BatteryPassError, DecodeError
from batterypass.service._errors import ServiceError
from batterypass.service._ingest import ingest_event, ingest_passport
from batterypass.service._settings import Settings
from batterypass.service._store import Store, sha256_hex

__all__ = ["MirrorReport", "mirror"]


@dataclass(slots=True)
class MirrorReport:
    """What a mirror run did."""

    cursor: int = 0
    """The last cursor of the source's feed that was processed."""
    stored: int = 0
    already: int = 0
    rejected: list[tuple[int, str, str]] = field(default_factory=list)
    """(cursor, passport id, reason) of every item that did not verify here."""


class MirrorSourceError(ServiceError):
    """The source answered something that is not a change feed."""

    code = "mirror-source"
    status = 502


def _items(document: Any, after: int) -> list[dict[str, Any]]:
    # The source is not trusted for anything: its page must be well-formed, and its cursors
    # must go up (a source that answers the same page again would keep the mirror busy for
    # ever).
    if not isinstance(document, dict) or not isinstance(document.get("items"), list):
        raise MirrorSourceError("the source's /changes answer has no 'items' list")
    items: list[dict[str, Any]] = document["items"]
    last = after
    for item in items:
        if not isinstance(item, dict) or not {
            "cursor",
            "kind",
            "passport_id",
            "number",
            "body",
        } <= set(item):
            raise MirrorSourceError("a change feed item lacks a member")
        cursor, number = item["cursor"], item["number"]
        if not _is_int(cursor) or not _is_int(number) or number < 0:
            raise MirrorSourceError("a change feed item's cursor or number is not an integer")
        if cursor <= last:
            raise MirrorSourceError(
                f"the source's cursors do not go up (item {cursor} after {last})"
            )
        last = cursor
    return items


MAX_PAGE_BYTES = 64 * 1024 * 1024
"""Largest answer of the source read for one page (a server's page stops at 8 MiB of bodies,
base64 and JSON around them add about a third)."""


def _fetch(
    client: httpx.Client, url: str, *, params: dict[str, int], headers: dict[str, str]
) -> tuple[int, bytes]:
    # Read the answer as it comes, and stop at the limit: the source is not trusted to send a
    # page of reasonable size.
    with client.stream("GET", url, params=params, headers=headers) as response:
        data = bytearray()
        for chunk in response.iter_bytes():
            data += chunk
            if len(data) > MAX_PAGE_BYTES:
                raise MirrorSourceError(
                    f"{url} answered more than {MAX_PAGE_BYTES} bytes for one page"
                )
        return response.status_code, bytes(data)


def _is_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def mirror(
    store: Store,
    settings: Settings,
    *,
    source: str,
    token: str,
    after: int = 0,
    now: Callable[[], datetime],
    client: httpx.Client | None = None,
    page: int = 500,
) -> MirrorReport:
    """Copy everything after ``after`` from ``source`` (a service's base URL) into ``store``."""
    report = MirrorReport(cursor=after)
    own = client or httpx.Client(timeout=30.0)
    try:
        while True:
            status, text = _fetch(
                own,
                f"{source.rstrip('/')}/changes",
                params={"after": report.cursor, "limit": page},
                headers={"Authorization": f"Bearer {token}", "Accept": "application/json"},
            )
            if status != 200:
                detail = text[:300].decode("utf-8", "replace").replace("\n", " ")
                raise MirrorSourceError(f"{source}/changes answered {status}: {detail}")
            try:
                document = json.loads(text)
            except ValueError:
                raise MirrorSourceError(
                    f"{source}/changes answered something that is not JSON"
                ) from None
            items = _items(document, report.cursor)
            if not items:
                return report
            for item in items:
                _one(store, settings, item, report, now())
                report.cursor = int(item["cursor"])
    except httpx.HTTPError as e:
        raise MirrorSourceError(f"cannot read {source}: {e}") from e
    finally:
        if client is None:
            own.close()


def _one(
    store: Store, settings: Settings, item: dict[str, Any], report: MirrorReport, now: datetime
) -> None:
    pid = str(item["passport_id"])
    try:
        try:
            body = base64.b64decode(str(item["body"]), validate=True)
        except (binascii.Error, ValueError) as e:
            raise DecodeError(f"the item's body is not base64: {e}") from None
        if item["kind"] == "passport":
            stored = ingest_passport(
                store,
                settings,
                passport_id=pid,
                body=body,
                caller=None,
                now=now,
                require_caller=False,
            )
            if stored.created:
                report.stored += 1
            else:
                report.already += 1
        elif item["kind"] == "event":
            have = store.events(pid)
            seq = int(item["number"])
            if seq < len(have) and sha256_hex(have[seq]) == sha256_hex(body):
                report.already += 1
                return
            ingest_event(
                store,
                settings,
                passport_id=pid,
                body=body,
                caller=None,
                now=now,
                require_caller=False,
            )
            report.stored += 1
        else:
            raise DecodeError(f"unknown change kind {item['kind']!r}")
    except BatteryPassError as e:
        report.rejected.append((int(item["cursor"]), pid, str(e)))
