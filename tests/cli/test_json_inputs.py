"""Every JSON input of the CLI goes through the one strict JSON reader (issue 14, part 4;
issue 22, points 7 and 8): a duplicate key, a NaN, a 10 MB document, a UTF-16 file, an integer
of 5,000 digits and 100,000 nested arrays each end in a clean error (exit 3, never 4)."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from batterypass.cli import run

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "examples"
KEYS = EXAMPLES / "keys"
PASSPORT = EXAMPLES / "passports" / "ev-nmc.json"
SIGNED = EXAMPLES / "lifecycle" / "ev-nmc.cose"

# name -> (file contents, the phrase the error must contain, the field path it must name)
BAD_JSON: dict[str, tuple[bytes, str, str]] = {
    "duplicate-key": (b'{"a": 1, "b": {"x": 1, "x": 2}}', "duplicate key 'x'", "b"),
    "nan": (b'{"a": [1, NaN]}', "NaN is not a number", "a[1]"),
    "utf-16": ('{"a": 1}'.encode("utf-16"), "UTF-16", ""),
    "big-int": (b'{"n": ' + b"7" * 5000 + b"}", "5000 digits", "n"),
    "deep": (b"[" * 100_000 + b"]" * 100_000, "nested too deeply", ""),
}

TEN_MB = b'{"pad": "' + b"x" * (10 * 1024 * 1024) + b'"}'


def _passport(d: Path, f: Path) -> list[str]:
    return ["validate", str(f)]


def _trust(d: Path, f: Path) -> list[str]:
    return ["trust", "list", str(f)]


def _verify_trust(d: Path, f: Path) -> list[str]:
    return ["verify", str(SIGNED), "--trust", str(f)]


def _jwk(d: Path, f: Path) -> list[str]:
    return ["trust", "add", str(d / "t.json"), str(f), "--role", "manufacturer", "--org", "o"]


def _data(d: Path, f: Path) -> list[str]:
    key = str(KEYS / "ev-maker.DEMO-ONLY.key")
    log = str(d / "new.events")
    return ["events", "append", log, "--type", "manufactured", "--key", key]


def _data_args(d: Path, f: Path) -> list[str]:
    return [*_data(d, f), "--passport", str(SIGNED), "--data", f"@{f}"]


def _rates(d: Path, f: Path) -> list[str]:
    return ["recycling", str(PASSPORT), "--rates", str(f)]


def _scheme(d: Path, f: Path) -> list[str]:
    return ["label", str(PASSPORT), "--out", str(d / "l.svg"), "--scheme", str(f)]


def _import(d: Path, f: Path) -> list[str]:
    return ["import", str(f), "--out", str(d / "imported.json")]


ENTRY_POINTS: dict[str, Callable[[Path, Path], list[str]]] = {
    "passport": _passport,
    "trust-file": _trust,
    "verify-trust": _verify_trust,
    "jwk": _jwk,
    "events-data": _data_args,
    "rates": _rates,
    "scheme": _scheme,
    "import": _import,
}


@pytest.mark.parametrize("entry", sorted(ENTRY_POINTS))
@pytest.mark.parametrize("case", sorted(BAD_JSON))
def test_bad_json_is_refused_cleanly(
    entry: str, case: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    content, phrase, path = BAD_JSON[case]
    if entry == "import" and case == "utf-16":
        pytest.skip("consortium aspect files are UTF-16 by design; the importer decodes them")
    f = tmp_path / "input.json"
    f.write_bytes(content)
    code = run(ENTRY_POINTS[entry](tmp_path, f))
    captured = capsys.readouterr()
    err = captured.err + captured.out  # `validate` reports on stdout
    assert code == 3, err
    assert phrase in err, err
    assert str(f) in err, err
    if path:
        assert f": {path}: " in err, err
    assert "internal error" not in err
    assert "Traceback" not in err


@pytest.mark.parametrize("entry", sorted(ENTRY_POINTS))
def test_ten_megabytes_is_refused_cleanly(
    entry: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    f = tmp_path / "big.json"
    f.write_bytes(TEN_MB)
    code = run(ENTRY_POINTS[entry](tmp_path, f))
    captured = capsys.readouterr()
    err = captured.err + captured.out
    # Over a small input limit (keys, --data, rates, schemes: 1 MiB): exit 3. Within a large
    # one (passports 16 MiB, trust files 64 MiB): read, then refused as not what it should be.
    assert code in (1, 3), err
    assert str(f) in err, err
    assert "internal error" not in err
    if entry in ("jwk", "events-data", "rates", "scheme"):
        assert code == 3, err
        assert "limit" in err, err


def test_the_inputs_are_read_after_all(tmp_path: Path) -> None:
    """The parametrised commands above do reach their JSON input (a sanity check that each
    command line is right): with a valid input each one succeeds."""
    shutil.copy(EXAMPLES / "trust.json", tmp_path / "trust.json")
    trust = tmp_path / "trust.json"
    assert run(_passport(tmp_path, PASSPORT)) == 0
    assert run(_trust(tmp_path, trust)) == 0
    good_data = tmp_path / "data.json"
    good_data.write_text("{}", encoding="utf-8")
    assert run(_data_args(tmp_path, good_data)) == 0
    rates = tmp_path / "rates.json"
    rates.write_text('{"cobalt": 90}', encoding="utf-8")
    assert run(_rates(tmp_path, rates)) == 0
    assert run(_scheme(tmp_path, EXAMPLES / "schemes" / "illustrative-2027.json")) == 0
    jwk = tmp_path / "key.jwk"
    jwk.write_text(
        '{"kty": "OKP", "crv": "Ed25519", "x": "11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"}',
        encoding="utf-8",
    )
    assert run(_jwk(tmp_path, jwk)) == 0
