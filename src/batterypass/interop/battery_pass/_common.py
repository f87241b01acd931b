"""What every aspect shares: the export's notes and its context (:class:`Exporter`), the
import's context (:class:`Importer`: values with the JSON pointer each came from, problems,
notes), and the consortium's postal address and contact entities."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any, Final, Literal

from batterypass.errors import EncodeError, Issue, PathItem
from batterypass.interop import _rules
from batterypass.interop._rules import parse_timestamp
from batterypass.interop._shape import pointer as ptr
from batterypass.interop.battery_pass._schema import GENERAL
from batterypass.model import BatteryPassport, DocumentRef, PostalAddress

_INTENDED_EMAIL: Final = re.compile(r"^[\w.-]+@[\w.-]+\.[A-Za-z]{2,}$")
_COUNTRY: Final = re.compile(r"^[A-Z]{2}$")

# Country names seen where the consortium wants an ISO 3166-1 alpha-2 code (its own sample
# says "Germany"): the EU and EEA states, Switzerland, the United Kingdom and the largest
# battery-producing countries, by English short name and a few native names. Others are
# refused with the request for the code.
COUNTRY_NAMES: Final[Mapping[str, str]] = {
    name.casefold(): code
    for code, names in (
        ("AT", ("Austria", "Österreich")),
        ("BE", ("Belgium", "België", "Belgique")),
        ("BG", ("Bulgaria",)),
        ("HR", ("Croatia",)),
        ("CY", ("Cyprus",)),
        ("CZ", ("Czechia", "Czech Republic", "Česko")),
        ("DK", ("Denmark", "Danmark")),
        ("EE", ("Estonia",)),
        ("FI", ("Finland", "Suomi")),
        ("FR", ("France",)),
        ("DE", ("Germany", "Deutschland")),
        ("GR", ("Greece",)),
        ("HU", ("Hungary", "Magyarország")),
        ("IE", ("Ireland",)),
        ("IT", ("Italy", "Italia")),
        ("LV", ("Latvia",)),
        ("LT", ("Lithuania",)),
        ("LU", ("Luxembourg",)),
        ("MT", ("Malta",)),
        ("NL", ("Netherlands", "Nederland", "The Netherlands")),
        ("PL", ("Poland", "Polska")),
        ("PT", ("Portugal",)),
        ("RO", ("Romania",)),
        ("SK", ("Slovakia",)),
        ("SI", ("Slovenia",)),
        ("ES", ("Spain", "España")),
        ("SE", ("Sweden", "Sverige")),
        ("IS", ("Iceland",)),
        ("LI", ("Liechtenstein",)),
        ("NO", ("Norway", "Norge")),
        ("CH", ("Switzerland", "Schweiz", "Suisse")),
        ("GB", ("United Kingdom",)),
        ("US", ("United States", "United States of America")),
        ("CN", ("China",)),
        ("JP", ("Japan",)),
        ("KR", ("South Korea", "Republic of Korea")),
        ("IN", ("India",)),
        ("CA", ("Canada",)),
        ("MX", ("Mexico",)),
        ("BR", ("Brazil",)),
        ("TR", ("Türkiye", "Turkey")),
        ("MA", ("Morocco",)),
        ("RS", ("Serbia",)),
        ("VN", ("Viet Nam", "Vietnam")),
        ("TH", ("Thailand",)),
        ("ID", ("Indonesia",)),
        ("MY", ("Malaysia",)),
        ("AU", ("Australia",)),
    )
    for name in names
}


def email_problem(value: str) -> str | None:
    """What is wrong with an e-mail address's local part (RFC 5322 dot-atom: no dot at
    either end, no two dots in a row), if anything."""
    local = value.rpartition("@")[0]
    if local.startswith(".") or local.endswith("."):
        return f"{value!r} is no e-mail address: its local part starts or ends with a dot"
    if ".." in local:
        return f"{value!r} is no e-mail address: its local part has two dots in a row"
    return None


def timestamp(dt: datetime) -> str:
    return dt.isoformat()


def street_line(street: str | None, city: str | None) -> str:
    """The consortium's postal address has no locality: the city goes after the street."""
    if city is None:
        return street or ""
    return f"{street or ''}, {city}"


def split_street_line(text: str, postal_code: str | None) -> tuple[str | None, str | None]:
    head, sep, tail = text.rpartition(", ")
    if not sep:
        return (text or None), None
    city = tail
    if postal_code and city.startswith(postal_code + " "):
        city = city[len(postal_code) + 1 :]
    return (head or None), (city or None)


@dataclass(frozen=True, slots=True)
class ExportNote:
    """Something an export could not do faithfully.

    ``kind`` is one of:

    - ``"lost"``: passport data that the documents do not carry (or carry only in part);
      :func:`import_aspects` cannot restore it;
    - ``"missing"``: a property the consortium model requires that the passport does not hold
      (not written: the document is incomplete, never padded with made-up values);
    - ``"deviation"``: a value written although the consortium model does not accept it
      (``rule`` says which constraint: ``pattern``, ``format``, ``range`` or ``datatype``);
    - ``"withheld"`` (Catena-X only): a value of the export supplement not written because it
      adds to what the passport withholds from the export's audience.
    """

    kind: Literal["lost", "missing", "deviation", "withheld"]
    message: str
    field: str | None = None
    """The data point of the passport model (dotted path) the note is about, if any."""
    aspect: str | None = None
    pointer: str | None = None
    """JSON pointer into the aspect document."""
    rule: str | None = None

    def __str__(self) -> str:
        where = []
        if self.aspect is not None:
            where.append(f"{self.aspect} {self.pointer or ''}".rstrip())
        if self.field is not None:
            where.append(f"({self.field})" if where else self.field)
        prefix = " ".join(where)
        return (
            f"{self.kind}: {prefix}: {self.message}" if prefix else f"{self.kind}: {self.message}"
        )


class ExportNotes:
    """The notes of an export, by kind (shared by the consortium and the Catena-X results)."""

    notes: tuple[ExportNote, ...]

    @property
    def lost(self) -> tuple[ExportNote, ...]:
        """Notes on passport data the documents do not carry."""
        return tuple(n for n in self.notes if n.kind == "lost")

    @property
    def missing(self) -> tuple[ExportNote, ...]:
        """Notes on required properties of the target model the passport does not hold."""
        return tuple(n for n in self.notes if n.kind == "missing")

    @property
    def deviations(self) -> tuple[ExportNote, ...]:
        """Notes on values written that the target model does not accept."""
        return tuple(n for n in self.notes if n.kind == "deviation")


def refuse_losses(result: ExportNotes, target: str) -> None:
    """:class:`EncodeError` naming the first loss (and how many more) if ``result`` lost any
    passport data: what ``strict=True`` exports ask for."""
    if result.lost:
        first = result.lost[0]
        more = f" (and {len(result.lost) - 1} more)" if len(result.lost) > 1 else ""
        raise EncodeError(f"{target} cannot carry all of this passport: {first}{more}")


class AspectDocuments(dict[str, dict[str, Any]], ExportNotes):
    """The aspect documents of an export, keyed by aspect name, with the export's notes.

    It is a plain ``dict`` for everything else: pass it to :func:`import_aspects` or write each
    value with :func:`dumps_aspect`.
    """

    def __init__(self, docs: Mapping[str, dict[str, Any]], notes: Iterable[ExportNote]) -> None:
        super().__init__(docs)
        self.notes = tuple(notes)


class Exporter:
    def __init__(self, passport: BatteryPassport) -> None:
        self.p = passport
        self.notes: list[ExportNote] = []

    def lost(
        self, field: str, message: str, aspect: str | None = None, pointer: str | None = None
    ) -> None:
        self.notes.append(ExportNote("lost", message, field, aspect, pointer))

    def deviation(
        self, aspect: str, pointer: str, rule: str, message: str, field: str | None = None
    ) -> None:
        self.notes.append(ExportNote("deviation", message, field, aspect, pointer, rule))

    # ------------------------------------------------------------ shared pieces

    # ------------------------------------------------------------ shared pieces

    def address(
        self, address: PostalAddress, field: str, aspect: str, pointer: str
    ) -> dict[str, Any]:
        line = street_line(address.street, address.city)
        if split_street_line(line, address.postal_code) != (address.street, address.city):
            self.lost(
                field,
                f"street {address.street!r} and city {address.city!r} cannot be told apart "
                "again from streetAddress (the city is read from after the last ', ', and an "
                "address without a city must not have one)",
                aspect,
                ptr(pointer, "streetAddress"),
            )
        return {
            "addressCountry": address.country,
            "postalCode": address.postal_code,
            "streetAddress": line,
        }

    def email(self, value: str | None, aspect: str, pointer: str, field: str) -> str | None:
        if value is not None and not _INTENDED_EMAIL.match(value):
            self.deviation(
                aspect,
                pointer,
                "pattern",
                f"e-mail address {value!r} does not match the consortium's pattern "
                r"^[\w.-]+@[\w.-]+\.[A-Za-z]{2,}$",
                field,
            )
        return value

    def document_url(
        self,
        ref: DocumentRef | None,
        field: str,
        aspect: str,
        pointer: str,
        title: str | None,
    ) -> str | None:
        """The URL of a document reference where the consortium holds a bare URL; ``title`` is
        what import will call it."""
        if ref is None:
            return None
        lost = []
        if title is None or ref.title != title:
            lost.append(f"title {ref.title!r}")
        if ref.media_type is not None:
            lost.append(f"media type {ref.media_type!r}")
        if ref.sha256 is not None:
            lost.append("SHA-256 digest")
        if lost:
            self.lost(
                field,
                f"{' and '.join(lost)} not carried (the consortium holds the URL only)",
                aspect,
                pointer,
            )
        return ref.url

    def single_document_url(
        self,
        refs: tuple[DocumentRef, ...] | None,
        field: str,
        aspect: str,
        pointer: str,
        title: str,
        what: str,
    ) -> str | None:
        """The URL of the first of ``refs`` where the consortium holds exactly one URL; any
        other count is reported as lost (``what`` follows the count in the note)."""
        if refs is None:
            return None
        url = self.document_url(refs[0], field, aspect, pointer, title) if refs else None
        if len(refs) != 1:
            self.lost(field, f"{len(refs)} {what}", aspect, pointer)
        return url

    # ------------------------------------------------------------ aspects

    def contact_address(self, doc: dict[str, Any], key: str, field: str) -> None:
        """The postal address of a contact entity already written by the rules."""
        op = _rules.get_field(self.p, tuple(field.split(".")))
        if op is None:
            return
        entity = doc.setdefault(key, {})
        entity["postalAddress"] = self.address(
            op.address, field, GENERAL, ptr(f"/{key}", "postalAddress")
        )


@dataclass(frozen=True, slots=True)
class Email:
    """An e-mail address, unchanged; export reports one the consortium's pattern refuses."""

    description: str = "none"

    def write(self, value: Any, rule: _rules.Rule, sink: _rules.Sink) -> Any:
        if not _INTENDED_EMAIL.match(value):
            sink.deviation(
                rule.aspect,
                rule.pointer,
                "pattern",
                f"e-mail address {value!r} does not match the consortium's pattern "
                r"^[\w.-]+@[\w.-]+\.[A-Za-z]{2,}$",
                rule.field.rpartition(".")[0],
            )
        return value

    def read(self, value: Any, rule: _rules.Rule, pointer: str, source: _rules.Source) -> Any:
        problem = email_problem(value)
        if problem is not None:
            source.fail(rule.aspect, pointer, problem)
            return _rules.INVALID
        return value


def contact_rules(key: str, field: str) -> tuple[_rules.Rule, ...]:
    """The plain properties of a ContactInformationEntity at ``/key`` of GeneralProductInformation,
    for the model's operator at ``field``; the postal address is a quirk (see
    :meth:`Exporter.address`)."""
    return tuple(
        _rules.Rule(GENERAL, f"/{key}/{theirs}", f"{field}.{ours}", conv)
        for theirs, ours, conv in (
            ("contactName", "name", _rules.Verbatim()),
            ("identifier", "id", _rules.Verbatim()),
            ("emailAddress", "email", Email()),
            ("webAddress", "website", _rules.Verbatim()),
        )
    )


class Importer:
    """Collects the passport data, where each value came from, problems and notes."""

    def __init__(self, notes: list[str] | None, issued_at: datetime) -> None:
        self.issues: list[Issue] = []
        self.messages: list[str] = []
        self.notes = notes
        self.issued_at = issued_at
        self.out: dict[str, Any] = {}
        self.origin: dict[tuple[PathItem, ...], tuple[str, str]] = {}
        self.battery_mass_kg: Decimal | None = None
        self.agents: tuple[str, ...] | None = None

    # ------------------------------------------------------------ bookkeeping

    def fail(self, aspect: str, pointer: str, message: str, legal_basis: str | None = None) -> None:
        where = f"{aspect} {pointer}" if pointer else aspect
        basis = f" [{legal_basis}]" if legal_basis else ""
        self.messages.append(" ".join(f"{where}: {message}{basis}".split("\n")))
        tokens = [int(t) if t.isdigit() else t for t in pointer.split("/")[1:]]
        self.issues.append(Issue((aspect, *tokens), message, legal_basis))

    def note(self, aspect: str, pointer: str, message: str) -> None:
        if self.notes is not None:
            where = f"{aspect} {pointer}" if pointer else aspect
            self.notes.append(f"{where}: {message}")

    def put(self, path: tuple[PathItem, ...], value: Any, aspect: str, pointer: str) -> None:
        """Set a value of the passport data and remember where it came from."""
        node: Any = self.out
        for key in path[:-1]:
            node = node.setdefault(key, {})
        node[path[-1]] = value
        self.origin[path] = (aspect, pointer)

    def at(self, path: tuple[PathItem, ...], aspect: str, pointer: str) -> None:
        self.origin[path] = (aspect, pointer)

    def put_single_document(
        self, path: tuple[PathItem, ...], title: str, url: Any, aspect: str, pointer: str
    ) -> None:
        """A list of one document (``title``, ``url``) at ``path``, traced to ``pointer``: the
        import side of :func:`single_document_url`."""
        self.put(path, [{"title": title, "url": url}], aspect, pointer)
        self.at((*path, 0), aspect, pointer)
        self.at((*path, 0, "url"), aspect, pointer)

    def power_capability(
        self, value: Mapping[str, Any], path: tuple[PathItem, ...], aspect: str, pointer: str
    ) -> dict[str, Any]:
        """A ``PowerCapability`` from ``{atSoC, powerCapabilityAt}`` at ``pointer``, to sit at
        ``path``; what is absent is left out (the model then names it, traced here)."""
        self.at((*path, "state_of_charge_percent"), aspect, f"{pointer}/atSoC")
        self.at((*path, "power_w"), aspect, f"{pointer}/powerCapabilityAt")
        self.at(path, aspect, pointer)
        return {
            k: v
            for k, v in (
                ("state_of_charge_percent", value.get("atSoC")),
                ("power_w", value.get("powerCapabilityAt")),
            )
            if v is not None
        }

    # ------------------------------------------------------------ structure (pass 1)
    def ensure(self, path: tuple[PathItem, ...], aspect: str, pointer: str) -> None:
        """An object at ``path`` (kept if the rules made it already), traced to ``pointer``."""
        node: Any = self.out
        for key in path:
            node = node.setdefault(key, {})
        self.origin[path] = (aspect, pointer)

    # ------------------------------------------------------------ typed readers

    def whole(self, aspect: str, pointer: str, value: Any) -> int | None:
        d = Decimal(value)
        if d != d.to_integral_value():
            self.fail(aspect, pointer, f"{d} is not a whole number")
            return None
        return int(d)

    def timestamp(self, aspect: str, pointer: str, text: str) -> datetime | None:
        dt = parse_timestamp(text)
        if dt is None:
            self.fail(aspect, pointer, f"{text!r} is not an xsd:dateTime timestamp")
            return None
        if dt.tzinfo is None:
            self.fail(aspect, pointer, f"timestamp {text!r} has no time zone offset")
            return None
        return dt

    def day(self, aspect: str, pointer: str, text: str) -> date | None:
        dt = parse_timestamp(text)
        if dt is None:
            self.fail(aspect, pointer, f"{text!r} is not an xsd:dateTime timestamp")
            return None
        if dt.time() != datetime.min.time():
            self.note(
                aspect, pointer, f"time of day of {text!r} dropped (the passport holds a date)"
            )
        return dt.date()

    def address(
        self, aspect: str, pointer: str, value: Mapping[str, Any], path: tuple[PathItem, ...]
    ) -> dict[str, Any]:
        country = value.get("addressCountry")
        postal = value.get("postalCode") or None
        street, city = None, None
        line = value.get("streetAddress")
        if isinstance(line, str):
            street, city = split_street_line(line, postal if isinstance(postal, str) else None)
        if isinstance(country, str) and not _COUNTRY.match(country):
            code = COUNTRY_NAMES.get(country.strip().casefold())
            if code is not None:
                self.note(
                    aspect,
                    ptr(pointer, "addressCountry"),
                    f"country name {country!r} read as its ISO 3166-1 code {code!r}",
                )
                country = code
        if isinstance(country, str) and not _COUNTRY.match(country):
            self.fail(
                aspect,
                ptr(pointer, "addressCountry"),
                f"{country!r} is no ISO 3166-1 alpha-2 country code (e.g. 'DE'), which "
                "batterypass needs",
            )
        if city is None and isinstance(postal, str):
            self.note(
                aspect,
                ptr(pointer, "streetAddress"),
                "no city: the consortium's address has no locality property and streetAddress "
                "has no ', city' part; the address is kept without a city (its postal code "
                f"{postal!r} locates it)",
            )
        elif city is None:
            self.fail(
                aspect,
                ptr(pointer, "streetAddress"),
                "no city and no postal code: the consortium's address has no locality "
                "property, so batterypass reads the city from after the last ', ' of "
                "streetAddress ('street, city'); an address needs one or the other",
            )
        out = {"street": street, "postal_code": postal, "city": city, "country": country}
        for ours, theirs in (
            ("street", "streetAddress"),
            ("postal_code", "postalCode"),
            ("city", "streetAddress"),
            ("country", "addressCountry"),
        ):
            self.at((*path, ours), aspect, ptr(pointer, theirs))
        self.at(path, aspect, pointer)
        return {k: v for k, v in out.items() if v is not None}

    def contact_address(
        self, aspect: str, key: str, value: Any, path: tuple[PathItem, ...]
    ) -> None:
        """The postal address of a contact entity whose plain properties the rules read."""
        if not isinstance(value, Mapping):
            return
        self.ensure(path, aspect, f"/{key}")
        if isinstance(value.get("postalAddress"), Mapping):
            here = ptr(f"/{key}", "postalAddress")
            self.put(
                (*path, "address"),
                self.address(aspect, here, value["postalAddress"], (*path, "address")),
                aspect,
                here,
            )
        else:
            self.at((*path, "address"), aspect, ptr(f"/{key}", "postalAddress"))
