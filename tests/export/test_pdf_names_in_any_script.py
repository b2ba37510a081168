"""A learner's name in Chinese, Japanese or Korean prints in the PDF: without a CJK font on the
server it printed as empty boxes. The font is a system package (fonts-noto-cjk, which .ci/run
installs and the README lists); WeasyPrint falls back to it for characters DejaVu lacks."""

import os
import shutil
import subprocess

import pytest

from portfolio.export.pdf import render_portfolio_pdf
from portfolio.extensions import db
from tests.export import builders

NAME = "王芳 Zoë Łukasz"


def _cjk_font_installed() -> bool:
    if shutil.which("fc-list") is None:
        return False
    found = subprocess.run(["fc-list", ":lang=zh", "family"], capture_output=True, text=True)
    return bool(found.stdout.strip())


def test_a_name_in_chinese_characters_prints_in_the_pdf(app, world, pdf_cache, tmp_path):
    if not _cjk_font_installed():
        # CI installs the system packages first (REQUIRE_BROWSER=1 there): missing, it fails.
        missing = "no CJK font installed (apt-get install fonts-noto-cjk)"
        if os.environ.get("REQUIRE_BROWSER"):
            pytest.fail(missing)
        pytest.skip(missing)
    world.learner.full_name = NAME
    db.session.commit()
    submission = builders.build_submission(world.learner, analyses=0, uploads=0)
    db.session.commit()
    path = tmp_path / "portfolio.pdf"
    path.write_bytes(render_portfolio_pdf(submission))
    fonts = subprocess.run(["pdffonts", str(path)], capture_output=True, text=True, check=True)
    assert "CJK" in fonts.stdout, fonts.stdout  # a font that has the characters is embedded
    text = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True).stdout
    assert NAME in " ".join(text.split())
