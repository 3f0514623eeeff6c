"""Redis (the rate-limit storage) unreachable: limits fail open to per-process counters with a
warning, every personal-link page, feed and the staff sign-in still answer, /readyz says so."""

import logging

import pytest

from meetingapp.tokens import new_token
from tests.conftest import login
from tests.factories import UserFactory
from tests.invitation_helpers import invitation_with_token, upcoming_meeting
from tests.test_link_rate_limits import VENUE, delegate_tokens, get

CLOSED = "redis://127.0.0.1:1/0"  # nothing listens on port 1: connections are refused
DOWN = {"RATELIMIT_ENABLED": True, "RATELIMIT_STORAGE_URI": CLOSED,
        "PORTAL_RATE_LIMIT": "50 per minute", "PORTAL_FAILED_LINK_LIMIT": "50 per minute",
        "LOGIN_RATE_LIMIT_PER_ADDRESS": "3 per minute",
        "LOGIN_RATE_LIMIT_PER_ACCOUNT": "100 per minute"}
WRONG = {"email": "nobody@example.org", "password": "not the password"}


@pytest.fixture
def config_overrides():
    return dict(DOWN)


def _feed_of(client, token: str) -> str:
    issued = client.post(f"/d/{token}/calendar/feed", data={"action": "issue"},
                         environ_base=VENUE).get_data(as_text=True)
    return issued.split("/feed/", 1)[1].split(".ics", 1)[0]


def test_personal_links_and_feeds_answer_with_redis_unreachable(app, client):
    [token] = delegate_tokens(app, 1)
    with app.app_context():
        _, invitation_token = invitation_with_token(upcoming_meeting())
    assert [get(client, f"/d/{token}") for _ in range(3)] == [200] * 3
    assert get(client, f"/d/{token}/calendar.ics") == 200
    assert get(client, f"/i/{invitation_token}") == 200
    feed = _feed_of(client, token)
    response = client.get(f"/feed/{feed}.ics", environ_base=VENUE)
    assert response.status_code == 200
    assert response.get_data(as_text=True).startswith("BEGIN:VCALENDAR")
    assert get(client, f"/feed/{new_token()[0]}.ics") == 404


def test_staff_sign_in_works_with_redis_unreachable(app, client, caplog):
    with app.app_context():
        user = UserFactory()
        email = user.email
    with caplog.at_level(logging.WARNING):
        assert client.post("/login", data=WRONG).status_code == 401
    assert any("in-memory" in record.getMessage() for record in caplog.records)
    with app.app_context():
        from meetingapp.extensions import db
        from meetingapp.models import User
        user = db.session.scalar(db.select(User).filter_by(email=email))
        login(client, user)


def test_limits_still_count_in_this_process_when_redis_is_unreachable(app):
    client = app.test_client()
    statuses = [client.post("/login", data=WRONG).status_code for _ in range(4)]
    assert statuses == [401, 401, 401, 429]


@pytest.mark.parametrize("bad", [
    "<script>alert(1)</script>",
    "\u0627\u0644\u0631\u0627\u0628\u0637" * 5,  # Arabic, right to left
    "\u202eknil-\u202c" * 3,
    "会议" * 20,
    "x" * 3000,
])
def test_hostile_tokens_answer_404_with_redis_unreachable(app, client, bad):
    assert get(client, f"/d/{bad}") == 404
    assert get(client, f"/feed/{bad}.ics") == 404
    response = client.post("/login", data={"email": bad, "password": bad})
    assert response.status_code in (200, 401)
    assert "<script>alert(1)" not in response.get_data(as_text=True)


def test_readyz_names_the_degraded_rate_limit_storage(app, client):
    response = client.get("/readyz")
    assert response.status_code == 200
    body = response.get_json()
    assert body["status"] == "degraded"
    assert body["degraded"] == ["ratelimit_storage"]
    assert body["checks"]["ratelimit_storage"] == "unreachable"
    assert body["checks"]["database"] == "ok"
    assert "127.0.0.1" not in response.get_data(as_text=True)
