"""The time as the database keeps it: naive UTC (shown in Asia/Jakarta time by the pages and
documents, app.formatting and reports.renderer)."""

import datetime


def utcnow() -> datetime.datetime:
    return datetime.datetime.now(datetime.UTC).replace(tzinfo=None)
