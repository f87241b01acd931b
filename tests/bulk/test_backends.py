"""The PyNaCl (libsodium) Ed25519 backend gives OpenSSL's verdicts; the Dask executor path."""

from __future__ import annotations

import hashlib
import os
from datetime import UTC, datetime

import pytest
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric import ed25519

from batterypass.errors import InvalidKeyError
from batterypass.keys import PublicKey
from batterypass.verify import TrustStore, verify_many

nacl_bindings = pytest.importorskip("nacl.bindings")

from batterypass.cose._nacl import _NaClEd25519PublicKey  # noqa: E402
from batterypass.verify._nacl import with_nacl  # noqa: E402

NOW = datetime(2027, 6, 1, tzinfo=UTC)
L = 2**252 + 27742317777372353535851937790883648493
IDENTITY = (1).to_bytes(32, "little")  # the neutral point, a small-order R


def _openssl_ok(raw_key: bytes, sig: bytes, msg: bytes) -> bool:
    try:
        ed25519.Ed25519PublicKey.from_public_bytes(raw_key).verify(sig, msg)
    except InvalidSignature:
        return False
    return True


def _sodium_ok(raw_key: bytes, sig: bytes, msg: bytes) -> bool:
    try:
        nacl_bindings.crypto_sign_open(sig + msg, raw_key)
    except Exception:  # noqa: BLE001 - BadSignatureError, or ValueError for a bad key
        return False
    return True


def _adapter_ok(raw_key: bytes, sig: bytes, msg: bytes) -> bool:
    key = _NaClEd25519PublicKey(ed25519.Ed25519PublicKey.from_public_bytes(raw_key))
    try:
        key.verify(sig, msg)
    except InvalidSignature:
        return False
    return True


def _scalar(seed: bytes) -> int:
    h = bytearray(hashlib.sha512(seed).digest()[:32])
    h[0] &= 248
    h[31] &= 127
    h[31] |= 64
    return int.from_bytes(h, "little")


def _identity_r_signature(seed: bytes, msg: bytes) -> bytes:
    """A signature with R = identity and S = k*a: valid for the verification equation, made
    on purpose by the key holder; libsodium refuses small-order R, OpenSSL does not."""
    key = ed25519.Ed25519PrivateKey.from_private_bytes(seed)
    a_enc = key.public_key().public_bytes_raw()
    k = int.from_bytes(hashlib.sha512(IDENTITY + a_enc + msg).digest(), "little") % L
    s = k * _scalar(seed) % L
    return IDENTITY + s.to_bytes(32, "little")


def _cases() -> list[tuple[str, bytes, bytes, bytes]]:
    cases = []
    for n in range(8):
        seed = hashlib.sha256(b"seed%d" % n).digest()
        key = ed25519.Ed25519PrivateKey.from_private_bytes(seed)
        raw = key.public_key().public_bytes_raw()
        msg = os.urandom(n * 37)
        sig = key.sign(msg)
        cases.append(("valid", raw, sig, msg))
        cases.append(("other message", raw, sig, msg + b"x"))
        for i in (0, 17, 31, 32, 45, 63):
            flipped = bytearray(sig)
            flipped[i] ^= 1 << (n % 8)
            cases.append((f"flip {i}", raw, bytes(flipped), msg))
        s = int.from_bytes(sig[32:], "little")
        cases.append(
            ("S + L (non-canonical S)", raw, sig[:32] + (s + L).to_bytes(32, "little"), msg)
        )
        cases.append(("R = identity", raw, _identity_r_signature(seed, msg), msg))
    # small-order public keys (batterypass refuses them at load; compared here raw): with
    # A = identity, R = identity and S = 0 satisfy the equation for every message.
    for y in (1, 0, 2**255 - 20):
        raw = y.to_bytes(32, "little")
        cases.append(("small-order key", raw, IDENTITY + bytes(32), b"any message"))
    return cases


def test_edge_cases_where_libsodium_and_openssl_differ_are_known() -> None:
    disagreements = set()
    for name, raw, sig, msg in _cases():
        try:
            openssl = _openssl_ok(raw, sig, msg)
        except ValueError:
            continue  # OpenSSL cannot even load this key
        if openssl != _sodium_ok(raw, sig, msg):
            disagreements.add(name)
            assert openssl, f"{name}: libsodium accepts what OpenSSL refuses"
    # libsodium is stricter on small-order points; it never accepts more than OpenSSL
    assert "R = identity" in disagreements
    assert disagreements <= {"R = identity", "small-order key"}


def test_adapter_verdict_is_openssls_on_every_case() -> None:
    for name, raw, sig, msg in _cases():
        try:
            expected = _openssl_ok(raw, sig, msg)
        except ValueError:
            continue
        assert _adapter_ok(raw, sig, msg) == expected, name


def test_small_order_keys_never_reach_either_backend() -> None:
    for y in (0, 1, 2**255 - 20):
        try:
            key = ed25519.Ed25519PublicKey.from_public_bytes(y.to_bytes(32, "little"))
        except ValueError:
            continue
        with pytest.raises(InvalidKeyError, match="small-order"):
            PublicKey.from_cryptography(key)
        with pytest.raises(InvalidKeyError, match="small-order"):
            PublicKey.from_cryptography(_NaClEd25519PublicKey(key))


def test_with_nacl_swaps_only_ed25519_keys(trust: TrustStore) -> None:
    fast = with_nacl(trust)
    assert [k.kid for k in fast.keys] == [k.kid for k in trust.keys]
    kinds = {k.public_key.curve.value: type(k.public_key.crypto_key) for k in fast.keys}
    assert kinds["Ed25519"] is _NaClEd25519PublicKey
    assert kinds["P-256"] is not _NaClEd25519PublicKey
    assert fast.to_json() == trust.to_json()


def test_bulk_results_identical_with_pynacl(
    signed_examples: list[tuple[str, bytes]], trust: TrustStore
) -> None:
    items: list[bytes] = []
    for _, data in signed_examples:
        items.append(data)
        for position in (len(data) - 1, len(data) - 40, len(data) - 64, 100):
            flipped = bytearray(data)
            flipped[position] ^= 0x80
            items.append(bytes(flipped))
    plain = list(verify_many(items, trust=trust, now=NOW, workers=1))
    fast = list(verify_many(items, trust=trust, now=NOW, workers=1, backend="pynacl"))
    pooled = list(verify_many(items, trust=trust, now=NOW, workers=2, backend="pynacl"))
    assert plain == fast == pooled
    assert sum(r.ok for r in plain) == len(signed_examples)


@pytest.mark.dask
@pytest.mark.parametrize("processes", [False, True], ids=["threads", "processes"])
def test_dask_executor(
    processes: bool, signed_examples: list[tuple[str, bytes]], trust: TrustStore
) -> None:
    distributed = pytest.importorskip("distributed")
    items: list[object] = [data for _, data in signed_examples] + [b"\x00", b"not cbor"]
    expected = list(verify_many(items, trust=trust, now=NOW, workers=1))
    with (
        distributed.LocalCluster(
            n_workers=2 if processes else 1,
            threads_per_worker=1 if processes else 2,
            processes=processes,
            dashboard_address=None,
        ) as cluster,
        distributed.Client(cluster) as client,
    ):
        executor = client.get_executor()
        results = list(verify_many(items, trust=trust, now=NOW, executor=executor, chunksize=3))
    assert results == expected
    assert [r.ok for r in results] == [True] * len(signed_examples) + [False, False]
