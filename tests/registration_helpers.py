"""Shared set-up for the registration, delegate-page and list-of-participants tests."""

import io
import itertools
import re

from pypdf import PdfReader, PdfWriter
from pypdf.generic import DictionaryObject, NameObject, TextStringObject

from meetingapp.extensions import db
from meetingapp.models import Delegate, Invitation
from tests.invitation_helpers import (
    invitation_with_token,
    organisation_with_focal_point,
    upcoming_meeting,
)

DELEGATE_LINK = re.compile(r"https?://[^\s\"<>]+/d/[A-Za-z0-9_\-]+")
_numbers = itertools.count(1)



def one_page_pdf(open_action: dict | None = None, pages: int = 1) -> bytes:
    """A small, well-formed PDF of blank A4 pages, written by pypdf (an independent writer).

    ``open_action`` becomes the document's /OpenAction, e.g. {"/S": "/JavaScript", ...}.
    """
    writer = PdfWriter()
    for _ in range(pages):
        writer.add_blank_page(595, 842)
    if open_action:
        writer._root_object[NameObject("/OpenAction")] = DictionaryObject({
            NameObject(key): NameObject(value) if value.startswith("/") else
            TextStringObject(value) for key, value in open_action.items()})
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


# A minimal but complete PDF file of one page (what a scanner or "Save as PDF" gives).
SMALL_PDF = one_page_pdf()
# The start of a Windows executable (MZ header), as a renamed .exe would be.
FAKE_EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 200 + \
    b"This program cannot be run in DOS mode.\r\n%%EOF"


def accepted_invitation(meeting=None, organisation=None, **fields):
    """An accepted invitation whose link token we know; returns (invitation_id, token)."""
    fields.setdefault("status", "accepted")
    return invitation_with_token(meeting or upcoming_meeting(),
                                 organisation or organisation_with_focal_point(), **fields)


def delegate_data(**fields) -> dict:
    """The registration form, filled in; each call gets a new e-mail address."""
    n = next(_numbers)
    data = {
        "role": "delegate", "title": "Ms.", "given_name": f"Anna{n}",
        "family_name": f"Delegate{n}", "position": "Counter-terrorism adviser",
        "email": f"delegate.{n}@example.org", "phone": "+1 212 963 1234",
        "nationality": "FR", "language": "en", "attendance": "in_person",
        "needs": "", "consent_to_publish": "y",
    }
    data.update(fields)
    return {k: v for k, v in data.items() if v is not None}


def register(client, token, **fields):
    """Post the registration form through the invitation link."""
    return client.post(f"/i/{token}/delegates/new", data=delegate_data(**fields))


def delegates_of(app, invitation_id) -> list[Delegate]:
    with app.app_context():
        return db.session.scalars(db.select(Delegate).where(
            Delegate.invitation_id == invitation_id).order_by(Delegate.id)).all()


def invitation(app, invitation_id) -> Invitation:
    with app.app_context():
        return db.session.get(Invitation, invitation_id)


def delegate_link_in(message) -> str:
    """The delegate's personal link in a received e-mail's plain-text part."""
    text = message.get_body(("plain",)).get_content()
    match = DELEGATE_LINK.search(text)
    assert match, text
    return match.group(0)


def pdf_text(data: bytes) -> str:
    """The text of every page of a PDF, extracted with pypdf."""
    reader = PdfReader(io.BytesIO(data))
    return "\n".join(page.extract_text() for page in reader.pages)
