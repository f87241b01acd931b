"""The ``pynacl`` backend of bulk verification: a trust store whose Ed25519 keys are checked
through libsodium first, with OpenSSL deciding every refusal (the reasoning is in
:mod:`batterypass.cose._nacl`)."""

from __future__ import annotations

import dataclasses

from batterypass.cose import libsodium_key, nacl_available
from batterypass.verify._trust import TrustStore

__all__ = ["nacl_available", "with_nacl"]


def with_nacl(store: TrustStore) -> TrustStore:
    """The same store with every Ed25519 key checked through libsodium first.

    Raises ImportError (naming the ``pynacl`` extra) if PyNaCl is not installed. Keys from
    X.509 chains (``lookup_x509``) keep the OpenSSL path.
    """
    keys = tuple(
        dataclasses.replace(entry, public_key=libsodium_key(entry.public_key))
        for entry in store.keys
    )
    return dataclasses.replace(store, keys=keys)
