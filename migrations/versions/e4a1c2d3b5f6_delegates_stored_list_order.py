"""Delegates keep the sort keys of the list-of-participants order, with an index.

kind_rank (the organisation's kind: international, regional, sub-regional),
organisation_key (the organisation's folded name) and role_rank (head first),
copied from the organisation and the role, so that a page of the staff list of
registrations is read from ix_delegates_list_order instead of sorting every
registration of the meeting.

Revision ID: e4a1c2d3b5f6
Revises: c9de80b1be35
Create Date: 2026-11-29 23:30:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'e4a1c2d3b5f6'
down_revision = 'c9de80b1be35'
branch_labels = None
depends_on = None
# Tables whose rows the downgrade deletes (or whose columns it drops): it refuses
# to run while they hold rows unless forced (meetingapp/migration_guard.py).
DOWNGRADE_DELETES_DATA_IN = ("delegates",)

KINDS = ("international", "regional", "sub-regional")
ROLES = ("head", "delegate", "adviser", "observer")


def _rank(column, values):
    whens = " ".join(f"WHEN '{v}' THEN {i}" for i, v in enumerate(values))
    return f"CASE {column} {whens} ELSE {len(values)} END"


def upgrade():
    with op.batch_alter_table('delegates', schema=None) as batch_op:
        batch_op.add_column(sa.Column('kind_rank', sa.SmallInteger(), server_default='0',
                                      nullable=False))
        batch_op.add_column(sa.Column('organisation_key', sa.String(length=300),
                                      server_default='', nullable=False))
        batch_op.add_column(sa.Column('role_rank', sa.SmallInteger(), server_default='0',
                                      nullable=False))
    organisation = ("(SELECT {} FROM invitations JOIN organisations "
                    "ON organisations.id = invitations.organisation_id "
                    "WHERE invitations.id = delegates.invitation_id)")
    op.execute(
        f"UPDATE delegates SET "
        f"kind_rank = {organisation.format(_rank('organisations.kind', KINDS))}, "
        f"organisation_key = {organisation.format('organisations.name_key')}, "
        f"role_rank = {_rank('role', ROLES)}")
    with op.batch_alter_table('delegates', schema=None) as batch_op:
        batch_op.alter_column('kind_rank', server_default=None)
        batch_op.alter_column('organisation_key', server_default=None)
        batch_op.alter_column('role_rank', server_default=None)
        batch_op.create_index('ix_delegates_list_order',
                              ['meeting_id', 'kind_rank', 'organisation_key', 'role_rank'],
                              unique=False)


def downgrade():
    with op.batch_alter_table('delegates', schema=None) as batch_op:
        batch_op.drop_index('ix_delegates_list_order')
        batch_op.drop_column('role_rank')
        batch_op.drop_column('organisation_key')
        batch_op.drop_column('kind_rank')
