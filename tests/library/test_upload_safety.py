"""The upload page's parser-level rejections: a zip bomb, an upload over the size limit, a member
whose header lies about its size, paths that escape the folder, YAML anchors and aliases, and text
in another encoding. Each gives a clear message naming the file, and writes nothing: no database
row, no file in the upload folder, nothing left in the temporary folder, nothing outside it."""

import io
import os
import stat
import tempfile
import uuid
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest
import sqlalchemy as sa

from portfolio.extensions import db
from portfolio.scenarios.zipfiles import MAX_UPLOAD_BYTES
from tests.conftest import login
from tests.library.conftest import FIXTURES
from tests.scenarios.test_zip import _patch_sizes

SLUG = "our-own"


def good_files() -> dict[str, bytes]:
    """The minimal fixture scenario, renamed so that storing it would make a new scenario."""
    root = FIXTURES / "minimal"
    files = {p.relative_to(root).as_posix(): p.read_bytes() for p in root.rglob("*") if p.is_file()}
    manifest = files["scenario.yaml"].decode()
    files["scenario.yaml"] = manifest.replace("slug: minimal", f"slug: {SLUG}", 1).encode()
    return files


def make_zip(members: dict[str, bytes], *, method: int = zipfile.ZIP_DEFLATED) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=method) as archive:
        for name, content in members.items():
            archive.writestr(name, content)
    return buffer.getvalue()


def with_manifest(edit: Callable[[str], str]) -> dict[str, bytes]:
    files = good_files()
    files["scenario.yaml"] = edit(files["scenario.yaml"].decode()).encode()
    return files


def bomb() -> bytes:
    return make_zip(good_files() | {"documents/bomb.md": b"\x00" * 5_000_000})


def oversized() -> bytes:
    # Random bytes do not compress: the zip itself is over the limit (and under the request
    # limit, so the page, not the web server, answers).
    filler = os.urandom(MAX_UPLOAD_BYTES + 1024)
    return make_zip(good_files() | {"documents/filler.md": filler}, method=zipfile.ZIP_STORED)


def lying_header() -> bytes:
    data = make_zip({"big.md": b"\x00" * 1_000_000} | good_files())
    return _patch_sizes(data, b"big.md", 1000)


def escaping(name: str) -> Callable[[], bytes]:
    return lambda: make_zip(good_files() | {name: b"# Planted\n\nOutside the folder.\n"})


def symlink() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, content in good_files().items():
            archive.writestr(name, content)
        link = zipfile.ZipInfo("documents/passwd.md")
        link.create_system = 3
        link.external_attr = (stat.S_IFLNK | 0o777) << 16
        archive.writestr(link, "/etc/passwd")
    return buffer.getvalue()


# "Billion laughs": nine levels of nine aliases each would expand to 9**9 strings.
BILLION_LAUGHS = 'lol0: &lol0 "lol"\n' + "".join(
    f"lol{i}: &lol{i} [{', '.join([f'*lol{i - 1}'] * 9)}]\n" for i in range(1, 10)
)


def anchors() -> bytes:
    return make_zip(
        with_manifest(lambda text: text.replace("customer:\n", BILLION_LAUGHS + "customer:\n", 1))
    )


def alias_only() -> bytes:
    """An alias on its own, with no anchor before it."""
    return make_zip(
        with_manifest(lambda text: text.replace("learner_role:", "again: *x\nlearner_role:", 1))
    )


def utf16_manifest() -> bytes:
    files = good_files()
    files["scenario.yaml"] = files["scenario.yaml"].decode().encode("utf-16")
    return make_zip(files)


def cp1252_document() -> bytes:
    files = good_files()
    files["documents/crm-history.md"] = "# Notes\n\nThe customer's café bill.\n".encode("cp1252")
    return make_zip(files)


# The zip is checked under its own name (our-own.zip), the files in it under the folder's.
ZIP = f"{SLUG}.zip"

# (id, build the zip, what the page must say, the file the message names: the zip itself, or
# a file by its path inside the zip, which these hold without a top folder)
REJECTIONS = [
    ("zip-bomb", bomb, "refused as a possible zip bomb", "documents/bomb.md"),
    ("over-the-size-limit", oversized, f"; the limit is {MAX_UPLOAD_BYTES:,}", ZIP),
    ("size-header-lies", lying_header, "is damaged and cannot be read", "big.md"),
    (
        "dot-dot",
        escaping("../escaped.md"),
        "paths must stay inside the folder (no ..)",
        "../escaped.md",
    ),
    (
        "nested-dot-dot",
        escaping("documents/../../escaped.md"),
        "paths must stay inside the folder (no ..)",
        "documents/../../escaped.md",
    ),
    (
        "absolute-path",
        escaping("/tmp/escaped.md"),
        "absolute paths are not allowed",
        "/tmp/escaped.md",
    ),
    ("symlink", symlink, "symbolic links are not allowed", "documents/passwd.md"),
    (
        "yaml-anchors",
        anchors,
        "YAML anchors (&amp;lol0) are not allowed; write each value out in full",
        "scenario.yaml:",
    ),
    (
        "yaml-alias",
        alias_only,
        "YAML aliases (*x) are not allowed; write the value out in full",
        "scenario.yaml:",
    ),
    (
        "utf-16",
        utf16_manifest,
        "not UTF-8 text: it is UTF-16; save it as UTF-8",
        "scenario.yaml:1",
    ),
    (
        "cp1252",
        cp1252_document,
        "not UTF-8 text (byte 0xe9 cannot be read); save it as UTF-8",
        "documents/crm-history.md:3",
    ),
]


def row_counts() -> dict[str, int]:
    """Rows in every table: the proof that nothing reached the database."""
    db.session.expire_all()
    return {
        table.name: db.session.scalar(sa.select(sa.func.count()).select_from(table))
        for table in db.metadata.sorted_tables
    }


def files_under(folder: Path) -> set[str]:
    return (
        {p.relative_to(folder).as_posix() for p in folder.rglob("*")} if folder.exists() else set()
    )


@pytest.fixture
def scratch(app, tmp_path, monkeypatch) -> Path:
    """A temporary folder of our own for the request, so a file left behind would show."""
    folder = tmp_path / "tmp"
    folder.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(folder))
    return folder


def upload(client, data: bytes, name: str = ZIP):
    """Post the file as the browser would. The multipart body is built here, in memory: the
    test client would spool a large one to a temporary file that it never closes."""
    boundary = uuid.uuid4().hex
    head = (
        f"--{boundary}\r\n"
        f'Content-Disposition: form-data; name="archive"; filename="{name}"\r\n'
        "Content-Type: application/zip\r\n\r\n"
    )
    body = head.encode() + data + f"\r\n--{boundary}--\r\n".encode()
    return client.post(
        "/library/upload", data=body, content_type=f"multipart/form-data; boundary={boundary}"
    )


def test_the_good_zip_is_accepted(client, world, loaded, scratch, monkeypatch):
    """The baseline every rejection differs from by one thing. The loader works in a folder
    under `scratch` and removes it, so an empty `scratch` below means nothing was left."""
    made: list[Path] = []
    real = tempfile.TemporaryDirectory

    def recording(*args, **kwargs):
        folder = real(*args, **kwargs)
        made.append(Path(folder.name))
        return folder

    monkeypatch.setattr(tempfile, "TemporaryDirectory", recording)
    login(client, world.admin)
    response = upload(client, make_zip(good_files()))
    assert response.status_code == 302
    assert row_counts()["scenarios"] == 2
    assert [folder.parent for folder in made] == [scratch]
    assert files_under(scratch) == set()


@pytest.mark.parametrize(
    ("build", "message", "file"),
    [pytest.param(*case[1:], id=case[0]) for case in REJECTIONS],
)
def test_parser_rejections_give_a_clear_message_and_write_nothing(
    app, client, world, loaded, scratch, build, message, file
):
    login(client, world.admin)
    data = build()
    uploads = Path(app.config["UPLOAD_DIR"])
    before_rows, before_uploads = row_counts(), files_under(uploads)

    response = upload(client, data)

    assert response.status_code == 200
    page = response.text
    assert "Nothing was stored." in page
    assert message in page
    assert f"<code>{file}" in page  # the message names the file it is about
    assert row_counts() == before_rows
    assert files_under(uploads) == before_uploads
    assert files_under(scratch) == set()
    assert not (scratch.parent / "escaped.md").exists()
    assert not Path("/tmp/escaped.md").exists()


def test_an_upload_over_the_request_limit_gets_the_too_large_page(app, client, world, loaded):
    login(client, world.admin)
    before = row_counts()
    response = upload(client, b"\x00" * (app.config["MAX_CONTENT_LENGTH"] + 1))
    assert response.status_code == 413
    assert "That upload is too large" in response.text
    assert f"at most {MAX_UPLOAD_BYTES // 2**20} MB" in response.text
    assert row_counts() == before


def test_the_upload_page_states_the_limit_it_enforces(app, client, world):
    login(client, world.admin)
    page = client.get("/library/upload").text
    assert f"At most {MAX_UPLOAD_BYTES // 2**20} MB." in page
