"""Writes for exercises."""

from datetime import date

from portfolio.accounts.models import Cohort, User
from portfolio.exercises.models import Exercise
from portfolio.extensions import db
from portfolio.library.models import LibraryScenario
from portfolio.library.queries import current_version
from portfolio.review.models import Notification


class ExerciseError(Exception):
    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.message = message
        self.field = field


def create_exercise(
    *,
    cohort: Cohort,
    scenario: LibraryScenario,
    title: str,
    opens_on: date,
    closes_on: date,
    by: User,
) -> Exercise:
    """Assign the scenario's current version to a cohort of the admin's centre for a period,
    and tell the cohort's learners."""
    if cohort.centre_id != by.centre_id:
        raise ExerciseError("Choose a cohort of your own centre.", "cohort")
    if scenario.centre_id not in (None, by.centre_id) or not scenario.published:
        raise ExerciseError("Choose a published scenario from your library.", "scenario")
    if closes_on < opens_on:
        raise ExerciseError("The close date must be on or after the open date.", "closes_on")
    exercise = Exercise(
        centre_id=by.centre_id,
        cohort=cohort,
        scenario=scenario,
        version=current_version(scenario),
        title=(title or "").strip() or scenario.title,
        opens_on=opens_on,
        closes_on=closes_on,
        created_by=by,
    )
    db.session.add(exercise)
    db.session.flush()
    for learner in cohort.members:
        db.session.add(
            Notification(
                user_id=learner.id,
                kind="exercise_opened",
                message=(
                    f"New exercise: {exercise.title}, open {opens_on:%-d %b} to "
                    f"{closes_on:%-d %b %Y}."
                ),
                link=f"/exercises/{exercise.id}",
            )
        )
    db.session.flush()
    return exercise
