"""Forms of the check-in desk and of the staff's undo."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import HiddenField, StringField, SubmitField, TextAreaField
from wtforms.validators import AnyOf, DataRequired, Optional

from ..formtools import Length, strip


class ScanForm(FlaskForm):
    """What a handheld scanner types (the code, then Enter), or the camera found."""

    code = StringField(_l("Badge code"), validators=[DataRequired(_l("Scan or type a badge code.")),
                                                 Length(max=200)], filters=[strip],
                       render_kw={"autocomplete": "off", "autocapitalize": "characters",
                                  "spellcheck": "false", "autofocus": True})
    method = HiddenField(default="scanner",
                         validators=[Optional(), AnyOf(("scanner", "camera"))])
    submit = SubmitField(_l("Check in"))


class ManualCheckinForm(FlaskForm):
    """The "Check in" button beside a person found by name."""

    submit = SubmitField(_l("Check in"))


class DeviceForm(FlaskForm):
    """The desk's label (e.g. "North entrance 2"), kept in a cookie on this device."""

    device = StringField(_l("Desk name"), validators=[Optional(), Length(max=60)],
                         filters=[strip],
                         description=_l("Names this desk in the check-in log, e.g. "
                                        "“North entrance 2”. Remembered on this device."))
    submit = SubmitField(_l("Save the desk name"))


class UndoForm(FlaskForm):
    """Undo a check-in, with the reason (staff)."""

    reason = TextAreaField(_l("Reason"), validators=[DataRequired(_l("Give the reason.")),
                                                     Length(max=1000)], filters=[strip],
                           description=_l("For example: scanned by mistake, the person left "
                                          "before the meeting."))
    submit = SubmitField(_l("Undo the check-in"))
