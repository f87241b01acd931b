"""Trust store: which keys and X.509 anchors may sign, for which organisation and roles, when;
and which timestamp authorities (RFC 3161) it believes about the time of a signature.

The trust file format is specified in ``specs/trust-file.md``. Every lookup takes an explicit
time ``at``; nothing here reads the clock.

X.509 path validation uses ``cryptography.x509.verification`` with a client verifier and our
own end-entity extension policy (no TLS name or EKU requirements, see
:func:`verify_x509_chain`). No ``cryptography.hazmat`` import lives here: certificate keys are
handed to :mod:`batterypass.keys` as plain objects.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import os
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, NoReturn

from cryptography import x509
from cryptography.x509.oid import NameOID
from cryptography.x509.verification import (
    Criticality,
    ExtensionPolicy,
    Policy,
    PolicyBuilder,
    Store,
    VerificationError,
)

from batterypass._fs import read_bounded, write_atomic
from batterypass.codec.json import loads_value
from batterypass.errors import InvalidKeyError, PathItem, TrustError
from batterypass.keys import PublicKey
from batterypass.model import Role

__all__ = [
    "TIMESTAMP_AUTHORITY_ROLE",
    "TRUST_FILE_FORMAT",
    "TimestampAuthority",
    "TrustAnchor",
    "TrustStore",
    "TrustedKey",
    "verify_x509_chain",
]

TIMESTAMP_AUTHORITY_ROLE = "timestamp-authority"
"""The trust-file role of an RFC 3161 timestamp authority (``trust add --role
timestamp-authority``). It is not a :class:`~batterypass.model.Role`: a TSA vouches for times,
never signs a passport or an event, so it has its own list in the trust file."""

TRUST_FILE_FORMAT = "batterypass-trust"
_VERSION = 1
_MAX_TRUST_FILE_BYTES = 64 * 1024 * 1024


def _require_aware(at: object, what: str = "at") -> datetime:
    """A timezone-aware datetime whose UTC instant lies in years 1..9999, else TrustError.

    Times come from signed (but not yet verified) payloads: a local time such as
    0001-01-01T00:00+01:00 is valid, yet has no UTC instant, and must fail as untrusted, not
    crash with OverflowError."""
    if not isinstance(at, datetime) or at.tzinfo is None or at.utcoffset() is None:
        raise TrustError(f"{what} must be a timezone-aware datetime, got {at!r}")
    try:
        at.astimezone(UTC)
    except OverflowError:
        raise TrustError(
            f"{what} {at.isoformat()} lies outside the years 1 to 9999 in UTC"
        ) from None
    return at


def _fmt(moment: datetime) -> str:
    try:
        return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")
    except OverflowError:
        return moment.isoformat()


def _check_window(
    what: str,
    not_before: datetime,
    not_after: datetime,
    revoked_at: datetime | None,
    at: datetime,
) -> None:
    if revoked_at is not None and revoked_at <= at:
        raise TrustError(f"{what} was revoked at {_fmt(revoked_at)} (checked at {_fmt(at)})")
    if at < not_before:
        raise TrustError(f"{what} is not valid before {_fmt(not_before)} (checked at {_fmt(at)})")
    if at >= not_after:
        raise TrustError(f"{what} expired at {_fmt(not_after)} (checked at {_fmt(at)})")


def _check_entry_fields(
    organisation_id: object,
    roles: object,
    not_before: object,
    not_after: object,
    revoked_at: object,
) -> None:
    if not isinstance(organisation_id, str) or not organisation_id.strip():
        raise TrustError("organisation_id must be non-empty text")
    if not isinstance(roles, frozenset) or not roles or not all(isinstance(r, Role) for r in roles):
        raise TrustError("roles must be a non-empty frozenset of Role")
    nb = _require_aware(not_before, "not_before")
    na = _require_aware(not_after, "not_after")
    if not nb < na:
        raise TrustError(f"not_before {_fmt(nb)} must be earlier than not_after {_fmt(na)}")
    if revoked_at is not None:
        _require_aware(revoked_at, "revoked_at")


@dataclass(frozen=True, slots=True)
class TrustedKey:
    """A key the trust store vouches for: who holds it, in which roles, and when.

    Valid for ``not_before <= at < not_after`` unless revoked at or before ``at``.
    ``compromised_at``: the key was reported stolen at that time; from then on anyone may hold
    it and backdate, so only signatures a trusted timestamp places before that time verify
    (:meth:`check_not_compromised`). ``certified_by``: for a key certified through an X.509
    chain, the SHA-256 fingerprint of the trust anchor it ends at (its window, revocation and
    compromise are the anchor's).
    """

    kid: str
    public_key: PublicKey = field(repr=False)
    organisation_id: str
    roles: frozenset[Role]
    not_before: datetime
    not_after: datetime
    revoked_at: datetime | None = None
    compromised_at: datetime | None = None
    certified_by: str | None = None

    def __post_init__(self) -> None:
        if not isinstance(self.kid, str) or not self.kid:
            raise TrustError("kid must be non-empty text")
        if not isinstance(self.public_key, PublicKey):
            raise TrustError("public_key must be a batterypass.keys.PublicKey")
        if self.public_key.kid != self.kid:
            # The entry's kid is the one messages carry; keep the key consistent with it.
            object.__setattr__(self, "public_key", replace(self.public_key, kid=self.kid))
        _check_entry_fields(
            self.organisation_id, self.roles, self.not_before, self.not_after, self.revoked_at
        )
        if self.compromised_at is not None:
            _require_aware(self.compromised_at, "compromised_at")

    def check_valid(self, *, at: datetime) -> None:
        """Raise :class:`~batterypass.errors.TrustError` unless the key is usable at ``at``."""
        _check_window(
            f"key {self.kid!r}",
            self.not_before,
            self.not_after,
            self.revoked_at,
            _require_aware(at),
        )

    def check_not_compromised(self, timestamped_at: datetime | None) -> None:
        """Raise :class:`~batterypass.errors.TrustError` (``key-compromised``) if the key was
        reported compromised and the signature has no trusted timestamp before that time.

        ``timestamped_at`` is the time of a *verified* timestamp token over the signature
        (None without one). The signer's own claim (``iat``) never counts here: whoever holds
        a stolen key can write any ``iat``.
        """
        when = self.compromised_at
        if when is None:
            return
        what = (
            f"key {self.kid!r}"
            if self.certified_by is None
            else f"trust anchor {self.certified_by[:16]} (which certifies key {self.kid!r})"
        )
        if timestamped_at is None:
            raise TrustError(
                f"{what} was reported compromised at {_fmt(when)}; only signatures "
                "with a trusted timestamp from before then verify, and this one has none",
                code="key-compromised",
            )
        if _require_aware(timestamped_at, "timestamped_at") >= when:
            raise TrustError(
                f"{what} was reported compromised at {_fmt(when)}; this signature's "
                f"trusted timestamp {_fmt(timestamped_at)} is not before then",
                code="key-compromised",
            )


@dataclass(frozen=True, slots=True)
class TrustAnchor:
    """An X.509 certificate (normally a CA) trusted to certify signers of one organisation.

    Every signer whose chain ends at this anchor gets the anchor's ``organisation_id`` and
    ``roles``; the anchor's own window and revocation apply on top of the certificates'.
    ``compromised_at``: the anchor's (CA's) key was reported stolen at that time, so any
    certificate under it may be forged from then on: a signature by a key it certifies
    verifies only with a trusted timestamp before that time, as for a compromised key.
    The certificate is held as DER bytes (``certificate`` is the parsed object).
    """

    certificate_der: bytes = field(repr=False)
    organisation_id: str
    roles: frozenset[Role]
    not_before: datetime
    not_after: datetime
    revoked_at: datetime | None = None
    compromised_at: datetime | None = None
    certificate: x509.Certificate = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        if not isinstance(self.certificate_der, bytes):
            raise TrustError("certificate_der must be DER bytes")
        try:
            cert = x509.load_der_x509_certificate(self.certificate_der)
        except ValueError as e:
            raise TrustError(f"trust anchor is not a DER certificate: {e}") from e
        object.__setattr__(self, "certificate", cert)
        _check_entry_fields(
            self.organisation_id, self.roles, self.not_before, self.not_after, self.revoked_at
        )
        if self.compromised_at is not None:
            _require_aware(self.compromised_at, "compromised_at")

    @classmethod
    def from_pem(
        cls,
        pem: str | bytes,
        *,
        organisation_id: str,
        roles: Iterable[Role],
        not_before: datetime,
        not_after: datetime,
        revoked_at: datetime | None = None,
        compromised_at: datetime | None = None,
    ) -> TrustAnchor:
        """An anchor from one PEM ``CERTIFICATE`` block."""
        return cls(
            _pem_to_der(pem),
            organisation_id=organisation_id,
            roles=frozenset(roles),
            not_before=not_before,
            not_after=not_after,
            revoked_at=revoked_at,
            compromised_at=compromised_at,
        )

    @property
    def fingerprint(self) -> str:
        """SHA-256 of the DER certificate, lowercase hex: the anchor's identifier."""
        return hashlib.sha256(self.certificate_der).hexdigest()

    def to_pem(self) -> str:
        """The certificate as one PEM ``CERTIFICATE`` block."""
        return _der_to_pem(self.certificate_der)

    def check_valid(self, *, at: datetime) -> None:
        """Raise :class:`~batterypass.errors.TrustError` unless the anchor is usable at ``at``."""
        _check_window(
            f"trust anchor {self.fingerprint[:16]}",
            self.not_before,
            self.not_after,
            self.revoked_at,
            _require_aware(at),
        )

    def is_valid(self, at: datetime) -> bool:
        """True if :meth:`check_valid` would pass at ``at``."""
        try:
            self.check_valid(at=at)
        except TrustError:
            return False
        return True


_PEM_BEGIN = "-----BEGIN CERTIFICATE-----"
_PEM_END = "-----END CERTIFICATE-----"


def _der_to_pem(der: bytes) -> str:
    body = base64.b64encode(der).decode("ascii")
    lines = [body[i : i + 64] for i in range(0, len(body), 64)]
    return "\n".join([_PEM_BEGIN, *lines, _PEM_END]) + "\n"


def _pem_to_der(pem: str | bytes) -> bytes:
    """DER bytes of exactly one PEM CERTIFICATE block (the DER itself is parsed later).

    Done by hand because the ``cryptography`` serialization enums live under ``hazmat``,
    which only ``keys`` and ``cose`` import.
    """
    try:
        text = pem.decode("ascii") if isinstance(pem, bytes) else pem
    except UnicodeDecodeError as e:
        raise TrustError("PEM certificate must be ASCII text") from e
    lines = [line.strip() for line in text.strip().splitlines()]
    if len(lines) < 3 or lines[0] != _PEM_BEGIN or lines[-1] != _PEM_END:
        raise TrustError("expected exactly one PEM block: -----BEGIN CERTIFICATE----- ... END")
    body = "".join(lines[1:-1])
    try:
        return base64.b64decode(body, validate=True)
    except (binascii.Error, ValueError) as e:
        raise TrustError(f"PEM certificate body is not base64: {e}") from e


# --- X.509 ------------------------------------------------------------------------------------


def _leaf_key_usage(_policy: Policy, _cert: x509.Certificate, ku: x509.KeyUsage) -> None:
    if not (ku.digital_signature or ku.content_commitment):
        raise ValueError("leaf KeyUsage allows neither digitalSignature nor contentCommitment")


def _leaf_basic_constraints(
    _policy: Policy, _cert: x509.Certificate, bc: x509.BasicConstraints | None
) -> None:
    if bc is not None and bc.ca:
        raise ValueError("leaf is a CA certificate; a signer must be an end entity")


def _ee_policy() -> ExtensionPolicy:
    # The built-in end-entity policies are for TLS: they require a subjectAltName and the
    # serverAuth/clientAuth EKU, which a passport signing certificate has no reason to carry.
    # permit_all() still refuses unknown critical extensions; on top of it we require a
    # signing KeyUsage and forbid CA certificates as signers.
    return (
        ExtensionPolicy.permit_all()
        .require_present(x509.KeyUsage, Criticality.AGNOSTIC, _leaf_key_usage)
        .may_be_present(x509.BasicConstraints, Criticality.AGNOSTIC, _leaf_basic_constraints)
    )


def _load_chain(chain_der: Sequence[bytes]) -> list[x509.Certificate]:
    if isinstance(chain_der, bytes | str) or not chain_der:
        raise TrustError("x5chain must be a non-empty list of DER certificates, leaf first")
    certs = []
    for i, der in enumerate(chain_der):
        if not isinstance(der, bytes):
            raise TrustError("x5chain entries must be DER bytes", path=("x5chain", i))
        try:
            certs.append(x509.load_der_x509_certificate(der))
        except ValueError as e:
            raise TrustError(f"not a DER certificate: {e}", path=("x5chain", i)) from e
    return certs


def _verify_chain(
    chain_der: Sequence[bytes],
    anchors: Sequence[x509.Certificate],
    at: datetime,
    max_chain_depth: int,
) -> tuple[PublicKey, list[x509.Certificate]]:
    at = _require_aware(at)
    certs = _load_chain(chain_der)
    if not anchors:
        raise TrustError("no X.509 trust anchors: a certificate chain cannot be trusted")
    try:
        verifier = (
            PolicyBuilder()
            .store(Store(list(anchors)))
            .time(at.astimezone(UTC))
            .max_chain_depth(max_chain_depth)
            .extension_policies(
                ca_policy=ExtensionPolicy.webpki_defaults_ca(), ee_policy=_ee_policy()
            )
            .build_client_verifier()
        )
        verified = verifier.verify(certs[0], certs[1:])
    except VerificationError as e:
        raise TrustError(
            f"certificate chain does not verify at {_fmt(at)}: {e}", path=("x5chain",)
        ) from e
    try:
        key = PublicKey.from_cryptography(certs[0].public_key())
    except InvalidKeyError as e:
        raise TrustError(
            f"leaf certificate key is not usable: {e.message}", path=("x5chain", 0)
        ) from e
    return key, verified.chain


def verify_x509_chain(
    chain_der: Sequence[bytes],
    *,
    anchors: Sequence[x509.Certificate],
    at: datetime,
    expected_key: PublicKey | None = None,
    max_chain_depth: int = 4,
) -> PublicKey:
    """Validate an ``x5chain`` (DER, leaf first) against ``anchors`` at time ``at``; return
    the leaf's key.

    Path validation is RFC 5280 as implemented by ``cryptography.x509.verification``
    (signatures, validity at ``at``, CA basic constraints and key usage, name chaining, no
    unknown critical extension). The leaf must be an end entity whose KeyUsage allows
    digitalSignature or contentCommitment; no subjectAltName and no EKU are required. With
    ``expected_key`` (e.g. the key that verified a signature) the leaf key must be that key.
    Raises :class:`~batterypass.errors.TrustError`.
    """
    key, _ = _verify_chain(chain_der, anchors, at, max_chain_depth)
    if expected_key is not None and key.crypto_key != expected_key.crypto_key:
        raise TrustError("the leaf certificate's key is not the signature key", path=("x5chain", 0))
    return key


# --- timestamp authorities ---------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class TimestampAuthority:
    """An RFC 3161 timestamp authority the store believes about time: the certificate its
    chains end at (``certificate_der``, normally the TSA operator's root), intermediate
    certificates to build the chain with, who runs it, the policies accepted (dotted OIDs;
    empty: any) and the window of *token times* it is trusted for.

    A token verifies under this authority when its signature chains to the certificate at the
    token's own time (genTime), the token time lies in ``not_before <= t < not_after`` and is
    before ``revoked_at`` (a TSA key known to be compromised from then on), and its policy is
    accepted.
    """

    certificate_der: bytes = field(repr=False)
    organisation_id: str
    not_before: datetime
    not_after: datetime
    revoked_at: datetime | None = None
    intermediates_der: tuple[bytes, ...] = field(default=(), repr=False)
    policies: frozenset[str] = frozenset()
    certificate: x509.Certificate = field(init=False, repr=False, compare=False)
    intermediates: tuple[x509.Certificate, ...] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        if not isinstance(self.certificate_der, bytes):
            raise TrustError("certificate_der must be DER bytes")
        object.__setattr__(self, "intermediates_der", tuple(self.intermediates_der))
        object.__setattr__(self, "policies", frozenset(self.policies))
        try:
            cert = x509.load_der_x509_certificate(self.certificate_der)
            inter = tuple(x509.load_der_x509_certificate(d) for d in self.intermediates_der)
        except (ValueError, TypeError) as e:
            raise TrustError(f"timestamp authority certificate is not DER: {e}") from e
        object.__setattr__(self, "certificate", cert)
        object.__setattr__(self, "intermediates", inter)
        if not isinstance(self.organisation_id, str) or not self.organisation_id.strip():
            raise TrustError("organisation_id must be non-empty text")
        nb = _require_aware(self.not_before, "not_before")
        na = _require_aware(self.not_after, "not_after")
        if not nb < na:
            raise TrustError(f"not_before {_fmt(nb)} must be earlier than not_after {_fmt(na)}")
        if self.revoked_at is not None:
            _require_aware(self.revoked_at, "revoked_at")
        for oid in self.policies:
            if not isinstance(oid, str) or not _is_oid(oid):
                raise TrustError(f"policy {oid!r} is not a dotted object identifier")

    @classmethod
    def from_pem(
        cls,
        pem: str | bytes,
        *,
        organisation_id: str,
        not_before: datetime,
        not_after: datetime,
        intermediates: Iterable[str | bytes] = (),
        policies: Iterable[str] = (),
        revoked_at: datetime | None = None,
    ) -> TimestampAuthority:
        """An authority from one PEM ``CERTIFICATE`` block (and PEM intermediates)."""
        return cls(
            _pem_to_der(pem),
            organisation_id=organisation_id,
            not_before=not_before,
            not_after=not_after,
            revoked_at=revoked_at,
            intermediates_der=tuple(_pem_to_der(p) for p in intermediates),
            policies=frozenset(policies),
        )

    @property
    def fingerprint(self) -> str:
        """SHA-256 of the DER certificate, lowercase hex: the authority's identifier."""
        return hashlib.sha256(self.certificate_der).hexdigest()

    def check_valid(self, *, at: datetime) -> None:
        """Raise :class:`~batterypass.errors.TrustError` (``untrusted-timestamp``) unless
        tokens made at ``at`` are trusted."""
        try:
            _check_window(
                f"timestamp authority {self.organisation_id!r} ({self.fingerprint[:16]})",
                self.not_before,
                self.not_after,
                self.revoked_at,
                _require_aware(at),
            )
        except TrustError as e:
            raise TrustError(e.message, code="untrusted-timestamp") from None


def _is_oid(text: str) -> bool:
    parts = text.split(".")
    return len(parts) >= 2 and all(p.isdigit() and (p == "0" or p[0] != "0") for p in parts)


# --- the store --------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class TrustStore:
    """An immutable set of :class:`TrustedKey` entries (by kid), :class:`TrustAnchor` s and
    :class:`TimestampAuthority` s.

    A kid appears once; one public key appears under one kid only (so a kid swap in an
    unprotected header cannot lend a key another entry's roles). Changes return new stores.
    With timestamp authorities, verifiers take the signing time from a valid timestamp token
    instead of the signer's claim (``specs/trust-file.md``).
    """

    keys: tuple[TrustedKey, ...] = ()
    anchors: tuple[TrustAnchor, ...] = ()
    timestamp_authorities: tuple[TimestampAuthority, ...] = ()

    def __post_init__(self) -> None:
        object.__setattr__(self, "keys", tuple(self.keys))
        object.__setattr__(self, "anchors", tuple(self.anchors))
        object.__setattr__(self, "timestamp_authorities", tuple(self.timestamp_authorities))
        _distinct(
            self.timestamp_authorities,
            TimestampAuthority,
            "timestamp_authorities",
            "timestamp authority",
        )
        kids: set[str] = set()
        spkis: dict[bytes, str] = {}
        for entry in self.keys:
            if not isinstance(entry, TrustedKey):
                raise TrustError("keys must be TrustedKey entries")
            if entry.kid in kids:
                raise TrustError(f"kid {entry.kid!r} appears twice in the trust store")
            kids.add(entry.kid)
            spki = entry.public_key.to_pem()
            if spki in spkis:
                raise TrustError(
                    f"the key of kid {entry.kid!r} is already trusted as kid {spkis[spki]!r}"
                )
            spkis[spki] = entry.kid
        _distinct(self.anchors, TrustAnchor, "anchors", "trust anchor")

    # -- queries --

    def lookup(self, kid: str | bytes, *, at: datetime) -> TrustedKey:
        """The entry for ``kid`` if it is valid and not revoked at ``at``.

        ``kid`` may be the raw COSE ``kid`` header (UTF-8 bytes). Raises
        :class:`~batterypass.errors.TrustError` for an unknown kid, a key not yet valid,
        expired, or revoked at or before ``at``.
        """
        at = _require_aware(at)
        if isinstance(kid, bytes):
            try:
                kid = kid.decode("utf-8")
            except UnicodeDecodeError:
                raise TrustError(
                    f"unknown kid {kid!r}: not UTF-8, so not in any trust file"
                ) from None
        for entry in self.keys:
            if entry.kid == kid:
                entry.check_valid(at=at)
                return entry
        raise TrustError(f"unknown kid {kid!r}: not in the trust store")

    def lookup_x509(
        self, chain_der: Sequence[bytes], *, at: datetime, max_chain_depth: int = 4
    ) -> TrustedKey:
        """Validate ``chain_der`` (leaf first) against this store's anchors at ``at`` and
        return the signer as a :class:`TrustedKey` carrying the anchor's organisation and
        roles.

        The anchor must be valid and unrevoked at ``at``. If the leaf subject carries
        ``organizationIdentifier`` (OID 2.5.4.97) attributes, one must equal the anchor's
        ``organisation_id``. The returned kid is the leaf key's RFC 7638 thumbprint; the
        window is the overlap of the anchor's and the leaf certificate's.
        """
        at = _require_aware(at)
        valid = [a for a in self.anchors if a.is_valid(at)]
        try:
            key, chain = _verify_chain(
                chain_der, [a.certificate for a in valid], at, max_chain_depth
            )
        except TrustError:
            if len(valid) == len(self.anchors):
                raise
            # Say *why* when the chain leads to an anchor that is revoked or out of window.
            key, chain = _verify_chain(
                chain_der, [a.certificate for a in self.anchors], at, max_chain_depth
            )
        anchor = next(a for a in self.anchors if a.certificate == chain[-1])
        anchor.check_valid(at=at)
        leaf = chain[0]
        stated = {
            attr.value
            for attr in leaf.subject.get_attributes_for_oid(NameOID.ORGANIZATION_IDENTIFIER)
        }
        if stated and anchor.organisation_id not in stated:
            raise TrustError(
                f"leaf certificate names organisation(s) {sorted(map(str, stated))} but its "
                f"anchor is trusted for {anchor.organisation_id!r} only",
                path=("x5chain", 0),
            )
        return TrustedKey(
            kid=key.kid,
            public_key=key,
            organisation_id=anchor.organisation_id,
            roles=anchor.roles,
            not_before=max(anchor.not_before, leaf.not_valid_before_utc),
            not_after=min(anchor.not_after, leaf.not_valid_after_utc),
            revoked_at=anchor.revoked_at,
            compromised_at=anchor.compromised_at,
            certified_by=anchor.fingerprint,
        )

    # -- changes (each returns a new store) --

    def add(self, entry: TrustedKey) -> TrustStore:
        """A store with ``entry`` added (its kid and key must be new)."""
        return replace(self, keys=(*self.keys, entry))

    def add_key(
        self,
        public_key: PublicKey,
        *,
        organisation_id: str,
        roles: Iterable[Role],
        not_before: datetime,
        not_after: datetime,
        kid: str | None = None,
    ) -> TrustStore:
        """A store that trusts ``public_key`` (kid defaults to the key's own kid)."""
        return self.add(
            TrustedKey(
                kid=kid if kid is not None else public_key.kid,
                public_key=public_key,
                organisation_id=organisation_id,
                roles=frozenset(roles),
                not_before=not_before,
                not_after=not_after,
            )
        )

    def add_anchor(self, anchor: TrustAnchor) -> TrustStore:
        """A store with the X.509 trust anchor added."""
        return replace(self, anchors=(*self.anchors, anchor))

    def add_timestamp_authority(self, authority: TimestampAuthority) -> TrustStore:
        """A store that also believes the RFC 3161 timestamp authority ``authority``."""
        return replace(self, timestamp_authorities=(*self.timestamp_authorities, authority))

    def compromise(self, kid: str, *, at: datetime) -> TrustStore:
        """A store where ``kid`` was reported compromised at ``at`` (an earlier report stays):
        its signatures verify only with a trusted timestamp before ``at``
        (:meth:`TrustedKey.check_not_compromised`)."""
        at = _require_aware(at)
        for i, entry in enumerate(self.keys):
            if entry.kid == kid:
                old = entry.compromised_at
                when = at if old is None else min(old, at)
                keys = (*self.keys[:i], replace(entry, compromised_at=when), *self.keys[i + 1 :])
                return replace(self, keys=keys)
        raise TrustError(f"cannot mark unknown kid {kid!r} as compromised")

    def compromise_anchor(self, fingerprint: str, *, at: datetime) -> TrustStore:
        """A store where the X.509 trust anchor with this SHA-256 fingerprint was reported
        compromised at ``at`` (an earlier report stays): signatures by any key it certifies
        verify only with a trusted timestamp before ``at``."""
        at = _require_aware(at)
        for i, anchor in enumerate(self.anchors):
            if anchor.fingerprint == fingerprint.lower():
                old = anchor.compromised_at
                when = at if old is None else min(old, at)
                anchors = (
                    *self.anchors[:i],
                    replace(anchor, compromised_at=when),
                    *self.anchors[i + 1 :],
                )
                return replace(self, anchors=anchors)
        raise TrustError(f"cannot mark unknown trust anchor {fingerprint} as compromised")

    def revoke(self, kid: str, *, at: datetime) -> TrustStore:
        """A store where ``kid`` is revoked from ``at`` on (an earlier revocation stays)."""
        at = _require_aware(at)
        for i, entry in enumerate(self.keys):
            if entry.kid == kid:
                when = at if entry.revoked_at is None else min(entry.revoked_at, at)
                keys = (*self.keys[:i], replace(entry, revoked_at=when), *self.keys[i + 1 :])
                return replace(self, keys=keys)
        raise TrustError(f"cannot revoke unknown kid {kid!r}")

    def revoke_anchor(self, fingerprint: str, *, at: datetime) -> TrustStore:
        """A store where the anchor with this SHA-256 fingerprint is revoked from ``at`` on."""
        at = _require_aware(at)
        for i, anchor in enumerate(self.anchors):
            if anchor.fingerprint == fingerprint.lower():
                when = at if anchor.revoked_at is None else min(anchor.revoked_at, at)
                anchors = (
                    *self.anchors[:i],
                    replace(anchor, revoked_at=when),
                    *self.anchors[i + 1 :],
                )
                return replace(self, anchors=anchors)
        raise TrustError(f"cannot revoke unknown trust anchor {fingerprint}")

    # -- serialization --

    def to_json(self) -> str:
        """The trust file text (``specs/trust-file.md``), stable: same store, same text."""

        def window(e: TrustedKey | TrustAnchor) -> dict[str, Any]:
            return {
                "organisation_id": e.organisation_id,
                "roles": sorted(r.value for r in e.roles),
                "not_before": _fmt(e.not_before),
                "not_after": _fmt(e.not_after),
                "revoked_at": None if e.revoked_at is None else _fmt(e.revoked_at),
            }

        def key(k: TrustedKey) -> dict[str, Any]:
            out = {"kid": k.kid, "jwk": k.public_key.to_jwk() | {"kid": k.kid}, **window(k)}
            if k.compromised_at is not None:  # optional member: older files stay unchanged
                out["compromised_at"] = _fmt(k.compromised_at)
            return out

        def anchor(a: TrustAnchor) -> dict[str, Any]:
            out = {"certificate": a.to_pem(), **window(a)}
            if a.compromised_at is not None:  # optional member, as for keys
                out["compromised_at"] = _fmt(a.compromised_at)
            return out

        doc: dict[str, Any] = {
            "format": TRUST_FILE_FORMAT,
            "version": _VERSION,
            "keys": [key(k) for k in self.keys],
            "x509_anchors": [anchor(a) for a in self.anchors],
        }
        if self.timestamp_authorities:  # optional member, as above
            doc["timestamp_authorities"] = [
                {
                    "certificate": _der_to_pem(t.certificate_der),
                    "intermediates": [_der_to_pem(d) for d in t.intermediates_der],
                    "organisation_id": t.organisation_id,
                    "policies": sorted(t.policies),
                    "not_before": _fmt(t.not_before),
                    "not_after": _fmt(t.not_after),
                    "revoked_at": None if t.revoked_at is None else _fmt(t.revoked_at),
                }
                for t in self.timestamp_authorities
            ]
        return json.dumps(doc, indent=2, sort_keys=True, ensure_ascii=False) + "\n"

    def to_file(self, path: str | os.PathLike[str], *, overwrite: bool = False) -> None:
        """Write the trust file atomically (mode 0644); refuse to replace an existing file
        unless ``overwrite=True``."""
        write_atomic(Path(path), self.to_json().encode("utf-8"), mode=0o644, overwrite=overwrite)

    @classmethod
    def from_json(cls, text: str | bytes, *, source: str | None = None) -> TrustStore:
        """Parse trust file text strictly: unknown fields, naive times, unknown roles and weak
        keys are :class:`~batterypass.errors.TrustError`; text that is not strict JSON
        (duplicate members, ``NaN``, over 64 MiB, nested too deeply, not UTF-8) is
        :class:`~batterypass.errors.DecodeError`."""
        try:
            return _parse_trust_file(text, source)
        except TrustError as e:
            raise (e.with_source(source) if source else e) from None

    @classmethod
    def from_file(cls, path: str | os.PathLike[str]) -> TrustStore:
        """Load a trust file."""
        data = read_bounded(path, _MAX_TRUST_FILE_BYTES, what="trust file")
        return cls.from_json(data, source=os.fspath(path))


# --- trust file parsing -----------------------------------------------------------------------


def _bad(message: str, path: tuple[PathItem, ...]) -> NoReturn:
    raise TrustError(message, path=path)


def _fields(
    obj: object,
    required: set[str],
    path: tuple[PathItem, ...],
    optional: frozenset[str] = frozenset(),
) -> Mapping[str, Any]:
    if not isinstance(obj, dict):
        _bad("must be a JSON object", path)
    missing = required - obj.keys()
    if missing:
        _bad(f"missing member(s) {', '.join(sorted(missing))}", path)
    unknown = obj.keys() - required - optional
    if unknown:
        _bad(f"unknown member(s) {', '.join(sorted(unknown))}", path)
    return obj


def _time(value: object, path: tuple[PathItem, ...]) -> datetime:
    if not isinstance(value, str):
        _bad("must be an RFC 3339 date-time string", path)
    try:
        moment = datetime.fromisoformat(value)
    except ValueError as e:
        raise TrustError(f"not a date-time: {value!r}", path=path) from e
    if moment.tzinfo is None:
        _bad(f"{value!r} has no UTC offset; write e.g. 2026-01-01T00:00:00Z", path)
    return moment


def _roles(value: object, path: tuple[PathItem, ...]) -> frozenset[Role]:
    if not isinstance(value, list) or not value:
        _bad("must be a non-empty array of roles", path)
    roles: set[Role] = set()
    for i, item in enumerate(value):
        try:
            role = Role(item)
        except ValueError:
            known = ", ".join(r.value for r in Role)
            raise TrustError(f"unknown role {item!r}; known: {known}", path=(*path, i)) from None
        if role in roles:
            _bad(f"role {item!r} listed twice", (*path, i))
        roles.add(role)
    return frozenset(roles)


_WINDOW = {"organisation_id", "roles", "not_before", "not_after", "revoked_at"}


def _window(obj: Mapping[str, Any], path: tuple[PathItem, ...]) -> dict[str, Any]:
    out = {
        "organisation_id": obj["organisation_id"],
        "roles": _roles(obj["roles"], (*path, "roles")),
        "not_before": _time(obj["not_before"], (*path, "not_before")),
        "not_after": _time(obj["not_after"], (*path, "not_after")),
        "revoked_at": None
        if obj["revoked_at"] is None
        else _time(obj["revoked_at"], (*path, "revoked_at")),
    }
    if not isinstance(out["organisation_id"], str) or not out["organisation_id"].strip():
        _bad("must be non-empty text", (*path, "organisation_id"))
    return out


def _parse_trust_file(text: str | bytes, source: str | None) -> TrustStore:
    doc = loads_value(text, source=source, max_bytes=_MAX_TRUST_FILE_BYTES)
    top = _fields(
        doc,
        {"format", "version", "keys", "x509_anchors"},
        (),
        optional=frozenset({"timestamp_authorities"}),
    )
    if top["format"] != TRUST_FILE_FORMAT:
        _bad(f"format must be {TRUST_FILE_FORMAT!r}", ("format",))
    # Exactly the integer 1: not true, not 1.0 (a Decimal that compares equal to 1).
    if type(top["version"]) is not int or top["version"] != _VERSION:
        _bad(f"unsupported version {top['version']!r}; this library reads 1", ("version",))
    if not isinstance(top["keys"], list) or not isinstance(top["x509_anchors"], list):
        _bad("keys and x509_anchors must be arrays", ())
    keys: list[TrustedKey] = []
    for i, raw in enumerate(top["keys"]):
        path: tuple[PathItem, ...] = ("keys", i)
        obj = _fields(raw, {"kid", "jwk", *_WINDOW}, path, optional=frozenset({"compromised_at"}))
        kid = obj["kid"]
        if not isinstance(kid, str) or not kid:
            _bad("must be non-empty text", (*path, "kid"))
        jwk = obj["jwk"]
        if isinstance(jwk, dict) and "kid" in jwk and jwk["kid"] != kid:
            _bad(f"jwk kid {jwk['kid']!r} differs from entry kid {kid!r}", (*path, "jwk", "kid"))
        try:
            public = PublicKey.from_jwk(jwk, kid=kid)
        except InvalidKeyError as e:
            raise TrustError(e.message, path=(*path, "jwk")) from e
        compromised = obj.get("compromised_at")
        if compromised is not None:
            compromised = _time(compromised, (*path, "compromised_at"))
        try:
            keys.append(
                TrustedKey(
                    kid=kid, public_key=public, compromised_at=compromised, **_window(obj, path)
                )
            )
        except TrustError as e:
            raise TrustError(e.message, path=e.path or path) from e
    anchors: list[TrustAnchor] = []
    for i, raw in enumerate(top["x509_anchors"]):
        path = ("x509_anchors", i)
        obj = _fields(raw, {"certificate", *_WINDOW}, path, optional=frozenset({"compromised_at"}))
        pem = obj["certificate"]
        if not isinstance(pem, str):
            _bad("must be PEM text", (*path, "certificate"))
        compromised = obj.get("compromised_at")
        if compromised is not None:
            compromised = _time(compromised, (*path, "compromised_at"))
        try:
            anchors.append(
                TrustAnchor.from_pem(pem, compromised_at=compromised, **_window(obj, path))
            )
        except TrustError as e:
            raise TrustError(e.message, path=e.path or path) from e
    raw_tsas = top.get("timestamp_authorities", [])
    if not isinstance(raw_tsas, list):
        _bad("must be an array", ("timestamp_authorities",))
    tsas = [
        _timestamp_authority(raw, ("timestamp_authorities", i)) for i, raw in enumerate(raw_tsas)
    ]
    return TrustStore(keys=tuple(keys), anchors=tuple(anchors), timestamp_authorities=tuple(tsas))


_TSA_MEMBERS = {
    "certificate",
    "intermediates",
    "organisation_id",
    "policies",
    "not_before",
    "not_after",
    "revoked_at",
}


def _timestamp_authority(raw: object, path: tuple[PathItem, ...]) -> TimestampAuthority:
    obj = _fields(raw, _TSA_MEMBERS, path)
    pem = obj["certificate"]
    if not isinstance(pem, str):
        _bad("must be PEM text", (*path, "certificate"))
    inter = obj["intermediates"]
    if not isinstance(inter, list) or not all(isinstance(p, str) for p in inter):
        _bad("must be an array of PEM texts", (*path, "intermediates"))
    policies = obj["policies"]
    if not isinstance(policies, list) or not all(isinstance(p, str) for p in policies):
        _bad("must be an array of dotted object identifiers", (*path, "policies"))
    if len(set(policies)) != len(policies):
        _bad("a policy is listed twice", (*path, "policies"))
    org = obj["organisation_id"]
    if not isinstance(org, str) or not org.strip():
        _bad("must be non-empty text", (*path, "organisation_id"))
    revoked = obj["revoked_at"]
    try:
        return TimestampAuthority.from_pem(
            pem,
            organisation_id=org,
            not_before=_time(obj["not_before"], (*path, "not_before")),
            not_after=_time(obj["not_after"], (*path, "not_after")),
            revoked_at=None if revoked is None else _time(revoked, (*path, "revoked_at")),
            intermediates=inter,
            policies=policies,
        )
    except TrustError as e:
        raise TrustError(e.message, path=e.path or path) from e


def _distinct(
    entries: tuple[TrustAnchor, ...] | tuple[TimestampAuthority, ...],
    kind: type[TrustAnchor] | type[TimestampAuthority],
    field: str,
    name: str,
) -> None:
    """:class:`TrustError` unless every entry is a ``kind`` and no certificate fingerprint
    appears twice."""
    seen: set[str] = set()
    for entry in entries:
        if not isinstance(entry, kind):
            raise TrustError(f"{field} must be {kind.__name__} entries")
        if entry.fingerprint in seen:
            raise TrustError(f"{name} {entry.fingerprint} appears twice")
        seen.add(entry.fingerprint)
