"""Registrations as CSV and XLSX files, every field, in the list-of-participants order."""

import csv
import io

from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font

from ..i18n import in_language
from ..models.organisation import KIND_LABELS
from ..models.registration import (
    ATTENDANCE_LABELS,
    DELEGATE_ROLE_LABELS,
    LANGUAGE_LABELS,
    REGISTRATION_STATUS_LABELS,
    Delegate,
)
from ..text import spreadsheet_safe
from .choices import country_name


def _utc(moment) -> str:
    return moment.strftime("%Y-%m-%d %H:%M UTC") if moment else ""


# (column heading, value of one registration)
COLUMNS = (
    ("Registration number", lambda d: d.id),
    ("Organisation", lambda d: d.invitation.organisation.name),
    ("Acronym", lambda d: d.invitation.organisation.acronym),
    ("Kind of organisation", lambda d: str(KIND_LABELS.get(d.invitation.organisation.kind, ""))),
    ("Role", lambda d: str(DELEGATE_ROLE_LABELS[d.role])),
    ("Form of address", lambda d: d.title),
    ("Given name", lambda d: d.given_name),
    ("Family name", lambda d: d.family_name),
    ("Position", lambda d: d.position),
    ("E-mail", lambda d: d.email),
    ("Phone", lambda d: d.phone),
    ("Nationality (ISO code)", lambda d: d.nationality),
    ("Nationality", lambda d: country_name(d.nationality, "en")),
    ("Preferred language", lambda d: str(LANGUAGE_LABELS[d.language]).split(" — ")[0]),
    ("Attendance", lambda d: str(ATTENDANCE_LABELS[d.attendance])),
    ("Accessibility or other needs", lambda d: d.needs),
    ("Consents to the published list", lambda d: "yes" if d.consent_to_publish else "no"),
    ("Status", lambda d: str(REGISTRATION_STATUS_LABELS[d.status])),
    ("Reason given by the secretariat", lambda d: d.decision_reason),
    ("Registered (UTC)", lambda d: _utc(d.created_at)),
    ("Last changed (UTC)", lambda d: _utc(d.updated_at)),
    ("Decided (UTC)", lambda d: _utc(d.decided_at)),
    ("Withdrawn (UTC)", lambda d: _utc(d.withdrawn_at)),
)


def rows(delegates: list[Delegate]):
    """The heading row, then one row of raw values per registration, in English (a file
    for other programs reads the same whoever downloads it)."""
    yield [heading for heading, _ in COLUMNS]
    for delegate in delegates:
        with in_language("en"):
            row = [value(delegate) for _, value in COLUMNS]
        yield row


def registrations_csv(delegates: list[Delegate]) -> str:
    """CSV text (with a BOM, for spreadsheet programs); no cell can run as a formula."""
    out = io.StringIO()
    writer = csv.writer(out)
    for row in rows(delegates):
        writer.writerow([spreadsheet_safe(v) for v in row])
    return "\ufeff" + out.getvalue()


def registrations_xlsx(delegates: list[Delegate], title: str = "Registrations") -> bytes:
    """An Excel workbook; every text cell is stored as text, never as a formula."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = title[:31]
    for index, row in enumerate(rows(delegates)):
        sheet.append([_xlsx_value(v) for v in row])
        if index == 0:
            for cell in sheet[1]:
                cell.font = Font(bold=True)
    # openpyxl takes a string starting with "=" for a formula: store text as text.
    for row in sheet.iter_rows(min_row=2):
        for cell in row:
            if isinstance(cell.value, str):
                cell.data_type = "s"
    sheet.freeze_panes = "A2"
    for column, (heading, _) in zip(sheet.columns, COLUMNS, strict=False):
        width = max([len(heading)] + [len(str(c.value or "")) for c in column[1:200]])
        sheet.column_dimensions[column[0].column_letter].width = min(max(width + 2, 10), 50)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def _xlsx_value(value):
    if isinstance(value, str):
        # Characters XML cannot hold (controls) would make the file unreadable.
        return ILLEGAL_CHARACTERS_RE.sub("", value)
    return value
