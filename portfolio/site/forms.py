"""Forms for the site admin's pages: a centre with its first admin, and another admin for a
centre. Every message says what to do, in the words of the rest of the product."""

from flask_wtf import FlaskForm
from wtforms import EmailField, StringField
from wtforms.validators import DataRequired, Length

from portfolio.accounts.forms import email_address, plain_text


def _admin_name(label: str) -> StringField:
    return StringField(
        label,
        validators=[
            DataRequired("Enter the admin's full name."),
            plain_text,
            Length(max=120, message="Keep the admin's name to 120 characters or fewer."),
        ],
    )


def _admin_email(label: str) -> EmailField:
    return EmailField(
        label,
        validators=[
            DataRequired("Enter the admin's email address."),
            email_address,
            Length(max=254, message="An email address is at most 254 characters."),
        ],
        description="Their sign-in name: it must not belong to anyone else on the site.",
    )


class CentreForm(FlaskForm):
    name = StringField(
        "Centre name",
        validators=[
            DataRequired("Enter the centre's name."),
            plain_text,
            Length(max=120, message="Keep the centre's name to 120 characters or fewer."),
        ],
    )
    admin_name = _admin_name("First admin's full name")
    admin_email = _admin_email("First admin's email address")


class CentreAdminForm(FlaskForm):
    """Another admin for an existing centre (the site admin's way back in when a centre's only
    admin has left or lost their temporary password)."""

    admin_name = _admin_name("Full name")
    admin_email = _admin_email("Email address")
