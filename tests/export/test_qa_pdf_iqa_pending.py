"""A version whose assessment an IQA's plan has sampled, the review not finished yet: the PDF
said 'IQA sampled: No' on its cover and 'This version has not been sampled by an internal
quality assurer.', which was untrue. It now says the version is sampled, by whom and in which
plan, and that the review is not complete."""

from portfolio.export.context import portfolio_context
from portfolio.export.pdf import render_portfolio_pdf
from portfolio.extensions import db
from portfolio.review.models import (
    IqaReview,
    IqaReviewStatus,
    Sample,
    SampleStage,
    SamplingPlan,
)
from tests.export import builders
from tests.export.conftest import pdftotext


def _flat(text: str) -> str:
    return " ".join(text.split())


def test_a_sample_under_review_is_not_said_to_be_unsampled(app, world, pdf_cache, tmp_path):
    submission = builders.build_submission(world.learner, analyses=0, uploads=0)
    assessment = builders.sign_off(submission, world.assessor)
    plan = SamplingPlan(
        centre_id=world.centre.id, iqa=world.iqa, name="Interim Nov", stage=SampleStage.INTERIM
    )
    sample = Sample(plan=plan, assessment=assessment, reason="Every decision of a new assessor")
    db.session.add_all([plan, sample])
    db.session.commit()
    before = portfolio_context(submission)
    text = _flat(pdftotext(render_portfolio_pdf(submission), tmp_path))
    assert "has not been sampled" not in text
    assert f"IQA sampled Yes, by {world.iqa.full_name}: review not complete yet" in text
    assert (
        f"Sampled by {world.iqa.full_name} in the plan Interim Nov (interim sample): "
        "Every decision of a new assessor. The review is not complete yet" in text
    )

    # Started, not finished: still pending. Finished: the review itself is shown instead.
    review = IqaReview(sample=sample, iqa=world.iqa, status=IqaReviewStatus.IN_PROGRESS)
    db.session.add(review)
    db.session.commit()
    assert portfolio_context(submission)["review"]["iqa_pending"] == before["review"]["iqa_pending"]


def test_an_unsampled_version_still_says_so(app, world, pdf_cache, tmp_path):
    submission = builders.build_submission(world.learner, analyses=0, uploads=0)
    builders.sign_off(submission, world.assessor)
    db.session.commit()
    text = _flat(pdftotext(render_portfolio_pdf(submission), tmp_path))
    assert "This version has not been sampled by an internal quality assurer." in text
    assert "IQA sampled No" in text
