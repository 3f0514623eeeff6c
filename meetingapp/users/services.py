"""Staff account operations. They flush; the caller commits."""

from flask_babel import gettext as _
from sqlalchemy import func, select

from ..audit.services import apply_changes, record
from ..extensions import db
from ..models import ROLES, User


class UserError(ValueError):
    """A user operation that would break a rule; the message says which."""


def _active_admins() -> int:
    return db.session.scalar(
        select(func.count()).select_from(User).where(User.role == "admin", User.active)
    ) or 0


def create_user(email: str, name: str, role: str, password: str) -> User:
    """Create a staff account; e-mail addresses are unique without regard to case."""
    email = email.strip().lower()
    if role not in ROLES:
        raise UserError(_("Unknown role %(role)s: choose one of %(roles)s.", role=repr(role),
                          roles=", ".join(ROLES)))
    if db.session.scalar(select(User.id).where(User.email == email)):
        raise UserError(_("A user with the e-mail %(email)s already exists.", email=email))
    user = User(email=email, name=name.strip(), role=role)
    user.set_password(password)
    db.session.add(user)
    db.session.flush()
    record("create", user, changes={"email": [None, email], "role": [None, role]})
    return user


def update_user(user: User, *, name: str, role: str, acting: User) -> dict:
    """Change name and role; the last active administrator keeps the role."""
    if role not in ROLES:
        raise UserError(_("Unknown role %(role)s.", role=repr(role)))
    if user.role == "admin" and role != "admin" and user.active and _active_admins() <= 1:
        raise UserError(_("This is the last active administrator: make another one first."))
    changes = apply_changes(user, {"name": name.strip(), "role": role})
    if "role" in changes:
        user.session_version += 1  # rights changed: sign the user in again
    if changes:
        record("update", user, changes=changes)
    return changes


def set_active(user: User, active: bool, *, acting: User) -> None:
    """Deactivate (sessions end at once) or reactivate an account."""
    if not active:
        if user.id == acting.id:
            raise UserError(_("You cannot deactivate your own account."))
        if user.role == "admin" and user.active and _active_admins() <= 1:
            raise UserError(_("This is the last active administrator."))
    if user.active == active:
        return
    user.active = active
    if not active:
        user.session_version += 1
    record("reactivate" if active else "deactivate", user,
           changes={"active": [not active, active]})


def reset_password(user: User, password: str) -> None:
    """Set a new password; existing sessions of that user end."""
    user.set_password(password)
    user.session_version += 1
    record("reset_password", user)
