"""What the PDF renderer may load: our own static files, and the images we embed ourselves.

Everything else is refused before any I/O: `file:` URLs (a learner's `<img src=file:///etc/passwd>`),
any other host, any other scheme, and `data:` URLs that are not PNG or JPEG images. Learner text
is escaped or sanitised before it reaches the template, so such URLs should never get this far;
this is the second wall.

The document's base URL is an address under the reserved `.invalid` domain, which can never
resolve, so a relative URL in the template (`pdf/portfolio.css`) maps to a static file and
nothing else does. WeasyPrint is imported lazily (about a second), only by `make_fetcher`.
"""

from __future__ import annotations

import base64
import binascii
import logging
import mimetypes
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import unquote, urlsplit

log = logging.getLogger(__name__)

BASE_URL = "https://portfolio.invalid/static/"
_STATIC_PREFIX = urlsplit(BASE_URL).path  # "/static/"
_HOST = urlsplit(BASE_URL).netloc
# Static files the print stylesheet may use.
STATIC_SUFFIXES = frozenset({".css", ".png", ".jpg", ".jpeg", ".svg", ".woff", ".woff2", ".ttf"})
DATA_IMAGE_TYPES = frozenset({"image/png", "image/jpeg"})
MAX_DATA_BYTES = 16 * 1024 * 1024


class FetchRefused(ValueError):
    """The renderer asked for something it may not have."""


@dataclass(frozen=True)
class Resource:
    body: bytes
    mime_type: str


def _sniff_image(data: bytes) -> str | None:
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if data.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    return None


def resolve(url: str, *, static_root: Path) -> Resource:
    """The bytes behind `url` if the renderer may have them, else FetchRefused."""
    scheme = url.split(":", 1)[0].lower() if ":" in url else ""
    if scheme == "data":
        return _data_image(url)
    if scheme != "https":
        raise FetchRefused(f"scheme {scheme or '(none)'!r} is not allowed")
    parts = urlsplit(url)
    if parts.netloc != _HOST or parts.username or parts.password or parts.port:
        raise FetchRefused(f"host {parts.netloc!r} is not this app's")
    path = unquote(parts.path)
    if not path.startswith(_STATIC_PREFIX):
        raise FetchRefused("only static files are served")
    root = static_root.resolve()
    target = (root / path.removeprefix(_STATIC_PREFIX)).resolve()
    if not target.is_relative_to(root) or target == root:
        raise FetchRefused("path leaves the static folder")
    if target.suffix.lower() not in STATIC_SUFFIXES:
        raise FetchRefused(f"{target.suffix or 'no suffix'} is not a stylesheet, font or image")
    if not target.is_file():
        raise FetchRefused("no such static file")
    mime = mimetypes.guess_type(target.name)[0] or "application/octet-stream"
    return Resource(target.read_bytes(), mime)


def _data_image(url: str) -> Resource:
    """A base64 PNG or JPEG `data:` URL (the only kind we write: embedded workplace images),
    checked by its bytes as well as its label."""
    header, sep, payload = url[5:].partition(",")
    params = [p.strip().lower() for p in header.split(";")]
    if not sep or params[0] not in DATA_IMAGE_TYPES or "base64" not in params[1:]:
        raise FetchRefused("only base64 PNG or JPEG data URLs are allowed")
    if len(payload) > MAX_DATA_BYTES * 4 // 3 + 4:
        raise FetchRefused("data URL too large")
    try:
        body = base64.b64decode(payload, validate=True)
    except (binascii.Error, ValueError) as exc:
        raise FetchRefused("data URL is not valid base64") from exc
    if _sniff_image(body) != params[0]:
        raise FetchRefused("data URL content is not the image it claims to be")
    return Resource(body, params[0])


@dataclass
class FetchLog:
    """What a render asked for: served and refused URLs (for tests and the log)."""

    served: list[str] = field(default_factory=list)
    refused: list[str] = field(default_factory=list)


def make_fetcher(static_root: Path, record: FetchLog | None = None):
    """A WeasyPrint URL fetcher that serves only what `resolve` allows and never calls the
    network or reads any other file. Refusals are logged and the render goes on without them."""
    from weasyprint.urls import URLFetcher, URLFetcherResponse

    record = record if record is not None else FetchLog()

    class StaticOnlyFetcher(URLFetcher):
        def fetch(self, url, headers=None):
            try:
                resource = resolve(url, static_root=static_root)
            except FetchRefused as exc:
                record.refused.append(url)
                log.warning("PDF export refused to fetch %.200s: %s", url, exc)
                raise
            record.served.append(url if not url.startswith("data:") else url[:40])
            return URLFetcherResponse(
                url, body=resource.body, headers={"Content-Type": resource.mime_type}
            )

    fetcher = StaticOnlyFetcher(allowed_protocols=("https", "data"), allow_redirects=False)
    fetcher.record = record
    return fetcher
