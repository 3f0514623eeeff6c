"""The agenda editor: sessions, items and breaks; reorder and move. Staff only."""

from flask import Blueprint, abort, flash, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext

from ..access import STAFF_ROLES, restrict_blueprint
from ..extensions import db
from ..formtools import ConfirmForm, is_row_id
from ..loading import loads
from ..models import AgendaItem, AgendaSession, AgendaStatus, Meeting
from ..timezones import utc_to_wall_clock
from .errors import AgendaError
from .forms import ItemForm, MoveForm, SessionForm
from .programme import build_snapshot
from .publication import diff_snapshots
from .queries import active_topics, latest_version, load_agenda, pending_proposals, rooms_of
from .services import (
    create_item,
    create_session,
    delete_item,
    delete_session,
    move_item_step,
    move_item_to_session,
    reorder_items,
    restore_item,
    update_item,
    update_session,
)
from .warnings import agenda_warnings, warnings_about, warnings_by_item

bp = Blueprint("agenda", __name__, url_prefix="/meetings/<int:meeting_id>/agenda")

restrict_blueprint(bp, *STAFF_ROLES)


def _back(meeting: Meeting, anchor: str | None = None):
    return redirect(url_for("agenda.index", meeting_id=meeting.id, _anchor=anchor))


def _flash_warnings(meeting: Meeting, ids) -> None:
    for warning in warnings_about(load_agenda(meeting), ids):
        flash(_("Warning — %(label)s: %(message)s", label=warning.label,
                message=warning.message), "warning")


@bp.route("/")
@loads(meeting=Meeting)
def index(meeting: Meeting):
    """The draft agenda with its warnings, and what changed since the last publication."""
    agenda = load_agenda(meeting)
    warnings = agenda_warnings(agenda)
    version = latest_version(meeting)
    unpublished = (diff_snapshots(version.snapshot, build_snapshot(agenda), meeting.timezone)
                   if version else None)
    return render_template(
        "agenda/index.html", meeting=meeting, agenda=agenda, warnings=warnings,
        by_item=warnings_by_item(warnings), version=version, unpublished=unpublished,
        pending=pending_proposals(meeting), confirm=ConfirmForm(),
        move_forms={i.id: _move_form(agenda, i) for i in agenda.items if not i.cancelled})


def _move_form(agenda, item) -> MoveForm:
    form = MoveForm(prefix=f"move-{item.id}", session_id=item.session_id)
    form.session_id.choices = [("", _("No session (free-standing)"))] + [
        (s.id, s.title) for s in agenda.sessions if not s.cancelled]
    return form


def _session_choices(meeting: Meeting) -> list:
    sessions = db.session.scalars(db.select(AgendaSession).where(
        AgendaSession.meeting_id == meeting.id, AgendaSession.status == AgendaStatus.SCHEDULED)
        .order_by(AgendaSession.starts_at)).all()
    return [("", _("No session (free-standing item or break)"))] + [(s.id, s.title)
                                                                    for s in sessions]


def _form_page(template: str, meeting: Meeting, form, **context):
    form.topic_ids.choices = [(t.id, t.name) for t in active_topics()]
    return render_template(template, meeting=meeting, form=form, rooms=rooms_of(meeting),
                           **context)


def _wall_clock(obj, meeting: Meeting) -> dict:
    return {"starts_at": utc_to_wall_clock(obj.starts_at, meeting.timezone),
            "ends_at": utc_to_wall_clock(obj.ends_at, meeting.timezone),
            "topic_ids": [t.id for t in obj.topics]}


@bp.route("/sessions/new", methods=["GET", "POST"])
@loads(meeting=Meeting)
def new_session(meeting: Meeting):
    """Add a session."""
    form = SessionForm()
    if form.validate_on_submit():
        try:
            session = create_session(meeting, form.details())
        except AgendaError as error:
            form.add_errors(error.errors)
        else:
            db.session.commit()
            flash(_("Session “%(title)s” added.", title=session.title), "success")
            return _back(meeting, f"session-{session.id}")
    return _form_page("agenda/session_form.html", meeting, form, title=_("New session"))


@bp.route("/sessions/<int:session_id>/edit", methods=["GET", "POST"])
@loads(meeting=Meeting, session=AgendaSession)
def edit_session(meeting: Meeting, session: AgendaSession):
    """Change a session; its items move along with a new start."""
    data = None
    if request.method == "GET":
        data = {"title": session.title, "description": session.description,
                "room": session.room, "move_items": True, **_wall_clock(session, meeting)}
    form = SessionForm(data=data)
    if form.validate_on_submit():
        try:
            changes = update_session(session, form.details())
        except AgendaError as error:
            form.add_errors(error.errors)
        else:
            db.session.commit()
            flash(_("Session saved.") if changes else _("Nothing was changed."),
                  "success" if changes else "info")
            _flash_warnings(meeting, [i.id for i in session.items])
            return _back(meeting, f"session-{session.id}")
    return _form_page("agenda/session_form.html", meeting, form, session=session,
                      title=_("Edit “%(title)s”", title=session.title))


@bp.route("/sessions/<int:session_id>/delete", methods=["GET", "POST"])
@loads(meeting=Meeting, session=AgendaSession)
def delete_session_view(meeting: Meeting, session: AgendaSession):
    """Ask, then delete (or cancel, if published) an empty session."""
    form = ConfirmForm()
    if form.validate_on_submit():
        try:
            outcome = delete_session(session)
        except AgendaError as error:
            flash(str(error), "danger")
        else:
            db.session.commit()
            flash(_("Session “%(title)s” cancelled.", title=session.title) if outcome == "cancelled"
                  else _("Session “%(title)s” deleted.", title=session.title), "success")
        return _back(meeting)
    return render_template("agenda/confirm.html", meeting=meeting, form=form,
                           title=_("Delete the session “%(title)s”?", title=session.title),
                           text=(_("It was published: it will be shown as cancelled.")
                                 if session.was_published else _("This cannot be undone.")),
                           button=_("Delete the session"))


@bp.route("/items/new", methods=["GET", "POST"])
@loads(meeting=Meeting)
def new_item(meeting: Meeting):
    """Add an item or break, perhaps shifting the later ones."""
    form = ItemForm(data={"session_id": request.args.get("session", type=int),
                          "kind": request.args.get("kind", "item")}
                    if request.method == "GET" else None)
    form.session_id.choices = _session_choices(meeting)
    if form.validate_on_submit():
        try:
            item, shifted = create_item(meeting, form.details())
        except AgendaError as error:
            form.add_errors(error.errors)
        else:
            db.session.commit()
            flash(ngettext("“%(title)s” added; %(num)d later entries moved.",
                           "“%(title)s” added; %(num)d later entries moved.", len(shifted),
                           title=item.title) if shifted
                  else _("“%(title)s” added.", title=item.title), "success")
            _flash_warnings(meeting, [item.id])
            return _back(meeting, f"item-{item.id}")
    return _form_page("agenda/item_form.html", meeting, form, title=_("New item or break"))


@bp.route("/items/<int:item_id>/edit", methods=["GET", "POST"])
@loads(meeting=Meeting, item=AgendaItem)
def edit_item(meeting: Meeting, item: AgendaItem):
    """Change an item, perhaps shifting the later ones."""
    data = None
    if request.method == "GET":
        data = {"title": item.title, "kind": item.kind, "session_id": item.session_id,
                "description": item.description, "room": item.room,
                **_wall_clock(item, meeting)}
    form = ItemForm(data=data)
    form.session_id.choices = _session_choices(meeting)
    if form.validate_on_submit():
        try:
            changes, shifted = update_item(item, form.details())
        except AgendaError as error:
            form.add_errors(error.errors)
        else:
            db.session.commit()
            if not changes:
                flash(_("Nothing was changed."), "info")
            elif shifted:
                flash(ngettext("Item saved; %(num)d later entries moved.",
                               "Item saved; %(num)d later entries moved.", len(shifted)),
                      "success")
            else:
                flash(_("Item saved."), "success")
            _flash_warnings(meeting, [item.id])
            return _back(meeting, f"item-{item.id}")
    return _form_page("agenda/item_form.html", meeting, form, item=item,
                      title=_("Edit “%(title)s”", title=item.title))


@bp.route("/items/<int:item_id>/delete", methods=["GET", "POST"])
@loads(meeting=Meeting, item=AgendaItem)
def delete_item_view(meeting: Meeting, item: AgendaItem):
    """Ask, then delete a draft item or cancel a published one."""
    form = ConfirmForm()
    if form.validate_on_submit():
        try:
            outcome = delete_item(item)
        except AgendaError as error:
            flash(str(error), "danger")
        else:
            db.session.commit()
            flash(_("“%(title)s” cancelled.", title=item.title) if outcome == "cancelled"
                  else _("“%(title)s” deleted.", title=item.title), "success")
        return _back(meeting)
    return render_template(
        "agenda/confirm.html", meeting=meeting, form=form,
        title=_("Delete “%(title)s”?", title=item.title),
        text=(_("It was published: it stays on the programme marked as cancelled, and "
                "delegates are told when you publish again.") if item.was_published
              else _("It was never published. This cannot be undone.")),
        button=_("Cancel the item") if item.was_published else _("Delete the item"))


@bp.route("/items/<int:item_id>/restore", methods=["POST"])
@loads(meeting=Meeting, item=AgendaItem)
def restore_item_view(meeting: Meeting, item: AgendaItem):
    """Put a cancelled item back on the agenda."""
    if ConfirmForm().validate_on_submit():
        try:
            restore_item(item)
        except AgendaError as error:
            flash(str(error), "danger")
        else:
            db.session.commit()
            flash(_("“%(title)s” is back on the agenda.", title=item.title), "success")
    return _back(meeting, f"item-{item.id}")


@bp.route("/items/<int:item_id>/<any(up, down):direction>", methods=["POST"])
@loads(meeting=Meeting, item=AgendaItem)
def move_step(direction: str, meeting: Meeting, item: AgendaItem):
    """The buttons that work without JavaScript: swap with the neighbour."""
    if ConfirmForm().validate_on_submit():
        try:
            move_item_step(item, direction)
        except AgendaError as error:
            flash(str(error), "danger")
        else:
            db.session.commit()
            flash(_("“%(title)s” moved up; the times follow the new order.", title=item.title)
                  if direction == "up" else
                  _("“%(title)s” moved down; the times follow the new order.", title=item.title),
                  "success")
    return _back(meeting, f"item-{item.id}")


@bp.route("/sessions/<int:session_id>/order", methods=["POST"])
@loads(meeting=Meeting, session=AgendaSession)
def reorder(meeting: Meeting, session: AgendaSession):
    """Drag and drop (static/js/agenda.js) posts the new order as ``order=3,1,2``."""
    wants_json = request.accept_mimetypes.best == "application/json"
    raw = request.form.get("order", "")
    ids = [int(part) for part in raw.split(",") if is_row_id(part.strip())]
    if not ConfirmForm().validate_on_submit():
        abort(400)
    try:
        reorder_items(session, ids)
    except AgendaError as error:
        if wants_json:
            return jsonify(ok=False, error=str(error)), 409
        flash(str(error), "danger")
        return _back(meeting, f"session-{session.id}")
    db.session.commit()
    if wants_json:
        return jsonify(ok=True)
    flash(_("New order saved; the times follow it."), "success")
    return _back(meeting, f"session-{session.id}")


@bp.route("/items/<int:item_id>/move", methods=["POST"])
@loads(meeting=Meeting, item=AgendaItem)
def move(meeting: Meeting, item: AgendaItem):
    """Move an item to another session (or out of sessions)."""
    form = MoveForm(prefix=f"move-{item.id}")
    if form.validate_on_submit():
        try:
            move_item_to_session(item, form.session_id.data, form.placement.data)
        except AgendaError as error:
            flash(" ".join(error.errors.values()), "danger")
        else:
            db.session.commit()
            if item.session:
                flash(_("“%(title)s” moved to %(session)s.", title=item.title,
                        session=item.session.title), "success")
            else:
                flash(_("“%(title)s” moved to no session.", title=item.title), "success")
            _flash_warnings(meeting, [item.id])
    return _back(meeting, f"item-{item.id}")

