"""Forms for casework. Record pages have dynamic fields, so their forms carry the CSRF token
and the record version; records.py cleans the rest of the submitted data."""

from flask_wtf import FlaskForm
from wtforms import DateField, HiddenField, IntegerField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from portfolio.accounts.forms import plain_text


class RecordForm(FlaskForm):
    version = IntegerField(validators=[Optional()])


class FindingForm(FlaskForm):
    # plain_text: PostgreSQL refuses a NUL in a text column (a server error, not a message).
    text = TextAreaField("Finding", validators=[DataRequired(), Length(max=2000), plain_text])
    document_id = HiddenField()
    stakeholder_id = HiddenField()
    question_id = HiddenField()


class TimelineForm(FlaskForm):
    occurred_on = DateField("Date", validators=[DataRequired(message="Enter a real date.")])
    # The messages say what to do, as the service's do (not "This field is required.").
    description = StringField(
        "What happened",
        validators=[
            DataRequired("Describe what happened on that date."),
            Length(max=2000, message="Keep a timeline entry to 2,000 characters."),
            plain_text,
        ],
    )
    document_id = HiddenField()
