"""An item's chair and speakers: add, reorder, remove. Staff only (the blueprint's rule)."""

from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _

from ..extensions import db
from ..formtools import ConfirmForm
from ..loading import loads
from ..models import AgendaItem, Meeting, Speaker
from ..models.registration import REGISTRATION_STATUS_LABELS
from .errors import AgendaError
from .forms import SpeakerForm
from .queries import load_agenda
from .routes import bp
from .speakers import add_speaker, move_speaker, parse_choice, remove_speaker, speaker_choices
from .warnings import warnings_about


def _item(meeting, item_id: int) -> AgendaItem:
    item = db.session.get(AgendaItem, item_id)
    if item is None or item.meeting_id != meeting.id:
        abort(404)
    return item


def _speaker(item: AgendaItem, speaker_id: int) -> Speaker:
    speaker = db.session.get(Speaker, speaker_id)
    if speaker is None or speaker.item_id != item.id:
        abort(404)
    return speaker


def _page(meeting, item, form, status=200):
    choices = speaker_choices(meeting)
    options = [("", _("Choose…"))]
    for choice in choices:
        org = choice.organisation
        options.append((f"o:{org.id}", _("%(organisation)s — no one named",
                                         organisation=org.display_name)))
        options += [(f"d:{d.id}", _("%(organisation)s: %(delegate)s (%(status)s)",
                                    organisation=org.acronym or org.name,
                                    delegate=d.display_name,
                                    status=str(REGISTRATION_STATUS_LABELS[d.status]).lower()))
                    for d in choice.delegates]
    form.speaker.choices = options
    return render_template("agenda/speakers.html", meeting=meeting, item=item, form=form,
                           confirm=ConfirmForm(), has_choices=bool(choices),
                           warnings=warnings_about(load_agenda(meeting), [item.id])), status


def _back(meeting, item):
    return redirect(url_for("agenda.speakers", meeting_id=meeting.id, item_id=item.id))


@bp.route("/items/<int:item_id>/speakers", methods=["GET", "POST"])
@loads(meeting=Meeting)
def speakers(item_id: int, meeting: Meeting):
    """The item's chair and speakers in order, and the form to add one."""
    item = _item(meeting, item_id)
    form = SpeakerForm()
    if form.validate_on_submit():
        organisation_id, delegate_id = parse_choice(form.speaker.data)
        try:
            speaker = add_speaker(item, organisation_id=organisation_id,
                                  delegate_id=delegate_id, role=form.role.data)
        except AgendaError as error:
            form.add_errors(error.errors)
            return _page(meeting, item, form, status=422)
        db.session.commit()
        flash(_("%(speaker)s added.", speaker=speaker.display_name), "success")
        return _back(meeting, item)
    return _page(meeting, item, form, status=400 if form.errors else 200)


@bp.route("/items/<int:item_id>/speakers/<int:speaker_id>/<any(up, down):direction>",
          methods=["POST"])
@loads(meeting=Meeting)
def move_speaker_view(item_id: int, speaker_id: int, direction: str, meeting: Meeting):
    """Move a speaker up or down the list."""
    item = _item(meeting, item_id)
    speaker = _speaker(item, speaker_id)
    if ConfirmForm().validate_on_submit():
        try:
            move_speaker(speaker, direction)
        except AgendaError as error:
            flash(str(error), "danger")
        else:
            db.session.commit()
    return _back(meeting, item)


@bp.route("/items/<int:item_id>/speakers/<int:speaker_id>/remove", methods=["POST"])
@loads(meeting=Meeting)
def remove_speaker_view(item_id: int, speaker_id: int, meeting: Meeting):
    """Take a speaker off the item."""
    item = _item(meeting, item_id)
    speaker = _speaker(item, speaker_id)
    if ConfirmForm().validate_on_submit():
        label = speaker.display_name
        remove_speaker(speaker)
        db.session.commit()
        flash(_("%(speaker)s removed.", speaker=label), "success")
    return _back(meeting, item)
