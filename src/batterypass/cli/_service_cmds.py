"""Commands of the passport service: serve, service token add, service access-log,
service mirror."""

from __future__ import annotations

import enum
import importlib
import os
import tempfile
from datetime import UTC, datetime
from pathlib import Path

import typer

from batterypass.cli._app import app, emit_json, state
from batterypass.cli._io import JSON_OPT, UsageError, load_trust, parse_time
from batterypass.model import Audience

service_app = typer.Typer(help="The passport service's store: tokens, access log, mirror.")
app.add_typer(service_app, name="service")
token_app = typer.Typer(help="Bearer tokens of the service.")
service_app.add_typer(token_app, name="token")

DEFAULT_DB = "sqlite:///passports.db"
DB_OPT = typer.Option(
    DEFAULT_DB, "--db", help="Database URL (sqlite:///FILE or postgresql+psycopg://...)."
)


class AudienceName(enum.StrEnum):
    public = "public"
    legitimate_interest = "legitimate-interest"
    authority = "authority"
    commission = "commission"


def _now() -> datetime:
    return datetime.now(UTC)


#: What the service commands need beyond the core install (the ``service`` extra).
_SERVICE_MODULES = ("fastapi", "uvicorn", "sqlalchemy", "alembic", "jinja2")


def _need_service_extra() -> None:
    """A usage error naming the extra when the service's dependencies are not installed
    (``pip install batterypass`` alone has the library and the CLI, not the service)."""
    missing = []
    for name in _SERVICE_MODULES:
        try:
            importlib.import_module(name)
        except ImportError:
            missing.append(name)
    if missing:
        raise UsageError(
            "this command needs the service extra: pip install 'batterypass[service]' "
            f"(missing: {', '.join(missing)})"
        )


@app.command()
def serve(
    db: str = DB_OPT,
    trust: Path | None = typer.Option(
        None, "--trust", help="Trust file uploads are verified against."
    ),
    host: str = typer.Option("127.0.0.1", "--host", help="Address to listen on."),
    port: int = typer.Option(8000, "--port", help="Port to listen on."),
    workers: int = typer.Option(1, "--workers", min=1, help="Server processes."),
    base_uri: str | None = typer.Option(
        None, "--base-uri", help="Public base URI for QR codes and links (default: the request's)."
    ),
    demo: bool = typer.Option(
        False,
        "--demo",
        help="Serve the example passports (bundled with the package, DEMO keys and trust) "
        "from a temporary SQLite store.",
    ),
    examples: Path | None = typer.Option(
        None,
        "--examples",
        help="With --demo: take the passports, keys/ and trust.json from this examples/ "
        "folder instead of the bundled copies.",
    ),
) -> int:
    """Run the passport service (uvicorn): verified uploads, audience views, GS1 Digital Link."""
    _need_service_extra()
    import uvicorn

    from batterypass.service import (
        ENV_BASE_URI,
        ENV_DB,
        ENV_TRUST,
        Settings,
        demo_file,
        load_demo,
        open_store,
    )

    if examples is not None and not demo:
        raise UsageError("--examples goes with --demo")
    if demo:
        folder = tempfile.mkdtemp(prefix="batterypass-demo-")
        db = f"sqlite:///{folder}/passports.db"
        if trust is None and examples is not None:
            trust = examples / "trust.json"
        elif trust is None:
            # The workers read the trust file by path: the bundled one goes beside the store.
            trust = Path(folder) / "trust.json"
            trust.write_bytes(demo_file("trust.json"))
    if trust is None:
        raise UsageError("--trust TRUSTFILE is required (or --demo)")
    store_trust = load_trust(trust)
    # Migrate once here, before any worker starts.
    store = open_store(db)
    try:
        if demo:
            settings = Settings(db_url=db, trust=store_trust, migrate=False)
            data = load_demo(store, settings, examples, now=_now())
            base = base_uri or f"http://{host}:{port}"
            state.err.print(f"batterypass demo: store in {folder}", markup=False)
            for passport_id, battery_id in data.passports:
                state.out.print(f"{base}/passports/{passport_id}  ({battery_id})", markup=False)
            for audience, token in data.tokens.items():
                state.out.print(f"token for {audience.value}: {token}", markup=False)
    finally:
        store.close()
    os.environ[ENV_DB] = db
    os.environ[ENV_TRUST] = str(trust.resolve())
    if base_uri:
        os.environ[ENV_BASE_URI] = base_uri
    state.err.print(
        f"batterypass: serving on http://{host}:{port}/ ({workers} worker(s))", markup=False
    )
    uvicorn.run(
        "batterypass.service:app_from_environment",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        log_level="warning",
        access_log=False,
    )
    return 0


@token_app.command("add")
def token_add(
    audience: AudienceName = typer.Option(..., "--audience", help="Who the token reads as."),
    org: str = typer.Option(..., "--org", help="Organisation of the token's holder."),
    purpose: str = typer.Option(..., "--purpose", help="Why it reads (goes to the access log)."),
    expires: str | None = typer.Option(None, "--expires", help="ISO 8601 expiry time."),
    mirror: bool = typer.Option(
        False, "--mirror", help="May read the change feed (every group: for a backup copy)."
    ),
    db: str = DB_OPT,
    json_out: bool = JSON_OPT,
) -> int:
    """Make a bearer token; it is shown once (only its hash is stored)."""
    _need_service_extra()
    from batterypass.service import make_token, open_store

    expires_at = parse_time(expires, "--expires")
    store = open_store(db)
    try:
        try:
            token, row = make_token(
                store,
                audience=Audience(audience.value),
                organisation_id=org,
                purpose=purpose,
                now=_now(),
                expires_at=expires_at,
                mirror=mirror,
            )
        except ValueError as e:
            raise UsageError(str(e)) from None
    finally:
        store.close()
    if json_out:
        emit_json(
            {
                "token": token,
                "token_id": row.token_id,
                "audience": row.audience,
                "organisation_id": row.organisation_id,
                "expires_at": expires_at,
            }
        )
    else:
        state.out.print(token, markup=False)
        state.err.print(
            f"token {row.token_id} for {org} as {audience.value}: shown once, keep it secret",
            markup=False,
        )
    return 0


@service_app.command("access-log")
def access_log(
    db: str = DB_OPT,
    passport: str | None = typer.Option(None, "--passport", help="Only reads of this passport."),
    after: int = typer.Option(0, "--after", help="Only lines after this id."),
    json_out: bool = JSON_OPT,
) -> int:
    """Every read above group 1: who, which passport, as which audience, why, when."""
    _need_service_extra()
    from batterypass.service import open_store

    store = open_store(db)
    try:
        lines = store.access_log(passport_id=passport, after=after, limit=1_000_000)
    finally:
        store.close()
    records = [
        {
            "id": r.id,
            "at": r.at.isoformat(),
            "token_id": r.token_id,
            "organisation_id": r.organisation_id,
            "audience": r.audience,
            "purpose": r.purpose,
            "passport_id": r.passport_id,
            "resource": r.resource,
        }
        for r in lines
    ]
    if json_out:
        emit_json(records)
    else:
        for r in records:
            state.out.print(
                f"{r['id']}\t{r['at']}\t{r['organisation_id']}\t{r['audience']}\t"
                f"{r['passport_id']}\t{r['resource']}\t{r['purpose']}",
                markup=False,
            )
    return 0


@service_app.command("mirror")
def mirror_cmd(
    source: str = typer.Option(..., "--from", help="Base URL of the service to copy."),
    db: str = typer.Option(..., "--db", help="Database URL of the copy."),
    trust: Path = typer.Option(..., "--trust", help="Trust file every item is verified against."),
    token: str | None = typer.Option(
        None, "--token", help="Bearer token for the source's feed (default: $BATTERYPASS_TOKEN)."
    ),
    after: int = typer.Option(0, "--after", help="Start after this cursor of the source."),
    json_out: bool = JSON_OPT,
) -> int:
    """Copy a service's change feed, re-verifying every passport and event."""
    _need_service_extra()
    from batterypass.service import Settings, mirror, open_store

    bearer = token or os.environ.get("BATTERYPASS_TOKEN")
    if not bearer:
        raise UsageError("give --token or set BATTERYPASS_TOKEN (a --mirror token of the source)")
    store_trust = load_trust(trust)
    store = open_store(db)
    try:
        settings = Settings(db_url=db, trust=store_trust, migrate=False)
        report = mirror(store, settings, source=source, token=bearer, after=after, now=_now)
    finally:
        store.close()
    if json_out:
        emit_json(
            {
                "cursor": report.cursor,
                "stored": report.stored,
                "already": report.already,
                "rejected": [
                    {"cursor": c, "passport_id": p, "reason": r} for c, p, r in report.rejected
                ],
            }
        )
    else:
        for c, p, r in report.rejected:
            state.err.print(f"batterypass: rejected item {c} ({p}): {r}", markup=False)
        state.out.print(
            f"mirrored up to cursor {report.cursor}: {report.stored} stored, {report.already} "
            f"already present, {len(report.rejected)} rejected",
            markup=False,
        )
    return 1 if report.rejected else 0
