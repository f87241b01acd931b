"""Export and import of the seven aspects: the rules first, then each aspect's quirks."""

from __future__ import annotations

import functools
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any, Final

from batterypass.errors import Issue, PathItem, ValidationError, format_path
from batterypass.interop import _rules
from batterypass.interop._shape import BAD, check, finish, kind, missing
from batterypass.interop.battery_pass import (
    _carbon,
    _circularity,
    _due_diligence,
    _general,
    _labels,
    _materials,
    _performance,
)
from batterypass.interop.battery_pass._common import (
    AspectDocuments,
    Exporter,
    ExportNote,
    Importer,
    refuse_losses,
)
from batterypass.interop.battery_pass._files import detect_aspect, detect_performance_version
from batterypass.interop.battery_pass._mapping import NOT_CARRIED, RULES, field_of_wire
from batterypass.interop.battery_pass._schema import (
    ALIASES,
    ASPECTS,
    CARBON_FOOTPRINT,
    CIRCULARITY,
    DUE_DILIGENCE,
    GENERAL,
    LABELS,
    MATERIALS,
    PERFORMANCE,
    PERFORMANCE_EXPORT_VERSION,
    PERFORMANCE_VERSIONS,
    wire,
)
from batterypass.model import BatteryPassport, parse_passport

_EXPORTERS: Final = {
    GENERAL: _general.export,
    CARBON_FOOTPRINT: _carbon.export,
    DUE_DILIGENCE: _due_diligence.export,
    MATERIALS: _materials.export,
    CIRCULARITY: _circularity.export,
    PERFORMANCE: _performance.export,
    LABELS: _labels.export,
}


def export_aspects(
    passport: BatteryPassport,
    *,
    strict: bool = False,
    performance_version: str = PERFORMANCE_EXPORT_VERSION,
) -> AspectDocuments:
    """Write a passport as Battery Pass consortium aspect documents (one per aspect, keyed by
    aspect name; PerformanceAndDurability in ``performance_version``, one of
    :data:`PERFORMANCE_VERSIONS`, by default :data:`PERFORMANCE_EXPORT_VERSION`).

    PerformanceAndDurability 1.2.0 is for consumers on the 1.2.0 schemas: it cannot hold the
    idle temperature range (a ``lost`` note for each boundary, and a ``missing`` note for the
    single number it requires), and it holds every remaining power capability (1.2.1 only the
    first).

    Nothing is dropped silently: the result's ``notes`` list every piece of passport data the
    documents do not carry (``lost``), every required consortium property the passport does not
    hold (``missing``; never padded with made-up values) and every value written that the
    consortium model does not accept (``deviation``). An aspect for which the passport holds
    no data is not written (a ``missing`` note says so).

    The export writes what it is given: pass ``passport.view(audience)`` to export only what an
    audience may see (the consortium puts data of several Annex XIII access groups into one
    aspect).

    With ``strict=True``, raises :class:`~batterypass.errors.EncodeError` instead of returning
    when any data would be lost. Passport metadata the consortium model has no place for
    (``issuer``, ``issued_at``) is not a loss: :func:`import_aspects` takes it as parameters.
    """
    if performance_version not in PERFORMANCE_VERSIONS:
        raise ValueError(
            f"PerformanceAndDurability version {performance_version!r} is not one of "
            f"{', '.join(PERFORMANCE_VERSIONS)}"
        )
    ex = Exporter(passport)
    built = _rules.export_rules(RULES, passport, ex)
    for aspect, write in _EXPORTERS.items():
        if aspect == PERFORMANCE:
            _performance.export(ex, built.setdefault(aspect, {}), performance_version)
        else:
            write(ex, built.setdefault(aspect, {}))
    for path in NOT_CARRIED:
        value: Any = passport
        for name in path.split("."):
            value = getattr(value, name)
        if value is not None:
            ex.lost(path, "not carried: no place in the consortium model")
    docs: dict[str, dict[str, Any]] = {}
    for aspect in ASPECTS:
        shape = wire(aspect, performance_version)
        doc = finish(built[aspect], shape)
        if not doc:
            ex.notes.append(
                ExportNote(
                    "missing",
                    "aspect not written: the passport holds none of its data",
                    aspect=aspect,
                    pointer="",
                )
            )
            continue
        not_carried = {
            n.pointer for n in ex.notes if n.kind == "lost" and n.aspect == aspect and n.pointer
        }
        ex.notes.extend(
            ExportNote(
                "missing",
                "required by the consortium model; the passport's data for it is not carried "
                "(see the lost note)"
                if here in not_carried
                else "required by the consortium model, not held by the passport",
                field_of_wire(aspect, here),
                aspect,
                here,
            )
            for here in missing(doc, shape)
        )
        docs[aspect] = doc
    result = AspectDocuments(docs, ex.notes)
    if strict:
        refuse_losses(result, "the Battery Pass data model")
    return result


def _canonical_aspect(key: str) -> str | None:
    if key in ASPECTS:
        return key
    return ALIASES.get(key)


def import_aspects(
    docs: Mapping[str, Mapping[str, Any]],
    *,
    issued_at: datetime,
    issuer: str | None = None,
    passport_id: str | None = None,
    battery_id: str | None = None,
    notes: list[str] | None = None,
) -> BatteryPassport:
    """Read Battery Pass consortium aspect documents (any subset, keyed by aspect name) into a
    passport. What the documents do not say stays ``None``:
    :func:`batterypass.model.completeness` lists what is still missing.

    Passport metadata the consortium model has no place for is given here: ``issued_at`` (when
    this passport version is issued; explicit, never the clock) and ``issuer`` (by default the
    identifier in ``GeneralProductInformation /operatorInformation``). ``passport_id`` and
    ``battery_id`` are needed only when ``GeneralProductInformation`` is not among the
    documents; given together with it, they must agree with it.

    PerformanceAndDurability is read in version 1.2.0 or 1.2.1, told from its content
    (:func:`detect_performance_version`). Properties the consortium model requires may be
    absent. Data the passport model has no place for (see specs/battery-pass-mapping.md) is
    dropped and described in ``notes``, when given, as are values that had to be rounded or
    truncated.

    Raises :class:`~batterypass.errors.ValidationError` listing every problem (unknown aspect
    or property, wrong type, value the passport model rejects), each as
    ``"<aspect> <JSON pointer>: <problem>"``; ``issues`` holds them with path
    ``(aspect, *pointer tokens)``.
    """
    imp = Importer(notes, issued_at)
    canonical: dict[str, Mapping[str, Any]] = {}
    for key, doc in docs.items():
        aspect = _canonical_aspect(key)
        if aspect is None:
            imp.fail(str(key), "", f"unknown aspect (expected one of {', '.join(ASPECTS)})")
            continue
        if aspect in canonical:
            imp.fail(aspect, "", f"given twice (as {key!r} too)")
            continue
        if not isinstance(doc, Mapping):
            imp.fail(aspect, "", f"expected an object, got {kind(doc)}")
            continue
        try:
            found = detect_aspect(doc) if doc else aspect
        except ValidationError:
            found = aspect  # the structure check below says what is wrong
        if found != aspect:
            imp.fail(aspect, "", f"the document is a {found} document")
            continue
        canonical[aspect] = doc
    checked: dict[str, Mapping[str, Any]] = {}
    version = PERFORMANCE_EXPORT_VERSION
    for aspect in ASPECTS:
        if aspect not in canonical:
            continue
        model = "1.2.0"
        if aspect == PERFORMANCE:
            try:
                version = detect_performance_version(canonical[aspect])
            except ValidationError as e:
                imp.fail(aspect, "", e.message.removeprefix(f"{PERFORMANCE}: "))
                continue
            model = version
        clean = check(
            canonical[aspect],
            wire(aspect, version),
            "",
            f"{aspect} {model}",
            functools.partial(imp.fail, aspect),
        )
        if clean is not BAD:
            checked[aspect] = clean
    _rules.import_rules(RULES, checked, imp)
    readers = {
        GENERAL: _general.read,
        CARBON_FOOTPRINT: _carbon.read,
        DUE_DILIGENCE: _due_diligence.read,
        MATERIALS: _materials.read,
        CIRCULARITY: _circularity.read,
        LABELS: _labels.read,
    }
    for aspect in ASPECTS:
        if aspect not in checked:
            continue
        if aspect == PERFORMANCE:
            _performance.read(imp, checked[aspect], version)
        else:
            readers[aspect](imp, checked[aspect])
    _envelope(imp, passport_id, battery_id, issuer, issued_at)
    reported = [(i.path[0], "".join(f"/{t}" for t in i.path[1:])) for i in imp.issues]
    try:
        passport = parse_passport(imp.out)
    except ValidationError as e:
        # The passport model's own rules, told at the consortium property each value came from.
        # A value the structure check already rejected was left out; what the model then says
        # about it (typically that it is missing) would only repeat that.
        told: set[tuple[str, str, str]] = set()
        for issue in e.issues:
            aspect, pointer = _origin_of(imp.origin, issue.path)
            if aspect is None:
                imp.messages.append(f"import_aspects {format_path(issue.path)}: {issue.message}")
                imp.issues.append(issue)
                continue
            if any(
                a == aspect
                and (
                    pointer == p
                    or pointer.startswith(p + "/")
                    or (issue.message == _MISSING and p.startswith(pointer + "/"))
                )
                for a, p in reported
            ):
                continue
            # One wire value can feed two data points (the operator's identifier is the default
            # issuer; a flagged material is a critical raw material too): say it once.
            if (aspect, pointer, issue.message) not in told:
                told.add((aspect, pointer, issue.message))
                imp.fail(aspect, pointer, issue.message, issue.legal_basis)
        _raise(imp.messages, imp.issues, cause=e)
    if imp.issues:
        _raise(imp.messages, imp.issues)
    return passport


_MISSING: Final = "required field is missing"


def _envelope(
    imp: Importer,
    passport_id: str | None,
    battery_id: str | None,
    issuer: str | None,
    issued_at: datetime,
) -> None:
    for field, given, key in (
        ("passport_id", passport_id, "batteryPassportIdentifier"),
        ("battery_id", battery_id, "productIdentifier"),
    ):
        read = imp.out.get(field)
        if given is None:
            if read is None:
                imp.origin[(field,)] = (GENERAL, f"/{key}")
                imp.fail(
                    GENERAL,
                    f"/{key}",
                    f"needed for the passport's {field}: give the {GENERAL} document or {field}=",
                )
            continue
        if read is not None and read != given:
            imp.fail(GENERAL, f"/{key}", f"{read!r} disagrees with {field}={given!r}")
            continue
        imp.out[field] = given
        imp.origin[(field,)] = ("import_aspects", f"{field}=")
    if issuer is None:
        general = imp.out.get("general", {})
        issuer = general.get("operator", {}).get("id")
        if issuer is None and general.get("manufacturer", {}).get("id") is not None:
            # No operator in the documents (the CLI export of an example without one): the
            # manufacturer, an economic operator too, is the next default; issuer= overrides.
            issuer = general["manufacturer"]["id"]
            imp.origin[("issuer",)] = imp.origin.get(
                ("general", "manufacturer", "id"), (GENERAL, "/manufacturerInformation/identifier")
            )
            imp.note(
                GENERAL,
                "/manufacturerInformation/identifier",
                "no operator: the manufacturer's identifier taken as the passport's issuer",
            )
        elif issuer is None:
            imp.origin[("issuer",)] = (GENERAL, "/operatorInformation/identifier")
            imp.fail(
                GENERAL,
                "/operatorInformation/identifier",
                "needed for the passport's issuer: give this identifier (or the manufacturer's) "
                "or issuer=",
            )
        else:
            imp.origin[("issuer",)] = imp.origin.get(
                ("general", "operator", "id"), (GENERAL, "/operatorInformation/identifier")
            )
    else:
        imp.origin[("issuer",)] = ("import_aspects", "issuer=")
    if issuer is not None:
        imp.out["issuer"] = issuer
    imp.out["issued_at"] = issued_at
    imp.origin[("issued_at",)] = ("import_aspects", "issued_at=")


def _origin_of(
    origin: Mapping[tuple[PathItem, ...], tuple[str, str]], path: tuple[PathItem, ...]
) -> tuple[str | None, str]:
    for n in range(len(path), 0, -1):
        found = origin.get(path[:n])
        if found is not None:
            return found
    return None, ""


def _raise(
    messages: Sequence[str], issues: Sequence[Issue], cause: BaseException | None = None
) -> None:
    more = f" (and {len(messages) - 1} more)" if len(messages) > 1 else ""
    raise ValidationError(f"{messages[0]}{more}", issues=issues) from cause


# ---------------------------------------------------------------- the longlist mapping
