"""Account services: creation rules, allocation, cohorts, passwords, throttling."""

import pytest
import sqlalchemy as sa

from portfolio.accounts import services
from portfolio.accounts.errors import AccountError
from portfolio.accounts.models import LoginFailure, User
from portfolio.auth.passwords import verify_password
from portfolio.extensions import db
from portfolio.roles import Role
from tests.conftest import PASSWORD


def test_create_user_hashes_with_argon2_and_normalises_email(app, make_centre):
    user = services.create_user(
        email="  Casey@Example.TEST ",
        full_name=" Casey Jones ",
        role=Role.LEARNER,
        centre=make_centre(),
        password=PASSWORD,
    )
    assert user.email == "casey@example.test"
    assert user.full_name == "Casey Jones"
    assert user.password_hash.startswith("$argon2id$")
    assert verify_password(user.password_hash, PASSWORD)
    assert not verify_password(user.password_hash, "wrong password!")
    assert user.must_change_password


def test_email_taken_is_refused_case_insensitively(app, make_user):
    existing = make_user(email="taken@example.test")
    with pytest.raises(AccountError, match="already exists") as exc:
        services.create_user(
            email="TAKEN@example.test",
            full_name="Someone",
            role=Role.LEARNER,
            centre=existing.centre,
            password=PASSWORD,
        )
    assert exc.value.field == "email"


def test_only_site_admin_stands_outside_a_centre(app, make_centre):
    with pytest.raises(AccountError):
        services.create_user(
            email="a@b.test", full_name="A", role=Role.LEARNER, centre=None, password=PASSWORD
        )
    with pytest.raises(AccountError):
        services.create_user(
            email="a@b.test",
            full_name="A",
            role=Role.SITE_ADMIN,
            centre=make_centre(),
            password=PASSWORD,
        )


def test_allocation_must_come_from_the_same_centre_and_role(app, world):
    with pytest.raises(AccountError, match="from this centre"):
        services.update_user(
            world.peer,
            email=world.peer.email,
            full_name=world.peer.full_name,
            role=Role.LEARNER,
            assessor=world.other_assessor,
            iqa=None,
            by=world.admin,
        )
    with pytest.raises(AccountError):
        services.update_user(
            world.peer,
            email=world.peer.email,
            full_name=world.peer.full_name,
            role=Role.LEARNER,
            assessor=world.iqa,  # an IQA is not an assessor
            iqa=None,
            by=world.admin,
        )
    services.update_user(
        world.peer,
        email=world.peer.email,
        full_name=world.peer.full_name,
        role=Role.LEARNER,
        assessor=world.assessor,
        iqa=world.iqa,
        by=world.admin,
    )
    assert world.peer.assessor_id == world.assessor.id


def test_allocation_is_cleared_when_a_learner_becomes_staff(app, world, make_user):
    # A learner in no cohort and with no case yet (one with either keeps the role).
    newcomer = make_user(
        Role.LEARNER, world.centre, email="new@alpha.test", assessor=world.assessor, iqa=world.iqa
    )
    services.update_user(
        newcomer,
        email=newcomer.email,
        full_name=newcomer.full_name,
        role=Role.ASSESSOR,
        assessor=world.assessor,
        iqa=world.iqa,
        by=world.admin,
    )
    assert newcomer.assessor_id is None and newcomer.iqa_id is None


def test_admin_cannot_deactivate_or_demote_themselves(app, world):
    with pytest.raises(AccountError):
        services.set_active(world.admin, active=False, by=world.admin)
    with pytest.raises(AccountError, match="own role"):
        services.update_user(
            world.admin,
            email=world.admin.email,
            full_name="X",
            role=Role.LEARNER,
            assessor=None,
            iqa=None,
            by=world.admin,
        )


def test_change_password_rules(app, make_user):
    user = make_user(must_change_password=True)
    with pytest.raises(AccountError, match="current password"):
        services.change_password(user, current="nope nope nope", new="a long new phrase here")
    with pytest.raises(AccountError, match="at least 10"):
        services.change_password(user, current=PASSWORD, new="short")
    with pytest.raises(AccountError, match="easy to guess"):
        services.change_password(user, current=PASSWORD, new="password123")
    with pytest.raises(AccountError, match="different"):
        services.change_password(user, current=PASSWORD, new=PASSWORD)
    services.change_password(user, current=PASSWORD, new="a long new phrase here")
    assert not user.must_change_password
    assert verify_password(user.password_hash, "a long new phrase here")


def test_throttle_counts_failures_per_email(app):
    app.config["LOGIN_MAX_FAILURES_PER_EMAIL"] = 3
    for _ in range(2):
        services.record_login_failure(email="x@y.test", ip="10.0.0.1")
    assert not services.login_throttled(email="x@y.test", ip="10.0.0.1")
    services.record_login_failure(email="X@Y.test", ip="10.0.0.2")
    assert services.login_throttled(email="x@y.test", ip="10.0.0.9")
    services.clear_login_failures(email="x@y.test")
    assert not services.login_throttled(email="x@y.test", ip="10.0.0.9")
    assert db.session.scalar(sa.select(sa.func.count(LoginFailure.id))) == 0


def test_cohort_names_unique_per_centre_and_members_are_learners(app, world):
    with pytest.raises(AccountError, match="already has a cohort"):
        services.create_cohort(centre=world.centre, name="Alpha cohort")
    services.create_cohort(centre=world.other_centre, name="Alpha cohort")  # other centre: fine
    with pytest.raises(AccountError):
        services.set_cohort_members(world.cohort, learners=[world.other_learner])
    with pytest.raises(AccountError):
        services.set_cohort_members(world.cohort, learners=[world.assessor])


def test_demo_is_idempotent(app, runner):
    assert runner.invoke(args=["demo"]).exit_code == 0
    assert runner.invoke(args=["demo"]).exit_code == 0
    emails = set(db.session.scalars(sa.select(User.email)))
    assert emails == {
        "admin@demo.test",
        "assessor@demo.test",
        "iqa@demo.test",
        "learner@demo.test",
        "learner2@demo.test",
    }
    learner = db.session.scalar(sa.select(User).where(User.email == "learner@demo.test"))
    assert learner.assessor.email == "assessor@demo.test"
    assert learner.iqa.email == "iqa@demo.test"
    assert [c.name for c in learner.cohorts] == ["Demo cohort"]
    assert verify_password(learner.password_hash, "portfolio-demo")


def test_create_admin_command(app, runner):
    result = runner.invoke(
        args=["create-admin", "--email", "root@site.test", "--name", "Root Admin"],
        input="a strong site password\na strong site password\n",
    )
    assert result.exit_code == 0, result.output
    user = db.session.scalar(sa.select(User).where(User.email == "root@site.test"))
    assert user.role == Role.SITE_ADMIN and user.centre_id is None
    weak = runner.invoke(
        args=["create-admin", "--email", "b@site.test", "--name", "B"], input="short\nshort\n"
    )
    assert weak.exit_code != 0 and "at least 10" in weak.output
    # A blank name or an address that is not one made a site admin who could sign in.
    for email, name, message in [
        ("bad-email", "Bad Email", "Enter an email address like name@example.org"),
        ("c@site.test", "   ", "Give the site admin's full name"),
    ]:
        refused = runner.invoke(
            args=["create-admin", "--email", email, "--name", name],
            input="a strong site password\na strong site password\n",
        )
        assert refused.exit_code != 0 and message in refused.output, refused.output
    assert db.session.scalar(sa.select(sa.func.count(User.id))) == 1


def test_demo_with_scenarios_has_a_submitted_worked_case(app, runner):
    from portfolio.casework.models import Case
    from portfolio.evidence.models import Submission
    from portfolio.exercises.models import Exercise

    assert runner.invoke(args=["scenarios", "load"]).exit_code == 0
    for _ in range(2):
        result = runner.invoke(args=["demo"])
        assert result.exit_code == 0, result.output
    assert db.session.scalar(sa.select(sa.func.count(Submission.id))) == 1
    assert db.session.scalar(sa.select(sa.func.count(Case.id))) == 1
    assert db.session.scalar(sa.select(sa.func.count(Exercise.id))) == 1
    submission = db.session.scalar(sa.select(Submission))
    assert submission.portfolio.learner.email == "learner2@demo.test"
    assert any(item["mappings"] for item in submission.snapshot["items"])


@pytest.mark.parametrize("staff", ["assessor", "iqa"])
def test_staff_with_allocated_learners_keep_their_role_and_stay_active(app, world, staff):
    person = getattr(world, staff)
    job = "IQA" if staff == "iqa" else "assessor"
    with pytest.raises(AccountError, match=rf"still the {job} of 1 learner \(") as exc:
        services.update_user(
            person,
            email=person.email,
            full_name=person.full_name,
            role=Role.LEARNER,
            assessor=None,
            iqa=None,
            by=world.admin,
        )
    assert exc.value.field == "role" and "first" in exc.value.message
    with pytest.raises(AccountError, match="deactivate the account"):
        services.set_active(person, active=False, by=world.admin)
    assert person.active
    world.learner.assessor = world.learner.iqa = None
    services.set_active(person, active=False, by=world.admin)
    assert not person.active


def test_a_learner_in_a_cohort_or_with_a_case_keeps_the_learner_role(app, world):
    """world.learner is in a cohort: made an assessor, they would stay on its board and grid
    with a portfolio no learner page shows. A learner with neither may change role."""
    from portfolio.accounts.models import User

    def make(user: User, role: Role) -> None:
        services.update_user(
            user,
            email=user.email,
            full_name=user.full_name,
            role=role,
            assessor=None,
            iqa=None,
            is_new_assessor=False,
            by=world.admin,
        )

    with pytest.raises(AccountError) as exc:
        make(world.learner, Role.ASSESSOR)
    assert exc.value.field == "role" and "is in a cohort" in exc.value.message
    assert "separate account" in exc.value.message
    db.session.rollback()
    assert db.session.get(User, world.learner.id).role == Role.LEARNER
    loner = services.create_user(
        email="loner@alpha.test",
        full_name="Lone Learner",
        role=Role.LEARNER,
        centre=world.centre,
        password=PASSWORD,
    )
    make(loner, Role.ASSESSOR)
    assert loner.role == Role.ASSESSOR


def test_a_reissued_password_lifts_the_accounts_sign_in_lock(app, make_user):
    """A user locked out for forgetting their password asked the admin for a new one, then
    still had to wait out the throttle: a reissue forgets the account's failures."""
    user = make_user(email="locked@example.test")
    for _ in range(app.config["LOGIN_MAX_FAILURES_PER_EMAIL"]):
        services.record_login_failure(email=user.email, ip="10.0.0.1")
    assert services.login_throttled(email=user.email, ip="10.0.0.2")
    services.reset_password(user, temporary="Fresh-temporary-9")
    assert not services.login_throttled(email=user.email, ip="10.0.0.2")
    others = db.session.scalar(sa.select(sa.func.count(LoginFailure.id)))
    assert others == 0
