"""Trust store: windows, revocation, unknown kids, the trust file."""

from __future__ import annotations

import json
import stat
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest

from batterypass.errors import BatteryPassError, DecodeError, FileError, TrustError
from batterypass.keys import Algorithm, PrivateKey
from batterypass.model import Role
from batterypass.verify import TRUST_FILE_FORMAT, TrustedKey, TrustStore

T0 = datetime(2026, 1, 1, tzinfo=UTC)
T1 = datetime(2031, 1, 1, tzinfo=UTC)
SIGNER = PrivateKey.generate(Algorithm.ED25519)
OTHER = PrivateKey.generate(Algorithm.ESP256)


def store() -> TrustStore:
    return (
        TrustStore()
        .add_key(
            SIGNER.public_key(),
            organisation_id="LEI:5299000J2N45DDNE4Y28",
            roles=[Role.MANUFACTURER],
            not_before=T0,
            not_after=T1,
        )
        .add_key(
            OTHER.public_key(),
            organisation_id="EORI:DE123456789012345",
            roles=[Role.REPAIRER, Role.REMANUFACTURER],
            not_before=T0,
            not_after=T1,
            kid="repair-shop-1",
        )
    )


def test_lookup_in_window() -> None:
    entry = store().lookup(SIGNER.kid, at=T0 + timedelta(days=1))
    assert entry.public_key == SIGNER.public_key()
    assert entry.roles == frozenset({Role.MANUFACTURER})
    assert entry.organisation_id == "LEI:5299000J2N45DDNE4Y28"
    assert store().lookup(b"repair-shop-1", at=T0).kid == "repair-shop-1"  # COSE kid bytes


def test_window_edges() -> None:
    s = store()
    assert s.lookup(SIGNER.kid, at=T0) is not None  # not_before is inclusive
    with pytest.raises(TrustError, match="not valid before 2026-01-01T00:00:00Z"):
        s.lookup(SIGNER.kid, at=T0 - timedelta(microseconds=1))
    assert s.lookup(SIGNER.kid, at=T1 - timedelta(microseconds=1)) is not None
    with pytest.raises(TrustError, match="expired at 2031-01-01T00:00:00Z"):
        s.lookup(SIGNER.kid, at=T1)  # not_after is exclusive


def test_other_time_zones_compare_as_instants() -> None:
    cet = timezone(timedelta(hours=1))
    with pytest.raises(TrustError, match="not valid before"):
        store().lookup(SIGNER.kid, at=datetime(2026, 1, 1, 0, 30, tzinfo=cet))
    assert store().lookup(SIGNER.kid, at=datetime(2026, 1, 1, 1, 0, tzinfo=cet))


def test_revocation_applies_at_and_after() -> None:
    revoked_at = T0 + timedelta(days=100)
    s = store().revoke(SIGNER.kid, at=revoked_at)
    assert s.lookup(SIGNER.kid, at=revoked_at - timedelta(seconds=1))
    with pytest.raises(TrustError, match="revoked at"):
        s.lookup(SIGNER.kid, at=revoked_at)
    with pytest.raises(TrustError, match="revoked at"):
        s.lookup(SIGNER.kid, at=T1 + timedelta(days=1))  # revoked wins over expired
    # A later revocation never moves an earlier one; an earlier one does.
    later = s.revoke(SIGNER.kid, at=revoked_at + timedelta(days=5))
    assert later.lookup(SIGNER.kid, at=revoked_at - timedelta(seconds=1))
    earlier = s.revoke(SIGNER.kid, at=revoked_at - timedelta(days=5))
    with pytest.raises(TrustError, match="revoked"):
        earlier.lookup(SIGNER.kid, at=revoked_at - timedelta(days=1))
    # The original store is unchanged (immutability).
    assert store().lookup(SIGNER.kid, at=revoked_at)
    assert s.lookup("repair-shop-1", at=revoked_at)


def test_unknown_kid() -> None:
    with pytest.raises(TrustError, match="unknown kid 'nobody'"):
        store().lookup("nobody", at=T0)
    with pytest.raises(TrustError, match="unknown kid"):
        store().lookup(b"\xff\xfe", at=T0)
    with pytest.raises(TrustError, match="cannot revoke unknown kid"):
        store().revoke("nobody", at=T0)


@pytest.mark.parametrize("at", [datetime(2026, 6, 1), "2026-06-01T00:00:00Z", None])
def test_at_must_be_an_aware_datetime(at: object) -> None:
    with pytest.raises(TrustError, match="timezone-aware"):
        store().lookup(SIGNER.kid, at=at)  # type: ignore[arg-type]


def test_store_is_immutable_and_rejects_duplicates() -> None:
    s = store()
    with pytest.raises(AttributeError):
        s.keys = ()  # type: ignore[misc]
    with pytest.raises(TrustError, match="appears twice"):
        s.add_key(
            OTHER.public_key().__class__.from_jwk(PrivateKey.generate().public_key().to_jwk()),
            organisation_id="x",
            roles=[Role.RECYCLER],
            not_before=T0,
            not_after=T1,
            kid=SIGNER.kid,
        )
    with pytest.raises(TrustError, match="already trusted as kid"):
        s.add_key(
            SIGNER.public_key(),
            organisation_id="x",
            roles=[Role.RECYCLER],
            not_before=T0,
            not_after=T1,
            kid="alias",
        )


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"organisation_id": ""}, "organisation_id"),
        ({"roles": frozenset()}, "roles"),
        ({"roles": frozenset({"manufacturer"})}, "roles"),
        ({"not_before": T1, "not_after": T0}, "earlier than"),
        ({"not_before": datetime(2026, 1, 1)}, "timezone-aware"),
        ({"revoked_at": datetime(2026, 1, 1)}, "timezone-aware"),
        ({"kid": ""}, "kid"),
    ],
)
def test_entry_validation(kwargs: dict[str, object], match: str) -> None:
    fields: dict[str, object] = {
        "kid": "k",
        "public_key": SIGNER.public_key(),
        "organisation_id": "org",
        "roles": frozenset({Role.RECYCLER}),
        "not_before": T0,
        "not_after": T1,
    }
    with pytest.raises(TrustError, match=match):
        TrustedKey(**(fields | kwargs))  # type: ignore[arg-type]


# --- the trust file ---------------------------------------------------------------------------


def test_file_round_trip_and_atomic_write(tmp_path: Path) -> None:
    s = store().revoke("repair-shop-1", at=T0 + timedelta(days=3))
    path = tmp_path / "trust.json"
    s.to_file(path)
    assert stat.S_IMODE(path.stat().st_mode) == 0o644
    loaded = TrustStore.from_file(path)
    assert loaded == s
    assert loaded.to_json() == s.to_json() == path.read_text(encoding="utf-8")
    doc = json.loads(path.read_text(encoding="utf-8"))
    assert doc["format"] == TRUST_FILE_FORMAT
    assert doc["version"] == 1
    assert doc["keys"][1]["revoked_at"] == "2026-01-04T00:00:00Z"
    assert doc["keys"][0]["jwk"]["kid"] == SIGNER.kid


def test_to_file_refuses_overwrite_unless_asked(tmp_path: Path) -> None:
    path = tmp_path / "trust.json"
    store().to_file(path)
    smaller = TrustStore().add(store().keys[0])
    with pytest.raises(BatteryPassError, match="refusing to overwrite"):
        smaller.to_file(path)
    assert TrustStore.from_file(path) == store()
    smaller.to_file(path, overwrite=True)
    assert TrustStore.from_file(path) == smaller
    assert sorted(p.name for p in tmp_path.iterdir()) == ["trust.json"]


def _doc() -> dict[str, object]:
    return json.loads(store().to_json())  # type: ignore[no-any-return]


def _mutate(path: list[object], value: object) -> str:
    doc = _doc()
    target: object = doc
    for step in path[:-1]:
        target = target[step]  # type: ignore[index]
    if value is _DELETE:
        del target[path[-1]]  # type: ignore[attr-defined]
    else:
        target[path[-1]] = value  # type: ignore[index]
    return json.dumps(doc)


_DELETE = object()


@pytest.mark.parametrize(
    ("path", "value", "match"),
    [
        (["format"], "something-else", "format"),
        (["version"], 2, "unsupported version"),
        (["version"], True, "unsupported version"),
        (["extra"], 1, "unknown member"),
        (["keys"], _DELETE, "missing member"),
        (["keys", 0, "comment"], "hi", "unknown member"),
        (["keys", 0, "roles"], ["manufacturer", "wizard"], "unknown role 'wizard'"),
        (["keys", 0, "roles"], ["recycler", "recycler"], "listed twice"),
        (["keys", 0, "roles"], [], "non-empty"),
        (["keys", 0, "not_after"], "2031-01-01T00:00:00", "no UTC offset"),
        (["keys", 0, "not_after"], "soon", "not a date-time"),
        (["keys", 0, "not_before"], 1767225600, "date-time string"),
        (["keys", 0, "jwk", "kid"], "someone-else", "differs from entry kid"),
        (["keys", 0, "jwk", "x"], "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", "small-order"),
        (["keys", 0, "jwk", "d"], "AAAA", "private member"),
        (["keys", 0, "organisation_id"], " ", "non-empty"),
        (["x509_anchors"], [{"certificate": "nope"}], "missing member"),
    ],
)
def test_bad_trust_files_are_rejected_with_a_path(
    path: list[object], value: object, match: str
) -> None:
    with pytest.raises(TrustError, match=match) as info:
        TrustStore.from_json(_mutate(path, value), source="trust.json")
    assert str(info.value).startswith("trust.json: ")


def test_duplicate_json_members_and_constants_are_rejected() -> None:
    text = store().to_json().replace('"format": ', '"format": "x", "format": ', 1)
    # JSON-level problems come from the one strict JSON reader (DecodeError, CLI exit 3).
    with pytest.raises(DecodeError, match="duplicate key 'format'"):
        TrustStore.from_json(text)
    with pytest.raises(DecodeError, match="NaN") as info:
        TrustStore.from_json(store().to_json().replace('"version": 1', '"version": NaN'))
    assert info.value.path == ("version",)
    with pytest.raises(DecodeError, match="not valid JSON"):
        TrustStore.from_json("{")


def test_error_paths_point_at_the_entry() -> None:
    with pytest.raises(TrustError) as info:
        TrustStore.from_json(_mutate(["keys", 1, "roles"], ["wizard"]))
    assert info.value.path == ("keys", 1, "roles", 0)
    assert "keys[1].roles[0]" in str(info.value)


def test_missing_file() -> None:
    with pytest.raises(FileError, match="no such trust file"):
        TrustStore.from_file("/nonexistent/trust.json")


def test_example_in_spec_parses() -> None:
    spec = Path(__file__).resolve().parents[2] / "specs" / "trust-file.md"
    text = spec.read_text(encoding="utf-8")
    example = text.split("```json\n", 1)[1].split("```", 1)[0]
    s = TrustStore.from_json(example)
    at = datetime(2027, 3, 1, tzinfo=UTC)
    entry = s.lookup("kPrK_qmxVWaYVA9wwBF6Iuo3vVzz7TxHCTwXBygrS4k", at=at)
    assert entry.roles == frozenset({Role.MANUFACTURER, Role.ECONOMIC_OPERATOR})
    with pytest.raises(TrustError, match="revoked"):
        s.lookup("repairer-2025-01", at=at)
    assert len(s.anchors) == 1
