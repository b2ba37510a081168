"""Progress by learning outcome: the learner's dashboard and portfolio page count the same
criteria (met, awaiting assessment, or with confirmed evidence), and a criterion judged Not
yet competent is not progress until a newer version waits."""

import re
from datetime import date

from portfolio.evidence import overview
from portfolio.evidence import services as evidence
from portfolio.extensions import db
from portfolio.main.learner_dashboard import learner_context
from portfolio.review import services
from portfolio.review.models import Decision
from tests.conftest import login
from tests.evidence.conftest import worked  # noqa: F401  (fixture)
from tests.library.conftest import bundle  # noqa: F401  (fixture)
from tests.review.conftest import decide, submit, submitted  # noqa: F401  (fixture)


def _both(w) -> tuple[dict[str, int], dict[str, int]]:
    """{outcome ref: criteria counted} as the portfolio page and the dashboard count them."""
    db.session.expire_all()
    page = {
        ref: done
        for ref, (done, _) in overview.overview(overview.head_of(w.portfolio.id)).coverage.items()
    }
    [shown] = learner_context(w.learner, date.today())["progress"]
    return page, {o.ref: o.done for o in shown.outcomes}


def test_the_dashboard_and_the_portfolio_count_the_same_progress(submitted):  # noqa: F811
    w = submitted
    page, dashboard = _both(w)
    assert page == dashboard and page["1"] == 1  # 1.1 awaits assessment
    assessment = services.open_assessment(w.submission, by=w.assessor)
    decide(assessment, w, Decision.NOT_YET, **{"1_1": Decision.COMPETENT})
    services.return_for_resubmission(assessment, by=w.assessor)
    page, dashboard = _both(w)
    # 1.1 is met; the criteria judged Not yet competent, with no evidence, are not progress
    assert page == dashboard and set(page.values()) == {0, 1} and page["1"] == 1
    # a met criterion still counts when its evidence is later withdrawn
    evidence.withdraw_item(w.item)
    db.session.commit()
    page, dashboard = _both(w)
    assert page == dashboard and page["1"] == 1


def test_evidence_judged_not_yet_competent_is_not_progress_until_resubmitted(submitted):  # noqa: F811
    """A returned portfolio read "1 of 4" beside a Not yet competent 1.1 whose evidence was
    still confirmed: the decision stands until a newer version waits for assessment."""
    w = submitted
    assessment = services.open_assessment(w.submission, by=w.assessor)
    decide(assessment, w, Decision.NOT_YET)
    services.return_for_resubmission(assessment, by=w.assessor)
    db.session.commit()
    assert any(m.confirmed for m in w.item.mappings)  # 1.1 keeps its confirmed evidence
    page, dashboard = _both(w)
    assert page == dashboard and page["1"] == 0  # 1.1 has evidence but is not yet competent
    submit(w)
    db.session.commit()
    page, dashboard = _both(w)
    assert page == dashboard and page["1"] == 1  # 1.1 is awaiting assessment again


def test_feedback_on_a_superseded_version_leaves_the_dashboard(submitted):  # noqa: F811
    """The dashboard listed version 1's return under "Feedback to act on" after version 2 was
    submitted and even signed off; only the newest version's feedback is there to act on."""
    w = submitted
    assessment = services.open_assessment(w.submission, by=w.assessor)
    decide(assessment, w, Decision.NOT_YET)
    services.return_for_resubmission(assessment, by=w.assessor)
    db.session.commit()
    due = learner_context(w.learner, date.today())["feedback_due"]
    assert [row.id for row in due] == [assessment.id]
    submit(w)
    db.session.commit()
    assert learner_context(w.learner, date.today())["feedback_due"] == []


def test_the_count_says_evidence_judged_not_yet_competent_is_left_out(client, submitted):  # noqa: F811
    """A returned portfolio read '0 of 4 criteria met or with evidence' while its grid showed
    confirmed evidence against 1.1 (judged Not yet competent); the dashboard said only '0 of 4'.
    Both now say what is counted: criteria met or with evidence still to be judged."""
    w = submitted
    assessment = services.open_assessment(w.submission, by=w.assessor)
    decide(assessment, w, Decision.NOT_YET)
    services.return_for_resubmission(assessment, by=w.assessor)
    db.session.commit()
    login(client, w.learner)
    said = re.compile(r"<span>0 of \d+ criteria met or with evidence still to be judged</span>")
    assert said.search(client.get(f"/portfolio/{w.portfolio.id}").text)
    assert said.search(client.get("/dashboard").text)


def test_the_overview_lists_each_version_once_with_its_feedback(submitted):  # noqa: F811
    """The versions list and the feedback links come from one statement (a version joined to
    its completed assessments): each version is listed once, newest first, and only an
    assessed version has feedback."""
    w = submitted
    assessment = services.open_assessment(w.submission, by=w.assessor)
    decide(assessment, w, Decision.NOT_YET, **{"1_1": Decision.COMPETENT})
    services.return_for_resubmission(assessment, by=w.assessor)
    submit(w)
    db.session.commit()
    grid = overview.overview(overview.head_of(w.portfolio.id))
    assert [v.number for v in grid.submissions] == [2, 1]
    assert grid.feedback == {w.submission.id: assessment.id}
    statuses = {row.ref: row.status for o in grid.outcomes for row in o.rows}
    assert statuses["1.1"] == "met" and "not_yet" not in statuses.values()  # version 2 waits
