"""The data of ``batterypass serve --demo``: the three example passports signed with their
DEMO keys (the e-bike one as a disclosable passport, the others as signed passports), the
first events of the EV battery's life, and a token per audience. Everything goes through the
same verified writes as an upload.

The passports, their DEMO keys and the demo trust file ship inside the package
(``batterypass/service/demo/``, byte-for-byte copies of the repository's ``examples/``, which
``examples/build_passports.py`` refreshes and a test compares), so that the demo runs from an
installed package as well as from a clone."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from importlib import resources
from pathlib import Path

from batterypass.codec import json as bp_json
from batterypass.cose import sign_passport
from batterypass.disclosure import issue_disclosable
from batterypass.errors import FileError
from batterypass.keys import PrivateKey
from batterypass.lifecycle import next_event, sign_event
from batterypass.model import Audience
from batterypass.service._ingest import ingest_event, ingest_passport
from batterypass.service._settings import Settings
from batterypass.service._store import Store
from batterypass.service._tokens import make_token

__all__ = ["DEMO_FILES", "DemoData", "demo_file", "load_demo"]

DEMO_FILES = (
    "ev-nmc.json",
    "lfp-storage.json",
    "lmt-ebike.json",
    "ev-maker.DEMO-ONLY.key",
    "storage-maker.DEMO-ONLY.key",
    "ebike-maker.DEMO-ONLY.key",
    "trust.json",
)
"""The files of the bundled demo data (``batterypass/service/demo/``)."""

# (passport file, key file, first uploaded as a disclosable passport?) The EV battery is first
# uploaded as a signed passport, the one its event log links to, then re-issued as a
# disclosable one (version 2), so that every audience can download a presentation.
_PASSPORTS = (
    ("ev-nmc.json", "ev-maker", False),
    ("lfp-storage.json", "storage-maker", True),
    ("lmt-ebike.json", "ebike-maker", True),
)
# The EV battery's first steps (before today: a server refuses events from the future).
_EV_EVENTS = (
    ("manufactured", timedelta(hours=1), {"country": "CN"}),
    ("placed_on_market", timedelta(days=18), {"member_state": "DE"}),
    ("put_into_service", timedelta(days=36), {"application": "passenger car"}),
)


@dataclass(frozen=True, slots=True)
class DemoData:
    """What the demo stored: passport ids and battery ids, and a token per audience."""

    passports: tuple[tuple[str, str], ...]
    tokens: dict[Audience, str]


def demo_file(name: str) -> bytes:
    """The bytes of one of :data:`DEMO_FILES`, from the installed package."""
    if name not in DEMO_FILES:
        raise ValueError(f"not a demo file: {name!r}")
    return resources.files("batterypass.service").joinpath("demo", name).read_bytes()


def _examples_file(examples: Path, name: str) -> tuple[bytes, str]:
    sub = "keys" if name.endswith(".key") else "passports"
    path = examples / name if name == "trust.json" else examples / sub / name
    try:
        return path.read_bytes(), str(path)
    except OSError as e:
        raise FileError(
            f"the demo needs {name} in an examples/ folder (passports, keys/, trust.json): "
            f"{e.strerror}",
            source=str(path),
        ) from None


def load_demo(
    store: Store, settings: Settings, examples: Path | None = None, *, now: datetime
) -> DemoData:
    """Store the example passports: those bundled with the package, or those of
    ``examples`` (a clone's ``examples/`` folder). ``settings.trust`` must trust their keys
    (:func:`demo_file` ``("trust.json")`` does)."""

    def read(name: str) -> tuple[bytes, str]:
        if examples is not None:
            return _examples_file(examples, name)
        return demo_file(name), f"batterypass/service/demo/{name}"

    stored: list[tuple[str, str]] = []
    for name, key_name, disclosable in _PASSPORTS:
        data, source = read(name)
        passport = bp_json.loads(data, source=source)
        pem, _ = read(f"{key_name}.DEMO-ONLY.key")
        key = PrivateKey.from_pem(pem)
        body = (
            issue_disclosable(passport, key).to_bytes()
            if disclosable
            else sign_passport(passport, key)
        )
        ingest_passport(
            store,
            settings,
            passport_id=passport.passport_id,
            body=body,
            caller=None,
            now=now,
            require_caller=False,
        )
        stored.append((passport.passport_id, passport.battery_id))
        if name == "ev-nmc.json":
            log: list[bytes] = []
            for kind, after, payload in _EV_EVENTS:
                time = min(passport.issued_at + after, now)
                event = next_event(
                    log,
                    event_type=kind,
                    payload=payload,
                    actor=passport.issuer,
                    time=time,
                    signed_passport=body,
                )
                log.append(sign_event(event, key))
                ingest_event(
                    store,
                    settings,
                    passport_id=passport.passport_id,
                    body=log[-1],
                    caller=None,
                    now=now,
                    require_caller=False,
                )
            reissued = passport.model_copy(
                update={"issued_at": min(time + timedelta(minutes=1), now)}
            )
            ingest_passport(
                store,
                settings,
                passport_id=passport.passport_id,
                body=issue_disclosable(reissued, key).to_bytes(),
                caller=None,
                now=now,
                require_caller=False,
            )
    tokens: dict[Audience, str] = {
        audience: make_token(
            store,
            audience=audience,
            organisation_id="urn:demo:reader",
            purpose=f"demo: reading as {audience.value}",
            now=now,
        )[0]
        for audience in Audience
        if audience is not Audience.PUBLIC
    }
    return DemoData(tuple(stored), tokens)
