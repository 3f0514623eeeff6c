"""Which delegates get a badge, their codes issued in bulk, and printing (audited).

Only approved delegates get a badge: pending, rejected and withdrawn
registrations are left out, whether asked for one by one or in bulk.
Services add and flush; the view commits.
"""

from dataclasses import dataclass, field

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import contains_eager

from ..audit.services import record
from ..extensions import db
from ..models import (
    CheckinCode,
    Invitation,
    InvitationStatus,
    Meeting,
    Organisation,
    RegistrationStatus,
    utcnow,
)
from ..models.registration import Delegate
from ..registrations.participants import participant_order
from .codes import new_seed
from .render import LAYOUTS, Badge, badge_for, render_badges


class BadgeError(ValueError):
    """Badges that cannot be made; the message says why."""


@dataclass
class Selection:
    """The delegates asked for: those who get a badge, and those left out with why."""

    delegates: list[Delegate] = field(default_factory=list)
    skipped: list[tuple[Delegate, str]] = field(default_factory=list)


def _query(meeting: Meeting):
    return (select(Delegate)
            .join(Invitation, Delegate.invitation_id == Invitation.id)
            .join(Organisation, Invitation.organisation_id == Organisation.id)
            .where(Delegate.meeting_id == meeting.id)
            .options(contains_eager(Delegate.invitation).contains_eager(Invitation.organisation)))


def select_delegates(meeting: Meeting, ids=None, organisation_id: int | None = None) -> Selection:
    """Approved delegates (all, one organisation's, or ``ids``: ``LookupError`` if not ours)."""
    query = _query(meeting)
    if ids is not None:
        wanted = {int(i) for i in ids}
        query = query.where(Delegate.id.in_(wanted or [-1]))
    else:
        query = query.where(Delegate.status == RegistrationStatus.APPROVED)
    if organisation_id:
        query = query.where(Organisation.id == organisation_id)
    found = db.session.scalars(query).unique().all()
    if ids is not None and len(found) != len(wanted):
        raise LookupError(_("A registration is not one of this meeting's."))
    selection = Selection()
    for delegate in sorted(found, key=participant_order):
        if delegate.status == RegistrationStatus.APPROVED \
                and delegate.invitation.status != InvitationStatus.REVOKED:
            selection.delegates.append(delegate)
        else:
            selection.skipped.append((delegate, _("not approved")
                                      if delegate.status != RegistrationStatus.WITHDRAWN
                                      else _("withdrawn")))
    return selection


def code_rows(delegates: list[Delegate], *, issue: bool = True) -> dict[int, CheckinCode]:
    """The code row of each delegate by id, in one query; missing ones issued (adds, flushes)."""
    ids = [d.id for d in delegates]
    rows = {row.delegate_id: row for row in db.session.scalars(
        select(CheckinCode).where(CheckinCode.delegate_id.in_(ids or [-1])))}
    missing = [d for d in delegates if d.id not in rows]
    if missing and issue:
        for delegate in missing:
            seed, code_hash = new_seed()
            rows[delegate.id] = CheckinCode(delegate=delegate, seed=seed, code_hash=code_hash,
                                            generation=1, issued_at=utcnow())
            db.session.add(rows[delegate.id])
        db.session.flush()
    return rows


def badges_for(delegates: list[Delegate]) -> list[Badge]:
    """The badges of these (approved) delegates; their codes must have been issued."""
    rows = code_rows(delegates, issue=False)
    missing = [d.display_name for d in delegates if d.id not in rows]
    if missing:
        raise BadgeError(_("No check-in code has been issued for %(names)s.",
                           names=", ".join(missing[:3])))
    return [badge_for(d, rows[d.id]) for d in delegates]


def check_layout(layout: str) -> str:
    """The layout if known; ``BadgeError`` otherwise."""
    if layout not in LAYOUTS:
        raise BadgeError(_("Choose single badges or A4 sheets."))
    return layout


def record_printing(meeting: Meeting, delegates: list[Delegate], layout: str,
                    *, background: bool = False) -> None:
    """Audit that badges were printed: how many, which layout, whose (up to 50 ids)."""
    changes = {"badges": [None, len(delegates)], "layout": [None, layout],
               "delegate_ids": [None, ",".join(str(d.id) for d in delegates[:50])]}
    if background:
        changes["background"] = [None, True]
    record("print_badges", meeting, meeting=meeting, changes=changes)


def print_badges(meeting: Meeting, delegates: list[Delegate], layout: str) -> bytes:
    """The PDF of these delegates' badges, codes issued where missing (audited)."""
    check_layout(layout)
    if not delegates:
        raise BadgeError(_("None of the chosen delegates is approved: there is no badge to "
                           "print."))
    code_rows(delegates)
    record_printing(meeting, delegates, layout)
    return render_badges(badges_for(delegates), layout,
                         title=_("Badges — %(meeting)s", meeting=meeting.title))
