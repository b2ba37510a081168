"""Fixtures: world.learner's worked, submitted, signed-off and sampled portfolio; a PDF cache
of the test's own; and PDF reading helpers (pdftotext, pdfinfo)."""

import shutil
import subprocess
from pathlib import Path

import pytest

from portfolio.extensions import db
from tests.export import builders

LETTER_MARK = "I have arranged a full refund of the kettle"
REFLECTION = "Next time I will read the repair log before calling the customer back."
JUSTIFICATION = "The trail shows I read every key document before deciding"


def _need(tool: str) -> str:
    path = shutil.which(tool)
    if path is None:
        pytest.skip(f"{tool} is not installed (apt-get install poppler-utils)")
    return path


def pdftotext(data: bytes, tmp_path: Path) -> str:
    """The PDF's text in reading order, as poppler extracts it."""
    path = tmp_path / "read.pdf"
    path.write_bytes(data)
    result = subprocess.run([_need("pdftotext"), str(path), "-"], capture_output=True, check=True)
    return result.stdout.decode()


def pdfinfo(data: bytes, tmp_path: Path) -> dict[str, str]:
    path = tmp_path / "info.pdf"
    path.write_bytes(data)
    result = subprocess.run([_need("pdfinfo"), str(path)], capture_output=True, check=True)
    info = {}
    for line in result.stdout.decode().splitlines():
        key, _, value = line.partition(":")
        info[key.strip()] = value.strip()
    return info


@pytest.fixture
def pdf_cache(app, tmp_path):
    """A PDF cache folder for this test alone (the app's config is restored afterwards)."""
    folder = tmp_path / "pdf-cache"
    app.config["PDF_CACHE_DIR"] = str(folder)
    return folder


@pytest.fixture
def submitted(app, world, pdf_cache):
    """world.learner's portfolio on the retail scenario, submitted, signed off by world.assessor
    and sampled by world.iqa; world.submission is the version."""
    world.submission = builders.build_submission(
        world.learner,
        letter_extra=LETTER_MARK + ", and I will call you on Friday to check it has arrived.",
        reflection=REFLECTION,
        justification=JUSTIFICATION,
        assessor_items=1,
        assessor=world.assessor,
    )
    assessment = builders.sign_off(world.submission, world.assessor)
    builders.iqa_verdict(assessment, world.iqa)
    db.session.commit()
    return world
