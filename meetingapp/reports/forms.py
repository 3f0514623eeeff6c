"""Forms for the activity report: sections, deadline, the representative's contribution."""

from flask_wtf import FlaskForm
from wtforms import DateTimeLocalField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

LOCAL_FORMATS = ["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"]


class SectionForm(FlaskForm):
    """A new section of the report."""

    title = StringField("Section title", validators=[DataRequired(), Length(max=300)])
    guidance = TextAreaField("Guidance for organisations", validators=[Optional(),
                                                                        Length(max=2000)])


class DeadlineForm(FlaskForm):
    """The deadline for contributions, in the meeting's time zone."""

    deadline = DateTimeLocalField("Deadline for contributions", format=LOCAL_FORMATS,
                                  validators=[Optional()],
                                  description="In the meeting's time zone. Empty: no deadline.")


class ConfirmForm(FlaskForm):
    """A button only (CSRF)."""
