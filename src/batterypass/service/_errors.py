"""Errors of the service that are not the library's: not found, conflicts, access, the store.

They are :class:`~batterypass.errors.BatteryPassError` s like every other, so that one mapping
turns any of them into an RFC 9457 problem document (:mod:`batterypass.service._problems`).
"""

from __future__ import annotations

from dataclasses import dataclass

from batterypass.errors import BatteryPassError

__all__ = [
    "AccessDeniedError",
    "ChainHead",
    "ConflictError",
    "NotAuthenticatedError",
    "NotFoundError",
    "ServiceError",
    "StoreUnavailableError",
]


@dataclass(frozen=True, slots=True)
class ChainHead:
    """Where a passport stands: its head version and the head of its event chain."""

    passport_id: str
    version: int
    event_count: int
    last_sha256: str | None
    """Hash of the last event's payload (of the chain passport's, before the first event);
    ``None`` before any event."""


class ServiceError(BatteryPassError):
    """A request the service refuses for a reason of its own (not a library check)."""

    code = "service-error"
    status = 400


class NotFoundError(ServiceError):
    """No such passport (or version, or route)."""

    code = "not-found"
    status = 404


class ConflictError(ServiceError):
    """A write lost a race or does not build on the stored head; ``head`` is the current one."""

    code = "conflict"
    status = 409

    def __init__(self, message: str, *, head: ChainHead | None) -> None:
        super().__init__(message)
        self.head = head


class NotAuthenticatedError(ServiceError):
    """No valid bearer token where one is needed (missing, unknown, expired)."""

    code = "not-authenticated"
    status = 401


class AccessDeniedError(ServiceError):
    """A valid token that may not do this (another organisation's passport)."""

    code = "forbidden"
    status = 403


class StoreUnavailableError(ServiceError):
    """The database cannot be reached; the request can be retried."""

    code = "store-unavailable"
    status = 503
