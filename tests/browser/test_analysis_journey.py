"""A learner on the retail scenario builds a count Pareto, switches to cost weighting (and sees
installation faults come first), saves the analysis with a commentary, writes a recommendation
resting on it, answers a knowledge question and writes a reflection. Every page passes axe,
with CSRF on as in production."""

import re

import pytest
import sqlalchemy as sa
from playwright.sync_api import Page, expect

from portfolio.casework.models import Case, CaseRecord
from portfolio.extensions import db
from portfolio.improvement.models import Recommendation, SavedAnalysis
from portfolio.roles import Role
from tests.browser.conftest import assert_accessible
from tests.browser.layout_checks import sideways
from tests.conftest import PASSWORD
from tests.improvement.builders import RETAIL, open_case

TITLE = "Cost-weighted Pareto, all complaints"
COMMENTARY = "By cost, Faulty after installation dominates although delivery leads by count."


@pytest.fixture
def learner_case(make_user) -> Case:
    learner = make_user(Role.LEARNER, email="tom.learner@alpha.test", full_name="Tom Learner")
    case = open_case(learner, RETAIL)
    db.session.commit()  # the live server reads the database from another thread
    return case


def first_category(page: Page):
    """The first body row's heading in the Pareto's table of figures."""
    return page.locator("#builder-summary-figures tbody tr").first.locator("th")


def flashes(page: Page):
    """The flashed messages (record pages also have an autosave status region)."""
    return page.locator(".flashes")


def analysis_id(case_id: int) -> int:
    db.session.expire_all()
    return db.session.scalar(sa.select(SavedAnalysis.id).where(SavedAnalysis.case_id == case_id))


def open_section(page: Page, name: str) -> None:
    page.get_by_role("navigation", name="Case sections").get_by_role("link", name=name).click()


def test_learner_analyses_the_log_and_recommends(page: Page, live_server: str, learner_case):
    case_id = learner_case.id
    console: list[str] = []
    page.on("console", lambda message: console.append(message.text))
    page.goto(f"{live_server}/auth/login")
    assert_accessible(page)
    page.locator('input[name="email"]').fill("tom.learner@alpha.test")
    page.locator('input[name="password"]').fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(re.compile(r"/dashboard$"))
    assert_accessible(page)

    page.goto(f"{live_server}/cases/{case_id}")
    assert_accessible(page)

    # A count Pareto by category: delivery delays lead.
    open_section(page, "Complaint analysis")
    expect(page.get_by_role("heading", level=1)).to_have_text("Complaint analysis")
    chart = page.get_by_role("img", name=re.compile("^Pareto chart of complaints by category"))
    expect(chart).to_be_visible()
    expect(chart.locator("polyline").first).to_be_attached()  # the cumulative line
    expect(
        page.get_by_role("heading", name="Pareto chart of complaints by category")
    ).to_be_visible()
    expect(first_category(page)).to_have_text("Delivery delays")
    assert_accessible(page)
    # On a phone the chart keeps a readable size (its labels drew at 5px) and scrolls sideways
    # in its own region, not the page.
    page.set_viewport_size({"width": 390, "height": 800})
    label_px = chart.locator("text").last.evaluate("t => t.getBoundingClientRect().height")
    assert label_px >= 8, label_px
    assert not sideways(page, "analysis at 390px")
    assert_accessible(page)
    page.set_viewport_size({"width": 1280, "height": 800})

    # Weighted by cost, installation faults come first.
    page.get_by_label("Cost of complaints (£)").check()
    page.get_by_role("button", name="Show chart").click()
    expect(page).to_have_url(re.compile(r"measure=cost"))
    expect(first_category(page)).to_have_text("Faulty after installation")
    expect(
        page.get_by_role("img", name=re.compile("^Pareto chart of complaint cost by category"))
    ).to_be_visible()
    assert_accessible(page)
    # Each figure and word in the tables of figures stays whole, at desktop and phone widths:
    # "£73,073.46" was broken after "£73,073." at 1280px, and "+" left above "£2,071.38".
    assert not sideways(page, "cost analysis", whole="table.figures th, table.figures td")

    page.get_by_label("Title").fill(TITLE)
    page.get_by_label("Your commentary").fill(COMMENTARY)
    page.get_by_role("button", name="Save analysis").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(TITLE)
    expect(flashes(page)).to_contain_text("Analysis saved.")
    expect(page.get_by_label("Your commentary")).to_have_value(COMMENTARY)
    expect(page.locator("#saved-summary-figures tbody tr").first.locator("th")).to_have_text(
        "Faulty after installation"
    )
    assert_accessible(page)

    # The analysis as evidence: its figures scroll in their own region, and the page does not
    # scroll sideways on a phone now that they keep each figure whole.
    page.get_by_role("link", name="My portfolio").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Portfolio")
    assert_accessible(page)
    page.get_by_role("link", name=f"Complaint analysis: {TITLE}", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Complaint analysis: {TITLE}")
    page.get_by_text("The evidence", exact=True).click()
    expect(page.get_by_role("region", name=re.compile("^Table of figures: "))).to_have_count(2)
    assert_accessible(page)
    assert not sideways(page, "analysis evidence", whole="table.figures th, table.figures td")
    page.goto(f"{live_server}/cases/{case_id}/analyses/{analysis_id(case_id)}")

    # A recommendation resting on the saved analysis.
    open_section(page, "Recommendations")
    expect(page.get_by_role("heading", level=1)).to_have_text("Recommendations")
    assert_accessible(page)
    page.get_by_label("The saved analysis it rests on").select_option(label=TITLE)
    page.get_by_label("The change you recommend").fill(
        "Audit every Swiftfit installation and enforce the new-hose standard."
    )
    # Leaving with the recommendation half written asks first; staying keeps the text.
    asked: list[str] = []

    def stay(dialog):
        asked.append(dialog.type)
        dialog.dismiss()

    page.once("dialog", stay)
    open_section(page, "Case log")
    expect(page.get_by_label("The change you recommend")).to_have_value(
        "Audit every Swiftfit installation and enforce the new-hose standard."
    )
    assert asked == ["beforeunload"]
    page.get_by_label("Who has the authority to make it").fill("Head of Installations")
    page.get_by_label("Expected benefit").fill("Fewer leaks, refunds and damage claims.")
    page.get_by_label("How success will be measured").fill(
        "Installation complaints per 1,000 installs, and cost per complaint."
    )
    page.get_by_label("Target", exact=True).fill("Under 20 a month")
    page.get_by_label("By when").fill("End of next quarter")
    page.get_by_label("How it addresses the root cause").fill(
        "Stops the contractor reusing perished hoses."
    )
    page.get_by_label("Other customers affected by the same cause").fill(
        "Contact every Swiftfit customer since April and check their hoses."
    )
    page.get_by_role("button", name="Save recommendation").click()
    expect(flashes(page)).to_contain_text("Recommendation saved.")
    expect(page.get_by_role("heading", name="Recommendation 1")).to_be_visible()
    expect(page.get_by_role("link", name=TITLE)).to_be_visible()
    assert_accessible(page)

    # A knowledge question, answered in the learner's own words.
    open_section(page, "Knowledge")
    expect(page.get_by_role("heading", level=1)).to_have_text("Knowledge questions")
    expect(page.get_by_text("Criterion 4.3", exact=True)).to_be_visible()
    answer = page.locator('textarea[name="answer_cra-rules"]')
    answer.fill("The 14-day right is for change of mind; the CRA gives 30 days to reject.")
    page.get_by_role("button", name="Save answers").click()
    expect(flashes(page)).to_contain_text("Saved.")
    expect(answer).to_have_value(re.compile("^The 14-day right"))
    assert_accessible(page)

    open_section(page, "Reflection")
    expect(page.get_by_role("heading", level=1)).to_have_text("Reflective account")
    page.get_by_label("Your reflective account").fill("I learned to weigh cost, not counts.")
    page.get_by_role("button", name="Save reflective account").click()
    expect(flashes(page)).to_contain_text("Saved.")
    assert_accessible(page)

    # The inline charts need no inline style or script, so the strict CSP refuses nothing.
    assert not [text for text in console if "Content Security Policy" in text]

    db.session.expire_all()
    analysis = db.session.scalar(sa.select(SavedAnalysis).where(SavedAnalysis.case_id == case_id))
    assert analysis.params["measure"] == "cost"
    assert analysis.figures["summary"]["bars"][0]["label"] == "Faulty after installation"
    recommendation = db.session.scalar(sa.select(Recommendation))
    assert recommendation.analysis_id == analysis.id
    assert recommendation.owner == "Head of Installations"
    records = {
        r.kind: r.data
        for r in db.session.scalars(sa.select(CaseRecord).where(CaseRecord.case_id == case_id))
    }
    assert records["knowledge"]["answers"]["cra-rules"].startswith("The 14-day right")
    assert records["reflection"] == {"text": "I learned to weigh cost, not counts."}
