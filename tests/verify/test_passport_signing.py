"""The passport signing recipe and the keygen/trust/sign/verify commands."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from batterypass.cli import run
from batterypass.codec import cbor
from batterypass.cose import (
    PASSPORT_CONTENT_TYPE,
    Sign1Error,
    Sign1Reason,
    cwt_claims_header,
    sign1,
    sign_passport,
)
from batterypass.errors import SignatureError, TrustError
from batterypass.keys import Algorithm, PrivateKey
from batterypass.model import BatteryPassport, Role
from batterypass.verify import TrustStore, verify_passport

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "examples" / "passports"
T0 = datetime(2026, 1, 1, tzinfo=UTC)
T_END = datetime(2030, 1, 1, tzinfo=UTC)


def _store(key: PrivateKey, org: str, roles: tuple[Role, ...] = (Role.MANUFACTURER,)) -> TrustStore:
    return TrustStore().add_key(
        key.public_key(), organisation_id=org, roles=roles, not_before=T0, not_after=T_END
    )


@pytest.mark.parametrize("alg", [Algorithm.ED25519, Algorithm.ESP256, Algorithm.ESP384])
def test_sign_and_verify_round_trip(alg: Algorithm, ev_passport: BatteryPassport) -> None:
    key = PrivateKey.generate(alg)
    signed = sign_passport(ev_passport, key)
    result = verify_passport(signed, trust=_store(key, ev_passport.issuer))
    assert result.passport == ev_passport
    assert result.kid == key.kid
    assert result.algorithm is alg
    assert result.payload == cbor.dumps(ev_passport)
    assert result.signed_at == ev_passport.issued_at


def test_untrusted_key_is_refused(ev_passport: BatteryPassport) -> None:
    key, other = PrivateKey.generate(), PrivateKey.generate()
    signed = sign_passport(ev_passport, key)
    with pytest.raises(TrustError, match="unknown"):
        verify_passport(signed, trust=_store(other, ev_passport.issuer))


def test_wrong_role_and_wrong_organisation_are_refused(ev_passport: BatteryPassport) -> None:
    key = PrivateKey.generate()
    signed = sign_passport(ev_passport, key)
    with pytest.raises(TrustError, match="roles \\[recycler\\]"):
        verify_passport(signed, trust=_store(key, ev_passport.issuer, (Role.RECYCLER,)))
    with pytest.raises(TrustError, match="issuer"):
        verify_passport(signed, trust=_store(key, "urn:lei:SOMEONEELSE"))


def test_trust_window_and_revocation(ev_passport: BatteryPassport) -> None:
    key = PrivateKey.generate()
    signed = sign_passport(ev_passport, key)
    store = _store(key, ev_passport.issuer)
    revoked = store.revoke(key.kid, at=ev_passport.issued_at - timedelta(days=1))
    with pytest.raises(TrustError, match="revoked"):
        verify_passport(signed, trust=revoked)
    later = store.revoke(key.kid, at=ev_passport.issued_at + timedelta(days=1))
    assert verify_passport(signed, trust=later).kid == key.kid
    with pytest.raises(TrustError):
        verify_passport(signed, trust=store, at=datetime(2031, 1, 1, tzinfo=UTC))


def test_future_issue_time_is_refused(ev_passport: BatteryPassport) -> None:
    key = PrivateKey.generate()
    signed = sign_passport(ev_passport, key)
    with pytest.raises(TrustError, match="in the future"):
        verify_passport(
            signed, trust=_store(key, ev_passport.issuer), now=datetime(2026, 1, 1, tzinfo=UTC)
        )


def test_other_signed_content_is_not_a_passport(ev_passport: BatteryPassport) -> None:
    key = PrivateKey.generate()
    payload = cbor.dumps(ev_passport)
    for content_type in (None, "application/cbor", 60):
        other = sign1(payload, key, kid=key.kid.encode(), content_type=content_type)
        with pytest.raises(SignatureError, match="not a signed passport"):
            verify_passport(other, trust=_store(key, ev_passport.issuer))
    claims = cwt_claims_header(iat=ev_passport.issued_at, sub=ev_passport.passport_id)
    good = sign1(
        payload,
        key,
        kid=key.kid.encode(),
        content_type=PASSPORT_CONTENT_TYPE,
        protected_extra=claims,
    )
    assert verify_passport(good, trust=_store(key, ev_passport.issuer)).passport == ev_passport
    # Behaviour change (issue 16): a passport signed the old way, without the signing time
    # in the protected header, is refused under the strict profile.
    old_style = sign1(payload, key, kid=key.kid.encode(), content_type=PASSPORT_CONTENT_TYPE)
    with pytest.raises(Sign1Error, match="no signing time") as caught:
        verify_passport(old_style, trust=_store(key, ev_passport.issuer))
    assert caught.value.reason is Sign1Reason.NO_SIGNING_TIME


def test_any_changed_byte_fails(ev_passport: BatteryPassport) -> None:
    key = PrivateKey.generate()
    signed = sign_passport(ev_passport, key)
    store = _store(key, ev_passport.issuer)
    from batterypass.errors import BatteryPassError

    header = len(signed) - len(cbor.dumps(ev_passport)) - 64
    for i in range(0, len(signed), 7):
        if 10 < i < header:  # the unprotected kid: changing it names another (unknown) key
            continue
        mutated = bytearray(signed)
        mutated[i] ^= 0x01
        with pytest.raises(BatteryPassError):
            verify_passport(bytes(mutated), trust=store)


def _cli_setup(tmp_path: Path) -> tuple[Path, Path]:
    prefix = tmp_path / "maker"
    assert run(["keygen", "--alg", "ES256", "--out", str(prefix)]) == 0
    trust = tmp_path / "trust.json"
    assert (
        run(
            [
                "trust",
                "add",
                str(trust),
                str(prefix) + ".pub",
                "--role",
                "manufacturer",
                "--org",
                "urn:lei:529900DEMO0EXAMPLE01",
                "--not-before",
                "2026-01-01T00:00:00Z",
            ]
        )
        == 0
    )
    return prefix, trust


def test_cli_keygen_sign_verify(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    prefix, trust = _cli_setup(tmp_path)
    key_file = Path(str(prefix) + ".key")
    assert key_file.stat().st_mode & 0o777 == 0o600
    signed = tmp_path / "ev.cose"
    assert (
        run(["sign", str(EXAMPLES / "ev-nmc.json"), "--key", str(key_file), "--out", str(signed)])
        == 0
    )
    assert (
        run(["sign", str(EXAMPLES / "ev-nmc.json"), "--key", str(key_file), "--out", str(signed)])
        == 2
    )
    capsys.readouterr()
    assert run(["verify", "--json", str(signed), "--trust", str(trust)]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["ok"] is True
    assert doc["files"][0]["algorithm"] == "ESP256"
    tampered = tmp_path / "bad.cose"
    data = bytearray(signed.read_bytes())
    data[-3] ^= 0xFF
    tampered.write_bytes(bytes(data))
    assert run(["verify", str(signed), str(tampered), "--trust", str(trust)]) == 1
    out = capsys.readouterr().out
    assert "ev.cose: verified" in out
    assert "bad.cose: NOT VERIFIED" in out
    assert run(["verify", str(EXAMPLES / "ev-nmc.json"), "--trust", str(trust)]) == 3
    assert "unsigned passport" in capsys.readouterr().out


def test_cli_refuses_to_overwrite_keys(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    prefix = tmp_path / "k"
    assert run(["keygen", "--alg", "EdDSA", "--out", str(prefix)]) == 0
    before = Path(str(prefix) + ".key").read_bytes()
    assert run(["keygen", "--alg", "EdDSA", "--out", str(prefix)]) == 2
    assert Path(str(prefix) + ".key").read_bytes() == before


def test_cli_trust_revoke_then_verify_fails(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    prefix, trust = _cli_setup(tmp_path)
    signed = tmp_path / "ev.cose"
    assert (
        run(
            [
                "sign",
                str(EXAMPLES / "ev-nmc.json"),
                "--key",
                str(prefix) + ".key",
                "--out",
                str(signed),
            ]
        )
        == 0
    )
    capsys.readouterr()
    assert run(["trust", "list", "--json", str(trust)]) == 0
    kid = json.loads(capsys.readouterr().out)["keys"][0]["kid"]
    # "--" ends the options: a kid (base64url) may start with "-" (about 1 run in 64).
    assert run(["trust", "revoke", "--at", "2026-06-01T00:00:00Z", "--", str(trust), kid]) == 0
    assert run(["verify", str(signed), "--trust", str(trust)]) == 1
    assert "revoked" in capsys.readouterr().out


def test_cli_missing_trust_file_is_usage_error(tmp_path: Path) -> None:
    assert run(["verify", str(tmp_path / "x.cose"), "--trust", str(tmp_path / "none.json")]) == 2


def test_cli_naive_time_is_usage_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    _, trust = _cli_setup(tmp_path)
    assert (
        run(["verify", str(tmp_path / "x.cose"), "--trust", str(trust), "--at", "2027-01-01T00:00"])
        == 2
    )
    assert "timezone" in capsys.readouterr().err


def test_a_disclosable_passport_is_not_a_plain_passport(ev_passport: BatteryPassport) -> None:
    from batterypass.disclosure import issue_disclosable

    key = PrivateKey.generate()
    dp = issue_disclosable(ev_passport, key, kid=key.kid)
    with pytest.raises(SignatureError, match="not a signed passport"):
        verify_passport(dp.message, trust=_store(key, ev_passport.issuer))
