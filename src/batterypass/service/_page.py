"""The passport page a person sees after scanning the QR code on a battery.

Server-rendered HTML (Jinja2, autoescaping on), readable without JavaScript. The page is built
only from what the library has verified and from the view the audience may see: the renderer
applies :meth:`BatteryPassport.view` itself, whatever it is given, so a caller that passes a
whole passport still cannot leak group 2-4 data onto a public page.

The route (``batterypass.service``) verifies; this module only lays the result out:

- :class:`SignatureCheck`: who signed, with which key, when this server checked, or why the
  check failed (then the page says so in red and never looks valid);
- :class:`Lifecycle`: the verified event log (or why it did not verify);
- :class:`PassportPage`: everything one page shows; :func:`render_page` makes the HTML.
"""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from decimal import Decimal
from enum import Enum
from functools import cache
from importlib import resources
from typing import Any, Final
from urllib.parse import urlsplit

import jinja2
import markupsafe
from pydantic import BaseModel

from batterypass.carbon import (
    ClassScheme,
    ThresholdScheme,
    check_declared_class,
    qr_svg,
    render_label,
)
from batterypass.circularity import RecycledContentReport, recycled_content_compliance
from batterypass.codec.gs1 import parse_digital_link
from batterypass.errors import BatteryPassError
from batterypass.lifecycle import VerifiedChain, VerifiedEvent
from batterypass.model import (
    VISIBILITY,
    AccessGroup,
    Audience,
    BatteryPassport,
    BatteryStatus,
    DocumentRef,
    Operator,
    PostalAddress,
    iter_data_points,
)
from batterypass.service._i18n import HTML_LANG, field_text, negotiate_language, text

__all__ = [
    "CURATED",
    "Lifecycle",
    "PassportPage",
    "SignatureCheck",
    "content_security_policy",
    "illustrative_scheme",
    "negotiate_language",
    "page_headers",
    "render_page",
]


# ---------------------------------------------------------------- inputs


@dataclass(frozen=True, slots=True)
class SignatureCheck:
    """What this server found when it verified the signed passport."""

    verified: bool
    checked_at: datetime
    """When this server made the check (its clock)."""
    organisation_id: str | None = None
    """The signer's organisation, from the trust list (set when verified)."""
    kid: str | None = None
    signed_at: datetime | None = None
    """The signing time the trust list was checked for."""
    reason: str | None = None
    """Why the check failed: one line, from the library's error."""
    code: str | None = None
    """The library's machine-readable reason, when it gave one."""

    @classmethod
    def passed(
        cls, *, organisation_id: str, kid: str, signed_at: datetime, checked_at: datetime
    ) -> SignatureCheck:
        """A signature that verified against the server's trust list."""
        return cls(
            verified=True,
            checked_at=checked_at,
            organisation_id=organisation_id,
            kid=kid,
            signed_at=signed_at,
        )

    @classmethod
    def failed(
        cls, error: BatteryPassError, *, checked_at: datetime, kid: str | None = None
    ) -> SignatureCheck:
        """A signature that did not verify (revoked or expired key, unknown signer, altered
        bytes, ...): ``error`` is what the library raised."""
        code = getattr(error, "code", None) or getattr(error, "reason", None)
        return cls(
            verified=False,
            checked_at=checked_at,
            kid=kid,
            reason=str(error),
            code=str(code) if code is not None else None,
        )


@dataclass(frozen=True, slots=True)
class Lifecycle:
    """The verified event log of a passport, or why it did not verify."""

    events: tuple[VerifiedEvent, ...] = ()
    status: BatteryStatus | None = None
    ceased: bool = False
    successor_passport_id: str | None = None
    failure: str | None = None
    """Set when the log did not verify: then ``events`` is empty."""

    @classmethod
    def from_report(cls, report: VerifiedChain) -> Lifecycle:
        """The lifecycle of a log that :func:`batterypass.verify.verify_events` verified."""
        return cls(
            events=tuple(report.events),
            status=report.status,
            ceased=report.ceased,
            successor_passport_id=report.successor_passport_id,
        )

    @classmethod
    def failed(cls, error: BatteryPassError) -> Lifecycle:
        """A log that did not verify."""
        return cls(failure=str(error))


@dataclass(frozen=True, slots=True)
class PassportPage:
    """Everything one passport page shows."""

    passport: BatteryPassport | None
    """The passport as verified (a whole passport or a presentation); the renderer shows only
    ``passport.view(audience)``. ``None`` when not even the content could be read."""
    audience: Audience
    check: SignatureCheck
    today: date
    """The date the Art. 8 recycled-content status is given for (the server's clock)."""
    download_url: str | None
    """Where the signed passport (the presentation for this audience) can be downloaded;
    ``None`` when no signed copy can be given to this audience (a passport signed whole, whose
    signature covers groups the audience may not see)."""
    download_name: str = "passport.cose"
    trust_url: str | None = None
    """Where the server's trust list can be downloaded, if it publishes it."""
    trust_name: str = "trust.json"
    page_uri: str | None = None
    """The absolute URI of this page, for the QR code on the carbon-footprint label."""
    scheme: ClassScheme | None = None
    """The carbon class scheme of the label (default: the bundled illustrative one)."""
    lifecycle: Lifecycle | None = None
    predecessor_url: str | None = None
    successor_id: str | None = None
    successor_url: str | None = None
    token_organisation: str | None = None
    token_purpose: str | None = None
    generated_at: datetime | None = None
    language_urls: Mapping[str, str] = field(default_factory=dict)
    """Links to this page in each language (e.g. ``{"de": "?lang=de"}``), shown as a switch."""


# ---------------------------------------------------------------- formatting


def _num(value: Decimal | int) -> str:
    """Exact decimal notation: never a float, never an exponent, no grouping."""
    if isinstance(value, Decimal):
        return format(value, "f")
    return str(value)


NBSP: Final = "\u00a0"


def _qty(value: Decimal | int | None, unit: str | None) -> str | None:
    if value is None:
        return None
    number = _num(value)
    return f"{number}{NBSP}{unit}" if unit else number


def _iso(value: date | datetime | None) -> str | None:
    """ISO 8601: dates as YYYY-MM-DD, times in UTC with a ``Z``."""
    if value is None:
        return None
    if isinstance(value, datetime):
        moment = value.astimezone(UTC).replace(microsecond=0)
        return moment.isoformat().replace("+00:00", "Z")
    return value.isoformat()


def _address(address: PostalAddress | None) -> str | None:
    if address is None:
        return None
    locality = " ".join(p for p in (address.postal_code, address.city) if p)
    parts = [p for p in (address.street, locality, address.country) if p]
    return ", ".join(parts)


def _is_link(value: str) -> bool:
    return urlsplit(value).scheme in ("https", "http")


# Field-name endings that carry a unit (STYLE.md: units in field names).
_UNIT_SUFFIXES: Final = (
    ("_kg_co2e_per_kwh", "kg CO₂e/kWh"),
    ("_percent_per_month", "%/month"),
    ("_w_per_wh", "W/Wh"),
    ("_kg_co2e", "kg CO₂e"),
    ("_percent", "%"),
    ("_kwh", "kWh"),
    ("_ah", "Ah"),
    ("_kg", "kg"),
    ("_ohm", "Ω"),
    ("_w", "W"),
    ("_v", "V"),
    ("_c", "°C"),
)


def _split_unit(name: str) -> tuple[str, str | None]:
    for suffix, unit in _UNIT_SUFFIXES:
        if name.endswith(suffix):
            return name[: -len(suffix)], unit
    return name, None


# A displayed value is a small tree the template walks: text, a link, a list, named fields.
Node = tuple[str, Any]


def _node(value: Any, unit: str | None = None, language: str = "en") -> Node:
    if value is None:
        return ("text", "–")
    if isinstance(value, bool):
        return ("text", text("yes" if value else "no", language))
    if isinstance(value, Enum):
        return ("text", str(value.value))
    if isinstance(value, Decimal | int):
        return ("text", _qty(value, unit))
    if isinstance(value, date):  # datetime is a date
        return ("text", _iso(value))
    if isinstance(value, str):
        return ("link", (value, value)) if _is_link(value) else ("text", value)
    if isinstance(value, DocumentRef):
        return ("link", (value.title, value.url))
    if isinstance(value, PostalAddress):
        return ("text", _address(value))
    if isinstance(value, tuple | list):
        return ("list", [_node(item, unit, language) for item in value])
    if isinstance(value, BaseModel):
        fields: list[tuple[str, Node]] = []
        for name in type(value).model_fields:
            item = getattr(value, name)
            if item is None or item == ():
                continue
            label, item_unit = _split_unit(name)
            fields.append((field_text(label, language), _node(item, item_unit, language)))
        return ("fields", fields)
    return ("text", str(value))


# ---------------------------------------------------------------- what the page shows

CURATED: Final = frozenset(
    {
        "passport_id",
        "battery_id",
        "issuer",
        "issued_at",
        "status",
        "predecessor_passport_id",
        "predecessor_last_event_sha256",
        "general.manufacturer",
        "general.operator",
        "general.battery_model",
        "general.category",
        "general.stationary_energy_storage",
        "general.manufacturing_place",
        "general.manufacturing_date",
        "general.mass_kg",
        "general.warranty_period_months",
        "carbon_footprint.total_kg_co2e_per_kwh",
        "carbon_footprint.raw_material_acquisition_kg_co2e_per_kwh",
        "carbon_footprint.main_production_kg_co2e_per_kwh",
        "carbon_footprint.distribution_kg_co2e_per_kwh",
        "carbon_footprint.end_of_life_kg_co2e_per_kwh",
        "carbon_footprint.rounding_kg_co2e_per_kwh",
        "carbon_footprint.performance_class",
        "carbon_footprint.class_scheme",
        "carbon_footprint.study_url",
        "carbon_footprint.absolute_kg_co2e",
        "due_diligence.report_url",
        "due_diligence.third_party_assurances",
        "due_diligence.supply_chain_indices",
        "materials.chemistry",
        "materials.critical_raw_materials",
        "materials.hazardous_substances",
        "materials.substance_impact_url",
        "circularity.recycled_content",
        "circularity.renewable_content_percent",
        "circularity.waste_prevention_info_url",
        "circularity.separate_collection_info_url",
        "circularity.end_of_life_info_url",
        "performance.rated_capacity_ah",
        "performance.certified_usable_energy_kwh",
        "performance.minimum_voltage_v",
        "performance.nominal_voltage_v",
        "performance.maximum_voltage_v",
        "performance.original_power_capability",
        "performance.maximum_permitted_power_w",
        "performance.power_to_energy_ratio_w_per_wh",
        "performance.expected_lifetime_cycles",
        "performance.cycle_life_reference_test",
        "performance.cycle_life_c_rate",
        "performance.capacity_threshold_for_exhaustion_percent",
        "performance.idle_temperature_min_c",
        "performance.idle_temperature_max_c",
        "performance.initial_round_trip_efficiency_percent",
        "performance.round_trip_efficiency_at_50pct_cycle_life_percent",
        "performance.internal_resistance_cell_ohm",
        "performance.internal_resistance_pack_ohm",
        "labels.separate_collection_symbol",
        "labels.cadmium_lead_symbols",
        "labels.carbon_footprint_label",
        "labels.extinguishing_agents",
        "labels.meaning_of_labels_url",
        "labels.declaration_of_conformity",
    }
)
"""Data points the page lays out in its own sections (all group 1 but ``status``, which is
shown only where the view keeps it); every other data point the view keeps is listed under
"Further data", by access group."""


def _get(model: Any, path: Sequence[str]) -> Any:
    for name in path:
        model = getattr(model, name)
    return model


def _further(view: BatteryPassport, language: str) -> list[tuple[int, list[dict[str, Any]]]]:
    """Data points of the view outside :data:`CURATED`, grouped by access group."""
    groups: dict[int, list[dict[str, Any]]] = {}
    for ref in iter_data_points():
        dotted = ".".join(ref.path)
        if dotted in CURATED:
            continue
        value = _get(view, ref.path)
        if value is None:
            continue
        groups.setdefault(int(ref.info.group), []).append(
            {
                "path": dotted,
                "description": ref.info.description,
                "legal_basis": ref.info.legal_basis,
                "value": _node(value, ref.info.unit, language),
            }
        )
    return sorted(groups.items())


@cache
def illustrative_scheme() -> ThresholdScheme:
    """The bundled illustrative carbon class scheme (not regulatory; it says so)."""
    data = resources.files("batterypass").joinpath("data", "illustrative-2027.json").read_text()
    return ThresholdScheme.from_json(data)


def _carbon(view: BatteryPassport, page: PassportPage, language: str) -> dict[str, Any] | None:
    cf = view.carbon_footprint
    if cf.total_kg_co2e_per_kwh is None:
        return None
    scheme = page.scheme or illustrative_scheme()
    # The label's class is the one the server's scheme gives the declared value; the declared
    # class is shown as well, and any disagreement is said.
    problem: str | None = None
    try:
        check_declared_class(view, scheme)
    except BatteryPassError as e:
        problem = str(e)
    svg: str | None = None
    if page.page_uri is not None:
        try:
            svg = render_label(view, scheme=scheme, uri=page.page_uri)
        except BatteryPassError:
            svg = None
    computed = scheme.classify(cf.total_kg_co2e_per_kwh)
    declared_scheme = cf.class_scheme
    same_scheme = declared_scheme is None or declared_scheme == scheme.name
    alt = (
        f"{text('label_alt', language)}: {_num(cf.total_kg_co2e_per_kwh)} kg CO₂e/kWh, "
        f"{text('class_word', language)} {computed} ({text('scheme_word', language)} "
        f"{scheme.name}"
        + (f"; {text('illustrative', language)}" if scheme.illustrative else "")
        + ")"
    )
    return {
        "total": _qty(cf.total_kg_co2e_per_kwh, "kg CO₂e/kWh"),
        "declared_class": cf.performance_class,
        "declared_scheme": declared_scheme,
        "computed_class": computed,
        "scheme_name": scheme.name,
        "illustrative": scheme.illustrative and same_scheme,
        "label_illustrative": scheme.illustrative,
        "problem": problem,
        "stages": [
            (f"stage_{stage.value}", _qty(value, "kg CO₂e/kWh"))
            for stage, value in cf.stage_values().items()
        ],
        "absolute": _qty(cf.absolute_kg_co2e, "kg CO₂e"),
        "study_url": cf.study_url,
        "label_data_uri": (
            "data:image/svg+xml;base64," + base64.b64encode(svg.encode("utf-8")).decode("ascii")
            if svg is not None
            else None
        ),
        "label_alt": alt,
    }


def _recycled(view: BatteryPassport, today: date) -> tuple[RecycledContentReport, list[Any]]:
    report = recycled_content_compliance(view, at=today)
    declared = {r.material: r for r in view.circularity.recycled_content or ()}
    rows = []
    for entry in report.materials:
        share = declared.get(entry.material)
        rows.append(
            {
                "material": entry.material.value,
                "pre": _qty(share.pre_consumer_percent, "%") if share else None,
                "post": _qty(share.post_consumer_percent, "%") if share else None,
                "total": _qty(share.total_percent, "%") if share else None,
                "required": _qty(entry.required_percent, "%"),
                "in_force_from": _iso(entry.in_force_from),
                "next_required": _qty(entry.next_required_percent, "%"),
                "next_from": _iso(entry.next_in_force_from),
                "legal_basis": entry.legal_basis,
                "status": entry.status.value,
                "bad": entry.status.value in ("below-minimum", "not-declared"),
            }
        )
    return report, rows


def _organisation_name(view: BatteryPassport | None, organisation_id: str | None) -> str | None:
    if view is None or organisation_id is None:
        return None
    for operator in (view.general.operator, view.general.manufacturer):
        if isinstance(operator, Operator) and operator.id == organisation_id:
            return operator.name
    return None


def _identifier_parts(battery_id: str) -> tuple[str, str] | None:
    try:
        gtin, serial, _base = parse_digital_link(battery_id)
    except BatteryPassError:
        return None
    return gtin, serial


def _events(lifecycle: Lifecycle, view: BatteryPassport, language: str) -> list[dict[str, Any]]:
    rows = []
    for verified in lifecycle.events:
        event = verified.event
        rows.append(
            {
                "time": _iso(event.time),
                "type": event.type.value,
                "actor": verified.organisation_id,
                "actor_name": _organisation_name(view, verified.organisation_id),
                "details": _node(event.payload, None, language),
                "kid": verified.kid,
            }
        )
    return rows


def _qr(uri: str | None) -> str | None:
    if uri is None:
        return None
    try:
        svg = qr_svg(uri, scale=4)
    except BatteryPassError:
        return None
    return "data:image/svg+xml;base64," + base64.b64encode(svg.encode("utf-8")).decode("ascii")


def _verify_command(page: PassportPage) -> str:
    return (
        f"batterypass verify {page.download_name} --trust {page.trust_name} "
        f"--audience {page.audience.value}"
    )


# ---------------------------------------------------------------- rendering


@cache
def _environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("batterypass.service", "templates"),
        autoescape=True,  # every template is HTML
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["iso"] = _iso
    return env


@cache
def _stylesheet() -> str:
    return resources.files("batterypass.service").joinpath("templates", "page.css").read_text()


def content_security_policy() -> str:
    """The ``Content-Security-Policy`` the page works under: no script at all, the inline
    stylesheet pinned by its hash, images only inline (the label is a ``data:`` URI)."""
    digest = base64.b64encode(hashlib.sha256(_stylesheet().encode("utf-8")).digest()).decode()
    return (
        "default-src 'none'; "
        f"style-src 'sha256-{digest}'; "
        "img-src data:; "
        "base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
    )


def page_headers(language: str) -> dict[str, str]:
    """The response headers the page needs: its CSP, its language, and what it varies by."""
    return {
        "Content-Security-Policy": content_security_policy(),
        "Content-Language": HTML_LANG[language],
        "Vary": "Accept, Accept-Language, Authorization",
        "X-Content-Type-Options": "nosniff",
        "Referrer-Policy": "no-referrer",
    }


def render_page(
    page: PassportPage,
    *,
    accept_language: str | None = None,
    language: str | None = None,
) -> str:
    """The HTML of ``page``, with its labels in the language ``Accept-Language`` asks for
    (English, German or Chinese; ``language`` overrides the header)."""
    lang = negotiate_language(accept_language, override=language)
    audience = Audience(page.audience)
    # The view, whatever the caller passed: a whole passport never reaches the template.
    view = page.passport.view(audience) if page.passport is not None else None
    visible = VISIBILITY[audience]
    shows_individual = AccessGroup.INDIVIDUAL in visible

    def t(key: str) -> str:
        return text(key, lang)

    context: dict[str, Any] = {
        "t": t,
        "lang": lang,
        "html_lang": HTML_LANG[lang],
        # Our own file, not data: inside <style> entities are not decoded, so it must not be
        # escaped (and the CSP hash covers these exact characters).
        "css": markupsafe.Markup(_stylesheet()),  # noqa: S704 - our own file
        "page": page,
        "audience": audience.value,
        "groups": sorted(int(g) for g in visible),
        "check": page.check,
        "signer_name": _organisation_name(view, page.check.organisation_id),
        "view": view,
        "verify_command": _verify_command(page),
        "generated_at": _iso(page.generated_at or page.check.checked_at),
        "language_urls": dict(page.language_urls),
        "shows_individual": shows_individual,
        "qr_data_uri": _qr(page.page_uri),
    }
    if view is not None:
        g = view.general
        report, recycled_rows = _recycled(view, page.today)
        lifecycle = page.lifecycle if shows_individual else None
        status = (
            lifecycle.status
            if lifecycle is not None and lifecycle.status is not None and not lifecycle.failure
            else view.status
        )
        perf = view.performance
        context.update(
            {
                "identifier_parts": _identifier_parts(view.battery_id),
                "status": status.value if status is not None and shows_individual else None,
                "manufacturer_address": _address(g.manufacturer.address)
                if g.manufacturer
                else None,
                "operator_address": _address(g.operator.address) if g.operator else None,
                "place_address": _address(g.manufacturing_place.address)
                if g.manufacturing_place
                else None,
                "mass": _qty(g.mass_kg, "kg"),
                "carbon": _carbon(view, page, lang),
                "recycled": report,
                "recycled_rows": recycled_rows,
                "renewable": _qty(view.circularity.renewable_content_percent, "%"),
                "performance_rows": _performance_rows(view, t),
                "further": _further(view, lang),
                "lifecycle": lifecycle,
                "events": _events(lifecycle, view, lang) if lifecycle is not None else [],
                "qty": _qty,
                "node": _node,
                "perf": perf,
            }
        )
    return _environment().get_template("page.html").render(context)


def _performance_rows(view: BatteryPassport, t: Any) -> list[tuple[str, str | list[str]]]:
    p = view.performance
    rows: list[tuple[str, str | list[str]]] = []

    def add(key: str, value: str | list[str] | None) -> None:
        if value:
            rows.append((t(key), value))

    add("rated_capacity", _qty(p.rated_capacity_ah, "Ah"))
    add("certified_energy", _qty(p.certified_usable_energy_kwh, "kWh"))
    add("voltage_min", _qty(p.minimum_voltage_v, "V"))
    add("voltage_nominal", _qty(p.nominal_voltage_v, "V"))
    add("voltage_max", _qty(p.maximum_voltage_v, "V"))
    if p.original_power_capability:
        add(
            "power_capability",
            [
                f"{_qty(c.power_w, 'W')} {t('at_soc')} {_qty(c.state_of_charge_percent, '%')}"
                for c in p.original_power_capability
            ],
        )
    add("max_power", _qty(p.maximum_permitted_power_w, "W"))
    add("power_energy_ratio", _qty(p.power_to_energy_ratio_w_per_wh, "W/Wh"))
    if p.expected_lifetime_cycles is not None:
        add("lifetime_cycles", f"{p.expected_lifetime_cycles} {t('cycles')}")
    add("reference_test", p.cycle_life_reference_test)
    add("c_rate", _qty(p.cycle_life_c_rate, "A/Ah"))
    add("exhaustion_threshold", _qty(p.capacity_threshold_for_exhaustion_percent, "%"))
    low, high = p.idle_temperature_min_c, p.idle_temperature_max_c
    if low is not None or high is not None:
        add(
            "idle_temperature",
            f"{_qty(low, '°C') or '–'} {t('to')} {_qty(high, '°C') or '–'}",
        )
    add("rte_initial", _qty(p.initial_round_trip_efficiency_percent, "%"))
    add("rte_50", _qty(p.round_trip_efficiency_at_50pct_cycle_life_percent, "%"))
    add("resistance_cell", _qty(p.internal_resistance_cell_ohm, "Ω"))
    add("resistance_pack", _qty(p.internal_resistance_pack_ohm, "Ω"))
    return rows
