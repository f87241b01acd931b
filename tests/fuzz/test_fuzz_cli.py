"""A bounded part of the CLI fuzz run (tests/fuzz/fuzz_cli.py) in the test suite: every
command that reads a file gets its valid seed, the special inputs (a FIFO, /dev/zero, a
dangling symlink, UTF-16, a duplicate key, NaN, a 5000-digit integer, 100 000 nested arrays,
...) and a few seeded mutations; none may exit 4 or hang."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))

import fuzz_cli  # the script beside this test

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="fork, FIFOs and devices")


@pytest.mark.parametrize("command", [c.name for c in fuzz_cli.COMMANDS])
def test_no_internal_errors_and_no_hangs(command: str) -> None:
    outcomes = fuzz_cli.fuzz(mutations=3, seed=22, only=command, timeout=60, log=lambda _: None)
    names = {o.input for o in outcomes}
    assert "seed" in names
    assert {"fifo", "dev-zero", "utf-16", "big-int", "deep-arrays"} <= names
    failures = [(o.input, o.code, o.message[-300:]) for o in fuzz_cli.bad(outcomes)]
    assert failures == []


def test_the_fuzzer_detects_an_internal_error(monkeypatch: pytest.MonkeyPatch) -> None:
    """The harness itself can fail: a command that raises a bug is reported as exit 4."""
    from batterypass.cli import _passport_cmds

    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("a planted bug")

    monkeypatch.setattr(_passport_cmds, "load_passport", broken)
    outcomes = fuzz_cli.fuzz(mutations=0, only="validate", specials=False, log=lambda _: None)
    assert [(o.input, o.code) for o in outcomes] == [("seed", 4)]
    assert "a planted bug" in outcomes[0].message
