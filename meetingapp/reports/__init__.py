"""The report on the activities of organisations: contributions and the compiled document."""

from flask import Blueprint

bp = Blueprint("reports", __name__, url_prefix="/meetings/<int:meeting_id>/report")

from . import jobs, routes  # noqa: E402,F401
