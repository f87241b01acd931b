"""The passport service: a verifying registry, a GS1 Digital Link resolver and the passport
page (``batterypass serve``, issue 17 and 18).

:func:`create_app` builds the ASGI application from :class:`Settings`; ``batterypass serve``
runs it under uvicorn (:func:`app_from_environment`). Every upload is verified by the library
before it is stored; every read is verified again and shown to the caller's audience only
(Art. 77(2)). See ``specs/http-api.md`` and ``specs/openapi.json``.
"""

from __future__ import annotations

from batterypass.service._app import create_app
from batterypass.service._asgi import ENV_BASE_URI, ENV_DB, ENV_TRUST, app_from_environment
from batterypass.service._demo import DEMO_FILES, DemoData, demo_file, load_demo
from batterypass.service._mirror import MirrorReport, mirror
from batterypass.service._settings import DEFAULT_MAX_BODY_BYTES, Settings
from batterypass.service._store import Store, open_store
from batterypass.service._tokens import Caller, make_token

__all__ = [
    "DEFAULT_MAX_BODY_BYTES",
    "DEMO_FILES",
    "ENV_BASE_URI",
    "ENV_DB",
    "ENV_TRUST",
    "Caller",
    "DemoData",
    "MirrorReport",
    "Settings",
    "Store",
    "app_from_environment",
    "create_app",
    "demo_file",
    "load_demo",
    "make_token",
    "mirror",
    "open_store",
]
