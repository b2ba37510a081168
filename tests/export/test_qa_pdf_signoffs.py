"""The PDF's sign-offs say what each assessor's completion was: a sign-off is an e-signature
(the assessor's typed name and password), a return for resubmission is not. Before, a return
read 'Signed electronically by <assessor>'s account.' as if the assessor had signed."""

from portfolio.export.context import portfolio_context
from portfolio.extensions import db
from tests.export import builders


def _assessor_row(submission) -> dict:
    rows = portfolio_context(submission)["signoffs"]
    return next(r for r in rows if r["role"].startswith("Assessor"))


def test_a_return_is_not_said_to_be_signed(app, world, pdf_cache):
    submission = builders.build_submission(world.learner, analyses=0, uploads=0)
    assessment = builders.sign_off(submission, world.assessor, not_yet=("2.4",))
    assessment.signed_name = None  # as review.services.return_for_resubmission leaves it
    db.session.commit()
    row = _assessor_row(submission)
    assert row["role"] == "Assessor: returned for resubmission"
    assert row["name"] == world.assessor.full_name
    assert row["detail"] == (
        f"Returned from {world.assessor.full_name}'s account: not signed, as a return is not "
        "a sign-off."
    )


def test_a_sign_off_says_whose_typed_name_signed_it(app, world, pdf_cache):
    submission = builders.build_submission(world.learner, analyses=0, uploads=0)
    builders.sign_off(submission, world.assessor)
    db.session.commit()
    row = _assessor_row(submission)
    assert row["role"] == "Assessor: signed off"
    assert row["detail"] == f"Signed electronically by {world.assessor.full_name}'s account."
