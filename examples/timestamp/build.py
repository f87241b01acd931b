"""Build the trusted-time example (examples/timestamp/): every file here but the README and the
demo TSA.

The story (all keys DEMO ONLY):

1. 2026-10-15: the EV maker signs the ev-nmc passport and asks a timestamp authority for a
   token over the signature (RFC 9921 "COSE, then timestamp"): ``ev-nmc.cose``.
2. 2026-11-01: the maker's key is stolen. The maker reports it: ``trust revoke ...
   --compromised-at 2026-11-01T00:00:00Z``.
3. 2026-11-20: the thief signs a passport with the stolen key, dated 2026-10-20 (inside the
   key's window, before the theft). With an honest TSA its token says 2026-11-20:
   ``forged.cose``; without a token: ``forged-untimestamped.cose``.
4. A verifier with the TSA in its trust file (``trust.json``) accepts the honest passport and
   refuses both forgeries with ``key-compromised``. Without the compromise report
   (``trust-before-report.json``) the backdated forgery would pass: ``verify.txt`` shows both.

The TSA is the demo one of ``demo_tsa.py``, served over HTTP on localhost for the run, with a
fresh key each time; ECDSA signatures and request nonces are random, so the ``.cose`` and
``.pem`` bytes differ from run to run while ``verify.txt`` does not. Run from the repository
root: ``python examples/timestamp/build.py [OUTDIR]``. ``tests/timestamp/test_example.py``
checks the committed files against ``verify.txt`` and that a fresh run tells the same story.
"""

from __future__ import annotations

import importlib.util
import sys
from datetime import UTC, datetime
from pathlib import Path
from types import ModuleType

from batterypass.codec import json as bp_json
from batterypass.cose import request_timestamp, sign_passport
from batterypass.errors import BatteryPassError
from batterypass.keys import PrivateKey
from batterypass.model import Role
from batterypass.verify import TimestampAuthority, TrustStore, verify_passport

HERE = Path(__file__).resolve().parent
EXAMPLES = HERE.parent
MAKER = "urn:lei:529900DEMO0EXAMPLE01"
TSA_ORG = "urn:demo:timestamp-authority"
SIGNED = datetime(2026, 10, 15, 8, 0, 30, tzinfo=UTC)  # the TSA's clock for the honest token
COMPROMISED = datetime(2026, 11, 1, tzinfo=UTC)
BACKDATED = datetime(2026, 10, 20, 9, tzinfo=UTC)  # what the thief writes into issued_at
THEFT_TOKEN = datetime(2026, 11, 20, 14, tzinfo=UTC)  # the TSA's clock for the thief's token
NOW = datetime(2026, 12, 1, tzinfo=UTC)  # the verifier's clock for verify.txt
FILES = ("ev-nmc.cose", "forged.cose", "forged-untimestamped.cose")


def _demo_tsa() -> ModuleType:
    spec = importlib.util.spec_from_file_location("demo_tsa", HERE / "demo_tsa.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["demo_tsa"] = module
    spec.loader.exec_module(module)
    return module


def _trust(maker: PrivateKey, tsa_root_pem: bytes) -> TrustStore:
    return (
        TrustStore()
        .add_key(
            maker.public_key(),
            organisation_id=MAKER,
            roles=[Role.MANUFACTURER, Role.ECONOMIC_OPERATOR],
            not_before=datetime(2026, 1, 1, tzinfo=UTC),
            not_after=datetime(2031, 1, 1, tzinfo=UTC),
        )
        .add_timestamp_authority(
            TimestampAuthority.from_pem(
                tsa_root_pem,
                organisation_id=TSA_ORG,
                not_before=datetime(2026, 1, 1, tzinfo=UTC),
                not_after=datetime(2036, 1, 1, tzinfo=UTC),
            )
        )
    )


def outcome(name: str, data: bytes, trust: TrustStore) -> str:
    """One line of verify.txt: what a verifier at :data:`NOW` says about ``data``."""
    try:
        result = verify_passport(data, trust=trust, now=NOW)
    except BatteryPassError as e:
        return f"{name}: NOT VERIFIED [{e.code}] {e.message}"
    stamp = result.timestamp
    by = f" (timestamp by {stamp.authority})" if stamp is not None else " (signer's claim)"
    passport = result.passport
    return (
        f"{name}: verified: {passport.passport_id} issued {passport.issued_at:%Y-%m-%d}, "
        f"signing time {result.signed_at.isoformat()}{by}"
    )


def transcript(directory: Path) -> str:
    """verify.txt for the files in ``directory``."""
    lines = []
    for trust_name in ("trust-before-report.json", "trust.json"):
        trust = TrustStore.from_file(directory / trust_name)
        lines.append(f"# verified against {trust_name} at {NOW.isoformat()}")
        lines += [outcome(name, (directory / name).read_bytes(), trust) for name in FILES]
    return "\n".join(lines) + "\n"


def build(out: Path) -> None:
    demo = _demo_tsa()
    maker = PrivateKey.from_file(EXAMPLES / "keys" / "ev-maker.DEMO-ONLY.key")
    passport = bp_json.loads((EXAMPLES / "passports" / "ev-nmc.json").read_bytes())
    forged_passport = passport.model_copy(update={"issued_at": BACKDATED})
    tsa = demo.DemoTSA(now=SIGNED)
    with demo.serve(tsa) as url:
        honest = request_timestamp(sign_passport(passport, maker), url)
        tsa.now = THEFT_TOKEN
        bare = sign_passport(forged_passport, maker)
        forged = request_timestamp(bare, url)
    root_pem = demo.pem(tsa.root)
    before = _trust(maker, root_pem)
    after = before.compromise(maker.kid, at=COMPROMISED)
    out.mkdir(parents=True, exist_ok=True)
    (out / "tsa-root.DEMO-ONLY.pem").write_bytes(root_pem)
    (out / "trust-before-report.json").write_text(before.to_json(), encoding="utf-8")
    (out / "trust.json").write_text(after.to_json(), encoding="utf-8")
    (out / "ev-nmc.cose").write_bytes(honest)
    (out / "forged.cose").write_bytes(forged)
    (out / "forged-untimestamped.cose").write_bytes(bare)
    (out / "verify.txt").write_text(transcript(out), encoding="utf-8")


if __name__ == "__main__":
    build(Path(sys.argv[1]) if len(sys.argv) > 1 else HERE)
