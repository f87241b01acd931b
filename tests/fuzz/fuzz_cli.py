"""Mutated and special inputs through every CLI command that reads a file (issue 22).

Each case runs one command line in a forked child (``batterypass.cli.run``, the code path of
the ``batterypass`` command), bounded in time. A case fails the run if the command exits 4
(an internal error: a bug, since the input is at fault), dies of a signal, exits with an
undocumented code, or hangs past the timeout. Everything else (0 to 3) is a clean verdict.

Inputs: for each command and each file role in it (the passport, the key, the trust file,
the log, ``--data @FILE``, the scheme, the rates, ...), the role's valid seed file and

- special inputs: a FIFO, ``/dev/zero``, ``/dev/null``, a directory, a dangling symlink, a
  missing file, an empty file, 10 MB of JSON, UTF-16 and UTF-32 text, a UTF-8 BOM, a
  duplicate key, ``NaN``, an integer of 5000 digits, 100 000 nested arrays and objects;
- ``--mutations N`` seeded random mutations of the seed (bit flips, byte changes, cuts,
  insertions, repeated and deleted ranges, splices of special tokens).

Run from the repository root (about 0.1 s per case on an idle core)::

    PYTHONPATH=src python tests/fuzz/fuzz_cli.py --mutations 50 --seed 1
    PYTHONPATH=src python tests/fuzz/fuzz_cli.py --only validate --mutations 2000

It prints a table of exit codes per command and role and every failing case, and exits 1 if
any case failed. ``tests/fuzz/test_fuzz_cli.py`` runs a bounded part in the test suite.
"""

from __future__ import annotations

import argparse
import contextlib
import multiprocessing
import os
import random
import shutil
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
EX = ROOT / "examples"
LIFE = EX / "lifecycle"
KEYS = EX / "keys"
AT = "2040-01-01T00:00:00Z"
DEFAULT_TIMEOUT = 30.0
MAKER_KID = "BClIlDNHkrTbrMyZu61CWnRnM1NLI3oor65MKcX-v5Q"  # in examples/lifecycle/trust.json

# The fixed inputs of the commands; {F} is the input under test, {D} a fresh case directory.
FIXED = {
    "P": str(EX / "passports" / "ev-nmc.json"),
    "S": str(LIFE / "ev-nmc.cose"),
    "T": str(LIFE / "trust.json"),
    "K": str(KEYS / "ev-maker.DEMO-ONLY.key"),
}


@dataclass(frozen=True)
class Command:
    """A command line with one input under test: ``role`` names the seed it mutates."""

    name: str
    role: str
    argv: tuple[str, ...]
    suffix: str = ""
    """File name ending the input must have (a scheme is .json or .toml)."""


def _c(name: str, role: str, line: str, suffix: str = "") -> Command:
    return Command(name, role, tuple(line.split()), suffix)


COMMANDS: tuple[Command, ...] = (
    _c("validate", "passport", "validate {F}"),
    _c("validate-cbor", "passport-cbor", "validate {F}"),
    _c("show", "passport", "show {F} --json"),
    _c("completeness", "passport", "completeness {F}"),
    _c("recycling", "passport", "recycling {F}"),
    _c("recycling --rates", "rates", "recycling {P} --rates {F}"),
    _c("label", "passport", "label {F} --out {D}/l.svg"),
    _c("label --scheme", "scheme", "label {P} --out {D}/l.svg --scheme {F}", ".json"),
    _c("label --scheme toml", "scheme-toml", "label {P} --out {D}/l.svg --scheme {F}", ".toml"),
    _c("qr", "passport", "qr {F} --out {D}/q.svg"),
    _c("convert", "passport", "convert {F} {D}/out.cbor"),
    _c("export", "passport", "export {F} --format battery-pass-dm --out {D}/dm"),
    _c("import", "aspect", "import {F} --out {D}/imported.json"),
    _c("sign", "passport", "sign {F} --key {K} --out {D}/s.cose"),
    _c("sign --key", "key", "sign {P} --key {F} --out {D}/s.cose"),
    _c("issue-disclosable", "passport", "issue-disclosable {F} --key {K} --out {D}/d.cose"),
    _c("present", "disclosable", "present {F} --audience public --out {D}/p.cose"),
    _c("verify", "signed", "verify {F} --trust {T}"),
    _c("verify --trust", "trust", "verify {S} --trust {F}"),
    _c("trust list", "trust", "trust list {F}"),
    _c(
        "trust add",
        "public-key",
        "trust add {D}/t.json {F} --role manufacturer --org urn:o:x",
    ),
    _c("trust revoke", "trust", f"trust revoke {{F}} {MAKER_KID} --at {AT}"),
    _c("events show", "log", "events show {F}"),
    _c("events verify", "log", "events verify {F} --trust {T} --passport {S} --at " + AT),
    _c(
        "events verify --passport",
        "signed",
        "events verify {D}/ev.events --trust {T} --passport {F} --at " + AT,
    ),
    _c(
        "events append",
        "open-log",
        'events append {F} --type usage --key {K} --data {{"full_cycles":1}} '
        "--no-verify-signatures --at " + AT,
    ),
    _c(
        "events append --data",
        "data",
        "events append {D}/new.events --type manufactured "
        "--key {K} --passport {S} --data @{F} --at 2026-11-02T00:00:00Z",
    ),
    _c(
        "events head",
        "log",
        "events head {F} --key {K} --out {D}/h.head --no-verify-signatures --at " + AT,
    ),
    _c(
        "events verify --head",
        "head",
        "events verify {D}/st.events --trust {T} --passport {D}/st.cose --head {F} --at " + AT,
    ),
    _c("events repair", "log", "events repair {F}"),
    _c("bulk-verify", "signed", "bulk-verify {F} --trust {T} --workers 1 --report {D}/r.jsonl"),
)


def _seeds(work: Path) -> dict[str, bytes]:
    """The valid input of each role."""
    from batterypass.codec import json as bp_json
    from batterypass.interop import battery_pass as dm

    passport = (EX / "passports" / "ev-nmc.json").read_bytes()
    aspects = dm.export_aspects(bp_json.loads(passport))
    first = sorted(aspects)[0]
    return {
        "passport": passport,
        "passport-cbor": (EX / "passports" / "ev-nmc.cbor").read_bytes(),
        "rates": b'{"cobalt": 90, "lithium": 50}',
        "scheme": (EX / "schemes" / "illustrative-2027.json").read_bytes(),
        "scheme-toml": (EX / "schemes" / "greater-bay-area-example.toml").read_bytes(),
        "aspect": dm.dumps_aspect(aspects[first]).encode("utf-8"),
        "key": (KEYS / "ev-maker.DEMO-ONLY.key").read_bytes(),
        "public-key": (KEYS / "ev-maker.DEMO-ONLY.pub").read_bytes(),
        "signed": (LIFE / "ev-nmc.cose").read_bytes(),
        "disclosable": _disclosable(work),
        "trust": (LIFE / "trust.json").read_bytes(),
        "log": (LIFE / "ev-nmc.events").read_bytes(),
        "open-log": _open_log(),
        "head": (LIFE / "stationary.head").read_bytes(),
        "data": b'{"country": "CN"}',
    }


def _open_log() -> bytes:
    """The example log before its repurposing closes it (it accepts appends)."""
    from batterypass.lifecycle import read_log

    return b"".join(read_log(LIFE / "ev-nmc.events").messages[:8])


def _disclosable(work: Path) -> bytes:
    from batterypass.cli import run

    out = work / "seed-disclosable.cose"
    with _quiet():
        code = run(["issue-disclosable", FIXED["P"], "--key", FIXED["K"], "--out", str(out)])
    if code != 0:
        raise SystemExit("cannot build the disclosable seed")
    return out.read_bytes()


@contextlib.contextmanager
def _quiet() -> Iterator[None]:
    saved = os.dup(1), os.dup(2)
    null = os.open(os.devnull, os.O_WRONLY)
    os.dup2(null, 1)
    os.dup2(null, 2)
    try:
        yield
    finally:
        os.dup2(saved[0], 1)
        os.dup2(saved[1], 2)
        for fd in (*saved, null):
            os.close(fd)


# --- special inputs -----------------------------------------------------------------------------


def _specials() -> dict[str, Callable[[Path, bytes], Path]]:
    """name -> make(path, seed): puts the special input at ``path`` (or returns another)."""

    def write(data: bytes) -> Callable[[Path, bytes], Path]:
        def make(path: Path, seed: bytes) -> Path:
            path.write_bytes(data)
            return path

        return make

    def transform(fn: Callable[[bytes], bytes]) -> Callable[[Path, bytes], Path]:
        def make(path: Path, seed: bytes) -> Path:
            path.write_bytes(fn(seed))
            return path

        return make

    def fifo(path: Path, seed: bytes) -> Path:
        os.mkfifo(path)
        return path

    def directory(path: Path, seed: bytes) -> Path:
        path.mkdir()
        return path

    def dangling(path: Path, seed: bytes) -> Path:
        path.symlink_to(path.parent / "nowhere" / "x")
        return path

    def device(name: str) -> Callable[[Path, bytes], Path]:
        return lambda path, seed: Path(name)

    def utf(encoding: str) -> Callable[[bytes], bytes]:
        return lambda seed: seed.decode("utf-8", "replace").encode(encoding)

    return {
        "fifo": fifo,
        "dev-zero": device("/dev/zero"),
        "dev-null": device("/dev/null"),
        "directory": directory,
        "dangling-symlink": dangling,
        "missing": lambda path, seed: path,
        "empty": write(b""),
        "10MB-json": write(b'{"pad": "' + b"x" * (10 * 1024 * 1024) + b'"}'),
        "utf-16": transform(utf("utf-16")),
        "utf-16-le-no-bom": transform(utf("utf-16-le")),
        "utf-32": transform(utf("utf-32")),
        "utf-8-bom": transform(lambda s: b"\xef\xbb\xbf" + s),
        "duplicate-key": transform(lambda s: _splice_object(s, b'"k": 1, "k": 2')),
        "nan": transform(lambda s: _splice_object(s, b'"nan": NaN')),
        "big-int": transform(lambda s: _splice_object(s, b'"n": ' + b"9" * 5000)),
        "deep-arrays": write(b"[" * 100_000 + b"]" * 100_000),
        "deep-objects": write(b'{"a":' * 100_000 + b"1" + b"}" * 100_000),
        "deep-in-object": transform(
            lambda s: _splice_object(s, b'"d": ' + b"[" * 5000 + b"]" * 5000)
        ),
        "cbor-deep": write(b"\x81" * 100_000 + b"\x00"),
        "cbor-huge-length": write(b"\x5b\xff\xff\xff\xff\xff\xff\xff\xff"),
        "cbor-bignum": write(b"\xc2\x5a\x00\x10\x00\x00" + b"\xff" * 16),
    }


def _splice_object(seed: bytes, member: bytes) -> bytes:
    """The seed with ``member`` added to its top-level JSON object (or alone in one)."""
    text = seed.lstrip()
    if text.startswith(b"{"):
        return b"{" + member + b"," + text[1:]
    return b"{" + member + b"}"


# --- mutations ------------------------------------------------------------------------------

_TOKENS = (
    b"NaN",
    b"-Infinity",
    b"1e999999999",
    b"9" * 4400,
    b"\x00",
    b"\xff",
    b"\xf7",
    b"\xd8\x00",
    b'"',
    b"{",
    b"[",
    b"]]]]",
    b"\\u0000",
    b"\xed\xa0\x80",
    b"-0",
    b"1.0",
    b"true",
    b"null",
    b"\x9f",
    b"\xbf",
    b"\xfb\x7f\xf8\x00\x00\x00\x00\x00\x00",
    b"\x1b\xff\xff\xff\xff\xff\xff\xff\xff",
)


def mutate(seed: bytes, rng: random.Random) -> bytes:
    """One random mutation of ``seed`` (1 to 4 operations)."""
    data = bytearray(seed)
    for _ in range(rng.randint(1, 4)):
        op = rng.randrange(7)
        n = len(data)
        if n == 0:
            data += rng.choice(_TOKENS)
            continue
        i = rng.randrange(n)
        if op == 0:
            data[i] ^= 1 << rng.randrange(8)
        elif op == 1:
            data[i] = rng.randrange(256)
        elif op == 2:
            del data[rng.randrange(n) :]
        elif op == 3:
            data[i:i] = rng.choice(_TOKENS)
        elif op == 4:
            j = min(n, i + rng.randint(1, 64))
            data[i:i] = data[i:j] * rng.randint(2, 50)
        elif op == 5:
            j = min(n, i + rng.randint(1, 64))
            del data[i:j]
        else:
            data[i] = rng.choice(b'{}[]":,0123456789')
    return bytes(data)


# --- running --------------------------------------------------------------------------------


@dataclass
class Outcome:
    command: str
    input: str
    code: int | None
    """Exit code; None for a hang."""
    message: str = ""


def _child(argv: list[str], err_path: str) -> None:
    from datetime import datetime

    from batterypass.cli import _events_cmds, run

    # The events commands' clock at AT: the seed log runs into the 2030s, and an append in
    # the future of the clock is refused before anything else is read.
    pinned = datetime.fromisoformat(AT.replace("Z", "+00:00"))
    _events_cmds._clock = lambda: pinned

    fd = os.open(err_path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    null = os.open(os.devnull, os.O_WRONLY)
    os.dup2(null, 1)
    os.dup2(fd, 2)
    # The descriptors, not whatever sys.std* were replaced with (pytest's capture).
    sys.stdout = open(1, "w", closefd=False)  # noqa: SIM115 - lives until os._exit
    sys.stderr = open(2, "w", closefd=False)  # noqa: SIM115
    code = run(argv)
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)


def run_case(argv: list[str], case_dir: Path, timeout: float) -> tuple[int | None, str]:
    """Run one command line in a forked child; the exit code (None: hung) and stderr."""
    err = case_dir / "stderr.txt"
    ctx = multiprocessing.get_context("fork")
    proc = ctx.Process(target=_child, args=(argv, str(err)))
    proc.start()
    proc.join(timeout)
    if proc.is_alive():
        proc.kill()
        proc.join()
        return None, "hung"
    message = err.read_text(encoding="utf-8", errors="replace") if err.exists() else ""
    return proc.exitcode, message.strip()


def _prepare(case_dir: Path) -> None:
    """Fresh copies of what a case may write to or read beside its input."""
    shutil.copy(LIFE / "ev-nmc.events", case_dir / "ev.events")
    shutil.copy(LIFE / "stationary.events", case_dir / "st.events")
    shutil.copy(LIFE / "stationary.cose", case_dir / "st.cose")


def cases(
    seeds: dict[str, bytes], mutations: int, rng: random.Random, only: str | None
) -> Iterator[tuple[Command, str, Callable[[Path], Path]]]:
    """(command, input name, make(path) -> input path) for every case."""
    specials = _specials()
    for command in COMMANDS:
        if only and only != command.name:
            continue
        seed = seeds[command.role]

        def valid(path: Path, seed: bytes = seed) -> Path:
            path.write_bytes(seed)
            return path

        yield command, "seed", valid
        for name, make in specials.items():
            yield command, name, lambda path, make=make, seed=seed: make(path, seed)
        for n in range(mutations):
            data = mutate(seed, rng)

            def mutated(path: Path, data: bytes = data) -> Path:
                path.write_bytes(data)
                return path

            yield command, f"mutation-{n}", mutated


def fuzz(
    *,
    mutations: int = 20,
    seed: int = 1,
    only: str | None = None,
    timeout: float = DEFAULT_TIMEOUT,
    specials: bool = True,
    inputs: frozenset[str] | None = None,
    log: Callable[[str], None] = print,
) -> list[Outcome]:
    """Run the cases; return every outcome."""
    rng = random.Random(seed)
    outcomes: list[Outcome] = []
    with tempfile.TemporaryDirectory(prefix="bp-fuzz-") as tmp:
        work = Path(tmp)
        seeds = _seeds(work)
        for number, (command, name, make) in enumerate(cases(seeds, mutations, rng, only)):
            if inputs is not None and name not in inputs and not name.startswith("mutation"):
                continue
            if not specials and name not in ("seed",) and not name.startswith("mutation"):
                continue
            case_dir = work / f"case-{number}"
            case_dir.mkdir()
            _prepare(case_dir)
            target = make(case_dir / f"input{command.suffix}")
            fixed = {**FIXED, "F": str(target), "D": str(case_dir)}
            argv = [part.format(**fixed) for part in command.argv]
            code, message = run_case(argv, case_dir, timeout)
            outcomes.append(Outcome(command.name, name, code, message))
            if code not in (0, 1, 2, 3):
                log(f"FAIL {command.name} [{name}]: exit {code}: {message[-500:]}")
            shutil.rmtree(case_dir, ignore_errors=True)
    return outcomes


def bad(outcomes: list[Outcome]) -> list[Outcome]:
    """The outcomes that are not a clean verdict (exit 4, a signal, a hang)."""
    return [o for o in outcomes if o.code not in (0, 1, 2, 3)]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--mutations", type=int, default=20, help="mutations per command")
    parser.add_argument("--seed", type=int, default=1, help="random seed")
    parser.add_argument("--only", help="one command name (see COMMANDS)")
    parser.add_argument("--timeout", type=float, default=DEFAULT_TIMEOUT, help="seconds a case")
    args = parser.parse_args(argv)
    started = time.perf_counter()
    outcomes = fuzz(mutations=args.mutations, seed=args.seed, only=args.only, timeout=args.timeout)
    table: dict[str, Counter[str]] = {}
    for o in outcomes:
        table.setdefault(o.command, Counter())["hang" if o.code is None else str(o.code)] += 1
    print(f"{'command':<28} " + " ".join(f"{c:>6}" for c in ("0", "1", "2", "3", "4", "hang")))
    for name, counts in table.items():
        print(
            f"{name:<28} " + " ".join(f"{counts[c]:>6}" for c in ("0", "1", "2", "3", "4", "hang"))
        )
    failures = bad(outcomes)
    hangs = sum(1 for o in outcomes if o.code is None)
    exit4 = sum(1 for o in outcomes if o.code == 4)
    print(
        f"{len(outcomes)} cases in {time.perf_counter() - started:.0f} s: {exit4} exit 4, "
        f"{hangs} hangs, {len(failures) - exit4 - hangs} other failures"
    )
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
