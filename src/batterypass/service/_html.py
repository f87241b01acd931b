"""The HTML answer of a passport read (``text/html``).

This is the hook of the passport page (issue 18, ``_page.py``): the route calls
:func:`render_html` with the verified read and the links of this server, and nothing else.
Until the page lands, a minimal page: what was verified, and the public data as JSON.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from html import escape

from batterypass.carbon import ClassScheme
from batterypass.codec import json as bp_json
from batterypass.service._reads import PassportRead

__all__ = ["HtmlContext", "render_html"]


@dataclass(frozen=True, slots=True)
class HtmlContext:
    """The links and request facts a page needs besides the passport."""

    page_uri: str
    """The absolute URI of this battery's page (what its QR code carries)."""
    download_url: str
    """The signed presentation for the caller's audience (``application/cose``)."""
    trust_url: str
    label_url: str
    qr_url: str
    events_url: str
    predecessor_url: str | None
    successor_url: str | None
    accept_language: str | None
    today: date
    scheme: ClassScheme


def render_html(read: PassportRead, ctx: HtmlContext) -> str:
    """The page for ``read``."""
    p = read.passport
    if read.signer is not None:
        s = read.signer
        check = (
            f"<p>Signed by {escape(s.organisation_id)} (kid {escape(s.kid)}), verified by this "
            f"server at {escape(read.checked_at.isoformat())} against its "
            f'<a href="{escape(ctx.trust_url)}">trust list</a>.</p>'
        )
    else:
        reason = escape(str(read.failure)) if read.failure else "unknown"
        check = f'<p style="color:#b00020"><strong>NOT VERIFIED</strong>: {reason}</p>'
    return (
        "<!doctype html>\n"
        f'<html lang="en"><head><meta charset="utf-8">'
        f'<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>Battery passport {escape(p.passport_id)}</title></head><body>"
        f"<h1>Battery passport</h1>"
        f"<p>Battery {escape(p.battery_id)}; shown for: {escape(read.audience.value)}</p>"
        f"{check}"
        f'<p><a href="{escape(ctx.download_url)}">Signed passport</a> '
        f"(verify offline: <code>batterypass verify FILE --trust trust.json</code>)</p>"
        f'<img src="{escape(ctx.label_url)}" alt="Carbon footprint label">'
        f"<h2>Data</h2><pre>{escape(bp_json.dumps(p))}</pre>"
        "</body></html>\n"
    )
