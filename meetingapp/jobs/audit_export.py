"""Job kind "audit-export": a meeting's audit log as a CSV file."""

import csv
import io
import json

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from ..extensions import db
from ..mail.messages import slugify
from ..models import AuditEntry, utcnow
from ..text import spreadsheet_safe
from ..timezones import utc_to_local
from .registry import JobFailed, job_kind

BATCH = 500


def _row(entry: AuditEntry, zone: str) -> list[str]:
    local = utc_to_local(entry.at, zone)
    return [spreadsheet_safe(cell) for cell in (
        entry.at.strftime("%Y-%m-%d %H:%M:%S"),
        local.strftime("%Y-%m-%d %H:%M:%S %Z") if local else "",
        entry.actor,
        entry.action,
        entry.object_type,
        entry.object_id if entry.object_id is not None else "",
        entry.object_label,
        json.dumps(entry.changes, ensure_ascii=False, sort_keys=True) if entry.changes else "",
        entry.ip_address or "",
    )]


@job_kind("audit-export", title=_l("Audit log export (CSV)"))
def export_audit_log(job, report_progress) -> tuple[bytes, str, str]:
    """Every audit entry of ``job.meeting``, oldest first, as CSV (UTF-8 with a BOM)."""
    meeting = job.meeting
    if meeting is None:
        raise JobFailed(_("The meeting of this export no longer exists."))
    where = AuditEntry.meeting_id == meeting.id
    total = db.session.scalar(select(func.count()).select_from(AuditEntry).where(where)) or 0
    report_progress(0, _("Exporting %(num)d entries", num=total))
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["Time (UTC)", f"Time ({meeting.timezone})", "Actor", "Action",
                     "Object type", "Object id", "Object", "Changes", "IP address"])
    done = 0
    # Keyset pages: a long log is read in short queries, progress between them.
    last = (None, 0)
    while True:
        query = select(AuditEntry).where(where).order_by(AuditEntry.at, AuditEntry.id)
        if last[0] is not None:
            query = query.where((AuditEntry.at > last[0])
                                | ((AuditEntry.at == last[0]) & (AuditEntry.id > last[1])))
        entries = db.session.scalars(query.limit(BATCH)).all()
        if not entries:
            break
        for entry in entries:
            writer.writerow(_row(entry, meeting.timezone))
        done += len(entries)
        last = (entries[-1].at, entries[-1].id)
        report_progress(100 * done / max(total, 1),
                        _("%(done)d of %(total)d entries", done=done, total=total))
    filename = f"audit-log-{slugify(meeting.title, 40)}-{utcnow():%Y%m%d-%H%M}.csv"
    return ("\ufeff" + out.getvalue()).encode("utf-8"), filename, "text/csv; charset=utf-8"
