"""Defects found by the session 4 security review of the service, one test each (both
stores): each failed before its fix."""

from __future__ import annotations

import base64
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest

from batterypass.cose import decode_sign1_unverified, sign_passport
from batterypass.lifecycle import decode_event, next_event, parse_log, sign_event
from batterypass.service import Settings, _app, _mirror, mirror, open_store
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


def test_another_issuer_cannot_take_over_a_batterys_digital_link(
    service: Service, keys, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    # A second passport for the same battery (same GS1 key), from another trusted
    # manufacturer: it verified, was stored, and the QR code's URI then resolved to it (the
    # newest passport with that key won).
    ev = load_example("ev-nmc")
    assert _put(service, sign_passport(ev, keys["ev-maker"])).status_code == 201
    rogue = load_example("lfp-storage").model_copy(
        update={"battery_id": ev.battery_id, "passport_id": ROGUE_ID}
    )
    r = service.client.put(
        f"/passports/{ROGUE_ID}",
        content=sign_passport(rogue, keys["storage-maker"]),
        headers={**COSE, **service.token(STORAGE_ISSUER)},
    )
    doc = _problem(r, 409, "battery-has-passport")
    assert EV_ID in doc["detail"]
    assert service.store.passport(ROGUE_ID) is None
    assert service.client.get(f"{EV_PATH}?format=json").json()["passport_id"] == EV_ID
    # Not even its own issuer makes a second, unlinked passport for the battery.
    twin = ev.model_copy(update={"passport_id": ROGUE_ID})
    _problem(_put(service, sign_passport(twin, keys["ev-maker"]), pid=ROGUE_ID), 409)
    # Two at once: the one that found the key free before the other was stored is refused by
    # the check inside the write transaction.
    monkeypatch.setattr(service.store, "find_by_gs1", lambda gtin, serial: None)
    _problem(_put(service, sign_passport(twin, keys["ev-maker"]), pid=ROGUE_ID), 409, "conflict")
    assert service.store.passport(ROGUE_ID) is None


def test_a_successor_passport_needs_its_verified_lineage(make_service, keys) -> None:  # type: ignore[no-untyped-def]
    # A passport naming a predecessor was stored without the lineage check (the original's
    # log must end in its hand-over to this issuer): any trusted manufacturer could claim to
    # be a battery's successor, and the original's page then linked to it.
    service = make_service(trust=TrustStore.from_file(LIFECYCLE / "trust.json"))
    service.clock.now = datetime(2033, 1, 1, tzinfo=UTC)
    original = (LIFECYCLE / "ev-nmc.cose").read_bytes()
    assert _put(service, original).status_code == 201
    rogue = load_example("lfp-storage").model_copy(
        update={
            "passport_id": ROGUE_ID,
            "predecessor_passport_id": EV_ID,
            "predecessor_last_event_sha256": "ab" * 32,
        }
    )
    r = service.client.put(
        f"/passports/{ROGUE_ID}",
        content=sign_passport(rogue, keys["storage-maker"]),
        headers={**COSE, **service.token(STORAGE_ISSUER)},
    )
    _problem(r, 422)
    assert service.store.passport(ROGUE_ID) is None
    page = service.client.get(f"/passports/{EV_ID}?format=html")
    assert ROGUE_ID not in page.text
    # The real successor, before the original's log hands the battery over: refused too.
    successor = (LIFECYCLE / "stationary.cose").read_bytes()
    _problem(_put(service, successor, org=REPURPOSER, pid=STATIONARY_ID), 422)
    for event in parse_log((LIFECYCLE / "ev-nmc.events").read_bytes()).messages:
        actor = decode_event(decode_sign1_unverified(event).payload or b"").actor
        auth = {**COSE, **service.token(actor)}
        r = service.client.post(f"/passports/{EV_ID}/events", content=event, headers=auth)
        assert r.status_code == 201, r.text
    # After the hand-over it is stored, and takes over the battery's Digital Link.
    r = _put(service, successor, org=REPURPOSER, pid=STATIONARY_ID)
    assert r.status_code == 201, r.text
    assert service.client.get(f"{EV_PATH}?format=json").json()["passport_id"] == STATIONARY_ID
    page = service.client.get(f"/passports/{EV_ID}?format=html")
    assert STATIONARY_ID in page.text


def test_the_same_upload_racing_itself_is_a_repeat_not_a_conflict(
    service: Service, keys, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    # Two copies of one upload at once (a client's retry): the one that read the store before
    # the other committed lost the compare-and-set and got 409, though its bytes were stored.
    # The race made deterministic: the second upload reads the store as it was before.
    body = sign_passport(load_example("ev-nmc"), keys["ev-maker"])
    assert _put(service, body).status_code == 201
    real = service.store.passport
    calls = iter([None])
    monkeypatch.setattr(service.store, "passport", lambda pid: next(calls, real(pid)))
    r = _put(service, body)
    assert r.status_code == 200, r.text
    assert r.json() == {"passport_id": EV_ID, "version": 1}
    assert service.store.count()["versions"] == 1
    # A different upload that loses the same race is still a conflict.
    calls = iter([None])
    monkeypatch.setattr(service.store, "passport", lambda pid: next(calls, real(pid)))
    other = load_example("ev-nmc").model_copy(
        update={"issued_at": datetime(2026, 11, 1, tzinfo=UTC)}
    )
    _problem(_put(service, sign_passport(other, keys["ev-maker"])), 409, "conflict")


def test_the_same_event_again_is_a_repeat_not_a_conflict(
    service: Service, keys, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    # A client that retries an append whose answer it lost got 409 ("the log holds 1 events
    # already") though its event was stored: it would rebuild the event on the new head and
    # append it a second time.
    signed = sign_passport(load_example("ev-nmc"), keys["ev-maker"])
    assert _put(service, signed).status_code == 201
    event = sign_event(
        next_event(
            [],
            event_type="manufactured",
            payload={"country": "CN"},
            actor=EV_ISSUER,
            time=datetime(2026, 10, 16, tzinfo=UTC),
            signed_passport=signed,
        ),
        keys["ev-maker"],
    )
    auth = {**COSE, **service.token(EV_ISSUER)}
    url = f"/passports/{EV_ID}/events"
    assert service.client.post(url, content=event, headers=auth).status_code == 201
    again = service.client.post(url, content=event, headers=auth)
    assert again.status_code == 200, again.text
    assert again.json() == {"passport_id": EV_ID, "sequence": 0}
    # Not for a token of another organisation.
    other = {**COSE, **service.token(STORAGE_ISSUER)}
    _problem(service.client.post(url, content=event, headers=other), 409, "conflict")
    # Two copies at once: the one that read the log before the other was appended.
    real = service.store.events
    calls = iter([[]])
    monkeypatch.setattr(service.store, "events", lambda pid: next(calls, real(pid)))
    assert service.client.post(url, content=event, headers=auth).status_code == 200
    assert service.store.count()["events"] == 1


def test_a_change_feed_page_is_bounded_in_bytes(service: Service, keys, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    # A page was `limit` items whatever their size: 1000 bodies of up to the body limit each,
    # built in memory as one JSON answer. Now it stops at a byte budget; `next` continues.
    bodies = []
    for name, key, org in (
        ("ev-nmc", "ev-maker", EV_ISSUER),
        ("lfp-storage", "storage-maker", STORAGE_ISSUER),
    ):
        passport = load_example(name)
        body = sign_passport(passport, keys[key])
        bodies.append(body)
        r = service.client.put(
            f"/passports/{passport.passport_id}",
            content=body,
            headers={**COSE, **service.token(org)},
        )
        assert r.status_code == 201
    monkeypatch.setattr(_app, "FEED_PAGE_BYTES", len(bodies[0]) + 1)
    feed = service.token("urn:backup", mirror=True)
    first = service.client.get("/changes?limit=1000", headers=feed).json()
    assert [base64.b64decode(i["body"]) for i in first["items"]] == bodies[:1]
    second = service.client.get(f"/changes?after={first['next']}", headers=feed).json()
    assert [base64.b64decode(i["body"]) for i in second["items"]] == bodies[1:]
    # One item over the budget still comes, alone (the feed never stalls).
    monkeypatch.setattr(_app, "FEED_PAGE_BYTES", 1)
    one = service.client.get("/changes?limit=1000", headers=feed).json()
    assert len(one["items"]) == 1


def test_the_issuers_signed_copy_is_logged_whatever_the_tokens_audience(
    service: Service, keys
) -> None:  # type: ignore[no-untyped-def]
    # The issuer gets its plain signed passport (every group) with a token of any audience;
    # with a public-audience token that read of groups 2 to 4 was not in the access log.
    body = sign_passport(load_example("ev-nmc"), keys["ev-maker"])
    assert _put(service, body).status_code == 201
    issuer = service.token(EV_ISSUER, purpose="own copy")
    got = service.client.get(f"/passports/{EV_ID}?format=cose", headers=issuer)
    assert got.status_code == 200
    assert got.content == body
    log = service.store.access_log(passport_id=EV_ID)
    assert [(r.organisation_id, r.audience, r.purpose, r.resource) for r in log] == [
        (EV_ISSUER, "public", "own copy", "cose")
    ]
    # Its public JSON view is group 1 only: not logged.
    assert service.client.get(f"/passports/{EV_ID}?format=json", headers=issuer).status_code == 200
    assert len(service.store.access_log(passport_id=EV_ID)) == 1


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
        # A page without end: it was read into memory whole.
        [b'{"items": [], "next": 0, "pad": "' + b"x" * 200_000 + b'"}'],
        [
            {
                "items": [
                    {"cursor": 2, "kind": "event", "passport_id": "p", "number": "n", "body": ""}
                ]
            }
        ],
    ],
)
def test_mirror_refuses_a_hostile_feed(db_url: str, trust, pages, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setattr(_mirror, "MAX_PAGE_BYTES", 100_000)
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
