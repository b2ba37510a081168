"""A decision-log entry and its hashes stay on one page: the entry's line ('14  24 Nov 2026,
20:28  Decision (4.2: Not yet competent)  Sam Patel') stood at the foot of one page and its
'Entry hash' and 'Previous' on the next, under the repeated header, as if they were the next
entry's."""

import re
import subprocess

from portfolio.export.pdf import render_portfolio_pdf
from portfolio.extensions import db
from tests.export import builders
from tests.export.conftest import _need

ENTRY = re.compile(r"^\s*\d+\s+\d{1,2} \w{3} \d{4}, \d\d:\d\d\s")


def _pages(data: bytes, tmp_path) -> list[str]:
    path = tmp_path / "log.pdf"
    path.write_bytes(data)
    out = subprocess.run(
        [_need("pdftotext"), "-layout", str(path), "-"], capture_output=True, check=True
    ).stdout.decode()
    return out.split("\f")


def test_each_entry_and_its_hashes_share_a_page(app, world, pdf_cache, tmp_path):
    submission = builders.build_submission(world.learner, analyses=0, uploads=0)
    assessment = builders.sign_off(submission, world.assessor)
    builders.iqa_verdict(assessment, world.iqa)
    db.session.commit()
    pages = [
        p
        for p in _pages(render_portfolio_pdf(submission), tmp_path)
        if "Entry hash" in p and "Decision log" in p
    ]
    assert len(pages) >= 2, "the log should run over a page for this test to mean anything"
    for n, page in enumerate(pages, start=1):
        lines = page.splitlines()
        entries = [i for i, line in enumerate(lines) if ENTRY.match(line)]
        hashes = [i for i, line in enumerate(lines) if "Entry hash" in line]
        assert len(entries) == len(hashes), (
            f"log page {n}: {len(entries)} entries, {len(hashes)} hashes"
        )
        for entry, found in zip(entries, hashes, strict=True):
            assert found > entry, f"log page {n}: a hash stands above its entry"
