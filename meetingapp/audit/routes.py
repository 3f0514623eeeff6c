from flask import Blueprint, current_app, render_template, request
from sqlalchemy import select

from ..access import STAFF_ROLES, restrict_blueprint
from ..extensions import db
from ..models import AuditEntry, Meeting, User

bp = Blueprint("audit", __name__, url_prefix="/audit")
restrict_blueprint(bp, *STAFF_ROLES)


@bp.route("/")
def index():
    """The audit log, newest first, filtered by meeting, object type and user."""
    query = select(AuditEntry).order_by(AuditEntry.at.desc(), AuditEntry.id.desc())
    meeting_id = request.args.get("meeting", type=int)
    user_id = request.args.get("user", type=int)
    object_type = request.args.get("object", "").strip()
    object_id = request.args.get("object_id", type=int)
    if meeting_id:
        query = query.where(AuditEntry.meeting_id == meeting_id)
    if user_id:
        query = query.where(AuditEntry.user_id == user_id)
    if object_type:
        query = query.where(AuditEntry.object_type == object_type)
    if object_id:
        query = query.where(AuditEntry.object_id == object_id)
    page = db.paginate(query, per_page=current_app.config["PER_PAGE"], error_out=False)
    object_types = db.session.scalars(
        select(AuditEntry.object_type).distinct().order_by(AuditEntry.object_type)
    ).all()
    return render_template(
        "audit/index.html",
        page=page,
        meetings=db.session.scalars(select(Meeting).order_by(Meeting.starts_at.desc())).all(),
        users=db.session.scalars(select(User).order_by(User.email)).all(),
        object_types=[t for t in object_types if t],
        filters={"meeting": meeting_id, "user": user_id, "object": object_type,
                 "object_id": object_id},
    )
