"""The HTML answer of a passport read (``text/html``): the passport page of ``_page``, fed
with what the read verified and the links of this server."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from batterypass.carbon import ClassScheme
from batterypass.service._page import (
    Lifecycle,
    PassportPage,
    SignatureCheck,
    negotiate_language,
    page_headers,
    render_page,
)
from batterypass.service._reads import PassportRead

__all__ = ["HtmlContext", "html_headers", "render_html"]


@dataclass(frozen=True, slots=True)
class HtmlContext:
    """The links and request facts a page needs besides the passport."""

    page_uri: str
    """The absolute URI of this battery's page (what its QR code carries)."""
    download_url: str | None
    """The signed presentation for the caller's audience (``application/cose``); ``None``
    when no signed copy can be given to it."""
    trust_url: str
    label_url: str
    qr_url: str
    events_url: str
    predecessor_url: str | None
    successor_url: str | None
    accept_language: str | None
    language: str | None
    """``?lang=`` of the request: overrides Accept-Language."""
    today: date
    scheme: ClassScheme


def html_headers(ctx: HtmlContext) -> dict[str, str]:
    """The response headers of the page (its CSP, language, Vary)."""
    return page_headers(negotiate_language(ctx.accept_language, override=ctx.language))


def render_html(read: PassportRead, ctx: HtmlContext) -> str:
    """The page for ``read``."""
    if read.signer is not None:
        check = SignatureCheck.passed(
            organisation_id=read.signer.organisation_id,
            kid=read.signer.kid,
            signed_at=read.signer.signed_at,
            checked_at=read.checked_at,
        )
    else:
        assert read.failure is not None
        check = SignatureCheck.failed(read.failure, checked_at=read.checked_at)
    lifecycle: Lifecycle | None = None
    if read.lifecycle is not None:
        lifecycle = Lifecycle.from_report(read.lifecycle)
    elif read.lifecycle_failure is not None:
        lifecycle = Lifecycle.failed(read.lifecycle_failure)
    caller = read.caller
    page = PassportPage(
        passport=read.passport,
        audience=read.audience,
        check=check,
        today=ctx.today,
        download_url=ctx.download_url,
        trust_url=ctx.trust_url,
        page_uri=ctx.page_uri,
        scheme=ctx.scheme,
        lifecycle=lifecycle,
        predecessor_url=ctx.predecessor_url,
        successor_id=read.successor_id,
        successor_url=ctx.successor_url,
        token_organisation=caller.organisation_id if caller is not None else None,
        token_purpose=caller.purpose if caller is not None else None,
        generated_at=read.checked_at,
        language_urls={lang: f"?format=html&lang={lang}" for lang in ("en", "de", "zh")},
    )
    return render_page(page, accept_language=ctx.accept_language, language=ctx.language)
