"""The audit trail: who changed what, when, from where, before and after.

`record` writes one entry in the caller's transaction, so the entry and the change it
describes are committed (or rolled back) together."""
import datetime
import decimal
import enum

import sqlalchemy as sa
from flask import has_request_context, request

from app.extensions import db
from models import AuditEntry


def actor() -> tuple[int | None, str | None, str | None]:
    """(user id, username, IP address) of the request, or the system outside one."""
    if not has_request_context():
        return None, "system", None
    from flask import current_app

    user = current_app.appbuilder.sm.current_user
    ip_address = request.remote_addr
    if user is None or not getattr(user, "is_authenticated", False):
        return None, None, ip_address
    return user.id, user.username, ip_address


def plain(value):
    """A JSON-ready form of a column value."""
    if isinstance(value, enum.Enum):
        return value.name
    if isinstance(value, (datetime.date, datetime.datetime)):
        return value.isoformat()
    if isinstance(value, decimal.Decimal):
        return str(value)
    return value


def record(action: str, entity: str, entity_id=None, region_code: str | None = None,
           before: dict | None = None, after: dict | None = None, username: str | None = None,
           connection=None) -> None:
    """Append one entry. Inside a flush pass the flush's `connection`."""
    user_id, current_username, ip_address = actor()
    values = {
        "at": datetime.datetime.now(),
        "user_id": user_id,
        "username": username or current_username,
        "ip_address": ip_address,
        "action": action,
        "entity": entity,
        "entity_id": None if entity_id is None else str(entity_id),
        "region_code": region_code,
        "before": before,
        "after": after,
    }
    statement = sa.insert(AuditEntry.__table__).values(**values)
    (connection or db.session).execute(statement)
