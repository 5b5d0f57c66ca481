"""The time as the database keeps it: naive UTC (shown in Asia/Jakarta time by the pages and
documents, app.formatting and reports.renderer), and today's date on the calendar the periods
follow."""

import datetime
import os
import zoneinfo

#: The calendar of the periods: a period's first and last day are dates in western Indonesian
#: time (WIB), whatever the server's own time zone.
PERIOD_ZONE = "Asia/Jakarta"
#: Test hook: the date `today()` answers (ISO 8601, e.g. 2091-12-31), so tests can close
#: periods of their own far in the future. Never set in a deployment.
TODAY_ENV = "DATAKESOS_TODAY"


def utcnow() -> datetime.datetime:
    return datetime.datetime.now(datetime.UTC).replace(tzinfo=None)


def today() -> datetime.date:
    """Today in WIB (Asia/Jakarta), the date the period close's guards compare with."""
    fixed = os.environ.get(TODAY_ENV)
    if fixed:
        return datetime.date.fromisoformat(fixed)
    return datetime.datetime.now(zoneinfo.ZoneInfo(PERIOD_ZONE)).date()


def wib_midnight(day: datetime.date) -> datetime.datetime:
    """The naive UTC moment a WIB calendar day begins (for "since today" in stored times)."""
    start = datetime.datetime.combine(day, datetime.time(), zoneinfo.ZoneInfo(PERIOD_ZONE))
    return start.astimezone(datetime.UTC).replace(tzinfo=None)


def start_of_today() -> datetime.datetime:
    """When today (WIB, by the wall clock: daily limits are not moved by TODAY_ENV) began."""
    return wib_midnight(wib_date(utcnow()))


def wib_date(moment: datetime.datetime) -> datetime.date:
    """The WIB calendar day of a stored (naive UTC) moment."""
    aware = moment.replace(tzinfo=datetime.UTC)
    return aware.astimezone(zoneinfo.ZoneInfo(PERIOD_ZONE)).date()
