"""Publishing the agenda: numbered versions, the changes since the last one, and the notice
e-mailed to approved delegates.

Publication is sent as ``hooks.agenda_published`` with the notices queued, so that other
features can add to each message (the calendar feature attaches updated invitations).
"""

import hashlib
import json
from dataclasses import dataclass, field
from datetime import datetime

from flask import current_app
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import select

from .. import hooks
from ..audit.services import record
from ..extensions import db
from ..i18n import in_language
from ..mail.services import queue_email
from ..models import (
    AgendaStatus,
    AgendaVersion,
    Delegate,
    Meeting,
    OutboxMessage,
    RegistrationStatus,
)
from ..models.agenda import SPEAKER_ROLE_LABELS
from ..timezones import format_wall_clock, utc_to_local, zone_abbreviation
from .errors import AgendaError, flush
from .programme import Programme, build_snapshot, programme_from_snapshot
from .queries import latest_version, load_agenda

CHANGE_LABELS = {
    "added": _l("New"),
    "cancelled": _l("Cancelled"),
    "reinstated": _l("Back on the programme"),
    "retimed": _l("New time"),
    "moved": _l("Moved to another session"),
    "room": _l("New room"),
    "renamed": _l("New title"),
    "details": _l("Description or topics changed"),
    "speakers": _l("Speakers changed"),
    "removed": _l("Removed"),
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


def _span(entry: dict, zone: str) -> str:
    """"06 March 2003, 10:00–10:15 EST" in the current language (``entry`` from a snapshot)."""
    start = utc_to_local(datetime.fromisoformat(entry["starts_at"]), zone)
    end = utc_to_local(datetime.fromisoformat(entry["ends_at"]), zone)
    end_text = (format_wall_clock(end, "%H:%M") if end.date() == start.date()
                else format_wall_clock(end, "%d %B %Y, %H:%M"))
    return f"{format_wall_clock(start, '%d %B %Y, %H:%M')}–{end_text} {zone_abbreviation(start)}"


def _speakers(entry: dict) -> str:
    def who(s: dict) -> str:
        role = str(SPEAKER_ROLE_LABELS.get(s["role"], s["role"].capitalize()))
        name = s["acronym"] or s["organisation"]
        if s["delegate"]:
            return _("%(role)s: %(delegate)s, %(organisation)s", role=role,
                     delegate=s["delegate"], organisation=name)
        return _("%(role)s: %(organisation)s", role=role, organisation=name)

    return "; ".join(who(s) for s in entry.get("speakers", [])) or _("none")


# How the values kept with a change read: (kind of value, in the current language).
def _value_text(shape: str, value, zone: str) -> str:
    if shape == "span":
        return _span(value, zone)
    if shape == "session":
        return _("no session") if value is None else value
    if shape == "room":
        return value or _("no room")
    if shape == "speakers":
        return _speakers(value)
    return value or ""


_NONE = object()  # no value on that side of a change (None is a value: "no session")
CHANGE_SHAPES = {"added": "span", "cancelled": "span", "reinstated": "span", "retimed": "span",
                 "removed": "span", "moved": "session", "room": "room", "renamed": "text",
                 "speakers": "speakers"}


def diff_snapshots(old: dict | None, new: dict, zone: str) -> list[dict]:
    """What changed from ``old`` to ``new``, one entry per change, in programme order."""
    changes: list[dict] = []
    old = old or {}
    titles: dict = {None: None}
    for snapshot in (old, new):
        titles |= {s["id"]: s["title"] for s in snapshot.get("sessions", [])}

    def add(kind, entry, change, before=_NONE, after=_NONE):
        """Keep the values (``values``) and, for the record, how they read in English."""
        shape = CHANGE_SHAPES.get(change, "text")
        values = {side: value for side, value in (("before", before), ("after", after))
                  if value is not _NONE}
        with in_language("en"):
            texts = {side: _value_text(shape, value, zone) for side, value in values.items()}
        changes.append({"object": kind, "id": entry["id"], "title": entry["title"],
                        "change": change, "before": texts.get("before", ""),
                        "after": texts.get("after", ""), "starts_at": entry["starts_at"],
                        "zone": zone, "values": values})

    def span(entry):
        return {"starts_at": entry["starts_at"], "ends_at": entry["ends_at"]}

    for kind in ("session", "item"):
        before = {e["id"]: e for e in old.get(kind + "s", [])}
        after = {e["id"]: e for e in new.get(kind + "s", [])}
        for ident, n in after.items():
            o = before.get(ident)
            if o is None:
                if n["status"] != AgendaStatus.CANCELLED:
                    add(kind, n, "added", after=span(n))
                continue
            if o["status"] != n["status"]:
                add(kind, n, "cancelled" if n["status"] == AgendaStatus.CANCELLED else "reinstated",
                    before=span(o), after=span(n))
                if n["status"] == AgendaStatus.CANCELLED:
                    continue
            if (o["starts_at"], o["ends_at"]) != (n["starts_at"], n["ends_at"]):
                add(kind, n, "retimed", span(o), span(n))
            if kind == "item" and o["session_id"] != n["session_id"]:
                add(kind, n, "moved", titles.get(o["session_id"], ""),
                    titles.get(n["session_id"], ""))
            if o["room"] != n["room"]:
                add(kind, n, "room", o["room"], n["room"])
            if o["title"] != n["title"]:
                add(kind, n, "renamed", o["title"], n["title"])
            if (o["description"], o["topics"]) != (n["description"], n["topics"]):
                add(kind, n, "details")
            if kind == "item" and o["speakers"] != n["speakers"]:
                add(kind, n, "speakers", {"speakers": o["speakers"]}, {"speakers": n["speakers"]})
        for ident, o in before.items():
            if ident not in after:
                add(kind, o, "removed", before=span(o))
    changes.sort(key=lambda c: (c["starts_at"], c["object"] == "item", c["id"]))
    return changes


def _side(change: dict, side: str) -> str:
    """``before`` or ``after`` in the current language (stored English text for old versions)."""
    values = change.get("values")
    if values is None or change.get("zone") is None:
        return change[side]
    if side not in values:
        return ""
    return _value_text(CHANGE_SHAPES.get(change["change"], "text"), values[side], change["zone"])


def change_text(change: dict) -> str:
    """One line saying what changed, as staff and delegates read it (in the current language)."""
    label = CHANGE_LABELS.get(change["change"], change["change"])
    before, after = _side(change, "before"), _side(change, "after")
    if before and after:
        return _("%(change)s: “%(title)s” — was %(before)s, now %(after)s", change=label,
                 title=change["title"], before=before, after=after)
    if after or before:
        return _("%(change)s: “%(title)s” — %(detail)s", change=label, title=change["title"],
                 detail=after or before)
    return _("%(change)s: “%(title)s”", change=label, title=change["title"])


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


def _raise_sequence_of_new_speakers(agenda, snapshot: dict, changes: list[dict]) -> None:
    """An item whose speakers changed gets a higher SEQUENCE: the delegates taken off it
    receive a CANCEL and those put (back) on it a REQUEST, each above the last one they had
    (meetingapp/calendars/invites.py). Others' copies are not resent for this."""
    ids = {c["id"] for c in changes if c["object"] == "item" and c["change"] == "speakers"}
    if not ids:
        return
    for item in agenda.items:
        if item.id in ids:
            item.sequence += 1
    for entry in snapshot["items"]:
        if entry["id"] in ids:
            entry["sequence"] += 1


def publish_agenda(meeting: Meeting, expected_fingerprint: str, note: str = "") -> AgendaVersion:
    """Publish the agenda as the next version if it is still what staff previewed.

    Marks every session and item published, audits it, and queues the change
    notice to approved delegates (when AGENDA_NOTIFY_ON_PUBLISH).
    """
    agenda = load_agenda(meeting)
    snapshot = build_snapshot(agenda)
    if fingerprint(snapshot) != expected_fingerprint:
        raise AgendaError(_("The agenda changed since you looked at the changes. "
                            "Check them again before publishing."))
    if not snapshot["sessions"] and not snapshot["items"]:
        raise AgendaError(_("The agenda is empty: add sessions or items before publishing."))
    previous = latest_version(meeting)
    changes = _changes_since(previous, snapshot, meeting)
    if previous is not None and not changes:
        raise AgendaError(_("Nothing changed since version %(number)d.",
                            number=previous.number))
    _raise_sequence_of_new_speakers(agenda, snapshot, changes)
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
    """Queue the notice of a published version to every approved delegate; send the signal."""
    delegates = db.session.scalars(select(Delegate).where(
        Delegate.meeting_id == meeting.id, Delegate.status == RegistrationStatus.APPROVED)
        .order_by(Delegate.id)).all()
    programme = programme_from_snapshot(meeting, version.snapshot, number=version.number,
                                        published_at=version.published_at)
    first = version.number == 1
    changed_ids = calendar_item_ids(version.changes) if not first else {
        i.id for i in programme.items}
    messages, notices = [], []
    for delegate in delegates:
        # Subject, body and what hooks add, in the delegate's preferred language.
        with in_language(delegate.language):
            subject = (_("Programme published: %(meeting)s", meeting=meeting.title) if first else
                       _("Programme changed (version %(number)d): %(meeting)s",
                         number=version.number, meeting=meeting.title))
            message = queue_email(
                "agenda_changes", (delegate.display_name, delegate.email), subject,
                context={"meeting": meeting, "delegate": delegate, "version": version,
                         "changes": version.changes, "first": first, "programme": programme,
                         "change_text": change_text},
                meeting=meeting, category="agenda_changes", related=delegate)
            notices.append(ChangeNotice(version=version, delegate=delegate, message=message,
                                        changes=version.changes,
                                        changed_item_ids=set(changed_ids)))
        messages.append(message)
    # What features add to each notice (calendar updates) is in the delegate's language too.
    hooks.agenda_published.send(version, notices=notices)
    return messages


def published_programme(meeting: Meeting) -> Programme | None:
    """The programme as last published (None while the agenda is a draft)."""
    version = latest_version(meeting)
    if version is None:
        return None
    return programme_from_snapshot(meeting, version.snapshot, number=version.number,
                                   published_at=version.published_at)
