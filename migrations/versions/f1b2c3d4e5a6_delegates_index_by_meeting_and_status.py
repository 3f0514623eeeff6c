"""Delegates: an index on (meeting_id, status, kind_rank, role_rank).

The staff list of registrations counts the meeting's registrations by status
and, when filtered, counts the matching ones: both are read from this index
alone (an index-only scan) instead of the meeting's rows.

Revision ID: f1b2c3d4e5a6
Revises: e4a1c2d3b5f6
Create Date: 2026-11-30 00:10:00.000000

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = 'f1b2c3d4e5a6'
down_revision = 'e4a1c2d3b5f6'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('delegates', schema=None) as batch_op:
        batch_op.create_index('ix_delegates_meeting_status',
                              ['meeting_id', 'status', 'kind_rank', 'role_rank'], unique=False)


def downgrade():
    with op.batch_alter_table('delegates', schema=None) as batch_op:
        batch_op.drop_index('ix_delegates_meeting_status')
