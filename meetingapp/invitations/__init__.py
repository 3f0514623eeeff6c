"""Staff side of invitations: inviting, reminding, revoking, the overview."""

from flask import Blueprint

from ..meetings import add_detail_section

bp = Blueprint("invitations", __name__, url_prefix="/meetings/<int:meeting_id>/invitations")


def _section(meeting):
    from .services import counts_by_status

    return {"counts": counts_by_status(meeting)}


add_detail_section("invitations/_meeting_section.html", _section)

from . import routes  # noqa: E402,F401
