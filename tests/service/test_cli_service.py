"""``batterypass serve`` (real uvicorn subprocesses) and the ``service`` commands."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import httpx
import pytest

from batterypass.cli import run
from batterypass.codec import json as bp_json
from batterypass.model import Audience
from batterypass.service import open_store

from ._server import free_port, start_server, stop_server
from .conftest import EXAMPLES, load_example


def test_serve_demo_serves_the_three_examples() -> None:
    port = free_port()
    proc = start_server(["--demo"], port=port)
    try:
        base = f"http://127.0.0.1:{port}"
        for name in ("ev-nmc", "lfp-storage", "lmt-ebike"):
            passport = load_example(name)
            r = httpx.get(f"{base}/passports/{passport.passport_id}", timeout=10)
            assert r.status_code == 200
            got = bp_json.loads(r.text)
            # The demo re-issues the EV passport (version 2, disclosable): a later issued_at.
            assert got.issued_at >= passport.issued_at
            same_time = got.model_copy(update={"issued_at": passport.issued_at})
            assert same_time == passport.view(Audience.PUBLIC)
            cose = httpx.get(f"{base}/passports/{passport.passport_id}?format=cose", timeout=10)
            assert cose.status_code == 200
            assert cose.headers["content-type"] == "application/cose"
            page = httpx.get(
                f"{base}/passports/{passport.passport_id}",
                headers={"Accept": "text/html"},
                timeout=10,
            )
            assert "verified by this server" in page.text
    finally:
        out, err = stop_server(proc)
    # It printed the URLs to open and a token per audience above the public.
    assert "/passports/urn:uuid:6f1c2a7e-3b4d-4e8f-9a10-2b3c4d5e6f70" in out
    assert out.count("token for ") == 3
    assert "Traceback" not in err


def test_token_add_shown_once_stored_hashed(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = f"sqlite:///{tmp_path / 'p.db'}"
    code = run(
        [
            "service",
            "token",
            "add",
            "--audience",
            "authority",
            "--org",
            "urn:authority:de",
            "--purpose",
            "market surveillance case 7",
            "--db",
            db,
            "--json",
        ]
    )
    assert code == 0
    record = json.loads(capsys.readouterr().out)
    token = record["token"]
    assert token.startswith("bpt_")
    store = open_store(db)
    try:
        row = store.token(record["token_id"])
        assert row is not None
        assert row.audience == "authority"
        assert token.split("_")[-1] not in row.secret_sha256
    finally:
        store.close()
    # Bad expiry and empty purpose are usage errors, not tracebacks.
    assert (
        run(
            [
                "service",
                "token",
                "add",
                "--audience",
                "authority",
                "--org",
                "o",
                "--purpose",
                "p",
                "--db",
                db,
                "--expires",
                "tomorrow",
            ]
        )
        == 2
    )
    assert (
        run(
            [
                "service",
                "token",
                "add",
                "--audience",
                "authority",
                "--org",
                "o",
                "--purpose",
                " ",
                "--db",
                db,
            ]
        )
        == 2
    )


def test_serve_needs_trust(capsys: pytest.CaptureFixture[str]) -> None:
    assert run(["serve", "--db", "sqlite:///x.db"]) == 2
    assert "--trust" in capsys.readouterr().err


def test_access_log_command(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from datetime import UTC, datetime

    db = f"sqlite:///{tmp_path / 'p.db'}"
    store = open_store(db)
    store.log_access(
        at=datetime(2026, 12, 1, tzinfo=UTC),
        token_id="t1",
        organisation_id="o",
        audience="authority",
        purpose="why",
        passport_id="urn:x",
        resource="json",
    )
    store.close()
    assert run(["service", "access-log", "--db", db, "--json"]) == 0
    lines = json.loads(capsys.readouterr().out)
    assert [(x["organisation_id"], x["passport_id"], x["purpose"]) for x in lines] == [
        ("o", "urn:x", "why")
    ]
    assert (EXAMPLES / "trust.json").exists()


@pytest.mark.parametrize(
    "argv",
    [
        ["serve", "--demo"],
        ["service", "token", "add", "--audience", "authority", "--org", "o", "--purpose", "p"],
        ["service", "access-log"],
        [
            "service",
            "mirror",
            "--from",
            "http://127.0.0.1:9",
            "--db",
            "sqlite:///m.db",
            "--trust",
            "t.json",
        ],
    ],
)
def test_service_commands_without_the_extra_name_it(
    argv: list[str], monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    # A core-only install (pip install batterypass) has no uvicorn: a usage error that says
    # which extra to install, not an internal error.
    monkeypatch.setitem(sys.modules, "uvicorn", None)
    assert run(argv) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1, err
    assert "pip install 'batterypass[service]'" in err, err
    assert "missing: uvicorn" in err, err
