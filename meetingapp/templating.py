"""Jinja filters and globals shared by every template."""

from datetime import datetime

from flask import Flask, send_from_directory
from markupsafe import Markup
from wtforms.widgets import HiddenInput

from .models.meeting import STATUS_LABELS
from .models.organisation import KIND_LABELS
from .models.registration import LANGUAGE_LABELS
from .models.report import section_title
from .models.user import ROLE_LABELS
from .timezones import format_local, format_wall_clock, utc_to_local


def csrf_field(form) -> Markup:
    """The form's hidden CSRF field without an id: pages with several forms stay valid HTML."""
    field = getattr(form, "csrf_token", None)  # absent when CSRF is off (the tests)
    return field(id=False) if field is not None else Markup("")


def hidden_fields(form) -> Markup:
    """``form.hidden_tag()``, with the CSRF field rendered by ``csrf_field``."""
    return Markup("").join(
        csrf_field(form) if field.type == "CSRFTokenField" else field()
        for field in form if isinstance(field.widget, HiddenInput)
        or field.type == "CSRFTokenField")


def register(app: Flask) -> None:
    @app.route("/favicon.ico")
    def favicon():
        """The icon browsers ask for at the site's root before any page names it."""
        return send_from_directory(app.static_folder, "favicon.ico",
                                   mimetype="image/vnd.microsoft.icon", max_age=7 * 86400)

    @app.template_filter("local")
    def local_filter(moment, zone_name, fmt="%d %B %Y, %H:%M"):
        """``{{ meeting.starts_at|local(meeting.timezone) }}`` with the zone named."""
        return format_local(moment, zone_name, fmt)

    @app.template_filter("localdate")
    def localdate_filter(moment, zone_name):
        local = utc_to_local(moment, zone_name)
        return format_wall_clock(local, "%d %B %Y") if local else ""

    @app.template_filter("day")
    def day_filter(day, fmt="%A %d %B %Y"):
        """A calendar day (``date`` or wall-clock ``datetime``) in the page's language."""
        if day is None:
            return ""
        if not isinstance(day, datetime):
            day = datetime(day.year, day.month, day.day)
        return format_wall_clock(day, fmt)

    app.add_template_filter(section_title, "section_title")
    app.add_template_filter(csrf_field, "csrf_field")
    app.add_template_filter(hidden_fields, "hidden_fields")

    @app.template_filter("utc")
    def utc_filter(moment):
        return moment.strftime("%Y-%m-%d %H:%M UTC") if moment else ""

    app.jinja_env.globals.update(
        KIND_LABELS=KIND_LABELS,
        LANGUAGE_LABELS=LANGUAGE_LABELS,
        MEETING_STATUS_LABELS=STATUS_LABELS,
        ROLE_LABELS=ROLE_LABELS,
    )
