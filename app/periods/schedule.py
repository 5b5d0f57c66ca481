"""The close schedule: one row (CloseSchedule) that Pusdatin sets — day of the month, time and
time zone — validated here, and its cron trigger, from which both the scheduler process
(app.scheduler, which fires it) and the console (the next close it shows) take the next
fire time."""

from __future__ import annotations

import datetime
import zoneinfo

import sqlalchemy as sa
from apscheduler.triggers.cron import CronTrigger
from flask_babel import gettext, lazy_gettext

from app.errors import ValidationError
from app.extensions import db
from models import CloseSchedule

DEFAULT_TIMEZONE = "Asia/Jakarta"


def current_schedule() -> CloseSchedule | None:
    """The close schedule (one row; None until Pusdatin sets one)."""
    return db.session.scalar(sa.select(CloseSchedule).order_by(CloseSchedule.id).limit(1))


def _whole_number(value, low: int, high: int, field_name: str, message) -> int:
    try:
        number = int(str(value).strip())
    except (TypeError, ValueError):
        raise ValidationError(str(message), field_name) from None
    if not low <= number <= high:
        raise ValidationError(str(message), field_name)
    return number


def valid_timezone(name) -> str:
    name = (name or "").strip() or DEFAULT_TIMEZONE
    if name not in zoneinfo.available_timezones():
        raise ValidationError(
            gettext("Unknown time zone %(zone)s; use a name such as Asia/Jakarta.", zone=name),
            "timezone",
        )
    return name


def save_schedule(
    day_of_month,
    hour,
    minute=0,
    timezone=DEFAULT_TIMEZONE,
    enabled=True,
    user_id: int | None = None,
) -> CloseSchedule:
    """Validate and store the schedule (all fields or none). The scheduler process picks the
    change up at its next poll."""
    day = _whole_number(
        day_of_month,
        1,
        28,
        "day_of_month",
        lazy_gettext(
            "The day of the month must be a whole number from 1 to 28 (every month has it)."
        ),
    )
    hour = _whole_number(
        hour, 0, 23, "hour", lazy_gettext("The hour must be a whole number from 0 to 23.")
    )
    minute = _whole_number(
        minute if minute not in (None, "") else 0,
        0,
        59,
        "minute",
        lazy_gettext("The minute must be a whole number from 0 to 59."),
    )
    zone = valid_timezone(timezone)
    schedule = current_schedule() or CloseSchedule()
    schedule.day_of_month, schedule.hour, schedule.minute = day, hour, minute
    schedule.timezone, schedule.enabled = zone, bool(enabled)
    schedule.updated_by_id = user_id
    schedule.updated_at = datetime.datetime.now()
    db.session.add(schedule)
    db.session.commit()
    return schedule


def close_trigger(schedule: CloseSchedule) -> CronTrigger:
    """Day d of every month at hh:mm in the schedule's time zone."""
    return CronTrigger(
        day=schedule.day_of_month,
        hour=schedule.hour,
        minute=schedule.minute,
        second=0,
        timezone=zoneinfo.ZoneInfo(schedule.timezone),
    )


def next_scheduled_close(
    schedule: CloseSchedule | None, now: datetime.datetime | None = None
) -> datetime.datetime | None:
    """When the schedule fires next after `now`, in its own time zone (None when off or
    unset)."""
    if schedule is None or not schedule.enabled:
        return None
    zone = zoneinfo.ZoneInfo(schedule.timezone)
    now = now.astimezone(zone) if now else datetime.datetime.now(zone)
    # Strictly after now: a close firing this very second is not the next one any more.
    return close_trigger(schedule).get_next_fire_time(
        None, now + datetime.timedelta(microseconds=1)
    )
