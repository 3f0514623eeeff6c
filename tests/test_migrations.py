"""The schema comes from the migrations, and they match the models."""

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade
from sqlalchemy import inspect

from meetingapp.extensions import db


def _diff(app):
    with app.app_context(), db.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        return compare_metadata(context, db.metadata)


def test_migrations_and_models_agree(app):
    assert _diff(app) == []


def test_downgrade_to_base_and_upgrade_to_head(app):
    with app.app_context():
        downgrade(revision="base", x_arg=["force=1"])
        db.engine.dispose()
        tables = set(inspect(db.engine).get_table_names()) - {"alembic_version"}
        assert tables == set()
        upgrade()
        db.engine.dispose()
        tables = set(inspect(db.engine).get_table_names())
        assert {t.name for t in db.metadata.sorted_tables} <= tables
    assert _diff(app) == []


def test_naming_convention_names_constraints():
    names = {c.name for t in db.metadata.sorted_tables for c in t.constraints}
    assert "ck_meetings_ends_after_start" in names
    assert "uq_organisations_name_key" in names
    assert "fk_contacts_organisation_id_organisations" in names


def test_upgrading_a_database_with_data_keeps_every_row(app):
    """Migrations that rebuild a table on SQLite (batch mode) must not fire ON DELETE
    actions on the tables that point at it: nothing is lost on the way down and up."""
    from sqlalchemy import func, select

    from meetingapp.models import CheckIn, CheckinCode, Contact, Delegate, Invitation
    from tests.factories import CheckInFactory, ContactFactory, DelegateFactory

    with app.app_context():
        delegate = DelegateFactory(status="approved")
        ContactFactory(organisation=delegate.invitation.organisation)
        CheckInFactory(delegate=delegate)
        from meetingapp.badges.codes import ensure_code

        ensure_code(delegate)
        db.session.commit()
        models = (Delegate, Invitation, Contact, CheckIn, CheckinCode)
        before = {m.__name__: db.session.scalar(select(func.count()).select_from(m))
                  for m in models}
        assert all(before.values()), before
        db.session.remove()
        # Before this session's rebuilds of tables (forced: the columns dropped hold data).
        downgrade(revision="59f75cef86a5", x_arg=["force=1"])
        upgrade()
        db.engine.dispose()
        after = {m.__name__: db.session.scalar(select(func.count()).select_from(m))
                 for m in models}
        assert after == before


def test_existing_meetings_keep_the_uid_domain_their_invitations_were_sent_with(app):
    """Before the public address, UIDs took the host of whichever request built them:
    the upgrade keeps the domain the outbox shows was sent, else the configured one."""
    from meetingapp.calendars.ics import meeting_uid
    from meetingapp.models import Meeting, OutboxAttachment, OutboxMessage
    from tests.factories import MeetingFactory

    sent_ics = (b"BEGIN:VCALENDAR\r\nMETHOD:REQUEST\r\nBEGIN:VEVENT\r\n"
                b"UID:meeting-1@127.0.0.1\r\nSUMMARY:\xd8\xa7\xd9\x84\xd8\xa7\xd8\xac\r\n"
                b"END:VEVENT\r\nEND:VCALENDAR\r\n")
    with app.app_context():
        sent, unsent = MeetingFactory(), MeetingFactory()
        message = OutboxMessage(message_id="<m1@example.org>", to_addrs="a@example.org",
                                subject="Invitation", body_text="", body_html="",
                                meeting_id=sent.id, status="sent")
        message.attachments.append(OutboxAttachment(
            filename="invite.ics", mimetype="text/calendar; method=REQUEST",
            content=sent_ics.replace(b"meeting-1@", f"meeting-{sent.id}@".encode())))
        db.session.add(message)
        db.session.commit()
        sent_id, unsent_id = sent.id, unsent.id
        db.session.remove()
        downgrade(revision="f1b2c3d4e5a6", x_arg=["force=1"])
        upgrade()
        db.engine.dispose()
        assert meeting_uid(db.session.get(Meeting, sent_id)) == f"meeting-{sent_id}@127.0.0.1"
        # Nothing was sent: the domain the configuration names (SERVER_NAME in the tests).
        assert meeting_uid(db.session.get(Meeting, unsent_id)) == f"meeting-{unsent_id}@localhost"
        app.config["PUBLIC_URL"] = "https://elsewhere.example.org"
        assert meeting_uid(db.session.get(Meeting, sent_id)) == f"meeting-{sent_id}@127.0.0.1"


def test_items_of_existing_meetings_never_go_back_below_the_sequence_already_sent(app):
    """Items used to take their meeting's SEQUENCE on top of their own: after the upgrade
    an item's next calendar goes out with a SEQUENCE no lower than the last one sent."""
    from sqlalchemy import text

    from meetingapp.calendars.ics import Options, item_event
    from meetingapp.models import Meeting
    from tests.factories import MeetingFactory

    with app.app_context():
        moved = MeetingFactory(sequence=3)
        moved_id = moved.id
        db.session.remove()
        downgrade(revision="b8d4f0a2c6e1", x_arg=["force=1"])
        upgrade()
        db.engine.dispose()
        meeting = db.session.get(Meeting, moved_id)
        assert meeting.item_sequence_base == 3
        assert db.session.scalar(text("SELECT item_sequence_base FROM meetings")) == 3

        class Item:  # a published item whose own SEQUENCE is 1 (sent as 1 + 3 = 4)
            id, title, description, room, sequence, cancelled = 7, "Session I", "", "", 1, False
            starts_at, ends_at, speakers = meeting.starts_at, meeting.ends_at, []

        event = item_event(meeting, Item(), meeting.updated_at, Options(link=""))
        assert event["sequence"] == 4
        assert MeetingFactory().item_sequence_base == 0  # new meetings start at 0
