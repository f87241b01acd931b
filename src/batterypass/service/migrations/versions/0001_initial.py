"""The first schema: passports, versions, events, the change feed, tokens, the access log.

Revision ID: 0001
Revises:
Create Date: 2026-12-05
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

_BIG = sa.BigInteger().with_variant(sa.Integer, "sqlite")
_TS = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "passports",
        sa.Column("passport_id", sa.String(200), primary_key=True),
        sa.Column("issuer", sa.Text, nullable=False),
        sa.Column("battery_id", sa.Text, nullable=False),
        sa.Column("gtin", sa.String(14), nullable=True),
        sa.Column("serial", sa.String(20), nullable=True),
        sa.Column("predecessor_id", sa.String(200), nullable=True),
        sa.Column("head_version", sa.Integer, nullable=False),
        sa.Column("chain_version", sa.Integer, nullable=True),
        sa.Column("event_count", sa.Integer, nullable=False),
        sa.Column("last_sha256", sa.String(64), nullable=True),
        sa.Column("created_at", _TS, nullable=False),
    )
    op.create_index("ix_passports_gs1", "passports", ["gtin", "serial"])
    op.create_index("ix_passports_predecessor", "passports", ["predecessor_id"])
    op.create_table(
        "versions",
        sa.Column(
            "passport_id",
            sa.String(200),
            sa.ForeignKey("passports.passport_id"),
            primary_key=True,
        ),
        sa.Column("version", sa.Integer, primary_key=True),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("body", sa.LargeBinary, nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("issued_at", _TS, nullable=False),
        sa.Column("received_at", _TS, nullable=False),
    )
    op.create_table(
        "events",
        sa.Column(
            "passport_id",
            sa.String(200),
            sa.ForeignKey("passports.passport_id"),
            primary_key=True,
        ),
        sa.Column("seq", sa.Integer, primary_key=True),
        sa.Column("body", sa.LargeBinary, nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("received_at", _TS, nullable=False),
    )
    op.create_table(
        "changes",
        sa.Column("cursor", _BIG, primary_key=True, autoincrement=True),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("passport_id", sa.String(200), nullable=False),
        sa.Column("number", sa.Integer, nullable=False),
        sa.Column("at", _TS, nullable=False),
    )
    op.create_table(
        "tokens",
        sa.Column("token_id", sa.String(32), primary_key=True),
        sa.Column("secret_sha256", sa.String(64), nullable=False),
        sa.Column("audience", sa.String(32), nullable=False),
        sa.Column("organisation_id", sa.Text, nullable=False),
        sa.Column("purpose", sa.Text, nullable=False),
        sa.Column("mirror", sa.Boolean, nullable=False),
        sa.Column("created_at", _TS, nullable=False),
        sa.Column("expires_at", _TS, nullable=True),
    )
    op.create_table(
        "access_log",
        sa.Column("id", _BIG, primary_key=True, autoincrement=True),
        sa.Column("at", _TS, nullable=False),
        sa.Column("token_id", sa.String(32), nullable=False),
        sa.Column("organisation_id", sa.Text, nullable=False),
        sa.Column("audience", sa.String(32), nullable=False),
        sa.Column("purpose", sa.Text, nullable=False),
        sa.Column("passport_id", sa.String(200), nullable=False),
        sa.Column("resource", sa.String(32), nullable=False),
    )
    # Append-only tables: the database itself refuses UPDATE and DELETE, so that no code path
    # (and no later bug) can rewrite what was stored or who read what.
    dialect = op.get_bind().dialect.name
    for table in ("access_log", "versions", "events", "changes"):
        if dialect == "sqlite":
            for action in ("UPDATE", "DELETE"):
                op.execute(
                    f"CREATE TRIGGER {table}_no_{action.lower()} BEFORE {action} ON {table} "
                    f"BEGIN SELECT RAISE(ABORT, '{table} is append-only'); END"
                )
        elif dialect == "postgresql":
            op.execute(
                f"CREATE FUNCTION {table}_append_only() RETURNS trigger LANGUAGE plpgsql AS "
                f"$$ BEGIN RAISE EXCEPTION '{table} is append-only'; END $$"
            )
            op.execute(
                f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
                f"FOR EACH ROW EXECUTE FUNCTION {table}_append_only()"
            )


def downgrade() -> None:
    for table in ("access_log", "tokens", "changes", "events", "versions", "passports"):
        op.drop_table(table)
