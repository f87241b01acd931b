"""Asking a TSA over HTTP (the demo TSA on localhost): what the requester checks, and how each
failure is reported."""

from __future__ import annotations

import hashlib
import http.server
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime

import pytest
from rfc3161_client import decode_timestamp_response

from batterypass.cose import (
    Sign1Error,
    parse_sign1,
    request_timestamp,
    request_timestamp_token,
    sign1,
    verify_sign1,
)
from batterypass.errors import TimestampError
from batterypass.keys import Algorithm, PrivateKey

from .conftest import DEMO_POLICY, DemoTSA, serve

WHEN = datetime(2026, 6, 1, 12, tzinfo=UTC)


@pytest.mark.parametrize("alg", [Algorithm.ED25519, Algorithm.ESP256, Algorithm.ED448])
def test_a_granted_token_is_over_the_signature_and_goes_unprotected(alg: Algorithm) -> None:
    key = PrivateKey.generate(alg)
    message = sign1(b"payload", key)
    tsa = DemoTSA(now=WHEN)
    with serve(tsa) as url:
        out = request_timestamp(message, url)
    before, after = parse_sign1(message), parse_sign1(out)
    assert (after.protected_bytes, after.payload, after.signature) == (
        before.protected_bytes,
        before.payload,
        before.signature,
    )
    assert verify_sign1(out, key.public_key()) == b"payload"
    assert after.timestamp_token is not None
    # The token parses and its imprint is the hash of the CBOR-encoded signature, with the
    # hash RFC 9921 suggests (the signing algorithm's where rfc3161-client has it).
    body = b"\x30\x03\x02\x01\x00" + after.timestamp_token
    reply = decode_timestamp_response(b"\x30\x82" + len(body).to_bytes(2, "big") + body)
    info = reply.tst_info
    digest = hashlib.sha256 if alg is Algorithm.ESP256 else hashlib.sha512
    assert info.message_imprint.message == digest(before.timestamp_imprint_input()).digest()
    assert info.gen_time.replace(tzinfo=UTC) == WHEN
    assert info.policy.dotted_string == DEMO_POLICY


def test_the_grant_reports_nonce_and_policy() -> None:
    message = sign1(b"p", PrivateKey.generate())
    with serve(DemoTSA(now=WHEN)) as url:
        grant = request_timestamp_token(message, url)
        other = request_timestamp_token(message, url)
    assert grant.policy == DEMO_POLICY
    assert grant.nonce != other.nonce  # a fresh random nonce per request
    assert grant.token != other.token


@pytest.mark.parametrize(
    ("knob", "code", "what"),
    [
        ("wrong_nonce", "tsa-error", "nonce"),
        ("drop_nonce", "tsa-error", "nonce"),
        ("wrong_imprint", "tsa-error", "imprint"),
        ("refuse", "tsa-refused", "did not grant"),
    ],
)
def test_a_bad_answer_is_refused_with_its_reason(knob: str, code: str, what: str) -> None:
    message = sign1(b"p", PrivateKey.generate())
    tsa = DemoTSA(now=WHEN)
    setattr(tsa, knob, True)
    with serve(tsa) as url, pytest.raises(TimestampError, match=what) as info:
        request_timestamp(message, url)
    assert info.value.code == code


def test_an_unreachable_tsa() -> None:
    message = sign1(b"p", PrivateKey.generate())
    with serve(DemoTSA(now=WHEN)) as url:
        pass  # the server is gone when the request is made
    with pytest.raises(TimestampError, match="unreachable") as info:
        request_timestamp(message, url, timeout=2)
    assert info.value.code == "tsa-unreachable"


@pytest.mark.parametrize("url", ["file:///etc/passwd", "ftp://example.org/tsa", "tsa.example"])
def test_only_http_urls(url: str) -> None:
    with pytest.raises(TimestampError, match="http"):
        request_timestamp(sign1(b"p", PrivateKey.generate()), url)


@contextmanager
def _server(status: int, content_type: str, body: bytes) -> Iterator[str]:
    class Handler(http.server.BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            self.rfile.read(int(self.headers.get("Content-Length", "0")))
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: object) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()


@pytest.mark.parametrize(
    ("status", "kind", "body", "code", "what"),
    [
        (500, "text/plain", b"boom", "tsa-refused", "HTTP 500"),
        (200, "text/html", b"<html>", "tsa-error", "content type"),
        (200, "application/timestamp-reply", b"\x30\x00garbage", "tsa-error", "not an RFC 3161"),
        (200, "application/timestamp-reply", b"\x00" * 5000, "tsa-error", "more than"),
    ],
)
def test_what_an_http_server_answers_instead(
    status: int, kind: str, body: bytes, code: str, what: str
) -> None:
    message = sign1(b"p", PrivateKey.generate())
    with _server(status, kind, body) as url, pytest.raises(TimestampError, match=what) as info:
        request_timestamp_token(message, url, max_response_bytes=4096)
    assert info.value.code == code


def test_a_message_with_a_token_is_not_sent_again() -> None:
    message = sign1(b"p", PrivateKey.generate())
    tsa = DemoTSA(now=WHEN)
    with serve(tsa) as url:
        once = request_timestamp(message, url)
        serial = tsa.serial
        with pytest.raises(Sign1Error, match="already carries"):
            request_timestamp(once, url)
        assert tsa.serial == serial  # refused before asking the TSA
        twice = request_timestamp(once, url, replace=True)
    assert parse_sign1(twice).timestamp_token != parse_sign1(once).timestamp_token


def test_a_server_that_drips_its_answer_is_cut_off() -> None:
    class Dripping(http.server.BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            self.rfile.read(int(self.headers.get("Content-Length", "0")))
            self.send_response(200)
            self.send_header("Content-Type", "application/timestamp-reply")
            self.send_header("Content-Length", "100")
            self.end_headers()
            for _ in range(100):  # one byte every 0.1 s: each read is quick, the whole is not
                self.wfile.write(b"\x00")
                self.wfile.flush()
                time.sleep(0.1)

        def log_message(self, format: str, *args: object) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Dripping)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        url = f"http://127.0.0.1:{server.server_address[1]}/"
        started = time.monotonic()
        with pytest.raises(TimestampError, match="in time") as info:
            request_timestamp_token(sign1(b"p", PrivateKey.generate()), url, timeout=1)
        assert info.value.code == "tsa-unreachable"
        assert time.monotonic() - started < 5
    finally:
        server.shutdown()
        server.server_close()
