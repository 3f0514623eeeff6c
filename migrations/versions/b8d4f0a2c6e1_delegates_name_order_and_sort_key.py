"""Delegates keep their name order and the key lists sort them by.

name_order: given_first (Anne-Sophie Lefèvre) or family_first (李小龙, Li Xiaolong);
existing delegates get the one of the script of their name (Chinese, Japanese and
Korean characters: family name first). name_key: the family name, then the given
name, folded, Chinese characters by their reading, so that lists sort by family name
in every script.

The rules are copied from meetingapp/names.py as they are at this revision.

Revision ID: b8d4f0a2c6e1
Revises: a7c3e9f1d2b4
Create Date: 2026-12-01 11:00:00.000000

"""
import unicodedata

import sqlalchemy as sa
from alembic import op
from text_unidecode import unidecode

# revision identifiers, used by Alembic.
revision = 'b8d4f0a2c6e1'
down_revision = 'a7c3e9f1d2b4'
branch_labels = None
depends_on = None
# Tables whose rows the downgrade deletes (or whose columns it drops): it refuses
# to run while they hold rows unless forced (meetingapp/migration_guard.py).
DOWNGRADE_DELETES_DATA_IN = ("delegates",)

NAME_ORDERS = ("given_first", "family_first")
TATWEEL = "\u0640"


def _unspaced(char: str) -> bool:
    return unicodedata.name(char, "").startswith(("CJK ", "HIRAGANA", "KATAKANA", "HANGUL"))


def _latin_letter(char: str) -> str:
    if char.isascii() or not unicodedata.name(char, "").startswith("LATIN "):
        return char
    return unidecode(char).lower() or char


def _fold(text) -> str:
    if not text:
        return ""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    kept = "".join(_latin_letter(c) for c in decomposed
                   if not unicodedata.combining(c) and c != TATWEEL)
    return " ".join(unicodedata.normalize("NFC", kept).split())


def _key(text) -> str:
    return _fold("".join(unidecode(c) if _unspaced(c) else c for c in _fold(text)))


def upgrade():
    with op.batch_alter_table('delegates', schema=None) as batch_op:
        batch_op.add_column(sa.Column('name_order', sa.String(length=12),
                                      server_default='given_first', nullable=False))
        batch_op.add_column(sa.Column('name_key', sa.String(length=400), server_default='',
                                      nullable=False))
    connection = op.get_bind()
    rows = connection.execute(sa.text(
        "SELECT id, given_name, family_name FROM delegates")).all()
    for row in rows:
        name = f"{row.given_name or ''}{row.family_name or ''}"
        connection.execute(
            sa.text("UPDATE delegates SET name_order = :order, name_key = :key "
                    "WHERE id = :id"),
            {"id": row.id, "key": f"{_key(row.family_name)}\x1f{_key(row.given_name)}"[:400],
             "order": "family_first" if any(_unspaced(c) for c in name) else "given_first"})
    with op.batch_alter_table('delegates', schema=None) as batch_op:
        batch_op.alter_column('name_order', server_default=None)
        batch_op.alter_column('name_key', server_default=None)
        batch_op.create_check_constraint(op.f('ck_delegates_name_order_known'),
                                         f"name_order IN {NAME_ORDERS!r}")


def downgrade():
    with op.batch_alter_table('delegates', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_delegates_name_order_known'), type_='check')
        batch_op.drop_column('name_key')
        batch_op.drop_column('name_order')
