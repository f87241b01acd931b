"""The passport service: a verifying registry and GS1 Digital Link resolver (issue 17).

:func:`create_app` builds the ASGI application from :class:`Settings`; ``batterypass serve``
runs it under uvicorn. Every upload is verified by the library before it is stored; every read
is verified again and shown to the caller's audience only (Art. 77(2)). See
``specs/http-api.md`` and ``specs/openapi.json``.
"""

from __future__ import annotations

from batterypass.service._app import create_app
from batterypass.service._settings import DEFAULT_MAX_BODY_BYTES, Settings
from batterypass.service._store import Store, open_store
from batterypass.service._tokens import Caller, make_token

__all__ = [
    "DEFAULT_MAX_BODY_BYTES",
    "Caller",
    "Settings",
    "Store",
    "create_app",
    "make_token",
    "open_store",
]
