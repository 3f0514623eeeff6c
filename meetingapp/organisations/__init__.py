"""The organisations blueprint."""

from flask import Blueprint

bp = Blueprint("organisations", __name__, url_prefix="/organisations")

from . import routes  # noqa: E402,F401
