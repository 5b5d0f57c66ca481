"""The guessing detector and its suspensions: a masked viewer whose recent look-ups mostly found
nothing is suspended from every look-up door until an Admin or Pusdatin lifts it (the rule and
its settings: app.security.lookups' docstring)."""

from __future__ import annotations

import datetime

import sqlalchemy as sa
from flask import current_app
from flask_babel import force_locale, gettext

from app import audit, formatting
from app.errors import LookupRefused
from app.extensions import db
from app.security import lookup_counts as counts
from models import LookupCount, RegionUser

#: What the detector watches: doors that answer "registered or not" on request.
GUESSED_KINDS = ("nik_check", "search")


def detect(connection, user_id: int, now: datetime.datetime, who) -> bool:
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
            table.c.window_start >= counts.since(now, hours),
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


def suspension(connection, user_id: int):
    users = RegionUser.__table__
    return connection.execute(
        sa.select(users.c.lookup_suspended_at).where(users.c.id == user_id)
    ).scalar()


def suspended_refusal() -> LookupRefused:
    return LookupRefused(
        gettext(
            "Your NIK and KK number lookups are suspended: their answers looked like guessing. "
            "Ask an administrator or Pusdatin to lift the suspension."
        )
    )


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
