"""Assessment forms. The bench has one decision and one feedback field per criterion, so its
rows are read by `read_decisions` rather than declared."""

from datetime import date

from flask_wtf import FlaskForm
from werkzeug.datastructures import MultiDict
from wtforms import (
    DateField,
    IntegerField,
    PasswordField,
    RadioField,
    SelectChoice,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Length, Optional
from wtforms.widgets import HiddenInput

from portfolio.accounts.forms import plain_text
from portfolio.evidence.content import ASSESSOR_SOURCES
from portfolio.record_ids import record_id
from portfolio.review.services import ReviewError

OUTSIDE = "The form named a criterion that is not part of this unit. Nothing was saved."


def read_decisions(form: MultiDict) -> dict[int, tuple[str | None, str]]:
    """{criterion id: (decision or None, feedback)} from the bench's decision_<id> and
    feedback_<id> fields. A field naming no criterion id is refused (tampered form)."""
    decisions: dict[int, tuple[str | None, str]] = {}
    for key in form:
        prefix, _, raw = key.partition("_")
        if prefix not in ("decision", "feedback"):
            continue
        cid = record_id(raw)
        if cid is None:
            raise ReviewError(OUTSIDE)
        decisions[cid] = (form.get(f"decision_{raw}") or None, form.get(f"feedback_{raw}", ""))
    return decisions


def read_version(form: MultiDict) -> int:
    """The assessment version the page was built from."""
    version = record_id(form.get("version", ""))
    if version is None:
        raise ReviewError("The form lost track of which version it edits. Reload the page.")
    return version


class SignOffForm(FlaskForm):
    signed_name = StringField(
        "Your full name",
        validators=[DataRequired("Type your full name to sign."), Length(max=120), plain_text],
        description="Typing your name signs the decisions above.",
        render_kw={"autocomplete": "name"},
    )
    password = PasswordField(
        "Your password",
        validators=[DataRequired("Re-enter your password to sign."), Length(max=256)],
        description="Re-enter the password you sign in with.",
        render_kw={"autocomplete": "current-password"},
    )


class CorrectionForm(FlaskForm):
    decision = RadioField(
        "Corrected decision",
        choices=[
            SelectChoice("competent", "Competent"),
            SelectChoice("not_yet", "Not yet competent"),
        ],
        validators=[DataRequired("Choose the corrected decision.")],
    )
    feedback = TextAreaField("Feedback", validators=[Optional(), Length(max=10_000), plain_text])
    reason = TextAreaField(
        "Reason for the correction",
        validators=[
            DataRequired("Say why the decision is being corrected."),
            Length(max=2000),
            plain_text,
        ],
    )
    # the latest correction of this decision the page showed (queries.last_correction_seq)
    seen = IntegerField(validators=[Optional()], widget=HiddenInput())


class AssessorRecordForm(FlaskForm):
    source = RadioField(
        "Kind of record",
        choices=[SelectChoice(value, label) for value, label in ASSESSOR_SOURCES.items()],
        validators=[DataRequired("Choose the kind of record.")],
    )
    title = StringField("Title", validators=[Optional(), Length(max=200), plain_text])
    body = TextAreaField(
        "Record",
        validators=[DataRequired("Write the record."), Length(max=20_000), plain_text],
        description="What was discussed, observed or asked, and what the learner said or did.",
    )
    occurred_on = DateField(
        "Date",
        validators=[DataRequired("Enter the date it took place.")],
        default=date.today,
        description="The day the discussion, observation or questioning took place.",
    )
