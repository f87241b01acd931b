"""The exception family of batterypass.

Every error the library raises on purpose is a :class:`BatteryPassError`. Errors from other
libraries (pydantic, cbor2, cryptography, the OS) are wrapped with ``raise ... from e`` so that
a caller needs to catch one root type only.

Each error carries *where* the problem is, in whichever form fits:

- ``path``: the field path inside a passport or event, e.g. ``("performance", "voltage")``;
- ``offset``: a byte offset inside an encoded message;
- ``index``: an event index inside a lifecycle log, or an item index in a bulk run;
- ``legal_basis``: the article or annex point of Regulation (EU) 2023/1542 behind a rule;
- ``source``: the file or item the data came from (filled in by the caller that knows it).

``str(error)`` is a single line a person can act on; ``error.code`` is a stable
machine-readable code (kebab-case) for programs: bulk reports, ``--json`` error records and
the service's problem documents carry it. Each class has a default code, and a raise may
name a more precise one (``TrustError(..., code="signer-role")``). Every code, its meaning,
its CLI exit code and the API that raises it are listed in ``specs/error-codes.md``.
Errors are not changed after they are raised: the code is given when the error is made.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

__all__ = [
    "BatteryPassError",
    "ChainError",
    "DecodeError",
    "EncodeError",
    "FileError",
    "InvalidKeyError",
    "Issue",
    "PolicyError",
    "SignatureError",
    "TimestampError",
    "TrustError",
    "ValidationError",
    "format_path",
]

PathItem = str | int


def format_path(path: Sequence[PathItem]) -> str:
    """Render a field path as ``a.b[2].c`` (``$`` for the root)."""
    out = ""
    for item in path:
        if isinstance(item, int):
            out += f"[{item}]"
        else:
            out += f".{item}" if out else str(item)
    return out or "$"


@dataclass(frozen=True, slots=True)
class Issue:
    """One problem found in a document: where it is, what is wrong and the rule behind it."""

    path: tuple[PathItem, ...]
    message: str
    legal_basis: str | None = None

    def __str__(self) -> str:
        basis = f" [{self.legal_basis}]" if self.legal_basis else ""
        return f"{format_path(self.path)}: {self.message}{basis}"


class BatteryPassError(Exception):
    """Root of every error batterypass raises on purpose."""

    code: str = "error"
    """The stable machine-readable code (``specs/error-codes.md``); the class attribute is the
    default, an instance attribute set by ``code=`` overrides it."""

    def __init__(
        self,
        message: str,
        *,
        code: str | None = None,
        path: Sequence[PathItem] | None = None,
        offset: int | None = None,
        index: int | None = None,
        legal_basis: str | None = None,
        source: str | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        if code is not None:
            self.code = code
        self.path: tuple[PathItem, ...] | None = tuple(path) if path is not None else None
        self.offset = offset
        self.index = index
        self.legal_basis = legal_basis
        self.source = source

    def with_source(self, source: str) -> BatteryPassError:
        """Record the file or item name this error is about and return the error itself."""
        self.source = source
        return self

    def location(self) -> str:
        """The location part of the message, or an empty string."""
        parts: list[str] = []
        if self.index is not None:
            parts.append(f"event {self.index}")
        if self.path is not None:
            parts.append(format_path(self.path))
        if self.offset is not None:
            parts.append(f"byte {self.offset}")
        return ", ".join(parts)

    def __str__(self) -> str:
        where = self.location()
        text = f"{where}: {self.message}" if where else self.message
        if self.legal_basis:
            text += f" [{self.legal_basis}]"
        if self.source:
            text = f"{self.source}: {text}"
        return " ".join(text.split("\n"))


class ValidationError(BatteryPassError):
    """A document is well-formed but breaks a rule of the model or the Regulation.

    ``issues`` lists every problem found, not only the first one.
    """

    code = "invalid"

    def __init__(
        self,
        message: str,
        *,
        issues: Sequence[Issue] = (),
        code: str | None = None,
        path: Sequence[PathItem] | None = None,
        legal_basis: str | None = None,
        source: str | None = None,
    ) -> None:
        super().__init__(message, code=code, path=path, legal_basis=legal_basis, source=source)
        self.issues: tuple[Issue, ...] = tuple(issues) or (
            Issue(tuple(path or ()), message, legal_basis),
        )

    @classmethod
    def from_issues(
        cls, issues: Sequence[Issue], *, code: str | None = None, source: str | None = None
    ) -> ValidationError:
        """The error for one or more ``issues``: the first one's message, path and legal
        basis, and how many more there are."""
        first = issues[0]
        more = f" (and {len(issues) - 1} more)" if len(issues) > 1 else ""
        return cls(
            f"{first.message}{more}",
            issues=issues,
            code=code,
            path=first.path,
            legal_basis=first.legal_basis,
            source=source,
        )


class DecodeError(BatteryPassError):
    """Bytes or text could not be decoded: not JSON/CBOR/COSE, truncated, non-canonical or over
    a decoding limit."""

    code = "undecodable"


class EncodeError(BatteryPassError):
    """A value cannot be represented in the wire format."""

    code = "unencodable"


class SignatureError(BatteryPassError):
    """A signature is missing, malformed, uses an unacceptable algorithm or does not verify."""

    code = "bad-signature"


class InvalidKeyError(BatteryPassError):
    """A key cannot be loaded, is weak, or does not fit the algorithm."""

    code = "invalid-key"


class TimestampError(BatteryPassError):
    """A timestamp authority (RFC 3161) could not give a usable token: unreachable, refused,
    or it answered something that is not a token for the request sent (wrong nonce or
    message imprint, not a TimeStampResp)."""

    code = "tsa-error"


class TrustError(BatteryPassError):
    """A signer is not trusted: unknown key, wrong role or organisation, outside its validity
    window or revoked."""

    code = "untrusted-signer"


class ChainError(BatteryPassError):
    """A lifecycle event log is broken: a dropped, reordered, duplicated, forged or forked
    event, a torn tail, or a forbidden status transition."""

    code = "broken-chain"


class FileError(BatteryPassError):
    """A file cannot be read or written, or writing it would replace an existing file."""

    code = "file-error"


class PolicyError(BatteryPassError):
    """An actor is not allowed to do what it did (e.g. a role that may not emit an event)."""

    code = "not-permitted"
