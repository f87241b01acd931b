"""Actor roles of the battery life cycle (Regulation (EU) 2023/1542).

The roles are part of the model: trust files name them; the event policy
(``EventPolicy``) and the verifiers' ``allowed_roles`` check them. The public spelling is
``batterypass.model.Role`` (also ``batterypass.Role``).
"""

from __future__ import annotations

import enum

__all__ = ["Role"]


class Role(enum.StrEnum):
    """Who an actor is in the life of a battery; the value is the wire/trust-file spelling."""

    MANUFACTURER = "manufacturer"
    ECONOMIC_OPERATOR = "economic_operator"
    REPAIRER = "repairer"
    REPURPOSER = "repurposer"
    REMANUFACTURER = "remanufacturer"
    RECYCLER = "recycler"
    NOTIFIED_BODY = "notified_body"
    MARKET_SURVEILLANCE = "market_surveillance"
