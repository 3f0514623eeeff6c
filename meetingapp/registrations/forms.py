"""Forms of registration: the representative's delegate form and the staff decisions."""

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
from wtforms.validators import DataRequired, Length, Optional, Regexp

from ..formtools import LongSelect, email_address, is_row_id, strip
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



class DelegateForm(FlaskForm):
    """One delegate, as the representative registers or changes them."""

    role = SelectField("Role in the delegation", choices=list(DELEGATE_ROLE_LABELS.items()),
                       default="delegate", validators=[DataRequired()])
    title = StringField("Form of address", validators=[Optional(), Length(max=50)],
                        filters=[strip], description="For example H.E. Mr., Ms., Dr.",
                        render_kw={"list": "forms-of-address", "autocomplete": "honorific-prefix"})
    given_name = StringField("Given name", validators=[Optional(), Length(max=200)],
                             filters=[strip], render_kw={"autocomplete": "off"},
                             description="Leave empty if the person has only one name.")
    family_name = StringField("Family name", validators=[DataRequired(), Length(max=200)],
                              filters=[strip], render_kw={"autocomplete": "off"})
    position = StringField("Position", validators=[DataRequired(), Length(max=300)],
                           filters=[strip], description="Title or function in the organisation.")
    email = EmailField("E-mail address",
                       validators=[DataRequired(), email_address(), Length(max=254)],
                       filters=[strip],
                       description="The delegate's own address: their personal link is sent there.")
    phone = StringField("Phone", filters=[strip], validators=[
        Optional(), Length(max=50),
        Regexp(r"^[0-9+()./ \-]+(\s*(ext\.?|x)\s*[0-9]+)?$",
               message="Use digits, spaces and + ( ) - . only, e.g. +1 212 963 1234.")])
    nationality = SelectField("Nationality", validators=[DataRequired()],
                              choices=[("", "Choose a country")])
    language = SelectField("Preferred language", choices=list(LANGUAGE_LABELS.items()),
                           validators=[DataRequired()],
                           description="One of the six official languages of the United Nations.")
    attendance = SelectField("Attendance", choices=list(ATTENDANCE_LABELS.items()),
                             validators=[DataRequired()])
    needs = TextAreaField("Accessibility or other needs", validators=[Optional(), Length(max=2000)],
                          description="For example wheelchair access, sign language, dietary "
                                      "needs. Only the secretariat sees this.")
    consent_to_publish = BooleanField(
        "May appear in the published list of participants",
        description="Name, position and organisation. Without consent the person is listed "
                    "only in the secretariat's internal list.")
    submit = SubmitField("Save")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.nationality.choices = [("", "Choose a country"), *countries()]

    def details(self) -> dict:
        """The submitted values, as the registration services take them."""
        return {name: getattr(self, name).data for name in (
            "role", "title", "given_name", "family_name", "position", "email", "phone",
            "nationality", "language", "attendance", "needs", "consent_to_publish")}


class LetterForm(FlaskForm):
    letter = FileField("Nomination letter (PDF)", validators=[FileRequired("Choose a PDF file.")],
                       render_kw={"accept": "application/pdf,.pdf"})
    submit = SubmitField("Upload the letter")



class RejectForm(FlaskForm):
    reason = TextAreaField("Reason for not approving", filters=[strip],
                           validators=[DataRequired("Give the reason: the delegate will read it."),
                                       Length(max=2000)],
                           description="Sent to the delegate and their organisation.")
    submit = SubmitField("Reject")


class BulkDecisionForm(FlaskForm):
    """Approve or reject the registrations ticked in the list (ids come from request.form)."""

    reason = TextAreaField("Reason (needed to reject)", filters=[strip],
                           validators=[Optional(), Length(max=2000)])
    approve = SubmitField("Approve selected")
    reject = SubmitField("Reject selected")


class FilterForm(FlaskForm):
    """Filters of the staff list (GET; no CSRF)."""

    class Meta:
        csrf = False

    status = SelectField("Status", choices=[("", "Any status"),
                                            *REGISTRATION_STATUS_LABELS.items()])
    kind = SelectField("Kind of organisation", choices=[("", "Any kind"), *KIND_LABELS.items()])
    organisation = SelectField("Organisation", choices=[("", "Any organisation")],
                               validate_choice=False, widget=LongSelect())
    role = SelectField("Role", choices=[("", "Any role"), *DELEGATE_ROLE_LABELS.items()])
    submit = SubmitField("Filter")

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
