"""The hourly counters of the bounded look-ups (lookup_count: one row per user, kind and hour),
written on the caller's connection. Read by app.security.lookups (quotas) and
app.security.guessing (the detector)."""

from __future__ import annotations

import datetime

import sqlalchemy as sa

from models import LookupCount

#: The window a quota counts over.
QUOTA_HOURS = 24
#: Counter rows older than this are of no use to any rule and are dropped.
KEPT_HOURS = 48


def hour(moment: datetime.datetime) -> datetime.datetime:
    return moment.replace(minute=0, second=0, microsecond=0)


def add(
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


def take_back(connection, user_id: int, kind: str, hour: datetime.datetime, count: int) -> None:
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


def drop_old(connection, user_id: int, now: datetime.datetime) -> None:
    table = LookupCount.__table__
    connection.execute(
        sa.delete(table).where(
            table.c.user_id == user_id,
            table.c.window_start < hour(now) - datetime.timedelta(hours=KEPT_HOURS),
        )
    )


def since(now: datetime.datetime, hours: int) -> datetime.datetime:
    """The first hour row counted in a window of `hours` ending now."""
    return hour(now) - datetime.timedelta(hours=hours - 1)


def asked(connection, user_id, kinds, now, hours) -> int:
    table = LookupCount.__table__
    return connection.execute(
        sa.select(sa.func.coalesce(sa.func.sum(table.c.asked), 0)).where(
            table.c.user_id == user_id,
            table.c.kind.in_(kinds),
            table.c.window_start >= since(now, hours),
        )
    ).scalar_one()


def frees_up_at(connection, user_id, kind, count, quota, now) -> datetime.datetime:
    """When enough of the window's oldest lookups have left it for `count` more (the request
    just counted included)."""
    table = LookupCount.__table__
    rows = connection.execute(
        sa.select(table.c.window_start, table.c.asked)
        .where(
            table.c.user_id == user_id,
            table.c.kind == kind,
            table.c.window_start >= since(now, QUOTA_HOURS),
        )
        .order_by(table.c.window_start)
    ).all()
    excess = sum(asked for _hour_start, asked in rows) - quota
    for hour_start, asked in rows:
        excess -= asked
        if excess <= 0:
            return hour_start + datetime.timedelta(hours=QUOTA_HOURS)
    return hour(now) + datetime.timedelta(hours=QUOTA_HOURS)
