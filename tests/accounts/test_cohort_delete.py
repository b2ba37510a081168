"""Deleting a cohort created in error: only while it has no exercises and no export under way;
its learners only leave it; its finished exports go with their zips; refusals, a missing CSRF
token and another centre change nothing."""

from datetime import date, timedelta

import pytest
import sqlalchemy as sa

from portfolio.accounts import services
from portfolio.accounts.models import Cohort, User, cohort_members
from portfolio.casework.models import Case
from portfolio.db import utcnow
from portfolio.exercises.services import create_exercise
from portfolio.export.cache import cache_dir
from portfolio.export.models import BulkExport, ExportStatus
from portfolio.extensions import db
from portfolio.library.models import LibraryScenario
from portfolio.library.services import load_bundled
from tests.conftest import login
from tests.library.conftest import bundle  # noqa: F401  (fixture)


def _count(what) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(what))


def _export(world, status=ExportStatus.DONE, *, updated=None) -> BulkExport:
    job = BulkExport(
        centre_id=world.centre.id,
        cohort_id=world.cohort.id,
        requested_by=world.admin,
        status=status,
        total=1,
        updated_at=updated or utcnow(),
    )
    db.session.add(job)
    db.session.flush()
    if status == ExportStatus.DONE:
        job.path = f"exports/cohort-{world.cohort.id}-export-{job.id}.zip"
        target = cache_dir() / job.path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(b"PK\x05\x06" + b"\x00" * 18)
    db.session.commit()
    return job


@pytest.fixture
def exercise(world, bundle):  # noqa: F811
    load_bundled(bundle)
    made = create_exercise(
        cohort=world.cohort,
        scenario=db.session.scalar(sa.select(LibraryScenario)),
        title="Week 1",
        opens_on=date.today(),
        closes_on=date.today() + timedelta(days=7),
        by=world.admin,
    )
    db.session.commit()
    return made


def test_a_cohort_goes_and_its_learners_stay(world):
    other = services.create_cohort(centre=world.centre, name="Kept")
    services.set_cohort_members(other, learners=[world.learner])
    users = _count(User)
    deletion = services.cohort_deletion(world.cohort)
    assert deletion.allowed and deletion.members == 2 and deletion.exercises == []
    assert services.delete_cohort(world.cohort, by=world.admin) == []
    db.session.commit()
    assert db.session.scalars(sa.select(Cohort.name)).all() == ["Kept"]
    assert _count(User) == users and world.learner.active
    assert db.session.execute(sa.select(cohort_members)).all() == [(other.id, world.learner.id)]


def test_a_cohort_with_an_exercise_is_refused_naming_it(world, exercise):
    with pytest.raises(services.CohortInUse, match="while it has an exercise: “Week 1”") as one:
        services.delete_cohort(world.cohort, by=world.admin)
    assert "Delete that exercise first, from its page, then delete the cohort" in one.value.message
    db.session.rollback()
    create_exercise(
        cohort=world.cohort,
        scenario=exercise.scenario,
        title="Week 2",
        opens_on=date.today(),
        closes_on=date.today() + timedelta(days=7),
        by=world.admin,
    )
    with pytest.raises(services.CohortInUse, match="exercises: “Week 1”, “Week 2”. Delete those"):
        services.delete_cohort(world.cohort, by=world.admin)
    db.session.rollback()
    assert _count(Cohort) == 1 and _count(cohort_members) == 2


def test_finished_exports_go_with_their_zips_and_one_under_way_refuses(world):
    done = _export(world)
    zipped = cache_dir() / done.path
    running = _export(world, ExportStatus.RUNNING)
    with pytest.raises(services.CohortInUse, match="An export of Alpha cohort is under way") as e:
        services.delete_cohort(world.cohort, by=world.admin)
    assert "see the Exports page" in e.value.message  # as the menu names it
    db.session.rollback()
    # A stalled one (its server was lost) does not stand in the way.
    running.updated_at = utcnow() - timedelta(hours=1)
    db.session.commit()
    assert services.cohort_deletion(world.cohort).exports == 2
    zips = services.delete_cohort(world.cohort, by=world.admin)
    db.session.commit()
    services.discard_export_zips(zips)
    assert _count(BulkExport) == 0 and _count(Cohort) == 0 and not zipped.exists()


def test_another_centres_admin_cannot_delete_it(world):
    with pytest.raises(services.AccountError, match="your own centre"):
        services.delete_cohort(world.cohort, by=world.other_admin)
    db.session.rollback()
    assert _count(Cohort) == 1


def test_the_confirmation_page_then_the_delete(client, world):
    zipped = cache_dir() / _export(world).path
    login(client, world.admin)
    form = client.get(f"/centre/cohorts/{world.cohort.id}").text
    assert f'href="/centre/cohorts/{world.cohort.id}/delete"' in form
    page = client.get(f"/centre/cohorts/{world.cohort.id}/delete").text
    assert "Its 2 learners only leave it" in page and "Its 1 bulk export goes too" in page
    assert _count(Cohort) == 1  # the GET changes nothing
    response = client.post(f"/centre/cohorts/{world.cohort.id}/delete")
    assert response.headers["Location"] == "/centre/cohorts"
    listed = client.get("/centre/cohorts").text
    assert "Deleted the cohort Alpha cohort." in listed
    assert _count(Cohort) == 0 and _count(cohort_members) == 0 and _count(BulkExport) == 0
    assert not zipped.exists()
    assert "Alpha cohort" not in client.get("/export/cohorts").text
    assert client.get(f"/centre/cohorts/{world.cohort.id}/delete").status_code == 404


def test_a_cohort_with_exercises_shows_why_and_links_them(client, world, exercise):
    login(client, world.admin)
    page = client.get(f"/centre/cohorts/{world.cohort.id}/delete").text
    assert "cannot be deleted while it has an exercise: “Week 1”" in page
    assert f'href="/exercises/{exercise.id}/delete"' in page
    assert f'action="/centre/cohorts/{world.cohort.id}/delete"' not in page
    response = client.post(f"/centre/cohorts/{world.cohort.id}/delete")
    assert response.headers["Location"] == f"/centre/cohorts/{world.cohort.id}/delete"
    assert "cannot be deleted" in client.get(response.headers["Location"]).text
    assert _count(Cohort) == 1 and _count(cohort_members) == 2 and _count(Case) == 0


def test_without_the_csrf_token_nothing_is_deleted(app, client, world):
    login(client, world.admin)
    app.config["WTF_CSRF_ENABLED"] = True
    assert client.post(f"/centre/cohorts/{world.cohort.id}/delete").status_code == 400
    assert _count(Cohort) == 1 and _count(cohort_members) == 2


@pytest.mark.parametrize(("actor", "status"), [("other_admin", 404), ("assessor", 403)])
def test_others_cannot_delete_it(client, world, actor, status):
    login(client, world.by_role(actor))
    assert client.get(f"/centre/cohorts/{world.cohort.id}/delete").status_code == status
    assert client.post(f"/centre/cohorts/{world.cohort.id}/delete").status_code == status
    assert _count(Cohort) == 1 and _count(cohort_members) == 2


def test_an_exercise_set_during_the_delete_keeps_the_cohort(client, world, exercise, monkeypatch):
    """The check passed, then an exercise was set before the delete reached the database:
    the foreign key refuses it, and the admin is told why rather than shown a 500."""
    real = services.cohort_deletion
    calls = iter([services.CohortDeletion(2, [], False, 0)])
    monkeypatch.setattr(services, "cohort_deletion", lambda c: next(calls, None) or real(c))
    login(client, world.admin)
    response = client.post(f"/centre/cohorts/{world.cohort.id}/delete")
    assert response.headers["Location"] == f"/centre/cohorts/{world.cohort.id}/delete"
    assert "while it has an exercise: “Week 1”" in client.get(response.headers["Location"]).text
    assert _count(Cohort) == 1 and _count(cohort_members) == 2
