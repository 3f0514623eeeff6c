"""The busiest pages cost the same number of SQL queries whatever the number of rows:
the staff registration list, the representative's invitation page and the delegate's
page, with 3 and with 30 delegates (no query per row, no N+1)."""

from meetingapp.extensions import db
from meetingapp.tokens import new_token
from tests.factories import (
    ApprovedDelegateFactory,
    DelegateFactory,
    InvitationFactory,
    OrganisationFactory,
    UpcomingMeetingFactory,
)

pytest_plugins = ["tests.query_counter"]


def _meeting_with(app, delegates: int) -> dict:
    """A meeting with ``delegates`` delegates: one delegation holds half of them (the
    invitation page shows it), the rest come from organisations of their own; every
    other one is approved. Returns the ids and link tokens the pages need."""
    with app.app_context():
        meeting = UpcomingMeetingFactory(delegates_per_organisation=50)
        invitation_token, invitation_hash = new_token()
        main = InvitationFactory(meeting=meeting, status="accepted",
                                 token_hash=invitation_hash)
        delegate_token, delegate_hash = new_token()
        first = ApprovedDelegateFactory(invitation=main, role="head", token_hash=delegate_hash)
        for n in range(1, delegates):
            if n < delegates // 2:
                invitation = main
            else:
                invitation = InvitationFactory(meeting=meeting, status="accepted",
                                               organisation=OrganisationFactory(
                                                   kind=("regional", "sub-regional")[n % 2]))
            factory = ApprovedDelegateFactory if n % 2 else DelegateFactory
            factory(invitation=invitation)
        db.session.commit()
        return {"meeting": meeting.id, "delegate": first.id, "invitation_token": invitation_token,
                "delegate_token": delegate_token}


def _count(client, query_counter, url: str) -> int:
    with query_counter() as counted:
        response = client.get(url)
    assert response.status_code == 200, response.get_data(as_text=True)[:500]
    return counted.count


def _counts(app, client, query_counter, url_for) -> list[int]:
    counts = []
    for size in (3, 30):
        data = _meeting_with(app, size)
        _count(client, query_counter, url_for(data))  # first visit may record things once
        counts.append(_count(client, query_counter, url_for(data)))
    return counts


def test_registration_list_does_not_query_per_row(app, staff_client, query_counter):
    counts = _counts(app, staff_client, query_counter,
                     lambda d: f"/meetings/{d['meeting']}/registrations/")
    assert counts[0] == counts[1], counts


def test_filtered_registration_list_does_not_query_per_row(app, staff_client, query_counter):
    counts = _counts(app, staff_client, query_counter,
                     lambda d: f"/meetings/{d['meeting']}/registrations/?status=approved"
                               f"&kind=international")
    assert counts[0] == counts[1], counts


def test_invitation_page_does_not_query_per_delegate(app, client, query_counter):
    counts = _counts(app, client, query_counter, lambda d: f"/i/{d['invitation_token']}")
    assert counts[0] == counts[1], counts


def test_delegate_page_does_not_query_per_delegate(app, client, query_counter):
    counts = _counts(app, client, query_counter, lambda d: f"/d/{d['delegate_token']}")
    assert counts[0] == counts[1], counts
