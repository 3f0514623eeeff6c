from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import IntegerField, SubmitField
from wtforms.validators import DataRequired
from wtforms.widgets import HiddenInput


class AuditExportForm(FlaskForm):
    """The "Export as CSV" button of the audit log: which meeting, and CSRF protection."""

    meeting_id = IntegerField(validators=[DataRequired()], widget=HiddenInput())
    submit = SubmitField(_l("Export this meeting's audit log (CSV)"))
