"""The renderer's URL fetcher serves our static files and our own embedded images, and nothing
else: a learner's `<img src="file:///etc/passwd">` or a link to another host is never read."""

import base64
import pathlib
import socket

import pytest

from portfolio.export import fetcher
from portfolio.export.fetcher import BASE_URL, FetchLog, FetchRefused, resolve
from portfolio.export.pdf import html_to_pdf, render_portfolio_pdf
from portfolio.extensions import db
from tests.export import builders
from tests.export.conftest import pdftotext

STATIC = pathlib.Path(__file__).resolve().parents[2] / "static"
HOSTILE = '<img src="file:///etc/passwd"> <img src="http://example.com/x.png">'
HOSTILE_MARKDOWN = "![tracker](http://example.com/x.png) ![local](file:///etc/passwd)"


@pytest.mark.parametrize(
    "url",
    [
        "file:///etc/passwd",
        "FILE:///etc/passwd",
        "http://example.com/x.png",
        "https://example.com/static/pdf/portfolio.css",
        "https://portfolio.invalid.example.com/static/pdf/portfolio.css",
        "https://user:pw@portfolio.invalid/static/pdf/portfolio.css",
        "https://portfolio.invalid:8443/static/pdf/portfolio.css",
        "http://portfolio.invalid/static/pdf/portfolio.css",
        "https://portfolio.invalid/etc/passwd",
        "https://portfolio.invalid/static/../../../../etc/passwd",
        "https://portfolio.invalid/static/%2e%2e/%2e%2e/%2e%2e/etc/passwd",
        "https://portfolio.invalid/static/",
        "https://portfolio.invalid/static/js/app.js",
        "https://portfolio.invalid/static/pdf/missing.css",
        "ftp://example.com/x.png",
        "javascript:alert(1)",
        "pdf/portfolio.css",
        "data:text/html;base64,PHNjcmlwdD4=",
        "data:image/svg+xml;base64,PHN2Zz48L3N2Zz4=",
        "data:image/png,notbase64",
        "data:image/png;base64," + base64.b64encode(b"root:x:0:0:root").decode(),
        "data:image/png;base64,not valid base64!",
    ],
)
def test_refused(url):
    with pytest.raises(FetchRefused):
        resolve(url, static_root=STATIC)


def test_serves_static_stylesheet_and_our_images():
    css = resolve(BASE_URL + "pdf/portfolio.css", static_root=STATIC)
    assert css.mime_type == "text/css" and b"@page" in css.body
    png = builders.png_bytes()
    image = resolve("data:image/png;base64," + base64.b64encode(png).decode(), static_root=STATIC)
    assert image.mime_type == "image/png" and image.body == png


def test_symlink_out_of_static_is_refused(tmp_path):
    root = tmp_path / "static"
    (root / "pdf").mkdir(parents=True)
    (root / "pdf" / "secret.css").symlink_to("/etc/passwd")
    with pytest.raises(FetchRefused):
        resolve(BASE_URL + "pdf/secret.css", static_root=root)


@pytest.fixture
def no_network_no_files(monkeypatch):
    """Any socket connection fails the test, and every file read is recorded."""
    reads: list[str] = []

    def refuse(*args, **kwargs):
        raise AssertionError(f"the renderer tried to connect: {args}")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(socket, "getaddrinfo", refuse)
    original = pathlib.Path.read_bytes

    def read_bytes(self):
        reads.append(str(self))
        return original(self)

    monkeypatch.setattr(pathlib.Path, "read_bytes", read_bytes)
    return reads


@pytest.fixture
def asked(monkeypatch):
    """Every URL the renderer asks the fetcher for."""
    urls: list[str] = []
    original = fetcher.resolve

    def spy(url, **kwargs):
        urls.append(url)
        return original(url, **kwargs)

    monkeypatch.setattr(fetcher, "resolve", spy)
    return urls


def test_hostile_learner_text_fetches_nothing(
    app, world, pdf_cache, tmp_path, asked, no_network_no_files
):
    """`<img src=file:///etc/passwd>` and an external image in a finding, the letter (Markdown)
    and the reflection: the PDF shows them as text, and the renderer asks only for our
    stylesheet and the image we embedded."""
    submission = builders.build_submission(
        world.learner,
        finding=f"Finding {HOSTILE}",
        letter_extra=f"{HOSTILE}\n\n{HOSTILE_MARKDOWN}\n\n[a link](http://example.com/x)",
        reflection=f"Reflection {HOSTILE} {HOSTILE_MARKDOWN}",
        analyses=0,
    )
    db.session.commit()
    record = FetchLog()
    data = render_portfolio_pdf(submission, record=record)

    assert asked[0] == BASE_URL + "pdf/portfolio.css"
    assert all(url == asked[0] or url.startswith("data:image/png;base64,") for url in asked)
    assert not any("passwd" in url or "example.com" in url for url in asked)
    assert record.refused == []
    assert not any(path.startswith("/etc") for path in no_network_no_files)
    text = pdftotext(data, tmp_path)
    assert "root:x:0:0" not in text
    assert 'src="file:///etc/passwd"' in text  # shown as the learner typed it, as text
    assert "<http://example.com/x>" in text  # a link is printed, never fetched


def test_the_fetcher_refuses_what_gets_past_the_template(app, tmp_path, asked, no_network_no_files):
    """Second wall: raw HTML with hostile URLs (as if escaping failed) renders without reading
    them; each one reached the fetcher and was refused."""
    hostile = [
        "file:///etc/passwd",
        "http://example.com/x.png",
        "https://portfolio.invalid/static/../../../../etc/passwd",
        "data:text/html;base64,PHNjcmlwdD4=",
    ]
    html = (
        '<html><head><link rel="stylesheet" href="file:///etc/passwd"></head><body>'
        + "".join(f'<img src="{url}" alt="x">' for url in hostile)
        + '<div style="background: url(http://example.com/bg.png)">text</div></body></html>'
    )
    record = FetchLog()
    data = html_to_pdf(html, record=record)
    assert data.startswith(b"%PDF-")
    assert record.served == []
    assert set(record.refused) >= set(hostile) | {"http://example.com/bg.png"}
    assert not any(path.startswith("/etc") for path in no_network_no_files)
    assert "root:x:0:0" not in pdftotext(data, tmp_path)
