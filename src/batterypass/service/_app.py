"""The ASGI application: :func:`create_app` builds one from :class:`Settings`.

Routes parse the request, call the library (through :mod:`._ingest`, :mod:`._reads` and
:mod:`._verify`) and turn its errors into RFC 9457 problem documents (:mod:`._problems`). No
verification logic lives here.
"""

from __future__ import annotations

import base64
import json
import re
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any
from urllib.parse import quote

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.responses import JSONResponse, RedirectResponse, Response

import batterypass
from batterypass.carbon import qr_svg, render_label
from batterypass.codec import json as bp_json
from batterypass.codec.gs1 import normalise_gtin, parse_digital_link
from batterypass.errors import BatteryPassError, ValidationError
from batterypass.model import VISIBILITY, AccessGroup, Audience
from batterypass.service._errors import (
    AccessDeniedError,
    NotAuthenticatedError,
    NotFoundError,
    ServiceError,
)
from batterypass.service._html import HtmlContext, html_headers, render_html
from batterypass.service._ingest import gs1_key, ingest_event, ingest_passport
from batterypass.service._problems import problem, problem_for
from batterypass.service._reads import MAX_CACHED, PassportRead, VerifyCache, load_read
from batterypass.service._settings import Settings
from batterypass.service._store import Store, open_store
from batterypass.service._tokens import Caller, authenticate
from batterypass.service._verify import can_present, presentation_for

__all__ = ["COSE", "LINKSET", "create_app"]

COSE = "application/cose"
JSON = "application/json"
LINKSET = "application/linkset+json"
HTML = "text/html"
CBOR_SEQ = "application/cbor-seq"
_FORMATS = {"json": JSON, "cose": COSE, "linkset": LINKSET, "html": HTML}
# Server preference among equally acceptable types: JSON for programs that accept anything.
_PREFERENCE = (JSON, HTML, COSE, LINKSET)

FEED_PAGE_BYTES = 8 * 1024 * 1024
"""Most bytes of stored bodies one page of the change feed carries (a page of 1000 items of up
to a body limit each would be built in memory whole); ``next`` continues after the last."""

_MAX_CURSOR = 2**63 - 1
"""The largest change-feed cursor (a signed 64-bit integer in both stores)."""

_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9:._~+\-]{0,199}")

# RFC 9264 link relations of a passport (GS1 Web vocabulary where it has one, IANA otherwise)
# and the short names ?linkType= accepts for them.
GS1 = "https://gs1.org/voc/"
LINK_TYPES: dict[str, str] = {
    "gs1:defaultLink": GS1 + "defaultLink",
    "gs1:pip": GS1 + "pip",
    "gs1:sustainabilityInfo": GS1 + "sustainabilityInfo",
    "gs1:traceability": GS1 + "traceability",
    "describedby": "describedby",
    "version-history": "version-history",
}
_SHORT_NAMES = {
    "page": "gs1:pip",
    "passport": "describedby",
    "label": "gs1:sustainabilityInfo",
    "events": "gs1:traceability",
    "versions": "version-history",
}


class BadRequestError(ServiceError):
    """A request that is malformed before any passport is looked at."""

    code = "bad-request"
    status = 400


class NotAcceptableError(ServiceError):
    """None of the media types the caller accepts can be given."""

    code = "not-acceptable"
    status = 406


class UnsupportedMediaTypeError(ServiceError):
    """A body of the wrong content type."""

    code = "unsupported-media-type"
    status = 415


class PayloadTooLargeError(ServiceError):
    """A body over the size limit."""

    code = "too-large"
    status = 413


# --- the body size limit ---------------------------------------------------------------------

ASGIApp = Callable[
    [MutableMapping[str, Any], Callable[[], Awaitable[Any]], Callable[[Any], Awaitable[None]]],
    Awaitable[None],
]


class _BodyLimit:
    """Refuse a body over ``limit`` bytes before reading it (by its Content-Length), and stop
    reading one without a length as soon as it passes the limit."""

    def __init__(self, app: ASGIApp, limit: int) -> None:
        self.app = app
        self.limit = limit

    async def __call__(
        self,
        scope: MutableMapping[str, Any],
        receive: Callable[[], Awaitable[Any]],
        send: Callable[[Any], Awaitable[None]],
    ) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        length: int | None = None
        for name, value in scope.get("headers", ()):
            if name == b"content-length":
                try:
                    length = int(value)
                except ValueError:
                    length = -1
        if length is not None and (length < 0 or length > self.limit):
            detail = (
                f"the body is {length} bytes; the limit is {self.limit}"
                if length >= 0
                else "malformed Content-Length header"
            )
            status, code = (413, "too-large") if length >= 0 else (400, "bad-request")
            response = problem(status, detail, code=code, instance=scope.get("path"))
            await response(scope, receive, send)
            return
        seen = 0

        async def limited() -> Any:
            nonlocal seen
            message = await receive()
            if message.get("type") == "http.request":
                seen += len(message.get("body", b""))
                if seen > self.limit:
                    raise PayloadTooLargeError(f"the body passed the limit of {self.limit} bytes")
            return message

        await self.app(scope, limited, send)


# --- helpers -----------------------------------------------------------------------------


def _check_id(passport_id: str) -> str:
    if not _ID.fullmatch(passport_id) or ".." in passport_id:
        raise BadRequestError(
            "a passport id is 1 to 200 characters of letters, digits and ':._~+-', starting "
            "with a letter or digit (no '/', '..' or control characters)",
            path=("passport_id",),
        )
    return passport_id


def _accepts(header: str | None) -> dict[str, float]:
    """The q-value each offered media type gets from an Accept header."""
    if not header:
        return dict.fromkeys(_PREFERENCE, 1.0)
    ranges: list[tuple[str, float]] = []
    for part in header.split(","):
        fields = [f.strip() for f in part.split(";")]
        media = fields[0].lower()
        if not media:
            continue
        q = 1.0
        for f in fields[1:]:
            name, _, value = f.partition("=")
            if name.strip().lower() == "q":
                try:
                    q = max(0.0, min(1.0, float(value)))
                except ValueError:
                    q = 0.0
        ranges.append((media, q))
    out: dict[str, float] = {}
    for offered in _PREFERENCE:
        kind = offered.split("/")[0]
        best: tuple[int, float] | None = None
        for media, q in ranges:
            if media == offered:
                spec = 3
            elif media == f"{kind}/*":
                spec = 2
            elif media == "*/*":
                spec = 1
            else:
                continue
            if best is None or spec > best[0]:
                best = (spec, q)
        if best is not None:
            out[offered] = best[1]
    return out


def negotiate(accept: str | None, fmt: str | None) -> str:
    """The media type to answer with: ``?format=`` wins, then the Accept header."""
    if fmt is not None:
        if fmt not in _FORMATS:
            raise BadRequestError(f"unknown format {fmt!r}; one of {', '.join(_FORMATS)}")
        return _FORMATS[fmt]
    scores = _accepts(accept)
    best = max(_PREFERENCE, key=lambda t: (scores.get(t, 0.0), -_PREFERENCE.index(t)))
    if scores.get(best, 0.0) <= 0.0:
        raise NotAcceptableError(f"this resource is available as {', '.join(_PREFERENCE)}")
    return best


def _base(settings: Settings, request: Request) -> str:
    return (settings.base_uri or str(request.base_url)).rstrip("/")


def _page_uri(base: str, read: PassportRead) -> str:
    gtin, serial = gs1_key(read.passport.battery_id)
    if gtin is not None and serial is not None:
        return f"{base}/01/{gtin}/21/{quote(serial, safe='')}"
    return f"{base}/passports/{quote(read.passport_id, safe='')}"


def _is_issuer(read: PassportRead) -> bool:
    return read.caller is not None and read.caller.organisation_id == read.passport.issuer


def _shows_more_than_public(audience: Audience) -> bool:
    return VISIBILITY[audience] != frozenset({AccessGroup.PUBLIC})


# --- the app -------------------------------------------------------------------------------


def create_app(settings: Settings, *, store: Store | None = None) -> FastAPI:
    """A passport service for ``settings`` (the store is opened, and migrated, now)."""
    the_store = (
        store if store is not None else open_store(settings.db_url, migrate=settings.migrate)
    )
    app = FastAPI(
        title="batterypass service",
        version=batterypass.__version__,
        summary="A verifying registry and GS1 Digital Link resolver for EU battery passports.",
        docs_url=None,
        redoc_url=None,
    )
    app.state.store = the_store
    app.state.settings = settings
    verify_cache: VerifyCache = {}
    # The bytes of a verified view (JSON, or the signed presentation), by the stored bytes'
    # digest, the audience and the form: a pure function of them for the life of this app
    # (see VerifyCache); serialising the view cost more than the rest of a read.
    rendered: dict[tuple[str, str, str], bytes] = {}

    def render_once(
        read: PassportRead, form: str, make: Callable[[], bytes | None]
    ) -> bytes | None:
        key = (read.stored_sha256, read.audience.value, form)
        data = rendered.get(key)
        if data is None:
            data = make()
            if data is not None and read.failure is None:
                if len(rendered) >= MAX_CACHED:
                    rendered.clear()
                rendered[key] = data
        return data

    app.add_middleware(_BodyLimit, limit=settings.max_body_bytes)

    @app.exception_handler(BatteryPassError)
    async def _library_error(request: Request, exc: BatteryPassError) -> Response:
        return problem_for(exc, instance=request.url.path)

    @app.exception_handler(StarletteHTTPException)
    async def _http_error(request: Request, exc: StarletteHTTPException) -> Response:
        code = {404: "not-found", 405: "method-not-allowed"}.get(exc.status_code, "http-error")
        return problem(exc.status_code, str(exc.detail), code=code, instance=request.url.path)

    @app.exception_handler(RequestValidationError)
    async def _request_error(request: Request, exc: RequestValidationError) -> Response:
        first = exc.errors()[0] if exc.errors() else {}
        where = ".".join(str(x) for x in first.get("loc", ()))
        detail = f"{where}: {first.get('msg', 'malformed request')}"
        return problem(400, detail, code="bad-request", instance=request.url.path)

    @app.exception_handler(Exception)
    async def _internal(request: Request, exc: Exception) -> Response:
        return problem(
            500,
            f"internal error ({type(exc).__name__}); please report it",
            code="internal",
            instance=request.url.path,
        )

    def caller_of(request: Request) -> Caller | None:
        return authenticate(the_store, request.headers.get("authorization"), now=settings.clock())

    async def body_of(request: Request) -> bytes:
        content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
        if content_type != COSE:
            raise UnsupportedMediaTypeError(
                f"send the signed object as {COSE}, not {content_type or 'no content type'}"
            )
        body = await request.body()
        if not body:
            raise BadRequestError("empty body")
        return body

    def log_read(read: PassportRead, resource: str, *, every_group: bool = False) -> None:
        # ``every_group``: the answer holds every group whatever the caller's audience (the
        # issuer's own signed passport), so it is a read above group 1 too.
        caller = read.caller
        if caller is not None and (every_group or _shows_more_than_public(caller.audience)):
            the_store.log_access(
                at=settings.clock(),
                token_id=caller.token_id,
                organisation_id=caller.organisation_id,
                audience=caller.audience.value,
                purpose=caller.purpose,
                passport_id=read.passport_id,
                resource=resource,
            )

    cose_body = {
        "requestBody": {
            "required": True,
            "content": {COSE: {"schema": {"type": "string", "format": "binary"}}},
        }
    }

    # --- writes ---------------------------------------------------------------------------

    @app.put(
        "/passports/{passport_id}",
        status_code=201,
        summary="Store a signed or disclosable passport (first or next version)",
        openapi_extra=cose_body,
        responses={200: {"description": "the same bytes were stored already"}},
    )
    async def put_passport(passport_id: str, request: Request) -> Response:
        _check_id(passport_id)
        body = await body_of(request)
        caller = await run_in_threadpool(caller_of, request)
        stored = await run_in_threadpool(
            ingest_passport,
            the_store,
            settings,
            passport_id=passport_id,
            body=body,
            caller=caller,
            now=settings.clock(),
        )
        return JSONResponse(
            {"passport_id": stored.passport_id, "version": stored.number},
            status_code=201 if stored.created else 200,
            headers={"Location": f"/passports/{quote(passport_id, safe=':')}"},
        )

    @app.post(
        "/passports/{passport_id}/events",
        status_code=201,
        summary="Append one signed lifecycle event to the passport's log",
        openapi_extra=cose_body,
        responses={200: {"description": "the same event was appended already"}},
    )
    async def post_event(passport_id: str, request: Request) -> Response:
        _check_id(passport_id)
        body = await body_of(request)
        caller = await run_in_threadpool(caller_of, request)
        stored = await run_in_threadpool(
            ingest_event,
            the_store,
            settings,
            passport_id=passport_id,
            body=body,
            caller=caller,
            now=settings.clock(),
        )
        return JSONResponse(
            {"passport_id": stored.passport_id, "sequence": stored.number},
            status_code=201 if stored.created else 200,
        )

    # --- reads ----------------------------------------------------------------------------

    def read_passport(
        request: Request, passport_id: str, fmt: str | None, link_type: str | None
    ) -> Response:
        media = negotiate(request.headers.get("accept"), fmt)
        caller = caller_of(request)
        read = load_read(
            the_store,
            settings,
            passport_id,
            caller=caller,
            now=settings.clock(),
            cache=verify_cache,
            with_lifecycle=media == HTML,
        )
        if link_type is not None:
            return _link_type(_base(settings, request), read, link_type)
        if media == HTML:
            log_read(read, "page")
            ctx = _html_context(_base(settings, request), read, request)
            return Response(
                render_html(read, ctx),
                media_type="text/html; charset=utf-8",
                headers=html_headers(ctx),
            )
        if media == LINKSET:
            return Response(
                json.dumps(linkset(_base(settings, request), read), indent=2),
                media_type=LINKSET,
                headers={"Vary": "Accept"},
            )
        if read.failure is not None:
            raise read.failure
        if media == COSE:
            is_issuer = _is_issuer(read)
            data = render_once(
                read,
                "cose-issuer" if is_issuer else "cose",
                lambda: presentation_for(
                    read.stored, read.kind, read.audience, is_issuer=is_issuer
                ),
            )
            if data is None:
                raise NotAcceptableError(
                    f"passport {passport_id} was uploaded as a plain signed passport, whose "
                    f"signature covers every group; the {read.audience.value} audience may see "
                    "only some, so only its issuer gets the signed copy (upload a disclosable "
                    "passport for per-audience presentations); the JSON view is available",
                    legal_basis="Art. 77(2)",
                )
            log_read(read, "cose", every_group=is_issuer and read.kind == "signed")
            return Response(data, media_type=COSE, headers={"Vary": "Accept, Authorization"})
        log_read(read, "json")
        return Response(
            render_once(read, "json", lambda: bp_json.dumps(read.passport).encode()),
            media_type=JSON,
            headers={"Vary": "Accept, Authorization", "X-Audience": read.audience.value},
        )

    def _html_context(base: str, read: PassportRead, request: Request) -> HtmlContext:
        pid = quote(read.passport_id, safe=":")
        return HtmlContext(
            page_uri=_page_uri(base, read),
            download_url=(
                f"{base}/passports/{pid}?format=cose"
                if can_present(read.kind, read.audience, is_issuer=_is_issuer(read))
                else None
            ),
            trust_url=f"{base}/trust.json",
            label_url=f"{base}/passports/{pid}/label.svg",
            qr_url=f"{base}/passports/{pid}/qr.svg",
            events_url=f"{base}/passports/{pid}/events",
            predecessor_url=(
                f"{base}/passports/{quote(read.predecessor_id, safe=':')}"
                if read.predecessor_id
                else None
            ),
            successor_url=(
                f"{base}/passports/{quote(read.successor_id, safe=':')}"
                if read.successor_id
                else None
            ),
            accept_language=request.headers.get("accept-language"),
            language=request.query_params.get("lang"),
            today=settings.clock().date(),
            scheme=settings.scheme,
        )

    @app.get(
        "/passports/{passport_id}",
        summary="The passport for the caller's audience (negotiated: JSON, COSE, linkset, HTML)",
    )
    def get_passport(
        passport_id: str,
        request: Request,
        format: str | None = None,
        linkType: str | None = None,  # noqa: N803 - the GS1 Digital Link parameter name
    ) -> Response:
        return read_passport(request, _check_id(passport_id), format, linkType)

    @app.get(
        "/01/{gtin}/21/{serial}",
        summary="GS1 Digital Link: the passport of the battery with this GTIN and serial",
    )
    def get_digital_link(
        gtin: str,
        serial: str,
        request: Request,
        format: str | None = None,
        linkType: str | None = None,  # noqa: N803
    ) -> Response:
        try:
            # The library's parser checks the GTIN (digits, check digit) and the serial
            # (GS1 character set 82, 1 to 20 characters) of the path as given.
            parse_digital_link(f"https://resolver.invalid/01/{gtin}/21/{quote(serial, safe='')}")
            gtin14 = normalise_gtin(gtin)
        except ValidationError as e:
            raise BadRequestError(e.message, path=e.path) from None
        passport_id = the_store.find_by_gs1(gtin14, serial)
        if passport_id is None:
            raise NotFoundError(f"no passport for GTIN {gtin14}, serial {serial!r}")
        return read_passport(request, passport_id, format, linkType)

    @app.get(
        "/passports/{passport_id}/events",
        summary="The event log as stored (CBOR sequence of signed events); group 4 data",
        responses={200: {"content": {CBOR_SEQ: {}}}},
    )
    def get_events(passport_id: str, request: Request) -> Response:
        caller = caller_of(request)
        read = load_read(
            the_store,
            settings,
            _check_id(passport_id),
            caller=caller,
            now=settings.clock(),
            cache=verify_cache,
        )
        if AccessGroup.INDIVIDUAL not in VISIBILITY[read.audience]:
            raise _need_audience(read.audience, "the event log (status, usage, state of health)")
        log_read(read, "events")
        return Response(b"".join(the_store.events(passport_id)), media_type=CBOR_SEQ)

    @app.get("/passports/{passport_id}/head", summary="Where the passport and its log stand")
    def get_head(passport_id: str) -> Response:
        head = the_store.head(_check_id(passport_id))
        if head is None:
            raise NotFoundError(f"no passport {passport_id}")
        return JSONResponse(
            {
                "passport_id": head.passport_id,
                "version": head.version,
                "event_count": head.event_count,
                "last_sha256": head.last_sha256,
            }
        )

    @app.get("/passports/{passport_id}/versions", summary="Every stored version of the passport")
    def get_versions(passport_id: str) -> Response:
        _check_id(passport_id)
        rows = the_store.versions(passport_id)
        if not rows:
            raise NotFoundError(f"no passport {passport_id}")
        return JSONResponse(
            {
                "passport_id": passport_id,
                "versions": [
                    {
                        "version": v.version,
                        "kind": v.kind,
                        "sha256": v.sha256,
                        "issued_at": v.issued_at.isoformat(),
                        "received_at": v.received_at.isoformat(),
                    }
                    for v in rows
                ],
            }
        )

    @app.get(
        "/passports/{passport_id}/label.svg",
        summary="The carbon-footprint label (SVG) with the QR code of this battery's page",
        responses={200: {"content": {"image/svg+xml": {}}}},
    )
    def get_label(passport_id: str, request: Request) -> Response:
        read = load_read(
            the_store,
            settings,
            _check_id(passport_id),
            caller=None,
            now=settings.clock(),
            cache=verify_cache,
        )
        if read.failure is not None:
            raise read.failure
        uri = _page_uri(_base(settings, request), read)
        svg = render_label(read.passport, scheme=settings.scheme, uri=uri)
        return Response(svg, media_type="image/svg+xml")

    @app.get(
        "/passports/{passport_id}/qr.svg",
        summary="The QR code with this battery's GS1 Digital Link URI on this server",
        responses={200: {"content": {"image/svg+xml": {}}}},
    )
    def get_qr(passport_id: str, request: Request) -> Response:
        read = load_read(
            the_store,
            settings,
            _check_id(passport_id),
            caller=None,
            now=settings.clock(),
            cache=verify_cache,
        )
        return Response(
            qr_svg(_page_uri(_base(settings, request), read)), media_type="image/svg+xml"
        )

    @app.get(
        "/changes",
        summary="Everything stored, in order, with its bytes (for mirrors); all groups",
    )
    def get_changes(request: Request, after: int = 0, limit: int = 100) -> Response:
        # A cursor is a 64-bit database integer: a larger one is bad input, not a driver
        # overflow (a 500 on SQLite, a 503 on PostgreSQL).
        if not 0 <= after <= _MAX_CURSOR or not 1 <= limit <= 1000:
            raise BadRequestError(f"0 <= after <= {_MAX_CURSOR} and 1 <= limit <= 1000")
        caller = caller_of(request)
        if caller is None:
            raise NotAuthenticatedError("the change feed holds every group: it needs a token")
        if not caller.mirror:
            raise AccessDeniedError(
                "the change feed holds every group of every passport: it needs a mirror token "
                "(batterypass service token add --mirror)",
                legal_basis="Art. 77(2)",
            )
        items = the_store.changes(after, limit, max_bytes=FEED_PAGE_BYTES)
        if items:
            the_store.log_access(
                at=settings.clock(),
                token_id=caller.token_id,
                organisation_id=caller.organisation_id,
                audience=caller.audience.value,
                purpose=caller.purpose,
                passport_id="*",
                resource=f"changes>{after}",
            )
        return JSONResponse(
            {
                "items": [
                    {
                        "cursor": c.cursor,
                        "kind": c.kind,
                        "passport_id": c.passport_id,
                        "number": c.number,
                        "at": c.at.isoformat(),
                        "body": base64.b64encode(c.body).decode("ascii"),
                    }
                    for c in items
                ],
                "next": items[-1].cursor if items else after,
            }
        )

    @app.get("/trust.json", summary="The trust file this server verifies against")
    def get_trust() -> Response:
        text = settings.trust_json if settings.trust_json is not None else settings.trust.to_json()
        return Response(text, media_type=JSON)

    return app


def _need_audience(audience: Audience, what: str) -> AccessDeniedError:
    return AccessDeniedError(
        f"the {audience.value} audience may not see {what}", legal_basis="Art. 77(2)"
    )


def _link_type(base: str, read: PassportRead, link_type: str) -> Response:
    if link_type in ("all", "linkset"):
        return Response(json.dumps(linkset(base, read), indent=2), media_type=LINKSET)
    name = _SHORT_NAMES.get(link_type, link_type)
    relation = LINK_TYPES.get(name) or (link_type if link_type in LINK_TYPES.values() else None)
    if relation is None:
        raise NotFoundError(
            f"no link of type {link_type!r}; known: {', '.join([*_SHORT_NAMES, *LINK_TYPES])}"
        )
    target = linkset(base, read)["linkset"][0][relation][0]["href"]
    return RedirectResponse(target, status_code=307)


def linkset(base: str, read: PassportRead) -> dict[str, Any]:
    """The RFC 9264 linkset of a passport (what a GS1 resolver answers)."""
    pid = quote(read.passport_id, safe=":")
    here = f"{base}/passports/{pid}"
    page = {"href": f"{here}?format=html", "type": HTML, "title": "Battery passport"}
    links: dict[str, Any] = {
        "anchor": _page_uri(base, read),
        LINK_TYPES["gs1:defaultLink"]: [page],
        LINK_TYPES["gs1:pip"]: [page],
        LINK_TYPES["describedby"]: [
            {"href": f"{here}?format=cose", "type": COSE, "title": "Signed passport"},
            {"href": f"{here}?format=json", "type": JSON, "title": "Passport data"},
        ],
        LINK_TYPES["gs1:sustainabilityInfo"]: [
            {
                "href": f"{here}/label.svg",
                "type": "image/svg+xml",
                "title": "Carbon footprint label",
            }
        ],
        LINK_TYPES["gs1:traceability"]: [
            {"href": f"{here}/events", "type": CBOR_SEQ, "title": "Lifecycle events"}
        ],
        LINK_TYPES["version-history"]: [
            {"href": f"{here}/versions", "type": JSON, "title": "Versions"}
        ],
    }
    return {"linkset": [links]}
