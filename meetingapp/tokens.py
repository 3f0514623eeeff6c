"""Secrets in links: random tokens, stored only as their hash.

Each kind of link (invitation, delegate page, calendar feed) has its own
token, so leaking one opens nothing else. A token carries 256 random bits;
the database keeps its SHA-256, looks rows up by that hash and compares in
constant time, so a copy of the database does not reveal working links.
"""

import hashlib
import hmac
import secrets

from .extensions import db

TOKEN_BYTES = 32


def new_token() -> tuple[str, str]:
    """A fresh URL-safe token and the hash to store for it."""
    token = secrets.token_urlsafe(TOKEN_BYTES)
    return token, hash_token(token)


def hash_token(token: str) -> str:
    """The hex SHA-256 of a token (what the database stores and indexes)."""
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()


def plausible(token: str) -> bool:
    """Cheap shape check before touching the database (length and alphabet)."""
    return 20 <= len(token) <= 100 and all(c.isalnum() or c in "-_" for c in token)


def matches(token: str, stored_hash: str | None) -> bool:
    """Compare a presented token with a stored hash in constant time."""
    if not stored_hash:
        return False
    return hmac.compare_digest(hash_token(token), stored_hash)


def lookup_hash(token: str) -> str:
    """The hash to look ``token`` up by: a malformed token gets a hash no row has, so
    the query costs the same whether the link exists or not."""
    return hash_token(token) if plausible(token) else "0" * 64


def find_by_token(query, column, token: str):
    """The row of ``query`` whose ``column`` holds the hash of ``token``, else None.

    ``query`` is a ``select(Model)`` (with any loader options); the row is returned only
    when its hash matches in constant time."""
    row = db.session.scalar(query.where(column == lookup_hash(token)))
    return row if row is not None and matches(token, getattr(row, column.key)) else None
