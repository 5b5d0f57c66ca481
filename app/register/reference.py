"""Reference data every installation starts with: assistance programs and the open period."""
import calendar
import datetime

import sqlalchemy as sa

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
    period = db.session.scalar(sa.select(Period).where(Period.status == PeriodStatus.OPEN))
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


def open_period() -> Period | None:
    return db.session.scalar(sa.select(Period).where(Period.status == PeriodStatus.OPEN))


def current_period() -> Period | None:
    """The period the live register counts for: the open one, or the one being closed. While a
    close runs (CLOSING) the register is still live and its snapshot not yet written, so counts
    for other systems (app.statistics.aggregates) go on from the register instead of failing; the
    console's open_period() is only the period that takes changes."""
    return db.session.scalar(sa.select(Period).where(Period.status != PeriodStatus.CLOSED)
                             .order_by(Period.start_date.desc()).limit(1))


def determined_period_codes(household_ids) -> dict[int, str]:
    """{household id: code of the latest CLOSED period whose snapshot holds it}, one query."""
    if not household_ids:
        return {}
    return dict(db.session.execute(
        sa.select(PeriodSnapshot.household_id, sa.func.max(Period.code))
        .join(Period, Period.id == PeriodSnapshot.period_id)
        .where(PeriodSnapshot.household_id.in_(household_ids),
               Period.status == PeriodStatus.CLOSED)
        .group_by(PeriodSnapshot.household_id)
    ).all())
