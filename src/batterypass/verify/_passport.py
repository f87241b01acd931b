"""Verifying a signed passport (made by :func:`batterypass.cose.sign_passport`).

Verification is a fixed sequence of steps, each failing closed with the error it documents:

1. decode the COSE_Sign1 envelope, unverified, to read ``kid`` / ``x5chain``
   (:class:`~batterypass.errors.SignatureError` if malformed);
2. check the protected content type says "passport" (``SignatureError``: a signed event or
   another signed object must never pass as a passport);
3. find the signer in the trust store at the signing time (:class:`TrustError`);
4. verify the signature over the exact bytes received (``SignatureError``);
5. decode and validate the payload (:class:`DecodeError` / :class:`ValidationError`);
6. apply the signer policy: the signer holds the manufacturer or economic-operator role and
   its organisation is the passport's issuer (:class:`TrustError`).

Signing time: COSE_Sign1 carries no trusted timestamp. Unless the caller gives ``at``, the
signing time is the passport's own ``issued_at`` (covered by the signature), which must not lie
in the future of the verifier's clock. A holder of a compromised key can backdate
``issued_at``; revocation therefore protects only against signatures claimed after it.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import TypeVar

from batterypass.codec import cbor
from batterypass.cose import (
    PASSPORT_CONTENT_TYPE,
    Sign1Message,
    decode_sign1_unverified,
    verify_sign1,
)
from batterypass.errors import (
    BatteryPassError,
    DecodeError,
    SignatureError,
    TrustError,
    ValidationError,
)
from batterypass.keys import Algorithm
from batterypass.model import BatteryPassport, Role
from batterypass.verify._trust import TrustedKey, TrustStore, _require_aware

__all__ = ["PASSPORT_SIGNER_ROLES", "VerifiedPassport", "verify_passport"]

PASSPORT_SIGNER_ROLES = frozenset({Role.MANUFACTURER, Role.ECONOMIC_OPERATOR})
"""Roles that may sign a passport (Art. 77(1), (4): the operator placing the battery on the
market is responsible for the passport)."""

CLOCK_SKEW = timedelta(minutes=5)
"""How far a passport's ``issued_at`` may lie ahead of the verifier's clock."""


@dataclass(frozen=True, slots=True)
class VerifiedPassport:
    """A passport whose signature, signer and policy checks all passed."""

    passport: BatteryPassport
    kid: str
    organisation_id: str
    roles: frozenset[Role]
    algorithm: Algorithm
    signed_at: datetime
    """The time the checks were made for (``at``, or the passport's ``issued_at``)."""
    payload: bytes
    """The exact signed CBOR bytes of the passport."""


def _check_content_type(msg: Sign1Message) -> None:
    # Before anything reads the payload: a signed event, a disclosable passport or any other
    # signed object must fail as "not a passport", not as an undecodable one.
    if msg.protected.get(3) != PASSPORT_CONTENT_TYPE:
        raise _with_reason(
            SignatureError(
                f"not a signed passport: protected content type is {msg.protected.get(3)!r}, "
                f"expected {PASSPORT_CONTENT_TYPE!r}"
            ),
            "not-a-passport",
        )


def _signer(msg: Sign1Message, trust: TrustStore, at: datetime) -> TrustedKey:
    _check_content_type(msg)
    try:
        if msg.x5chain:
            return trust.lookup_x509(list(msg.x5chain), at=at)
        if msg.kid is None:
            raise TrustError("the message names no signer: no kid and no x5chain header")
        return trust.lookup(msg.kid, at=at)
    except TrustError as e:
        raise _with_reason(e, "untrusted-signer") from None


def _signature_first(
    data: bytes, msg: Sign1Message, trust: TrustStore, error: BatteryPassError
) -> None:
    """Raise the signature error instead of ``error`` if the payload that failed to decode
    is not what the named key signed.

    Without ``at`` the payload is decoded before the signature check, so a tampered payload
    would otherwise be reported as undecodable or invalid; an auditor needs to tell "altered
    after signing" from "signed, but not a valid passport". The key is looked up by kid
    whatever its validity window (only to explain the failure: nothing is accepted here).
    """
    if msg.kid is None:
        return
    for entry in trust.keys:
        if entry.kid.encode("utf-8") == msg.kid:
            try:
                verify_sign1(data, entry.public_key)
            except SignatureError as e:
                raise e from error
            return


_E = TypeVar("_E", bound=BaseException)


def _with_reason(error: _E, reason: str) -> _E:
    """Attach a stable reason code to ``error`` (read by bulk reports) and return it.

    :class:`~batterypass.cose.Sign1Error` has its own ``reason``; the passport steps add
    theirs the same way, as a plain attribute, so that no new exception type is needed.
    """
    error.reason = reason  # type: ignore[attr-defined]
    return error


def verify_passport(
    data: bytes,
    *,
    trust: TrustStore,
    at: datetime | None = None,
    now: datetime | None = None,
    allowed_roles: Iterable[Role] = PASSPORT_SIGNER_ROLES,
) -> VerifiedPassport:
    """Verify a signed passport and return it with who signed it; raise on any failure.

    ``at`` is the signing time to check the signer's trust at (default: the passport's
    ``issued_at``, which must not be later than ``now`` (default: the current time) plus
    :data:`CLOCK_SKEW`). See the module documentation for the ordered steps and their errors.
    Failures raised by the passport steps carry a ``reason`` code (``"not-a-passport"``,
    ``"future-issue-time"``, ``"untrusted-signer"``, ``"signer-role"``,
    ``"issuer-mismatch"``); COSE failures carry their :class:`~batterypass.cose.Sign1Reason`.
    """
    return _verify_passport(data, trust, at, now, frozenset(allowed_roles))


def _verify_passport(
    data: bytes,
    trust: TrustStore,
    at: datetime | None,
    now: datetime | None,
    roles: frozenset[Role],
) -> VerifiedPassport:
    """:func:`verify_passport` with the payload decoded once (also the bulk worker's entry).

    When ``at`` is None the trust lookup needs the passport's ``issued_at`` before the
    signature is checked, so the payload is decoded and validated first, but trusted only
    after the signature verifies; the signature check then runs over the exact bytes
    received, and the payload it returns must be the very bytes that were decoded, so the
    decoded passport is the signed one. With ``at`` given, the signature is checked first.
    """
    if at is not None:
        _require_aware(at, "the signing time 'at'")
    if now is not None:
        _require_aware(now, "the verifier's clock 'now'")
    msg = decode_sign1_unverified(data)
    _check_content_type(msg)
    payload_unverified = msg.payload
    if payload_unverified is None:
        raise _with_reason(
            SignatureError("detached payloads are not used for passports"), "not-a-passport"
        )
    passport: BatteryPassport | None = None
    if at is None:
        try:
            passport = cbor.loads(payload_unverified)
        except (DecodeError, ValidationError) as e:
            _signature_first(data, msg, trust, e)
            raise
        claimed = passport.issued_at
        clock = now or datetime.now(UTC)
        if claimed > clock + CLOCK_SKEW:
            raise _with_reason(
                TrustError(
                    f"the passport claims to be issued at {claimed.isoformat()}, in the "
                    f"future of the verifier's clock ({clock.isoformat()})"
                ),
                "future-issue-time",
            )
        at = claimed
    entry = _signer(msg, trust, at)
    payload = verify_sign1(data, entry.public_key)
    if passport is None:
        passport = cbor.loads(payload)
    elif payload != payload_unverified:  # pragma: no cover - one parser, the same bytes
        raise SignatureError("the verified payload differs from the decoded one")
    if not entry.roles & roles:
        held = ", ".join(sorted(r.value for r in entry.roles)) or "none"
        wanted = ", ".join(sorted(r.value for r in roles))
        raise _with_reason(
            TrustError(
                f"signer {entry.kid} holds roles [{held}]; a passport needs one of [{wanted}]",
                legal_basis="Art. 77(1)",
            ),
            "signer-role",
        )
    if entry.organisation_id != passport.issuer:
        raise _with_reason(
            TrustError(
                f"signer {entry.kid} belongs to {entry.organisation_id!r}, but the passport's "
                f"issuer is {passport.issuer!r}",
                path=("issuer",),
            ),
            "issuer-mismatch",
        )
    return VerifiedPassport(
        passport=passport,
        kid=entry.kid,
        organisation_id=entry.organisation_id,
        roles=entry.roles,
        algorithm=msg.alg or entry.public_key.alg,
        signed_at=at,
        payload=payload,
    )
