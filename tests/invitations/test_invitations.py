"""Staff invite organisations; e-mail goes through the outbox to a real SMTP server."""

from datetime import timedelta
from urllib.parse import urlsplit

import pytest
from sqlalchemy import select

from meetingapp.extensions import db
from meetingapp.mail.services import deliver_due
from meetingapp.models import AuditEntry, Invitation, OutboxMessage, utcnow
from tests.factories import MeetingFactory, OrganisationFactory
from tests.invitation_helpers import (
    html_of,
    invitation_with_token,
    link_in,
    organisation_with_focal_point,
    upcoming_meeting,
)

pytest_plugins = ["tests.smtp_server"]


@pytest.fixture
def config_overrides(smtp_config):
    return smtp_config


@pytest.fixture
def meeting_id(app):
    with app.app_context():
        return upcoming_meeting(title="Second Special Meeting").id


def _regional(app, n=3):
    with app.app_context():
        orgs = [organisation_with_focal_point(kind="regional", name=f"Regional {i}",
                                              acronym=f"R{i}") for i in range(n)]
        OrganisationFactory(kind="regional", name="No Contact Org")  # no focal point
        organisation_with_focal_point(kind="international", name="Global One")
        return [o.id for o in orgs]


def _invitations(app):
    with app.app_context():
        return db.session.scalars(select(Invitation).order_by(Invitation.id)).all()


def _invite(client, meeting_id, **data):
    form = {"kind": "", "region": "", "send": "send", "step": "confirm", "confirm": "Send"}
    form.update(data)
    return client.post(f"/meetings/{meeting_id}/invitations/new", data=form,
                       follow_redirects=True)


def test_preview_shows_who_receives_what_and_sends_nothing(app, staff_client, meeting_id,
                                                          smtp_server):
    _regional(app)
    page = staff_client.post(f"/meetings/{meeting_id}/invitations/new",
                             data={"kind": "regional", "region": "", "send": "send",
                                   "preview": "Preview"}).get_data(as_text=True)
    assert "3</strong> organisation(s) will be invited" in page
    assert "focal." in page and "Regional 0" in page
    preview = page[page.index('id="preview"'):]
    assert "No Contact Org" in preview and "no focal point" in preview
    assert "Global One" not in preview
    assert "Invitation: Second Special Meeting" in page
    assert _invitations(app) == [] and smtp_server.received == []


def test_bulk_invitation_delivers_one_message_per_focal_point_and_link_accepts(
        app, staff_client, meeting_id, smtp_server):
    _regional(app)
    page = _invite(staff_client, meeting_id, kind="regional").get_data(as_text=True)
    assert "3 invitation(s) sent; 1 organisation(s) skipped" in page
    assert "Skipped No Contact Org" in page
    received = smtp_server.received
    assert sorted(r.rcpt_tos[0] for r in received) == sorted(
        i.email for i in _invitations(app))
    assert len(received) == 3
    message = next(r.message for r in received if "Regional 0" in r.message.get_body(
        ("plain",)).get_content())
    assert message["Subject"] == "Invitation: Second Special Meeting"
    link = link_in(message)

    representative = app.test_client()
    path = urlsplit(link).path
    view = representative.get(path)
    assert view.status_code == 200 and "Regional 0" in view.get_data(as_text=True)
    done = representative.post(path + "/respond/accept", follow_redirects=True)
    assert "acceptance is recorded" in done.get_data(as_text=True)

    overview = staff_client.get(f"/meetings/{meeting_id}/invitations/").get_data(as_text=True)
    assert 'data-status="accepted">1<' in overview
    assert 'data-status="sent">2<' in overview


def test_already_invited_organisations_are_skipped_and_said_so(app, staff_client, meeting_id,
                                                              smtp_server):
    ids = _regional(app, 2)
    _invite(staff_client, meeting_id, organisations=[ids[0]])
    page = _invite(staff_client, meeting_id, kind="regional").get_data(as_text=True)
    assert "1 invitation(s) sent" in page
    assert "Skipped Regional 0 (R0): already invited (sent)" in page
    assert len(_invitations(app)) == 2 and len(smtp_server.received) == 2


def test_smtp_down_while_inviting_then_up_delivers_each_message_once(
        app, staff_client, meeting_id, smtp_server):
    _regional(app)
    smtp_server.stop()
    response = _invite(staff_client, meeting_id, kind="regional")
    assert response.status_code == 200
    assert "3 invitation(s) sent" in response.get_data(as_text=True)
    with app.app_context():
        queued = db.session.scalars(select(OutboxMessage)).all()
        assert [m.status for m in queued] == ["queued"] * 3
        assert all(m.last_error for m in queued)
    smtp_server.start()
    with app.app_context():
        later = utcnow() + timedelta(hours=1)
        assert deliver_due(now=later).sent == 3
        assert deliver_due(now=later).handled == 0
    ids = smtp_server.message_ids()
    assert len(ids) == 3 and len(set(ids)) == 3


def test_permanent_refusal_ends_failed_and_visible(app, staff_client, meeting_id, smtp_server):
    _regional(app, 1)
    smtp_server.refuse("550")
    _invite(staff_client, meeting_id, kind="regional")
    with app.app_context():
        assert db.session.scalar(select(OutboxMessage.status)) == "failed"
    page = staff_client.get(f"/meetings/{meeting_id}/invitations/").get_data(as_text=True)
    assert "<strong>failed</strong>" in page and "550" in page


def test_reminder_goes_only_to_those_who_have_not_answered(app, staff_client, meeting_id,
                                                          smtp_server):
    with app.app_context():
        meeting = db.session.get(MeetingFactory._meta.model, meeting_id)
        for status in ("accepted", "declined", "sent", "viewed", "revoked"):
            invitation_with_token(meeting, organisation_with_focal_point(name=status),
                                  status=status)
    confirm = staff_client.get(f"/meetings/{meeting_id}/invitations/remind")
    assert "2 organisation(s) have not answered" in confirm.get_data(as_text=True)
    page = staff_client.post(f"/meetings/{meeting_id}/invitations/remind",
                             follow_redirects=True).get_data(as_text=True)
    assert "2 reminder(s) queued" in page
    subjects = sorted(r.message["Subject"] for r in smtp_server.received)
    assert subjects == ["Reminder: invitation to the Second Special Meeting"] * 2
    with app.app_context():
        counts = {i.organisation.name: i.reminder_count for i in
                  db.session.scalars(select(Invitation))}
    assert counts == {"accepted": 0, "declined": 0, "sent": 1, "viewed": 1, "revoked": 0}


def test_revoke_asks_first_then_the_link_stops_working(app, staff_client, meeting_id):
    with app.app_context():
        meeting = db.session.get(MeetingFactory._meta.model, meeting_id)
        invitation_id, token = invitation_with_token(meeting)
    url = f"/meetings/{meeting_id}/invitations/{invitation_id}/revoke"
    assert "cannot be undone" in staff_client.get(url).get_data(as_text=True)
    assert app.test_client().get(f"/i/{token}").status_code == 200
    staff_client.post(url)
    gone = app.test_client().get(f"/i/{token}")
    assert gone.status_code == 410
    assert "withdrawn" in gone.get_data(as_text=True)


def test_resend_issues_a_new_link_and_the_old_one_stops(app, staff_client, meeting_id,
                                                       smtp_server):
    with app.app_context():
        meeting = db.session.get(MeetingFactory._meta.model, meeting_id)
        invitation_id, old_token = invitation_with_token(meeting)
    staff_client.post(f"/meetings/{meeting_id}/invitations/{invitation_id}/send")
    [received] = smtp_server.received
    new_path = urlsplit(link_in(received.message)).path
    assert app.test_client().get(new_path).status_code == 200
    assert app.test_client().get(f"/i/{old_token}").status_code == 404
    with app.app_context():
        assert db.session.scalar(select(AuditEntry.action).where(
            AuditEntry.object_type == "invitations")) == "resend"


def test_html_and_script_in_wording_and_names_are_escaped_in_the_html_part(
        app, staff_client, meeting_id, smtp_server):
    with app.app_context():
        org = organisation_with_focal_point(name="<script>alert('org')</script>")
    staff_client.post(f"/meetings/{meeting_id}/invitations/wording/invitation", data={
        "subject": "Invitation <b>{acronym}</b>",
        "body": "Dear {contact},\n<img src=x onerror=alert(1)> {organisation}\n\n{link}"})
    _invite(staff_client, meeting_id, organisations=[org.id])
    [received] = smtp_server.received
    html = html_of(received.message)
    assert "<script>" not in html and "<img" not in html
    assert "&lt;script&gt;alert(" in html and "&lt;img src=x onerror=alert(1)&gt;" in html
    assert '<a href="http' in html  # the personal link is the only live link


def test_wording_refuses_unknown_placeholders_and_a_body_without_link(staff_client,
                                                                      meeting_id):
    page = staff_client.post(f"/meetings/{meeting_id}/invitations/wording/invitation", data={
        "subject": "Hello {nmae}", "body": "No link here."}).get_data(as_text=True)
    assert "Unknown placeholder: {nmae}" in page
    assert "The body must contain {link}" in page


def test_edit_invitation_address_copies_and_quota(app, staff_client, meeting_id, smtp_server):
    with app.app_context():
        meeting = db.session.get(MeetingFactory._meta.model, meeting_id)
        invitation_id, _ = invitation_with_token(meeting, status="draft")
    url = f"/meetings/{meeting_id}/invitations/{invitation_id}/edit"
    bad = staff_client.post(url, data={"email": "x@example.org", "cc": "ok@example.org, nope",
                                       "quota_override": "0"}).get_data(as_text=True)
    assert "Not a valid e-mail address: nope" in bad
    assert "Number must be between 1 and 100" in bad
    staff_client.post(url, data={"email": "Head@Example.org", "cc": "copy@example.org",
                                 "quota_override": "2"})
    staff_client.post(f"/meetings/{meeting_id}/invitations/{invitation_id}/send")
    [received] = smtp_server.received
    assert set(received.rcpt_tos) == {"head@example.org", "copy@example.org"}
    assert "up to 2 delegates" in received.message.get_body(("plain",)).get_content()


def test_sending_after_the_deadline_is_refused_with_a_reason(app, staff_client):
    with app.app_context():
        past_id = MeetingFactory().id  # registration closed in 2003
        org_id = organisation_with_focal_point().id
    page = _invite(staff_client, past_id, organisations=[org_id]).get_data(as_text=True)
    assert "registration deadline of this meeting has passed" in page
    assert _invitations(app) == []


def test_invitation_of_another_meeting_is_not_found(app, staff_client, meeting_id):
    with app.app_context():
        other_id, _ = invitation_with_token()
    assert staff_client.get(
        f"/meetings/{meeting_id}/invitations/{other_id}/edit").status_code == 404


def test_csv_export_lists_invitations_with_safe_cells(app, staff_client, meeting_id):
    with app.app_context():
        meeting = db.session.get(MeetingFactory._meta.model, meeting_id)
        invitation_with_token(meeting, organisation_with_focal_point(name="=HYPERLINK(1)"))
    response = staff_client.get(f"/meetings/{meeting_id}/invitations/export.csv")
    assert response.headers["Content-Disposition"].startswith("attachment")
    text = response.get_data(as_text=True)
    assert text.startswith("\ufefforganisation,acronym,kind")
    assert "'=HYPERLINK(1)" in text


def test_checkin_user_cannot_see_invitations(checkin_client, meeting_id):
    assert checkin_client.get(f"/meetings/{meeting_id}/invitations/").status_code == 403


def test_meeting_page_shows_invitation_counts_and_links(app, staff_client, meeting_id):
    with app.app_context():
        meeting = db.session.get(MeetingFactory._meta.model, meeting_id)
        invitation_with_token(meeting, status="accepted")
    page = staff_client.get(f"/meetings/{meeting_id}").get_data(as_text=True)
    assert "1 accepted" in page
    assert f"/meetings/{meeting_id}/invitations/new" in page


def test_staff_never_see_a_working_personal_link_in_the_outbox(app, staff_client, meeting_id,
                                                                smtp_server):
    _regional(app, 1)
    _invite(staff_client, meeting_id, kind="regional")
    [received] = smtp_server.received
    token = urlsplit(link_in(received.message)).path.rsplit("/", 1)[1]
    with app.app_context():
        message = db.session.scalar(select(OutboxMessage))
        assert message.status == "sent" and token not in message.body_text + message.body_html
        message_id = message.id
    assert token not in staff_client.get(f"/mail/{message_id}").get_data(as_text=True)
    assert token.encode() not in staff_client.get(f"/mail/{message_id}/message.eml").data
    # The representative's own copy still works.
    assert app.test_client().get(urlsplit(link_in(received.message)).path).status_code == 200


def test_restore_default_wording_works_even_when_the_edited_text_is_invalid(staff_client,
                                                                             meeting_id):
    url = f"/meetings/{meeting_id}/invitations/wording/invitation"
    staff_client.post(url, data={"subject": "Custom {meeting}", "body": "Hi\r\n\r\n{link}"})
    page = staff_client.post(url, data={"subject": "", "body": "no link", "reset": "1"},
                             follow_redirects=True).get_data(as_text=True)
    assert "Default wording restored" in page and "Invitation: {meeting}" in page
