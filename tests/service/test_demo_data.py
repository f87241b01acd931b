"""``batterypass serve --demo`` runs from an installed package, without a clone's examples/.

The demo's passports, DEMO keys and trust file are package data (``batterypass/service/demo``):
copies of ``examples/`` that must stay equal to them, and that must be declared in
pyproject.toml's package data, or an installed package would have no demo.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
import tomllib
from pathlib import Path

import httpx
import pytest

from batterypass.codec import json as bp_json
from batterypass.model import Audience
from batterypass.service import DEMO_FILES, demo_file

from ._server import free_port, stop_server
from .conftest import EXAMPLES, load_example

ROOT = Path(__file__).resolve().parents[2]
NAMES = ("ev-nmc", "lfp-storage", "lmt-ebike")


def _original(name: str) -> Path:
    if name == "trust.json":
        return EXAMPLES / name
    return EXAMPLES / ("keys" if name.endswith(".key") else "passports") / name


@pytest.mark.parametrize("name", DEMO_FILES)
def test_bundled_demo_file_is_the_example(name: str) -> None:
    assert demo_file(name) == _original(name).read_bytes(), (
        f"src/batterypass/service/demo/{name} differs from examples/: "
        "run python examples/build_passports.py"
    )


def test_demo_file_names_only_the_bundled_files() -> None:
    with pytest.raises(ValueError, match="not a demo file"):
        demo_file("../_app.py")


def _installed_layout(target: Path) -> Path:
    """Copy ``src/batterypass`` into ``target`` as setuptools would install it: every module,
    and only the data files pyproject.toml declares as package data.

    (Not a wheel build: that would need the network or a newer setuptools than some
    virtualenvs carry; the rules applied are the same: packages found under ``src``, and
    ``[tool.setuptools.package-data]`` globs relative to each package's folder.)"""
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    package_data: dict[str, list[str]] = config["tool"]["setuptools"]["package-data"]
    src = ROOT / "src"
    wanted = {p for p in (src / "batterypass").rglob("*.py") if "__pycache__" not in p.parts}
    for package, globs in package_data.items():
        folder = src.joinpath(*package.split("."))
        for pattern in globs:
            wanted.update(p for p in folder.glob(pattern) if p.is_file())
    for path in wanted:
        out = target / path.relative_to(src)
        out.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(path, out)
    return target


def test_serve_demo_from_an_installed_package_without_examples(tmp_path: Path) -> None:
    site = _installed_layout(tmp_path / "site")
    assert not (site / "examples").exists()
    elsewhere = tmp_path / "elsewhere"  # the working directory: no examples/ in it
    elsewhere.mkdir()
    env = dict(os.environ)
    env["PYTHONPATH"] = str(site)  # not the clone's src/
    where = subprocess.run(
        [sys.executable, "-c", "import batterypass; print(batterypass.__file__)"],
        cwd=elsewhere,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    assert where.stdout.strip() == str(site / "batterypass" / "__init__.py")
    port = free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "batterypass", "serve", "--demo", "--port", str(port)],
        cwd=elsewhere,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            assert proc.poll() is None, proc.communicate()[1][-2000:]
            assert time.monotonic() < deadline, "the demo server did not answer"
            try:
                httpx.get(f"{base}/trust.json", timeout=1)
                break
            except httpx.HTTPError:
                time.sleep(0.1)
        trust = httpx.get(f"{base}/trust.json", timeout=10)
        assert trust.content == (EXAMPLES / "trust.json").read_bytes()
        for name in NAMES:
            passport = load_example(name)
            r = httpx.get(f"{base}/passports/{passport.passport_id}", timeout=10)
            assert r.status_code == 200, r.text
            got = bp_json.loads(r.text)
            same_time = got.model_copy(update={"issued_at": passport.issued_at})
            assert same_time == passport.view(Audience.PUBLIC)
            page = httpx.get(f"{base}/passports/{passport.passport_id}?format=html", timeout=10)
            assert "verified by this server" in page.text
    finally:
        out, err = stop_server(proc)
    assert out.count(f"{base}/passports/") == 3
    assert out.count("token for ") == 3
    assert "store in " in err
    assert "Traceback" not in err


def test_serve_examples_needs_demo(capsys: pytest.CaptureFixture[str]) -> None:
    from batterypass.cli import run

    assert run(["serve", "--examples", str(EXAMPLES)]) == 2
    assert "--examples goes with --demo" in capsys.readouterr().err


def test_demo_from_an_examples_folder_equals_the_bundled_demo(tmp_path: Path) -> None:
    from batterypass.errors import FileError
    from batterypass.service import Settings, load_demo, open_store
    from batterypass.verify import TrustStore

    from .conftest import NOW

    trust = TrustStore.from_json(demo_file("trust.json").decode())
    stores = []
    for n, examples in enumerate((None, EXAMPLES)):
        url = f"sqlite:///{tmp_path / f'{n}.db'}"
        store = open_store(url)
        data = load_demo(store, Settings(db_url=url, trust=trust), examples, now=NOW)
        assert [pid for pid, _ in data.passports] == [
            load_example(name).passport_id for name in NAMES
        ]
        stores.append(store)
    try:
        for name in NAMES:
            pid = load_example(name).passport_id
            rows = [store.passport(pid) for store in stores]
            assert rows[0] is not None
            assert rows[1] is not None
            assert rows[0].kind == rows[1].kind
            assert rows[0].head.event_count == rows[1].head.event_count
        with pytest.raises(FileError, match=r"the demo needs ev-nmc\.json"):
            load_demo(
                stores[0],
                Settings(db_url="sqlite://", trust=trust),
                tmp_path / "nowhere",
                now=NOW,
            )
    finally:
        for store in stores:
            store.close()
