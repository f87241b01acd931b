"""Commands for lifecycle event logs (``events ...``) and successor passports."""

from __future__ import annotations

import enum
import json
import uuid
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any, Final

import typer

from batterypass._fs import update_lock
from batterypass.circularity import recovery_from_chain
from batterypass.cli._app import app, emit_json, state
from batterypass.cli._io import (
    JSON_OPT,
    REQUIRE_TIMESTAMP_OPT,
    TSA_OPT,
    TSA_TIMEOUT_OPT,
    UsageError,
    atomic_write,
    load_private,
    load_trust,
    parse_time,
    read_input,
)
from batterypass.codec import cbor
from batterypass.codec import json as bp_json
from batterypass.cose import TSA_TIMEOUT_SECONDS, decode_sign1_unverified, request_timestamp
from batterypass.errors import BatteryPassError, DecodeError
from batterypass.interop.cn_traceability import (
    FORMAT,
    dumps_traceability,
    traceability_document,
)
from batterypass.lifecycle import (
    PAYLOAD_TYPES,
    BreakKind,
    BrokenChainError,
    Event,
    EventLog,
    EventPayload,
    EventType,
    Head,
    VerifiedChain,
    append_to_log,
    check_chain_unverified,
    decode_event,
    last_event_unverified,
    next_event,
    parse_payload,
    read_log,
    repair_log,
    sha256_hex,
    sign_event,
    sign_head,
    successor_passport,
)
from batterypass.verify import verify_events

events_app = typer.Typer(
    help="Lifecycle event logs: append, verify, show, head, repair, export-cn."
)
app.add_typer(events_app, name="events")

MAX_DATA_BYTES = 1024 * 1024


class SuccessorStatus(enum.StrEnum):
    repurposed = "repurposed"
    remanufactured = "remanufactured"


def _clock() -> datetime:
    """The system clock in whole seconds: the one clock of the events commands (tests pin
    it)."""
    return datetime.now(UTC).replace(microsecond=0)


def _read_signed(path: Path, what: str) -> bytes:
    data = read_input(path)
    if data.lstrip()[:1] in (b"{", b"["):
        raise DecodeError(f"JSON text is not a signed {what}; sign it first", source=str(path))
    return data


def _data_source(text: str | None) -> str:
    """Where ``--data`` came from, for error messages: the @FILE's name, else ``--data``."""
    return text[1:] if text is not None and text.startswith("@") else "--data"


def _load_data(text: str | None) -> Any:
    """``--data``: JSON text or ``@FILE``, read by the strict JSON reader (exit 3 for text
    that is not strict JSON, with the field path where there is one)."""
    if text is None:
        return {}
    source = _data_source(text)
    if text.startswith("@"):
        raw = read_input(Path(source), limit=MAX_DATA_BYTES)
        return bp_json.loads_value(raw, source=source, max_bytes=MAX_DATA_BYTES)
    return bp_json.loads_value(text, source=source, max_bytes=MAX_DATA_BYTES)


def _load_payload(event_type: EventType, text: str | None) -> EventPayload:
    """``--data`` validated as the payload of ``event_type``; an error names its source (the
    option or the file), then the field path, then what is wrong."""
    try:
        return parse_payload(event_type, _load_data(text))
    except BatteryPassError as e:
        if e.source is None:
            e.with_source(_data_source(text))
        raise


def _plain(value: Any) -> Any:
    """JSON-ready values; decimals as exact fixed-point text (never a float)."""
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items() if v is not None}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if isinstance(value, datetime):
        return value.isoformat().replace("+00:00", "Z")
    if isinstance(value, enum.Enum):
        return value.value
    return value


def _event_json(event: Event) -> dict[str, Any]:
    out: dict[str, Any] = _plain(event.model_dump())
    out["payload"] = _plain(event.payload.model_dump())
    return out


@events_app.command("append")
def events_append(
    log: Path = typer.Argument(..., help="Event log (created with the first event)."),
    event_type: EventType = typer.Option(..., "--type", help="Event type."),
    key: Path = typer.Option(..., "--key", help="Signing key of the actor (PEM)."),
    data: str | None = typer.Option(
        None, "--data", help="Payload as JSON text, or @FILE (see `events types`)."
    ),
    at: str | None = typer.Option(None, "--at", help="Event time, ISO 8601 (default: now)."),
    passport: Path | None = typer.Option(
        None, "--passport", help="Signed passport (needed for the first event)."
    ),
    actor: str | None = typer.Option(
        None,
        "--actor",
        help="Organisation id of the actor (default: the passport's issuer for the first "
        "event, else the last event's actor).",
    ),
    kid: str | None = typer.Option(None, "--kid", help="Key id (default: thumbprint)."),
    trust: Path | None = typer.Option(
        None,
        "--trust",
        help="Trust file: verify the whole log (signatures, trust, roles) before appending "
        "(needs --passport). Needed once the log holds an event, unless "
        "--no-verify-signatures.",
    ),
    no_verify_signatures: bool = typer.Option(
        False,
        "--no-verify-signatures",
        help="Append without a trust file: the log's structure (links, hashes, sequence, "
        "time order, status, counters) is checked, its signatures are NOT.",
    ),
    tsa: str | None = TSA_OPT,
    tsa_timeout: float = TSA_TIMEOUT_OPT,
) -> int:
    """Sign an event and append it to the log (flushed and fsynced), after checking the log;
    with ``--tsa``, timestamped by an RFC 3161 authority first (nothing is appended if the
    TSA fails).

    The log is locked while it is read, checked and appended to, so concurrent appends run
    one after the other; an event is never appended to a log that does not check out. Once
    the log holds an event, checking out means verified with ``--trust``; with
    ``--no-verify-signatures`` instead, only the structure is checked, and the output says so."""
    if trust is not None and no_verify_signatures:  # refused before the log is locked
        raise UsageError("give --trust or --no-verify-signatures, not both")
    with update_lock(log):
        return _append_locked(
            log,
            event_type,
            key,
            data,
            at,
            passport,
            actor,
            kid,
            trust,
            tsa,
            tsa_timeout,
            no_verify_signatures=no_verify_signatures,
        )


def _check_log(
    log: Path,
    current: EventLog,
    signed: bytes | None,
    trust: Path | None,
    clock: datetime,
    new: bytes | None = None,
) -> None:
    """Refuse to write on top of a log that does not check out, with the chain error: the
    whole log verified with ``trust``, else its structure checked; and the ``new`` event
    checked as the log's next one (no event after ``recycled``, a time not before the last
    event's, counters that do not go down, ...)."""
    current.require_whole(str(log))
    try:
        if trust is not None:
            if signed is None:
                raise UsageError("--trust needs --passport SIGNED_PASSPORT to verify the log")
            verify_events(current, trust=load_trust(trust), passport=signed, at=clock)
        payload = decode_sign1_unverified(signed).payload if signed is not None else None
        messages = [*current.messages, *([new] if new is not None else [])]
        check_chain_unverified(messages, passport_payload=payload, now=clock)
    except BatteryPassError as e:
        if e.source is None:
            e.with_source(str(log))
        raise


_UNCHECKED_NOTE: Final = "; the log's structure was checked, its signatures NOT checked"


def _require_trust_choice(
    log: Path, count: int, trust: Path | None, no_verify_signatures: bool, doing: str
) -> None:
    """Fail closed (ADR 0014): a writer that vouches for the log's events (an append links
    to the last one, a head signs their count and last hash) checks their signatures with
    ``--trust``, or is told not to with ``--no-verify-signatures``; exit 2 otherwise. (The
    commands refuse both at once before they lock the log.)"""
    if count and trust is None and not no_verify_signatures:
        raise UsageError(
            f"the log holds {count} event(s) and their signatures are checked only with a "
            "trust file: give --trust TRUSTFILE --passport SIGNED, or --no-verify-signatures "
            f"to {doing} after checking the log's structure only",
            source=str(log),
        )


def _at_error(e: BrokenChainError, log: Path) -> BrokenChainError:
    """A writer's time check (``next_event``/``sign_head`` given ``now``) failed: the time is
    the ``--at`` option's, so the error names it; anything else is returned as it is."""
    if e.kind is not BreakKind.TIME:
        return e
    named = BrokenChainError(BreakKind.TIME, f"--at: {e.args[1]}", index=e.index)
    named.with_source(str(log))
    return named


def _append_locked(
    log: Path,
    event_type: EventType,
    key: Path,
    data: str | None,
    at: str | None,
    passport: Path | None,
    actor: str | None,
    kid: str | None,
    trust: Path | None,
    tsa: str | None = None,
    tsa_timeout: float = TSA_TIMEOUT_SECONDS,
    *,
    no_verify_signatures: bool = False,
) -> int:
    current = read_log(log, missing_ok=True)  # the first append creates the log
    current.require_whole(str(log))
    if not current.messages and passport is None:
        raise UsageError("the first event of a log needs --passport SIGNED_PASSPORT")
    # Fail closed: the new event vouches for the last one by its hash, so an event whose
    # signature nobody checked is not chained onto unless the user says so.
    _require_trust_choice(log, len(current.messages), trust, no_verify_signatures, "append")
    signed = _read_signed(passport, "passport") if passport is not None else None
    # The log and the new event are held against the real clock, as `events verify` will
    # hold them: an --at in the future of it is refused here, not accepted and then failed.
    now = _clock()
    when = parse_time(at, "--at") or now
    _check_log(log, current, signed, trust, now)
    if actor is None:
        last = last_event_unverified(current.messages)
        if last is not None:
            actor = last[0].actor
        else:
            assert signed is not None
            payload = decode_sign1_unverified(signed).payload
            if payload is None:
                raise DecodeError("the signed passport has a detached payload")
            actor = cbor.loads(payload).issuer
    signer = load_private(key, kid)
    body = _load_payload(event_type, data)
    try:
        event = next_event(
            current.messages,
            event_type=event_type,
            payload=body,
            actor=actor,
            time=when,
            signed_passport=signed,
            now=now,
        )
    except BrokenChainError as e:
        raise _at_error(e, log) from None
    message = sign_event(event, signer)
    if tsa is not None:
        message = request_timestamp(message, tsa, timeout=tsa_timeout)
    _check_log(log, current, signed, None, now, new=message)
    append_to_log(log, [message])
    unchecked = current.messages and trust is None
    state.err.print(
        f"appended event {event.sequence} ({event.type.value}) to {log}, signed by {actor} "
        f"(kid {signer.kid}{', timestamped' if tsa is not None else ''})"
        + (_UNCHECKED_NOTE if unchecked else ""),
        markup=False,
    )
    return 0


def _report_json(report: VerifiedChain) -> dict[str, Any]:
    usage = _plain(report.usage.model_dump())
    soh = report.state_of_health
    return {
        "ok": True,
        "passport_id": report.passport.passport_id,
        "battery_id": report.passport.battery_id,
        "events": len(report.events),
        "status": report.status.value,
        "ceased": report.ceased,
        "successor_passport_id": report.successor_passport_id,
        "last_sha256": report.last_sha256,
        "state_of_health": _plain(soh.model_dump()) if soh else None,
        "usage": usage,
        "head": {"count": report.head.count, "time": report.head.time.isoformat()}
        if report.head
        else None,
        "timestamped_events": sum(1 for e in report.events if e.timestamped_at is not None),
    }


@events_app.command("verify")
def events_verify(
    log: Path = typer.Argument(..., help="Event log."),
    trust: Path = typer.Option(..., "--trust", help="Trust file."),
    passport: Path = typer.Option(..., "--passport", help="The signed passport of the log."),
    head: Path | None = typer.Option(None, "--head", help="Signed head the holder published."),
    at: str | None = typer.Option(None, "--at", help="Verifier's clock (default: now)."),
    original_passport: Path | None = typer.Option(
        None, "--original-passport", help="For a successor: the original's signed passport."
    ),
    original_log: Path | None = typer.Option(
        None, "--original-log", help="For a successor: the original's event log."
    ),
    require_timestamp: bool = REQUIRE_TIMESTAMP_OPT,
    as_json: bool = JSON_OPT,
) -> int:
    """Verify a log: signatures, trust and roles at each event's time, links, sequence, time
    order, status changes and counters; with --head, that nothing was cut off; with
    --original-passport/--original-log, the successor's link to the original's history."""
    if (original_passport is None) != (original_log is None):
        raise UsageError("give both --original-passport and --original-log, or neither")
    store = load_trust(trust)
    signed = _read_signed(passport, "passport")
    head_bytes = _read_signed(head, "head") if head is not None else None
    clock = parse_time(at, "--at")
    predecessor = None
    if original_passport is not None and original_log is not None:
        try:
            predecessor = verify_events(
                read_log(original_log),
                trust=store,
                passport=_read_signed(original_passport, "passport"),
                at=clock,
                require_timestamp=require_timestamp,
            )
        except BatteryPassError as e:
            raise e.with_source(str(original_log)) from None
    contents = read_log(log)
    try:
        report = verify_events(
            contents,
            trust=store,
            passport=signed,
            at=clock,
            head=head_bytes,
            predecessor=predecessor,
            require_timestamp=require_timestamp,
        )
    except BatteryPassError as e:
        if e.source is None:
            e.with_source(str(log))
        raise
    recovery = recovery_from_chain(report) if report.ceased else None
    if as_json:
        doc = {"log": str(log), **_report_json(report)}
        doc["recovery_achieved"] = recovery.to_dict() if recovery else None
        emit_json(doc)
        return 0
    p = report.passport
    state.out.print(
        f"{log}: verified: {len(report.events)} event(s) of passport {p.passport_id}; status "
        f"{report.status.value}{' (recycled: the passport has ceased)' if report.ceased else ''}"
        + (
            f"; continued by passport {report.successor_passport_id}"
            if report.successor_passport_id
            else ""
        )
        + (f"; matches its head of {report.head.time.isoformat()}" if report.head else "")
        + (f"; continues passport {predecessor.passport.passport_id}" if predecessor else ""),
        markup=False,
    )
    for m in recovery.materials if recovery else ():
        achieved = "n/a" if m.achieved_percent is None else f"{m.achieved_percent:.1f} %"
        state.out.print(
            f"{log}: recovered {m.element.value}: {m.recovered_kg} kg of a potential "
            f"{m.potential_kg} kg (Annex XII Part C) = {achieved}",
            markup=False,
        )
    return 0


@events_app.command("export-cn")
def events_export_cn(
    log: Path = typer.Argument(..., help="Event log."),
    trust: Path = typer.Option(..., "--trust", help="Trust file."),
    passport: Path = typer.Option(..., "--passport", help="The signed passport of the log."),
    out: Path = typer.Option(..., "--out", help="JSON file to write."),
    head: Path | None = typer.Option(None, "--head", help="Signed head the holder published."),
    at: str | None = typer.Option(None, "--at", help="Verifier's clock (default: now)."),
    original_passport: Path | None = typer.Option(
        None, "--original-passport", help="For a successor: the original's signed passport."
    ),
    original_log: Path | None = typer.Option(
        None, "--original-log", help="For a successor: the original's event log."
    ),
    force: bool = typer.Option(False, "--force", help="Replace an existing OUT."),
) -> int:
    """Verify a log, then write the events a maker reports to China's traceability platform
    (production, sale, repair/replacement, retirement, recycling) as a JSON file keyed by the
    GB/T 34014 code (specs/cn-traceability.md). Nothing is written unless the log verifies."""
    if (original_passport is None) != (original_log is None):
        raise UsageError("give both --original-passport and --original-log, or neither")
    if out.exists() and not force:
        raise UsageError("exists already; use --force to replace it", source=str(out))
    store = load_trust(trust)
    clock = parse_time(at, "--at")
    chains: list[VerifiedChain] = []
    if original_passport is not None and original_log is not None:
        try:
            chains.append(
                verify_events(
                    read_log(original_log),
                    trust=store,
                    passport=_read_signed(original_passport, "passport"),
                    at=clock,
                )
            )
        except BatteryPassError as e:
            raise e.with_source(str(original_log)) from None
    try:
        chains.append(
            verify_events(
                read_log(log),
                trust=store,
                passport=_read_signed(passport, "passport"),
                at=clock,
                head=_read_signed(head, "head") if head is not None else None,
                predecessor=chains[0] if chains else None,
            )
        )
    except BatteryPassError as e:
        if e.source is None:
            e.with_source(str(log))
        raise
    try:
        text = dumps_traceability(*chains)
    except BatteryPassError as e:
        raise e.with_source(str(passport)) from None
    atomic_write(out, text.encode("utf-8"), force=force)
    doc = traceability_document(*chains)
    reported = sum(len(b["events"]) for b in doc["batteries"].values())
    codes = ", ".join(doc["batteries"])
    state.err.print(
        f"wrote {out}: {reported} reportable event(s) of {codes} ({FORMAT})", markup=False
    )
    return 0


@events_app.command("show")
def events_show(
    log: Path = typer.Argument(..., help="Event log."), as_json: bool = JSON_OPT
) -> int:
    """Show the events of a log as stored (NOT verified: use `events verify`)."""
    contents = read_log(log)
    rows: list[dict[str, Any]] = []
    for i, message in enumerate(contents.messages):
        msg = decode_sign1_unverified(message)
        if msg.payload is None:
            raise DecodeError("detached payload", index=i, source=str(log))
        try:
            event = decode_event(msg.payload)
        except BatteryPassError as e:
            e.index = i
            raise e.with_source(str(log)) from None
        row = _event_json(event)
        row["kid"] = msg.kid.decode("utf-8", "replace") if msg.kid else None
        row["payload_sha256"] = sha256_hex(msg.payload)
        rows.append(row)
    torn = contents.torn
    torn_json = (
        {"offset": torn.offset, "length": torn.length, "reason": torn.reason} if torn else None
    )
    if as_json:
        emit_json({"log": str(log), "verified": False, "events": rows, "torn_tail": torn_json})
    else:
        for row in rows:
            state.out.print(
                f"{row['sequence']:>4}  {row['time']}  {row['type']:<22} {row['actor']}  "
                f"{json.dumps(row['payload'], ensure_ascii=False)}",
                markup=False,
            )
        state.err.print(f"{len(rows)} event(s), not verified", markup=False)
        if torn is not None:
            state.err.print(
                f"torn tail: {torn.length} byte(s) at offset {torn.offset} ({torn.reason}); "
                "`batterypass events repair` cuts it off",
                markup=False,
            )
    return 1 if torn is not None else 0


@events_app.command("types")
def events_types(as_json: bool = JSON_OPT) -> int:
    """List the event types and the JSON Schema of each payload."""
    schemas = {t.value: model.model_json_schema() for t, model in PAYLOAD_TYPES.items()}
    if as_json:
        emit_json({"types": schemas})
        return 0
    for name, schema in schemas.items():
        props = schema.get("properties", {})
        required = set(schema.get("required", []))
        fields = ", ".join(f"{k}{'' if k in required else '?'}" for k in props) or "(none)"
        state.out.print(f"{name:<22} {fields}", markup=False)
    return 0


@events_app.command("head")
def events_head(
    log: Path = typer.Argument(..., help="Event log."),
    key: Path = typer.Option(..., "--key", help="Signing key of the log's holder (PEM)."),
    out: Path = typer.Option(..., "--out", help="Signed head to write."),
    at: str | None = typer.Option(
        None,
        "--at",
        help="Time of the head, ISO 8601 (default: now; at most 5 minutes ahead of the clock).",
    ),
    kid: str | None = typer.Option(None, "--kid", help="Key id (default: thumbprint)."),
    force: bool = typer.Option(False, "--force", help="Replace an existing OUT."),
    passport: Path | None = typer.Option(
        None, "--passport", help="The log's signed passport (checks the first event's link)."
    ),
    trust: Path | None = typer.Option(
        None,
        "--trust",
        help="Trust file: verify the whole log (signatures, trust, roles) before signing "
        "(needs --passport). Needed unless --no-verify-signatures.",
    ),
    no_verify_signatures: bool = typer.Option(
        False,
        "--no-verify-signatures",
        help="Sign without a trust file: the log's structure (links, hashes, sequence, "
        "time order, status, counters) is checked, its signatures are NOT.",
    ),
) -> int:
    """Sign a head of the log (its event count and last hash) for the holder to publish,
    after checking the log (a head is never signed over a broken log): verified with
    ``--trust``; with ``--no-verify-signatures`` instead, only the structure is checked, and
    the output says so."""
    if trust is not None and no_verify_signatures:  # refused before the log is locked
        raise UsageError("give --trust or --no-verify-signatures, not both")
    with update_lock(log):
        contents = read_log(log)
        if not contents.messages:
            raise UsageError("the log is empty; a head needs at least one event", source=str(log))
        # Fail closed: the head vouches for every event by their count and the last hash.
        _require_trust_choice(
            log, len(contents.messages), trust, no_verify_signatures, "sign a head"
        )
        signed = _read_signed(passport, "passport") if passport is not None else None
        # The log and the head are held against the real clock, as `events verify --head`
        # will hold them: an --at in the future of it is refused here, not signed and then
        # failed.
        now = _clock()
        when = parse_time(at, "--at") or now
        _check_log(log, contents, signed, trust, now)
        last = last_event_unverified(contents.messages)
        assert last is not None  # the log holds an event
        event, digest = last
        head = Head(event.passport_id, len(contents.messages), digest, when)
        try:
            message = sign_head(head, load_private(key, kid), now=now)
        except BrokenChainError as e:
            raise _at_error(e, log) from None
        atomic_write(out, message, force=force)
    state.err.print(
        f"wrote head of {head.count} event(s) to {out}"
        + (_UNCHECKED_NOTE if trust is None else ""),
        markup=False,
    )
    return 0


@events_app.command("repair")
def events_repair(log: Path = typer.Argument(..., help="Event log with a torn tail.")) -> int:
    """Cut off a torn tail (an interrupted append); refuses a log that is not torn."""
    if not log.exists():
        raise UsageError("no such file", source=str(log))
    with update_lock(log):  # an append must not land between the check and the cut
        contents = read_log(log)
        if contents.torn is None:
            raise UsageError("the log has no torn tail; nothing to repair", source=str(log))
        t = contents.torn
        state.err.print(
            f"cutting {t.length} byte(s) at offset {t.offset} ({t.reason}); "
            f"{len(contents.messages)} whole event(s) stay",
            markup=False,
        )
        repair_log(log)
    return 0


@app.command()
def successor(
    signed_passport: Path = typer.Argument(..., help="The original's signed passport."),
    log: Path = typer.Argument(..., help="The original's event log (ends in the hand-over)."),
    status: SuccessorStatus = typer.Option(..., "--status", help="The new status."),
    out: Path = typer.Option(..., "--out", help="New passport (JSON) to write."),
    operator: str = typer.Option(..., "--operator", help="New economic operator (issuer)."),
    passport_id: str | None = typer.Option(
        None,
        "--passport-id",
        help="New passport id (default: the one the event names, or a new urn:uuid).",
    ),
    at: str | None = typer.Option(None, "--at", help="Issue time (default: now)."),
    data: str | None = typer.Option(
        None, "--data", help="Changes to the carried-over data, as JSON text or @FILE."
    ),
    force: bool = typer.Option(False, "--force", help="Replace an existing OUT."),
) -> int:
    """Create the passport of a repurposed or remanufactured battery, linked to the original
    (predecessor id and the hash of the original's last event). Sign it with `sign`."""
    signed = _read_signed(signed_passport, "passport")
    payload = decode_sign1_unverified(signed).payload
    if payload is None:
        raise DecodeError("the signed passport has a detached payload")
    original = cbor.loads(payload)
    contents = read_log(log)
    contents.require_whole(str(log))
    if not contents.messages:
        raise UsageError("the log is empty", source=str(log))
    last_payload = decode_sign1_unverified(contents.messages[-1]).payload
    assert last_payload is not None
    named = getattr(decode_event(last_payload).payload, "successor_passport_id", None)
    new_id = passport_id or named or f"urn:uuid:{uuid.uuid4()}"
    when = parse_time(at, "--at") or datetime.now(UTC).replace(microsecond=0)
    changes = _load_data(data)
    if not isinstance(changes, dict):
        raise UsageError("--data must be a JSON object")
    new = successor_passport(
        original,
        last_payload,
        status=status.value,
        passport_id=new_id,
        issuer=operator,
        issued_at=when,
        changes=changes,
    )
    atomic_write(out, bp_json.dumps(new).encode("utf-8"), force=force)
    state.err.print(f"wrote successor passport {new_id} to {out}", markup=False)
    return 0
