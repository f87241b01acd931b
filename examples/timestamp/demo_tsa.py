"""A small RFC 3161 timestamp authority for tests and the worked example. DEMO ONLY.

It answers a DER ``TimeStampReq`` with a DER ``TimeStampResp`` whose token is a CMS
SignedData over a TSTInfo (RFC 3161 section 2.4.2), signed with ECDSA P-256 / SHA-256 and
carrying its certificate and an ESS signing-certificate-v2 attribute (RFC 5816). The
structures are built with ``asn1crypto``; keys, certificates and signatures with
``cryptography``. :func:`serve` runs it over HTTP on localhost.

Every knob a test needs to make a *bad* answer is a field of :class:`DemoTSA`: a fixed clock
(``now``), a wrong imprint or nonce, no nonce, a refusal. The keys are generated unless given,
so a test can make a TSA that no trust file knows. Never use this for anything real.
"""

from __future__ import annotations

import hashlib
import http.server
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime

from asn1crypto import algos, cms, core, tsp
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

DEMO_POLICY = "1.3.6.1.4.1.4146.1.2.3"
"""The policy OID the demo TSA writes (any OID will do; a verifier records it)."""


class _Refusal(core.Sequence):
    """A TimeStampResp without a token (asn1crypto's TimeStampResp insists on one)."""

    _fields = [  # noqa: RUF012 - the asn1crypto spelling
        ("status", tsp.PKIStatusInfo),
        ("time_stamp_token", cms.ContentInfo, {"optional": True}),
    ]


def _name(common_name: str) -> x509.Name:
    return x509.Name(
        [
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Demo Timestamping (DEMO ONLY)"),
            x509.NameAttribute(NameOID.COMMON_NAME, common_name),
        ]
    )


def make_root(
    key: ec.EllipticCurvePrivateKey,
    *,
    not_before: datetime,
    not_after: datetime,
    common_name: str = "Demo TSA Root (DEMO ONLY)",
) -> x509.Certificate:
    """A self-signed CA certificate for the TSA."""
    name = _name(common_name)
    return (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(1)
        .not_valid_before(not_before)
        .not_valid_after(not_after)
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=False,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=True,
                crl_sign=True,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), False)
        .sign(key, hashes.SHA256())
    )


def make_leaf(
    key: ec.EllipticCurvePrivateKey,
    issuer: x509.Certificate,
    issuer_key: ec.EllipticCurvePrivateKey,
    *,
    not_before: datetime,
    not_after: datetime,
    serial: int = 2,
) -> x509.Certificate:
    """The TSA's signing certificate: critical EKU id-kp-timeStamping (RFC 3161 2.3)."""
    return (
        x509.CertificateBuilder()
        .subject_name(_name("Demo TSA (DEMO ONLY)"))
        .issuer_name(issuer.subject)
        .public_key(key.public_key())
        .serial_number(serial)
        .not_valid_before(not_before)
        .not_valid_after(not_after)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=True,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=False,
                crl_sign=False,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.TIME_STAMPING]), critical=True)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(issuer_key.public_key()), False
        )
        .sign(issuer_key, hashes.SHA256())
    )


def pem(cert: x509.Certificate) -> bytes:
    """The certificate as PEM."""
    return cert.public_bytes(serialization.Encoding.PEM)


@dataclass
class DemoTSA:
    """A TSA with a root and a leaf certificate; :meth:`respond` answers one request."""

    now: datetime
    """The time the TSA writes into its tokens (genTime)."""
    root_key: ec.EllipticCurvePrivateKey = field(
        default_factory=lambda: ec.generate_private_key(ec.SECP256R1())
    )
    leaf_key: ec.EllipticCurvePrivateKey = field(
        default_factory=lambda: ec.generate_private_key(ec.SECP256R1())
    )
    valid_from: datetime = datetime(2025, 1, 1, tzinfo=UTC)
    valid_until: datetime = datetime(2040, 1, 1, tzinfo=UTC)
    leaf_valid_until: datetime | None = None
    """End of the leaf certificate's validity (default: ``valid_until``)."""
    policy: str = DEMO_POLICY
    wrong_imprint: bool = False
    wrong_nonce: bool = False
    drop_nonce: bool = False
    refuse: bool = False
    serial: int = 1
    root: x509.Certificate = field(init=False)
    leaf: x509.Certificate = field(init=False)

    def __post_init__(self) -> None:
        self.root = make_root(self.root_key, not_before=self.valid_from, not_after=self.valid_until)
        self.leaf = make_leaf(
            self.leaf_key,
            self.root,
            self.root_key,
            not_before=self.valid_from,
            not_after=self.leaf_valid_until or self.valid_until,
        )

    def respond(self, request_der: bytes) -> bytes:
        """The DER TimeStampResp for the DER TimeStampReq ``request_der``."""
        request = tsp.TimeStampReq.load(request_der)
        if self.refuse:
            return _Refusal(
                {
                    "status": tsp.PKIStatusInfo(
                        {
                            "status": "rejection",
                            "status_string": ["demo TSA refuses on purpose"],
                        }
                    )
                }
            ).dump()
        imprint = request["message_imprint"]
        if self.wrong_imprint:
            digest = bytes(b ^ 0xFF for b in imprint["hashed_message"].native)
            imprint = tsp.MessageImprint(
                {"hash_algorithm": imprint["hash_algorithm"], "hashed_message": digest}
            )
        self.serial += 1
        info: dict[str, object] = {
            "version": "v1",
            "policy": self.policy,
            "message_imprint": imprint,
            "serial_number": self.serial,
            "gen_time": self.now.astimezone(UTC),
            "accuracy": {"seconds": 1},
        }
        nonce = request["nonce"].native
        if nonce is not None and not self.drop_nonce:
            info["nonce"] = nonce + 1 if self.wrong_nonce else nonce
        token = self._sign(tsp.TSTInfo(info).dump(), request["cert_req"].native)
        return tsp.TimeStampResp(
            {"status": tsp.PKIStatusInfo({"status": "granted"}), "time_stamp_token": token}
        ).dump()

    def _sign(self, tst_info: bytes, with_cert: bool) -> cms.ContentInfo:
        leaf_der = self.leaf.public_bytes(serialization.Encoding.DER)
        leaf = asn1_x509.Certificate.load(leaf_der)
        ess = tsp.SigningCertificateV2(
            {
                "certs": [
                    {
                        # SHA-256 is the default hash of ESSCertIDv2 and is left out.
                        "cert_hash": hashlib.sha256(leaf_der).digest(),
                        "issuer_serial": {
                            "issuer": [asn1_x509.GeneralName({"directory_name": leaf.issuer})],
                            "serial_number": leaf.serial_number,
                        },
                    }
                ]
            }
        )
        signed_attrs = cms.CMSAttributes(
            [
                cms.CMSAttribute({"type": "content_type", "values": ["tst_info"]}),
                cms.CMSAttribute(
                    {"type": "message_digest", "values": [hashlib.sha256(tst_info).digest()]}
                ),
                cms.CMSAttribute({"type": "signing_certificate_v2", "values": [ess]}),
            ]
        )
        # The signature covers the DER of the attributes as a SET OF (RFC 5652 5.4).
        signature = self.leaf_key.sign(signed_attrs.dump(), ec.ECDSA(hashes.SHA256()))
        signer = cms.SignerInfo(
            {
                "version": "v1",
                "sid": cms.SignerIdentifier(
                    {
                        "issuer_and_serial_number": {
                            "issuer": leaf.issuer,
                            "serial_number": leaf.serial_number,
                        }
                    }
                ),
                "digest_algorithm": algos.DigestAlgorithm({"algorithm": "sha256"}),
                "signed_attrs": signed_attrs,
                "signature_algorithm": algos.SignedDigestAlgorithm({"algorithm": "sha256_ecdsa"}),
                "signature": signature,
            }
        )
        signed_data: dict[str, object] = {
            "version": "v3",
            "digest_algorithms": [algos.DigestAlgorithm({"algorithm": "sha256"})],
            "encap_content_info": {
                "content_type": "tst_info",
                "content": core.ParsableOctetString(tst_info),
            },
            "signer_infos": [signer],
        }
        if with_cert:
            signed_data["certificates"] = [leaf]
        return cms.ContentInfo({"content_type": "signed_data", "content": signed_data})


class _Handler(http.server.BaseHTTPRequestHandler):
    tsa: DemoTSA

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length", "0"))
        body = self.rfile.read(min(length, 64 * 1024))
        if self.headers.get("Content-Type") != "application/timestamp-query":
            self.send_error(415, "expected application/timestamp-query")
            return
        try:
            reply = self.tsa.respond(body)
        except (ValueError, TypeError):  # a malformed request: answer like a TSA would
            self.send_error(400, "not a TimeStampReq")
            return
        self.send_response(200)
        self.send_header("Content-Type", "application/timestamp-reply")
        self.send_header("Content-Length", str(len(reply)))
        self.end_headers()
        self.wfile.write(reply)

    def log_message(self, format: str, *args: object) -> None:
        pass  # quiet


@contextmanager
def serve(tsa: DemoTSA) -> Iterator[str]:
    """Serve ``tsa`` over HTTP on 127.0.0.1 (a free port) and yield its URL."""
    handler = type("Handler", (_Handler,), {"tsa": tsa})
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/tsa"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
