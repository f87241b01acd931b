"""Trusted signing time: RFC 3161 timestamp tokens over COSE signatures (RFC 9921 "COSE, then
timestamp", unprotected header ``3161-ctt``, label 270), checked against the timestamp
authorities of a :class:`~batterypass.verify.TrustStore`.

:func:`signing_time` is the one rule every verifier here applies (passports, presentations,
events, heads):

1. a store **without** timestamp authorities uses the signer's claim (``iat``) as before; a
   token in the message is not looked at (nothing could vouch for it), and
   ``require_timestamp`` is refused as a configuration error;
2. a store **with** authorities verifies a token when the message has one; a token that does
   not verify fails the message (it is never skipped): ``bad-timestamp`` when it is not an
   RFC 3161 token over *this* signature, ``untrusted-timestamp`` when no authority of the
   store vouches for it at its own time;
3. a valid token's time (genTime) becomes the signing time; the signer's ``iat`` may not lie
   after it (beyond the clock skew): ``timestamp-mismatch``;
4. no token, with ``require_timestamp``: ``no-timestamp``; without it: the signer's claim.

The token is parsed and verified by ``rfc3161-client``: the CMS signature, the TSA
certificate chain to the authority's certificate *at the token's time*, the critical
id-kp-timeStamping EKU, and the message imprint. The nonce was checked by whoever asked for
the token (:func:`batterypass.cose.request_timestamp_token`); here it is only recorded, as
is the policy.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Final

from rfc3161_client import (
    TimeStampResponse,
    VerificationError,
    VerifierBuilder,
    decode_timestamp_response,
)

from batterypass.cose import Sign1Message
from batterypass.errors import SignatureError, TrustError
from batterypass.lifecycle import CLOCK_SKEW
from batterypass.verify._trust import TimestampAuthority, TrustStore

__all__ = ["VerifiedTimestamp", "signing_time", "verify_timestamp"]

_HASHES: Final = {
    "2.16.840.1.101.3.4.2.1": ("sha256", hashlib.sha256),
    "2.16.840.1.101.3.4.2.2": ("sha384", hashlib.sha384),
    "2.16.840.1.101.3.4.2.3": ("sha512", hashlib.sha512),
}
# "TimeStampResp ::= SEQUENCE { status PKIStatusInfo, timeStampToken ... }" with status
# granted (0): rfc3161-client parses responses only, so a stored token is put back into the
# smallest response around it. This is a fixed prefix and a DER length, nothing more.
_GRANTED: Final = b"\x30\x03\x02\x01\x00"


@dataclass(frozen=True, slots=True)
class VerifiedTimestamp:
    """A timestamp token that verified against the trust store."""

    time: datetime
    """When the TSA saw the signature (genTime, UTC)."""
    authority: str
    """The ``organisation_id`` of the timestamp authority that vouches for it."""
    authority_fingerprint: str
    """SHA-256 of that authority's certificate in the trust store."""
    policy: str
    """The TSA policy (dotted OID) the token was issued under."""
    serial_number: int
    hash_algorithm: str
    """The MessageImprint hash: ``sha256``, ``sha384`` or ``sha512``."""
    nonce: int | None
    """The nonce of the request, as the token carries it (None if the request had none)."""


def _der_length(n: int) -> bytes:
    if n < 0x80:
        return bytes((n,))
    raw = n.to_bytes((n.bit_length() + 7) // 8, "big")
    return bytes((0x80 | len(raw),)) + raw


def _as_response(token: bytes) -> TimeStampResponse:
    body = _GRANTED + token
    try:
        response = decode_timestamp_response(b"\x30" + _der_length(len(body)) + body)
    except ValueError as e:
        raise SignatureError(
            f"the timestamp token is not a DER RFC 3161 TimeStampToken: {e}",
            code="bad-timestamp",
            path=("unprotected", "3161-ctt"),
        ) from None
    if response.time_stamp_token() != token:  # trailing bytes, or another encoding
        raise SignatureError(
            "the timestamp token is not exactly one DER TimeStampToken",
            code="bad-timestamp",
            path=("unprotected", "3161-ctt"),
        )
    return response


def verify_timestamp(
    token: bytes, imprint_input: bytes, *, authorities: tuple[TimestampAuthority, ...]
) -> VerifiedTimestamp:
    """Verify the DER TimeStampToken ``token`` over ``imprint_input`` (for RFC 9921 CTT: the
    CBOR-encoded signature, :meth:`~batterypass.cose.Sign1Message.timestamp_imprint_input`)
    against ``authorities``; return what it vouches for.

    Raises :class:`~batterypass.errors.SignatureError` (``bad-timestamp``) when the token is
    malformed, uses an unknown imprint hash or is over other bytes, and
    :class:`~batterypass.errors.TrustError` (``untrusted-timestamp``) when no authority
    vouches for it: the chain does not end at an authority's certificate at the token's time
    (an untrusted TSA, an expired or not yet valid TSA certificate, no timeStamping EKU), the
    token time lies outside the authority's window or after its revocation, or its policy is
    not one the authority is trusted for.
    """
    response = _as_response(token)
    info = response.tst_info
    imprint = info.message_imprint
    algorithm = _HASHES.get(imprint.hash_algorithm.dotted_string)
    if algorithm is None:
        raise SignatureError(
            f"the timestamp token's imprint hash {imprint.hash_algorithm.dotted_string} is not "
            "SHA-256, SHA-384 or SHA-512",
            code="bad-timestamp",
        )
    name, digest = algorithm
    if imprint.message != digest(imprint_input).digest():
        raise SignatureError(
            "the timestamp token is over other bytes than this signature (its message "
            "imprint is not the hash of the CBOR-encoded signature, RFC 9921 section 3.1)",
            code="bad-timestamp",
        )
    when = info.gen_time
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    if not authorities:
        raise TrustError(
            "the trust store has no timestamp authorities: no token can be trusted",
            code="untrusted-timestamp",
        )
    reasons: list[str] = []
    for tsa in authorities:
        try:
            _verify_with(response, imprint_input, tsa)
        except VerificationError as e:
            reasons.append(f"{tsa.organisation_id}: {e}")
            continue
        tsa.check_valid(at=when)
        policy = info.policy.dotted_string
        if tsa.policies and policy not in tsa.policies:
            raise TrustError(
                f"the timestamp token's policy {policy} is not one timestamp authority "
                f"{tsa.organisation_id!r} is trusted for ({', '.join(sorted(tsa.policies))})",
                code="untrusted-timestamp",
            )
        return VerifiedTimestamp(
            time=when.astimezone(UTC),
            authority=tsa.organisation_id,
            authority_fingerprint=tsa.fingerprint,
            policy=policy,
            serial_number=info.serial_number,
            hash_algorithm=name,
            nonce=info.nonce,
        )
    raise TrustError(
        f"no timestamp authority of the trust store vouches for the token of "
        f"{when.isoformat()}: {'; '.join(reasons)}",
        code="untrusted-timestamp",
    )


def _verify_with(response: TimeStampResponse, data: bytes, tsa: TimestampAuthority) -> None:
    builder = VerifierBuilder(roots=[tsa.certificate], intermediates=list(tsa.intermediates))
    builder.build().verify_message(response, data)


def signing_time(
    msg: Sign1Message, trust: TrustStore, *, require_timestamp: bool = False
) -> VerifiedTimestamp | None:
    """The verified timestamp of ``msg`` under the rule in the module documentation, or None
    when the signer's own claim is to be used. Raises as documented there."""
    authorities = trust.timestamp_authorities
    if not authorities:
        if require_timestamp:
            raise TrustError(
                "a timestamp is required, but the trust store has no timestamp authorities "
                "to check one with (add one: trust add ... --role timestamp-authority)",
                code="no-timestamp",
            )
        return None
    token = msg.timestamp_token
    if token is None:
        if require_timestamp:
            raise TrustError(
                "the message has no timestamp token (RFC 9921 3161-ctt header), and one is "
                "required",
                code="no-timestamp",
            )
        return None
    stamp = verify_timestamp(token, msg.timestamp_imprint_input(), authorities=authorities)
    claimed = msg.claims.iat if msg.claims is not None else None
    if claimed is not None and claimed > stamp.time + CLOCK_SKEW:
        raise SignatureError(
            f"the signer claims to have signed at {claimed.isoformat()}, after the timestamp "
            f"authority saw the signature ({stamp.time.isoformat()})",
            code="timestamp-mismatch",
        )
    return stamp
