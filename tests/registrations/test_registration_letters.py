"""The delegation's nomination letter: a real PDF, size-limited, readable by staff only."""

import io
from datetime import timedelta

import pytest
from pypdf import PdfReader
from sqlalchemy import select

from meetingapp.extensions import db
from meetingapp.models import AuditEntry, Invitation, NominationLetter, utcnow
from tests.invitation_helpers import organisation_with_focal_point, upcoming_meeting
from tests.registration_helpers import FAKE_EXE, SMALL_PDF, accepted_invitation, one_page_pdf


@pytest.fixture
def config_overrides():
    return {"NOMINATION_LETTER_MAX_BYTES": 2048, "MAX_CONTENT_LENGTH": 64 * 1024}


@pytest.fixture
def accepted(app):
    with app.app_context():
        meeting = upcoming_meeting()
        invitation_id, token = accepted_invitation(
            meeting, organisation_with_focal_point(name="Council of Europe", acronym="CoE"))
        return meeting.id, invitation_id, token


def _upload(client, token, data: bytes, filename="letter.pdf"):
    return client.post(f"/i/{token}/delegates/letter",
                       data={"letter": (io.BytesIO(data), filename)},
                       content_type="multipart/form-data")


def _letters(app):
    with app.app_context():
        return db.session.scalars(select(NominationLetter)).all()


def test_a_pdf_is_stored_in_the_database_and_staff_download_it(app, client, staff_client,
                                                               accepted):
    meeting_id, invitation_id, token = accepted
    response = _upload(client, token, SMALL_PDF, filename="../../Lettre de nomination é.pdf")
    assert response.status_code == 302
    page = client.get(f"/i/{token}").get_data(as_text=True)
    assert "The nomination letter is uploaded" in page and "Lettre de nomination é.pdf" in page
    [letter] = _letters(app)
    assert (letter.invitation_id, letter.size) == (invitation_id, len(SMALL_PDF))
    with app.app_context():
        assert db.session.get(NominationLetter, letter.id).content == SMALL_PDF
        assert db.session.scalar(select(AuditEntry.action).where(
            AuditEntry.object_type == "nomination_letters")) == "upload_letter"

    download = staff_client.get(f"/meetings/{meeting_id}/registrations/letters/{invitation_id}")
    assert download.status_code == 200 and download.data == SMALL_PDF
    assert download.mimetype == "application/pdf"
    assert download.headers["Content-Disposition"].startswith("attachment;")
    assert download.headers["X-Content-Type-Options"] == "nosniff"
    # The representative's link shows the letter's name, never the file.
    assert client.get(f"/i/{token}/delegates/letter/download").status_code in (404, 405)
    assert client.get(f"/meetings/{meeting_id}/registrations/letters/{invitation_id}"
                      ).status_code == 302  # to the sign-in page


def test_a_new_upload_replaces_the_letter(app, client, accepted):
    _, _, token = accepted
    _upload(client, token, SMALL_PDF)
    second = one_page_pdf(pages=2)
    assert _upload(client, token, second, "second.pdf").status_code == 302
    [letter] = _letters(app)
    assert (letter.filename, letter.size) == ("second.pdf", len(second))


def test_an_executable_renamed_pdf_is_refused_on_its_content(app, client, accepted):
    _, _, token = accepted
    response = _upload(client, token, FAKE_EXE, filename="letter.pdf")
    assert response.status_code == 422
    assert "This file is not a PDF document" in response.get_data(as_text=True)
    assert _letters(app) == []


def test_a_pdf_named_otherwise_is_accepted_as_pdf(app, client, accepted):
    _, _, token = accepted
    assert _upload(client, token, SMALL_PDF, filename="scan").status_code == 302
    assert _letters(app)[0].filename == "scan.pdf"


def test_an_oversized_letter_is_refused_with_the_limit(app, client, accepted):
    _, _, token = accepted
    big = SMALL_PDF[:-7] + b"%" + b"x" * 4096 + b"\n%%EOF\n"
    response = _upload(client, token, big)
    assert response.status_code == 422
    assert "The file is too large: the largest accepted is 2 KB" in response.get_data(as_text=True)
    # Beyond the limit of a whole request the server refuses it before reading.
    response = _upload(client, token, b"%PDF-" + b"x" * 70 * 1024)
    assert response.status_code == 413
    assert "too large" in response.get_data(as_text=True)
    assert _letters(app) == []


def test_an_empty_or_missing_file_is_refused(app, client, accepted):
    _, _, token = accepted
    assert _upload(client, token, b"").status_code in (400, 422)
    response = client.post(f"/i/{token}/delegates/letter", data={})
    assert response.status_code == 400 and "Choose a PDF file" in response.get_data(as_text=True)
    assert _letters(app) == []


def test_no_upload_before_acceptance_or_after_the_deadline(app, client, accepted):
    _, invitation_id, token = accepted
    with app.app_context():
        _, sent_token = accepted_invitation(status="viewed")
    assert _upload(client, sent_token, SMALL_PDF).status_code == 422
    with app.app_context():
        meeting = db.session.get(Invitation, invitation_id).meeting
        meeting.registration_opens_at = utcnow() - timedelta(days=2)
        meeting.registration_closes_at = utcnow() - timedelta(minutes=1)
        db.session.commit()
    response = _upload(client, token, SMALL_PDF)
    assert response.status_code == 422 and "Registration closed" in response.get_data(as_text=True)
    assert _letters(app) == []


def test_staff_cannot_reach_another_meetings_letter_through_this_meeting(
        app, client, staff_client, accepted):
    meeting_id, invitation_id, token = accepted
    _upload(client, token, SMALL_PDF)
    with app.app_context():
        other_meeting_id = upcoming_meeting().id
    assert staff_client.get(f"/meetings/{other_meeting_id}/registrations/letters/"
                            f"{invitation_id}").status_code == 404


NOT_A_PDF = "This file is not a PDF document"


@pytest.mark.parametrize("data", [
    b"%PDF-1.4\n%%EOF",                                           # header and trailer only
    b"%PDF-1.4<html><script>alert(1)</script></html>\n%%EOF",     # HTML dressed as PDF
    b"%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n"
    b"2 0 obj << /Type /Pages /Kids [] /Count 0 >> endobj\n"
    b"trailer << /Root 1 0 R >>\n%%EOF\n",                       # parses, but no page
    SMALL_PDF[:200] + b"\n%%EOF\n",                               # cut short
    "%PDF-1.4 نص عربي 中文 <b>\n%%EOF".encode(),                 # Unicode, not a PDF
], ids=["header-only", "html", "no-page", "truncated", "unicode"])
def test_what_only_looks_like_a_pdf_is_refused_on_the_field(app, client, accepted, data):
    _, _, token = accepted
    response = _upload(client, token, data)
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert NOT_A_PDF in page and "<script>alert" not in page
    assert _letters(app) == []


@pytest.mark.parametrize("action", [
    {"/S": "/JavaScript", "/JS": "app.alert('hi')"},
    {"/S": "/Launch", "/F": "cmd.exe"},
], ids=["javascript", "launch"])
def test_a_pdf_with_scripts_or_launch_actions_is_refused(app, client, accepted, action):
    _, _, token = accepted
    data = one_page_pdf(open_action=action)
    assert len(PdfReader(io.BytesIO(data)).pages) == 1  # a real PDF otherwise
    response = _upload(client, token, data)
    assert response.status_code == 422
    assert "contains scripts or actions" in response.get_data(as_text=True)
    assert _letters(app) == []


def test_a_real_multi_page_letter_is_accepted(app, client, accepted):
    _, _, token = accepted
    data = one_page_pdf(pages=3)
    assert _upload(client, token, data).status_code == 302
    with app.app_context():
        [content] = db.session.scalars(select(NominationLetter.content)).all()
    assert len(PdfReader(io.BytesIO(content)).pages) == 3
