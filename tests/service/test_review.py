"""Defects found by the session 4 security review of the service, one test each (both
stores): each failed before its fix."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest

from batterypass.cose import sign_passport
from batterypass.lifecycle import parse_log
from batterypass.service import Settings, mirror, open_store
from batterypass.service._mirror import MirrorSourceError
from batterypass.verify import TrustStore

from .conftest import EV_ISSUER, STORAGE_ISSUER, Service, load_example
from .test_api import COSE, EV_ID, EV_PATH, _problem, _put

LIFECYCLE = Path(__file__).resolve().parents[2] / "examples" / "lifecycle"
REPURPOSER = "urn:lei:529900DEMO0REPURP01"
STATIONARY_ID = "urn:uuid:0b6a3c1e-5d2f-4a7b-8c9d-1e2f3a4b5c6d"
ROGUE_ID = "urn:uuid:00000000-0000-4000-8000-0000000000e1"


def test_change_feed_cursor_beyond_64_bits_is_a_bad_request(service: Service) -> None:
    # Was a 500 (OverflowError in the SQLite driver; a DataError, so a 503, on PostgreSQL).
    feed = service.token("urn:backup", mirror=True)
    r = service.client.get(f"/changes?after={2**63}", headers=feed)
    _problem(r, 400, "bad-request")
    r = service.client.get(f"/changes?after={2**63 - 1}", headers=feed)
    assert r.status_code == 200
    assert r.json()["items"] == []


def _hostile(pages: list[object]) -> httpx.Client:
    answers = iter(pages)

    def handler(request: httpx.Request) -> httpx.Response:
        page = next(answers, {"items": [], "next": 0})
        if isinstance(page, bytes):
            return httpx.Response(200, content=page)
        return httpx.Response(200, json=page)

    return httpx.Client(transport=httpx.MockTransport(handler))


@pytest.mark.parametrize(
    "pages",
    [
        # The same page again and again: the mirror looped for ever.
        [{"items": [{"cursor": 1, "kind": "x", "passport_id": "p", "number": 0, "body": ""}]}]
        * 10_000,
        # A cursor that is not a number, a page that is not JSON: a ValueError escaped.
        [{"items": [{"cursor": "one", "kind": "x", "passport_id": "p", "number": 0, "body": ""}]}],
        [b"<html>not a feed</html>"],
        [
            {
                "items": [
                    {"cursor": 2, "kind": "event", "passport_id": "p", "number": "n", "body": ""}
                ]
            }
        ],
    ],
)
def test_mirror_refuses_a_hostile_feed(db_url: str, trust, pages) -> None:  # type: ignore[no-untyped-def]
    copy = open_store(db_url)
    settings = Settings(db_url=db_url, trust=trust)
    try:
        with pytest.raises(MirrorSourceError):
            mirror(
                copy,
                settings,
                source="http://source.invalid",
                token="t",
                now=lambda: datetime(2026, 12, 1, tzinfo=UTC),
                client=_hostile(pages),
            )
        assert copy.count() == {"passports": 0, "versions": 0, "events": 0}
    finally:
        copy.close()
