"""Reference data every installation starts with: assistance programs and the open period;
and the period look-ups, written once: the open period (`open_period`, optionally locked),
a period by its code (`period_by_code`), the period the live register counts for
(`current_period`) and the periods that determined households (`determined_period_codes`).

The look-ups read through the ORM session, or on a connection when given one (the period close
reads on its own): then they return the row."""

import calendar
import datetime

import sqlalchemy as sa
from flask_babel import gettext

from app.errors import NotFound
from app.extensions import db
from models import Period, PeriodSnapshot, Program
from models.enums import PeriodStatus, TargetLevel

PROGRAMS = (
    ("PBI-JK", "Penerima Bantuan Iuran Jaminan Kesehatan", TargetLevel.PERSON),
    ("PKH", "Program Keluarga Harapan", TargetLevel.FAMILY),
    ("BPNT", "Bantuan Pangan Non Tunai / Sembako", TargetLevel.FAMILY),
    ("PIP", "Program Indonesia Pintar", TargetLevel.PERSON),
    ("RUTILAHU", "Rehabilitasi Rumah Tidak Layak Huni", TargetLevel.HOUSEHOLD),
)


def ensure_programs() -> None:
    existing = set(db.session.scalars(sa.select(Program.code)))
    for code, name, level in PROGRAMS:
        if code not in existing:
            db.session.add(Program(code=code, name=name, target_level=level))
    db.session.commit()


def ensure_open_period(today: datetime.date | None = None) -> Period:
    """The open period, creating this month's when none is open."""
    period = open_period()
    if period is None:
        today = today or datetime.date.today()
        last_day = calendar.monthrange(today.year, today.month)[1]
        period = Period(
            code=today.strftime("%Y-%m"),
            start_date=today.replace(day=1),
            end_date=today.replace(day=last_day),
            status=PeriodStatus.OPEN,
        )
        db.session.add(period)
        db.session.commit()
    return period


def _first(query, connection=None):
    if connection is not None:
        return connection.execute(query).first()
    return db.session.scalar(query)


def open_period(lock: bool = False, connection=None) -> Period | None:
    """The period that takes changes (at most one is OPEN). With `lock`, a shared row lock
    (PostgreSQL) held until commit: a close locks the row before applying proposals, so it
    waits for us and we for it."""
    query = sa.select(Period).where(Period.status == PeriodStatus.OPEN)
    if lock:
        query = query.with_for_update(read=True)
    return _first(query, connection)


def period_by_code(code: str, field_name: str = "code", connection=None) -> Period:
    """Period `code`; NotFound (on `field_name`) when there is none."""
    period = _first(sa.select(Period).where(Period.code == code), connection)
    if period is None:
        raise NotFound(gettext("Unknown period %(code)s.", code=code), field_name)
    return period


def current_period() -> Period | None:
    """The period the live register counts for: the open one, or the one being closed. While a
    close runs (CLOSING) the register is still live and its snapshot not yet written, so counts
    for other systems (app.statistics.aggregates) go on from the register instead of failing; the
    console's open_period() is only the period that takes changes."""
    return db.session.scalar(
        sa.select(Period)
        .where(Period.status != PeriodStatus.CLOSED)
        .order_by(Period.start_date.desc())
        .limit(1)
    )


def determined_period_codes(household_ids) -> dict[int, str]:
    """{household id: code of the latest CLOSED period whose snapshot holds it}, one query."""
    if not household_ids:
        return {}
    return dict(
        db.session.execute(
            sa.select(PeriodSnapshot.household_id, sa.func.max(Period.code))
            .join(Period, Period.id == PeriodSnapshot.period_id)
            .where(
                PeriodSnapshot.household_id.in_(household_ids), Period.status == PeriodStatus.CLOSED
            )
            .group_by(PeriodSnapshot.household_id)
        ).all()
    )
