"""The period a proposal belongs to and the commit of a proposal change: every step holds the
open period's row (shared) until it commits, so a close never sees a proposal change state under
it; a concurrent change or a taken NIK becomes a Conflict with a message, never a crash."""

import datetime

import sqlalchemy as sa
from flask_babel import gettext
from sqlalchemy.orm.exc import StaleDataError

from app.errors import Conflict
from app.extensions import db
from app.register.reference import open_period
from models import Period


def require_open_period(lock: bool = False) -> Period:
    """The open period; Conflict when none is (a close may be running). With `lock`, its row
    is share-locked until commit (app.register.reference.open_period)."""
    period = open_period(lock=lock)
    if period is None:
        raise Conflict(
            gettext(
                "No updating period is open (a close may be running): try again when the next "
                "period has opened."
            )
        )
    return period


def commit() -> None:
    try:
        db.session.commit()
    except StaleDataError as error:
        db.session.rollback()
        raise Conflict(
            gettext(
                "Someone else changed this proposal meanwhile. Nothing was saved: reload it and "
                "try again."
            )
        ) from error
    except sa.exc.IntegrityError as error:
        db.session.rollback()
        raise Conflict(
            gettext(
                "Someone else saved a record with the same NIK or KK number at the same time. "
                "Nothing was saved: check the data and try again."
            )
        ) from error


def now() -> datetime.datetime:
    return datetime.datetime.now()
