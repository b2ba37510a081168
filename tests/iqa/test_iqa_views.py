"""IQA pages: plans, the read-only sampled assessment and its verdict form, the assessor's
response, standardisation; tampered forms change nothing; other centres find nothing; the plan
page's query count holds as the sample grows."""

import re

import pytest
import sqlalchemy as sa

from portfolio.extensions import db
from portfolio.notifications.services import notify
from portfolio.review import iqa, log
from portfolio.review.models import (
    Assessment,
    AssessmentKind,
    AssessmentStatus,
    CriterionDecision,
    DecisionLogEntry,
    IqaReview,
    IqaReviewStatus,
    IqaVerdict,
    Sample,
    SamplingPlan,
)
from portfolio.roles import Role
from tests.conftest import login
from tests.iqa.builders import C, N, all_competent, assess, completed_review, make_plan, submit


@pytest.fixture
def sample(world, signed_off, unit):
    """world.learner's assessment (decided C, C, N) sampled by world.iqa's plan; committed."""
    _, criteria = unit
    signed_off(
        learner=world.learner,
        status=AssessmentStatus.RETURNED,
        decisions={criteria[0]: C, criteria[1]: C, criteria[2]: N},
    )
    [sample] = iqa.generate_sample(make_plan(world))
    db.session.commit()
    return sample


def test_the_sample_shows_each_criterions_evidence_kind_and_a_simulation_only_competence(
    client, world, sample, unit
):
    """The IQA saw only titles beside each decision: not that a competence criterion was
    judged on simulated evidence alone, which awarding bodies restrict."""
    login(client, world.iqa)
    page = client.get(f"/iqa/samples/{sample.id}").text
    _, criteria = unit
    rows = {
        c.ref: page[page.index(f"<h3>{c.ref} {c.text}</h3>") :].split("</h3>", 1)[1][:1500]
        for c in criteria
    }
    for ref in ("1.1", "1.2", "2.1"):
        assert 'class="tag tag-sim">Simulated</span>' in rows[ref].split("Assessor")[0]
    note = "Simulated evidence only."
    # 1.1 and 1.2 belong to a competence outcome; 2.1 to the knowledge outcome.
    assert note in rows["1.1"] and note in rows["1.2"] and note not in rows["2.1"]


def decisions_now(assessment_id):
    db.session.expire_all()
    return [
        (d.criterion_id, d.decision, d.feedback, d.updated_at)
        for d in db.session.scalars(
            sa.select(CriterionDecision)
            .where(CriterionDecision.assessment_id == assessment_id)
            .order_by(CriterionDecision.id)
        )
    ]


def verdict_form(criteria, *, version="", disagree=(), actions="", **extra):
    data = {"version": str(version), "overall_feedback": "", "actions": actions}
    for c in criteria:
        data[f"verdict_{c.id}"] = "disagree" if c.ref in disagree else "agree"
        data[f"feedback_{c.id}"] = "Too thin." if c.ref in disagree else ""
    return data | extra


# --- plans ----------------------------------------------------------------------------------


def test_the_iqa_makes_a_plan(client, world):
    login(client, world.iqa)
    page = client.get("/iqa/")
    assert page.status_code == 200 and "Make a sampling plan" in page.text
    bad = client.post("/iqa/", data={"name": "P", "stage": "interim", "share_pct": "0"})
    assert bad.status_code == 422 and "Enter a whole number from 1 to 100" in bad.text
    # typed in the number box as a fraction or text: the field's own words, not WTForms'
    for typed in ("20.5", "twenty"):
        bad = client.post("/iqa/", data={"name": "P", "stage": "interim", "share_pct": typed})
        assert bad.status_code == 422 and "Enter a whole number from 1 to 100" in bad.text
        assert "Not a valid integer value" not in bad.text
        # said once: the range check also ran on the unread number and said it again
        assert bad.text.count("Enter a whole number from 1 to 100.") == 2  # summary, field
    bad = client.post("/iqa/", data={"name": "P", "stage": "weekly", "share_pct": "20"})
    assert bad.status_code == 422
    assert db.session.scalar(sa.select(sa.func.count(SamplingPlan.id))) == 0
    ok = client.post(
        "/iqa/",
        data={
            "name": "Spring interim",
            "stage": "interim",
            "share_pct": "25",
            "each_scenario": "y",
        },
    )
    plan = db.session.scalar(sa.select(SamplingPlan))
    assert ok.status_code == 302 and ok.headers["Location"] == f"/iqa/plans/{plan.id}"
    assert (plan.share_pct, plan.all_new_assessors, plan.each_scenario) == (25, False, True)
    listed = client.get("/iqa/").text
    assert "Spring" in listed
    # The count of samples whose review is not complete was headed just 'Open'.
    assert '<th scope="col" class="num">Still to review</th>' in listed


def test_generating_the_sample(client, world, signed_off):
    for _ in range(3):
        signed_off()
    plan = make_plan(world, share_pct=50)
    db.session.commit()
    login(client, world.iqa)
    response = client.post(f"/iqa/plans/{plan.id}/generate", follow_redirects=True)
    assert "Added 2 assessments to the sample." in response.text
    assert response.text.count("<td>50% of ") == 2
    again = client.post(f"/iqa/plans/{plan.id}/generate", follow_redirects=True)
    assert "The sample is up to date" in again.text


def test_a_plan_page_past_the_end_shows_no_empty_table(client, world, signed_off):
    """?page=9 of a one-page sample showed the table's headings over no rows."""
    signed_off()
    plan = make_plan(world, share_pct=100)
    iqa.generate_sample(plan)
    db.session.commit()
    login(client, world.iqa)
    page = client.get(f"/iqa/plans/{plan.id}?page=9").text
    assert "Sampled assessments</caption>" not in page and "Nothing sampled yet" not in page
    assert "There is no page 9: the last page is 1." in page
    assert "Sampled assessments</caption>" in client.get(f"/iqa/plans/{plan.id}").text


def test_generating_says_why_nothing_was_added(client, world, signed_off, unit):
    """A summative plan whose only signed-off assessment was reviewed under an interim plan
    said 'up to date: no assessment completed since' beside 'Nothing sampled yet'."""
    _, criteria = unit
    summative = make_plan(world, name="Summative", stage="summative")
    db.session.commit()
    login(client, world.iqa)
    empty = client.post(f"/iqa/plans/{summative.id}/generate", follow_redirects=True)
    assert "none of your learners has a signed-off assessment" in empty.text
    signed_off()
    [interim_sample] = iqa.generate_sample(make_plan(world))
    completed_review(world, interim_sample, criteria)
    again = client.post(f"/iqa/plans/{summative.id}/generate", follow_redirects=True)
    assert "1 signed-off assessment is already sampled in another plan" in again.text


# --- the sampled assessment -----------------------------------------------------------------


def test_the_sampled_assessment_opens_read_only_beside_the_evidence(client, world, sample):
    login(client, world.iqa)
    page = client.get(f"/iqa/samples/{sample.id}")
    assert page.status_code == 200
    assert "Read-only" in page.text and "Assessor's decision: <strong>Not yet competent" in (
        page.text
    )
    assert "Reflective account (Fibrelink billing)" in page.text  # the submitted evidence
    assert "What I learned from the case." in page.text
    assert not re.search(r'name="decision', page.text)  # nothing to change a decision with
    assert 'name="verdict_' in page.text
    assert db.session.scalar(sa.select(sa.func.count(IqaReview.id))) == 0  # GET writes nothing


def test_the_iqa_disagrees_and_completes(client, world, sample, unit):
    _, criteria = unit
    assessment_id = sample.assessment_id
    before = decisions_now(assessment_id)
    login(client, world.iqa)
    saved = client.post(f"/iqa/samples/{sample.id}", data=verdict_form(criteria[:2]))
    assert saved.status_code == 302
    # the flash says what is left (it said "when every criterion has one" after every save)
    left = client.get(saved.headers["Location"]).text
    assert "Your verdicts are saved. Still without a verdict: 2.1." in left
    review = db.session.scalar(sa.select(IqaReview))
    assert review.status == IqaReviewStatus.IN_PROGRESS and len(review.verdicts) == 2
    client.post(
        f"/iqa/samples/{sample.id}", data=verdict_form(criteria[2:], version=review.version)
    )
    assert "Every criterion has one: you can complete the review." in (
        client.get(f"/iqa/samples/{sample.id}").text
    )
    db.session.expire_all()
    refused = client.post(
        f"/iqa/samples/{sample.id}/complete",
        data=verdict_form(criteria, version=review.version, disagree=["1.2"]),
    )
    assert refused.status_code == 422 and "set out the actions" in refused.text
    assert "Too thin." in refused.text  # what was typed is shown again
    done = client.post(
        f"/iqa/samples/{sample.id}/complete",
        data=verdict_form(
            criteria, version=review.version, disagree=["1.2"], actions="Re-mark 1.2."
        ),
    )
    assert done.status_code == 302
    db.session.expire_all()
    assert review.status == IqaReviewStatus.COMPLETED
    assert db.session.scalar(
        sa.select(sa.func.count(DecisionLogEntry.id)).where(DecisionLogEntry.kind == "iqa_verdict")
    )
    assert log.verify().ok
    assert decisions_now(assessment_id) == before
    page = client.get(f"/iqa/samples/{sample.id}")
    assert "Review complete" in page.text and 'name="verdict_' not in page.text


@pytest.mark.parametrize("endpoint", ["", "/complete"])
def test_posting_decision_fields_changes_no_decision(client, world, sample, unit, endpoint):
    _, criteria = unit
    assessment_id = sample.assessment_id
    before = decisions_now(assessment_id)
    tamper = {}
    for c in criteria:
        tamper |= {
            f"decision_{c.id}": "not_yet",
            f"criterion_{c.id}": "not_yet",
            f"decisions-{c.id}-decision": "not_yet",
        }
    tamper |= {"status": "in_progress", "overall_feedback": "IQA wrote this"}
    login(client, world.iqa)
    response = client.post(
        f"/iqa/samples/{sample.id}{endpoint}",
        data=verdict_form(criteria, actions="Do better.", **tamper),
    )
    assert response.status_code == 302
    assert decisions_now(assessment_id) == before
    assessment = db.session.get(Assessment, assessment_id)
    assert assessment.status == AssessmentStatus.RETURNED
    assert assessment.overall_feedback == "Well argued."


def test_tampered_verdicts_change_nothing(client, world, sample, unit):
    _, criteria = unit
    login(client, world.iqa)
    for data, message in (
        ({"verdict_abc": "agree"}, "not filled in as expected"),
        ({"verdict_²": "agree"}, "not filled in as expected"),
        ({"verdict_" + "9" * 30: "agree"}, "not filled in as expected"),
        ({f"verdict_{criteria[0].id}": "maybe"}, "not filled in as expected"),
        ({"verdict_999999": "agree"}, "does not belong to this unit"),
    ):
        response = client.post(f"/iqa/samples/{sample.id}", data=data)
        assert response.status_code == 422 and message in response.text
    assert db.session.scalar(sa.select(sa.func.count(IqaVerdict.id))) == 0
    assert db.session.scalar(sa.select(sa.func.count(IqaReview.id))) == 0


def test_a_stale_save_is_refused(client, world, sample, unit):
    _, criteria = unit
    login(client, world.iqa)
    client.post(f"/iqa/samples/{sample.id}", data=verdict_form(criteria))
    review = db.session.scalar(sa.select(IqaReview))
    old = review.version
    client.post(f"/iqa/samples/{sample.id}", data=verdict_form(criteria, version=old))
    stale = client.post(
        f"/iqa/samples/{sample.id}",
        data=verdict_form(criteria, version=old, disagree=["1.1"]),
    )
    assert stale.status_code == 422 and "saved in another tab or device" in stale.text
    # A page that showed no review yet, posted after another tab started one: stale too.
    fresh = client.post(f"/iqa/samples/{sample.id}", data=verdict_form(criteria, version=""))
    assert fresh.status_code == 422 and "saved in another tab or device" in fresh.text
    db.session.expire_all()
    assert all(v.agree for v in review.verdicts)


def test_who_sees_a_sample(client, world, sample, make_user):
    other_iqa = make_user(Role.IQA, world.centre)
    elsewhere = make_user(Role.IQA, world.other_centre)
    db.session.commit()
    plan_id = sample.plan_id
    for user, status in (
        (other_iqa, 404),
        (elsewhere, 404),
        (world.assessor, 403),
        (world.learner, 403),
        (world.admin, 403),
        (world.other_admin, 403),
    ):
        login(client, user)
        for url in (f"/iqa/plans/{plan_id}", f"/iqa/samples/{sample.id}"):
            assert client.get(url).status_code == status, (user, url)
        assert client.post(f"/iqa/samples/{sample.id}/complete").status_code == status
    # Another centre's IQA finds neither the plan nor the sample, nor lists them.
    login(client, elsewhere)
    assert "Spring interim" not in client.get("/iqa/").text


def test_plan_page_query_count_holds_as_samples_grow(client, world, signed_off, count_queries):
    for _ in range(2):
        signed_off()
    plan = make_plan(world)
    iqa.generate_sample(plan)
    db.session.commit()
    login(client, world.iqa)
    client.get(f"/iqa/plans/{plan.id}")
    with count_queries() as few:
        assert client.get(f"/iqa/plans/{plan.id}").status_code == 200
    for _ in range(6):
        signed_off()
    added = iqa.generate_sample(plan)
    review = iqa.start_review(added[0], by=world.iqa)
    assert review
    make_plan(world, name="Another")
    db.session.commit()
    with count_queries() as many:
        page = client.get(f"/iqa/plans/{plan.id}")
    assert page.text.count("<td>100% of ") == 8
    assert len(many) == len(few), "\n".join(many)
    with count_queries() as listing:
        client.get("/iqa/")
    for n in range(3):
        make_plan(world, name=f"More {n}")
    db.session.commit()
    with count_queries() as more:
        client.get("/iqa/")
    assert len(more) == len(listing)


# --- the assessor's response ----------------------------------------------------------------


def test_the_assessor_reads_the_verdicts_and_responds(client, world, sample, unit, make_user):
    _, criteria = unit
    review = completed_review(world, sample, criteria)
    url = f"/iqa/reviews/{review.id}/respond"
    login(client, world.assessor)
    dashboard = client.get("/dashboard")
    assert "IQA reviews awaiting your response" in dashboard.text and url in dashboard.text
    # The dashboard says whether the IQA disagreed, as the notice does (one statement still).
    assert "<strong>disagrees on 1 criterion</strong>" in dashboard.text
    page = client.get(url)
    assert page.status_code == 200
    # a way back to the dashboard's list of reviews awaiting a response (it had none)
    assert '<a href="/dashboard">Back to your dashboard</a>' in page.text
    assert "Re-mark 1.2 with the ombudsman rule in mind." in page.text
    assert "<strong>Disagree</strong>" in page.text
    empty = client.post(url, data={"response": "  "})
    assert empty.status_code == 422 and "Write your response" in empty.text
    ok = client.post(url, data={"response": "Agreed; I have re-read the rule."})
    assert ok.status_code == 302
    db.session.expire_all()
    assert review.status == IqaReviewStatus.RESPONDED
    again = client.post(url, data={"response": "Again"})
    # refused with a reason, not a silent re-display of the first response
    assert again.status_code == 409 and "You have already responded to this review" in again.text
    assert review.assessor_response == "Agreed; I have re-read the rule."
    # The IQA sees the response on the sample page; the respond URL leads them there.
    login(client, world.iqa)
    assert client.get(url).headers["Location"] == f"/iqa/samples/{sample.id}"
    assert "Agreed; I have re-read the rule." in client.get(f"/iqa/samples/{sample.id}").text


def test_only_the_sampled_assessor_reaches_the_response_page(
    client, world, sample, unit, make_user
):
    _, criteria = unit
    review = iqa.start_review(sample, by=world.iqa)
    db.session.commit()
    url = f"/iqa/reviews/{review.id}/respond"
    login(client, world.assessor)
    assert client.get(url).status_code == 404  # not until the IQA completes it
    completed_review(world, sample, criteria)
    colleague = make_user(Role.ASSESSOR, world.centre)
    db.session.commit()
    for user in (colleague, world.learner, world.admin, world.other_assessor, world.site_admin):
        login(client, user)
        assert client.get(url).status_code == 404
        assert client.post(url, data={"response": "Hijack"}).status_code == 404
    assert db.session.get(IqaReview, review.id).assessor_response == ""


def test_the_iqa_dashboard_counts_open_samples(client, world, sample):
    login(client, world.iqa)
    assert "1 sampled assessment awaiting your review" in client.get("/dashboard").text


def test_the_iqa_dashboard_lists_samples_to_review_oldest_first(
    client, world, signed_off, make_user, count_queries
):
    """The dashboard gave only a count: it lists the first ten open samples (learner, version,
    assessor, plan, whether the review has started), each linked to its sample, in a fixed
    number of queries; complete reviews and another IQA's samples stay off it."""

    def learner(name):
        return make_user(
            Role.LEARNER, world.centre, full_name=name, assessor=world.assessor, iqa=world.iqa
        )

    for n in range(3):
        signed_off(learner=learner(f"Learner {n:02}"))
    plan = make_plan(world)
    samples = iqa.generate_sample(plan)
    db.session.commit()
    login(client, world.iqa)
    with count_queries() as few:
        page = client.get("/dashboard").text
    assert "3 sampled assessments awaiting your review:" in page
    for sample in samples:
        assert f'href="/iqa/samples/{sample.id}"' in page
    assert page.count("<td>Not started</td>") == 3
    links = [page.index(f'href="/iqa/samples/{s.id}"') for s in sorted(samples, key=lambda s: s.id)]
    assert links == sorted(links)
    iqa.start_review(samples[0], by=world.iqa)
    for n in range(10):
        signed_off(learner=learner(f"Later {n:02}"))
    iqa.generate_sample(plan)
    db.session.commit()
    with count_queries() as many:
        page = client.get("/dashboard").text
    assert "13 sampled assessments awaiting your review; the 10 sampled first:" in page
    assert page.count('href="/iqa/samples/') == 10 and "<td>In progress</td>" in page
    sampling = page[page.index('id="sampling-title"') :].split("</section>")[0]
    assert sampling.count(">Later ") == 7  # the 3 first, then 7 of the 10 sampled later
    assert len(many) == len(few)
    login(client, make_user(Role.IQA, world.centre))
    page = client.get("/dashboard").text
    assert "No sampled assessment is awaiting your review." in page and "Learner 00" not in page


# --- standardisation ------------------------------------------------------------------------


def test_standardisation_from_start_to_report(client, world, signed_off, unit, make_user):
    _, criteria = unit
    primary = signed_off(learner=world.learner)
    colleague = make_user(Role.ASSESSOR, world.centre, full_name="Cara Colleague")
    db.session.commit()
    submission_id = primary.submission_id
    login(client, world.iqa)
    form = client.get(f"/iqa/standardisation/new?submission={submission_id}")
    assert form.status_code == 200 and "Cara Colleague" in form.text
    assert "Already asked" not in form.text  # the learner's own assessor is not "asked"
    tampered = client.post(
        "/iqa/standardisation/new",
        data={"submission": submission_id, "assessors": [world.other_assessor.id]},
    )
    assert tampered.status_code == 422
    ok = client.post(
        "/iqa/standardisation/new",
        data={"submission": submission_id, "assessors": [colleague.id]},
    )
    assert ok.headers["Location"] == f"/iqa/standardisation/{submission_id}"
    marking = db.session.scalar(
        sa.select(Assessment).where(Assessment.kind == AssessmentKind.STANDARDISATION)
    )
    assert marking.assessor_id == colleague.id
    # Cara is no longer offered (choosing her again was only refused): she is named as marking
    again = client.get(f"/iqa/standardisation/new?submission={submission_id}").text
    assert "Already asked to mark it: Cara Colleague." in again
    assert again.count("Cara Colleague") == 1
    assert 'name="assessors"' not in again
    assert "Every other active assessor of the centre is already marking it." in again
    report = client.get(f"/iqa/standardisation/{submission_id}")
    assert "Still marking: Cara Colleague" in report.text
    # One finished marking compares nothing: no criterion is said not to differ.
    assert "assessor compared" in report.text and "<td>No</td>" not in report.text
    # The colleague finishes (made directly here) and differs on 1.2.
    for criterion, decision in zip(criteria, (C, N, C), strict=True):
        marking.decisions.append(
            CriterionDecision(
                criterion_id=criterion.id,
                decision=decision,
                feedback=f"Say more about {criterion.ref}.",
            )
        )
    db.session.flush()
    marking.status = AssessmentStatus.COMPLETED
    db.session.commit()
    report = client.get(f"/iqa/standardisation/{submission_id}")
    assert report.status_code == 200
    assert "Where they differ" in report.text and "1.2 Resolve the complaint." in report.text
    assert "Say more about 1.2." in report.text
    listing = client.get("/iqa/standardisation/")
    assert f"/iqa/standardisation/{submission_id}" in listing.text
    # Cara's finished marking said "Completed ... (completed). ... a correction goes on the
    # decision log", but a standardisation marking offers no correction
    marking.completed_at = marking.started_at
    db.session.commit()
    login(client, colleague)
    bench = client.get(f"/assess/submissions/{submission_id}").text
    assert "Standardisation marking finished" in bench
    assert "(completed)" not in bench and "a correction goes on the decision log" not in bench
    assert "Correct the decision on" not in bench


def test_another_centre_finds_no_standardisation(client, world, signed_off, make_user):
    submission_id = signed_off(learner=world.learner).submission_id
    elsewhere = make_user(Role.IQA, world.other_centre)
    not_theirs = make_user(Role.IQA, world.centre)
    db.session.commit()
    for user in (elsewhere, not_theirs):
        login(client, user)
        assert client.get(f"/iqa/standardisation/{submission_id}").status_code == 404
        response = client.post(
            "/iqa/standardisation/new",
            data={"submission": submission_id, "assessors": [world.assessor.id]},
        )
        assert response.status_code == 422  # not one of their choices
    assert db.session.scalar(sa.select(sa.func.count(Sample.id))) == 0
    assert db.session.scalar(sa.select(sa.func.count(Assessment.id))) == 1


def test_a_corrected_decision_is_judged_as_it_stands(client, world, sample, unit):
    from portfolio.review import services as review

    _, criteria = unit
    assessment = sample.assessment
    review.correct_decision(
        assessment,
        criteria[2],
        decision=C,
        feedback="",
        reason="The knowledge answer was in the second item after all.",
        by=world.assessor,
    )
    db.session.commit()
    login(client, world.iqa)
    page = client.get(f"/iqa/samples/{sample.id}")
    assert "Corrected" in page.text and "in the second item after all" in page.text
    assert "Assessor's decision: <strong>Not yet competent" not in page.text
    done = client.post(
        f"/iqa/samples/{sample.id}/complete", data=verdict_form(criteria, version="")
    )
    assert done.status_code == 302
    entry = db.session.scalar(
        sa.select(DecisionLogEntry).where(DecisionLogEntry.kind == "iqa_verdict")
    )
    assert entry.payload["verdicts"][2] | {"feedback": ""} == {
        "criterion_id": criteria[2].id,
        "criterion": "2.1",
        "assessor_decision": "competent",
        "corrected": True,
        "agree": True,
        "feedback": "",
    }


def test_standardisation_list_query_count_holds(
    client, world, signed_off, make_user, count_queries
):
    colleague = make_user(Role.ASSESSOR, world.centre)

    def standardise():
        iqa.start_standardisation(signed_off().submission, assessors=[colleague], by=world.iqa)
        db.session.commit()

    standardise()
    login(client, world.iqa)
    client.get("/iqa/standardisation/")
    with count_queries() as few:
        client.get("/iqa/standardisation/")
    for _ in range(4):
        standardise()
    with count_queries() as many:
        page = client.get("/iqa/standardisation/")
    assert page.text.count("/iqa/standardisation/") >= 5
    assert len(many) == len(few)


def test_a_correction_after_the_review_does_not_read_as_what_the_iqa_judged(
    client, world, sample, unit
):
    """The IQA disagreed with 1.2 as Competent; the assessor then corrects it to Not yet
    competent. Both pages show the verdict against the decision it was given on."""
    from portfolio.review import services as review_services

    _, criteria = unit
    review = completed_review(world, sample, criteria)
    review_services.correct_decision(
        sample.assessment,
        criteria[1],
        decision=N,
        feedback="Add the ombudsman's time limits.",
        reason="The IQA's review.",
        by=world.assessor,
    )
    db.session.commit()
    login(client, world.iqa)
    page = client.get(f"/iqa/samples/{sample.id}").text
    assert "when you complete the review" not in page  # it is complete
    assert "Corrected after your review" in page
    assert "Your verdict on Competent: <strong>Disagree</strong>" in page
    assert page.count("Corrected after your review") == 1  # 1.1 and 2.1 stand as reviewed
    login(client, world.assessor)
    respond = client.get(f"/iqa/reviews/{review.id}/respond").text
    assert "data-warn-unsaved" in respond  # it does not autosave: leaving unsent asks first
    row = re.search(r"<th scope=\"row\">1\.2</th>\s*<td>(.*?)</td>", respond, re.S).group(1)
    assert row.startswith("Competent") and "Corrected since: now Not yet competent" in row


def test_opening_the_linked_review_pages_reads_their_notifications(client, world, sample, unit):
    """The assessor's 'please respond' notice and the IQA's 'has responded' notice are read by
    opening the page they link to, as the learner's feedback notice is."""
    from portfolio.review.models import Notification

    _, criteria = unit
    review = completed_review(world, sample, criteria)

    def unread(user, link):
        db.session.expire_all()
        return db.session.scalar(
            sa.select(sa.func.count()).where(
                Notification.user_id == user.id,
                Notification.link == link,
                Notification.read_at.is_(None),
            )
        )

    respond = f"/iqa/reviews/{review.id}/respond"
    assert unread(world.assessor, respond) == 1
    login(client, world.assessor)
    assert client.get(respond).status_code == 200
    assert unread(world.assessor, respond) == 0
    assert client.post(respond, data={"response": "Agreed."}).status_code == 302
    page = f"/iqa/samples/{sample.id}"
    assert unread(world.iqa, page) == 1
    login(client, world.iqa)
    assert client.get(page).status_code == 200
    assert unread(world.iqa, page) == 0


def test_the_iqa_reads_the_decision_log_on_the_sample_and_as_csv(
    client, world, sample, signed_off, make_user
):
    """The IQA had no way to the decision log: the bench is the assessor's and the centre's
    CSV the admin's. The sample page lists the portfolio's entries, and the IQA downloads their
    own learners' log (not another IQA's learners')."""
    other_iqa = make_user(Role.IQA, world.centre)
    theirs = signed_off(iqa=other_iqa)
    db.session.commit()
    login(client, world.iqa)
    page = client.get(f"/iqa/samples/{sample.id}").text
    assert "Decision log for this portfolio" in page and ">return</td>" in page
    csv = client.get("/iqa/decision-log.csv")
    assert csv.status_code == 200 and csv.mimetype == "text/csv"
    lines = csv.text.splitlines()
    assert lines[0].startswith("\ufeffseq,time (UTC),kind,actor,learner,submission")
    assert any(f",{sample.assessment.submission_id}," in line for line in lines[1:])
    assert not any(f",{theirs.submission_id}," in line for line in lines[1:])
    assert "decision-log.csv" in client.get("/iqa/").text
    login(client, world.assessor)
    assert client.get("/iqa/decision-log.csv").status_code == 403


def test_the_report_says_when_the_learners_own_assessor_has_not_marked(
    client, world, unit, make_user
):
    """Asked before the learner's assessor had opened the version, the report listed only the
    colleague as still marking, though it says the learner's assessor is compared too."""
    from tests.iqa.builders import submit

    colleague = make_user(Role.ASSESSOR, world.centre, full_name="Cara Colleague")
    submission = submit(world.learner, unit[0])
    iqa.start_standardisation(submission, assessors=[colleague], by=world.iqa)
    db.session.commit()
    login(client, world.iqa)
    report = client.get(f"/iqa/standardisation/{submission.id}").text
    assert f"{world.assessor.full_name}, the learner's assessor, has not started" in report


def test_verdict_errors_link_to_the_fields_and_mark_them_invalid(client, world, sample, unit):
    """The sample page showed one message at the top; the fields it named carried no message
    and no aria-invalid (the bench's errors already did)."""
    _, criteria = unit
    login(client, world.iqa)
    unexplained = verdict_form(criteria, disagree=["1.2"]) | {f"feedback_{criteria[1].id}": ""}
    page = client.post(f"/iqa/samples/{sample.id}/complete", data=unexplained).text
    c = criteria[1].id
    assert f'<a href="#feedback_{c}">Say why you disagree on 1.2.</a>' in page
    assert re.search(rf'<textarea id="feedback_{c}"[^>]*aria-invalid="true"', page)
    missing = verdict_form(criteria[:2])
    page = client.post(f"/iqa/samples/{sample.id}/complete", data=missing).text
    last = criteria[2].id
    assert f'<a href="#verdict_{last}_agree">Agree or disagree on 2.1.</a>' in page
    assert re.search(rf'id="verdict_{last}_agree"[^>]*aria-invalid="true"', page)
    no_actions = verdict_form(criteria, disagree=["1.2"])  # nothing saved yet: no version
    page = client.post(f"/iqa/samples/{sample.id}/complete", data=no_actions).text
    assert '<a href="#actions">Set out the actions the assessor should take.</a>' in page
    assert re.search(r'<textarea[^>]*aria-invalid="true"[^>]*id="actions"', page)


def test_the_plan_says_a_sampled_sign_off_was_corrected_below_met(client, world, signed_off, unit):
    """The plan listed the outcome as 'Signed off' after the assessor corrected a criterion to
    Not yet competent, as the learner's and the assessor's pages no longer do."""
    from portfolio.review import services as review_services

    _, criteria = unit
    assessment = signed_off(learner=world.learner)
    plan = make_plan(world)
    iqa.generate_sample(plan)
    db.session.commit()
    login(client, world.iqa)
    assert "since corrected" not in client.get(f"/iqa/plans/{plan.id}").text
    review_services.correct_decision(
        assessment,
        criteria[1],
        decision=N,
        feedback="Name the ombudsman.",
        reason="The IQA's review.",
        by=world.assessor,
    )
    db.session.commit()
    page = client.get(f"/iqa/plans/{plan.id}").text
    assert "<strong>since corrected</strong> below every criterion met" in page


def test_opening_the_standardisation_report_reads_its_notice(client, world, signed_off):
    primary = signed_off(learner=world.learner)
    link = f"/iqa/standardisation/{primary.submission_id}"
    notice = notify(world.iqa, "standardisation_marked", "A marking finished.", link)
    db.session.commit()
    login(client, world.iqa)
    assert client.get(link).status_code == 200
    db.session.refresh(notice)
    assert notice.read_at is not None


def test_a_correction_while_the_review_is_open_clears_that_verdict(client, world, sample, unit):
    """The IQA agreed with 2.1 (Not yet competent) in a draft review; the assessor then corrects
    it to Competent. Completing must not record agreement with a decision the IQA never saw:
    the verdict is cleared, the IQA told, and a page opened before cannot save over it."""
    from portfolio.review import services as review_services
    from portfolio.review.models import IqaVerdict, Notification

    _, criteria = unit
    login(client, world.iqa)
    saved = client.post(f"/iqa/samples/{sample.id}", data=verdict_form(criteria, version=""))
    assert saved.status_code == 302
    db.session.expire_all()
    opened_version = sample.review.version
    review_services.correct_decision(
        sample.assessment,
        criteria[2],
        decision=C,
        feedback="",
        reason="The knowledge answer was in the second item after all.",
        by=world.assessor,
    )
    db.session.commit()
    db.session.expire_all()
    left = db.session.scalars(sa.select(IqaVerdict.criterion_id).order_by(IqaVerdict.id)).all()
    assert left == [criteria[0].id, criteria[1].id]
    note = db.session.scalar(sa.select(Notification).where(Notification.kind == "verdict_cleared"))
    assert note.user_id == world.iqa.id and note.link == f"/iqa/samples/{sample.id}"
    assert "corrected the decision on 2.1" in note.message and "give it again" in note.message
    # The verdict's text is kept nowhere else, so the notice quotes it.
    assert "Your verdict (Agree) was cleared" in note.message

    # The page opened before the correction cannot complete over it.
    stale = client.post(
        f"/iqa/samples/{sample.id}/complete",
        data=verdict_form(criteria, version=opened_version),
    )
    assert stale.status_code == 422 and "verdict cleared because the assessor corrected" in (
        stale.text
    )
    assert (
        db.session.scalar(sa.select(sa.func.count()).where(DecisionLogEntry.kind == "iqa_verdict"))
        == 0
    )
    page = client.get(f"/iqa/samples/{sample.id}")
    assert "Corrected" in page.text
    db.session.expire_all()
    done = client.post(
        f"/iqa/samples/{sample.id}/complete",
        data=verdict_form(criteria, version=sample.review.version),
    )
    assert done.status_code == 302
    entry = db.session.scalar(
        sa.select(DecisionLogEntry).where(DecisionLogEntry.kind == "iqa_verdict")
    )
    assert entry.payload["verdicts"][2]["assessor_decision"] == "competent"
    assert entry.payload["verdicts"][2]["agree"] is True


def test_a_cleared_verdicts_feedback_is_quoted_to_the_iqa(client, world, sample, unit):
    """Clearing a verdict deleted the IQA's feedback on it with nothing kept: a disagreement
    argued at length was gone. The notice now quotes it."""
    from portfolio.review import services as review_services
    from portfolio.review.models import Notification

    _, criteria = unit
    login(client, world.iqa)
    form = verdict_form(criteria, version="", disagree=("2.1",))
    form[f"feedback_{criteria[2].id}"] = "No ombudsman   rights in the letter. " + "x" * 300
    assert client.post(f"/iqa/samples/{sample.id}", data=form).status_code == 302
    review_services.correct_decision(
        sample.assessment,
        criteria[2],
        decision=C,
        feedback="",
        reason="Read the second letter.",
        by=world.assessor,
    )
    db.session.commit()
    note = db.session.scalar(sa.select(Notification).where(Notification.kind == "verdict_cleared"))
    assert "Your verdict (Disagree: “No ombudsman rights in the letter. xxx" in note.message
    assert "…”) was cleared: give it again" in note.message


def test_a_page_opened_before_a_correction_cannot_judge_the_old_decision(
    client, world, sample, unit
):
    """A correction clears a verdict already saved on the decision, but a verdict only on the
    IQA's open page (here the first save: no review existed yet) was stored and completed
    against the decision as it was shown, one the assessor had since corrected. The page
    carries the latest correction it showed; a later one refuses the save, naming it."""
    from portfolio.review import services as review_services

    _, criteria = unit
    login(client, world.iqa)
    opened = client.get(f"/iqa/samples/{sample.id}").text
    seen = re.search(r'name="corrections_seen" type="hidden" value="(\d+)"', opened)
    assert seen is not None and seen.group(1) == "0"
    review_services.correct_decision(
        sample.assessment,
        criteria[2],
        decision=C,
        feedback="",
        reason="The knowledge answer was in the second item after all.",
        by=world.assessor,
    )
    db.session.commit()
    form = verdict_form(criteria, version="") | {"corrections_seen": "0"}
    for target in (f"/iqa/samples/{sample.id}", f"/iqa/samples/{sample.id}/complete"):
        refused = client.post(target, data=form)
        assert refused.status_code == 422
        assert "The assessor corrected the decision on 2.1 after you opened this page" in (
            refused.text
        )
        assert f'href="#verdict_{criteria[2].id}_agree"' in refused.text
    db.session.expire_all()
    assert sample.review is None
    assert db.session.scalar(sa.select(sa.func.count()).select_from(IqaVerdict)) == 0
    # Reloaded, the page shows the correction and the verdicts save.
    reloaded = client.get(f"/iqa/samples/{sample.id}").text
    seen = re.search(r'name="corrections_seen" type="hidden" value="(\d+)"', reloaded).group(1)
    done = client.post(f"/iqa/samples/{sample.id}/complete", data=form | {"corrections_seen": seen})
    assert done.status_code == 302


def test_a_correction_leaves_other_reviews_and_completed_ones_alone(world, sample, unit):
    from portfolio.review import services as review_services

    _, criteria = unit
    review = completed_review(world, sample, criteria)
    before = [(v.criterion_id, v.agree) for v in review.verdicts]
    review_services.correct_decision(
        sample.assessment,
        criteria[1],
        decision=N,
        feedback="Add the ombudsman's time limits.",
        reason="The IQA's review.",
        by=world.assessor,
    )
    db.session.commit()
    db.session.expire_all()
    assert [(v.criterion_id, v.agree) for v in review.verdicts] == before


def test_the_sample_page_offers_the_versions_pdf(client, world, sample):
    login(client, world.iqa)
    page = client.get(f"/iqa/samples/{sample.id}").text
    assert f'href="/export/submissions/{sample.assessment.submission_id}.pdf"' in page


def test_the_sample_page_dates_each_evidence_item_as_the_bench_does(client, world, unit, make_user):
    """The IQA's evidence gave no item's date, and the bench gave it as ISO text ('2026-03-01')
    where every other date reads '1 Mar 2026'."""
    learner = make_user(Role.LEARNER, world.centre, assessor=world.assessor, iqa=world.iqa)
    submission = submit(learner, unit[0], occurred_on="2026-03-01")
    assess(submission, world.assessor, all_competent(unit[1]), status=AssessmentStatus.RETURNED)
    [sample] = iqa.generate_sample(make_plan(world))
    db.session.commit()
    login(client, world.iqa)
    page = client.get(f"/iqa/samples/{sample.id}").text
    assert '<span class="tag tag-muted">1 Mar 2026</span>' in page and "2026-03-01" not in page
    login(client, world.assessor)
    bench = client.get(f"/assess/submissions/{submission.id}").text
    assert '<span class="tag tag-muted">1 Mar 2026</span>' in bench and "2026-03-01" not in bench


def test_the_response_page_lists_verdicts_in_criterion_order(client, world, sample, unit):
    """The assessor's response page listed the verdicts in the order the IQA happened to give
    them (2.1 saved first stood above 1.1 and 1.2), not the unit's order."""
    _, criteria = unit
    review = iqa.start_review(sample, by=world.iqa)
    for batch in ([criteria[2]], criteria[:2]):
        iqa.save_verdicts(
            review,
            {c.id: (True, "") for c in batch},
            overall_feedback="",
            actions="",
            expected_version=review.version,
        )
    iqa.complete_review(review, by=world.iqa)
    db.session.commit()
    login(client, world.assessor)
    page = client.get(f"/iqa/reviews/{review.id}/respond").text
    rows = re.findall(r'<th scope="row">([\d.]+)</th>', page)
    assert rows == ["1.1", "1.2", "2.1"]
    # the table's scroll region and its section were two regions of one name (axe:
    # landmark-unique), so a screen reader's landmark list read the same entry twice
    assert '<h2 id="verdicts-title">Verdicts on your decisions</h2>' in page
    assert 'aria-label="Verdicts on your decisions"' not in page


def test_the_assessor_is_told_a_correction_cleared_an_iqa_verdict(client, world, sample, unit):
    """A correction silently undid the IQA's verdict in a review in progress: the assessor read
    only 'The correction is on the decision log' and could not know the IQA had to look
    again. The flash now names the IQA; a correction with no verdict to clear says nothing."""
    _, criteria = unit
    login(client, world.iqa)
    form = verdict_form(criteria[2:], version="")
    assert client.post(f"/iqa/samples/{sample.id}", data=form).status_code == 302
    login(client, world.assessor)
    url = f"/assess/assessments/{sample.assessment_id}/correct"
    for criterion, told in ((criteria[2], True), (criteria[0], False)):
        p = f"c{criterion.id}"
        done = client.post(
            f"{url}/{criterion.id}",
            data={
                f"{p}-decision": "not_yet" if criterion == criteria[0] else "competent",
                f"{p}-feedback": "Say more.",
                f"{p}-reason": "Read the second letter.",
            },
            follow_redirects=True,
        )
        assert f"The correction to {criterion.ref} is on the decision log." in done.text
        said = f"{world.iqa.full_name} had given a verdict on it in a review still in progress"
        assert (said in done.text) == told


def test_each_sampled_decision_links_to_the_evidence_mapped_to_it(client, world, sample, unit):
    """The bench lists each criterion's evidence beside the decision; the IQA's page did not,
    so checking a decision against its evidence meant reading every item's mappings."""
    _, criteria = unit
    login(client, world.iqa)
    page = client.get(f"/iqa/samples/{sample.id}").text
    title = sample.assessment.submission.snapshot["items"][0]["title"]
    link = f'Evidence mapped: <a href="#item-1">{title}</a>'
    assert page.count(link) == len(criteria)
    assert 'id="item-1"' in page


def test_completing_and_responding_confirm_as_successes(client, world, sample, unit):
    """'Review complete' and 'Your response is recorded' were flashed without a category, so
    they showed as plain notes where every other completed action shows as a success."""
    _, criteria = unit
    login(client, world.iqa)
    done = client.post(
        f"/iqa/samples/{sample.id}/complete",
        data=verdict_form(criteria, version=""),
        follow_redirects=True,
    )
    assert '<p class="flash flash-success">Review complete.' in done.text
    login(client, world.assessor)
    answered = client.post(
        f"/iqa/reviews/{sample.review.id}/respond",
        data={"response": "Noted, thank you."},
        follow_redirects=True,
    )
    assert '<p class="flash flash-success">Your response is recorded' in answered.text


def test_feedback_written_without_a_verdict_is_refused_not_dropped(client, world, sample, unit):
    """Feedback typed on a criterion before choosing Agree or Disagree vanished on Save
    verdicts: the save reported success and the page came back with the box empty."""
    _, criteria = unit
    login(client, world.iqa)
    first, second = criteria[0], criteria[1]
    data = verdict_form([first]) | {f"feedback_{second.id}": "Thin: reread the interview."}
    response = client.post(f"/iqa/samples/{sample.id}", data=data)
    assert response.status_code == 422
    message = f"Choose Agree or Disagree on {second.ref} to keep your feedback."
    assert f'<a href="#verdict_{second.id}_agree">{message}</a>' in response.text
    assert "Thin: reread the interview.</textarea>" in response.text
    assert db.session.scalar(sa.select(sa.func.count(IqaReview.id))) == 0
    # a row left blank (no verdict, no feedback) is still simply not sent
    blank = verdict_form([first]) | {f"feedback_{second.id}": "  "}
    assert client.post(f"/iqa/samples/{sample.id}", data=blank).status_code == 302


def test_over_long_verdict_feedback_is_said_at_its_box(client, world, sample, unit):
    """Feedback past 5,000 characters (the box had no maxlength, so a paste got through) was
    refused with a message at the top only: no link to the box, the box not marked invalid."""
    _, criteria = unit
    login(client, world.iqa)
    c = criteria[0]
    page = client.get(f"/iqa/samples/{sample.id}").text
    assert re.search(rf'<textarea id="feedback_{c.id}"[^>]*maxlength="5000"', page)
    data = verdict_form(criteria) | {f"feedback_{c.id}": "x" * 5001}
    response = client.post(f"/iqa/samples/{sample.id}", data=data)
    assert response.status_code == 422
    message = f"Feedback on {c.ref} is too long: at most 5,000 characters."
    assert f'<a href="#feedback_{c.id}">{message}</a>' in response.text
    assert response.text.count(message) == 2  # linked from the summary, said at the box
    assert re.search(rf'<textarea id="feedback_{c.id}"[^>]*aria-invalid="true"', response.text)
    assert db.session.scalar(sa.select(sa.func.count(IqaReview.id))) == 0


def test_the_sample_page_saves_verdict_drafts_as_the_iqa_works(client, world, sample, unit):
    """The sample page had no draft saving and no warning on leaving: verdicts and feedback
    typed on every criterion went with a click on a link out of it (an evidence item's file,
    the plan, the header)."""
    _, criteria = unit
    login(client, world.iqa)
    url = f"/iqa/samples/{sample.id}"
    page = client.get(url).text
    assert f'data-autosave="{url}?draft=1"' in page and 'class="autosave-status' in page
    first = verdict_form(criteria[:1])
    saved = client.post(f"{url}?draft=1", data=first)
    assert saved.status_code == 200 and re.fullmatch(r"\d\d:\d\d:\d\d", saved.json["saved_at"])
    review = db.session.scalar(sa.select(IqaReview))
    assert saved.json["version"] == review.version and len(review.verdicts) == 1
    # the next draft carries the version the script was given
    both = verdict_form(criteria[:2], version=saved.json["version"])
    again = client.post(f"{url}?draft=1", data=both)
    assert again.status_code == 200
    db.session.expire_all()
    assert len(review.verdicts) == 2
    # a page still on the old version: another tab saved first
    stale = client.post(f"{url}?draft=1", data=both)
    assert stale.status_code == 409 and stale.json["stale"] is True
    # a rule broken: said, nothing saved
    unexplained = verdict_form(criteria[:2], version=again.json["version"], disagree=["1.1"])
    unexplained[f"feedback_{criteria[0].id}"] = ""
    refused = client.post(f"{url}?draft=1", data=unexplained)
    assert refused.status_code == 422 and refused.json["error"].startswith("Draft not saved:")
    # a refused save is marked stale for the script, so it saves no draft over the newer one
    page = client.post(url, data=both).text
    assert "data-unsaved data-stale" in page


def test_verdict_feedback_holding_a_control_character_is_refused_at_its_box(
    client, world, sample, unit
):
    """Per-criterion feedback is read from the raw form, past the forms' check: a pasted NUL
    was a server error on PostgreSQL (and stored on SQLite). It is refused at the box."""
    _, criteria = unit
    login(client, world.iqa)
    c = criteria[0]
    data = verdict_form(criteria) | {f"feedback_{c.id}": "Pasted\x00text"}
    response = client.post(f"/iqa/samples/{sample.id}", data=data)
    assert response.status_code == 422
    message = f"Feedback on {c.ref} holds an invisible control character"
    assert f'<a href="#feedback_{c.id}">{message}' in response.text
    assert db.session.scalar(sa.select(sa.func.count(IqaReview.id))) == 0
    for field in ("overall_feedback", "actions"):
        data = verdict_form(criteria) | {field: "Pasted\x00text"}
        response = client.post(f"/iqa/samples/{sample.id}", data=data)
        assert response.status_code == 422, field
        assert "Remove the invisible control character" in response.text
        assert db.session.scalar(sa.select(sa.func.count(IqaReview.id))) == 0
