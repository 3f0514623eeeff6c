from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import (
    BooleanField,
    EmailField,
    HiddenField,
    SearchField,
    SelectField,
    StringField,
    SubmitField,
    TextAreaField,
    URLField,
)
from wtforms.validators import DataRequired, Optional, ValidationError

from ..formtools import Length, email_address
from ..models.organisation import KIND_LABELS
from ..models.registration import LANGUAGE_LABELS
from .rules import CONTACT_LIMITS, ORGANISATION_LIMITS, clean_text, is_web_address


def _strip(value):
    return clean_text(value) if isinstance(value, str) else value


def _optional_id(value):
    """Select value to an organisation id; "" means none."""
    if value in (None, "", "None"):
        return None
    return int(value)


def _web_address(form, field):
    if field.data and not is_web_address(field.data):
        raise ValidationError(_l("Give an address starting with http:// or https://."))


class OrganisationForm(FlaskForm):
    name = StringField(_l("Name"), filters=[_strip],
                       validators=[DataRequired(), Length(max=ORGANISATION_LIMITS["name"])],
                       render_kw={"dir": "auto"})
    acronym = StringField(_l("Acronym"), filters=[_strip],
                          validators=[Length(max=ORGANISATION_LIMITS["acronym"])],
                          render_kw={"dir": "auto"})
    kind = SelectField(_l("Kind"), choices=list(KIND_LABELS.items()), default="international")
    region = StringField(_l("Region"), filters=[_strip],
                         validators=[Length(max=ORGANISATION_LIMITS["region"])],
                         description=_l("For example: Europe, Americas, Global."),
                         render_kw={"list": "region-suggestions", "dir": "auto"})
    # The choices leave out the organisation itself and those below it; the
    # service checks again (the list may be out of date) and explains a refusal.
    parent_id = SelectField(_l("Parent organisation"), coerce=_optional_id, validate_choice=False,
                            description=_l("The organisation this one belongs to, if any."))
    website = URLField(_l("Website"), filters=[_strip],
                       validators=[Optional(), Length(max=ORGANISATION_LIMITS["website"]),
                                   _web_address],
                       description=_l("Optional, starting with http:// or https://."))
    notes = TextAreaField(_l("Notes"), filters=[_strip],
                          validators=[Length(max=ORGANISATION_LIMITS["notes"])],
                          render_kw={"rows": 4, "dir": "auto"})
    language = SelectField(_l("Correspondence language"), choices=list(LANGUAGE_LABELS.items()),
                           default="en",
                           description=_l("The language of the invitations, reminders and "
                                          "answers the secretariat sends it."))
    active = BooleanField(_l("Active"), default=True,
                          description=_l("Inactive organisations are hidden from the list "
                                         "and not offered for invitations."))
    submit = SubmitField(_l("Save"))

    def set_parent_choices(self, choices: list[tuple[int, str]]) -> None:
        self.parent_id.choices = [("", _l("— none —")), *choices]

    def values(self) -> dict:
        return {f: getattr(self, f).data for f in
                ("name", "acronym", "kind", "region", "website", "notes", "active",
                 "language")}


class ContactForm(FlaskForm):
    title = StringField(_l("Form of address"), filters=[_strip],
                        validators=[Length(max=CONTACT_LIMITS["title"])],
                        description=_l("For example: H.E., Mr., Ms., Dr."))
    name = StringField(_l("Name"), filters=[_strip],
                       validators=[DataRequired(), Length(max=CONTACT_LIMITS["name"])],
                       render_kw={"dir": "auto"})
    position = StringField(_l("Position"), filters=[_strip],
                           validators=[Length(max=CONTACT_LIMITS["position"])],
                           render_kw={"dir": "auto"})
    email = EmailField(_l("E-mail"), filters=[_strip],
                       validators=[DataRequired(), email_address(),
                                   Length(max=CONTACT_LIMITS["email"])])
    phone = StringField(_l("Phone"), filters=[_strip],
                        validators=[Length(max=CONTACT_LIMITS["phone"])])
    is_focal_point = BooleanField(
        _l("Focal point"), description=_l(
            "The person invitations are sent to. There is one per organisation: choosing "
            "this contact replaces the current focal point."))
    submit = SubmitField(_l("Save"))

    def values(self) -> dict:
        return {f: getattr(self, f).data for f in ("title", "name", "position", "email", "phone")}


class FilterForm(FlaskForm):
    """The search and filters above the list (GET, so no CSRF token)."""

    class Meta:
        csrf = False

    q = SearchField(_l("Search name or acronym"), filters=[_strip], render_kw={"dir": "auto"})
    kind = SelectField(_l("Kind"), choices=[("", _l("All kinds")), *KIND_LABELS.items()],
                       validate_choice=False)
    region = SelectField(_l("Region"), validate_choice=False)
    inactive = BooleanField(_l("Show inactive"))

    def filters(self) -> dict:
        """The filters to apply; values not offered in the lists are ignored."""
        kind = self.kind.data if self.kind.data in KIND_LABELS else ""
        regions = {value for value, _label in self.region.choices}
        region = self.region.data if self.region.data in regions else ""
        return {"q": self.q.data or "", "kind": kind, "region": region,
                "include_inactive": bool(self.inactive.data)}


class ImportUploadForm(FlaskForm):
    file = FileField(_l("CSV file"), validators=[FileRequired(_l("Choose a CSV file."))],
                     description=_l("UTF-8, at most 2 MB. First line: name,acronym,kind,region "
                                    "and optionally parent,website,notes,active."),
                     render_kw={"accept": ".csv,text/csv"})
    submit = SubmitField(_l("Check the file"))


class ImportConfirmForm(FlaskForm):
    # The file travels back from the preview in this field, packed by the view:
    # no server-side state between the two steps. It is checked again on arrival.
    payload = HiddenField(validators=[DataRequired()])
    submit = SubmitField(_l("Import"))

