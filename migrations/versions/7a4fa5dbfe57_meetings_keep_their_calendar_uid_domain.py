"""Meetings keep the domain of their calendar UIDs (meeting-<id>@domain).

UIDs used to take their host from CALENDAR_UID_HOST, SERVER_NAME or, failing
both, the Host header of whichever request built the calendar. Each meeting now
stores its domain. Existing meetings get the domain their invitations were
actually sent with (read from the UIDs of the calendars in the outbox), else
the one this configuration would have used (CALENDAR_UID_HOST, SERVER_NAME,
else the host of PUBLIC_URL), so calendars keep updating the same events.

Revision ID: 7a4fa5dbfe57
Revises: f1b2c3d4e5a6
Create Date: 2026-12-01 09:00:00.000000

"""
import re
from urllib.parse import urlsplit

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '7a4fa5dbfe57'
down_revision = 'f1b2c3d4e5a6'
branch_labels = None
depends_on = None
# Tables whose rows the downgrade deletes (or whose columns it drops): it refuses
# to run while they hold rows unless forced (meetingapp/migration_guard.py).
DOWNGRADE_DELETES_DATA_IN = ("meetings",)

SENT_UID = re.compile(rb"^UID:(?:meeting|item)-\d+@([A-Za-z0-9.\-\[\]:]{1,253})\r?$", re.M)


def _configured_domain():
    """The host UIDs were built from when the configuration named one."""
    try:
        from flask import current_app
        config = current_app.config
    except RuntimeError:  # alembic without the app
        return None
    host = config.get("CALENDAR_UID_HOST") or config.get("SERVER_NAME")
    if host:
        return str(host).split(":", 1)[0].strip().lower() or None
    url = config.get("PUBLIC_URL")
    return (urlsplit(str(url)).hostname or None) if url else None


def upgrade():
    with op.batch_alter_table('meetings', schema=None) as batch_op:
        batch_op.add_column(sa.Column('calendar_uid_domain', sa.String(length=253),
                                      nullable=True))

    bind = op.get_bind()
    meetings = sa.table('meetings', sa.column('id', sa.Integer),
                        sa.column('calendar_uid_domain', sa.String))
    messages = sa.table('outbox_messages', sa.column('id', sa.Integer),
                        sa.column('meeting_id', sa.Integer))
    attachments = sa.table('outbox_attachments', sa.column('id', sa.Integer),
                           sa.column('message_id', sa.Integer),
                           sa.column('content', sa.LargeBinary))
    sent = {}
    rows = bind.execute(
        sa.select(messages.c.meeting_id, attachments.c.content)
        .select_from(attachments.join(messages, messages.c.id == attachments.c.message_id))
        .where(messages.c.meeting_id.is_not(None))
        .order_by(attachments.c.id))
    for meeting_id, content in rows:
        if meeting_id in sent or not content:
            continue
        found = SENT_UID.search(bytes(content))
        if found:
            sent[meeting_id] = found.group(1).decode("ascii").lower()

    configured = _configured_domain()
    for (meeting_id,) in bind.execute(sa.select(meetings.c.id)).all():
        domain = sent.get(meeting_id) or configured
        if domain:
            bind.execute(meetings.update().where(meetings.c.id == meeting_id)
                         .values(calendar_uid_domain=domain))


def downgrade():
    with op.batch_alter_table('meetings', schema=None) as batch_op:
        batch_op.drop_column('calendar_uid_domain')
