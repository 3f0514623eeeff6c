"""The delegation's nomination letter: a PDF checked on its content, kept in the database."""

import hashlib
import io
import logging
import os
import unicodedata

from flask import current_app
from flask_babel import gettext as _
from pypdf import PdfReader
from pypdf.errors import PyPdfError
from pypdf.generic import ArrayObject, DictionaryObject, IndirectObject
from sqlalchemy import select

from ..audit.services import record
from ..extensions import db
from ..models import Invitation, utcnow
from ..models.registration import NominationLetter
from .errors import RegistrationError
from .services import check_can_register, lock_invitation

# A PDF file starts with "%PDF-" (readers accept it within the first 1024
# bytes) and ends with "%%EOF", give or take trailing whitespace or junk.
PDF_HEADER = b"%PDF-"
PDF_TRAILER = b"%%EOF"
# What makes a PDF act when opened or clicked: scripts and programs to launch.
ACTIVE_ACTIONS = {"/JavaScript", "/Launch", "/ImportData", "/SubmitForm", "/Rendition"}
ACTIVE_KEYS = {"/JS", "/JavaScript"}
# Objects visited when looking for active content; a letter has a few hundred.
MAX_OBJECTS = 50_000

log = logging.getLogger(__name__)


def size_label(size: int) -> str:
    """A file size as people say it: "5 MB", "1.5 MB", "200 KB"."""
    if size < 1024 * 1024:
        return _("%(size)s KB", size=max(size // 1024, 1))
    megabytes = f"{size / (1024 * 1024):.1f}".removesuffix(".0")
    return _("%(size)s MB", size=megabytes)


def check_pdf(data: bytes, max_bytes: int) -> None:
    """Refuse a file that is empty, too large, or not a PDF by its content (whatever its name)."""
    if not data:
        raise RegistrationError(_("The file is empty. Choose the PDF of the nomination "
                                  "letter."))
    if len(data) > max_bytes:
        raise RegistrationError(_("The file is too large: the largest accepted is %(size)s. "
                                  "Please send a smaller PDF (for example scanned at a lower "
                                  "resolution).", size=size_label(max_bytes)))
    not_pdf = RegistrationError(_("This file is not a PDF document (its content was checked, "
                                  "not only its name). Please save the letter as PDF and "
                                  "upload it again."))
    if PDF_HEADER not in data[:1024] or PDF_TRAILER not in data[-2048:]:
        raise not_pdf
    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted and not reader.decrypt(""):
            raise RegistrationError(_("This PDF is protected by a password. Please upload the "
                                      "letter without a password."))
        pages = len(reader.pages)
        active = has_active_content(reader)
    except RegistrationError:
        raise
    except (PyPdfError, ValueError, KeyError, TypeError, AttributeError, IndexError,
            RecursionError, NotImplementedError, OSError) as error:
        log.info("nomination letter refused: %s: %s", type(error).__name__, error)
        raise not_pdf from None
    if pages < 1:
        raise not_pdf
    if active:
        raise RegistrationError(_("This PDF contains scripts or actions that start programs, "
                                  "which are not accepted. Please save the letter again as a "
                                  "plain PDF (for example with “Print to PDF”) and upload it."))


def has_active_content(reader: PdfReader) -> bool:
    """True when any object of the file holds JavaScript or a launch-like action."""
    seen: set[tuple[int, int]] = set()
    stack: list = [reader.trailer]
    visited = 0
    while stack:
        item = stack.pop()
        if isinstance(item, IndirectObject):
            key = (item.idnum, item.generation)
            if key in seen:
                continue
            seen.add(key)
            item = item.get_object()
        visited += 1
        if visited > MAX_OBJECTS:
            return True  # too intricate to vouch for: refuse rather than guess
        if isinstance(item, DictionaryObject):
            if ACTIVE_KEYS & set(item.keys()):
                return True
            if item.get("/S") in ACTIVE_ACTIONS:
                return True
            stack.extend(value for name, value in item.items() if name != "/Parent")
        elif isinstance(item, ArrayObject):
            stack.extend(item)
    return False


def clean_filename(filename: str | None) -> str:
    """The file's own name without any folder or control characters, ending in .pdf."""
    name = os.path.basename((filename or "").replace("\\", "/")).strip()
    name = "".join(c for c in name if unicodedata.category(c)[0] != "C")[:200].strip(" .")
    if not name:
        name = "nomination-letter"
    if not name.lower().endswith(".pdf"):
        name += ".pdf"
    return name


def letter_of(invitation: Invitation) -> NominationLetter | None:
    """The delegation's letter, without loading the file itself."""
    return db.session.scalar(select(NominationLetter).where(
        NominationLetter.invitation_id == invitation.id))


def upload_letter(invitation: Invitation, filename: str | None, stream, *,
                  actor: str) -> NominationLetter:
    """Store (or replace) the nomination letter of the delegation; only a real PDF is kept."""
    invitation = lock_invitation(invitation)
    check_can_register(invitation)
    max_bytes = current_app.config["NOMINATION_LETTER_MAX_BYTES"]
    data = stream.read(max_bytes + 1)  # one byte more tells "too large" without reading it all
    check_pdf(data, max_bytes)
    letter = letter_of(invitation)
    action = "replace_letter" if letter is not None else "upload_letter"
    if letter is None:
        letter = NominationLetter(invitation_id=invitation.id)
        db.session.add(letter)
    letter.filename = clean_filename(filename)
    letter.content = data
    letter.size = len(data)
    letter.sha256 = hashlib.sha256(data).hexdigest()
    letter.uploaded_at = utcnow()
    db.session.flush()
    record(action, letter, meeting=invitation.meeting, actor=actor,
           changes={"filename": [None, letter.filename], "size": [None, letter.size]})
    return letter
