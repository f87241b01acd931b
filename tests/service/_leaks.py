"""What must never leak onto a page: the values of the access groups an audience may not see.

Shared by the page's unit tests (tests/service/test_page.py) and the browser tests
(tests/browser/test_page_browser.py), which load this file by path (the test tree is not a
package).
"""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

from batterypass.model import VISIBILITY, AccessGroup, Audience, BatteryPassport, iter_data_points

__all__ = ["secret_strings", "shows"]


def _leaves(value: Any) -> list[Any]:
    if value is None:
        return []
    if isinstance(value, tuple | list):
        return [leaf for item in value for leaf in _leaves(item)]
    if hasattr(type(value), "model_fields"):
        return [leaf for name in type(value).model_fields for leaf in _leaves(getattr(value, name))]
    return [value]


def _values_by_group(passport: BatteryPassport) -> dict[AccessGroup, set[str]]:
    out: dict[AccessGroup, set[str]] = {g: set() for g in AccessGroup}
    for ref in iter_data_points():
        value: Any = passport
        for name in ref.path:
            value = getattr(value, name)
        for leaf in _leaves(value):
            if isinstance(leaf, bool):
                continue
            if isinstance(leaf, Decimal | int):
                out[ref.info.group].add(format(Decimal(leaf), "f"))
            elif hasattr(leaf, "isoformat"):
                out[ref.info.group].add(leaf.isoformat())
            else:
                out[ref.info.group].add(str(getattr(leaf, "value", leaf)))
    return out


def secret_strings(passport: BatteryPassport, audience: Audience) -> set[str]:
    """Values of groups the audience may not see that are not also values it may see (a
    number like 0 can be both), long enough to be recognisable in the page."""
    by_group = _values_by_group(passport)
    allowed = VISIBILITY[audience]
    seen = set().union(*(by_group[g] for g in allowed))
    hidden = set().union(*(v for g, v in by_group.items() if g not in allowed))
    # A hidden value that is part of a visible one ("manganese" in a substance's name) is not
    # a leak when it shows.
    visible = "\n".join(seen).lower()
    return {
        s for s in hidden - seen if len(s) >= 4 and not s.isdigit() and s.lower() not in visible
    }


def shows(value: str, page: str) -> bool:
    """``value`` occurs in ``page`` as a whole word ("iron" is not in "environment")."""
    return re.search(rf"(?<![\w.]){re.escape(value)}(?![\w])", page) is not None
