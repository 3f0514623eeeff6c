"""The representative's portal: everything reached through the invitation link."""

from flask import Blueprint

bp = Blueprint("portal", __name__, url_prefix="/i")

from . import routes  # noqa: E402,F401
