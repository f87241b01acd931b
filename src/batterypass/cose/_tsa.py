"""Asking an RFC 3161 timestamp authority (TSA) for a token over a COSE_Sign1 signature.

RFC 9921's "COSE, then timestamp" form: the MessageImprint is the hash of the CBOR-encoded
``signature`` field (:meth:`Sign1Message.timestamp_imprint_input`), and the token goes into
the unprotected ``3161-ctt`` header (label 270), so adding it changes no signed byte.

The request and the response are built and parsed by ``rfc3161-client`` (no ASN.1 of ours);
the transport is one HTTP POST (RFC 3161 section 3.4, ``application/timestamp-query``) with
the standard library, a timeout and a bounded read. What is checked here is what only the
requester can check: the status is *granted*, the nonce is the one sent, and the imprint is
the hash of these signature bytes. The TSA's certificate chain is checked by the verifier,
against the timestamp authorities of its trust store (``batterypass.verify``).
"""

from __future__ import annotations

import http.client
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from typing import Final

from rfc3161_client import (
    HashAlgorithm,
    PKIStatus,
    TimestampRequestBuilder,
    decode_timestamp_response,
)

from batterypass.cose._sign1 import Sign1Message, add_timestamp_token, parse_sign1
from batterypass.errors import TimestampError
from batterypass.keys import Curve

__all__ = [
    "MAX_TSA_RESPONSE_BYTES",
    "TSA_TIMEOUT_SECONDS",
    "TimestampGrant",
    "request_timestamp",
    "request_timestamp_token",
]

TSA_TIMEOUT_SECONDS: Final = 10.0
"""Default time to wait for the TSA (connect and each read)."""

MAX_TSA_RESPONSE_BYTES: Final = 256 * 1024
"""Largest TimeStampResp read from a TSA: a token with its certificate chain is a few KiB."""

_QUERY_TYPE: Final = "application/timestamp-query"
_REPLY_TYPES: Final = frozenset({"application/timestamp-reply", "application/timestamp-response"})


@dataclass(frozen=True, slots=True)
class TimestampGrant:
    """A token the TSA granted for the imprint and nonce sent; **its signature and chain are
    not checked yet** (the verifier does that against its trust store)."""

    token: bytes
    """The DER TimeStampToken, as it goes into the ``3161-ctt`` header."""
    nonce: int
    """The nonce sent, which the TSA echoed."""
    policy: str
    """The TSA policy the token was issued under (dotted OID)."""


def _hash_for(msg: Sign1Message) -> HashAlgorithm:
    # RFC 9921 section 3.1: the imprint hash SHOULD be the signing algorithm's. rfc3161-client
    # offers SHA-256 and SHA-512: SHA-256 for P-256, SHA-512 for everything else (Ed25519 uses
    # SHA-512 inside; P-384/Ed448 get the stronger of the two).
    if msg.alg is not None and msg.alg.curve is Curve.P256:
        return HashAlgorithm.SHA256
    return HashAlgorithm.SHA512


def _post(url: str, body: bytes, timeout: float, limit: int) -> bytes:
    if not url.startswith(("http://", "https://")):
        # Checked first: urllib would also open file: and ftp: URLs.
        raise TimestampError(f"TSA URL must be http:// or https://, not {url!r}", code="tsa-error")
    request = urllib.request.Request(  # noqa: S310 - scheme checked above
        url,
        data=body,
        method="POST",
        headers={"Content-Type": _QUERY_TYPE, "Accept": "application/timestamp-reply"},
    )
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310
            kind = (response.headers.get("Content-Type") or "").split(";")[0].strip().lower()
            if kind not in _REPLY_TYPES:
                raise TimestampError(
                    f"TSA {url} answered with content type {kind or 'none'!r}, not "
                    "application/timestamp-reply",
                    code="tsa-error",
                )
            data = _read_until(response, limit, time.monotonic() + timeout, url)
    except urllib.error.HTTPError as e:
        raise TimestampError(
            f"TSA {url} refused the request: HTTP {e.code} {e.reason}", code="tsa-refused"
        ) from None
    except (urllib.error.URLError, TimeoutError, OSError) as e:
        reason = getattr(e, "reason", e)
        raise TimestampError(f"TSA {url} is unreachable: {reason}", code="tsa-unreachable") from e
    if len(data) > limit:
        raise TimestampError(
            f"TSA {url} answered more than {limit} bytes; a timestamp reply is a few KiB",
            code="tsa-error",
        )
    return data


def _read_until(response: http.client.HTTPResponse, limit: int, deadline: float, url: str) -> bytes:
    # The socket timeout bounds each read; the deadline bounds them all, so that a server
    # sending a byte at a time cannot hold the caller (and the log lock of `events append`).
    chunks: list[bytes] = []
    size = 0
    while size <= limit:
        chunk = response.read1(min(65536, limit + 1 - size))
        if not chunk:
            break
        chunks.append(chunk)
        size += len(chunk)
        if time.monotonic() > deadline:
            raise TimestampError(
                f"TSA {url} did not finish its answer in time", code="tsa-unreachable"
            )
    return b"".join(chunks)


def request_timestamp_token(
    message: bytes | Sign1Message,
    url: str,
    *,
    timeout: float = TSA_TIMEOUT_SECONDS,
    max_response_bytes: int = MAX_TSA_RESPONSE_BYTES,
) -> TimestampGrant:
    """Ask the TSA at ``url`` for a token over the signature of ``message`` (a COSE_Sign1,
    read under the strict profile) and return it with the nonce and policy; raise
    :class:`~batterypass.errors.TimestampError` (``tsa-unreachable``, ``tsa-refused``,
    ``tsa-error``) otherwise.

    The request carries a fresh random nonce and asks for the TSA's certificate (so the
    verifier can build its chain from the token alone).
    """
    msg = message if isinstance(message, Sign1Message) else parse_sign1(message)
    imprint_input = msg.timestamp_imprint_input()
    query = (
        TimestampRequestBuilder()
        .data(imprint_input)
        .hash_algorithm(_hash_for(msg))
        .nonce(nonce=True)
        .cert_request(cert_request=True)
        .build()
    )
    raw = _post(url, query.as_bytes(), timeout, max_response_bytes)
    try:
        reply = decode_timestamp_response(raw)
    except ValueError as e:
        raise TimestampError(
            f"TSA {url} answered something that is not an RFC 3161 TimeStampResp: {e}",
            code="tsa-error",
        ) from None
    if reply.status != PKIStatus.GRANTED:
        text = "; ".join(reply.status_string) or "no reason given"
        raise TimestampError(
            f"TSA {url} did not grant a token (PKIStatus {reply.status}: {text})",
            code="tsa-refused",
        )
    info = reply.tst_info
    if info.nonce != query.nonce:
        raise TimestampError(
            f"TSA {url} answered with nonce {info.nonce}, not the {query.nonce} sent: not a "
            "reply to this request",
            code="tsa-error",
        )
    sent, got = query.message_imprint, info.message_imprint
    if got.hash_algorithm != sent.hash_algorithm or got.message != sent.message:
        raise TimestampError(
            f"TSA {url} timestamped another message imprint than the one sent (the hash of "
            "this signature)",
            code="tsa-error",
        )
    return TimestampGrant(
        token=reply.time_stamp_token(), nonce=query.nonce, policy=info.policy.dotted_string
    )


def request_timestamp(
    message: bytes,
    url: str,
    *,
    timeout: float = TSA_TIMEOUT_SECONDS,
    max_response_bytes: int = MAX_TSA_RESPONSE_BYTES,
    replace: bool = False,
) -> bytes:
    """``message`` (a signed COSE_Sign1) with a token from the TSA at ``url`` in its
    unprotected ``3161-ctt`` header (RFC 9921 "COSE, then timestamp"); the signed bytes are
    unchanged. See :func:`request_timestamp_token` for what is checked and raised, and
    :func:`~batterypass.cose.add_timestamp_token` for ``replace``."""
    msg = parse_sign1(message)
    if msg.timestamp_token is not None and not replace:
        # Refuse before asking the TSA anything.
        add_timestamp_token(message, msg.timestamp_token)
    grant = request_timestamp_token(
        msg, url, timeout=timeout, max_response_bytes=max_response_bytes
    )
    return add_timestamp_token(message, grant.token, replace=replace)
