"""The agenda's domain error and the flush that turns refused constraints into it."""

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy.exc import IntegrityError

from ..extensions import db

# A constraint the database refused, and the form field and words it stands for.
CONSTRAINT_ERRORS = {
    "ends_after_start": ("ends_at", _l("The end must be after the start.")),
    "title_not_empty": ("title", _l("Enter a title.")),
    "uq_agenda_topics_name_key": ("name", _l("There is already a topic with this name.")),
    "agenda_topics.name_key": ("name", _l("There is already a topic with this name.")),
    "fk_agenda_speakers_meeting_id_invitations": (
        "speaker", _l("Only an organisation invited to this meeting can speak.")),
    "uq_agenda_versions_meeting_id_number": (
        "", _l("Someone else published the agenda at the same moment. Look at the changes again.")),
    "agenda_versions.meeting_id": (
        "", _l("Someone else published the agenda at the same moment. Look at the changes again.")),
    "declined_with_reason": ("reason", _l("Give the reason for declining.")),
}


class AgendaError(ValueError):
    """An agenda operation that would break a rule; ``errors`` maps form fields to messages."""

    def __init__(self, errors: dict[str, str] | str):
        if not isinstance(errors, dict):
            errors = {"": errors}
        # Lazy messages become text in the language of the moment they are raised.
        errors = {field: str(message) for field, message in errors.items()}
        self.errors = errors
        super().__init__(" ".join(errors.values()))


def flush() -> None:
    """Flush; a refused constraint becomes an AgendaError (and the session is rolled back)."""
    try:
        db.session.flush()
    except IntegrityError as error:
        db.session.rollback()
        message = str(error.orig)
        for key, (field, text) in CONSTRAINT_ERRORS.items():
            if key in message:
                raise AgendaError({field: text}) from error
        if "FOREIGN KEY" in message.upper() and "agenda_speakers" in message:
            raise AgendaError({"speaker": CONSTRAINT_ERRORS[
                "fk_agenda_speakers_meeting_id_invitations"][1]}) from error
        raise AgendaError(_("The agenda could not be saved: %(error)s",
                             error=message.splitlines()[0])) from error
