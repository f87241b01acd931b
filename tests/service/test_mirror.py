"""`GET /changes` and the mirror: a copy that verifies every item again."""

from __future__ import annotations

import base64
import json
from datetime import timedelta
from pathlib import Path

import httpx

from batterypass.cose import sign_passport
from batterypass.disclosure import issue_disclosable
from batterypass.keys import PrivateKey
from batterypass.lifecycle import next_event, sign_event
from batterypass.service import Settings, mirror, open_store

from .conftest import EV_ISSUER, Service, load_example

COSE = {"Content-Type": "application/cose"}


def _fill(service: Service, keys: dict[str, PrivateKey]) -> bytes:
    ev = load_example("ev-nmc")
    signed = sign_passport(ev, keys["ev-maker"])
    auth = service.token(EV_ISSUER)
    assert (
        service.client.put(
            f"/passports/{ev.passport_id}", content=signed, headers={**COSE, **auth}
        ).status_code
        == 201
    )
    log: list[bytes] = []
    for kind, hours, payload in (
        ("manufactured", 1, {"country": "CN"}),
        ("placed_on_market", 48, {"member_state": "DE"}),
    ):
        event = next_event(
            log,
            event_type=kind,
            payload=payload,
            actor=EV_ISSUER,
            time=ev.issued_at + timedelta(hours=hours),
            signed_passport=signed,
        )
        log.append(sign_event(event, keys["ev-maker"]))
        r = service.client.post(
            f"/passports/{ev.passport_id}/events", content=log[-1], headers={**COSE, **auth}
        )
        assert r.status_code == 201, r.text
    bike = load_example("lmt-ebike")
    r = service.client.put(
        f"/passports/{bike.passport_id}",
        content=issue_disclosable(bike, keys["ebike-maker"]).to_bytes(),
        headers={**COSE, **service.token("urn:lei:529900DEMO0EXAMPLE03")},
    )
    assert r.status_code == 201
    return signed


def test_mirror_copies_and_reverifies_everything(
    service: Service,
    keys: dict[str, PrivateKey],
    tmp_path: Path,
    trust,  # type: ignore[no-untyped-def]
) -> None:
    _fill(service, keys)
    token = service.token("urn:backup", mirror=True)["Authorization"].removeprefix("Bearer ")
    copy_url = f"sqlite:///{tmp_path / 'copy.db'}"
    copy = open_store(copy_url)
    settings = Settings(db_url=copy_url, trust=trust, clock=service.clock)
    try:
        report = mirror(
            copy,
            settings,
            source="http://testserver",
            token=token,
            now=service.clock,
            client=service.client,
            page=2,
        )
        assert report.rejected == []
        assert report.stored == 4  # two passports, two events
        assert copy.count() == service.store.count()
        mine = [(c.kind, c.passport_id, c.number, c.body) for c in copy.changes(0, 100)]
        theirs = [(c.kind, c.passport_id, c.number, c.body) for c in service.store.changes(0, 100)]
        assert mine == theirs
        # Run again: nothing new, nothing duplicated.
        again = mirror(
            copy,
            settings,
            source="http://testserver",
            token=token,
            now=service.clock,
            client=service.client,
        )
        assert again.stored == 0
        assert again.already == 4
        assert copy.count() == service.store.count()
    finally:
        copy.close()
    # The source logged the mirror's reads.
    assert any(r.resource.startswith("changes") for r in service.store.access_log())


def test_mirror_refuses_what_does_not_verify(
    keys: dict[str, PrivateKey],
    tmp_path: Path,
    trust,  # type: ignore[no-untyped-def]
) -> None:
    ev = load_example("ev-nmc")
    signed = bytearray(sign_passport(ev, keys["ev-maker"]))
    signed[-3] ^= 0x40  # a source that altered what it stores
    untrusted = sign_passport(load_example("lfp-storage"), keys["repurposer"])
    items = [
        {
            "cursor": 1,
            "kind": "passport",
            "passport_id": ev.passport_id,
            "number": 1,
            "at": "2026-12-01T00:00:00+00:00",
            "body": base64.b64encode(bytes(signed)).decode(),
        },
        {
            "cursor": 2,
            "kind": "passport",
            "passport_id": "urn:uuid:0b7d3c9e-5a61-4f20-8c4e-7d2a9b1e3f55",
            "number": 1,
            "at": "2026-12-01T00:00:00+00:00",
            "body": base64.b64encode(untrusted).decode(),
        },
        {
            "cursor": 3,
            "kind": "passport",
            "passport_id": "x",
            "number": 1,
            "at": "2026-12-01T00:00:00+00:00",
            "body": "%%% not base64",
        },
    ]

    def answer(request: httpx.Request) -> httpx.Response:
        after = int(request.url.params["after"])
        page = [i for i in items if i["cursor"] > after]
        return httpx.Response(200, content=json.dumps({"items": page, "next": 3}))

    client = httpx.Client(transport=httpx.MockTransport(answer))
    copy_url = f"sqlite:///{tmp_path / 'copy.db'}"
    copy = open_store(copy_url)
    try:
        report = mirror(
            copy,
            Settings(db_url=copy_url, trust=trust),
            source="http://source",
            token="t",
            now=lambda: ev.issued_at + timedelta(days=30),
            client=client,
        )
        assert [c for c, _, _ in report.rejected] == [1, 2, 3]
        assert report.stored == 0
        assert copy.count() == {"passports": 0, "versions": 0, "events": 0}
    finally:
        copy.close()
