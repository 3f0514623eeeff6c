"""Forms for outcomes: add/edit, status and comment, review of progress notes."""

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, SelectField, SelectMultipleField, StringField, TextAreaField
from wtforms.validators import DataRequired, Optional

from ..formtools import Length
from ..models.outcome import OUTCOME_KIND_LABELS, OUTCOME_STATUS_LABELS


def _int_or_none(value):
    return int(value) if value not in (None, "", "None", "0") else None


class OutcomeForm(FlaskForm):
    """An outcome of a meeting; owner and due date for commitments and action items only."""

    kind = SelectField(_l("Kind"), choices=list(OUTCOME_KIND_LABELS.items()),
                       validators=[DataRequired()])
    text = TextAreaField(_l("Text"), validators=[DataRequired(), Length(max=20000)],
                         description=_l("Markdown: **bold**, lists, links."))
    agenda_item_id = SelectField(_l("Agenda item"), coerce=_int_or_none,
                                 validators=[Optional()])
    organisation_ids = SelectMultipleField(_l("Organisations concerned"), coerce=int,
                                           validators=[Optional()])
    owner_id = SelectField(_l("Owner organisation (commitments and action items)"),
                           coerce=_int_or_none, validators=[Optional()])
    due_on = DateField(_l("Due date"), validators=[Optional()],
                       description=_l("In the meeting's time zone."))
    due_note = StringField(_l("Due (in words)"), validators=[Optional(), Length(max=200)],
                           description=_l('For example "before the next Special Meeting".'))

    def set_choices(self, items, organisations) -> None:
        """Fill the agenda item and organisation lists."""
        self.agenda_item_id.choices = [("", _("— None (the whole meeting) —"))] + [
            (i.id, i.title) for i in items]
        orgs = [(o.id, o.display_name) for o in organisations]
        self.organisation_ids.choices = orgs
        self.owner_id.choices = [("", _("— None —"))] + orgs

    def details(self) -> dict:
        """The outcome's fields as the services take them."""
        return {"kind": self.kind.data, "text": self.text.data.strip(),
                "agenda_item_id": self.agenda_item_id.data, "owner_id": self.owner_id.data,
                "due_on": self.due_on.data, "due_note": (self.due_note.data or "").strip()}


class StatusForm(FlaskForm):
    """A new status and/or a comment in an outcome's history."""

    status = SelectField(_l("New status"), choices=[("", _l("— Unchanged —"))]
                         + list(OUTCOME_STATUS_LABELS.items()), validators=[Optional()])
    comment = TextAreaField(_l("Comment"), validators=[Optional(), Length(max=5000)])


class ProgressForm(FlaskForm):
    """A representative's progress report on a commitment."""

    status = SelectField(_l("Status you report"), choices=[("", _l("— Unchanged —"))]
                         + list(OUTCOME_STATUS_LABELS.items()), validators=[Optional()])
    comment = TextAreaField(_l("Progress made"),
                            validators=[DataRequired(), Length(max=5000)])

