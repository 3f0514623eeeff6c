"""Two desks scanning one badge at the same moment make one check-in: the schema
(a partial unique index) has the last word, and the losing desk answers
"already checked in"."""

import threading

from sqlalchemy import func, select

from meetingapp.badges.codes import code_row, current_code
from meetingapp.checkin import services
from meetingapp.checkin.services import check_in_code
from meetingapp.extensions import db
from meetingapp.models import CheckIn, CheckinAttempt, Meeting, User
from tests.factories import ApprovedDelegateFactory, CheckInFactory, UserFactory

DESKS = 6


def test_parallel_scans_of_one_badge_make_one_check_in(app):
    with app.app_context():
        delegate = ApprovedDelegateFactory()
        meeting_id, code = delegate.meeting_id, current_code(code_row(delegate))
        user_id = UserFactory(role="checkin").id
    barrier = threading.Barrier(DESKS)
    results, errors = [], []

    def desk(number: int) -> None:
        try:
            barrier.wait(timeout=10)
            with app.app_context():  # a session and a connection of its own, as a worker has
                attempt = check_in_code(db.session.get(Meeting, meeting_id), code,
                                        user=db.session.get(User, user_id),
                                        device=f"Desk {number}")
                db.session.commit()
                results.append(attempt.result)
        except Exception as error:  # noqa: BLE001  (reported by the assertion below)
            errors.append(error)

    threads = [threading.Thread(target=desk, args=(n,)) for n in range(DESKS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert errors == []
    assert sorted(results) == ["already_checked_in"] * (DESKS - 1) + ["checked_in"]
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(CheckIn)) == 1
        assert db.session.scalar(select(func.count()).select_from(CheckinAttempt)) == DESKS


def test_a_check_in_made_by_another_desk_becomes_already(app, monkeypatch):
    """The race itself, made certain: another desk's check-in is committed before this
    desk's insert; the insert (ON CONFLICT DO NOTHING) makes nothing and the desk answers
    with the first check-in, without an error and without a second row."""
    with app.app_context():
        delegate = ApprovedDelegateFactory()
        first = CheckInFactory(delegate=delegate, device="Desk A")
        meeting_id, code = delegate.meeting_id, current_code(code_row(delegate))
        first_id = first.id
    real = services._insert_checkin
    inserted = []

    def counted(values):
        inserted.append(real(values))
        return inserted[-1]

    monkeypatch.setattr(services, "_insert_checkin", counted)
    with app.app_context():
        attempt = check_in_code(db.session.get(Meeting, meeting_id), code, user=None,
                                device="Desk B")
        db.session.commit()
        assert attempt.result == "already_checked_in" and attempt.checkin_id == first_id
        assert inserted == [None]
        assert db.session.scalar(select(func.count()).select_from(CheckIn)) == 1


def test_a_check_in_undone_between_the_insert_and_the_read_is_made_again(app, monkeypatch):
    """The insert met a check-in in force, which staff undid before the desk could read
    it: the desk tries again and checks the delegate in."""
    with app.app_context():
        delegate = ApprovedDelegateFactory()
        meeting_id, code = delegate.meeting_id, current_code(code_row(delegate))
    real = services._insert_checkin
    calls = []

    def conflict_then_real(values):
        calls.append(values["delegate_id"])
        return None if len(calls) == 1 else real(values)

    monkeypatch.setattr(services, "_insert_checkin", conflict_then_real)
    with app.app_context():
        attempt = check_in_code(db.session.get(Meeting, meeting_id), code, user=None,
                                device="Desk B")
        db.session.commit()
        assert attempt.result == "checked_in" and len(calls) == 2
        checkin = db.session.scalars(select(CheckIn)).one()
        assert attempt.checkin_id == checkin.id and checkin.device == "Desk B"
        assert checkin.undone_at is None and checkin.method == "scanner"
