"""The service's tables (SQLAlchemy Core). The migrations in ``migrations/`` create them; this
module describes them for queries and must match the latest migration (a test checks it)."""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
)

__all__ = ["access_log", "changes", "events", "metadata", "passports", "tokens", "versions"]

metadata = MetaData()

passports = Table(
    "passports",
    metadata,
    Column("passport_id", String(200), primary_key=True),
    Column("issuer", Text, nullable=False),
    Column("battery_id", Text, nullable=False),
    Column("gtin", String(14), nullable=True),
    Column("serial", String(20), nullable=True),
    Column("predecessor_id", String(200), nullable=True),
    Column("head_version", Integer, nullable=False),
    Column("chain_version", Integer, nullable=True),
    Column("event_count", Integer, nullable=False),
    Column("last_sha256", String(64), nullable=True),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Index("ix_passports_gs1", "gtin", "serial"),
    Index("ix_passports_predecessor", "predecessor_id"),
)
"""One row per passport: its head version and the head of its event chain (the row the
compare-and-set of every write updates)."""

versions = Table(
    "versions",
    metadata,
    Column("passport_id", String(200), ForeignKey("passports.passport_id"), primary_key=True),
    Column("version", Integer, primary_key=True),
    Column("kind", String(16), nullable=False),
    Column("body", LargeBinary, nullable=False),
    Column("sha256", String(64), nullable=False),
    Column("issued_at", DateTime(timezone=True), nullable=False),
    Column("received_at", DateTime(timezone=True), nullable=False),
)
"""Every version of every passport, exactly the bytes received and verified."""

events = Table(
    "events",
    metadata,
    Column("passport_id", String(200), ForeignKey("passports.passport_id"), primary_key=True),
    Column("seq", Integer, primary_key=True),
    Column("body", LargeBinary, nullable=False),
    Column("sha256", String(64), nullable=False),
    Column("received_at", DateTime(timezone=True), nullable=False),
)
"""Signed lifecycle events, in chain order."""

changes = Table(
    "changes",
    metadata,
    Column(
        "cursor", BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=True
    ),
    Column("kind", String(16), nullable=False),
    Column("passport_id", String(200), nullable=False),
    Column("number", Integer, nullable=False),
    Column("at", DateTime(timezone=True), nullable=False),
)
"""The feed of everything stored, in order (``GET /changes``): ``kind`` is ``passport``
(``number`` is the version) or ``event`` (``number`` is the sequence number)."""

tokens = Table(
    "tokens",
    metadata,
    Column("token_id", String(32), primary_key=True),
    Column("secret_sha256", String(64), nullable=False),
    Column("audience", String(32), nullable=False),
    Column("organisation_id", Text, nullable=False),
    Column("purpose", Text, nullable=False),
    Column("mirror", Boolean, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("expires_at", DateTime(timezone=True), nullable=True),
)
"""Bearer tokens: only the SHA-256 of the secret part is stored. ``mirror`` tokens may read
the change feed (every group of every passport: for a backup copy)."""

access_log = Table(
    "access_log",
    metadata,
    Column(
        "id", BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=True
    ),
    Column("at", DateTime(timezone=True), nullable=False),
    Column("token_id", String(32), nullable=False),
    Column("organisation_id", Text, nullable=False),
    Column("audience", String(32), nullable=False),
    Column("purpose", Text, nullable=False),
    Column("passport_id", String(200), nullable=False),
    Column("resource", String(32), nullable=False),
)
"""Every read above group 1 (append-only: triggers refuse UPDATE and DELETE)."""
