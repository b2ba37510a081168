"""The bulk export form: which cohort."""

from flask_wtf import FlaskForm
from wtforms import SelectField
from wtforms.validators import DataRequired


class CohortExportForm(FlaskForm):
    cohort = SelectField(
        "Cohort",
        coerce=int,
        validators=[DataRequired(message="Choose a cohort.")],
        description="Each learner's latest submitted version goes into one zip of PDFs.",
    )
