"""What a service instance is built from: its store, its trust, its clock and its limits."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from importlib import resources

from batterypass.carbon import ClassScheme, ThresholdScheme
from batterypass.verify import TrustStore

__all__ = ["DEFAULT_MAX_BODY_BYTES", "Settings", "illustrative_scheme", "utc_now"]

DEFAULT_MAX_BODY_BYTES = 1024 * 1024
"""Largest request body accepted (1 MiB): a signed passport is a few kilobytes."""


def utc_now() -> datetime:
    """The current time, timezone-aware (UTC)."""
    return datetime.now(UTC)


def illustrative_scheme() -> ClassScheme:
    """The bundled ILLUSTRATIVE carbon-class scheme (the EU class limits are not published);
    the label says it is illustrative."""
    text = resources.files("batterypass").joinpath("data", "illustrative-2027.json").read_text()
    return ThresholdScheme.from_json(text)


@dataclass(frozen=True, slots=True, kw_only=True)
class Settings:
    """Everything :func:`batterypass.service.create_app` needs; no hidden globals."""

    db_url: str
    """SQLAlchemy URL of the store: ``sqlite:///passports.db`` or
    ``postgresql+psycopg://user@host/db``."""
    trust: TrustStore
    """The trust store every upload (and every read, again) is verified against."""
    trust_json: str | None = None
    """The trust file's text, published at ``/trust.json`` (default: ``trust.to_json()``)."""
    clock: Callable[[], datetime] = utc_now
    """The server's clock (aware); tests pass a fixed one."""
    max_body_bytes: int = DEFAULT_MAX_BODY_BYTES
    base_uri: str | None = None
    """Public base URI of this resolver, for the QR code and links (default: the request's)."""
    scheme: ClassScheme = field(default_factory=illustrative_scheme)
    """Carbon performance-class scheme for the label."""
    migrate: bool = True
    """Apply the Alembic migrations when the app starts."""
