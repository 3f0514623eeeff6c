"""Forms of registration: the representative's delegate form and the staff decisions."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import (
    BooleanField,
    EmailField,
    SelectField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Optional, Regexp

from ..formtools import Length, LongSelect, email_address, is_row_id, strip
from ..i18n import DEFAULT_LANGUAGE, current_language
from ..models.organisation import KIND_LABELS
from ..models.registration import (
    ATTENDANCE_LABELS,
    DELEGATE_ROLE_LABELS,
    LANGUAGE_LABELS,
    REGISTRATION_STATUS_LABELS,
)
from .choices import countries

# Suggested in the form (a datalist); any other form of address may be typed.
FORMS_OF_ADDRESS = ("H.E. Mr.", "H.E. Ms.", "Mr.", "Ms.", "Mrs.", "Dr.", "Prof.")


def preferred_language(organisation) -> str:
    """The language a new delegate's form preselects: the organisation's correspondence
    language where the secretariat chose one other than the default, else the page's.

    The list of languages starts with Arabic; without a preselection a representative
    who leaves the field alone would register a delegate whose e-mails come in Arabic.
    """
    chosen = getattr(organisation, "language", None)
    if chosen and chosen != DEFAULT_LANGUAGE and chosen in LANGUAGE_LABELS:
        return chosen
    page = current_language()
    return page if page in LANGUAGE_LABELS else DEFAULT_LANGUAGE


class DelegateForm(FlaskForm):
    """One delegate, as the representative registers or changes them."""

    role = SelectField(_l("Role in the delegation"), choices=list(DELEGATE_ROLE_LABELS.items()),
                       default="delegate", validators=[DataRequired()])
    title = StringField(_l("Form of address"), validators=[Optional(), Length(max=50)],
                        filters=[strip], description=_l("For example H.E. Mr., Ms., Dr."),
                        render_kw={"list": "forms-of-address", "autocomplete": "honorific-prefix"})
    given_name = StringField(_l("Given name"), validators=[Optional(), Length(max=200)],
                             filters=[strip], render_kw={"autocomplete": "off"},
                             description=_l("Leave empty if the person has only one name."))
    family_name = StringField(_l("Family name"), validators=[DataRequired(), Length(max=200)],
                              filters=[strip], render_kw={"autocomplete": "off"})
    name_order = SelectField(
        _l("Order of the names"), validators=[Optional()],
        choices=[("", _l("As usual in the script of the name")),
                 ("given_first", _l("Given name first, as in Anne-Sophie Lefèvre")),
                 ("family_first", _l("Family name first, as in 李小龙 or Li Xiaolong"))],
        description=_l("How the name is written on the badge, in lists and in letters. "
                       "Names in Chinese, Japanese or Korean characters put the family "
                       "name first unless you choose otherwise."))
    position = StringField(_l("Position"), validators=[DataRequired(), Length(max=300)],
                           filters=[strip],
                           description=_l("Title or function in the organisation."))
    email = EmailField(_l("E-mail address"),
                       validators=[DataRequired(), email_address(), Length(max=254)],
                       filters=[strip],
                       description=_l("The delegate's own address: their personal link is "
                                      "sent there."))
    phone = StringField(_l("Phone"), filters=[strip], validators=[
        Optional(), Length(max=50),
        Regexp(r"^[0-9+()./ \-]+(\s*(ext\.?|x)\s*[0-9]+)?$",
               message=_l("Use digits, spaces and + ( ) - . only, e.g. +1 212 963 1234."))])
    nationality = SelectField(_l("Nationality"), validators=[DataRequired()],
                              choices=[("", _l("Choose a country"))])
    language = SelectField(_l("Preferred language"), choices=list(LANGUAGE_LABELS.items()),
                           validators=[DataRequired()],
                           description=_l("One of the six official languages of the United "
                                          "Nations."))
    attendance = SelectField(_l("Attendance"), choices=list(ATTENDANCE_LABELS.items()),
                             validators=[DataRequired()])
    needs = TextAreaField(_l("Accessibility or other needs"),
                          validators=[Optional(), Length(max=2000)],
                          description=_l("For example wheelchair access, sign language, dietary "
                                      "needs. Only the secretariat sees this."))
    consent_to_publish = BooleanField(
        _l("May appear in the published list of participants"),
        description=_l("Name, position and organisation. Without consent the person is listed "
                    "only in the secretariat's internal list."))
    submit = SubmitField(_l("Save"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.nationality.choices = [("", _l("Choose a country")), *countries()]

    def details(self) -> dict:
        """The submitted values, as the registration services take them."""
        return {name: getattr(self, name).data for name in (
            "role", "title", "given_name", "family_name", "name_order", "position", "email",
            "phone", "nationality", "language", "attendance", "needs", "consent_to_publish")}


class LetterForm(FlaskForm):
    letter = FileField(_l("Nomination letter (PDF)"),
                       validators=[FileRequired(_l("Choose a PDF file."))],
                       render_kw={"accept": "application/pdf,.pdf"})
    submit = SubmitField(_l("Upload the letter"))



class RejectForm(FlaskForm):
    reason = TextAreaField(_l("Reason for not approving"), filters=[strip],
                           validators=[DataRequired(_l("Give the reason: the delegate will "
                                                       "read it.")),
                                       Length(max=2000)],
                           description=_l("Sent to the delegate and their organisation."))
    submit = SubmitField(_l("Reject"))


class BulkDecisionForm(FlaskForm):
    """Approve or reject the registrations ticked in the list (ids come from request.form)."""

    reason = TextAreaField(_l("Reason (needed to reject)"), filters=[strip],
                           validators=[Optional(), Length(max=2000)])
    approve = SubmitField(_l("Approve selected"))
    reject = SubmitField(_l("Reject selected"))


class FilterForm(FlaskForm):
    """Filters of the staff list (GET; no CSRF)."""

    class Meta:
        csrf = False

    status = SelectField(_l("Status"), choices=[("", _l("Any status")),
                                            *REGISTRATION_STATUS_LABELS.items()])
    kind = SelectField(_l("Kind of organisation"),
                       choices=[("", _l("Any kind")), *KIND_LABELS.items()])
    organisation = SelectField(_l("Organisation"), choices=[("", _l("Any organisation"))],
                               validate_choice=False, widget=LongSelect())
    role = SelectField(_l("Role"), choices=[("", _l("Any role")), *DELEGATE_ROLE_LABELS.items()])
    submit = SubmitField(_l("Filter"))

    def values(self) -> dict:
        """The filters that are set and known, for queries and links."""
        known = {
            "status": dict(self.status.choices),
            "kind": dict(self.kind.choices),
            "role": dict(self.role.choices),
        }
        values = {k: self[k].data for k in known if self[k].data and self[k].data in known[k]}
        if is_row_id(self.organisation.data or ""):
            values["organisation"] = self.organisation.data
        return values
