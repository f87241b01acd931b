"""``specs/error-codes.md`` and the source agree: every code raised is documented, every
documented code is raised, and the exit codes in the table are the CLI's."""

from __future__ import annotations

import importlib
import pickle
import re
from pathlib import Path

import pytest

from batterypass.cli import exit_code_for
from batterypass.cose import Sign1Error, Sign1Reason
from batterypass.disclosure import DisclosureError, DisclosureReason
from batterypass.errors import BatteryPassError, DecodeError, SignatureError, TrustError
from batterypass.lifecycle import BreakKind, BrokenChainError

ROOT = Path(__file__).resolve().parents[1]
SRC = ROOT / "src" / "batterypass"
TABLE = ROOT / "specs" / "error-codes.md"

# Every package whose modules define error classes, so that __subclasses__ sees them all.
for _name in ("cli", "cose", "disclosure", "interop", "keys", "lifecycle", "service", "verify"):
    importlib.import_module(f"batterypass.{_name}")


def _error_classes() -> dict[str, type[BatteryPassError]]:
    out: dict[str, type[BatteryPassError]] = {}
    todo: list[type[BatteryPassError]] = [BatteryPassError]
    while todo:
        cls = todo.pop()
        module = cls.__module__.removeprefix("batterypass.")
        package = module.split(".")[0]
        name = cls.__name__ if package == "errors" else f"{package}.{cls.__name__}"
        out[name] = cls
        todo += cls.__subclasses__()
    return out


def _table() -> dict[str, tuple[str, ...]]:
    """code -> (meaning, classes, exit, raised by), from every table row of the spec."""
    rows: dict[str, tuple[str, ...]] = {}
    for line in TABLE.read_text(encoding="utf-8").splitlines():
        m = re.fullmatch(r"\| `([a-z0-9-]+)` \|(.*)\|", line)
        if m is None:
            continue
        cells = tuple(c.strip() for c in m.group(2).split("|"))
        assert len(cells) == 4, line
        assert m.group(1) not in rows, f"{m.group(1)} twice in the table"
        rows[m.group(1)] = cells
    return rows


def _codes_in_source() -> set[str]:
    codes = {cls.code for cls in _error_classes().values()}
    codes |= {r.value for r in Sign1Reason}
    codes |= {f"disclosure-{r.value}" for r in DisclosureReason}
    codes |= {f"chain-{k.value}" for k in BreakKind}
    for path in SRC.rglob("*.py"):
        codes |= set(re.findall(r'\bcode="([a-z0-9-]+)"', path.read_text(encoding="utf-8")))
    return codes


def test_every_code_in_the_source_is_documented_and_vice_versa() -> None:
    source, table = _codes_in_source(), set(_table())
    assert source - table == set(), "codes raised but not in specs/error-codes.md"
    assert table - source == set(), "codes in specs/error-codes.md that nothing raises"


def test_codes_are_kebab_case() -> None:
    for code in _codes_in_source():
        assert re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", code), code


def test_the_table_names_real_classes_and_their_exit_codes() -> None:
    classes = _error_classes()
    for code, (meaning, names, exits, raised_by) in _table().items():
        assert meaning
        assert raised_by
        if names == "(bulk result)":
            assert exits == "1", code
            continue
        expected = set()
        for name in names.split(", "):
            assert name in classes, f"{code}: unknown class {name}"
            cls = classes[name]
            expected.add(int(exit_code_for(cls.__new__(cls))))
        assert {int(e) for e in exits.split(", ")} == expected, code


def test_every_class_default_is_in_the_row_of_its_class() -> None:
    table = _table()
    for name, cls in _error_classes().items():
        if "code" not in vars(cls):  # inherits its parent's
            continue
        assert name in table[cls.code][1].split(", "), (name, cls.code)


def test_code_argument_overrides_the_class_default_and_survives_pickling() -> None:
    assert TrustError("x").code == "untrusted-signer"
    error = TrustError("x", code="signer-role")
    assert error.code == "signer-role"
    assert TrustError("y").code == "untrusted-signer"  # the class default is untouched
    copy = pickle.loads(pickle.dumps(error))
    assert (type(copy), copy.code, copy.message) == (TrustError, "signer-role", "x")


def test_family_codes_follow_their_enums() -> None:
    assert Sign1Error(Sign1Reason.WRONG_TAG, "m").code == "wrong-tag"
    assert DisclosureError(DisclosureReason.MISMATCH, "m").code == "disclosure-mismatch"
    assert BrokenChainError(BreakKind.FORK, "m").code == "chain-fork"
    assert isinstance(DisclosureError(DisclosureReason.AUDIENCE, "m"), SignatureError)


@pytest.mark.parametrize("data", [b"", b"\xa0", b"\xd8\x19\x80"])
def test_an_unverified_decode_failure_keeps_the_cose_code(data: bytes) -> None:
    from batterypass.cose import decode_sign1_unverified

    with pytest.raises(DecodeError) as info:
        decode_sign1_unverified(data)
    assert info.value.code in {r.value for r in Sign1Reason}
