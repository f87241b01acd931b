"""verify_many: corrupted items mixed in, order, bounded read-ahead, the process pool."""

from __future__ import annotations

import pickle
import uuid
from collections.abc import Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from datetime import UTC, datetime
from pathlib import Path

import pytest

from batterypass.codec import json as bp_json
from batterypass.cose import sign_passport
from batterypass.errors import TrustError
from batterypass.keys import PrivateKey
from batterypass.model import BatteryPassport, Role
from batterypass.verify import BulkResult, TrustStore, verify_many, verify_passport

NOW = datetime(2027, 6, 1, tzinfo=UTC)
EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


def load_passport(name: str) -> BatteryPassport:
    return bp_json.loads((EXAMPLES / "passports" / f"{name}.json").read_text(encoding="utf-8"))


def load_key(maker: str) -> PrivateKey:
    return PrivateKey.from_file(EXAMPLES / "keys" / f"{maker}.DEMO-ONLY.key")


def with_id(passport: BatteryPassport, n: int) -> BatteryPassport:
    return passport.model_copy(update={"passport_id": f"urn:uuid:{uuid.UUID(int=n + 1)}"})


def _flip(data: bytes, position: int) -> bytes:
    out = bytearray(data)
    out[position] ^= 0x01
    return bytes(out)


def _mixed(
    signed: list[tuple[str, bytes]], tmp_path: Path
) -> tuple[list[object], dict[int, tuple[str, str]]]:
    """Good items (bytes and files) with one of each kind of bad item in between; returns
    the items and, per bad index, (exception kind, code)."""
    good = [data for _, data in signed]
    for i, data in enumerate(good[:3]):
        (tmp_path / f"good-{i}.cose").write_bytes(data)
    untrusted = sign_passport(load_passport("ev-nmc"), PrivateKey.generate())
    wrong_issuer = sign_passport(load_passport("lfp-storage"), load_key("ev-maker"))
    (tmp_path / "not-cbor.cose").write_bytes(b'{"this is": "json"}')
    items: list[object] = [
        good[0],
        good[1][: len(good[1]) // 2],  # truncated
        str(tmp_path / "good-0.cose"),
        _flip(good[2], len(good[2]) - 10),  # a bit of the signature flipped
        good[3],
        _flip(good[4], 200),  # a bit of the payload flipped
        untrusted,
        tmp_path / "good-1.cose",
        wrong_issuer,
        str(tmp_path / "not-cbor.cose"),
        str(tmp_path / "missing.cose"),
        good[5],
        b"",
        bytearray(good[6]),
    ]
    bad = {
        1: ("DecodeError", "malformed"),
        3: ("Sign1Error", "bad-signature"),
        5: ("Sign1Error", "bad-signature"),
        6: ("TrustError", "untrusted-signer"),
        8: ("TrustError", "issuer-mismatch"),
        9: ("DecodeError", "malformed"),
        10: ("FileError", "unreadable"),
        12: ("DecodeError", "malformed"),
    }
    return items, bad


def _check(results: list[BulkResult], items: list[object], bad: dict[int, tuple[str, str]]) -> None:
    assert [r.index for r in results] == list(range(len(items)))
    for result, item in zip(results, items, strict=True):
        if isinstance(item, str | Path):
            assert result.source == str(item)
        else:
            assert result.source is None
        if result.index in bad:
            kind, code = bad[result.index]
            assert not result.ok, result
            assert (result.error, result.code) == (kind, code), result
            assert result.message
            assert result.passport_id is None
        else:
            assert result.ok, result
            assert result.error is result.code is result.message is None
            assert result.passport_id
            assert result.kid
            assert result.algorithm


def test_inline_mixed_items(
    signed_examples: list[tuple[str, bytes]], trust: TrustStore, tmp_path: Path
) -> None:
    items, bad = _mixed(signed_examples, tmp_path)
    results = list(verify_many(items, trust=trust, now=NOW, workers=1))
    _check(results, items, bad)
    assert results[0].passport_id == signed_examples[0][0]
    assert results[6].message is not None
    assert "unknown kid" in results[6].message
    assert results[10].message == "no such item file"


def test_results_match_verify_passport(
    signed_examples: list[tuple[str, bytes]], trust: TrustStore
) -> None:
    results = list(verify_many([d for _, d in signed_examples], trust=trust, now=NOW, workers=1))
    for result, (passport_id, data) in zip(results, signed_examples, strict=True):
        single = verify_passport(data, trust=trust, now=NOW)
        assert result.passport_id == passport_id == single.passport.passport_id
        assert result.kid == single.kid
        assert result.organisation_id == single.organisation_id == single.passport.issuer
        assert result.algorithm == single.algorithm.cose_name
    assert {r.algorithm for r in results} == {"Ed25519", "ESP256", "ESP384"}


def test_signature_over_a_non_passport_is_still_refused(trust: TrustStore) -> None:
    # A trusted key's valid signature does not make arbitrary bytes a passport.
    from batterypass.cose import PASSPORT_CONTENT_TYPE, cwt_claims_header, sign1

    key = load_key("ev-maker")
    claims = cwt_claims_header(iat=datetime(2026, 6, 1, tzinfo=UTC), sub="urn:x")
    junk = sign1(b"\xa1\x01\x02", key, content_type=PASSPORT_CONTENT_TYPE, protected_extra=claims)
    other = sign1(b"hello", key, content_type="text/plain", protected_extra=claims)
    at = datetime(2027, 1, 1, tzinfo=UTC)
    results = list(verify_many([junk, other], trust=trust, workers=1, at=at))
    assert [(r.ok, r.code) for r in results] == [
        (False, "undecodable"),
        (False, "not-a-passport"),
    ]
    # without at= the key is picked at the signed iat; the signature is good, so the failure
    # is the payload's (a tampered payload is reported as a bad signature, see _mixed)
    (result,) = verify_many([junk], trust=trust, workers=1)
    assert (result.ok, result.error, result.code) == (False, "DecodeError", "undecodable")


def test_future_issue_time_and_explicit_at(
    signed_examples: list[tuple[str, bytes]], trust: TrustStore
) -> None:
    data = signed_examples[0][1]
    early = datetime(2020, 1, 1, tzinfo=UTC)
    (result,) = verify_many([data], trust=trust, now=early, workers=1)
    assert (result.ok, result.code) == (False, "future-issue-time")
    (result,) = verify_many([data], trust=trust, at=datetime(2035, 1, 1, tzinfo=UTC), workers=1)
    assert (result.ok, result.error, result.code) == (False, "TrustError", "untrusted-signer")
    assert result.message is not None
    assert "expired" in result.message


def test_wrong_role_has_its_code(ev_passport_signed: bytes) -> None:
    key = load_key("ev-maker")
    store = TrustStore().add_key(
        key.public_key(),
        organisation_id="urn:lei:529900DEMO0EXAMPLE01",
        roles=[Role.RECYCLER],
        not_before=datetime(2026, 1, 1, tzinfo=UTC),
        not_after=datetime(2031, 1, 1, tzinfo=UTC),
    )
    (result,) = verify_many([ev_passport_signed], trust=store, now=NOW, workers=1)
    assert (result.ok, result.code) == (False, "signer-role")


@pytest.fixture
def ev_passport_signed() -> bytes:
    return sign_passport(load_passport("ev-nmc"), load_key("ev-maker"))


def test_unsupported_item_and_bad_arguments(trust: TrustStore) -> None:
    (result,) = verify_many([12345], trust=trust, workers=1)  # type: ignore[list-item]
    assert (result.ok, result.code, result.error) == (False, "unsupported-item", "TypeError")
    with pytest.raises(ValueError, match="chunksize"):
        verify_many([], trust=trust, chunksize=0)
    with pytest.raises(ValueError, match="workers"):
        verify_many([], trust=trust, workers=0)
    with pytest.raises(ValueError, match="backend"):
        verify_many([], trust=trust, backend="libressl")  # type: ignore[arg-type]
    with pytest.raises(TrustError, match="timezone"):
        verify_many([], trust=trust, at=datetime(2027, 1, 1))
    with pytest.raises(TypeError, match="TrustStore"):
        verify_many([], trust="examples/trust.json")  # type: ignore[arg-type]
    assert list(verify_many([], trust=trust, workers=1)) == []


def test_results_pickle_and_serialise() -> None:
    result = BulkResult(3, "a/b.cose", False, error="Sign1Error", code="bad-signature", message="m")
    assert pickle.loads(pickle.dumps(result)) == result
    assert result.to_dict() == {
        "index": 3,
        "source": "a/b.cose",
        "ok": False,
        "error": "Sign1Error",
        "code": "bad-signature",
        "message": "m",
    }


class _Counting:
    """An endless-looking input that records how far it has been read."""

    def __init__(self, data: bytes, n: int) -> None:
        self.data, self.n, self.consumed = data, n, 0

    def __iter__(self) -> Iterator[bytes]:
        for _ in range(self.n):
            self.consumed += 1
            yield self.data


def test_read_ahead_is_bounded_and_order_kept(
    signed_examples: list[tuple[str, bytes]], trust: TrustStore
) -> None:
    source = _Counting(signed_examples[0][1], 1_000)
    with ThreadPoolExecutor(2) as pool:
        results = verify_many(
            source, trust=trust, now=NOW, executor=pool, chunksize=4, max_in_flight=3
        )
        first = next(results)
        assert first.index == 0
        assert first.ok
        # at most max_in_flight chunks were submitted, plus the one being formed
        assert source.consumed <= 4 * 4
        indexes = [first.index] + [r.index for r in results]
    assert indexes == list(range(1_000))
    assert source.consumed == 1_000


def test_closing_the_iterator_cancels_pending_chunks(
    signed_examples: list[tuple[str, bytes]], trust: TrustStore
) -> None:
    source = _Counting(signed_examples[0][1], 10_000)
    with ThreadPoolExecutor(1) as pool:
        results = verify_many(source, trust=trust, now=NOW, executor=pool, chunksize=2)
        next(results)
        results.close()  # type: ignore[attr-defined]
    assert source.consumed < 100


class _Failing(ThreadPoolExecutor):
    """An executor whose second task fails as a whole (as when a worker dies)."""

    calls = 0

    def submit(self, fn, /, *args, **kwargs):  # type: ignore[no-untyped-def]
        self.calls += 1
        if self.calls == 2:
            future: Future[object] = Future()
            future.set_exception(RuntimeError("worker lost"))
            return future
        return super().submit(fn, *args, **kwargs)


def test_a_failed_task_fails_its_items_only(
    signed_examples: list[tuple[str, bytes]], trust: TrustStore
) -> None:
    data = [d for _, d in signed_examples]
    with _Failing(1) as pool:
        results = list(verify_many(data, trust=trust, now=NOW, executor=pool, chunksize=3))
    assert [r.index for r in results] == list(range(12))
    assert [r.ok for r in results] == [True] * 3 + [False] * 3 + [True] * 6
    assert {(r.error, r.code, r.message) for r in results[3:6]} == {
        ("RuntimeError", "worker-error", "worker lost")
    }


def test_process_pool(
    signed_examples: list[tuple[str, bytes]], trust: TrustStore, tmp_path: Path
) -> None:
    items, bad = _mixed(signed_examples, tmp_path)
    items = items * 3
    bad = {i + k * 14: v for k in range(3) for i, v in bad.items()}
    results = list(verify_many(items, trust=trust, now=NOW, workers=2, chunksize=5))
    _check(results, items, bad)
    inline = list(verify_many(items, trust=trust, now=NOW, workers=1))
    assert results == inline


def test_many_distinct_passports(trust: TrustStore) -> None:
    key = load_key("storage-maker")
    base = load_passport("lfp-storage")
    data = [sign_passport(with_id(base, n), key) for n in range(50)]
    ids = [r.passport_id for r in verify_many(data, trust=trust, now=NOW, workers=2, chunksize=7)]
    assert ids == [with_id(base, n).passport_id for n in range(50)]
    assert len(set(ids)) == 50
