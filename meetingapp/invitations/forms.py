from email_validator import EmailNotValidError, validate_email
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
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
from wtforms.validators import DataRequired, NumberRange, Optional, ValidationError

from ..formtools import (
    Length,
    email_address,
    strip,
)
from ..models.organisation import KIND_LABELS
from .messages import unknown_placeholders


class SelectionForm(FlaskForm):
    """Who to invite: by kind, by region, or a hand-picked list."""

    kind = SelectField(_l("Kind of organisation"),
                       choices=[("", _l("Any kind")), *KIND_LABELS.items()],
                       validate_choice=True)
    region = SelectField(_l("Region"), choices=[("", _l("Any region"))], validate_choice=False)
    organisations = SelectMultipleField(
        _l("Or pick organisations"), coerce=int, validate_choice=False,
        description=_l("Hold Ctrl (or Cmd) to pick several. When you pick organisations, "
                       "kind and region are ignored."))
    send = SelectField(_l("Send now?"), choices=[("send", _l("Send the invitations now")),
                                                 ("draft", _l("Save as drafts, send later"))])
    step = HiddenField(default="preview")
    preview = SubmitField(_l("Preview"))
    confirm = SubmitField(_l("Send invitations"))


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
        raise ValidationError(_("Not a valid e-mail address: %(addresses)s",
                                addresses=", ".join(bad)))


class InvitationEditForm(FlaskForm):
    email = EmailField(_l("Send to"),
                       validators=[DataRequired(), email_address(), Length(max=254)],
                       filters=[strip])
    cc = StringField(_l("Copies to"), validators=[Optional(), Length(max=1000), _valid_addresses],
                     filters=[strip], description=_l("E-mail addresses separated by commas."))
    quota_override = IntegerField(
        _l("Delegates allowed"), validators=[Optional(), NumberRange(min=1, max=100)],
        description=_l("Leave empty to use the meeting's number."))
    submit = SubmitField(_l("Save"))


def _known_placeholders(form, field):
    unknown = unknown_placeholders(field.data or "")
    if unknown:
        raise ValidationError(_("Unknown placeholder: %(names)s",
                                names=", ".join(f"{{{u}}}" for u in unknown)))


def _has_link(form, field):
    if "{link}" not in (field.data or ""):
        raise ValidationError(_("The body must contain {link}: without it nobody can answer."))


class TemplateForm(FlaskForm):
    subject = StringField(_l("Subject"), validators=[DataRequired(), Length(max=300),
                                                     _known_placeholders], filters=[strip])
    body = TextAreaField(_l("Body"), validators=[DataRequired(), Length(max=20000),
                                                 _known_placeholders, _has_link],
                         render_kw={"rows": 16})
    submit = SubmitField(_l("Save the wording"))

