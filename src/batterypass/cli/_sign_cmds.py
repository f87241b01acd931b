"""Commands for keys, trust files, signing and verification."""

from __future__ import annotations

import enum
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import typer
from rich.table import Table

from batterypass._fs import update_lock
from batterypass.cli._app import ExitCode, app, emit_json, error_record, exit_code_for, state
from batterypass.cli._io import (
    JSON_OPT,
    UsageError,
    atomic_write,
    detect_format,
    load_passport,
    load_private,
    load_trust,
    parse_time,
    read_input,
)
from batterypass.cose import decode_sign1_unverified, sign_passport
from batterypass.disclosure import DISCLOSABLE_CONTENT_TYPE
from batterypass.errors import BatteryPassError, DecodeError
from batterypass.keys import Algorithm, Curve, PrivateKey, PublicKey
from batterypass.model import Audience, Role
from batterypass.verify import (
    TrustStore,
    VerifiedPassport,
    VerifiedPresentation,
    verify_passport,
    verify_presentation,
)

trust_app = typer.Typer(help="Manage a trust file (keys the verifier trusts, with roles).")
app.add_typer(trust_app, name="trust")


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


def _load_public(path: Path) -> PublicKey:
    data = read_input(path, limit=1024 * 1024)
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
    pubfile: Path = typer.Argument(..., help="Public key (PEM or JWK)."),
    role: list[Role] = typer.Option(..., "--role", help="Role of the key holder (repeatable)."),
    org: str = typer.Option(..., "--org", help="Organisation id (the passport issuer)."),
    kid: str | None = typer.Option(None, "--kid", help="Key id (default: thumbprint)."),
    not_before: str | None = typer.Option(None, "--not-before", help="ISO 8601 time."),
    not_after: str | None = typer.Option(None, "--not-after", help="ISO 8601 time."),
) -> int:
    """Trust a public key for the given roles and organisation."""
    key = _load_public(pubfile)
    start = parse_time(not_before, "--not-before") or datetime.now(UTC).replace(microsecond=0)
    end = parse_time(not_after, "--not-after") or datetime(9999, 12, 31, tzinfo=UTC)
    # Locked from read to rewrite: concurrent adds and revokes run one after the other, so
    # none is lost (a lost revocation would leave a revoked key trusted).
    with update_lock(trustfile):
        store = load_trust(trustfile) if trustfile.exists() else TrustStore()
        store = store.add_key(
            key, organisation_id=org, roles=role, not_before=start, not_after=end, kid=kid
        )
        atomic_write(trustfile, store.to_json().encode("utf-8"), force=trustfile.exists())
    state.err.print(f"trusted {kid or key.kid} in {trustfile}", markup=False)
    return 0


@trust_app.command("list")
def trust_list(
    trustfile: Path = typer.Argument(..., help="Trust file."), as_json: bool = JSON_OPT
) -> int:
    """List the keys of a trust file."""
    store = load_trust(trustfile)
    rows: list[dict[str, Any]] = [
        {
            "kid": k.kid,
            "organisation": k.organisation_id,
            "roles": sorted(r.value for r in k.roles),
            "algorithm": k.public_key.alg.cose_name,
            "not_before": k.not_before.isoformat(),
            "not_after": k.not_after.isoformat(),
            "revoked_at": k.revoked_at.isoformat() if k.revoked_at else None,
        }
        for k in store.keys
    ]
    if as_json:
        emit_json({"keys": rows, "x509_anchors": len(store.anchors)})
        return 0
    table = Table(title=str(trustfile))
    for column in ("kid", "organisation", "roles", "algorithm", "valid", "revoked"):
        table.add_column(column, overflow="fold")
    for k in store.keys:
        table.add_row(
            k.kid,
            k.organisation_id,
            ", ".join(sorted(r.value for r in k.roles)),
            k.public_key.alg.cose_name,
            f"{k.not_before.isoformat()} .. {k.not_after.isoformat()}",
            k.revoked_at.isoformat() if k.revoked_at else "",
        )
    state.out.print(table)
    return 0


@trust_app.command("revoke")
def trust_revoke(
    trustfile: Path = typer.Argument(..., help="Trust file."),
    kid: str = typer.Argument(..., help="Key id to revoke."),
    at: str = typer.Option(..., "--at", help="Revocation time (ISO 8601)."),
) -> int:
    """Revoke a key from a time on (signatures claimed at or after it are refused)."""
    when = parse_time(at, "--at")
    assert when is not None
    with update_lock(trustfile):  # see trust add
        store = load_trust(trustfile).revoke(kid, at=when)
        atomic_write(trustfile, store.to_json().encode("utf-8"), force=True)
    state.err.print(f"revoked {kid} from {when.isoformat()}", markup=False)
    return 0


@app.command()
def sign(
    passport: Path = typer.Argument(..., help="Passport (JSON or CBOR)."),
    key: Path = typer.Option(..., "--key", help="Private key file (PEM)."),
    out: Path = typer.Option(..., "--out", help="Signed passport (COSE_Sign1) to write."),
    kid: str | None = typer.Option(None, "--kid", help="Key id (default: thumbprint)."),
    force: bool = typer.Option(False, "--force", help="Replace an existing OUT."),
) -> int:
    """Sign a passport: COSE_Sign1 over its deterministic CBOR."""
    if out.exists() and not force:
        raise UsageError("exists already; use --force to replace it", source=str(out))
    loaded = load_passport(passport)
    signer = load_private(key, kid)
    data = sign_passport(loaded.passport, signer)
    atomic_write(out, data, force=force)
    state.err.print(
        f"signed {passport} -> {out} ({len(data)} bytes, kid {signer.kid})", markup=False
    )
    return 0


@app.command()
def verify(
    files: list[Path] = typer.Argument(..., help="Signed passports (COSE_Sign1)."),
    trust: Path = typer.Option(..., "--trust", help="Trust file."),
    at: str | None = typer.Option(
        None, "--at", help="Check trust at this time (default: the passport's issue time)."
    ),
    audience: Audience | None = typer.Option(
        None,
        "--audience",
        help="Require presentations for this audience (exactly its groups); presentations "
        "of disclosable passports are recognised by their content type either way.",
    ),
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
                result = verify_presentation(data, trust=store, audience=audience, at=when)
            else:
                result = verify_passport(data, trust=store, at=when)
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
            }
        )
        if isinstance(result, VerifiedPresentation):
            results[-1]["groups_shown"] = sorted(int(g) for g in result.groups)
        if not as_json:
            state.out.print(
                f"{path}: verified: {p.passport_id} signed by {result.organisation_id} "
                f"(kid {result.kid}, {result.algorithm.cose_name})" + _shown(result),
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


def _shown(result: VerifiedPassport | VerifiedPresentation) -> str:
    if isinstance(result, VerifiedPresentation):
        return (
            f"; presentation showing groups {', '.join(str(int(g)) for g in sorted(result.groups))}"
        )
    return ""
