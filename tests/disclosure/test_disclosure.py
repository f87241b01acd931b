"""Disclosable passports: issuing, presenting, verifying, tampering, leaks by size."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from batterypass import codec as sd
from batterypass.codec.cbor import Tag, decode_value, encode_value
from batterypass.cose import decode_sign1_unverified, sign_passport
from batterypass.disclosure import (
    DISCLOSABLE_CONTENT_TYPE,
    OPENINGS_LABEL,
    QR_MAX_BYTES,
    DisclosablePassport,
    DisclosureError,
    DisclosureReason,
    issue_disclosable,
    present,
    presentation_qr_svg,
)
from batterypass.errors import BatteryPassError, DecodeError, SignatureError, TrustError
from batterypass.keys import Algorithm, PrivateKey
from batterypass.model import (
    VISIBILITY,
    AccessGroup,
    Audience,
    BatteryPassport,
    Role,
    iter_data_points,
)
from batterypass.testing import passports
from batterypass.verify import TrustStore, verify_passport, verify_presentation

ROOT = Path(__file__).resolve().parents[2]
T0 = datetime(2000, 1, 1, tzinfo=UTC)
T_END = datetime(2100, 1, 1, tzinfo=UTC)
KEY = PrivateKey.generate(Algorithm.ED25519)
WITHHELD = (AccessGroup.LEGITIMATE_INTEREST, AccessGroup.AUTHORITY, AccessGroup.INDIVIDUAL)


def _trust(key: PrivateKey, org: str, roles: tuple[Role, ...] = (Role.MANUFACTURER,)) -> TrustStore:
    return TrustStore().add_key(
        key.public_key(), organisation_id=org, roles=roles, not_before=T0, not_after=T_END
    )


def _verify(data: bytes, p: BatteryPassport, **kw: Any) -> BatteryPassport:
    return verify_presentation(data, trust=_trust(KEY, p.issuer), at=p.issued_at, **kw).passport


def _rebuild(data: bytes, openings: dict[int, list[bytes]] | None) -> bytes:
    """The presentation with its openings header replaced (None: removed)."""
    msg = decode_sign1_unverified(data)
    unprotected = dict(msg.unprotected)
    unprotected.pop(OPENINGS_LABEL, None)
    if openings is not None:
        unprotected[OPENINGS_LABEL] = openings
    return encode_value(Tag(18, [msg.protected_bytes, unprotected, msg.payload, msg.signature]))


def _openings(data: bytes) -> dict[int, list[bytes]]:
    return {
        g: list(v) for g, v in decode_sign1_unverified(data).unprotected[OPENINGS_LABEL].items()
    }


def _reason(data: bytes, p: BatteryPassport) -> DisclosureReason:
    with pytest.raises(DisclosureError) as info:
        _verify(data, p)
    return info.value.reason


# --- every audience gets exactly its view -------------------------------------------------


@settings(max_examples=25)
@given(passport=passports(), full=st.booleans())
def test_every_audience_gets_exactly_its_view(passport: BatteryPassport, full: bool) -> None:
    dp = issue_disclosable(passport, KEY)
    for audience in Audience:
        shown = _verify(present(dp, audience), passport, audience=audience)
        assert shown == passport.view(audience)


@settings(max_examples=15)
@given(passport=passports(full=True))
def test_full_passports_round_trip_for_every_audience(passport: BatteryPassport) -> None:
    dp = issue_disclosable(passport, KEY)
    assert DisclosablePassport.from_bytes_unverified(dp.to_bytes()) == dp
    for audience in Audience:
        assert _verify(present(dp, audience), passport) == passport.view(audience)


def test_examples(example_passport: BatteryPassport) -> None:
    dp = issue_disclosable(example_passport, KEY)
    for audience in Audience:
        data = present(dp, audience)
        result = verify_presentation(
            data, trust=_trust(KEY, example_passport.issuer), audience=audience
        )
        assert result.passport == example_passport.view(audience)
        assert result.groups == {AccessGroup.PUBLIC} | sd_groups(audience)
        assert result.kid == KEY.kid
    # The issued file opens every withheld group; since the Commission sees points 1 to 3
    # only (Art. 77(2)(b)), it is no longer the Commission's presentation.
    assert dp.to_bytes() != present(dp, Audience.COMMISSION)
    assert set(_openings(dp.to_bytes())) == {2, 3, 4}


def test_commission_presentation_withholds_individual_battery_data(
    ev_passport: BatteryPassport,
) -> None:
    # Art. 77(2)(b) opens Annex XIII points 2 and 3 to the Commission; point 4 is opened by
    # point (c) to persons with a legitimate interest only.
    data = present(issue_disclosable(ev_passport, KEY), Audience.COMMISSION)
    assert set(_openings(data)) == {2, 3}
    shown = _verify(data, ev_passport, audience=Audience.COMMISSION)
    assert shown.status is None
    assert shown.state.usage.full_cycles is None
    assert shown.state.state_of_health.state_of_certified_energy_percent is None
    assert shown.labels.test_reports == ev_passport.labels.test_reports
    assert shown.materials.materials == ev_passport.materials.materials


def sd_groups(audience: Audience) -> set[AccessGroup]:
    from batterypass.model import VISIBILITY

    return set(VISIBILITY[audience]) - {AccessGroup.PUBLIC}


def test_clear_part_is_the_public_view(ev_passport: BatteryPassport) -> None:
    document, withheld = sd.split_disclosable(ev_passport)
    public_doc, nothing = sd.split_disclosable(ev_passport.view(Audience.PUBLIC))
    assert encode_value(document) == encode_value(public_doc)
    assert not any(nothing.values())
    assert sum(len(v) for v in withheld.values()) > 0


# --- structure: salts, decoys, fixed counts ------------------------------------------------


def test_fixed_counts_fresh_salts_and_sorted_digests(ev_passport: BatteryPassport) -> None:
    dp = issue_disclosable(ev_passport, KEY)
    salts = []
    for group in WITHHELD:
        items = dp.openings[group]
        assert len(items) == sd.withheld_group_size(group)
        assert sd.withheld_group_size(group) == sum(
            1 for r in iter_data_points() if r.info.group is group
        )
        digests = [hashlib.sha256(i).digest() for i in items]
        assert digests == sorted(digests)
        salts += [sd.decode_disclosure(i)[0] for i in items]
    assert len(set(salts)) == len(salts)
    assert all(len(s) == 16 for s in salts)
    again = issue_disclosable(ev_passport, KEY)
    assert again.openings != dp.openings  # fresh salts every time


def test_empty_groups_still_commit_to_decoys() -> None:
    from batterypass.codec import json as bp_json

    p = bp_json.loads((ROOT / "examples/passports/ev-nmc.json").read_text()).view("public")
    a, b = issue_disclosable(p, KEY), issue_disclosable(p, KEY)
    pa = sd.decode_disclosable_payload(decode_sign1_unverified(a.message).payload or b"")
    pb = sd.decode_disclosable_payload(decode_sign1_unverified(b.message).payload or b"")
    for group in WITHHELD:
        assert pa.commitments[group] != pb.commitments[group]  # not the hash of nothing
        assert all(sd.decode_disclosure(i)[1] is None for i in a.openings[group])


# --- nothing withheld leaks, even by length ------------------------------------------------


def _with_withheld_text(p: BatteryPassport, size: int) -> BatteryPassport:
    """``p`` with withheld data of a size that grows with ``size`` (group 1 unchanged)."""
    import json

    from batterypass.codec import json as bp_json

    data = json.loads(bp_json.dumps(p))
    data.setdefault("state", {}).setdefault("usage", {})["full_cycles"] = 10**size
    data.setdefault("circularity", {})["part_numbers"] = [
        {"component": "cell", "part_number": "X" * min(256, size * 40)}
    ] * (1 + size)
    return bp_json.loads(json.dumps(data))


@pytest.mark.parametrize("alg", [Algorithm.ED25519, Algorithm.ESP256])
def test_public_presentation_size_does_not_depend_on_withheld_values(
    ev_passport: BatteryPassport, alg: Algorithm
) -> None:
    key = PrivateKey.generate(alg)
    sizes = set()
    for variant in (ev_passport.view(Audience.PUBLIC), _with_withheld_text(ev_passport, 1)):
        for size in (1, 5):
            p = _with_withheld_text(variant, size) if size > 1 else variant
            public = present(issue_disclosable(p, key), Audience.PUBLIC)
            sizes.add(len(public))
            assert p.view(Audience.PUBLIC) == ev_passport.view(Audience.PUBLIC)
    assert len(sizes) == 1


def test_public_presentation_never_holds_a_withheld_value(ev_passport: BatteryPassport) -> None:
    p = _with_withheld_text(ev_passport, 3)
    public = present(issue_disclosable(p, KEY), Audience.PUBLIC)
    assert b"XXXXXXXX" not in public
    assert OPENINGS_LABEL not in decode_sign1_unverified(public).unprotected


@pytest.mark.parametrize("alg", [Algorithm.ED25519, Algorithm.ESP256])
def test_public_presentation_of_the_ev_example_fits_one_qr_code(
    ev_passport: BatteryPassport, alg: Algorithm
) -> None:
    public = present(issue_disclosable(ev_passport, PrivateKey.generate(alg)), Audience.PUBLIC)
    assert len(public) <= QR_MAX_BYTES
    assert presentation_qr_svg(public).startswith("<svg")
    with pytest.raises(BatteryPassError, match="does not fit"):
        presentation_qr_svg(b"\0" * (QR_MAX_BYTES + 1))


# --- tampering -----------------------------------------------------------------------------


def test_tampering_with_any_disclosure_byte_fails(ev_passport: BatteryPassport) -> None:
    data = issue_disclosable(ev_passport, KEY).to_bytes()
    openings = _openings(data)
    for group, items in openings.items():
        for i, item in enumerate(items):
            for pos in {0, len(item) // 2, len(item) - 1}:
                bad = bytearray(item)
                bad[pos] ^= 0x01
                changed = {g: list(v) for g, v in openings.items()}
                changed[group][i] = bytes(bad)
                with pytest.raises(BatteryPassError):
                    _verify(_rebuild(data, changed), ev_passport)


def test_tampering_with_the_signed_part_fails(ev_passport: BatteryPassport) -> None:
    data = present(issue_disclosable(ev_passport, KEY), Audience.PUBLIC)
    for pos in range(0, len(data), 7):
        bad = bytearray(data)
        bad[pos] ^= 0x40
        with pytest.raises(BatteryPassError):
            _verify(bytes(bad), ev_passport)


def test_a_dropped_or_added_disclosure_is_a_mismatch(ev_passport: BatteryPassport) -> None:
    data = present(issue_disclosable(ev_passport, KEY), Audience.LEGITIMATE_INTEREST)
    openings = _openings(data)
    dropped = {g: v[1:] if g == 4 else v for g, v in openings.items()}
    assert _reason(_rebuild(data, dropped), ev_passport) is DisclosureReason.MISMATCH
    extra = {g: [*v, encode_value([b"\1" * 16])] if g == 2 else v for g, v in openings.items()}
    assert _reason(_rebuild(data, extra), ev_passport) is DisclosureReason.MISMATCH


def test_a_changed_value_is_a_mismatch(ev_passport: BatteryPassport) -> None:
    data = present(issue_disclosable(ev_passport, KEY), Audience.LEGITIMATE_INTEREST)
    openings = _openings(data)
    keys = sd.key_path_of(("state", "usage", "full_cycles"))
    for i, item in enumerate(openings[4]):
        salt, path, value = sd.decode_disclosure(item)
        if path == keys:
            openings[4][i] = sd.encode_disclosure(salt, keys, value + 1)
    assert _reason(_rebuild(data, openings), ev_passport) is DisclosureReason.MISMATCH


def test_duplicate_disclosures_are_refused(ev_passport: BatteryPassport) -> None:
    data = present(issue_disclosable(ev_passport, KEY), Audience.LEGITIMATE_INTEREST)
    openings = _openings(data)
    same = {g: [*v, v[0]] if g == 4 else v for g, v in openings.items()}
    assert _reason(_rebuild(data, same), ev_passport) is DisclosureReason.DUPLICATE
    # the same data point twice, under another salt
    real = next(i for i in openings[4] if sd.decode_disclosure(i)[1] is not None)
    _, keys, value = sd.decode_disclosure(real)
    assert keys is not None
    twice = {
        g: [*v, sd.encode_disclosure(b"\2" * 16, keys, value)] if g == 4 else v
        for g, v in openings.items()
    }
    assert _reason(_rebuild(data, twice), ev_passport) is DisclosureReason.DUPLICATE


@pytest.mark.parametrize("keys", [(99,), (12, 0, 99), (1,), (6, 5)])
def test_unknown_key_paths_are_refused(ev_passport: BatteryPassport, keys: tuple[int, ...]) -> None:
    # (1,) is passport_id and (6, 5) general.mass_kg: group 1 is never disclosed
    data = issue_disclosable(ev_passport, KEY).to_bytes()
    openings = _openings(data)
    openings[2] = [*openings[2], sd.encode_disclosure(b"\3" * 16, keys, "x")]
    assert _reason(_rebuild(data, openings), ev_passport) is DisclosureReason.UNKNOWN


def test_a_disclosure_under_the_wrong_group_is_refused(ev_passport: BatteryPassport) -> None:
    data = issue_disclosable(ev_passport, KEY).to_bytes()
    openings = _openings(data)
    status = next(i for i in openings[4] if sd.decode_disclosure(i)[1] == (5,))
    openings[4].remove(status)
    openings[2].append(status)
    assert _reason(_rebuild(data, openings), ev_passport) is DisclosureReason.WRONG_GROUP


@pytest.mark.parametrize(
    "openings",
    [
        [b"x"],
        {7: [b"x"]},
        {2: []},
        {2: ["text"]},
        {2: [encode_value([b"short", 1, [5]])]},
        {2: [encode_value([b"\0" * 16, 1, []])]},
        {2: [encode_value([b"\0" * 16, 1])]},
        {2: [b"\xff"]},
    ],
)
def test_malformed_openings_are_refused(ev_passport: BatteryPassport, openings: Any) -> None:
    data = present(issue_disclosable(ev_passport, KEY), Audience.PUBLIC)
    assert _reason(_rebuild(data, openings), ev_passport) is DisclosureReason.MALFORMED


# --- audiences -----------------------------------------------------------------------------


@pytest.mark.parametrize("made_for", list(Audience))
@pytest.mark.parametrize("checked_as", list(Audience))
def test_audience_must_match_exactly(
    ev_passport: BatteryPassport, made_for: Audience, checked_as: Audience
) -> None:
    data = present(issue_disclosable(ev_passport, KEY), made_for)
    if VISIBILITY[made_for] == VISIBILITY[checked_as]:
        # Authorities and the Commission see the same points 1 to 3 (Art. 77(2)(b)).
        assert _verify(data, ev_passport, audience=checked_as) == ev_passport.view(made_for)
        return
    with pytest.raises(DisclosureError) as info:
        _verify(data, ev_passport, audience=checked_as)
    assert info.value.reason is DisclosureReason.AUDIENCE


def test_any_whole_groups_without_an_audience(ev_passport: BatteryPassport) -> None:
    data = issue_disclosable(ev_passport, KEY).to_bytes()
    only_3 = {3: _openings(data)[3]}
    shown = _verify(_rebuild(data, only_3), ev_passport)
    assert shown.labels.test_reports == ev_passport.labels.test_reports
    assert shown.state.usage.full_cycles is None
    assert shown.materials.materials is None


# --- content types, trust, policy ----------------------------------------------------------


def test_a_disclosable_is_not_a_plain_passport_and_vice_versa(ev_passport: BatteryPassport) -> None:
    trust = _trust(KEY, ev_passport.issuer)
    disclosable = issue_disclosable(ev_passport, KEY).to_bytes()
    # refused by the content type, or earlier by the payload: a plain passport has no key 2
    with pytest.raises((SignatureError, DecodeError)):
        verify_passport(disclosable, trust=trust)
    plain = sign_passport(ev_passport, KEY)
    with pytest.raises(SignatureError, match="not a disclosable"):
        verify_presentation(plain, trust=trust)
    assert decode_sign1_unverified(disclosable).protected[3] == DISCLOSABLE_CONTENT_TYPE


def test_the_payload_is_not_a_plain_passport_document(ev_passport: BatteryPassport) -> None:
    from batterypass.codec import cbor

    payload = decode_sign1_unverified(issue_disclosable(ev_passport, KEY).message).payload
    assert payload is not None
    with pytest.raises(DecodeError):
        cbor.loads(payload)


def test_withheld_data_in_clear_is_refused(ev_passport: BatteryPassport) -> None:
    document, _ = sd.split_disclosable(ev_passport)
    body = document.value[1]
    body[5] = 0  # status (group 4) in clear
    commitments = dict.fromkeys(WITHHELD, b"\x00" * 32)
    with pytest.raises(DecodeError, match="status"):
        sd.decode_disclosable_payload(sd.encode_disclosable_payload(document, commitments))


def test_sd_alg_other_than_sha256_is_refused(ev_passport: BatteryPassport) -> None:
    document, _ = sd.split_disclosable(ev_passport)
    data = sd.encode_disclosable_payload(document, dict.fromkeys(WITHHELD, b"\x00" * 32))
    value = decode_value(data, allowed_tags={1, 4, 100, 55799, 2, 3})
    value.value[2] = -44
    with pytest.raises(DecodeError, match="sd_alg"):
        sd.decode_disclosable_payload(encode_value(value))


def test_same_trust_policy_as_plain_passports(ev_passport: BatteryPassport) -> None:
    data = present(issue_disclosable(ev_passport, KEY), Audience.PUBLIC)
    other = PrivateKey.generate()
    with pytest.raises(TrustError, match="unknown"):
        verify_presentation(data, trust=_trust(other, ev_passport.issuer))
    with pytest.raises(TrustError, match="roles"):
        verify_presentation(data, trust=_trust(KEY, ev_passport.issuer, (Role.RECYCLER,)))
    with pytest.raises(TrustError, match="issuer"):
        verify_presentation(data, trust=_trust(KEY, "urn:example:someone-else"))
    with pytest.raises(TrustError, match="future"):
        verify_presentation(
            data, trust=_trust(KEY, ev_passport.issuer), now=datetime(2001, 1, 1, tzinfo=UTC)
        )


def test_presenting_needs_the_whole_file(ev_passport: BatteryPassport) -> None:
    dp = issue_disclosable(ev_passport, KEY)
    with pytest.raises(DecodeError, match="not included"):
        DisclosablePassport.from_bytes_unverified(present(dp, Audience.AUTHORITY))
