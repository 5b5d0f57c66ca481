"""Indonesian formatting of dates and numbers, for templates, PDFs and messages."""
import datetime

from flask import Flask
from flask_babel import format_date, format_datetime, format_decimal


def number(value) -> str:
    """1234567 → "1.234.567" in Indonesian, "1,234,567" in English."""
    if value is None:
        return ""
    return format_decimal(value)


def date(value) -> str:
    """A date as "28 November 2026"."""
    if value is None:
        return ""
    if isinstance(value, datetime.datetime):
        return format_datetime(value, "d MMMM y HH.mm")
    return format_date(value, "d MMMM y")


def register(app: Flask) -> None:
    app.jinja_env.filters["number"] = number
    app.jinja_env.filters["date_id"] = date

    from app.reference import open_period

    app.jinja_env.globals["open_period"] = open_period
