"""Every route × every role × another centre's user. A route missing from RULES fails
test_every_route_is_in_the_matrix, so a new page cannot ship without an access decision."""

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import pytest
import sqlalchemy as sa
from flask import current_app

from portfolio.analysis import AnalysisParams
from portfolio.casework import services as casework
from portfolio.evidence import services as evidence
from portfolio.evidence.models import Submission
from portfolio.exercises.services import create_exercise
from portfolio.extensions import db
from portfolio.framework.queries import criteria_of
from portfolio.framework.services import import_unit
from portfolio.improvement import services as improvement
from portfolio.library.services import import_scenario
from portfolio.notifications.services import notify
from portfolio.review import iqa
from portfolio.review import services as review
from portfolio.review.models import Assessment, AssessmentStatus
from portfolio.scenarios.loader import load_bundle
from tests.conftest import World, login
from tests.iqa import builders as iqa_builders
from tests.library.conftest import FIXTURES

# Who is asked, in every rule. "other_admin" and "other_assessor" belong to another centre.
ACTORS = (
    "anonymous",
    "learner",
    "peer",
    "assessor",
    "iqa",
    "admin",
    "other_admin",
    "other_assessor",
    "site_admin",
)
SIGNED_IN = ACTORS[1:]


@dataclass
class Rule:
    url: Callable  # world -> url
    allow: dict[str, int]  # actor -> expected status; every other signed-in actor gets `deny`
    method: str = "GET"
    deny: int = 403
    anonymous: int = 302  # redirect to sign-in
    overrides: dict[str, int] = field(default_factory=dict)

    def expected(self, actor: str) -> int:
        if actor in self.overrides:
            return self.overrides[actor]
        if actor == "anonymous":
            return self.anonymous
        return self.allow.get(actor, self.deny)


def everyone(status: int = 200) -> dict[str, int]:
    return {actor: status for actor in SIGNED_IN}


def export_job(world):
    """A finished bulk export of centre A's cohort with its zip, made on first use (only the
    export rules need it, so the rest of the matrix does not pay for it)."""
    if getattr(world, "export_job", None) is None:
        from portfolio.export import bulk

        job = bulk.create_export(world.cohort, by=world.admin)
        job.status, job.path = bulk.ExportStatus.DONE, f"exports/matrix-{job.id}.zip"
        target = bulk.cache_dir() / job.path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(b"PK\x05\x06" + b"\x00" * 18)  # an empty zip
        db.session.commit()
        world.export_job = job
    return world.export_job


ADMIN = {"admin": 200}
CASE_READERS = {"learner": 200, "assessor": 200, "iqa": 200, "admin": 200}
CASE_HIDDEN = {a: 404 for a in ("peer", "other_admin", "other_assessor", "site_admin")}
RULES: dict[str, Rule] = {
    "main.index": Rule(lambda w: "/", everyone(302), anonymous=302),
    "main.dashboard": Rule(lambda w: "/dashboard", everyone()),
    "auth.login": Rule(lambda w: "/auth/login", everyone(302), anonymous=200),
    "auth.logout": Rule(lambda w: "/auth/logout", everyone(302), method="POST"),
    "auth.change_password": Rule(lambda w: "/auth/password", everyone()),
    "accounts.users": Rule(lambda w: "/centre/users", ADMIN | {"other_admin": 200}),
    "accounts.new_user": Rule(lambda w: "/centre/users/new", ADMIN | {"other_admin": 200}),
    "accounts.allocation_page": Rule(lambda w: "/centre/allocation", ADMIN | {"other_admin": 200}),
    "accounts.import_users": Rule(lambda w: "/centre/users/import", ADMIN | {"other_admin": 200}),
    "accounts.import_example": Rule(
        lambda w: "/centre/users/import/example.csv", ADMIN | {"other_admin": 200}
    ),
    # Another centre's admin asking for our user: not found, never shown.
    "accounts.edit_user": Rule(
        lambda w: f"/centre/users/{w.learner.id}/edit", ADMIN | {"other_admin": 404}
    ),
    "accounts.toggle_active": Rule(
        lambda w: f"/centre/users/{w.learner.id}/active",
        {"admin": 302, "other_admin": 404},
        method="POST",
    ),
    "accounts.reset_password": Rule(
        lambda w: f"/centre/users/{w.learner.id}/password",
        {"admin": 200, "other_admin": 404},
        method="POST",
    ),
    "accounts.move_learners": Rule(
        lambda w: f"/centre/users/{w.assessor.id}/move-learners",
        {"admin": 302, "other_admin": 404},
        method="POST",
    ),
    "accounts.cohorts": Rule(lambda w: "/centre/cohorts", ADMIN | {"other_admin": 200}),
    "accounts.new_cohort": Rule(lambda w: "/centre/cohorts/new", ADMIN | {"other_admin": 200}),
    "accounts.edit_cohort": Rule(
        lambda w: f"/centre/cohorts/{w.cohort.id}", ADMIN | {"other_admin": 404}
    ),
    # Deleting a cohort: as editing it. world.cohort has world.exercise, so the admin's POST
    # is refused (302 back to the confirmation page with a message).
    "accounts.confirm_delete_cohort": Rule(
        lambda w: f"/centre/cohorts/{w.cohort.id}/delete", ADMIN | {"other_admin": 404}
    ),
    "accounts.delete_cohort": Rule(
        lambda w: f"/centre/cohorts/{w.cohort.id}/delete",
        {"admin": 302, "other_admin": 404},
        method="POST",
    ),
    "library.index": Rule(lambda w: "/library/", everyone()),
    # A bundled scenario: every signed-in user may read the brief.
    "library.detail": Rule(lambda w: f"/library/{w.bundled_scenario.id}", everyone()),
    # Guidance is for staff (any centre, since bundled) and never for learners.
    "library.preview": Rule(
        lambda w: f"/library/{w.bundled_scenario.id}/preview",
        {
            a: 200
            for a in ("assessor", "iqa", "admin", "other_admin", "other_assessor", "site_admin")
        },
    ),
    "library.upload": Rule(lambda w: "/library/upload", ADMIN | {"other_admin": 200}),
    # The format guide, and the example zip (a bundled scenario with its guidance): for the
    # admins who upload.
    "library.format_guide": Rule(lambda w: "/library/format", ADMIN | {"other_admin": 200}),
    "library.example": Rule(lambda w: "/library/example.zip", ADMIN | {"other_admin": 200}),
    # Centre A's unpublished upload: invisible (404) outside A's staff; only A's admin acts.
    "library.publish": Rule(
        lambda w: f"/library/{w.own_scenario.id}/publish",
        {"admin": 302},
        method="POST",
        overrides={
            a: 404 for a in ("learner", "peer", "other_admin", "other_assessor", "site_admin")
        },
    ),
    # Casework: the learner works their own case; their assessor, IQA and centre admin read it;
    # anyone else (a peer, another centre, the site admin) finds nothing there.
    "casework.my_cases": Rule(lambda w: "/cases/", {"learner": 200, "peer": 200}),
    "casework.start": Rule(
        lambda w: f"/cases/start/{w.bundled_scenario.id}",
        {"learner": 302, "peer": 302},
        method="POST",
    ),
    **{
        f"casework.{name}": Rule(
            lambda w, path=path: f"/cases/{w.case.id}{path}", CASE_READERS, overrides=CASE_HIDDEN
        )
        for name, path in (
            ("overview", ""),
            ("case_file", "/file"),
            ("document", "/file/crm-history"),
            ("interviews", "/interviews"),
            ("timeline", "/timeline"),
            ("record", "/records/root_cause"),
            ("case_log", "/log"),
        )
    },
    **{
        f"casework.{name}": Rule(
            lambda w, path=path: f"/cases/{w.case.id}{path(w)}",
            {"learner": status},
            method="POST",
            overrides=CASE_HIDDEN,
            # A signed-out autosave is told so in JSON (its page's script reads a redirect to
            # the sign-in page as being offline).
            anonymous=401 if name == "autosave" else 302,
        )
        for name, path, status in (
            ("request_document", lambda w: "/file/crm-history/request", 302),
            ("ask", lambda w: "/interviews/billing-lead/what-happened", 302),
            ("add_finding", lambda w: "/findings", 302),
            ("remove_finding", lambda w: f"/findings/{w.finding.id}/delete", 302),
            ("remove_timeline_entry", lambda w: f"/timeline/{w.entry.id}/delete", 302),
            ("autosave", lambda w: "/records/summary/autosave", 200),
            ("authorise", lambda w: "/authorisation", 302),
            ("send", lambda w: "/send", 302),
        )
    },
    # Complaint analysis and recommendations: as casework. An empty save form is refused (422);
    # the analysis has a recommendation resting on it, so deleting it is refused (302 + flash).
    **{
        f"improvement.{name}": Rule(
            lambda w, path=path: f"/cases/{w.case.id}{path(w)}", CASE_READERS, overrides=CASE_HIDDEN
        )
        for name, path in (
            ("analysis", lambda w: "/analysis"),
            ("saved_analysis", lambda w: f"/analyses/{w.analysis.id}"),
            ("recommendations", lambda w: "/recommendations"),
            ("recommendation", lambda w: f"/recommendations/{w.recommendation.id}"),
        )
    },
    **{
        f"improvement.{name}": Rule(
            lambda w, path=path: f"/cases/{w.case.id}{path(w)}",
            {"learner": status},
            method="POST",
            overrides=CASE_HIDDEN,
        )
        for name, path, status in (
            ("save_analysis", lambda w: "/analyses", 422),
            ("delete_analysis", lambda w: f"/analyses/{w.analysis.id}/delete", 302),
            (
                "delete_recommendation",
                lambda w: f"/recommendations/{w.recommendation.id}/delete",
                302,
            ),
        )
    },
    # Evidence: the learner edits; their assessor, IQA and admin read; others find nothing.
    "evidence.mine": Rule(lambda w: "/portfolio/", {"learner": 302, "peer": 200}),
    **{
        f"evidence.{name}": Rule(path, CASE_READERS, overrides=CASE_HIDDEN)
        for name, path in (
            ("portfolio", lambda w: f"/portfolio/{w.portfolio.id}"),
            ("item", lambda w: f"/portfolio/{w.portfolio.id}/items/{w.item.id}"),
            ("grid", lambda w: f"/portfolio/{w.portfolio.id}/grid"),
            ("download", lambda w: f"/portfolio/items/{w.upload.id}/file"),
            ("submission", lambda w: f"/portfolio/submissions/{w.submission.id}"),
            ("changes", lambda w: f"/portfolio/submissions/{w.submission.id}/changes"),
        )
    },
    "evidence.submit": Rule(
        lambda w: f"/portfolio/{w.portfolio.id}/submit", {"learner": 200}, overrides=CASE_HIDDEN
    ),
    "evidence.upload": Rule(
        lambda w: f"/portfolio/{w.portfolio.id}/upload", {"learner": 200}, overrides=CASE_HIDDEN
    ),
    "evidence.withdraw": Rule(
        lambda w: f"/portfolio/{w.portfolio.id}/items/{w.item.id}/withdraw",
        {"learner": 302},
        method="POST",
        overrides=CASE_HIDDEN,
    ),
    # Export: a version's PDF goes to whoever reads the portfolio; bulk export is the centre
    # admin's, and another centre's admin finds nothing of ours.
    "export.submission_pdf": Rule(
        lambda w: f"/export/submissions/{w.submission.id}.pdf", CASE_READERS, overrides=CASE_HIDDEN
    ),
    "export.cohorts": Rule(lambda w: "/export/cohorts", ADMIN | {"other_admin": 200}),
    **{
        f"export.{name}": Rule(
            lambda w, path=path: f"/export/jobs/{export_job(w).id}{path}",
            ADMIN,
            overrides={"other_admin": 404},
        )
        for name, path in (("job", ""), ("job_progress", ".json"), ("download", "/download"))
    },
    # Exercises: a centre's staff and the cohort's learners; reports: the centre's admin.
    "exercises.index": Rule(lambda w: "/exercises/", everyone()),
    "exercises.new": Rule(lambda w: "/exercises/new", ADMIN | {"other_admin": 200}),
    "exercises.detail": Rule(
        lambda w: f"/exercises/{w.exercise.id}",
        CASE_READERS | {"peer": 200},
        overrides={a: 404 for a in ("other_admin", "other_assessor", "site_admin")},
    ),
    "exercises.edit": Rule(
        lambda w: f"/exercises/{w.exercise.id}/edit", ADMIN, overrides={"other_admin": 404}
    ),
    # Deleting an exercise set in error: as changing it. Nobody has started world.exercise
    # (the world's case is not of it), so the admin's POST deletes it and redirects.
    "exercises.confirm_delete": Rule(
        lambda w: f"/exercises/{w.exercise.id}/delete", ADMIN, overrides={"other_admin": 404}
    ),
    "exercises.delete": Rule(
        lambda w: f"/exercises/{w.exercise.id}/delete",
        {"admin": 302},
        method="POST",
        overrides={"other_admin": 404},
    ),
    "exercises.start": Rule(
        lambda w: f"/exercises/{w.exercise.id}/start",
        {"learner": 302, "peer": 302},
        method="POST",
    ),
    **{
        f"reports.{name}": Rule(path, ADMIN, overrides={"other_admin": 404})
        for name, path in (
            ("cohort_grid_page", lambda w: f"/reports/cohorts/{w.cohort.id}"),
            ("cohort_grid_csv", lambda w: f"/reports/cohorts/{w.cohort.id}.csv"),
            ("cohort_grid_xlsx", lambda w: f"/reports/cohorts/{w.cohort.id}.xlsx"),
        )
    },
    "reports.decision_log_csv": Rule(
        lambda w: "/reports/decision-log.csv", ADMIN | {"other_admin": 200}
    ),
    "site.centres": Rule(lambda w: "/site/centres", {"site_admin": 200}),
    "site.new_centre": Rule(lambda w: "/site/centres/new", {"site_admin": 200}),
    "site.new_centre_admin": Rule(
        lambda w: f"/site/centres/{w.centre.id}/admins/new", {"site_admin": 200}
    ),
    # IQA: only the plan's IQA (anyone else without the role gets 403); the sampled assessor
    # reads the completed review and responds; everyone else finds nothing there.
    "iqa.plans": Rule(lambda w: "/iqa/", {"iqa": 200}),
    "iqa.plan": Rule(lambda w: f"/iqa/plans/{w.plan.id}", {"iqa": 200}),
    "iqa.generate": Rule(lambda w: f"/iqa/plans/{w.plan.id}/generate", {"iqa": 302}, "POST"),
    "iqa.sample": Rule(lambda w: f"/iqa/samples/{w.sample.id}", {"iqa": 200}),
    # The world's review is complete already: completing again is refused with a message.
    "iqa.complete": Rule(lambda w: f"/iqa/samples/{w.sample.id}/complete", {"iqa": 422}, "POST"),
    "iqa.respond": Rule(
        lambda w: f"/iqa/reviews/{w.review.id}/respond", {"assessor": 200, "iqa": 302}, deny=404
    ),
    # The IQA's log holds only their own learners' entries (tests/iqa), so only the role matters.
    "iqa.decision_log_csv": Rule(lambda w: "/iqa/decision-log.csv", {"iqa": 200}),
    "iqa.standardisations": Rule(lambda w: "/iqa/standardisation/", {"iqa": 200}),
    "iqa.new_standardisation": Rule(lambda w: "/iqa/standardisation/new", {"iqa": 200}),
    "iqa.standardisation": Rule(lambda w: f"/iqa/standardisation/{w.submission.id}", {"iqa": 200}),
    # Assessment: assessor pages are for assessors (403 for other roles); another centre's
    # assessor finds nothing of ours (404). Feedback is read like the case; the learner alone
    # acknowledges it. Empty POSTs are refused with a message (422), never applied.
    "review.queue": Rule(lambda w: "/assess/", {"assessor": 200, "other_assessor": 200}),
    "review.caseload": Rule(lambda w: "/assess/caseload", {"assessor": 200, "other_assessor": 200}),
    **{
        f"review.{name}": Rule(
            lambda w, path=path: f"/assess/submissions/{w.submission.id}{path}",
            {"assessor": status, "other_assessor": 404},
            method,
        )
        for name, path, method, status in (
            ("start", "/start", "POST", 302),
            ("bench", "", "GET", 200),
            ("return_submission", "/return", "POST", 422),
            ("sign_off", "/sign-off", "GET", 200),
        )
    },
    "review.correct": Rule(
        lambda w: f"/assess/assessments/{w.returned.id}/correct/{w.criterion.id}",
        {"assessor": 422, "other_assessor": 404},
        "POST",
    ),
    "review.new_evidence": Rule(
        lambda w: f"/assess/portfolios/{w.portfolio.id}/evidence/new",
        {"assessor": 200, "other_assessor": 404},
    ),
    "review.feedback": Rule(
        lambda w: f"/assess/feedback/{w.returned.id}", CASE_READERS, overrides=CASE_HIDDEN
    ),
    "review.acknowledge": Rule(
        lambda w: f"/assess/feedback/{w.returned.id}/acknowledge",
        {"learner": 302},
        "POST",
        overrides=CASE_HIDDEN,
    ),
    # Notifications: everyone has an inbox; one notification is only its owner's.
    "notifications.inbox": Rule(lambda w: "/notifications/", everyone()),
    "notifications.open_notification": Rule(
        lambda w: f"/notifications/{w.notification.id}/open", {"learner": 302}, "POST", deny=404
    ),
    "notifications.read_all": Rule(lambda w: "/notifications/read-all", everyone(302), "POST"),
}


def test_every_route_is_in_the_matrix(app):
    endpoints = {rule.endpoint for rule in app.url_map.iter_rules() if rule.endpoint != "static"}
    missing = endpoints - RULES.keys()
    stale = RULES.keys() - endpoints
    assert not missing, f"routes with no access rule: {sorted(missing)}"
    assert not stale, f"rules for routes that no longer exist: {sorted(stale)}"


@pytest.fixture(scope="session")
def fixture_bundle():
    """The minimal test bundle, parsed once for the whole run."""
    return load_bundle(FIXTURES)


@dataclass
class _Snapshot:
    """A built matrix world as rows: each table's rows (parents first), each world attribute's
    (model, primary key), and the uploaded file's bytes (kept on disk by its random name)."""

    day: date
    rows: list[tuple[sa.Table, list[dict]]]
    refs: dict[str, tuple[type, tuple]]
    files: dict[Path, bytes]


# Building the world runs ~300 services (0.3 s a test on SQLite, more on PostgreSQL) for each of
# the ~900 tests; copying its rows back into the empty tables gives the same database, IDs
# included, in a few milliseconds. One per process (each xdist worker has its own database).
_snapshot: _Snapshot | None = None


def _take_snapshot(world: World) -> _Snapshot:
    refs = {}
    for name, value in vars(world).items():
        state = sa.inspect(value, raiseerr=False)
        if state is not None and getattr(state, "identity", None) is not None:
            refs[name] = (type(value), state.identity)
    rows = []
    with db.engine.connect() as conn:
        for table in db.metadata.sorted_tables:
            query = sa.select(*table.columns).order_by(*table.primary_key.columns)
            keys = [column.key for column in table.columns]
            rows.append((table, [dict(zip(keys, row, strict=True)) for row in conn.execute(query)]))
    upload = Path(current_app.config["UPLOAD_DIR"]) / world.upload.stored_name
    return _Snapshot(date.today(), rows, refs, {upload: upload.read_bytes()})


def _restore(snapshot: _Snapshot) -> World:
    """Put the snapshot's rows back into the empty tables, with PostgreSQL's sequences moved on
    past them (SQLite continues from the highest ID by itself), and return a world whose
    attributes are loaded from the test's session when first read."""
    with db.engine.begin() as conn:
        for table, rows in snapshot.rows:
            if rows:
                conn.execute(table.insert(), rows)
        if conn.dialect.name == "postgresql":
            moves = [
                sa.func.setval(
                    sa.func.pg_get_serial_sequence(table.name, column.name),
                    max(row[column.key] for row in rows),
                )
                for table, rows in snapshot.rows
                if rows and (column := table.autoincrement_column) is not None
            ]
            conn.execute(sa.select(*moves))
    for path, data in snapshot.files.items():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
    return _RestoredWorld(snapshot.refs)


class _RestoredWorld(World):
    def __init__(self, refs: dict[str, tuple[type, tuple]]):
        self._refs = refs

    def __getattr__(self, name: str):
        if name.startswith("_") or name not in self._refs:
            raise AttributeError(name)
        model, identity = self._refs[name]
        value = db.session.get(model, identity)
        setattr(self, name, value)
        return value


@pytest.fixture
def matrix_world(app, make_centre, make_user, fixture_bundle, tmp_path):
    """The world plus a bundled scenario and centre A's own unpublished one: built by the first
    test in each process (and again if the date changes), copied back for the others. Each test
    has a PDF cache of its own, so the PDF rules render as on a freshly built world."""
    global _snapshot
    app.config["PDF_CACHE_DIR"] = str(tmp_path / "pdf")
    if _snapshot is not None and _snapshot.day == date.today():
        return _restore(_snapshot)
    world = _build_matrix_world(World(make_centre, make_user), fixture_bundle)
    _snapshot = _take_snapshot(world)
    return world


def _build_matrix_world(world: World, fixture_bundle) -> World:
    [criteria], [spec] = fixture_bundle
    import_unit(criteria)
    world.bundled_scenario = import_scenario(spec, centre=None, publish=True).version.scenario
    world.own_scenario = import_scenario(spec, centre=world.centre).version.scenario
    world.case = casework.start_case(world.learner, world.bundled_scenario)
    casework.request_document(world.case, "crm-history")
    world.finding = casework.pin_finding(world.case, text="A fact", document_id="crm-history")
    world.entry = casework.add_timeline_entry(
        world.case, occurred_on=date(2026, 3, 1), description="Complaint made"
    )
    world.exercise = create_exercise(
        cohort=world.cohort,
        scenario=world.bundled_scenario,
        title="Practice",
        opens_on=date.today(),
        closes_on=date.today(),
        by=world.admin,
    )
    world.item = next(i for i in evidence.sync_case_items(world.case) if i.mappings)
    world.portfolio = world.item.portfolio
    world.upload = evidence.upload_evidence(
        world.portfolio,
        data=b"%PDF-1.4 a workplace letter",
        filename="letter.pdf",
        title="Letter",
        description="A letter I wrote",
        occurred_on=date(2026, 1, 5),
        by=world.learner,
    )
    criterion = world.item.mappings[0].criterion
    for version in (1, 2):  # a version is made only when something changed
        evidence.set_mapping(
            world.item, criterion, justification=f"It shows the whole trail (take {version})."
        )
        world.submission = evidence.submit(
            world.portfolio,
            declared_name=world.learner.full_name,
            declared_on=date.today(),
            by=world.learner,
        )
    world.analysis = improvement.save_analysis(
        world.case, params=AnalysisParams(measure="cost"), title="By cost"
    )
    world.recommendation = improvement.save_recommendation(
        world.case,
        analysis_id=world.analysis.id,
        fields={
            "change": "Fix the code",
            "owner": "Billing lead",
            "benefit": "No more wrong bills",
            "measure": "Repeats",
            "target": "None a month",
            "by_when": "End of May",
            "root_cause_link": "The expired code",
        },
    )
    _iqa_world(world)
    _review_world(world)
    db.session.commit()
    return world


def _review_world(world) -> None:
    """The returned version 1's assessment (world.returned), the assessor's open marking of
    version 2 (world.assessment), and a notification for the learner."""
    world.returned = db.session.scalar(
        sa.select(Assessment).where(
            Assessment.assessor_id == world.assessor.id,
            Assessment.status == AssessmentStatus.RETURNED,
        )
    )
    world.criterion = criteria_of(world.portfolio.unit_id)[0]
    world.assessment = review.open_assessment(world.submission, by=world.assessor)
    world.notification = notify(
        world.learner,
        "returned",
        "Version 1 was returned.",
        f"/assess/feedback/{world.returned.id}",
    )


def _iqa_world(world) -> None:
    """Version 1 returned (assessment made with the models), sampled by the IQA's plan, and
    the review completed: world.plan, world.sample, world.review."""
    first = db.session.scalar(
        sa.select(Submission).where(
            Submission.portfolio_id == world.portfolio.id, Submission.number == 1
        )
    )
    criteria = criteria_of(world.portfolio.unit_id)
    returned = iqa_builders.assess(
        first,
        world.assessor,
        {c: iqa_builders.C for c in criteria},
        status=AssessmentStatus.RETURNED,
    )
    world.plan = iqa.create_plan(
        world.centre, iqa=world.iqa, name="Interim", stage="interim", share_pct=100
    )
    samples = iqa.generate_sample(world.plan)
    world.sample = next(s for s in samples if s.assessment_id == returned.id)
    world.review = iqa.start_review(world.sample, by=world.iqa)
    iqa.save_verdicts(
        world.review,
        {c.id: (True, "") for c in criteria},
        overall_feedback="",
        actions="",
        expected_version=world.review.version,
    )
    iqa.complete_review(world.review, by=world.iqa)


@pytest.mark.parametrize("actor", ACTORS)
@pytest.mark.parametrize("endpoint", sorted(RULES))
def test_access(app, client, matrix_world, endpoint, actor):
    world = matrix_world
    rule = RULES[endpoint]
    user = world.by_role(actor)
    if user is not None:
        login(client, user)
    response = client.open(rule.url(world), method=rule.method)
    response.close()  # file downloads stream from an open file
    assert response.status_code == rule.expected(actor), (
        f"{rule.method} {rule.url(world)} as {actor}: got {response.status_code}"
    )
    if actor == "anonymous" and rule.anonymous == 302:
        assert "/auth/login" in response.headers["Location"]
