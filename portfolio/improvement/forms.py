"""Forms for repeated-complaint analysis. They check shape only (required, lengths); the rules
(an analysis of this case, a root cause to link to, stale versions) are in services.py. The
analysis choices (grouping, measure, filters) are parsed by ``AnalysisParams.parse``."""

from flask_wtf import FlaskForm
from wtforms import IntegerField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional
from wtforms.widgets import HiddenInput

from portfolio.accounts.forms import plain_text
from portfolio.improvement.services import MAX_COMMENTARY, MAX_FIELD, MAX_TITLE
from portfolio.record_ids import record_id


def _optional_int(value: object) -> int | None:
    """A chosen id, or None for no choice (or anything that is not an id)."""
    if isinstance(value, int):
        return value
    return record_id(str(value or "").strip())


class SaveAnalysisForm(FlaskForm):
    title = StringField(
        "Title",
        validators=[
            DataRequired(message="Give the analysis a title."),
            Length(max=MAX_TITLE),
            plain_text,
        ],
        description="For example: Cost-weighted Pareto, all complaints.",
    )
    commentary = TextAreaField(
        "Your commentary",
        validators=[Length(max=MAX_COMMENTARY), plain_text],
        description=(
            "What the chart and figures show, what stands out (the vital few, trends, step "
            "changes, what weighting by cost changes) and how it links to this case."
        ),
    )


class CommentaryForm(FlaskForm):
    commentary = TextAreaField(
        "Your commentary", validators=[Length(max=MAX_COMMENTARY), plain_text]
    )
    version = IntegerField(validators=[Optional()], widget=HiddenInput())


class RecommendationForm(FlaskForm):
    analysis_id = SelectField(
        "The saved analysis it rests on",
        coerce=_optional_int,
        validate_choice=False,  # services.save_recommendation says why another id is refused
        validators=[DataRequired(message="Choose the saved analysis this rests on.")],
    )
    change = TextAreaField(
        "The change you recommend",
        validators=[
            DataRequired(message="Describe the change."),
            Length(max=MAX_FIELD),
            plain_text,
        ],
        description="A specific change to a process, system, policy or contract.",
    )
    owner = StringField(
        "Who has the authority to make it",
        validators=[
            DataRequired(message="Say who can make the change."),
            Length(max=200),
            plain_text,
        ],
        description="The role with the authority, for example the head of the team that owns the "
        "process or system.",
    )
    benefit = TextAreaField(
        "Expected benefit",
        validators=[
            DataRequired(message="Say what the change is expected to bring."),
            Length(max=MAX_FIELD),
            plain_text,
        ],
        description="For customers and for the organisation.",
    )
    measure = TextAreaField(
        "How success will be measured",
        validators=[
            DataRequired(message="Say how success will be measured."),
            Length(max=MAX_FIELD),
            plain_text,
        ],
        description="A measure you can count, such as repeat complaints or cost per complaint.",
    )
    target = StringField(
        "Target",
        validators=[
            DataRequired(message="Give a target for the measure, such as a figure to reach."),
            Length(max=200),
            plain_text,
        ],
        description="A figure to reach, for example fewer than 20 complaints a month in that "
        "category.",
    )
    by_when = StringField(
        "By when",
        validators=[
            DataRequired(message="Say by when the change will be made."),
            Length(max=100),
            plain_text,
        ],
        description="A date or a time from now, for example by the end of the next quarter.",
    )
    root_cause_link = TextAreaField(
        "How it addresses the root cause",
        validators=[Length(max=MAX_FIELD), plain_text],
        description="Which cause this change removes, and how.",
    )
    other_customers = TextAreaField(
        "Other customers affected by the same cause",
        validators=[Length(max=MAX_FIELD), plain_text],
        description="What should happen for them: how they are found, put right, and by when.",
    )
    version = IntegerField(validators=[Optional()], widget=HiddenInput())

    FIELDS = (
        "change",
        "owner",
        "benefit",
        "measure",
        "target",
        "by_when",
        "root_cause_link",
        "other_customers",
    )

    def fields_data(self) -> dict[str, str]:
        """The recommendation's text fields as submitted."""
        return {name: self[name].data or "" for name in self.FIELDS}

    def set_analyses(self, titles: list[tuple[int, str]]) -> None:
        """Offer the case's own analyses (and no choice) in the chooser."""
        self.analysis_id.choices = [("", "Choose a saved analysis")] + [
            (str(analysis_id), title) for analysis_id, title in titles
        ]
