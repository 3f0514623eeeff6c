"""Attendance: who checked in, by organisation, as CSV, XLSX, the marked printable list
of participants, and per organisation across meetings."""

import csv
import io
from datetime import UTC, datetime

import pytest
from openpyxl import load_workbook

from tests.factories import (
    ApprovedDelegateFactory,
    CheckInFactory,
    DelegateFactory,
    InvitationFactory,
    MeetingFactory,
    OrganisationFactory,
)
from tests.registration_helpers import pdf_text


@pytest.fixture
def meeting(app):
    """ICAO (head attended, delegate did not), LAS (delegate attended), a pending one."""
    with app.app_context():
        meeting = MeetingFactory(title="First Special Meeting", status="held")
        icao = InvitationFactory(meeting=meeting, status="accepted", organisation=(
            OrganisationFactory(name="International Civil Aviation Organization",
                                acronym="ICAO", kind="international")))
        las = InvitationFactory(meeting=meeting, status="accepted", organisation=(
            OrganisationFactory(name="League of Arab States", acronym="LAS", kind="regional")))
        head = ApprovedDelegateFactory(invitation=icao, role="head", given_name="Assad",
                                       family_name="Kotaite")
        ApprovedDelegateFactory(invitation=icao, given_name="Absent", family_name="Person")
        arabic = ApprovedDelegateFactory(invitation=las, given_name="أحمد",
                                         family_name="المنصوري")
        DelegateFactory(invitation=las, status="pending", family_name="Pending")
        # 09:40 EST on 6 March 2003.
        CheckInFactory(delegate=head, checked_in_at=datetime(2003, 3, 6, 14, 40, tzinfo=UTC))
        CheckInFactory(delegate=arabic, checked_in_at=datetime(2003, 3, 6, 14, 45, tzinfo=UTC))
        undone = ApprovedDelegateFactory(invitation=las, given_name="Undone", family_name="Scan")
        CheckInFactory(delegate=undone, undone_at=datetime(2003, 3, 6, 15, 0, tzinfo=UTC),
                       undo_reason="Scanned by mistake")
        return meeting.id, icao.organisation_id


def test_attendance_page_counts_by_organisation_and_marks_the_list(meeting, staff_client):
    meeting_id, _ = meeting
    page = staff_client.get(f"/checkin/{meeting_id}/attendance").get_data(as_text=True)
    assert "<strong>2</strong> of <strong>4</strong> approved participants checked in" in page
    assert "✓ attended</strong> (06 Mar 09:40 EST)" in page
    assert "Absent PERSON</bdi>, <bdi>Counter-terrorism adviser</bdi>\n        — <span " \
           "class=\"mark-absent\">not checked in" in page
    assert "Pending" not in page


def _csv_rows(staff_client, meeting_id):
    response = staff_client.get(f"/checkin/{meeting_id}/attendance.csv")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    return list(csv.reader(io.StringIO(response.data.decode("utf-8-sig"))))


def test_attendance_csv_and_xlsx_say_who_came_when_and_where(meeting, staff_client):
    meeting_id, _ = meeting
    rows = _csv_rows(staff_client, meeting_id)
    header = rows[0]
    assert header[8:11] == ["Attended", "Checked in (America/New_York)", "Checked in (UTC)"]
    by_name = {row[6]: row for row in rows[1:]}
    assert by_name["Kotaite"][8:13] == ["yes", "2003-03-06 09:40", "2003-03-06 14:40",
                                        "checkin@example.org", "Desk 1"]
    assert by_name["Person"][8] == "no" and by_name["Scan"][8] == "no"
    assert by_name["المنصوري"][8] == "yes" and "Pending" not in by_name
    # International organisations first, as in the list of participants.
    assert [row[1] for row in rows[1:]] == ["ICAO", "ICAO", "LAS", "LAS"]
    response = staff_client.get(f"/checkin/{meeting_id}/attendance.xlsx")
    sheet = load_workbook(io.BytesIO(response.data)).active
    values = [list(r) for r in sheet.iter_rows(values_only=True)]
    assert values[0] == header and values[1][8] == "yes"


def test_the_printable_list_marks_who_attended(meeting, staff_client):
    meeting_id, _ = meeting
    response = staff_client.get(f"/checkin/{meeting_id}/attendance.pdf")
    assert response.mimetype == "application/pdf"
    text = pdf_text(response.data)
    assert "2 of 4 participant(s) checked in" in text
    assert "أحمد المنصوري" in text and "✓ attended" in text and "not checked in" in text


def test_an_organisation_sees_its_attendance_meeting_by_meeting(app, meeting, staff_client):
    _, org_id = meeting
    html = staff_client.get(f"/organisations/{org_id}").get_data(as_text=True)
    assert "Attendance at meetings" in html
    assert "First Special Meeting" in html
    assert '<td class="text-end">1</td><td class="text-end">2</td>' in html


def test_attendance_is_for_staff_only(meeting, checkin_client):
    meeting_id, _ = meeting
    for suffix in ("", ".csv", ".xlsx", ".pdf"):
        assert checkin_client.get(f"/checkin/{meeting_id}/attendance{suffix}").status_code == 403
