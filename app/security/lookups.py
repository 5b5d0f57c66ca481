"""Bounded, audited oracles. Every door that answers whether a NIK or KK number exists — the
NIK status check, masked viewers' NIK and KK searches in the console and the API, and the
uniqueness conflicts of forms, API and imports with records outside the user's region — counts
what it answers here, per user, against a quota over the last 24 hours (app.security.privacy's
docstring says why the quotas make guessing impractical):

- `nik_check`: each distinct well-formed NIK of a NIK status check (NIK_CHECK_DAILY_QUOTA);
- `search`: each whole NIK or KK number a masked viewer searches for, in the console or the
  API (LOOKUP_SEARCH_DAILY_QUOTA);
- `conflict`: each number refused as registered outside the user's region, by a form, the API
  or an import (LOOKUP_CONFLICT_DAILY_QUOTA).

A quota of 0 means no limit. Counters live in the database (lookup_count, one row per user,
kind and hour), so every worker process counts against the same quota; they are written on a
connection of their own, committed whatever becomes of the request's transaction (a refused
form rolls back, a GET never commits). An API key counts for its user.

The guessing detector: a masked viewer (app.security.privacy) who, within
LOOKUP_GUESSING_WINDOW_HOURS, has checked or searched at least LOOKUP_GUESSING_MIN_CHECKS numbers
of which at least LOOKUP_GUESSING_MISS_SHARE found nothing, is suspended —
ab_user.lookup_suspended_at and _reason, audited as `lookup_suspended` — and the answer that tipped
the share is withheld. A suspended user gets a 403 from every lookup door until an Admin or Pusdatin
lifts the suspension (`lookup_suspension_lifted`; the misses counted so far are forgiven, the quotas
still count). Full viewers are not watched: a guess tells them nothing their own lists do not.

Audit actions: `identity_search` (one per search: the kind of number, the door, how many
numbers, how many found), `identity_conflict` (numbers refused as registered elsewhere),
`lookup_refused` (a quota used up, or a suspended caller), `lookup_suspended`,
`lookup_suspension_lifted`. Never the numbers themselves.
"""

from __future__ import annotations

import datetime
import math
from collections.abc import Callable

import sqlalchemy as sa
from flask import current_app, has_request_context
from flask_babel import force_locale, gettext, lazy_gettext

from app import audit, formatting
from app.clock import utcnow
from app.errors import DomainError
from app.extensions import db
from app.security import privacy
from app.security.scope import NOTHING, current_scope
from models import LookupCount, RegionUser

#: kind → (its quota's setting, what it counts, for messages).
KINDS = {
    "nik_check": ("NIK_CHECK_DAILY_QUOTA", lazy_gettext("NIK checks")),
    "search": ("LOOKUP_SEARCH_DAILY_QUOTA", lazy_gettext("NIK and KK number searches")),
    "conflict": (
        "LOOKUP_CONFLICT_DAILY_QUOTA",
        lazy_gettext("answers about numbers registered outside your region"),
    ),
}
#: What the guessing detector watches: doors that answer "registered or not" on request.
GUESSED_KINDS = ("nik_check", "search")
#: The audit trail's entity of a search or conflict, by the kind of number.
ENTITIES = {"nik": "member", "kk_number": "family", "register_id": "household", "any": "household"}
QUOTA_HOURS = 24
#: Counter rows older than this are of no use to any rule and are dropped.
KEPT_HOURS = 48
SIGNED_IN = object()


class LookupRefused(DomainError):
    """The lookup is not answered: the user is suspended (403) or out of quota (429)."""

    status = 403


class QuotaUsedUp(LookupRefused):
    status = 429

    def __init__(self, message: str, retry_after: int):
        super().__init__(message)
        self.retry_after = retry_after


def _hour(moment: datetime.datetime) -> datetime.datetime:
    return moment.replace(minute=0, second=0, microsecond=0)


def signed_in_user_id() -> int | None:
    """The signed-in user's id; None outside a request (CLI, jobs: the system, not counted)."""
    if not has_request_context():
        return None
    user = current_app.appbuilder.sm.current_user
    return user.id if user is not None and getattr(user, "is_authenticated", False) else None


def _user_id(user_id):
    return signed_in_user_id() if user_id is SIGNED_IN else user_id


def _region(region_code=SIGNED_IN) -> str | None:
    """An audit entry's region: by default the signed-in user's scope (None: national)."""
    scope = current_scope() if region_code is SIGNED_IN else region_code
    return None if scope in ("", NOTHING, None) else scope


# -- the doors' calls ---------------------------------------------------------------------------
def reserve(
    kind: str, count: int, user_id=SIGNED_IN, who: tuple | None = None, region_code=SIGNED_IN
) -> None:
    """Count `count` lookups of `kind` before answering them. Raises LookupRefused (nothing
    is counted then) when the user is suspended or the quota would be passed."""
    user_id = _user_id(user_id)
    if user_id is None or count <= 0:
        return
    refusal = None
    with db.engine.begin() as connection:
        now = utcnow()
        _drop_old(connection, user_id, now)
        suspended = _suspension(connection, user_id)
        if suspended is not None:
            refusal = _suspended_refusal()
        else:
            # Counted first, then compared: the row stays locked until this commits, so
            # workers counting at the same moment cannot both take the last of the quota.
            _add(connection, user_id, kind, _hour(now), asked=count)
            refusal = _over_quota(connection, user_id, kind, count, now)
            if refusal is not None:
                _take_back(connection, user_id, kind, _hour(now), count)
        if refusal is not None:
            audit.record_many(
                [
                    audit.entry(
                        "lookup_refused",
                        "user",
                        user_id,
                        who=who,
                        region_code=_region(region_code),
                        after={
                            "kind": kind,
                            "count": count,
                            "reason": "suspended" if suspended is not None else "quota",
                        },
                    )
                ],
                connection=connection,
            )
    if refusal is not None:
        raise refusal


def settle(
    kind: str,
    count: int,
    misses: int,
    user_id=SIGNED_IN,
    watched: bool = False,
    action: str | None = None,
    details: dict | None = None,
    who: tuple | None = None,
    region_code=SIGNED_IN,
) -> None:
    """After the lookups reserved are answered: their misses counted, the audit entry
    `action` written (with `details`), and — when `watched` — the guessing detector asked.
    Raises LookupRefused when this answer made the user look like guessing: the door withholds
    it."""
    user_id = _user_id(user_id)
    if user_id is None:
        return
    suspended = False
    with db.engine.begin() as connection:
        now = utcnow()
        if misses:
            _add(connection, user_id, kind, _hour(now), misses=misses)
        if action:
            number = (details or {}).get("number")
            audit.record_many(
                [
                    audit.entry(
                        action,
                        ENTITIES.get(number, "user"),
                        who=who,
                        region_code=_region(region_code),
                        after=details,
                    )
                ],
                connection=connection,
            )
        if watched and kind in GUESSED_KINDS:
            suspended = _detect(connection, user_id, now, who)
    if suspended:
        raise _suspended_refusal()


def search(
    number_kind: str, values: list[str], found: Callable[[list[str]], int], door: str
) -> None:
    """A masked viewer's search by whole NIK or KK numbers (`number_kind`: "nik" or
    "kk_number"), before its answer: counted, bounded, audited (`identity_search`).
    `found(values)` tells how many of them exist within the viewer's region."""
    values = sorted(set(values))
    if not values or privacy.sees_full_nik():
        return
    reserve("search", len(values))
    hits = found(values)
    settle(
        "search",
        len(values),
        len(values) - hits,
        watched=True,
        action="identity_search",
        details={"number": number_kind, "door": door, "count": len(values), "hits": hits},
    )


def conflict(
    number_kind: str,
    count: int = 1,
    door: str = "form",
    user_id=SIGNED_IN,
    who: tuple | None = None,
    region_code=SIGNED_IN,
) -> None:
    """`count` numbers about to be refused as registered outside the user's region: counted
    against the conflict allowance and audited (`identity_conflict`). Raises LookupRefused
    when the allowance is used up or the user is suspended: the door says that instead."""
    user_id = _user_id(user_id)
    reserve("conflict", count, user_id, who=who, region_code=region_code)
    settle(
        "conflict",
        count,
        0,
        user_id,
        action="identity_conflict",
        who=who,
        region_code=region_code,
        details={"number": number_kind, "count": count, "door": door},
    )


def conflicts_left(user_id) -> int | None:
    """How many more out-of-region conflicts the user may be told of now; None: no limit."""
    user_id = _user_id(user_id)
    quota = current_app.config[KINDS["conflict"][0]]
    if user_id is None or not quota:
        return None
    with db.engine.connect() as connection:
        if _suspension(connection, user_id) is not None:
            return 0
        return max(0, quota - _asked(connection, user_id, ("conflict",), utcnow(), QUOTA_HOURS))


def spend_conflicts(
    count: int, door: str, user_id=SIGNED_IN, who: tuple | None = None, region_code=SIGNED_IN
) -> None:
    """Count conflicts that were answered only as a number (an import's file-level error),
    past the allowance if need be: the allowance is used up either way."""
    user_id = _user_id(user_id)
    if user_id is None or count <= 0:
        return
    with db.engine.begin() as connection:
        _add(connection, user_id, "conflict", _hour(utcnow()), asked=count)
        audit.record_many(
            [
                audit.entry(
                    "identity_conflict",
                    "household",
                    who=who,
                    region_code=_region(region_code),
                    after={"number": "any", "count": count, "door": door, "listed": False},
                )
            ],
            connection=connection,
        )


# -- suspensions --------------------------------------------------------------------------------
def suspended_users() -> list[RegionUser]:
    return db.session.scalars(
        sa.select(RegionUser)
        .where(RegionUser.lookup_suspended_at.is_not(None))
        .order_by(RegionUser.lookup_suspended_at.desc())
    ).all()


def suspended_user(user_id: int) -> RegionUser | None:
    user = db.session.get(RegionUser, user_id)
    return user if user is not None and user.lookup_suspended_at is not None else None


def lift(user_id: int) -> bool:
    """Lift a user's suspension (the caller's transaction, committed here); the misses counted
    so far are forgiven, or the next lookup would suspend them again. False: not suspended."""
    user = db.session.get(RegionUser, user_id)
    if user is None or user.lookup_suspended_at is None:
        return False
    before = {
        "suspended_at": user.lookup_suspended_at.isoformat(),
        "reason": user.lookup_suspended_reason,
    }
    users = RegionUser.__table__
    # Core statements: the audit entry below is the one record of the change.
    db.session.execute(
        sa.update(users)
        .where(users.c.id == user_id)
        .values(lookup_suspended_at=None, lookup_suspended_reason=None)
    )
    counts = LookupCount.__table__
    db.session.execute(sa.update(counts).where(counts.c.user_id == user_id).values(misses=0))
    audit.record(
        "lookup_suspension_lifted",
        "user",
        user_id,
        region_code=user.region_code,
        before=before,
        after={"username": user.username},
    )
    db.session.commit()
    db.session.expire(user)
    return True


# -- inside ------------------------------------------------------------------------------------
def _add(
    connection, user_id: int, kind: str, hour: datetime.datetime, asked: int = 0, misses: int = 0
) -> None:
    """Add to the user's counter of `kind` for `hour`, atomically across workers."""
    table = LookupCount.__table__
    if connection.dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    statement = insert(table).values(
        user_id=user_id, kind=kind, window_start=hour, asked=asked, misses=misses
    )
    connection.execute(
        statement.on_conflict_do_update(
            index_elements=[table.c.user_id, table.c.kind, table.c.window_start],
            set_={"asked": table.c.asked + asked, "misses": table.c.misses + misses},
        )
    )


def _take_back(connection, user_id: int, kind: str, hour: datetime.datetime, count: int) -> None:
    """A refused request is not counted: nothing was answered."""
    table = LookupCount.__table__
    connection.execute(
        sa.update(table)
        .where(
            table.c.user_id == user_id,
            table.c.kind == kind,
            table.c.window_start == hour,
        )
        .values(asked=table.c.asked - count)
    )


def _drop_old(connection, user_id: int, now: datetime.datetime) -> None:
    table = LookupCount.__table__
    connection.execute(
        sa.delete(table).where(
            table.c.user_id == user_id,
            table.c.window_start < _hour(now) - datetime.timedelta(hours=KEPT_HOURS),
        )
    )


def _since(now: datetime.datetime, hours: int) -> datetime.datetime:
    """The first hour row counted in a window of `hours` ending now."""
    return _hour(now) - datetime.timedelta(hours=hours - 1)


def _asked(connection, user_id, kinds, now, hours) -> int:
    table = LookupCount.__table__
    return connection.execute(
        sa.select(sa.func.coalesce(sa.func.sum(table.c.asked), 0)).where(
            table.c.user_id == user_id,
            table.c.kind.in_(kinds),
            table.c.window_start >= _since(now, hours),
        )
    ).scalar_one()


def _over_quota(connection, user_id, kind, count, now) -> QuotaUsedUp | None:
    setting_name, counted = KINDS[kind]
    quota = current_app.config[setting_name]
    if not quota or _asked(connection, user_id, (kind,), now, QUOTA_HOURS) <= quota:
        return None
    free_at = _frees_up_at(connection, user_id, kind, count, quota, now)
    return QuotaUsedUp(
        gettext(
            "Your allowance of %(quota)s %(what)s per 24 hours is used up: this request "
            "asked for %(count)s. Try again after %(time)s.",
            quota=formatting.number(quota),
            what=counted,
            count=formatting.number(count),
            time=formatting.date(free_at),
        ),
        retry_after=max(1, math.ceil((free_at - now).total_seconds())),
    )


def _frees_up_at(connection, user_id, kind, count, quota, now) -> datetime.datetime:
    """When enough of the window's oldest lookups have left it for `count` more (the request
    just counted included)."""
    table = LookupCount.__table__
    rows = connection.execute(
        sa.select(table.c.window_start, table.c.asked)
        .where(
            table.c.user_id == user_id,
            table.c.kind == kind,
            table.c.window_start >= _since(now, QUOTA_HOURS),
        )
        .order_by(table.c.window_start)
    ).all()
    excess = sum(asked for _hour_start, asked in rows) - quota
    for hour_start, asked in rows:
        excess -= asked
        if excess <= 0:
            return hour_start + datetime.timedelta(hours=QUOTA_HOURS)
    return _hour(now) + datetime.timedelta(hours=QUOTA_HOURS)


def _detect(connection, user_id: int, now: datetime.datetime, who) -> bool:
    """Suspend the user when their recent answers look like guessing; whether it did."""
    least = current_app.config["LOOKUP_GUESSING_MIN_CHECKS"]
    share = current_app.config["LOOKUP_GUESSING_MISS_SHARE"]
    hours = current_app.config["LOOKUP_GUESSING_WINDOW_HOURS"]
    if not least:
        return False
    table = LookupCount.__table__
    asked, missed = connection.execute(
        sa.select(
            sa.func.coalesce(sa.func.sum(table.c.asked), 0),
            sa.func.coalesce(sa.func.sum(table.c.misses), 0),
        ).where(
            table.c.user_id == user_id,
            table.c.kind.in_(GUESSED_KINDS),
            table.c.window_start >= _since(now, hours),
        )
    ).one()
    if asked < least or missed < share * asked:
        return False
    with force_locale(current_app.config["BABEL_DEFAULT_LOCALE"]):
        reason = gettext(
            "%(missed)s of %(asked)s numbers checked in %(hours)s hours were not registered.",
            missed=formatting.number(missed),
            asked=formatting.number(asked),
            hours=hours,
        )
    users = RegionUser.__table__
    connection.execute(
        sa.update(users)
        .where(users.c.id == user_id)
        .values(lookup_suspended_at=now, lookup_suspended_reason=reason[:255])
    )
    region = connection.execute(
        sa.select(users.c.region_code).where(users.c.id == user_id)
    ).scalar()
    audit.record_many(
        [
            audit.entry(
                "lookup_suspended",
                "user",
                user_id,
                region_code=region,
                who=who,
                after={"checked": asked, "not_registered": missed, "window_hours": hours},
            )
        ],
        connection=connection,
    )
    return True


def _suspension(connection, user_id: int):
    users = RegionUser.__table__
    return connection.execute(
        sa.select(users.c.lookup_suspended_at).where(users.c.id == user_id)
    ).scalar()


def _suspended_refusal() -> LookupRefused:
    return LookupRefused(
        gettext(
            "Your NIK and KK number lookups are suspended: their answers looked like guessing. "
            "Ask an administrator or Pusdatin to lift the suspension."
        )
    )
