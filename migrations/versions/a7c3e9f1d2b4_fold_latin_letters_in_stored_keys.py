"""Stored search and uniqueness keys fold every Latin letter (Ø, Đ, Œ, Ł, Þ, Æ, ı).

The folding of meetingapp/text.py now transliterates the Latin letters that no
Unicode decomposition reaches, with text-unidecode: "orsted" finds Ørsted,
"dakovo" Đakovo, "oeuvre" Œuvre. The keys stored with that folding are computed
again: organisations.name_key and search_key, the delegates' copy of their
organisation's name_key (organisation_key), agenda_topics.name_key.

Two rows that were distinct and now fold to one key (an organisation entered
both as "Ørsted Institute" and "Orsted Institute") cannot both hold it, since
the key is unique: the first (lowest id) gets the new key, the other keeps its
old one (which the new folding never produces, so it stays unique) and is
reported, for the secretariat to merge the two.

The folding is copied here as it is at this revision, so that the migration
does not change meaning when meetingapp/text.py changes later.

Revision ID: a7c3e9f1d2b4
Revises: 7a4fa5dbfe57
Create Date: 2026-12-01 10:00:00.000000

"""
import unicodedata

import sqlalchemy as sa
from alembic import op
from text_unidecode import unidecode

# revision identifiers, used by Alembic.
revision = 'a7c3e9f1d2b4'
down_revision = '7a4fa5dbfe57'
branch_labels = None
depends_on = None

TATWEEL = "\u0640"
KEY_LENGTHS = {"organisations": {"name_key": 300, "search_key": 400},
               "agenda_topics": {"name_key": 200}}


def _latin_letter(char: str) -> str:
    if char.isascii() or not unicodedata.name(char, "").startswith("LATIN "):
        return char
    return unidecode(char).lower() or char


def _fold(text, transliterate: bool) -> str:
    if not text:
        return ""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    kept = "".join((_latin_letter(c) if transliterate else c) for c in decomposed
                   if not unicodedata.combining(c) and c != TATWEEL)
    return " ".join(unicodedata.normalize("NFC", kept).split())


def _recompute(table: str, transliterate: bool) -> None:
    connection = op.get_bind()
    limits = KEY_LENGTHS[table]
    has_search = "search_key" in limits
    columns = "id, name, name_key" + (", acronym" if has_search else "")
    rows = connection.execute(sa.text(f"SELECT {columns} FROM {table} ORDER BY id")).all()
    new = {row.id: _fold(row.name, transliterate)[:limits["name_key"]] for row in rows}
    # Rows whose key does not change hold it first; the others take theirs if free.
    taken = {row.name_key for row in rows if new[row.id] == row.name_key}
    for row in rows:
        values = {"id": row.id}
        if new[row.id] != row.name_key:
            if new[row.id] in taken:
                print(f"{table} {row.id} ({row.name!r}) folds like another row: "
                      f"its key stays {row.name_key!r}; merge the two.")
            else:
                taken.add(new[row.id])
                values["name_key"] = new[row.id]
        if has_search:
            values["search_key"] = _fold(f"{row.name} {row.acronym or ''}",
                                         transliterate)[:limits["search_key"]]
        if len(values) > 1:
            assignments = ", ".join(f"{k} = :{k}" for k in values if k != "id")
            connection.execute(sa.text(f"UPDATE {table} SET {assignments} WHERE id = :id"),
                               values)


def _copy_organisation_keys() -> None:
    op.execute("UPDATE delegates SET organisation_key = (SELECT organisations.name_key "
               "FROM invitations JOIN organisations "
               "ON organisations.id = invitations.organisation_id "
               "WHERE invitations.id = delegates.invitation_id)")


def upgrade():
    _recompute("organisations", transliterate=True)
    _recompute("agenda_topics", transliterate=True)
    _copy_organisation_keys()


def downgrade():
    _recompute("organisations", transliterate=False)
    _recompute("agenda_topics", transliterate=False)
    _copy_organisation_keys()
