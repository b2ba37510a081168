"""Rendering a submitted version as an archival PDF (PDF/A-3b, A4).

`render_portfolio_pdf(submission) -> bytes` builds the plain-data context, renders
templates/export/portfolio.html with it, and hands the HTML to WeasyPrint with a fetcher that
serves only our static files (see fetcher.py). WeasyPrint is imported here lazily: it costs
about a second, which the app should not pay at start-up or on pages that never print.
"""

from __future__ import annotations

import base64
import hashlib
import importlib.metadata
from functools import cache
from pathlib import Path
from typing import Any

from flask import current_app

from portfolio.evidence.models import Submission
from portfolio.evidence.uploads import MAX_BYTES, sniff
from portfolio.export.context import IMAGE_TYPES, portfolio_context
from portfolio.export.fetcher import BASE_URL, FetchLog, make_fetcher

# Bump when the context or rendering code changes what a PDF shows; template and stylesheet
# edits are picked up by their content hash (see template_version).
# 2: the UK clock and UTC filters (templating.py); 3: items' dates and descriptions, an
# analysis's charts drawn once with their tables (context.py); 4: a Pareto's description says
# which categories together reach 80% (analysis/describe.py); 5: a recommendation's empty
# optional fields (context.py); 6: the date filter reads ISO text, for timeline dates
# (templating.py); 7: criterion texts without the trailing line break their YAML leaves, which
# WeasyPrint broke a line early before (context.py); 8: a return's sign-off row no longer says
# it was signed (context.py); 9: tagged (PDF_OPTIONS); 10: an item's mappings in the unit's
# order (context.py); 11: a sample whose review is not complete (context.py)
TEMPLATE_VERSION = "11"
TEMPLATE = "export/portfolio.html"
# Files whose content goes into template_version().
_TEMPLATE_GLOBS = (
    ("templates", "export/*.html"),
    ("templates", "evidence/_content.html"),
    ("static", "pdf/*.css"),
)
# Options for WeasyPrint's write_pdf. PDF/A-3b: archival (fonts embedded, sRGB output
# intent, XMP metadata) and, unlike PDF/A-2, allows attachments should we add the originals.
# Tagged, so a screen reader finds the headings, lists and tables (untagged, the PDF read as
# one run of text); it costs no render time, and about half as much again in file size.
PDF_OPTIONS: dict[str, Any] = {"pdf_variant": "pdf/a-3b", "dpi": 300, "pdf_tags": True}


@cache
def _weasyprint_version() -> str:
    return importlib.metadata.version("weasyprint")


def template_version() -> str:
    """TEMPLATE_VERSION, WeasyPrint's version and a hash of the print templates and stylesheet:
    any change to what a PDF would look like gives a new value, so cached PDFs render again."""
    from portfolio.config import ROOT

    digest = hashlib.sha256(f"{TEMPLATE_VERSION}|{_weasyprint_version()}".encode())
    for folder, pattern in _TEMPLATE_GLOBS:
        for path in sorted((ROOT / folder).glob(pattern)):
            digest.update(path.name.encode())
            digest.update(path.read_bytes())
    return f"{TEMPLATE_VERSION}-{digest.hexdigest()[:16]}"


def embedded_images(context: dict[str, Any]) -> dict[str, str]:
    """Uploaded PNG and JPEG images as data: URLs, keyed by stored name. Only files whose bytes
    are still the image that was submitted (same type, same SHA-256) are embedded; the template
    says so when one cannot be shown."""
    folder = Path(current_app.config["UPLOAD_DIR"]).resolve()
    images = {}
    for item in context["uploads"]:
        upload = item["upload"]
        name = upload["stored_name"] or ""
        if not upload["image"] or Path(name).name != name or name.startswith("."):
            continue
        path = (folder / name).resolve()
        if not path.is_relative_to(folder) or not path.is_file():
            continue
        if path.stat().st_size > MAX_BYTES:
            continue
        data = path.read_bytes()
        mime = sniff(data)
        if mime not in IMAGE_TYPES or mime != upload["type"]:
            continue
        if hashlib.sha256(data).hexdigest() != upload["sha256"]:
            continue
        images[name] = f"data:{mime};base64,{base64.b64encode(data).decode('ascii')}"
    return images


def render_html(context: dict[str, Any]) -> str:
    """The print HTML for a context. Rendered straight from the Jinja environment (not
    render_template) so it needs no request: bulk export renders in worker processes."""
    template = current_app.jinja_env.get_template(TEMPLATE)
    return template.render(**context, images=embedded_images(context))


def html_to_pdf(html: str, *, record: FetchLog | None = None) -> bytes:
    """WeasyPrint, with the static-only fetcher, as an A4 PDF/A document."""
    import weasyprint

    fetcher = make_fetcher(Path(current_app.static_folder), record)
    document = weasyprint.HTML(string=html, base_url=BASE_URL, url_fetcher=fetcher)
    return document.write_pdf(**PDF_OPTIONS)


def render_portfolio_html(submission: Submission, *, state: dict | None = None) -> str:
    """The print HTML of a submitted version."""
    return render_html(portfolio_context(submission, state=state))


def render_portfolio_pdf(
    submission: Submission, *, state: dict | None = None, record: FetchLog | None = None
) -> bytes:
    """The PDF of a submitted version: snapshot, decisions, sign-offs, IQA record and log."""
    return html_to_pdf(render_portfolio_html(submission, state=state), record=record)
