"""The agenda's domain error and the flush that turns refused constraints into it."""

from sqlalchemy.exc import IntegrityError

from ..extensions import db

# A constraint the database refused, and the form field and words it stands for.
CONSTRAINT_ERRORS = {
    "ends_after_start": ("ends_at", "The end must be after the start."),
    "title_not_empty": ("title", "Enter a title."),
    "uq_agenda_topics_name_key": ("name", "There is already a topic with this name."),
    "agenda_topics.name_key": ("name", "There is already a topic with this name."),
    "fk_agenda_speakers_meeting_id_invitations": (
        "speaker", "Only an organisation invited to this meeting can speak."),
    "uq_agenda_versions_meeting_id_number": (
        "", "Someone else published the agenda at the same moment. Look at the changes again."),
    "agenda_versions.meeting_id": (
        "", "Someone else published the agenda at the same moment. Look at the changes again."),
    "declined_with_reason": ("reason", "Give the reason for declining."),
}


class AgendaError(ValueError):
    """An agenda operation that would break a rule; ``errors`` maps form fields to messages."""

    def __init__(self, errors: dict[str, str] | str):
        if isinstance(errors, str):
            errors = {"": errors}
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
        raise AgendaError("The agenda could not be saved: " + message.splitlines()[0]) from error
