"""The desk: scan (form POST + redirect, or fetch + JSON), search by name, live counters."""

from datetime import timedelta

from flask import (
    Blueprint,
    abort,
    current_app,
    jsonify,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user

from ..access import restrict_blueprint
from ..extensions import db
from ..formtools import is_row_id
from ..loading import loads
from ..models import CheckinAttempt, Meeting, utcnow
from ..models.registration import Delegate
from .answers import describe
from .forms import DeviceForm, ManualCheckinForm, ScanForm
from .services import (
    DESK_STATUSES,
    active_checkin,
    check_in_code,
    check_in_delegate,
    counters,
    desk_meetings,
    search_delegates,
)

bp = Blueprint("checkin", __name__, url_prefix="/checkin")

restrict_blueprint(bp, "admin", "staff", "checkin")

DEVICE_COOKIE = "checkin_device"
# An answer is shown again after the redirect only to its desk user, and only this long.
ANSWER_SHOWN_FOR = timedelta(minutes=10)


def _check_desk_open(meeting: Meeting) -> None:
    """A meeting whose desk is not open (a draft, cancelled) has no desk page: 404."""
    if meeting.status not in DESK_STATUSES:
        abort(404)


def device_label() -> str:
    """This device's desk name, from its cookie (printable characters, 60 at most)."""
    raw = request.cookies.get(DEVICE_COOKIE, "")
    return "".join(c for c in raw if c.isprintable())[:60].strip()


def _wants_json() -> bool:
    best = request.accept_mimetypes.best_match(["text/html", "application/json"])
    return best == "application/json"


def meetings_page():
    """The meetings whose desk is open (the check-in operators' home)."""
    meetings = desk_meetings()
    return render_template("checkin/index.html", meetings=meetings,
                           counts={m.id: counters(m) for m in meetings})


@bp.route("/")
def index():
    """The meetings with a check-in desk."""
    return meetings_page()


def _recent_answer(meeting: Meeting) -> dict | None:
    attempt_id = request.args.get("attempt", "")
    if not is_row_id(attempt_id):
        return None
    attempt = db.session.get(CheckinAttempt, int(attempt_id))
    if (attempt is None or attempt.meeting_id != meeting.id or attempt.user_id != current_user.id
            or utcnow() - attempt.at > ANSWER_SHOWN_FOR):
        return None
    return describe(attempt)


def _render_desk(meeting: Meeting, form: ScanForm, answer: dict | None = None, status=200,
                 device_form: DeviceForm | None = None):
    query = (request.args.get("q") or "").strip()[:100]
    found = search_delegates(meeting, query) if query else []
    checkins = {d.id: active_checkin(d.id) for d in found}
    return render_template(
        "checkin/desk.html", meeting=meeting, form=form, answer=answer, query=query,
        found=found, checkins=checkins, manual=ManualCheckinForm(),
        device=device_label(), device_form=device_form or DeviceForm(device=device_label()),
        counters=counters(meeting),
        poll_seconds=current_app.config["CHECKIN_COUNTERS_POLL_SECONDS"]), status


@bp.route("/<int:meeting_id>")
@loads(meeting=Meeting)
def desk(meeting: Meeting):
    """The desk: one input for the scanner, the camera, search by name, counters."""
    _check_desk_open(meeting)
    return _render_desk(meeting, ScanForm(formdata=None), _recent_answer(meeting))


def _answered(meeting: Meeting, attempt: CheckinAttempt):
    # The answer is built before the commit, which would expire every object it reads.
    # The counters are not in it: the desk fetches counters.json after each answer, so
    # that a scan does not wait for the meeting-wide counts.
    answer = describe(attempt) if _wants_json() else None
    meeting_id, attempt_id = meeting.id, attempt.id
    db.session.commit()
    if answer is not None:
        return jsonify(answer=answer)
    return redirect(url_for("checkin.desk", meeting_id=meeting_id, attempt=attempt_id))


@bp.route("/<int:meeting_id>/scan", methods=["POST"])
@loads(meeting=Meeting)
def scan(meeting: Meeting):
    """Check in the badge whose code was scanned; the answer as JSON or after a redirect."""
    _check_desk_open(meeting)
    form = ScanForm()
    if not form.validate_on_submit():
        if _wants_json():
            return jsonify(error=" ".join(str(e) for errs in form.errors.values()
                                          for e in errs)), 400
        return _render_desk(meeting, form, status=400)
    attempt = check_in_code(meeting, form.code.data, user=current_user._get_current_object(),
                            device=device_label(), method=form.method.data or "scanner")
    return _answered(meeting, attempt)


@bp.route("/<int:meeting_id>/delegates/<int:delegate_id>", methods=["POST"])
@loads(meeting=Meeting)
def check_in_by_name(meeting: Meeting, delegate_id: int):
    """Check in a person found by name, who has no badge at hand."""
    _check_desk_open(meeting)
    delegate = db.get_or_404(Delegate, delegate_id)
    if not ManualCheckinForm().validate_on_submit():
        abort(400)
    attempt = check_in_delegate(meeting, delegate, user=current_user._get_current_object(),
                                device=device_label())
    return _answered(meeting, attempt)


@bp.route("/<int:meeting_id>/counters.json")
@loads(meeting=Meeting)
def live_counters(meeting: Meeting):
    """Expected and checked-in counts, polled by static/js/checkin.js."""
    _check_desk_open(meeting)
    response = jsonify(counters(meeting))
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.route("/<int:meeting_id>/device", methods=["POST"])
@loads(meeting=Meeting)
def set_device(meeting: Meeting):
    """Remember this desk's name in a cookie on this device."""
    _check_desk_open(meeting)
    form = DeviceForm()
    if not form.validate_on_submit():
        return _render_desk(meeting, ScanForm(formdata=None), status=400, device_form=form)
    response = redirect(url_for("checkin.desk", meeting_id=meeting.id))
    label = "".join(c for c in form.device.data or "" if c.isprintable())[:60]
    response.set_cookie(
        DEVICE_COOKIE, label, max_age=int(current_app.config["CHECKIN_DEVICE_COOKIE_DAYS"]) * 86400,
        httponly=True, samesite="Lax", secure=bool(current_app.config["SESSION_COOKIE_SECURE"]),
        path=url_for("checkin.index"))
    return response
