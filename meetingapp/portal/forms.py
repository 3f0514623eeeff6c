from flask_wtf import FlaskForm
from wtforms import SubmitField, TextAreaField
from wtforms.validators import Length, Optional


class AcceptForm(FlaskForm):
    submit = SubmitField("Accept the invitation")


class DeclineForm(FlaskForm):
    reason = TextAreaField("Reason (optional)", validators=[Optional(), Length(max=2000)],
                           description="The secretariat will see this.")
    submit = SubmitField("Decline the invitation")
