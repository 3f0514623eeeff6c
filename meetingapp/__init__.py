"""Special Meeting: runs a committee's Special Meeting with international,
regional and sub-regional organisations, from invitation to report."""

import os

from flask import Flask
from flask_babel import lazy_gettext as _l

from .config import ConfigurationError, load_config

__all__ = ["ConfigurationError", "create_app"]

PROJECT_ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def create_app(config: dict | None = None) -> Flask:
    """Build the application: configuration, extensions, blueprints, errors, CLI."""
    app = Flask(
        __name__,
        instance_relative_config=True,
        template_folder=os.path.join(PROJECT_ROOT, "templates"),
        static_folder=os.path.join(PROJECT_ROOT, "static"),
    )
    os.makedirs(app.instance_path, exist_ok=True)
    load_config(app, config)
    register_request_log(app)
    register_security(app)
    register_extensions(app)
    register_languages(app)
    register_features(app)
    register_health(app)
    register_background_work(app)
    register_errorhandlers(app)
    register_template_helpers(app)
    register_cli(app)
    return app


def register_extensions(app: Flask) -> None:
    from . import database, models  # noqa: F401  (engine events; every table known)
    from .extensions import bootstrap, csrf, db, limiter, login_manager, migrate

    db.init_app(app)
    migrate.init_app(app, db, directory=os.path.join(PROJECT_ROOT, "migrations"),
                     compare_type=True, render_as_batch=True)
    csrf.init_app(app)
    bootstrap.init_app(app)
    limiter.init_app(app)
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = _l("Please sign in to open this page.")
    login_manager.login_message_category = "info"
    login_manager.session_protection = "basic"

    @login_manager.user_loader
    def load_user(session_id: str):
        from .models import User

        user_id, _, version = session_id.partition(":")
        if not user_id.isdigit():
            return None
        user = db.session.get(User, int(user_id))
        if user is None or not user.active or str(user.session_version) != version:
            return None
        return user


def register_languages(app: Flask) -> None:
    from .i18n import register

    register(app)


def register_features(app: Flask) -> None:
    """Each feature's ``register(app)``, lowest first (``layers.FEATURES``): its blueprints,
    the sections it adds to other features' pages and the signals it listens to."""
    from importlib import import_module

    from . import hooks
    from .layers import FEATURES

    hooks.register(app)
    for name in FEATURES:
        import_module(f"{__name__}.{name}").register(app)


def register_request_log(app: Flask) -> None:
    from .request_log import register

    register(app)


def register_security(app: Flask) -> None:
    from .security import register

    register(app)


def register_health(app: Flask) -> None:
    from .health import bp

    app.register_blueprint(bp)


def register_background_work(app: Flask) -> None:
    from .background import init_celery

    init_celery(app)


def register_errorhandlers(app: Flask) -> None:
    from .errors import register

    register(app)


def register_template_helpers(app: Flask) -> None:
    from .templating import register

    register(app)


def register_cli(app: Flask) -> None:
    from .cli import register

    register(app)
