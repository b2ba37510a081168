"""Benchmark the portfolio PDF: the app's render path against the same HTML straight through
WeasyPrint, in one run, plus the cached download.

    .venv/bin/python bench/pdf_bench.py                 # 3 cases, 2 analyses each: 70 pages, N=5
    .venv/bin/python bench/pdf_bench.py --runs 3 --cases 5 --analyses 3   # 120 pages

Steps: build a large portfolio in a temporary SQLite database (bundled scenarios worked end
to end with long case logs, several saved analyses each, workplace images, assessor records),
submit it, sign it off, sample it; then, alternating so that load on the machine hits both
alike, time
  app:   export.pdf.render_portfolio_pdf(submission) - the plain-data context from the
         database, the Jinja template, embedded images, WeasyPrint with the static-only fetcher;
  plain: weasyprint.HTML(string=<the same HTML>, base_url=<static folder>).write_pdf(...) with
         the same options (PDF/A-3b), WeasyPrint's default fetcher;
and print both medians and app/plain (target: at most 1.15). Then download the PDF through the
test client as the learner: the first download renders and stores it, later ones serve the file.
"""

from __future__ import annotations

import argparse
import gc
import io
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
TARGET_RATIO = 1.15
PASSWORD = "bench-password-123"


def build(cases: int, analyses: int):
    """The app, and a large signed-off, sampled submission."""
    from portfolio import create_app
    from portfolio.accounts import services as accounts
    from portfolio.extensions import db
    from portfolio.roles import Role
    from tests.export import builders

    tmp = Path(tempfile.mkdtemp(prefix="pdf-bench-"))
    app = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "bench",
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp / 'bench.sqlite3'}",
            "UPLOAD_DIR": str(tmp / "uploads"),
            "PDF_CACHE_DIR": str(tmp / "pdf"),
            "WTF_CSRF_ENABLED": False,
            "ARGON2_TIME_COST": 1,
            "ARGON2_MEMORY_COST": 1024,
        }
    )
    ctx = app.app_context()
    ctx.push()
    db.create_all()
    centre = accounts.create_centre(name="Benchmark Training Centre")

    def user(role, email, name):
        return accounts.create_user(
            email=email,
            full_name=name,
            role=role,
            centre=centre,
            password=PASSWORD,
            must_change_password=False,
        )

    assessor = user(Role.ASSESSOR, "assessor@bench.test", "Priya Assessor")
    iqa = user(Role.IQA, "iqa@bench.test", "Morgan Quality")
    learner = user(Role.LEARNER, "learner@bench.test", "Jordan Longportfolio")
    learner.assessor, learner.iqa = assessor, iqa
    slugs = tuple(sorted(builders.import_bundled()))[:cases]
    started = time.perf_counter()
    submission = builders.build_submission(
        learner,
        slugs=slugs,
        analyses=analyses,
        uploads=4,
        assessor_items=3,
        assessor=assessor,
        rounds_of_questions=2,
        drafts=6,
        letter_extra="\n\n".join(
            "I have also looked at how this happened, so it does not happen again: "
            "the team now checks every note against the job sheet before replying." * 2
            for _ in range(4)
        ),
    )
    assessment = builders.sign_off(submission, assessor)
    builders.iqa_verdict(assessment, iqa)
    db.session.commit()
    print(
        f"built {len(submission.snapshot['items'])} items in {time.perf_counter() - started:.1f} s"
    )
    return app, submission, learner


def pages_of(data: bytes) -> int:
    from pypdf import PdfReader

    return len(PdfReader(io.BytesIO(data)).pages)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5, help="timed renders per path")
    parser.add_argument("--cases", type=int, default=3, help="bundled scenarios worked (1-5)")
    parser.add_argument("--analyses", type=int, default=2, help="saved analyses per case")
    parser.add_argument("--downloads", type=int, default=20, help="cached downloads timed")
    args = parser.parse_args()

    app, submission, learner = build(args.cases, args.analyses)
    import weasyprint
    from flask import current_app

    from portfolio.export.pdf import PDF_OPTIONS, render_portfolio_html, render_portfolio_pdf
    from portfolio.extensions import db

    html = render_portfolio_html(submission)
    static = Path(current_app.static_folder).as_uri() + "/"

    def app_path() -> bytes:
        db.session.expire_all()  # every render reads the database afresh, as a request would
        return render_portfolio_pdf(submission)

    def plain_path() -> bytes:
        return weasyprint.HTML(string=html, base_url=static).write_pdf(**PDF_OPTIONS)

    # Warm up both (fonts, caches), and check they print the same document.
    app_pdf, plain_pdf = app_path(), plain_path()
    pages = pages_of(app_pdf)
    assert pages == pages_of(plain_pdf), "the two paths should print the same pages"
    print(f"{pages} A4 pages, {len(app_pdf) / 1024:.0f} KB, HTML {len(html) / 1024:.0f} KB")

    # Alternate which path goes first, and collect garbage before each, so neither path pays
    # for the other's leftovers; the machine's other load then falls on both alike.
    app_times, plain_times = [], []
    paths = [("app", app_path, app_times), ("plain", plain_path, plain_times)]
    for run in range(args.runs):
        for name, fn, times in paths if run % 2 == 0 else paths[::-1]:
            gc.collect()
            started = time.perf_counter()
            fn()
            times.append(time.perf_counter() - started)
            print(f"  run {run + 1} {name:5} {times[-1]:.2f} s")
    app_median, plain_median = statistics.median(app_times), statistics.median(plain_times)
    ratio = app_median / plain_median

    # The app's own work before WeasyPrint: context from the database, then the template.
    from portfolio.export.context import portfolio_context
    from portfolio.export.pdf import render_html

    own = []
    for _ in range(5):
        db.session.expire_all()
        started = time.perf_counter()
        render_html(portfolio_context(submission))
        own.append(time.perf_counter() - started)

    client = app.test_client()
    with client.session_transaction() as session:
        session["_user_id"] = str(learner.id)
        session["_fresh"] = True
    url = f"/export/submissions/{submission.id}.pdf"

    def download() -> float:
        started = time.perf_counter()
        response = client.get(url)
        body = response.get_data()
        response.close()
        elapsed = time.perf_counter() - started
        assert response.status_code == 200 and body.startswith(b"%PDF-"), response.status
        return elapsed

    first = download()
    cached = [download() for _ in range(args.downloads)]

    print()
    print(f"pages                         {pages}")
    print(f"app path (median of {args.runs})        {app_median:.2f} s")
    print(f"plain WeasyPrint (median of {args.runs}) {plain_median:.2f} s")
    print(f"ratio app/plain               {ratio:.3f} (target <= {TARGET_RATIO})")
    print(f"context + template (median)   {statistics.median(own) * 1000:.0f} ms")
    print(f"pages per second (app)        {pages / app_median:.1f}")
    print(f"first download (renders)      {first:.2f} s")
    print(f"cached download (median of {args.downloads}) {statistics.median(cached) * 1000:.1f} ms")
    sys.exit(0 if ratio <= TARGET_RATIO else 1)


if __name__ == "__main__":
    main()
