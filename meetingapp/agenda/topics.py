"""The list of topic tags staff maintain (shared by every meeting)."""

from flask_babel import gettext as _
from sqlalchemy import select

from ..audit.services import apply_changes, record
from ..extensions import db
from ..models import Topic
from ..models.agenda import DEFAULT_TOPICS
from ..text import fold
from .errors import AgendaError, flush


def all_topics() -> list[Topic]:
    """Every topic, active first, by name."""
    return list(db.session.scalars(select(Topic).order_by(Topic.active.desc(), Topic.name)))


def _name(name: str) -> tuple[str, str]:
    name = " ".join((name or "").split())
    if not name:
        raise AgendaError({"name": _("Enter the topic's name.")})
    if len(name) > 200:
        raise AgendaError({"name": _("At most %(limit)d characters, please.", limit=200)})
    return name, fold(name)


def _check_free(key: str, exclude: Topic | None = None) -> None:
    taken = db.session.scalar(select(Topic).where(Topic.name_key == key))
    if taken is not None and taken is not exclude:
        raise AgendaError({"name": _("There is already a topic “%(name)s”.", name=taken.name)})


def add_topic(name: str) -> Topic:
    """Add a topic to the list."""
    name, key = _name(name)
    _check_free(key)
    topic = Topic(name=name, name_key=key, active=True)
    db.session.add(topic)
    flush()
    record("create", topic, changes={"name": [None, name]})
    return topic


def rename_topic(topic: Topic, name: str) -> dict:
    """Give a topic a new name (items tagged with it keep it)."""
    name, key = _name(name)
    _check_free(key, exclude=topic)
    changes = apply_changes(topic, {"name": name, "name_key": key})
    if changes:
        flush()
        record("update", topic, changes=changes)
    return changes


def set_topic_active(topic: Topic, active: bool) -> dict:
    """Retire a topic (no longer offered; items keep it) or offer it again."""
    changes = apply_changes(topic, {"active": active})
    if changes:
        flush()
        record("retire" if not active else "restore", topic, changes=changes)
    return changes


def ensure_default_topics() -> list[Topic]:
    """Add those of the areas of resolution 1373 that are missing; returns the ones added."""
    existing = set(db.session.scalars(select(Topic.name_key)))
    added = [add_topic(name) for name in DEFAULT_TOPICS if fold(name) not in existing]
    return added
