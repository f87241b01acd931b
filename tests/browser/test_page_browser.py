"""The passport page in a real browser: headless Debian Chromium, driven by Selenium, against
a real ``batterypass serve --demo`` on loopback.

Each example at a phone (360 px) and a desktop width: the texts a person must see, nothing of
groups 2-4 on the public page, an audience token's view, German labels, a revoked signer shown
as not verified, axe-core with no serious or critical violation, screenshots in the test's
output folder. End to end: ``batterypass qr`` for the EV example with the demo server's base
URI, decoded by ``zbarimg``, opened in the browser: the right battery.

Set ``BATTERYPASS_SCREENSHOTS=DIR`` to also write the README's screenshots into DIR.
"""

from __future__ import annotations

import hashlib
import importlib.util
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

if os.environ.get("CI", "").lower() not in ("true", "1", "yes"):
    pytest.importorskip("jinja2", reason="needs the service extra")
    pytest.importorskip("fastapi", reason="needs the service extra")
    pytest.importorskip("uvicorn", reason="needs the service extra")

from batterypass.codec import json as bp_json
from batterypass.keys import PrivateKey
from batterypass.model import Audience, BatteryPassport
from batterypass.verify import TrustStore

IN_CI = os.environ.get("CI", "").lower() in ("true", "1", "yes")
ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "examples" / "passports"
NAMES = ("ev-nmc", "lfp-storage", "lmt-ebike")
KEYS = {"ev-nmc": "ev-maker", "lfp-storage": "storage-maker", "lmt-ebike": "ebike-maker"}
MODELS = {
    "ev-nmc": "EVP-75 NMC811",
    "lfp-storage": "ESS-200 LFP rack",
    "lmt-ebike": "EB36-500 downtube pack",
}
PHONE = 360
"""A small phone: 360 CSS pixels wide."""
DESKTOP = 1280
SHOTS = os.environ.get("BATTERYPASS_SCREENSHOTS")

AXE = Path(__file__).resolve().parent / "fixtures" / "axe-core" / "axe.min.js"
AXE_SHA256 = "29348999450cdf2849a8e70b7912fc2da85a849da39c0d0d5394f51d4a9ed95c"
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"]


def require(condition: bool, why: str) -> None:
    """Skip when ``condition`` is false, or fail in CI."""
    if condition:
        return
    if IN_CI:
        pytest.fail(f"{why} (CI=true: the browser tests must run in CI)")
    pytest.skip(why)


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


# ---------------------------------------------------------------- the demo server


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Server:
    """A ``batterypass serve`` subprocess on a loopback port."""

    proc: subprocess.Popen[str]
    base: str
    lines: list[str] = field(default_factory=list)
    errors: Path | None = None

    def stop(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()


def _serve(args: list[str], errors: Path, *, wait_for: int = 0) -> Server:
    """Start ``batterypass serve ARGS`` on a free port; wait until it answers and, with
    ``wait_for``, until it printed that many lines."""
    port = _free_port()
    env = dict(os.environ)
    env["PYTHONPATH"] = str(ROOT / "src") + os.pathsep + env.get("PYTHONPATH", "")
    err = errors.open("w", encoding="utf-8")
    proc = subprocess.Popen(
        [sys.executable, "-m", "batterypass", "serve", *args, "--port", str(port)],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=err,
        text=True,
    )
    server = Server(proc, f"http://127.0.0.1:{port}", errors=errors)

    def read() -> None:
        assert proc.stdout is not None
        for line in proc.stdout:
            server.lines.append(line.rstrip("\n"))

    threading.Thread(target=read, daemon=True).start()
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(
                f"batterypass serve exited with {proc.returncode}: "
                f"{errors.read_text(encoding='utf-8')[-2000:]}"
            )
        try:
            with urllib.request.urlopen(f"{server.base}/trust.json", timeout=2):
                pass
            if len(server.lines) >= wait_for:
                return server
        except OSError:
            pass
        time.sleep(0.2)
    server.stop()
    raise RuntimeError(f"batterypass serve did not answer: {errors.read_text(encoding='utf-8')}")


@dataclass
class Demo:
    server: Server
    urls: dict[str, str]
    """Example name -> the passport's page on the server."""
    tokens: dict[str, str]
    store: str
    """The demo's SQLite database URL."""


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Demo]:
    folder = tmp_path_factory.mktemp("demo")
    server = _serve(["--demo"], folder / "stderr.txt", wait_for=6)
    try:
        ids = {name: _example(name).passport_id for name in NAMES}
        urls: dict[str, str] = {}
        tokens: dict[str, str] = {}
        for line in server.lines:
            if line.startswith("token for "):
                audience, _, token = line.removeprefix("token for ").partition(": ")
                tokens[audience] = token
            for name, pid in ids.items():
                if line.startswith(f"{server.base}/passports/{pid}"):
                    urls[name] = line.split()[0]
        assert set(urls) == set(NAMES), server.lines
        err = (folder / "stderr.txt").read_text(encoding="utf-8")
        found = re.search(r"store in (\S+)", err)
        assert found is not None, err
        yield Demo(server, urls, tokens, f"sqlite:///{found.group(1)}/passports.db")
    finally:
        server.stop()


def _example(name: str) -> BatteryPassport:
    return bp_json.loads((EXAMPLES / f"{name}.json").read_text(encoding="utf-8"))


def _headers(driver: Any, headers: dict[str, str]) -> None:
    """Send these request headers with every request of the browser (Chrome DevTools)."""
    driver.execute_cdp_cmd("Network.enable", {})
    driver.execute_cdp_cmd("Network.setExtraHTTPHeaders", {"headers": headers})


def _load_leaks() -> Any:
    # The test tree is not a package (--import-mode=importlib): load the shared helper by path.
    path = Path(__file__).parent.parent / "service" / "_leaks.py"
    spec = importlib.util.spec_from_file_location("_batterypass_page_leaks", path)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


_leaks = _load_leaks()
_shows = _leaks.shows


def _secrets(name: str, audience: Audience) -> set[str]:
    """Values of the example in groups the audience may not see, recognisable as such: not
    also a value (or part of a value) it may see, and not a bare number."""
    return set(_leaks.secret_strings(_example(name), audience))


def _shot(driver: Any, tmp_path: Path, name: str, width: int, *, docs: str | None = None) -> None:
    """A whole-page screenshot into the test's output folder; with ``docs`` and
    ``BATTERYPASS_SCREENSHOTS`` set, also the first screen of it under that name there."""
    full_screenshot(driver, tmp_path / f"{name}.png", width)
    assert (tmp_path / f"{name}.png").stat().st_size > 10_000
    if SHOTS and docs:
        driver.set_window_size(width, 2000 if width == DESKTOP else 1500)
        driver.execute_script("window.scrollTo(0, 0)")
        Path(SHOTS).mkdir(parents=True, exist_ok=True)
        driver.save_screenshot(str(Path(SHOTS) / docs))


# ---------------------------------------------------------------- the tests


@pytest.mark.parametrize("name", NAMES)
def test_public_page_of_each_example(browser: Any, demo: Demo, name: str, tmp_path: Path) -> None:
    _headers(browser, {})
    secrets = _secrets(name, Audience.PUBLIC)
    assert len(secrets) > 10  # the examples do hold group 2-4 values
    for width, label in ((PHONE, "phone"), (DESKTOP, "desktop")):
        browser.set_window_size(width, 900)
        browser.get(demo.urls[name])
        assert horizontal_overflow(browser) == 0, f"{label}: the page scrolls sideways"
        assert _overflowing(browser) == [], label
        text = visible_text(browser)
        for expected in (
            MODELS[name],
            _example(name).passport_id,
            "Signature verified",
            "verified by this server at",
            "View shown: Public",
            "Carbon footprint",
            "ILLUSTRATIVE, NOT REGULATORY",
            "Recycled content",
            "Hazardous substances",
            "Critical raw materials",
            "Performance and durability",
            "Separate collection symbol",
            "shown only to persons with a legitimate interest",
        ):
            assert expected in text, (label, expected)
        leaked = sorted(s for s in secrets if _shows(s, text))
        assert leaked == [], label
        # The stylesheet applied under the server's CSP (its hash matched).
        colour = browser.execute_script(
            "return getComputedStyle(document.querySelector('header.site')).backgroundColor"
        )
        assert colour == "rgb(23, 50, 77)"
        _shot(browser, tmp_path, f"{name}-{label}", width, docs=f"{name}-{label}.png")


def test_qr_code_leads_to_the_right_battery(browser: Any, demo: Demo, tmp_path: Path) -> None:
    zbarimg = shutil.which("zbarimg")
    require(zbarimg is not None, "zbarimg is not installed (apt-get install zbar-tools)")
    assert zbarimg is not None
    qr = tmp_path / "ev-qr.png"
    env = dict(os.environ)
    env["PYTHONPATH"] = str(ROOT / "src") + os.pathsep + env.get("PYTHONPATH", "")
    made = subprocess.run(
        [
            sys.executable,
            "-m",
            "batterypass",
            "qr",
            str(EXAMPLES / "ev-nmc.json"),
            "--base-uri",
            demo.server.base,
            "--out",
            str(qr),
        ],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
        check=False,
    )
    assert made.returncode == 0, made.stderr
    decoded = subprocess.run(
        [zbarimg, "--raw", "-q", str(qr)], capture_output=True, text=True, timeout=60, check=False
    )
    assert decoded.returncode == 0, decoded.stderr
    url = decoded.stdout.strip()
    assert url == f"{demo.server.base}/01/09506000134352/21/EVP75-000123"
    _headers(browser, {})
    browser.set_window_size(PHONE, 900)
    browser.get(url)
    from selenium.webdriver.common.by import By

    assert browser.find_element(By.TAG_NAME, "h1").text == "EVP-75 NMC811"
    text = visible_text(browser)
    assert "urn:uuid:6f1c2a7e-3b4d-4e8f-9a10-2b3c4d5e6f70" in text  # the EV passport
    assert "GTIN 09506000134352, Serial number EVP75-000123" in text
    assert "Signature verified" in text
    _shot(browser, tmp_path, "ev-from-qr-phone", PHONE)


def test_token_shows_its_audience_and_the_lifecycle(
    browser: Any, demo: Demo, tmp_path: Path
) -> None:
    token = demo.tokens["legitimate-interest"]
    _headers(browser, {"Authorization": f"Bearer {token}"})
    try:
        browser.set_window_size(DESKTOP, 900)
        browser.get(demo.urls["ev-nmc"])
        text = visible_text(browser)
        assert "View shown: Persons with a legitimate interest" in text
        assert "data groups shown: 1, 2, 4" in text
        assert "Current status: original" in text
        for event in ("manufactured", "placed on the market", "put into service"):
            assert event in text
        assert "LiPF6 in EC/EMC" in text  # group 2, which this audience may see
        for secret in _secrets("ev-nmc", Audience.LEGITIMATE_INTEREST):
            assert not _shows(secret, text), secret
        _shot(browser, tmp_path, "ev-legitimate-interest", DESKTOP, docs="ev-nmc-token.png")
        assert serious(run_axe(browser)) == []
    finally:
        _headers(browser, {})


def test_labels_in_german_and_chinese(browser: Any, demo: Demo) -> None:
    try:
        for header, words in (
            ("de-DE,de;q=0.9", ("Identität", "Herstellungsdatum", "Signatur verifiziert")),
            ("zh-CN,zh;q=0.9", ("身份信息", "制造日期", "签名已验证")),
        ):
            _headers(browser, {"Accept-Language": header})
            browser.get(demo.urls["lmt-ebike"])
            text = visible_text(browser)
            for word in words:
                assert word in text
            assert "EB36-500 downtube pack" in text  # the passport's own text, as signed
    finally:
        _headers(browser, {})


@pytest.mark.parametrize("name", NAMES)
def test_axe_finds_no_serious_violation(
    browser: Any, demo: Demo, name: str, tmp_path: Path
) -> None:
    _headers(browser, {})
    for width in (PHONE, DESKTOP):
        browser.set_window_size(width, 900)
        browser.get(demo.urls[name])
        violations = run_axe(browser)
        report = json.dumps(violations, indent=1, ensure_ascii=False)
        (tmp_path / f"axe-{width}.json").write_text(report, encoding="utf-8")
        assert serious(violations) == [], report


def test_a_revoked_signer_shows_as_not_verified(browser: Any, demo: Demo, tmp_path: Path) -> None:
    # The same store, served against a trust list in which the EV maker's key was revoked
    # before it signed: the server must say so, in red, and never show the passport as valid.
    key = PrivateKey.from_file(ROOT / "examples" / "keys" / "ev-maker.DEMO-ONLY.key")
    revoked = TrustStore.from_file(ROOT / "examples" / "trust.json").revoke(
        key.kid, at=datetime(2026, 1, 1, tzinfo=UTC)
    )
    trust = tmp_path / "revoked-trust.json"
    revoked.to_file(trust)
    server = _serve(["--db", demo.store, "--trust", str(trust)], tmp_path / "stderr.txt")
    try:
        _headers(browser, {})
        browser.set_window_size(PHONE, 900)
        browser.get(demo.urls["ev-nmc"].replace(demo.server.base, server.base))
        assert horizontal_overflow(browser) == 0
        assert _overflowing(browser) == []
        text = visible_text(browser)
        assert "NOT VERIFIED" in text
        assert "revoked" in text
        assert "Signature verified" not in text
        assert "Do not rely on the data shown below" in text
        assert browser.title.startswith("NOT VERIFIED")
        banner = browser.execute_script(
            "const s = getComputedStyle(document.getElementById('verification'));"
            "return [s.borderTopColor, s.color];"
        )
        assert banner == ["rgb(163, 0, 15)", "rgb(122, 0, 11)"]  # red
        _shot(browser, tmp_path, "revoked-phone", PHONE, docs="ev-nmc-revoked-phone.png")
        assert serious(run_axe(browser)) == []
        # The other examples, signed by keys still trusted, still verify on that server.
        browser.get(demo.urls["lfp-storage"].replace(demo.server.base, server.base))
        assert "Signature verified" in visible_text(browser)
    finally:
        server.stop()


def test_axe_catches_what_it_should(browser: Any) -> None:
    # The check can fail: an image without a text alternative is a critical violation.
    browser.get(
        "data:text/html,<!DOCTYPE html><html lang=en><title>x</title><main><h1>x</h1>"
        "<img src='data:image/gif;base64,R0lGODlhAQABAAAAACw='></main></html>"
    )
    ids = {v["id"] for v in serious(run_axe(browser))}
    assert "image-alt" in ids


def test_download_and_verify_offline_as_the_page_says(
    browser: Any, demo: Demo, tmp_path: Path
) -> None:
    # A person follows the page: downloads the signed passport and the trust list under the
    # names it gives, and runs the command it shows. The e-bike passport is disclosable, so
    # the public gets a signed presentation of its own.
    from selenium.webdriver.common.by import By

    _headers(browser, {})
    browser.get(demo.urls["lmt-ebike"])
    links = {
        a.get_attribute("download"): a.get_attribute("href")
        for a in browser.find_elements(By.CSS_SELECTOR, "a[download]")
    }
    command = browser.find_element(By.CSS_SELECTOR, "pre.command").text.split()
    assert command[:2] == ["batterypass", "verify"]
    assert set(links) == {command[2], command[4]}
    for name, href in links.items():
        with urllib.request.urlopen(href, timeout=10) as answer:
            (tmp_path / name).write_bytes(answer.read())
    env = dict(os.environ)
    env["PYTHONPATH"] = str(ROOT / "src") + os.pathsep + env.get("PYTHONPATH", "")
    verified = subprocess.run(
        [sys.executable, "-m", "batterypass", *command[1:]],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
        check=False,
    )
    assert verified.returncode == 0, verified.stdout + verified.stderr
    assert "9a2e4c71-d3f8-4b6a-a1c5-3e7f9b2d4c08" in verified.stdout + verified.stderr
