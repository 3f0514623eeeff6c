"""Organisations get a correspondence language (invitations and answers are sent in it).

Revision ID: c9de80b1be35
Revises: 59f75cef86a5
Create Date: 2026-11-29 23:02:50.004818

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'c9de80b1be35'
down_revision = '59f75cef86a5'
branch_labels = None
depends_on = None
# Tables whose rows the downgrade deletes (or whose columns it drops): it refuses
# to run while they hold rows unless forced (meetingapp/migration_guard.py).
DOWNGRADE_DELETES_DATA_IN = ("organisations",)


def upgrade():
    with op.batch_alter_table('organisations', schema=None) as batch_op:
        batch_op.add_column(sa.Column('language', sa.String(length=2), server_default='en', nullable=False))
        batch_op.create_check_constraint(
            op.f('ck_organisations_language_known'),
            "language IN ('ar', 'zh', 'en', 'fr', 'ru', 'es')")



def downgrade():
    with op.batch_alter_table('organisations', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_organisations_language_known'), type_='check')
        batch_op.drop_column('language')

