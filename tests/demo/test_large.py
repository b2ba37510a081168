"""The large demo generator at a tiny scale: every row points at a row that exists, the
decision log chains, cases have ordered trails, submissions carry valid snapshots, marking is
complete, the pages render on it, and a second run changes nothing."""

import pytest
import sqlalchemy as sa

from portfolio.accounts.models import Centre, User
from portfolio.casework.models import Case, TrailEvent
from portfolio.demo import state
from portfolio.demo.large import LARGE_CENTRE, Sizes, build_large_centre
from portfolio.evidence.models import Submission, SubmissionStatus
from portfolio.evidence.snapshot import snapshot_hash
from portfolio.extensions import db
from portfolio.framework.models import Criterion
from portfolio.review import log
from portfolio.review.models import Assessment, AssessmentStatus, CriterionDecision, Decision
from portfolio.roles import Role
from tests.conftest import login

SCALE = 0.004  # 12 learners, 2 assessors, 1 IQA, 3 admins, 2 cohorts


@pytest.fixture
def report(app, monkeypatch):
    # Write the queue at every chance (the full-size run waits for 40,000 rows), so that a
    # row queued before its parent would break a foreign key here too.
    monkeypatch.setattr(state, "FLUSH_AT", 1)
    result = build_large_centre(scale=SCALE, password="correct horse battery")
    db.session.commit()
    return result


def _dangling(table: sa.Table) -> list[str]:
    """Foreign keys of `table` whose value names no row."""
    problems = []
    for fk in table.foreign_keys:
        referred = fk.column.table.alias()  # an alias: users point at users
        column, target = fk.parent, referred.c[fk.column.name]
        missing = db.session.scalar(
            sa.select(sa.func.count())
            .select_from(table.outerjoin(referred, column == target))
            .where(column.is_not(None), target.is_(None))
        )
        if missing:
            problems.append(f"{table.name}.{column.name}: {missing}")
    return problems


def test_generated_centre_is_whole_and_consistent(report):
    sizes = Sizes.scaled(SCALE)
    centre = db.session.scalar(sa.select(Centre).where(Centre.name == LARGE_CENTRE))
    roles = dict(
        db.session.execute(
            sa.select(User.role, sa.func.count())
            .where(User.centre_id == centre.id)
            .group_by(User.role)
        ).all()
    )
    assert roles == {
        Role.LEARNER: sizes.learners,
        Role.ASSESSOR: sizes.assessors,
        Role.IQA: sizes.iqas,
        Role.CENTRE_ADMIN: sizes.admins,
    }
    assert all(report.counts[t] > 0 for t in ("trail_events", "submissions", "decision_log"))

    assert [p for t in db.metadata.sorted_tables for p in _dangling(t)] == []
    assert log.verify().ok

    # Every case's trail: as long as the case says, numbered 1..n, opened first, the clock
    # never running backwards, and at least five entries.
    trails = {}
    for case_id, seq, kind, hours in db.session.execute(
        sa.select(
            TrailEvent.case_id, TrailEvent.seq, TrailEvent.kind, TrailEvent.sim_hours
        ).order_by(TrailEvent.case_id, TrailEvent.seq)
    ):
        trails.setdefault(case_id, []).append((seq, kind, hours))
    for case in db.session.scalars(sa.select(Case)):
        trail = trails[case.id]
        assert [s for s, _, _ in trail] == list(range(1, case.trail_count + 1))
        assert trail[0][1] == "case_started" and len(trail) >= 5
        assert [h for _, _, h in trail] == sorted(h for _, _, h in trail) and trail[-1][
            2
        ] == case.hours

    # Snapshots: the shape build_snapshot makes, mapped evidence, and a hash that matches.
    for submission in db.session.scalars(sa.select(Submission)):
        snap = submission.snapshot
        assert snap["format"] == 1 and snap["number"] == submission.number
        assert snap["items"] and any(i["mappings"] for i in snap["items"])
        assert snapshot_hash(snap) == submission.snapshot_hash

    # Completed marking decides every criterion; a sign-off only when all are competent.
    criteria = db.session.scalar(sa.select(sa.func.count(Criterion.id)))
    for assessment in db.session.scalars(
        sa.select(Assessment).where(Assessment.status != AssessmentStatus.IN_PROGRESS)
    ):
        decisions = db.session.scalars(
            sa.select(CriterionDecision.decision).where(
                CriterionDecision.assessment_id == assessment.id
            )
        ).all()
        assert len(decisions) == criteria
        signed = assessment.status == AssessmentStatus.SIGNED_OFF
        assert signed == all(d == Decision.COMPETENT for d in decisions)
        assert assessment.submission.status == SubmissionStatus(assessment.status.value)


def test_pages_render_on_generated_data(report, client):
    submission = db.session.scalar(sa.select(Submission).order_by(Submission.id))
    learner = submission.portfolio.learner
    case = db.session.scalar(sa.select(Case).where(Case.learner_id == learner.id))
    login(client, learner)
    for path in (
        "/dashboard",
        f"/cases/{case.id}",
        f"/cases/{case.id}/log",
        f"/portfolio/{submission.portfolio_id}",
        f"/portfolio/submissions/{submission.id}",
    ):
        assert client.get(path).status_code == 200, path


def test_a_second_run_changes_nothing(report):
    users = db.session.scalar(sa.select(sa.func.count(User.id)))
    assert build_large_centre(scale=SCALE) is None
    assert db.session.scalar(sa.select(sa.func.count(User.id))) == users


def test_no_generated_competent_lacks_evidence(report):
    """Competent needs evidence: every Competent decision's criterion is mapped in the
    snapshot of the version it judges, and a signed-off version maps every criterion."""
    refs = {c.id: c.ref for c in db.session.scalars(sa.select(Criterion))}
    rows = db.session.execute(
        sa.select(CriterionDecision.criterion_id, Submission.snapshot)
        .join(Assessment, Assessment.id == CriterionDecision.assessment_id)
        .join(Submission, Submission.id == Assessment.submission_id)
        .where(CriterionDecision.decision == Decision.COMPETENT)
    ).all()
    assert rows
    for criterion_id, snapshot in rows:
        mapped = {m["ref"] for item in snapshot["items"] for m in item["mappings"]}
        assert refs[criterion_id] in mapped
