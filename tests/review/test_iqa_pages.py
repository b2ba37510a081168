"""The assessor's and IQA's pages around a sampled assessment: links back to the assessment,
notices, verdict errors, standardisation and sampling rules."""

import pytest
import sqlalchemy as sa

from portfolio.evidence.models import SubmissionStatus
from portfolio.extensions import db
from portfolio.review import iqa
from portfolio.review.models import (
    Assessment,
    AssessmentKind,
    AssessmentStatus,
    Notification,
    Sample,
)
from portfolio.roles import Role
from tests.conftest import login
from tests.iqa.builders import C, N, assess, completed_review, make_plan
from tests.iqa.conftest import signed_off, unit  # noqa: F401  (fixtures)


@pytest.fixture
def sample(world, signed_off, unit):  # noqa: F811
    """world.learner's returned assessment (decided C, C, N) sampled by world.iqa; committed."""
    _, criteria = unit
    assessment = signed_off(
        learner=world.learner,
        status=AssessmentStatus.RETURNED,
        decisions={criteria[0]: C, criteria[1]: C, criteria[2]: N},
    )
    assessment.submission.status = SubmissionStatus.RETURNED
    [sample] = iqa.generate_sample(make_plan(world))
    db.session.commit()
    return sample


def test_the_response_page_and_the_caseload_link_to_the_completed_assessment(
    client,
    world,
    sample,
    unit,  # noqa: F811
):
    _, criteria = unit
    review = completed_review(world, sample, criteria)
    bench = f"/assess/submissions/{sample.assessment.submission_id}"
    login(client, world.assessor)
    assert f'href="{bench}"' in client.get(f"/iqa/reviews/{review.id}/respond").text
    caseload = client.get("/assess/caseload").text
    assert f'href="{bench}"' in caseload and "Version 1 returned" in caseload
    page = client.get(bench)
    assert page.status_code == 200 and "Correct the decision on 1.2" in page.text


@pytest.mark.parametrize(
    ("disagree", "said"),
    [(("1.2",), "disagrees on 1 criterion."), (("1.1", "1.2"), "disagrees on 2 criteria.")],
)
def test_the_verdict_notice_says_criterion_or_criteria(world, sample, unit, disagree, said):  # noqa: F811
    _, criteria = unit
    completed_review(world, sample, criteria, disagree=disagree)
    [notice] = db.session.scalars(
        sa.select(Notification).where(
            Notification.user_id == world.assessor.id, Notification.kind == "iqa_verdict"
        )
    )
    assert said in notice.message and "criteriona" not in notice.message


def test_disagreeing_without_feedback_names_every_criterion(client, world, sample, unit):  # noqa: F811
    _, criteria = unit
    data = {"version": "", "overall_feedback": "", "actions": "Re-mark them."}
    for c in criteria:
        data[f"verdict_{c.id}"] = "disagree"
        data[f"feedback_{c.id}"] = ""
    login(client, world.iqa)
    page = client.post(f"/iqa/samples/{sample.id}", data=data)
    assert page.status_code == 422
    assert "Say why you disagree with the decision on 1.1, 1.2, 2.1" in page.text
    assert db.session.get(Sample, sample.id).review is None


def test_the_standardisation_form_does_not_offer_the_learners_own_assessor(
    client,
    world,
    signed_off,  # noqa: F811
    make_user,
):
    primary = signed_off(learner=world.learner)
    colleague = make_user(Role.ASSESSOR, world.centre, full_name="Cara Colleague")
    db.session.commit()
    login(client, world.iqa)
    first = client.get("/iqa/standardisation/new")
    assert first.status_code == 200 and 'method="get"' in first.text
    page = client.get(f"/iqa/standardisation/new?submission={primary.submission_id}")
    assert page.status_code == 200
    assert f'value="{colleague.id}"' in page.text
    assert f'value="{world.assessor.id}"' not in page.text
    # and a tampered form naming them is still refused, with nothing started
    refused = client.post(
        "/iqa/standardisation/new",
        data={"submission": primary.submission_id, "assessors": [world.assessor.id]},
    )
    assert refused.status_code == 422
    assert db.session.scalar(sa.select(sa.func.count(Assessment.id))) == 1
    for junk in ("abc", "999999", "-1", "1" * 40):
        assert client.get(f"/iqa/standardisation/new?submission={junk}").status_code == 200


def test_an_assessment_reviewed_in_one_plan_is_not_sampled_again_by_another(
    world,
    signed_off,  # noqa: F811
    unit,  # noqa: F811
):
    _, criteria = unit
    assessment = signed_off(learner=world.learner)
    [interim] = iqa.generate_sample(make_plan(world))
    completed_review(world, interim, criteria)
    told = db.session.scalar(sa.select(sa.func.count(Notification.id)))
    summative = make_plan(world, name="Summative", stage="summative")
    assert iqa.generate_sample(summative) == []
    assert (
        db.session.scalar(
            sa.select(sa.func.count(Sample.id)).where(Sample.assessment_id == assessment.id)
        )
        == 1
    )
    assert db.session.scalar(sa.select(sa.func.count(Notification.id))) == told
    # a new assessment is still sampled by the summative plan
    fresh = signed_off()
    assert [s.assessment_id for s in iqa.generate_sample(summative)] == [fresh.id]


def test_the_invited_assessor_sees_standardisation_on_dashboard_and_queue(
    client,
    world,
    signed_off,  # noqa: F811
    make_user,
):
    primary = signed_off(learner=world.learner)
    colleague = make_user(Role.ASSESSOR, world.centre, full_name="Cara Colleague")
    iqa.start_standardisation(primary.submission, assessors=[colleague], by=world.iqa)
    db.session.commit()
    bench = f'href="/assess/submissions/{primary.submission_id}"'
    login(client, colleague)
    for url in ("/dashboard", "/assess/"):
        page = client.get(url).text
        assert "Standardisation to mark" in page and bench in page
        assert f"{world.learner.full_name}, version 1" in page or world.learner.full_name in page
    login(client, world.assessor)  # the learner's own assessor was not asked
    assert "Standardisation to mark" not in client.get("/dashboard").text


def test_the_bench_log_labels_standardisation_and_details_iqa_entries(
    client,
    world,
    sample,
    unit,  # noqa: F811
    make_user,
):
    _, criteria = unit
    submission = sample.assessment.submission
    colleague = make_user(Role.ASSESSOR, world.centre, full_name="Cara Colleague")
    assess(
        submission,
        colleague,
        {c: C for c in criteria},
        status=AssessmentStatus.COMPLETED,
        kind=AssessmentKind.STANDARDISATION,
    )
    review = completed_review(world, sample, criteria, disagree=("1.2",))
    iqa.respond(review, by=world.assessor, response="I will re-mark 1.2 with the ombudsman rule.")
    db.session.commit()
    login(client, world.assessor)
    page = client.get(f"/assess/submissions/{submission.id}").text
    log = page[page.index('id="log-title"') :]
    assert log.count("<td>standardisation decision</td>") == 3
    assert "<td>standardisation finished</td>" in log
    assert log.count("<td>decision</td>") == 3  # the learner's own assessor's decisions
    assert "<td>IQA verdict</td>" in log and "Disagrees on 1.2 (agrees on 2)" in log
    assert "I will re-mark 1.2 with the ombudsman rule." in log


def test_a_correction_in_the_log_says_what_it_changed(client, world, sample, unit):  # noqa: F811
    """A correction's log row read '2.1: Competent' like any decision, not what it changed."""
    from portfolio.review import services as review_services

    _, criteria = unit
    review_services.correct_decision(
        sample.assessment,
        criteria[2],
        decision="competent",
        feedback="",
        reason="Read the second letter.",
        by=world.assessor,
    )
    db.session.commit()
    login(client, world.iqa)
    page = client.get(f"/iqa/samples/{sample.id}").text
    log = page[page.index('id="log-title"') :]
    assert "<td>correction</td>" in log
    assert "2.1: Not yet competent corrected to Competent" in log


def test_the_bench_and_caseload_tell_the_assessor_while_an_iqa_samples_their_marking(
    client,
    world,
    sample,
    unit,  # noqa: F811
):
    _, criteria = unit
    bench = f"/assess/submissions/{sample.assessment.submission_id}"
    sampled_on = f"Sampled by {world.iqa.full_name} for internal quality assurance on"
    login(client, world.assessor)
    page = client.get(bench).text
    assert sampled_on in page and "review not started yet" in page
    caseload = client.get("/assess/caseload").text
    assert "Sampled for internal quality assurance: review not started yet" in caseload
    assert "review in progress" not in caseload  # as the bench says: not started

    iqa.start_review(sample, by=world.iqa)
    db.session.commit()
    page = client.get(bench).text
    assert sampled_on in page and "review in progress. Your decisions stand meanwhile" in page
    caseload = client.get("/assess/caseload").text
    assert "Sampled for internal quality assurance: review in progress" in caseload
    assert "not started" not in caseload

    review = completed_review(world, sample, criteria)
    page = client.get(bench).text
    assert "review in progress" not in page and "review completed on" in page
    assert f'href="/iqa/reviews/{review.id}/respond">Read the IQA\'s review and respond' in page
    assert "review in progress" not in client.get("/assess/caseload").text
    iqa.respond(review, by=world.assessor, response="Re-marked 1.2 as asked.")
    db.session.commit()
    page = client.get(bench).text
    assert "and you have responded" in page and "Read the IQA's review</a>" in page


def test_an_unsampled_marking_says_nothing_of_iqa(client, world, signed_off):  # noqa: F811
    assessment = signed_off(learner=world.learner)
    db.session.commit()
    login(client, world.assessor)
    page = client.get(f"/assess/submissions/{assessment.submission_id}").text
    assert "Correct the decision on" in page  # the completed marking's bench
    assert "internal quality assurance" not in page
    assert "internal quality assurance" not in client.get("/assess/caseload").text
