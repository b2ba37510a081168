"""Forms for centre administration."""

from email_validator import EmailNotValidError, validate_email
from flask_wtf import FlaskForm
from flask_wtf.file import FileAllowed, FileField, FileRequired
from wtforms import (
    BooleanField,
    EmailField,
    HiddenField,
    RadioField,
    SelectChoice,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
    widgets,
)
from wtforms.validators import DataRequired, Length, Optional, ValidationError

from portfolio.control_characters import has_control_character
from portfolio.roles import CENTRE_ROLES


def email_problem(email: str) -> str | None:
    """Why `email` is not an email address, or None. Syntax check only (no DNS look-up).
    `.test` addresses are allowed, because the demo centre and training rehearsals use them."""
    try:
        validate_email(email or "", check_deliverability=False, test_environment=True)
    except EmailNotValidError as exc:
        # The library says why in a sentence of its own ("An email address must have an
        # @-sign."): carried on after a colon rather than nested in brackets.
        why = str(exc).rstrip(".")
        why = why[:1].lower() + why[1:]
        return f"Enter an email address like name@example.org: {why}."
    return None


def email_address(form, field) -> None:
    """The field holds an email address (email_problem)."""
    if problem := email_problem(field.data):
        raise ValidationError(problem)


STAFF_REFUSED = (
    "Choose an {role} from the list: the one chosen is not an active {role} of this centre "
    "(reload the page if someone has changed since)."
)


def plain_text(form, field) -> None:
    """Refuse control characters (invisible, often pasted in with the text). A NUL in a name
    is stored by SQLite but refused by PostgreSQL (a server error), and the others show as
    nothing or garbage on pages, exports and PDFs. Line breaks and tabs are fine in a
    multi-line field."""
    keep = "\n\r\t" if field.type == "TextAreaField" else ""
    if field.data and has_control_character(field.data, keep=keep):
        raise ValidationError(
            "Remove the invisible control character from this text (it often comes with "
            "pasted text), then save again."
        )


class UserForm(FlaskForm):
    # Messages say what to do, as the rest of the product's do (not WTForms' "This field is
    # required." and "Field cannot be longer than 120 characters.").
    full_name = StringField(
        "Full name",
        validators=[
            DataRequired("Enter the user's full name."),
            plain_text,
            Length(max=120, message="Keep the name to 120 characters or fewer."),
        ],
    )
    email = EmailField(
        "Email address",
        validators=[
            DataRequired("Enter the user's email address: they sign in with it."),
            email_address,
            Length(max=254, message="An email address is at most 254 characters."),
        ],
    )
    # The lists hold only what this centre may choose: anything else was tampered with or is
    # out of date (someone deactivated meanwhile), so say that, not WTForms' "could not coerce".
    role = SelectField(
        "Role",
        choices=[SelectChoice(r.value, r.label) for r in CENTRE_ROLES],
        invalid_choice_message="Choose a role from the list.",
    )
    assessor = SelectField(
        "Assessor",
        coerce=int,
        validators=[Optional()],
        description="Learners only.",
        invalid_value_message=STAFF_REFUSED.format(role="assessor"),
        invalid_choice_message=STAFF_REFUSED.format(role="assessor"),
    )
    iqa = SelectField(
        "IQA",
        coerce=int,
        validators=[Optional()],
        description="Learners only.",
        invalid_value_message=STAFF_REFUSED.format(role="IQA"),
        invalid_choice_message=STAFF_REFUSED.format(role="IQA"),
    )
    is_new_assessor = BooleanField(
        "New assessor (the IQA samples every decision)", description="Assessors only."
    )
    #: The user_stamp of the account as the edit form was loaded.
    seen = HiddenField()


class MoveLearnersForm(FlaskForm):
    to = SelectField(
        "Move them all to",
        coerce=int,
        invalid_value_message="Choose who to move the learners to.",
        invalid_choice_message="Choose who to move the learners to.",
    )


class MultiCheckboxField(SelectMultipleField):
    widget = widgets.ListWidget(prefix_label=False)
    option_widget = widgets.CheckboxInput()


MEMBERS_REFUSED = (
    "One of the learners ticked is not a learner of this centre (the form may be out of date). "
    "Nothing was changed: reload the page and tick the learners again."
)


class CohortForm(FlaskForm):
    name = StringField(
        "Cohort name",
        validators=[
            DataRequired("Enter a name for the cohort, such as “Spring 2027”."),
            plain_text,
            Length(max=120, message="Keep the cohort's name to 120 characters or fewer."),
        ],
    )
    description = TextAreaField(
        "Description",
        validators=[
            Optional(),
            plain_text,
            Length(max=2000, message="Keep the description to 2,000 characters or fewer."),
        ],
    )
    # A posted ID that is not one of the centre's learners listed on the page can only come from
    # a tampered or stale form: say so plainly, not in WTForms' "could not be coerced" terms.
    members = MultiCheckboxField(
        "Learners in this cohort",
        coerce=int,
        invalid_value_message=MEMBERS_REFUSED,
        invalid_choice_message=MEMBERS_REFUSED,
    )


class UserImportForm(FlaskForm):
    file = FileField(
        "CSV file of users",
        validators=[
            FileRequired("Choose a CSV file to import."),
            FileAllowed(
                ["csv", "txt"],
                "Choose a .csv file. From a spreadsheet, save or download the sheet as CSV "
                "(in Excel: Save As, “CSV UTF-8”).",
            ),
        ],
        description="A .csv file of at most 1 MB (5,000 users). Nobody is created unless every "
        "row is right.",
    )


class AllocationForm(FlaskForm):
    """Who to allocate the learners to; the learners are plain checkboxes on the page."""

    scope = RadioField(
        "Allocate",
        choices=[SelectChoice("ticked", "The learners ticked above")],
        default="ticked",
        invalid_choice_message="Choose whether to allocate the ticked learners or all of them.",
    )
    assessor = SelectField(
        "Assessor",
        coerce=int,
        invalid_value_message=STAFF_REFUSED.format(role="assessor"),
        invalid_choice_message=STAFF_REFUSED.format(role="assessor"),
    )
    iqa = SelectField(
        "IQA",
        coerce=int,
        invalid_value_message=STAFF_REFUSED.format(role="IQA"),
        invalid_choice_message=STAFF_REFUSED.format(role="IQA"),
    )
