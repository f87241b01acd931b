"""Event log files: an RFC 8742 CBOR sequence of COSE_Sign1 messages, append-only.

Appends are written with one ``write`` to a file opened for appending, flushed and fsynced
(the directory too, when the file is new). A crash in the middle of an append leaves a *torn
tail*: bytes at the end that are not a whole CBOR data item. Reading reports it
(:attr:`EventLog.torn`), verification refuses such a log, appends refuse to write after it,
and only :func:`repair_log` cuts it off, on request, saying what it cuts.

Every read is bounded by :class:`LogLimits`.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Final

from batterypass._fs import read_bounded
from batterypass.codec import item_end
from batterypass.errors import ChainError, DecodeError, FileError
from batterypass.lifecycle._chain import BreakKind, BrokenChainError

__all__ = [
    "DEFAULT_LOG_LIMITS",
    "EventLog",
    "LogLimits",
    "TornTail",
    "append_to_log",
    "parse_log",
    "read_log",
    "repair_log",
]


@dataclass(frozen=True, slots=True)
class LogLimits:
    """Bounds on an event log: its size in bytes, its number of events, one event's size."""

    max_log_bytes: int = 64 * 1024 * 1024
    max_events: int = 100_000
    max_event_bytes: int = 64 * 1024

    def __post_init__(self) -> None:
        for name in ("max_log_bytes", "max_events", "max_event_bytes"):
            value = getattr(self, name)
            if type(value) is not int or value < 1:
                raise ValueError(f"LogLimits.{name} must be a positive int, not {value!r}")


DEFAULT_LOG_LIMITS: Final = LogLimits()


@dataclass(frozen=True, slots=True)
class TornTail:
    """Bytes at the end of a log that are not a whole data item (an interrupted append)."""

    offset: int
    length: int
    reason: str


@dataclass(frozen=True, slots=True)
class EventLog:
    """The messages of a log file as stored (nothing verified), with where each starts."""

    messages: tuple[bytes, ...]
    offsets: tuple[int, ...]
    torn: TornTail | None = None
    size: int = 0

    def require_whole(self, source: str | None = None) -> None:
        """Raise :class:`~batterypass.lifecycle.BrokenChainError` (``torn``) if the log has a
        torn tail."""
        if self.torn is not None:
            t = self.torn
            error = BrokenChainError(
                BreakKind.TORN,
                f"torn tail: {t.length} byte(s) at offset {t.offset} are not a whole event "
                f"({t.reason}); an append was interrupted. Cut them off with "
                "`batterypass events repair LOG` after checking nothing else is wrong",
                index=len(self.messages),
                offset=t.offset,
            )
            if source:
                error.with_source(source)
            raise error


def parse_log(data: bytes, *, limits: LogLimits = DEFAULT_LOG_LIMITS) -> EventLog:
    """Split a log's bytes into its messages; a tail that is not a whole item is reported as
    :attr:`EventLog.torn`, never dropped silently. Raises
    :class:`~batterypass.errors.DecodeError` over a limit or for bytes that no event log can
    hold (an indefinite-length item)."""
    if len(data) > limits.max_log_bytes:
        raise DecodeError(
            f"event log of {len(data)} bytes is over the {limits.max_log_bytes}-byte limit"
        )
    messages: list[bytes] = []
    offsets: list[int] = []
    pos = 0
    while pos < len(data):
        try:
            end = item_end(data, pos, max_depth=16)
        except IndexError as e:
            tail = TornTail(pos, len(data) - pos, str(e))
            return EventLog(tuple(messages), tuple(offsets), tail, len(data))
        except ValueError as e:
            raise DecodeError(f"not an event log item: {e}", offset=pos, index=len(messages)) from e
        if end - pos > limits.max_event_bytes:
            raise DecodeError(
                f"event of {end - pos} bytes is over the {limits.max_event_bytes}-byte limit",
                offset=pos,
                index=len(messages),
            )
        if len(messages) >= limits.max_events:
            raise DecodeError(
                f"more than {limits.max_events} events (limit max_events)", offset=pos
            )
        messages.append(data[pos:end])
        offsets.append(pos)
        pos = end
    return EventLog(tuple(messages), tuple(offsets), None, len(data))


def read_log(
    path: str | os.PathLike[str],
    *,
    limits: LogLimits = DEFAULT_LOG_LIMITS,
    missing_ok: bool = False,
) -> EventLog:
    """Read and split a log file.

    A missing file is an error (:class:`~batterypass.errors.FileError`): verifying a log that
    is not there must not pass as "an empty history". Only a writer about to create the log
    passes ``missing_ok=True`` to read a missing file as an empty log.
    """
    if missing_ok and not os.path.lexists(path):
        return EventLog((), ())
    # Bounded, and a FIFO or a device (/dev/null, /dev/zero) is refused, not read or waited on.
    data = read_bounded(path, limits.max_log_bytes, what="event log")
    return parse_log(data, limits=limits)


def _fsync_dir(path: Path) -> None:
    try:
        fd = os.open(path.parent if str(path.parent) else ".", os.O_RDONLY)
    except OSError:
        return  # platforms without directory fds
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def append_to_log(
    path: str | os.PathLike[str],
    messages: Sequence[bytes],
    *,
    limits: LogLimits = DEFAULT_LOG_LIMITS,
) -> EventLog:
    """Append whole messages to the log at ``path`` (created if missing) and make them
    durable (flush + fsync). Refuses a log with a torn tail or that would go over the limits.
    Returns the log as it was before the append."""
    path = Path(path)
    current = read_log(path, limits=limits, missing_ok=True)
    current.require_whole(str(path))
    blob = b""
    for m in messages:
        if len(m) > limits.max_event_bytes:
            raise DecodeError(
                f"event of {len(m)} bytes is over the {limits.max_event_bytes}-byte limit"
            )
        if parse_log(m, limits=limits).messages != (m,):
            raise DecodeError("an appended message must be exactly one CBOR data item")
        blob += m
    if len(current.messages) + len(messages) > limits.max_events:
        raise DecodeError(f"the log would hold more than {limits.max_events} events")
    if current.size + len(blob) > limits.max_log_bytes:
        raise DecodeError(f"the log would exceed {limits.max_log_bytes} bytes")
    created = not path.exists()
    try:
        fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
    except OSError as e:
        raise FileError(
            f"cannot append to the event log: {e.strerror or e}", source=str(path)
        ) from e
    try:
        view = memoryview(blob)
        while view:
            written = os.write(fd, view)
            view = view[written:]
        os.fsync(fd)
    except OSError as e:
        raise FileError(
            f"cannot append to the event log: {e.strerror or e}", source=str(path)
        ) from e
    finally:
        os.close(fd)
    if created:
        _fsync_dir(path)
    return current


def repair_log(path: str | os.PathLike[str], *, limits: LogLimits = DEFAULT_LOG_LIMITS) -> TornTail:
    """Cut the torn tail off the log at ``path`` and return what was cut. Raises
    :class:`~batterypass.errors.ChainError` if the log has no torn tail (nothing to repair)
    or a tail that no interrupted append leaves: one longer than an event, or one that does
    not start like a signed event (COSE_Sign1, tag 18). Such a file is not a torn log (a
    passport, a key, another file given by mistake), and cutting it would destroy it."""
    data = read_bounded(path, limits.max_log_bytes, what="event log")
    log = parse_log(data, limits=limits)
    if log.torn is None:
        raise ChainError("the log has no torn tail; nothing to repair", source=str(path))
    t = log.torn
    if t.length > limits.max_event_bytes or data[t.offset : t.offset + 1] != b"\xd2":
        raise ChainError(
            f"the {t.length} byte(s) at offset {t.offset} are not the start of an event "
            "(an interrupted append leaves part of one signed event); this does not look "
            "like a torn event log, so nothing is cut",
            source=str(path),
        )
    try:
        fd = os.open(path, os.O_WRONLY)
        try:
            os.ftruncate(fd, log.torn.offset)
            os.fsync(fd)
        finally:
            os.close(fd)
    except OSError as e:
        raise FileError(f"cannot repair the event log: {e.strerror or e}", source=str(path)) from e
    return log.torn
