from flask_wtf import FlaskForm
from wtforms import EmailField, PasswordField, SelectField, StringField, SubmitField
from wtforms.validators import DataRequired, EqualTo, Length

from ..formtools import email_address
from ..models.user import ROLE_LABELS

MIN_PASSWORD = 12


def _role_choices():
    return list(ROLE_LABELS.items())


class PasswordMixin:
    password = PasswordField(
        "Password",
        validators=[DataRequired(), Length(min=MIN_PASSWORD, max=200, message=(
            f"Use at least {MIN_PASSWORD} and at most 200 characters."))],
        description=f"At least {MIN_PASSWORD} characters.",
    )
    confirm = PasswordField(
        "Repeat the password",
        validators=[DataRequired(), EqualTo("password", message="The two passwords differ.")],
    )


class UserCreateForm(PasswordMixin, FlaskForm):
    email = EmailField("E-mail", validators=[DataRequired(), email_address(), Length(max=254)])
    name = StringField("Name", validators=[DataRequired(), Length(max=200)])
    role = SelectField("Role", choices=_role_choices(), default="staff")
    submit = SubmitField("Create user")


class UserEditForm(FlaskForm):
    name = StringField("Name", validators=[DataRequired(), Length(max=200)])
    role = SelectField("Role", choices=_role_choices())
    submit = SubmitField("Save")


class PasswordResetForm(PasswordMixin, FlaskForm):
    submit = SubmitField("Set new password")

