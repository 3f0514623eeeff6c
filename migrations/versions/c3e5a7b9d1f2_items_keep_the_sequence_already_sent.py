"""Agenda items keep the SEQUENCE their calendars were already sent with.

An item's iCalendar SEQUENCE used to be its own count plus its meeting's; it is now
its own count plus a base fixed per meeting (``meetings.item_sequence_base``). Existing
meetings get their current SEQUENCE as the base, so no item's next update goes out with
a lower SEQUENCE than the last one calendars received (they would ignore it); new
meetings start at 0.

Revision ID: c3e5a7b9d1f2
Revises: b8d4f0a2c6e1
Create Date: 2026-12-04 16:00:00.000000

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = 'c3e5a7b9d1f2'
down_revision = 'b8d4f0a2c6e1'
branch_labels = None
depends_on = None
# Tables whose rows the downgrade deletes (or whose columns it drops): it refuses
# to run while they hold rows unless forced (meetingapp/migration_guard.py).
DOWNGRADE_DELETES_DATA_IN = ("meetings",)


def upgrade():
    with op.batch_alter_table('meetings', schema=None) as batch_op:
        batch_op.add_column(sa.Column('item_sequence_base', sa.Integer(), nullable=False,
                                      server_default='0'))
    op.execute("UPDATE meetings SET item_sequence_base = COALESCE(sequence, 0)")


def downgrade():
    with op.batch_alter_table('meetings', schema=None) as batch_op:
        batch_op.drop_column('item_sequence_base')
