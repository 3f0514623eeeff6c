from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SubmitField, TextAreaField
from wtforms.validators import Optional

from ..formtools import Length


class AcceptForm(FlaskForm):
    submit = SubmitField(_l("Accept the invitation"))


class DeclineForm(FlaskForm):
    reason = TextAreaField(_l("Reason (optional)"), validators=[Optional(), Length(max=2000)],
                           description=_l("The secretariat will see this."))
    submit = SubmitField(_l("Decline the invitation"))
