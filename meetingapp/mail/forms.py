from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import HiddenField, SubmitField


class RetryForm(FlaskForm):
    """The Retry button: CSRF protection and where to go back to."""

    next = HiddenField()
    submit = SubmitField(_l("Retry"))


class SendWaitingForm(FlaskForm):
    """The "Send waiting e-mail now" button of the outbox page."""

    meeting = HiddenField()
    submit = SubmitField(_l("Send waiting e-mail now"))
