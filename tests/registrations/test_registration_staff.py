"""Staff approve or reject registrations, one by one or in bulk; every decision is audited."""

import re

import pytest
from sqlalchemy import select

from meetingapp.extensions import db
from meetingapp.models import AuditEntry, Delegate, Invitation, Meeting
from meetingapp.registrations.participants import participant_order
from tests.factories import DelegateFactory, OrganisationFactory
from tests.invitation_helpers import html_of, upcoming_meeting
from tests.registration_helpers import accepted_invitation, delegate_link_in

pytest_plugins = ["tests.smtp_server"]


@pytest.fixture
def config_overrides(smtp_config):
    return dict(smtp_config, PER_PAGE=3)


@pytest.fixture
def meeting_id(app):
    with app.app_context():
        return upcoming_meeting(title="Second Special Meeting").id


def _delegation(app, meeting_id, org_name, kind="international", **delegates):
    """An accepted invitation of a new organisation with pending delegates; their ids."""
    with app.app_context():
        org = OrganisationFactory(name=org_name, acronym=org_name[:4].upper(), kind=kind)
        meeting = db.session.get(Meeting, meeting_id)
        invitation_id, _ = accepted_invitation(meeting, org)
        invitation = db.session.get(Invitation, invitation_id)
        return [DelegateFactory(invitation=invitation, family_name=name, role=role).id
                for name, role in delegates.items()]


def _delegate(app, delegate_id) -> Delegate:
    with app.app_context():
        return db.session.get(Delegate, delegate_id)


def _actions(app) -> list[tuple[str, int]]:
    with app.app_context():
        return [(e.action, e.object_id) for e in db.session.scalars(
            select(AuditEntry).where(AuditEntry.object_type == "delegates")
            .order_by(AuditEntry.id))]


def test_list_filters_by_status_organisation_kind_and_role_a_page_at_a_time(
        app, staff_client, meeting_id):
    imf = _delegation(app, meeting_id, "International Monetary Fund", Alpha="head",
                      Beta="delegate", Gamma="adviser", Delta="observer")
    _delegation(app, meeting_id, "Economic Community of West African States",
                kind="sub-regional", Epsilon="head")
    with app.app_context():
        db.session.get(Delegate, imf[1]).status = "approved"
        db.session.commit()
    base = f"/meetings/{meeting_id}/registrations/"
    page = staff_client.get(base).get_data(as_text=True)
    assert "Alpha" in page and "Gamma" in page and "Delta" not in page  # 3 a page
    assert "5 in all, page 1 of 2" in page
    assert "Epsilon" in staff_client.get(base + "?page=2").get_data(as_text=True)
    assert "Beta" not in staff_client.get(base + "?status=pending").get_data(as_text=True)
    page = staff_client.get(base + "?kind=sub-regional").get_data(as_text=True)
    assert "Epsilon" in page and "Alpha" not in page
    page = staff_client.get(base + "?role=head").get_data(as_text=True)
    assert "Alpha" in page and "Epsilon" in page and "Beta" not in page
    with app.app_context():
        org_id = db.session.get(Delegate, imf[0]).invitation.organisation_id
    page = staff_client.get(base + f"?organisation={org_id}&role=observer").get_data(as_text=True)
    assert "Delta" in page and "Alpha" not in page and "Epsilon" not in page


def test_approval_mails_a_personal_link_that_opens_the_delegate_page(
        app, staff_client, meeting_id, smtp_server):
    [delegate_id] = _delegation(app, meeting_id, "World Customs Organization", Mikuriya="head")
    detail = staff_client.get(f"/meetings/{meeting_id}/registrations/{delegate_id}")
    assert "Approve" in detail.get_data(as_text=True)
    page = staff_client.post(f"/meetings/{meeting_id}/registrations/{delegate_id}/approve",
                             follow_redirects=True).get_data(as_text=True)
    assert "approved; the personal link is on its way" in page
    delegate = _delegate(app, delegate_id)
    assert delegate.status == "approved" and delegate.decided_by_id == staff_client.user.id
    [received] = smtp_server.received
    assert received.rcpt_tos == [delegate.email]
    assert received.message["Subject"] == "Registration approved: Second Special Meeting"
    link = delegate_link_in(received.message)
    assert link in html_of(received.message)
    page = staff_client.get(link.replace("http://localhost", ""))
    assert page.status_code == 200 and "Mikuriya" in page.get_data(as_text=True)
    # Approving again changes nothing and sends nothing.
    staff_client.post(f"/meetings/{meeting_id}/registrations/{delegate_id}/approve")
    assert len(smtp_server.received) == 1
    assert _actions(app) == [("approve", delegate_id)]


def test_rejection_needs_a_reason_which_the_delegate_and_focal_point_read(
        app, staff_client, meeting_id, smtp_server):
    [delegate_id] = _delegation(app, meeting_id, "Interpol", Smith="delegate")
    url = f"/meetings/{meeting_id}/registrations/{delegate_id}/reject"
    response = staff_client.post(url, data={"reason": "  "})
    assert response.status_code == 400
    assert 'id="reason-error"' in response.get_data(as_text=True)
    assert _delegate(app, delegate_id).status == "pending" and smtp_server.received == []
    reason = "The nomination letter names <another> person."
    page = staff_client.post(url, data={"reason": reason},
                             follow_redirects=True).get_data(as_text=True)
    assert "not approved; they are told why" in page
    with app.app_context():
        delegate = db.session.get(Delegate, delegate_id)
        focal_point = delegate.invitation.email
    assert (delegate.status, delegate.decision_reason) == ("rejected", reason)
    [received] = smtp_server.received
    assert received.message["Subject"].startswith("Registration not approved")
    assert set(received.rcpt_tos) == {delegate.email, focal_point}
    assert reason in received.message.get_body(("plain",)).get_content()
    html = html_of(received.message)
    assert "&lt;another&gt;" in html and "<another>" not in html
    with app.app_context():
        entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "reject"))
        assert entry.changes["decision_reason"] == ["", reason]
        assert entry.actor == "staff@example.org"


def test_bulk_approval_and_rejection(app, staff_client, meeting_id, smtp_server):
    ids = _delegation(app, meeting_id, "ICAO", One="head", Two="delegate", Three="adviser")
    bulk = f"/meetings/{meeting_id}/registrations/bulk"
    refused = staff_client.post(bulk, data={"ids": ids[:2], "reject": "Reject"},
                                follow_redirects=True).get_data(as_text=True)
    assert "Give the reason for not approving" in refused
    assert {_delegate(app, i).status for i in ids} == {"pending"}

    page = staff_client.post(bulk, data={"ids": ids[:2], "approve": "Approve"},
                             follow_redirects=True).get_data(as_text=True)
    assert "2 registration(s) approved" in page
    page = staff_client.post(bulk, data={"ids": ids[1:], "reject": "Reject",
                                         "reason": "Only two places at the table."},
                             follow_redirects=True).get_data(as_text=True)
    assert "2 registration(s) not approved" in page
    assert [_delegate(app, i).status for i in ids] == ["approved", "rejected", "rejected"]
    subjects = sorted(r.message["Subject"].split(":")[0] for r in smtp_server.received)
    assert subjects == ["Registration approved"] * 2 + ["Registration not approved"] * 2
    assert [a for a, _ in _actions(app)] == ["approve", "approve", "reject", "reject"]


def test_bulk_decisions_refuse_an_id_of_another_meeting(app, staff_client, meeting_id):
    [ours] = _delegation(app, meeting_id, "IMO", Ours="delegate")
    with app.app_context():
        other_meeting_id = upcoming_meeting().id
    [theirs] = _delegation(app, other_meeting_id, "WCO", Theirs="delegate")
    response = staff_client.post(f"/meetings/{meeting_id}/registrations/bulk",
                                 data={"ids": [ours, theirs], "approve": "Approve"})
    assert response.status_code == 404
    assert _delegate(app, ours).status == "pending" and _delegate(app, theirs).status == "pending"
    for url in (f"/meetings/{meeting_id}/registrations/{theirs}",
                f"/meetings/{meeting_id}/registrations/{theirs}/approve"):
        assert staff_client.post(url).status_code in (404, 405)
        assert staff_client.get(url).status_code in (404, 405)
    assert _delegate(app, theirs).status == "pending"


def test_a_rejected_registration_approved_again_still_obeys_the_quota(
        app, staff_client, meeting_id):
    ids = _delegation(app, meeting_id, "OSCE", Old="delegate", New="delegate")
    with app.app_context():
        delegate = db.session.get(Delegate, ids[0])
        delegate.status = "rejected"
        delegate.invitation.quota_override = 1
        db.session.commit()
    page = staff_client.post(f"/meetings/{meeting_id}/registrations/{ids[0]}/approve",
                             follow_redirects=True).get_data(as_text=True)
    assert "delegation is full" in page
    assert _delegate(app, ids[0]).status == "rejected"


def test_only_staff_reach_registrations(app, client, checkin_client, meeting_id):
    url = f"/meetings/{meeting_id}/registrations/"
    assert client.get(url).status_code == 302  # to the sign-in page
    assert checkin_client.get(url).status_code == 403


def test_meeting_page_has_a_registrations_section(app, staff_client, meeting_id):
    _delegation(app, meeting_id, "CICTE", Pending="delegate")
    page = staff_client.get(f"/meetings/{meeting_id}").get_data(as_text=True)
    assert 'id="registrations-heading"' in page and "1 awaiting approval" in page
    assert f"/meetings/{meeting_id}/registrations/participants" in page


def test_no_decision_once_the_organisation_declined_after_all(app, staff_client, meeting_id):
    [delegate_id] = _delegation(app, meeting_id, "NATO", Late="delegate")
    with app.app_context():
        db.session.get(Delegate, delegate_id).invitation.status = "declined"
        db.session.commit()
    page = staff_client.post(f"/meetings/{meeting_id}/registrations/{delegate_id}/approve",
                             follow_redirects=True).get_data(as_text=True)
    assert "is declined, no longer accepted" in page
    assert _delegate(app, delegate_id).status == "pending"


def _listed_ids(staff_client, url) -> list[int]:
    """Delegate ids of every page of the staff list, in the order shown."""
    ids, page = [], 1
    while True:
        html = staff_client.get(f"{url}{'&' if '?' in url else '?'}page={page}").get_data(
            as_text=True)
        found = [int(i) for i in re.findall(r'id="select-(\d+)"', html)]
        if not found:
            return ids
        ids += found
        page += 1


def _expected_order(app, meeting_id, **filters) -> list[int]:
    with app.app_context():
        meeting = db.session.get(Meeting, meeting_id)
        delegates = db.session.scalars(select(Delegate).where(Delegate.meeting_id == meeting_id))
        return [d.id for d in sorted(delegates, key=participant_order)
                if all(getattr(d, k) == v for k, v in filters.items())] if meeting else []


def test_list_order_stays_right_across_pages_when_names_kinds_and_roles_change(
        app, staff_client, meeting_id):
    _delegation(app, meeting_id, "Zeta Union", kind="regional", Yu="observer", Xu="head",
                Wu="delegate")
    _delegation(app, meeting_id, "Alpha League", kind="sub-regional", Vu="delegate",
                Tu="head")
    _delegation(app, meeting_id, "Mid Organisation", Su="adviser", Ru="head", Qu="delegate",
                Pu="delegate")
    base = f"/meetings/{meeting_id}/registrations/"
    expected = _expected_order(app, meeting_id)
    assert len(expected) == 9
    assert _listed_ids(staff_client, base) == expected
    assert "9 in all, page 1 of 3" in staff_client.get(base).get_data(as_text=True)
    # The stored sort keys follow the organisation's name and kind and the delegate's role.
    with app.app_context():
        from meetingapp.models import Organisation
        zeta = db.session.scalar(select(Organisation).where(Organisation.name == "Zeta Union"))
        zeta.name, zeta.kind = "Aardvark Union", "international"
        zeta.refresh_keys()
        alpha = db.session.scalar(select(Organisation).where(Organisation.name == "Alpha League"))
        alpha.name = "Omega League"
        alpha.refresh_keys()
        db.session.scalar(select(Delegate).where(Delegate.family_name == "Xu")).role = "adviser"
        db.session.flush()
        db.session.scalar(select(Delegate).where(Delegate.family_name == "Yu")).role = "head"
        db.session.commit()
    changed = _expected_order(app, meeting_id)
    assert changed != expected
    assert _listed_ids(staff_client, base) == changed
    assert _listed_ids(staff_client, base + "?role=delegate") == _expected_order(
        app, meeting_id, role="delegate")
    assert "4 in all, page 1 of 2" in staff_client.get(base + "?role=delegate").get_data(
        as_text=True)


def test_organisation_filter_lists_the_invited_organisations_as_they_change(
        app, staff_client, meeting_id):
    _delegation(app, meeting_id, "Bravo Council", Ka="head")
    base = f"/meetings/{meeting_id}/registrations/"
    page = staff_client.get(base).get_data(as_text=True)
    assert ">Bravo Council</option>" in page and "Charlie Forum" not in page
    _delegation(app, meeting_id, "Charlie Forum", Lo="head")  # a new invitation
    with app.app_context():
        from meetingapp.models import Organisation
        bravo = db.session.scalar(select(Organisation).where(Organisation.name == "Bravo Council"))
        bravo.name = "Bravo Assembly"  # a renamed organisation
        bravo.refresh_keys()
        db.session.commit()
        bravo_id = bravo.id
    page = staff_client.get(base + f"?organisation={bravo_id}").get_data(as_text=True)
    assert f'<option selected value="{bravo_id}">Bravo Assembly</option>' in page
    assert ">Charlie Forum</option>" in page and "Bravo Council" not in page
    assert "Ka" in page and "Lo" not in page.split('id="registrations"')[1].split("</table>")[0]


@pytest.mark.parametrize("chosen", [None, "", "2", "12", "unknown"])
def test_long_select_renders_what_wtforms_select_renders(chosen):
    from werkzeug.datastructures import MultiDict
    from wtforms import Form, SelectField
    from wtforms.widgets import Select

    from meetingapp.formtools import LongSelect

    class Filters(Form):
        org = SelectField("Organisation", validate_choice=False, choices=[
            ("", "Any organisation"), ("1", 'A & <b>"B"</b>'), ("2", "Ünïcode عربى"),
            ("12", "Twelve")])

    for _ in range(2):  # the second time from the kept options
        form = Filters(MultiDict({} if chosen is None else {"org": chosen}))
        assert LongSelect()(form.org, class_="form-select") == Select()(
            form.org, class_="form-select")


def test_the_per_worker_list_of_invited_organisations_is_bounded(app, meeting_id):
    from meetingapp.registrations import participants as routes

    with app.app_context():
        meeting = db.session.get(Meeting, meeting_id)
        saved = dict(routes._organisation_choices)
        try:
            routes._organisation_choices.clear()
            for fake_id in range(-routes.CHOICES_KEPT, 0):  # other meetings, looked at before
                routes._organisation_choices[fake_id] = ((), [])
            routes.invited_organisations(meeting)
            assert len(routes._organisation_choices) == routes.CHOICES_KEPT
            assert meeting.id in routes._organisation_choices
            assert -routes.CHOICES_KEPT not in routes._organisation_choices  # the oldest went
        finally:
            routes._organisation_choices.clear()
            routes._organisation_choices.update(saved)
