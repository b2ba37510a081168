"""Every list page and dashboard runs a fixed number of queries: adding learners with cases,
trails, evidence, submissions, assessments, notifications and IQA samples adds no query. And
the lists page 50 rows at a time."""

import re
from datetime import date, timedelta

import pytest
import sqlalchemy as sa

from portfolio.accounts import services as accounts
from portfolio.casework import services as casework
from portfolio.evidence import services as evidence
from portfolio.evidence.models import EvidenceItem
from portfolio.evidence.queries import forget_submitted_refs
from portfolio.exercises.services import create_exercise
from portfolio.extensions import db
from portfolio.framework.models import Criterion
from portfolio.library.models import LibraryScenario
from portfolio.library.services import load_bundled
from portfolio.review import iqa
from portfolio.review import services as review
from portfolio.review.models import Decision
from portfolio.roles import Role
from tests.conftest import login
from tests.library.conftest import bundle  # noqa: F401  (fixture)

TODAY = date.today()


class Centre:
    """world's centre with an exercise on the minimal scenario, and learners worked through it:
    a case with a trail, evidence mapped, version 1 returned by the assessor with decisions and
    marked by a second assessor for standardisation, version 2 waiting in the queue; an IQA
    sampling plan over the returned markings. Growing it adds learners and other centres."""

    def __init__(self, world, make_user, bundle):  # noqa: F811
        load_bundled(bundle)
        self.world = world
        self.make_user = make_user
        self.scenario = db.session.scalar(sa.select(LibraryScenario))
        self.second_assessor = make_user(Role.ASSESSOR, world.centre)
        self.exercise = create_exercise(
            cohort=world.cohort,
            scenario=self.scenario,
            title="Week 1",
            opens_on=TODAY - timedelta(days=1),
            closes_on=TODAY + timedelta(days=7),
            by=world.admin,
        )
        self.portfolio = self.work(world.learner)
        self.case = db.session.scalar(
            sa.select(EvidenceItem.case_id).where(EvidenceItem.portfolio_id == self.portfolio.id)
        )
        self.plan = iqa.create_plan(
            world.centre, iqa=world.iqa, name="Interim", stage="interim", share_pct=100
        )
        iqa.generate_sample(self.plan)
        db.session.commit()

    def work(self, learner):
        """Take a learner through the exercise to a second version waiting for marking."""
        case = casework.start_case(learner, self.scenario, exercise=self.exercise)
        casework.request_document(case, "crm-history")
        casework.ask_question(case, "billing-lead", "what-happened")
        casework.pin_finding(case, text="The bill was wrong", document_id="crm-history")
        casework.save_record(
            case,
            "root_cause",
            {"method": "five_whys", "symptom": "Wrong bill", "root_cause": "Expired code"},
            expected_version=None,
        )
        evidence.sync_case_items(case)
        item = db.session.scalar(
            sa.select(EvidenceItem).where(
                EvidenceItem.case_id == case.id, EvidenceItem.source == "investigation"
            )
        )
        portfolio = item.portfolio
        # every criterion evidenced, so that each may be judged Competent
        for criterion in db.session.scalars(
            sa.select(Criterion).where(Criterion.unit_id == portfolio.unit_id)
        ):
            evidence.set_mapping(
                item, criterion, justification=f"My findings gather the history ({criterion.ref})."
            )
        first = evidence.submit(
            portfolio, declared_name=learner.full_name, declared_on=TODAY, by=learner
        )
        assessor = self.world.assessor
        assessment = review.open_assessment(first, by=assessor)
        criteria = db.session.scalars(
            sa.select(Criterion).where(Criterion.unit_id == portfolio.unit_id)
        ).all()
        choices = {
            c.id: (Decision.NOT_YET, f"Say more about {c.ref}.")
            if n == 0
            else (Decision.COMPETENT, "")
            for n, c in enumerate(criteria)
        }
        review.save_decisions(
            assessment,
            choices,
            overall_feedback="Good start.",
            expected_version=assessment.version,
            by=assessor,
        )
        review.return_for_resubmission(assessment, by=assessor)
        iqa.start_standardisation(first, assessors=[self.second_assessor], by=self.world.iqa)
        evidence.submit(portfolio, declared_name=learner.full_name, declared_on=TODAY, by=learner)
        return portfolio

    def grow(self, n: int) -> None:
        """n more learners, allocated and in the cohort, worked the same way; more samples."""
        world = self.world
        for _ in range(n):
            learner = self.make_user(
                Role.LEARNER, world.centre, assessor=world.assessor, iqa=world.iqa
            )
            accounts.change_cohort_members(world.cohort, add=[learner], remove=[])
            self.work(learner)
            self.make_user(Role.CENTRE_ADMIN)  # in a centre of its own
            casework.start_case(world.learner, self.scenario)  # sets the open one aside
        iqa.generate_sample(self.plan)
        db.session.commit()


# (label, role, path): every list page and dashboard. Paths name the Centre's objects.
PAGES = [
    ("learner dashboard", "learner", lambda c: "/dashboard"),
    ("learner's cases", "learner", lambda c: "/cases/"),
    ("portfolio", "learner", lambda c: f"/portfolio/{c.portfolio.id}"),
    ("tracking grid", "learner", lambda c: f"/portfolio/{c.portfolio.id}/grid"),
    ("case log", "learner", lambda c: f"/cases/{c.case}/log"),
    ("notifications", "learner", lambda c: "/notifications/"),
    ("learner's exercises", "learner", lambda c: "/exercises/"),
    ("library", "learner", lambda c: "/library/"),
    ("assessor dashboard", "assessor", lambda c: "/dashboard"),
    ("assessor queue", "assessor", lambda c: "/assess/"),
    ("assessor caseload", "assessor", lambda c: "/assess/caseload"),
    ("assessor's notifications", "assessor", lambda c: "/notifications/"),
    ("IQA dashboard", "iqa", lambda c: "/dashboard"),
    ("IQA plans", "iqa", lambda c: "/iqa/"),
    ("IQA sampling plan", "iqa", lambda c: f"/iqa/plans/{c.plan.id}"),
    ("IQA standardisation", "iqa", lambda c: "/iqa/standardisation/"),
    ("admin dashboard", "admin", lambda c: "/dashboard"),
    ("centre users", "admin", lambda c: "/centre/users"),
    ("allocating learners", "admin", lambda c: f"/centre/allocation?cohort={c.world.cohort.id}"),
    ("cohorts", "admin", lambda c: "/centre/cohorts"),
    ("cohort members", "admin", lambda c: f"/centre/cohorts/{c.world.cohort.id}"),
    ("exercises", "admin", lambda c: "/exercises/"),
    ("exercise live board", "admin", lambda c: f"/exercises/{c.exercise.id}"),
    ("cohort tracking grid", "admin", lambda c: f"/reports/cohorts/{c.world.cohort.id}"),
    ("centres", "site_admin", lambda c: "/site/centres"),
]


def _served(app, path: str) -> bool:
    adapter = app.url_map.bind("localhost")
    try:
        adapter.match(path, method="GET")
    except Exception:  # noqa: BLE001 - a page another change has not landed yet
        return False
    return True


def _counts(app, client, centre, count_queries) -> dict[str, int]:
    counts = {}
    for label, role, path_of in PAGES:
        path = path_of(centre)
        if not _served(app, path):
            continue
        login(client, getattr(centre.world, role))
        forget_submitted_refs()  # counted cold: the most queries the page runs
        with count_queries() as queries:
            response = client.get(path)
        assert response.status_code == 200, f"{label}: {path} answered {response.status_code}"
        counts[label] = len(queries)
    return counts


def test_list_pages_and_dashboards_run_a_fixed_number_of_queries(
    app,
    client,
    world,
    make_user,
    bundle,  # noqa: F811
    count_queries,
):
    centre = Centre(world, make_user, bundle)
    few = _counts(app, client, centre, count_queries)
    centre.grow(4)
    many = _counts(app, client, centre, count_queries)
    grew = {label: (few[label], n) for label, n in many.items() if n > few[label]}
    assert not grew, f"query counts grew with the data (before, after): {grew}"
    assert len(few) >= 12  # the pages this part of the app owns are all there


@pytest.fixture
def crowded(world, make_user):
    """world's centre with 60 more learners in its cohort (named to sort after world's)."""
    learners = [
        make_user(Role.LEARNER, world.centre, full_name=f"Zed Learner {n:02d}") for n in range(60)
    ]
    accounts.change_cohort_members(world.cohort, add=learners, remove=[])
    db.session.commit()
    return learners


@pytest.mark.parametrize(
    "path",
    [
        "/centre/users?page={page}",
        "/centre/allocation?cohort={cohort}&page={page}",
        "/centre/cohorts/{cohort}?show=members&page={page}",
        "/reports/cohorts/{cohort}?page={page}",
    ],
)
def test_long_lists_page_fifty_rows_at_a_time(client, world, crowded, path):
    login(client, world.admin)
    first = client.get(path.format(page=1, cohort=world.cohort.id)).text
    second = client.get(path.format(page=2, cohort=world.cohort.id)).text
    assert "Page 1 of 2" in first and "Page 2 of 2" in second
    assert "Zed Learner 59" not in first and "Zed Learner 59" in second


def test_the_site_admins_centres_page_fifty_at_a_time(client, world, make_centre):
    for n in range(60):
        make_centre(f"Zed Centre {n:02d}")
    login(client, world.site_admin)
    first = client.get("/site/centres").text
    second = client.get("/site/centres?page=2").text
    assert "Page 1 of 2 (62 in all)" in first and "Page 2 of 2" in second
    assert "Zed Centre 59" not in first and "Zed Centre 59" in second
    assert "There is no page 3" in client.get("/site/centres?page=3").text


def test_the_page_size_is_a_setting(app, client, world, make_centre):
    for n in range(30):
        make_centre(f"Zed Centre {n:02d}")
    app.config["PER_PAGE"] = 10  # the app fixture restores its config afterwards
    login(client, world.site_admin)
    assert "Page 1 of 4 (32 in all)" in client.get("/site/centres").text


def test_a_learners_cases_page_fifty_at_a_time(client, world, bundle):  # noqa: F811
    load_bundled(bundle)
    scenario = db.session.scalar(sa.select(LibraryScenario))
    for _ in range(51):  # each worked a little, so starting again sets it aside
        casework.request_document(casework.start_case(world.learner, scenario), "crm-history")
    login(client, world.learner)
    first = client.get("/cases/").text
    second = client.get("/cases/?page=2").text
    assert "Page 1 of 2 (51 in all)" in first and "Page 2 of 2" in second
    # The open case first, then the set-aside ones newest first.
    assert first.count("<td>Open</td>") == 1 and first.count("<td>Set aside</td>") == 49
    assert second.count("<td>Set aside</td>") == 1 and "<td>Open</td>" not in second


def test_the_live_board_pages_rows_but_counts_the_whole_cohort(
    client,
    world,
    make_user,
    crowded,
    bundle,  # noqa: F811
):
    load_bundled(bundle)
    scenario = db.session.scalar(sa.select(LibraryScenario))
    exercise = create_exercise(
        cohort=world.cohort,
        scenario=scenario,
        title="Week 1",
        opens_on=TODAY,
        closes_on=TODAY + timedelta(days=7),
        by=world.admin,
    )
    for learner in crowded[-3:]:
        casework.request_document(
            casework.start_case(learner, scenario, exercise=exercise), "crm-history"
        )
    db.session.commit()
    login(client, world.admin)
    first = client.get(f"/exercises/{exercise.id}").text
    second = client.get(f"/exercises/{exercise.id}?page=2&fragment=1").text
    assert "Page 1 of 2" in first and "Zed Learner 59" not in first
    assert "Zed Learner 59" in second and "Investigation" in second
    # 62 learners in the cohort: 59 not started, 3 investigating, on both pages.
    for page in (first, second):
        assert '<span class="big">59</span> Not started' in page
        assert '<span class="big">3</span> Investigation' in page


def test_cohort_members_change_a_page_at_a_time(client, world, crowded):
    """Unticking a learner on page 1 removes only them; members on other pages stay."""
    login(client, world.admin)
    page = client.get(f"/centre/cohorts/{world.cohort.id}?show=members").text
    shown = [int(v) for v in _values(page, "shown")]
    assert len(shown) == 50
    keep = [i for i in shown if i != shown[0]]
    response = client.post(
        f"/centre/cohorts/{world.cohort.id}?show=members",
        data={"name": world.cohort.name, "members": keep, "shown": shown},
    )
    assert response.status_code == 302
    db.session.expire_all()
    members = {u.id for u in world.cohort.members}
    assert shown[0] not in members and len(members) == 62 - 1
    added = client.post(
        f"/centre/cohorts/{world.cohort.id}?show=all",
        data={"name": world.cohort.name, "members": [shown[0]]},
    )
    assert added.status_code == 302
    db.session.expire_all()
    assert len(world.cohort.members) == 62


def _values(html: str, name: str) -> list[str]:
    return re.findall(rf'name="{name}" value="(\d+)"', html)
