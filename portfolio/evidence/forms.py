"""Evidence forms. The mapping form has one row per criterion, so it is read by the view."""

from datetime import date

from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import DateField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from portfolio.accounts.forms import plain_text
from portfolio.evidence.uploads import ACCEPT


class UploadForm(FlaskForm):
    file = FileField(
        "File",
        validators=[FileRequired("Choose a file to upload.")],
        description="PDF, Word (.docx), PNG, JPEG or plain text; at most 10 MB.",
        render_kw={"accept": ACCEPT},
    )
    title = StringField(
        "Title",
        validators=[DataRequired("Give the evidence a title."), Length(max=200), plain_text],
    )
    description = TextAreaField(
        "What it is and how it came about",
        validators=[
            DataRequired("Say what the evidence is and how it came about."),
            Length(max=5000),
            plain_text,
        ],
        description="For example: a complaint response I wrote at work, with the customer's "
        "details removed.",
    )
    occurred_on = DateField(
        "Date of the work",
        validators=[DataRequired("Enter the date of the work.")],
        default=date.today,
    )


class SubmitForm(FlaskForm):
    declared_name = StringField(
        "Your full name",
        validators=[
            DataRequired("Type your full name to declare that this evidence is your own work."),
            Length(max=120),
            plain_text,
        ],
        description="Typing your name declares that this evidence is your own work.",
    )
    declared_on = DateField(
        "Today's date",
        validators=[DataRequired("Enter today's date.")],
        default=date.today,
    )


class MappingForm(FlaskForm):
    """CSRF only; the rows are criterion_<id> checkboxes and justification_<id> fields."""


class AssessorEvidenceForm(FlaskForm):
    title = StringField("Title", validators=[Optional(), Length(max=200), plain_text])
    body = TextAreaField("Record", validators=[DataRequired(), Length(max=20000), plain_text])
    occurred_on = DateField("Date", validators=[DataRequired()], default=date.today)
