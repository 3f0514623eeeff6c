"""Forms of the agenda: times are entered on the meeting's wall clock (datetime-local)."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    HiddenField,
    SelectField,
    SelectMultipleField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import DataRequired, InputRequired, Optional

from ..formtools import Length, is_row_id, strip
from ..meetings.forms import IN_ZONE, LocalDateTimeField, TimeRequired
from ..models.agenda import ITEM_KIND_LABELS, SPEAKER_ROLE_LABELS
from .services import ItemDetails, SessionDetails

MARKDOWN_HELP = _l("Markdown: **bold**, *italic*, lists with “- ”, links as [text](https://…). "
                   "Scripts and other active content are removed.")



def _time(label, required: bool = True) -> LocalDateTimeField:
    """A wall-clock time field; ``label`` says "(meeting's time zone)" itself."""
    validators = [TimeRequired()] if required else [Optional()]
    return LocalDateTimeField(label, validators=validators,
                              description=IN_ZONE)


class _AgendaForm(FlaskForm):
    def add_errors(self, errors: dict[str, str]) -> None:
        """Show a service's errors next to the fields they concern."""
        for name, message in errors.items():
            field = self._fields.get(name)
            if field is not None:
                field.errors = [*field.errors, message]
            else:
                self.form_errors.append(message)


class SessionForm(_AgendaForm):
    title = StringField(_l("Title"), filters=[strip], validators=[DataRequired(), Length(max=300)],
                        description=_l("For example: Session I: Global Standards on "
                                    "Counter-Terrorism."))
    description = TextAreaField(_l("Description"), filters=[strip], render_kw={"rows": 4},
                                validators=[Length(max=20000)], description=MARKDOWN_HELP)
    starts_at = _time(_l("Starts (meeting's time zone)"))
    ends_at = _time(_l("Ends (meeting's time zone)"))
    room = StringField(_l("Room"), filters=[strip], validators=[Length(max=200)],
                       render_kw={"list": "agenda-rooms", "autocomplete": "off"})
    topic_ids = SelectMultipleField(_l("Topics"), coerce=int, validate_choice=False)
    move_items = BooleanField(_l("Move the session's items with it when its start changes"),
                              default=True)
    submit = SubmitField(_l("Save the session"))

    def details(self) -> SessionDetails:
        """The submitted values, times still on the meeting's wall clock."""
        return SessionDetails(title=self.title.data, description=self.description.data or "",
                              starts_at=self.starts_at.data, ends_at=self.ends_at.data,
                              room=self.room.data or "", topic_ids=self.topic_ids.data or [],
                              move_items=bool(self.move_items.data))


class ItemForm(_AgendaForm):
    kind = SelectField(_l("Kind"), choices=list(ITEM_KIND_LABELS.items()), default="item",
                       description=_l("A break (registration, lunch) has no speakers."))
    session_id = SelectField(_l("Session"),
                             coerce=lambda v: int(v) if v not in (None, "") else None,
                             validate_choice=False)
    title = StringField(_l("Title"), filters=[strip], validators=[DataRequired(), Length(max=300)])
    description = TextAreaField(_l("Description"), filters=[strip], render_kw={"rows": 4},
                                validators=[Length(max=20000)], description=MARKDOWN_HELP)
    starts_at = _time(_l("Starts (meeting's time zone)"))
    ends_at = _time(_l("Ends (meeting's time zone)"))
    room = StringField(_l("Room"), filters=[strip], validators=[Length(max=200)],
                       render_kw={"list": "agenda-rooms", "autocomplete": "off"},
                       description=_l("Leave empty to use the session's room."))
    topic_ids = SelectMultipleField(_l("Topics"), coerce=int, validate_choice=False)
    shift_later = BooleanField(
        _l("Insert and shift: move every later item of the same day by the same amount"),
        description=_l("A new item moves later items by its length; a longer item by the time "
                    "it gained."))
    submit = SubmitField(_l("Save the item"))

    def details(self) -> ItemDetails:
        """The submitted values, times still on the meeting's wall clock."""
        return ItemDetails(title=self.title.data, kind=self.kind.data,
                           session_id=self.session_id.data,
                           description=self.description.data or "",
                           starts_at=self.starts_at.data, ends_at=self.ends_at.data,
                           room=self.room.data or "", topic_ids=self.topic_ids.data or [],
                           shift_later=bool(self.shift_later.data))


class SpeakerForm(_AgendaForm):
    speaker = SelectField(_l("Organisation or delegate"), validators=[InputRequired()],
                          validate_choice=False,
                          description=_l("Only organisations invited to the meeting are listed."))
    role = SelectField(_l("Role"), choices=list(SPEAKER_ROLE_LABELS.items()), default="presenter")
    submit = SubmitField(_l("Add"))


class MoveForm(_AgendaForm):
    session_id = SelectField(_l("Move to"),
                             coerce=lambda v: int(v) if v not in (None, "") else None,
                             validate_choice=False)
    placement = SelectField(_l("Time"), choices=[
        ("keep", _l("Keep its time")), ("end", _l("Place it after the session's last item"))])
    submit = SubmitField(_l("Move"))



class PublishForm(FlaskForm):
    fingerprint = HiddenField(validators=[InputRequired()])
    note = TextAreaField(_l("Note for the changelog (optional)"), filters=[strip],
                         validators=[Length(max=2000)], render_kw={"rows": 2})
    submit = SubmitField(_l("Publish"))


class TopicForm(_AgendaForm):
    name = StringField(_l("Topic"), filters=[strip], validators=[DataRequired(), Length(max=200)])
    submit = SubmitField(_l("Save"))


class DeadlineForm(_AgendaForm):
    proposals_close_at = _time(_l("Proposals close (meeting's time zone)"), required=False)
    submit = SubmitField(_l("Save the deadline"))


class AcceptForm(_AgendaForm):
    item_id = SelectField(_l("Where"), coerce=lambda v: int(v) if v not in (None, "") else None,
                          validate_choice=False)
    session_id = SelectField(_l("Session of the new item"),
                             coerce=lambda v: int(v) if v not in (None, "") else None,
                             validate_choice=False)
    starts_at = _time(_l("New item starts (meeting's time zone)"), required=False)
    ends_at = _time(_l("New item ends (meeting's time zone)"), required=False)
    room = StringField(_l("Room of the new item"), filters=[strip], validators=[Length(max=200)])
    role = SelectField(_l("As"), choices=list(SPEAKER_ROLE_LABELS.items()), default="presenter")
    submit = SubmitField(_l("Accept"))


class DeclineForm(_AgendaForm):
    reason = TextAreaField(_l("Reason (the organisation will read it)"), filters=[strip],
                           validators=[DataRequired(message=_l("Give the reason for declining.")),
                                       Length(max=5000)], render_kw={"rows": 3})
    submit = SubmitField(_l("Decline"))


def _optional_id(value):
    return int(value) if value not in (None, "") and is_row_id(str(value)) else None


class TopicProposalForm(_AgendaForm):
    """A representative proposes a topic."""

    title = StringField(_l("Topic"), filters=[strip], validators=[DataRequired(), Length(max=300)])
    summary = TextAreaField(_l("Summary"), filters=[strip], validators=[Length(max=5000)],
                            render_kw={"rows": 5},
                            description=_l("What your organisation would present or discuss. "
                                        "Markdown is allowed."))
    preferred_session_id = SelectField(_l("Preferred session"), coerce=_optional_id,
                                       validate_choice=False)
    delegate_id = SelectField(_l("Who would speak"), coerce=_optional_id, validate_choice=False)
    submit = SubmitField(_l("Send the proposal"))


class SpeakRequestForm(_AgendaForm):
    """A representative asks for the floor on an item."""

    item_id = SelectField(_l("Item"), coerce=_optional_id, validate_choice=False,
                          validators=[InputRequired(message=_l("Choose an item."))])
    summary = TextAreaField(_l("What your organisation would say (optional)"), filters=[strip],
                            validators=[Length(max=5000)], render_kw={"rows": 4})
    delegate_id = SelectField(_l("Who would speak"), coerce=_optional_id, validate_choice=False)
    submit = SubmitField(_l("Ask for the floor"))
