from flask_wtf import FlaskForm
from wtforms import IntegerField, SubmitField
from wtforms.validators import DataRequired
from wtforms.widgets import HiddenInput


class AuditExportForm(FlaskForm):
    """The "Export as CSV" button of the audit log: which meeting, and CSRF protection."""

    meeting_id = IntegerField(validators=[DataRequired()], widget=HiddenInput())
    submit = SubmitField("Export this meeting's audit log (CSV)")
