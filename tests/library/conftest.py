"""Fixtures: a writable bundle holding the minimal test scenario and its criteria, loaded."""

import io
import shutil
import zipfile
from pathlib import Path

import pytest

from portfolio.extensions import db
from portfolio.library.services import load_bundled
from portfolio.scenarios.loader import load_bundle

FIXTURES = Path(__file__).parent.parent / "scenarios" / "fixtures"


@pytest.fixture
def bundle(tmp_path) -> Path:
    """A copy of the minimal bundle (criteria/ and minimal/) that a test may edit."""
    root = tmp_path / "bundle"
    shutil.copytree(FIXTURES, root)
    return root


@pytest.fixture
def loaded(app, bundle):
    """The minimal bundle imported: returns the report."""
    report = load_bundled(bundle)
    db.session.commit()
    return report


def zip_folder(folder: Path, *, prefix: str = "") -> bytes:
    """The folder as zip bytes, optionally inside a top folder."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for path in sorted(folder.rglob("*")):
            if path.is_file():
                archive.write(path, prefix + path.relative_to(folder).as_posix())
    return buffer.getvalue()


def our_spec(bundle: Path, limit: int):
    """The minimal scenario under the slug "ours" with this authority limit, as a loaded spec
    (each call a new version of one centre scenario); the bundle's files are left as they were."""
    manifest = bundle / "minimal" / "scenario.yaml"
    text = manifest.read_text()
    ours = text.replace("slug: minimal", "slug: ours", 1)
    manifest.write_text(ours.replace("authority_limit: 50", f"authority_limit: {limit}", 1))
    _, [spec] = load_bundle(bundle)
    manifest.write_text(text)
    return spec
