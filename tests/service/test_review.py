"""Defects found by the session 4 security review of the service, one test each (both
stores): each failed before its fix."""

from __future__ import annotations

from pathlib import Path

from .conftest import Service
from .test_api import _problem

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

