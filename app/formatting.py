"""Indonesian formatting of dates and numbers, for templates, PDFs and messages. A shared leaf:
it imports no domain; register(app) gives the templates these filters (a domain's own filters
are installed by that domain, e.g. app.security.privacy.install)."""

import datetime
import decimal

from babel import dates as babel_dates
from flask import Flask
from flask_babel import format_date, format_datetime, format_decimal, get_locale, gettext

#: A moment on screen: day, month in words, year, hour.minute and the zone's short name.
MOMENT = "d MMMM y HH.mm zzz"


def number(value) -> str:
    """1234567 → "1.234.567" in Indonesian, "1,234,567" in English."""
    if value is None:
        return ""
    return format_decimal(value)


def signed(value, digits: int = 2) -> str:
    """A contribution as "−0,12" or "+0,08" (a true minus sign, the sign always shown)."""
    if value is None:
        return ""
    places = "0" * digits
    return format_decimal(value, format=f"+#,##0.{places};−#,##0.{places}")


def fraction(value, digits: int = 2) -> str:
    """A measured value with at most `digits` decimals: 1 → "1", 0.6667 → "0,67"."""
    if value is None:
        return ""
    return format_decimal(value, format="#,##0." + "#" * digits)


def date(value) -> str:
    """A date as "28 November 2026"; a time as `moment` shows it."""
    if value is None:
        return ""
    if isinstance(value, datetime.datetime):
        return moment(value)
    return format_date(value, "d MMMM y")


def moment(value: datetime.datetime | None) -> str:
    """A stored time (naive UTC) as "4 Desember 2026 10.11 WIB": moved to the app's time zone
    (BABEL_DEFAULT_TIMEZONE, Asia/Jakarta) and named, so no one reads UTC as local time. A time
    that carries its own zone (a close schedule's, e.g. WITA) is shown in that zone."""
    if value is None:
        return ""
    if value.tzinfo is not None:
        return babel_dates.format_datetime(value, MOMENT, tzinfo=value.tzinfo, locale=get_locale())
    return format_datetime(value, MOMENT)


def plain(item):
    """An empty value as "–" and yes/no in words; any other value as it is (the `plain` filter
    of the list and show widgets, whose other values Flask-AppBuilder's own views format)."""
    if item is None or item == "":
        return "–"
    if isinstance(item, bool):
        return gettext("Yes") if item else gettext("No")
    return item


def value(item) -> str:
    """Any stored value as a person reads it: no "None", Ya/Tidak, Indonesian dates and numbers."""
    item = plain(item)
    if isinstance(item, (datetime.date, datetime.datetime)):
        return date(item)
    if isinstance(item, (int, float, decimal.Decimal)):
        return number(item)
    return str(item)


def register(app: Flask) -> None:
    app.jinja_env.filters["number"] = number
    app.jinja_env.filters["signed"] = signed
    app.jinja_env.filters["fraction"] = fraction
    app.jinja_env.filters["date_id"] = date
    app.jinja_env.filters["moment"] = moment
    app.jinja_env.filters["shown"] = value
    app.jinja_env.filters["plain"] = plain
    app.jinja_env.globals["get_locale"] = get_locale  # the page's language (init.html)
