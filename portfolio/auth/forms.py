"""Sign-in and password forms."""

from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, PasswordField
from wtforms.validators import DataRequired, EqualTo, Length


class LoginForm(FlaskForm):
    email = EmailField(
        "Email address",
        validators=[
            DataRequired("Enter your email address."),
            Length(max=254, message="An email address is at most 254 characters."),
        ],
    )
    password = PasswordField(
        "Password",
        validators=[
            DataRequired("Enter your password."),
            Length(max=256, message="A password is at most 256 characters."),
        ],
    )
    remember = BooleanField("Keep me signed in on this device")


class ChangePasswordForm(FlaskForm):
    current_password = PasswordField(
        "Current password", validators=[DataRequired("Enter your current password.")]
    )
    new_password = PasswordField(
        "New password",
        validators=[
            DataRequired("Enter a new password."),
            Length(min=10, max=256, message="Your new password must be 10 to 256 characters."),
        ],
        # Every rule password_problem applies, said before the user trips over it.
        description=(
            "At least 10 characters, without your name or email address. A phrase of three "
            "or four words works well."
        ),
    )
    confirm = PasswordField(
        "Confirm new password",
        validators=[
            DataRequired("Enter your new password again."),
            EqualTo("new_password", message="The passwords do not match."),
        ],
    )


class ReauthForm(FlaskForm):
    """Nothing but a CSRF token: used for sign-out and other bare POST buttons."""
