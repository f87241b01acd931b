"""The passport page renderer (batterypass.service._page), without a server or a browser:
what each audience sees, what it must never see, verification in red, languages, numbers."""

from __future__ import annotations

import base64
import hashlib
import html
import itertools
import os
import re
from dataclasses import replace
from datetime import UTC, date, datetime
from decimal import Decimal
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings

if os.environ.get("CI") != "true":  # in CI the service extra is installed: never skip there
    pytest.importorskip("jinja2", reason="needs the service extra")

from batterypass import testing
from batterypass.codec import json as bp_json
from batterypass.cose import sign_passport
from batterypass.errors import TrustError
from batterypass.keys import PrivateKey
from batterypass.lifecycle import read_log
from batterypass.model import (
    VISIBILITY,
    AccessGroup,
    Audience,
    BatteryPassport,
    iter_data_points,
)
from batterypass.service._i18n import FIELD_TEXT, LANGUAGES, TEXT, negotiate_language
from batterypass.service._page import (
    CURATED,
    Lifecycle,
    PassportPage,
    SignatureCheck,
    content_security_policy,
    render_page,
)
from batterypass.verify import TrustStore, verify_events, verify_passport

from ._leaks import secret_strings, shows

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "examples" / "passports"
LIFECYCLE = ROOT / "examples" / "lifecycle"
NAMES = ("ev-nmc", "lfp-storage", "lmt-ebike")
KEYS = {"ev-nmc": "ev-maker", "lfp-storage": "storage-maker", "lmt-ebike": "ebike-maker"}
NOW = datetime(2026, 12, 5, 9, 30, tzinfo=UTC)
URI = "http://127.0.0.1:8000/01/09506000134352/21/EVP75-000123"


def _example(name: str) -> BatteryPassport:
    return bp_json.loads((EXAMPLES / f"{name}.json").read_text(encoding="utf-8"))


def _verified_page(name: str, audience: Audience = Audience.PUBLIC, **kw: Any) -> PassportPage:
    passport = _example(name)
    key = PrivateKey.from_file(ROOT / "examples" / "keys" / f"{KEYS[name]}.DEMO-ONLY.key")
    verified = verify_passport(
        sign_passport(passport, key), trust=TrustStore.from_file(ROOT / "examples" / "trust.json")
    )
    check = SignatureCheck.passed(
        organisation_id=verified.organisation_id,
        kid=verified.kid,
        signed_at=verified.signed_at,
        checked_at=NOW,
    )
    fields: dict[str, Any] = {
        "passport": verified.passport,
        "audience": audience,
        "check": check,
        "today": NOW.date(),
        "download_url": "/passports/x?format=cose",
        "trust_url": "/trust.json",
        "page_uri": URI,
    }
    fields.update(kw)
    return PassportPage(**fields)


class _Text(HTMLParser):
    """The text a person reads (and the alt texts), without markup."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.skip = 0
        self.tags: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))
        if tag in ("style", "script"):
            self.skip += 1
        alt = dict(attrs).get("alt")
        if alt:
            self.parts.append(alt)

    def handle_endtag(self, tag: str) -> None:
        if tag in ("style", "script"):
            self.skip -= 1

    def handle_data(self, data: str) -> None:
        if not self.skip:
            self.parts.append(data)


def _parse(page_html: str) -> _Text:
    parser = _Text()
    parser.feed(page_html)
    return parser


def _text(page_html: str) -> str:
    return re.sub(r"\s+", " ", " ".join(_parse(page_html).parts).replace("\u00a0", " "))


# ---------------------------------------------------------------- what must never leak


@pytest.mark.parametrize("name", NAMES)
def test_public_page_shows_no_group_2_to_4_value_of_the_examples(name: str) -> None:
    page = _verified_page(name)
    out = render_page(page)
    visible = _text(out)
    secrets = secret_strings(_example(name), Audience.PUBLIC)
    # The examples do hold such values (composition, part numbers, SoH, test reports).
    assert len(secrets) > 10
    leaked = sorted(s for s in secrets if shows(s, out) or shows(s, visible))
    assert leaked == []


def test_the_ev_example_secrets_include_what_a_leak_would_show() -> None:
    # Guard against a vacuous leak test: known group 2 and 3 values are in the secret set,
    # and the authority page (which may see them) does show them.
    secrets = secret_strings(_example("ev-nmc"), Audience.PUBLIC)
    for value in ("EVP75-MOD-12S2P-A", "Notified body test report NB-2026-0815", "99.6"):
        assert value in secrets
    authority = _text(render_page(_verified_page("ev-nmc", Audience.AUTHORITY)))
    assert "EVP75-MOD-12S2P-A" in authority
    assert "Notified body test report NB-2026-0815" in authority


@pytest.mark.parametrize("audience", list(Audience))
def test_every_audience_sees_exactly_its_groups(audience: Audience) -> None:
    out = render_page(_verified_page("ev-nmc", audience))
    visible = _text(out)
    for value in secret_strings(_example("ev-nmc"), audience):
        assert not shows(value, visible), value
    headings = re.findall(r'<h3 id="group-(\d)">', out)
    assert {int(h) for h in headings} <= {int(g) for g in VISIBILITY[audience]}


def test_a_whole_passport_passed_for_the_public_is_still_filtered() -> None:
    # The renderer applies the view itself: a route that forgot to cannot leak.
    page = _verified_page("ev-nmc")
    assert page.passport is not None
    assert page.passport.state.usage.full_cycles is not None  # the whole passport
    visible = _text(render_page(page))
    assert "LiPF6 in EC/EMC" not in visible  # group 2 material
    assert "High-voltage safety instructions" not in visible  # group 2 document


@settings(max_examples=15, deadline=None)
@given(testing.passports(full=True))
def test_no_generated_passport_leaks_on_the_public_page(passport: BatteryPassport) -> None:
    page = PassportPage(
        passport=passport,
        audience=Audience.PUBLIC,
        check=SignatureCheck.passed(
            organisation_id=passport.issuer, kid="k", signed_at=NOW, checked_at=NOW
        ),
        today=NOW.date(),
        download_url="/d",
    )
    out = html.unescape(render_page(page))
    # The page's own times (signing time, today) and the public issue time, shown in UTC,
    # are on the page whatever else the passport holds: a hidden date equal to one is no leak.
    shown_times = NOW.isoformat() + " " + passport.issued_at.astimezone(UTC).isoformat()
    for value in secret_strings(passport, Audience.PUBLIC):
        # A generated value may happen to be one of the page's own words ("Recycled").
        if len(value) >= 8 and value.lower() not in _PAGE_WORDS and value not in shown_times:
            assert value not in out, value


def test_an_address_without_a_city_shows_its_postal_code() -> None:
    passport = _example("ev-nmc")
    address = passport.general.manufacturer.address
    assert address.postal_code is not None
    assert address.street is not None
    no_city = address.model_copy(update={"city": None})
    manufacturer = passport.general.manufacturer.model_copy(update={"address": no_city})
    general = passport.general.model_copy(update={"manufacturer": manufacturer})
    page = PassportPage(
        passport=passport.model_copy(update={"general": general}),
        audience=Audience.PUBLIC,
        check=SignatureCheck.passed(
            organisation_id=passport.issuer, kid="k", signed_at=NOW, checked_at=NOW
        ),
        today=NOW.date(),
        download_url="/d",
    )
    visible = _text(render_page(page))
    assert f"{address.street}, {address.postal_code}, {address.country}" in visible
    assert "None" not in visible


_PAGE_WORDS = (
    "\n".join(v for values in TEXT.values() for v in values)
    + (ROOT / "src" / "batterypass" / "service" / "templates" / "page.html").read_text("utf-8")
).lower()


def test_every_group_1_data_point_has_a_place_on_the_page() -> None:
    # Curated sections hold group 1 (and status, which the view decides); every other data
    # point goes to "Further data" by its group, so none is silently dropped.
    for ref in iter_data_points():
        dotted = ".".join(ref.path)
        if dotted in CURATED and dotted != "status":
            assert ref.info.group is AccessGroup.PUBLIC, dotted


# ---------------------------------------------------------------- what the public sees


def test_public_ev_page_content() -> None:
    text = _text(render_page(_verified_page("ev-nmc")))
    for expected in (
        "EVP-75 NMC811",  # model
        "electric vehicle battery",  # category
        "Example Cells Co., Ltd. (demo data)",  # manufacturer
        "Guangming pack plant 2",  # place of manufacture
        "2026-09-30",  # date of manufacture
        "452.5 kg",  # mass, exact, with its unit
        "0.052 kg CO₂e/kWh",  # carbon footprint
        "batterypass-illustrative-2027 (not regulatory)",  # scheme name
        "ILLUSTRATIVE, NOT REGULATORY",
        "16.5 %",  # recycled cobalt
        "Art. 8 minimum shares in force on 2026-12-05",
        "Lithium hexafluorophosphate",  # hazardous substance
        "Acute Tox. 3; Skin Corr. 1A; STOT RE 1",
        "Natural graphite",  # critical raw material
        "15.5 %",
        "211 Ah",  # performance
        "355.2 V",
        "250000 W at state of charge 80 %",
        "0.0009 Ω",
        "-40 °C to 60 °C",
        "1500 charge-discharge cycles",
        "Crossed-out wheeled bin",  # separate collection symbol (alt text too)
        "EU declaration of conformity",  # documents
        "View shown: Public",
        "batterypass verify passport.cose --trust trust.json --audience public",
    ):
        assert expected in text, expected


def test_units_are_always_shown_and_numbers_are_exact() -> None:
    passport = _example("ev-nmc")
    exact = passport.model_copy(
        update={
            "general": passport.general.model_copy(
                update={"mass_kg": Decimal("452.50000000000000000001")}
            )
        }
    )
    text = _text(render_page(_verified_page("ev-nmc", passport=exact)))
    assert "452.50000000000000000001 kg" in text
    assert "e+" not in text.lower().replace("e+0", "")  # no exponent notation
    assert not re.search(r"\d\.\d+e[+-]\d", text)


def test_status_and_lifecycle_are_not_public() -> None:
    out = render_page(_verified_page("ev-nmc", lifecycle=_lifecycle()))
    text = _text(out)
    assert "shown only to persons with a legitimate interest" in text
    assert "repurposed" not in text  # the status history is group 4
    assert "Status " not in text


def _lifecycle() -> Lifecycle:
    report = verify_events(
        read_log(LIFECYCLE / "ev-nmc.events"),
        passport=(LIFECYCLE / "ev-nmc.cose").read_bytes(),
        trust=TrustStore.from_file(LIFECYCLE / "trust.json"),
        at=datetime(2040, 1, 1, tzinfo=UTC),
    )
    return Lifecycle.from_report(report)


def test_lifecycle_for_a_legitimate_interest() -> None:
    lifecycle = _lifecycle()
    out = render_page(
        _verified_page(
            "ev-nmc",
            Audience.LEGITIMATE_INTEREST,
            lifecycle=lifecycle,
            successor_id=lifecycle.successor_passport_id,
            successor_url="/passports/successor",
            token_organisation="urn:lei:REPAIRER",
            token_purpose="repair",
        )
    )
    text = _text(out)
    for expected in (
        "Persons with a legitimate interest",
        "access token of urn:lei:REPAIRER, purpose: repair",
        "Current status: repurposed",
        "manufactured",
        "placed on the market",
        "2032-09-01T08:00:00Z",
        "stationary energy storage",
        "Every event below is signed",
        "Member State DE",  # the colon is drawn by the stylesheet
    ):
        assert expected in text, expected
    assert '<a href="/passports/successor"' in out
    assert text.index("manufactured") < text.index("2032-09-01T08:00:00Z")


def test_a_failed_event_log_is_said_and_shows_no_history() -> None:
    out = render_page(
        _verified_page(
            "ev-nmc",
            Audience.LEGITIMATE_INTEREST,
            lifecycle=Lifecycle.failed(TrustError("event 3: key revoked")),
        )
    )
    text = _text(out)
    assert "The event log does NOT verify" in text
    assert "event 3: key revoked" in text
    assert "Current status" not in text


def test_successor_links_back_to_its_predecessor() -> None:
    successor = bp_json.loads((LIFECYCLE / "stationary.json").read_text(encoding="utf-8"))
    page = _verified_page("ev-nmc", passport=successor, predecessor_url="/passports/original")
    out = render_page(page)
    assert '<a href="/passports/original"' in out
    assert "urn:uuid:6f1c2a7e-3b4d-4e8f-9a10-2b3c4d5e6f70" in _text(out)


# ---------------------------------------------------------------- verification statement


def test_verified_statement_names_signer_key_and_time() -> None:
    text = _text(render_page(_verified_page("ev-nmc")))
    assert "Signature verified" in text
    assert "Signed by Example Cells Co., Ltd. (demo data) (urn:lei:529900DEMO0EXAMPLE01)" in text
    assert "verified by this server at 2026-12-05T09:30:00Z against its trust list" in text
    assert "NOT VERIFIED" not in text


def test_a_revoked_signer_is_shown_in_red_and_never_as_valid() -> None:
    error = TrustError("key BClIl... was revoked at 2026-10-01T00:00:00Z")
    page = _verified_page("ev-nmc", check=SignatureCheck.failed(error, checked_at=NOW, kid="BClIl"))
    out = render_page(page)
    text = _text(out)
    assert "NOT VERIFIED" in text
    assert "was revoked at 2026-10-01T00:00:00Z" in text
    assert "Do not rely on the data shown below" in text
    assert "Signature verified" not in text
    assert "✓" not in text
    assert re.search(r"<title>NOT VERIFIED: ", out)
    assert 'class="banner bad"' in out
    assert 'role="alert"' in out


# ---------------------------------------------------------------- language


def test_language_negotiation() -> None:
    assert negotiate_language(None) == "en"
    assert negotiate_language("") == "en"
    assert negotiate_language("de-DE,de;q=0.9,en;q=0.8") == "de"
    assert negotiate_language("zh-CN,zh;q=0.9") == "zh"
    assert negotiate_language("fr-FR, de;q=0.5, zh;q=0.7") == "zh"
    assert negotiate_language("fr, es") == "en"
    assert negotiate_language("de;q=0, zh;q=0.1") == "zh"
    assert negotiate_language("*;q=1, de;q=0.2") == "de"
    assert negotiate_language("de;q=abc, zh") == "zh"
    assert negotiate_language("de, zh", override="zh") == "zh"
    assert negotiate_language("de", override="xx") == "de"
    assert negotiate_language("en;q=0.5, de;q=0.5") == "en"  # first of equals


def test_every_label_is_translated() -> None:
    for key, values in (TEXT | FIELD_TEXT).items():
        assert len(values) == len(LANGUAGES), key
        assert all(v.strip() for v in values), key


@pytest.mark.parametrize(
    ("header", "lang", "words"),
    [
        ("de-DE,de;q=0.9", "de", ("Identität", "Herstellungsdatum", "Signatur verifiziert")),
        ("zh-CN,zh;q=0.9", "zh-Hans", ("身份信息", "制造日期", "签名已验证")),
        (None, "en", ("Identity", "Date of manufacture", "Signature verified")),
    ],
)
def test_labels_follow_accept_language(header: str | None, lang: str, words: tuple[str]) -> None:
    out = render_page(_verified_page("ev-nmc"), accept_language=header)
    assert f'<html lang="{lang}">' in out
    text = _text(out)
    for word in words:
        assert word in text
    # The passport's own texts are not translated; dates stay ISO 8601.
    assert "Example Cells Co., Ltd. (demo data)" in text
    assert "2026-09-30" in text


# ---------------------------------------------------------------- structure, accessibility


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize("audience", list(Audience))
def test_semantic_structure(name: str, audience: Audience) -> None:
    out = render_page(_verified_page(name, audience))
    parsed = _parse(out)
    tags = parsed.tags
    levels = [int(tag[1]) for tag, _ in tags if re.fullmatch(r"h[1-6]", tag)]
    assert levels[0] == 1
    assert levels.count(1) == 1
    for before, after in itertools.pairwise(levels):
        assert after <= before + 1  # no skipped level
    for tag, attrs in tags:
        if tag == "img":
            assert attrs.get("alt"), "every image has a text alternative"
        if tag == "th":
            assert attrs.get("scope") in ("row", "col")
        if tag == "svg":
            assert attrs.get("role") == "img"
            assert attrs.get("aria-labelledby")
    assert "<script" not in out
    assert 'style="' not in out  # the CSP allows only the hashed stylesheet
    assert re.search(r'<html lang="en">', out)
    assert '<meta name="viewport" content="width=device-width, initial-scale=1">' in out


def test_label_image_carries_class_and_scheme_in_its_alt_text() -> None:
    out = render_page(_verified_page("ev-nmc"))
    alt = re.search(r'<img src="data:image/svg\+xml;base64,[^"]+" alt="([^"]+)"', out)
    assert alt is not None
    text = html.unescape(alt.group(1))
    assert "0.052 kg CO₂e/kWh" in text
    assert "class B" in text
    assert "batterypass-illustrative-2027 (not regulatory)" in text
    assert "ILLUSTRATIVE" in text


def test_csp_hash_matches_the_inline_stylesheet() -> None:
    out = render_page(_verified_page("ev-nmc"))
    css = re.search(r"<style>(.*?)</style>", out, re.S)
    assert css is not None
    digest = hashlib.sha256(css.group(1).encode("utf-8")).digest()
    assert f"'sha256-{base64.b64encode(digest).decode()}'" in content_security_policy()
    assert "script-src" not in content_security_policy()  # default-src 'none' forbids scripts


def test_passport_text_is_escaped() -> None:
    passport = _example("ev-nmc")
    hostile = passport.model_copy(
        update={
            "general": passport.general.model_copy(
                update={"battery_model": '<script>alert("x")</script>'}
            )
        }
    )
    out = render_page(_verified_page("ev-nmc", passport=hostile))
    assert "<script>" not in out
    assert "&lt;script&gt;" in out


def test_a_page_without_readable_content_still_says_why() -> None:
    page = replace(
        _verified_page("ev-nmc"),
        passport=None,
        check=SignatureCheck.failed(TrustError("unknown signer"), checked_at=NOW),
    )
    text = _text(render_page(page))
    assert "NOT VERIFIED" in text
    assert "unknown signer" in text


def test_recycled_content_status_is_given_at_the_page_date() -> None:
    before = _text(render_page(_verified_page("ev-nmc", today=date(2026, 12, 5))))
    after = _text(render_page(_verified_page("ev-nmc", today=date(2031, 9, 1))))
    assert "no minimum in force yet" in before
    assert "16 % (from 2031-08-18)" in after
    assert "meets the minimum" in after  # cobalt 16.5 % >= 16 %


def test_no_download_link_when_no_signed_copy_can_be_given() -> None:
    out = render_page(_verified_page("ev-nmc", download_url=None))
    text = _text(out)
    assert "No signed copy can be given for this view" in text
    assert "batterypass verify" not in text
    assert 'download="passport.cose"' not in out


def test_qr_code_of_the_page_has_a_text_alternative() -> None:
    out = render_page(_verified_page("ev-nmc"))
    img = re.search(
        r'<img src="data:image/svg\+xml;base64,([^"]+)" alt="QR code[^"]*: ([^"]+)"', out
    )
    assert img is not None
    assert html.unescape(img.group(2)) == URI
    svg = base64.b64decode(img.group(1)).decode("utf-8")
    assert svg.startswith("<svg")


def test_page_headers() -> None:
    from batterypass.service._page import page_headers

    headers = page_headers("zh")
    assert headers["Content-Language"] == "zh-Hans"
    assert headers["Content-Security-Policy"] == content_security_policy()
    assert "Accept-Language" in headers["Vary"]
