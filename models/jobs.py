"""Work that runs in the scheduler process, never in a web request: period closes, bulk PDFs."""

import sqlalchemy as sa
from flask_appbuilder import Model

from models.audit import JsonData
from models.enums import JobStatus


class JobRun(Model):
    """A queued or finished job, with live progress for the console."""

    __tablename__ = "job_run"
    __table_args__ = (sa.Index("ix_job_run_status_kind", "status", "kind"),)

    id = sa.Column(sa.Integer, primary_key=True)
    kind = sa.Column(sa.String(40), nullable=False)  # "close_period", "bulk_certificates", …
    params = sa.Column(JsonData)
    status = sa.Column(JobStatus.column_type(), nullable=False, default=JobStatus.QUEUED)
    progress_done = sa.Column(sa.Integer, nullable=False, default=0, server_default="0")
    progress_total = sa.Column(sa.Integer)
    message = sa.Column(sa.String(255))
    result = sa.Column(JsonData)
    error = sa.Column(sa.Text)
    requested_by_id = sa.Column(sa.Integer, sa.ForeignKey("ab_user.id"))
    requested_at = sa.Column(sa.DateTime, nullable=False, server_default=sa.func.now())
    started_at = sa.Column(sa.DateTime)
    finished_at = sa.Column(sa.DateTime)


class CloseSchedule(Model):
    """When the open period closes by itself, e.g. day 25 at 23:00 Asia/Jakarta."""

    __tablename__ = "close_schedule"
    __table_args__ = (
        sa.CheckConstraint("day_of_month BETWEEN 1 AND 28", name="day_range"),
        sa.CheckConstraint("hour BETWEEN 0 AND 23", name="hour_range"),
        sa.CheckConstraint("minute BETWEEN 0 AND 59", name="minute_range"),
    )

    id = sa.Column(sa.Integer, primary_key=True)
    enabled = sa.Column(sa.Boolean, nullable=False, default=True, server_default=sa.true())
    day_of_month = sa.Column(sa.SmallInteger, nullable=False)
    hour = sa.Column(sa.SmallInteger, nullable=False)
    minute = sa.Column(sa.SmallInteger, nullable=False, default=0, server_default="0")
    timezone = sa.Column(
        sa.String(40), nullable=False, default="Asia/Jakarta", server_default="Asia/Jakarta"
    )
    updated_by_id = sa.Column(sa.Integer, sa.ForeignKey("ab_user.id"))
    updated_at = sa.Column(sa.DateTime, server_default=sa.func.now(), onupdate=sa.func.now())


# APScheduler's SQLAlchemyJobStore table, declared here so that Alembic owns the schema.
apscheduler_jobs = sa.Table(
    "apscheduler_jobs",
    Model.metadata,
    sa.Column("id", sa.Unicode(191), primary_key=True),
    sa.Column("next_run_time", sa.Float(25), index=True),
    sa.Column("job_state", sa.LargeBinary, nullable=False),
)
