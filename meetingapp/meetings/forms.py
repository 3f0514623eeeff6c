from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    DateTimeLocalField,
    HiddenField,
    IntegerField,
    SelectField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import (
    DataRequired,
    InputRequired,
    NumberRange,
    Optional,
    StopValidation,
    ValidationError,
)

from ..formtools import Length, strip
from ..models.meeting import MEETING_STATUSES, STATUS_LABELS
from ..timezones import is_valid_zone
from .services import MeetingDetails

# The first format is what the form sends back to the browser's datetime-local input.
LOCAL_FORMATS = ["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S"]
IN_ZONE = _l("In the meeting's time zone (its local wall-clock time), not yours.")

# The button that moves a meeting to each status.
TRANSITION_LABELS = {
    "open": _l("Open registration"),
    "closed": _l("Close registration"),
    "held": _l("Mark as held"),
    "cancelled": _l("Cancel the meeting…"),
}


def _stop_if_unreadable(form, field):
    """Show only 'not a valid number/date' when the value could not be read at all."""
    if field.process_errors:
        raise StopValidation()


def _known_zone(form, field):
    if not is_valid_zone(field.data):
        raise ValidationError(
            _("“%(zone)s” is not a time zone we know. Choose an IANA zone name from the list, "
              "such as America/New_York or Europe/Vienna.", zone=field.data)
        )


class LocalDateTimeField(DateTimeLocalField):
    """A datetime-local input read as a naive wall-clock time, with a clearer error."""

    def __init__(self, label=None, validators=None, **kwargs):
        super().__init__(label, validators, format=LOCAL_FORMATS, **kwargs)

    def process_formdata(self, valuelist):
        try:
            super().process_formdata(valuelist)
        except ValueError:
            raise ValueError(
                _("Enter a date and time, for example 2003-03-06 09:30.")
            ) from None


class TimeRequired:
    """Empty: "enter it"; unreadable: only the parse error; otherwise carry on."""

    field_flags = {"required": True}

    def __init__(self, message: str = _l("Enter a date and time.")):
        self.message = message

    def __call__(self, form, field):
        if not field.raw_data or not field.raw_data[0].strip():
            field.errors[:] = []
            raise StopValidation(self.message)
        if field.process_errors:
            raise StopValidation()


class WholeNumberField(IntegerField):
    """An integer input whose error says what to type."""

    def process_formdata(self, valuelist):
        try:
            super().process_formdata(valuelist)
        except ValueError:
            raise ValueError(_("Enter a whole number, such as 5.")) from None


def _required_time(label, missing) -> LocalDateTimeField:
    """A required time; ``label`` is the whole label, e.g. "Starts (meeting's time zone)"."""
    return LocalDateTimeField(
        label,
        validators=[TimeRequired(missing)],
        description=IN_ZONE,
    )


class MeetingForm(FlaskForm):
    title = StringField(
        _l("Title"), filters=[strip], validators=[DataRequired(), Length(max=300)]
    )
    number = WholeNumberField(
        _l("Number in the series"),
        validators=[
            Optional(),
            _stop_if_unreadable,
            NumberRange(min=1, max=9999,
                        message=_l("The number in the series must be between 1 and 9999.")),
        ],
        description=_l("Optional: 1 for the first Special Meeting, 2 for the second, … "
                       "Each number can be used once."),
    )
    description = TextAreaField(
        _l("Description"), filters=[strip], validators=[Length(max=20000)],
        render_kw={"rows": 5},
    )
    venue = StringField(_l("Venue"), filters=[strip],
                        validators=[DataRequired(), Length(max=300)],
                        description=_l("For example: United Nations Headquarters."))
    address = StringField(_l("Address"), filters=[strip], validators=[Length(max=500)])
    timezone = StringField(
        _l("Time zone"),
        filters=[strip],
        validators=[DataRequired(), Length(max=64), _known_zone],
        render_kw={"list": "zone-names", "autocomplete": "off", "spellcheck": "false"},
        description=_l("The IANA name of the zone where the meeting takes place, such as "
                       "America/New_York. All the dates and times below are read in this zone: "
                       "if you change it, the same wall-clock times are kept and now mean "
                       "times in the new zone."),
    )
    starts_at = _required_time(_l("Starts (meeting's time zone)"),
                               _l("Enter when the meeting starts."))
    ends_at = _required_time(_l("Ends (meeting's time zone)"), _l("Enter when the meeting ends."))
    registration_opens_at = _required_time(_l("Registration opens (meeting's time zone)"),
                                           _l("Enter when registration opens."))
    registration_closes_at = _required_time(_l("Registration closes (meeting's time zone)"),
                                            _l("Enter when registration closes."))
    delegates_per_organisation = WholeNumberField(
        _l("Delegates per organisation"),
        default=5,
        validators=[
            InputRequired(),
            _stop_if_unreadable,
            NumberRange(min=1, max=100, message=_l("Enter a number from 1 to 100.")),
        ],
        description=_l("How many people each organisation may register (1 to 100)."),
    )
    submit = SubmitField(_l("Save"))

    def details(self) -> MeetingDetails:
        """The submitted values, times still on the meeting's wall clock."""
        return MeetingDetails(
            title=self.title.data,
            number=self.number.data,
            description=self.description.data or "",
            venue=self.venue.data,
            address=self.address.data or "",
            timezone=self.timezone.data,
            starts_at=self.starts_at.data,
            ends_at=self.ends_at.data,
            registration_opens_at=self.registration_opens_at.data,
            registration_closes_at=self.registration_closes_at.data,
            delegates_per_organisation=self.delegates_per_organisation.data,
        )

    def add_errors(self, errors: dict[str, str]) -> None:
        """Show a service's errors next to the fields they concern."""
        for name, message in errors.items():
            field = self._fields.get(name)
            if field is not None:
                field.errors = [*field.errors, message]
            else:
                self.form_errors.append(message)


class StatusForm(FlaskForm):
    """A status button: CSRF protection and the status asked for."""

    status = HiddenField(validators=[InputRequired()])
    # Cancelling is final: the confirmation page sets this.
    confirmed = HiddenField()


class FilterForm(FlaskForm):
    """The list's filter, sent with GET (no CSRF token needed)."""

    class Meta:
        csrf = False

    status = SelectField(
        _l("Status"),
        choices=[("", _l("All statuses"))] + [(s, STATUS_LABELS[s]) for s in MEETING_STATUSES],
        validators=[Optional()],
        validate_choice=False,
    )

