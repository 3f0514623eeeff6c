"""Error pages: clear words for people, never a traceback."""

from flask import render_template
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf.csrf import CSRFError

from .extensions import db

MESSAGES = {
    400: (_l("Bad request"),
          _l("The request could not be understood. Please go back and try again.")),
    403: (_l("Not allowed"), _l("Your account does not give access to this page.")),
    404: (_l("Not found"),
          _l("There is nothing at this address. It may have been moved or removed.")),
    405: (_l("Not allowed"), _l("This page cannot be used that way.")),
    410: (_l("No longer available"), _l("This link is no longer valid.")),
    413: (_l("Too large"), _l("The file or form you sent is too large.")),
    429: (_l("Too many attempts"), _l("Too many attempts in a short time. Please wait a few "
                                      "minutes and try again.")),
    500: (_l("Something went wrong"), _l("The secretariat's system could not complete the "
                                         "request. Nothing was saved. Please try again; if it "
                                         "happens again, tell the secretariat.")),
}


def render_error(code: int, message: str | None = None):
    title, default = MESSAGES.get(code, MESSAGES[500])
    return render_template("errors/error.html", code=code, title=title,
                           message=message or default), code


def register(app) -> None:
    @app.errorhandler(CSRFError)
    def csrf_error(error):
        return render_error(400, _("This form has expired or was not sent from this site. "
                                   "Please reload the page and submit it again."))

    for code in (400, 403, 404, 405, 410, 413, 429):
        app.register_error_handler(code, lambda e, code=code: render_error(code))

    @app.errorhandler(500)
    def internal_error(error):
        db.session.rollback()
        return render_error(500)
