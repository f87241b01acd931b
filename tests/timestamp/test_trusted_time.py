"""Trusted signing time: a verifier with timestamp authorities takes the signing time from a
valid RFC 9921 token, and a key reported compromised keeps exactly the signatures timestamped
before the compromise."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from batterypass.cose import add_timestamp_token, sign_passport
from batterypass.disclosure import issue_disclosable, present
from batterypass.errors import BatteryPassError, DecodeError, TrustError
from batterypass.keys import PrivateKey
from batterypass.model import BatteryPassport, Role
from batterypass.verify import (
    TimestampAuthority,
    TrustAnchor,
    TrustStore,
    verify_passport,
    verify_presentation,
)

from .conftest import DEMO_POLICY, DemoTSA, authority, pem, stamped, token_for

ISSUED = datetime(2026, 10, 15, 8, tzinfo=UTC)  # the ev-nmc example's issued_at
STAMPED = ISSUED + timedelta(seconds=30)
COMPROMISED = datetime(2027, 1, 1, tzinfo=UTC)
NOW = datetime(2028, 1, 1, tzinfo=UTC)
KEY = PrivateKey.generate()


def _store(passport: BatteryPassport, *tsas: TimestampAuthority) -> TrustStore:
    store = TrustStore().add_key(
        KEY.public_key(),
        organisation_id=passport.issuer,
        roles=[Role.MANUFACTURER],
        not_before=datetime(2026, 1, 1, tzinfo=UTC),
        not_after=datetime(2030, 1, 1, tzinfo=UTC),
    )
    for tsa in tsas:
        store = store.add_timestamp_authority(tsa)
    return store


def _code(call: object) -> str:
    with pytest.raises(BatteryPassError) as info:
        call()  # type: ignore[operator]
    return info.value.code


@pytest.fixture
def tsa() -> DemoTSA:
    return DemoTSA(now=STAMPED)


@pytest.fixture
def signed(ev_passport: BatteryPassport) -> bytes:
    return sign_passport(ev_passport, KEY)


def test_a_good_token_gives_the_signing_time(
    ev_passport: BatteryPassport, tsa: DemoTSA, signed: bytes
) -> None:
    result = verify_passport(
        stamped(tsa, signed), trust=_store(ev_passport, authority(tsa)), now=NOW
    )
    assert result.signed_at == STAMPED  # the TSA's time, not the signer's claim
    assert result.timestamp is not None
    assert result.timestamp.time == STAMPED
    assert result.timestamp.authority == "urn:demo:tsa"
    assert result.timestamp.policy == DEMO_POLICY
    assert result.timestamp.hash_algorithm == "sha256"
    assert result.timestamp.authority_fingerprint == authority(tsa).fingerprint
    assert result.passport == ev_passport


def test_without_authorities_a_token_is_not_looked_at(
    ev_passport: BatteryPassport, tsa: DemoTSA, signed: bytes
) -> None:
    garbage = add_timestamp_token(signed, b"\x30\x03\x02\x01\x00")
    for message in (stamped(tsa, signed), garbage):
        result = verify_passport(message, trust=_store(ev_passport), now=NOW)
        assert result.timestamp is None
        assert result.signed_at == ISSUED


def test_without_a_token_the_claim_is_used_unless_one_is_required(
    ev_passport: BatteryPassport, tsa: DemoTSA, signed: bytes
) -> None:
    store = _store(ev_passport, authority(tsa))
    assert verify_passport(signed, trust=store, now=NOW).signed_at == ISSUED
    assert (
        _code(lambda: verify_passport(signed, trust=store, now=NOW, require_timestamp=True))
        == "no-timestamp"
    )
    # No authorities at all: a required timestamp cannot be checked.
    assert (
        _code(
            lambda: verify_passport(
                stamped(tsa, signed), trust=_store(ev_passport), now=NOW, require_timestamp=True
            )
        )
        == "no-timestamp"
    )


def test_a_token_over_another_signature_is_refused(
    ev_passport: BatteryPassport, tsa: DemoTSA, signed: bytes
) -> None:
    other = sign_passport(ev_passport, PrivateKey.generate())
    swapped = add_timestamp_token(signed, token_for(tsa, other))
    store = _store(ev_passport, authority(tsa))
    with pytest.raises(BatteryPassError, match="other bytes than this signature") as info:
        verify_passport(swapped, trust=store, now=NOW)
    assert info.value.code == "bad-timestamp"
    # A TSA that answers with another imprint makes the same kind of token.
    tsa.wrong_imprint = True
    assert _code(lambda: verify_passport(stamped(tsa, signed), trust=store, now=NOW)) == (
        "bad-timestamp"
    )


@pytest.mark.parametrize(
    "token", [b"\x30\x03\x02\x01\x00", b"\x04\x01\x00", b"\x30\x80" + b"\x00" * 8]
)
def test_a_malformed_token_is_refused(
    ev_passport: BatteryPassport, tsa: DemoTSA, signed: bytes, token: bytes
) -> None:
    message = add_timestamp_token(signed, token)
    store = _store(ev_passport, authority(tsa))
    assert _code(lambda: verify_passport(message, trust=store, now=NOW)) == "bad-timestamp"


def test_a_token_with_trailing_bytes_is_refused(
    ev_passport: BatteryPassport, tsa: DemoTSA, signed: bytes
) -> None:
    message = add_timestamp_token(signed, token_for(tsa, signed) + b"\x00")
    store = _store(ev_passport, authority(tsa))
    assert _code(lambda: verify_passport(message, trust=store, now=NOW)) == "bad-timestamp"


def test_a_token_from_an_untrusted_tsa_is_refused(
    ev_passport: BatteryPassport, tsa: DemoTSA, signed: bytes
) -> None:
    stranger = DemoTSA(now=STAMPED)
    store = _store(ev_passport, authority(tsa))
    with pytest.raises(TrustError, match="no timestamp authority") as info:
        verify_passport(stamped(stranger, signed), trust=store, now=NOW)
    assert info.value.code == "untrusted-timestamp"


def test_a_token_made_after_the_tsa_certificate_expired_is_refused(
    ev_passport: BatteryPassport, signed: bytes
) -> None:
    expired = DemoTSA(now=STAMPED, leaf_valid_until=ISSUED + timedelta(seconds=10))
    store = _store(ev_passport, authority(expired))
    with pytest.raises(TrustError, match="no timestamp authority") as info:
        verify_passport(stamped(expired, signed), trust=store, now=NOW)
    assert info.value.code == "untrusted-timestamp"
    # The same TSA's token from while its certificate was valid verifies years later.
    expired.now = ISSUED + timedelta(seconds=5)
    result = verify_passport(stamped(expired, signed), trust=store, now=NOW)
    assert result.signed_at == ISSUED + timedelta(seconds=5)


@pytest.mark.parametrize(
    ("window", "what"),
    [
        ({"not_after": datetime(2026, 6, 1, tzinfo=UTC)}, "expired"),
        ({"not_before": datetime(2026, 12, 1, tzinfo=UTC)}, "not valid before"),
        ({"revoked_at": datetime(2026, 10, 1, tzinfo=UTC)}, "revoked"),
        ({"policies": ("1.2.3.4",)}, "policy"),
    ],
)
def test_the_authority_window_revocation_and_policies_apply_to_the_token_time(
    ev_passport: BatteryPassport, tsa: DemoTSA, signed: bytes, window: dict[str, object], what: str
) -> None:
    store = _store(ev_passport, authority(tsa, **window))  # type: ignore[arg-type]
    with pytest.raises(TrustError, match=what) as info:
        verify_passport(stamped(tsa, signed), trust=store, now=NOW)
    assert info.value.code == "untrusted-timestamp"


def test_an_accepted_policy_verifies(
    ev_passport: BatteryPassport, tsa: DemoTSA, signed: bytes
) -> None:
    store = _store(ev_passport, authority(tsa, policies=(DEMO_POLICY, "1.2.3.4")))
    assert verify_passport(stamped(tsa, signed), trust=store, now=NOW).timestamp is not None


def test_a_claim_after_the_token_time_is_refused(
    ev_passport: BatteryPassport, signed: bytes
) -> None:
    early = DemoTSA(now=ISSUED - timedelta(hours=1))
    store = _store(ev_passport, authority(early))
    with pytest.raises(BatteryPassError, match="after the timestamp authority saw") as info:
        verify_passport(stamped(early, signed), trust=store, now=NOW)
    assert info.value.code == "timestamp-mismatch"
    # Within the clock skew it is fine.
    close = DemoTSA(now=ISSUED - timedelta(minutes=4))
    store = _store(ev_passport, authority(close))
    assert verify_passport(stamped(close, signed), trust=store, now=NOW).signed_at == (
        ISSUED - timedelta(minutes=4)
    )


def test_a_token_in_the_future_of_the_verifier_is_refused(
    ev_passport: BatteryPassport, signed: bytes
) -> None:
    late = DemoTSA(now=NOW + timedelta(days=1))
    store = _store(ev_passport, authority(late))
    assert _code(lambda: verify_passport(stamped(late, signed), trust=store, now=NOW)) == (
        "future-issue-time"
    )


def test_the_signer_is_judged_at_the_token_time(ev_passport: BatteryPassport) -> None:
    # The key was revoked between the claimed signing time and the TSA's time: the token
    # proves the signature was not there before the TSA saw it, so the revocation applies.
    signed = sign_passport(ev_passport, KEY)
    tsa = DemoTSA(now=ISSUED + timedelta(days=10))
    store = _store(ev_passport, authority(tsa)).revoke(
        KEY.public_key().kid, at=ISSUED + timedelta(days=1)
    )
    assert verify_passport(signed, trust=store, now=NOW).signed_at == ISSUED  # the claim
    with pytest.raises(TrustError, match="revoked") as info:
        verify_passport(stamped(tsa, signed), trust=store, now=NOW)
    assert info.value.code == "untrusted-signer"


# --- compromise -------------------------------------------------------------------------------


def test_compromise_keeps_what_was_timestamped_before_it(
    ev_passport: BatteryPassport, tsa: DemoTSA, signed: bytes
) -> None:
    store = _store(ev_passport, authority(tsa)).compromise(KEY.public_key().kid, at=COMPROMISED)
    honest = stamped(tsa, signed)
    assert verify_passport(honest, trust=store, now=NOW).signed_at == STAMPED
    # The thief signs a passport dated inside the key's window, after the compromise: with
    # an honest TSA its token is after the compromise ...
    thief = DemoTSA(now=COMPROMISED + timedelta(days=30), root_key=tsa.root_key)
    thief.root, thief.leaf = tsa.root, tsa.leaf
    thief.leaf_key = tsa.leaf_key
    forged = sign_passport(ev_passport.model_copy(update={"issued_at": ISSUED}), KEY)
    with pytest.raises(TrustError, match="not before then") as info:
        verify_passport(stamped(thief, forged), trust=store, now=NOW)
    assert info.value.code == "key-compromised"
    # ... and without a token it has nothing to show.
    with pytest.raises(TrustError, match="has none") as info:
        verify_passport(forged, trust=store, now=NOW)
    assert info.value.code == "key-compromised"
    # An honest signature without a token cannot be told from a forgery either.
    assert _code(lambda: verify_passport(signed, trust=store, now=NOW)) == "key-compromised"


def test_compromise_without_authorities_voids_everything(
    ev_passport: BatteryPassport, tsa: DemoTSA, signed: bytes
) -> None:
    store = _store(ev_passport).compromise(KEY.public_key().kid, at=COMPROMISED)
    for message in (signed, stamped(tsa, signed)):
        assert _code(lambda m=message: verify_passport(m, trust=store, now=NOW)) == (
            "key-compromised"
        )


def test_compromise_applies_even_with_an_explicit_at(
    ev_passport: BatteryPassport, tsa: DemoTSA, signed: bytes
) -> None:
    store = _store(ev_passport, authority(tsa)).compromise(KEY.public_key().kid, at=COMPROMISED)
    at = datetime(2026, 10, 16, tzinfo=UTC)
    assert _code(lambda: verify_passport(signed, trust=store, at=at, now=NOW)) == (
        "key-compromised"
    )
    assert verify_passport(stamped(tsa, signed), trust=store, at=at, now=NOW).signed_at == at


def test_the_earliest_compromise_report_stays(ev_passport: BatteryPassport) -> None:
    kid = KEY.public_key().kid
    store = _store(ev_passport).compromise(kid, at=COMPROMISED)
    later = store.compromise(kid, at=COMPROMISED + timedelta(days=5))
    assert later.keys[0].compromised_at == COMPROMISED
    earlier = store.compromise(kid, at=COMPROMISED - timedelta(days=5))
    assert earlier.keys[0].compromised_at == COMPROMISED - timedelta(days=5)
    with pytest.raises(TrustError, match="unknown kid"):
        store.compromise("nobody", at=COMPROMISED)


def test_presentations_follow_the_same_rule(ev_passport: BatteryPassport, tsa: DemoTSA) -> None:
    shown = present(issue_disclosable(ev_passport, KEY), "public")
    store = _store(ev_passport, authority(tsa))
    result = verify_presentation(stamped(tsa, shown), trust=store, now=NOW)
    assert result.timestamp is not None
    assert result.signed_at == STAMPED
    compromised = store.compromise(KEY.public_key().kid, at=COMPROMISED)
    assert verify_presentation(stamped(tsa, shown), trust=compromised, now=NOW).signed_at == (
        STAMPED
    )
    assert _code(lambda: verify_presentation(shown, trust=compromised, now=NOW)) == (
        "key-compromised"
    )


# --- the trust file ---------------------------------------------------------------------------


def test_the_trust_file_keeps_authorities_and_compromise(
    ev_passport: BatteryPassport, tsa: DemoTSA
) -> None:
    store = _store(
        ev_passport,
        authority(tsa, policies=(DEMO_POLICY,), revoked_at=datetime(2035, 1, 1, tzinfo=UTC)),
    ).compromise(KEY.public_key().kid, at=COMPROMISED)
    text = store.to_json()
    doc = json.loads(text)
    assert doc["keys"][0]["compromised_at"] == "2027-01-01T00:00:00Z"
    entry = doc["timestamp_authorities"][0]
    assert entry["policies"] == [DEMO_POLICY]
    assert entry["intermediates"] == []
    assert entry["certificate"] == pem(tsa.root).decode()
    again = TrustStore.from_json(text)
    assert again == store
    assert again.to_json() == text


def test_older_trust_files_are_unchanged(ev_passport: BatteryPassport) -> None:
    text = _store(ev_passport).to_json()
    assert "timestamp_authorities" not in text
    assert "compromised_at" not in text


def _tsa_entry(tsa: DemoTSA) -> dict[str, object]:
    return {
        "certificate": pem(tsa.root).decode(),
        "intermediates": [],
        "organisation_id": "urn:demo:tsa",
        "policies": [],
        "not_before": "2026-01-01T00:00:00Z",
        "not_after": "2030-01-01T00:00:00Z",
        "revoked_at": None,
    }


@pytest.mark.parametrize(
    ("change", "path", "what"),
    [
        ({"extra": 1}, "timestamp_authorities[0]", "unknown member"),
        ({"policies": ["1.2.x"]}, "timestamp_authorities[0]", "object identifier"),
        ({"policies": ["1.2.3", "1.2.3"]}, "timestamp_authorities[0].policies", "twice"),
        ({"not_before": "2026-01-01T00:00:00"}, "not_before", "UTC offset"),
        ({"certificate": "not pem"}, "timestamp_authorities[0]", "PEM"),
        ({"intermediates": "x"}, "intermediates", "array"),
        ({"organisation_id": ""}, "organisation_id", "non-empty"),
    ],
)
def test_a_bad_authority_entry_refuses_the_whole_file(
    tsa: DemoTSA, change: dict[str, object], path: str, what: str
) -> None:
    entry = _tsa_entry(tsa) | change
    doc = {"format": "batterypass-trust", "version": 1, "keys": [], "x509_anchors": []}
    doc["timestamp_authorities"] = [entry]
    with pytest.raises(TrustError, match=what) as info:
        TrustStore.from_json(json.dumps(doc))
    assert path in str(info.value)


def test_a_bad_compromised_at_is_refused(ev_passport: BatteryPassport) -> None:
    doc = json.loads(_store(ev_passport).to_json())
    doc["keys"][0]["compromised_at"] = "2027-01-01"
    with pytest.raises(TrustError, match=r"keys\[0\].compromised_at"):
        TrustStore.from_json(json.dumps(doc))
    doc["timestamp_authorities"] = {}
    doc["keys"][0]["compromised_at"] = None
    with pytest.raises(TrustError, match="array"):
        TrustStore.from_json(json.dumps(doc))


def test_the_same_authority_twice_is_refused(tsa: DemoTSA) -> None:
    with pytest.raises(TrustError, match="twice"):
        TrustStore(timestamp_authorities=(authority(tsa), authority(tsa)))


def test_not_json_is_a_decode_error() -> None:
    with pytest.raises(DecodeError):
        TrustStore.from_json(b"{")


@pytest.mark.parametrize("workers", [1, 2])
def test_bulk_verification_requires_a_timestamp_when_asked(
    ev_passport: BatteryPassport, tsa: DemoTSA, signed: bytes, workers: int
) -> None:
    """verify_many(require_timestamp=True) holds each item to the rule of verify_passport,
    in the calling process and in the worker processes alike."""
    from batterypass.verify import verify_many

    store = _store(ev_passport, authority(tsa))
    items = [stamped(tsa, signed), signed]
    lax = list(verify_many(items, trust=store, now=NOW, workers=workers))
    assert [r.ok for r in lax] == [True, True]
    strict = list(verify_many(items, trust=store, now=NOW, workers=workers, require_timestamp=True))
    assert [(r.ok, r.code) for r in strict] == [(True, None), (False, "no-timestamp")]
    # Without authorities every item would fail alike: refused at once, before any work.
    assert (
        _code(lambda: verify_many(items, trust=_store(ev_passport), require_timestamp=True))
        == "no-timestamp"
    )


def _x509_signed(passport: BatteryPassport) -> tuple[bytes, TrustAnchor]:
    """``passport`` signed by a leaf certificate (x5chain) under a fresh root, and the root as
    an anchor trusted for the passport's issuer."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    from batterypass.codec import cbor
    from batterypass.cose import PASSPORT_CONTENT_TYPE, cwt_claims_header, sign1

    def cert(name: str, key: Any, issuer: Any, issuer_key: Any, ca: bool) -> x509.Certificate:
        subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
        usage = dict.fromkeys(
            ("content_commitment", "key_encipherment", "data_encipherment", "key_agreement",
             "encipher_only", "decipher_only"),
            False,
        )  # fmt: skip
        return (
            x509.CertificateBuilder()
            .subject_name(subject)
            .issuer_name(issuer or subject)
            .public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(datetime(2025, 1, 1, tzinfo=UTC))
            .not_valid_after(datetime(2035, 1, 1, tzinfo=UTC))
            .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True)
            .add_extension(
                x509.KeyUsage(digital_signature=not ca, key_cert_sign=ca, crl_sign=ca, **usage),
                critical=True,
            )
            .sign(issuer_key, hashes.SHA256())
        )

    root_key, leaf_key = (
        ec.generate_private_key(ec.SECP256R1()),
        ec.generate_private_key(ec.SECP256R1()),
    )
    root = cert("Root", root_key, None, root_key, True)
    leaf = cert("Signer", leaf_key, root.subject, root_key, False)
    message = sign1(
        cbor.dumps(passport),
        PrivateKey.from_cryptography(leaf_key),
        content_type=PASSPORT_CONTENT_TYPE,
        protected_extra={
            **cwt_claims_header(iat=passport.issued_at, sub=passport.passport_id),
            33: [leaf.public_bytes(serialization.Encoding.DER)],
        },
    )
    anchor = TrustAnchor.from_pem(
        root.public_bytes(serialization.Encoding.PEM),
        organisation_id=passport.issuer,
        roles=[Role.MANUFACTURER],
        not_before=datetime(2025, 1, 1, tzinfo=UTC),
        not_after=datetime(2035, 1, 1, tzinfo=UTC),
    )
    return message, anchor


def test_a_compromised_trust_anchor_keeps_only_what_was_timestamped_before(
    ev_passport: BatteryPassport, tsa: DemoTSA
) -> None:
    """A CA reported compromised: every key it certifies is held to the rule of a compromised
    key (a trusted timestamp before the report), whatever the certificates say."""
    message, anchor = _x509_signed(ev_passport)
    store = TrustStore().add_anchor(anchor).add_timestamp_authority(authority(tsa))
    early = stamped(tsa, message)
    assert verify_passport(early, trust=store, now=NOW).signed_at == STAMPED
    assert verify_passport(message, trust=store, now=NOW).signed_at == ISSUED
    hit = store.compromise_anchor(anchor.fingerprint.upper(), at=COMPROMISED)
    assert verify_passport(early, trust=hit, now=NOW).passport == ev_passport
    with pytest.raises(TrustError) as caught:
        verify_passport(message, trust=hit, now=NOW)
    assert caught.value.code == "key-compromised"
    assert f"trust anchor {anchor.fingerprint[:16]} (which certifies key" in caught.value.message
    late = stamped(DemoTSA(now=COMPROMISED + timedelta(days=1), root_key=tsa.root_key), message)
    assert _code(lambda: verify_passport(late, trust=hit, now=NOW)) == "key-compromised"
    # The report lives in the trust file (an optional member; files without it unchanged),
    # and the earliest report stays.
    text = hit.to_json()
    assert json.loads(text)["x509_anchors"][0]["compromised_at"] == "2027-01-01T00:00:00Z"
    assert "compromised_at" not in json.loads(store.to_json())["x509_anchors"][0]
    again = TrustStore.from_json(text).compromise_anchor(
        anchor.fingerprint, at=COMPROMISED + timedelta(days=9)
    )
    assert again.anchors[0].compromised_at == COMPROMISED
    assert _code(lambda: store.compromise_anchor("00" * 32, at=COMPROMISED)) == "untrusted-signer"


def test_cli_trusts_reports_and_lists_an_x509_anchor(
    ev_passport: BatteryPassport,
    tsa: DemoTSA,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """trust add CA.pem makes an anchor, trust revoke --anchor FP reports it compromised, and
    trust list shows it; verification follows."""
    from batterypass.cli import run

    message, anchor = _x509_signed(ev_passport)
    ca, trust = tmp_path / "ca.pem", tmp_path / "trust.json"
    plain, early = tmp_path / "plain.cose", tmp_path / "early.cose"
    ca.write_text(anchor.to_pem(), encoding="ascii")
    plain.write_bytes(message)
    early.write_bytes(stamped(tsa, message))
    org = ev_passport.issuer
    assert run(["trust", "add", str(trust), str(ca), "--role", "manufacturer", "--org", org,
                "--not-before", "2025-01-01T00:00:00Z"]) == 0  # fmt: skip
    assert f"trusted X.509 anchor {anchor.fingerprint}" in capsys.readouterr().err
    assert run(["trust", "add", str(trust), str(ca), "--role", "manufacturer", "--org", org,
                "--kid", "x"]) == 2  # fmt: skip
    store = TrustStore.from_file(trust).add_timestamp_authority(authority(tsa))
    trust.write_text(store.to_json(), encoding="utf-8")
    capsys.readouterr()
    verify = ["verify", "--trust", str(trust), "--at", NOW.isoformat()]
    assert run([*verify, str(plain)]) == 0
    assert run(["trust", "revoke", str(trust), "--anchor", anchor.fingerprint.upper(),
                "--compromised-at", "2027-01-01T00:00:00Z"]) == 0  # fmt: skip
    assert f"X.509 anchor {anchor.fingerprint}" in capsys.readouterr().err
    assert run(["trust", "list", str(trust), "--json"]) == 0
    listed = json.loads(capsys.readouterr().out)
    assert listed["x509_anchors"] == 1
    (entry,) = listed["anchors"]
    assert (entry["fingerprint"], entry["organisation"], entry["roles"]) == (
        anchor.fingerprint,
        org,
        ["manufacturer"],
    )
    assert entry["compromised_at"] == "2027-01-01T00:00:00+00:00"
    assert run([*verify, str(early)]) == 0
    capsys.readouterr()
    assert run([*verify, str(plain)]) == 1
    assert "which certifies key" in capsys.readouterr().out
    # One subject at a time.
    assert run(["trust", "revoke", str(trust), "k1", "--anchor", anchor.fingerprint,
                "--at", "2027-01-01T00:00:00Z"]) == 2  # fmt: skip
