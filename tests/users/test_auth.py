"""Signing in and out, rate limits, CSRF, role checks."""

import pytest
from sqlalchemy import select

from meetingapp.extensions import db
from meetingapp.models import AuditEntry, User
from tests.conftest import login
from tests.factories import PASSWORD, UserFactory


def test_anonymous_user_is_sent_to_login(client):
    response = client.get("/organisations/")
    assert response.status_code == 302
    assert "/login?next=" in response.headers["Location"]


def test_login_page_shows_form(client):
    page = client.get("/login").get_data(as_text=True)
    assert 'for="email"' in page and 'for="password"' in page


def test_login_and_logout(app, client):
    with app.app_context():
        user = UserFactory(email="ana@example.org")
    response = client.post("/login", data={"email": "ANA@example.org ", "password": PASSWORD})
    assert response.status_code == 302
    assert client.get("/organisations/").status_code == 200
    client.post("/logout")
    assert client.get("/organisations/").status_code == 302
    with app.app_context():
        assert db.session.get(User, user.id).last_login_at is not None


def test_wrong_password_is_refused_and_logged(app, client):
    with app.app_context():
        UserFactory(email="ana@example.org")
    response = client.post("/login", data={"email": "ana@example.org", "password": "nope"})
    assert response.status_code == 401
    assert "Wrong e-mail or password" in response.get_data(as_text=True)
    assert client.get("/organisations/").status_code == 302
    with app.app_context():
        entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "login_failed"))
        assert entry.actor == "ana@example.org"
        assert entry.changes == {"reason": "wrong password"}


def test_unknown_account_failure_is_logged(app, client):
    response = client.post("/login", data={"email": "nobody@example.org", "password": "x"})
    assert response.status_code == 401
    with app.app_context():
        entry = db.session.scalar(select(AuditEntry))
        assert entry.action == "login_failed" and entry.object_label == "nobody@example.org"


def test_deactivated_user_cannot_log_in(app, client):
    with app.app_context():
        UserFactory(email="gone@example.org", active=False)
    response = client.post("/login", data={"email": "gone@example.org", "password": PASSWORD})
    assert response.status_code == 401


def test_deactivation_ends_an_open_session(app, admin_client):
    with app.app_context():
        user = UserFactory(email="staffer@example.org")
    other = app.test_client()
    login(other, user)
    assert other.get("/organisations/").status_code == 200
    admin_client.post(f"/users/{user.id}/deactivate")
    assert other.get("/organisations/").status_code == 302


def test_checkin_user_cannot_open_staff_pages(checkin_client):
    for url in ("/organisations/", "/meetings/", "/audit/", "/users/"):
        assert checkin_client.get(url).status_code == 403, url


def test_staff_user_cannot_manage_users(staff_client):
    assert staff_client.get("/users/").status_code == 403
    assert staff_client.post("/users/new", data={}).status_code == 403


def test_open_redirect_after_login_is_ignored(app, client):
    with app.app_context():
        UserFactory(email="ana@example.org")
    response = client.post("/login?next=//evil.example/x",
                           data={"email": "ana@example.org", "password": PASSWORD})
    assert "evil.example" not in response.headers["Location"]


def test_session_cookie_is_httponly_and_lax(app, client):
    with app.app_context():
        UserFactory(email="ana@example.org")
    response = client.post("/login", data={"email": "ana@example.org", "password": PASSWORD})
    cookie = next(h for h in response.headers.getlist("Set-Cookie") if h.startswith("session="))
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie


@pytest.mark.parametrize("config_overrides", [{"WTF_CSRF_ENABLED": True}])
def test_post_without_csrf_token_gets_clear_400(app, client, config_overrides):
    with app.app_context():
        UserFactory(email="ana@example.org")
    response = client.post("/login", data={"email": "ana@example.org", "password": PASSWORD})
    assert response.status_code == 400
    assert "This form has expired" in response.get_data(as_text=True)


@pytest.mark.parametrize("config_overrides", [{
    "RATELIMIT_ENABLED": True,
    "LOGIN_RATE_LIMIT_PER_ACCOUNT": "3 per minute",
    "LOGIN_RATE_LIMIT_PER_ADDRESS": "6 per minute",
}])
def test_login_is_rate_limited_per_account_and_address(app, config_overrides):
    with app.app_context():
        UserFactory(email="ana@example.org")
    client = app.test_client()
    for _ in range(3):
        assert client.post("/login", data={"email": "ana@example.org", "password": "x"}
                           ).status_code == 401
    blocked = client.post("/login", data={"email": "ana@example.org", "password": PASSWORD})
    assert blocked.status_code == 429
    assert "Too many attempts" in blocked.get_data(as_text=True)
    # Other accounts from the same address still get through, until the address limit.
    codes = [client.post("/login", data={"email": f"user{n}@example.org", "password": "x"}
                         ).status_code for n in range(4)]
    assert codes[0] == 401
    assert codes[-1] == 429
