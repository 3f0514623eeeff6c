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


def test_a_check_in_inserted_between_read_and_write_becomes_already(app, monkeypatch):
    """The race itself, made certain: the desk's read saw nobody, another desk's check-in
    was committed before its insert, the unique index refuses the second one."""
    with app.app_context():
        delegate = ApprovedDelegateFactory()
        first = CheckInFactory(delegate=delegate, device="Desk A")
        meeting_id, code = delegate.meeting_id, current_code(code_row(delegate))
        first_id = first.id
    real = services.active_checkin
    calls = []

    def stale_then_real(delegate_id):
        calls.append(delegate_id)
        return None if len(calls) == 1 else real(delegate_id)

    monkeypatch.setattr(services, "active_checkin", stale_then_real)
    with app.app_context():
        attempt = check_in_code(db.session.get(Meeting, meeting_id), code, user=None,
                                device="Desk B")
        db.session.commit()
        assert attempt.result == "already_checked_in" and attempt.checkin_id == first_id
        assert len(calls) == 2
        assert db.session.scalar(select(func.count()).select_from(CheckIn)) == 1
