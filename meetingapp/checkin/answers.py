"""The desk's answer to an attempt, in words: the same for the page and for JSON.

Each answer has a colour (tone), an icon and a heading word, so that colour
is never the only signal.
"""

from ..models import CheckinAttempt
from ..models.registration import DELEGATE_ROLE_LABELS, REGISTRATION_STATUS_LABELS
from ..timezones import format_local

# result: (Bootstrap tone, icon, heading)
ANSWERS = {
    "checked_in": ("success", "✓", "Checked in"),
    "already_checked_in": ("warning", "!", "Already checked in"),
    "unknown_code": ("danger", "✗", "Unknown code"),
    "not_approved": ("danger", "✗", "Not approved"),
    "withdrawn": ("danger", "✗", "Withdrawn"),
    "other_meeting": ("danger", "✗", "Badge of another meeting"),
}


def _detail(attempt: CheckinAttempt) -> str:
    delegate, meeting, checkin = attempt.delegate, attempt.meeting, attempt.checkin
    result = attempt.result
    if result == "checked_in":
        return f"Welcome. Checked in at {format_local(checkin.checked_in_at, meeting.timezone)}."
    if result == "already_checked_in" and checkin is not None:
        who = checkin.actor or "another desk"
        device = f" at desk “{checkin.device}”" if checkin.device else ""
        return (f"Checked in earlier, at {format_local(checkin.checked_in_at, meeting.timezone)}"
                f" by {who}{device}. Do not let the badge in twice.")
    if result == "unknown_code":
        return ("This code is on no valid badge (it may have been re-issued). "
                "Search for the person by name, or send them to the secretariat.")
    if result == "withdrawn":
        return "The organisation withdrew this registration. Send the person to the secretariat."
    if result == "not_approved" and delegate is not None:
        if delegate.status == "approved":
            status = "the organisation's invitation is no longer accepted"
        else:
            status = REGISTRATION_STATUS_LABELS.get(delegate.status, delegate.status).lower()
        return f"Registration {status}. Send the person to the secretariat."
    if result == "other_meeting" and delegate is not None:
        return f"This badge is for another meeting: {delegate.meeting.title}."
    return ""


def describe(attempt: CheckinAttempt) -> dict:
    """The answer to show for ``attempt``: tone, icon, heading, who, and the detail."""
    tone, icon, heading = ANSWERS[attempt.result]
    delegate = attempt.delegate
    answer = {"result": attempt.result, "tone": tone, "icon": icon, "heading": heading,
              "alert": tone != "success", "name": "", "organisation": "", "role": "",
              "is_head": False, "detail": _detail(attempt), "attempt_id": attempt.id}
    if delegate is not None:
        organisation = delegate.invitation.organisation
        answer.update(name=delegate.display_name, organisation=organisation.display_name,
                      role=DELEGATE_ROLE_LABELS.get(delegate.role, delegate.role),
                      is_head=delegate.role == "head")
    return answer
