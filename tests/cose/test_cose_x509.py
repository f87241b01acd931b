"""X.509 signers: x5chain validation against anchors, and the trust store mapping."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519
from cryptography.x509.oid import NameOID

from batterypass.cose import Sign1Error, Sign1Reason, decode_sign1_unverified, sign1, verify_sign1
from batterypass.errors import TrustError
from batterypass.keys import PrivateKey, PublicKey
from batterypass.model import Role
from batterypass.verify import TrustAnchor, TrustStore, verify_x509_chain

NOW = datetime(2026, 6, 1, tzinfo=UTC)
ORG = "LEI:5299000J2N45DDNE4Y28"


def _name(cn: str, org_id: str | None = None) -> x509.Name:
    attrs = [x509.NameAttribute(NameOID.COMMON_NAME, cn)]
    if org_id:
        attrs.append(x509.NameAttribute(NameOID.ORGANIZATION_IDENTIFIER, org_id))
    return x509.Name(attrs)


_NO_KU = dict.fromkeys(
    (
        "digital_signature",
        "content_commitment",
        "key_encipherment",
        "data_encipherment",
        "key_agreement",
        "key_cert_sign",
        "crl_sign",
        "encipher_only",
        "decipher_only",
    ),
    False,
)


@dataclass
class Issued:
    cert: x509.Certificate
    key: object

    @property
    def der(self) -> bytes:
        return self.cert.public_bytes(serialization.Encoding.DER)


def issue(
    subject: str,
    key: object,
    issuer: Issued | None = None,
    *,
    ca: bool,
    days: tuple[int, int] = (-30, 365),
    org_id: str | None = None,
    ku: dict[str, bool] | None = None,
    extra: list[x509.ExtensionType] | None = None,
) -> Issued:
    public = key.public_key()  # type: ignore[attr-defined]
    name = _name(subject, org_id)
    signer_key = issuer.key if issuer else key
    builder = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(issuer.cert.subject if issuer else name)
        .public_key(public)
        .serial_number(x509.random_serial_number())
        .not_valid_before(NOW + timedelta(days=days[0]))
        .not_valid_after(NOW + timedelta(days=days[1]))
        .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(public), critical=False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(
                signer_key.public_key()  # type: ignore[attr-defined]
            ),
            critical=False,
        )
    )
    usage = (
        ku
        if ku is not None
        else (
            _NO_KU | {"key_cert_sign": True, "crl_sign": True}
            if ca
            else _NO_KU | {"digital_signature": True}
        )
    )
    builder = builder.add_extension(x509.KeyUsage(**usage), critical=True)
    for ext in extra or []:
        builder = builder.add_extension(ext, critical=True)
    algorithm = None if isinstance(signer_key, ed25519.Ed25519PrivateKey) else hashes.SHA256()
    return Issued(builder.sign(signer_key, algorithm), key)  # type: ignore[arg-type]


@pytest.fixture(scope="module")
def pki() -> dict[str, Issued]:
    root = issue("Root", ec.generate_private_key(ec.SECP384R1()), ca=True, days=(-365, 3650))
    inter = issue("Intermediate", ec.generate_private_key(ec.SECP256R1()), root, ca=True)
    leaf_ed = issue(
        "Signer Ed25519", ed25519.Ed25519PrivateKey.generate(), inter, ca=False, org_id=ORG
    )
    leaf_ec = issue("Signer P-256", ec.generate_private_key(ec.SECP256R1()), inter, ca=False)
    other_root = issue("Other Root", ec.generate_private_key(ec.SECP256R1()), ca=True)
    return {
        "root": root,
        "inter": inter,
        "leaf_ed": leaf_ed,
        "leaf_ec": leaf_ec,
        "other": other_root,
    }


def signer_of(issued: Issued) -> PrivateKey:
    return PrivateKey.from_cryptography(issued.key)


def test_good_chain_gives_the_leaf_key(pki: dict[str, Issued]) -> None:
    chain = [pki["leaf_ed"].der, pki["inter"].der]
    key = verify_x509_chain(chain, anchors=[pki["root"].cert], at=NOW)
    assert key == signer_of(pki["leaf_ed"]).public_key()
    assert (
        verify_x509_chain(
            [pki["leaf_ec"].der, pki["inter"].der], anchors=[pki["root"].cert], at=NOW
        ).crypto_key
        == pki["leaf_ec"].key.public_key()
    )  # type: ignore[attr-defined]


def test_signed_message_with_x5chain_end_to_end(pki: dict[str, Issued]) -> None:
    chain = [pki["leaf_ed"].der, pki["inter"].der]
    message = sign1(b"passport", signer_of(pki["leaf_ed"]), protected_extra={33: chain})
    decoded = decode_sign1_unverified(message)
    assert list(decoded.x5chain) == chain
    key = verify_x509_chain(list(decoded.x5chain), anchors=[pki["root"].cert], at=NOW)
    assert verify_sign1(message, key) == b"passport"


def test_leaf_key_must_be_the_signature_key(pki: dict[str, Issued]) -> None:
    # Signed by the P-256 signer but carrying the Ed25519 signer's chain.
    chain = [pki["leaf_ed"].der, pki["inter"].der]
    message = sign1(b"passport", signer_of(pki["leaf_ec"]), protected_extra={33: chain})
    key = verify_x509_chain(chain, anchors=[pki["root"].cert], at=NOW)
    with pytest.raises(Sign1Error) as info:
        verify_sign1(message, key)
    assert info.value.reason is Sign1Reason.ALG_KEY_MISMATCH
    # Same curve, different key: the signature does not verify with the leaf key.
    chain_ec = [pki["leaf_ec"].der, pki["inter"].der]
    impostor = issue("Impostor", ec.generate_private_key(ec.SECP256R1()), pki["inter"], ca=False)
    message = sign1(b"passport", signer_of(impostor), protected_extra={33: chain_ec})
    with pytest.raises(Sign1Error) as info:
        verify_sign1(message, verify_x509_chain(chain_ec, anchors=[pki["root"].cert], at=NOW))
    assert info.value.reason is Sign1Reason.BAD_SIGNATURE
    with pytest.raises(TrustError, match="not the signature key"):
        verify_x509_chain(
            chain_ec,
            anchors=[pki["root"].cert],
            at=NOW,
            expected_key=signer_of(impostor).public_key(),
        )


@pytest.mark.parametrize("at", [NOW + timedelta(days=400), NOW - timedelta(days=40)])
def test_expired_or_not_yet_valid_chain(pki: dict[str, Issued], at: datetime) -> None:
    with pytest.raises(TrustError, match="not valid at validation time"):
        verify_x509_chain([pki["leaf_ed"].der, pki["inter"].der], anchors=[pki["root"].cert], at=at)


def test_untrusted_root(pki: dict[str, Issued]) -> None:
    with pytest.raises(TrustError, match="does not verify"):
        verify_x509_chain(
            [pki["leaf_ed"].der, pki["inter"].der], anchors=[pki["other"].cert], at=NOW
        )
    with pytest.raises(TrustError, match="does not verify"):
        verify_x509_chain([pki["leaf_ed"].der], anchors=[pki["root"].cert], at=NOW)  # missing link
    with pytest.raises(TrustError, match=r"no X\.509 trust anchors"):
        verify_x509_chain([pki["leaf_ed"].der], anchors=[], at=NOW)


def test_self_issued_leaf_not_in_the_store(pki: dict[str, Issued]) -> None:
    self_signed = issue("Self", ec.generate_private_key(ec.SECP256R1()), ca=False)
    with pytest.raises(TrustError, match="does not verify"):
        verify_x509_chain([self_signed.der], anchors=[pki["root"].cert], at=NOW)


def test_ca_certificate_cannot_sign(pki: dict[str, Issued]) -> None:
    with pytest.raises(TrustError, match="end entity"):
        verify_x509_chain([pki["inter"].der], anchors=[pki["root"].cert], at=NOW)


def test_leaf_key_usage_must_allow_signing(pki: dict[str, Issued]) -> None:
    enc_only = issue(
        "Encryption",
        ec.generate_private_key(ec.SECP256R1()),
        pki["inter"],
        ca=False,
        ku=_NO_KU | {"key_agreement": True},
    )
    with pytest.raises(TrustError, match="digitalSignature"):
        verify_x509_chain([enc_only.der, pki["inter"].der], anchors=[pki["root"].cert], at=NOW)
    non_repudiation = issue(
        "Seal",
        ec.generate_private_key(ec.SECP256R1()),
        pki["inter"],
        ca=False,
        ku=_NO_KU | {"content_commitment": True},
    )
    verify_x509_chain([non_repudiation.der, pki["inter"].der], anchors=[pki["root"].cert], at=NOW)


def test_unknown_critical_extension_is_refused(pki: dict[str, Issued]) -> None:
    odd = issue(
        "Odd",
        ec.generate_private_key(ec.SECP256R1()),
        pki["inter"],
        ca=False,
        extra=[
            x509.UnrecognizedExtension(x509.ObjectIdentifier("1.3.6.1.4.1.55555.1"), b"\x05\x00")
        ],
    )
    with pytest.raises(TrustError, match="critical"):
        verify_x509_chain([odd.der, pki["inter"].der], anchors=[pki["root"].cert], at=NOW)


def test_unsupported_leaf_key_is_refused(pki: dict[str, Issued]) -> None:
    k1 = issue("secp256k1", ec.generate_private_key(ec.SECP256K1()), pki["inter"], ca=False)
    with pytest.raises(TrustError):
        verify_x509_chain([k1.der, pki["inter"].der], anchors=[pki["root"].cert], at=NOW)


def test_ed25519_issuer_is_not_supported_by_cryptography() -> None:
    # A limitation of cryptography's path validation (WebPKI algorithm allow-list).
    root = issue("Ed Root", ed25519.Ed25519PrivateKey.generate(), ca=True)
    leaf = issue("Leaf", ec.generate_private_key(ec.SECP256R1()), root, ca=False)
    with pytest.raises(TrustError, match="Forbidden public key algorithm"):
        verify_x509_chain([leaf.der], anchors=[root.cert], at=NOW)


def test_garbage_chains(pki: dict[str, Issued]) -> None:
    with pytest.raises(TrustError, match="not a DER certificate") as info:
        verify_x509_chain([b"\x30\x03\x02\x01\x01"], anchors=[pki["root"].cert], at=NOW)
    assert info.value.path == ("x5chain", 0)
    with pytest.raises(TrustError, match="non-empty"):
        verify_x509_chain([], anchors=[pki["root"].cert], at=NOW)
    with pytest.raises(TrustError, match="timezone-aware"):
        verify_x509_chain([pki["leaf_ed"].der], anchors=[pki["root"].cert], at=datetime(2026, 6, 1))


def test_chain_depth_is_bounded() -> None:
    root = issue("R", ec.generate_private_key(ec.SECP256R1()), ca=True)
    chain_certs = [root]
    for i in range(6):
        chain_certs.append(
            issue(f"I{i}", ec.generate_private_key(ec.SECP256R1()), chain_certs[-1], ca=True)
        )
    leaf = issue("L", ec.generate_private_key(ec.SECP256R1()), chain_certs[-1], ca=False)
    intermediates = [c.der for c in reversed(chain_certs[1:])]
    with pytest.raises(TrustError):
        verify_x509_chain([leaf.der, *intermediates], anchors=[root.cert], at=NOW)
    assert verify_x509_chain(
        [leaf.der, *intermediates], anchors=[root.cert], at=NOW, max_chain_depth=8
    )


# --- the trust store mapping ------------------------------------------------------------------


def anchor_for(issued: Issued, **kwargs: object) -> TrustAnchor:
    fields: dict[str, object] = {
        "organisation_id": ORG,
        "roles": [Role.MANUFACTURER, Role.ECONOMIC_OPERATOR],
        "not_before": NOW - timedelta(days=100),
        "not_after": NOW + timedelta(days=1000),
    }
    pem = issued.cert.public_bytes(serialization.Encoding.PEM)
    return TrustAnchor.from_pem(pem, **(fields | kwargs))  # type: ignore[arg-type]


def test_lookup_x509_maps_to_the_anchor_entry(pki: dict[str, Issued]) -> None:
    store = TrustStore().add_anchor(anchor_for(pki["root"]))
    entry = store.lookup_x509([pki["leaf_ed"].der, pki["inter"].der], at=NOW)
    assert entry.organisation_id == ORG
    assert entry.roles == frozenset({Role.MANUFACTURER, Role.ECONOMIC_OPERATOR})
    assert entry.public_key == signer_of(pki["leaf_ed"]).public_key()
    assert entry.kid == entry.public_key.thumbprint()
    assert entry.not_after == pki["leaf_ed"].cert.not_valid_after_utc
    entry.check_valid(at=NOW)


def test_lookup_x509_checks_the_leaf_organisation_identifier(pki: dict[str, Issued]) -> None:
    store = TrustStore().add_anchor(anchor_for(pki["root"], organisation_id="LEI:OTHER"))
    with pytest.raises(TrustError, match="anchor is trusted for 'LEI:OTHER'"):
        store.lookup_x509([pki["leaf_ed"].der, pki["inter"].der], at=NOW)
    # A leaf without organizationIdentifier takes the anchor's organisation.
    assert store.lookup_x509([pki["leaf_ec"].der, pki["inter"].der], at=NOW).organisation_id == (
        "LEI:OTHER"
    )


def test_lookup_x509_anchor_window_and_revocation(pki: dict[str, Issued]) -> None:
    anchor = anchor_for(pki["root"])
    chain = [pki["leaf_ed"].der, pki["inter"].der]
    revoked = TrustStore().add_anchor(anchor).revoke_anchor(anchor.fingerprint, at=NOW)
    with pytest.raises(TrustError, match="revoked at"):
        revoked.lookup_x509(chain, at=NOW)
    assert revoked.lookup_x509(chain, at=NOW - timedelta(seconds=1))
    late = TrustStore().add_anchor(anchor_for(pki["root"], not_before=NOW + timedelta(days=1)))
    with pytest.raises(TrustError, match="not valid before"):
        late.lookup_x509(chain, at=NOW)
    with pytest.raises(TrustError, match="cannot revoke unknown trust anchor"):
        TrustStore().revoke_anchor("00" * 32, at=NOW)


def test_a_valid_anchor_is_preferred_over_a_revoked_one(pki: dict[str, Issued]) -> None:
    revoked_other = anchor_for(pki["other"], revoked_at=NOW - timedelta(days=1))
    store = TrustStore().add_anchor(revoked_other).add_anchor(anchor_for(pki["root"]))
    assert store.lookup_x509([pki["leaf_ed"].der, pki["inter"].der], at=NOW).organisation_id == ORG


def test_anchors_survive_the_trust_file(tmp_path: object, pki: dict[str, Issued]) -> None:
    anchor = anchor_for(pki["root"])
    store = (
        TrustStore()
        .add_anchor(anchor)
        .add_key(
            PublicKey.from_cryptography(pki["leaf_ec"].key.public_key()),  # type: ignore[attr-defined]
            organisation_id="VAT:FR40303265045",
            roles=[Role.RECYCLER],
            not_before=NOW,
            not_after=NOW + timedelta(days=1),
        )
    )
    loaded = TrustStore.from_json(store.to_json())
    assert loaded == store
    assert loaded.anchors[0].certificate == pki["root"].cert
    assert loaded.anchors[0].fingerprint == anchor.fingerprint
    with pytest.raises(TrustError, match="appears twice"):
        store.add_anchor(anchor)


@pytest.mark.parametrize(
    "pem",
    [
        "not pem",
        "-----BEGIN CERTIFICATE-----\n!!!!\n-----END CERTIFICATE-----\n",
        "-----BEGIN CERTIFICATE-----\nMAA=\n-----END CERTIFICATE-----\n",
    ],
)
def test_bad_anchor_pem(pem: str) -> None:
    with pytest.raises(TrustError):
        TrustAnchor.from_pem(
            pem,
            organisation_id=ORG,
            roles=[Role.RECYCLER],
            not_before=NOW,
            not_after=NOW + timedelta(1),
        )
