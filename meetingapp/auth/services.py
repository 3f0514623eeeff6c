"""Signing in: password check, failure logging."""

from sqlalchemy import select

from ..audit.services import record
from ..extensions import db
from ..models import User, utcnow


class LoginRefused(Exception):
    """Wrong e-mail, wrong password or deactivated account (one message for all)."""


def authenticate(email: str, password: str) -> User:
    """Return the active user with these credentials, or log the failure and refuse."""
    email = email.strip().lower()
    user = db.session.scalar(select(User).where(User.email == email))
    if user is None:
        # Hash anyway so that the response time does not reveal unknown accounts.
        User(password_hash="").set_password(password)
        record("login_failed", object_type="users", label=email, actor=email,
               changes={"reason": "unknown account"})
        raise LoginRefused()
    if not user.check_password(password):
        record("login_failed", user, actor=email, changes={"reason": "wrong password"})
        raise LoginRefused()
    if not user.active:
        record("login_failed", user, actor=email, changes={"reason": "deactivated"})
        raise LoginRefused()
    user.last_login_at = utcnow()
    return user
