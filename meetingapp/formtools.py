"""Pieces every blueprint's forms share: filters, validators, the confirm button."""

import re
import threading

from flask import g, has_request_context, request
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from markupsafe import Markup, escape
from werkzeug.datastructures import ImmutableMultiDict
from wtforms import SubmitField, validators
from wtforms.validators import Email
from wtforms.widgets import Select, html_params


def strip(value):
    """A WTForms filter: drop the spaces people paste around addresses and names."""
    return value.strip() if isinstance(value, str) else value


def email_address(message: str | None = None) -> Email:
    """An e-mail validator matching what the outbox can send.

    Addresses with a non-ASCII local part (josé@…) need SMTPUTF8, which most
    servers refuse and our outbox does not send: refuse them on the form, with
    a message, rather than fail later when the message is queued.
    """
    return Email(message=message or _l("Enter a valid e-mail address (Latin letters before "
                                       "the @, for example name@example.org)."),
                 allow_smtputf8=False)


def is_row_id(text) -> bool:
    """A row id from a URL or form: ASCII digits only, short enough for any database.

    (``str.isdigit`` also accepts "²" and digits of any length, which end in a 500.)
    """
    return isinstance(text, str) and re.fullmatch(r"[0-9]{1,9}", text) is not None


class ConfirmForm(FlaskForm):
    """An empty form: CSRF protection for a button that changes something."""

    submit = SubmitField(_l("Confirm"))


class Length(validators.Length):
    """WTForms' Length with its messages in our catalogues: WTForms' own Arabic
    catalogue lacks the plural forms, so its messages came out in English there."""

    def __init__(self, min: int = -1, max: int = -1, message=None):
        if message is None:
            if min == -1:
                message = _l("Field cannot be longer than %(max)d characters.")
            elif max == -1:
                message = _l("Field must be at least %(min)d characters long.")
            else:
                message = _l("Field must be between %(min)d and %(max)d characters long.")
        super().__init__(min=min, max=max, message=message)


_options_lock = threading.Lock()


class LongSelect(Select):
    """A select of plain ``(value, label)`` string choices, rendered in one pass.

    The same HTML as WTForms' ``Select`` (attributes in its order), without building
    each option through ``html_params``; the options of the same choices are kept
    (a few lists per worker) and only the chosen one is marked: a list of 1,000
    organisations costs a fraction of a millisecond instead of a large share of the page.
    """

    KEEP = 16
    _options: dict[tuple, str] = {}

    def _rendered(self, choices: tuple) -> str:
        html = self._options.get(choices)
        if html is None:
            html = "".join(f"<option value=\"{escape(value)}\">{escape(label)}</option>"
                           for value, label in choices)
            with _options_lock:
                while len(self._options) >= self.KEEP:
                    self._options.pop(next(iter(self._options)))
                self._options[choices] = html
        return html

    def __call__(self, field, **kwargs):
        kwargs.setdefault("id", field.id)
        flags = getattr(field, "flags", {})
        for k in dir(flags):
            if k in self.validation_attrs and k not in kwargs:
                kwargs[k] = getattr(flags, k)
        # Plain strings: translatable labels would make the key depend on the language.
        options = self._rendered(tuple((str(v), str(label)) for v, label in field.choices))
        chosen = field.data
        for value, _label in field.choices:
            if field.coerce(value) == chosen:
                plain = f"<option value=\"{escape(value)}\">"
                options = options.replace(plain, plain.replace("<option ", "<option selected "))
                break
        return Markup(f"<select {html_params(name=field.name, **kwargs)}>{options}</select>")


# ----- NUL characters in form values -----

NUL_MESSAGE = _l("This field contains an invisible control character (NUL) that cannot be "
                 "kept. Please type the text again rather than paste it.")


def take_out_nul_characters() -> None:
    """Before a request: replace NUL characters in form values and note their fields.

    A NUL is never meant (PostgreSQL cannot even store it in text). It becomes U+FFFD, the
    replacement character, rather than vanishing, so that no value silently turns into
    another ("ar\\0" is not "ar"); a form then shows ``NUL_MESSAGE`` on each of those fields
    and refuses them (``refuse_noted_nul_fields``).
    """
    if not any("\x00" in value for value in request.form.values()):
        return
    g.nul_fields = {name for name, value in request.form.items(multi=True) if "\x00" in value}
    request.__dict__["form"] = ImmutableMultiDict(
        [(name, value.replace("\x00", "\ufffd"))
         for name, value in request.form.items(multi=True)])


def _with_nul_check(validate):
    def checked_validate(self, extra_validators=None):
        valid = validate(self, extra_validators)
        names = g.get("nul_fields") if has_request_context() else None
        if names:
            for field in self:
                if field.name in names:
                    field.errors = [*field.errors, NUL_MESSAGE]
                    valid = False
            self._errors = None  # form.errors is worked out again, with these
        return valid
    checked_validate.nul_check = True
    return checked_validate


def refuse_noted_nul_fields() -> None:
    """Every form (all are FlaskForms) refuses the fields whose NUL characters were dropped.

    Done once on the base class, so that no form of any feature can forget it.
    """
    if not getattr(FlaskForm.validate, "nul_check", False):
        FlaskForm.validate = _with_nul_check(FlaskForm.validate)
