"""The agenda: staff build sessions and items with speakers, answer organisations' proposals,
and publish numbered versions whose changes reach approved delegates by e-mail.

For other features:
- ``publication.published_programme(meeting)``: the programme as last published
  (items with ``uid_local`` = "item-<id>", ``sequence`` and ``status``), or None;
- ``hooks.agenda_published``: sent with the change notice queued to each delegate
  (``notice.message``, ``notice.changed_item_ids``), open to attachments;
- ``hooks.AGENDA_ITEM_PAGE``: sections on an item's page (with ``item``);
- ``templates/agenda/_programme.html``: the programme, to include with ``programme``.
"""

from flask import Flask

from .. import hooks
from ..markdown import render_markdown
from ..models.agenda import (
    ITEM_KIND_LABELS,
    PROPOSAL_KIND_LABELS,
    PROPOSAL_STATUS_LABELS,
    SPEAKER_ROLE_LABELS,
)
from ..timezones import format_wall_clock, utc_to_local, zone_abbreviation
from . import portal_routes, proposal_routes, publish_routes, speaker_routes  # noqa: F401
from .portal_routes import programme_section, proposals_section
from .publication import published_programme
from .queries import latest_version, pending_proposals
from .routes import bp


def markdown_filter(text, heading_offset: int = 2):
    """``{{ item.description|markdown }}``: Markdown as sanitised HTML."""
    return render_markdown(text, heading_offset)


def agenda_time_filter(moment, zone_name: str, same_day_as=None):
    """"10:00" in the meeting's zone; with the date when it is not ``same_day_as``'s day."""
    local = utc_to_local(moment, zone_name)
    if local is None:
        return ""
    if same_day_as is not None and utc_to_local(same_day_as, zone_name).date() != local.date():
        return format_wall_clock(local, "%d %b %H:%M")
    return local.strftime("%H:%M")


def zone_label_filter(moment, zone_name: str):
    """"EST (America/New_York)": the zone as it is at ``moment``."""
    local = utc_to_local(moment, zone_name)
    return f"{zone_abbreviation(local)} ({zone_name})" if local else zone_name


def _meeting_section(meeting) -> dict:
    return {"version": latest_version(meeting), "pending": pending_proposals(meeting)}


def _delegate_section(delegate) -> dict:
    return {"programme": published_programme(delegate.meeting)}


def register(app: Flask) -> None:
    """The agenda's pages, its filters and labels, and its sections on the meeting page, the
    delegate's page and the invitation page."""
    app.register_blueprint(bp)
    app.register_blueprint(portal_routes.bp)
    app.add_template_filter(markdown_filter, "markdown")
    app.add_template_filter(agenda_time_filter, "agenda_time")
    app.add_template_filter(zone_label_filter, "zone_label")
    # Globals rather than a context processor: imported macros see them too.
    app.jinja_env.globals.update(
        SPEAKER_ROLE_LABELS=SPEAKER_ROLE_LABELS, ITEM_KIND_LABELS=ITEM_KIND_LABELS,
        PROPOSAL_STATUS_LABELS=PROPOSAL_STATUS_LABELS, PROPOSAL_KIND_LABELS=PROPOSAL_KIND_LABELS)
    hooks.add_section(app, hooks.MEETING_PAGE, "agenda/_meeting_section.html",
                      position=hooks.Position.AGENDA, context=_meeting_section)
    hooks.add_section(app, hooks.DELEGATE_PAGE, "agenda/_delegate_section.html",
                      position=hooks.Position.AGENDA, context=_delegate_section)
    hooks.add_section(app, hooks.PORTAL_PAGE, "agenda/_portal_programme.html",
                      position=hooks.Position.AGENDA, context=programme_section)
    hooks.add_section(app, hooks.PORTAL_PAGE, "agenda/_portal_proposals.html",
                      position=hooks.Position.AGENDA + 1, context=proposals_section)
