"""The desk's answer to an attempt, in words: the same for the page and for JSON.

Each answer has a colour (tone), an icon and a heading word, so that colour
is never the only signal.
"""

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from ..models import CheckinAttempt, RegistrationStatus
from ..models.registration import DELEGATE_ROLE_LABELS, REGISTRATION_STATUS_LABELS
from ..timezones import format_local

# result: (Bootstrap tone, icon, heading)
ANSWERS = {
    "checked_in": ("success", "✓", _l("Checked in")),
    "already_checked_in": ("warning", "!", _l("Already checked in")),
    "unknown_code": ("danger", "✗", _l("Unknown code")),
    "not_approved": ("danger", "✗", _l("Not approved")),
    "withdrawn": ("danger", "✗", _l("Withdrawn")),
    "other_meeting": ("danger", "✗", _l("Badge of another meeting")),
}


def _detail(attempt: CheckinAttempt) -> str:
    delegate, meeting, checkin = attempt.delegate, attempt.meeting, attempt.checkin
    result = attempt.result
    if result == "checked_in":
        return _("Welcome. Checked in at %(time)s.",
                 time=format_local(checkin.checked_in_at, meeting.timezone))
    if result == "already_checked_in" and checkin is not None:
        when = format_local(checkin.checked_in_at, meeting.timezone)
        who = checkin.actor or _("another desk")
        if checkin.device:
            return _("Checked in earlier, at %(time)s by %(who)s at desk “%(device)s”. "
                     "Do not let the badge in twice.", time=when, who=who, device=checkin.device)
        return _("Checked in earlier, at %(time)s by %(who)s. Do not let the badge in twice.",
                 time=when, who=who)
    if result == "unknown_code":
        return _("This code is on no valid badge (it may have been re-issued). "
                 "Search for the person by name, or send them to the secretariat.")
    if result == "withdrawn":
        return _("The organisation withdrew this registration. Send the person to the "
                 "secretariat.")
    if result == "not_approved" and delegate is not None:
        if delegate.status == RegistrationStatus.APPROVED:
            return _("The organisation's invitation is no longer accepted. Send the "
                     "person to the secretariat.")
        status = str(REGISTRATION_STATUS_LABELS.get(delegate.status, delegate.status)).lower()
        return _("Registration %(status)s. Send the person to the secretariat.", status=status)
    if result == "other_meeting" and delegate is not None:
        return _("This badge is for another meeting: %(meeting)s.", meeting=delegate.meeting.title)
    return ""


def describe(attempt: CheckinAttempt) -> dict:
    """The answer to show for ``attempt``: tone, icon, heading, who, and the detail."""
    tone, icon, heading = ANSWERS[attempt.result]
    delegate = attempt.delegate
    answer = {"result": attempt.result, "tone": tone, "icon": icon, "heading": str(heading),
              "alert": tone != "success", "name": "", "organisation": "", "role": "",
              "is_head": False, "detail": _detail(attempt), "attempt_id": attempt.id}
    if delegate is not None:
        organisation = delegate.invitation.organisation
        answer.update(name=delegate.display_name, organisation=organisation.display_name,
                      role=str(DELEGATE_ROLE_LABELS.get(delegate.role, delegate.role)),
                      is_head=delegate.role == "head")
    return answer
