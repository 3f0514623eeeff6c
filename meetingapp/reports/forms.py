"""Forms for the activity report: sections, deadline, the representative's contribution."""

from flask_wtf import FlaskForm
from wtforms import StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from ..meetings.forms import IN_ZONE, LocalDateTimeField


class SectionForm(FlaskForm):
    """A new section of the report."""

    title = StringField("Section title", validators=[DataRequired(), Length(max=300)])
    guidance = TextAreaField("Guidance for organisations", validators=[Optional(),
                                                                        Length(max=2000)])


class DeadlineForm(FlaskForm):
    """The deadline for contributions, in the meeting's time zone."""

    deadline = LocalDateTimeField("Deadline for contributions (meeting's time zone)",
                                  validators=[Optional()],
                                  description=IN_ZONE + " Empty: no deadline.")

