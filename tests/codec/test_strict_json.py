"""The one strict JSON reader (codec.json.loads_value) and the one bounded file reader
(batterypass._fs.read_bounded), and the library entry points that use them."""

from __future__ import annotations

import json
import os
import threading
import time
from decimal import Decimal
from pathlib import Path

import pytest

from batterypass._fs import read_bounded
from batterypass.carbon import ThresholdScheme
from batterypass.circularity import RegulatoryTargets
from batterypass.codec import json as bp_json
from batterypass.errors import DecodeError, FileError, TrustError
from batterypass.keys import Algorithm, PrivateKey, PublicKey
from batterypass.verify import TrustStore

ROOT = Path(__file__).resolve().parents[2]


def test_values_and_exact_numbers() -> None:
    assert bp_json.loads_value(b'{"a": [1, 2.50, -3e2], "b": null}') == {
        "a": [1, Decimal("2.50"), Decimal("-3e2")],
        "b": None,
    }
    assert bp_json.loads_value(b'\xef\xbb\xbf{"a": 1}') == {"a": 1}  # UTF-8 BOM skipped
    assert bp_json.loads_value('\ufeff{"a": 1}') == {"a": 1}


@pytest.mark.parametrize(
    ("text", "message", "path"),
    [
        (b'{"a": {"k": 1, "k": 2}}', "duplicate key 'k'", ("a",)),
        (b'{"a": [0, {"b": NaN}]}', "NaN", ("a", 1, "b")),
        (b'{"a": Infinity}', "Infinity", ("a",)),
        (b'{"a": -Infinity}', "-Infinity", ("a",)),
        (b'{"n": [' + b"9" * 4301 + b"]}", "4301 digits", ("n", 0)),
        (b'{"n": 1.' + b"5" * 4300 + b"}", "characters", ("n",)),
        (b'{"a": ' + b"[" * 70 + b"]" * 70 + b"}", "nested too deeply", ("a", 0, 0, 0)),
    ],
)
def test_refusals_name_the_field(text: bytes, message: str, path: tuple[object, ...]) -> None:
    with pytest.raises(DecodeError, match=message) as info:
        bp_json.loads_value(text, source="in.json")
    assert info.value.path == path
    assert str(info.value).startswith("in.json: ")


def test_depth_limit_is_exact() -> None:
    ok = b"[" * 64 + b"]" * 64
    assert bp_json.loads_value(ok, max_depth=64) is not None
    with pytest.raises(DecodeError, match="nested too deeply"):
        bp_json.loads_value(b"[" + ok + b"]", max_depth=64)


def test_stack_deep_nesting_is_a_clean_error() -> None:
    for opener, closer in ((b"[", b"]"), (b'{"a":', b"}")):
        with pytest.raises(DecodeError, match="nested too deeply"):
            bp_json.loads_value(opener * 200_000 + b"1" + closer * 200_000)


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-le", "utf-16-be", "utf-32", "utf-32-le"])
def test_utf16_and_utf32_are_named(encoding: str) -> None:
    data = '{"a": 1}'.encode(encoding)
    assert bp_json.looks_like_json_text(data)
    with pytest.raises(DecodeError, match=r"not UTF-8 text: this is UTF-(16|32)"):
        bp_json.loads_value(data)


def test_size_limit() -> None:
    with pytest.raises(DecodeError, match="larger than 10 bytes"):
        bp_json.loads_value(b'{"a": 12345}', max_bytes=10)


def test_jwk_with_two_x_members_is_refused() -> None:
    """Security defect (issue 14): PublicKey.from_jwk used plain json.loads, so a JWK with two
    "x" members loaded the second one."""
    a = PrivateKey.generate(Algorithm.EDDSA).public_key().to_jwk()
    b = PrivateKey.generate(Algorithm.EDDSA).public_key().to_jwk()
    text = json.dumps(a)[:-1] + f', "x": "{b["x"]}"}}'
    assert json.loads(text)["x"] == b["x"]  # what the old reader loaded
    with pytest.raises(DecodeError, match="duplicate key 'x'"):
        PublicKey.from_jwk(text)
    with pytest.raises(DecodeError, match="duplicate key 'd'"):
        PrivateKey.from_jwk(json.dumps(a)[:-1] + ', "d": "AA", "d": "AB"}')
    with pytest.raises(DecodeError, match="NaN"):
        PublicKey.from_jwk('{"kty": "OKP", "crv": "Ed25519", "x": NaN}')


def test_trust_file_version_must_be_the_integer_one() -> None:
    text = (ROOT / "examples" / "trust.json").read_text(encoding="utf-8")
    assert '"version": 1' in text
    TrustStore.from_json(text)
    for other in ("1.0", "true", '"1"', "1e0"):
        with pytest.raises(TrustError, match="unsupported version") as info:
            TrustStore.from_json(text.replace('"version": 1', f'"version": {other}'))
        assert info.value.path == ("version",)


def test_trust_file_json_errors_are_decode_errors_with_paths() -> None:
    text = (ROOT / "examples" / "trust.json").read_text(encoding="utf-8")
    deep = text.replace('"x509_anchors": []', '"x509_anchors": ' + "[" * 100 + "]" * 100)
    assert deep != text
    with pytest.raises(DecodeError, match="nested too deeply") as info:
        TrustStore.from_json(deep, source="t.json")
    assert info.value.path is not None
    assert info.value.path[0] == "x509_anchors"
    with pytest.raises(DecodeError, match="not UTF-8 text: this is UTF-16"):
        TrustStore.from_json(text.encode("utf-16"))


# --- the bounded reader ------------------------------------------------------------------------


def test_read_bounded_regular_file(tmp_path: Path) -> None:
    f = tmp_path / "f"
    f.write_bytes(b"12345")
    assert read_bounded(f, 5) == b"12345"
    with pytest.raises(DecodeError, match="larger than the 4-byte limit"):
        read_bounded(f, 4)
    with pytest.raises(FileError, match="no such file"):
        read_bounded(tmp_path / "absent", 4)
    with pytest.raises(FileError, match="is a directory"):
        read_bounded(tmp_path, 4)


@pytest.mark.skipif(not os.path.exists("/dev/zero"), reason="needs /dev/zero")
def test_read_bounded_refuses_devices() -> None:
    with pytest.raises(FileError, match="character device"):
        read_bounded("/dev/zero", 1024)


def test_read_bounded_refuses_a_fifo_without_blocking(tmp_path: Path) -> None:
    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)
    outcome: list[BaseException] = []

    def target() -> None:
        try:
            read_bounded(fifo, 1024)
        except BaseException as e:  # noqa: BLE001 - recorded for the assertion
            outcome.append(e)

    thread = threading.Thread(target=target, daemon=True)
    start = time.monotonic()
    thread.start()
    thread.join(timeout=10)
    if thread.is_alive():  # unblock the reader before failing
        with open(fifo, "wb"):
            pass
        pytest.fail("read_bounded blocked on a FIFO")
    assert time.monotonic() - start < 10
    assert len(outcome) == 1
    assert isinstance(outcome[0], FileError)
    assert "a FIFO" in str(outcome[0])


def test_library_file_loaders_use_the_bounded_reader(tmp_path: Path) -> None:
    fifo = tmp_path / "scheme.json"
    os.mkfifo(fifo)
    with pytest.raises(FileError, match="FIFO"):
        ThresholdScheme.from_file(fifo)
    with pytest.raises(FileError, match="FIFO"):
        RegulatoryTargets.from_file(fifo)
    with pytest.raises(FileError, match="FIFO"):
        TrustStore.from_file(fifo)
    with pytest.raises(FileError, match="FIFO"):
        PrivateKey.from_file(fifo)
    big = tmp_path / "big.json"
    big.write_bytes(b" " * (1024 * 1024 + 1))
    with pytest.raises(DecodeError, match="limit"):
        ThresholdScheme.from_file(big)
    with pytest.raises(DecodeError, match="limit"):
        RegulatoryTargets.from_file(big)
    with pytest.raises(DecodeError, match="limit"):
        PrivateKey.from_file(big)
