"""Forms for the activity report: sections, deadline, the representative's contribution."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import StringField, TextAreaField
from wtforms.validators import DataRequired, Optional

from ..formtools import Length
from ..meetings.forms import LocalDateTimeField


class SectionForm(FlaskForm):
    """A new section of the report."""

    title = StringField(_l("Section title"), validators=[DataRequired(), Length(max=300)])
    guidance = TextAreaField(_l("Guidance for organisations"), validators=[Optional(),
                                                                            Length(max=2000)])


class DeadlineForm(FlaskForm):
    """The deadline for contributions, in the meeting's time zone."""

    deadline = LocalDateTimeField(_l("Deadline for contributions (meeting's time zone)"),
                                  validators=[Optional()],
                                  description=_l("In the meeting's time zone (its local "
                                                 "wall-clock time), not yours. Empty: no "
                                                 "deadline."))

