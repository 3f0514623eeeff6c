"""Publishing the agenda: numbered versions, the changes since the last one, and the notice
e-mailed to approved delegates.

Other features hook into the notice with ``add_change_notice_hook`` (the
calendar feature attaches updated invitations to each message).
"""

import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from flask import current_app
from flask_login import current_user
from sqlalchemy import select

from ..audit.services import record
from ..extensions import db
from ..mail.services import queue_email
from ..models import AgendaVersion, Delegate, Meeting, OutboxMessage
from ..timezones import utc_to_local, zone_abbreviation
from .errors import AgendaError, flush
from .programme import Programme, build_snapshot, programme_from_snapshot
from .queries import latest_version, load_agenda

CHANGE_LABELS = {
    "added": "New",
    "cancelled": "Cancelled",
    "reinstated": "Back on the programme",
    "retimed": "New time",
    "moved": "Moved to another session",
    "room": "New room",
    "renamed": "New title",
    "details": "Description or topics changed",
    "speakers": "Speakers changed",
    "removed": "Removed",
}
# Changes after which a calendar entry must be sent again (time, place, status).
CALENDAR_CHANGES = ("added", "cancelled", "reinstated", "retimed", "room", "removed")


@dataclass
class ChangeNotice:
    """One change notice queued for one delegate; hooks may add to ``message``."""

    version: AgendaVersion
    delegate: Delegate
    message: OutboxMessage
    changes: list[dict]
    # Items whose calendar entry changed (new, retimed, new room, cancelled ...).
    changed_item_ids: set[int] = field(default_factory=set)


CHANGE_NOTICE_HOOKS: list[Callable[[ChangeNotice], None]] = []


def add_change_notice_hook(hook: Callable[[ChangeNotice], None]) -> None:
    """Call ``hook(notice)`` for each change notice queued on publication (same transaction)."""
    if hook not in CHANGE_NOTICE_HOOKS:
        CHANGE_NOTICE_HOOKS.append(hook)


def _span(entry: dict, zone: str) -> str:
    start = utc_to_local(datetime.fromisoformat(entry["starts_at"]), zone)
    end = utc_to_local(datetime.fromisoformat(entry["ends_at"]), zone)
    end_text = f"{end:%H:%M}" if end.date() == start.date() else f"{end:%d %B %Y, %H:%M}"
    return f"{start:%d %B %Y, %H:%M}–{end_text} {zone_abbreviation(start)}"


def _speakers(entry: dict) -> str:
    return "; ".join(
        f"{s['role'].capitalize()}: "
        + (f"{s['delegate']}, " if s["delegate"] else "") + (s["acronym"] or s["organisation"])
        for s in entry.get("speakers", [])) or "none"


def diff_snapshots(old: dict | None, new: dict, zone: str) -> list[dict]:
    """What changed from ``old`` to ``new``, one entry per change, in programme order."""
    changes: list[dict] = []
    old = old or {}
    titles = {None: "no session"}
    for snapshot in (old, new):
        titles |= {s["id"]: s["title"] for s in snapshot.get("sessions", [])}

    def add(kind, entry, change, before="", after=""):
        changes.append({"object": kind, "id": entry["id"], "title": entry["title"],
                        "change": change, "before": before, "after": after,
                        "starts_at": entry["starts_at"]})

    for kind in ("session", "item"):
        before = {e["id"]: e for e in old.get(kind + "s", [])}
        after = {e["id"]: e for e in new.get(kind + "s", [])}
        for ident, n in after.items():
            o = before.get(ident)
            if o is None:
                if n["status"] != "cancelled":
                    add(kind, n, "added", after=_span(n, zone))
                continue
            if o["status"] != n["status"]:
                add(kind, n, "cancelled" if n["status"] == "cancelled" else "reinstated",
                    before=_span(o, zone), after=_span(n, zone))
                if n["status"] == "cancelled":
                    continue
            if (o["starts_at"], o["ends_at"]) != (n["starts_at"], n["ends_at"]):
                add(kind, n, "retimed", _span(o, zone), _span(n, zone))
            if kind == "item" and o["session_id"] != n["session_id"]:
                add(kind, n, "moved", titles.get(o["session_id"], ""),
                    titles.get(n["session_id"], ""))
            if o["room"] != n["room"]:
                add(kind, n, "room", o["room"] or "no room", n["room"] or "no room")
            if o["title"] != n["title"]:
                add(kind, n, "renamed", o["title"], n["title"])
            if (o["description"], o["topics"]) != (n["description"], n["topics"]):
                add(kind, n, "details")
            if kind == "item" and o["speakers"] != n["speakers"]:
                add(kind, n, "speakers", _speakers(o), _speakers(n))
        for ident, o in before.items():
            if ident not in after:
                add(kind, o, "removed", before=_span(o, zone))
    changes.sort(key=lambda c: (c["starts_at"], c["object"] == "item", c["id"]))
    return changes


def change_text(change: dict) -> str:
    """One line saying what changed, as staff and delegates read it."""
    label = CHANGE_LABELS.get(change["change"], change["change"])
    text = f"{label}: “{change['title']}”"
    if change["before"] and change["after"]:
        return f"{text} — was {change['before']}, now {change['after']}"
    return f"{text} — {change['after'] or change['before']}".rstrip(" —")


def fingerprint(snapshot: dict) -> str:
    """A short hash of a snapshot: what staff saw in the preview is what gets published."""
    data = json.dumps(snapshot, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(data.encode()).hexdigest()


@dataclass
class PublicationPreview:
    """What publishing now would do: the version number and the changes."""

    number: int
    previous: AgendaVersion | None
    snapshot: dict
    changes: list[dict]
    fingerprint: str
    programme: Programme

    @property
    def nothing_changed(self) -> bool:
        return self.previous is not None and not self.changes


def _changes_since(previous: AgendaVersion | None, snapshot: dict, meeting: Meeting) -> list:
    """The changes since ``previous``; none for the first publication (all of it is new)."""
    if previous is None:
        return []
    return diff_snapshots(previous.snapshot, snapshot, meeting.timezone)


def preview_publication(meeting: Meeting) -> PublicationPreview:
    """Compute the next version and its changes since the last one, without saving anything."""
    snapshot = build_snapshot(load_agenda(meeting))
    previous = latest_version(meeting)
    changes = _changes_since(previous, snapshot, meeting)
    return PublicationPreview(
        number=(previous.number if previous else 0) + 1, previous=previous, snapshot=snapshot,
        changes=changes, fingerprint=fingerprint(snapshot),
        programme=programme_from_snapshot(meeting, snapshot))


def publish_agenda(meeting: Meeting, expected_fingerprint: str, note: str = "") -> AgendaVersion:
    """Publish the agenda as the next version if it is still what staff previewed.

    Marks every session and item published, audits it, and queues the change
    notice to approved delegates (when AGENDA_NOTIFY_ON_PUBLISH).
    """
    agenda = load_agenda(meeting)
    snapshot = build_snapshot(agenda)
    if fingerprint(snapshot) != expected_fingerprint:
        raise AgendaError("The agenda changed since you looked at the changes. "
                          "Check them again before publishing.")
    if not snapshot["sessions"] and not snapshot["items"]:
        raise AgendaError("The agenda is empty: add sessions or items before publishing.")
    previous = latest_version(meeting)
    changes = _changes_since(previous, snapshot, meeting)
    if previous is not None and not changes:
        raise AgendaError(f"Nothing changed since version {previous.number}.")
    user = current_user._get_current_object() if current_user.is_authenticated else None
    version = AgendaVersion(meeting_id=meeting.id,
                            number=(previous.number if previous else 0) + 1,
                            snapshot=snapshot, changes=changes, note=(note or "").strip(),
                            published_by_id=user.id if user else None)
    db.session.add(version)
    for obj in (*agenda.sessions, *agenda.items):
        obj.was_published = True
    flush()
    record("publish", version, meeting=meeting,
           changes={"version": [previous.number if previous else None, version.number],
                    "changes": [None, len(changes)]})
    if current_app.config.get("AGENDA_NOTIFY_ON_PUBLISH", True):
        notify_delegates(meeting, version)
    return version


def calendar_item_ids(changes: list[dict]) -> set[int]:
    """Ids of the items whose calendar entry must be sent again after these changes."""
    return {c["id"] for c in changes if c["object"] == "item" and c["change"] in CALENDAR_CHANGES}


def notify_delegates(meeting: Meeting, version: AgendaVersion) -> list[OutboxMessage]:
    """Queue the notice of a published version to every approved delegate; run the hooks."""
    delegates = db.session.scalars(select(Delegate).where(
        Delegate.meeting_id == meeting.id, Delegate.status == "approved")
        .order_by(Delegate.id)).all()
    programme = programme_from_snapshot(meeting, version.snapshot, number=version.number,
                                        published_at=version.published_at)
    first = version.number == 1
    subject = (f"Programme published: {meeting.title}" if first else
               f"Programme changed (version {version.number}): {meeting.title}")
    changed_ids = calendar_item_ids(version.changes) if not first else {
        i.id for i in programme.items}
    messages = []
    for delegate in delegates:
        message = queue_email(
            "agenda_changes", (delegate.display_name, delegate.email), subject,
            context={"meeting": meeting, "delegate": delegate, "version": version,
                     "changes": version.changes, "first": first, "programme": programme,
                     "change_text": change_text},
            meeting=meeting, category="agenda_changes", related=delegate)
        notice = ChangeNotice(version=version, delegate=delegate, message=message,
                              changes=version.changes, changed_item_ids=set(changed_ids))
        for hook in CHANGE_NOTICE_HOOKS:
            hook(notice)
        messages.append(message)
    return messages


def published_programme(meeting: Meeting) -> Programme | None:
    """The programme as last published (None while the agenda is a draft)."""
    version = latest_version(meeting)
    if version is None:
        return None
    return programme_from_snapshot(meeting, version.snapshot, number=version.number,
                                   published_at=version.published_at)
