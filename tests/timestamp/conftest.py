"""The demo TSA of examples/timestamp/ (loaded from its file: examples are not a package) and
helpers to make tokens, good and bad."""

from __future__ import annotations

import importlib.util
import sys
from datetime import UTC, datetime
from pathlib import Path
from types import ModuleType

import pytest
from rfc3161_client import HashAlgorithm, TimestampRequestBuilder, decode_timestamp_response

from batterypass.cose import add_timestamp_token, parse_sign1
from batterypass.verify import TimestampAuthority

ROOT = Path(__file__).resolve().parents[2]


def _load_demo_tsa() -> ModuleType:
    name = "batterypass_demo_tsa"
    if name in sys.modules:
        return sys.modules[name]
    spec = importlib.util.spec_from_file_location(name, ROOT / "examples/timestamp/demo_tsa.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


demo_tsa = _load_demo_tsa()
DemoTSA = demo_tsa.DemoTSA
serve = demo_tsa.serve
pem = demo_tsa.pem
DEMO_POLICY: str = demo_tsa.DEMO_POLICY


def authority(
    tsa: object,
    *,
    organisation_id: str = "urn:demo:tsa",
    not_before: datetime = datetime(2025, 1, 1, tzinfo=UTC),
    not_after: datetime = datetime(2040, 1, 1, tzinfo=UTC),
    revoked_at: datetime | None = None,
    policies: tuple[str, ...] = (),
) -> TimestampAuthority:
    """The trust-store entry for a demo TSA (its root certificate)."""
    return TimestampAuthority.from_pem(
        pem(tsa.root),  # type: ignore[attr-defined]
        organisation_id=organisation_id,
        not_before=not_before,
        not_after=not_after,
        revoked_at=revoked_at,
        policies=policies,
    )


def token_for(tsa: object, message: bytes, *, data: bytes | None = None) -> bytes:
    """A token from ``tsa`` over ``message``'s signature (or over ``data``), made in-process
    without the HTTP client's checks, so that bad tokens can be made too."""
    imprint_input = data if data is not None else parse_sign1(message).timestamp_imprint_input()
    request = (
        TimestampRequestBuilder().data(imprint_input).hash_algorithm(HashAlgorithm.SHA256).build()
    )
    reply = decode_timestamp_response(tsa.respond(request.as_bytes()))  # type: ignore[attr-defined]
    return bytes(reply.time_stamp_token())


def stamped(tsa: object, message: bytes) -> bytes:
    """``message`` with a token from ``tsa`` over its signature."""
    return add_timestamp_token(message, token_for(tsa, message))


@pytest.fixture
def tsa_at() -> type:
    return DemoTSA  # type: ignore[no-any-return]
