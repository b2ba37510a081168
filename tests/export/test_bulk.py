"""Bulk export of a cohort: the latest version of each learner, a zip with a manifest, progress
kept in the database, the pages and their access, the CLI, and the parallel path."""

import csv
import io
import zipfile
from datetime import date, timedelta

import pytest

from portfolio.accounts.services import create_cohort
from portfolio.db import utcnow
from portfolio.evidence import services as evidence
from portfolio.export import bulk
from portfolio.export.models import BulkExport, ExportStatus
from portfolio.extensions import db
from tests.conftest import login
from tests.export import builders
from tests.export.conftest import pdftotext


@pytest.fixture
def cohort_work(app, world, pdf_cache):
    """world.learner (two versions) and world.peer (one), both in world.cohort, plus another
    centre's learner who must never appear."""
    world.peer.assessor = world.assessor
    first = builders.build_submission(world.learner, analyses=0, uploads=0)
    builders.sign_off(first, world.assessor, not_yet=("2.4",))
    world.latest = evidence.submit(
        first.portfolio,
        declared_name=world.learner.full_name,
        declared_on=date.today(),
        by=world.learner,
    )
    world.peer_submission = builders.build_submission(world.peer, analyses=0, uploads=0)
    db.session.commit()
    return world


def _zip(data: bytes) -> zipfile.ZipFile:
    return zipfile.ZipFile(io.BytesIO(data))


def test_latest_submission_per_learner(cohort_work):
    world = cohort_work
    found = bulk.latest_submissions(world.cohort)
    assert {s.id for s in found} == {world.latest.id, world.peer_submission.id}


def test_export_end_to_end_through_the_pages(client, app, cohort_work, tmp_path):
    """The admin starts it, the page and its JSON show it done, and the zip holds one PDF per
    learner (their latest version) and a manifest. Run in the request, one process."""
    world = cohort_work
    app.config.update(EXPORT_INLINE=True, EXPORT_WORKERS=1)
    login(client, world.admin)
    page = client.get("/export/cohorts")
    assert page.status_code == 200 and "Alpha cohort" in page.get_data(as_text=True)

    response = client.post("/export/cohorts", data={"cohort": world.cohort.id})
    assert response.status_code == 302
    job = db.session.scalar(db.select(BulkExport))
    assert response.headers["Location"].endswith(f"/export/jobs/{job.id}")
    db.session.refresh(job)
    assert (job.status, job.done, job.total) == (ExportStatus.DONE, 2, 2)

    page = client.get(f"/export/jobs/{job.id}").get_data(as_text=True)
    assert "Ready to download" in page and "js/export.js" in page
    assert "<script>" not in page  # no inline script (CSP)
    progress = client.get(f"/export/jobs/{job.id}.json").get_json()
    assert progress["status"] == "done" and progress["done"] == progress["total"] == 2
    assert progress["download_url"].endswith(f"/export/jobs/{job.id}/download")
    # The list of recent exports offers the zip itself, not only a link to the job's page.
    listed = client.get("/export/cohorts").get_data(as_text=True)
    assert f'href="/export/jobs/{job.id}/download">Download the zip' in listed

    download = client.get(progress["download_url"])
    assert download.status_code == 200 and download.mimetype == "application/zip"
    archive = _zip(download.get_data())
    download.close()
    names = sorted(archive.namelist())
    assert "manifest.csv" in names
    pdfs = [n for n in names if n.endswith(".pdf")]
    assert len(pdfs) == 2
    rows = list(csv.DictReader(io.StringIO(archive.read("manifest.csv").decode("utf-8-sig"))))
    by_learner = {row["learner"]: row for row in rows}
    assert by_learner[world.learner.full_name]["version"] == "2"
    assert by_learner[world.peer.full_name]["version"] == "1"
    for row in rows:
        text = pdftotext(archive.read(row["file"]), tmp_path)
        assert row["learner"] in text
        assert f"version {row['version']}" in text
    assert world.other_learner.full_name not in str(rows)


def test_only_this_centres_admin_sees_a_job(client, app, cohort_work):
    world = cohort_work
    job = bulk.create_export(world.cohort, by=world.admin)
    db.session.commit()
    for actor, status in (("other_admin", 404), ("learner", 403), ("assessor", 403)):
        login(client, world.by_role(actor))
        for path in ("", ".json", "/download"):
            assert client.get(f"/export/jobs/{job.id}{path}").status_code == status
    login(client, world.other_admin)
    response = client.post("/export/cohorts", data={"cohort": world.cohort.id})
    assert response.status_code == 422  # not one of their cohorts: not a valid choice
    assert db.session.scalar(db.select(db.func.count(BulkExport.id))) == 1


def test_download_before_it_is_done_goes_back_to_the_job(client, cohort_work):
    world = cohort_work
    job = bulk.create_export(world.cohort, by=world.admin)
    db.session.commit()
    login(client, world.admin)
    response = client.get(f"/export/jobs/{job.id}/download")
    assert response.status_code == 302 and response.headers["Location"].endswith(
        f"/export/jobs/{job.id}"
    )
    page = client.get(f"/export/jobs/{job.id}").get_data(as_text=True)
    assert "Reload to see progress" in page and "data-progress-url" in page


def test_a_failure_is_recorded(app, cohort_work, monkeypatch):
    world = cohort_work
    job = bulk.create_export(world.cohort, by=world.admin)
    db.session.commit()

    def broken(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(bulk, "_render_all", broken)
    app.config["EXPORT_WORKERS"] = 1
    job = bulk.run_export(job.id)
    assert job.status == ExportStatus.FAILED and "disk full" in job.error


def test_a_failed_export_tells_the_admin_what_to_do_in_plain_words(client, cohort_work):
    """The page and its JSON lead with a plain message and a way to start again; the stored
    exception text (for support) is only behind "Technical detail", never the headline."""
    world = cohort_work
    job = bulk.create_export(world.cohort, by=world.admin)
    job.status, job.error = ExportStatus.FAILED, "TemplateAssertionError: No filter named 'x'."
    db.session.commit()
    login(client, world.admin)
    page = client.get(f"/export/jobs/{job.id}").get_data(as_text=True)
    assert "The export stopped before it finished" in page
    assert 'href="/export/cohorts">Start the export again</a>' in page
    assert f"export {job.id} failed" in page
    headline = page.split('id="export-error"')[1].split("</p>")[0]
    assert "TemplateAssertionError" not in headline
    assert "<summary>Technical detail</summary>" in page and "TemplateAssertionError" in page
    progress = client.get(f"/export/jobs/{job.id}.json").get_json()
    assert progress["error"].startswith("The export stopped before it finished")
    assert "TemplateAssertionError" not in progress["error"]


def test_cli_exports_in_parallel_worker_processes(app, runner, cohort_work, pdf_cache):
    """`flask export cohort ID --workers 2`: two spawned processes, each with its own app,
    render into the shared cache; progress reaches the database."""
    world = cohort_work
    result = runner.invoke(args=["export", "cohort", str(world.cohort.id), "--workers", "2"])
    assert result.exit_code == 0, result.output
    assert "2 portfolios from Alpha cohort" in result.output
    job = db.session.scalar(db.select(BulkExport))
    db.session.refresh(job)
    assert (job.status, job.done, job.total, job.requested_by_id) == (ExportStatus.DONE, 2, 2, None)
    assert len(list(pdf_cache.glob("submissions/*/*.pdf"))) == 2
    assert (
        len([n for n in _zip(bulk.zip_path(job).read_bytes()).namelist() if n.endswith(".pdf")])
        == 2
    )


def test_background_thread_runs_the_job(app, cohort_work):
    world = cohort_work
    app.config["EXPORT_WORKERS"] = 1
    job = bulk.create_export(world.cohort, by=world.admin)
    db.session.commit()
    bulk.start_in_background(app, job.id).join(timeout=300)
    db.session.expire_all()
    job = db.session.get(BulkExport, job.id)
    assert job.status == ExportStatus.DONE and job.done == 2


def test_the_manifest_keeps_a_formula_in_a_name_inert(app, world, pdf_cache, tmp_path):
    """A learner's name that a spreadsheet would run (= + - @) is written as plain text."""
    world.peer.full_name = "=HYPERLINK(evil)"
    submission = builders.build_submission(world.peer, analyses=0, uploads=0)
    job = bulk.create_export(world.cohort, by=world.admin)
    db.session.commit()
    pdf = tmp_path / "rendered.pdf"
    pdf.write_bytes(b"%PDF-1.7\n")
    archive = zipfile.ZipFile(
        bulk.cache_dir() / bulk._write_zip(job, [submission], {submission.id: str(pdf)})
    )
    rows = list(csv.DictReader(io.StringIO(archive.read("manifest.csv").decode("utf-8-sig"))))
    assert [row["learner"] for row in rows if row["file"]] == ["'=HYPERLINK(evil)"]


def test_a_cohort_with_nothing_submitted_is_not_exported(client, app, world):
    login(client, world.admin)
    response = client.post("/export/cohorts", data={"cohort": world.cohort.id})
    assert response.status_code == 422
    assert "Nobody in Alpha cohort has submitted their portfolio yet" in response.text
    assert db.session.scalar(db.select(db.func.count(BulkExport.id))) == 0


def test_the_flash_and_manifest_count_properly_and_list_who_has_nothing(
    client, app, world, pdf_cache
):
    """One portfolio is "1 portfolio", and the manifest lists the learner with nothing
    submitted (the formula in their name kept inert)."""
    world.peer.full_name = "=Nothing Yet"
    builders.build_submission(world.learner, analyses=0, uploads=0)
    db.session.commit()
    app.config.update(EXPORT_INLINE=True, EXPORT_WORKERS=1)
    login(client, world.admin)
    response = client.post("/export/cohorts", data={"cohort": world.cohort.id})
    page = client.get(response.headers["Location"]).text
    assert "Exporting 1 portfolio from Alpha cohort." in page
    # The admin is told who has no PDF in the zip (the job counts only the PDFs).
    assert "Nothing submitted yet by =Nothing Yet: the zip&#39;s manifest lists them" in page
    job = db.session.scalar(db.select(BulkExport))
    download = client.get(f"/export/jobs/{job.id}/download")
    archive = _zip(download.get_data())
    download.close()
    rows = list(csv.DictReader(io.StringIO(archive.read("manifest.csv").decode("utf-8-sig"))))
    assert [(r["learner"], r["status"]) for r in rows] == [
        (world.learner.full_name, "Submitted, awaiting assessment"),
        ("'=Nothing Yet", "nothing submitted"),
    ]


@pytest.mark.parametrize(
    ("raw", "message"), [("abc", "Choose a cohort."), ("other centre", "cohorts from the list.")]
)
def test_exporting_another_centres_or_a_tampered_cohort_is_refused_plainly(
    client, world, raw, message
):
    other = create_cohort(centre=world.other_centre, name="Beta cohort")
    db.session.commit()
    login(client, world.admin)
    value = other.id if raw == "other centre" else raw
    response = client.post("/export/cohorts", data={"cohort": value})
    text = response.get_data(as_text=True)
    assert response.status_code == 422
    assert message in text
    assert "coerce" not in text and "Not a valid choice" not in text
    assert db.session.scalar(db.select(db.func.count(BulkExport.id))) == 0


def test_a_second_click_goes_to_the_export_already_under_way(client, cohort_work):
    """Starting the export again while it runs renders nothing twice: the admin is taken to
    the one under way. A stalled one (its server restarted) may be started afresh."""
    world = cohort_work
    first = bulk.create_export(world.cohort, by=world.admin)
    db.session.commit()
    login(client, world.admin)
    response = client.post("/export/cohorts", data={"cohort": world.cohort.id})
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/export/jobs/{first.id}")
    assert db.session.scalar(db.select(db.func.count(BulkExport.id))) == 1
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "is already being exported: here is its progress." in page

    first.updated_at = utcnow() - bulk.STALLED_AFTER - timedelta(minutes=1)
    db.session.commit()
    assert bulk.create_export(world.cohort, by=world.admin).id != first.id


def test_the_command_refuses_a_second_export_while_one_is_under_way(app, cohort_work):
    world = cohort_work
    first = bulk.create_export(world.cohort, by=world.admin)
    db.session.commit()
    result = app.test_cli_runner().invoke(args=["export", "cohort", str(world.cohort.id)])
    assert result.exit_code != 0
    assert f"Export {first.id} of {world.cohort.name} is already under way" in result.output


def test_a_cohort_without_learners_is_not_said_to_lack_submissions(client, world):
    empty = create_cohort(centre=world.centre, name="Empty group")
    db.session.commit()
    login(client, world.admin)
    text = client.post("/export/cohorts", data={"cohort": empty.id}).get_data(as_text=True)
    assert "Empty group has no learners yet, so there is nothing to export." in text
    text = client.post("/export/cohorts", data={"cohort": world.cohort.id}).get_data(as_text=True)
    assert "Nobody in Alpha cohort has submitted their portfolio yet" in text


def test_names_in_brief():
    from portfolio.export.bulk import names_in_brief

    assert names_in_brief(["A"]) == "A"
    assert names_in_brief(["A", "B", "C"]) == "A, B and C"
    assert names_in_brief(list("ABCDEFG")) == "A, B, C, D, E and 2 others"


def test_a_finished_export_whose_zip_has_gone_says_so(client, app, cohort_work):
    """The job page said 'Ready to download', and the download sent the admin back to it with
    'That export is not ready to download', round and round, when the zip had gone from the
    PDF store; it now says the zip is gone and to start the export again."""
    from pathlib import Path

    world = cohort_work
    app.config.update(EXPORT_INLINE=True, EXPORT_WORKERS=1)
    login(client, world.admin)
    client.post("/export/cohorts", data={"cohort": world.cohort.id})
    job = db.session.scalar(db.select(BulkExport))
    Path(app.config["PDF_CACHE_DIR"], job.path).unlink()

    response = client.get(f"/export/jobs/{job.id}/download")
    assert response.status_code == 302 and response.headers["Location"].endswith("/export/cohorts")
    page = client.get("/export/cohorts").get_data(as_text=True)
    assert "The zip of this export is no longer on the server. Start the export again" in page


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("Zoë López", "zoe-lopez"),
        ("Siobhán Ó Briain", "siobhan-o-briain"),
        ("Renée O'Neill-Smythe", "renee-o-neill-smythe"),
        ("李伟", "learner"),
    ],
)
def test_file_names_keep_accented_letters_without_their_accents(name, expected):
    """A visit's zip names each PDF after its learner: "Zoë López" read "zo-l-pez", the letter
    dropped with its accent."""
    assert bulk.slug(name) == expected
