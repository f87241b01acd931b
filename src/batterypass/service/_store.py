"""The passport store: SQLAlchemy Core over SQLite (WAL) or PostgreSQL (psycopg 3).

Every write is one transaction guarded by a compare-and-set on the passport row (its head
version, its event count): two writers on the same head cannot both win, whatever the engine
or the number of server processes. The store keeps bytes; it verifies nothing (the routes call
the library before they write).
"""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from importlib import resources
from typing import Any, Generic, TypeVar

from alembic import command
from alembic.config import Config
from sqlalchemy import (
    Connection,
    Engine,
    and_,
    bindparam,
    create_engine,
    event,
    func,
    insert,
    select,
    text,
    update,
)
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError, IntegrityError

from batterypass.errors import BatteryPassError
from batterypass.service._errors import ChainHead, ConflictError, StoreUnavailableError
from batterypass.service._tables import (
    access_log,
    changes,
    events,
    passports,
    tokens,
    versions,
)

__all__ = [
    "AccessRecord",
    "Change",
    "PassportRow",
    "Store",
    "TokenRow",
    "VersionInfo",
    "open_store",
]


@dataclass(frozen=True, slots=True)
class PassportRow:
    """A stored passport: its head version's bytes and where its chain stands."""

    passport_id: str
    issuer: str
    battery_id: str
    predecessor_id: str | None
    head: ChainHead
    kind: str
    body: bytes
    issued_at: datetime
    chain_version: int | None
    chain_body: bytes | None
    """The signed passport the event chain links to (the head version when the first event
    was appended); ``None`` before the first event."""
    successor_id: str | None = None
    """A stored passport whose predecessor is this one (the first stored), or ``None``."""


@dataclass(frozen=True, slots=True)
class VersionInfo:
    """One stored version of a passport."""

    version: int
    kind: str
    sha256: str
    issued_at: datetime
    received_at: datetime


@dataclass(frozen=True, slots=True)
class Change:
    """One item of the change feed, with the bytes it stored."""

    cursor: int
    kind: str
    passport_id: str
    number: int
    at: datetime
    body: bytes


@dataclass(frozen=True, slots=True)
class TokenRow:
    """A bearer token as stored (the secret's hash only)."""

    token_id: str
    secret_sha256: str
    audience: str
    organisation_id: str
    purpose: str
    created_at: datetime
    expires_at: datetime | None
    mirror: bool = False
    """May read the change feed (every group of every passport)."""


@dataclass(frozen=True, slots=True)
class AccessRecord:
    """One line of the access log."""

    id: int
    at: datetime
    token_id: str
    organisation_id: str
    audience: str
    purpose: str
    passport_id: str
    resource: str


def _passport_query() -> Any:
    # One statement, built once, for what every read needs: the passport row, its head
    # version's bytes, the version its event chain links to and a successor passport (one
    # round trip and one snapshot instead of three queries).
    head = versions.alias("head")
    chain = versions.alias("chain")
    later = passports.alias("later")
    successor = (
        select(later.c.passport_id)
        .where(later.c.predecessor_id == passports.c.passport_id)
        .order_by(later.c.created_at)
        .limit(1)
        .scalar_subquery()
    )
    return (
        select(
            passports,
            head.c.kind,
            head.c.body,
            head.c.issued_at,
            chain.c.body.label("chain_body"),
            successor.label("successor_id"),
        )
        .select_from(
            passports.join(
                head,
                and_(
                    head.c.passport_id == passports.c.passport_id,
                    head.c.version == passports.c.head_version,
                ),
            ).outerjoin(
                chain,
                and_(
                    chain.c.passport_id == passports.c.passport_id,
                    chain.c.version == passports.c.chain_version,
                ),
            )
        )
        .where(passports.c.passport_id == bindparam("passport_id"))
    )


_PASSPORT_QUERY = _passport_query()


def _aware(value: datetime) -> datetime:
    # SQLite returns naive datetimes for DateTime(timezone=True); everything stored is UTC.
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)


def sha256_hex(data: bytes) -> str:
    """Hex SHA-256 of stored bytes (the key that detects a changed upload)."""
    return hashlib.sha256(data).hexdigest()


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    # WAL lets readers run beside the one writer; FULL makes a commit durable before the
    # 2xx is sent; the busy timeout makes concurrent writers wait instead of failing.
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=FULL")
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()


def _migrate(connection: Connection) -> None:
    config = Config()
    location = resources.files("batterypass.service").joinpath("migrations")
    config.set_main_option("script_location", str(location))
    config.attributes["connection"] = connection
    command.upgrade(config, "head")


def open_store(url: str, *, migrate: bool = True) -> Store:
    """Open the store at the SQLAlchemy ``url`` (``sqlite:///file.db``,
    ``postgresql+psycopg://...``) and bring its schema up to date (Alembic migrations)."""
    parsed = make_url(url)
    backend = parsed.get_backend_name()
    if backend == "sqlite":
        if parsed.database in (None, "", ":memory:"):
            raise BatteryPassError("an in-memory SQLite database is not shared: give a file")
        engine = create_engine(parsed, pool_size=10, max_overflow=30)
        event.listen(engine, "connect", _sqlite_pragmas)
    elif backend == "postgresql":
        if parsed.get_driver_name() != "psycopg":
            parsed = parsed.set(drivername="postgresql+psycopg")
        engine = create_engine(parsed, pool_pre_ping=True, pool_size=10, max_overflow=20)
    else:
        raise BatteryPassError(
            f"unsupported database URL scheme {parsed.drivername!r}: use sqlite:///FILE or "
            "postgresql+psycopg://..."
        )
    store = Store(engine)
    if migrate:
        store.migrate()
    return store


class Store:
    """Passports, versions, events, the change feed, tokens and the access log."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        # SQLite: the writes of this process's threads are committed in groups (one fsync for
        # all the writes waiting meanwhile; see _GroupCommit). PostgreSQL groups the WAL
        # flushes of concurrent commits itself.
        self._group = _GroupCommit(self) if engine.dialect.name == "sqlite" else None
        # Reads run outside an explicit transaction: each one is a single statement (its own
        # snapshot) or reads rows that never change once written (versions, events), and on
        # PostgreSQL a BEGIN and a COMMIT are two more round trips per read. (SQLite's driver
        # opens no transaction for a SELECT anyway.)
        self._reader = (
            engine.execution_options(isolation_level="AUTOCOMMIT")
            if engine.dialect.name == "postgresql"
            else engine
        )

    @property
    def dialect(self) -> str:
        """``sqlite`` or ``postgresql``."""
        return self.engine.dialect.name

    def migrate(self) -> None:
        """Apply every migration not applied yet (safe to run from several processes)."""
        with self._begin() as conn:
            if self.dialect == "postgresql":
                # One server process migrates at a time; the others then find nothing to do.
                conn.exec_driver_sql("SELECT pg_advisory_xact_lock(7717001)")
            _migrate(conn)

    def close(self) -> None:
        """Release every pooled connection."""
        self.engine.dispose()

    @contextmanager
    def _begin(self) -> Iterator[Connection]:
        try:
            with self.engine.begin() as conn:
                yield conn
        except IntegrityError:
            raise  # a lost compare-and-set: the write methods turn it into a conflict
        except DBAPIError as e:
            # The database is down, restarting, locked beyond the busy timeout, or its file is
            # unreadable: a condition for the operator and a retry for the client (503), never
            # a bad-input error and never a 500.
            raise StoreUnavailableError(
                f"the database is unavailable ({type(e.orig).__name__}); retry later"
            ) from e

    @contextmanager
    def _read(self) -> Iterator[Connection]:
        if self._reader is self.engine:
            with self._begin() as conn:
                yield conn
            return
        try:
            with self._reader.connect() as conn:
                yield conn
        except DBAPIError as e:
            raise StoreUnavailableError(
                f"the database is unavailable ({type(e.orig).__name__}); retry later"
            ) from e

    def _transact(self, work: Callable[[Connection], _T]) -> _T:
        """Run ``work`` in a write transaction and return its result once it is committed
        (durably: the SQLite connection syncs on commit); its exception if it failed, with
        nothing of it stored."""
        if self._group is None:
            with self._begin() as conn:
                return work(conn)
        return self._group.run(work)

    # --- passports ----------------------------------------------------------------------

    def passport(self, passport_id: str) -> PassportRow | None:
        """The passport ``passport_id`` with its head version, or ``None``."""
        with self._read() as conn:
            row = conn.execute(_PASSPORT_QUERY, {"passport_id": passport_id}).first()
        if row is None:
            return None
        return PassportRow(
            passport_id=row.passport_id,
            issuer=row.issuer,
            battery_id=row.battery_id,
            predecessor_id=row.predecessor_id,
            head=ChainHead(row.passport_id, row.head_version, row.event_count, row.last_sha256),
            kind=row.kind,
            body=bytes(row.body),
            issued_at=_aware(row.issued_at),
            chain_version=row.chain_version,
            chain_body=bytes(row.chain_body) if row.chain_body is not None else None,
            successor_id=row.successor_id,
        )

    def head(self, passport_id: str) -> ChainHead | None:
        """Where ``passport_id`` stands now, or ``None``."""
        with self._read() as conn:
            row = conn.execute(
                select(
                    passports.c.head_version, passports.c.event_count, passports.c.last_sha256
                ).where(passports.c.passport_id == passport_id)
            ).first()
        if row is None:
            return None
        return ChainHead(passport_id, row.head_version, row.event_count, row.last_sha256)

    def find_by_gs1(self, gtin14: str, serial: str) -> str | None:
        """The passport of the battery with this GTIN (14 digits) and serial; the newest if a
        successor passport carries the same identifier."""
        with self._read() as conn:
            return conn.execute(
                select(passports.c.passport_id)
                .where(passports.c.gtin == gtin14, passports.c.serial == serial)
                .order_by(passports.c.created_at.desc(), passports.c.passport_id)
                .limit(1)
            ).scalar()

    def successor_of(self, passport_id: str) -> str | None:
        """A stored passport whose predecessor is ``passport_id``."""
        with self._read() as conn:
            return conn.execute(
                select(passports.c.passport_id)
                .where(passports.c.predecessor_id == passport_id)
                .order_by(passports.c.created_at)
                .limit(1)
            ).scalar()

    def version(self, passport_id: str, number: int) -> tuple[str, bytes] | None:
        """``(kind, bytes)`` of one version, or ``None``."""
        with self._read() as conn:
            row = conn.execute(
                select(versions.c.kind, versions.c.body).where(
                    versions.c.passport_id == passport_id, versions.c.version == number
                )
            ).first()
        return None if row is None else (row.kind, bytes(row.body))

    def versions(self, passport_id: str) -> list[VersionInfo]:
        """Every version of ``passport_id``, oldest first."""
        with self._read() as conn:
            rows = conn.execute(
                select(
                    versions.c.version,
                    versions.c.kind,
                    versions.c.sha256,
                    versions.c.issued_at,
                    versions.c.received_at,
                )
                .where(versions.c.passport_id == passport_id)
                .order_by(versions.c.version)
            ).all()
        return [
            VersionInfo(r.version, r.kind, r.sha256, _aware(r.issued_at), _aware(r.received_at))
            for r in rows
        ]

    def events(self, passport_id: str) -> list[bytes]:
        """The signed events of ``passport_id``, in chain order."""
        with self._read() as conn:
            rows = conn.execute(
                select(events.c.body)
                .where(events.c.passport_id == passport_id)
                .order_by(events.c.seq)
            ).all()
        return [bytes(r.body) for r in rows]

    def put_version(
        self,
        *,
        passport_id: str,
        kind: str,
        body: bytes,
        issued_at: datetime,
        issuer: str,
        battery_id: str,
        gtin: str | None,
        serial: str | None,
        predecessor_id: str | None,
        expected_version: int | None,
        now: datetime,
        gs1_holder: str | None = None,
    ) -> int:
        """Store a new version (``expected_version`` is the head it replaces, ``None`` for a
        new passport) and return its number; :class:`ConflictError` if the head moved meanwhile.
        A new passport with a GS1 key is stored only if the passport that holds the key is
        still ``gs1_holder`` (``None``: no passport holds it)."""
        digest = sha256_hex(body)

        def work(conn: Connection) -> int:
            if expected_version is None:
                if gtin is not None and serial is not None:
                    self._check_gs1_holder(conn, gtin, serial, gs1_holder)
                number = 1
                conn.execute(
                    insert(passports).values(
                        passport_id=passport_id,
                        issuer=issuer,
                        battery_id=battery_id,
                        gtin=gtin,
                        serial=serial,
                        predecessor_id=predecessor_id,
                        head_version=1,
                        chain_version=None,
                        event_count=0,
                        last_sha256=None,
                        created_at=now,
                    )
                )
            else:
                number = expected_version + 1
                moved = conn.execute(
                    update(passports)
                    .where(
                        passports.c.passport_id == passport_id,
                        passports.c.head_version == expected_version,
                    )
                    .values(head_version=number)
                ).rowcount
                if moved != 1:
                    raise _Lost
            conn.execute(
                insert(versions).values(
                    passport_id=passport_id,
                    version=number,
                    kind=kind,
                    body=body,
                    sha256=digest,
                    issued_at=issued_at,
                    received_at=now,
                )
            )
            conn.execute(
                insert(changes).values(
                    kind="passport", passport_id=passport_id, number=number, at=now
                )
            )
            return number

        try:
            return self._transact(work)
        except (_Lost, IntegrityError):
            raise ConflictError(
                f"passport {passport_id} changed meanwhile: upload against the current head",
                head=self.head(passport_id),
            ) from None

    def _check_gs1_holder(
        self, conn: Connection, gtin: str, serial: str, expected: str | None
    ) -> None:
        # Inside the write transaction: SQLite's is taken with BEGIN IMMEDIATE (one writer);
        # on PostgreSQL two new passports of the same battery are serialised by a lock on
        # the key, so both cannot find it free.
        if self.dialect == "postgresql":
            conn.execute(
                text("SELECT pg_advisory_xact_lock(7717002, hashtext(:key))"),
                {"key": f"{gtin}/{serial}"},
            )
        holder = conn.execute(
            select(passports.c.passport_id)
            .where(passports.c.gtin == gtin, passports.c.serial == serial)
            .order_by(passports.c.created_at.desc(), passports.c.passport_id)
            .limit(1)
        ).scalar()
        if holder != expected:
            raise _Lost

    def append_event(
        self,
        *,
        passport_id: str,
        seq: int,
        body: bytes,
        sha256: str,
        chain_version: int,
        now: datetime,
    ) -> None:
        """Append event ``seq`` if the chain still has exactly ``seq`` events (and, for the
        first, still links to version ``chain_version``); :class:`ConflictError` otherwise."""

        def work(conn: Connection) -> None:
            cond = [passports.c.passport_id == passport_id, passports.c.event_count == seq]
            values: dict[str, Any] = {"event_count": seq + 1, "last_sha256": sha256}
            if seq == 0:
                cond.append(passports.c.head_version == chain_version)
                values["chain_version"] = chain_version
            moved = conn.execute(update(passports).where(*cond).values(**values)).rowcount
            if moved != 1:
                raise _Lost
            conn.execute(
                insert(events).values(
                    passport_id=passport_id, seq=seq, body=body, sha256=sha256, received_at=now
                )
            )
            conn.execute(
                insert(changes).values(kind="event", passport_id=passport_id, number=seq, at=now)
            )

        try:
            self._transact(work)
        except (_Lost, IntegrityError):
            raise ConflictError(
                f"the event log of {passport_id} moved on: this event does not build on the "
                "current head",
                head=self.head(passport_id),
            ) from None

    # --- the change feed ----------------------------------------------------------------

    def changes(self, after: int, limit: int, *, max_bytes: int | None = None) -> list[Change]:
        """Up to ``limit`` changes with a cursor above ``after``, in order, with their bytes;
        with ``max_bytes``, fewer when their bodies would add up to more (never none: the
        first is given whatever its size)."""
        with self._read() as conn:
            rows = conn.execute(
                select(changes)
                .where(changes.c.cursor > after)
                .order_by(changes.c.cursor)
                .limit(limit)
            ).all()
            out: list[Change] = []
            size = 0
            for r in rows:
                if r.kind == "passport":
                    body = conn.execute(
                        select(versions.c.body).where(
                            versions.c.passport_id == r.passport_id,
                            versions.c.version == r.number,
                        )
                    ).scalar_one()
                else:
                    body = conn.execute(
                        select(events.c.body).where(
                            events.c.passport_id == r.passport_id, events.c.seq == r.number
                        )
                    ).scalar_one()
                size += len(body)
                if out and max_bytes is not None and size > max_bytes:
                    break
                out.append(
                    Change(r.cursor, r.kind, r.passport_id, r.number, _aware(r.at), bytes(body))
                )
        return out

    def count(self) -> dict[str, int]:
        """How many passports, versions and events are stored."""
        with self._read() as conn:
            return {
                name: int(conn.execute(select(func.count()).select_from(table)).scalar_one())
                for name, table in (
                    ("passports", passports),
                    ("versions", versions),
                    ("events", events),
                )
            }

    # --- tokens and the access log ------------------------------------------------------

    def add_token(self, row: TokenRow) -> None:
        """Store a new token (its hash)."""

        def work(conn: Connection) -> None:
            conn.execute(
                insert(tokens).values(
                    token_id=row.token_id,
                    secret_sha256=row.secret_sha256,
                    audience=row.audience,
                    organisation_id=row.organisation_id,
                    purpose=row.purpose,
                    mirror=row.mirror,
                    created_at=row.created_at,
                    expires_at=row.expires_at,
                )
            )

        self._transact(work)

    def token(self, token_id: str) -> TokenRow | None:
        """The token ``token_id``, or ``None``."""
        with self._read() as conn:
            r = conn.execute(select(tokens).where(tokens.c.token_id == token_id)).first()
        if r is None:
            return None
        return TokenRow(
            r.token_id,
            r.secret_sha256,
            r.audience,
            r.organisation_id,
            r.purpose,
            _aware(r.created_at),
            _aware(r.expires_at) if r.expires_at is not None else None,
            bool(r.mirror),
        )

    def log_access(
        self,
        *,
        at: datetime,
        token_id: str,
        organisation_id: str,
        audience: str,
        purpose: str,
        passport_id: str,
        resource: str,
    ) -> None:
        """Append one line to the access log."""

        def work(conn: Connection) -> None:
            conn.execute(
                insert(access_log).values(
                    at=at,
                    token_id=token_id,
                    organisation_id=organisation_id,
                    audience=audience,
                    purpose=purpose,
                    passport_id=passport_id,
                    resource=resource,
                )
            )

        self._transact(work)

    def access_log(
        self, *, passport_id: str | None = None, after: int = 0, limit: int = 1000
    ) -> list[AccessRecord]:
        """Access log lines in order (of one passport, if given)."""
        query = select(access_log).where(access_log.c.id > after)
        if passport_id is not None:
            query = query.where(access_log.c.passport_id == passport_id)
        with self._read() as conn:
            rows = conn.execute(query.order_by(access_log.c.id).limit(limit)).all()
        return [
            AccessRecord(
                r.id,
                _aware(r.at),
                r.token_id,
                r.organisation_id,
                r.audience,
                r.purpose,
                r.passport_id,
                r.resource,
            )
            for r in rows
        ]


class _Lost(Exception):  # noqa: N818 - internal signal: the compare-and-set found another head
    pass


_T = TypeVar("_T")


class _Pending(Generic[_T]):
    __slots__ = ("done", "error", "value", "work")

    def __init__(self, work: Callable[[Connection], _T]) -> None:
        self.work = work
        self.done = False
        self.value: _T | None = None
        self.error: BaseException | None = None


class _GroupCommit:
    """Group commit for SQLite: the writes that arrive while a transaction commits wait for
    it, then the first of them commits all of them in one transaction (one fsync) - each in
    its own savepoint, so that one refused write (a lost compare-and-set) is undone alone.

    A write returns (and its request is acknowledged) only after the transaction that holds
    it has committed: durability is that of one write per transaction, the number of syncs is
    not. A failed commit fails every write of the group, with nothing of any of them stored.
    """

    def __init__(self, store: Store) -> None:
        self._store = store
        self._cond = threading.Condition()
        self._pending: list[_Pending[Any]] = []
        self._leading = False

    def run(self, work: Callable[[Connection], _T]) -> _T:
        mine: _Pending[_T] = _Pending(work)
        group: list[_Pending[Any]] | None = None
        with self._cond:
            self._pending.append(mine)
            while self._leading and not mine.done:
                self._cond.wait()
            if not mine.done:
                # No transaction is running: this thread commits everything waiting.
                self._leading = True
                group, self._pending = self._pending, []
        if group is not None:
            try:
                self._commit(group)
            finally:
                with self._cond:
                    for item in group:
                        item.done = True
                    self._leading = False
                    self._cond.notify_all()
        if mine.error is not None:
            raise mine.error
        return mine.value  # type: ignore[return-value]

    def _commit(self, group: list[_Pending[Any]]) -> None:
        try:
            with self._store._begin() as conn:
                # Take the write lock now (not at the first write: no lock upgrade to fail).
                conn.exec_driver_sql("BEGIN IMMEDIATE")
                for item in group:
                    conn.exec_driver_sql("SAVEPOINT bp_write")
                    try:
                        item.value = item.work(conn)
                    except Exception as e:  # noqa: BLE001 - this write's own failure
                        conn.exec_driver_sql("ROLLBACK TO bp_write")
                        item.error = e
                    conn.exec_driver_sql("RELEASE bp_write")
        except BaseException as e:
            # Nothing of the group was committed: every write of it fails.
            for item in group:
                item.value = None
                item.error = e
            if not isinstance(e, Exception):
                raise
