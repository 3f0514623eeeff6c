"""Building e-mail: address lists, the MIME message, HTML from plain text."""

import re
import unicodedata
from collections.abc import Iterable
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime, getaddresses, parseaddr

from flask_babel import gettext as _
from markupsafe import Markup, escape

from ..models import OutboxMessage


class AddressError(ValueError):
    """An e-mail address that cannot be used; the message names it."""


# One "@", something on both sides, nothing that would end a header or a list.
_ADDR_SPEC = re.compile(r"^[^@\s<>,;\"()\[\]\\]+@[^@\s<>,;\"()\[\]\\]+\.[^@\s<>,;\"()\[\]\\]+$")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
_URL = re.compile(r"https?://[^\s<>\"']+[^\s<>\"'.,;:!?)\]]")


def _clean_name(name: str) -> str:
    return " ".join(_CONTROL.sub(" ", name or "").split())


def _one_address(name: str, addr: str) -> str:
    addr = (addr or "").strip()
    if _CONTROL.search(addr) or not _ADDR_SPEC.match(addr):
        raise AddressError(_("Not a usable e-mail address: %(address)s.", address=repr(addr)))
    try:
        return str(Address(display_name=_clean_name(name), addr_spec=addr))
    except (ValueError, IndexError) as error:
        raise AddressError(
            _("Not a usable e-mail address: %(address)s.", address=repr(addr))) from error


def format_addresses(value) -> str:
    """An address-list header from ``"a@b"``, ``"Name <a@b>"``, ``(name, addr)`` or a list."""
    if not value:
        return ""
    if isinstance(value, str) or (
        isinstance(value, tuple) and len(value) == 2 and all(isinstance(v, str) for v in value)
    ):
        items: Iterable = [value]
    else:
        items = value
    formatted = []
    for item in items:
        if isinstance(item, tuple):
            formatted.append(_one_address(*item))
            continue
        if _CONTROL.search(item):
            raise AddressError(_("Not a usable e-mail address: %(address)s.", address=repr(item)))
        pairs = getaddresses([item])
        if not pairs or any(not addr for _name, addr in pairs):
            raise AddressError(_("Not a usable e-mail address: %(address)s.", address=repr(item)))
        formatted.extend(_one_address(name, addr) for name, addr in pairs)
    return ", ".join(formatted)


def address_specs(*headers: str) -> list[str]:
    """The bare addresses (``a@b``) in address-list headers, for the SMTP envelope."""
    found = []
    for _name, addr in getaddresses([h for h in headers if h]):
        if addr and addr not in found:
            found.append(addr)
    return found


def domain_of(address: str) -> str:
    """The domain part of ``"Name <user@domain>"``, or "" if there is none."""
    return parseaddr(address or "")[1].rpartition("@")[2]


def one_line(text: str, limit: int = 500) -> str:
    """A header-safe single line: control characters and runs of spaces collapsed."""
    return " ".join(_CONTROL.sub(" ", text or "").split())[:limit]


def build_email(message: OutboxMessage, sender: str) -> EmailMessage:
    """The MIME message for an outbox row: text and HTML alternatives, stable headers; a
    calendar invitation (``text/calendar; method=...``) as a third alternative and as an
    ``.ics`` file (``application/ics``), as calendar programs expect (RFC 6047, CalConnect)."""
    email = EmailMessage()
    email["Subject"] = message.subject
    email["From"] = sender
    email["To"] = message.to_addrs
    if message.cc_addrs:
        email["Cc"] = message.cc_addrs
    if message.reply_to:
        email["Reply-To"] = message.reply_to
    # The time the message was written, the same on every retry.
    email["Date"] = format_datetime(message.created_at)
    email["Message-ID"] = message.message_id
    email["Auto-Submitted"] = "auto-generated"
    email.set_content(message.body_text)
    email.add_alternative(message.body_html, subtype="html")
    itip = next((a for a in message.attachments if _itip_method(a.mimetype)), None)
    if itip is not None:  # iMIP (RFC 6047): the iTIP object as the third alternative
        # As bytes (base64): the object's own CRLF line ends arrive unchanged.
        email.add_alternative(bytes(itip.content), maintype="text", subtype="calendar",
                              params={"method": _itip_method(itip.mimetype), "charset": "utf-8"})
    for attachment in message.attachments:
        mimetype = attachment.mimetype
        if attachment is itip:  # and as a file: the same object, not a second iTIP part
            mimetype = "application/ics"
        add_attachment(email, attachment.filename, mimetype, attachment.content)
    return email


def _itip_method(mimetype: str) -> str:
    """The METHOD of a ``text/calendar; method=...`` type ("" for anything else)."""
    kind, *params = [part.strip() for part in (mimetype or "").split(";")]
    if kind.lower() != "text/calendar":
        return ""
    found = dict(p.split("=", 1) for p in params if "=" in p)
    return {k.strip().lower(): v.strip().strip('"') for k, v in found.items()}.get(
        "method", "").upper()


def add_attachment(email: EmailMessage, filename: str, mimetype: str, content: bytes) -> None:
    """Attach ``content`` as ``mimetype`` (parameters such as ``method=REQUEST`` kept)."""
    kind, *params = [part.strip() for part in mimetype.split(";")]
    maintype, _slash, subtype = kind.partition("/")
    extra = dict(p.split("=", 1) for p in params if "=" in p)
    email.add_attachment(content, maintype=maintype or "application",
                         subtype=subtype or "octet-stream", filename=filename, params=extra)


def _linkify(line: str) -> str:
    """Escape ``line``, turning each web address in it into a link."""
    out, last = [], 0
    for match in _URL.finditer(line):
        url = escape(match.group(0))
        out.append(f'{escape(line[last:match.start()])}<a href="{url}">{url}</a>')
        last = match.end()
    out.append(str(escape(line[last:])))
    return "".join(out)


def html_paragraphs(text: str) -> Markup:
    """Plain text as escaped HTML paragraphs, line breaks kept and web links clickable."""
    blocks = re.split(r"\n\s*\n", (text or "").replace("\r\n", "\n").strip())
    parts = []
    for block in blocks:
        if block.strip():
            lines = [_linkify(line) for line in block.split("\n")]
            parts.append("<p>" + "<br>\n".join(lines) + "</p>")
    return Markup("\n".join(parts))


def html_from_text(text: str, subject: str = "") -> str:
    """A minimal HTML part for a message written only as plain text, in the language
    being rendered (the recipient's: messages are queued inside ``in_language``)."""
    from ..i18n import current_language, is_rtl

    language = current_language()
    direction = "rtl" if is_rtl(language) else "ltr"
    return (
        f'<!doctype html>\n<html lang="{language}" dir="{direction}"><head><meta charset="utf-8">'
        f"<title>{escape(subject)}</title></head>\n<body>\n{html_paragraphs(text)}\n"
        "</body></html>\n"
    )


def slugify(text: str, limit: int = 60) -> str:
    """An ASCII file-name fragment of ``text`` (``"message"`` if nothing is left)."""
    ascii_text = unicodedata.normalize("NFKD", text or "").encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")[:limit].strip("-")
    return slug or "message"


def default_sender(config) -> str:
    """The From address: MAIL_DEFAULT_SENDER, else the secretariat's name and address."""
    configured = config.get("MAIL_DEFAULT_SENDER")
    if configured:
        return format_addresses(configured)
    return format_addresses([(config.get("SECRETARIAT_NAME") or "", config["SECRETARIAT_EMAIL"])])
