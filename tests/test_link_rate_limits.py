"""Personal links at a venue: many delegates share one Wi-Fi address. Failed token lookups
are counted per address, working links per token; a working link is never refused because
others from the same address failed."""

import pytest

from meetingapp.extensions import db
from meetingapp.registrations.notify import issue_page_link
from meetingapp.tokens import new_token
from tests.factories import ApprovedDelegateFactory, InvitationFactory, MeetingFactory
from tests.invitation_helpers import invitation_with_token, upcoming_meeting

LIMITS = {"RATELIMIT_ENABLED": True, "RATELIMIT_STORAGE_URI": "memory://",
          "PORTAL_RATE_LIMIT": "3 per minute", "PORTAL_FAILED_LINK_LIMIT": "3 per minute"}
VENUE = {"REMOTE_ADDR": "203.0.113.7"}  # the venue's one public address


@pytest.fixture
def config_overrides():
    return dict(LIMITS)


def delegate_tokens(app, count: int) -> list[str]:
    with app.test_request_context():
        meeting = MeetingFactory()
        invitation = InvitationFactory(meeting=meeting, status="accepted")
        delegates = [ApprovedDelegateFactory(invitation=invitation, email=f"d{i}@example.org",
                                             email_key=f"d{i}@example.org")
                     for i in range(count)]
        tokens = [issue_page_link(d).rsplit("/", 1)[1] for d in delegates]
        db.session.commit()
    return tokens


def get(client, path: str) -> int:
    return client.get(path, environ_base=VENUE).status_code


def test_delegates_sharing_one_address_do_not_lock_each_other_out(app, client):
    tokens = delegate_tokens(app, 6)
    codes = [get(client, f"/d/{token}") for token in tokens for _ in range(3)]
    assert codes == [200] * 18


def test_a_valid_link_opens_after_a_burst_of_wrong_tokens_from_its_address(app, client):
    [token] = delegate_tokens(app, 1)
    with app.app_context():
        _, invitation_token = invitation_with_token(upcoming_meeting())
    wrong = [get(client, f"/d/{new_token()[0]}") for _ in range(5)]
    assert wrong == [404, 404, 404, 429, 429]
    assert get(client, f"/i/{new_token()[0]}") == 429  # the address, not the page type
    assert get(client, f"/d/{token}") == 200
    assert get(client, f"/d/{token}/calendar.ics") == 200
    assert get(client, f"/i/{invitation_token}") == 200
    # Another address is not touched by the venue's failures.
    assert client.get(f"/d/{new_token()[0]}",
                      environ_base={"REMOTE_ADDR": "198.51.100.9"}).status_code == 404


def test_one_link_is_limited_per_token_and_page_type(app, client):
    first, second = delegate_tokens(app, 2)
    assert [get(client, f"/d/{first}") for _ in range(4)] == [200, 200, 200, 429]
    refused = client.get(f"/d/{first}", environ_base=VENUE)
    assert "Retry-After" in refused.headers and refused.headers["Retry-After"].isdigit()
    assert get(client, f"/d/{second}") == 200  # another delegate, same address
    assert get(client, f"/d/{first}/calendar.ics") == 200  # another kind of page
    # The over-used link is not a failure: the address may still try a wrong one.
    assert get(client, f"/d/{new_token()[0]}") == 404


@pytest.mark.parametrize("bad", [
    "<script>alert(1)<\\script>",
    "%3Cimg%20src%3Dx%20onerror%3Dalert(1)%3E",
    "\u0627\u0644\u0631\u0627\u0628\u0637-\u0627\u0644\u0634\u062e\u0635\u064a" * 3,  # Arabic
    "\u202eknil-lanosrep-a-si-siht-\u202c" * 2,  # right-to-left override
    "会议链接" * 10,
    "x" * 5000,
    "0" * 43,
])
def test_hostile_tokens_count_as_failures_and_never_reach_a_traceback(app, client, bad):
    [token] = delegate_tokens(app, 1)
    codes = [get(client, f"/d/{bad}") for _ in range(4)]
    assert codes == [404, 404, 404, 429]
    page = client.get(f"/d/{bad}", environ_base=VENUE).get_data(as_text=True)
    assert "<script>alert(1)" not in page and "<img src=x" not in page
    assert get(client, f"/d/{token}") == 200


def test_feeds_count_failures_per_address_and_uses_per_feed(app, client):
    [token] = delegate_tokens(app, 1)
    issued = client.post(f"/d/{token}/calendar/feed", data={"action": "issue"},
                         environ_base=VENUE).get_data(as_text=True)
    feed = issued.split("/feed/", 1)[1].split(".ics", 1)[0]
    assert [get(client, f"/feed/{new_token()[0]}.ics") for _ in range(4)] == [404] * 3 + [429]
    assert [get(client, f"/feed/{feed}.ics") for _ in range(4)] == [200, 200, 200, 429]


@pytest.mark.parametrize("config_overrides", [dict(
    LIMITS, RATELIMIT_STORAGE_URI="redis://127.0.0.1:9/0")])  # nothing listens on port 9
def test_an_unreachable_limit_store_loosens_the_limits_and_links_still_open(app, client,
                                                                          config_overrides):
    [token] = delegate_tokens(app, 1)
    assert [get(client, f"/d/{token}") for _ in range(5)] == [200] * 5
    assert [get(client, f"/d/{new_token()[0]}") for _ in range(5)] == [404] * 5
