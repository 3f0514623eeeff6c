"""The audit log: recording and browsing management actions."""

from flask import Blueprint

bp = Blueprint("audit", __name__, url_prefix="/audit")

from . import routes  # noqa: E402,F401  (routes attach themselves to bp)
