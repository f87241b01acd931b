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

SUITE_INPUTS = frozenset(
    {
        "seed",
        "fifo",
        "dev-zero",
        "directory",
        "dangling-symlink",
        "utf-16",
        "big-int",
        "deep-arrays",
        "cbor-deep",
    }
)


@pytest.mark.parametrize("command", [c.name for c in fuzz_cli.COMMANDS])
def test_no_internal_errors_and_no_hangs(command: str) -> None:
    # A case costs about 0.1 s (a fork and the CLI's start), so the suite runs the inputs
    # that found hangs and exit 4 in the issue; the script runs all of them, and mutations.
    outcomes = fuzz_cli.fuzz(
        mutations=1, seed=22, only=command, timeout=60, inputs=SUITE_INPUTS, log=lambda _: None
    )
    names = {o.input for o in outcomes}
    assert "seed" in names
    assert names == SUITE_INPUTS | {"mutation-0"}
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
