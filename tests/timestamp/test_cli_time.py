"""The command line: sign --tsa, timestamp, events append --tsa, trust add --role
timestamp-authority, trust revoke --compromised-at, verify --require-timestamp."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from batterypass.cli import run
from batterypass.cose import parse_sign1

from .conftest import DemoTSA, pem, serve

ROOT = Path(__file__).resolve().parents[2]
EV = ROOT / "examples" / "passports" / "ev-nmc.json"
ORG = "urn:lei:529900DEMO0EXAMPLE01"
ISSUED = datetime(2026, 10, 15, 8, 0, 30, tzinfo=UTC)


@pytest.fixture
def setup(tmp_path: Path) -> tuple[Path, Path, DemoTSA]:
    prefix = tmp_path / "maker"
    assert run(["keygen", "--alg", "EdDSA", "--kid", "maker-1", "--out", str(prefix)]) == 0
    trust = tmp_path / "trust.json"
    common = ["--not-before", "2026-01-01T00:00:00Z", "--not-after", "2030-01-01T00:00:00Z"]
    assert run(["trust", "add", str(trust), f"{prefix}.pub", "--role", "manufacturer",
                "--role", "economic_operator", "--kid", "maker-1", "--org", ORG,
                *common]) == 0  # fmt: skip
    tsa = DemoTSA(now=ISSUED)
    root = tmp_path / "tsa-root.pem"
    root.write_bytes(pem(tsa.root))
    assert run(["trust", "add", str(trust), str(root), "--role", "timestamp-authority",
                "--org", "urn:demo:tsa", *common]) == 0  # fmt: skip
    return prefix, trust, tsa


def _verify(trust: Path, *files: Path, extra: tuple[str, ...] = ()) -> tuple[int, dict]:  # type: ignore[type-arg]
    import contextlib
    import io

    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        code = run(["verify", *map(str, files), "--trust", str(trust), "--json", *extra])
    return code, json.loads(out.getvalue())


def test_trust_add_timestamp_authority_writes_its_own_list(
    setup: tuple[Path, Path, DemoTSA], capsys: pytest.CaptureFixture[str]
) -> None:
    _, trust, tsa = setup
    doc = json.loads(trust.read_text())
    assert len(doc["keys"]) == 1
    [entry] = doc["timestamp_authorities"]
    assert entry["organisation_id"] == "urn:demo:tsa"
    assert entry["certificate"] == pem(tsa.root).decode()
    capsys.readouterr()
    assert run(["trust", "list", str(trust), "--json"]) == 0
    listed = json.loads(capsys.readouterr().out)
    assert listed["timestamp_authorities"][0]["organisation"] == "urn:demo:tsa"


@pytest.mark.parametrize(
    ("extra", "what"),
    [
        (["--role", "manufacturer"], "goes alone"),
        (["--kid", "x"], "--kid is for keys"),
    ],
)
def test_trust_add_timestamp_authority_misuse(
    setup: tuple[Path, Path, DemoTSA],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    extra: list[str],
    what: str,
) -> None:
    _, trust, _ = setup
    other = tmp_path / "other.pem"
    other.write_bytes(pem(DemoTSA(now=ISSUED).root))
    before = trust.read_bytes()
    code = run(["trust", "add", str(trust), str(other), "--role", "timestamp-authority",
                "--org", "urn:demo:tsa2", *extra])  # fmt: skip
    assert code == 2
    assert what in capsys.readouterr().err
    assert trust.read_bytes() == before


def test_policy_and_intermediate_need_the_tsa_role(
    setup: tuple[Path, Path, DemoTSA], capsys: pytest.CaptureFixture[str]
) -> None:
    prefix, trust, _ = setup
    code = run(["trust", "add", str(trust), f"{prefix}.pub", "--role", "repairer",
                "--org", ORG, "--policy", "1.2.3"])  # fmt: skip
    assert code == 2
    assert "timestamp-authority only" in capsys.readouterr().err


def test_sign_with_tsa_then_compromise(
    setup: tuple[Path, Path, DemoTSA], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    prefix, trust, tsa = setup
    signed = tmp_path / "ev.cose"
    with serve(tsa) as url:
        assert run(["sign", str(EV), "--key", f"{prefix}.key", "--kid", "maker-1",
                    "--out", str(signed),
                    "--tsa", url]) == 0  # fmt: skip
    assert parse_sign1(signed.read_bytes()).timestamp_token is not None
    code, doc = _verify(trust, signed, extra=("--require-timestamp",))
    assert code == 0
    [result] = doc["files"]
    assert result["timestamp"]["time"] == ISSUED.isoformat()
    assert result["timestamp"]["authority"] == "urn:demo:tsa"
    assert result["checked_at"] == ISSUED.isoformat()
    # The key is stolen later; what was timestamped before stays valid.
    assert run(["trust", "revoke", str(trust), "maker-1",
                "--compromised-at", "2027-01-01T00:00:00Z"]) == 0  # fmt: skip
    assert json.loads(trust.read_text())["keys"][0]["compromised_at"] == "2027-01-01T00:00:00Z"
    assert _verify(trust, signed)[0] == 0
    # A signature without a token by that key now fails with the reason.
    bare = tmp_path / "bare.cose"
    assert (
        run(["sign", str(EV), "--key", f"{prefix}.key", "--kid", "maker-1", "--out", str(bare)])
        == 0
    )
    code, doc = _verify(trust, bare)
    assert code == 1
    assert doc["files"][0]["error"]["code"] == "key-compromised"
    capsys.readouterr()
    assert run(["verify", str(bare), "--trust", str(trust)]) == 1
    assert "reported compromised" in capsys.readouterr().out


def test_timestamp_command_adds_a_token_without_touching_the_signed_bytes(
    setup: tuple[Path, Path, DemoTSA], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    prefix, trust, tsa = setup
    signed, out = tmp_path / "ev.cose", tmp_path / "ev.ts.cose"
    assert (
        run(["sign", str(EV), "--key", f"{prefix}.key", "--kid", "maker-1", "--out", str(signed)])
        == 0
    )
    code, doc = _verify(trust, signed, extra=("--require-timestamp",))
    assert (code, doc["files"][0]["error"]["code"]) == (1, "no-timestamp")
    with serve(tsa) as url:
        assert run(["timestamp", str(signed), "--tsa", url, "--out", str(out)]) == 0
        before, after = parse_sign1(signed.read_bytes()), parse_sign1(out.read_bytes())
        assert (before.protected_bytes, before.payload, before.signature) == (
            after.protected_bytes,
            after.payload,
            after.signature,
        )
        assert _verify(trust, out, extra=("--require-timestamp",))[0] == 0
        # Bulk runs hold every item to the same rule: the stamped copy passes, the original
        # fails with no-timestamp.
        capsys.readouterr()
        bulk = ["bulk-verify", str(out), str(signed), "--trust", str(trust), "--workers", "1"]
        assert run([*bulk, "--json"]) == 0
        capsys.readouterr()
        assert run([*bulk, "--require-timestamp", "--json"]) == 1
        summary = json.loads(capsys.readouterr().out)
        assert (summary["verified"], summary["failed"]) == (1, 1)
        assert [f["code"] for f in summary["failures"]] == ["no-timestamp"]
        # Never over an existing file without --force; never a second token without --replace.
        kept = out.read_bytes()
        capsys.readouterr()
        assert run(["timestamp", str(signed), "--tsa", url, "--out", str(out)]) == 2
        assert "--force" in capsys.readouterr().err
        assert out.read_bytes() == kept
        again = tmp_path / "again.cose"
        assert run(["timestamp", str(out), "--tsa", url, "--out", str(again)]) == 1
        assert "already carries" in capsys.readouterr().err
        assert not again.exists()
        assert run(["timestamp", str(out), "--tsa", url, "--out", str(again), "--replace"]) == 0


def test_a_failing_tsa_writes_nothing(
    setup: tuple[Path, Path, DemoTSA], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    prefix, _, tsa = setup
    tsa.wrong_nonce = True
    signed = tmp_path / "ev.cose"
    with serve(tsa) as url:
        code = run(["sign", str(EV), "--key", f"{prefix}.key", "--kid", "maker-1",
                    "--out", str(signed),
                    "--tsa", url])  # fmt: skip
    assert code == 1
    assert not signed.exists()
    err = capsys.readouterr()
    assert "nonce" in err.out + err.err


def test_events_append_with_tsa_and_require_timestamp(
    setup: tuple[Path, Path, DemoTSA], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    prefix, trust, tsa = setup
    signed, log = tmp_path / "ev.cose", tmp_path / "ev.events"
    # No trust file while appending (the log's signatures unchecked, said explicitly).
    append = ["events", "append", str(log), "--key", f"{prefix}.key", "--kid", "maker-1",
              "--passport", str(signed), "--no-verify-signatures"]  # fmt: skip
    with serve(tsa) as url:
        assert run(["sign", str(EV), "--key", f"{prefix}.key", "--kid", "maker-1",
                    "--out", str(signed), "--tsa", url]) == 0  # fmt: skip
        tsa.now = datetime(2026, 11, 1, 8, 0, 5, tzinfo=UTC)
        assert run([*append, "--type", "manufactured", "--data", '{"country": "DE"}',
                    "--at", "2026-11-01T08:00:00Z", "--tsa", url]) == 0  # fmt: skip
    # The second event without a token.
    assert run([*append, "--type", "placed_on_market", "--data", '{"member_state": "DE"}',
                "--at", "2026-11-02T08:00:00Z"]) == 0  # fmt: skip
    capsys.readouterr()
    verify = ["events", "verify", str(log), "--trust", str(trust), "--passport", str(signed),
              "--at", "2028-01-01T00:00:00Z", "--json"]  # fmt: skip
    assert run(verify) == 0
    assert json.loads(capsys.readouterr().out)["timestamped_events"] == 1
    assert run([*verify, "--require-timestamp"]) == 1
    assert "event 1: the message has no timestamp token" in capsys.readouterr().err
    # After a compromise between the two events, the log fails at the second one.
    assert run(["trust", "revoke", str(trust), "maker-1",
                "--compromised-at", "2026-11-01T12:00:00Z"]) == 0  # fmt: skip
    capsys.readouterr()
    assert run(verify) == 1
    assert "event 1: key 'maker-1' was reported compromised" in capsys.readouterr().err
    # A TSA that cannot be reached appends nothing.
    size = log.stat().st_size
    with serve(tsa) as url:
        pass
    assert run([*append, "--type", "put_into_service", "--data", '{"application": "car"}',
                "--at", "2026-11-03T08:00:00Z", "--tsa", url,
                "--tsa-timeout", "2"]) == 1  # fmt: skip
    assert log.stat().st_size == size


def test_trust_roles_are_the_actor_roles_and_the_tsa() -> None:
    from batterypass.cli._sign_cmds import TrustRole
    from batterypass.model import Role
    from batterypass.verify import TIMESTAMP_AUTHORITY_ROLE

    assert {r.value for r in TrustRole} == {r.value for r in Role} | {TIMESTAMP_AUTHORITY_ROLE}


def test_trust_revoke_needs_a_time(
    setup: tuple[Path, Path, DemoTSA], capsys: pytest.CaptureFixture[str]
) -> None:
    _, trust, _ = setup
    assert run(["trust", "revoke", str(trust), "maker-1"]) == 2
    assert "--compromised-at" in capsys.readouterr().err
    assert run(["trust", "revoke", str(trust), "maker-1", "--at", "2027-06-01T00:00:00Z",
                "--compromised-at", "2027-01-01T00:00:00Z"]) == 0  # fmt: skip
    key = json.loads(trust.read_text())["keys"][0]
    assert (key["revoked_at"], key["compromised_at"]) == (
        "2027-06-01T00:00:00Z",
        "2027-01-01T00:00:00Z",
    )
