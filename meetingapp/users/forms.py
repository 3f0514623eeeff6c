from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import EmailField, PasswordField, SelectField, StringField, SubmitField
from wtforms.validators import DataRequired, EqualTo

from ..formtools import Length, email_address
from ..models.user import ROLE_LABELS

MIN_PASSWORD = 12


def _role_choices():
    return list(ROLE_LABELS.items())


class PasswordMixin:
    password = PasswordField(
        _l("Password"),
        validators=[DataRequired(), Length(min=MIN_PASSWORD, max=200, message=_l(
            "Use at least %(min)d and at most 200 characters.", min=MIN_PASSWORD))],
        description=_l("At least %(min)d characters.", min=MIN_PASSWORD),
    )
    confirm = PasswordField(
        _l("Repeat the password"),
        validators=[DataRequired(), EqualTo("password", message=_l("The two passwords differ."))],
    )


class UserCreateForm(PasswordMixin, FlaskForm):
    email = EmailField(_l("E-mail"), validators=[DataRequired(), email_address(), Length(max=254)])
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=200)])
    role = SelectField(_l("Role"), choices=_role_choices(), default="staff")
    submit = SubmitField(_l("Create user"))


class UserEditForm(FlaskForm):
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=200)])
    role = SelectField(_l("Role"), choices=_role_choices())
    submit = SubmitField(_l("Save"))


class PasswordResetForm(PasswordMixin, FlaskForm):
    submit = SubmitField(_l("Set new password"))

