"""The marking bench and the IQA's sample page keep the assessor's work: drafts save as they
work, so leaving the page by a link (the case log, a record, the header) loses nothing."""

import re

import sqlalchemy as sa
from playwright.sync_api import Page, expect

from portfolio.extensions import db
from portfolio.review import iqa
from portfolio.review.models import Assessment
from tests.browser.conftest import assert_accessible
from tests.browser.test_assessor_journey import ASSESSOR, LEARNER, decide, sign_in
from tests.browser.test_assessor_journey import submitted as submitted  # noqa: F401 (fixture)
from tests.browser.test_iqa_journey import IQA
from tests.browser.test_iqa_journey import sign_in as iqa_sign_in
from tests.browser.test_iqa_journey import signed_off as signed_off  # noqa: F401 (fixture)
from tests.browser.test_qa_staff_layout import marked as marked  # noqa: F401 (fixture)
from tests.library.conftest import bundle as bundle  # noqa: F401 (fixture)


def test_feedback_typed_on_the_bench_survives_leaving_by_a_link(
    page: Page,
    live_server: str,
    marked,  # noqa: F811
):
    """Feedback typed on the bench went with any link out of it: there was no draft saving
    and no warning."""
    sign_in(page, live_server, "sam@alpha.test", ASSESSOR)
    page.goto(f"{live_server}/assess/submissions/{marked.id}")
    assert_accessible(page)
    page.get_by_label("Overall feedback").fill("Half way through: the investigation is sound.")
    expect(page.locator(".autosave-status")).to_contain_text(re.compile(r"Draft saved at"))
    page.get_by_role("link", name=re.compile("^Open the case log")).click()
    assert_accessible(page)
    page.go_back()
    page.reload()
    assert_accessible(page)
    expect(page.get_by_label("Overall feedback")).to_have_value(
        "Half way through: the investigation is sound."
    )
    db.session.expire_all()
    assessment = db.session.scalar(sa.select(Assessment))
    assert assessment.overall_feedback == "Half way through: the investigation is sound."


def test_a_button_pressed_while_a_draft_is_on_its_way_does_what_it_says(
    page: Page,
    live_server: str,
    marked,  # noqa: F811
):
    """'Save and return for resubmission' pressed while a draft was being sent waited for the
    draft, then sent the form without the button pressed: it only saved ('Your decisions are
    saved.'), and the version was not returned."""
    sign_in(page, live_server, "sam@alpha.test", ASSESSOR)
    page.goto(f"{live_server}/assess/submissions/{marked.id}")
    assert_accessible(page)
    decide(page, "1.2", "Not yet competent", "Map your resolution work to 1.2.")
    decide(page, "2.1", "Not yet competent", "Answer the knowledge question.")
    expect(page.locator(".autosave-status")).to_contain_text(re.compile(r"Draft saved at"))
    held = []  # the next draft, held on its way until the button has been pressed
    page.route(re.compile(r"draft=1"), lambda route: held.append(route))
    page.get_by_label("Overall feedback").fill("A sound investigation. Now evidence 1.2 and 2.1.")
    for _ in range(50):
        if held:
            break
        page.wait_for_timeout(100)
    assert held, "the draft was not sent"
    page.get_by_role("button", name="Save and return for resubmission").click(no_wait_after=True)
    held[0].continue_()
    expect(page.get_by_role("status")).to_contain_text(f"Returned to {LEARNER}")
    assert_accessible(page)


def test_verdicts_typed_on_a_sample_survive_leaving_by_a_link(
    page: Page,
    live_server: str,
    signed_off,  # noqa: F811
):
    """The IQA's verdicts and feedback went with any link out of the sample page."""
    from portfolio.accounts.models import User

    ines = db.session.scalar(sa.select(User).where(User.email == "ines@alpha.test"))
    plan = iqa.create_plan(ines.centre, iqa=ines, name="Spring", stage="summative", share_pct=100)
    [sample] = iqa.generate_sample(plan)
    db.session.commit()
    iqa_sign_in(page, live_server, "ines@alpha.test", IQA)
    page.goto(f"{live_server}/iqa/samples/{sample.id}")
    assert_accessible(page)
    page.get_by_role("radio", name="Disagree").first.check()
    page.get_by_label("Your feedback on 1.1").fill("The history is gathered from one source only.")
    expect(page.locator(".autosave-status")).to_contain_text(re.compile(r"Draft saved at"))
    page.get_by_role("link", name="Back to Spring").click()
    assert_accessible(page)
    page.go_back()
    page.reload()
    assert_accessible(page)
    expect(page.get_by_label("Your feedback on 1.1")).to_have_value(
        "The history is gathered from one source only."
    )
    expect(page.get_by_role("radio", name="Disagree").first).to_be_checked()


def test_a_draft_after_signing_out_elsewhere_is_not_called_offline(
    page: Page,
    live_server: str,
    marked,  # noqa: F811
):
    """Signed out in another tab, the bench's next draft met the sign-in page, which the
    script read as being offline: 'your draft will save when the connection returns', which
    it never would."""
    sign_in(page, live_server, "sam@alpha.test", ASSESSOR)
    page.goto(f"{live_server}/assess/submissions/{marked.id}")
    assert_accessible(page)
    other = page.context.new_page()
    other.goto(f"{live_server}/dashboard")
    other.get_by_role("button", name="Sign out").click()
    other.close()
    page.get_by_label("Overall feedback").fill("Typed after signing out elsewhere.")
    status = page.locator(".autosave-status")
    expect(status).to_contain_text("you may have been signed out")
    expect(status).not_to_contain_text("Offline")
