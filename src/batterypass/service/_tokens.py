"""Bearer tokens: who a caller is (organisation), which audience it reads as, and why.

A token is ``bpt_<id>_<secret>``; only the SHA-256 of the secret is stored, so the token is
shown once, when it is made, and a copy of the database reveals none. Lookup is by the id, the
secret is compared in constant time.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass
from datetime import datetime

from batterypass.model import Audience
from batterypass.service._errors import NotAuthenticatedError
from batterypass.service._store import Store, TokenRow

__all__ = ["Caller", "authenticate", "make_token"]

_TOKEN = re.compile(r"bpt_([A-Za-z0-9]{16})_([A-Za-z0-9_-]{43})")


@dataclass(frozen=True, slots=True)
class Caller:
    """An authenticated caller."""

    token_id: str
    organisation_id: str
    audience: Audience
    purpose: str
    mirror: bool = False
    """May read the change feed."""


def _hash(secret: str) -> str:
    return hashlib.sha256(secret.encode("ascii")).hexdigest()


def make_token(
    store: Store,
    *,
    audience: Audience,
    organisation_id: str,
    purpose: str,
    now: datetime,
    expires_at: datetime | None = None,
    mirror: bool = False,
) -> tuple[str, TokenRow]:
    """Create and store a token; return the token text (to show once) and its stored row."""
    if not organisation_id.strip():
        raise ValueError("a token needs an organisation")
    if not purpose.strip():
        raise ValueError("a token needs a purpose (it is written to the access log)")
    if expires_at is not None and expires_at <= now:
        raise ValueError("the expiry time lies in the past")
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
    token_id = "".join(secrets.choice(alphabet) for _ in range(16))
    secret = secrets.token_urlsafe(32)
    row = TokenRow(
        token_id=token_id,
        secret_sha256=_hash(secret),
        audience=audience.value,
        organisation_id=organisation_id,
        purpose=purpose,
        created_at=now,
        expires_at=expires_at,
        mirror=mirror,
    )
    store.add_token(row)
    return f"bpt_{token_id}_{secret}", row


def authenticate(store: Store, authorization: str | None, *, now: datetime) -> Caller | None:
    """The caller named by an ``Authorization`` header; ``None`` without one (anonymous).
    :class:`NotAuthenticatedError` for a malformed, unknown or expired token."""
    if authorization is None:
        return None
    scheme, _, value = authorization.partition(" ")
    if scheme.lower() != "bearer" or not value:
        raise NotAuthenticatedError("use 'Authorization: Bearer <token>'")
    match = _TOKEN.fullmatch(value.strip())
    if match is None:
        raise NotAuthenticatedError("malformed bearer token")
    row = store.token(match.group(1))
    if row is None or not hmac.compare_digest(row.secret_sha256, _hash(match.group(2))):
        raise NotAuthenticatedError("unknown bearer token")
    if row.expires_at is not None and now >= row.expires_at:
        raise NotAuthenticatedError(f"the token expired at {row.expires_at.isoformat()}")
    return Caller(
        row.token_id, row.organisation_id, Audience(row.audience), row.purpose, row.mirror
    )
