"""Writes for exercises."""

import hashlib
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

import sqlalchemy as sa

from portfolio.accounts.models import Cohort, User
from portfolio.casework.models import Case
from portfolio.exercises.models import Exercise
from portfolio.extensions import db
from portfolio.library.models import LibraryScenario, ScenarioVersion
from portfolio.library.queries import current_version, spec_of
from portfolio.review.models import Notification


class ExerciseError(Exception):
    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.message = message
        self.field = field


class SameExercise(ExerciseError):
    """The cohort already has this exercise (a second click on Set exercise): `exercise` is
    that one, and no second one (nor a second round of notices) is made."""

    def __init__(self, exercise: Exercise):
        super().__init__(
            f"{exercise.cohort.name} already has this exercise, with the same scenario version, "
            "title and dates."
        )
        self.exercise = exercise


#: How far from today an exercise's dates may lie: an open date up to a year back (a course
#: already running), a close date up to two years ahead (the longest NVQ registration).
EARLIEST_OPENING = timedelta(days=366)
LATEST_CLOSING = timedelta(days=2 * 366)


def check_dates(
    opens_on: date, closes_on: date, today: date, *, was: Exercise | None = None
) -> None:
    """Refuse dates that make no sense for an exercise being set (or, `was`, changed) today: a
    close date before the open date or already past (the learners would be told of an
    exercise they could no longer start, and counted overdue at once), or dates far outside
    the course's life (a mistyped year). A date an exercise already has is not judged again,
    so a long-running or closed exercise can still have its title or other date corrected."""
    if closes_on < opens_on:
        raise ExerciseError("The close date must be on or after the open date.", "closes_on")
    opening_changed = was is None or opens_on != was.opens_on
    if opening_changed and opens_on < today - EARLIEST_OPENING:
        raise ExerciseError(
            f"The open date is more than a year ago. Choose a date from "
            f"{today - EARLIEST_OPENING:%-d %b %Y} onwards.",
            "opens_on",
        )
    if was is not None and closes_on == was.closes_on:
        return
    if closes_on < today:
        raise ExerciseError(
            f"The close date has passed. Choose today ({today:%-d %b %Y}) or a later date.",
            "closes_on",
        )
    if closes_on > today + LATEST_CLOSING:
        raise ExerciseError(
            f"The close date is more than two years away. Choose a date up to "
            f"{today + LATEST_CLOSING:%-d %b %Y}.",
            "closes_on",
        )


def opening_moment(opens_on: date, today: date) -> datetime | None:
    """When an exercise's "open" notice should appear: the start of its opening day (the
    server's local midnight, the day `date.today()` turns to it), or None when it is open
    already, so the notice is shown at once and ordered by when it was written."""
    if opens_on <= today:
        return None
    return datetime.combine(opens_on, time.min).astimezone().astimezone(UTC)


def _opening_notice(exercise: Exercise) -> str:
    return f"Exercise open: {exercise.title}. Start your case by {exercise.closes_on:%-d %b %Y}."


def create_exercise(
    *,
    cohort: Cohort,
    scenario: LibraryScenario,
    title: str,
    opens_on: date,
    closes_on: date,
    by: User,
    version: ScenarioVersion | None = None,
) -> Exercise:
    """Assign a version of the scenario (its current one unless `version` names another) to a
    cohort of the admin's centre for a period. Each learner of the cohort is told when the
    exercise opens: the notice is written now and shown from the opening day."""
    if cohort.centre_id != by.centre_id:
        raise ExerciseError("Choose a cohort of your own centre.", "cohort")
    if scenario.centre_id not in (None, by.centre_id) or not scenario.published:
        raise ExerciseError("Choose a published scenario from your library.", "scenario")
    if version is not None and version.scenario_id != scenario.id:
        raise ExerciseError(
            f"That version is not one of {scenario.title}'s. Choose one of its versions, or "
            "its current version.",
            "version",
        )
    if version is not None and version.draft:
        raise ExerciseError(
            f"Version {version.number} of {scenario.title} is a draft that learners have not "
            "been given. Publish it from the library first, or choose a published version.",
            "version",
        )
    check_dates(opens_on, closes_on, date.today())
    version = version or current_version(scenario)
    title = (title or "").strip() or spec_of(version).title
    same = db.session.scalar(
        sa.select(Exercise).where(
            Exercise.cohort_id == cohort.id,
            Exercise.scenario_version_id == version.id,
            Exercise.title == title,
            Exercise.opens_on == opens_on,
            Exercise.closes_on == closes_on,
        )
    )
    if same is not None:
        raise SameExercise(same)
    exercise = Exercise(
        centre_id=by.centre_id,
        cohort=cohort,
        scenario=scenario,
        version=version,
        title=title,
        opens_on=opens_on,
        closes_on=closes_on,
        created_by=by,
    )
    db.session.add(exercise)
    db.session.flush()
    shown_from = opening_moment(opens_on, date.today())
    # Added together and flushed once (rather than notify() per learner, which flushes each):
    # a cohort can have hundreds of learners.
    for learner in cohort.members:
        db.session.add(
            Notification(
                user_id=learner.id,
                kind="exercise_opened",
                message=_opening_notice(exercise),
                link=_opening_link(exercise),
                visible_from=shown_from,
            )
        )
    db.session.flush()
    return exercise


def _has_cases(exercise: Exercise) -> bool:
    """Whether any learner has started a case of this exercise."""
    return (
        db.session.scalar(sa.select(Case.id).where(Case.exercise_id == exercise.id).limit(1))
        is not None
    )


def exercise_stamp(exercise: Exercise) -> str:
    """A short fingerprint of what an editor can change (title and dates): the change form
    carries it, so a change made meanwhile by someone else is not silently overwritten (the
    table has no version column)."""
    seen = f"{exercise.title}\n{exercise.opens_on}\n{exercise.closes_on}"
    return hashlib.sha256(seen.encode()).hexdigest()[:16]


class ExerciseChanged(ExerciseError):
    """Someone else changed the exercise after the editor loaded it."""


def change_exercise(
    exercise: Exercise,
    *,
    title: str,
    opens_on: date,
    closes_on: date,
    by: User,
    seen: str | None = None,
) -> Exercise:
    """Correct an exercise's title or dates, with the same checks as setting one: extend it,
    close it early (close today) or move it. The open date stays once a learner has started
    the case. The cohort's "open" notices follow the new title and dates. `seen` is the
    exercise_stamp the editor loaded; a different one now means someone else changed it."""
    if exercise.centre_id != by.centre_id:
        raise ExerciseError("Choose an exercise of your own centre.")
    if seen is not None and seen != exercise_stamp(exercise):
        raise ExerciseChanged(
            f"Someone else changed this exercise while you were editing it: it is now "
            f"{exercise.title}, open {exercise.opens_on:%-d %b %Y} to "
            f"{exercise.closes_on:%-d %b %Y}. Check your changes and save again."
        )
    today = date.today()
    check_dates(opens_on, closes_on, today, was=exercise)
    if opens_on != exercise.opens_on and _has_cases(exercise):
        raise ExerciseError(
            f"Learners have started this exercise, so its open date stays "
            f"{exercise.opens_on:%-d %b %Y}. You can still change the close date.",
            "opens_on",
        )
    exercise.title = (title or "").strip() or exercise.spec.title
    exercise.opens_on = opens_on
    exercise.closes_on = closes_on
    db.session.execute(
        sa.update(Notification)
        .where(
            Notification.kind == "exercise_opened",
            Notification.link == _opening_link(exercise),
        )
        .values(message=_opening_notice(exercise), visible_from=opening_moment(opens_on, today))
    )
    db.session.flush()
    return exercise


def _opening_link(exercise: Exercise) -> str:
    return f"/exercises/{exercise.id}"


def follow_cohort_changes(cohort_id: int, *, joined: list[int], left: list[int]) -> None:
    """Keep the cohort's exercise notices in step with its members: a learner who joins is
    told of each exercise not yet closed, as the members were when it was set (shown from its
    opening day); one who leaves loses the notices of the cohort's exercises, whose pages they
    can no longer open. Two or three statements, however many learners."""
    if not (joined or left):
        return
    today = date.today()
    exercises = db.session.scalars(sa.select(Exercise).where(Exercise.cohort_id == cohort_id)).all()
    if left and exercises:
        db.session.execute(
            sa.delete(Notification)
            .where(
                Notification.kind == "exercise_opened",
                Notification.user_id.in_(left),
                Notification.link.in_([_opening_link(e) for e in exercises]),
            )
            .execution_options(synchronize_session=False)
        )
    current = [e for e in exercises if e.closes_on >= today]
    if not (joined and current):
        return
    told = set(
        db.session.execute(
            sa.select(Notification.user_id, Notification.link).where(
                Notification.kind == "exercise_opened",
                Notification.user_id.in_(joined),
                Notification.link.in_([_opening_link(e) for e in current]),
            )
        ).all()
    )
    for exercise in current:
        link = _opening_link(exercise)
        shown_from = opening_moment(exercise.opens_on, today)
        for user_id in joined:
            if (user_id, link) not in told:
                db.session.add(
                    Notification(
                        user_id=user_id,
                        kind="exercise_opened",
                        message=_opening_notice(exercise),
                        link=link,
                        visible_from=shown_from,
                    )
                )
    db.session.flush()


@dataclass(frozen=True)
class Deletion:
    """What deleting an exercise would do: it may go only while `started` (learners with a
    case of it) is 0; `notices` is how many learners' "open" notices would go with it."""

    started: int
    notices: int

    @property
    def allowed(self) -> bool:
        return self.started == 0


def deletion_of(exercise: Exercise) -> Deletion:
    """Whether the exercise can be deleted, and what would go with it: one query."""
    started = (
        sa.select(sa.func.count(sa.distinct(Case.learner_id)))
        .where(Case.exercise_id == exercise.id)
        .scalar_subquery()
    )
    notices = (
        sa.select(sa.func.count(Notification.id))
        .where(Notification.link == _opening_link(exercise))
        .scalar_subquery()
    )
    return Deletion(*db.session.execute(sa.select(started, notices)).one())


class ExerciseInUse(ExerciseError):
    """Learners have started cases of the exercise, so it cannot be deleted."""


def in_use_message(exercise: Exercise, started: int, today: date | None = None) -> str:
    """Why a started exercise cannot be deleted, and what to do instead (nothing, once it has
    closed: nobody else can start it)."""
    who = "1 learner has" if started == 1 else f"{started} learners have"
    refusal = (
        f"{exercise.title} cannot be deleted: {who} started a case on it, and their work "
        "belongs to it."
    )
    if (today or date.today()) > exercise.closes_on:
        closed = f"{exercise.closes_on:%-d %b %Y}"
        return f"{refusal} It closed on {closed}, so nobody else can start it."
    return (
        f"{refusal} To stop anyone else starting it, close it instead: change its close date "
        "to today."
    )


def delete_exercise(exercise: Exercise, *, by: User) -> None:
    """Delete an exercise set in error (the wrong scenario or cohort), with the cohort's
    notices of it, so no inbox keeps a link to a page that is gone. Refused (ExerciseInUse)
    once any learner has started a case on it: cases keep their exercise for good."""
    if exercise.centre_id != by.centre_id:
        raise ExerciseError("Choose an exercise of your own centre.")
    started = deletion_of(exercise).started
    if started:
        raise ExerciseInUse(in_use_message(exercise, started))
    db.session.execute(
        sa.delete(Notification)
        .where(Notification.link == _opening_link(exercise))
        .execution_options(synchronize_session=False)
    )
    db.session.delete(exercise)
    db.session.flush()
