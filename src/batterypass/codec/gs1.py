"""GS1 Digital Link URIs for a battery: GTIN (AI 01) and serial number (AI 21).

``https://<domain>[/<path>]/01/<GTIN>/21/<serial>``: the form the QR code on a battery can
carry (DOMAIN.md, "Scope and identifiers"). Only this form is built and accepted: no other key
qualifiers (AI 22, AI 10), no query string or fragment, and https only, as the passport model's
identifiers require (a URI built for a server on this machine, ``http://127.0.0.1:8000``, may
use http: the demo server's QR codes).

- The GTIN may be a GTIN-8, -12, -13 or -14 with a valid GS1 mod-10 check digit; built URIs
  carry it as 14 digits (zero-padded), the canonical form of GS1 Digital Link.
- The serial (AI 21) is 1 to 20 characters of GS1 AI encodable character set 82; every
  character outside the RFC 3986 unreserved set is percent-encoded (upper-case hex), as GS1
  Digital Link 1.x requires, so ``/``, ``%``, ``?`` and ``#`` in a serial cannot change the
  URI's structure.
"""

from __future__ import annotations

import ipaddress
import re
from urllib.parse import quote, unquote, urlsplit

from batterypass.errors import ValidationError
from batterypass.model import gtin_check_digit

__all__ = ["CSET_82", "build_digital_link", "normalise_gtin", "parse_digital_link"]

CSET_82 = frozenset(
    "!\"%&'()*+,-./0123456789:;<=>?ABCDEFGHIJKLMNOPQRSTUVWXYZ_abcdefghijklmnopqrstuvwxyz"
)
"""GS1 AI encodable character set 82, the characters a serial number (AI 21) may use."""

_SERIAL_MAX = 20
_GTIN_LENGTHS = (8, 12, 13, 14)
_ESCAPE = re.compile(r"%(?![0-9A-Fa-f]{2})")


def normalise_gtin(gtin: str) -> str:
    """Check a GTIN-8/12/13/14 (digits, length, check digit) and return it as 14 digits."""
    if not isinstance(gtin, str) or not gtin.isascii() or not gtin.isdigit():
        raise ValidationError(f"a GTIN consists of digits only, got {gtin!r}", path=("gtin",))
    if len(gtin) not in _GTIN_LENGTHS:
        raise ValidationError(f"a GTIN has 8, 12, 13 or 14 digits, not {len(gtin)}", path=("gtin",))
    expected = gtin_check_digit(gtin[:-1])
    if expected != int(gtin[-1]):
        raise ValidationError(
            f"GTIN {gtin} has a wrong check digit (expected {expected})", path=("gtin",)
        )
    return gtin.zfill(14)


def _check_serial(serial: str) -> str:
    if not isinstance(serial, str) or not 1 <= len(serial) <= _SERIAL_MAX:
        raise ValidationError(
            f"a serial number (AI 21) has 1 to {_SERIAL_MAX} characters", path=("serial",)
        )
    bad = sorted({c for c in serial if c not in CSET_82})
    if bad:
        raise ValidationError(
            f"character(s) not allowed in a serial number (AI 21, character set 82): "
            f"{', '.join(repr(c) for c in bad)}",
            path=("serial",),
        )
    return serial


_LOOPBACK_HOSTS = frozenset({"localhost", "::1"})


def _is_loopback(host: str | None) -> bool:
    if host is None:
        return False
    if host in _LOOPBACK_HOSTS:
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _check_base(base_uri: str) -> str:
    if not isinstance(base_uri, str):
        raise ValidationError("the base URI must be a string", path=("base_uri",))
    parts = urlsplit(base_uri)
    # Plain http only for a server on this machine (``batterypass serve --demo`` on
    # 127.0.0.1): a QR code for a battery in the field always carries https.
    scheme_ok = parts.scheme == "https" or (parts.scheme == "http" and _is_loopback(parts.hostname))
    if (
        not scheme_ok
        or not parts.netloc
        or parts.query
        or parts.fragment
        or "?" in base_uri
        or "#" in base_uri
        or any(c.isspace() or ord(c) < 32 or ord(c) > 126 for c in base_uri)
    ):
        raise ValidationError(
            f"the base URI must be an https URI (http only on a loopback host) with a host and "
            f"no query or fragment, got "
            f"{base_uri!r}",
            path=("base_uri",),
        )
    return base_uri.rstrip("/")


def build_digital_link(gtin: str, serial: str, *, base_uri: str) -> str:
    """``<base_uri>/01/<GTIN-14>/21/<percent-encoded serial>``.

    Raises :class:`ValidationError` for a bad GTIN (length, digits, check digit), a serial
    outside character set 82 or longer than 20 characters, or an unusable base URI.
    """
    base = _check_base(base_uri)
    return f"{base}/01/{normalise_gtin(gtin)}/21/{quote(_check_serial(serial), safe='')}"


def parse_digital_link(uri: str) -> tuple[str, str, str]:
    """Split a GS1 Digital Link URI into ``(gtin, serial, base_uri)``.

    The GTIN is returned as written (8 to 14 digits) after its check digit is verified; the
    serial is percent-decoded. Raises :class:`ValidationError` for anything else than
    ``https://<host>[/<path>]/01/<GTIN>/21/<serial>``.
    """
    if not isinstance(uri, str):
        raise ValidationError("a GS1 Digital Link URI must be a string")
    parts = urlsplit(uri)
    if parts.scheme != "https" or not parts.netloc:
        raise ValidationError(f"not an https URI: {uri!r}")
    if parts.query or parts.fragment or "?" in uri or "#" in uri:
        raise ValidationError("a GS1 Digital Link URI with a query or fragment is not supported")
    if any(c.isspace() or ord(c) < 32 or ord(c) > 126 for c in uri):
        raise ValidationError("a URI must not contain white space, control or non-ASCII characters")
    segments = parts.path.split("/")
    # The last four segments are 01/<gtin>/21/<serial>; what precedes them is the base path.
    if len(segments) < 5 or segments[-4] != "01" or segments[-2] != "21":
        raise ValidationError(
            "expected a path ending in /01/<GTIN>/21/<serial> (no other GS1 key qualifiers)"
        )
    prefix = "/".join(segments[:-4])
    if "" in segments[1:-4]:
        raise ValidationError("empty path segment in the base of the URI")
    gtin = segments[-3]
    normalise_gtin(gtin)
    raw = segments[-1]
    if _ESCAPE.search(raw):
        raise ValidationError("malformed percent-encoding in the serial", path=("serial",))
    try:
        serial = unquote(raw, encoding="utf-8", errors="strict")
    except UnicodeDecodeError:
        raise ValidationError(
            "the serial is not valid percent-encoded UTF-8", path=("serial",)
        ) from None
    _check_serial(serial)
    return gtin, serial, f"{parts.scheme}://{parts.netloc}{prefix}"
