from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_user, logout_user

from ..extensions import db, limiter
from ..text import is_local_path
from .forms import LoginForm
from .services import LoginRefused, authenticate

bp = Blueprint("auth", __name__)


def _account_key() -> str:
    return "login-account:" + request.form.get("email", "").strip().lower()


def home_for(user) -> str:
    if user.role == "checkin":
        return url_for("checkin.home")
    return url_for("meetings.index")


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(lambda: current_app.config["LOGIN_RATE_LIMIT_PER_ADDRESS"], methods=["POST"])
@limiter.limit(
    lambda: current_app.config["LOGIN_RATE_LIMIT_PER_ACCOUNT"],
    key_func=_account_key,
    methods=["POST"],
)
def login():
    if current_user.is_authenticated:
        return redirect(home_for(current_user))
    form = LoginForm()
    if form.validate_on_submit():
        try:
            user = authenticate(form.email.data, form.password.data)
        except LoginRefused:
            db.session.commit()  # keep the audit entry of the failure
            flash(_("Wrong e-mail or password, or the account is deactivated."), "danger")
            return render_template("auth/login.html", form=form), 401
        login_user(user, remember=form.remember.data)
        db.session.commit()
        target = request.args.get("next")
        return redirect(target if is_local_path(target) else home_for(user))
    return render_template("auth/login.html", form=form)


@bp.route("/logout", methods=["POST"])
def logout():
    logout_user()
    flash(_("You are signed out."), "info")
    return redirect(url_for("auth.login"))


@bp.route("/")
def index():
    if current_user.is_authenticated:
        return redirect(home_for(current_user))
    return redirect(url_for("auth.login"))
