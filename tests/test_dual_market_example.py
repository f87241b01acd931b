"""The dual-market example (examples/passports/ev-dual-market.json): an EV pack made in
Shenzhen for the EU market with its GB/T 34014 code, module and cell codes and China's
carbon-footprint declaration next to the EU one. It validates, signs, verifies and
round-trips through JSON and CBOR (issue 20, "done when")."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pycddl
import pytest

from batterypass.codec import cbor
from batterypass.codec import json as bp_json
from batterypass.cose import sign_passport
from batterypass.errors import SignatureError
from batterypass.keys import PrivateKey
from batterypass.model import (
    Audience,
    BatteryCategory,
    ProductType,
    ReportingPhase,
    TractionBatteryCode,
    completeness,
)
from batterypass.verify import TrustStore, verify_passport

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "examples"
JSON = EXAMPLES / "passports" / "ev-dual-market.json"
CBOR = EXAMPLES / "passports" / "ev-dual-market.cbor"


@pytest.fixture(scope="module")
def text() -> bytes:
    return JSON.read_bytes()


def test_it_is_an_ev_pack_made_in_shenzhen_with_chinese_and_eu_data(text: bytes) -> None:
    p = bp_json.loads(text)
    assert p.general.category is BatteryCategory.EV
    assert p.general.manufacturing_place is not None
    assert p.general.manufacturing_place.address.city == "Shenzhen"
    code = p.china.traction_battery_code()
    assert code is not None
    assert code.product_type is ProductType.PACK
    # The code's date characters give the EU manufacturing date (year table: assumed).
    assert code.production_date == p.general.manufacturing_date
    components = p.china.gbt34014_components or ()
    kinds = [TractionBatteryCode.parse(c.code).product_type for c in components]
    assert kinds.count(ProductType.MODULE) == 2
    assert kinds.count(ProductType.CELL) == 4
    assert all(c.part_of is not None for c, k in zip(components, kinds, strict=True) if k == "cell")
    cn = p.china.carbon_footprint
    assert cn is not None
    assert cn.kg_co2e_per_kwh == Decimal("0.047")
    assert cn.reporting_phase is ReportingPhase.TRIAL
    eu = p.carbon_footprint
    assert eu.total_kg_co2e_per_kwh == Decimal("0.052")
    assert (eu.method, eu.boundary, eu.verifier, eu.study_url) != (None, None, None, None)
    assert completeness(p).complete


def test_json_round_trip_is_exact(text: bytes) -> None:
    assert bp_json.dumps(bp_json.loads(text)).encode("utf-8") == text


def test_cbor_golden_and_round_trip(text: bytes) -> None:
    p = bp_json.loads(text)
    data = cbor.dumps(p)
    assert data == CBOR.read_bytes(), "run: python examples/build_cbor.py"
    back = cbor.loads(data)
    assert back == p
    assert cbor.dumps(back) == data
    pycddl.Schema((ROOT / "specs" / "passport.cddl").read_text("utf-8")).validate_cbor(data)


def test_signs_and_verifies_with_the_makers_demo_key(text: bytes) -> None:
    p = bp_json.loads(text)
    key = PrivateKey.from_file(EXAMPLES / "keys" / "ev-maker.DEMO-ONLY.key")
    signed = sign_passport(p, key)
    result = verify_passport(signed, trust=TrustStore.from_file(EXAMPLES / "trust.json"))
    assert result.passport == p
    assert result.organisation_id == p.issuer
    assert result.payload == CBOR.read_bytes()
    tampered = bytearray(signed)
    at = bytes(tampered).index(b"X9DPE75EVP75SZG9X0000457")
    tampered[at + 23] ^= 0x01  # the pack code's last serial digit
    with pytest.raises(SignatureError):
        verify_passport(bytes(tampered), trust=TrustStore.from_file(EXAMPLES / "trust.json"))


def test_the_public_sees_the_eu_data_and_no_chinese_data(text: bytes) -> None:
    p = bp_json.loads(text)
    public = p.view(Audience.PUBLIC)
    assert public.carbon_footprint == p.carbon_footprint
    assert public.china.model_dump() == dict.fromkeys(p.china.model_dump())
    interested = p.view(Audience.LEGITIMATE_INTEREST)
    assert interested.china == p.china
