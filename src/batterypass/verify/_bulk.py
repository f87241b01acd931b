"""Bulk verification: millions of signed passports, streamed, on all cores or any executor.

:func:`verify_many` is the "report for many" counterpart of
:func:`~batterypass.verify.verify_passport`: every item gets a :class:`BulkResult` (ok, or
the exception kind, message and the error's stable ``code``), one bad item never stops the run, and
the results come back in input order.

How the work is spread:

- Items are read lazily and grouped into chunks of ``chunksize``; at most ``max_in_flight``
  chunks are submitted at any time, so a run over a million items holds a few thousand of
  them, never all (the input may be a generator or a directory walk).
- Default (no ``executor``): a process pool over all cores. The trust store is sent to each
  worker once, through the pool's initializer, as trust file text (``TrustStore`` holds
  OpenSSL key objects, which do not pickle); each worker parses it once.
- Any ``concurrent.futures.Executor`` (a thread pool, a Dask cluster's
  ``Client.get_executor()``, ...): a generic executor has no per-worker initializer, so the
  trust file text (a few kilobytes) travels with every chunk. Each worker process keeps the
  parsed stores in a small cache keyed by the text's SHA-256, so the parsing still happens
  once per worker, not once per chunk. Paths are read by the worker: on a cluster they must
  name files the workers can see (a shared file system); bytes items go anywhere.
- ``workers=1`` without an executor runs in the calling process (no pool, no pickling).

Codes (``BulkResult.code``): a failed item carries the ``code`` of the error that stopped
it (``specs/error-codes.md``): the :class:`~batterypass.cose.Sign1Reason` values for COSE
failures (``bad-signature``, ``malformed``, ``bad-header``, ``alg-key-mismatch``,
``no-signing-time``, ...); the passport steps' ``not-a-passport``, ``future-issue-time``,
``untrusted-signer``, ``claims-mismatch``, ``signer-role``, ``issuer-mismatch``;
``undecodable`` (payload not a passport document), ``invalid`` (a model rule). A failure that
is not a :class:`BatteryPassError` gets one of the run's own codes: ``unreadable`` (the file
cannot be read), ``unsupported-item``, ``worker-error`` (the chunk's task itself failed, e.g. a
worker died) and ``internal`` (a bug).

Lifecycle event logs: an :class:`EventLogItem` (a log and its signed passport, as paths or
bytes) is verified with :func:`~batterypass.verify.verify_events`, whose clock is ``now``
(``at``, the signing-time override, applies to passport items only); chain failures carry
``chain-<kind>`` codes (``chain-time``, ``chain-link``, ...). Other item kinds plug in where
:func:`_verify_item` dispatches on the item's type.
"""

from __future__ import annotations

import hashlib
import multiprocessing
import os
import sys
import threading
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import Executor, Future, ProcessPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime
from itertools import islice
from typing import Any, Literal

from batterypass._fs import read_bounded
from batterypass.codec.json import looks_like_json_text
from batterypass.errors import (
    BatteryPassError,
    DecodeError,
    FileError,
    TrustError,
)
from batterypass.verify._passport import PASSPORT_SIGNER_ROLES, _verify_passport
from batterypass.verify._trust import TrustStore

__all__ = [
    "DEFAULT_CHUNKSIZE",
    "Backend",
    "BulkItem",
    "BulkResult",
    "EventLogItem",
    "verify_many",
]


@dataclass(frozen=True, slots=True)
class EventLogItem:
    """A lifecycle event log and the signed passport it belongs to, each as a path or bytes."""

    log: bytes | str | os.PathLike[str]
    passport: bytes | str | os.PathLike[str]

    def __post_init__(self) -> None:
        # Paths travel to worker processes as text.
        for name in ("log", "passport"):
            value = getattr(self, name)
            if isinstance(value, os.PathLike):
                object.__setattr__(self, name, os.fspath(value))


BulkItem = bytes | bytearray | memoryview | str | os.PathLike[str] | EventLogItem
"""One item of a bulk run: a signed passport's bytes, the path of a file holding one, or an
:class:`EventLogItem`."""

Backend = Literal["cryptography", "pynacl"]
"""Ed25519 backend: OpenSSL through ``cryptography`` (default) or libsodium through PyNaCl
(the ``pynacl`` extra; same verdicts, see :mod:`batterypass.cose._nacl`)."""

DEFAULT_CHUNKSIZE = 128
"""Items per task: about a tenth of a second of work, so per-task overhead (pickling, a
Dask scheduler round trip) stays small against it."""

MAX_ITEM_BYTES = 16 * 1024 * 1024
"""Largest item file read (the COSE decoder's own ``max_bytes``)."""


@dataclass(frozen=True, slots=True)
class BulkResult:
    """The outcome for one item of :func:`verify_many`.

    ``index`` is the item's position in the input; ``source`` its path (None for bytes).
    On success the passport's id, issuer, the signer's kid, organisation and algorithm are
    filled in; on failure ``error`` is the exception kind, ``code`` the error's stable code (see the
    module documentation) and ``message`` the one-line explanation.
    """

    index: int
    source: str | None
    ok: bool
    passport_id: str | None = None
    issuer: str | None = None
    kid: str | None = None
    organisation_id: str | None = None
    algorithm: str | None = None
    error: str | None = None
    code: str | None = None
    message: str | None = None
    events: int | None = None
    """For an :class:`EventLogItem`: the number of verified events."""

    def to_dict(self) -> dict[str, Any]:
        """A JSON-friendly record (None fields left out), e.g. one line of a JSONL report."""
        out: dict[str, Any] = {"index": self.index}
        for name in (
            "source",
            "ok",
            "passport_id",
            "issuer",
            "kid",
            "organisation_id",
            "algorithm",
            "error",
            "code",
            "message",
            "events",
        ):
            value = getattr(self, name)
            if value is not None:
                out[name] = value
        return out


# --- one item ---------------------------------------------------------------------------------


def _failure(
    index: int, source: str | None, error: BaseException, code: str | None = None
) -> BulkResult:
    """The result for a failed item: its error's code, unless the run names one (``code``)."""
    if isinstance(error, BatteryPassError):
        code = code or error.code
        message = str(error)
        # the result names the item itself: no "<source>: " prefix
        if error.source and message.startswith(f"{error.source}: "):
            message = message[len(error.source) + 2 :]
    elif isinstance(error, OSError):
        message = error.strerror or str(error)
    else:
        message = str(error) or type(error).__name__
    return BulkResult(
        index, source, False, error=type(error).__name__, code=code or "internal", message=message
    )


def _read(path: str) -> bytes:
    # Bounded, and a FIFO or device is refused rather than waited on (a FIFO in a directory
    # must not stop a run of a million).
    return read_bounded(path, MAX_ITEM_BYTES, what="item file")


@dataclass(frozen=True, slots=True)
class _Refused:
    """Stands in, on the way to a worker, for an item that cannot travel there (an object
    of an unsupported type, which may not even pickle): the worker reports it, alone."""

    type_name: str


def _portable(item: object) -> object:
    """``item`` in a form that pickles to any worker: buffers as bytes, paths as text; an
    item of any other type becomes a :class:`_Refused`, so that it fails alone and not the
    whole chunk it travels in."""
    if isinstance(item, bytes | bytearray | memoryview):
        try:
            return bytes(item)
        except (ValueError, TypeError):  # a released memoryview, say
            return _Refused(type(item).__name__)
    if isinstance(item, str):
        return str(item)
    if isinstance(item, os.PathLike):
        path = os.fspath(item)
        return path if isinstance(path, str) else _Refused(type(item).__name__)
    if isinstance(item, EventLogItem):
        log, passport = _portable(item.log), _portable(item.passport)
        if isinstance(log, bytes | str) and isinstance(passport, bytes | str):
            return EventLogItem(log, passport)
        return _Refused(type(item).__name__)
    return _Refused(type(item).__name__)


def _not_json(data: bytes) -> bytes:
    if looks_like_json_text(data):
        message = (
            "this is JSON text (a passport document?), not a signed passport (COSE_Sign1); "
            "sign it first with `batterypass sign`"
        )
        # The code decode_sign1_unverified gives any other non-COSE input.
        raise DecodeError(message, code="malformed")
    return data


@dataclass(frozen=True, slots=True)
class _Policy:
    """What every item of a run is checked against, besides the trust store (it travels to
    the workers with each chunk)."""

    at: datetime | None
    now: datetime
    require_timestamp: bool = False


class _UnsupportedItemError(Exception):
    """An item of a type :func:`verify_many` does not take (reported as ``unsupported-item``)."""


def _verify_item(index: int, item: object, store: TrustStore, policy: _Policy) -> BulkResult:
    """One item's verdict; every failure, even a bug, becomes a failed result with a code."""
    source: str | None = None
    try:
        if isinstance(item, bytes):
            data = item
        elif isinstance(item, bytearray | memoryview):
            data = bytes(item)
        elif isinstance(item, str | os.PathLike):
            source = os.fspath(item)
            if not isinstance(source, str):
                raise _UnsupportedItemError("a path item must be text, not bytes")
            data = _read(source)
        elif isinstance(item, EventLogItem):
            source = _item_source(item)
            return _verify_log(index, source, item, store, policy)
        elif isinstance(item, _Refused):
            raise _UnsupportedItemError(f"unsupported item type {item.type_name}")
        else:
            raise _UnsupportedItemError(f"unsupported item type {type(item).__name__}")
        verified = _verify_passport(
            _not_json(data),
            store,
            policy.at,
            policy.now,
            PASSPORT_SIGNER_ROLES,
            policy.require_timestamp,
        )
    except FileError as e:
        return _failure(index, source, e, code="unreadable")
    except BatteryPassError as e:
        return _failure(index, source, e)
    except OSError as e:
        return _failure(index, source, e, code="unreadable")
    except _UnsupportedItemError as e:
        # Reported as the TypeError it is to the caller (the private class is no API).
        return _failure(index, source, TypeError(str(e)), code="unsupported-item")
    except Exception as e:  # noqa: BLE001 - a bug on one item must not stop a million
        return _failure(index, source, e, code="internal")
    passport = verified.passport
    return BulkResult(
        index,
        source,
        True,
        passport_id=passport.passport_id,
        issuer=passport.issuer,
        kid=verified.kid,
        organisation_id=verified.organisation_id,
        algorithm=verified.algorithm.cose_name,
    )


def _bytes_of(value: bytes | str | os.PathLike[str]) -> bytes:
    return value if isinstance(value, bytes) else _read(os.fspath(value))


def _verify_log(
    index: int, source: str | None, item: EventLogItem, store: TrustStore, policy: _Policy
) -> BulkResult:
    """An event log's verdict; it raises what :func:`_verify_item` turns into a failure."""
    from batterypass.verify._events import verify_events

    report = verify_events(
        _bytes_of(item.log),
        trust=store,
        passport=_bytes_of(item.passport),
        at=policy.now,
        require_timestamp=policy.require_timestamp,
    )
    passport = report.passport
    return BulkResult(
        index,
        source,
        True,
        passport_id=passport.passport_id,
        issuer=passport.issuer,
        events=len(report.events),
    )


def _verify_items(
    chunk: Sequence[tuple[int, object]], store: TrustStore, policy: _Policy
) -> list[BulkResult]:
    return [_verify_item(index, item, store, policy) for index, item in chunk]


# --- worker side ------------------------------------------------------------------------------

_STORES: dict[tuple[str, str], TrustStore] = {}
_STORES_LOCK = threading.Lock()
_WORKER_STORE: TrustStore | None = None


def _store_from_text(trust_text: str, backend: str) -> TrustStore:
    """The parsed store for ``trust_text``, parsed once per process (and backend)."""
    key = (hashlib.sha256(trust_text.encode("utf-8")).hexdigest(), backend)
    store = _STORES.get(key)
    if store is None:
        store = TrustStore.from_json(trust_text)
        if backend == "pynacl":
            from batterypass.verify._nacl import with_nacl

            store = with_nacl(store)
        with _STORES_LOCK:
            if len(_STORES) >= 8:
                _STORES.clear()
            _STORES[key] = store
    return store


def _init_worker(trust_text: str, backend: str) -> None:
    global _WORKER_STORE
    _WORKER_STORE = _store_from_text(trust_text, backend)


def _pool_task(chunk: Sequence[tuple[int, object]], policy: _Policy) -> list[BulkResult]:
    store = _WORKER_STORE
    if store is None:  # pragma: no cover - the initializer always runs first
        raise RuntimeError("worker started without a trust store")
    return _verify_items(chunk, store, policy)


def _executor_task(
    chunk: Sequence[tuple[int, object]],
    policy: _Policy,
    trust_text: str,
    backend: str,
) -> list[BulkResult]:
    return _verify_items(chunk, _store_from_text(trust_text, backend), policy)


# --- the driver -------------------------------------------------------------------------------


def _chunks(items: Iterable[object], size: int) -> Iterator[list[tuple[int, object]]]:
    """Numbered chunks of the items, each item made :func:`_portable` for a worker."""
    numbered = enumerate(items)
    while chunk := list(islice(numbered, size)):
        yield [(index, _portable(item)) for index, item in chunk]


def _item_source(item: object) -> str | None:
    if isinstance(item, EventLogItem):
        item = item.log
    if isinstance(item, str | os.PathLike):
        path = os.fspath(item)
        return path if isinstance(path, str) else None
    return None


def _ordered(
    chunks: Iterator[list[tuple[int, object]]],
    submit: Callable[[list[tuple[int, object]]], Future[list[BulkResult]]],
    max_in_flight: int,
) -> Iterator[BulkResult]:
    pending: deque[tuple[list[tuple[int, str | None]], Future[list[BulkResult]]]] = deque()

    def drain_one() -> list[BulkResult]:
        meta, future = pending.popleft()
        try:
            return future.result()
        except Exception as e:  # noqa: BLE001 - the task failed, not an item: report each
            return [_failure(index, source, e, code="worker-error") for index, source in meta]

    try:
        for chunk in chunks:
            if len(pending) >= max_in_flight:
                yield from drain_one()
            meta = [(index, _item_source(item)) for index, item in chunk]
            pending.append((meta, submit(chunk)))
        while pending:
            yield from drain_one()
    finally:
        for _, future in pending:
            future.cancel()


def _pool_context() -> Any:
    # fork would copy whatever threads the caller runs (a progress bar, a Dask client) into
    # the children; forkserver starts them from a clean process.
    methods = multiprocessing.get_all_start_methods()
    if sys.platform != "win32" and "forkserver" in methods:
        return multiprocessing.get_context("forkserver")
    return multiprocessing.get_context("spawn")


def verify_many(
    items: Iterable[BulkItem],
    *,
    trust: TrustStore,
    at: datetime | None = None,
    now: datetime | None = None,
    executor: Executor | None = None,
    workers: int | None = None,
    chunksize: int = DEFAULT_CHUNKSIZE,
    max_in_flight: int | None = None,
    backend: Backend = "cryptography",
    require_timestamp: bool = False,
) -> Iterator[BulkResult]:
    """Verify many signed passports and yield one :class:`BulkResult` per item, in input
    order; never raise for a bad item.

    ``items`` are bytes (a COSE_Sign1 each), file paths, or :class:`EventLogItem` s, from
    any iterable (a generator is
    consumed lazily: at most ``max_in_flight`` chunks of ``chunksize`` items are read ahead).
    ``trust`` and ``at`` mean what they mean for :func:`verify_passport`; ``now`` is the
    verifier's clock for the future-issue-time check (default: the time of this call, the
    same for every item).

    Without ``executor``, ``workers`` processes (default: all cores) verify the chunks, or
    the calling process itself when ``workers=1``. With ``executor`` (any
    ``concurrent.futures.Executor``, e.g. ``distributed.Client(...).get_executor()``), the
    chunks go there and the trust store travels with each chunk (see the module
    documentation). ``max_in_flight`` defaults to twice the number of workers (cores for a
    foreign executor: raise it for a large cluster). ``backend="pynacl"`` checks Ed25519
    signatures with libsodium first (same verdicts). ``require_timestamp`` makes every
    passport, event and head without a trusted timestamp fail (``no-timestamp``), as for
    :func:`verify_passport`; it needs timestamp authorities in ``trust``. Argument errors
    raise at once; the pool starts when iteration starts and stops when the iterator is
    exhausted or closed.
    """
    if not isinstance(trust, TrustStore):
        raise TypeError("trust must be a TrustStore")
    if at is not None and (at.tzinfo is None or at.utcoffset() is None):
        raise TrustError("the signing time 'at' must be timezone-aware")
    if now is not None and (now.tzinfo is None or now.utcoffset() is None):
        raise TrustError("'now' must be timezone-aware")
    if type(chunksize) is not int or chunksize < 1:
        raise ValueError(f"chunksize must be a positive int, not {chunksize!r}")
    if workers is not None and (type(workers) is not int or workers < 1):
        raise ValueError(f"workers must be a positive int, not {workers!r}")
    if max_in_flight is not None and (type(max_in_flight) is not int or max_in_flight < 1):
        raise ValueError(f"max_in_flight must be a positive int, not {max_in_flight!r}")
    if backend not in ("cryptography", "pynacl"):
        raise ValueError(f"unknown backend {backend!r}; use 'cryptography' or 'pynacl'")
    if backend == "pynacl":
        from batterypass.verify._nacl import nacl_available

        if not nacl_available():
            raise ImportError("backend='pynacl' needs PyNaCl: pip install 'batterypass[pynacl]'")
    if require_timestamp and not trust.timestamp_authorities:
        # Every item would fail the same way: a configuration error, told once.
        raise TrustError(
            "a timestamp is required, but the trust store has no timestamp authorities to "
            "check one with (add one: trust add ... --role timestamp-authority)",
            code="no-timestamp",
        )
    clock = now if now is not None else datetime.now(UTC)
    policy = _Policy(at, clock, require_timestamp)
    n_workers = workers or os.cpu_count() or 1
    in_flight = max_in_flight or 2 * n_workers
    if executor is None and n_workers == 1:
        return _inline(items, trust, policy, backend)
    trust_text = trust.to_json()
    # Workers rebuild the store from this text: fail here, not in every worker, if it does
    # not parse, and never run with a store that reads back differently.
    if TrustStore.from_json(trust_text).to_json() != trust_text:  # pragma: no cover
        raise TrustError("the trust store does not survive its trust-file serialization")
    if executor is None:
        return _pooled(items, trust_text, policy, n_workers, chunksize, in_flight, backend)
    return _ordered(
        _chunks(items, chunksize),
        lambda chunk: executor.submit(_executor_task, chunk, policy, trust_text, backend),
        in_flight,
    )


def _inline(
    items: Iterable[object], trust: TrustStore, policy: _Policy, backend: str
) -> Iterator[BulkResult]:
    store = trust
    if backend == "pynacl":
        from batterypass.verify._nacl import with_nacl

        store = with_nacl(trust)
    for index, item in enumerate(items):
        yield _verify_item(index, item, store, policy)


def _pooled(
    items: Iterable[object],
    trust_text: str,
    policy: _Policy,
    workers: int,
    chunksize: int,
    in_flight: int,
    backend: str,
) -> Iterator[BulkResult]:
    with ProcessPoolExecutor(
        max_workers=workers,
        mp_context=_pool_context(),
        initializer=_init_worker,
        initargs=(trust_text, backend),
    ) as pool:
        yield from _ordered(
            _chunks(items, chunksize),
            lambda chunk: pool.submit(_pool_task, chunk, policy),
            in_flight,
        )
