"""The bulk export form: which cohort."""

from flask_wtf import FlaskForm
from wtforms import SelectField
from wtforms.validators import DataRequired


class CohortExportForm(FlaskForm):
    cohort = SelectField(
        "Cohort",
        coerce=int,
        validators=[DataRequired(message="Choose a cohort.")],
        # Only the centre's own cohorts are offered: anything else was tampered with or is gone.
        invalid_value_message="Choose one of your centre's cohorts from the list.",
        invalid_choice_message="Choose one of your centre's cohorts from the list.",
        description="Each learner's latest submitted version goes into one zip of PDFs.",
    )
