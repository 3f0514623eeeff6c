"""The delegate's own page: its own token, private headers, clear answers for bad links."""

import pytest
from sqlalchemy import event

from meetingapp import hooks
from meetingapp.delegates.services import LinkUnknown, find_delegate
from meetingapp.extensions import db
from meetingapp.models import Delegate, Invitation
from meetingapp.registrations.notify import issue_page_link
from meetingapp.tokens import hash_token, new_token
from tests.factories import DelegateFactory
from tests.invitation_helpers import organisation_with_focal_point, upcoming_meeting
from tests.registration_helpers import accepted_invitation, delegate_data


@pytest.fixture
def approved(app):
    """(delegate id, token of their page, token of their organisation's invitation)."""
    with app.test_request_context():
        meeting = upcoming_meeting(title="Special Meeting on Aviation Security",
                                   description="09:30 Opening\n10:00 Session I: Standards")
        invitation_id, invitation_token = accepted_invitation(
            meeting, organisation_with_focal_point(name="International Civil Aviation "
                                                        "Organization", acronym="ICAO"))
        delegate = DelegateFactory(invitation=db.session.get(Invitation, invitation_id),
                                   status="approved", title="Mr.", given_name="Assad",
                                   family_name="Kotaite", role="head", needs="Interpreter")
        link = issue_page_link(delegate)
        db.session.commit()
        return delegate.id, link.rsplit("/", 1)[1], invitation_token


def test_page_shows_the_registration_the_meeting_and_its_programme(client, approved):
    _, token, _ = approved
    response = client.get(f"/d/{token}")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "Mr. Assad Kotaite" in page and "Head of delegation" in page
    assert "International Civil Aviation Organization" in page
    assert "Special Meeting on Aviation Security" in page and "America/New_York" in page
    assert "Session I: Standards" in page and "Interpreter" in page
    assert "Registration approved" in page and "France" in page


def test_page_is_private_not_indexed_not_cached_no_referrer(client, approved):
    _, token, _ = approved
    response = client.get(f"/d/{token}")
    assert response.headers["X-Robots-Tag"] == "noindex, nofollow"
    assert response.headers["Cache-Control"] == "no-store"
    assert response.headers["Referrer-Policy"] == "no-referrer"
    page = response.get_data(as_text=True)
    assert '<meta name="robots" content="noindex, nofollow">' in page
    assert '<meta name="referrer" content="no-referrer">' in page


def test_the_page_leaves_a_place_for_later_sections(app, client, approved, tmp_path,
                                                    monkeypatch):
    _, token, _ = approved
    (tmp_path / "badge.html").write_text("<p>Badge of {{ delegate.family_name }}: "
                                         "{{ section.code }}</p>")
    app.jinja_loader.searchpath.append(str(tmp_path))
    hooks.add_section(app, hooks.DELEGATE_PAGE, "badge.html", position=hooks.Position.BADGES,
                      context=lambda d: {"code": "QR-123"})
    assert "Badge of Kotaite: QR-123" in client.get(f"/d/{token}").get_data(as_text=True)


@pytest.mark.parametrize("token", ["nope", "A" * 43, "x" * 500, "%00"])
def test_unknown_link_is_a_clear_404_with_the_secretariats_contact(client, token):
    response = client.get(f"/d/{token}")
    assert response.status_code == 404
    page = response.get_data(as_text=True)
    assert "This link is not valid" in page and "secretariat@example.org" in page


@pytest.mark.parametrize("status, words", [("rejected", "not approved"),
                                           ("withdrawn", "withdrawn by your organisation")])
def test_rejected_or_withdrawn_registration_link_is_410(app, client, approved, status, words):
    delegate_id, token, _ = approved
    with app.app_context():
        db.session.get(Delegate, delegate_id).status = status
        db.session.commit()
    response = client.get(f"/d/{token}")
    assert response.status_code == 410
    page = response.get_data(as_text=True)
    assert words in page and "secretariat@example.org" in page


def test_revoked_invitation_or_cancelled_meeting_closes_the_page(app, client, approved):
    delegate_id, token, _ = approved
    with app.app_context():
        db.session.get(Delegate, delegate_id).invitation.status = "revoked"
        db.session.commit()
    assert client.get(f"/d/{token}").status_code == 410


def test_its_own_secret_not_the_invitations(app, client, approved):
    delegate_id, token, invitation_token = approved
    with app.app_context():
        delegate = db.session.get(Delegate, delegate_id)
        assert delegate.token_hash == hash_token(token) and token not in delegate.token_hash
        assert delegate.token_hash != delegate.invitation.token_hash
    assert len(token) >= 22
    assert client.get(f"/d/{invitation_token}").status_code == 404
    assert client.get(f"/i/{token}").status_code == 404


def test_a_new_approval_link_replaces_the_old_one(app, client, approved):
    delegate_id, old_token, _ = approved
    with app.test_request_context():
        new_link = issue_page_link(db.session.get(Delegate, delegate_id))
        db.session.commit()
    assert client.get(f"/d/{old_token}").status_code == 404
    assert client.get(new_link.replace("http://localhost", "")).status_code == 200


def test_a_change_of_address_stops_the_old_link(app, client, approved):
    delegate_id, token, invitation_token = approved
    with app.app_context():
        delegate = db.session.get(Delegate, delegate_id)
        fields = {k: getattr(delegate, k) for k in ("role", "title", "given_name",
                                                    "family_name", "position", "nationality",
                                                    "language", "attendance", "needs")}
    response = client.post(f"/i/{invitation_token}/delegates/{delegate_id}/edit",
                           data=delegate_data(**fields, email="new.address@example.org"))
    assert response.status_code == 302
    assert client.get(f"/d/{token}").status_code == 404
    with app.app_context():
        assert db.session.get(Delegate, delegate_id).status == "pending"


def test_a_change_of_position_keeps_the_page_and_a_new_name_shows_awaiting_approval(
        app, client, approved):
    delegate_id, token, invitation_token = approved
    with app.app_context():
        delegate = db.session.get(Delegate, delegate_id)
        fields = {k: getattr(delegate, k) for k in ("role", "title", "given_name", "email",
                                                    "nationality", "language", "attendance")}
    client.post(f"/i/{invitation_token}/delegates/{delegate_id}/edit",
                data=delegate_data(**fields, family_name="Kotaite", position="President"))
    assert "Registration approved" in client.get(f"/d/{token}").get_data(as_text=True)
    client.post(f"/i/{invitation_token}/delegates/{delegate_id}/edit",
                data=delegate_data(**fields, family_name="Kotaité", position="President"))
    page = client.get(f"/d/{token}").get_data(as_text=True)
    assert "Awaiting approval" in page and "Kotaité" in page


def test_token_lookup_is_one_query_by_hash(app):
    statements = []
    with app.app_context():
        listener = lambda *args: statements.append(args[2])  # noqa: E731
        event.listen(db.engine, "before_cursor_execute", listener)
        try:
            for candidate in (new_token()[0], "short"):
                with pytest.raises(LinkUnknown):
                    find_delegate(candidate)
        finally:
            event.remove(db.engine, "before_cursor_execute", listener)
    queries = [s for s in statements if s.startswith("SELECT")]
    assert len(queries) == 2 and all("delegates.token_hash = " in s for s in queries)


@pytest.mark.parametrize("config_overrides", [{"RATELIMIT_ENABLED": True,
                                               "PORTAL_FAILED_LINK_LIMIT": "3 per minute"}])
def test_delegate_pages_are_rate_limited(client, config_overrides):
    codes = [client.get(f"/d/{new_token()[0]}").status_code for _ in range(4)]
    assert codes == [404, 404, 404, 429]
