"""The app factory uvicorn imports (``batterypass serve`` starts it, also with ``--workers``):
its settings come from environment variables that ``serve`` sets."""

from __future__ import annotations

import os

from fastapi import FastAPI

from batterypass.service._app import create_app
from batterypass.service._settings import Settings
from batterypass.verify import TrustStore

__all__ = ["ENV_BASE_URI", "ENV_DB", "ENV_TRUST", "app_from_environment"]

ENV_DB = "BATTERYPASS_SERVICE_DB"
ENV_TRUST = "BATTERYPASS_SERVICE_TRUST"
ENV_BASE_URI = "BATTERYPASS_SERVICE_BASE_URI"


def app_from_environment() -> FastAPI:
    """``create_app`` for the store and trust file named by the environment."""
    trust_path = os.environ[ENV_TRUST]
    with open(trust_path, encoding="utf-8") as f:
        text = f.read()
    settings = Settings(
        db_url=os.environ[ENV_DB],
        trust=TrustStore.from_json(text, source=trust_path),
        trust_json=text,
        base_uri=os.environ.get(ENV_BASE_URI) or None,
    )
    return create_app(settings)
