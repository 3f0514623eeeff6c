from flask import Blueprint, current_app, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from ..access import restrict_blueprint
from ..extensions import db
from ..formtools import ConfirmForm
from ..loading import loads
from ..models import User
from .forms import PasswordResetForm, UserCreateForm, UserEditForm
from .services import UserError, create_user, reset_password, set_active, update_user

bp = Blueprint("users", __name__, url_prefix="/users")

restrict_blueprint(bp, "admin")


@bp.route("/")
def index():
    page = db.paginate(select(User).order_by(User.active.desc(), User.email),
                       per_page=current_app.config["PER_PAGE"],
                       error_out=False)
    return render_template("users/index.html", page=page, confirm=ConfirmForm())


@bp.route("/new", methods=["GET", "POST"])
def create():
    form = UserCreateForm()
    if form.validate_on_submit():
        try:
            user = create_user(form.email.data, form.name.data, form.role.data,
                               form.password.data)
        except UserError as error:
            form.email.errors.append(str(error))
        else:
            db.session.commit()
            flash(_("User %(email)s created.", email=user.email), "success")
            return redirect(url_for("users.index"))
    return render_template("users/form.html", form=form, title=_("New user"))


@bp.route("/<int:user_id>/edit", methods=["GET", "POST"])
@loads(user=User)
def edit(user: User):
    form = UserEditForm(obj=user)
    if form.validate_on_submit():
        try:
            update_user(user, name=form.name.data, role=form.role.data, acting=current_user)
        except UserError as error:
            form.role.errors.append(str(error))
        else:
            db.session.commit()
            flash(_("User %(email)s saved.", email=user.email), "success")
            return redirect(url_for("users.index"))
    return render_template("users/form.html", form=form,
                           title=_("Edit %(email)s", email=user.email), user=user)


@bp.route("/<int:user_id>/password", methods=["GET", "POST"])
@loads(user=User)
def password(user: User):
    form = PasswordResetForm()
    if form.validate_on_submit():
        reset_password(user, form.password.data)
        db.session.commit()
        flash(_("New password set for %(email)s. Their open sessions have ended.",
                email=user.email), "success")
        return redirect(url_for("users.index"))
    return render_template("users/form.html", form=form,
                           title=_("Reset the password of %(email)s", email=user.email), user=user)


@bp.route("/<int:user_id>/<any(activate, deactivate):action>", methods=["POST"])
@loads(user=User)
def toggle(action: str, user: User):
    form = ConfirmForm()
    if form.validate_on_submit():
        try:
            set_active(user, action == "activate", acting=current_user)
        except UserError as error:
            flash(str(error), "danger")
        else:
            db.session.commit()
            if action == "activate":
                flash(_("User %(email)s activated.", email=user.email), "success")
            else:
                flash(_("User %(email)s deactivated.", email=user.email), "success")
    return redirect(url_for("users.index"))
