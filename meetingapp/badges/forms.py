"""Forms of the badge pages: print (one, a selection, everyone) and re-issue a code."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import IntegerField, RadioField, SelectField, SubmitField
from wtforms.validators import DataRequired, Optional
from wtforms.widgets import HiddenInput

from .render import LAYOUTS


class PrintForm(FlaskForm):
    """The layout, and which badges: the ticked ones (``ids``) or every approved delegate."""

    layout = RadioField(_l("Layout"), choices=list(LAYOUTS.items()), default="sheet",
                        validators=[DataRequired()])
    organisation_id = IntegerField(validators=[Optional()], widget=HiddenInput())
    print_selected = SubmitField(_l("Print the selected badges"))
    print_all = SubmitField(_l("Print every approved delegate's badge"))


class OrganisationFilterForm(FlaskForm):
    """Narrow the list to one delegation (a GET form, no CSRF)."""

    class Meta:
        csrf = False

    organisation = SelectField(_l("Organisation"), choices=[], validators=[Optional()])


class ConfirmForm(FlaskForm):
    """A confirmation button (with its CSRF token)."""

    submit = SubmitField(_l("Re-issue the code"))
