"""Verifying a signed passport (made by :func:`batterypass.cose.sign_passport`).

The signer puts the signing time and the passport id in the protected header, as the CWT
Claims header parameter of RFC 9597 (label 15: ``iat`` and ``sub``). Verification is a fixed
sequence of steps, each failing closed with the error it documents; **the payload is decoded
only after the signature holds**, so unauthenticated bytes never reach the CBOR decoder or the
model:

1. parse the COSE_Sign1 envelope once, under the strict profile
   (:class:`~batterypass.cose.Sign1Error`, a ``SignatureError``, if malformed);
2. check the protected content type says "passport" (``SignatureError``, ``not-a-passport``:
   a signed event or another signed object must never pass as a passport);
3. read the signing time ``iat`` from the protected CWT claims (``Sign1Error``,
   ``no-signing-time``: messages signed without it are refused); when the trust store has
   timestamp authorities, a timestamp token over the signature (RFC 9921) is verified and its
   time becomes the signing time (``bad-timestamp``, ``untrusted-timestamp``,
   ``timestamp-mismatch``; ``no-timestamp`` with ``require_timestamp``), see
   :func:`~batterypass.verify.signing_time`;
4. find the signer in the trust store at the signing time (:class:`TrustError`); a key
   reported compromised verifies only with a trusted timestamp before the compromise
   (``key-compromised``);
5. verify the signature over the exact bytes received (``SignatureError``);
6. the signed ``iat`` must not lie in the future of the verifier's clock (``TrustError``,
   ``future-issue-time``);
7. decode and validate the payload (:class:`DecodeError` / :class:`ValidationError`); its
   ``issued_at`` must fall in the second ``iat`` names and its ``passport_id`` must equal
   ``sub`` (``SignatureError``, ``claims-mismatch``);
8. apply the signer policy: the signer holds the manufacturer or economic-operator role and
   its organisation is the passport's issuer (:class:`TrustError`).

Signing time: ``iat`` is the signer's own claim, covered by the signature but not vouched for
by anyone else. A holder of a compromised key can backdate it; plain revocation therefore
protects only against signatures claimed after it. A trusted timestamp is not the signer's
claim: with one, revocation and compromise are judged by the timestamp's time.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime

from batterypass.codec import cbor
from batterypass.cose import (
    PASSPORT_CONTENT_TYPE,
    Sign1Error,
    Sign1Message,
    SignedClaims,
    parse_sign1,
)
from batterypass.errors import (
    DecodeError,
    SignatureError,
    TrustError,
)
from batterypass.keys import Algorithm
from batterypass.lifecycle import CLOCK_SKEW
from batterypass.model import BatteryPassport, Role
from batterypass.verify._timestamp import VerifiedTimestamp, signing_time
from batterypass.verify._trust import TrustedKey, TrustStore, _require_aware

__all__ = ["PASSPORT_SIGNER_ROLES", "VerifiedPassport", "verify_passport"]

PASSPORT_SIGNER_ROLES = frozenset({Role.MANUFACTURER, Role.ECONOMIC_OPERATOR})
"""Roles that may sign a passport (Art. 77(1), (4): the operator placing the battery on the
market is responsible for the passport)."""


@dataclass(frozen=True, slots=True)
class VerifiedPassport:
    """A passport whose signature, signer and policy checks all passed."""

    passport: BatteryPassport
    kid: str
    organisation_id: str
    roles: frozenset[Role]
    algorithm: Algorithm
    signed_at: datetime
    """The time the checks were made for (``at``, else a trusted timestamp's time, else the
    signed ``iat``)."""
    payload: bytes
    """The exact signed CBOR bytes of the passport."""
    timestamp: VerifiedTimestamp | None = None
    """The verified RFC 3161 timestamp of the signature, if the trust store has timestamp
    authorities and the message carries a token."""


def _check_content_type(msg: Sign1Message) -> None:
    # Before anything reads the payload: a signed event, a disclosable passport or any other
    # signed object must fail as "not a passport", not as an undecodable one.
    if msg.protected.get(3) != PASSPORT_CONTENT_TYPE:
        raise SignatureError(
            f"not a signed passport: protected content type is {msg.protected.get(3)!r}, "
            f"expected {PASSPORT_CONTENT_TYPE!r}",
            code="not-a-passport",
        )


def _lookup(msg: Sign1Message, trust: TrustStore, at: datetime) -> TrustedKey:
    """The trusted key that signed ``msg`` at ``at``: by ``x5chain``, else by ``kid``."""
    if msg.x5chain:
        return trust.lookup_x509(list(msg.x5chain), at=at)
    if msg.kid is None:
        raise TrustError("the message names no signer: no kid and no x5chain header")
    return trust.lookup(msg.kid, at=at)


@dataclass(frozen=True, slots=True)
class _Authenticated:
    claims: SignedClaims
    entry: TrustedKey
    payload: bytes
    at: datetime
    timestamp: VerifiedTimestamp | None


def _authenticate(
    msg: Sign1Message,
    trust: TrustStore,
    at: datetime | None,
    now: datetime | None,
    require_timestamp: bool = False,
) -> _Authenticated:
    """The signature steps shared by the verifiers: the signed claims, the trusted timestamp
    (if the store has timestamp authorities), the key trusted at the signing time (``at``,
    else the timestamp's time, else the signed ``iat``) and not compromised before it, the
    payload that key signed (only the headers are read before the signature holds) and the
    time the checks are for."""
    claims = msg.signing_time()
    signed = claims.iat
    assert signed is not None  # signing_time() raises otherwise
    stamp = signing_time(msg, trust, require_timestamp=require_timestamp)
    when = stamp.time if stamp is not None else signed
    entry = _lookup(msg, trust, at if at is not None else when)
    entry.check_not_compromised(stamp.time if stamp is not None else None)
    payload = msg.verify(entry.public_key)
    return _Authenticated(claims, entry, payload, _checked_time(when, at, now), stamp)


def _checked_time(signed: datetime, at: datetime | None, now: datetime | None) -> datetime:
    """The time the checks are made for: ``at``, else the signed ``iat``, which must not lie
    in the future of the verifier's clock ``now`` (default: the current time)."""
    if at is not None:
        return at
    clock = now or datetime.now(UTC)
    if signed > clock + CLOCK_SKEW:
        raise TrustError(
            f"the passport claims to be signed at {signed.isoformat()}, in the future "
            f"of the verifier's clock ({clock.isoformat()})",
            code="future-issue-time",
        )
    return signed


def _check_signer(entry: TrustedKey, roles: frozenset[Role], passport: BatteryPassport) -> None:
    """The signer policy: one of ``roles``, and the organisation that issued the passport."""
    if not entry.roles & roles:
        held = ", ".join(sorted(r.value for r in entry.roles)) or "none"
        wanted = ", ".join(sorted(r.value for r in roles))
        raise TrustError(
            f"signer {entry.kid} holds roles [{held}]; a passport needs one of [{wanted}]",
            code="signer-role",
            legal_basis="Art. 77(1)",
        )
    if entry.organisation_id != passport.issuer:
        raise TrustError(
            f"signer {entry.kid} belongs to {entry.organisation_id!r}, but the passport's "
            f"issuer is {passport.issuer!r}",
            code="issuer-mismatch",
            path=("issuer",),
        )


def _parse(data: bytes) -> Sign1Message:
    """Parse the envelope once (strict profile); a malformed one is a :class:`DecodeError`
    that keeps the COSE reason code."""
    try:
        return parse_sign1(data)
    except Sign1Error as e:
        raise DecodeError(
            f"not a COSE_Sign1 message: {e.message}", code=e.code, path=e.path, offset=e.offset
        ) from e


def _check_claims(claims: SignedClaims, issued_at: datetime, subject: str, what: str) -> None:
    """The signed payload must say what the signed header says: ``issued_at`` in the second
    ``iat`` names, and the id ``sub`` names."""
    if not claims.matches_time(issued_at):
        assert claims.iat is not None
        raise SignatureError(
            f"the {what}'s issued_at {issued_at.isoformat()} differs from the signing time "
            f"iat {claims.iat.isoformat()} in the protected header",
            path=("issued_at",),
            code="claims-mismatch",
        )
    if claims.sub != subject:
        raise SignatureError(
            f"the {what}'s passport_id {subject!r} differs from the subject "
            f"{claims.sub!r} in the protected header",
            path=("passport_id",),
            code="claims-mismatch",
        )


def verify_passport(
    data: bytes,
    *,
    trust: TrustStore,
    at: datetime | None = None,
    now: datetime | None = None,
    allowed_roles: Iterable[Role] = PASSPORT_SIGNER_ROLES,
    require_timestamp: bool = False,
) -> VerifiedPassport:
    """Verify a signed passport and return it with who signed it; raise on any failure.

    ``at`` is the signing time to check the signer's trust at (default: the time of a trusted
    timestamp when the trust store has timestamp authorities and the message a token, else
    the signed ``iat`` of the protected header; it must not be later than ``now`` (default:
    the current time) plus :data:`CLOCK_SKEW`). ``require_timestamp`` makes a message without
    a trusted timestamp fail (``no-timestamp``). See the module documentation for the
    ordered steps and their errors.
    Failures raised by the passport steps carry their ``code`` (``"not-a-passport"``,
    ``"future-issue-time"``, ``"untrusted-signer"``, ``"key-compromised"``,
    ``"claims-mismatch"``, ``"signer-role"``, ``"issuer-mismatch"``, the timestamp codes);
    COSE failures the :class:`~batterypass.cose.Sign1Reason` value (``specs/error-codes.md``).
    """
    return _verify_passport(data, trust, at, now, frozenset(allowed_roles), require_timestamp)


def _verify_passport(
    data: bytes,
    trust: TrustStore,
    at: datetime | None,
    now: datetime | None,
    roles: frozenset[Role],
    require_timestamp: bool = False,
) -> VerifiedPassport:
    """:func:`verify_passport` (also the bulk worker's entry): the envelope is parsed once,
    and the payload is decoded only after the signature over the exact bytes received holds.
    """
    if at is not None:
        _require_aware(at, "the signing time 'at'")
    if now is not None:
        _require_aware(now, "the verifier's clock 'now'")
    msg = _parse(data)
    _check_content_type(msg)
    if msg.payload is None:
        raise SignatureError(
            "detached payloads are not used for passports",
            code="not-a-passport",
        )
    auth = _authenticate(msg, trust, at, now, require_timestamp)
    entry = auth.entry
    passport = cbor.loads(auth.payload)
    _check_claims(auth.claims, passport.issued_at, passport.passport_id, "passport")
    _check_signer(entry, roles, passport)
    return VerifiedPassport(
        passport=passport,
        kid=entry.kid,
        organisation_id=entry.organisation_id,
        roles=entry.roles,
        algorithm=msg.alg or entry.public_key.alg,
        signed_at=auth.at,
        payload=auth.payload,
        timestamp=auth.timestamp,
    )
