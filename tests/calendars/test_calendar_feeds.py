"""Subscription feeds: a delegate's and a staff member's, their own tokens, validators and 304."""

import re
from datetime import UTC, datetime

import pytest
from icalendar import Calendar

from meetingapp.extensions import db
from meetingapp.models import AuditEntry, CalendarFeed, Delegate, User
from meetingapp.tokens import hash_token, new_token
from tests.agenda_helpers import item_form, publish
from tests.calendars.test_calendar_downloads import build, check_calendar, check_raw, events

FEED_LINK = re.compile(r"https://localhost/feed/([A-Za-z0-9_\-]+)\.ics")


@pytest.fixture
def config_overrides():
    """Served over https: subscription links come as https:// and webcal://."""
    return {"PUBLIC_URL": "https://localhost"}


def subscribe(client, page_token: str) -> str:
    """Ask for the delegate's feed link from their page; returns the feed token."""
    response = client.post(f"/d/{page_token}/calendar/feed", data={"action": "issue"})
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    match = FEED_LINK.search(page)
    assert match, page
    assert f"webcal://localhost/feed/{match.group(1)}.ics" in page
    assert response.headers["Referrer-Policy"] == "no-referrer"
    return match.group(1)


def get_feed(client, token: str, **headers):
    return client.get(f"/feed/{token}.ics", headers=headers)


def test_delegate_feed_has_its_own_hashed_token_and_answers_304(app, staff_client, client):
    data = build(app)
    publish(staff_client, data["id"])
    token = subscribe(client, data["tokens"]["ahmed"])
    assert token != data["tokens"]["ahmed"]
    with app.app_context():
        feed = db.session.scalar(db.select(CalendarFeed))
        assert feed.token_hash == hash_token(token) and feed.delegate_id == data["ahmed"]
        assert db.session.scalar(db.select(AuditEntry).where(
            AuditEntry.action == "issue_calendar_feed")) is not None
    response = get_feed(client, token)
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/calendar; charset=utf-8"
    assert "filename=" in response.headers["Content-Disposition"]
    assert "max-age" in response.headers["Cache-Control"]
    assert response.headers["X-Robots-Tag"] == "noindex, nofollow"
    etag, modified = response.headers["ETag"], response.headers["Last-Modified"]
    check_raw(response.get_data())
    calendar = Calendar.from_ical(response.get_data())
    check_calendar(calendar)
    assert set(events(calendar)) == {f"meeting-{data['id']}@localhost",
                                     f"item-{data['opening']}@localhost",
                                     f"item-{data['april']}@localhost"}
    text = response.get_data().replace(b"\r\n ", b"").decode()
    assert "王小明" not in text and "wang@" not in text and "ATTENDEE" not in text
    assert data["tokens"]["ahmed"] not in text and token not in text
    again = get_feed(client, token)
    assert again.headers["ETag"] == etag and again.get_data() == response.get_data()
    assert get_feed(client, token, **{"If-None-Match": etag}).status_code == 304
    assert get_feed(client, token, **{"If-Modified-Since": modified}).status_code == 304
    assert get_feed(client, token, **{"If-None-Match": '"other"'}).status_code == 200


def test_feed_follows_the_programme(app, staff_client, client):
    data = build(app)
    publish(staff_client, data["id"])
    token = subscribe(client, data["tokens"]["wang"])
    before = get_feed(client, token)
    response = staff_client.post(
        f"/meetings/{data['id']}/agenda/items/{data['march']}/edit",
        data=item_form("Follow-up on 30 March", "11:00", "12:00",
                       starts_at="2003-03-30T11:00", ends_at="2003-03-30T12:00"))
    assert response.status_code == 302, response.get_data(as_text=True)
    # Not yet published: the feed still shows what delegates were told.
    assert get_feed(client, token).get_data() == before.get_data()
    publish(staff_client, data["id"])
    after = get_feed(client, token, **{"If-None-Match": before.headers["ETag"]})
    assert after.status_code == 200 and after.headers["ETag"] != before.headers["ETag"]
    item = events(Calendar.from_ical(after.get_data()))[f"item-{data['march']}@localhost"]
    start = item.decoded("DTSTART")
    assert (start.day, start.hour) == (30, 11) and int(item["SEQUENCE"]) == 1


def test_revoke_and_reissue(app, staff_client, client):
    data = build(app)
    page = data["tokens"]["ahmed"]
    first = subscribe(client, page)
    assert "Stop my subscription link" in client.get(f"/d/{page}").get_data(as_text=True)
    response = client.post(f"/d/{page}/calendar/feed", data={"action": "revoke"})
    assert response.status_code == 200 and "stopped" in response.get_data(as_text=True)
    assert get_feed(client, first).status_code == 404
    second = subscribe(client, page)
    assert second != first
    assert get_feed(client, first).status_code == 404
    assert get_feed(client, second).status_code == 200
    third = subscribe(client, page)  # re-issue: the previous link stops working
    assert get_feed(client, second).status_code == 404
    assert get_feed(client, third).status_code == 200
    assert get_feed(client, "nonsense").status_code == 404
    assert get_feed(client, page).status_code == 404  # the page token is not a feed token


def test_withdrawn_delegate_feed_shows_everything_cancelled(app, staff_client, client):
    data = build(app)
    publish(staff_client, data["id"])
    token = subscribe(client, data["tokens"]["ahmed"])
    with app.app_context():
        db.session.get(Delegate, data["ahmed"]).status = "withdrawn"
        db.session.commit()
    found = events(Calendar.from_ical(get_feed(client, token).get_data()))
    assert found and {str(e["STATUS"]) for e in found.values()} == {"CANCELLED"}


def test_staff_feed_of_every_meeting(app, staff_client, client, checkin_client):
    data = build(app)
    publish(staff_client, data["id"])
    assert staff_client.get("/meetings/calendar/feed").status_code == 200
    response = staff_client.post("/meetings/calendar/feed", data={"action": "issue"})
    match = FEED_LINK.search(response.get_data(as_text=True))
    assert match and "webcal://" in response.get_data(as_text=True)
    feed = get_feed(client, match.group(1))
    found = events(Calendar.from_ical(feed.get_data()))
    assert f"meeting-{data['id']}@localhost" in found and len(found) == 4
    assert get_feed(client, match.group(1), **{"If-None-Match": feed.headers["ETag"]}
                    ).status_code == 304
    assert checkin_client.get("/meetings/calendar/feed").status_code == 403
    with app.app_context():
        user = db.session.scalar(db.select(User).where(User.email == "staff@example.org"))
        user.active = False
        db.session.commit()
    assert get_feed(client, match.group(1)).status_code == 404


def test_staff_revoke(app, staff_client, client):
    response = staff_client.post("/meetings/calendar/feed", data={"action": "issue"})
    token = FEED_LINK.search(response.get_data(as_text=True)).group(1)
    assert get_feed(client, token).status_code == 200
    staff_client.post("/meetings/calendar/feed", data={"action": "revoke"})
    assert get_feed(client, token).status_code == 404
    with app.app_context():
        feed = db.session.scalar(db.select(CalendarFeed))
        assert feed.token_hash is None and feed.revoked_at <= datetime.now(UTC)


@pytest.mark.parametrize("config_overrides", [{"RATELIMIT_ENABLED": True,
                                               "PORTAL_FAILED_LINK_LIMIT": "3 per minute"}])
def test_feeds_and_delegate_downloads_are_rate_limited(client, config_overrides):
    codes = [client.get(f"/feed/{new_token()[0]}.ics").status_code for _ in range(4)]
    assert codes == [404, 404, 404, 429]
    codes = [client.get(f"/d/{new_token()[0]}/calendar.ics").status_code for _ in range(4)]
    assert codes[-1] == 429
