"""``batterypass bulk-verify``: verify a whole production of signed passports."""

from __future__ import annotations

import contextlib
import fnmatch
import json
import os
import tempfile
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

import typer
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)
from rich.table import Table

from batterypass.cli._app import ExitCode, app, emit_json, state
from batterypass.cli._io import (
    JSON_OPT,
    REQUIRE_TIMESTAMP_OPT,
    UsageError,
    load_trust,
    parse_time,
)
from batterypass.verify import BulkResult, EventLogItem, verify_many

_MAX_JSON_FAILURES = 100


def _walk(paths: list[Path], pattern: str) -> Iterator[str]:
    """Files named on the command line, and every matching file under the directories
    (sorted, hidden entries skipped), lazily: a directory of a million files is never
    listed into memory at once beyond one directory level."""
    for path in paths:
        if not path.is_dir():
            yield str(path)
            continue
        for root, dirs, files in os.walk(path):
            dirs[:] = sorted(d for d in dirs if not d.startswith("."))
            for name in sorted(files):
                if not name.startswith(".") and fnmatch.fnmatch(name, pattern):
                    yield os.path.join(root, name)


def _count(paths: list[Path], pattern: str) -> int:
    return sum(1 for _ in _walk(paths, pattern))


def _logs(files: Iterator[str]) -> Iterator[EventLogItem]:
    """Each event log with the signed passport beside it (same name, ``.cose``)."""
    for name in files:
        yield EventLogItem(name, str(Path(name).with_suffix(".cose")))


class _Report:
    """A JSONL report streamed to a temporary file next to the target and renamed into
    place at the end, so the target is either absent, the old file, or complete."""

    def __init__(self, path: Path, *, force: bool) -> None:
        if path.exists() and not force:
            raise UsageError("exists already; use --force to replace it", source=str(path))
        directory = path.parent if str(path.parent) else Path(".")
        if not directory.is_dir():
            raise UsageError("the report directory does not exist", source=str(path))
        try:
            fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=directory)
        except OSError as e:
            raise UsageError(f"cannot write: {e.strerror or e}", source=str(path)) from e
        self.path, self.tmp, self.force = path, Path(tmp), force
        self.fh: IO[str] = os.fdopen(fd, "w", encoding="utf-8")

    def write(self, result: BulkResult) -> None:
        self.fh.write(json.dumps(result.to_dict(), ensure_ascii=False) + "\n")

    def commit(self) -> None:
        try:
            self.fh.flush()
            os.fsync(self.fh.fileno())
            self.fh.close()
            os.chmod(self.tmp, 0o644)
            if self.force:
                os.replace(self.tmp, self.path)
            else:
                try:
                    os.link(self.tmp, self.path)  # no silent overwrite in a race
                except FileExistsError as e:
                    raise UsageError(
                        "exists already; use --force to replace it", source=str(self.path)
                    ) from e
                self.tmp.unlink()
        except OSError as e:
            raise UsageError(f"cannot write: {e.strerror or e}", source=str(self.path)) from e
        finally:
            self.discard()

    def discard(self) -> None:
        if not self.fh.closed:
            self.fh.close()
        with contextlib.suppress(FileNotFoundError):
            self.tmp.unlink()


@app.command("bulk-verify")
def bulk_verify(
    paths: list[Path] = typer.Argument(..., help="Signed passports, or directories to walk."),
    trust: Path = typer.Option(..., "--trust", help="Trust file."),
    workers: int | None = typer.Option(
        None, "--workers", min=1, help="Worker processes (default: all cores)."
    ),
    at: str | None = typer.Option(
        None, "--at", help="Check trust at this time (default: each passport's issue time)."
    ),
    report: Path | None = typer.Option(
        None, "--report", help="Write one JSON line per item to this file (atomically)."
    ),
    force: bool = typer.Option(False, "--force", help="Replace an existing report file."),
    glob: str | None = typer.Option(
        None, "--glob", help="File name pattern inside directories (default: * or *.events)."
    ),
    events: bool = typer.Option(
        False,
        "--events",
        help="Verify event logs: each log with the signed passport beside it (NAME.cose); "
        "--at is then the verifier's clock.",
    ),
    pynacl: bool = typer.Option(
        False, "--pynacl", help="Check Ed25519 with libsodium first (same verdicts; needs PyNaCl)."
    ),
    require_timestamp: bool = REQUIRE_TIMESTAMP_OPT,
    as_json: bool = JSON_OPT,
) -> int:
    """Verify many signed passports on all cores; exit 1 if any item fails."""
    store = load_trust(trust)
    when = parse_time(at, "--at")
    pattern = glob or ("*.events" if events else "*")
    for path in paths:
        if not path.exists():
            raise UsageError("no such file or directory", source=str(path))
    sink = _Report(report, force=force) if report is not None else None
    show_progress = not as_json and state.err.is_terminal
    total = _count(paths, pattern) if show_progress else None
    verified = 0
    by_code: Counter[str] = Counter()
    failures: list[dict[str, Any]] = []
    started = time.perf_counter()
    try:
        try:
            files = _walk(paths, pattern)
            results = verify_many(
                _logs(files) if events else files,
                trust=store,
                at=None if events else when,
                now=when if events else None,
                workers=workers,
                backend="pynacl" if pynacl else "cryptography",
                require_timestamp=require_timestamp,
            )
        except ImportError as e:
            raise UsageError(str(e)) from e
        with Progress(
            TextColumn("verifying"),
            BarColumn(),
            MofNCompleteColumn(),
            TextColumn("{task.fields[rate]} items/s"),
            TimeElapsedColumn(),
            TimeRemainingColumn(),
            console=state.err,
            disable=not show_progress,
            transient=True,
        ) as progress:
            task = progress.add_task("verify", total=total, rate="-")
            for n, result in enumerate(results, 1):
                if sink is not None:
                    sink.write(result)
                if result.ok:
                    verified += 1
                else:
                    by_code[result.code or "internal"] += 1
                    if len(failures) < _MAX_JSON_FAILURES:
                        failures.append(result.to_dict())
                if show_progress and (n % 64 == 0 or n == total):
                    rate = n / max(time.perf_counter() - started, 1e-9)
                    progress.update(task, completed=n, rate=f"{rate:,.0f}")
        if sink is not None:
            sink.commit()
    finally:
        if sink is not None:
            sink.discard()
    elapsed = time.perf_counter() - started
    failed = sum(by_code.values())
    total_done = verified + failed
    if as_json:
        emit_json(
            {
                "ok": failed == 0,
                "total": total_done,
                "verified": verified,
                "failed": failed,
                "failed_by_code": dict(sorted(by_code.items())),
                "items_per_second": round(total_done / elapsed, 1) if elapsed > 0 else None,
                "report": None if report is None else str(report),
                "failures": failures,
                "failures_truncated": failed > len(failures),
            }
        )
    else:
        table = Table(title=f"bulk-verify: {total_done} items in {elapsed:.1f} s")
        table.add_column("result")
        table.add_column("items", justify="right")
        table.add_row("verified", str(verified))
        for code, count in sorted(by_code.items(), key=lambda kv: (-kv[1], kv[0])):
            table.add_row(f"failed: {code}", str(count))
        state.out.print(table)
        for record in failures[:10]:
            where = record.get("source", f"item {record['index']}")
            state.out.print(
                f"{where}: NOT VERIFIED [{record.get('code')}]: {record.get('message')}",
                markup=False,
            )
        if failed > 10:
            state.out.print(f"... and {failed - 10} more failures", markup=False)
    return int(ExitCode.INVALID if failed else ExitCode.OK)
