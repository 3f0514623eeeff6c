from email_validator import EmailNotValidError, validate_email
from flask_wtf import FlaskForm
from wtforms import (
    EmailField,
    HiddenField,
    IntegerField,
    SelectField,
    SelectMultipleField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Length, NumberRange, Optional, ValidationError

from ..formtools import (
    email_address,
    strip,
)
from ..models.organisation import KIND_LABELS
from .messages import unknown_placeholders


class SelectionForm(FlaskForm):
    """Who to invite: by kind, by region, or a hand-picked list."""

    kind = SelectField("Kind of organisation", choices=[("", "Any kind"), *KIND_LABELS.items()],
                       validate_choice=True)
    region = SelectField("Region", choices=[("", "Any region")], validate_choice=False)
    organisations = SelectMultipleField(
        "Or pick organisations", coerce=int, validate_choice=False,
        description="Hold Ctrl (or Cmd) to pick several. When you pick organisations, "
                    "kind and region are ignored.")
    send = SelectField("Send now?", choices=[("send", "Send the invitations now"),
                                             ("draft", "Save as drafts, send later")])
    step = HiddenField(default="preview")
    preview = SubmitField("Preview")
    confirm = SubmitField("Send invitations")


def _valid_addresses(form, field):
    bad = []
    for address in (a.strip() for a in (field.data or "").split(",")):
        if not address:
            continue
        try:
            validate_email(address, check_deliverability=False, allow_smtputf8=False)
        except EmailNotValidError:
            bad.append(address)
    if bad:
        raise ValidationError("Not a valid e-mail address: " + ", ".join(bad))


class InvitationEditForm(FlaskForm):
    email = EmailField("Send to", validators=[DataRequired(), email_address(), Length(max=254)],
                       filters=[strip])
    cc = StringField("Copies to", validators=[Optional(), Length(max=1000), _valid_addresses],
                     filters=[strip], description="E-mail addresses separated by commas.")
    quota_override = IntegerField(
        "Delegates allowed", validators=[Optional(), NumberRange(min=1, max=100)],
        description="Leave empty to use the meeting's number.")
    submit = SubmitField("Save")


def _known_placeholders(form, field):
    unknown = unknown_placeholders(field.data or "")
    if unknown:
        raise ValidationError("Unknown placeholder: " + ", ".join(f"{{{u}}}" for u in unknown))


def _has_link(form, field):
    if "{link}" not in (field.data or ""):
        raise ValidationError("The body must contain {link}: without it nobody can answer.")


class TemplateForm(FlaskForm):
    subject = StringField("Subject", validators=[DataRequired(), Length(max=300),
                                                 _known_placeholders], filters=[strip])
    body = TextAreaField("Body", validators=[DataRequired(), Length(max=20000),
                                             _known_placeholders, _has_link],
                         render_kw={"rows": 16})
    submit = SubmitField("Save the wording")

