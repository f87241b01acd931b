"""RFC 9457 problem documents for every error the service answers with.

Each problem has ``type`` ``about:blank`` (its meaning is the HTTP status), a ``title`` (the
status phrase), a one-line ``detail`` (the error's message), and the members a program needs:
``code`` (the library's machine-readable reason, ``specs/error-codes.md``), ``legal_basis``,
``path`` and ``index`` where the error has them, and for a conflict the current ``head``.
"""

from __future__ import annotations

import enum
import json
from http import HTTPStatus
from typing import Any

from starlette.responses import Response

from batterypass.errors import (
    BatteryPassError,
    ChainError,
    DecodeError,
    EncodeError,
    FileError,
    InvalidKeyError,
    PolicyError,
    SignatureError,
    TrustError,
    ValidationError,
)
from batterypass.service._errors import ConflictError, ServiceError

__all__ = ["PROBLEM_JSON", "error_code", "problem", "problem_for", "status_for"]

PROBLEM_JSON = "application/problem+json"

# Until every library error carries its own ``code``: the code of its class, most specific
# first (subclasses before their bases).
_CLASS_CODES: tuple[tuple[type[BatteryPassError], str], ...] = (
    (DecodeError, "undecodable"),
    (ValidationError, "invalid"),
    (SignatureError, "bad-signature"),
    (TrustError, "untrusted-signer"),
    (ChainError, "broken-chain"),
    (PolicyError, "role-not-allowed"),
    (EncodeError, "unencodable"),
    (InvalidKeyError, "invalid-key"),
    (FileError, "file"),
)


def error_code(error: BatteryPassError) -> str:
    """The machine-readable reason of ``error``: its ``code``, else the reason or break kind
    the library attached, else the code of its class."""
    for name in ("code", "reason", "kind"):
        value = getattr(error, name, None)
        if isinstance(value, enum.Enum):
            value = value.value
        if isinstance(value, str) and value:
            return value
    for cls, code in _CLASS_CODES:
        if isinstance(error, cls):
            return code
    return "error"


def status_for(error: BatteryPassError) -> int:
    """The HTTP status of ``error``: 400 for bytes that are not what they claim to be, 422 for
    well-formed content that fails a rule or a check, the service's own otherwise."""
    if isinstance(error, ServiceError):
        return error.status
    if isinstance(error, DecodeError):
        return 400
    if isinstance(error, ValidationError | SignatureError | TrustError | ChainError | PolicyError):
        return 422
    return 400


def problem(
    status: int, detail: str, *, code: str, instance: str | None = None, **extra: Any
) -> Response:
    """A problem response (``application/problem+json``)."""
    body: dict[str, Any] = {
        "type": "about:blank",
        "title": HTTPStatus(status).phrase,
        "status": status,
        "detail": " ".join(detail.split()),
        "code": code,
    }
    if instance is not None:
        body["instance"] = instance
    body.update({k: v for k, v in extra.items() if v is not None})
    headers = {"Cache-Control": "no-store"}
    if status == 401:
        headers["WWW-Authenticate"] = 'Bearer realm="batterypass"'
    if status == 503:
        headers["Retry-After"] = "1"
    return Response(
        json.dumps(body, ensure_ascii=False, default=str),
        status_code=status,
        media_type=PROBLEM_JSON,
        headers=headers,
    )


def problem_for(error: BatteryPassError, *, instance: str | None = None) -> Response:
    """The problem response of a library or service error."""
    extra: dict[str, Any] = {
        "legal_basis": error.legal_basis,
        "path": list(error.path) if error.path is not None else None,
        "index": error.index,
    }
    if isinstance(error, ValidationError) and len(error.issues) > 1:
        extra["issues"] = [
            {"path": list(i.path), "message": i.message, "legal_basis": i.legal_basis}
            for i in error.issues
        ]
    if isinstance(error, ConflictError) and error.head is not None:
        h = error.head
        extra["head"] = {
            "passport_id": h.passport_id,
            "version": h.version,
            "event_count": h.event_count,
            "last_sha256": h.last_sha256,
        }
    # The message, not str(error): the location is in the members above, and the source
    # (a file name) means nothing to an HTTP client.
    detail = error.message
    where = error.location()
    if where:
        detail = f"{where}: {detail}"
    return problem(status_for(error), detail, code=error_code(error), instance=instance, **extra)
