"""Periods: the updating period's close (penetapan) and everything around it.

Owns
- `closing`: the close itself, `close_period(code)`, exactly once, all or nothing, in one
  transaction under the close lock; its steps (STEPS) and result (CloseResult);
- `close_sql`: the close's SQL, listed once (`statements`, `close_context`, `next_month`), so
  scripts/bench.py can run exactly them;
- `snapshot`: the snapshot's fingerprint (`snapshot_hash`);
- `queueing`: the close as a job (`request_close`, `pending_close`, `close_job`, JOB_KIND) and
  the minutes and recaps it queues by their job kinds' names (`queue_documents`,
  MINUTES_KIND, RECAPS_KIND);
- `readiness`: whether a period may be closed today (`check_close`: never before its first day,
  before its last day only with a reason or on the schedule; `minimum_reason_length`) and the
  summary shown before a close is confirmed (`close_summary`, CloseSummary);
- `schedule`: the close schedule (`current_schedule`, `save_schedule`, `valid_timezone`), its
  cron trigger (`close_trigger`) and the next fire time it gives (`next_scheduled_close`).

Exports the names below; doors (views/periods.py, app/cli/periods.py, app/scheduler.py,
scripts/bench.py) use them as `periods.<name>`. Period look-ups (`period_by_code`, the open
period) live in app.register.reference beside the other reference data; `period_by_code` is
handed on here for the doors.

May import the shared leaves, app.audit, app.jobs (to queue), app.proposals (the close applies
verified proposals: app.proposals.applying), app.register, app.statistics and the models —
never a door: the minutes are printed by reports.bulk, queued here by name only.
"""

from app.periods.close_sql import (
    CODE_LENGTH,
    CloseContext,
    Statement,
    close_context,
    mark_closing,
    next_month,
    statements,
)
from app.periods.closing import (
    CLOSE_LOCK_KEY,
    STEPS,
    CloseResult,
    close_period,
    period_to_close,
)
from app.periods.queueing import (
    JOB_KIND,
    MINUTES_KIND,
    RECAPS_KIND,
    close_job,
    pending_close,
    queue_documents,
    request_close,
)
from app.periods.readiness import (
    CloseSummary,
    CloseTerms,
    check_close,
    close_summary,
    minimum_reason_length,
)
from app.periods.schedule import (
    DEFAULT_TIMEZONE,
    close_trigger,
    current_schedule,
    next_scheduled_close,
    save_schedule,
    valid_timezone,
)
from app.periods.snapshot import snapshot_hash
from app.register.reference import period_by_code

__all__ = [
    "CLOSE_LOCK_KEY",
    "CODE_LENGTH",
    "DEFAULT_TIMEZONE",
    "JOB_KIND",
    "MINUTES_KIND",
    "RECAPS_KIND",
    "STEPS",
    "CloseContext",
    "CloseResult",
    "CloseSummary",
    "CloseTerms",
    "Statement",
    "check_close",
    "close_context",
    "close_job",
    "close_period",
    "close_summary",
    "close_trigger",
    "current_schedule",
    "mark_closing",
    "minimum_reason_length",
    "next_month",
    "next_scheduled_close",
    "pending_close",
    "period_by_code",
    "period_to_close",
    "queue_documents",
    "request_close",
    "save_schedule",
    "snapshot_hash",
    "statements",
    "valid_timezone",
]
