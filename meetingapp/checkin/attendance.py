"""Who attended: the check-ins as lists by organisation, CSV and XLSX files, and
per-organisation figures for the organisation's page."""

import csv
import io

from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font
from sqlalchemy import func, select

from ..badges.codes import badge_number
from ..badges.services import code_rows
from ..extensions import db
from ..i18n import in_language
from ..models import (
    CheckIn,
    Invitation,
    InvitationStatus,
    Meeting,
    Organisation,
    RegistrationStatus,
    utcnow,
)
from ..models.organisation import KIND_LABELS
from ..models.registration import DELEGATE_ROLE_LABELS, Delegate
from ..registrations.participants import list_of_participants, ordered_registrations
from ..text import spreadsheet_safe
from ..timezones import utc_to_local


def checkins_by_delegate(meeting: Meeting) -> dict[int, CheckIn]:
    """The check-ins in force at ``meeting``, by delegate id."""
    return {c.delegate_id: c for c in db.session.scalars(select(CheckIn).where(
        CheckIn.meeting_id == meeting.id, CheckIn.undone_at.is_(None)))}


def attendance_context(meeting: Meeting) -> dict:
    """The list of participants (approved delegates) with who attended, by organisation."""
    groups = list_of_participants(meeting)
    checkins = checkins_by_delegate(meeting)
    summary = []
    for group in groups:
        for delegation in group.delegations:
            people = [d for r in delegation.roles for d in r.delegates]
            summary.append((delegation.organisation, len(people),
                            sum(1 for d in people if d.id in checkins)))
    return {"meeting": meeting, "groups": groups, "checkins": checkins, "summary": summary,
            "expected": sum(s[1] for s in summary), "attended": sum(s[2] for s in summary),
            "generated_at": utcnow()}


def _local(moment, zone: str) -> str:
    local = utc_to_local(moment, zone)
    return local.strftime("%Y-%m-%d %H:%M") if local else ""


def attendance_rows(meeting: Meeting):
    """The heading row, then one row per approved delegate, in list-of-participants order."""
    zone = meeting.timezone
    checkins = checkins_by_delegate(meeting)
    yield ["Organisation", "Acronym", "Kind of organisation", "Role", "Form of address",
           "Given name", "Family name", "Badge number", "Attended", f"Checked in ({zone})",
           "Checked in (UTC)", "Desk user", "Desk", "How"]
    # The same people as the attendance page and the desk counters: approved
    # delegates of organisations whose invitation still stands.
    delegates = [d for d in ordered_registrations(meeting, status=RegistrationStatus.APPROVED)
                 if d.invitation.status == InvitationStatus.ACCEPTED]
    codes = code_rows(delegates, issue=False)
    for d in delegates:
        org, checkin = d.invitation.organisation, checkins.get(d.id)
        with in_language("en"):  # files for other programs: English, whoever downloads
            kind, role = str(KIND_LABELS.get(org.kind, org.kind)), str(DELEGATE_ROLE_LABELS[d.role])
        yield [org.name, org.acronym, kind, role, d.title, d.given_name, d.family_name,
               badge_number(d, codes.get(d.id)), "yes" if checkin else "no",
               _local(checkin.checked_in_at, zone) if checkin else "",
               checkin.checked_in_at.strftime("%Y-%m-%d %H:%M") if checkin else "",
               checkin.actor if checkin else "", checkin.device if checkin else "",
               checkin.method if checkin else ""]


def attendance_csv(meeting: Meeting) -> str:
    """CSV text with a BOM; no cell can run as a formula."""
    out = io.StringIO()
    writer = csv.writer(out)
    for row in attendance_rows(meeting):
        writer.writerow([spreadsheet_safe(v) for v in row])
    return "\ufeff" + out.getvalue()


def attendance_xlsx(meeting: Meeting) -> bytes:
    """An Excel workbook of the same rows; text stays text, never a formula."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "Attendance"
    for index, row in enumerate(attendance_rows(meeting)):
        sheet.append([ILLEGAL_CHARACTERS_RE.sub("", v) if isinstance(v, str) else v
                      for v in row])
        if index == 0:
            for cell in sheet[1]:
                cell.font = Font(bold=True)
    for row in sheet.iter_rows(min_row=2):
        for cell in row:
            if isinstance(cell.value, str):
                cell.data_type = "s"
    sheet.freeze_panes = "A2"
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def organisation_attendance(organisation: Organisation) -> list[dict]:
    """Per meeting the organisation was invited to: delegates approved and who attended."""
    approved = (select(Meeting, func.count(Delegate.id))
                .join(Invitation, Invitation.meeting_id == Meeting.id)
                .join(Delegate, (Delegate.invitation_id == Invitation.id)
                      & (Delegate.status == RegistrationStatus.APPROVED))
                .where(Invitation.organisation_id == organisation.id,
                       Invitation.status == InvitationStatus.ACCEPTED)
                .group_by(Meeting.id).order_by(Meeting.starts_at.desc()))
    attended = dict(db.session.execute(
        select(CheckIn.meeting_id, func.count(CheckIn.id))
        .join(Delegate, CheckIn.delegate_id == Delegate.id)
        .join(Invitation, Delegate.invitation_id == Invitation.id)
        .where(Invitation.organisation_id == organisation.id,
               Invitation.status == InvitationStatus.ACCEPTED,
               CheckIn.undone_at.is_(None),
               Delegate.status == RegistrationStatus.APPROVED)
        .group_by(CheckIn.meeting_id)).all())
    return [{"meeting": meeting, "approved": count, "attended": attended.get(meeting.id, 0)}
            for meeting, count in db.session.execute(approved)]
