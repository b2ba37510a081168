"""Forms for internal quality assurance. They check shape only; the rules (share 1-100, every
decided criterion has a verdict, ...) are in iqa.py. The verdict form has one row per decided
criterion, so its rows are read by the view."""

from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    IntegerField,
    RadioField,
    SelectChoice,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import (
    DataRequired,
    InputRequired,
    Length,
    NumberRange,
    Optional,
    StopValidation,
)
from wtforms.widgets import HiddenInput

from portfolio.accounts.forms import MultiCheckboxField, plain_text
from portfolio.review.models import SampleStage

STAGE_LABELS = {
    SampleStage.INTERIM: "Interim: while learners are still working (returned and signed-off "
    "assessments)",
    SampleStage.SUMMATIVE: "Summative: final decisions (signed-off assessments only)",
}


class WholeNumberField(IntegerField):
    """An IntegerField whose "not a number" message is the field's own: the stock "Not a valid
    integer value." read unlike the field's other message (a share typed as 20.5, say)."""

    def __init__(self, *args, invalid_message: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.invalid_message = invalid_message

    def process_formdata(self, valuelist):
        try:
            super().process_formdata(valuelist)
        except ValueError:
            raise ValueError(self.invalid_message) from None

    def pre_validate(self, form):
        """A value that was not a whole number has said so: the range check would say it
        again about the missing number."""
        if self.process_errors:
            raise StopValidation()


class PlanForm(FlaskForm):
    name = StringField(
        "Plan name",
        validators=[DataRequired("Give the plan a name."), Length(max=120), plain_text],
        description="For example: Interim sample, spring cohort.",
    )
    stage = RadioField(
        "Stage",
        choices=[SelectChoice(s.value, label) for s, label in STAGE_LABELS.items()],
        default=SampleStage.INTERIM.value,
        validators=[InputRequired("Choose interim or summative sampling.")],
    )
    share_pct = WholeNumberField(
        "Share of each assessor's assessments to sample (%)",
        invalid_message="Enter a whole number from 1 to 100.",
        default=20,
        validators=[
            InputRequired("Enter a whole number from 1 to 100."),
            NumberRange(1, 100, "Enter a whole number from 1 to 100."),
        ],
        description="A whole number from 1 to 100. Rounded up: 20% of 3 assessments samples 1.",
        render_kw={"inputmode": "numeric"},
    )
    all_new_assessors = BooleanField("Sample every assessment of a new assessor", default=True)
    each_scenario = BooleanField("Sample each scenario at least once", default=True)


class VerdictForm(FlaskForm):
    """CSRF, the version the page showed, and the review's free text. The per-criterion rows
    are verdict_<criterion id> (agree | disagree) and feedback_<criterion id>."""

    version = IntegerField(validators=[Optional()], widget=HiddenInput())
    # the latest correction of the assessor's decisions that the page showed (iqa.corrections_seen)
    corrections_seen = IntegerField(validators=[Optional()], widget=HiddenInput())
    overall_feedback = TextAreaField(
        "Overall feedback for the assessor",
        validators=[Optional(), Length(max=5000), plain_text],
    )
    actions = TextAreaField(
        "Actions for the assessor",
        validators=[Optional(), Length(max=5000), plain_text],
        description="Needed when you disagree with a decision: what the assessor should do, "
        "and by when.",
    )


class RespondForm(FlaskForm):
    response = TextAreaField(
        "Your response",
        validators=[DataRequired("Write your response."), Length(max=5000), plain_text],
        description="What you will do about the IQA's feedback and actions.",
    )


class StandardisationForm(FlaskForm):
    submission = SelectField(
        "Submission to standardise on",
        coerce=int,
        validators=[InputRequired("Choose a submission.")],
        description="The latest version submitted by each of your learners.",
    )
    assessors = MultiCheckboxField(
        "Assessors to mark it",
        coerce=int,
        description="They mark it on their bench for comparison only; the learner never sees "
        "these markings. Its own assessor's marking is compared too.",
    )
