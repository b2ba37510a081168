"""Exercise form."""

from flask_wtf import FlaskForm
from wtforms import DateField, SelectField, StringField
from wtforms.validators import DataRequired, Length, Optional


class ExerciseForm(FlaskForm):
    title = StringField(
        "Title",
        validators=[Optional(), Length(max=200)],
        description="Leave blank to use the scenario's title.",
    )
    cohort = SelectField("Cohort", coerce=int)
    scenario = SelectField("Scenario", coerce=int, description="Its current version is pinned.")
    opens_on = DateField("Opens on", validators=[DataRequired(message="Enter a real date.")])
    closes_on = DateField("Closes on", validators=[DataRequired(message="Enter a real date.")])
