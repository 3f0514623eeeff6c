"""The filtered list's count (registrations_count) is the number of rows the list's query
returns, whatever the filters, including after an organisation changes kind."""

import itertools

from meetingapp.extensions import db
from meetingapp.registrations.participants import registrations_count, registrations_query
from tests.factories import (
    DelegateFactory,
    InvitationFactory,
    OrganisationFactory,
    UpcomingMeetingFactory,
)

FILTERS = {
    "status": ["", "pending", "approved", "rejected"],
    "kind": ["", "international", "regional", "sub-regional"],
    "role": ["", "head", "delegate", "adviser", "observer"],
}


def _check_every_filter(meeting, organisations):
    for status, kind, role in itertools.product(*FILTERS.values()):
        for organisation in ["", *(str(o.id) for o in organisations)]:
            filters = dict(status=status, kind=kind, role=role, organisation=organisation)
            rows = db.session.scalars(registrations_query(meeting, **filters)).unique().all()
            assert registrations_count(meeting, **filters) == len(rows), filters


def test_the_count_matches_the_list_for_every_filter(app):
    with app.app_context():
        meeting = UpcomingMeetingFactory()
        other = UpcomingMeetingFactory()
        organisations = [OrganisationFactory(kind=k)
                         for k in ("international", "regional", "sub-regional", "regional")]
        statuses = itertools.cycle(["pending", "approved", "rejected", "approved", "pending"])
        for n, organisation in enumerate(organisations):
            invitation = InvitationFactory(meeting=meeting, organisation=organisation,
                                           status="accepted")
            for role in ("head", "delegate", "delegate", "adviser", "observer")[:2 + n]:
                DelegateFactory(invitation=invitation, role=role, status=next(statuses))
        # Registrations of another meeting are never counted.
        DelegateFactory(invitation=InvitationFactory(meeting=other, status="accepted",
                                                     organisation=organisations[0]))
        db.session.commit()
        _check_every_filter(meeting, organisations)

        # An organisation changes kind, a delegate changes role: the stored ranks follow.
        organisations[1].kind = "international"
        delegate = db.session.scalars(registrations_query(meeting, role="adviser")).first()
        delegate.role = "observer"
        db.session.commit()
        _check_every_filter(meeting, organisations)
