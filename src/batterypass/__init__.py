"""batterypass: EU battery passports (Regulation (EU) 2023/1542, Art. 77 and Annex XIII).

The names most programs need are importable from here::

    from batterypass import BatteryPassport, TrustStore, PrivateKey, sign_passport, verify_passport

They are loaded on first use (``import batterypass`` alone stays cheap: the verification
stack pulls in pydantic, cbor2 and cryptography). Everything else lives in the subpackages:
``model``, ``codec``, ``cose``, ``lifecycle``, ``circularity``, ``carbon``, ``disclosure``,
``verify``.
"""

from __future__ import annotations

__version__ = "0.1.0"

# Not ``typing.TYPE_CHECKING``: importing ``typing`` would cost more than the rest of this
# module (type checkers treat a module-level ``TYPE_CHECKING = False`` the same way).
TYPE_CHECKING = False
if TYPE_CHECKING:
    from batterypass.cose import sign_passport
    from batterypass.disclosure import issue_disclosable, present
    from batterypass.errors import BatteryPassError
    from batterypass.keys import PrivateKey, PublicKey
    from batterypass.model import Audience, BatteryPassport, Role
    from batterypass.verify import (
        TrustStore,
        VerifiedPassport,
        VerifiedPresentation,
        verify_many,
        verify_passport,
        verify_presentation,
    )

# name -> module that defines it publicly
_EXPORTS: dict[str, str] = {
    "Audience": "batterypass.model",
    "BatteryPassError": "batterypass.errors",
    "BatteryPassport": "batterypass.model",
    "PrivateKey": "batterypass.keys",
    "PublicKey": "batterypass.keys",
    "Role": "batterypass.model",
    "TrustStore": "batterypass.verify",
    "VerifiedPassport": "batterypass.verify",
    "VerifiedPresentation": "batterypass.verify",
    "issue_disclosable": "batterypass.disclosure",
    "present": "batterypass.disclosure",
    "sign_passport": "batterypass.cose",
    "verify_many": "batterypass.verify",
    "verify_passport": "batterypass.verify",
    "verify_presentation": "batterypass.verify",
}

__all__ = [
    "Audience",
    "BatteryPassError",
    "BatteryPassport",
    "PrivateKey",
    "PublicKey",
    "Role",
    "TrustStore",
    "VerifiedPassport",
    "VerifiedPresentation",
    "__version__",
    "issue_disclosable",
    "present",
    "sign_passport",
    "verify_many",
    "verify_passport",
    "verify_presentation",
]


def __getattr__(name: str) -> object:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'batterypass' has no attribute {name!r}")
    value = getattr(__import__(module, fromlist=[name]), name)
    globals()[name] = value  # later lookups skip this function
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *_EXPORTS})
