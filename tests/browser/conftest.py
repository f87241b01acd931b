"""A real headless browser for the page tests: Debian's Chromium driven by Selenium through
Debian's chromedriver (``.ci/run`` installs both; nothing is downloaded at run time).

Outside CI a missing browser skips these tests; in CI (``CI=true``) it fails them, so a
broken CI machine cannot pass by skipping.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

IN_CI = os.environ.get("CI", "").lower() in ("true", "1", "yes")
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMEDRIVER = shutil.which("chromedriver") or "/usr/bin/chromedriver"


def require(condition: bool, why: str) -> None:
    """Skip when ``condition`` is false, or fail in CI."""
    if condition:
        return
    if IN_CI:
        pytest.fail(f"{why} (CI=true: browser tests must run in CI)")
    pytest.skip(why)


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    """One headless Chromium for the session (each test sets its own window size)."""
    try:
        from selenium import webdriver
        from selenium.webdriver.chrome.service import Service
    except ImportError:
        require(False, "selenium is not installed (test extra)")
        raise
    require(Path(CHROMIUM).exists(), f"no Chromium at {CHROMIUM} (apt-get install chromium)")
    require(
        Path(CHROMEDRIVER).exists(),
        f"no chromedriver at {CHROMEDRIVER} (apt-get install chromium-driver)",
    )
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for arg in (
        "--headless=new",
        "--no-sandbox",  # CI containers run as root, where the sandbox cannot start
        "--disable-dev-shm-usage",
        "--disable-gpu",
        "--hide-scrollbars",
        "--force-device-scale-factor=1",
        "--lang=en-US",
    ):
        options.add_argument(arg)
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
    driver.set_page_load_timeout(30)
    try:
        yield driver
    finally:
        driver.quit()
