"""Finding a delegate by the token of their personal link."""

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from ..links import LinkGone, LinkUnknown
from ..models import InvitationStatus, MeetingStatus
from ..models.registration import Delegate
from ..tokens import find_by_token

__all__ = ["LinkGone", "LinkUnknown", "find_delegate"]

GONE = {
    "rejected": _l("Your registration was not approved by the secretariat, so this page is "
                   "closed. The e-mail you received gives the reason."),
    "withdrawn": _l("Your registration has been withdrawn by your organisation, so this page "
                    "is closed."),
}


def find_delegate(token: str) -> Delegate:
    """The delegate this token opens; the lookup costs the same whether it exists or not."""
    delegate = find_by_token(select(Delegate), Delegate.token_hash, token)
    if delegate is None:
        raise LinkUnknown()
    if delegate.status in GONE:
        raise LinkGone(str(GONE[delegate.status]))
    if delegate.invitation.status == InvitationStatus.REVOKED:
        raise LinkGone(_("Your organisation's invitation to this meeting has been withdrawn by "
                         "the secretariat."))
    if delegate.meeting.status == MeetingStatus.CANCELLED:
        raise LinkGone(_("This meeting has been cancelled."))
    return delegate
