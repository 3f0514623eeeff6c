"""Check-in codes: the secret that a badge's QR code holds, and nothing else.

A code is 20 characters of Crockford base32 (100 bits): upper-case letters
and digits only, so the QR code uses alphanumeric mode and stays small
(version 2, 25 x 25 modules, at error-correction level Q), and a handheld
scanner types it without keyboard-layout surprises.

Neither the code nor anything that gives it away on its own is stored.
Each delegate's row holds a random ``seed`` (128 bits from ``secrets``); the
code is HMAC-SHA-256 of that seed under the check-in key (CHECKIN_CODE_KEY,
by default derived from SECRET_KEY), so a badge can be printed again at any
time. A scan is looked up by ``code_hash``, the plain SHA-256 of the code
(unique index): 100 random bits cannot be guessed from the hash, and a
badge already printed keeps scanning even if the key is later changed.
Re-issuing draws a new seed: the old code's hash is gone, the old badge is
"unknown". The code is separate from the invitation, page and feed tokens.
"""

import hashlib
import hmac
import secrets
from itertools import chain

from flask import current_app, has_app_context
from flask_babel import gettext as _
from flask_sqlalchemy.session import Session as FlaskSession
from sqlalchemy import event, inspect, select
from sqlalchemy.orm import joinedload

from ..audit.services import record
from ..extensions import db
from ..models import CheckinCode, Delegate, Invitation, RegistrationStatus, utcnow

ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"  # Crockford: no I, L, O, U
CODE_LENGTH = 20
# Crockford's reading rules: O is 0, I and L are 1; spaces and hyphens are ignored.
_READING = str.maketrans({"O": "0", "I": "1", "L": "1", "-": None, " ": None})
_KEY_LABEL = b"meetingapp/check-in-code/v1"


class CodeKeyChanged(RuntimeError):
    """The check-in key changed since the code was issued: it must be re-issued to print."""


def _key() -> bytes:
    config = current_app.config
    secret = str(config.get("CHECKIN_CODE_KEY") or config["SECRET_KEY"])
    return hmac.new(secret.encode("utf-8"), _KEY_LABEL, hashlib.sha256).digest()


def derive_code(seed: str) -> str:
    """The code for a stored seed: 100 bits of HMAC-SHA-256 in Crockford base32."""
    digest = hmac.new(_key(), bytes.fromhex(seed), hashlib.sha256).digest()
    number = int.from_bytes(digest[:13], "big") >> 4
    chars = []
    for _unused in range(CODE_LENGTH):
        chars.append(ALPHABET[number & 31])
        number >>= 5
    return "".join(reversed(chars))


def hash_code(code: str) -> str:
    """The hex SHA-256 of a normalised code (what the database stores and indexes)."""
    return hashlib.sha256(code.encode("ascii", "replace")).hexdigest()


def normalise_code(text: str) -> str:
    """What a scanner or a person typed, as a code: upper case, Crockford's reading rules."""
    return (text or "").strip().upper().translate(_READING)[:64]


def plausible_code(code: str) -> bool:
    """Cheap shape check before touching the database."""
    return len(code) == CODE_LENGTH and all(c in ALPHABET for c in code)


def format_code(code: str) -> str:
    """The code in groups of five, for people to read and type (hyphens are ignored)."""
    return "-".join(code[i:i + 5] for i in range(0, len(code), 5))


def new_seed() -> tuple[str, str]:
    """A fresh random seed and the hash of the code it yields."""
    seed = secrets.token_hex(16)
    return seed, hash_code(derive_code(seed))


def code_row(delegate: Delegate) -> CheckinCode | None:
    """The delegate's check-in code row, or None if none was issued yet."""
    if delegate.id is None:
        return None
    return db.session.scalar(select(CheckinCode).where(CheckinCode.delegate_id == delegate.id))


def ensure_code(delegate: Delegate, user=None) -> CheckinCode:
    """The delegate's code row, issued now if missing (adds and flushes)."""
    row = code_row(delegate)
    if row is None:
        seed, code_hash = new_seed()
        row = CheckinCode(delegate=delegate, seed=seed, code_hash=code_hash, generation=1,
                          issued_at=utcnow(), issued_by=user)
        db.session.add(row)
        db.session.flush()
    return row


def current_code(row: CheckinCode) -> str:
    """The plaintext code of a row; ``CodeKeyChanged`` if the key no longer yields it."""
    code = derive_code(row.seed)
    if not hmac.compare_digest(hash_code(code), row.code_hash):
        raise CodeKeyChanged(_(
            "The check-in key (CHECKIN_CODE_KEY or SECRET_KEY) changed since this code was "
            "issued: badges already printed still scan, but to print one again, re-issue "
            "the code."))
    return code


def reissue_code(delegate: Delegate, user=None) -> CheckinCode:
    """Draw a new code for the delegate; the old one stops working at once (audited)."""
    row = code_row(delegate)
    if row is None:
        row = ensure_code(delegate, user)
        record("issue_checkin_code", delegate, meeting=delegate.meeting, user=user,
               changes={"generation": [None, 1]})
        return row
    old = row.generation
    row.seed, row.code_hash = new_seed()
    row.generation = old + 1
    row.issued_at = utcnow()
    row.issued_by = user
    db.session.flush()
    record("reissue_checkin_code", delegate, meeting=delegate.meeting, user=user,
           changes={"generation": [old, row.generation]})
    return row


def find_code(text: str, *, with_delegation: bool = False) -> CheckinCode | None:
    """The code row a scanned text opens, or None; costs the same whether it exists or not.

    ``with_delegation``: the delegate, its invitation and organisation come in the same
    query (what the desk's answer shows).
    """
    code = normalise_code(text)
    code_hash = hash_code(code) if plausible_code(code) else "0" * 64
    query = select(CheckinCode).where(CheckinCode.code_hash == code_hash)
    if with_delegation:
        query = query.options(joinedload(CheckinCode.delegate).joinedload(Delegate.invitation)
                              .joinedload(Invitation.organisation))
    row = db.session.scalar(query)
    if row is None or not hmac.compare_digest(row.code_hash, hash_code(code)):
        return None
    return row


def badge_number(delegate: Delegate, row: CheckinCode | None) -> str:
    """The number printed on the badge: the registration number, and the issue if re-issued."""
    number = f"{delegate.id:05d}"
    if row is not None and row.generation > 1:
        number += f"-{row.generation}"
    return number


@event.listens_for(FlaskSession, "before_flush")
def _issue_codes_on_approval(session, flush_context, instances) -> None:
    """Every approved delegate has a check-in code, whichever code path approved them."""
    if not has_app_context():
        return
    approved = [obj for obj in chain(session.new, session.dirty)
                if isinstance(obj, Delegate) and obj.status == RegistrationStatus.APPROVED
                and (obj.id is None or inspect(obj).attrs.status.history.has_changes())]
    if not approved:
        return
    pending = {id(c.delegate) for c in session.new if isinstance(c, CheckinCode)}
    ids = [d.id for d in approved if d.id is not None]
    with session.no_autoflush:
        existing = set(session.scalars(select(CheckinCode.delegate_id).where(
            CheckinCode.delegate_id.in_(ids)))) if ids else set()
    for delegate in approved:
        if id(delegate) in pending or delegate.id in existing:
            continue
        seed, code_hash = new_seed()
        session.add(CheckinCode(delegate=delegate, seed=seed, code_hash=code_hash,
                                generation=1, issued_at=utcnow()))
