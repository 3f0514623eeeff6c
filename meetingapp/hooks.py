"""Named extension points: how one feature tells the others what happened, and how it adds
its part to another feature's page. The only ways features meet (in the style of Indico's
signals and ``template_hook``).

**Signals** (blinker). A feature sends one when something happened, inside the request's
transaction, and never knows who listens; a feature higher up connects a handler in its
``register(app)``. Handlers only add and flush (the view commits), and may raise a domain
error to refuse the whole change. The sender is the object named first below::

    hooks.delegate_approved.connect(issue_code_on_approval)        # in badges.register
    hooks.delegate_approved.send(delegate)                         # in registrations

**Page sections**. A page asks for the sections of its hook point and includes each
template with the page's own context and ``section`` (what ``context(obj)`` returned)::

    hooks.add_section(app, hooks.MEETING_PAGE, "badges/_meeting_section.html",
                      position=hooks.Position.BADGES, context=badge_counts)
    {% for template, section in hook_sections("meeting-page", meeting) %}{% include template %}

A section's position is one of ``Position``: the order of a meeting's life, chosen here
once for every page.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from enum import IntEnum
from typing import Any

from blinker import Namespace, Signal
from flask import Flask, current_app

_signals = Namespace()


def _signal(name: str, doc: str) -> Signal:
    return _signals.signal(name, doc=doc)


# -- Events -------------------------------------------------------------------------------

invitation_answered = _signal("invitation-answered", """An organisation accepted or declined
(sender: the invitation; ``accepted``: bool). Sent only when the answer changed.""")

delegate_approved = _signal("delegate-approved", """Staff approved a registration (sender:
the delegate, status already approved). Sent before the approval e-mail is composed, so
that what handlers issue (the check-in code) is in it.""")

delegate_withdrawn = _signal("delegate-withdrawn", """A registration stopped counting (sender:
the delegate; ``by``: "organisation" when its representative withdrew it, "staff" when staff
rejected it; ``was_approved``: whether it had been approved).""")

delegate_changed = _signal("delegate-changed", """A registered delegate's details changed
(sender: the delegate; ``changes``: ``{field: [old, new]}``).""")

delegate_email_attachments = _signal("delegate-email-attachments", """An e-mail to a delegate
about their registration is being composed (sender: the delegate; ``kind``: "approved",
"rejected" or "withdrawn"; ``link``: the delegate's personal link when the e-mail carries a
new one, else None). Handlers return a list of attachments
``(filename, mimetype, bytes)``, e.g. the calendar invitation.""")

meeting_changed = _signal("meeting-changed", """A meeting's time, place or status changed
(sender: the meeting, its SEQUENCE already raised; ``changes``: ``{field: [old, new]}``).""")

meeting_cancelled = _signal("meeting-cancelled", """A meeting was cancelled (sender: the
meeting). Sent after ``meeting_changed``.""")

agenda_published = _signal("agenda-published", """A version of the agenda was published
(sender: the version; ``notices``: the change notice queued to each approved delegate, each
with ``delegate``, ``message`` (the outbox message, still open to attachments), ``changes``
and ``changed_item_ids``).""")

checked_in = _signal("checked-in", """A delegate was admitted at the door (sender: the
check-in record).""")


def values_from_signal(results: Iterable[tuple[Any, Any]]) -> list:
    """The values handlers returned (``signal.send(...)``), lists joined, None dropped."""
    values: list = []
    for _receiver, value in results:
        if isinstance(value, list):
            values.extend(value)
        elif value is not None:
            values.append(value)
    return values


# -- Page sections ------------------------------------------------------------------------

MEETING_PAGE = "meeting-page"            # staff: a meeting (with ``meeting``)
ORGANISATION_PAGE = "organisation-page"  # staff: an organisation (``organisation``)
PORTAL_PAGE = "portal-page"              # the representative's invitation page (``invitation``)
DELEGATE_PAGE = "delegate-page"          # the delegate's own page (``delegate``)
AGENDA_ITEM_PAGE = "agenda-item-page"    # staff: one agenda item (``item``)
APPROVAL_EMAIL = "approval-email"        # the approval e-mail (``delegate``): ".html"/".txt" added

HOOK_POINTS = (MEETING_PAGE, ORGANISATION_PAGE, PORTAL_PAGE, DELEGATE_PAGE, AGENDA_ITEM_PAGE,
               APPROVAL_EMAIL)


class Position(IntEnum):
    """Where a section stands on any page: the order of a meeting's life."""

    INVITATIONS = 10
    REGISTRATIONS = 20
    AGENDA = 30
    BADGES = 40
    CHECKIN = 50
    OUTCOMES = 60
    REPORTS = 70
    CALENDARS = 80


@dataclass(frozen=True)
class Section:
    """A template that a feature adds to a hook point, at a position."""

    hook: str
    template: str
    position: int
    # Called with the page's object; returns the template's ``section`` variable.
    context: Callable[[Any], dict] | None = None


def _registry(app: Flask) -> dict[str, list[Section]]:
    return app.extensions.setdefault("meetingapp.sections", {})


def add_section(app: Flask, hook: str, template: str, *, position: int,
                context: Callable[[Any], dict] | None = None) -> None:
    """Show ``template`` at ``hook`` on ``app``'s pages, at ``position`` (see ``Position``).

    Adding the same template to the same hook again replaces it.
    """
    if hook not in HOOK_POINTS:
        raise ValueError(f"unknown hook point {hook!r}; known: {', '.join(HOOK_POINTS)}")
    sections = [s for s in _registry(app).get(hook, []) if s.template != template]
    sections.append(Section(hook, template, int(position), context))
    sections.sort(key=lambda s: (s.position, s.template))
    _registry(app)[hook] = sections


def sections_of(hook: str, obj: Any, app: Flask | None = None) -> list[tuple[str, dict]]:
    """``[(template, section context), ...]`` for ``obj`` at ``hook``, in position order."""
    registered = _registry(app or current_app).get(hook, [])
    return [(s.template, s.context(obj) if s.context else {}) for s in registered]


def register(app: Flask) -> None:
    """``hook_sections(hook, obj)`` in every template."""
    app.add_template_global(sections_of, "hook_sections")
