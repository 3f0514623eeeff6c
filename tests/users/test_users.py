"""Administrators manage staff accounts; the CLI creates them without a password argument."""

from sqlalchemy import select

from meetingapp.extensions import db
from meetingapp.models import AuditEntry, User
from tests.conftest import login
from tests.factories import PASSWORD, UserFactory

NEW_PASSWORD = "a much longer passphrase"


def _user(app, email):
    with app.app_context():
        return db.session.scalar(select(User).where(User.email == email))


def test_admin_creates_user_with_scrypt_hash(app, admin_client):
    response = admin_client.post("/users/new", data={
        "email": "New.Person@Example.org", "name": "New Person", "role": "checkin",
        "password": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    assert response.status_code == 302
    user = _user(app, "new.person@example.org")
    assert user.role == "checkin"
    assert user.password_hash.startswith("scrypt:")
    assert NEW_PASSWORD not in user.password_hash
    page = admin_client.get("/users/").get_data(as_text=True)
    assert "new.person@example.org" in page


def test_duplicate_email_in_other_case_is_refused(app, admin_client):
    with app.app_context():
        UserFactory(email="ana@example.org")
    response = admin_client.post("/users/new", data={
        "email": "ANA@example.org", "name": "Ana", "role": "staff",
        "password": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    assert response.status_code == 200
    assert "already exists" in response.get_data(as_text=True)


def test_short_or_mismatched_password_is_refused(admin_client):
    page = admin_client.post("/users/new", data={
        "email": "x@example.org", "name": "X", "role": "staff",
        "password": "short", "confirm": "other"}).get_data(as_text=True)
    assert "Use at least 12 and at most 200 characters" in page
    assert "The two passwords differ" in page


def test_unknown_role_is_refused(admin_client):
    page = admin_client.post("/users/new", data={
        "email": "x@example.org", "name": "X", "role": "emperor",
        "password": NEW_PASSWORD, "confirm": NEW_PASSWORD}).get_data(as_text=True)
    assert "Not a valid choice" in page


def test_change_role_is_audited_and_takes_effect(app, admin_client):
    with app.app_context():
        user = UserFactory(email="ana@example.org", role="staff")
    other = app.test_client()
    login(other, user)
    assert other.get("/organisations/").status_code == 200
    admin_client.post(f"/users/{user.id}/edit", data={"name": "Ana", "role": "checkin"})
    assert _user(app, "ana@example.org").role == "checkin"
    # The changed rights apply at once: the old session has ended.
    assert other.get("/organisations/").status_code == 302
    with app.app_context():
        entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "update"))
        assert entry.changes["role"] == ["staff", "checkin"]
        assert entry.actor == "admin@example.org"


def test_last_admin_keeps_the_role_and_cannot_deactivate_self(app, admin_client):
    me = admin_client.user
    page = admin_client.post(f"/users/{me.id}/edit", data={"name": "Me", "role": "staff"},
                             follow_redirects=True).get_data(as_text=True)
    assert "last active administrator" in page
    page = admin_client.post(f"/users/{me.id}/deactivate", follow_redirects=True
                             ).get_data(as_text=True)
    assert "cannot deactivate your own account" in page
    assert _user(app, me.email).active


def test_deactivate_and_reactivate(app, admin_client):
    with app.app_context():
        user = UserFactory(email="ana@example.org")
    admin_client.post(f"/users/{user.id}/deactivate")
    assert not _user(app, "ana@example.org").active
    client = app.test_client()
    assert client.post("/login", data={"email": "ana@example.org", "password": PASSWORD}
                       ).status_code == 401
    admin_client.post(f"/users/{user.id}/activate")
    login(client, user)


def test_reset_password(app, admin_client):
    with app.app_context():
        user = UserFactory(email="ana@example.org")
    admin_client.post(f"/users/{user.id}/password",
                      data={"password": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    client = app.test_client()
    assert client.post("/login", data={"email": "ana@example.org", "password": PASSWORD}
                       ).status_code == 401
    assert client.post("/login", data={"email": "ana@example.org", "password": NEW_PASSWORD}
                       ).status_code == 302


def test_names_are_escaped(app, admin_client):
    with app.app_context():
        UserFactory(email="x@example.org", name="<script>alert(1)</script>")
    page = admin_client.get("/users/").get_data(as_text=True)
    assert "<script>alert(1)</script>" not in page


def test_cli_creates_user_with_password_from_environment(app, runner, monkeypatch):
    monkeypatch.setenv("MEETINGAPP_NEW_USER_PASSWORD", NEW_PASSWORD)
    result = runner.invoke(args=["users", "create", "--email", "Desk@Example.org",
                                 "--role", "checkin"])
    assert result.exit_code == 0, result.output
    user = _user(app, "desk@example.org")
    assert user.role == "checkin" and user.check_password(NEW_PASSWORD)


def test_cli_reads_password_from_prompt(app, runner, monkeypatch):
    monkeypatch.delenv("MEETINGAPP_NEW_USER_PASSWORD", raising=False)
    result = runner.invoke(args=["users", "create", "--email", "a@example.org"],
                           input=f"{NEW_PASSWORD}\n{NEW_PASSWORD}\n")
    assert result.exit_code == 0, result.output
    assert _user(app, "a@example.org").check_password(NEW_PASSWORD)


def test_cli_has_no_password_option(runner):
    result = runner.invoke(args=["users", "create", "--email", "a@example.org",
                                 "--password", "x"])
    assert result.exit_code != 0
    assert "No such option" in result.output


def test_cli_refuses_short_password_and_duplicates(app, runner, monkeypatch):
    monkeypatch.setenv("MEETINGAPP_NEW_USER_PASSWORD", "short")
    assert runner.invoke(args=["users", "create", "--email", "a@example.org"]).exit_code == 1
    monkeypatch.setenv("MEETINGAPP_NEW_USER_PASSWORD", NEW_PASSWORD)
    assert runner.invoke(args=["users", "create", "--email", "a@example.org"]).exit_code == 0
    result = runner.invoke(args=["users", "create", "--email", "A@example.org"])
    assert result.exit_code == 1 and "already exists" in result.output
