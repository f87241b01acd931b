"""Signed example passports for the bulk tests: the demo makers' keys and trust file."""

from __future__ import annotations

import uuid
from pathlib import Path

import pytest

from batterypass.codec import json as bp_json
from batterypass.cose import sign_passport
from batterypass.keys import PrivateKey
from batterypass.model import BatteryPassport
from batterypass.verify import TrustStore

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "examples"
MAKERS = (("ev-nmc", "ev-maker"), ("lfp-storage", "storage-maker"), ("lmt-ebike", "ebike-maker"))


def load_passport(name: str) -> BatteryPassport:
    return bp_json.loads((EXAMPLES / "passports" / f"{name}.json").read_text(encoding="utf-8"))


def load_key(maker: str) -> PrivateKey:
    return PrivateKey.from_file(EXAMPLES / "keys" / f"{maker}.DEMO-ONLY.key")


def with_id(passport: BatteryPassport, n: int) -> BatteryPassport:
    """The passport under another id (many distinct passports from three examples)."""
    return passport.model_copy(update={"passport_id": f"urn:uuid:{uuid.UUID(int=n + 1)}"})


@pytest.fixture(scope="session")
def trust() -> TrustStore:
    return TrustStore.from_file(EXAMPLES / "trust.json")


@pytest.fixture(scope="session")
def signed_examples() -> list[tuple[str, bytes]]:
    """(passport id, signed bytes) for 12 passports: Ed25519, ESP256 and ESP384 in turn."""
    out = []
    keys = {maker: load_key(maker) for _, maker in MAKERS}
    for n in range(12):
        name, maker = MAKERS[n % 3]
        passport = with_id(load_passport(name), n)
        out.append((passport.passport_id, sign_passport(passport, keys[maker])))
    return out
