"""The passport page in a real browser (headless Chromium via Selenium): each example at a
phone and a desktop width, the texts a person must see, nothing of groups 2-4 on the public
page, a revoked signer shown as not verified, axe-core with no serious or critical violation,
and screenshots saved under the test's output folder."""

from __future__ import annotations

import hashlib
import json
import os
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

if os.environ.get("CI", "").lower() not in ("true", "1", "yes"):
    pytest.importorskip("jinja2", reason="needs the service extra")

from batterypass.codec import json as bp_json
from batterypass.cose import sign_passport
from batterypass.errors import TrustError
from batterypass.keys import PrivateKey
from batterypass.model import Audience, BatteryPassport
from batterypass.verify import TrustStore, verify_passport

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "examples" / "passports"
NAMES = ("ev-nmc", "lfp-storage", "lmt-ebike")
KEYS = {"ev-nmc": "ev-maker", "lfp-storage": "storage-maker", "lmt-ebike": "ebike-maker"}
MODELS = {
    "ev-nmc": "EVP-75 NMC811",
    "lfp-storage": "ESS-200 LFP rack",
    "lmt-ebike": "EB36-500 downtube pack",
}
NOW = datetime(2026, 12, 5, 9, 30, tzinfo=UTC)
PHONE = 360
"""A small phone: 360 CSS pixels wide."""
DESKTOP = 1280

AXE = Path(__file__).resolve().parent / "fixtures" / "axe-core" / "axe.min.js"
AXE_SHA256 = "29348999450cdf2849a8e70b7912fc2da85a849da39c0d0d5394f51d4a9ed95c"
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"]


def axe_source() -> str:
    """The vendored axe-core, checked against the digest its README records."""
    data = AXE.read_bytes()
    digest = hashlib.sha256(data).hexdigest()
    assert digest == AXE_SHA256, f"{AXE} is not the vendored axe-core 4.14.1 ({digest})"
    return data.decode("utf-8")


def run_axe(driver: Any) -> list[dict[str, Any]]:
    """Run axe-core in the current page (WCAG 2.0-2.2 A and AA rules and best practices) and
    return its violations."""
    driver.execute_script(axe_source())
    result = driver.execute_async_script(
        """
        const done = arguments[arguments.length - 1];
        const only = {runOnly: {type: 'tag', values: arguments[0]}, resultTypes: ['violations']};
        axe.run(document, only)
          .then(r => done({ok: true, version: axe.version, violations: r.violations.map(v => ({
             id: v.id, impact: v.impact, help: v.help,
             nodes: v.nodes.slice(0, 5).map(n => n.target.join(' ') + ': ' + n.failureSummary)
          }))}))
          .catch(e => done({ok: false, error: String(e)}));
        """,
        AXE_TAGS,
    )
    assert result["ok"], f"axe-core did not run: {result.get('error')}"
    assert result["version"] == "4.14.1"
    return list(result["violations"])


def serious(violations: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [v for v in violations if v["impact"] in ("serious", "critical")]


def full_screenshot(driver: Any, path: Path, width: int) -> None:
    """A screenshot of the whole page at ``width`` CSS pixels."""
    driver.set_window_size(width, 900)
    height = int(driver.execute_script("return document.documentElement.scrollHeight"))
    # The window's outer height includes no browser chrome in headless mode.
    driver.set_window_size(width, min(height, 12000))
    path.parent.mkdir(parents=True, exist_ok=True)
    driver.save_screenshot(str(path))
    driver.set_window_size(width, 900)


def horizontal_overflow(driver: Any) -> int:
    """How many CSS pixels the page is wider than the window (0: no sideways scrolling)."""
    return int(
        driver.execute_script(
            "return document.documentElement.scrollWidth - document.documentElement.clientWidth"
        )
    )


def _overflowing(driver: Any) -> list[str]:
    """Elements sticking out of the window on the right (wide tables scroll inside their own
    box and are exempt; WCAG 1.4.10 allows that for data tables)."""
    return list(
        driver.execute_script(
            "const w = document.documentElement.clientWidth;"
            "return [...document.querySelectorAll('body *')].filter(e => "
            "e.getBoundingClientRect().right > w + 1 && !e.closest('.tablewrap'))"
            ".map(e => e.tagName + '.' + e.className + ': ' + e.textContent.slice(0, 40))"
        )
    )


def visible_text(driver: Any) -> str:
    from selenium.webdriver.common.by import By

    return str(driver.find_element(By.TAG_NAME, "body").text)


# ---------------------------------------------------------------- pages served over HTTP


class _Pages:
    """A throwaway HTTP server on loopback serving rendered pages with the headers the
    service sends (the page's Content-Security-Policy included)."""

    def __init__(self) -> None:
        import http.server
        import threading

        self.pages: dict[str, bytes] = {}
        pages = self.pages

        from batterypass.service._page import content_security_policy

        csp = content_security_policy()

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                body = pages.get(self.path)
                if body is None:
                    self.send_error(404)
                    return
                self.send_response(200)
                self.send_header("Content-Type", "text/html; charset=utf-8")
                self.send_header("Content-Security-Policy", csp)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: Any) -> None:
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.base = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def add(self, path: str, html: str) -> str:
        self.pages[path] = html.encode("utf-8")
        return self.base + path

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture(scope="module")
def pages() -> Any:
    served = _Pages()
    yield served
    served.close()


def _example(name: str) -> BatteryPassport:
    return bp_json.loads((EXAMPLES / f"{name}.json").read_text(encoding="utf-8"))


def _render(name: str, audience: Audience = Audience.PUBLIC, *, revoked: bool = False) -> str:
    from batterypass.service._page import PassportPage, SignatureCheck, render_page

    passport = _example(name)
    key = PrivateKey.from_file(ROOT / "examples" / "keys" / f"{KEYS[name]}.DEMO-ONLY.key")
    trust = TrustStore.from_file(ROOT / "examples" / "trust.json")
    signed = sign_passport(passport, key)
    if revoked:
        kid = key.kid
        trust = trust.revoke(kid, at=datetime(2026, 1, 1, tzinfo=UTC))
        try:
            verify_passport(signed, trust=trust)
        except TrustError as e:
            check = SignatureCheck.failed(e, checked_at=NOW, kid=kid)
        else:  # pragma: no cover - the revocation must bite
            raise AssertionError("a revoked key still verified")
    else:
        verified = verify_passport(signed, trust=trust)
        check = SignatureCheck.passed(
            organisation_id=verified.organisation_id,
            kid=verified.kid,
            signed_at=verified.signed_at,
            checked_at=NOW,
        )
    page = PassportPage(
        passport=passport,
        audience=audience,
        check=check,
        today=NOW.date(),
        download_url=f"/{name}.cose",
        trust_url="/trust.json",
        page_uri=f"http://127.0.0.1/{name}",
    )
    return render_page(page)


# ---------------------------------------------------------------- the tests


@pytest.mark.parametrize("name", NAMES)
def test_public_page_in_the_browser(browser: Any, pages: Any, name: str, tmp_path: Path) -> None:
    url = pages.add(f"/{name}", _render(name))
    for width, label in ((PHONE, "phone"), (DESKTOP, "desktop")):
        browser.set_window_size(width, 900)
        browser.get(url)
        assert horizontal_overflow(browser) == 0, f"{label}: the page scrolls sideways"
        assert _overflowing(browser) == [], label
        text = visible_text(browser)
        assert MODELS[name] in text
        assert "Signature verified" in text
        assert "View shown: Public" in text
        assert "Carbon footprint" in text
        assert "Recycled content" in text
        assert "batterypass verify" in text
        # The stylesheet applied under the CSP (its hash matched): the header is dark blue.
        colour = browser.execute_script(
            "return getComputedStyle(document.querySelector('header.site')).backgroundColor"
        )
        assert colour == "rgb(23, 50, 77)"
        full_screenshot(browser, tmp_path / f"{name}-{label}.png", width)
        assert (tmp_path / f"{name}-{label}.png").stat().st_size > 10_000


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize("audience", [Audience.PUBLIC, Audience.AUTHORITY])
def test_axe_finds_no_serious_violation(
    browser: Any, pages: Any, name: str, audience: Audience, tmp_path: Path
) -> None:
    url = pages.add(f"/{name}/{audience.value}", _render(name, audience))
    for width in (PHONE, DESKTOP):
        browser.set_window_size(width, 900)
        browser.get(url)
        violations = run_axe(browser)
        report = json.dumps(violations, indent=1, ensure_ascii=False)
        (tmp_path / f"axe-{width}.json").write_text(report, encoding="utf-8")
        assert serious(violations) == [], report


def test_a_revoked_signer_shows_as_not_verified(browser: Any, pages: Any, tmp_path: Path) -> None:
    url = pages.add("/revoked", _render("ev-nmc", revoked=True))
    browser.set_window_size(PHONE, 900)
    browser.get(url)
    assert horizontal_overflow(browser) == 0
    assert _overflowing(browser) == []
    text = visible_text(browser)
    assert "NOT VERIFIED" in text
    assert "revoked" in text
    assert "Signature verified" not in text
    assert browser.title.startswith("NOT VERIFIED")
    banner = browser.execute_script(
        "const s = getComputedStyle(document.getElementById('verification'));"
        "return [s.borderTopColor, s.color];"
    )
    assert banner == ["rgb(163, 0, 15)", "rgb(122, 0, 11)"]  # red
    full_screenshot(browser, tmp_path / "revoked-phone.png", PHONE)
    assert serious(run_axe(browser)) == []


def test_axe_catches_what_it_should(browser: Any, pages: Any) -> None:
    # The check can fail: a page with an image without alt text and low contrast.
    bad = (
        '<!DOCTYPE html><html lang="en"><head><title>x</title></head><body><main>'
        '<h1>x</h1><img src="data:image/gif;base64,R0lGODlhAQABAAAAACw=">'
        '<p style="color:#bbb;background:#fff">faint</p></main></body></html>'
    )
    browser.get(pages.add("/bad", bad))
    ids = {v["id"] for v in serious(run_axe(browser))}
    assert "image-alt" in ids
