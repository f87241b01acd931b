"""The export supplement: Catena-X values the passport does not hold (ADR 0013).

The Catena-X battery pass requires about twenty properties that no data point of the passport
carries (the data-matrix code, customs codes, the data carrier, the passport's own version
label and expiration date, documents per material, test conditions, ...). Export never makes
them up. A maker who has them writes them once in a *supplement*: a partial payload, shaped
like the Catena-X document itself, that export merges into what it writes from the passport.

Rules (one line each, all tested):

- The supplement is checked against the 6.1.0 schema's types, patterns, enumerations,
  bounds and unique items (a partial document: nothing is required), every problem reported
  with its pointer.
- It only adds: an object merges property by property, a list item by item with a list of
  the same length, and any value where the passport wrote one already is refused with the
  pointer and the data point that carries it (change the passport, not the supplement).
- It gives no passport data: a value import would read as a data point the passport does not
  hold (a plain field, a hazardous substance, a mass, a composition share, ...) is refused;
  the export compares what import reads with and without the supplement.
- Import gives the supplement back: :func:`supplement_of` is what a payload holds beyond what
  the passport read from it exports, so that ``export(import(doc), supplement_of(doc, p))``
  gives the payload again wherever the passport holds its values in the same form.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Callable, Mapping
from decimal import Context, Decimal
from typing import Any, Final

from batterypass.errors import Issue, ValidationError
from batterypass.interop._shape import BAD, List, Obj, Str, check
from batterypass.interop.catena_x._schema import import_structure, structure

SUPPLEMENT: Final = "supplement"
"""The first token of the path of a supplement's issues."""


class _Same:
    """What a payload and an export agree on (or what a supplement cannot express)."""


_SAME: Final = _Same()


def check_supplement(supplement: Any) -> dict[str, Any]:
    """The supplement if it is a well-typed partial Catena-X payload; else
    :class:`~batterypass.errors.ValidationError` listing every problem by its pointer."""
    issues: list[Issue] = []

    def fail(pointer: str, message: str) -> None:
        issues.append(Issue((SUPPLEMENT, *_tokens(pointer)), message))

    # As on import, identifiers need not match the schema's patterns and texts may exceed its
    # length limits (a payload that did reads back); export reports each as a deviation.
    checked = check(supplement, import_structure(), "", "Catena-X battery pass 6.1.0", fail)
    if issues or checked is BAD:
        _raise(issues)
    assert isinstance(checked, dict)
    _repeated_items(structure(), checked, "", fail)
    if issues:
        _raise(issues)
    return checked


def _repeated_items(typ: Any, value: Any, here: str, fail: Callable[[str, str], None]) -> None:
    """Report each item of a ``uniqueItems`` list of the schema that repeats an earlier one
    (the payload would fail the schema there, and export writes a supplied list unchanged)."""
    if isinstance(typ, Obj) and isinstance(value, Mapping):
        for name, sub, _ in typ.props:
            if name in value:
                _repeated_items(sub, value[name], f"{here}/{name}", fail)
    elif isinstance(typ, List) and isinstance(value, list):
        seen: dict[Any, int] = {}
        for i, item in enumerate(value):
            key = _canonical(item)
            if typ.unique and key in seen:
                fail(f"{here}/{i}", f"repeats item {seen[key]}: the schema wants unique items")
            seen.setdefault(key, i)
            _repeated_items(typ.item, item, f"{here}/{i}", fail)


def merge_supplement(
    doc: Mapping[str, Any],
    supplement: Mapping[str, Any],
    field_of: Callable[[str], str | None],
    rule_field: Callable[[str], str | None],
) -> tuple[dict[str, Any], tuple[str, ...]]:
    """The payload with the supplement's values added, and the pointers of what was added.

    ``field_of(pointer)`` names the data point a pointer carries (for the refusal message);
    ``rule_field(pointer)`` the data point of a plain one-to-one field, which import reads into
    the passport and so belongs there, signed, not in a supplement. Raises
    :class:`~batterypass.errors.ValidationError` listing every value the passport wrote
    already and every plain field of the passport the supplement gives."""
    merged = copy.deepcopy(dict(doc))
    added: list[str] = []
    issues: list[Issue] = []

    def clash(here: str, message: str) -> None:
        issues.append(Issue((SUPPLEMENT, *_tokens(here)), message))

    def merge(target: Any, extra: Any, here: str) -> None:
        if isinstance(target, dict) and isinstance(extra, Mapping):
            for key, value in extra.items():
                there = f"{here}/{key}"
                if key not in target:
                    target[key] = copy.deepcopy(value)
                    added.append(there)
                    for leaf in _leaves(value, there):
                        field = rule_field(leaf)
                        if field is not None:
                            clash(
                                leaf,
                                f"{field} is a data point of the passport: set it there, "
                                "where it is signed, not in the supplement",
                            )
                else:
                    merge(target[key], value, there)
        elif isinstance(target, list) and isinstance(extra, list):
            if len(target) != len(extra):
                clash(
                    here,
                    f"the export writes {_entries(len(target))} here and the supplement gives "
                    f"{_entries(len(extra))}: a supplement adds to each entry, item by item",
                )
                return
            for i, (t, e) in enumerate(zip(target, extra, strict=True)):
                merge(t, e, f"{here}/{i}")
        else:
            field = field_of(here)
            carried = f" (carried by {field})" if field else ""
            clash(
                here,
                f"the passport writes this value{carried}; change the passport, not the supplement",
            )

    merge(merged, supplement, "")
    if issues:
        _raise(issues)
    return merged, tuple(added)


def refuse_data_points(found: list[tuple[str, str]]) -> None:
    """Refuse the supplement if import would read a passport data point from what it added:
    ``found`` holds (pointer, data point) of each such value."""
    issues = [
        Issue(
            (SUPPLEMENT, *_tokens(pointer)),
            f"{field} is a data point of the passport: set it there, where it is signed, "
            "not in the supplement",
        )
        for pointer, field in found
    ]
    if issues:
        _raise(issues)


def supplied_deviations(
    doc: Mapping[str, Any], supplied: tuple[str, ...]
) -> list[tuple[str, str, str]]:
    """(pointer, rule, message) of each supplied text the schema's pattern or length limit
    refuses (identifiers and headers, which the supplement check lets through)."""
    out: list[tuple[str, str, str]] = []

    def walk(typ: Any, value: Any, here: str) -> None:
        if isinstance(typ, Obj) and isinstance(value, Mapping):
            for name, sub, _ in typ.props:
                if name in value:
                    walk(sub, value[name], f"{here}/{name}")
        elif isinstance(typ, List) and isinstance(value, list):
            for i, item in enumerate(value):
                walk(typ.item, item, f"{here}/{i}")
        elif isinstance(typ, Str) and isinstance(value, str):
            if typ.pattern is not None and not re.search(typ.pattern, value):
                out.append(
                    (
                        here,
                        "pattern",
                        f"supplied {value!r} does not match the schema's "
                        f"pattern {typ.pattern}; written unchanged",
                    )
                )
            if typ.max_length is not None and len(value) > typ.max_length:
                out.append(
                    (
                        here,
                        "maxLength",
                        f"supplied text of {len(value)} characters is longer "
                        f"than the schema's {typ.max_length}; written unchanged",
                    )
                )

    for pointer in supplied:
        typ: Any = structure()
        value: Any = doc
        for token in pointer.split("/")[1:]:
            if isinstance(typ, Obj):
                typ = typ.get(token)
                value = value[token]
            else:
                assert isinstance(typ, List)
                typ, value = typ.item, value[int(token)]
        walk(typ, value, pointer)
    return out


def _canonical(value: Any) -> Any:
    """A hashable form of a JSON value, equal for values JSON Schema holds equal (key order
    ignored, ``1`` and ``1.0`` the same number, ``true`` no number)."""
    if isinstance(value, Mapping):
        return ("object", frozenset((k, _canonical(v)) for k, v in value.items()))
    if isinstance(value, list):
        return ("array", tuple(_canonical(v) for v in value))
    if isinstance(value, bool):
        return ("boolean", value)
    if isinstance(value, int | Decimal):
        return ("number", Decimal(value).normalize(_EXACT))
    return (type(value).__name__, value)


_EXACT: Final = Context(prec=200, Emax=10_000, Emin=-10_000)


def _entries(n: int) -> str:
    return f"{n} entry" if n == 1 else f"{n} entries"


def _tokens(pointer: str) -> list[str | int]:
    return [int(t) if t.isdigit() else t for t in pointer.split("/")[1:]]


def _leaves(value: Any, here: str) -> list[str]:
    if isinstance(value, Mapping):
        return [leaf for k, v in value.items() for leaf in _leaves(v, f"{here}/{k}")]
    if isinstance(value, list):
        return [leaf for i, v in enumerate(value) for leaf in _leaves(v, f"{here}/{i}")]
    return [here]


def diff(doc: Any, exported: Any) -> Any:
    """What ``doc`` holds beyond ``exported``, as a supplement (or :data:`_SAME`)."""
    if isinstance(doc, Mapping) and isinstance(exported, Mapping):
        out = {}
        for key, value in doc.items():
            if key not in exported:
                out[key] = copy.deepcopy(value)
            else:
                d = diff(value, exported[key])
                if d is not _SAME:
                    out[key] = d
        return out or _SAME
    if (
        isinstance(doc, list)
        and isinstance(exported, list)
        and len(doc) == len(exported)
        and all(isinstance(item, Mapping) for item in doc)
    ):
        items = [diff(a, b) for a, b in zip(doc, exported, strict=True)]
        if all(item is _SAME for item in items):
            return _SAME
        return [{} if item is _SAME else item for item in items]
    # Equal, or carried in another form (the passport's form is exported), or a list whose
    # entries import dropped (told in its notes): nothing a supplement can add.
    return _SAME


def supplement_from(doc: Mapping[str, Any], exported: Mapping[str, Any]) -> dict[str, Any]:
    found = diff(doc, exported)
    return {} if found is _SAME else dict(found)


def _raise(issues: list[Issue]) -> None:
    first = issues[0]
    where = "".join(f"/{t}" for t in first.path[1:])
    more = f" (and {len(issues) - 1} more)" if len(issues) > 1 else ""
    raise ValidationError(f"{SUPPLEMENT} {where}: {first.message}{more}", issues=issues)
