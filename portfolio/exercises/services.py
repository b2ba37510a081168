"""Writes for exercises."""

from datetime import UTC, date, datetime, time

import sqlalchemy as sa

from portfolio.accounts.models import Cohort, User
from portfolio.exercises.models import Exercise
from portfolio.extensions import db
from portfolio.library.models import LibraryScenario, ScenarioVersion
from portfolio.library.queries import current_version
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


def opening_moment(opens_on: date, today: date) -> datetime | None:
    """When an exercise's "open" notice should appear: the start of its opening day (the
    server's local midnight, the day `date.today()` turns to it), or None when it is open
    already, so the notice is shown at once and ordered by when it was written."""
    if opens_on <= today:
        return None
    return datetime.combine(opens_on, time.min).astimezone().astimezone(UTC)


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
    if closes_on < opens_on:
        raise ExerciseError("The close date must be on or after the open date.", "closes_on")
    version = version or current_version(scenario)
    title = (title or "").strip() or scenario.title
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
                message=(
                    f"Exercise open: {exercise.title}. Start your case by {closes_on:%-d %b %Y}."
                ),
                link=f"/exercises/{exercise.id}",
                visible_from=shown_from,
            )
        )
    db.session.flush()
    return exercise
