"""Exercise form."""

from flask_wtf import FlaskForm
from wtforms import DateField, HiddenField, SelectChoice, SelectField, StringField
from wtforms.validators import DataRequired, Length, Optional

from portfolio.accounts.forms import plain_text

TITLE_TOO_LONG = "Keep the title to 200 characters or fewer."

#: The version field's value for "the chosen scenario's current version".
CURRENT_VERSION = 0


class ExerciseForm(FlaskForm):
    title = StringField(
        "Title",
        validators=[Optional(), plain_text, Length(max=200, message=TITLE_TOO_LONG)],
        description="Leave blank to use the scenario's title.",
    )
    # A value not in the lists was tampered with or is out of date: say so plainly.
    cohort = SelectField(
        "Cohort",
        coerce=int,
        invalid_value_message="Choose one of your centre's cohorts from the list.",
        invalid_choice_message="Choose one of your centre's cohorts from the list.",
    )
    scenario = SelectField(
        "Scenario",
        coerce=int,
        invalid_value_message="Choose a published scenario from the list.",
        invalid_choice_message="Choose a published scenario from the list.",
    )
    version = SelectField(
        "Scenario version",
        coerce=int,
        default=CURRENT_VERSION,
        description=(
            "The exercise keeps this version: later edits to the scenario do not change it. "
            "Choose an earlier version to repeat an exercise as it was."
        ),
        invalid_value_message="Choose a version from the list.",
        invalid_choice_message="Choose a version of a scenario in your library.",
    )
    opens_on = DateField("Opens on", validators=[DataRequired(message="Enter a real date.")])
    closes_on = DateField("Closes on", validators=[DataRequired(message="Enter a real date.")])

    def offer(self, cohorts, scenarios, versions) -> None:
        """Set the choices: the centre's cohorts, the published scenarios it may use, and
        every version of those, grouped by scenario, newest first, after "current"."""
        self.cohort.choices = [SelectChoice(c.id, c.name) for c in cohorts]
        # The slug tells apart scenarios with the same title (a centre's copy of a bundled one).
        titles = {
            s.id: f"{s.title} ({s.slug}, {'bundled' if s.bundled else 'your centre'})"
            for s in scenarios
        }
        self.scenario.choices = [SelectChoice(s.id, titles[s.id]) for s in scenarios]
        currents = {s.id: s.current_number for s in scenarios}
        self.version.choices = [
            SelectChoice(CURRENT_VERSION, "The current version of the chosen scenario")
        ] + [
            SelectChoice(
                v.id,
                f"Version {v.number}"
                + (" (current)" if v.number == currents[v.scenario_id] else "")
                + f", {v.created_at:%-d %b %Y}",
                optgroup=titles[v.scenario_id],
            )
            for v in versions
        ]


class ExerciseChangeForm(FlaskForm):
    """Correcting a set exercise: its title and dates (the cohort and scenario stay)."""

    title = StringField(
        "Title",
        validators=[Optional(), plain_text, Length(max=200, message=TITLE_TOO_LONG)],
        description="Leave blank to use the scenario's title.",
    )
    opens_on = DateField("Opens on", validators=[DataRequired(message="Enter a real date.")])
    closes_on = DateField(
        "Closes on",
        validators=[DataRequired(message="Enter a real date.")],
        # An exercise is open through its close date: "today" is the earliest it can close, and
        # learners may still start during the rest of the day.
        description=(
            "To close the exercise early, choose today: learners can still start it until the "
            "end of today, not after."
        ),
    )
    #: The exercise_stamp of the exercise as the form was loaded.
    seen = HiddenField()
