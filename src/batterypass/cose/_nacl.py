"""Optional libsodium (PyNaCl) backend for Ed25519 signature checks, with OpenSSL's verdicts.

The key adapter lives in ``cose`` (one of the two layers that may touch ``cryptography``'s
hazmat); :func:`batterypass.verify._nacl.with_nacl` applies it to a trust store.

libsodium's ``crypto_sign_open`` takes about two thirds of the time of OpenSSL's Ed25519
verify through ``cryptography`` (see ``benchmarks/README.md``), but the two libraries do not
accept exactly the same signatures. Both compute ``R' = [S]B - [k]A``, compare its canonical
encoding with the signature's R bytes and require ``S < L`` (so a non-canonical S or R
encoding fails in both). libsodium is stricter on top: it refuses a small-order R (for
example the identity, which the holder of a private key can produce on purpose with
``S = k*a``) and small-order or non-canonical public keys (which :mod:`batterypass.keys`
refuses at load time anyway). So whatever libsodium accepts, OpenSSL accepts, and not the
other way round.

The verdict therefore never changes: a signature libsodium accepts is accepted; one it refuses
is handed to OpenSSL, whose answer is final. A refusal (rare in an audit run) costs both
checks; an acceptance costs libsodium's only.
"""

from __future__ import annotations

import copy
from typing import Any

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ed25519

from batterypass.keys import Curve, PublicKey

__all__ = ["libsodium_key", "nacl_available"]


def nacl_available() -> bool:
    """True if PyNaCl (the ``pynacl`` extra) can be imported."""
    try:
        import nacl.bindings  # noqa: F401
    except ImportError:
        return False
    return True


class _NaClEd25519PublicKey(ed25519.Ed25519PublicKey):
    """An Ed25519 public key that asks libsodium first and OpenSSL for the final refusal.

    A subclass of ``cryptography``'s own key type so that :class:`~batterypass.keys.PublicKey`
    and every check that goes with it (weak keys, curve binding) treat it as the same key.
    """

    def __init__(self, key: ed25519.Ed25519PublicKey) -> None:
        from nacl.bindings import crypto_sign_open
        from nacl.exceptions import BadSignatureError

        self._key = key
        self._raw = key.public_bytes_raw()
        self._open = crypto_sign_open
        self._bad = BadSignatureError

    def verify(
        self, signature: bytes | bytearray | memoryview, data: bytes | bytearray | memoryview
    ) -> None:
        try:
            self._open(bytes(signature) + bytes(data), self._raw)
        except self._bad:
            self._key.verify(signature, data)  # OpenSSL decides every refusal
        except (TypeError, ValueError):
            self._key.verify(signature, data)

    def public_bytes(
        self, encoding: serialization.Encoding, format: serialization.PublicFormat
    ) -> bytes:
        return self._key.public_bytes(encoding, format)

    def public_bytes_raw(self) -> bytes:
        return self._raw

    def __eq__(self, other: object) -> bool:
        if isinstance(other, _NaClEd25519PublicKey):
            return self._key == other._key
        return self._key == other

    def __hash__(self) -> int:
        return hash(self._raw)

    def __copy__(self) -> _NaClEd25519PublicKey:
        return self

    def __deepcopy__(self, memo: dict[int, Any]) -> _NaClEd25519PublicKey:
        return _NaClEd25519PublicKey(copy.deepcopy(self._key, memo))


def libsodium_key(public: PublicKey) -> PublicKey:
    """``public`` checked through libsodium first if it is an Ed25519 key; otherwise itself.

    Raises ImportError (naming the ``pynacl`` extra) if PyNaCl is not installed.
    """
    if not nacl_available():
        raise ImportError("the pynacl backend needs PyNaCl: pip install 'batterypass[pynacl]'")
    crypto = public.crypto_key
    if public.curve is not Curve.ED25519 or not isinstance(crypto, ed25519.Ed25519PublicKey):
        return public
    if not isinstance(crypto, _NaClEd25519PublicKey):
        crypto = _NaClEd25519PublicKey(crypto)
    return PublicKey(crypto, public.alg, public.kid)
