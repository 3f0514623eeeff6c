"""factory_boy factories. Use inside an app context; rows are committed."""

from datetime import UTC, datetime, timedelta

import factory
from factory.alchemy import SQLAlchemyModelFactory
from werkzeug.security import generate_password_hash

from meetingapp import hooks
from meetingapp.extensions import db
from meetingapp.models import CheckIn, Contact, Meeting, Organisation, User
from meetingapp.models.invitation import Invitation
from meetingapp.models.outcome import Outcome
from meetingapp.models.registration import Delegate
from meetingapp.text import fold

PASSWORD = "correct horse battery staple"
# Hashing once keeps each test fast; the hash is a real scrypt hash.
_PASSWORD_HASH = generate_password_hash(PASSWORD, method="scrypt")


class BaseFactory(SQLAlchemyModelFactory):
    class Meta:
        abstract = True
        sqlalchemy_session_factory = lambda: db.session  # noqa: E731
        sqlalchemy_session_persistence = "commit"

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        obj = super()._create(model_class, *args, **kwargs)
        # Load the committed row, so that its columns stay readable after
        # the test leaves the app context.
        db.session.refresh(obj)
        return obj


class UserFactory(BaseFactory):
    class Meta:
        model = User

    email = factory.Sequence(lambda n: f"user{n}@example.org")
    name = factory.Sequence(lambda n: f"User {n}")
    role = "staff"
    password_hash = _PASSWORD_HASH


class OrganisationFactory(BaseFactory):
    class Meta:
        model = Organisation

    name = factory.Sequence(lambda n: f"Organisation {n}")
    acronym = factory.Sequence(lambda n: f"ORG{n}")
    kind = "international"
    region = "Global"
    name_key = factory.LazyAttribute(lambda o: fold(o.name))
    search_key = factory.LazyAttribute(lambda o: fold(f"{o.name} {o.acronym}"))


class ContactFactory(BaseFactory):
    class Meta:
        model = Contact

    organisation = factory.SubFactory(OrganisationFactory)
    name = factory.Sequence(lambda n: f"Contact {n}")
    email = factory.Sequence(lambda n: f"contact{n}@example.org")
    is_focal_point = True


class MeetingFactory(BaseFactory):
    class Meta:
        model = Meeting

    title = factory.Sequence(lambda n: f"Special Meeting {n}")
    number = factory.Sequence(lambda n: n + 100)
    venue = "United Nations Headquarters"
    address = "405 East 42nd Street, New York, NY 10017"
    timezone = "America/New_York"
    # 6 March 2003, 09:30-18:00 EST (UTC-5).
    starts_at = datetime(2003, 3, 6, 14, 30, tzinfo=UTC)
    ends_at = datetime(2003, 3, 6, 23, 0, tzinfo=UTC)
    registration_opens_at = datetime(2003, 1, 15, 14, 0, tzinfo=UTC)
    registration_closes_at = datetime(2003, 3, 1, 4, 59, tzinfo=UTC)
    delegates_per_organisation = 5
    status = "open"


def _days_from_now(days: int, hour: int = 14) -> datetime:
    now = datetime.now(UTC).replace(minute=0, second=0, microsecond=0)
    return (now + timedelta(days=days)).replace(hour=hour)


class UpcomingMeetingFactory(MeetingFactory):
    """A meeting in two months whose registration is open now."""

    title = factory.Sequence(lambda n: f"Upcoming Special Meeting {n}")
    starts_at = factory.LazyFunction(lambda: _days_from_now(60, 14))
    ends_at = factory.LazyFunction(lambda: _days_from_now(60, 22))
    registration_opens_at = factory.LazyFunction(lambda: _days_from_now(-10))
    registration_closes_at = factory.LazyFunction(lambda: _days_from_now(30))


class InvitationFactory(BaseFactory):
    class Meta:
        model = Invitation

    meeting = factory.SubFactory(UpcomingMeetingFactory)
    organisation = factory.SubFactory(OrganisationFactory)
    email = factory.Sequence(lambda n: f"focal{n}@example.org")
    status = "sent"


class DelegateFactory(BaseFactory):
    """A pending delegate of an accepted invitation (pass ``invitation=``)."""

    class Meta:
        model = Delegate

    invitation = factory.SubFactory(InvitationFactory, status="accepted")
    meeting_id = factory.LazyAttribute(lambda d: d.invitation.meeting_id)
    role = "delegate"
    title = "Ms."
    given_name = factory.Sequence(lambda n: f"Given{n}")
    family_name = factory.Sequence(lambda n: f"Family{n}")
    position = "Counter-terrorism adviser"
    email = factory.Sequence(lambda n: f"delegate{n}@example.org")
    email_key = factory.LazyAttribute(lambda d: d.email.lower())
    nationality = "FR"
    language = "en"
    attendance = "in_person"
    consent_to_publish = True
    status = "pending"


class ApprovedDelegateFactory(DelegateFactory):
    """An approved delegate, announced as the app announces an approval
    (``hooks.delegate_approved``: the badges feature issues the check-in code)."""

    status = "approved"

    @factory.post_generation
    def announce_approval(obj, create, extracted, **kwargs):
        if create:
            hooks.delegate_approved.send(obj)
            db.session.commit()


class CheckInFactory(BaseFactory):
    """A check-in in force (pass ``delegate=`` an approved delegate)."""

    class Meta:
        model = CheckIn

    delegate = factory.SubFactory(ApprovedDelegateFactory)
    meeting_id = factory.LazyAttribute(lambda c: c.delegate.meeting_id)
    actor = "checkin@example.org"
    device = "Desk 1"
    method = "scanner"


# Delegates as the demo has them: names and organisations in the six official languages.
SIX_SCRIPTS = (
    # organisation name, acronym, kind, role, title, given name, family name
    ("League of Arab States", "LAS", "regional", "head", "H.E. Mr.", "أحمد", "المنصوري"),
    ("Shanghai Cooperation Organisation", "SCO", "regional", "delegate", "Mr.", "", "王小明"),
    ("Commonwealth of Independent States", "CIS", "regional", "head", "Ms.", "Ирина",
     "Петрова"),
    ("Organization of American States", "OAS", "regional", "adviser", "Mr.", "José",
     "Álvarez"),
    ("Organisation internationale de la Francophonie", "OIF", "international", "delegate",
     "Dr.", "Anne-Sophie", "Lefèvre"),
    ("International Civil Aviation Organization", "ICAO", "international", "observer", "Mr.",
     "Assad", "Kotaite"),
)


def six_script_delegates(meeting) -> list:
    """One approved delegate per organisation above, for ``meeting`` (committed)."""
    delegates = []
    for name, acronym, kind, role, title, given, family in SIX_SCRIPTS:
        organisation = OrganisationFactory(name=name, acronym=acronym, kind=kind)
        invitation = InvitationFactory(meeting=meeting, organisation=organisation,
                                       status="accepted")
        delegates.append(ApprovedDelegateFactory(invitation=invitation, role=role, title=title,
                                                 given_name=given, family_name=family))
    return delegates


# ----- The agenda (meetingapp/models/agenda.py) -----
from meetingapp.models.agenda import AgendaItem, AgendaSession, Speaker, Topic  # noqa: E402


class TopicFactory(BaseFactory):
    class Meta:
        model = Topic

    name = factory.Sequence(lambda n: f"Topic {n}")
    name_key = factory.LazyAttribute(lambda t: fold(t.name))
    active = True


class AgendaSessionFactory(BaseFactory):
    """A session of a meeting (pass ``meeting=``); by default 10:00-11:15 EST on 6 March 2003."""

    class Meta:
        model = AgendaSession

    meeting = factory.SubFactory(MeetingFactory)
    meeting_id = factory.LazyAttribute(lambda s: s.meeting.id)
    title = factory.Sequence(lambda n: f"Session {n}")
    starts_at = datetime(2003, 3, 6, 15, 0, tzinfo=UTC)
    ends_at = datetime(2003, 3, 6, 16, 15, tzinfo=UTC)
    room = "Conference Room 4"
    status = "scheduled"
    sequence = 0


class AgendaItemFactory(BaseFactory):
    """An item of a meeting (pass ``meeting=``, perhaps ``session=``); 10:00-10:15 EST."""

    class Meta:
        model = AgendaItem

    meeting = factory.SubFactory(MeetingFactory)
    meeting_id = factory.LazyAttribute(lambda i: i.meeting.id)
    title = factory.Sequence(lambda n: f"Item {n}")
    kind = "item"
    starts_at = datetime(2003, 3, 6, 15, 0, tzinfo=UTC)
    ends_at = datetime(2003, 3, 6, 15, 15, tzinfo=UTC)
    status = "scheduled"
    sequence = 0


class SpeakerFactory(BaseFactory):
    """A speaker on ``item=`` from an organisation invited to its meeting (``organisation=``)."""

    class Meta:
        model = Speaker

    item = factory.SubFactory(AgendaItemFactory)
    meeting_id = factory.LazyAttribute(lambda s: s.item.meeting_id)
    organisation = factory.SubFactory(OrganisationFactory)
    role = "presenter"


class OutcomeFactory(BaseFactory):
    """An outcome of ``meeting=`` (pass ``organisations=[...]``, ``owner=`` for commitments)."""

    class Meta:
        model = Outcome

    meeting = factory.SubFactory(MeetingFactory)
    meeting_id = factory.LazyAttribute(lambda o: o.meeting.id)
    kind = "conclusion"
    text = factory.Sequence(lambda n: f"Outcome text {n}")
    status = "open"
