"""Writing audit entries. Services call ``record``; the view's commit keeps it."""

from datetime import date, datetime

from flask import has_request_context, request
from flask_babel.speaklater import LazyString
from flask_login import current_user

from ..extensions import db
from ..i18n import in_language
from ..models import AuditEntry


def _jsonable(value):
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    return str(value)


def apply_changes(obj, values: dict) -> dict:
    """Set attributes on ``obj`` and return ``{field: [old, new]}`` for those that changed."""
    changes = {}
    for field, new in values.items():
        old = getattr(obj, field)
        if old != new:
            changes[field] = [_jsonable(old), _jsonable(new)]
            setattr(obj, field, new)
    return changes


def _plain(value):
    """Translatable labels in a change are stored as their English text."""
    if isinstance(value, LazyString):
        with in_language("en"):
            return str(value)
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return value


def record(
    action: str,
    obj=None,
    *,
    changes: dict | None = None,
    meeting=None,
    object_type: str | None = None,
    object_id: int | None = None,
    label: str | None = None,
    actor: str | None = None,
    user=None,
) -> AuditEntry:
    """Add an audit entry for ``action`` on ``obj`` by the current user (flushes)."""
    if user is None and has_request_context() and current_user.is_authenticated:
        user = current_user._get_current_object()
    if actor is None:
        actor = user.email if user is not None else "system"
    if obj is not None:
        object_type = object_type or obj.__tablename__
        object_id = object_id if object_id is not None else obj.id
        if label is None:
            # The log is kept in English, whatever language the actor reads.
            with in_language("en"):
                label = str(getattr(obj, "display_name", None) or getattr(obj, "title", None)
                            or getattr(obj, "email", None) or getattr(obj, "name", ""))
    entry = AuditEntry(
        user_id=user.id if user is not None else None,
        actor=actor[:300],
        action=action,
        object_type=object_type or "",
        object_id=object_id,
        object_label=(label or "")[:300],
        meeting_id=meeting.id if meeting is not None else None,
        changes={k: _plain(v) for k, v in (changes or {}).items()},
        ip_address=request.remote_addr if has_request_context() else None,
    )
    db.session.add(entry)
    db.session.flush()
    return entry
