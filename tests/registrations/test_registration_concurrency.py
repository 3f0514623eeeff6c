"""Parallel submissions cannot exceed a delegation's quota (SQLite and PostgreSQL)."""

import threading

from sqlalchemy import event, select

from meetingapp.extensions import db
from meetingapp.models import Delegate, Invitation
from meetingapp.registrations.services import register_delegate
from tests.invitation_helpers import upcoming_meeting
from tests.registration_helpers import accepted_invitation, delegate_data

SUBMISSIONS = 20
QUOTA = 3


def _submit_in_parallel(app, token, data_for):
    """Post the registration form from SUBMISSIONS threads at once.

    Each thread has its own test client; each request pushes its own app
    context, hence its own database session and connection, as in production.
    """
    barrier = threading.Barrier(SUBMISSIONS, timeout=60)
    results: list[tuple[int, str]] = []
    lock = threading.Lock()

    def submit(n):
        client = app.test_client()
        barrier.wait()
        response = client.post(f"/i/{token}/delegates/new", data=data_for(n))
        with lock:
            results.append((response.status_code, response.get_data(as_text=True)))

    threads = [threading.Thread(target=submit, args=(n,)) for n in range(SUBMISSIONS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not any(t.is_alive() for t in threads)
    return results


def _refusals(results, words):
    return [code for code, page in results if code == 409 and words in page]


def test_quota_holds_under_parallel_registration(app):
    with app.app_context():
        invitation_id, token = accepted_invitation(
            upcoming_meeting(delegates_per_organisation=10), quota_override=QUOTA)
    results = _submit_in_parallel(
        app, token, lambda n: delegate_data(email=f"parallel.{n}@example.org"))
    assert sorted(code for code, _ in results).count(302) == QUOTA
    assert len(_refusals(results, "Your delegation is full: all 3 places are taken")) == \
        SUBMISSIONS - QUOTA
    with app.app_context():
        rows = db.session.scalars(select(Delegate).where(
            Delegate.invitation_id == invitation_id)).all()
    assert len(rows) == QUOTA and {d.status for d in rows} == {"pending"}


def test_parallel_heads_of_delegation_leave_exactly_one(app):
    with app.app_context():
        invitation_id, token = accepted_invitation(
            upcoming_meeting(delegates_per_organisation=50), quota_override=SUBMISSIONS + 5)
    results = _submit_in_parallel(
        app, token, lambda n: delegate_data(role="head", email=f"head.{n}@example.org"))
    assert [code for code, _ in results].count(302) == 1
    assert len(_refusals(results, "already has a head of delegation")) == SUBMISSIONS - 1
    with app.app_context():
        heads = db.session.scalars(select(Delegate).where(
            Delegate.invitation_id == invitation_id, Delegate.role == "head")).all()
    assert len(heads) == 1


def test_the_same_address_submitted_in_parallel_is_registered_once(app):
    with app.app_context():
        meeting = upcoming_meeting(delegates_per_organisation=50)
        _, token = accepted_invitation(meeting, quota_override=SUBMISSIONS + 5)
    results = _submit_in_parallel(
        app, token, lambda n: delegate_data(email="One.Person@example.org" if n % 2
                                            else "one.person@EXAMPLE.org"))
    assert [code for code, _ in results].count(302) == 1
    assert [code for code, _ in results].count(409) == SUBMISSIONS - 1
    with app.app_context():
        assert len(db.session.scalars(select(Delegate)).all()) == 1


def test_the_count_and_insert_happen_under_a_lock_of_the_invitation(app):
    with app.app_context():
        invitation_id, _ = accepted_invitation()
    statements = []
    with app.test_request_context():
        listener = lambda *args: statements.append(args[2])  # noqa: E731
        event.listen(db.engine, "before_cursor_execute", listener)
        try:
            invitation = db.session.get(Invitation, invitation_id)
            register_delegate(invitation, delegate_data(), actor="test")
        finally:
            event.remove(db.engine, "before_cursor_execute", listener)
        db.session.rollback()
        dialect = db.engine.dialect.name
    count = next(i for i, s in enumerate(statements) if "count(*)" in s)
    insert = next(i for i, s in enumerate(statements) if s.startswith("INSERT INTO delegates"))
    assert count < insert
    if dialect == "postgresql":
        lock = next(i for i, s in enumerate(statements)
                    if "FROM invitations" in s and "FOR UPDATE" in s)
        assert lock < count
    else:
        # SQLite: the transaction itself took the write lock (database.py).
        assert statements[0] == "BEGIN IMMEDIATE"
