"""Background jobs: work a user waits for (large files), run after commit elsewhere."""

from datetime import datetime, timedelta
from enum import StrEnum
from typing import TYPE_CHECKING

from flask_babel import lazy_gettext as _l
from sqlalchemy import JSON, CheckConstraint, ForeignKey, Index, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import Model
from .types import UTCDateTime, utcnow

if TYPE_CHECKING:
    from .meeting import Meeting
    from .user import User


class JobStatus(StrEnum):
    QUEUED = "queued"
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"


# The stored strings, in order: the text of the CHECK constraint is built from them.
JOB_STATUSES = tuple(s.value for s in JobStatus)
JOB_STATUS_LABELS = {
    JobStatus.QUEUED: _l("Waiting to start"),
    JobStatus.RUNNING: _l("Running"),
    JobStatus.DONE: _l("Ready"),
    JobStatus.FAILED: _l("Failed"),
}


class BackgroundJob(Model):
    __tablename__ = "background_jobs"
    __table_args__ = (
        CheckConstraint(f"status IN {JOB_STATUSES!r}", name="status_known"),
        CheckConstraint("progress BETWEEN 0 AND 100", name="progress_percent"),
        Index("ix_background_jobs_status_created", "status", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # The registered job kind (meetingapp.jobs.registry) and its parameters.
    kind: Mapped[str] = mapped_column(String(50))
    params: Mapped[dict] = mapped_column(JSON, default=dict)
    status: Mapped[JobStatus] = mapped_column(String(10), default=JobStatus.QUEUED)
    progress: Mapped[int] = mapped_column(default=0)
    message: Mapped[str] = mapped_column(String(300), default="")
    error: Mapped[str] = mapped_column(Text, default="")
    # The file made; deferred so that status polls never load it.
    result: Mapped[bytes | None] = mapped_column(LargeBinary, deferred=True)
    result_filename: Mapped[str] = mapped_column(String(255), default="")
    result_mimetype: Mapped[str] = mapped_column(String(100), default="")
    result_size: Mapped[int] = mapped_column(default=0)
    # How many times a worker took the job: one whose worker died runs once more.
    attempts: Mapped[int] = mapped_column(default=0, server_default="0")

    created_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    # A job's file holds the meeting's data: it goes with the meeting.
    meeting_id: Mapped[int | None] = mapped_column(
        ForeignKey("meetings.id", ondelete="CASCADE"), index=True
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Handed to the broker (Celery); empty while it could not be reached.
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Last sign of life (claim or progress report): tells a stalled job.
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    created_by: Mapped["User | None"] = relationship("User")
    meeting: Mapped["Meeting | None"] = relationship("Meeting")

    @property
    def finished(self) -> bool:
        """Done or failed: nothing more will happen to this job."""
        return self.status in (JobStatus.DONE, JobStatus.FAILED)

    @property
    def status_label(self) -> str:
        """The status in words."""
        return str(JOB_STATUS_LABELS.get(self.status, self.status))

    @property
    def display_name(self) -> str:
        """How the audit log names the job."""
        return f"{self.kind} #{self.id}"

    def stalled(self, minutes: float, now: datetime | None = None) -> bool:
        """Unfinished and without a sign of life for ``minutes`` (its worker stopped)."""
        if self.finished or not minutes:
            return False
        return (now or utcnow()) - self.updated_at > timedelta(minutes=minutes)

    def __repr__(self) -> str:
        return f"<BackgroundJob {self.id} {self.kind} {self.status} {self.progress}%>"
