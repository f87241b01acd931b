"""Alembic environment of the passport service: run on the connection the service hands in
(``config.attributes["connection"]``), never on a URL of its own."""

from __future__ import annotations

from alembic import context

from batterypass.service._tables import metadata

connection = context.config.attributes["connection"]
context.configure(connection=connection, target_metadata=metadata, render_as_batch=True)
with context.begin_transaction():
    context.run_migrations()
