"""The agenda: staff build sessions and items with speakers, answer organisations' proposals,
and publish numbered versions whose changes reach approved delegates by e-mail.

For other features:
- ``publication.published_programme(meeting)``: the programme as last published
  (items with ``uid_local`` = "item-<id>", ``sequence`` and ``status``), or None;
- ``publication.add_change_notice_hook(fn)``: ``fn(notice)`` for every change notice
  queued on publication (``notice.message``, ``notice.changed_item_ids``);
- ``templates/agenda/_programme.html``: the programme, to include with ``programme``.
"""

from flask import Blueprint

bp = Blueprint("agenda", __name__, url_prefix="/meetings/<int:meeting_id>/agenda")

from ..delegates import add_page_section  # noqa: E402  (bp first: delegates imports the portal)
from ..markdown import render_markdown  # noqa: E402
from ..meetings import add_detail_section  # noqa: E402
from ..models.agenda import (  # noqa: E402
    ITEM_KIND_LABELS,
    PROPOSAL_KIND_LABELS,
    PROPOSAL_STATUS_LABELS,
    SPEAKER_ROLE_LABELS,
)
from ..timezones import format_wall_clock, utc_to_local, zone_abbreviation  # noqa: E402


@bp.app_template_filter("markdown")
def markdown_filter(text, heading_offset: int = 2):
    """``{{ item.description|markdown }}``: Markdown as sanitised HTML."""
    return render_markdown(text, heading_offset)


@bp.app_template_filter("agenda_time")
def agenda_time_filter(moment, zone_name: str, same_day_as=None):
    """"10:00" in the meeting's zone; with the date when it is not ``same_day_as``'s day."""
    local = utc_to_local(moment, zone_name)
    if local is None:
        return ""
    if same_day_as is not None and utc_to_local(same_day_as, zone_name).date() != local.date():
        return format_wall_clock(local, "%d %b %H:%M")
    return local.strftime("%H:%M")


@bp.app_template_filter("zone_label")
def zone_label_filter(moment, zone_name: str):
    """"EST (America/New_York)": the zone as it is at ``moment``."""
    local = utc_to_local(moment, zone_name)
    return f"{zone_abbreviation(local)} ({zone_name})" if local else zone_name


@bp.record_once
def _agenda_labels(state):
    # Globals rather than a context processor: imported macros see them too.
    state.app.jinja_env.globals.update(
        SPEAKER_ROLE_LABELS=SPEAKER_ROLE_LABELS, ITEM_KIND_LABELS=ITEM_KIND_LABELS,
        PROPOSAL_STATUS_LABELS=PROPOSAL_STATUS_LABELS, PROPOSAL_KIND_LABELS=PROPOSAL_KIND_LABELS)


def _meeting_section(meeting):
    from .queries import latest_version, pending_proposals

    return {"version": latest_version(meeting), "pending": pending_proposals(meeting)}


def _delegate_section(delegate):
    from .publication import published_programme

    return {"programme": published_programme(delegate.meeting)}


add_detail_section("agenda/_meeting_section.html", _meeting_section)
add_page_section("agenda/_delegate_section.html", _delegate_section)

from . import proposal_routes, publish_routes, routes, speaker_routes  # noqa: E402,F401
