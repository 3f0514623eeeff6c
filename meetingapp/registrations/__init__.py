"""Registration of delegates: the staff side (approval, lists of participants, exports).

The representative registers the delegation through the invitation link
(``portal/delegation.py``); each approved delegate gets a page of their own
(``delegates``). The rules and operations live in ``services``.
"""

from flask import Blueprint

from ..meetings import add_detail_section
from ..models.registration import (
    ATTENDANCE_LABELS,
    DELEGATE_ROLE_LABELS,
    LANGUAGE_LABELS,
    REGISTRATION_STATUS_LABELS,
)
from .choices import country_name

bp = Blueprint("registrations", __name__,
               url_prefix="/meetings/<int:meeting_id>/registrations")

# Labels every template may use (portal, delegate page, e-mails, staff pages).
bp.add_app_template_global(DELEGATE_ROLE_LABELS, "DELEGATE_ROLE_LABELS")
bp.add_app_template_global(REGISTRATION_STATUS_LABELS, "REGISTRATION_STATUS_LABELS")
bp.add_app_template_global(LANGUAGE_LABELS, "LANGUAGE_LABELS")
bp.add_app_template_global(ATTENDANCE_LABELS, "ATTENDANCE_LABELS")
bp.add_app_template_filter(country_name, "country_name")


def _section(meeting):
    from .services import counts_by_status

    return {"counts": counts_by_status(meeting)}


add_detail_section("registrations/_meeting_section.html", _section)

from . import lists, routes  # noqa: E402,F401
