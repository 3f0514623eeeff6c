"""The agenda pages cost the same number of queries whatever the number of items."""

from datetime import UTC, datetime, timedelta

import pytest

from meetingapp.extensions import db
from meetingapp.tokens import new_token
from tests.agenda_helpers import first_special_meeting, invite, publish
from tests.factories import (
    AgendaItemFactory,
    AgendaSessionFactory,
    ApprovedDelegateFactory,
    SpeakerFactory,
    TopicFactory,
)

pytest_plugins = ["tests.query_counter"]

START = datetime(2003, 3, 6, 14, 0, tzinfo=UTC)


def _agenda(app, sessions: int, items_per_session: int) -> dict:
    """A meeting with sessions of items, each with a topic and two speakers (one a delegate)."""
    with app.app_context():
        meeting = first_special_meeting()
        organisations = []
        delegates = []
        for n in range(3):
            organisation, invitation = invite(meeting, f"Organisation {meeting.id}.{n}",
                                              f"ORG{meeting.id}{n}")
            organisations.append(organisation)
            delegates.append(ApprovedDelegateFactory(invitation=invitation))
        token, token_hash = new_token()
        invitation.token_hash = token_hash
        topic = TopicFactory()
        moment = START
        for s in range(sessions):
            length = timedelta(minutes=10 * items_per_session)
            session = AgendaSessionFactory(meeting=meeting, title=f"Session {s}",
                                           starts_at=moment, ends_at=moment + length)
            session.topics = [topic]
            for i in range(items_per_session):
                item = AgendaItemFactory(meeting=meeting, session=session, title=f"Item {s}.{i}",
                                         starts_at=moment, ends_at=moment + timedelta(minutes=10))
                item.topics = [topic]
                SpeakerFactory(item=item, organisation=organisations[i % 3], role="chair")
                SpeakerFactory(item=item, organisation=organisations[(i + 1) % 3],
                               delegate=delegates[(i + 1) % 3])
                moment += timedelta(minutes=10)
        db.session.commit()
        return {"id": meeting.id, "token": token}


def _count(client, query_counter, url: str) -> int:
    with query_counter() as counted:
        response = client.get(url)
    assert response.status_code == 200, response.get_data(as_text=True)[:500]
    return counted.count


@pytest.mark.parametrize("page", ["/", "/publish", "/print"])
def test_staff_pages_do_not_query_per_item(app, staff_client, query_counter, page):
    small = _agenda(app, sessions=1, items_per_session=2)
    large = _agenda(app, sessions=4, items_per_session=6)
    counts = [_count(staff_client, query_counter, f"/meetings/{m['id']}/agenda{page}")
              for m in (small, large)]
    assert counts[0] == counts[1], counts
    assert counts[0] <= 20, counts


def test_link_pages_do_not_query_per_item(app, client, staff_client, query_counter):
    small = _agenda(app, sessions=1, items_per_session=2)
    large = _agenda(app, sessions=4, items_per_session=6)
    for meeting in (small, large):
        assert publish(staff_client, meeting["id"]).status_code == 302
    for page in ("/programme", ""):
        counts = [_count(client, query_counter, f"/i/{m['token']}{page}") for m in (small, large)]
        assert counts[0] == counts[1], (page, counts)
