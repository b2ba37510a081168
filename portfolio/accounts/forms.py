"""Forms for centre administration."""

from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    EmailField,
    SelectChoice,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
    widgets,
)
from wtforms.validators import DataRequired, Email, Length, Optional

from portfolio.roles import CENTRE_ROLES


class UserForm(FlaskForm):
    full_name = StringField("Full name", validators=[DataRequired(), Length(max=120)])
    email = EmailField(
        "Email address",
        validators=[DataRequired(), Email(check_deliverability=False), Length(max=254)],
    )
    role = SelectField("Role", choices=[SelectChoice(r.value, r.label) for r in CENTRE_ROLES])
    assessor = SelectField(
        "Assessor", coerce=int, validators=[Optional()], description="Learners only."
    )
    iqa = SelectField("IQA", coerce=int, validators=[Optional()], description="Learners only.")
    is_new_assessor = BooleanField(
        "New assessor (the IQA samples every decision)", description="Assessors only."
    )


class MultiCheckboxField(SelectMultipleField):
    widget = widgets.ListWidget(prefix_label=False)
    option_widget = widgets.CheckboxInput()


class CohortForm(FlaskForm):
    name = StringField("Cohort name", validators=[DataRequired(), Length(max=120)])
    description = TextAreaField("Description", validators=[Optional(), Length(max=2000)])
    members = MultiCheckboxField("Learners in this cohort", coerce=int)


class CentreForm(FlaskForm):
    name = StringField("Centre name", validators=[DataRequired(), Length(max=120)])
    admin_name = StringField(
        "First admin's full name", validators=[DataRequired(), Length(max=120)]
    )
    admin_email = EmailField(
        "First admin's email address",
        validators=[DataRequired(), Email(check_deliverability=False), Length(max=254)],
    )
