"""The bulk export's manifest reads as the PDFs and the app do: each version's status in words
('Signed off', 'Returned for resubmission'), beside the 'nothing submitted' rows, and its
submission time to the second in UTC. Before, the status was the internal code ('signed_off')
and the time carried microseconds ('2026-11-24T20:32:28.180339+00:00')."""

import csv
import io
import zipfile

from portfolio.export import bulk
from portfolio.extensions import db
from tests.export import builders


def test_the_manifest_says_each_status_in_words(app, world, pdf_cache, tmp_path):
    signed = builders.build_submission(world.learner, analyses=0, uploads=0)
    builders.sign_off(signed, world.assessor)
    returned = builders.build_submission(world.peer, analyses=0, uploads=0)
    builders.sign_off(returned, world.assessor, not_yet=("2.4",))
    job = bulk.create_export(world.cohort, by=world.admin)
    db.session.commit()
    pdf = tmp_path / "rendered.pdf"
    pdf.write_bytes(b"%PDF-1.7\n")
    archive = zipfile.ZipFile(
        bulk.cache_dir()
        / bulk._write_zip(job, [signed, returned], {signed.id: str(pdf), returned.id: str(pdf)})
    )
    rows = list(csv.DictReader(io.StringIO(archive.read("manifest.csv").decode("utf-8-sig"))))
    assert {r["learner"]: r["status"] for r in rows} == {
        world.learner.full_name: "Signed off",
        world.peer.full_name: "Returned for resubmission",
    }
    for row, submission in zip(rows, [signed, returned], strict=True):
        at = submission.submitted_at
        assert row["submitted_at"] == at.strftime("%Y-%m-%dT%H:%M:%S+00:00"), row


def test_the_manifest_opens_in_excel_with_its_names_intact(app, world, pdf_cache, tmp_path):
    world.learner.full_name = "Zoë Łukasz"
    submission = builders.build_submission(world.learner, analyses=0, uploads=0)
    job = bulk.create_export(world.cohort, by=world.admin)
    db.session.commit()
    pdf = tmp_path / "rendered.pdf"
    pdf.write_bytes(b"%PDF-1.7\n")
    path = bulk.cache_dir() / bulk._write_zip(job, [submission], {submission.id: str(pdf)})
    body = zipfile.ZipFile(path).read("manifest.csv")
    assert body.startswith(b"\xef\xbb\xbf")
    rows = list(csv.DictReader(io.StringIO(body.decode("utf-8-sig"))))
    assert rows[0]["learner"] == "Zoë Łukasz"  # Excel read it as "ZoÃ« Å\x81ukasz" before


def test_the_command_names_who_has_nothing_submitted(app, runner, world, pdf_cache):
    """`flask export cohort ID` said 'Export 1: 1 portfolio from Alpha cohort.' for a cohort of
    two, with no word of the learner who had submitted nothing, as the web page once did."""
    app.config["EXPORT_WORKERS"] = 1
    builders.build_submission(world.learner, analyses=0, uploads=0)
    world.peer.full_name = "Riley Evans"
    db.session.commit()
    result = runner.invoke(args=["export", "cohort", str(world.cohort.id)])
    assert result.exit_code == 0, result.output
    assert "1 portfolio from Alpha cohort." in result.output
    assert (
        "Nothing submitted yet by Riley Evans: the zip's manifest lists them, without a PDF."
        in result.output
    )


def test_the_zip_is_named_for_the_day_it_was_exported(client, app, world, pdf_cache):
    """A week-old export downloaded today was named '<cohort>-portfolios-<today>.zip', as if the
    PDFs in it were today's; it carries the day the export was made."""
    from datetime import timedelta

    from portfolio.db import utcnow
    from tests.conftest import login

    app.config.update(EXPORT_WORKERS=1)
    builders.build_submission(world.learner, analyses=0, uploads=0)
    job = bulk.create_export(world.cohort, by=world.admin)
    db.session.commit()
    job = bulk.run_export(job.id, workers=1)
    job.created_at = utcnow() - timedelta(days=7)
    db.session.commit()
    login(client, world.admin)
    response = client.get(f"/export/jobs/{job.id}/download")
    response.close()
    made = job.created_at.date().isoformat()
    assert f"alpha-cohort-portfolios-{made}.zip" in response.headers["Content-Disposition"]


def test_an_export_run_from_the_command_line_says_so(client, app, world, pdf_cache):
    """An export run with `flask export cohort` read 'Requested on 24 Nov 2026, 20:32.' on its
    page, with nobody named; it says it was run from the command line."""
    from tests.conftest import login

    builders.build_submission(world.learner, analyses=0, uploads=0)
    job = bulk.create_export(world.cohort, by=None)
    db.session.commit()
    login(client, world.admin)
    page = client.get(f"/export/jobs/{job.id}").get_data(as_text=True)
    assert "Run from the command line on " in page
    assert "Requested on" not in page
