"""Personal data shown per role (DESIGN §4): the masking rule, written once for every door —
console lists, pages and exports, templates, the REST API, PDFs.

Provinsi monitors aggregates and Interkoneksi checks NIKs it already holds: neither needs a
person's identity numbers or birth date. For these roles (MASKED_NIK_ROLES):

- a NIK and a KK number show their first 6 digits (the issuing district), 8 stars and their
  last 2 digits: positions 7–12 of both are a date (the NIK's birth date DDMMYY, day + 40 for
  women; the KK's issue date), which the stars hide, as they hide the first two serial digits;
- a birth date shows its year only (lists and exports the year, the API `birth_date: null`
  and `birth_year`); sex stays visible;
- lists cannot be sorted by a NIK, KK number or birth date (OrderColumns): the order of masked
  values would tell their hidden digits, one comparison at a time;
- they search by NIK or KK number only whole and exactly, within a budget (app.security.lookups).

What is left to guess. A masked viewer knows a person's district (6 digits), sex, birth year
and the NIK's last 2 digits; the day and month of birth (366 values) and the first 2 serial
digits (100 values) stay hidden: about 36,500 candidates per person (more per KK number,
whose issue year is hidden too). Every door that answers "does this number exist?" is bounded
by app.security.lookups, so trying them is impractical:

- NIK and KK searches of masked viewers (console filters, the API's `eq`/`in` filters, each
  value counted): LOOKUP_SEARCH_DAILY_QUOTA (100) per user per 24 hours, i.e. on average
  about 180 days of searching for one person's NIK;
- the NIK status check: NIK_CHECK_DAILY_QUOTA (10,000) per user per 24 hours; and a masked
  caller whose checks and searches look like guessing — at least LOOKUP_GUESSING_MIN_CHECKS
  (200) numbers within LOOKUP_GUESSING_WINDOW_HOURS (24), LOOKUP_GUESSING_MISS_SHARE (50 %) of
  them not registered — is suspended, the request that tipped the share unanswered: an
  unpadded guesser gets at most 199 answers (0.5 % of one person's candidates), then nothing
  until an administrator lifts the suspension. A partner that pads its guesses with as many
  registered NIKs it holds is held to half its daily quota of guesses (on average several days
  per person), every request audited with its counts: set NIK_CHECK_DAILY_QUOTA to the
  partner's real volume;
- a number refused as registered outside the user's region (forms, API, imports) says only
  that, LOOKUP_CONFLICT_DAILY_QUOTA (50) times per user per 24 hours.
"""

from __future__ import annotations

import datetime

from flask import current_app, g, has_request_context
from markupsafe import Markup, escape

from app.formatting import date
from app.security.roles import INTERKONEKSI, PROVINSI, role_names
from models import Family

#: Roles that see NIK and KK numbers masked and birth dates as a year.
MASKED_NIK_ROLES = {PROVINSI, INTERKONEKSI}
#: Columns whose value or order tell what the mask hides: never sorted by masked viewers.
IDENTITY_COLUMNS = frozenset({"nik", "kk_number", "birth_date"})
#: Digits shown at each end of a masked number.
SHOWN_HEAD, SHOWN_TAIL = 6, 2


def mask_number(number: str | None) -> str | None:
    """A NIK or KK number as masked viewers see it: 3273014*******01 → 327301********01."""
    if not number or len(number) < SHOWN_HEAD + SHOWN_TAIL:
        return number
    hidden = len(number) - SHOWN_HEAD - SHOWN_TAIL
    return number[:SHOWN_HEAD] + "*" * hidden + number[-SHOWN_TAIL:]


#: The NIK and the KK number are masked alike (their digits 7–12 are dates).
mask_nik = mask_kk = mask_number


def sees_full_nik(user=None) -> bool:
    """Whether `user` (default: the signed-in user) sees identity numbers and birth dates in
    full. Outside a request (CLI, jobs) there is no viewer to hide data from. Decided once per
    request: an export asks for each of its rows."""
    if user is not None:
        return _sees_full(user)
    if not has_request_context():
        return True
    user = current_app.appbuilder.sm.current_user
    decided = g.get("_sees_full_identity")
    if decided is not None and decided[0] is user:
        return decided[1]
    answer = _sees_full(user)
    g._sees_full_identity = (user, answer)
    return answer


def _sees_full(user) -> bool:
    roles = role_names(user)
    if not roles:
        return False
    return not roles <= MASKED_NIK_ROLES


def nik_for_viewer(number: str | None) -> str | None:
    """A NIK — or a KK number: the same rule — as the signed-in user may see it. Exports
    recognise this function and decide the rule once per file (app.exports)."""
    return number if sees_full_nik() else mask_number(number)


#: One function for both numbers, so that exports treat KK columns as NIK columns.
kk_for_viewer = nik_for_viewer


def install(app) -> None:
    """Called by create_app: the templates' `viewer_nik` filter (a NIK or KK number as the
    signed-in user may see it)."""
    app.jinja_env.filters["viewer_nik"] = nik_for_viewer


def birth_year(born: datetime.date | None) -> int | None:
    return born.year if born is not None else None


class ShownDate(datetime.date):
    """A date that a page prints in words ("14 Maret 1975") while a file keeps it a date: the
    console's lists and exports share one formatter per column (views.base)."""

    def __html__(self) -> Markup:
        return escape(date(self))


def birth_date_for_viewer(born: datetime.date | None):
    """A birth date as the signed-in user may see it: the date, or the year only."""
    if born is None:
        return None
    if not sees_full_nik():
        return born.year
    return ShownDate(born.year, born.month, born.day)


def family_for_viewer(family) -> str:
    """A family named by its KK number (a member's family, a membership's target)."""
    return kk_for_viewer(getattr(family, "kk_number", None)) or ""


def target_for_viewer(target) -> str:
    """A program membership's target — a member (by name), a family (by KK number) or a
    household (by register ID) — with the KK number masked for masked viewers."""
    if isinstance(target, Family):
        return family_for_viewer(target)
    return str(target or "")


class OrderColumns(list):
    """A view's sort columns as the signed-in viewer may use them: masked viewers cannot sort
    by IDENTITY_COLUMNS. Flask-AppBuilder's list template, its REST `order_column` check and
    views.base ask `in` or iterate, per request; outside a request every column is there."""

    @staticmethod
    def _hidden() -> frozenset:
        return frozenset() if sees_full_nik() else IDENTITY_COLUMNS

    def __contains__(self, name) -> bool:
        return list.__contains__(self, name) and name not in self._hidden()

    def __iter__(self):
        hidden = self._hidden()
        return (name for name in list.__iter__(self) if name not in hidden)
