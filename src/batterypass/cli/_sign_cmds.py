"""Commands for keys, trust files, signing and verification."""

from __future__ import annotations

import enum
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import typer
from rich.table import Table

from batterypass._fs import update_lock
from batterypass.cli._app import ExitCode, app, emit_json, error_record, exit_code_for, state
from batterypass.cli._io import (
    JSON_OPT,
    REQUIRE_TIMESTAMP_OPT,
    TSA_OPT,
    TSA_TIMEOUT_OPT,
    UsageError,
    atomic_write,
    detect_format,
    load_passport,
    load_private,
    load_trust,
    parse_time,
    read_input,
)
from batterypass.cose import (
    decode_sign1_unverified,
    request_timestamp,
    sign_passport,
)
from batterypass.disclosure import DISCLOSABLE_CONTENT_TYPE
from batterypass.errors import BatteryPassError, DecodeError
from batterypass.keys import Algorithm, Curve, PrivateKey, PublicKey
from batterypass.model import Audience, Role
from batterypass.verify import (
    TIMESTAMP_AUTHORITY_ROLE,
    TimestampAuthority,
    TrustAnchor,
    TrustedKey,
    TrustStore,
    VerifiedPassport,
    VerifiedPresentation,
    verify_passport,
    verify_presentation,
)

trust_app = typer.Typer(help="Manage a trust file (keys the verifier trusts, with roles).")
app.add_typer(trust_app, name="trust")


class TrustRole(enum.StrEnum):
    """The roles ``trust add --role`` takes: the actor roles of :class:`Role`, and
    ``timestamp-authority`` for an RFC 3161 TSA (which gets its own list in the file)."""

    MANUFACTURER = Role.MANUFACTURER.value
    ECONOMIC_OPERATOR = Role.ECONOMIC_OPERATOR.value
    REPAIRER = Role.REPAIRER.value
    REPURPOSER = Role.REPURPOSER.value
    REMANUFACTURER = Role.REMANUFACTURER.value
    RECYCLER = Role.RECYCLER.value
    NOTIFIED_BODY = Role.NOTIFIED_BODY.value
    MARKET_SURVEILLANCE = Role.MARKET_SURVEILLANCE.value
    TIMESTAMP_AUTHORITY = TIMESTAMP_AUTHORITY_ROLE


class AlgName(enum.StrEnum):
    EdDSA = "EdDSA"
    Ed448 = "Ed448"
    ES256 = "ES256"
    ES384 = "ES384"
    ES512 = "ES512"


_CURVES = {
    AlgName.EdDSA: Curve.ED25519,
    AlgName.Ed448: Curve.ED448,
    AlgName.ES256: Curve.P256,
    AlgName.ES384: Curve.P384,
    AlgName.ES512: Curve.P521,
}


def _load_public(path: Path, data: bytes) -> PublicKey:
    try:
        if data.lstrip().startswith(b"-----BEGIN"):
            return PublicKey.from_pem(data)
        # Anything else is read as a JWK by the strict JSON reader, whose errors say what the
        # file is (UTF-16, not JSON, nested too deeply, ...).
        return PublicKey.from_jwk(data)
    except DecodeError as e:
        raise DecodeError(
            f"neither a PEM public key nor a JWK: {e.message}",
            path=e.path,
            offset=e.offset,
            source=str(path),
        ) from e
    except BatteryPassError as e:
        raise e.with_source(str(path)) from None


@app.command()
def keygen(
    alg: AlgName = typer.Option(..., "--alg", help="Signature algorithm."),
    out: str = typer.Option(..., "--out", help="Writes PREFIX.key (mode 0600) and PREFIX.pub."),
    kid: str | None = typer.Option(None, "--kid", help="Key id (default: RFC 7638 thumbprint)."),
) -> int:
    """Generate a signing key pair."""
    key_path, pub_path = Path(out + ".key"), Path(out + ".pub")
    for path in (key_path, pub_path):
        if path.exists():
            raise UsageError("exists already; refusing to overwrite a key", source=str(path))
    key = PrivateKey.generate(Algorithm.for_curve(_CURVES[alg]), kid=kid)
    atomic_write(pub_path, key.public_key().to_pem())
    try:
        key.to_file(key_path)
    except BatteryPassError:
        pub_path.unlink(missing_ok=True)  # no half-made key pair
        raise
    state.out.print(key.kid, markup=False)
    state.err.print(f"wrote {key_path} and {pub_path} ({key.alg.cose_name})", markup=False)
    return 0


@trust_app.command("add")
def trust_add(
    trustfile: Path = typer.Argument(..., help="Trust file (created if missing)."),
    pubfile: Path = typer.Argument(
        ...,
        help="Public key (PEM or JWK), or a PEM CA certificate (an X.509 anchor: every signer "
        "it certifies gets --org and --role); for --role timestamp-authority the PEM "
        "certificate the TSA's chains end at.",
    ),
    role: list[TrustRole] = typer.Option(
        ..., "--role", help="Role of the key holder (repeatable)."
    ),
    org: str = typer.Option(..., "--org", help="Organisation id (the passport issuer)."),
    kid: str | None = typer.Option(None, "--kid", help="Key id (default: thumbprint)."),
    not_before: str | None = typer.Option(None, "--not-before", help="ISO 8601 time."),
    not_after: str | None = typer.Option(None, "--not-after", help="ISO 8601 time."),
    intermediate: list[Path] = typer.Option(
        [],
        "--intermediate",
        help="timestamp-authority only: a PEM intermediate certificate (repeatable).",
    ),
    policy: list[str] = typer.Option(
        [],
        "--policy",
        help="timestamp-authority only: accept tokens of this TSA policy OID only "
        "(repeatable; default: any).",
    ),
) -> int:
    """Trust a public key for the given roles and organisation, an X.509 CA certificate as the
    anchor of its signers' chains, or (``--role timestamp-authority``) an RFC 3161 timestamp
    authority by its certificate."""
    start = parse_time(not_before, "--not-before") or datetime.now(UTC).replace(microsecond=0)
    end = parse_time(not_after, "--not-after") or datetime(9999, 12, 31, tzinfo=UTC)
    if TrustRole.TIMESTAMP_AUTHORITY in role:
        return _trust_add_tsa(trustfile, pubfile, role, org, kid, start, end, intermediate, policy)
    if intermediate or policy:
        raise UsageError("--intermediate and --policy are for --role timestamp-authority only")
    data = read_input(pubfile, limit=1024 * 1024)
    if data.lstrip().startswith(b"-----BEGIN CERTIFICATE-----"):
        return _trust_add_anchor(trustfile, pubfile, data, role, org, kid, start, end)
    key = _load_public(pubfile, data)
    roles = [Role(r.value) for r in role]
    _add_to_trust(
        trustfile,
        lambda store: store.add_key(
            key, organisation_id=org, roles=roles, not_before=start, not_after=end, kid=kid
        ),
    )
    state.err.print(f"trusted {kid or key.kid} in {trustfile}", markup=False)
    return 0


def _add_to_trust(trustfile: Path, add: Callable[[TrustStore], TrustStore]) -> None:
    """Add an entry to the trust file (created if missing). Locked from read to rewrite:
    concurrent adds and revokes run one after the other, so none is lost (a lost revocation
    would leave a revoked key trusted)."""
    with update_lock(trustfile):
        store = add(load_trust(trustfile) if trustfile.exists() else TrustStore())
        atomic_write(trustfile, store.to_json().encode("utf-8"), force=trustfile.exists())


def _trust_add_anchor(
    trustfile: Path,
    certfile: Path,
    pem: bytes,
    role: list[TrustRole],
    org: str,
    kid: str | None,
    start: datetime,
    end: datetime,
) -> int:
    if kid is not None:
        raise UsageError("--kid is for keys; an X.509 anchor is named by its fingerprint")
    try:
        anchor = TrustAnchor.from_pem(
            pem,
            organisation_id=org,
            roles=[Role(r.value) for r in role],
            not_before=start,
            not_after=end,
        )
    except BatteryPassError as e:
        raise e.with_source(str(certfile)) from None
    _add_to_trust(trustfile, lambda store: store.add_anchor(anchor))
    subject = anchor.certificate.subject.rfc4514_string()
    state.err.print(
        f"trusted X.509 anchor {anchor.fingerprint} ({subject}) for {org} in {trustfile}",
        markup=False,
    )
    return 0


def _trust_add_tsa(
    trustfile: Path,
    certfile: Path,
    role: list[TrustRole],
    org: str,
    kid: str | None,
    start: datetime,
    end: datetime,
    intermediates: list[Path],
    policies: list[str],
) -> int:
    if len(set(role)) != 1:
        raise UsageError(
            "--role timestamp-authority goes alone: a timestamp authority vouches for times "
            "and signs nothing else"
        )
    if kid is not None:
        raise UsageError("--kid is for keys; a timestamp authority is named by its certificate")
    try:
        authority = TimestampAuthority.from_pem(
            read_input(certfile, limit=1024 * 1024),
            organisation_id=org,
            not_before=start,
            not_after=end,
            intermediates=[read_input(p, limit=1024 * 1024) for p in intermediates],
            policies=policies,
        )
    except BatteryPassError as e:
        raise e.with_source(str(certfile)) from None
    _add_to_trust(trustfile, lambda store: store.add_timestamp_authority(authority))
    state.err.print(
        f"trusted timestamp authority {org} ({authority.fingerprint[:16]}) in {trustfile}",
        markup=False,
    )
    return 0


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment is not None else None


def _window(entry: TrustedKey | TrustAnchor | TimestampAuthority) -> dict[str, Any]:
    """The validity members every kind of trust-file entry has, for ``trust list``."""
    return {
        "not_before": entry.not_before.isoformat(),
        "not_after": entry.not_after.isoformat(),
        "revoked_at": _iso(entry.revoked_at),
    }


def _print_table(
    title: str, columns: dict[str, Callable[[dict[str, Any]], str]], rows: list[dict[str, Any]]
) -> None:
    table = Table(title=title)
    for column in columns:
        table.add_column(column, overflow="fold")
    for row in rows:
        table.add_row(*(cell(row) for cell in columns.values()))
    state.out.print(table)


def _valid(row: dict[str, Any]) -> str:
    return f"{row['not_before']} .. {row['not_after']}"


def _certificate(row: dict[str, Any]) -> str:
    return f"{row['subject']} ({row['fingerprint'][:16]})"


def _roles(row: dict[str, Any]) -> str:
    return ", ".join(row["roles"])


def _revoked(row: dict[str, Any]) -> str:
    return str(row["revoked_at"] or "")


def _compromised(row: dict[str, Any]) -> str:
    return str(row["compromised_at"] or "")


@trust_app.command("list")
def trust_list(
    trustfile: Path = typer.Argument(..., help="Trust file."), as_json: bool = JSON_OPT
) -> int:
    """List the keys, X.509 anchors and timestamp authorities of a trust file."""
    store = load_trust(trustfile)
    keys = [
        {
            "kid": k.kid,
            "organisation": k.organisation_id,
            "roles": sorted(r.value for r in k.roles),
            "algorithm": k.public_key.alg.cose_name,
            **_window(k),
            "compromised_at": _iso(k.compromised_at),
        }
        for k in store.keys
    ]
    anchors = [
        {
            "fingerprint": a.fingerprint,
            "subject": a.certificate.subject.rfc4514_string(),
            "organisation": a.organisation_id,
            "roles": sorted(r.value for r in a.roles),
            **_window(a),
            "compromised_at": _iso(a.compromised_at),
        }
        for a in store.anchors
    ]
    tsas = [
        {
            "organisation": t.organisation_id,
            "fingerprint": t.fingerprint,
            "subject": t.certificate.subject.rfc4514_string(),
            "policies": sorted(t.policies),
            **_window(t),
        }
        for t in store.timestamp_authorities
    ]
    if as_json:
        emit_json(
            {
                "keys": keys,
                # The count, as before; the entries are under "anchors".
                "x509_anchors": len(store.anchors),
                "anchors": anchors,
                "timestamp_authorities": tsas,
            }
        )
        return 0
    _print_table(
        str(trustfile),
        {
            "kid": lambda row: row["kid"],
            "organisation": lambda row: row["organisation"],
            "roles": _roles,
            "algorithm": lambda row: row["algorithm"],
            "valid": _valid,
            "revoked": _revoked,
            "compromised": _compromised,
        },
        keys,
    )
    if anchors:
        _print_table(
            "X.509 anchors",
            {
                "certificate": _certificate,
                "organisation": lambda row: row["organisation"],
                "roles": _roles,
                "valid": _valid,
                "revoked": _revoked,
                "compromised": _compromised,
            },
            anchors,
        )
    if tsas:
        _print_table(
            "timestamp authorities",
            {
                "organisation": lambda row: row["organisation"],
                "certificate": _certificate,
                "policies": lambda row: ", ".join(row["policies"]) or "any",
                "valid": _valid,
                "revoked": _revoked,
            },
            tsas,
        )
    return 0


@trust_app.command("revoke")
def trust_revoke(
    trustfile: Path = typer.Argument(..., help="Trust file."),
    kid_arg: str | None = typer.Argument(
        None,
        metavar="KID",
        help="Key id to revoke (one that begins with '-' goes after '--', or use --kid).",
    ),
    kid_opt: str | None = typer.Option(
        None, "--kid", help="Key id to revoke, as an option: --kid=-KID for one beginning with '-'."
    ),
    anchor: str | None = typer.Option(
        None,
        "--anchor",
        help="Revoke, or report compromised, the X.509 anchor with this SHA-256 fingerprint "
        "(see trust list) instead of a key: every signer it certifies is affected.",
    ),
    at: str | None = typer.Option(
        None,
        "--at",
        help="Revocation time (ISO 8601): signatures at or after it (by their trusted "
        "timestamp, else their claim) are refused.",
    ),
    compromised_at: str | None = typer.Option(
        None,
        "--compromised-at",
        help="The key was stolen at this time (ISO 8601): only signatures with a trusted "
        "timestamp before it still verify.",
    ),
) -> int:
    """Revoke a key (or with ``--anchor`` an X.509 anchor) from a time on (``--at``), or report
    it compromised (``--compromised-at``): then whatever its signatures claim, only those a
    trusted timestamp places before the compromise verify."""
    given = [v for v in (kid_arg, kid_opt, anchor) if v is not None]
    if len(given) != 1:
        raise UsageError(
            "give the key id once (KID or --kid KID), or an anchor fingerprint (--anchor FP) "
            "instead"
        )
    kid = given[0]
    when = parse_time(at, "--at")
    stolen = parse_time(compromised_at, "--compromised-at")
    if when is None and stolen is None:
        raise UsageError("give --at TIME (revocation) or --compromised-at TIME (key compromise)")
    with update_lock(trustfile):  # see _add_to_trust
        store = load_trust(trustfile)
        if anchor is not None:
            if when is not None:
                store = store.revoke_anchor(anchor, at=when)
            if stolen is not None:
                store = store.compromise_anchor(anchor, at=stolen)
            kid = f"X.509 anchor {anchor.lower()}"
        else:
            if when is not None:
                store = store.revoke(kid, at=when)
            if stolen is not None:
                store = store.compromise(kid, at=stolen)
        atomic_write(trustfile, store.to_json().encode("utf-8"), force=True)
    if when is not None:
        state.err.print(f"revoked {kid} from {when.isoformat()}", markup=False)
    if stolen is not None:
        state.err.print(
            f"marked {kid} compromised at {stolen.isoformat()}: only signatures with a trusted "
            "timestamp before then verify",
            markup=False,
        )
    return 0


@app.command()
def sign(
    passport: Path = typer.Argument(..., help="Passport (JSON or CBOR)."),
    key: Path = typer.Option(..., "--key", help="Private key file (PEM)."),
    out: Path = typer.Option(..., "--out", help="Signed passport (COSE_Sign1) to write."),
    kid: str | None = typer.Option(None, "--kid", help="Key id (default: thumbprint)."),
    force: bool = typer.Option(False, "--force", help="Replace an existing OUT."),
    tsa: str | None = TSA_OPT,
    tsa_timeout: float = TSA_TIMEOUT_OPT,
) -> int:
    """Sign a passport: COSE_Sign1 over its deterministic CBOR (with ``--tsa``, timestamped
    by an RFC 3161 authority; nothing is written if the TSA fails)."""
    if out.exists() and not force:
        raise UsageError("exists already; use --force to replace it", source=str(out))
    loaded = load_passport(passport)
    signer = load_private(key, kid)
    data = sign_passport(loaded.passport, signer)
    if tsa is not None:
        data = request_timestamp(data, tsa, timeout=tsa_timeout)
    atomic_write(out, data, force=force)
    state.err.print(
        f"signed {passport} -> {out} ({len(data)} bytes, kid {signer.kid}"
        + (", timestamped" if tsa is not None else "")
        + ")",
        markup=False,
    )
    return 0


@app.command()
def timestamp(
    file: Path = typer.Argument(
        ..., help="A signed passport, presentation or head (one COSE_Sign1)."
    ),
    tsa: str = typer.Option(..., "--tsa", help="URL of an RFC 3161 timestamp authority."),
    out: Path = typer.Option(..., "--out", help="The timestamped copy to write."),
    force: bool = typer.Option(False, "--force", help="Replace an existing OUT."),
    replace: bool = typer.Option(
        False, "--replace", help="Replace a token the file already carries."
    ),
    tsa_timeout: float = TSA_TIMEOUT_OPT,
) -> int:
    """Add an RFC 3161 timestamp over the signature of a signed file (RFC 9921, unprotected
    header 3161-ctt); the signed bytes stay as they are."""
    if out.exists() and not force:
        raise UsageError("exists already; use --force to replace it", source=str(out))
    data = read_input(file)
    try:
        stamped = request_timestamp(data, tsa, timeout=tsa_timeout, replace=replace)
    except BatteryPassError as e:
        raise e.with_source(str(file)) from None
    atomic_write(out, stamped, force=force)
    state.err.print(f"timestamped {file} -> {out} ({len(stamped)} bytes)", markup=False)
    return 0


@app.command()
def verify(
    files: list[Path] = typer.Argument(..., help="Signed passports (COSE_Sign1)."),
    trust: Path = typer.Option(..., "--trust", help="Trust file."),
    at: str | None = typer.Option(
        None,
        "--at",
        help="Check trust at this time (default: the time of its trusted timestamp, else "
        "the passport's issue time).",
    ),
    audience: Audience | None = typer.Option(
        None,
        "--audience",
        help="Require presentations for this audience (exactly its groups); presentations "
        "of disclosable passports are recognised by their content type either way.",
    ),
    require_timestamp: bool = REQUIRE_TIMESTAMP_OPT,
    as_json: bool = JSON_OPT,
) -> int:
    """Verify signed passports and presentations against a trust file; exit 0 only if every
    file verifies."""
    store = load_trust(trust)
    when = parse_time(at, "--at")
    worst = ExitCode.OK
    results: list[dict[str, Any]] = []
    for path in files:
        try:
            data = read_input(path)
            if detect_format(data) == "json":
                raise DecodeError(
                    "JSON text is an unsigned passport, not a signed one (COSE_Sign1); "
                    "sign it with `batterypass sign` first"
                )
            result: VerifiedPassport | VerifiedPresentation
            if audience is not None or _is_presentation(data):
                result = verify_presentation(
                    data,
                    trust=store,
                    audience=audience,
                    at=when,
                    require_timestamp=require_timestamp,
                )
            else:
                result = verify_passport(
                    data, trust=store, at=when, require_timestamp=require_timestamp
                )
        except BatteryPassError as e:
            e.source = None
            code = exit_code_for(e)
            worst = max(worst, code)
            results.append({"file": str(path), "ok": False, "error": error_record(e)})
            if not as_json:
                state.out.print(f"{path}: NOT VERIFIED: {e}", markup=False)
            continue
        p = result.passport
        results.append(
            {
                "file": str(path),
                "ok": True,
                "passport_id": p.passport_id,
                "issuer": p.issuer,
                "kid": result.kid,
                "organisation": result.organisation_id,
                "roles": sorted(r.value for r in result.roles),
                "algorithm": result.algorithm.cose_name,
                "checked_at": result.signed_at.isoformat(),
                "timestamp": None
                if result.timestamp is None
                else {
                    "time": result.timestamp.time.isoformat(),
                    "authority": result.timestamp.authority,
                    "policy": result.timestamp.policy,
                    "serial_number": result.timestamp.serial_number,
                },
            }
        )
        if isinstance(result, VerifiedPresentation):
            results[-1]["groups_shown"] = sorted(int(g) for g in result.groups)
        if not as_json:
            state.out.print(
                f"{path}: verified: {p.passport_id} signed by {result.organisation_id} "
                f"(kid {result.kid}, {result.algorithm.cose_name})"
                + _stamp(result)
                + _shown(result),
                markup=False,
            )
    if as_json:
        emit_json({"ok": worst == ExitCode.OK, "files": results})
    return int(worst)


def _is_presentation(data: bytes) -> bool:
    """Whether ``data`` claims to be a disclosable passport or presentation (by its protected
    content type); the verifier then checks every claim."""
    try:
        return bool(decode_sign1_unverified(data).protected.get(3) == DISCLOSABLE_CONTENT_TYPE)
    except BatteryPassError:
        return False  # the plain verifier reports what is wrong with it


def _stamp(result: VerifiedPassport | VerifiedPresentation) -> str:
    if result.timestamp is None:
        return ""
    return (
        f"; timestamped {result.timestamp.time.isoformat()} by {result.timestamp.authority} "
        f"(policy {result.timestamp.policy})"
    )


def _shown(result: VerifiedPassport | VerifiedPresentation) -> str:
    if isinstance(result, VerifiedPresentation):
        return (
            f"; presentation showing groups {', '.join(str(int(g)) for g in sorted(result.groups))}"
        )
    return ""
