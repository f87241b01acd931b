"""The HTTP API on both stores: writes, reads, negotiation, access, problems."""

from __future__ import annotations

import json
import threading
from datetime import timedelta

import pytest

from batterypass.codec import json as bp_json
from batterypass.cose import sign_passport
from batterypass.disclosure import issue_disclosable
from batterypass.keys import PrivateKey
from batterypass.lifecycle import next_event, parse_log, sign_event
from batterypass.model import Audience
from batterypass.verify import verify_passport, verify_presentation

from .conftest import EV_ISSUER, STORAGE_ISSUER, Service, load_example

EV_ID = "urn:uuid:6f1c2a7e-3b4d-4e8f-9a10-2b3c4d5e6f70"
EV_PATH = "/01/09506000134352/21/EVP75-000123"
COSE = {"Content-Type": "application/cose"}


def _put(service: Service, body: bytes, org: str = EV_ISSUER, pid: str = EV_ID):  # type: ignore[no-untyped-def]
    return service.client.put(
        f"/passports/{pid}", content=body, headers={**COSE, **service.token(org)}
    )


def _problem(response, status: int, code: str | None = None) -> dict:  # type: ignore[no-untyped-def, type-arg]
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json"
    doc = response.json()
    assert doc["status"] == status
    assert doc["type"] == "about:blank"
    assert "\n" not in doc["detail"]
    assert "Traceback" not in response.text
    if code is not None:
        assert doc["code"] == code, doc
    return doc  # type: ignore[no-any-return]


@pytest.fixture
def ev_signed(keys: dict[str, PrivateKey]) -> bytes:
    return sign_passport(load_example("ev-nmc"), keys["ev-maker"])


def test_put_then_get_every_representation(service: Service, ev_signed: bytes, trust) -> None:  # type: ignore[no-untyped-def]
    r = _put(service, ev_signed)
    assert r.status_code == 201, r.text
    assert r.json() == {"passport_id": EV_ID, "version": 1}
    # Stored bytes are the signed bytes.
    # The issuer gets its signed passport back, byte for byte.
    issuer = service.token(EV_ISSUER)
    got = service.client.get(
        f"/passports/{EV_ID}", headers={"Accept": "application/cose", **issuer}
    )
    assert got.status_code == 200
    assert got.content == ev_signed
    # The public JSON view is the library's view, nothing more.
    public = service.client.get(f"/passports/{EV_ID}", headers={"Accept": "application/json"})
    assert public.status_code == 200
    expected = load_example("ev-nmc").view(Audience.PUBLIC)
    assert bp_json.loads(public.text) == expected
    # The GS1 Digital Link path resolves to the same passport.
    via_gs1 = service.client.get(EV_PATH, headers={"Accept": "application/json"})
    assert via_gs1.text == public.text
    # A repeated upload of the same bytes is not a new version.
    again = _put(service, ev_signed)
    assert again.status_code == 200
    assert again.json()["version"] == 1


def test_public_view_hides_groups_above_1(service: Service, ev_signed: bytes) -> None:
    _put(service, ev_signed)
    public = bp_json.loads(service.client.get(f"/passports/{EV_ID}?format=json").text)
    full = load_example("ev-nmc")
    assert full.view(Audience.LEGITIMATE_INTEREST) != public
    assert public == full.view(Audience.PUBLIC)
    li = service.token("urn:lei:SOMEREPAIRER", Audience.LEGITIMATE_INTEREST)
    seen = bp_json.loads(service.client.get(f"/passports/{EV_ID}?format=json", headers=li).text)
    assert seen == full.view(Audience.LEGITIMATE_INTEREST)
    assert seen != public


def test_plain_signed_passport_has_no_public_cose(service: Service, ev_signed: bytes) -> None:
    _put(service, ev_signed)
    r = service.client.get(f"/passports/{EV_ID}", headers={"Accept": "application/cose"})
    doc = _problem(r, 406, "not-acceptable")
    assert "disclosable" in doc["detail"]


def test_disclosable_passport_presentation_per_audience(
    service: Service, keys: dict[str, PrivateKey], trust
) -> None:  # type: ignore[no-untyped-def]
    passport = load_example("lmt-ebike")
    body = issue_disclosable(passport, keys["ebike-maker"]).to_bytes()
    r = service.client.put(
        f"/passports/{passport.passport_id}",
        content=body,
        headers={**COSE, **service.token("urn:lei:529900DEMO0EXAMPLE03")},
    )
    assert r.status_code == 201, r.text
    for audience in Audience:
        headers = {"Accept": "application/cose"}
        if audience is not Audience.PUBLIC:
            headers.update(service.token("urn:demo:reader", audience))
        got = service.client.get(f"/passports/{passport.passport_id}", headers=headers)
        assert got.status_code == 200
        # What the caller gets verifies offline, for its audience, and shows its view.
        shown = verify_presentation(
            got.content, trust=trust, audience=audience, now=service.clock()
        )
        assert shown.passport == passport.view(audience)


def test_tampered_and_untrusted_uploads_store_nothing(
    service: Service, ev_signed: bytes, keys: dict[str, PrivateKey]
) -> None:
    tampered = bytearray(ev_signed)
    tampered[-5] ^= 0x01  # inside the signature
    doc = _problem(_put(service, bytes(tampered)), 422)
    assert doc["code"] in ("bad-signature", "signature")
    # Signed by a key the trust file does not hold for this issuer.
    other = sign_passport(load_example("ev-nmc"), keys["repurposer"])
    _problem(_put(service, other), 422)
    # A key trusted for another organisation: issuer mismatch.
    wrong = sign_passport(load_example("ev-nmc"), keys["storage-maker"])
    _problem(_put(service, wrong), 422)
    assert service.store.count() == {"passports": 0, "versions": 0, "events": 0}
    _problem(service.client.get(f"/passports/{EV_ID}"), 404, "not-found")


@pytest.mark.parametrize(
    ("body", "status"),
    [
        (b"", 400),
        (b"not cbor at all", 400),
        (b"\xff" * 10, 400),
        (b"\xd2\x84\x40\xa0\xf6\x40", 422),  # a COSE_Sign1, but not of a passport
    ],
)
def test_malformed_bodies(service: Service, body: bytes, status: int) -> None:
    _problem(_put(service, body), status)
    assert service.store.count()["versions"] == 0


def test_wrong_content_type(service: Service, ev_signed: bytes) -> None:
    r = service.client.put(
        f"/passports/{EV_ID}",
        content=ev_signed,
        headers={"Content-Type": "application/json", **service.token(EV_ISSUER)},
    )
    _problem(r, 415, "unsupported-media-type")
    assert service.store.count()["versions"] == 0


def test_oversized_bodies_refused_before_reading(make_service) -> None:  # type: ignore[no-untyped-def]
    service = make_service(max_body_bytes=1000)
    big = b"\x00" * 5000
    _problem(_put(service, big), 413, "too-large")

    def chunks():  # type: ignore[no-untyped-def]  # no Content-Length: a streamed body
        for _ in range(10):
            yield b"\x00" * 500

    r = service.client.put(
        f"/passports/{EV_ID}", content=chunks(), headers={**COSE, **service.token(EV_ISSUER)}
    )
    _problem(r, 413, "too-large")


@pytest.mark.parametrize(
    "path",
    [
        "/passports/..",
        "/passports/a..b",
        "/passports/a%2Fb",
        "/passports/a%00b",
        "/passports/%2E%2E",
        "/passports/..%2F..%2Fetc%2Fpasswd",
        "/passports/" + "x" * 300,
        "/01/123/21/abc",
        "/01/09506000134352/21/" + "%00",
        "/passports/urn:uuid:unknown",
        "/passports/urn:uuid:unknown/events",
        "/passports/urn:uuid:unknown/head",
        "/passports/urn:uuid:unknown/versions",
        "/passports/urn:uuid:unknown/label.svg",
        "/nowhere",
    ],
)
def test_bad_and_unknown_ids_are_problems(service: Service, path: str) -> None:
    r = service.client.get(path)
    assert r.status_code in (400, 404), r.text
    _problem(r, r.status_code)


def test_tokens_expired_wrong_org_missing(service: Service, ev_signed: bytes) -> None:
    # Missing.
    _problem(service.client.put(f"/passports/{EV_ID}", content=ev_signed, headers=COSE), 401)
    # Malformed and unknown.
    for value in ("Bearer nope", "Basic abc", "Bearer bpt_AAAAAAAAAAAAAAAA_" + "a" * 43):
        r = service.client.put(
            f"/passports/{EV_ID}", content=ev_signed, headers={**COSE, "Authorization": value}
        )
        _problem(r, 401, "not-authenticated")
    # Expired.
    expired = service.token(EV_ISSUER, expires_at=service.clock() + timedelta(minutes=1))
    service.clock.advance(timedelta(minutes=2))
    r = service.client.put(f"/passports/{EV_ID}", content=ev_signed, headers={**COSE, **expired})
    _problem(r, 401, "not-authenticated")
    # Another organisation's token cannot write this issuer's passport.
    _problem(_put(service, ev_signed, org=STORAGE_ISSUER), 403, "forbidden")
    assert service.store.count()["versions"] == 0
    # An expired token cannot read either.
    _put(service, ev_signed)
    r = service.client.get(f"/passports/{EV_ID}", headers=expired)
    _problem(r, 401)


def test_new_versions_are_kept(service: Service, keys: dict[str, PrivateKey]) -> None:
    v1 = load_example("ev-nmc")
    assert _put(service, sign_passport(v1, keys["ev-maker"])).status_code == 201
    v2 = v1.model_copy(update={"issued_at": v1.issued_at + timedelta(days=1)})
    r = _put(service, sign_passport(v2, keys["ev-maker"]))
    assert r.status_code == 201
    assert r.json()["version"] == 2
    # Not newer: refused.
    old = v1.model_copy(update={"issued_at": v1.issued_at - timedelta(days=1)})
    _problem(_put(service, sign_passport(old, keys["ev-maker"])), 409, "not-newer")
    versions = service.client.get(f"/passports/{EV_ID}/versions").json()["versions"]
    assert [v["version"] for v in versions] == [1, 2]
    assert versions[1]["issued_at"].startswith(str(v2.issued_at.date()))
    # The head is version 2.
    head = service.client.get(f"/passports/{EV_ID}/head").json()
    assert head["version"] == 2


def test_cached_views_follow_audience_and_head_version(
    service: Service, keys: dict[str, PrivateKey], trust
) -> None:  # type: ignore[no-untyped-def]
    # The app keeps the bytes of verified views: interleaved reads for several audiences, a
    # plain and a disclosable passport, and a new head version must each still get their own
    # view (the cache is keyed by the stored bytes and the audience, never shared across).
    bike = load_example("lmt-ebike")
    body = issue_disclosable(bike, keys["ebike-maker"]).to_bytes()
    bike_org = service.token("urn:lei:529900DEMO0EXAMPLE03")
    assert (
        service.client.put(
            f"/passports/{bike.passport_id}", content=body, headers={**COSE, **bike_org}
        ).status_code
        == 201
    )
    ev = load_example("ev-nmc")
    assert _put(service, sign_passport(ev, keys["ev-maker"])).status_code == 201
    tokens = {a: service.token("urn:demo:reader", a) for a in Audience if a is not Audience.PUBLIC}
    tokens[Audience.PUBLIC] = {}
    for _round in range(2):
        for audience, headers in tokens.items():
            got = service.client.get(f"/passports/{EV_ID}?format=json", headers=headers)
            assert bp_json.loads(got.text) == ev.view(audience)
            cose = service.client.get(f"/passports/{bike.passport_id}?format=cose", headers=headers)
            shown = verify_presentation(
                cose.content, trust=trust, audience=audience, now=service.clock()
            )
            assert shown.passport == bike.view(audience)
    # A new head version: the next read shows it, not the cached view of version 1.
    v2 = ev.model_copy(update={"issued_at": ev.issued_at + timedelta(days=1)})
    assert _put(service, sign_passport(v2, keys["ev-maker"])).status_code == 201
    got = service.client.get(f"/passports/{EV_ID}?format=json")
    assert bp_json.loads(got.text) == v2.view(Audience.PUBLIC)
    # The issuer gets its signed bytes, and a reader of the same audience still gets 406.
    issuer = service.client.get(f"/passports/{EV_ID}?format=cose", headers=service.token(EV_ISSUER))
    assert verify_passport(issuer.content, trust=trust).passport == v2
    _problem(service.client.get(f"/passports/{EV_ID}?format=cose"), 406, "not-acceptable")


def _event(log: list[bytes], signed: bytes, key: PrivateKey, kind: str, at, payload: dict) -> bytes:  # type: ignore[no-untyped-def, type-arg]
    event = next_event(
        log, event_type=kind, payload=payload, actor=EV_ISSUER, time=at, signed_passport=signed
    )
    return sign_event(event, key)


def test_events_append_and_race(
    service: Service, ev_signed: bytes, keys: dict[str, PrivateKey], trust
) -> None:  # type: ignore[no-untyped-def]
    _put(service, ev_signed)
    key = keys["ev-maker"]
    t0 = load_example("ev-nmc").issued_at
    auth = service.token(EV_ISSUER)
    log: list[bytes] = []
    first = _event(log, ev_signed, key, "manufactured", t0 + timedelta(hours=1), {"country": "CN"})
    r = service.client.post(f"/passports/{EV_ID}/events", content=first, headers={**COSE, **auth})
    assert r.status_code == 201, r.text
    log.append(first)
    # Two writers build on the same head: exactly one wins, the other gets 409 + the head.
    a = _event(
        log, ev_signed, key, "placed_on_market", t0 + timedelta(days=2), {"member_state": "DE"}
    )
    b = _event(
        log, ev_signed, key, "placed_on_market", t0 + timedelta(days=3), {"member_state": "FR"}
    )
    results: list = []  # type: ignore[type-arg]
    barrier = threading.Barrier(2)

    def send(body: bytes) -> None:
        barrier.wait()
        results.append(
            service.client.post(
                f"/passports/{EV_ID}/events", content=body, headers={**COSE, **auth}
            )
        )

    threads = [threading.Thread(target=send, args=(x,)) for x in (a, b)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    codes = sorted(r.status_code for r in results)
    assert codes == [201, 409], [r.text for r in results]
    loser = next(r for r in results if r.status_code == 409)
    doc = _problem(loser, 409, "conflict")
    assert doc["head"]["event_count"] == 2
    # The stored log is one chain, verified whole, with the winner in it.
    reader = service.token("urn:repairer", Audience.LEGITIMATE_INTEREST)
    stored = service.client.get(f"/passports/{EV_ID}/events", headers=reader)
    assert stored.status_code == 200
    messages = parse_log(stored.content).messages
    assert len(messages) == 2
    assert messages[1] in (a, b)
    from batterypass.verify import verify_events

    report = verify_events(messages, trust=trust, passport=ev_signed, at=service.clock())
    assert len(report.events) == 2


def test_event_from_another_org_is_refused(
    service: Service, ev_signed: bytes, keys: dict[str, PrivateKey]
) -> None:
    _put(service, ev_signed)
    t0 = load_example("ev-nmc").issued_at
    body = _event([], ev_signed, keys["ev-maker"], "manufactured", t0, {"country": "CN"})
    r = service.client.post(
        f"/passports/{EV_ID}/events",
        content=body,
        headers={**COSE, **service.token(STORAGE_ISSUER)},
    )
    _problem(r, 403)
    # A forged event (signed by a key of another organisation) is refused by the library.
    forged = _event([], ev_signed, keys["storage-maker"], "manufactured", t0, {"country": "CN"})
    r = service.client.post(
        f"/passports/{EV_ID}/events", content=forged, headers={**COSE, **service.token(EV_ISSUER)}
    )
    _problem(r, 422)
    assert service.store.count()["events"] == 0


def test_events_need_group_4_audience_and_are_logged(service: Service, ev_signed: bytes) -> None:
    _put(service, ev_signed)
    _problem(service.client.get(f"/passports/{EV_ID}/events"), 403)
    authority = service.token("urn:authority:de", Audience.AUTHORITY, purpose="market check")
    _problem(service.client.get(f"/passports/{EV_ID}/events", headers=authority), 403)
    li = service.token("urn:repairer", Audience.LEGITIMATE_INTEREST, purpose="repair 42")
    assert service.client.get(f"/passports/{EV_ID}/events", headers=li).status_code == 200
    assert service.client.get(f"/passports/{EV_ID}", headers=li).status_code == 200
    # Public reads are not logged; the two reads above group 1 are.
    service.client.get(f"/passports/{EV_ID}")
    log = service.store.access_log()
    assert [(r.organisation_id, r.audience, r.purpose, r.resource) for r in log] == [
        ("urn:repairer", "legitimate-interest", "repair 42", "events"),
        ("urn:repairer", "legitimate-interest", "repair 42", "json"),
    ]
    assert all(r.passport_id == EV_ID for r in log)


def test_access_log_is_append_only(service: Service, ev_signed: bytes) -> None:
    from sqlalchemy import delete, update
    from sqlalchemy.exc import DBAPIError

    from batterypass.service._tables import access_log, versions

    _put(service, ev_signed)
    li = service.token("urn:repairer", Audience.LEGITIMATE_INTEREST)
    service.client.get(f"/passports/{EV_ID}", headers=li)
    for statement in (
        update(access_log).values(purpose="nothing to see"),
        delete(access_log),
        update(versions).values(body=b"x"),
        delete(versions),
    ):
        with pytest.raises(DBAPIError), service.store.engine.begin() as conn:
            conn.execute(statement)
    assert service.store.access_log()[0].purpose == "test"


def test_negotiation_and_linkset(service: Service, ev_signed: bytes) -> None:
    _put(service, ev_signed)
    browser = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
    html = service.client.get(EV_PATH, headers={"Accept": browser})
    assert html.status_code == 200
    assert html.headers["content-type"].startswith("text/html")
    assert "verified by this server" in html.text
    assert (
        service.client.get(EV_PATH, headers={"Accept": "*/*"}).headers["content-type"]
        == "application/json"
    )
    _problem(service.client.get(EV_PATH, headers={"Accept": "image/png"}), 406)
    _problem(service.client.get(EV_PATH + "?format=xml"), 400)
    ls = service.client.get(EV_PATH, headers={"Accept": "application/linkset+json"})
    assert ls.headers["content-type"] == "application/linkset+json"
    doc = ls.json()
    links = doc["linkset"][0]
    assert links["anchor"].endswith(EV_PATH)
    assert links["https://gs1.org/voc/pip"][0]["type"] == "text/html"
    # ?linkType= picks one link (a redirect, as a GS1 resolver answers).
    r = service.client.get(EV_PATH + "?linkType=label", follow_redirects=False)
    assert r.status_code == 307
    assert r.headers["location"].endswith("/label.svg")
    r = service.client.get(EV_PATH + "?linkType=gs1:pip", follow_redirects=False)
    assert r.status_code == 307
    _problem(service.client.get(EV_PATH + "?linkType=nonsense"), 404)
    label = service.client.get(f"/passports/{EV_ID}/label.svg")
    assert label.headers["content-type"] == "image/svg+xml"
    assert label.text.lstrip().startswith("<")
    qr = service.client.get(f"/passports/{EV_ID}/qr.svg")
    assert qr.status_code == 200
    assert "<svg" in qr.text


def test_revoked_signer_no_longer_verifies_on_read(make_service, ev_signed: bytes, trust) -> None:  # type: ignore[no-untyped-def]
    first = make_service()
    _put(first, ev_signed)
    kid = verify_passport(ev_signed, trust=trust, now=first.clock()).kid
    revoked = trust.revoke(kid, at=load_example("ev-nmc").issued_at - timedelta(days=1))
    second = make_service(trust=revoked)
    doc = _problem(second.client.get(f"/passports/{EV_ID}?format=json"), 422)
    assert doc["code"] != "internal"
    page = second.client.get(f"/passports/{EV_ID}?format=html")
    assert page.status_code == 200
    assert "NOT VERIFIED" in page.text


def test_revoked_disclosable_passport_page_is_red_with_group_1_only(
    make_service, keys: dict[str, PrivateKey], trust
) -> None:  # type: ignore[no-untyped-def]
    # The page of a disclosable passport that no longer verifies says so (not a 422), and
    # shows, unverified, only its clear group 1 - even to an audience that sees more.
    passport = load_example("ev-nmc")
    first = make_service()
    body = issue_disclosable(passport, keys["ev-maker"]).to_bytes()
    r = first.client.put(
        f"/passports/{EV_ID}", content=body, headers={**COSE, **first.token(EV_ISSUER)}
    )
    assert r.status_code == 201, r.text
    kid = keys["ev-maker"].kid
    second = make_service(trust=trust.revoke(kid, at=passport.issued_at - timedelta(days=1)))
    _problem(second.client.get(f"/passports/{EV_ID}?format=json"), 422)
    li = second.token("urn:repairer", Audience.LEGITIMATE_INTEREST)
    page = second.client.get(f"/passports/{EV_ID}?format=html", headers=li)
    assert page.status_code == 200
    assert "NOT VERIFIED" in page.text
    assert "EVP-75 NMC811" in page.text  # group 1, in clear
    assert "EVP75-MOD-12S2P-A" not in page.text  # group 2 is never shown unverified


def test_changes_feed_needs_every_group(service: Service, ev_signed: bytes) -> None:
    _put(service, ev_signed)
    _problem(service.client.get("/changes"), 401)
    li = service.token("urn:repairer", Audience.LEGITIMATE_INTEREST)
    _problem(service.client.get("/changes", headers=li), 403)
    # Not even the Commission reads every group (Art. 77(2)); a mirror token does.
    commission = service.token("urn:eu", Audience.COMMISSION)
    _problem(service.client.get("/changes", headers=commission), 403)
    commission = service.token("urn:mirror", purpose="backup copy", mirror=True)
    doc = service.client.get("/changes?after=0", headers=commission).json()
    assert [(i["kind"], i["passport_id"], i["number"]) for i in doc["items"]] == [
        ("passport", EV_ID, 1)
    ]
    assert doc["next"] == doc["items"][0]["cursor"]
    empty = service.client.get(f"/changes?after={doc['next']}", headers=commission).json()
    assert empty["items"] == []
    _problem(service.client.get("/changes?after=-1", headers=commission), 400)
    _problem(service.client.get("/changes?after=abc", headers=commission), 400)


def test_trust_json_is_published(service: Service, trust) -> None:  # type: ignore[no-untyped-def]
    r = service.client.get("/trust.json")
    assert json.loads(r.text) == json.loads(trust.to_json())
