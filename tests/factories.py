"""factory_boy factories. Use inside an app context; rows are committed."""

from datetime import UTC, datetime, timedelta

import factory
from factory.alchemy import SQLAlchemyModelFactory
from werkzeug.security import generate_password_hash

from meetingapp.extensions import db
from meetingapp.models import Contact, Meeting, Organisation, User
from meetingapp.models.invitation import Invitation
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
