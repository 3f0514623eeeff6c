"""Job kind "badges": the badge PDF of many delegates, made in the background with progress."""

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from ..jobs import JobFailed, job_kind
from ..mail.messages import slugify
from ..models import utcnow
from .codes import CodeKeyChanged
from .render import render_badges
from .services import BadgeError, badges_for, check_layout, select_delegates


@job_kind("badges", title=_l("Badges (PDF)"))
def make_badges(job, report_progress) -> tuple[bytes, str, str]:
    """The badges of ``job.params["delegate_ids"]`` still approved, in ``params["layout"]``."""
    meeting = job.meeting
    if meeting is None:
        raise JobFailed(_("The meeting of these badges no longer exists."))
    wanted = {int(i) for i in job.params.get("delegate_ids") or []}
    delegates = [d for d in select_delegates(meeting).delegates if d.id in wanted]
    if not delegates:
        raise JobFailed(_("None of the chosen delegates is approved any more: no badge to "
                          "print."))
    try:
        layout = check_layout(job.params.get("layout", "card"))
        report_progress(1, _("Preparing %(num)d badges", num=len(delegates)))
        badges = badges_for(delegates)
        data = render_badges(badges, layout, title=_("Badges — %(meeting)s", meeting=meeting.title),
                             progress=report_progress)
    except (BadgeError, CodeKeyChanged) as error:
        raise JobFailed(str(error)) from None
    filename = f"badges-{slugify(meeting.title, 40)}-{layout}-{utcnow():%Y%m%d-%H%M}.pdf"
    return data, filename, "application/pdf"
