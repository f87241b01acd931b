"""Turning plain data into a passport, with errors a compliance officer can act on."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

import pydantic
from pydantic import BaseModel

from batterypass.errors import Issue, PathItem, ValidationError
from batterypass.model._access import info_of
from batterypass.model._passport import BatteryPassport

__all__ = ["issue_from_pydantic", "legal_basis_of", "parse_passport", "split_path"]

_PATH_TOKEN = re.compile(r"([^.\[\]]+)|\[(\d+)\]")


def split_path(text: str) -> tuple[PathItem, ...]:
    """``"a.b[2].c"`` -> ``("a", "b", 2, "c")``."""
    out: list[PathItem] = []
    for name, index in _PATH_TOKEN.findall(text):
        out.append(int(index) if index else name)
    return tuple(out)


def legal_basis_of(
    path: tuple[PathItem, ...], root: type[BaseModel] = BatteryPassport
) -> str | None:
    """The legal basis of the data point at (or containing) ``path``, if it has one."""
    model: type[BaseModel] | None = root
    for item in path:
        if model is None or isinstance(item, int):
            continue
        field = model.model_fields.get(item)
        if field is None:
            return None
        info = info_of(field)
        if info is not None:
            return info.legal_basis
        annotation = field.annotation
        model = (
            annotation
            if isinstance(annotation, type) and issubclass(annotation, BaseModel)
            else None
        )
    return None


def issue_from_pydantic(err: Mapping[str, Any]) -> Issue:
    """One pydantic error (an item of ``ValidationError.errors()``) as a batterypass
    :class:`~batterypass.errors.Issue`, with the field path and legal basis."""
    loc: tuple[PathItem, ...] = tuple(
        item for item in err.get("loc", ()) if isinstance(item, str | int)
    )
    # pydantic inserts the names of union members / validator kinds into loc; keep real paths.
    loc = tuple(i for i in loc if not (isinstance(i, str) and ("[" in i or i in _NOISE)))
    ctx = err.get("ctx") or {}
    basis: str | None = None
    if err.get("type") == "batterypass_rule":
        loc = loc + split_path(str(ctx.get("field", "")))
        basis = str(ctx.get("legal_basis") or "") or None
    message = str(err.get("msg", "invalid value"))
    message = message.removeprefix("Value error, ")
    if err.get("type") == "extra_forbidden":
        message = "unknown field (not part of the passport model)"
    elif err.get("type") == "missing":
        message = "required field is missing"
    if basis is None:
        basis = legal_basis_of(loc)
    return Issue(loc, message, basis)


_NOISE = frozenset({"function-after", "function-before", "function-plain", "lax-or-strict"})


def parse_passport(
    data: Mapping[str, Any], *, notes: list[str] | None = None, source: str | None = None
) -> BatteryPassport:
    """Validate plain data (as from JSON or CBOR) into a :class:`BatteryPassport`.

    Raises :class:`~batterypass.errors.ValidationError` listing every problem, each with its
    field path and, where one exists, its legal basis. Normalisations that were applied (for
    instance a status spelled ``reused``) are appended to ``notes`` when given.
    """
    try:
        return BatteryPassport.model_validate(
            data, context={"notes": notes if notes is not None else []}
        )
    except pydantic.ValidationError as e:
        issues = [issue_from_pydantic(err) for err in e.errors(include_url=False)]
        raise ValidationError.from_issues(issues, source=source) from e
