"""Forms of the agenda: times are entered on the meeting's wall clock (datetime-local)."""

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
from wtforms.validators import DataRequired, InputRequired, Length, Optional

from ..formtools import is_row_id, strip
from ..meetings.forms import IN_ZONE, LocalDateTimeField, TimeRequired
from ..models.agenda import ITEM_KIND_LABELS, SPEAKER_ROLE_LABELS
from .services import ItemDetails, SessionDetails

MARKDOWN_HELP = ("Markdown: **bold**, *italic*, lists with “- ”, links as [text](https://…). "
                 "Scripts and other active content are removed.")



def _time(label: str, required: bool = True) -> LocalDateTimeField:
    validators = [TimeRequired()] if required else [Optional()]
    return LocalDateTimeField(f"{label} (meeting's time zone)", validators=validators,
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
    title = StringField("Title", filters=[strip], validators=[DataRequired(), Length(max=300)],
                        description="For example: Session I: Global Standards on "
                                    "Counter-Terrorism.")
    description = TextAreaField("Description", filters=[strip], render_kw={"rows": 4},
                                validators=[Length(max=20000)], description=MARKDOWN_HELP)
    starts_at = _time("Starts")
    ends_at = _time("Ends")
    room = StringField("Room", filters=[strip], validators=[Length(max=200)],
                       render_kw={"list": "agenda-rooms", "autocomplete": "off"})
    topic_ids = SelectMultipleField("Topics", coerce=int, validate_choice=False)
    move_items = BooleanField("Move the session's items with it when its start changes",
                              default=True)
    submit = SubmitField("Save the session")

    def details(self) -> SessionDetails:
        """The submitted values, times still on the meeting's wall clock."""
        return SessionDetails(title=self.title.data, description=self.description.data or "",
                              starts_at=self.starts_at.data, ends_at=self.ends_at.data,
                              room=self.room.data or "", topic_ids=self.topic_ids.data or [],
                              move_items=bool(self.move_items.data))


class ItemForm(_AgendaForm):
    kind = SelectField("Kind", choices=list(ITEM_KIND_LABELS.items()), default="item",
                       description="A break (registration, lunch) has no speakers.")
    session_id = SelectField("Session", coerce=lambda v: int(v) if v not in (None, "") else None,
                             validate_choice=False)
    title = StringField("Title", filters=[strip], validators=[DataRequired(), Length(max=300)])
    description = TextAreaField("Description", filters=[strip], render_kw={"rows": 4},
                                validators=[Length(max=20000)], description=MARKDOWN_HELP)
    starts_at = _time("Starts")
    ends_at = _time("Ends")
    room = StringField("Room", filters=[strip], validators=[Length(max=200)],
                       render_kw={"list": "agenda-rooms", "autocomplete": "off"},
                       description="Leave empty to use the session's room.")
    topic_ids = SelectMultipleField("Topics", coerce=int, validate_choice=False)
    shift_later = BooleanField(
        "Insert and shift: move every later item of the same day by the same amount",
        description="A new item moves later items by its length; a longer item by the time "
                    "it gained.")
    submit = SubmitField("Save the item")

    def details(self) -> ItemDetails:
        """The submitted values, times still on the meeting's wall clock."""
        return ItemDetails(title=self.title.data, kind=self.kind.data,
                           session_id=self.session_id.data,
                           description=self.description.data or "",
                           starts_at=self.starts_at.data, ends_at=self.ends_at.data,
                           room=self.room.data or "", topic_ids=self.topic_ids.data or [],
                           shift_later=bool(self.shift_later.data))


class SpeakerForm(_AgendaForm):
    speaker = SelectField("Organisation or delegate", validators=[InputRequired()],
                          validate_choice=False,
                          description="Only organisations invited to the meeting are listed.")
    role = SelectField("Role", choices=list(SPEAKER_ROLE_LABELS.items()), default="presenter")
    submit = SubmitField("Add")


class MoveForm(_AgendaForm):
    session_id = SelectField("Move to", coerce=lambda v: int(v) if v not in (None, "") else None,
                             validate_choice=False)
    placement = SelectField("Time", choices=[
        ("keep", "Keep its time"), ("end", "Place it after the session's last item")])
    submit = SubmitField("Move")



class PublishForm(FlaskForm):
    fingerprint = HiddenField(validators=[InputRequired()])
    note = TextAreaField("Note for the changelog (optional)", filters=[strip],
                         validators=[Length(max=2000)], render_kw={"rows": 2})
    submit = SubmitField("Publish")


class TopicForm(_AgendaForm):
    name = StringField("Topic", filters=[strip], validators=[DataRequired(), Length(max=200)])
    submit = SubmitField("Save")


class DeadlineForm(_AgendaForm):
    proposals_close_at = _time("Proposals close", required=False)
    submit = SubmitField("Save the deadline")


class AcceptForm(_AgendaForm):
    item_id = SelectField("Where", coerce=lambda v: int(v) if v not in (None, "") else None,
                          validate_choice=False)
    session_id = SelectField("Session of the new item",
                             coerce=lambda v: int(v) if v not in (None, "") else None,
                             validate_choice=False)
    starts_at = _time("New item starts", required=False)
    ends_at = _time("New item ends", required=False)
    room = StringField("Room of the new item", filters=[strip], validators=[Length(max=200)])
    role = SelectField("As", choices=list(SPEAKER_ROLE_LABELS.items()), default="presenter")
    submit = SubmitField("Accept")


class DeclineForm(_AgendaForm):
    reason = TextAreaField("Reason (the organisation will read it)", filters=[strip],
                           validators=[DataRequired(message="Give the reason for declining."),
                                       Length(max=5000)], render_kw={"rows": 3})
    submit = SubmitField("Decline")


def _optional_id(value):
    return int(value) if value not in (None, "") and is_row_id(str(value)) else None


class TopicProposalForm(_AgendaForm):
    """A representative proposes a topic."""

    title = StringField("Topic", filters=[strip], validators=[DataRequired(), Length(max=300)])
    summary = TextAreaField("Summary", filters=[strip], validators=[Length(max=5000)],
                            render_kw={"rows": 5},
                            description="What your organisation would present or discuss. "
                                        "Markdown is allowed.")
    preferred_session_id = SelectField("Preferred session", coerce=_optional_id,
                                       validate_choice=False)
    delegate_id = SelectField("Who would speak", coerce=_optional_id, validate_choice=False)
    submit = SubmitField("Send the proposal")


class SpeakRequestForm(_AgendaForm):
    """A representative asks for the floor on an item."""

    item_id = SelectField("Item", coerce=_optional_id, validate_choice=False,
                          validators=[InputRequired(message="Choose an item.")])
    summary = TextAreaField("What your organisation would say (optional)", filters=[strip],
                            validators=[Length(max=5000)], render_kw={"rows": 4})
    delegate_id = SelectField("Who would speak", coerce=_optional_id, validate_choice=False)
    submit = SubmitField("Ask for the floor")
