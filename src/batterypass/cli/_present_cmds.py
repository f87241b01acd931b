"""Commands for selectively disclosable passports: issue-disclosable, present."""

from __future__ import annotations

import enum
from pathlib import Path

import typer

from batterypass.cli._app import app, state
from batterypass.cli._io import UsageError, atomic_write, load_passport, read_input
from batterypass.disclosure import DisclosablePassport, issue_disclosable, present
from batterypass.errors import BatteryPassError
from batterypass.keys import PrivateKey
from batterypass.model import Audience


class AudienceName(enum.StrEnum):
    public = "public"
    legitimate_interest = "legitimate-interest"
    authority = "authority"
    commission = "commission"


def _refuse_overwrite(out: Path, force: bool) -> None:
    if out.exists() and not force:
        raise UsageError("exists already; use --force to replace it", source=str(out))


@app.command("issue-disclosable")
def issue_disclosable_cmd(
    passport: Path = typer.Argument(..., help="Passport (JSON or CBOR)."),
    key: Path = typer.Option(..., "--key", help="Private key file (PEM)."),
    out: Path = typer.Option(..., "--out", help="Disclosable passport to write."),
    kid: str | None = typer.Option(None, "--kid", help="Key id (default: thumbprint)."),
    force: bool = typer.Option(False, "--force", help="Replace an existing OUT."),
) -> int:
    """Sign a passport once so that each audience can be shown, verifiably, only its part."""
    _refuse_overwrite(out, force)
    loaded = load_passport(passport)
    if not key.exists():
        raise UsageError("no such key file", source=str(key))
    signer = PrivateKey.from_file(key, kid=kid)
    data = issue_disclosable(loaded.passport, signer).to_bytes()
    atomic_write(out, data, force=force)
    state.err.print(
        f"issued {passport} -> {out} ({len(data)} bytes, kid {signer.kid}); keep it whole, "
        "it holds every group's disclosures",
        markup=False,
    )
    return 0


@app.command("present")
def present_cmd(
    file: Path = typer.Argument(..., help="Disclosable passport (from issue-disclosable)."),
    audience: AudienceName = typer.Option(..., "--audience", help="Who the presentation is for."),
    out: Path = typer.Option(..., "--out", help="Presentation to write."),
    force: bool = typer.Option(False, "--force", help="Replace an existing OUT."),
) -> int:
    """Write the presentation an audience may see (Art. 77(2)): no key needed."""
    _refuse_overwrite(out, force)
    try:
        dp = DisclosablePassport.from_bytes_unverified(read_input(file))
    except BatteryPassError as e:
        raise e.with_source(str(file)) from None
    data = present(dp, Audience(audience.value))
    atomic_write(out, data, force=force)
    state.err.print(f"wrote {out}: {audience.value} presentation, {len(data)} bytes", markup=False)
    return 0
