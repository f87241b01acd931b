"""Fixtures of the service tests: a store on SQLite and on PostgreSQL (a throwaway cluster
started from Debian's binaries), an app per test, demo keys, tokens.

Every store-facing test runs against both engines. PostgreSQL missing: the tests are skipped
on a developer machine and FAIL in CI (``CI=true``), so CI can never pass without it.
"""

from __future__ import annotations

import itertools
import os
import pwd
import shutil
import subprocess
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from batterypass.codec import json as bp_json
from batterypass.keys import PrivateKey
from batterypass.model import Audience, BatteryPassport
from batterypass.service import Settings, Store, create_app, make_token, open_store
from batterypass.verify import TrustStore

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "examples"


def _pg_bin() -> Path:
    """Debian's PostgreSQL binaries (the newest installed major version), or
    ``$BATTERYPASS_PG_BIN``."""
    if "BATTERYPASS_PG_BIN" in os.environ:
        return Path(os.environ["BATTERYPASS_PG_BIN"])
    found = sorted(
        Path("/usr/lib/postgresql").glob("*/bin/initdb"),
        key=lambda p: int(p.parts[-3]) if p.parts[-3].isdigit() else 0,
    )
    return found[-1].parent if found else Path("/usr/lib/postgresql/15/bin")


PG_BIN = _pg_bin()
NOW = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)
EV_ISSUER = "urn:lei:529900DEMO0EXAMPLE01"
STORAGE_ISSUER = "urn:lei:529900DEMO0EXAMPLE02"


def _in_ci() -> bool:
    return os.environ.get("CI", "").lower() in ("true", "1", "yes")


@dataclass
class PgCluster:
    """A running throwaway PostgreSQL cluster reached over a unix socket in ``directory``."""

    directory: Path
    run_as: list[str]
    _names: Iterator[int] = field(default_factory=itertools.count)

    def url(self, database: str) -> str:
        return f"postgresql+psycopg://postgres@/{database}?host={self.directory}"

    def pg_ctl(self, *args: str) -> None:
        subprocess.run(
            [*self.run_as, str(PG_BIN / "pg_ctl"), "-D", str(self.directory / "data"), *args],
            check=True,
            capture_output=True,
            timeout=60,
        )

    def start(self) -> None:
        self.pg_ctl(
            "-w",
            "-l",
            str(self.directory / "log"),
            "-o",
            f"-c listen_addresses='' -c unix_socket_directories='{self.directory}' "
            "-c fsync=off -c max_connections=300",
            "start",
        )

    def stop(self) -> None:
        self.pg_ctl("-w", "-m", "fast", "stop")

    def new_database(self) -> str:
        import psycopg

        name = f"bp_test_{os.getpid()}_{next(self._names)}"
        with psycopg.connect(
            f"host={self.directory} user=postgres dbname=postgres", autocommit=True
        ) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        return self.url(name)


def _unavailable(reason: str) -> None:
    if _in_ci():
        pytest.fail(f"PostgreSQL is required in CI: {reason}")
    pytest.skip(f"PostgreSQL not available: {reason}")


@pytest.fixture(scope="session")
def pg_cluster() -> Iterator[PgCluster]:
    """Start a cluster with initdb + pg_ctl in a temporary folder (as the ``postgres`` user
    when running as root: PostgreSQL refuses to run as root) and stop it at the end."""
    if not (PG_BIN / "initdb").exists():
        _unavailable(f"no {PG_BIN / 'initdb'} (apt-get install postgresql)")
    run_as: list[str] = []
    directory = Path(tempfile.mkdtemp(prefix="bp-pg-"))
    if os.geteuid() == 0:
        try:
            user = pwd.getpwnam("postgres")
        except KeyError:
            _unavailable("running as root and there is no 'postgres' user to run the server")
        os.chown(directory, user.pw_uid, user.pw_gid)
        run_as = ["runuser", "-u", "postgres", "--"]
    try:
        subprocess.run(
            [
                *run_as,
                str(PG_BIN / "initdb"),
                "-D",
                str(directory / "data"),
                "-A",
                "trust",
                "-U",
                "postgres",
                "-E",
                "UTF8",
                "--no-sync",
            ],
            check=True,
            capture_output=True,
            timeout=120,
        )
        cluster = PgCluster(directory, run_as)
        cluster.start()
    except (subprocess.CalledProcessError, OSError) as e:
        shutil.rmtree(directory, ignore_errors=True)
        _unavailable(f"cannot start a cluster: {e}")
    try:
        yield cluster
    finally:
        try:
            cluster.stop()
        finally:
            shutil.rmtree(directory, ignore_errors=True)


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A fresh, empty database of each engine."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'passports.db'}"
    cluster: PgCluster = request.getfixturevalue("pg_cluster")
    return cluster.new_database()


@pytest.fixture(scope="session")
def trust() -> TrustStore:
    return TrustStore.from_file(EXAMPLES / "trust.json")


@pytest.fixture(scope="session")
def keys() -> dict[str, PrivateKey]:
    return {
        name: PrivateKey.from_file(EXAMPLES / "keys" / f"{name}.DEMO-ONLY.key")
        for name in ("ev-maker", "storage-maker", "ebike-maker", "repurposer", "recycler")
    }


def load_example(name: str) -> BatteryPassport:
    return bp_json.loads((EXAMPLES / "passports" / f"{name}.json").read_bytes())


class Clock:
    """A settable clock for the app."""

    def __init__(self, now: datetime = NOW) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now

    def advance(self, delta: timedelta) -> None:
        self.now += delta


@dataclass
class Service:
    """An app on a fresh store, its client, clock and store."""

    client: TestClient
    store: Store
    clock: Clock
    settings: Settings

    def token(
        self,
        org: str,
        audience: Audience = Audience.PUBLIC,
        *,
        purpose: str = "test",
        expires_at: datetime | None = None,
        mirror: bool = False,
    ) -> dict[str, str]:
        text, _ = make_token(
            self.store,
            audience=audience,
            organisation_id=org,
            purpose=purpose,
            now=self.clock(),
            expires_at=expires_at,
            mirror=mirror,
        )
        return {"Authorization": f"Bearer {text}"}


@pytest.fixture
def make_service(db_url: str, trust: TrustStore) -> Iterator[Callable[..., Service]]:
    made: list[Service] = []

    def make(**overrides: object) -> Service:
        clock = Clock()
        options: dict[str, object] = {"trust": trust, **overrides}
        settings = Settings(db_url=db_url, clock=clock, **options)  # type: ignore[arg-type]
        store = open_store(db_url)
        app = create_app(settings, store=store)
        service = Service(TestClient(app, raise_server_exceptions=False), store, clock, settings)
        made.append(service)
        return service

    yield make
    for service in made:
        service.store.close()


@pytest.fixture
def service(make_service: Callable[..., Service]) -> Service:
    return make_service()
