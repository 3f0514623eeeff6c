"""``flask demo load``: the First Special Meeting, real organisations, a demo login."""

from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy import func, select

from meetingapp.extensions import db
from meetingapp.models import Contact, Meeting, Organisation, User
from tests.conftest import make_config


def _counts(app):
    with app.app_context():
        return tuple(db.session.scalar(select(func.count()).select_from(model))
                     for model in (User, Organisation, Contact, Meeting))


def test_demo_load_creates_the_first_special_meeting_and_is_idempotent(app, runner):
    result = runner.invoke(args=["demo", "load"])
    assert result.exit_code == 0, result.output
    assert "First Special Meeting" in result.output
    first = _counts(app)
    assert first == (1, 25, 25, 2)
    again = runner.invoke(args=["demo", "load"])
    assert "nothing changed" in again.output
    assert _counts(app) == first
    with app.app_context():
        meeting = db.session.scalar(select(Meeting).where(Meeting.number == 1))
        local = meeting.starts_at.astimezone(ZoneInfo("America/New_York"))
        assert local.replace(tzinfo=None) == datetime(2003, 3, 6, 9, 30)
        assert local.tzname() == "EST"
        assert meeting.venue == "United Nations Headquarters"
        las = db.session.scalar(select(Organisation).where(Organisation.acronym == "LAS"))
        assert las.focal_point.name == "أحمد المنصوري"


def test_demo_login_opens_the_meeting_list_with_new_york_time(app, runner, client):
    runner.invoke(args=["demo", "load"])
    login = runner.invoke(args=["demo", "login"])
    email, password = login.output.split(": ", 1)[1].strip().split(" / ")
    assert client.post("/login", data={"email": email, "password": password}
                       ).status_code == 302
    page = client.get("/meetings/").get_data(as_text=True)
    assert "First Special Meeting" in page
    assert "06 March 2003" in page and "09:30" in page and "EST" in page


def test_demo_is_empty_reports_a_fresh_database(runner):
    assert runner.invoke(args=["demo", "is-empty"]).exit_code == 0
    runner.invoke(args=["demo", "load"])
    assert runner.invoke(args=["demo", "is-empty"]).exit_code == 1


def test_demo_refuses_production(database_url):
    from meetingapp import create_app

    app = create_app(make_config(database_url, ENV="production", SECRET_KEY="x" * 40,
                                 MAIL_BACKEND="smtp", PUBLIC_URL="https://meetings.example.org"))
    result = app.test_cli_runner().invoke(args=["demo", "load"])
    assert result.exit_code == 1 and "not loaded in production" in result.output
