"""Issuing disclosable passports, presenting them, and checking openings against commitments.

The format is normative in ``specs/selective-disclosure.md``; in short:

- the signed payload holds group 1 in clear and, per group 2, 3, 4, ``SHA-256`` of the sorted
  digests of that group's disclosures ``[salt, value, key-path]`` and decoys ``[salt]``, padded
  to a fixed count;
- a presentation is the signed COSE_Sign1 with the disclosures of the groups the audience may
  see in the unprotected header (label :data:`OPENINGS_LABEL`).
"""

from __future__ import annotations

import enum
import hashlib
import hmac
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Final

from batterypass import codec as sd
from batterypass.codec.cbor import Tag, encode_value
from batterypass.cose import (
    COSE_SIGN1_TAG,
    Profile,
    Sign1Error,
    Sign1Message,
    cwt_claims_header,
    decode_sign1_unverified,
    parse_sign1,
    sign1,
)
from batterypass.errors import DecodeError, EncodeError, PathItem, SignatureError
from batterypass.keys import Signer
from batterypass.model import VISIBILITY, AccessGroup, Audience, BatteryPassport

__all__ = [
    "DISCLOSABLE_CONTENT_TYPE",
    "OPENINGS_LABEL",
    "DisclosablePassport",
    "DisclosureError",
    "DisclosureReason",
    "Opened",
    "disclosed_values",
    "groups_for",
    "issue_disclosable",
    "open_presentation",
    "present",
]

DISCLOSABLE_CONTENT_TYPE: Final = "application/vnd.batterypass.disclosable-passport+cbor"
"""The protected content type (COSE header 3) of a signed disclosable passport; differs from a
plain passport's so that neither passes as the other."""

OPENINGS_LABEL: Final = -65537
"""Unprotected header label (COSE private use) carrying the opened groups:
``{group: [+ bstr disclosure or decoy]}``."""

_CONTENT_TYPE_LABEL: Final = 3


class DisclosureReason(enum.StrEnum):
    """Why the disclosures of a presentation were refused (stable codes for reports)."""

    MALFORMED = "malformed"
    """The openings header, a disclosure or a decoy is not in the format."""
    DUPLICATE = "duplicate"
    """The same disclosure twice, or two disclosures of the same data point."""
    UNKNOWN = "unknown"
    """A key path that is no data point of groups 2 to 4."""
    WRONG_GROUP = "wrong-group"
    """A disclosure opened under a group that is not its data point's group."""
    MISMATCH = "mismatch"
    """A group's disclosures do not hash to the signed commitment (altered, added, left out)."""
    AUDIENCE = "audience"
    """The presentation opens more or fewer groups than the audience may see."""


class DisclosureError(SignatureError):
    """A presentation's disclosures do not match its signed commitments; ``reason`` says how
    (the error's ``code`` is ``disclosure-<reason>``)."""

    def __init__(
        self,
        reason: DisclosureReason,
        message: str,
        *,
        path: tuple[PathItem, ...] | None = None,
        index: int | None = None,
    ) -> None:
        super().__init__(
            f"{message} [{reason.value}]", code=f"disclosure-{reason.value}", path=path
        )
        self.reason = reason
        self.disclosure_index = index
        self.args = (reason, message)


def groups_for(audience: Audience | str) -> frozenset[AccessGroup]:
    """The withheld groups (2 to 4) that ``audience`` may see, hence opens."""
    return VISIBILITY[Audience(audience)] - {AccessGroup.PUBLIC}


def _digest(data: bytes) -> bytes:
    return hashlib.sha256(data).digest()


def _commitment(items: tuple[bytes, ...] | list[bytes]) -> bytes:
    return _digest(encode_value(sorted(_digest(item) for item in items)))


@dataclass(frozen=True, slots=True)
class DisclosablePassport:
    """A signed disclosable passport with every disclosure and decoy: what the issuer hands to
    the passport's holder, who makes presentations from it with :func:`present`."""

    message: bytes
    """The signed COSE_Sign1 without openings (which is also the public presentation)."""
    openings: Mapping[AccessGroup, tuple[bytes, ...]]
    """Every encoded disclosure and decoy, by group 2, 3 and 4, in digest order."""

    def to_bytes(self) -> bytes:
        """The file format: the presentation that opens all three withheld groups. No audience
        sees all three (Art. 77(2)): present it to none, make a presentation per audience."""
        return _with_openings(self.message, self.openings, frozenset(sd.WITHHELD_GROUPS))

    @classmethod
    def from_bytes_unverified(cls, data: bytes) -> DisclosablePassport:
        """Read the file format **without verifying** the signature or the disclosures (none is
        needed to present; the recipient verifies). Raises
        :class:`~batterypass.errors.DecodeError` if ``data`` is not a disclosable passport
        with all groups opened."""
        opened = open_presentation(data)
        missing = set(sd.WITHHELD_GROUPS) - set(opened.openings)
        if missing:
            raise DecodeError(
                f"not a complete disclosable passport: group(s) "
                f"{', '.join(str(int(g)) for g in sorted(missing))} not included "
                "(is this a presentation rather than the issued file?)"
            )
        return cls(opened.message, opened.openings)


def issue_disclosable(
    passport: BatteryPassport, key: Signer, *, kid: str | None = None
) -> DisclosablePassport:
    """Sign ``passport`` as a disclosable passport: group 1 in clear, groups 2 to 4 as salted
    commitments padded with decoys (``specs/selective-disclosure.md``).

    The protected header holds the algorithm, :data:`DISCLOSABLE_CONTENT_TYPE` and the CWT
    claims ``iat`` (``issued_at``) and ``sub`` (``passport_id``); the unprotected header the
    ``kid`` (default: the key's own). Salts come from :mod:`secrets`.
    """
    document, withheld = sd.split_disclosable(passport)
    openings: dict[AccessGroup, tuple[bytes, ...]] = {}
    commitments: dict[AccessGroup, bytes] = {}
    for group in sd.WITHHELD_GROUPS:
        items = [
            sd.encode_disclosure(secrets.token_bytes(sd.SALT_BYTES), keys, value)
            for keys, value in withheld[group]
        ]
        size = sd.withheld_group_size(group)
        if len(items) > size:  # one disclosure per data point: cannot happen
            raise EncodeError(f"group {int(group)} has more than {size} data points")
        items += [
            sd.encode_decoy(secrets.token_bytes(sd.SALT_BYTES)) for _ in range(size - len(items))
        ]
        items.sort(key=_digest)
        openings[group] = tuple(items)
        commitments[group] = _commitment(items)
    payload = sd.encode_disclosable_payload(document, commitments)
    key_id = key.kid if kid is None else kid
    message = sign1(
        payload,
        key,
        kid=key_id.encode("utf-8"),
        content_type=DISCLOSABLE_CONTENT_TYPE,
        protected_extra=cwt_claims_header(iat=passport.issued_at, sub=passport.passport_id),
    )
    return DisclosablePassport(message, openings)


def present(dp: DisclosablePassport, audience: Audience | str) -> bytes:
    """The presentation for ``audience``: the signed message and the disclosures (and decoys)
    of exactly the groups it may see (Art. 77(2)). The public one is the signed message alone."""
    return _with_openings(dp.message, dp.openings, groups_for(audience))


def _with_openings(
    message: bytes,
    openings: Mapping[AccessGroup, tuple[bytes, ...]],
    groups: frozenset[AccessGroup],
) -> bytes:
    return _rebuild(decode_sign1_unverified(message), openings, groups)


def _rebuild(
    msg: Sign1Message,
    openings: Mapping[AccessGroup, tuple[bytes, ...]],
    groups: frozenset[AccessGroup],
) -> bytes:
    unprotected: dict[Any, Any] = dict(msg.unprotected)
    unprotected.pop(OPENINGS_LABEL, None)
    if groups:
        unprotected[OPENINGS_LABEL] = {int(g): list(openings[g]) for g in sorted(groups)}
    # Protected bytes, payload and signature are copied as they are: the signature still
    # covers them, and the openings are bound by the commitments in the payload.
    return encode_value(
        Tag(COSE_SIGN1_TAG, [msg.protected_bytes, unprotected, msg.payload, msg.signature])
    )


@dataclass(frozen=True, slots=True)
class Opened:
    """A presentation taken apart, **nothing verified**: the COSE_Sign1 as decoded, the
    message without openings, and the openings by group."""

    sign1: Sign1Message
    message: bytes
    openings: Mapping[AccessGroup, tuple[bytes, ...]]


def open_presentation(data: bytes, *, profile: Profile = "rfc9052") -> Opened:
    """Take a presentation apart without verifying anything (for routing and presenting).

    ``profile`` is the COSE profile to parse the envelope under (a verifier passes
    ``"strict"`` and then calls ``opened.sign1.verify(key)``). Raises
    :class:`~batterypass.errors.DecodeError` for a malformed COSE_Sign1 and
    :class:`~batterypass.errors.SignatureError` when the content type is not
    :data:`DISCLOSABLE_CONTENT_TYPE` (a plain signed passport is not a presentation), and
    :class:`DisclosureError` (``malformed``) for an ill-formed openings header.
    """
    try:
        msg = parse_sign1(data, profile=profile)
    except Sign1Error as e:
        raise DecodeError(e.message, path=e.path, offset=e.offset) from e
    content_type = msg.protected.get(_CONTENT_TYPE_LABEL)
    if content_type != DISCLOSABLE_CONTENT_TYPE:
        raise SignatureError(
            f"not a disclosable passport or presentation: protected content type is "
            f"{content_type!r}, expected {DISCLOSABLE_CONTENT_TYPE!r} (a plain signed passport "
            "is verified with verify_passport / `batterypass verify` without --audience)",
            code="not-a-presentation",
        )
    raw = msg.unprotected.get(OPENINGS_LABEL, {})
    where: tuple[PathItem, ...] = ("unprotected", OPENINGS_LABEL)
    if type(raw) is not dict:
        raise DisclosureError(DisclosureReason.MALFORMED, "openings must be a map", path=where)
    openings: dict[AccessGroup, tuple[bytes, ...]] = {}
    for group, items in raw.items():
        if type(group) is not int or group not in (2, 3, 4):
            raise DisclosureError(
                DisclosureReason.MALFORMED,
                f"openings key {group!r} is not group 2, 3 or 4",
                path=where,
            )
        if type(items) is not list or not items or not all(type(i) is bytes for i in items):
            raise DisclosureError(
                DisclosureReason.MALFORMED,
                f"group {group}: openings must be a non-empty array of byte strings",
                path=(*where, group),
            )
        openings[AccessGroup(group)] = tuple(items)
    return Opened(msg, _rebuild(msg, {}, frozenset()), openings)


def disclosed_values(
    commitments: Mapping[AccessGroup, bytes],
    openings: Mapping[AccessGroup, tuple[bytes, ...]],
) -> list[tuple[sd.KeyPath, Any]]:
    """Check every opened group against its signed commitment and return the disclosed
    ``(key path, wire value)`` pairs. Raises :class:`DisclosureError` naming the reason, the
    group and the index of the disclosure at fault."""
    out: list[tuple[sd.KeyPath, Any]] = []
    seen_paths: dict[sd.KeyPath, AccessGroup] = {}
    for group in sorted(openings):
        items = openings[group]
        seen_bytes: set[bytes] = set()
        for i, item in enumerate(items):
            at: tuple[PathItem, ...] = (f"group {int(group)}", i)
            if item in seen_bytes:
                raise DisclosureError(
                    DisclosureReason.DUPLICATE,
                    "the same disclosure appears twice",
                    path=at,
                    index=i,
                )
            seen_bytes.add(item)
            try:
                _, keys, value = sd.decode_disclosure(item)
            except DecodeError as e:
                raise DisclosureError(
                    DisclosureReason.MALFORMED, f"not a disclosure: {e.message}", path=at, index=i
                ) from e
            if keys is None:
                continue  # a decoy: it counts only in the commitment
            ref = sd.data_point_at(keys)
            shown = "/".join(str(k) for k in keys)
            if ref is None or ref.info.group is AccessGroup.PUBLIC:
                raise DisclosureError(
                    DisclosureReason.UNKNOWN,
                    f"key path {shown} is no data point of groups 2 to 4",
                    path=at,
                    index=i,
                )
            name = ".".join(ref.path)
            if ref.info.group is not group:
                raise DisclosureError(
                    DisclosureReason.WRONG_GROUP,
                    f"{name} belongs to group {int(ref.info.group)}, not {int(group)}",
                    path=at,
                    index=i,
                )
            if keys in seen_paths:
                raise DisclosureError(
                    DisclosureReason.DUPLICATE, f"{name} is disclosed twice", path=at, index=i
                )
            seen_paths[keys] = group
            out.append((keys, value))
        if not hmac.compare_digest(_commitment(items), commitments[group]):
            raise DisclosureError(
                DisclosureReason.MISMATCH,
                f"the disclosures of group {int(group)} do not match the signed commitment: "
                "one was altered, added or left out",
                path=(f"group {int(group)}",),
            )
    return out
