"""Role checks: on a whole blueprint or on one view."""

from functools import wraps

from flask import abort
from flask_login import current_user

from .extensions import login_manager

STAFF_ROLES = ("admin", "staff")


def _check(roles: tuple[str, ...]):
    if not current_user.is_authenticated:
        return login_manager.unauthorized()
    if current_user.role not in roles:
        abort(403)
    return None


def restrict_blueprint(bp, *roles: str) -> None:
    """Every view of ``bp`` needs a signed-in user with one of ``roles``."""

    @bp.before_request
    def _require_role():
        return _check(roles)


def roles_required(*roles: str):
    """Decorator form of ``restrict_blueprint`` for a single view."""

    def decorator(view):
        @wraps(view)
        def wrapped(*args, **kwargs):
            refused = _check(roles)
            if refused is not None:
                return refused
            return view(*args, **kwargs)

        return wrapped

    return decorator
