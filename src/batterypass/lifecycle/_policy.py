"""Which role may record which event: a policy object, replaceable by the caller."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from types import MappingProxyType

from batterypass.errors import PolicyError
from batterypass.lifecycle._events import EventType
from batterypass.model import Role

__all__ = ["DEFAULT_EVENT_POLICY", "EventPolicy"]

_M, _EO = Role.MANUFACTURER, Role.ECONOMIC_OPERATOR
_REP, _RPU, _RMF, _REC = Role.REPAIRER, Role.REPURPOSER, Role.REMANUFACTURER, Role.RECYCLER
_NB, _MS = Role.NOTIFIED_BODY, Role.MARKET_SURVEILLANCE
_OPERATORS = frozenset({_M, _EO, _RPU, _RMF})


@dataclass(frozen=True, slots=True)
class EventPolicy:
    """The roles allowed to record each event type. An event type that is not listed may not
    be recorded by anyone (fail closed)."""

    allowed: Mapping[EventType, frozenset[Role]]

    def __post_init__(self) -> None:
        frozen = {
            EventType(t): frozenset(Role(r) for r in roles) for t, roles in self.allowed.items()
        }
        object.__setattr__(self, "allowed", MappingProxyType(frozen))

    def roles_for(self, event_type: EventType) -> frozenset[Role]:
        """The roles that may record ``event_type`` (empty: nobody)."""
        return self.allowed.get(event_type, frozenset())

    def check(
        self, event_type: EventType, roles: Iterable[Role], *, index: int | None = None
    ) -> None:
        """Raise :class:`~batterypass.errors.PolicyError` unless one of ``roles`` may record
        ``event_type``."""
        held = frozenset(roles)
        wanted = self.roles_for(event_type)
        if not held & wanted:
            need = ", ".join(sorted(r.value for r in wanted)) or "nobody (not in the policy)"
            have = ", ".join(sorted(r.value for r in held)) or "none"
            raise PolicyError(
                f"a {event_type.value} event may be recorded by [{need}]; the signer holds "
                f"[{have}]",
                index=index,
            )

    def replace(self, event_type: EventType, roles: Iterable[Role]) -> EventPolicy:
        """A policy with the roles for ``event_type`` replaced."""
        return EventPolicy({**self.allowed, event_type: frozenset(roles)})


DEFAULT_EVENT_POLICY = EventPolicy(
    {
        EventType.MANUFACTURED: frozenset({_M}),
        EventType.PLACED_ON_MARKET: frozenset({_M, _EO}),
        EventType.PUT_INTO_SERVICE: _OPERATORS,
        EventType.STATE_OF_HEALTH: _OPERATORS | {_REP},
        EventType.USAGE: _OPERATORS | {_REP},
        EventType.INSPECTED: _OPERATORS | {_REP, _REC, _NB, _MS},
        EventType.REPAIRED: frozenset({_REP, _EO}),
        EventType.ACCIDENT: _OPERATORS | {_REP, _MS},
        EventType.REUSED: frozenset({_EO, _REP}),
        EventType.REPURPOSED: frozenset({_RPU}),
        EventType.REMANUFACTURED: frozenset({_RMF}),
        EventType.OWNERSHIP_TRANSFERRED: _OPERATORS,
        EventType.COLLECTED_AS_WASTE: frozenset({_EO, _REC}),
        EventType.RECYCLED: frozenset({_REC}),
    }
)
"""The default policy (``specs/events.md``): only a recycler records ``recycled``, only a
repairer or an economic operator ``repaired``, only a manufacturer ``manufactured``, only a
repurposer ``repurposed``, only a remanufacturer ``remanufactured``."""
