from flask import render_template

from ..auth.access import STAFF_ROLES, restrict_blueprint
from . import bp

restrict_blueprint(bp, *STAFF_ROLES)


@bp.route("/")
def index():
    return render_template("base.html")
