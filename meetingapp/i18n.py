"""Languages: pages and e-mails in the six official languages of the United Nations.

The language of a page is the person's choice (the switcher on every page sets
a long-lived ``language`` cookie), else the best match in the browser's
``Accept-Language``, else English. E-mails are rendered in their recipient's
language with :func:`in_language` (a delegate's preferred language, an
organisation's correspondence language), whatever the language of the page
that sent them. Arabic pages render right to left.

Catalogues live in ``meetingapp/translations``; ``make translations`` compiles
them (the install step does), ``make i18n-extract`` / ``i18n-update`` refresh them.
"""

from contextlib import contextmanager

from flask import Blueprint, Flask, current_app, has_request_context, redirect, request, url_for
from flask_babel import force_locale, get_locale
from werkzeug.datastructures import LanguageAccept

from .extensions import babel
from .models.registration import LANGUAGES
from .text import is_local_path

__all__ = ["LANGUAGES", "LANGUAGE_NAMES", "current_language", "in_language", "is_rtl"]

# Each language named in itself, as the switcher shows it.
LANGUAGE_NAMES = {
    "ar": "العربية",
    "zh": "中文",
    "en": "English",
    "fr": "Français",
    "ru": "Русский",
    "es": "Español",
}
RIGHT_TO_LEFT = frozenset({"ar"})
DEFAULT_LANGUAGE = "en"
COOKIE_NAME = "language"
COOKIE_MAX_AGE = 365 * 24 * 3600

bp = Blueprint("language", __name__)


def select_language() -> str:
    """The page's language: the cookie set by the switcher, else Accept-Language."""
    if not has_request_context():
        return DEFAULT_LANGUAGE
    chosen = request.cookies.get(COOKIE_NAME, "")
    if chosen in LANGUAGES:
        return chosen
    # "*" (any language) would match the first of ours, Arabic: it means "no preference".
    named = LanguageAccept([(value, q) for value, q in request.accept_languages if value != "*"])
    return named.best_match(LANGUAGES) or DEFAULT_LANGUAGE


def current_language() -> str:
    """The language being rendered now ("en" outside a request)."""
    try:
        locale = get_locale()
    except (RuntimeError, KeyError):  # no application context, or Babel not set up
        locale = None
    return locale.language if locale is not None else DEFAULT_LANGUAGE


def is_rtl(language: str | None = None) -> bool:
    return (language or current_language()) in RIGHT_TO_LEFT


@contextmanager
def in_language(language: str | None):
    """Render (an e-mail, a subject line) in ``language``; unknown values give English."""
    with force_locale(language if language in LANGUAGES else DEFAULT_LANGUAGE):
        yield


def _safe_target(target: str | None) -> str:
    """Only a path on this site: never another host, whatever the form says."""
    return target if is_local_path(target) else url_for("auth.index")


@bp.route("/language", methods=["POST"])
def choose():
    """The switcher: remember the language in a cookie and go back to the page."""
    response = redirect(_safe_target(request.form.get("next")), code=303)
    chosen = request.form.get("language", "")
    if chosen in LANGUAGES:
        response.set_cookie(
            COOKIE_NAME, chosen, max_age=COOKIE_MAX_AGE, httponly=True, samesite="Lax",
            secure=current_app.config.get("SESSION_COOKIE_SECURE", False))
    return response


def register(app: Flask) -> None:
    app.config.setdefault("BABEL_DEFAULT_LOCALE", DEFAULT_LANGUAGE)
    app.config.setdefault("BABEL_TRANSLATION_DIRECTORIES", "translations")
    babel.init_app(app, locale_selector=select_language)
    # {% trans %} blocks are extracted and looked up with their whitespace collapsed.
    app.jinja_env.policies["ext.i18n.trimmed"] = True
    app.register_blueprint(bp)

    @app.after_request
    def vary_by_language(response):
        """A page differs by the language cookie and Accept-Language: caches must know."""
        response.vary.update(("Accept-Language", "Cookie"))
        return response

    @app.context_processor
    def language_context():
        language = current_language()
        return {
            "current_language": language,
            "text_direction": "rtl" if is_rtl(language) else "ltr",
            "LANGUAGE_NAMES": LANGUAGE_NAMES,
        }
